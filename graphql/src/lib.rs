//! Banso's GraphQL schema: the types and resolvers clients see, independent of any HTTP framework.
//!
//! Start from [`schema`], which builds a [`BansoSchema`] around the [`Services`] (the domain's
//! command service and the read models). The server (poem, in the `banso` binary) only mounts
//! the schema on a route and puts the request's [`Principal`] in its data; this crate knows
//! nothing about HTTP, poem or configuration, in the manner of async-graphql's `models` examples.
//!
//! Errors reaching clients carry a stable `extensions.code` (see [`ErrorCode`]); the details of
//! technical faults are logged, never sent.

mod context;
mod error;
mod mutation;
mod query;
mod vocab;

use async_graphql::{EmptySubscription, Schema};

pub use context::{Principal, Services, Today};
pub use error::ErrorCode;
pub use mutation::{CommandResult, MutationRoot};
pub use query::{QueryRoot, StoreStatus};

/// The schema served at `/graphql`.
pub type BansoSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The schema, with `services` in its data for the resolvers.
pub fn schema(services: Services) -> BansoSchema {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .data(services)
        .finish()
}
