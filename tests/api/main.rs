//! End-to-end tests of the `banso` binary: the real executable, a fresh database per test, on
//! SQLite and (when `BANSO_TEST_POSTGRES_URL` is set) PostgreSQL.

mod graphql;
mod helpers;

mod access;
mod bad_requests;
mod commands;
mod operations;
mod practice;
mod projections;
mod serve;
mod statistics;
mod story;
mod subscriptions;
