//! pgbench scripts made from the statements the service really sent: the
//! server logs every statement while the benchmark makes one create and one
//! read through the API, and each logged statement becomes a line of the
//! script with its parameters written in as literals.
//!
//! A create must not collide with the one before it, so the values it makes
//! afresh are made afresh in the script too: every identifier that is not
//! an organisation's or a user's becomes a new UUID per transaction, the
//! token hash a new hash, and the notification number is formatted from the
//! `nextval` the script runs (`\gset`), as the service formats it.

use std::collections::BTreeMap;

/// One statement as the server logged it, its parameters in place.
#[derive(Debug, Clone)]
pub struct Logged {
    pub pid: String,
    pub sql: String,
    /// `$1`, `$2`, … as SQL literals (`'…'` or `NULL`), in order.
    pub parameters: Vec<String>,
}

/// The statements of the server log between the line holding `from` and
/// the one holding `to`, leaving out the connections that logged a marker
/// (the benchmark's own).
pub fn between(log: &str, from: &str, to: &str) -> Vec<Logged> {
    let entries = entries(log);
    let marker_pids: Vec<&str> = entries
        .iter()
        .filter(|(_, text)| text.contains("speed-marker"))
        .map(|(pid, _)| pid.as_str())
        .collect();
    let start = entries.iter().position(|(_, t)| t.contains(from));
    let end = entries.iter().position(|(_, t)| t.contains(to));
    let (Some(start), Some(end)) = (start, end) else {
        return Vec::new();
    };
    let mut statements: Vec<Logged> = Vec::new();
    for (pid, text) in &entries[start + 1..end] {
        if marker_pids.contains(&pid.as_str()) {
            continue;
        }
        if let Some(sql) = statement_of(text) {
            statements.push(Logged {
                pid: pid.clone(),
                sql: sql.trim().to_owned(),
                parameters: Vec::new(),
            });
        } else if let Some(list) = text.strip_prefix("DETAIL:  parameters: ")
            && let Some(last) = statements.last_mut().filter(|s| &s.pid == pid)
        {
            last.parameters = parameters(list);
        }
    }
    statements
}

/// The log's entries: `(pid, text)`, the continuation lines (a tab first)
/// joined to their entry.
fn entries(log: &str) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in log.lines() {
        if let Some(rest) = line.strip_prefix('\t') {
            if let Some((_, text)) = entries.last_mut() {
                text.push('\n');
                text.push_str(rest);
            }
            continue;
        }
        if let Some((pid, text)) = line.split_once('|')
            && pid.chars().all(|c| c.is_ascii_digit())
            && !pid.is_empty()
        {
            entries.push((pid.to_owned(), text.to_owned()));
        }
    }
    entries
}

fn statement_of(text: &str) -> Option<&str> {
    if let Some(sql) = text.strip_prefix("LOG:  statement: ") {
        return Some(sql);
    }
    let rest = text.strip_prefix("LOG:  execute ")?;
    Some(rest.split_once(": ")?.1)
}

/// `$1 = 'a', $2 = NULL, …` as the literals, in order.
fn parameters(list: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut rest = list;
    while let Some(eq) = rest.find(" = ") {
        rest = &rest[eq + 3..];
        if let Some(after) = rest.strip_prefix("NULL") {
            values.push("NULL".to_owned());
            rest = after;
        } else {
            // A quoted literal: a quote ends it unless another follows.
            let bytes = rest.as_bytes();
            let mut i = 1;
            while i < bytes.len() {
                if bytes[i] == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            values.push(rest[..=i.min(bytes.len() - 1)].to_owned());
            rest = &rest[(i + 1).min(rest.len())..];
        }
        rest = rest.strip_prefix(", ").unwrap_or(rest);
    }
    values
}

/// What stays as it was captured and what is made afresh.
pub struct Fresh<'a> {
    /// Identifiers that stay: organisations, users, the notification read.
    pub keep: &'a [String],
    /// Whether each transaction makes its own identifiers (a create).
    pub per_transaction: bool,
}

/// The pgbench script of `statements`.
pub fn pgbench(statements: &[Logged], fresh: &Fresh) -> String {
    let mut out = String::new();
    if fresh.per_transaction {
        out.push_str("\\set i random(1, 281474976710655)\n");
    }
    let mut made: BTreeMap<String, usize> = BTreeMap::new();
    for statement in statements {
        let values: Vec<String> = statement
            .parameters
            .iter()
            .map(|literal| match fresh.per_transaction {
                true => afresh(literal, fresh.keep, &mut made),
                false => literal.clone(),
            })
            .map(|value| without_variables(&value))
            .collect();
        let sql = fill(&statement.sql, &values);
        let is_number = sql.contains("nextval('notification_number_seq')");
        out.push_str(&sql);
        if is_number && fresh.per_transaction {
            out.push_str("\n\\gset\n");
        } else {
            out.push_str(";\n");
        }
    }
    out
}

/// The literal, or an expression that makes its value afresh.
fn afresh(literal: &str, keep: &[String], made: &mut BTreeMap<String, usize>) -> String {
    let inner = literal.trim_matches('\'');
    let next = made.len();
    if is_uuid(inner) && !keep.iter().any(|k| k == inner) {
        let j = *made.entry(inner.to_owned()).or_insert(next);
        return format!("('{j:08x}-0000-4000-8000-' || lpad(to_hex(:i::bigint), 12, '0'))::uuid");
    }
    if inner.len() == 66 && inner.starts_with("\\x") {
        let j = *made.entry(inner.to_owned()).or_insert(next);
        return format!("sha256(('{j}-' || :i::text)::bytea)");
    }
    if let Some((year, serial)) = inner.split_once('-') {
        let is_number = year.len() == 4
            && (6..=8).contains(&serial.len())
            && inner.bytes().filter(u8::is_ascii_digit).count() == inner.len() - 1;
        if is_number {
            return format!("('{year}-' || lpad(:n::text, 6, '0'))");
        }
    }
    literal.to_owned()
}

/// pgbench reads `:name` as a variable wherever it stands, also inside a
/// quoted literal (a time such as `16:00`): such a literal is written as
/// an escape string with the colon as `\072`.
fn without_variables(value: &str) -> String {
    let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) else {
        return value.to_owned();
    };
    let bytes = inner.as_bytes();
    let clash = bytes
        .windows(2)
        .any(|w| w[0] == b':' && (w[1].is_ascii_alphanumeric() || w[1] == b'_'));
    if !clash {
        return value.to_owned();
    }
    let escaped = inner.replace('\\', "\\\\").replace(':', "\\072");
    format!("E'{escaped}'")
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// `sql` with each `$n` replaced by the n-th value, in one pass.
fn fill(sql: &str, values: &[String]) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|n| values.get(n.wrapping_sub(1)))
        {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[at..at + 1 + digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}
