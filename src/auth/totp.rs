//! The second factor, its pure parts: TOTP codes (RFC 6238: HMAC-SHA-1,
//! 30-second steps, six digits, one step of drift either way), the secret
//! sealed under the service's key, and what a typed code is. Nothing here
//! reads the database or the clock: the time comes in as an argument.

use std::path::Path;

use secrecy::SecretString;
use totp_rs::{Algorithm, Builder, Totp};
use uuid::Uuid;

use super::recovery::RecoveryCode;
use super::sealing::SealingKey;

/// Seconds of one time step.
pub const STEP_SECONDS: u64 = 30;
/// Digits of a code.
pub const DIGITS: usize = 6;
/// Steps of drift accepted on either side of the current one.
const SKEW: u16 = 1;
/// Bytes of a secret: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// Who issued the secret, as an authenticator app shows it.
pub const ISSUER: &str = "meldeplikt";

/// The key TOTP secrets are sealed under (see [`super::sealing`]).
#[derive(Clone, Debug)]
pub struct TotpKey(SealingKey);

impl TotpKey {
    /// A key from 64 hexadecimal digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        SealingKey::from_hex(text).map(Self)
    }

    /// The configured key (`MELDEPLIKT_TOTP_KEY`), or a development key
    /// kept under `data_dir`.
    pub fn load(configured: Option<&SecretString>, data_dir: &Path) -> anyhow::Result<Self> {
        SealingKey::load(configured, data_dir, "totp-key", "MELDEPLIKT_TOTP_KEY").map(Self)
    }

    /// `secret` sealed for `user`: a copy in another account's row does
    /// not open there.
    pub fn seal(&self, user: Uuid, secret: &TotpSecret) -> Result<Vec<u8>, getrandom::Error> {
        self.0.seal(user, &secret.0)
    }

    /// The secret of `user` from what [`Self::seal`] made; `None` when it
    /// was sealed under another key or for another user, or was altered.
    pub fn open(&self, user: Uuid, sealed: &[u8]) -> Option<TotpSecret> {
        let secret = self.0.open(user, sealed)?;
        (secret.len() == SECRET_BYTES).then_some(TotpSecret(secret))
    }
}

/// A TOTP secret (160 random bits). Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(****)")
    }
}

impl TotpSecret {
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = vec![0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// A secret as an authenticator app is given it (base32).
    pub fn from_base32(text: &str) -> Option<Self> {
        let secret = totp_rs::Secret::try_from_base32(text.trim()).ok()?;
        (secret.len() == SECRET_BYTES).then(|| Self(secret.to_vec()))
    }

    /// The secret in base32 without padding, for typing into an app.
    pub fn base32(&self) -> String {
        totp_rs::Secret::from(self.0.clone()).to_base32()
    }

    fn totp(&self) -> Builder {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS as u8)
            .with_skew(SKEW)
            .with_step_duration(STEP_SECONDS)
            .with_secret(self.0.clone())
    }

    fn checker(&self) -> Totp {
        self.totp()
            .build()
            .expect("a 160-bit secret with RFC 6238's parameters builds")
    }

    /// The `otpauth://totp/…` URI (Key Uri Format) an authenticator app
    /// reads, labelled with the issuer and `account`.
    pub fn uri(&self, account: &str) -> String {
        // An e-mail address has no colon (`domain::party::email_is_valid`),
        // the one character a label may not hold.
        let account = account.replace(':', "");
        self.totp()
            .with_issuer(Some(ISSUER))
            .with_account_name(account)
            .build()
            .and_then(|totp| totp.to_url())
            .expect("a label without a colon")
    }

    /// The time step `code` is right for at `unix_seconds`, within one step
    /// either way; the earliest when several are (they never are, but for
    /// one code in a million). Compared in constant time.
    pub fn step_of(&self, code: &str, unix_seconds: u64) -> Option<u64> {
        self.checker().check(code, unix_seconds)
    }

    /// The code of the step `unix_seconds` falls in.
    pub fn code_at(&self, unix_seconds: u64) -> String {
        self.checker().generate(unix_seconds).to_string()
    }
}

/// The time step of an instant.
pub fn step_at(unix_seconds: u64) -> u64 {
    unix_seconds / STEP_SECONDS
}

/// A second-factor code as typed: six digits from the app, or a recovery
/// code. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub enum Code {
    Totp(String),
    Recovery(RecoveryCode),
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Totp(_) => "Code::Totp(****)",
            Self::Recovery(_) => "Code::Recovery(****)",
        })
    }
}

impl Code {
    /// Six digits (spaces between them allowed, as apps show `123 456`)
    /// are a TOTP code; anything else that is a recovery code's form is
    /// one; `None` for neither.
    pub fn parse(text: &str) -> Option<Self> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Self::Totp(digits));
        }
        RecoveryCode::parse(text).map(Self::Recovery)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 secret is the ASCII of
    /// "12345678901234567890"; the last six of its eight-digit codes.
    #[test]
    fn the_codes_of_rfc_6238() {
        let secret = TotpSecret(b"12345678901234567890".to_vec());
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(secret.code_at(time), code, "at {time}");
            assert_eq!(secret.step_of(code, time), Some(step_at(time)), "at {time}");
        }
    }

    #[test]
    fn one_step_of_drift_either_way_and_no_more() {
        let secret = TotpSecret::generate().unwrap();
        let now = 1_800_000_000;
        let step = step_at(now);
        for (offset, accepted) in [
            (-60i64, false),
            (-30, true),
            (0, true),
            (30, true),
            (60, false),
        ] {
            let code = secret.code_at(now.saturating_add_signed(offset));
            let expected = accepted.then(|| (step as i64 + offset / 30) as u64);
            assert_eq!(secret.step_of(&code, now), expected, "{offset} s");
        }
        assert_eq!(secret.step_of("12345", now), None);
        assert_eq!(secret.step_of("abcdef", now), None);
    }

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_for_its_user() {
        let key = TotpKey::from_hex(&"ab".repeat(32)).unwrap();
        let other = TotpKey::from_hex(&"cd".repeat(32)).unwrap();
        let secret = TotpSecret::generate().unwrap();
        let user = Uuid::new_v4();
        let sealed = key.seal(user, &secret).unwrap();
        assert_eq!(sealed.len(), 60);
        assert_eq!(key.open(user, &sealed), Some(secret.clone()));
        assert_eq!(other.open(user, &sealed), None);
        assert_eq!(key.open(Uuid::new_v4(), &sealed), None);
        let mut altered = sealed.clone();
        altered[30] ^= 1;
        assert_eq!(key.open(user, &altered), None);
        assert_eq!(key.open(user, &sealed[..10]), None);
        // A fresh nonce each time: the same secret seals differently.
        assert_ne!(key.seal(user, &secret).unwrap(), sealed);
        let base32 = secret.base32();
        assert!(!hex::encode(&sealed).contains(&hex::encode(&secret.0)));
        assert_eq!(TotpSecret::from_base32(&base32), Some(secret));
    }

    #[test]
    fn a_key_is_64_hexadecimal_digits() {
        assert!(TotpKey::from_hex(&"0f".repeat(32)).is_some());
        assert!(TotpKey::from_hex(&"0f".repeat(31)).is_none());
        assert!(TotpKey::from_hex(&"zz".repeat(32)).is_none());
        assert_eq!(
            format!("{:?}", TotpKey::from_hex(&"0f".repeat(32)).unwrap()),
            "TotpKey(SealingKey(****))"
        );
    }

    #[test]
    fn the_uri_names_the_issuer_the_account_and_the_secret() {
        let secret = TotpSecret::generate().unwrap();
        let uri = secret.uri("saksbehandler@datatilsynet.no");
        assert_eq!(
            uri,
            format!(
                "otpauth://totp/meldeplikt:saksbehandler%40datatilsynet.no?secret={}&issuer=meldeplikt",
                secret.base32()
            )
        );
    }

    #[test]
    fn a_typed_code_is_six_digits_or_a_recovery_code() {
        assert_eq!(Code::parse("123456"), Some(Code::Totp("123456".into())));
        assert_eq!(Code::parse(" 123 456 "), Some(Code::Totp("123456".into())));
        assert_eq!(Code::parse("12345"), None);
        assert_eq!(Code::parse("1234567"), None);
        assert_eq!(Code::parse("12345a"), None);
        let recovery = RecoveryCode::generate().unwrap();
        assert_eq!(
            Code::parse(&recovery.to_string()),
            Some(Code::Recovery(recovery))
        );
        assert_eq!(
            format!("{:?}", Code::parse("123456").unwrap()),
            "Code::Totp(****)"
        );
    }
}
