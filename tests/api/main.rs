//! The integration tests: one binary, every test against the real server.

mod helpers;

mod accounts;
mod auth;
mod errors;
mod licences;
mod lifecycle;
mod logs;
mod migrations;
mod notifications;
mod openapi_doc;
mod operations;
mod private_postgres;
