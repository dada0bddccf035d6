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

use super::{Preview, confirm, preview, receipt_of_used_link, words};
use crate::api::{AcceptLanguage, request_id};
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::i18n::{Lang, Text};
use crate::domain::receipt::ReceiptContent;
use crate::error::ApiError;
use crate::notifications::NotificationSettings;
use crate::receipts::{ReceiptSigner, render_pdf};

const CSRF_COOKIE: &str = "mp_csrf";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_page)
        .service(post_page)
        .service(get_page_pdf);
}

/// The page's frame: every page has its language and title.
#[derive(Template)]
#[template(path = "page/message.html")]
struct MessagePage<'a> {
    lang: &'a str,
    title: &'a str,
    paragraphs: Vec<String>,
}

/// What the link confirms, and the button.
#[derive(Template)]
#[template(path = "confirm/review.html")]
struct ReviewPage<'a> {
    lang: &'a str,
    title: &'a str,
    intro: &'a str,
    rows: Vec<(&'a str, String)>,
    token: &'a str,
    csrf: &'a str,
    button: &'a str,
}

/// The receipt and, on a first registration, the key.
#[derive(Template)]
#[template(path = "confirm/done.html")]
struct DonePage<'a> {
    lang: &'a str,
    title: &'a str,
    done: &'a str,
    key: Option<String>,
    key_label: &'a str,
    key_once: &'a str,
    rows: Vec<(&'a str, String)>,
    statement_label: &'a str,
    statement: &'a str,
    token: &'a str,
    pdf: &'a str,
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

/// What the link confirms, label by label.
fn summary(p: &Preview) -> Vec<(&'static str, String)> {
    let lang = p.language;
    let kind = crate::domain::version::Confirming::parse(p.kind)
        .map(|c| c.what(lang))
        .unwrap_or(p.kind);
    vec![
        (words::NUMBER.get(lang), p.number.clone()),
        (words::KIND.get(lang), kind.to_owned()),
        (words::ORGANISATION.get(lang), p.organisation.clone()),
        (
            words::CONTROLLER.get(lang),
            format!("{} ({})", p.controller_name, p.controller_identifier),
        ),
        (
            words::LAW.get(lang),
            format!(
                "{} – {}",
                p.law.label().get(lang),
                p.legal_ground.label().get(lang)
            ),
        ),
        (
            words::PURPOSE.get(lang),
            p.purpose.label().get(lang).to_owned(),
        ),
        (
            words::SECTOR.get(lang),
            p.sector.label().get(lang).to_owned(),
        ),
        (words::START.get(lang), p.start_date.to_string()),
        (words::EMAIL.get(lang), p.confirmation_email.clone()),
    ]
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
    token: web::Path<String>,
    lang: AcceptLanguage,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
) -> HttpResponse {
    let p = match preview(&pool, &token, clock.now()).await {
        Ok(p) => p,
        Err(err) => return error_page(err, lang.0),
    };
    let lang = p.language;
    let csrf = new_csrf();
    let page = ReviewPage {
        lang: lang.code(),
        title: words::TITLE.get(lang),
        intro: words::INTRO.get(lang),
        rows: summary(&p),
        token: &token,
        csrf: &csrf,
        button: words::BUTTON.get(lang),
    };
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
    let cookie = req
        .cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let genuine = !cookie.is_empty() && bool::from(cookie.as_bytes().ct_eq(form.csrf.as_bytes()));
    if !genuine {
        tracing::info!(
            event = "confirm.csrf_rejected",
            "a confirm form without its cookie"
        );
        let forgery = words::FORGERY.get(lang.0).to_owned();
        return message(StatusCode::FORBIDDEN, lang.0, words::TITLE, vec![forgery]);
    }
    let confirmed = match confirm(
        &pool,
        &settings,
        &signer,
        &token,
        clock.now(),
        request_id(&req),
    )
    .await
    {
        Ok(c) => c,
        Err(err) => return error_page(err, lang.0),
    };
    let lang = confirmed.language;
    let receipt = &confirmed.receipt.receipt;
    let page = DonePage {
        lang: lang.code(),
        title: words::TITLE.get(lang),
        done: words::DONE.get(lang),
        key: confirmed.key.as_ref().map(|k| k.expose()),
        key_label: words::KEY_LABEL.get(lang),
        key_once: words::KEY_ONCE.get(lang),
        rows: crate::receipts::pdf::rows(receipt, lang),
        statement_label: words::STATEMENT_LABEL.get(lang),
        statement: &receipt.statement,
        token: &token,
        pdf: words::PDF.get(lang),
    };
    let mut response = render(StatusCode::OK, page);
    let _ = response.add_removal_cookie(&Cookie::build(CSRF_COOKIE, "").path("/confirm").finish());
    response
}

/// The receipt of a confirmed link, as PDF.
#[utoipa::path(
    tag = "confirmations",
    operation_id = "get_confirmation_page_pdf",
    security(()),
    params(("token" = String, Path, description = "The token from the link in the mail")),
    responses(
        (status = 200, description = "The receipt as PDF", content_type = "application/pdf"),
        (status = 404, description = "No receipt for this link", body = crate::error::Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/confirm/{token}/receipt.pdf")]
async fn get_page_pdf(
    token: web::Path<String>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let row = receipt_of_used_link(&pool, &token).await?;
    let receipt: ReceiptContent =
        serde_json::from_value(row.content).map_err(ApiError::internal)?;
    let kid = jsonwebtoken::decode_header(&row.jws)
        .ok()
        .and_then(|h| h.kid)
        .unwrap_or_default();
    let pdf = render_pdf(&receipt, &row.jws, &kid, receipt.language)
        .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("Cache-Control", "no-store"))
        .body(pdf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_submitter_typed_is_escaped_on_the_page() {
        let page = ReviewPage {
            lang: "nb",
            title: words::TITLE.get(Lang::Nb),
            intro: words::INTRO.get(Lang::Nb),
            rows: vec![("Navn", "<script>alert(1)</script> & \"co\"".to_owned())],
            token: "t\"><x",
            csrf: "c",
            button: words::BUTTON.get(Lang::Nb),
        }
        .render()
        .unwrap();
        assert!(!page.contains("<script>"), "{page}");
        assert!(
            page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"),
            "{page}"
        );
        assert!(!page.contains("t\"><x"), "{page}");
        assert!(
            page.starts_with("<!doctype html>\n<html lang=\"nb\">"),
            "{page}"
        );
        assert!(page.contains("<title>Bekreft melding til Datatilsynet</title>"));
    }
}
