//! The query root and what it returns.

use async_graphql::{Context, Object, Result, SimpleObject};
use crate::context::services;
use crate::error::internal;

/// The entry point of every query.
pub struct QueryRoot;

/// The entry point of every query (クエリ).
#[Object]
impl QueryRoot {
    /// The state of the event store (イベントストアの状態).
    async fn store_status(&self, ctx: &Context<'_>) -> Result<StoreStatus> {
        let store = services(ctx)?.lifecycle.store();
        let head = store
            .head()
            .await
            .map_err(|e| internal("could not read the event store's head", e))?;
        Ok(StoreStatus {
            backend: store.backend().name().to_owned(),
            head: head.to_string(),
        })
    }
}

/// The state of the event store (イベントストアの状態).
#[derive(Clone, Debug, PartialEq, Eq, SimpleObject)]
pub struct StoreStatus {
    /// The database that holds the events: `sqlite` or `postgres` (バックエンド).
    pub backend: String,
    /// The position of the last event readers can see, `0` when the store is empty (先頭位置).
    /// A decimal string because positions are 64-bit and GraphQL's `Int` is 32-bit.
    pub head: String,
}
