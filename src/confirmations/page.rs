//! The page behind the link in the mail: server-rendered HTML that works
//! without JavaScript, shows what is being confirmed, and confirms with a
//! form protected against cross-site request forgery (a random value in a
//! `SameSite=Strict` cookie that the form must repeat).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Preview, confirm, preview, receipt_of_used_link};
use crate::api::{AcceptLanguage, request_id};
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::i18n::Lang;
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

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

struct Words {
    title: &'static str,
    intro: &'static str,
    number: &'static str,
    kind: &'static str,
    organisation: &'static str,
    controller: &'static str,
    law: &'static str,
    purpose: &'static str,
    sector: &'static str,
    start: &'static str,
    email: &'static str,
    button: &'static str,
    done: &'static str,
    key_label: &'static str,
    key_once: &'static str,
    pdf: &'static str,
    gone_title: &'static str,
    gone_help: &'static str,
    unknown_title: &'static str,
    unknown_help: &'static str,
    forgery: &'static str,
    statement_label: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Nb => Words {
            title: "Bekreft melding til Datatilsynet",
            intro: "Les gjennom og bekreft. Meldingen er ikke gyldig før den er bekreftet.",
            number: "Meldingsnummer",
            kind: "Gjelder",
            organisation: "Innsendt av",
            controller: "Behandlingsansvarlig",
            law: "Lov og grunnlag",
            purpose: "Formål",
            sector: "Sektor",
            start: "Oppstart",
            email: "Bekreftes fra",
            button: "Bekreft",
            done: "Bekreftet. Her er kvitteringen.",
            key_label: "Meldingsnøkkel",
            key_once: "Skriv den ned eller ta vare på e-posten: nøkkelen vises bare denne ene gangen, og trengs for å endre eller trekke tilbake meldingen.",
            pdf: "Last ned kvitteringen (PDF)",
            gone_title: "Lenken virker ikke lenger",
            gone_help: "Er meldingen alt bekreftet, har du fått kvitteringen på e-post. Ellers kan virksomheten be om en ny bekreftelses-e-post.",
            unknown_title: "Ukjent lenke",
            unknown_help: "Kontroller at hele lenken fra e-posten er med.",
            forgery: "Skjemaet kom ikke fra denne siden. Last siden på nytt og prøv igjen.",
            statement_label: "Merk",
        },
        Lang::Nn => Words {
            title: "Stadfest melding til Datatilsynet",
            intro: "Les gjennom og stadfest. Meldinga er ikkje gyldig før ho er stadfesta.",
            number: "Meldingsnummer",
            kind: "Gjeld",
            organisation: "Sendt inn av",
            controller: "Behandlingsansvarleg",
            law: "Lov og grunnlag",
            purpose: "Formål",
            sector: "Sektor",
            start: "Oppstart",
            email: "Blir stadfesta frå",
            button: "Stadfest",
            done: "Stadfesta. Her er kvitteringa.",
            key_label: "Meldingsnøkkel",
            key_once: "Skriv han ned eller ta vare på e-posten: nøkkelen blir berre vist denne eine gongen, og trengst for å endre eller trekkje tilbake meldinga.",
            pdf: "Last ned kvitteringa (PDF)",
            gone_title: "Lenkja verkar ikkje lenger",
            gone_help: "Er meldinga alt stadfesta, har du fått kvitteringa på e-post. Elles kan verksemda be om ein ny stadfestings-e-post.",
            unknown_title: "Ukjend lenkje",
            unknown_help: "Kontroller at heile lenkja frå e-posten er med.",
            forgery: "Skjemaet kom ikkje frå denne sida. Last sida på nytt og prøv igjen.",
            statement_label: "Merk",
        },
        Lang::En => Words {
            title: "Confirm a notification to the Data Protection Authority",
            intro: "Read it through and confirm. It is not valid until it is confirmed.",
            number: "Notification number",
            kind: "Confirms",
            organisation: "Submitted by",
            controller: "Controller",
            law: "Law and ground",
            purpose: "Purpose",
            sector: "Sector",
            start: "Start",
            email: "Confirmed from",
            button: "Confirm",
            done: "Confirmed. Here is the receipt.",
            key_label: "Notification key",
            key_once: "Write it down or keep the e-mail: the key is shown only this once, and is needed to amend or withdraw the notification.",
            pdf: "Download the receipt (PDF)",
            gone_title: "This link no longer works",
            gone_help: "If it was confirmed already, the receipt is in your e-mail. Otherwise the organisation can ask for a new confirmation message.",
            unknown_title: "Unknown link",
            unknown_help: "Check that the whole link from the e-mail is there.",
            forgery: "The form did not come from this page. Reload the page and try again.",
            statement_label: "Note",
        },
    }
}

fn layout(lang: Lang, title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;line-height:1.5;color:#1a1a1a}}
dl{{display:grid;grid-template-columns:minmax(8rem,auto) 1fr;gap:.25rem 1rem}}
dt{{font-weight:600}} dd{{margin:0;overflow-wrap:anywhere}}
button{{font-size:1.1rem;padding:.6rem 1.6rem;border:0;border-radius:.3rem;background:#1f4e79;color:#fff}}
button:focus{{outline:3px solid #f5a623}}
.key{{font-family:monospace;font-size:1.5rem;letter-spacing:.1rem;padding:.5rem;border:2px solid #1f4e79;display:inline-block}}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"#,
        lang = lang.code(),
        title = esc(title),
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
    let w = words(lang);
    match err {
        ApiError::Gone { detail } => html(
            StatusCode::GONE,
            layout(
                lang,
                w.gone_title,
                &format!("<p>{}</p><p>{}</p>", esc(&detail), w.gone_help),
            ),
        ),
        ApiError::NotFound => html(
            StatusCode::NOT_FOUND,
            layout(lang, w.unknown_title, &format!("<p>{}</p>", w.unknown_help)),
        ),
        other => actix_web::ResponseError::error_response(&other),
    }
}

fn summary(p: &Preview, w: &Words) -> String {
    let lang = p.language;
    let kind = crate::domain::version::Confirming::parse(p.kind)
        .map(|c| c.what(lang))
        .unwrap_or(p.kind);
    let mut rows = vec![
        (w.number, p.number.clone()),
        (w.kind, kind.to_owned()),
        (w.organisation, p.organisation.clone()),
        (
            w.controller,
            format!("{} ({})", p.controller_name, p.controller_identifier),
        ),
        (
            w.law,
            format!(
                "{} – {}",
                p.law.label().get(lang),
                p.legal_ground.label().get(lang)
            ),
        ),
        (w.purpose, p.purpose.label().get(lang).to_owned()),
        (w.sector, p.sector.label().get(lang).to_owned()),
        (w.start, p.start_date.to_string()),
        (w.email, p.confirmation_email.clone()),
    ];
    if let Some(d) = &p.description {
        rows.push(("", d.clone()));
    }
    let items: String = rows
        .iter()
        .filter(|(label, _)| !label.is_empty())
        .map(|(label, value)| format!("<dt>{}</dt><dd>{}</dd>\n", esc(label), esc(value)))
        .collect();
    format!("<dl>\n{items}</dl>")
}

fn receipt_list(r: &ReceiptContent, lang: Lang) -> String {
    let items: String = crate::receipts::pdf::rows(r, lang)
        .iter()
        .map(|(label, value)| format!("<dt>{}</dt><dd>{}</dd>\n", esc(label), esc(value)))
        .collect();
    format!("<dl>\n{items}</dl>")
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
    let w = words(p.language);
    let csrf = new_csrf();
    let body = format!(
        r#"<p>{intro}</p>
{summary}
<form method="post" action="/confirm/{token}">
<input type="hidden" name="csrf" value="{csrf}">
<button type="submit">{button}</button>
</form>"#,
        intro = w.intro,
        summary = summary(&p, &w),
        token = esc(&token),
        button = w.button,
    );
    let mut response = html(StatusCode::OK, layout(p.language, w.title, &body));
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
        let w = words(lang.0);
        return html(
            StatusCode::FORBIDDEN,
            layout(lang.0, w.title, &format!("<p>{}</p>", w.forgery)),
        );
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
    let l = confirmed.language;
    let w = words(l);
    let key = confirmed
        .key
        .as_ref()
        .map(|k| {
            format!(
                r#"<h2>{label}</h2>
<p class="key">{key}</p>
<p><strong>{once}</strong></p>"#,
                label = w.key_label,
                key = esc(&k.expose()),
                once = w.key_once,
            )
        })
        .unwrap_or_default();
    let r = &confirmed.receipt.receipt;
    let body = format!(
        r#"<p>{done}</p>
{key}
{receipt}
<p><strong>{statement_label}:</strong> {statement}</p>
<p><a href="/confirm/{token}/receipt.pdf">{pdf}</a></p>"#,
        done = w.done,
        receipt = receipt_list(r, l),
        statement_label = w.statement_label,
        statement = esc(&r.statement),
        token = esc(&token),
        pdf = w.pdf,
    );
    let mut response = html(StatusCode::OK, layout(l, w.title, &body));
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
