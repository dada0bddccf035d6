//! Receipts over HTTP.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::store::{self, ReceiptRow};
use super::verification::{self, Verification};
use super::{ReceiptSigner, render_pdf};
use crate::api::{AcceptLanguage, asked_language};
use crate::auth::Principal;
use crate::db::Pool;
use crate::domain::i18n::Lang;
use crate::domain::receipt::ReceiptContent;
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;

/// `/v1/receipts`; the receipts of one notification are listed by
/// `notifications`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/v1/receipts")
            .service(verify_receipt)
            .service(get_receipt)
            .service(get_receipt_verification),
    );
}

/// A receipt: what it states and its signed form.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptView {
    pub id: Uuid,
    #[serde(flatten)]
    pub receipt: ReceiptContent,
    /// The compact JWS (EdDSA, `typ: receipt+jws`) of exactly this receipt.
    pub jws: String,
}

impl ReceiptView {
    pub fn of(row: &ReceiptRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: row.id,
            receipt: serde_json::from_value(row.content.clone()).map_err(ApiError::internal)?,
            jws: row.jws.clone(),
        })
    }
}

/// The receipts of one notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct Receipts {
    pub items: Vec<ReceiptView>,
}

fn wants_pdf(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/pdf"))
}

/// A receipt of one's own organisation, as JSON or, with `Accept:
/// application/pdf`, a printable A4 PDF/A-2b file in the language asked for
/// (`lang`, else `Accept-Language`, else the language it was submitted in).
#[utoipa::path(
    tag = "receipts",
    operation_id = "get_receipt",
    security(("bearer" = []), ("maskinporten" = [])),
    params(
        ("id" = Uuid, Path, description = "The receipt's id"),
        ("Accept" = Option<String>, Header, description = "application/json (default) or application/pdf"),
        ("lang" = Option<Lang>, Query, description = "The PDF's language: nb, nn or en (before Accept-Language)"),
    ),
    responses(
        (status = 200, description = "The receipt", content(
            (ReceiptView = "application/json"),
            (Vec<u8> = "application/pdf"),
        )),
        (status = 404, description = "No such receipt of one's organisation", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/{id}")]
async fn get_receipt(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
    signer: web::Data<ReceiptSigner>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let mut conn = pool.get().await?;
    let row = store::of_organisation(&mut conn, organisation, path.into_inner()).await?;
    let view = ReceiptView::of(&row)?;
    if wants_pdf(&req) {
        let lang = asked_language(&req, view.receipt.language);
        let pdf =
            render_pdf(&view, lang, &signer).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
        return Ok(HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"kvittering-{}-v{}.pdf\"",
                    row.number, row.version
                ),
            ))
            .body(pdf));
    }
    Ok(HttpResponse::Ok().json(view))
}

/// A receipt to check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    /// The compact JWS of the receipt: three base64url parts separated by
    /// dots (spaces and line breaks around it are ignored).
    #[schema(
        pattern = "^[ \\t\\r\\n]*[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+[ \\t\\r\\n]*$"
    )]
    pub jws: String,
}

/// Whether a receipt is genuine, and what it attests.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verdict {
    pub valid: bool,
    /// Why not, when it is not: `not_a_receipt`, `unknown_key`,
    /// `bad_signature` or `unreadable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "bad_signature")]
    pub reason_code: Option<&'static str>,
    /// Why not, for people, in the language asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "signaturen stemmer ikke")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<ReceiptContent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<Uuid>,
    /// The signing key, from `/.well-known/jwks.json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<DateTime<Utc>>,
}

/// Checks a receipt's signature and says what it attests. Anyone may ask.
#[utoipa::path(
    tag = "receipts",
    operation_id = "verify_receipt",
    security(()),
    request_body = VerifyInput,
    responses(
        (status = 200, description = "The verdict: valid with what it attests, or not valid with why", body = Verdict),
        (status = 422, description = "The text is not a JWS at all", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[post("/verify")]
async fn verify_receipt(
    lang: AcceptLanguage,
    signer: web::Data<ReceiptSigner>,
    body: ApiJson<VerifyInput>,
) -> Result<HttpResponse, ApiError> {
    let verdict = match signer.verify(body.0.jws.trim_matches([' ', '\t', '\r', '\n'])) {
        Ok((claims, kid)) => Verdict {
            valid: true,
            reason_code: None,
            reason: None,
            receipt_id: Some(claims.jti),
            issued_at: DateTime::from_timestamp(claims.iat, 0),
            receipt: Some(claims.receipt),
            kid: Some(kid),
        },
        Err(Some(reason)) => Verdict {
            valid: false,
            reason_code: Some(reason.code()),
            reason: Some(reason.text().get(lang.0).to_owned()),
            receipt: None,
            receipt_id: None,
            kid: None,
            issued_at: None,
        },
        Err(None) => {
            return Err(ApiError::Validation {
                errors: vec![crate::error::FieldProblem::new(
                    "/jws",
                    "malformed_jws",
                    crate::error::Say::new("malformed_jws"),
                )],
                warnings: Vec::new(),
            });
        }
    };
    Ok(HttpResponse::Ok().json(verdict))
}

/// Checks a receipt by its id, as printed on it (the link and QR code lead
/// to the page `/receipts/{id}`): whether it is genuine and whether what
/// it attests still stands. Anyone holding the receipt may ask; the answer
/// repeats only what the receipt says, with its standing.
#[utoipa::path(
    tag = "receipts",
    operation_id = "get_receipt_verification",
    security(()),
    params(("id" = Uuid, Path, description = "The receipt's id, as printed on it")),
    responses(
        (status = 200, description = "Genuine or not, current or not, and what it attests", body = Verification),
        (status = 404, description = "No receipt with this id", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/{id}/verification")]
async fn get_receipt_verification(
    req: HttpRequest,
    path: web::Path<Uuid>,
    pool: web::Data<Pool>,
    signer: web::Data<ReceiptSigner>,
) -> Result<HttpResponse, ApiError> {
    let lang = asked_language(&req, Lang::Nb);
    let (verification, _) = verification::verify(&pool, &signer, path.into_inner(), lang).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(verification))
}
