//! End-to-end tests of the `banso` binary: the real executable, a fresh database per test, on
//! SQLite and (when `BANSO_TEST_POSTGRES_URL` is set) PostgreSQL.

mod helpers;

mod commands;
mod projections;
mod serve;
