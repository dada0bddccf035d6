//! The worker inside the service: delivers the outbox, lets unconfirmed
//! submissions lapse, expires notifications three years after their last
//! confirmed version, and sends the renewal reminder six weeks before.
//! Every step locks its rows with `SKIP LOCKED` and changes each row once,
//! so several replicas may run it at the same time.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::clock::{Clock, oslo_date};
use crate::db::Pool;
use crate::domain::lifecycle::{Action, Status};
use crate::domain::notification::Notification;
use crate::error::ApiError;
use crate::mail::{self, Mailer, templates};
use crate::notifications::NotificationSettings;
use crate::notifications::store::{self as notification_store, NotificationRow};
use crate::schema::{confirmation_tokens, notification_versions, notifications};

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub mails_sent: usize,
    pub lapsed: usize,
    pub expired: usize,
    pub reminded: usize,
}

/// Everything the worker needs.
#[derive(Clone)]
pub struct Worker {
    pool: Pool,
    mailer: Mailer,
    clock: Clock,
    settings: Arc<NotificationSettings>,
}

const BATCH: i64 = 50;

impl Worker {
    pub fn new(
        pool: Pool,
        mailer: Mailer,
        clock: Clock,
        settings: Arc<NotificationSettings>,
    ) -> Self {
        Self {
            pool,
            mailer,
            clock,
            settings,
        }
    }

    /// One round of everything; time-driven work first, so that its mail
    /// goes out in the same round.
    pub async fn run_once(&self) -> Result<Round, ApiError> {
        let now = self.clock.now();
        let lapsed = self.lapse(now).await?;
        let expired = self.expire(now).await?;
        let reminded = self.remind(now).await?;
        let mut mails_sent = 0;
        loop {
            let sent = mail::deliver_due(&self.pool, &self.mailer, self.clock.now(), BATCH).await?;
            mails_sent += sent;
            if sent < BATCH as usize {
                break;
            }
        }
        Ok(Round {
            mails_sent,
            lapsed,
            expired,
            reminded,
        })
    }

    /// Runs rounds every `interval` until the task is aborted.
    pub fn spawn(self, interval: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if let Err(err) = self.run_once().await {
                    tracing::warn!(error = ?err, "a worker round failed; trying again next round");
                }
                tokio::time::sleep(interval).await;
            }
        })
    }

    /// The ids of notifications in `statuses` that `due` picks, a batch at a
    /// time; the database does the picking, so a round costs nothing for
    /// notifications with nothing due.
    async fn candidates(&self, statuses: &[Status], due: Due) -> Result<Vec<Uuid>, ApiError> {
        let mut conn = self.pool.get().await?;
        let codes: Vec<&str> = statuses.iter().map(|s| s.code()).collect();
        let query = notifications::table
            .filter(notifications::status.eq_any(codes))
            .select(notifications::id)
            .limit(1000)
            .into_boxed();
        let query = match due {
            Due::UpdatedBefore(deadline) => query.filter(notifications::updated_at.le(deadline)),
            Due::ExpiresBy(date) => query.filter(notifications::expires_on.le(date)),
            Due::RemindBy { window_end, today } => query
                .filter(notifications::expires_on.le(window_end))
                .filter(notifications::expires_on.gt(today))
                .filter(
                    notifications::reminder_sent_for
                        .is_null()
                        .or(notifications::reminder_sent_for.ne(notifications::expires_on)),
                ),
        };
        Ok(query.load(&mut conn).await?)
    }

    /// Unconfirmed after the confirmation period: a submission lapses; a
    /// pending amendment or withdrawal falls away and the registered version stays.
    async fn lapse(&self, now: DateTime<Utc>) -> Result<usize, ApiError> {
        let days = self.settings.periods.confirmation_days as i64;
        let deadline = now - chrono::Duration::days(days);
        let statuses = [
            Status::AwaitingConfirmation,
            Status::AmendmentAwaitingConfirmation,
            Status::WithdrawalAwaitingConfirmation,
        ];
        let mut done = 0;
        let mut conn = self.pool.get().await?;
        for id in self
            .candidates(&statuses, Due::UpdatedBefore(deadline))
            .await?
        {
            let changed = conn
                .transaction::<_, ApiError, _>(async |conn| {
                    let Some(row) = lock(conn, id, &statuses).await? else {
                        return Ok(false);
                    };
                    if row.updated_at > deadline {
                        return Ok(false);
                    }
                    let row = &row;
                    let next = row
                        .status()
                        .apply(Action::Lapse)
                        .map_err(ApiError::internal)?;
                    diesel::update(
                        notification_versions::table
                            .filter(notification_versions::notification_id.eq(row.id))
                            .filter(notification_versions::state.eq("pending")),
                    )
                    .set(notification_versions::state.eq("lapsed"))
                    .execute(conn)
                    .await?;
                    revoke_tokens(conn, row.id, now).await?;
                    let journal = next != Status::Lapsed && row.legal_ground == "patient_journal";
                    diesel::update(notifications::table.find(row.id))
                        .set((
                            notifications::status.eq(next.code()),
                            notifications::journal.eq(journal),
                            notifications::revision.eq(notifications::revision + 1),
                            notifications::updated_at.eq(now),
                        ))
                        .execute(conn)
                        .await?;
                    system_audit(
                        conn,
                        row,
                        "notification.lapsed",
                        serde_json::json!({
                            "from": row.status().code(), "to": next.code()
                        }),
                    )
                    .await?;
                    Ok(true)
                })
                .await?;
            done += usize::from(changed);
        }
        Ok(done)
    }

    /// Registered notifications whose validity ran out expire.
    async fn expire(&self, now: DateTime<Utc>) -> Result<usize, ApiError> {
        let today = oslo_date(now);
        let statuses = REGISTERED;
        let mut done = 0;
        let mut conn = self.pool.get().await?;
        for id in self.candidates(&statuses, Due::ExpiresBy(today)).await? {
            let changed = conn
                .transaction::<_, ApiError, _>(async |conn| {
                    let Some(row) = lock(conn, id, &statuses).await? else {
                        return Ok(false);
                    };
                    if row.expires_on.is_none_or(|d| d > today) {
                        return Ok(false);
                    }
                    let row = &row;
                    let next = row
                        .status()
                        .apply(Action::Expire)
                        .map_err(ApiError::internal)?;
                    diesel::update(
                        notification_versions::table
                            .filter(notification_versions::notification_id.eq(row.id))
                            .filter(notification_versions::state.eq("pending")),
                    )
                    .set(notification_versions::state.eq("lapsed"))
                    .execute(conn)
                    .await?;
                    revoke_tokens(conn, row.id, now).await?;
                    diesel::update(notifications::table.find(row.id))
                        .set((
                            notifications::status.eq(next.code()),
                            notifications::journal.eq(false),
                            notifications::revision.eq(notifications::revision + 1),
                            notifications::updated_at.eq(now),
                        ))
                        .execute(conn)
                        .await?;
                    system_audit(
                        conn,
                        row,
                        "notification.expired",
                        serde_json::json!({
                            "expires_on": row.expires_on
                        }),
                    )
                    .await?;
                    Ok(true)
                })
                .await?;
            done += usize::from(changed);
        }
        Ok(done)
    }

    /// The renewal reminder, once per expiry date.
    async fn remind(&self, now: DateTime<Utc>) -> Result<usize, ApiError> {
        let today = oslo_date(now);
        let periods = self.settings.periods;
        let statuses = REGISTERED;
        let mut done = 0;
        let mut conn = self.pool.get().await?;
        for id in self
            .candidates(
                &statuses,
                Due::RemindBy {
                    window_end: today + chrono::Days::new(periods.reminder_days),
                    today,
                },
            )
            .await?
        {
            let changed = conn
                .transaction::<_, ApiError, _>(async |conn| {
                    let Some(row) = lock(conn, id, &statuses).await? else {
                        return Ok(false);
                    };
                    let Some(expires) = row.expires_on.filter(|expires| {
                        periods.reminder_on(*expires) <= today && today < *expires
                    }) else {
                        return Ok(false);
                    };
                    let row = &row;
                    let sent_for: Option<NaiveDate> = notifications::table
                        .find(row.id)
                        .select(notifications::reminder_sent_for)
                        .first(conn)
                        .await?;
                    if sent_for == Some(expires) {
                        return Ok(false);
                    }
                    let version =
                        notification_store::version(conn, row.id, row.shown_version()).await?;
                    let content =
                        Notification::from_stored(version.content).map_err(ApiError::internal)?;
                    let reminder = templates::renewal_reminder(
                        content.confirmation_email(),
                        content.language(),
                        &row.number,
                        expires,
                    );
                    mail::enqueue(conn, reminder, now).await?;
                    diesel::update(notifications::table.find(row.id))
                        .set(notifications::reminder_sent_for.eq(expires))
                        .execute(conn)
                        .await?;
                    system_audit(
                        conn,
                        row,
                        "notification.reminder_sent",
                        serde_json::json!({
                            "expires_on": expires
                        }),
                    )
                    .await?;
                    Ok(true)
                })
                .await?;
            done += usize::from(changed);
        }
        Ok(done)
    }
}

/// What makes a notification due for a step.
#[derive(Debug, Clone, Copy)]
enum Due {
    /// Waiting since before this instant.
    UpdatedBefore(DateTime<Utc>),
    /// Expiring on or before this date.
    ExpiresBy(NaiveDate),
    /// Expiring within the reminder window, and not reminded for it yet.
    RemindBy {
        window_end: NaiveDate,
        today: NaiveDate,
    },
}

/// The states in which a confirmed version is valid.
const REGISTERED: [Status; 3] = [
    Status::Registered,
    Status::AmendmentAwaitingConfirmation,
    Status::WithdrawalAwaitingConfirmation,
];

/// Locks a notification still in `statuses`, skipping one another replica holds.
async fn lock(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    statuses: &[Status],
) -> Result<Option<NotificationRow>, ApiError> {
    let codes: Vec<&str> = statuses.iter().map(|s| s.code()).collect();
    Ok(notifications::table
        .find(id)
        .filter(notifications::status.eq_any(codes))
        .select(NotificationRow::as_select())
        .for_update()
        .skip_locked()
        .first(conn)
        .await
        .optional()?)
}

async fn revoke_tokens(
    conn: &mut AsyncPgConnection,
    notification_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(
        confirmation_tokens::table
            .filter(confirmation_tokens::notification_id.eq(notification_id))
            .filter(confirmation_tokens::used_at.is_null())
            .filter(confirmation_tokens::revoked_at.is_null()),
    )
    .set(confirmation_tokens::revoked_at.eq(now))
    .execute(conn)
    .await?;
    Ok(())
}

async fn system_audit(
    conn: &mut AsyncPgConnection,
    row: &NotificationRow,
    action: &str,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Entry {
            actor: Actor::system(),
            organisation_id: Some(row.organisation_id),
            action,
            subject: Some(format!("notification:{}", row.number)),
            request_id: None,
            details,
        },
    )
    .await
}
