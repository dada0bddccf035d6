//! The time, in one place: the service reads it here, tests set it.

use std::sync::{Arc, Mutex};

use chrono::offset::LocalResult;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Oslo;

/// The clock of the service.
#[derive(Debug, Clone, Default)]
pub enum Clock {
    /// The system's clock.
    #[default]
    System,
    /// A clock that stands still until moved (tests).
    Fixed(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self::Fixed(Arc::new(Mutex::new(at)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Self::System => Utc::now(),
            Self::Fixed(at) => *at.lock().expect("clock lock"),
        }
    }

    /// Moves a fixed clock; the system clock cannot be moved.
    pub fn advance(&self, by: chrono::Duration) {
        if let Self::Fixed(at) = self {
            let mut at = at.lock().expect("clock lock");
            *at += by;
        }
    }

    /// Sets a fixed clock to `at`; the system clock cannot be set.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Self::Fixed(fixed) = self {
            *fixed.lock().expect("clock lock") = at;
        }
    }

    /// Moves a fixed clock to the same Oslo wall-clock time on `date`: a
    /// day is a calendar day in Oslo, not 24 hours (a daylight-saving change
    /// makes one 23 or 25 hours long).
    pub fn move_to_oslo_date(&self, date: NaiveDate) {
        let local = self.now().with_timezone(&Oslo).time();
        self.set(oslo_instant(date, local));
    }

    /// Today's date in Europe/Oslo, the calendar of the regulation.
    pub fn today(&self) -> NaiveDate {
        oslo_date(self.now())
    }
}

/// The instant of an Oslo wall-clock time: the earlier one when the clock
/// is put back (an hour that happens twice), and the hour after when it is
/// put forward (an hour that never happens).
pub fn oslo_instant(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = date.and_time(time);
    match Oslo.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.to_utc(),
        LocalResult::None => Oslo
            .from_local_datetime(&(local + chrono::Duration::hours(1)))
            .earliest()
            .expect("an hour after a gap exists")
            .to_utc(),
    }
}

/// The date in Europe/Oslo at an instant.
pub fn oslo_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Oslo).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lifecycle::Periods;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The reminder and expiry dates follow the Oslo calendar at both ends
    /// of the Oslo day, on either side of both daylight-saving changes.
    /// Confirmed at the first and the last minute of an Oslo day, a
    /// registration expires on the same date three years on, and its
    /// reminder is due 42 Oslo days before, whether the UTC date differs
    /// or summer time lies in between.
    #[test]
    fn reminder_and_expiry_dates_follow_the_oslo_calendar_across_daylight_saving() {
        let periods = Periods::default();
        let cases = [
            // (confirmed at, Oslo date it was confirmed on)
            ("2026-03-28T23:00:30Z", "2026-03-29"), // 00:00:30 on the spring-forward day
            ("2026-03-29T21:59:30Z", "2026-03-29"), // 23:59:30 on it (summer time)
            ("2026-10-24T22:00:30Z", "2026-10-25"), // 00:00:30 on the fall-back day (summer time)
            ("2026-10-25T22:59:30Z", "2026-10-25"), // 23:59:30 on it (winter time)
            ("2026-11-22T22:30:00Z", "2026-11-22"), // 23:30 on a winter evening
            ("2026-11-22T23:30:00Z", "2026-11-23"), // 00:30, still the 22nd in UTC
        ];
        for (at, oslo) in cases {
            let confirmed_on = oslo_date(utc(at));
            assert_eq!(confirmed_on, date(oslo), "{at}");
            let expires = periods.expires_on(confirmed_on);
            assert_eq!(
                expires,
                confirmed_on
                    .checked_add_months(chrono::Months::new(36))
                    .unwrap(),
                "{at}"
            );
            let reminder = periods.reminder_on(expires);
            assert_eq!((expires - reminder).num_days(), 42, "{at}");

            // Walk the clock a calendar day at a time from the same wall-clock
            // time: each step is one Oslo date, and the reminder's day and
            // the expiry's day are reached exactly, never skipped.
            let clock = Clock::fixed(utc(at));
            let time = clock.now().with_timezone(&Oslo).time();
            for target in [reminder.pred_opt().unwrap(), reminder, expires] {
                clock.move_to_oslo_date(target);
                assert_eq!(clock.today(), target, "{at} → {target}");
                let wall = clock.now().with_timezone(&Oslo).time();
                assert!(
                    wall == time || (wall - time).num_minutes() == 60,
                    "{at} → {target}: {wall}"
                );
            }
        }
    }

    #[test]
    fn wall_clock_times_that_do_not_exist_or_happen_twice() {
        let at = |d: &str, t: &str| oslo_instant(date(d), t.parse().unwrap());
        // 02:30 does not exist on 29 March 2026: the hour after.
        assert_eq!(at("2026-03-29", "02:30:00"), utc("2026-03-29T01:30:00Z"));
        // 02:30 happens twice on 25 October 2026: the first.
        assert_eq!(at("2026-10-25", "02:30:00"), utc("2026-10-25T00:30:00Z"));
        assert_eq!(at("2026-11-23", "00:30:00"), utc("2026-11-22T23:30:00Z"));
    }

    #[test]
    fn oslo_midnight_is_a_new_day_before_utc_midnight() {
        let utc = DateTime::parse_from_rfc3339("2026-11-22T23:30:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            oslo_date(utc),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        let summer = DateTime::parse_from_rfc3339("2026-06-30T21:59:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            oslo_date(summer),
            NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
        );
        let clock = Clock::fixed(utc);
        clock.advance(chrono::Duration::days(1));
        assert_eq!(
            clock.today(),
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
        );
    }
}
