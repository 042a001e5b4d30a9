//! Typed settings. Only the binary (`src/`) reads configuration or the environment; the
//! library crates receive these values.

use std::fmt;
use std::net::SocketAddr;

use banso_events::{StoreConfig, redact};

/// Where the events live when nothing else is said: a SQLite file next to the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/banso.db";

/// The address `banso serve` listens on when nothing else is said.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// How to reach the event store.
#[derive(Clone)]
pub struct DatabaseSettings {
    url: String,
    store: StoreConfig,
}

impl DatabaseSettings {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            store: StoreConfig::default(),
        }
    }

    /// The URL as given, password included: pass it to the store, never to a log.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL without its password, for messages and logs.
    pub fn redacted_url(&self) -> String {
        redact(&self.url)
    }

    pub fn store_config(&self) -> &StoreConfig {
        &self.store
    }

    /// Where the read models live: beside a SQLite store, inside a PostgreSQL one.
    pub fn read_url(&self) -> String {
        banso_projections::read_url_for(&self.url)
    }
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &self.redacted_url())
            .field("store", &self.store)
            .finish()
    }
}

/// How to serve HTTP.
#[derive(Clone, Debug)]
pub struct ServerSettings {
    /// The address to listen on; port 0 asks the system for a free port.
    pub bind: SocketAddr,
    /// Whether GET /graphql serves GraphiQL.
    pub graphiql: bool,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The most operations in one batched request.
    pub max_batch: usize,
    /// Query depth, complexity and introspection.
    pub limits: banso_graphql::Limits,
    /// Load the demo data set before serving.
    pub demo: bool,
    /// The policy office's weights for scoring good-practice candidates.
    pub weights: std::sync::Arc<banso_projections::practice::Weights>,
    /// The fewest distinct companies a policy statistic may be built from before it is
    /// suppressed (`--stats-min-companies`, `BANSO_STATS_MIN_COMPANIES`; at least 1, default 5).
    pub stats_min_companies: banso_projections::statistics::MinCompanies,
}

impl ServerSettings {
    /// The defaults of `banso serve`, listening on `bind`.
    pub fn new(bind: SocketAddr) -> Self {
        Self {
            bind,
            graphiql: true,
            max_body_bytes: 1_048_576,
            max_batch: 10,
            limits: banso_graphql::Limits::default(),
            demo: false,
            weights: std::sync::Arc::default(),
            stats_min_companies: banso_projections::statistics::MinCompanies::DEFAULT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_database_password() {
        let settings = DatabaseSettings::new("postgres://banso:s3cret@db:5432/banso");
        let shown = format!("{settings:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://banso:***@db:5432/banso"),
            "{shown}"
        );
    }
}
