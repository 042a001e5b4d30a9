//! Banso's GraphQL schema: the types and resolvers clients see, independent of any HTTP framework.
//!
//! Start from [`schema`], which builds a [`BansoSchema`] around an [`EventStore`]. The server
//! (poem, in the `banso` binary) only mounts the schema on a route; this crate knows nothing
//! about HTTP, poem or configuration, in the manner of async-graphql's `models` examples.
//!
//! Errors reaching clients carry a stable `extensions.code` (see [`ErrorCode`]); the details of
//! technical faults are logged, never sent.

mod error;
mod query;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use banso_events::EventStore;

pub use error::ErrorCode;
pub use query::{QueryRoot, StoreStatus};

/// The schema served at `/graphql`.
pub type BansoSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// The schema, with `store` in its data for the resolvers.
pub fn schema(store: EventStore) -> BansoSchema {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .data(store)
        .finish()
}
