//! The back office's export: a filtered selection of notifications as CSV
//! or NDJSON, streamed from one snapshot in pages, whatever its size. The
//! export is audited with its filter and how many rows went out.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::filters::{FilterParams, Filters, SortKey};
use super::store;
use super::views::AdminNotificationSummary;
use crate::api::request_id;
use crate::audit::{self, Actor, Entry};
use crate::auth::Principal;
use crate::clock::Clock;
use crate::db::Pool;
use crate::error::{ApiError, Problem, Say};
use crate::export::{Format, Record, Spool, Stall, encode, head, streamed};

/// Rows read and encoded at a time.
const PAGE: i64 = 500;
/// How recent the second factor of the caller's sign-in must be.
const STEP_UP: std::time::Duration = std::time::Duration::from_secs(300);

impl Record for AdminNotificationSummary {
    const COLUMNS: &'static [&'static str] = &[
        "number",
        "status",
        "controller_name",
        "law",
        "legal_ground",
        "sector",
        "purpose",
        "organisation_id",
        "organisation_name",
        "organisation_identifier",
        "case_status",
        "assignee",
        "submitted_at",
        "registered_at",
        "expires_on",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.number.clone(),
            self.status.code().to_owned(),
            self.controller_name.clone(),
            self.law.clone(),
            self.legal_ground.clone(),
            self.sector.clone(),
            self.purpose.clone(),
            self.organisation.id.to_string(),
            self.organisation.name.clone(),
            self.organisation.identifier.clone(),
            self.case_status.code().to_owned(),
            self.assignee.map(|a| a.to_string()).unwrap_or_default(),
            self.submitted_at.to_rfc3339(),
            self.registered_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            self.expires_on.map(|d| d.to_string()).unwrap_or_default(),
        ]
    }
}

/// Reads the selection in one snapshot into a spool; how many rows it
/// holds.
async fn spool(pool: &Pool, filters: &Filters, format: Format) -> Result<(u64, Spool), ApiError> {
    let mut conn = pool.get().await?;
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run::<_, ApiError, _>(async |conn| {
            let mut spool = Spool::new().map_err(ApiError::internal)?;
            let mut rows_spooled = 0u64;
            let mut after = None;
            loop {
                let rows =
                    store::list(conn, filters, (SortKey::SubmittedAt, false), after, PAGE).await?;
                let Some(last) = rows.last() else {
                    break;
                };
                after = Some((
                    store::sort_key(SortKey::SubmittedAt, &last.notification),
                    last.notification.id,
                ));
                let records: Vec<AdminNotificationSummary> =
                    rows.iter().map(AdminNotificationSummary::from).collect();
                let bytes = encode(&records, format, false).map_err(ApiError::internal)?;
                spool.push(&bytes).await.map_err(ApiError::internal)?;
                rows_spooled += records.len() as u64;
                if (rows.len() as i64) < PAGE {
                    break;
                }
            }
            Ok((rows_spooled, spool))
        })
        .await
}

/// How the export is asked for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminExportParams {
    /// `csv` or `ndjson`; wins over `Accept`.
    #[param(value_type = Option<String>, pattern = "^(csv|ndjson)$")]
    pub format: Option<String>,
}

/// The notifications the filters select (the same as the list's), as CSV
/// (RFC 4180, UTF-8, header row; cells that start with `=`, `+`, `-`, `@`,
/// tab or carriage return get a leading `'`) or NDJSON (one
/// `AdminNotificationSummary` a line; the schema is that of each line),
/// by `format=` or `Accept`, streamed in submission order. CSV columns:
/// number, status, controller_name, law, legal_ground, sector, purpose,
/// organisation_id, organisation_name, organisation_identifier,
/// case_status, assignee, submitted_at, registered_at, expires_on. Needs a
/// sign-in with a second factor within the last five minutes (step-up).
/// Audited
/// when it starts, with the query, and when it ends, with the number of
/// rows and whether the reader took them all.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_export",
    security(("bearer" = [])),
    params(FilterParams, AdminExportParams),
    responses(
        (status = 200, description = "The selection",
            content((String = "text/csv"), (AdminNotificationSummary = "application/x-ndjson")),
            headers(("Content-Disposition" = String, description = "attachment; filename=\"meldinger-YYYY-MM-DD.csv\""))),
        (status = 400, description = "A filter or format that is not valid, named", body = Problem,
            content_type = "application/problem+json"),
        (status = 401, description = "No second factor given within the last five minutes \
            (`WWW-Authenticate: Bearer error=\"insufficient_user_authentication\"`): sign in \
            again with a code", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The caller is no regulator", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/export")]
pub(super) async fn admin_export(
    req: HttpRequest,
    principal: Principal,
    filters: web::Query<FilterParams>,
    params: web::Query<AdminExportParams>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    stall: web::Data<Stall>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    // Step-up (RFC 9470): a second factor given within the last minutes.
    if !principal.mfa_within(STEP_UP, clock.now()) {
        return Err(ApiError::unauthorized(
            "insufficient_user_authentication",
            Say::new("step_up_required").with("minutes", STEP_UP.as_secs() / 60),
        ));
    }
    let checked = filters.check()?;
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let format = Format::chosen(params.format.as_deref(), accept)?;
    let actor = Actor::from(&principal);
    let request_id = request_id(&req);
    let asked = serde_json::Value::from(req.query_string());
    // Said before a row goes out, so that an export cut short by a crash
    // is on record too; its end is recorded with the count.
    let started = Entry {
        actor,
        organisation_id: None,
        action: "notifications.export_started",
        subject: None,
        request_id: request_id.clone(),
        details: serde_json::json!({ "query": asked, "format": format.extension() }),
    };
    audit::record(&*pool.get().await?, started).await?;
    let head = head::<AdminNotificationSummary>(format).map_err(ApiError::internal)?;
    let (rows, spool) = spool(pool.get_ref(), &checked, format).await?;
    let (body, delivered) = spool.stream(head, **stall);
    let pool = pool.get_ref().clone();
    tokio::spawn(async move {
        let complete = delivered.await.unwrap_or(false);
        let entry = Entry {
            actor,
            organisation_id: None,
            action: "notifications.exported",
            subject: None,
            request_id,
            details: serde_json::json!({
                "query": asked,
                "format": format.extension(),
                "rows": rows,
                "complete": complete,
            }),
        };
        let recorded = match pool.get().await {
            Ok(conn) => audit::record(&conn, entry)
                .await
                .map_err(anyhow::Error::from),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        };
        if let Err(e) = recorded {
            tracing::error!(error = ?e, "the export's audit entry could not be written");
        }
    });
    Ok(streamed(
        HttpResponse::Ok(),
        format,
        "meldinger",
        clock.today(),
        body,
    ))
}
