//! The mail to an organisation's admins when one of its endpoints is
//! disabled, queued in the transaction that disables it.

use askama::Template;
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::queue::Claimed;
use crate::domain::i18n::Lang;
use crate::mail;

#[derive(Template)]
#[template(path = "webhooks/endpoint_disabled.txt")]
struct EndpointDisabled<'a> {
    url: &'a str,
    endpoint_id: Uuid,
    gone: bool,
    failing_since: String,
}

#[derive(QueryableByName)]
struct Admin {
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    failing_since: Option<DateTime<Utc>>,
}

/// Queues the mail to each admin of the endpoint's organisation.
pub async fn endpoint_disabled(
    conn: &mut AsyncPgConnection,
    claimed: &Claimed,
    reason: &str,
    now: DateTime<Utc>,
) -> diesel::QueryResult<()> {
    let admins: Vec<Admin> = diesel::sql_query(
        "SELECT u.email, w.failing_since FROM users u
         JOIN webhook_endpoints w ON w.organisation_id = u.organisation_id
         WHERE w.id = $1 AND u.role = 'admin' ORDER BY u.created_at",
    )
    .bind::<SqlUuid, _>(claimed.endpoint_id)
    .load(conn)
    .await?;
    for admin in admins {
        let since = admin.failing_since.unwrap_or(now);
        let text = EndpointDisabled {
            url: &claimed.url,
            endpoint_id: claimed.endpoint_id,
            gone: reason == "gone",
            failing_since: since.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
        .render()
        .unwrap_or_else(|e| format!("meldeplikt\n\n{e}\n"));
        let mail =
            mail::templates::rendered("webhook_disabled", &admin.email, Lang::Nb, &text, &[]);
        mail::enqueue(conn, mail, now).await?;
    }
    Ok(())
}
