//! Liftoff: a Slack bot that runs the PMO side of product launches.
//!
//! The crate is a functional core in an imperative shell; `ARCHITECTURE.md` has the map.
//! - `liftoff_core` (crates/liftoff-core): pure types, rules and grammars (no I/O, `now` passed in).
//! - [`store`]: sqlx repositories over SQLite and PostgreSQL; the only module that knows SQL.
//! - [`config`]: typed, validated configuration.
//! - [`clock`]: the only place that reads the time.
//! - [`http`]: the axum server (health endpoints; Slack endpoints arrive with the Slack surface).
//! - [`cli`]: the `liftoff` subcommands, so `main.rs` stays a few lines.

pub mod cli;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod export;
pub mod http;
pub mod metrics;
pub mod notify;
pub mod outbound;
pub mod scheduler;
pub mod service;
pub mod slack;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod views;
