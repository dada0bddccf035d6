//! The audit log for the back office: searched by notification,
//! organisation, actor, action and time, newest first; and its hash chain
//! walked and checked.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::audit::{self, ActorKind, AuditRow, Fault, Search};
use crate::auth::Principal;
use crate::db::Pool;
use crate::error::{ApiError, Problem, Say};
use crate::query::{self, given, unknown};

/// The longest `action` searched for.
const ACTION_MAX: usize = 100;
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;

/// What an audit cursor looks like: the id of the last entry of the page.
pub const CURSOR_PATTERN: &str = "^[0-9]{0,19}$";

/// Which entries, and which page of them.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Entries about this notification (its number).
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}-[0-9]{6,8}$", example = "2026-000123")]
    pub notification: Option<String>,
    /// Entries concerning this organisation (its id).
    #[param(value_type = Option<Uuid>)]
    pub organisation: Option<String>,
    /// Entries of this actor (a user's, API client's or regulator's id).
    #[param(value_type = Option<Uuid>)]
    pub actor: Option<String>,
    /// Entries of this kind of actor.
    #[param(value_type = Option<ActorKind>)]
    pub actor_kind: Option<String>,
    /// Entries of this action, as written in the entries (at most 100
    /// characters).
    #[param(max_length = 100, example = "notification.read_by_regulator")]
    pub action: Option<String>,
    /// Entries from this instant on (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime, example = "2026-12-01T00:00:00Z")]
    pub from: Option<String>,
    /// Entries before this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime, example = "2026-12-08T00:00:00Z")]
    pub to: Option<String>,
    /// How many entries, 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page; empty is the first page.
    pub cursor: Option<String>,
}

fn instant(name: &str, value: &Option<String>) -> Result<Option<DateTime<Utc>>, ApiError> {
    given(name, value)?
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    ApiError::bad_field(
                        name,
                        "invalid_instant",
                        Say::new("parameter_not_an_instant").with("name", name),
                    )
                })
        })
        .transpose()
}

impl AuditParams {
    /// The search, the id to go below and the page's size; each parameter
    /// that is wrong is named.
    fn check(&self) -> Result<(Search, Option<i64>, i64), ApiError> {
        // Any text of the documented form is looked for: one that is no
        // number the service gave finds nothing.
        let subject = given("notification", &self.notification)?
            .map(|v| {
                let form = v.split_once('-').is_some_and(|(year, sequence)| {
                    year.len() == 4
                        && (6..=8).contains(&sequence.len())
                        && year
                            .bytes()
                            .chain(sequence.bytes())
                            .all(|b| b.is_ascii_digit())
                });
                form.then(|| format!("notification:{v}"))
                    .ok_or_else(|| unknown("notification", v))
            })
            .transpose()?;
        let action = given("action", &self.action)?;
        if action.is_some_and(|a| a.chars().count() > ACTION_MAX) {
            return Err(ApiError::bad_field(
                "action",
                "too_long",
                Say::new("parameter_too_long")
                    .with("name", "action")
                    .with("max", ACTION_MAX),
            ));
        }
        let actor_kind = given("actor_kind", &self.actor_kind)?
            .map(|v| ActorKind::parse(v).ok_or_else(|| unknown("actor_kind", v)))
            .transpose()?;
        let search = Search {
            subject,
            organisation_id: query::uuid("organisation", &self.organisation)?,
            actor_id: query::uuid("actor", &self.actor)?,
            actor_kind,
            action: action.map(str::to_owned),
            from: instant("from", &self.from)?,
            before: instant("to", &self.to)?,
        };
        let limit = query::limit(self.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
        // Any cursor of the documented form is a position; beyond the
        // newest id it stands for the top.
        let below = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) if c.len() <= 19 && c.bytes().all(|b| b.is_ascii_digit()) => Some(
                c.parse::<u64>()
                    .map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX)),
            ),
            Some(_) => {
                return Err(ApiError::bad_field(
                    "cursor",
                    "invalid_cursor",
                    Say::new("invalid_cursor"),
                ));
            }
        };
        Ok((search, below, limit))
    }
}

/// One entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    /// Its place in the chain: ids follow each other in the order entries
    /// were committed.
    #[schema(example = 4711)]
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// The `X-Request-Id` of the request that made it.
    pub request_id: Option<String>,
    pub actor_kind: ActorKind,
    /// The user's, API client's or regulator's id.
    pub actor_id: Option<Uuid>,
    /// The organisation the entry concerns.
    pub organisation_id: Option<Uuid>,
    #[schema(example = "notification.read_by_regulator")]
    pub action: String,
    /// What it is about: `notification:{number}`, `organisation:{id}`,
    /// `user:{id}` or `api_client:{id}`.
    #[schema(example = "notification:2026-000123")]
    pub subject: Option<String>,
    /// What else the action recorded.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// The hash of the entry before (hex SHA-256; zeros for the first).
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub prev_hash: String,
    /// This entry's hash (hex SHA-256).
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub hash: String,
}

impl TryFrom<AuditRow> for AuditEntryView {
    type Error = ApiError;

    fn try_from(row: AuditRow) -> Result<Self, ApiError> {
        let actor_kind = ActorKind::parse(&row.actor_kind).ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!("unknown actor kind {:?}", row.actor_kind))
        })?;
        Ok(Self {
            id: row.id,
            occurred_at: row.occurred_at,
            request_id: row.request_id,
            actor_kind,
            actor_id: row.actor_id,
            organisation_id: row.organisation_id,
            action: row.action,
            subject: row.subject,
            details: row.details,
            prev_hash: hex::encode(row.prev_hash),
            hash: hex::encode(row.hash),
        })
    }
}

/// One page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryView>,
    /// Pass as `cursor` for the next page (with the same filters); absent
    /// on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "4661")]
    pub next_cursor: Option<String>,
}

/// The audit log: every state change, every case action and every
/// regulator's read of a notification, newest first, narrowed by each
/// filter given (all must hold).
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_list_audit",
    security(("bearer" = [])),
    params(AuditParams),
    responses(
        (status = 200, description = "One page of entries", body = AuditPage),
        (status = 400, description = "A filter, limit or cursor that is not valid, named",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The caller is no regulator", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
pub(super) async fn admin_list_audit(
    principal: Principal,
    params: web::Query<AuditParams>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let (search, below, limit) = params.check()?;
    let mut conn = pool.get().await?;
    let mut rows = audit::search(&mut conn, &search, below, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last())
        .flatten()
        .map(|r| r.id.to_string());
    let items = rows
        .into_iter()
        .map(AuditEntryView::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(AuditPage { items, next_cursor }))
}

/// The first entry that does not fit the chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditFault {
    #[schema(example = 1234)]
    pub id: i64,
    pub problem: Fault,
}

/// Whether the audit log's hash chain holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerification {
    /// True when every entry follows the one before and matches its hash,
    /// and the chain ends at the head.
    pub intact: bool,
    /// Entries checked (up to and including the first that does not fit).
    #[schema(example = 4711)]
    pub checked: i64,
    /// The id of the last entry when the walk began (0 for an empty log).
    #[schema(example = 4711)]
    pub last_id: i64,
    /// Its hash (hex SHA-256): kept outside the service, it shows later
    /// whether the log up to here was rewritten as a whole.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub last_hash: String,
    /// Null when the chain holds.
    pub first_bad: Option<AuditFault>,
}

/// Walks the whole audit log in order and checks its hash chain: each
/// entry's hash against its fields and the hash before it, and the end
/// against the head. Names the first entry that does not fit. Entries
/// added during the walk are left for the next.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_verify_audit",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The verdict", body = AuditVerification),
        (status = 404, description = "The caller is no regulator", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/audit/verify")]
pub(super) async fn admin_verify_audit(
    principal: Principal,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let mut conn = pool.get().await?;
    let verdict = audit::verify(&mut conn).await?;
    let (last_id, last_hash) = verdict.head;
    Ok(HttpResponse::Ok().json(AuditVerification {
        intact: verdict.first_bad.is_none(),
        checked: verdict.checked,
        last_id,
        last_hash: hex::encode(last_hash),
        first_bad: verdict
            .first_bad
            .map(|(id, problem)| AuditFault { id, problem }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_parameter_is_checked_and_named() {
        let ok = AuditParams {
            notification: Some("2026-000123".into()),
            actor_kind: Some("token_holder".into()),
            from: Some("2026-12-01T10:00:00+01:00".into()),
            cursor: Some("9".repeat(19)),
            ..Default::default()
        };
        let (search, below, limit) = ok.check().unwrap();
        assert_eq!(search.subject.as_deref(), Some("notification:2026-000123"));
        assert_eq!(search.actor_kind, Some(ActorKind::TokenHolder));
        assert_eq!(
            search.from,
            Some("2026-12-01T09:00:00Z".parse::<DateTime<Utc>>().unwrap())
        );
        assert_eq!((below, limit), (Some(i64::MAX), DEFAULT_LIMIT));
        type Spoil = fn(&mut AuditParams);
        let cases: [(&str, Spoil); 9] = [
            ("notification", |p| p.notification = Some("123".into())),
            ("organisation", |p| p.organisation = Some("acme".into())),
            ("actor", |p| p.actor = Some(" ".into())),
            ("actor_kind", |p| p.actor_kind = Some("robot".into())),
            ("action", |p| p.action = Some("a".repeat(101))),
            ("from", |p| p.from = Some("2026-12-01".into())),
            ("to", |p| p.to = Some("yesterday".into())),
            ("limit", |p| p.limit = Some("101".into())),
            ("cursor", |p| p.cursor = Some("1-2".into())),
        ];
        for (field, spoil) in cases {
            let mut params = AuditParams::default();
            spoil(&mut params);
            let err = params.check().unwrap_err();
            assert_eq!(err.problem().errors.unwrap()[0].pointer, field, "{field}");
        }
    }
}
