//! Who may do what: the roles of users, and whether a person or an
//! integration is calling.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role. Regulators are made only from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages the organisation's users and API clients, and everything a member does.
    Admin,
    /// Works with the organisation's notifications.
    Member,
    /// The authority's back office: reads every organisation's notifications.
    Regulator,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Regulator => "regulator",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "admin" => Some(Self::Admin),
            "member" => Some(Self::Member),
            "regulator" => Some(Self::Regulator),
            _ => None,
        }
    }
}

/// Whether a person or an integration is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubjectKind {
    User,
    Client,
    /// An organisation's system, proven by a Maskinporten token: the
    /// organisation itself calls.
    Maskinporten,
}

impl SubjectKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Client => "client",
            Self::Maskinporten => "maskinporten",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::User, Self::Client, Self::Maskinporten]
            .into_iter()
            .find(|k| k.code() == code)
    }
}
