//! The life of a notification as a state machine.
//!
//! ```text
//! create ─► awaiting_confirmation ─confirm─► registered ─amend─► amendment_awaiting_confirmation
//!              │ 14 days: lapse                │  ▲                    │ confirm ─► registered (v n+1)
//!              ▼                               │  └── lapse ───────────┘
//!            lapsed                            ├─ withdraw ─► withdrawal_awaiting_confirmation ─confirm─► withdrawn
//!                                              ├─ 3 years after the last confirmed version ─► expired
//!                                              └─ a confirmed re-registration ─► renewed
//! ```

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::i18n::Text;
use super::messages::Say;

/// Where a notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Submitted; not valid until confirmed from the e-mail address given.
    AwaitingConfirmation,
    /// Confirmed and valid; in the public register.
    Registered,
    /// Registered; an amendment waits for confirmation, the registered
    /// version stays valid until then.
    AmendmentAwaitingConfirmation,
    /// Registered; a withdrawal waits for confirmation.
    WithdrawalAwaitingConfirmation,
    /// The processing has ended; confirmed and receipted.
    Withdrawn,
    /// Never confirmed within the time allowed.
    Lapsed,
    /// Three years passed after the last confirmed version.
    Expired,
    /// A confirmed re-registration took its place.
    Renewed,
}

/// What can happen to a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The pending version or withdrawal is confirmed from the e-mail address.
    Confirm,
    /// A new complete version is submitted with the key.
    Amend,
    /// The organisation says the processing has ended.
    Withdraw,
    /// What waits for confirmation was not confirmed in time.
    Lapse,
    /// The validity period after the last confirmed version ran out.
    Expire,
    /// A re-registration naming this notification was confirmed.
    Renew,
    /// The confirmation message is sent again.
    ResendConfirmation,
    /// A new notification key is issued.
    IssueKey,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Self::AwaitingConfirmation => "awaiting_confirmation",
            Self::Registered => "registered",
            Self::AmendmentAwaitingConfirmation => "amendment_awaiting_confirmation",
            Self::WithdrawalAwaitingConfirmation => "withdrawal_awaiting_confirmation",
            Self::Withdrawn => "withdrawn",
            Self::Lapsed => "lapsed",
            Self::Expired => "expired",
            Self::Renewed => "renewed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The status in words, for messages.
    pub fn label(self) -> Text {
        match self {
            Self::AwaitingConfirmation => Text::new(
                "venter på bekreftelse",
                "ventar på stadfesting",
                "awaiting confirmation",
            ),
            Self::Registered => Text::new("registrert", "registrert", "registered"),
            Self::AmendmentAwaitingConfirmation => Text::new(
                "endring venter på bekreftelse",
                "endring ventar på stadfesting",
                "amendment awaiting confirmation",
            ),
            Self::WithdrawalAwaitingConfirmation => Text::new(
                "tilbaketrekking venter på bekreftelse",
                "tilbaketrekking ventar på stadfesting",
                "withdrawal awaiting confirmation",
            ),
            Self::Withdrawn => Text::new("trukket tilbake", "trekt tilbake", "withdrawn"),
            Self::Lapsed => Text::new("bortfalt", "bortfallen", "lapsed"),
            Self::Expired => Text::new("utløpt", "utgått", "expired"),
            Self::Renewed => Text::new("fornyet", "fornya", "renewed"),
        }
    }

    pub const ALL: [Status; 8] = [
        Self::AwaitingConfirmation,
        Self::Registered,
        Self::AmendmentAwaitingConfirmation,
        Self::WithdrawalAwaitingConfirmation,
        Self::Withdrawn,
        Self::Lapsed,
        Self::Expired,
        Self::Renewed,
    ];

    /// Whether a confirmed version is valid now (and so in the register).
    pub fn is_registered(self) -> bool {
        matches!(
            self,
            Self::Registered
                | Self::AmendmentAwaitingConfirmation
                | Self::WithdrawalAwaitingConfirmation
        )
    }

    /// Whether something waits for confirmation.
    pub fn awaits_confirmation(self) -> bool {
        matches!(
            self,
            Self::AwaitingConfirmation
                | Self::AmendmentAwaitingConfirmation
                | Self::WithdrawalAwaitingConfirmation
        )
    }

    /// Whether nothing can happen to it any more (but a re-registration may
    /// renew an expired one).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Withdrawn | Self::Lapsed | Self::Renewed | Self::Expired
        )
    }

    /// The state after `action`, or why it is not allowed.
    pub fn apply(self, action: Action) -> Result<Status, TransitionError> {
        use Action as A;
        use Status as S;
        let next = match (self, action) {
            (S::AwaitingConfirmation, A::Confirm) => S::Registered,
            (S::AwaitingConfirmation, A::Lapse) => S::Lapsed,
            (S::AwaitingConfirmation, A::ResendConfirmation) => S::AwaitingConfirmation,

            (S::Registered, A::Amend) => S::AmendmentAwaitingConfirmation,
            (S::Registered, A::Withdraw) => S::WithdrawalAwaitingConfirmation,
            (S::Registered, A::Expire) => S::Expired,
            (S::Registered, A::Renew) => S::Renewed,
            (S::Registered, A::IssueKey) => S::Registered,

            (S::AmendmentAwaitingConfirmation, A::Confirm) => S::Registered,
            // A second amendment replaces the pending one.
            (S::AmendmentAwaitingConfirmation, A::Amend) => S::AmendmentAwaitingConfirmation,
            // Withdrawing drops the pending amendment.
            (S::AmendmentAwaitingConfirmation, A::Withdraw) => S::WithdrawalAwaitingConfirmation,
            // An unconfirmed amendment lapses; the registered version stays.
            (S::AmendmentAwaitingConfirmation, A::Lapse) => S::Registered,

            (S::WithdrawalAwaitingConfirmation, A::Confirm) => S::Withdrawn,
            (S::WithdrawalAwaitingConfirmation, A::Lapse) => S::Registered,

            (
                S::AmendmentAwaitingConfirmation | S::WithdrawalAwaitingConfirmation,
                A::ResendConfirmation | A::IssueKey,
            ) => self,
            (S::AmendmentAwaitingConfirmation | S::WithdrawalAwaitingConfirmation, A::Expire) => {
                S::Expired
            }
            (S::AmendmentAwaitingConfirmation | S::WithdrawalAwaitingConfirmation, A::Renew) => {
                S::Renewed
            }

            (S::Expired, A::Renew) => S::Renewed,
            _ => {
                return Err(TransitionError {
                    state: self,
                    action,
                });
            }
        };
        Ok(next)
    }
}

/// An action that the state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a notification that is {} cannot be {}", .state.code(), action_done(*.action).en)]
pub struct TransitionError {
    pub state: Status,
    pub action: Action,
}

impl TransitionError {
    /// Why not, in words: "a notification that is withdrawn cannot be amended".
    pub fn say(&self) -> Say {
        Say::new("transition_not_allowed")
            .with_words("state", self.state.label())
            .with_words("action", action_done(self.action))
    }
}

/// What an action does to a notification, after "cannot" ("kan ikke").
fn action_done(action: Action) -> Text {
    match action {
        Action::Confirm => Text::new("bekreftes", "stadfestast", "confirmed"),
        Action::Amend => Text::new("endres", "endrast", "amended"),
        Action::Withdraw => Text::new("trekkes tilbake", "trekkjast tilbake", "withdrawn"),
        Action::Lapse => Text::new("falle bort", "falle bort", "lapsed"),
        Action::Expire => Text::new("løpe ut", "gå ut", "expired"),
        Action::Renew => Text::new("fornyes", "fornyast", "renewed"),
        Action::ResendConfirmation => Text::new(
            "få bekreftelses-e-posten sendt på nytt",
            "få stadfestings-e-posten sendt på nytt",
            "sent a confirmation message",
        ),
        Action::IssueKey => Text::new(
            "få ny meldingsnøkkel",
            "få ny meldingsnøkkel",
            "given a new key",
        ),
    }
}

/// How long things last. The periods are configuration; these are the spec's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    /// From the last confirmed version to expiry.
    pub validity_months: u32,
    /// From submission to lapse when unconfirmed.
    pub confirmation_days: u64,
    /// How long before expiry the reminder goes out.
    pub reminder_days: u64,
}

impl Default for Periods {
    fn default() -> Self {
        Self {
            validity_months: 36,
            confirmation_days: 14,
            reminder_days: 42,
        }
    }
}

impl Periods {
    /// The date a notification whose last version was confirmed on
    /// `confirmed_on` expires (29 February falls back to 28 February).
    pub fn expires_on(&self, confirmed_on: NaiveDate) -> NaiveDate {
        confirmed_on
            .checked_add_months(Months::new(self.validity_months))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The date the renewal reminder is due.
    pub fn reminder_on(&self, expires_on: NaiveDate) -> NaiveDate {
        expires_on
            .checked_sub_days(Days::new(self.reminder_days))
            .unwrap_or(NaiveDate::MIN)
    }

    /// The last day a submission on `submitted_on` can be confirmed.
    pub fn confirm_by(&self, submitted_on: NaiveDate) -> NaiveDate {
        submitted_on
            .checked_add_days(Days::new(self.confirmation_days))
            .unwrap_or(NaiveDate::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Status as S;

    const ACTIONS: [Action; 8] = [
        A::Confirm,
        A::Amend,
        A::Withdraw,
        A::Lapse,
        A::Expire,
        A::Renew,
        A::ResendConfirmation,
        A::IssueKey,
    ];

    #[test]
    fn the_whole_life_of_a_notification() {
        let mut s = S::AwaitingConfirmation;
        for (action, expected) in [
            (A::Confirm, S::Registered),
            (A::Amend, S::AmendmentAwaitingConfirmation),
            (A::Amend, S::AmendmentAwaitingConfirmation),
            (A::Confirm, S::Registered),
            (A::Withdraw, S::WithdrawalAwaitingConfirmation),
            (A::Confirm, S::Withdrawn),
        ] {
            s = s.apply(action).unwrap();
            assert_eq!(s, expected, "after {action:?}");
        }
    }

    #[test]
    fn lapses_and_expiry() {
        assert_eq!(S::AwaitingConfirmation.apply(A::Lapse), Ok(S::Lapsed));
        assert_eq!(
            S::AmendmentAwaitingConfirmation.apply(A::Lapse),
            Ok(S::Registered)
        );
        assert_eq!(
            S::WithdrawalAwaitingConfirmation.apply(A::Lapse),
            Ok(S::Registered)
        );
        assert_eq!(S::Registered.apply(A::Expire), Ok(S::Expired));
        assert_eq!(S::Expired.apply(A::Renew), Ok(S::Renewed));
        assert_eq!(S::Registered.apply(A::Renew), Ok(S::Renewed));
    }

    #[test]
    fn what_is_not_allowed_names_the_state_and_the_action() {
        let err = S::AwaitingConfirmation.apply(A::Amend).unwrap_err();
        assert_eq!(
            err,
            TransitionError {
                state: S::AwaitingConfirmation,
                action: A::Amend
            }
        );
        assert_eq!(
            err.to_string(),
            "a notification that is awaiting_confirmation cannot be amended"
        );
        for state in [S::Withdrawn, S::Lapsed, S::Renewed] {
            for action in ACTIONS {
                assert!(state.apply(action).is_err(), "{state:?} + {action:?}");
            }
        }
        assert!(S::Registered.apply(A::Confirm).is_err());
        assert!(S::Registered.apply(A::Lapse).is_err());
        assert!(S::WithdrawalAwaitingConfirmation.apply(A::Amend).is_err());
        assert!(S::AwaitingConfirmation.apply(A::Withdraw).is_err());
        assert!(S::Expired.apply(A::Amend).is_err());
    }

    #[test]
    fn only_registered_states_are_in_the_register() {
        let registered: Vec<_> = S::ALL.into_iter().filter(|s| s.is_registered()).collect();
        assert_eq!(
            registered,
            [
                S::Registered,
                S::AmendmentAwaitingConfirmation,
                S::WithdrawalAwaitingConfirmation
            ]
        );
        for s in S::ALL {
            assert_eq!(S::parse(s.code()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
    }

    #[test]
    fn periods_follow_the_calendar() {
        let p = Periods::default();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(p.expires_on(d("2026-11-22")), d("2029-11-22"));
        assert_eq!(p.expires_on(d("2028-02-29")), d("2031-02-28"));
        assert_eq!(p.reminder_on(d("2029-11-22")), d("2029-10-11"));
        assert_eq!(p.confirm_by(d("2026-11-22")), d("2026-12-06"));
        let short = Periods {
            validity_months: 12,
            ..p
        };
        assert_eq!(short.expires_on(d("2026-01-31")), d("2027-01-31"));
    }

    #[test]
    fn a_refused_action_is_said_in_three_languages() {
        use crate::domain::i18n::Lang;
        let err = S::Withdrawn.apply(A::Amend).unwrap_err();
        let say = err.say();
        assert_eq!(
            say.render(Lang::Nb),
            "En melding med status «trukket tilbake» kan ikke endres"
        );
        assert_eq!(
            say.render(Lang::Nn),
            "Ei melding med status «trekt tilbake» kan ikkje endrast"
        );
        assert_eq!(say.render(Lang::En), format!("A {}", &err.to_string()[2..]));
        for s in S::ALL {
            let label = s.label();
            assert!(label.en.contains(&s.code().replace('_', " ")[..4]), "{s:?}");
        }
    }
}
