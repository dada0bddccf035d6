//! The append-only audit log: who did what, when, in which request. Written
//! in the same transaction as the change it records.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::{Principal, Role, SubjectKind};
use crate::schema::audit_log;

/// Who acted.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub kind: &'static str,
    pub id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
}

impl Actor {
    pub fn anonymous() -> Self {
        Self {
            kind: "anonymous",
            id: None,
            organisation_id: None,
        }
    }

    pub fn system() -> Self {
        Self {
            kind: "system",
            id: None,
            organisation_id: None,
        }
    }
}

impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Self {
        let kind = match (p.kind, p.role) {
            (_, Role::Regulator) => "regulator",
            (SubjectKind::User, _) => "user",
            (SubjectKind::Client, _) => "client",
        };
        Self {
            kind,
            id: Some(p.id),
            organisation_id: p.organisation_id,
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

pub async fn record(conn: &mut AsyncPgConnection, entry: Entry<'_>) -> diesel::QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::request_id.eq(entry.request_id),
            audit_log::actor_kind.eq(entry.actor.kind),
            audit_log::actor_id.eq(entry.actor.id),
            audit_log::organisation_id.eq(entry.organisation_id.or(entry.actor.organisation_id)),
            audit_log::action.eq(entry.action),
            audit_log::subject.eq(entry.subject),
            audit_log::details.eq(entry.details),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
