//! Mail through an outbox: a row written in the same transaction as the
//! change that causes it, delivered by the worker's mail loop with retries
//! and exponential back-off (`deliver`). Delivery is at least once: a crash
//! between the relay's acceptance and the row's update sends that one mail
//! again; a replica that is stopped hands back the mail it claimed. A sent mail's body is erased, since it may hold a link token or a
//! key. A mail that can never go out ends failed (`health` counts them).

mod deliver;
pub mod health;
mod html;
pub mod templates;

pub use deliver::{MAX_ATTEMPTS, deliver_due, deliver_due_until};

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::schema::outbox;

/// A mail to queue.
pub struct Mail {
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    /// The plain text.
    pub body: String,
    /// The same as HTML, sent beside the text (multipart/alternative).
    pub html: Option<String>,
    /// A PDF attached: its file name and bytes.
    pub attachment: Option<(String, Vec<u8>)>,
    /// The notification number the mail is about, if any (the back office
    /// shows a notification's mail).
    pub about: Option<String>,
}

/// Queues a mail in the caller's transaction.
pub async fn enqueue(
    mut conn: &AsyncPgConnection,
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
            outbox::html_body.eq(mail.html),
            outbox::attachment_name.eq(mail.attachment.as_ref().map(|(name, _)| name.clone())),
            outbox::attachment.eq(mail.attachment.map(|(_, bytes)| bytes)),
            outbox::about.eq(mail.about),
            outbox::created_at.eq(now),
            outbox::next_attempt_at.eq(now),
        ))
        .execute(&mut conn)
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
    /// `.eml` files in this folder, one per outbox row.
    Files(PathBuf),
}

/// Why a mail did not go out, and whether trying again could help.
#[derive(Debug)]
struct NotSent {
    error: String,
    permanent: bool,
}

impl NotSent {
    fn permanent(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            permanent: true,
        }
    }

    fn transient(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            permanent: false,
        }
    }
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
                Transport::Files(mail_dir)
            }
        };
        Ok(Self { transport, from })
    }

    async fn send(&self, id: Uuid, message: Message) -> Result<(), NotSent> {
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| NotSent {
                permanent: e.is_permanent(),
                error: e.to_string(),
            }),
            Transport::Files(dir) => write_eml(dir, id, &message.formatted())
                .await
                .map_err(|e| NotSent::transient(format!("writing the mail file: {e}"))),
        }
    }
}

/// Writes a mail file whole or not at all: to a temporary name, then
/// renamed, so that a full disk leaves no empty or cut-off `.eml`. The
/// steps run together on one blocking thread, not one hop each.
async fn write_eml(dir: &std::path::Path, id: Uuid, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = dir.join(format!(".{id}.eml.partial"));
    let done = dir.join(format!("{id}.eml"));
    let bytes = bytes.to_vec();
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let written = (|| {
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&temporary, &done)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    })
    .await
    .map_err(std::io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_mail_file_is_written_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let id = Uuid::new_v4();
        write_eml(dir.path(), id, b"Subject: x\r\n\r\nbody")
            .await
            .unwrap();
        let names = |dir: &std::path::Path| -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names(dir.path()), vec![format!("{id}.eml")]);

        // The final name cannot be taken (here: a folder stands there, as a
        // full disk would stop the write): nothing half-written remains.
        let blocked = Uuid::new_v4();
        std::fs::create_dir(dir.path().join(format!("{blocked}.eml"))).unwrap();
        std::fs::write(dir.path().join(format!("{blocked}.eml/x")), b"").unwrap();
        assert!(write_eml(dir.path(), blocked, b"body").await.is_err());
        let mut expected = vec![format!("{blocked}.eml"), format!("{id}.eml")];
        expected.sort();
        assert_eq!(names(dir.path()), expected, "no partial file left");
    }
}
