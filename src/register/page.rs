//! The register's web page for people: the search, one entry, and the
//! accessibility statement, as HTML rendered here (askama, escaped) that
//! needs no script. The same checks, reads and labels as the API; a
//! language from `?lang=`, else `Accept-Language`; the API's per-address
//! limit; a strict Content-Security-Policy, with the style sheet served
//! from here so that nothing inline is needed.

use std::time::Duration;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use sha2::{Digest, Sha256};
use utoipa_actix_web::service_config::ServiceConfig;

use super::form::{FormParams, Kept, LangParam};
use super::page_views::{self as views, Frame};
use super::params::SearchParams;
use super::public::Allowed;
use super::routes::{MAX_AGE, find};
use super::store::{self, EntryRow};
use super::words;
use crate::api::if_none_match;
use crate::db::Pool;
use crate::domain::i18n::{Lang, Text};
use crate::domain::number::NotificationNumber;
use crate::error::{ApiError, FieldProblem};

/// Beyond this many, the page says "more than".
const COUNT_CAP: i64 = 1000;

/// The style sheet, compiled in.
const STYLE: &str = include_str!("../../templates/register/style.css");

/// What a page may do: nothing but show itself and its style sheet, and
/// send its form here.
const CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

pub fn configure(cfg: &mut ServiceConfig) {
    // The literal paths before `/register/{number}`, which would take them.
    cfg.service(get_register_style)
        .service(get_register_accessibility_page)
        .service(get_register_page)
        .service(get_register_entry_page);
}

/// A page as sent: security headers always; a 200 with its ETag (304 when
/// the client has it) and cacheable for a minute like the API, anything
/// else not stored.
fn html(req: &HttpRequest, status: StatusCode, lang: Lang, page: impl Template) -> HttpResponse {
    let body = match page.render() {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = ?ApiError::internal(err), "a register page did not render");
            return HttpResponse::InternalServerError()
                .content_type("text/html; charset=utf-8")
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
                .body("<!doctype html><title>500</title><h1>500</h1>");
        }
    };
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::VARY, "Accept-Language"))
        .insert_header((header::CONTENT_LANGUAGE, lang.code()));
    if status != StatusCode::OK {
        return response
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .content_type("text/html; charset=utf-8")
            .body(body);
    }
    let etag = etag(body.as_bytes());
    response
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={MAX_AGE}")))
        .insert_header((header::ETAG, etag.clone()));
    if if_none_match(req, &etag) {
        response.status(StatusCode::NOT_MODIFIED);
        return response.finish();
    }
    response.content_type("text/html; charset=utf-8").body(body)
}

fn etag(bytes: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..32])
}

/// A page that says what went wrong: not in the register (404), too many
/// requests (429), the database busy (503), or anything else (500, logged).
fn trouble(req: &HttpRequest, lang: Lang, err: ApiError) -> HttpResponse {
    let kept = Kept::of(req);
    let (status, title, help, wait) = match &err {
        ApiError::NotFound => (
            StatusCode::NOT_FOUND,
            words::NOT_FOUND_TITLE,
            words::NOT_FOUND_HELP,
            None,
        ),
        ApiError::TooManyRequests { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            words::TOO_MANY_TITLE,
            words::TOO_MANY_HELP,
            Some(*retry_after),
        ),
        ApiError::ServiceUnavailable { retry_after, .. } => (
            StatusCode::SERVICE_UNAVAILABLE,
            words::UNAVAILABLE_TITLE,
            words::TRY_AGAIN,
            Some(retry_after.unwrap_or(Duration::from_secs(5))),
        ),
        other => {
            tracing::error!(error = ?other, "a register page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                words::FAILED_TITLE,
                words::TRY_AGAIN,
                None,
            )
        }
    };
    let page = views::MessagePage {
        frame: Frame::new(req, &kept, lang, title.get(lang)),
        heading: title.get(lang),
        paragraphs: vec![help.get(lang)],
        back: words::BACK.get(lang),
    };
    let mut response = html(req, status, lang, page);
    if let Some(wait) = wait
        && let Ok(value) = header::HeaderValue::from_str(&wait.as_secs().max(1).to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// One page of matches, and how many there are.
struct Found {
    rows: Vec<EntryRow>,
    next: Option<String>,
    total: i64,
    ranked: bool,
}

async fn search(pool: &Pool, params: &SearchParams) -> Result<Found, ApiError> {
    let search = params.check()?;
    let (rows, next) = find(pool, &search).await?;
    let mut conn = pool.get().await?;
    let total = store::count(&mut conn, &search.query, COUNT_CAP).await?;
    Ok(Found {
        rows,
        next,
        total,
        ranked: search.query.is_ranked(),
    })
}

/// The label of a field of the form, by its name.
fn label_of(name: &str) -> Option<Text> {
    Some(match name {
        "q" => words::Q,
        "law" => words::LAW,
        "legal_ground" => words::LEGAL_GROUND,
        "sector" => words::SECTOR,
        "purpose" => words::PURPOSE,
        "transfers_abroad" => words::TRANSFERS,
        "registered_from" => words::REGISTERED_FROM,
        "registered_to" => words::REGISTERED_TO,
        "limit" => words::LIMIT,
        "cursor" => words::CURSOR,
        _ => return None,
    })
}

/// A field's problem as the page says it: the field by its label.
fn problem_text(problem: &FieldProblem, lang: Lang) -> String {
    let Some(label) = label_of(&problem.pointer) else {
        return problem.say.render(lang);
    };
    let mut say = problem.say.clone();
    for (name, value) in &mut say.args {
        if *name == "name" {
            *value = crate::domain::messages::Arg::Words(label);
        }
    }
    let text = say.render(lang);
    if text.contains(label.get(lang)) {
        text
    } else {
        format!("{}: {text}", label.get(lang))
    }
}

/// Every field of `params` that is not valid, each with its problem in
/// the page's words. The checks stop at the first problem, so each field
/// found wrong is left out and the rest checked again.
fn every_problem(params: &SearchParams, lang: Lang) -> Vec<(String, String)> {
    let mut params = params.clone();
    let mut found = Vec::new();
    while let Err(err) = params.check() {
        let ApiError::BadRequest { errors, detail } = err else {
            break;
        };
        let Some(problem) = errors.first() else {
            found.push(("query".to_owned(), detail.render(lang)));
            break;
        };
        found.push((problem.pointer.clone(), problem_text(problem, lang)));
        let field = match problem.pointer.as_str() {
            "q" => &mut params.q,
            "law" => &mut params.law,
            "legal_ground" => &mut params.legal_ground,
            "sector" => &mut params.sector,
            "purpose" => &mut params.purpose,
            "transfers_abroad" => &mut params.transfers_abroad,
            "registered_from" => &mut params.registered_from,
            "registered_to" => &mut params.registered_to,
            "limit" => &mut params.limit,
            "cursor" => &mut params.cursor,
            _ => break,
        };
        if field.take().is_none() {
            break;
        }
    }
    found
}

/// A query the form cannot be read from: a field given twice, say.
fn unreadable(err: &serde_urlencoded::de::Error, lang: Lang) -> Vec<(String, String)> {
    let message = err.to_string();
    let twice = message
        .strip_prefix("duplicate field `")
        .and_then(|rest| rest.split('`').next());
    match twice {
        Some(name) => {
            let label = label_of(name).map_or(name, |l| l.get(lang));
            vec![(
                name.to_owned(),
                words::DUPLICATE.get(lang).replace("{name}", label),
            )]
        }
        None => vec![(
            "query".to_owned(),
            words::QUERY_UNREADABLE.get(lang).to_owned(),
        )],
    }
}

/// The search page: the form, filled in as asked, and the matches with
/// their count, newest first or best first, a page at a time. With no
/// field filled in, the newest registrations. A field that is not valid
/// (an unknown code, a date that is not one) is named on the page, 400.
#[utoipa::path(
    tag = "register",
    operation_id = "get_register_page",
    security(()),
    params(LangParam, FormParams,
        ("Accept-Language" = Option<String>, Header, description = "nb, nn or en: the page's language when `lang` names none")),
    responses(
        (status = 200, description = "The page", content_type = "text/html",
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Security-Policy" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 400, description = "The form, naming the field that is not valid", content_type = "text/html"),
        (status = 429, description = "A page saying to wait: too many requests from this address", content_type = "text/html"),
        (status = 500, description = "A page saying something went wrong", content_type = "text/html"),
        (status = 503, description = "A page saying to try again: no database connection in time", content_type = "text/html",
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    )
)]
#[get("/register")]
async fn get_register_page(
    req: HttpRequest,
    allowed: Result<Allowed, ApiError>,
    pool: web::Data<Pool>,
) -> HttpResponse {
    let lang = LangParam::of(&req);
    if let Err(err) = allowed {
        return trouble(&req, lang, err);
    }
    let kept = Kept::of(&req);
    let form = match serde_urlencoded::from_str::<FormParams>(req.query_string()) {
        Ok(form) => form,
        Err(err) => {
            let errors = unreadable(&err, lang);
            let page = views::search_page(&req, &kept, lang, &FormParams::default(), &errors);
            return html(&req, StatusCode::BAD_REQUEST, lang, page);
        }
    };
    let params = form.search();
    let errors = every_problem(&params, lang);
    if !errors.is_empty() {
        let page = views::search_page(&req, &kept, lang, &form, &errors);
        return html(&req, StatusCode::BAD_REQUEST, lang, page);
    }
    let found = match search(&pool, &params).await {
        Ok(found) => found,
        Err(err) => return trouble(&req, lang, err),
    };
    let mut page = views::search_page(&req, &kept, lang, &form, &[]);
    page.results = Some(views::results(
        &kept,
        lang,
        &found.rows,
        found.next.as_deref(),
        found.total,
        COUNT_CAP,
        found.ranked,
    ));
    if !params.is_empty() {
        let hits = words::hits(found.total.min(COUNT_CAP), found.total > COUNT_CAP, lang);
        page.frame.title =
            views::title(&format!("{hits} – {}", words::SEARCH_TITLE.get(lang)), lang);
    }
    html(&req, StatusCode::OK, lang, page)
}

/// The page of one entry: every public field of the register, labelled in
/// the page's language. A number that is not in the register now is a
/// page saying so (404).
#[utoipa::path(
    tag = "register",
    operation_id = "get_register_entry_page",
    security(()),
    params(
        ("number" = String, Path, description = "The notification number", example = "2026-000123"),
        LangParam,
        ("Accept-Language" = Option<String>, Header, description = "nb, nn or en: the page's language when `lang` names none"),
    ),
    responses(
        (status = 200, description = "The page", content_type = "text/html",
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Security-Policy" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 404, description = "A page saying it is not in the register", content_type = "text/html"),
        (status = 429, description = "A page saying to wait: too many requests from this address", content_type = "text/html"),
        (status = 500, description = "A page saying something went wrong", content_type = "text/html"),
        (status = 503, description = "A page saying to try again: no database connection in time", content_type = "text/html",
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    )
)]
#[get("/register/{number}")]
async fn get_register_entry_page(
    req: HttpRequest,
    allowed: Result<Allowed, ApiError>,
    number: web::Path<String>,
    pool: web::Data<Pool>,
) -> HttpResponse {
    let lang = LangParam::of(&req);
    let found = async {
        allowed?;
        let number: NotificationNumber = number.parse().map_err(|_| ApiError::NotFound)?;
        let mut conn = pool.get().await?;
        store::entry(&mut conn, &number.to_string())
            .await?
            .ok_or(ApiError::NotFound)
    };
    match found.await {
        Ok(row) => {
            let page = views::entry_page(&req, &Kept::of(&req), lang, &row);
            html(&req, StatusCode::OK, lang, page)
        }
        Err(err) => trouble(&req, lang, err),
    }
}

/// The accessibility statement (tilgjengelighetserklæring) of the
/// register's pages.
#[utoipa::path(
    tag = "register",
    operation_id = "get_register_accessibility_page",
    security(()),
    params(LangParam,
        ("Accept-Language" = Option<String>, Header, description = "nb, nn or en: the page's language when `lang` names none")),
    responses(
        (status = 200, description = "The page", content_type = "text/html",
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Security-Policy" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 429, description = "A page saying to wait: too many requests from this address", content_type = "text/html"),
    )
)]
#[get("/register/accessibility")]
async fn get_register_accessibility_page(
    req: HttpRequest,
    allowed: Result<Allowed, ApiError>,
) -> HttpResponse {
    let lang = LangParam::of(&req);
    if let Err(err) = allowed {
        return trouble(&req, lang, err);
    }
    let page = views::accessibility_page(&req, &Kept::of(&req), lang);
    html(&req, StatusCode::OK, lang, page)
}

/// The style sheet of the register's pages.
#[utoipa::path(
    tag = "register",
    operation_id = "get_register_style",
    security(()),
    responses(
        (status = 200, description = "The style sheet", content_type = "text/css",
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
    )
)]
#[get("/register/style.css")]
async fn get_register_style(req: HttpRequest) -> HttpResponse {
    let etag = etag(STYLE.as_bytes());
    let mut response = if if_none_match(&req, &etag) {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if if_none_match(&req, &etag) {
        return response.finish();
    }
    response.content_type("text/css; charset=utf-8").body(STYLE)
}
