//! The page the printed receipt's link and QR code lead to: whether the
//! receipt is genuine and current, and what it attests, in nb, nn or en.
//! Public; it shows what the receipt itself says and nothing more.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::ReceiptSigner;
use super::verification::verify;
use crate::api::asked_language;
use crate::db::Pool;
use crate::domain::i18n::{Lang, Text};
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_receipt_page);
}

#[derive(Template)]
#[template(path = "receipt/verification.html")]
struct VerificationPage<'a> {
    lang: &'static str,
    title: &'a str,
    verdict: &'static str,
    standing: String,
    attests: &'static str,
    rows: Vec<(&'static str, String)>,
    offline: &'static str,
    languages_label: &'static str,
    languages: Vec<(&'static str, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "page/message.html")]
struct Message<'a> {
    lang: &'a str,
    title: &'a str,
    paragraphs: Vec<String>,
}

const TITLE: Text = Text::new(
    "Kontroll av kvittering",
    "Kontroll av kvittering",
    "Checking a receipt",
);
const GENUINE: Text = Text::new(
    "Kvitteringen er ekte: utstedt og signert av tjenesten, og ikke endret.",
    "Kvitteringa er ekte: skriven ut og signert av tenesta, og ikkje endra.",
    "The receipt is genuine: issued and signed by the service, and unaltered.",
);
const NOT_GENUINE: Text = Text::new(
    "Kvitteringen kan ikke bekreftes som ekte.",
    "Kvitteringa kan ikkje stadfestast som ekte.",
    "The receipt cannot be confirmed as genuine.",
);
const ATTESTS: Text = Text::new(
    "Kvitteringen bekrefter",
    "Kvitteringa stadfestar",
    "What the receipt attests",
);
const OFFLINE: Text = Text::new(
    "Sammenlign med papiret: nummer, versjon, datoer og SHA-256 skal være de samme.",
    "Samanlikn med papiret: nummer, versjon, datoar og SHA-256 skal vere dei same.",
    "Compare with the paper: number, version, dates and SHA-256 must be the same.",
);
const UNKNOWN: Text = Text::new(
    "Ingen kvittering har dette nummeret. Kontroller at hele adressen fra kvitteringen er med.",
    "Inga kvittering har dette nummeret. Kontroller at heile adressa frå kvitteringa er med.",
    "No receipt has this id. Check that the whole address from the receipt is there.",
);
const LANGUAGES: Text = Text::new("Språk", "Språk", "Language");

fn html(status: StatusCode, page: askama::Result<String>) -> HttpResponse {
    let Ok(page) = page else {
        return actix_web::ResponseError::error_response(&ApiError::internal(anyhow::anyhow!(
            "a template did not render"
        )));
    };
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

/// The page a printed receipt's link and QR code lead to.
#[utoipa::path(
    tag = "receipts",
    operation_id = "get_receipt_page",
    security(()),
    params(
        ("id" = String, Path, description = "The receipt's id, as printed on it"),
        ("lang" = Option<Lang>, Query, description = "nb, nn or en (before Accept-Language)"),
    ),
    responses(
        (status = 200, description = "Whether the receipt is genuine and current, and what it attests", content_type = "text/html"),
        (status = 404, description = "A page saying no receipt has this id", content_type = "text/html"),
    )
)]
#[get("/receipts/{id}")]
async fn get_receipt_page(
    req: HttpRequest,
    id: web::Path<String>,
    pool: web::Data<Pool>,
    signer: web::Data<ReceiptSigner>,
) -> HttpResponse {
    let asked = asked_language(&req, Lang::Nb);
    let not_found = |lang: Lang| {
        let page = Message {
            lang: lang.code(),
            title: TITLE.get(lang),
            paragraphs: vec![UNKNOWN.get(lang).to_owned()],
        };
        html(StatusCode::NOT_FOUND, page.render())
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return not_found(asked);
    };
    let (v, view) = match verify(&pool, &signer, id, asked).await {
        Ok(found) => found,
        Err(ApiError::NotFound) => return not_found(asked),
        Err(err) => return actix_web::ResponseError::error_response(&err),
    };
    // Without a language asked for, the receipt's own.
    let lang = asked_language(&req, view.receipt.language);
    let page = VerificationPage {
        lang: lang.code(),
        title: TITLE.get(lang),
        verdict: if v.genuine { GENUINE } else { NOT_GENUINE }.get(lang),
        standing: v.standing.text().get(lang).to_owned(),
        attests: ATTESTS.get(lang),
        rows: super::pdf::rows(&view.receipt, lang)
            .into_iter()
            .chain([
                ("SHA-256", view.receipt.content_digest.clone()),
                ("ID", id.to_string()),
            ])
            .collect(),
        offline: OFFLINE.get(lang),
        languages_label: LANGUAGES.get(lang),
        languages: Lang::ALL
            .into_iter()
            .map(|l| {
                let name = match l {
                    Lang::Nb => "Bokmål",
                    Lang::Nn => "Nynorsk",
                    Lang::En => "English",
                };
                (l.code(), name, format!("/receipts/{id}?lang={}", l.code()))
            })
            .collect(),
    };
    html(StatusCode::OK, page.render())
}
