//! The mail loop's step: claim due mail with a lease, send each under a
//! deadline, record each outcome at once.

use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::{self, ContentType};
use lettre::message::{Attachment, MultiPart, SinglePart};
use tokio::sync::watch;
use uuid::Uuid;

use super::{Mailer, NotSent};
use crate::db::Pool;
use crate::schema::outbox;

/// Longest wait between two attempts.
const MAX_BACKOFF_SECONDS: i64 = 3600;

/// Attempts before a mail is given up: with the back-off doubling from two
/// seconds to an hour, about a day of trying.
pub const MAX_ATTEMPTS: i32 = 30;

/// How long a claimed mail is held for its sender; after a crash it is
/// due again once the lease runs out.
const LEASE_SECONDS: i64 = 300;

#[derive(Debug, QueryableByName)]
#[diesel(table_name = outbox)]
struct Due {
    id: Uuid,
    kind: String,
    recipient: String,
    subject: String,
    body: String,
    html_body: Option<String>,
    attachment: Option<Vec<u8>>,
    attachment_name: Option<String>,
    attempts: i32,
}

/// The mail of an outbox row. Its `Message-ID` comes from the row, so a
/// mail sent again after a crash is recognisably the same mail. A mail
/// that cannot be built never will be: that is a permanent failure.
fn message(due: &Due, from: &Mailbox) -> Result<Message, NotSent> {
    let to: Mailbox = due
        .recipient
        .parse()
        .map_err(|e| NotSent::permanent(format!("recipient: {e}")))?;
    let domain = from.email.domain().to_owned();
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&due.subject)
        .message_id(Some(format!("<{}@{domain}>", due.id)))
        .header(header::MIME_VERSION_1_0)
        .raw_header(header::HeaderValue::new(
            header::HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .multipart(parts(due)?)
        .map_err(|e| NotSent::permanent(e.to_string()))
}

/// The text, and the HTML beside it (multipart/alternative); with an
/// attachment, both inside multipart/mixed.
fn parts(due: &Due) -> Result<MultiPart, NotSent> {
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(due.body.clone());
    let body = match &due.html_body {
        Some(html) => MultiPart::alternative()
            .singlepart(text)
            .singlepart(SinglePart::html(html.clone())),
        None => MultiPart::mixed().singlepart(text),
    };
    let (Some(bytes), Some(name)) = (&due.attachment, &due.attachment_name) else {
        return Ok(body);
    };
    let pdf =
        ContentType::parse("application/pdf").map_err(|e| NotSent::permanent(e.to_string()))?;
    Ok(MultiPart::mixed()
        .multipart(body)
        .singlepart(Attachment::new(name.clone()).body(bytes.clone(), pdf)))
}

/// Delivers up to `batch` due mails; returns how many were sent. No
/// transaction stays open across the network: the batch is claimed in one
/// short statement (`SKIP LOCKED`, so several workers share the queue, and
/// a lease so that a crash hands the mail on), each mail is sent under
/// `deadline`, and its outcome recorded at once, so that a crash repeats
/// at most the one mail in flight. A permanent refusal, or the
/// [`MAX_ATTEMPTS`]th failure, ends the mail as failed.
pub async fn deliver_due(
    pool: &Pool,
    mailer: &Mailer,
    now: DateTime<Utc>,
    batch: i64,
    deadline: Duration,
) -> anyhow::Result<usize> {
    let (_never, stop) = watch::channel(false);
    deliver_due_until(pool, mailer, now, batch, deadline, stop).await
}

/// [`deliver_due`] until `stop` turns true. A replica that is stopped
/// hands back what it claimed: the mail in flight is abandoned, and it and
/// the rest of the batch are due again at once, for another replica to
/// send, instead of waiting out the lease. (The mail in flight may have
/// reached the relay: delivery is at least once.)
pub async fn deliver_due_until(
    pool: &Pool,
    mailer: &Mailer,
    now: DateTime<Utc>,
    batch: i64,
    deadline: Duration,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<usize> {
    if *stop.borrow() {
        return Ok(0);
    }
    let mut conn = pool.get().await?;
    // The lease outlasts the whole batch at its slowest, so that no other
    // replica takes a mail of it while this one is still at work.
    let slowest =
        chrono::Duration::from_std(deadline * batch.max(1) as u32).unwrap_or(chrono::Duration::MAX);
    // In microseconds, as the database keeps it, for the lease to be
    // recognised as this worker's when its outcome is recorded.
    let lease = (now
        + chrono::Duration::seconds(LEASE_SECONDS).max(slowest + chrono::Duration::seconds(60)))
    .trunc_subsecs(6);
    let claimed: Vec<Due> = diesel::sql_query(
        "UPDATE outbox SET next_attempt_at = $2
         WHERE id IN (SELECT id FROM outbox
                      WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
                      ORDER BY next_attempt_at LIMIT $3
                      FOR UPDATE SKIP LOCKED)
         RETURNING id, kind, recipient, subject, body, html_body, attachment,
                   attachment_name, attempts",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .bind::<diesel::sql_types::Timestamptz, _>(lease)
    .bind::<diesel::sql_types::BigInt, _>(batch)
    .load(&mut conn)
    .await?;
    let mut sent = 0;
    let mut claimed = claimed.into_iter();
    while let Some(mail) = claimed.next() {
        let result = match message(&mail, &mailer.from) {
            Ok(message) => {
                let sending = tokio::time::timeout(deadline, mailer.send(mail.id, message));
                tokio::select! {
                    biased;
                    true = stopped(&mut stop) => {
                        let held: Vec<Uuid> =
                            std::iter::once(mail.id).chain(claimed.map(|m| m.id)).collect();
                        hand_back(&mut conn, &held, lease, now).await?;
                        tracing::info!(event = "mail.handed_back", count = held.len());
                        return Ok(sent);
                    }
                    result = sending => match result {
                        Ok(result) => result,
                        Err(_) => Err(NotSent::transient(format!(
                            "the relay did not finish within {deadline:?}"
                        ))),
                    },
                }
            }
            Err(e) => Err(e),
        };
        let attempts = mail.attempts + 1;
        match result {
            Ok(()) => {
                diesel::update(held(mail.id, lease))
                    .set((
                        outbox::sent_at.eq(now),
                        outbox::attempts.eq(attempts),
                        outbox::body.eq(""),
                        outbox::html_body.eq(None::<String>),
                        outbox::attachment.eq(None::<Vec<u8>>),
                        outbox::last_error.eq(None::<String>),
                    ))
                    .execute(&mut conn)
                    .await?;
                tracing::info!(event = "mail.sent", kind = %mail.kind, id = %mail.id);
                sent += 1;
            }
            Err(failure) if failure.permanent || attempts >= MAX_ATTEMPTS => {
                let error: String = failure.error.chars().take(1000).collect();
                diesel::update(held(mail.id, lease))
                    .set((
                        outbox::failed_at.eq(now),
                        outbox::attempts.eq(attempts),
                        outbox::body.eq(""),
                        outbox::html_body.eq(None::<String>),
                        outbox::attachment.eq(None::<Vec<u8>>),
                        outbox::last_error.eq(Some(&error)),
                    ))
                    .execute(&mut conn)
                    .await?;
                tracing::error!(event = "mail.given_up", kind = %mail.kind, id = %mail.id, attempts, permanent = failure.permanent, error = %error);
            }
            Err(failure) => {
                let wait = 2i64
                    .saturating_pow(attempts.min(20) as u32)
                    .min(MAX_BACKOFF_SECONDS);
                let error: String = failure.error.chars().take(1000).collect();
                diesel::update(held(mail.id, lease))
                    .set((
                        outbox::attempts.eq(attempts),
                        outbox::next_attempt_at.eq(now + chrono::Duration::seconds(wait)),
                        outbox::last_error.eq(Some(&error)),
                    ))
                    .execute(&mut conn)
                    .await?;
                tracing::warn!(event = "mail.failed", kind = %mail.kind, id = %mail.id, attempts, retry_in_s = wait, error = %error);
            }
        }
    }
    Ok(sent)
}

/// An outbox row, found by id, while its lease is the one given.
type HeldRow = diesel::dsl::Filter<
    diesel::dsl::Filter<
        diesel::dsl::Filter<
            diesel::dsl::Find<outbox::table, Uuid>,
            diesel::dsl::Eq<outbox::next_attempt_at, DateTime<Utc>>,
        >,
        diesel::dsl::IsNull<outbox::sent_at>,
    >,
    diesel::dsl::IsNull<outbox::failed_at>,
>;

/// The outbox row `id` while this worker still holds it: unsent, not
/// given up, and under this worker's `lease` (had the lease run out and
/// another worker claimed it, the outcome is that worker's to record).
fn held(id: Uuid, lease: DateTime<Utc>) -> HeldRow {
    outbox::table
        .find(id)
        .filter(outbox::next_attempt_at.eq(lease))
        .filter(outbox::sent_at.is_null())
        .filter(outbox::failed_at.is_null())
}

/// Makes claimed, unsent mail due at once again: its lease given up.
async fn hand_back(
    conn: &mut diesel_async::AsyncPgConnection,
    ids: &[Uuid],
    lease: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::next_attempt_at.eq(lease))
            .filter(outbox::sent_at.is_null())
            .filter(outbox::failed_at.is_null()),
    )
    .set(outbox::next_attempt_at.eq(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// True once `stop` turns true; false if it never can (its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) -> bool {
    stop.wait_for(|stopping| *stopping).await.is_ok()
}
