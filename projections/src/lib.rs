//! Banso's read models and the runner that feeds them from the event store.
//!
//! [`ReadModels::open`] connects to the read-model database ([`read_url_for`] finds it beside
//! the event store) and creates what is missing; [`ReadModels::spawn_runner`] keeps them up to
//! date; [`ReadModels::wait_for`] lets a writer read its own write; [`ReadModels::rebuild`]
//! rebuilds one from position 0 into fresh tables and switches readers to them. The queries
//! live with their read model in [`models`].
//!
//! This crate knows nothing about GraphQL or HTTP.

mod db;
mod error;
pub mod models;
pub mod practice;
mod projection;
mod rows;
mod runner;
pub mod statistics;
pub mod writeup;

pub use db::{Dialect, ReadDb, Usage, read_url_for};
pub use error::ReadError;
pub use projection::Projection;
pub use runner::{ProjectionStatus, ReadModels};
