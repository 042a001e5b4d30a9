//! The support-lifecycle domain: commands a supporter issues, the rules that accept or refuse
//! them, and the events they append.
//!
//! Pure: nothing here touches the store or the clock. [`service`] is the thin layer that loads
//! streams, asks the domain to decide, and appends the result.

pub mod command;
pub mod decide;
pub mod directory;
pub mod error;
pub mod event;
pub mod ids;
pub mod japan;
pub mod localbench;
pub mod personal;
pub mod refusal;
pub mod service;
pub mod snapshot;
pub mod state;
pub mod values;
pub mod vocab;
