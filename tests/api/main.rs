//! End-to-end and repository tests, in one binary so it links once.
//!
//! Repository tests run on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is set
//! (`.ci/run` sets it, and `LIFTOFF_REQUIRE_POSTGRES=1` so that they cannot silently skip).

mod container;
mod contention;
mod demo;
mod docs;
mod escalation;
mod export;
mod fake_slack;
mod faults;
mod full_disk;
mod gonogo;
mod group_commit;
mod helpers;

mod architecture;
mod chaos;
mod checkin_updates;
mod cli;
mod health;
mod manifest;
mod noise;
mod pacing;
mod pmo_loop;
mod processes;
mod replay;
mod service;
mod slack_commands;
mod slack_errors;
mod slack_events;
mod slack_interactions;
mod slack_limits;
mod slack_text;
mod snapshots;
mod socket_mode;
mod store;
mod working_hours;
