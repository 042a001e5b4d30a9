//! The support-lifecycle domain, tested as given / when / then: given these events, when this
//! command, then these events or this refusal. Pure functions: no database, no clock.

mod story;
mod support;

mod company_records;
mod dialogue_and_issues;
mod examples;
mod golden;
mod prescription_and_execution;
mod properties;
mod review_handover_closing;
mod setup;
mod step_zero;
