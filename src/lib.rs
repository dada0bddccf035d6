//! meldeplikt: notification of processing of personal data to the
//! Norwegian data-protection authority.

pub mod accounts;
pub mod admin;
pub mod api;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod code_lists;
pub mod config;
pub mod confirmations;
pub mod cors;
pub mod db;
pub mod domain;
pub mod error;
pub mod events;
pub mod export;
pub mod extract;
pub mod fallback;
pub mod idempotency;
pub mod mail;
pub mod notifications;
pub mod openapi;
pub mod ops;
pub mod outbound;
pub mod query;
pub mod rate_limit;
pub mod receipts;
pub mod register;
pub mod routes;
pub mod schema;
pub mod startup;
pub mod telemetry;
pub mod tokens;
pub mod worker;
