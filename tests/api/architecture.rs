//! The house rules, read off the source: each table has one writer, the
//! top-level modules depend on each other without cycles, and no source
//! file grows past what one person reads in a sitting.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Who may write each table: a file or a folder under `src/`.
const OWNERS: &[(&str, &str)] = &[
    ("notifications", "notifications/store/"),
    ("notification_versions", "notifications/store/"),
    ("confirmation_tokens", "notifications/store/"),
    ("receipts", "receipts/store.rs"),
    ("outbox", "mail/"),
    ("audit_log", "audit.rs"),
    ("audit_head", "audit.rs"),
    ("organisations", "accounts/store.rs"),
    ("users", "accounts/store.rs"),
    ("api_clients", "accounts/store.rs"),
    ("totp_factors", "accounts/mfa/store.rs"),
    ("recovery_codes", "accounts/mfa/store.rs"),
    ("refresh_tokens", "tokens/store.rs"),
    ("idempotency_keys", "idempotency.rs"),
    ("throttle", "auth/throttle.rs"),
    ("rate_limits", "rate_limit.rs"),
    ("register_entries", "register/projection.rs"),
    ("register_changes", "register/projection.rs"),
    ("cases", "admin/case_store.rs"),
    ("events", "events/store.rs"),
    ("event_counters", "events/store.rs"),
    ("case_notes", "admin/case_store.rs"),
    ("webhook_endpoints", "events/webhooks/store.rs"),
    ("webhook_deliveries", "events/webhooks/queue.rs"),
    ("webhook_attempts", "events/webhooks/queue.rs"),
    ("data_migrations", "db/data_migrations.rs"),
];

/// Data tables, not code: exempt from the length rule.
const DATA_FILES: &[&str] = &["domain/code_lists.rs", "domain/countries.rs", "schema.rs"];
const MAX_LINES: usize = 700;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every source file under `src/` (path relative to it, text).
fn source_files() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    sources(&src, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect()
}

/// The tables a text writes, through diesel's DSL or in SQL, however the
/// code is laid out.
fn tables_written(text: &str) -> BTreeSet<String> {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let collapsed = format!("{} ", collapsed.replace("( ", "("));
    let mut written = BTreeSet::new();
    for (table, _) in OWNERS {
        let needles = [
            format!("insert_into({table}::table"),
            format!("update({table}::table"),
            format!("delete({table}::table"),
            format!("INSERT INTO {table} "),
            format!("UPDATE {table} "),
            format!("DELETE FROM {table} "),
        ];
        if needles
            .iter()
            .any(|needle| collapsed.contains(needle.as_str()))
        {
            written.insert((*table).to_owned());
        }
    }
    written
}

#[test]
fn every_table_is_written_by_its_owner_only() {
    let mut strays = Vec::new();
    let mut seen = BTreeSet::new();
    for (file, text) in source_files() {
        if file.starts_with("db/local_postgres") {
            continue;
        }
        for table in tables_written(&text) {
            let owner = OWNERS.iter().find(|(t, _)| *t == table).unwrap().1;
            seen.insert(table.clone());
            if !file.starts_with(owner) {
                strays.push(format!("{file} writes {table}, owned by {owner}"));
            }
        }
    }
    assert!(strays.is_empty(), "{strays:#?}");
    // The check sees the writers it is about: a rule that finds nothing
    // would pass for the wrong reason.
    for table in [
        "notifications",
        "notification_versions",
        "confirmation_tokens",
        "outbox",
        "register_entries",
        "register_changes",
        "webhook_endpoints",
        "webhook_deliveries",
    ] {
        assert!(seen.contains(table), "no writer of {table} found");
    }
}

#[test]
fn the_writer_check_sees_a_stray_write() {
    let stray = "diesel::update(\n        notifications::table.find(id))";
    assert_eq!(
        tables_written(stray),
        BTreeSet::from(["notifications".to_owned()])
    );
    assert!(tables_written("\"UPDATE outbox\n SET").contains("outbox"));
    assert!(tables_written("notification_versions::table.filter(..)").is_empty());
}

/// The top-level module of a file: `notifications/store/mod.rs` →
/// `notifications`, `audit.rs` → `audit`.
fn module_of(file: &str) -> String {
    file.split('/')
        .next()
        .unwrap()
        .trim_end_matches(".rs")
        .to_owned()
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = source_files();
    let modules: BTreeSet<String> = files.iter().map(|(f, _)| module_of(f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in &files {
        let from = module_of(file);
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if name != from && modules.contains(&name) {
                graph.entry(from.clone()).or_default().insert(name);
            }
        }
    }
    graph
}

/// A cycle in `graph`, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn top_level_modules_depend_on_each_other_without_cycles() {
    let graph = module_graph();
    assert!(graph.contains_key("notifications"), "the graph is read");
    assert_eq!(find_cycle(&graph), None, "{graph:#?}");
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let graph = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]);
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".to_owned(), "b".to_owned(), "a".to_owned()])
    );
}

#[test]
fn no_source_file_is_longer_than_one_sitting() {
    let mut too_long = Vec::new();
    for (file, text) in source_files() {
        let lines = text.lines().count();
        if lines > MAX_LINES && !DATA_FILES.contains(&file.as_str()) {
            too_long.push(format!("{file}: {lines} lines"));
        }
    }
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut test_files = Vec::new();
    sources(&tests, &mut test_files);
    for path in test_files {
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        if lines > MAX_LINES {
            too_long.push(format!("{}: {lines} lines", path.display()));
        }
    }
    assert!(too_long.is_empty(), "{too_long:#?}");
}
