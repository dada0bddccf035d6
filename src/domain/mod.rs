//! The domain of meldeplikt, in plain Rust: no HTTP, no database, no clock.
//! Read it to learn the regulation; every rule is tested here on its own.

pub mod access;
pub mod characters;
mod checker;
pub mod code_lists;
mod countries;
pub mod diff;
pub mod folding;
pub mod i18n;
pub mod identifiers;
pub mod inert;
pub mod key;
pub mod lifecycle;
pub mod messages;
pub mod notification;
pub mod number;
pub mod office_texts;
pub mod organisation;
pub mod party;
pub mod problem_texts;
pub mod receipt;
pub mod version;
pub mod violation;
pub mod webhook_texts;
pub mod written;

pub use countries::COUNTRIES;
