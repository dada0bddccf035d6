//! An organisation registering itself with its first admin, and the
//! password policy.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use super::checker::Checker;
use super::code_lists::{Country, IdentifierScheme};
use super::identifiers::Identifier;
use super::party::{Address, AddressInput, IdentifierInput, limits};
use super::violation::Violation;

/// Shortest password accepted, in characters.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest password accepted, in bytes (hashing cost must stay bounded).
pub const PASSWORD_MAX_BYTES: usize = 1024;

/// An organisation's registration with its first admin.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    #[schema(example = "Fjordvik kommune", required = true)]
    pub name: Option<String>,
    /// A Norwegian organisation must use `no_orgnr`.
    #[schema(required = true)]
    pub identifier: Option<IdentifierInput>,
    #[schema(required = true)]
    pub address: Option<AddressInput>,
    #[schema(required = true)]
    pub admin: Option<NewUserInput>,
}

/// A user's e-mail address and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    #[schema(example = "personvern@fjordvik.kommune.no", format = Email, max_length = 254, required = true)]
    pub email: Option<String>,
    /// At least 12 characters, at most 1,024 bytes, not the e-mail address.
    #[schema(value_type = String, format = Password, min_length = 12, example = "correct horse battery staple", required = true)]
    pub password: Option<SecretString>,
}

/// A checked registration.
#[derive(Debug)]
pub struct Registration {
    pub name: String,
    pub identifier: Identifier,
    pub address: Address,
    pub admin: NewUser,
}

/// A checked new user. E-mail addresses are kept in lower case.
#[derive(Debug)]
pub struct NewUser {
    pub email: String,
    pub password: SecretString,
}

/// Checks a registration; every violation at once.
pub fn validate_registration(input: &RegistrationInput) -> Result<Registration, Vec<Violation>> {
    let mut c = Checker::default();
    let name = c.text("/name", &input.name, limits::NAME);
    let identifier = match &input.identifier {
        None => {
            c.error("/identifier", "required");
            None
        }
        Some(id) => c.identifier("/identifier", id),
    };
    let address = c.address("/address", &input.address);
    let in_norway = address
        .as_ref()
        .is_some_and(|a| a.country == Country::NORWAY);
    if in_norway
        && identifier
            .as_ref()
            .is_some_and(|i| i.scheme != IdentifierScheme::NoOrgnr)
    {
        c.error("/identifier/scheme", "norwegian_controller_needs_orgnr");
    }
    let admin = match &input.admin {
        None => {
            c.error("/admin", "required");
            None
        }
        Some(admin) => new_user(&mut c, "/admin", admin),
    };
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    match (name, identifier, address, admin) {
        (Some(name), Some(identifier), Some(address), Some(admin)) => Ok(Registration {
            name,
            identifier,
            address,
            admin,
        }),
        _ => unreachable!("every missing part was reported"),
    }
}

/// Checks a new user of an existing organisation.
pub fn validate_new_user(input: &NewUserInput) -> Result<NewUser, Vec<Violation>> {
    let mut c = Checker::default();
    let user = new_user(&mut c, "", input);
    match user {
        Some(user) if c.errors.is_empty() => Ok(user),
        _ => Err(c.errors),
    }
}

fn new_user(c: &mut Checker, pointer: &str, input: &NewUserInput) -> Option<NewUser> {
    let email = c
        .email(&format!("{pointer}/email"), &input.email)
        .map(|e| e.to_lowercase());
    let password_pointer = format!("{pointer}/password");
    let password = match &input.password {
        None => {
            c.error(&password_pointer, "required");
            None
        }
        Some(password) => {
            let before = c.errors.len();
            for code in password_problems(password.expose_secret(), email.as_deref()) {
                let args = match code {
                    "password_too_short" => vec![("min", PASSWORD_MIN_CHARS.to_string())],
                    "password_too_long" => vec![("max", PASSWORD_MAX_BYTES.to_string())],
                    _ => Vec::new(),
                };
                c.error_with(&password_pointer, code, args);
            }
            (c.errors.len() == before).then(|| password.clone())
        }
    };
    Some(NewUser {
        email: email?,
        password: password?,
    })
}

/// What is wrong with a password, by the policy: at least 12 characters,
/// at most 1,024 bytes, not the e-mail address.
pub fn password_problems(password: &str, email: Option<&str>) -> Vec<&'static str> {
    let mut problems = Vec::new();
    if password.chars().count() < PASSWORD_MIN_CHARS {
        problems.push("password_too_short");
    }
    if password.len() > PASSWORD_MAX_BYTES {
        problems.push("password_too_long");
    }
    if email.is_some_and(|e| password.trim().eq_ignore_ascii_case(e)) {
        problems.push("password_is_email");
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(value: serde_json::Value) -> RegistrationInput {
        serde_json::from_value(value).unwrap()
    }

    fn example() -> serde_json::Value {
        json!({
            "name": "Fjordvik kommune",
            "identifier": { "scheme": "no_orgnr", "value": "974 761 467" },
            "address": { "street": "Postboks 1", "postal_code": "5001", "town": "Bergen", "country": "NO" },
            "admin": { "email": "Personvern@Fjordvik.Kommune.no", "password": "correct horse battery staple" }
        })
    }

    #[test]
    fn the_example_registers() {
        let r = validate_registration(&input(example())).unwrap();
        assert_eq!(r.identifier.value, "974761467");
        assert_eq!(r.admin.email, "personvern@fjordvik.kommune.no");
    }

    #[test]
    fn each_problem_is_named() {
        let mut bad = example();
        bad["identifier"]["value"] = json!("974761468");
        bad["admin"]["password"] = json!("short");
        bad["name"] = json!("");
        let errors: Vec<_> = validate_registration(&input(bad))
            .unwrap_err()
            .into_iter()
            .map(|v| (v.pointer, v.code))
            .collect();
        assert_eq!(
            errors,
            [
                ("/name".to_owned(), "required"),
                ("/identifier/value".to_owned(), "orgnr_checksum"),
                ("/admin/password".to_owned(), "password_too_short"),
            ]
        );
    }

    #[test]
    fn password_policy() {
        assert!(password_problems("correct horse battery staple", Some("a@b.no")).is_empty());
        assert_eq!(
            password_problems("elevenchars", None),
            ["password_too_short"]
        );
        // Twelve characters of two bytes each are twelve characters.
        assert!(password_problems("ææææææææææææ", None).is_empty());
        assert_eq!(
            password_problems(&"x".repeat(1025), None),
            ["password_too_long"]
        );
        assert_eq!(
            password_problems("Long.Address@Example.no", Some("long.address@example.no")),
            ["password_is_email"]
        );
    }

    #[test]
    fn a_norwegian_organisation_needs_its_number() {
        let mut v = example();
        v["identifier"] = json!({"scheme": "lei", "value": "5493001KJTIIGC8Y1R12"});
        let errors = validate_registration(&input(v)).unwrap_err();
        assert_eq!(errors[0].code, "norwegian_controller_needs_orgnr");
    }

    #[test]
    fn the_password_is_not_in_debug_output() {
        let r = input(example());
        assert!(!format!("{r:?}").contains("battery"));
    }
}
