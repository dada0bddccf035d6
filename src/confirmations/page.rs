//! The page behind the link in the mail: server-rendered HTML that works
//! without JavaScript, shows what is being confirmed, and confirms with a
//! form protected against cross-site request forgery (a random value in a
//! `SameSite=Strict` cookie that the form must repeat).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::page_views::{MessagePage, done_page, review_page};
use super::replay::Browser;
use super::{confirm, language_of, receipt_of_used_link, replay_of, review, words};
use crate::api::{AcceptLanguage, asked_language, request_id};
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::i18n::{Lang, Text};
use crate::error::ApiError;
use crate::notifications::NotificationSettings;
use crate::receipts::{ReceiptSigner, ReceiptView, render_pdf};

const CSRF_COOKIE: &str = "mp_csrf";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_page)
        .service(post_page)
        .service(get_page_pdf);
}

/// Renders a page; a template that fails to render is an internal error.
fn render(status: StatusCode, page: impl Template) -> HttpResponse {
    match page.render() {
        Ok(html) => self::html(status, html),
        Err(err) => actix_web::ResponseError::error_response(&ApiError::internal(err)),
    }
}

fn message(status: StatusCode, lang: Lang, title: Text, paragraphs: Vec<String>) -> HttpResponse {
    render(
        status,
        MessagePage {
            lang: lang.code(),
            title: title.get(lang),
            paragraphs,
        },
    )
}

fn html(status: StatusCode, page: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(page)
}

fn error_page(err: ApiError, lang: Lang) -> HttpResponse {
    match err {
        ApiError::Gone { detail } => message(
            StatusCode::GONE,
            lang,
            words::GONE_TITLE,
            vec![detail.render(lang), words::GONE_HELP.get(lang).to_owned()],
        ),
        ApiError::NotFound => message(
            StatusCode::NOT_FOUND,
            lang,
            words::UNKNOWN_TITLE,
            vec![words::UNKNOWN_HELP.get(lang).to_owned()],
        ),
        other => actix_web::ResponseError::error_response(&other),
    }
}

/// A link that does not work, said in the notification's language when
/// the link is known, else in the one the browser asks for.
async fn failed(pool: &Pool, token: &str, err: ApiError, asked: Lang) -> HttpResponse {
    let lang = language_of(pool, token).await.unwrap_or(asked);
    error_page(err, lang)
}

/// The form cookie the browser sent, or nothing.
fn form_cookie(req: &HttpRequest) -> String {
    req.cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default()
}

/// The result page again, for the browser that confirmed `token` a
/// moment ago (a double click, a reload): the key included.
async fn replayed(
    pool: &Pool,
    token: &str,
    browser: &Browser<'_>,
    public_url: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<HttpResponse> {
    let kept = replay_of(pool, token).await.ok()??;
    let key = browser.open(&kept, token.as_bytes(), now)?;
    let row = receipt_of_used_link(pool, token).await.ok()?;
    let receipt = ReceiptView::of(&row).ok()?;
    Some(render(
        StatusCode::OK,
        done_page(&receipt, key, token, public_url),
    ))
}

fn new_csrf() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The page behind the link: what is being confirmed, and a Confirm button.
#[utoipa::path(
    tag = "confirmations",
    operation_id = "get_confirmation_page",
    security(()),
    params(("token" = String, Path, description = "The token from the link in the mail")),
    responses(
        (status = 200, description = "The page, in the submission's language", content_type = "text/html"),
        (status = 404, description = "A page saying the link is unknown", content_type = "text/html"),
        (status = 410, description = "A page saying the link is used or expired, and what to do", content_type = "text/html"),
    )
)]
#[get("/confirm/{token}")]
async fn get_page(
    req: HttpRequest,
    token: web::Path<String>,
    lang: AcceptLanguage,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
) -> HttpResponse {
    let review = match review(&pool, &token, clock.now()).await {
        Ok(review) => review,
        Err(err) => {
            let cookie = form_cookie(&req);
            let browser = Browser {
                cookie: &cookie,
                secret: settings.key_secret(),
            };
            let again = replayed(&pool, &token, &browser, &settings.public_url, clock.now());
            if let Some(page) = again.await {
                return page;
            }
            return failed(&pool, &token, err, lang.0).await;
        }
    };
    let csrf = new_csrf();
    let page = review_page(&review, &token, &csrf);
    let mut response = render(StatusCode::OK, page);
    let cookie = Cookie::build(CSRF_COOKIE, csrf)
        .path("/confirm")
        .http_only(true)
        .secure(settings.public_url.starts_with("https://"))
        .same_site(SameSite::Strict)
        .finish();
    let _ = response.add_cookie(&cookie);
    response
}

/// The confirm form.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConfirmForm {
    /// The value the page put in the form.
    pub csrf: String,
}

/// Confirms from the page; shows the receipt and, on a first registration,
/// the key.
#[utoipa::path(
    tag = "confirmations",
    operation_id = "post_confirmation_page",
    security(()),
    params(("token" = String, Path, description = "The token from the link in the mail")),
    request_body(content = ConfirmForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The receipt and the key, as a page", content_type = "text/html"),
        (status = 403, description = "The form did not come from the page", content_type = "text/html"),
        (status = 404, description = "A page saying the link is unknown", content_type = "text/html"),
        (status = 410, description = "A page saying the link is used or expired", content_type = "text/html"),
    )
)]
#[post("/confirm/{token}")]
#[expect(clippy::too_many_arguments, reason = "one extractor per need")]
async fn post_page(
    req: HttpRequest,
    token: web::Path<String>,
    lang: AcceptLanguage,
    form: web::Form<ConfirmForm>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
    signer: web::Data<ReceiptSigner>,
) -> HttpResponse {
    let cookie = form_cookie(&req);
    let genuine = !cookie.is_empty() && bool::from(cookie.as_bytes().ct_eq(form.csrf.as_bytes()));
    if !genuine {
        tracing::info!(
            event = "confirm.csrf_rejected",
            "a confirm form without its cookie"
        );
        let lang = language_of(&pool, &token).await.unwrap_or(lang.0);
        let forgery = words::FORGERY.get(lang).to_owned();
        return message(StatusCode::FORBIDDEN, lang, words::TITLE, vec![forgery]);
    }
    let browser = Browser {
        cookie: &cookie,
        secret: settings.key_secret(),
    };
    let now = clock.now();
    let outcome = confirm(
        &pool,
        &settings,
        &signer,
        &token,
        now,
        request_id(&req),
        Some(&browser),
    )
    .await;
    match outcome {
        // The form cookie stays for the browser session: with it, a second
        // click or a reload shows this page again (`replay`).
        Ok(confirmed) => render(
            StatusCode::OK,
            done_page(
                &confirmed.receipt,
                confirmed.key.as_ref().map(|k| k.expose()),
                &token,
                &settings.public_url,
            ),
        ),
        Err(err @ ApiError::Gone { .. }) => {
            match replayed(&pool, &token, &browser, &settings.public_url, now).await {
                Some(page) => page,
                None => failed(&pool, &token, err, lang.0).await,
            }
        }
        Err(err) => failed(&pool, &token, err, lang.0).await,
    }
}

/// The receipt of a confirmed link, as PDF/A: in the language asked for
/// (`lang`, else `Accept-Language`), else the notification's.
#[utoipa::path(
    tag = "confirmations",
    operation_id = "get_confirmation_page_pdf",
    security(()),
    params(
        ("token" = String, Path, description = "The token from the link in the mail"),
        ("lang" = Option<Lang>, Query, description = "nb, nn or en (before Accept-Language)"),
    ),
    responses(
        (status = 200, description = "The receipt as PDF", content_type = "application/pdf"),
        (status = 404, description = "No receipt for this link", body = crate::error::Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/confirm/{token}/receipt.pdf")]
async fn get_page_pdf(
    req: HttpRequest,
    token: web::Path<String>,
    pool: web::Data<Pool>,
    signer: web::Data<ReceiptSigner>,
) -> Result<HttpResponse, ApiError> {
    let row = receipt_of_used_link(&pool, &token).await?;
    let receipt = ReceiptView::of(&row)?;
    let lang = asked_language(&req, receipt.receipt.language);
    let pdf =
        render_pdf(&receipt, lang, &signer).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "Content-Disposition",
            format!(
                "inline; filename=\"kvittering-{}-v{}.pdf\"",
                row.number, row.version
            ),
        ))
        .body(pdf))
}
