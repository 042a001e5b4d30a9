//! Banso's read models and the runner that feeds them from the event store.
//!
//! Empty until the first read models arrive (issue 4): the runner will follow
//! `banso_events::EventStore::subscribe`, write each read model together with its checkpoint in
//! one transaction, and rebuild a read model from position 0 into fresh tables.
