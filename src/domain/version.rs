//! A version of a notification: what kind of submission it was, where it
//! stands, and what a confirmation link confirms. Each is stored as its code.

use super::code_lists::RegistrationKind;
use super::i18n::{Lang, Text};

/// Declares a closed set of codes: `code`, `parse` and `ALL`.
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $code:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$(Self::$variant,)+];

            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)+ }
            }

            pub fn parse(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}

codes! {
    /// What a submitted version is.
    VersionKind {
        Registration => "registration",
        ReRegistration => "re_registration",
        Amendment => "amendment",
    }
}

impl VersionKind {
    /// The kind of a first version.
    pub fn first(kind: RegistrationKind) -> Self {
        match kind {
            RegistrationKind::FirstRegistration => Self::Registration,
            RegistrationKind::ReRegistration => Self::ReRegistration,
        }
    }
}

codes! {
    /// Where a version stands. A version leaves `Pending` once, for good.
    VersionState {
        /// Waits for confirmation.
        Pending => "pending",
        /// Confirmed from the e-mail address; the registered content.
        Confirmed => "confirmed",
        /// Replaced by a newer submission before it was confirmed.
        Superseded => "superseded",
        /// Not confirmed in time.
        Lapsed => "lapsed",
    }
}

codes! {
    /// What a confirmation link confirms.
    Confirming {
        Registration => "registration",
        Amendment => "amendment",
        Withdrawal => "withdrawal",
    }
}

impl Confirming {
    /// "the notification", "the amendment of the notification", ….
    pub fn what(self, lang: Lang) -> &'static str {
        let text = match self {
            Self::Registration => Text::new("meldingen", "meldinga", "the notification"),
            Self::Amendment => Text::new(
                "endringen av meldingen",
                "endringa av meldinga",
                "the amendment of the notification",
            ),
            Self::Withdrawal => Text::new(
                "tilbaketrekkingen av meldingen",
                "tilbaketrekkinga av meldinga",
                "the withdrawal of the notification",
            ),
        };
        text.get(lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for kind in VersionKind::ALL {
            assert_eq!(VersionKind::parse(kind.code()), Some(*kind));
        }
        for state in VersionState::ALL {
            assert_eq!(VersionState::parse(state.code()), Some(*state));
        }
        for c in Confirming::ALL {
            assert_eq!(Confirming::parse(c.code()), Some(*c));
        }
        assert_eq!(VersionState::parse("Pending"), None);
        assert_eq!(Confirming::parse(""), None);
    }

    #[test]
    fn a_first_version_is_a_registration_or_a_re_registration() {
        assert_eq!(
            VersionKind::first(RegistrationKind::ReRegistration),
            VersionKind::ReRegistration
        );
        assert_eq!(
            VersionKind::first(RegistrationKind::FirstRegistration),
            VersionKind::Registration
        );
    }
}
