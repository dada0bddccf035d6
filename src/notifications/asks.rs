//! What the service asks of the person at the confirmation address: to
//! confirm, by a link that waits in their mail; and the routes that send
//! that link again or a new notification key.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::NotificationSettings;
use super::store::{self, NotificationRow, links, transitions};
use super::views::Accepted;
use crate::api::request_id;
use crate::audit::{self, Entry};
use crate::auth::Principal;
use crate::clock::{Clock, oslo_date};
use crate::db::Pool;
use crate::domain::key::NotificationKey;
use crate::domain::lifecycle::Action;
use crate::domain::notification::Notification;
use crate::domain::number::NotificationNumber;
use crate::domain::version::Confirming;
use crate::error::{ApiError, Problem, Say};
use crate::mail::templates;
use crate::rate_limit;

/// The content a confirmation of `row` concerns: the pending version, or
/// for a withdrawal the registered one.
pub async fn content_to_confirm(
    conn: &mut AsyncPgConnection,
    row: &NotificationRow,
) -> Result<Notification, ApiError> {
    let (_, version) = row.waiting().ok_or_else(|| nothing_to_confirm(row))?;
    let stored = store::version(conn, row.id, version.unwrap_or(row.shown_version())).await?;
    Notification::from_stored(stored.content).map_err(ApiError::internal)
}

fn nothing_to_confirm(row: &NotificationRow) -> ApiError {
    ApiError::conflict(
        "nothing_to_confirm",
        Say::new("nothing_to_confirm").with_words("status", row.status().label()),
    )
}

/// What a confirmation is asked for: the notification and what waits on it.
#[derive(Debug, Clone, Copy)]
pub struct Asking<'a> {
    pub notification_id: Uuid,
    pub organisation_id: Uuid,
    pub number: &'a str,
    pub confirming: Confirming,
    pub version: Option<i32>,
}

impl<'a> Asking<'a> {
    /// What now waits on `row`; 409 when nothing does.
    pub fn of(row: &'a NotificationRow) -> Result<Self, ApiError> {
        let (confirming, version) = row.waiting().ok_or_else(|| nothing_to_confirm(row))?;
        Ok(Self {
            notification_id: row.id,
            organisation_id: row.organisation_id,
            number: &row.number,
            confirming,
            version,
        })
    }
}

/// A new link's secret and the mail that carries it.
fn compose(
    settings: &NotificationSettings,
    asking: &Asking,
    content: &Notification,
    now: DateTime<Utc>,
) -> Result<(String, crate::mail::Mail), ApiError> {
    let token = links::new_token().map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    let about = templates::About {
        to: content.confirmation_email(),
        lang: content.language(),
        number: asking.number,
        sender: &settings.issuer.name,
    };
    let mail = templates::confirmation(
        about,
        asking.confirming,
        &content.controller().name,
        &format!("{}/confirm/{token}", settings.public_url),
        oslo_date(links::expires(now)),
    );
    Ok((token, mail))
}

/// Issues a link for what now waits on `row` and queues the mail with it,
/// in the caller's transaction. Earlier links stop working.
pub async fn ask_to_confirm(
    conn: &mut AsyncPgConnection,
    settings: &NotificationSettings,
    row: &NotificationRow,
    content: &Notification,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let asking = Asking::of(row)?;
    let (token, mail) = compose(settings, &asking, content, now)?;
    organisation_mail(conn, settings, row.organisation_id, now).await?;
    links::issue(conn, row.id, &token, asking.confirming, asking.version, now).await?;
    Ok(crate::mail::enqueue(conn, mail, now).await?)
}

/// [`ask_to_confirm`] for a notification made in the caller's transaction,
/// which has no earlier link: the count, the link and the mail go out
/// together (pipelined), without waiting for one another's answers.
pub async fn ask_to_confirm_new(
    conn: &AsyncPgConnection,
    settings: &NotificationSettings,
    asking: Asking<'_>,
    content: &Notification,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let (token, mail) = compose(settings, &asking, content, now)?;
    let (counted, linked, queued) = tokio::join!(
        organisation_mail(conn, settings, asking.organisation_id, now),
        links::issue_first(
            conn,
            asking.notification_id,
            &token,
            asking.confirming,
            asking.version,
            now,
        ),
        crate::mail::enqueue(conn, mail, now),
    );
    counted?;
    linked?;
    Ok(queued?)
}

/// Sends the pending confirmation again, with a new link; the old link
/// stops working.
#[utoipa::path(
    tag = "notifications",
    operation_id = "resend_confirmation",
    security(("bearer" = []), ("maskinporten" = [])),
    params(("number" = String, Path, description = "The notification number")),
    responses(
        (status = 202, description = "A new message is on its way", body = Accepted),
        (status = 404, description = "No such notification of one's organisation", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "Nothing waits for confirmation (`code: nothing_to_confirm`)", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "Sent again too often for this notification, or the organisation's mail for the hour is spent; wait `Retry-After` seconds",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{number}/confirmation-mail")]
#[tracing::instrument(skip_all, fields(notification = %path))]
pub(super) async fn resend_confirmation(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.organisation()?;
    let number = path.to_string();
    let request_id = request_id(&req);
    let now = clock.now();
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let row = store::by_number_for_update(conn, organisation, &number).await?;
        row.status()
            .apply(Action::ResendConfirmation)
            .map_err(|e| ApiError::conflict("nothing_to_confirm", e.say()))?;
        let content = content_to_confirm(conn, &row).await?;
        let key = format!("resend:{}", row.id);
        rate_limit::take(conn, &key, settings.limits.resends, now).await?;
        ask_to_confirm(conn, &settings, &row, &content, now).await?;
        let (confirming, _) = row.waiting().ok_or_else(|| nothing_to_confirm(&row))?;
        Ok(audit::record(
            conn,
            Entry::by(
                &principal,
                "notification.confirmation_resent",
                format!("notification:{number}"),
                request_id,
                serde_json::json!({ "action": confirming.code() }),
            ),
        )
        .await?)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(Accepted {
        number: path.to_string(),
        mail: "confirmation",
    }))
}

/// Counts one mail an organisation causes (429 beyond its hourly limit), in
/// the caller's transaction: a refused request sends nothing and counts
/// nothing.
async fn organisation_mail(
    conn: &AsyncPgConnection,
    settings: &NotificationSettings,
    organisation: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let key = format!("organisation-mail:{organisation}");
    rate_limit::take(conn, &key, settings.limits.organisation_mail, now).await
}

/// Issues a new notification key, mailed to the confirmation address; the
/// old key stops working. Organisation admins only.
#[utoipa::path(
    tag = "notifications",
    operation_id = "issue_key",
    security(("bearer" = [])),
    params(("number" = String, Path, description = "The notification number")),
    responses(
        (status = 202, description = "The new key is on its way", body = Accepted),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notification of one's organisation", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "The notification is not registered", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "The organisation's mail for the hour is spent; wait `Retry-After` seconds",
            body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{number}/key")]
#[tracing::instrument(skip_all, fields(notification = %path))]
pub(super) async fn issue_key(
    req: HttpRequest,
    principal: Principal,
    path: web::Path<NotificationNumber>,
    pool: web::Data<Pool>,
    clock: web::Data<Clock>,
    settings: web::Data<NotificationSettings>,
) -> Result<HttpResponse, ApiError> {
    let organisation = principal.require_admin()?;
    let number = path.to_string();
    let request_id = request_id(&req);
    let now = clock.now();
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let row = store::by_number_for_update(conn, organisation, &number).await?;
        row.status()
            .apply(Action::IssueKey)
            .map_err(|e| ApiError::conflict("transition_not_allowed", e.say()))?;
        let registered = store::version(conn, row.id, row.shown_version()).await?;
        let content = Notification::from_stored(registered.content).map_err(ApiError::internal)?;
        organisation_mail(conn, &settings, row.organisation_id, now).await?;
        let key = NotificationKey::generate();
        transitions::set_key_hash(conn, row.id, key.hash(settings.key_secret()).to_vec()).await?;
        let about = templates::About {
            to: content.confirmation_email(),
            lang: content.language(),
            number: &number,
            sender: &settings.issuer.name,
        };
        let (who, organisation_name) = who_asked(conn, &principal, organisation).await?;
        let asked_by = match &who {
            Who::User(email) => templates::AskedBy::User { email },
            Who::Client(name) => templates::AskedBy::Client { name },
        };
        let mail = templates::new_key(
            about,
            &content.controller().name,
            &key.expose(),
            asked_by,
            &organisation_name,
            now,
        );
        crate::mail::enqueue(conn, mail, now).await?;
        Ok(audit::record(
            conn,
            Entry::by(
                &principal,
                "notification.key_issued",
                format!("notification:{number}"),
                request_id,
                serde_json::json!({}),
            ),
        )
        .await?)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(Accepted {
        number: path.to_string(),
        mail: "key",
    }))
}

/// Who asked for a new key: a user's address or an integration's name.
enum Who {
    User(String),
    Client(String),
}

/// The caller, as the new-key mail names them, and their organisation's name.
async fn who_asked(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    organisation: uuid::Uuid,
) -> Result<(Who, String), ApiError> {
    use crate::accounts::store as accounts;
    let who = match principal.kind {
        crate::domain::access::SubjectKind::User => {
            let user = accounts::user(conn, principal.id).await?;
            Who::User(user.map(|u| u.email).unwrap_or_default())
        }
        _ => {
            let client = accounts::client(conn, principal.id).await?;
            Who::Client(client.map(|c| c.name).unwrap_or_default())
        }
    };
    let name = accounts::organisation(conn, organisation).await?.name;
    Ok((who, name))
}
