//! The append-only, tamper-evident audit log: who did what, when, in which
//! request. Written in the same transaction as the change it records, and
//! the only writer of `audit_log` and `audit_head`.
//!
//! Each entry carries the hash of the one before (`prev_hash`) and its own
//! (`hash`): SHA-256 over the previous hash and a canonical encoding of the
//! entry's fields, computed by the database's `audit_entry_hash` (see the
//! migration `audit_chain`), so that the migration, the append and the
//! check share one definition. The first entry follows 32 zero bytes.
//!
//! **The audit lock.** An append locks the one row of `audit_head` (the last
//! id and hash), takes the next id from it and moves it on, in one
//! statement; the lock is held until the transaction ends, so the chain is
//! one line in the order of ids and commits. The rule that keeps this free
//! of deadlocks and the lock short: *the audit append is the last statement
//! of its transaction* (several appends may follow each other). A
//! transaction holding the audit lock then waits for nothing — not for the
//! register's writer lock (`register::projection`), not for a row lock —
//! so no cycle can form, and the lock is held for the append and the
//! commit only. Outside a transaction the append is a transaction of its
//! own.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bytea, Jsonb, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Principal, Role, SubjectKind};
use crate::domain::identifiers::OrgNumber;
use crate::schema::{audit_head, audit_log};

/// Who acted, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A user of an organisation.
    User,
    /// An organisation's API client.
    Client,
    /// A case worker of the authority.
    Regulator,
    /// Whoever held a confirmation link.
    TokenHolder,
    /// The service itself (its scheduled jobs, the command line).
    System,
    /// Someone not signed in (a registration).
    Anonymous,
    /// An organisation's system, proven by a Maskinporten token (the
    /// entry's `details.supplier` names the vendor acting for it, if any).
    Maskinporten,
}

impl ActorKind {
    pub const ALL: [Self; 7] = [
        Self::User,
        Self::Client,
        Self::Regulator,
        Self::TokenHolder,
        Self::System,
        Self::Anonymous,
        Self::Maskinporten,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Client => "client",
            Self::Regulator => "regulator",
            Self::TokenHolder => "token_holder",
            Self::System => "system",
            Self::Anonymous => "anonymous",
            Self::Maskinporten => "maskinporten",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Who acted.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    /// The vendor acting for the organisation (Maskinporten), recorded as
    /// `supplier` in the entry's details.
    pub supplier: Option<OrgNumber>,
}

impl Actor {
    pub fn anonymous() -> Self {
        Self {
            kind: ActorKind::Anonymous,
            id: None,
            organisation_id: None,
            supplier: None,
        }
    }

    pub fn system() -> Self {
        Self {
            kind: ActorKind::System,
            id: None,
            organisation_id: None,
            supplier: None,
        }
    }
}

impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Self {
        let kind = match (p.kind, p.role) {
            (_, Role::Regulator) => ActorKind::Regulator,
            (SubjectKind::User, _) => ActorKind::User,
            (SubjectKind::Client, _) => ActorKind::Client,
            (SubjectKind::Maskinporten, _) => ActorKind::Maskinporten,
        };
        Self {
            kind,
            id: Some(p.id),
            organisation_id: p.organisation_id,
            supplier: p.supplier,
        }
    }
}

/// One entry.
pub struct Entry<'a> {
    pub actor: Actor,
    /// The organisation the change concerns (defaults to the actor's).
    pub organisation_id: Option<Uuid>,
    pub action: &'a str,
    pub subject: Option<String>,
    pub request_id: Option<String>,
    pub details: serde_json::Value,
}

impl<'a> Entry<'a> {
    /// An entry of what `principal` did to `subject`, in its organisation.
    pub fn by(
        principal: &Principal,
        action: &'a str,
        subject: String,
        request_id: Option<String>,
        details: serde_json::Value,
    ) -> Self {
        Self {
            actor: Actor::from(principal),
            organisation_id: principal.organisation_id,
            action,
            subject: Some(subject),
            request_id,
            details,
        }
    }
}

/// Lock the head, insert the entry after it, move the head: one statement,
/// so that it is whole also outside a transaction. The parameters are cast
/// where the hash takes them, so that the statement also reads with its
/// values written in (the speed benchmark's pgbench script).
const APPEND: &str = "
WITH head AS (
    SELECT last_id + 1 AS id, last_hash FROM audit_head FOR UPDATE
), entry AS (
    INSERT INTO audit_log (id, occurred_at, request_id, actor_kind, actor_id,
                           organisation_id, action, subject, details, prev_hash, hash)
    SELECT head.id, now(), $1, $2, $3, $4, $5, $6, $7, head.last_hash,
           audit_entry_hash(head.id, now(), $1::text, $2::text, $3::uuid, $4::uuid, $5::text,
                            $6::text, $7::jsonb, head.last_hash)
    FROM head
    RETURNING id, hash
)
UPDATE audit_head SET last_id = entry.id, last_hash = entry.hash FROM entry";

/// Appends `entry` to the chain. The last statement of the caller's
/// transaction (see the module's lock rule).
pub async fn record(mut conn: &AsyncPgConnection, entry: Entry<'_>) -> diesel::QueryResult<()> {
    let mut details = entry.details;
    if let Some(supplier) = entry.actor.supplier
        && let Some(fields) = details.as_object_mut()
    {
        fields.insert("supplier".into(), format!("0192:{supplier}").into());
    }
    let appended = diesel::sql_query(APPEND)
        .bind::<Nullable<Text>, _>(entry.request_id)
        .bind::<Text, _>(entry.actor.kind.code())
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(entry.actor.id)
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(
            entry.organisation_id.or(entry.actor.organisation_id),
        )
        .bind::<Text, _>(entry.action)
        .bind::<Nullable<Text>, _>(entry.subject)
        .bind::<Jsonb, _>(details)
        .execute(&mut conn)
        .await?;
    if appended != 1 {
        // The head's row is created by the migration and cannot be removed.
        return Err(diesel::result::Error::QueryBuilderError(
            "the audit log has no head".into(),
        ));
    }
    Ok(())
}

/// A stored entry.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub request_id: Option<String>,
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub action: String,
    pub subject: Option<String>,
    pub details: serde_json::Value,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// What the back office searches by; each set filter narrows.
#[derive(Debug, Default, Clone)]
pub struct Search {
    pub subject: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub actor_kind: Option<ActorKind>,
    pub action: Option<String>,
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub before: Option<chrono::DateTime<chrono::Utc>>,
}

/// Up to `limit` entries that match, newest first, below the id `below`.
pub async fn search(
    conn: &mut AsyncPgConnection,
    search: &Search,
    below: Option<i64>,
    limit: i64,
) -> diesel::QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table
        .select(AuditRow::as_select())
        .order(audit_log::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(subject) = &search.subject {
        query = query.filter(audit_log::subject.eq(subject.clone()));
    }
    if let Some(id) = search.organisation_id {
        query = query.filter(audit_log::organisation_id.eq(id));
    }
    if let Some(id) = search.actor_id {
        query = query.filter(audit_log::actor_id.eq(id));
    }
    if let Some(kind) = search.actor_kind {
        query = query.filter(audit_log::actor_kind.eq(kind.code()));
    }
    if let Some(action) = &search.action {
        query = query.filter(audit_log::action.eq(action.clone()));
    }
    if let Some(from) = search.from {
        query = query.filter(audit_log::occurred_at.ge(from));
    }
    if let Some(before) = search.before {
        query = query.filter(audit_log::occurred_at.lt(before));
    }
    if let Some(below) = below {
        query = query.filter(audit_log::id.lt(below));
    }
    query.load(conn).await
}

/// What is wrong with the first entry that does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// The entry's fields do not give its hash: it was changed.
    HashMismatch,
    /// The entry does not follow the hash of the one before it: an entry
    /// before it was removed, added or rewritten.
    BrokenLink,
    /// The chain does not end where the head says (the id named): entries
    /// were removed from its end, or the last one rewritten.
    HeadMismatch,
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Entries read, the one that does not fit included.
    pub checked: i64,
    /// The head when the walk began: the last id and its hash.
    pub head: (i64, Vec<u8>),
    pub first_bad: Option<(i64, Fault)>,
}

/// What the first entry follows.
pub const GENESIS: [u8; 32] = [0; 32];

/// Entries read at a time: the walk's memory does not grow with the log.
const WALK_PAGE: i64 = 1000;

#[derive(QueryableByName)]
struct Link {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Bytea)]
    prev_hash: Vec<u8>,
    #[diesel(sql_type = Bytea)]
    hash: Vec<u8>,
    #[diesel(sql_type = Bytea)]
    computed: Vec<u8>,
}

/// Walks the chain in order, up to the head as it is when the walk
/// begins (entries appended meanwhile are for the next walk), and names
/// the first entry that does not fit.
pub async fn verify(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Verdict> {
    let (last_id, last_hash): (i64, Vec<u8>) = audit_head::table
        .select((audit_head::last_id, audit_head::last_hash))
        .first(conn)
        .await?;
    let mut verdict = Verdict {
        checked: 0,
        head: (last_id, last_hash.clone()),
        first_bad: None,
    };
    let mut prev = GENESIS.to_vec();
    let mut after = i64::MIN;
    loop {
        let page: Vec<Link> = diesel::sql_query(
            "SELECT id, prev_hash, hash,
                    audit_entry_hash(id, occurred_at, request_id, actor_kind, actor_id,
                                     organisation_id, action, subject, details, prev_hash)
                        AS computed
             FROM audit_log WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3",
        )
        .bind::<BigInt, _>(after)
        .bind::<BigInt, _>(last_id)
        .bind::<BigInt, _>(WALK_PAGE)
        .load(conn)
        .await?;
        for link in &page {
            verdict.checked += 1;
            let fault = if link.prev_hash != prev {
                Some(Fault::BrokenLink)
            } else if link.computed != link.hash {
                Some(Fault::HashMismatch)
            } else {
                None
            };
            if let Some(fault) = fault {
                verdict.first_bad = Some((link.id, fault));
                return Ok(verdict);
            }
            prev.clone_from(&link.hash);
            after = link.id;
        }
        if (page.len() as i64) < WALK_PAGE {
            break;
        }
    }
    let ends_at_head = if last_id == 0 {
        after == i64::MIN && last_hash == GENESIS
    } else {
        after == last_id && prev == last_hash
    };
    if !ends_at_head {
        verdict.first_bad = Some((last_id, Fault::HeadMismatch));
    }
    Ok(verdict)
}
