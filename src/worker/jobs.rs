//! The scheduled steps of the lifecycle. Each finds what is due, then
//! takes one notification at a time in a transaction of its own: lock it
//! (skipping one another replica holds), check it is still due, make the
//! transition through `notifications::store::transitions`, audit.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::audit::{self, Actor, Entry};
use crate::clock::oslo_date;
use crate::db::Pool;
use crate::domain::lifecycle::{Action, Periods, Status};
use crate::domain::notification::Notification;
use crate::mail::{self, templates};
use crate::notifications::NotificationSettings;
use crate::notifications::store::{self, Due, NotificationRow, transitions};

/// A scheduled step of the lifecycle, with what makes a notification due.
enum Job<'a> {
    /// Unconfirmed after the confirmation period: a submission lapses; a
    /// pending amendment or withdrawal falls away and the registered
    /// version stays.
    Lapse { deadline: DateTime<Utc> },
    /// Registered notifications whose validity ran out expire.
    Expire { today: NaiveDate },
    /// The renewal reminder, once per expiry date.
    Remind {
        today: NaiveDate,
        periods: Periods,
        /// Where the reminder's links lead, and who signs it.
        settings: &'a NotificationSettings,
    },
}

impl Job<'_> {
    fn statuses(&self) -> Vec<Status> {
        let picks = |s: &Status| match self {
            Job::Lapse { .. } => s.awaits_confirmation(),
            Job::Expire { .. } | Job::Remind { .. } => s.is_registered(),
        };
        Status::ALL.into_iter().filter(picks).collect()
    }

    fn due(&self) -> Due {
        match *self {
            Job::Lapse { deadline } => Due::UpdatedBefore(deadline),
            Job::Expire { today } => Due::ExpiresBy(today),
            Job::Remind { today, periods, .. } => Due::RemindBy {
                window_end: today + chrono::Days::new(periods.reminder_days),
                today,
            },
        }
    }

    /// The step on one locked notification; false when it is not due after all.
    async fn step(
        &self,
        conn: &mut AsyncPgConnection,
        row: &NotificationRow,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let entry = match *self {
            Job::Lapse { deadline } => {
                if row.updated_at > deadline {
                    return Ok(false);
                }
                let next = row.status().apply(Action::Lapse)?;
                transitions::lapse_pending(conn, row, next, now).await?;
                let details = serde_json::json!({ "from": row.status().code(), "to": next.code() });
                system_entry(row, "notification.lapsed", details)
            }
            Job::Expire { today } => {
                if row.expires_on.is_none_or(|d| d > today) {
                    return Ok(false);
                }
                let next = row.status().apply(Action::Expire)?;
                transitions::expire(conn, row, next, now).await?;
                let details = serde_json::json!({ "expires_on": row.expires_on });
                system_entry(row, "notification.expired", details)
            }
            Job::Remind {
                today,
                periods,
                settings,
            } => {
                let Some(expires) = row
                    .expires_on
                    .filter(|expires| periods.reminder_on(*expires) <= today && today < *expires)
                else {
                    return Ok(false);
                };
                if store::reminded_for(conn, row.id).await? == Some(expires) {
                    return Ok(false);
                }
                queue_reminder(conn, settings, row, expires, now).await?;
                transitions::mark_reminded(conn, row, expires, now).await?;
                let details = serde_json::json!({ "expires_on": expires });
                system_entry(row, "notification.reminder_sent", details)
            }
        };
        audit::record(conn, entry).await?;
        Ok(true)
    }
}

/// Runs `job` on each notification it finds due, each in a transaction of
/// its own; how many it changed.
async fn run(pool: &Pool, job: Job<'_>, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let statuses = job.statuses();
    let mut conn = pool.get().await?;
    let mut done = 0;
    for id in store::due(&mut conn, &statuses, job.due()).await? {
        let changed = conn
            .transaction::<_, anyhow::Error, _>(async |conn| {
                match store::lock_if_in(conn, id, &statuses).await? {
                    Some(row) => job.step(conn, &row, now).await,
                    None => Ok(false),
                }
            })
            .await?;
        done += usize::from(changed);
    }
    Ok(done)
}

pub async fn lapse(
    pool: &Pool,
    settings: &NotificationSettings,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let deadline = now - chrono::Duration::days(settings.periods.confirmation_days as i64);
    run(pool, Job::Lapse { deadline }, now).await
}

pub async fn expire(pool: &Pool, now: DateTime<Utc>) -> anyhow::Result<usize> {
    run(
        pool,
        Job::Expire {
            today: oslo_date(now),
        },
        now,
    )
    .await
}

pub async fn remind(
    pool: &Pool,
    settings: &NotificationSettings,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let job = Job::Remind {
        today: oslo_date(now),
        periods: settings.periods,
        settings,
    };
    run(pool, job, now).await
}

/// The confirmation page shows its result again for half an hour; after
/// that the key sealed for the browser that confirmed is erased.
pub async fn forget_replays(pool: &Pool, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut conn = pool.get().await?;
    Ok(crate::notifications::store::links::forget_replays(&mut conn, now).await?)
}

async fn queue_reminder(
    conn: &mut AsyncPgConnection,
    settings: &NotificationSettings,
    row: &NotificationRow,
    expires: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let version = store::version(conn, row.id, row.shown_version()).await?;
    let content = Notification::from_stored(version.content)?;
    let lang = content.language();
    let about = templates::About {
        to: content.confirmation_email(),
        lang,
        number: &row.number,
        sender: &settings.issuer.name,
    };
    let reminder = templates::renewal_reminder(
        about,
        &content.controller().name,
        content.purpose().label().get(lang),
        expires,
        &format!("{}/register/{}", settings.public_url, row.number),
    );
    Ok(mail::enqueue(conn, reminder, now).await?)
}

fn system_entry<'a>(
    row: &NotificationRow,
    action: &'a str,
    details: serde_json::Value,
) -> Entry<'a> {
    Entry {
        actor: Actor::system(),
        organisation_id: Some(row.organisation_id),
        action,
        subject: Some(format!("notification:{}", row.number)),
        request_id: None,
        details,
    }
}
