//! Mail that could never go out, for the back office to follow up: the
//! person never got their confirmation link, receipt or key.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::{List, PageParams};
use crate::auth::Principal;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::mail::health::{self, FailedMail};

/// A mail given up for good.
#[derive(Debug, Serialize, ToSchema)]
pub struct FailedMailView {
    pub id: Uuid,
    /// `confirmation`, `receipt`, `new_key` or `reminder`.
    #[schema(example = "confirmation")]
    pub kind: String,
    #[schema(example = "personvern@fjordvik.kommune.no")]
    pub recipient: String,
    #[schema(example = "Bekreft meldingen 2026-000123")]
    pub subject: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    /// The relay's or the mailer's last word.
    #[schema(example = "550 5.1.1 no such user")]
    pub last_error: Option<String>,
    pub failed_at: Option<DateTime<Utc>>,
}

impl From<&FailedMail> for FailedMailView {
    fn from(mail: &FailedMail) -> Self {
        Self {
            id: mail.id,
            kind: mail.kind.clone(),
            recipient: mail.recipient.clone(),
            subject: mail.subject.clone(),
            created_at: mail.created_at,
            attempts: mail.attempts,
            last_error: mail.last_error.clone(),
            failed_at: mail.failed_at,
        }
    }
}

/// The mail given up for good (a permanent refusal, an address that
/// cannot be used, or every attempt spent), oldest first.
#[utoipa::path(
    tag = "back office",
    operation_id = "admin_list_failed_mail",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "One page of failed mail", body = List<FailedMailView>),
        (status = 400, description = "A bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The caller is no regulator", body = Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/mail/failed")]
pub(super) async fn list_failed_mail(
    principal: Principal,
    params: web::Query<PageParams>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    principal.require_regulator()?;
    let page = params.page()?;
    let mut conn = pool.get().await?;
    let rows = health::failed(&mut conn, page).await?;
    let list = List::from_rows(rows, page.limit, |m| (m.created_at, m.id));
    Ok(HttpResponse::Ok().json(List {
        items: list
            .items
            .iter()
            .map(FailedMailView::from)
            .collect::<Vec<_>>(),
        next_cursor: list.next_cursor,
    }))
}
