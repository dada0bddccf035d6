//! The time, in one place: the service reads it here, tests set it.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};

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

    /// Today's date in Europe/Oslo, the calendar of the regulation.
    pub fn today(&self) -> NaiveDate {
        oslo_date(self.now())
    }
}

/// The date in Europe/Oslo at an instant.
pub fn oslo_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::Oslo).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

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
