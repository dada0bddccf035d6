//! The integration tests: one binary, every test against the real server.

mod calls;
mod contract;
mod controller_identity;
mod cors;
mod fixtures;
mod helpers;
mod relay;

mod abuse;
mod access;
mod accounts;
mod amendments;
mod architecture;
mod auth;
mod code_lists;
mod errors;
mod hygiene;
mod idempotency;
mod licences;
mod lifecycle;
mod links;
mod listing;
mod lockout;
mod logs;
mod migrations;
mod notifications;
mod openapi_doc;
mod operations;
mod outage;
mod outbox;
mod private_postgres;
mod problem_languages;
mod receipts;
mod replicas;
mod scheduled;
mod wire;
