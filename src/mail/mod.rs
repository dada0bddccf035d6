//! Mail through an outbox: a row written in the same transaction as the
//! change that causes it, delivered by the worker's mail loop with retries
//! and exponential back-off. Delivery is at least once: a crash between the
//! relay's acceptance and the row's update sends that one mail again. A sent
//! mail's body is erased, since it may hold a link token or a key.

pub mod templates;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lettre::message::Mailbox;
use lettre::message::header::{self, ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::db::Pool;
use crate::schema::outbox;

/// Longest wait between two attempts.
const MAX_BACKOFF_SECONDS: i64 = 3600;

/// A mail to queue.
pub struct Mail {
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Queues a mail in the caller's transaction.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    mail: Mail,
    now: DateTime<Utc>,
) -> diesel::QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(Uuid::new_v4()),
            outbox::kind.eq(mail.kind),
            outbox::recipient.eq(mail.to),
            outbox::subject.eq(mail.subject),
            outbox::body.eq(mail.body),
            outbox::created_at.eq(now),
            outbox::next_attempt_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Where mail goes.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    /// The `From` of every mail, display name included.
    from: Mailbox,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl Mailer {
    /// SMTP when a relay is configured, else `.eml` files in `mail_dir`.
    pub fn new(
        smtp_url: Option<&SecretString>,
        mail_dir: PathBuf,
        timeout: Duration,
        from: &str,
    ) -> anyhow::Result<Self> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("MELDEPLIKT_MAIL_FROM {from:?}: {e}"))?;
        let transport = match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|e| anyhow::anyhow!("MELDEPLIKT_SMTP_URL: {e}"))?
                    .timeout(Some(timeout))
                    .build();
                Transport::Smtp(transport)
            }
            None => {
                std::fs::create_dir_all(&mail_dir)?;
                Transport::Files(AsyncFileTransport::new(mail_dir))
            }
        };
        Ok(Self { transport, from })
    }

    async fn send(&self, message: Message) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Transport::Files(files) => files
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    }
}

#[derive(Debug, QueryableByName)]
#[diesel(table_name = outbox)]
struct Due {
    id: Uuid,
    kind: String,
    recipient: String,
    subject: String,
    body: String,
    attempts: i32,
}

/// The mail of an outbox row. Its `Message-ID` comes from the row, so a
/// mail sent again after a crash is recognisably the same mail.
fn message(due: &Due, from: &Mailbox) -> Result<Message, String> {
    let to: Mailbox = due
        .recipient
        .parse()
        .map_err(|e| format!("recipient: {e}"))?;
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
        .header(ContentType::TEXT_PLAIN)
        .body(due.body.clone())
        .map_err(|e| e.to_string())
}

/// How long a claimed mail is held for its sender; after a crash it is
/// due again once the lease runs out.
const LEASE_SECONDS: i64 = 300;

/// Delivers up to `batch` due mails; returns how many were sent. No
/// transaction stays open across the network: the batch is claimed in one
/// short statement (`SKIP LOCKED`, so several workers share the queue, and
/// a lease so that a crash hands the mail on), each mail is sent under
/// `deadline`, and its outcome recorded at once, so that a crash repeats
/// at most the one mail in flight.
pub async fn deliver_due(
    pool: &Pool,
    mailer: &Mailer,
    now: DateTime<Utc>,
    batch: i64,
    deadline: Duration,
) -> anyhow::Result<usize> {
    let mut conn = pool.get().await?;
    let lease = now + chrono::Duration::seconds(LEASE_SECONDS);
    let claimed: Vec<Due> = diesel::sql_query(
        "UPDATE outbox SET next_attempt_at = $2
         WHERE id IN (SELECT id FROM outbox
                      WHERE sent_at IS NULL AND next_attempt_at <= $1
                      ORDER BY next_attempt_at LIMIT $3
                      FOR UPDATE SKIP LOCKED)
         RETURNING id, kind, recipient, subject, body, attempts",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .bind::<diesel::sql_types::Timestamptz, _>(lease)
    .bind::<diesel::sql_types::BigInt, _>(batch)
    .load(&mut conn)
    .await?;
    let mut sent = 0;
    for mail in claimed {
        let result = match message(&mail, &mailer.from) {
            Ok(message) => match tokio::time::timeout(deadline, mailer.send(message)).await {
                Ok(result) => result,
                Err(_) => Err(format!("the relay did not finish within {deadline:?}")),
            },
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                diesel::update(outbox::table.find(mail.id))
                    .set((
                        outbox::sent_at.eq(now),
                        outbox::attempts.eq(mail.attempts + 1),
                        outbox::body.eq(""),
                        outbox::last_error.eq(None::<String>),
                    ))
                    .execute(&mut conn)
                    .await?;
                tracing::info!(event = "mail.sent", kind = %mail.kind, id = %mail.id);
                sent += 1;
            }
            Err(error) => {
                let attempts = mail.attempts + 1;
                let wait = 2i64
                    .saturating_pow(attempts.min(20) as u32)
                    .min(MAX_BACKOFF_SECONDS);
                diesel::update(outbox::table.find(mail.id))
                    .set((
                        outbox::attempts.eq(attempts),
                        outbox::next_attempt_at.eq(now + chrono::Duration::seconds(wait)),
                        outbox::last_error.eq(Some(error.chars().take(1000).collect::<String>())),
                    ))
                    .execute(&mut conn)
                    .await?;
                tracing::warn!(event = "mail.failed", kind = %mail.kind, id = %mail.id, attempts, retry_in_s = wait, error = %error);
            }
        }
    }
    Ok(sent)
}
