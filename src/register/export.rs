//! The whole register as open data: CSV (RFC 4180, UTF-8, a header row,
//! lists joined with `; `) or NDJSON (one entry a line, as the API shows
//! it). The register is read in pages inside one repeatable-read
//! transaction (one consistent snapshot) and written whole to a spool
//! ([`crate::export::Spool`]), then streamed from it: the connection and
//! the permit are back before the reader has taken a byte, so slow readers
//! hold neither, and one that stalls is given up on.
//!
//! CSV cells that a spreadsheet would take for a formula (starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return) get a leading `'`;
//! NDJSON stays verbatim.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::public::{Allowed, Public};
use super::store::{self, EntryRow};
use super::views::RegisterEntry;
use crate::api::{AcceptLanguage, if_none_match};
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::i18n::Lang;
use crate::error::{ApiError, Problem, Say};
use crate::export::{Format, Record, Spool, Stall, encode, head, streamed};

/// Entries read and encoded at a time.
const PAGE: i64 = 500;
/// The columns of the CSV, in order. Codes come with their label in the
/// language asked for; lists are joined with `; `.
pub const COLUMNS: &[&str] = &[
    "number",
    "version",
    "controller_name",
    "controller_identifier_scheme",
    "controller_identifier",
    "controller_identifier_country",
    "representative_name",
    "representative_identifier_scheme",
    "representative_identifier",
    "representative_identifier_country",
    "law",
    "law_label",
    "legal_ground",
    "legal_ground_label",
    "sector",
    "sector_label",
    "purpose",
    "purpose_label",
    "research_area",
    "research_area_label",
    "start_date",
    "first_registered_at",
    "last_confirmed_at",
    "expires_on",
    "processors",
    "processor_countries",
    "transfers_abroad",
    "transfer_countries",
];

fn csv_record(e: &RegisterEntry) -> Vec<String> {
    let id = |p: Option<&super::views::PublicParty>| {
        p.and_then(|p| p.identifier.as_ref()).map_or(
            (String::new(), String::new(), String::new()),
            |i| {
                (
                    i.scheme.code.clone(),
                    i.value.clone(),
                    i.country
                        .as_ref()
                        .map(|c| c.code.clone())
                        .unwrap_or_default(),
                )
            },
        )
    };
    let (c_scheme, c_value, c_country) = id(Some(&e.controller));
    let (r_scheme, r_value, r_country) = id(e.representative.as_ref());
    let join = |items: Vec<String>| items.join("; ");
    vec![
        e.number.clone(),
        e.version.to_string(),
        e.controller.name.clone(),
        c_scheme,
        c_value,
        c_country,
        e.representative
            .as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        r_scheme,
        r_value,
        r_country,
        e.law.code.clone(),
        e.law.label.clone(),
        e.legal_ground.code.clone(),
        e.legal_ground.label.clone(),
        e.sector.code.clone(),
        e.sector.label.clone(),
        e.purpose.code.clone(),
        e.purpose.label.clone(),
        e.research_area
            .as_ref()
            .map(|r| r.code.clone())
            .unwrap_or_default(),
        e.research_area
            .as_ref()
            .map(|r| r.label.clone())
            .unwrap_or_default(),
        e.start_date.to_string(),
        e.first_registered_at.to_rfc3339(),
        e.last_confirmed_at.to_rfc3339(),
        e.expires_on.to_string(),
        join(e.processors.iter().map(|p| p.name.clone()).collect()),
        join(
            e.processors
                .iter()
                .map(|p| p.country.code.clone())
                .collect(),
        ),
        e.transfers_abroad.to_string(),
        join(
            e.transfer_countries
                .iter()
                .map(|c| c.code.clone())
                .collect(),
        ),
    ]
}

impl Record for RegisterEntry {
    const COLUMNS: &'static [&'static str] = COLUMNS;
    fn cells(&self) -> Vec<String> {
        csv_record(self)
    }
}

/// A page of entries in the format.
fn encode_page(rows: &[EntryRow], format: Format, lang: Lang) -> std::io::Result<Vec<u8>> {
    let entries: Vec<RegisterEntry> = rows.iter().map(|r| RegisterEntry::new(r, lang)).collect();
    encode(&entries, format, false)
}

/// What the export is as of: the last change of the register.
type AsOf = Option<(i64, DateTime<Utc>)>;

/// Reads the register in one snapshot into a spool: what it is as of, and
/// the encoded entries.
async fn spool(pool: &Pool, format: Format, lang: Lang) -> Result<(AsOf, Spool), ApiError> {
    let mut conn = pool.get().await?;
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run::<_, ApiError, _>(async |conn| {
            let last = store::last_change(conn).await?;
            let mut spool = Spool::new().map_err(ApiError::internal)?;
            let mut after: Option<String> = None;
            loop {
                let rows = store::export_page(conn, after.as_deref(), PAGE).await?;
                let Some(last_row) = rows.last() else {
                    break;
                };
                after = Some(last_row.number.clone());
                let bytes = encode_page(&rows, format, lang).map_err(ApiError::internal)?;
                spool.push(&bytes).await.map_err(ApiError::internal)?;
                if (rows.len() as i64) < PAGE {
                    break;
                }
            }
            Ok((last, spool))
        })
        .await
}

/// How the export is asked for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` or `ndjson`; wins over `Accept`.
    #[param(value_type = Option<String>, pattern = "^(csv|ndjson)$")]
    pub format: Option<String>,
}

/// The whole public register as open data (licence NLOD 2.0), streamed.
/// For `application/x-ndjson` the schema is that of each line:
/// CSV (RFC 4180, UTF-8, header row, one row per entry, lists joined with
/// `; `; cells that start with `=`, `+`, `-`, `@`, tab or carriage return
/// get a leading `'` against formula injection) or NDJSON (one entry per
/// line, as `GET /v1/register/{number}` shows it, verbatim). Chosen by
/// `format=`, else by `Accept` (`text/csv` or `application/x-ndjson`); CSV
/// when neither names one. The CSV columns: number, version,
/// controller_name, controller_identifier_scheme, controller_identifier,
/// controller_identifier_country, representative_name,
/// representative_identifier_scheme, representative_identifier,
/// representative_identifier_country, law, law_label, legal_ground,
/// legal_ground_label, sector, sector_label, purpose, purpose_label,
/// research_area, research_area_label, start_date, first_registered_at,
/// last_confirmed_at, expires_on, processors, processor_countries,
/// transfers_abroad, transfer_countries. `ETag` and `Last-Modified` change
/// with every change of the register; `If-None-Match` answers 304.
#[utoipa::path(
    tag = "register",
    operation_id = "export_register",
    security(()),
    params(
        ExportParams,
        ("Accept-Language" = Option<String>, Header, description = "nb, nn or en: the language of the labels"),
    ),
    responses(
        (status = 200, description = "The register",
            content((String = "text/csv"), (RegisterEntry = "application/x-ndjson")),
            headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String),
                ("Content-Disposition" = String, description = "attachment; filename=\"fortegnelse-YYYY-MM-DD.csv\""))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 400, description = "A format that is not offered", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem,
            content_type = "application/problem+json"),
        (status = 503, description = "As many exports as the service writes out at once are under way; \
            try again after Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String))),
    )
)]
#[get("/export")]
#[expect(clippy::too_many_arguments, reason = "one extractor per need")]
pub(super) async fn export_register(
    req: HttpRequest,
    _allowed: Allowed,
    clock: web::Data<Clock>,
    public: web::Data<Public>,
    lang: AcceptLanguage,
    params: web::Query<ExportParams>,
    pool: web::Data<Pool>,
    stall: web::Data<Stall>,
) -> Result<HttpResponse, ApiError> {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let format = Format::chosen(params.format.as_deref(), accept)?;
    let lang = lang.0;
    let permit =
        public
            .exports
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::ServiceUnavailable {
                detail: Say::new("exports_busy"),
                retry_after: Some(std::time::Duration::from_secs(10)),
            })?;
    let head = head::<RegisterEntry>(format).map_err(ApiError::internal)?;
    let (as_of, spool) = spool(pool.get_ref(), format, lang).await?;
    drop(permit);
    let etag = format!(
        "\"register-{}-{}-{}\"",
        as_of.map_or(0, |(seq, _)| seq),
        format.extension(),
        lang.code()
    );
    let mut response = if if_none_match(&req, &etag) {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header((header::VARY, "Accept, Accept-Language"))
        .insert_header((header::CONTENT_LANGUAGE, lang.code()));
    if let Some((_, at)) = as_of {
        response.insert_header((
            header::LAST_MODIFIED,
            at.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ));
    }
    if if_none_match(&req, &etag) {
        return Ok(response.finish());
    }
    let (body, _) = spool.stream(head, **stall);
    Ok(streamed(
        response,
        format,
        "fortegnelse",
        clock.today(),
        body,
    ))
}
