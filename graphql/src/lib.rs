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
mod objects;
mod practice;
mod query;
mod statistics;
mod subscription;
mod vocab;

use async_graphql::Schema;

pub use context::{Credentials, Principal, Services, Today};
pub use error::ErrorCode;
pub use mutation::{CommandResult, MutationRoot};
pub use query::{QueryRoot, StoreStatus};
pub use subscription::SubscriptionRoot;

/// The schema served at `/graphql`.
pub type BansoSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Limits on what one request may ask for.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of selections.
    pub depth: usize,
    /// Highest complexity (each field counts 1; a connection counts `first` times its selection).
    pub complexity: usize,
    /// Whether clients may ask the schema about itself (turn off in production if wanted).
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            depth: 12,
            complexity: 5_000,
            introspection: true,
        }
    }
}

/// The schema, with `services` in its data for the resolvers.
pub fn schema(services: Services, limits: Limits) -> BansoSchema {
    let builder = Schema::build(QueryRoot::default(), MutationRoot, SubscriptionRoot)
        .data(services)
        .limit_depth(limits.depth)
        .limit_complexity(limits.complexity);
    let builder = if limits.introspection {
        builder
    } else {
        builder.disable_introspection()
    };
    builder.finish()
}

/// The schema's SDL, as committed in `graphql/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot::default(), MutationRoot, SubscriptionRoot)
        .finish()
        .sdl()
}
