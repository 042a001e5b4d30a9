//! The HTTP server (poem): `/health`, the GraphQL API on `POST /graphql` and GraphiQL on
//! `GET /graphql`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use async_graphql_poem::GraphQL;
use banso_events::EventStore;
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use poem::middleware::Tracing;
use poem::web::{Data, Html};
use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, Server, get, handler, post};

use crate::config::ServerSettings;

/// How long `/health` waits for the store before it answers 503.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// How long requests in flight may take to finish once shutdown has begun.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The server, bound to its address but not yet serving.
pub struct Application {
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
    store: EventStore,
    settings: ServerSettings,
}

impl Application {
    /// Bind the listening socket. With port 0 the system picks the port: see [`Self::local_addr`].
    pub async fn bind(settings: ServerSettings, store: EventStore) -> io::Result<Self> {
        let acceptor = TcpListener::bind(settings.bind).into_acceptor().await?;
        let local_addr = acceptor
            .local_addr()
            .iter()
            .find_map(|addr| addr.as_socket_addr().copied())
            .ok_or_else(|| io::Error::other("the listener reports no socket address"))?;
        Ok(Self {
            acceptor,
            local_addr,
            store,
            settings,
        })
    }

    /// The address actually listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serve until `shutdown` completes, then let requests in flight finish (for a while).
    /// The store stays open: closing it is the caller's job.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let app = routes(self.store, &self.settings);
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, shutdown, Some(SHUTDOWN_GRACE))
            .await
    }
}

/// Every route of the server, on `store`.
pub fn routes(store: EventStore, settings: &ServerSettings) -> impl Endpoint + 'static {
    let services = banso_graphql::Services {
        lifecycle: banso_events::domain::service::Lifecycle::new(store.clone()),
        read: banso_projections::ReadModels {},
        today: std::sync::Arc::new(crate::clock::today_in_japan),
    };
    let api = GraphQL::new(banso_graphql::schema(services));
    let graphql = if settings.graphiql {
        get(graphiql_page).post(api)
    } else {
        post(api)
    };
    Route::new()
        .at("/health", get(health))
        .at("/graphql", graphql)
        .data(store)
        .with(Tracing)
}

/// 200 `ok` when the store answers, 503 with a short reason when it does not.
#[handler]
async fn health(Data(store): Data<&EventStore>) -> Response {
    match tokio::time::timeout(HEALTH_TIMEOUT, store.head()).await {
        Ok(Ok(_)) => "ok".into_response(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "health check: the event store failed");
            unavailable("event store unavailable")
        }
        Err(_) => {
            tracing::warn!(timeout = ?HEALTH_TIMEOUT, "health check: the event store timed out");
            unavailable("event store timed out")
        }
    }
}

fn unavailable(reason: &'static str) -> Response {
    reason
        .with_status(StatusCode::SERVICE_UNAVAILABLE)
        .into_response()
}

/// GraphiQL, pointed at the API on the same path.
#[handler]
fn graphiql_page() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("Banso GraphQL")
            .finish(),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use banso_events::StoreConfig;
    use poem::Request;
    use poem::http::Method;

    use super::*;

    async fn sqlite_store() -> (EventStore, std::path::PathBuf) {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "banso-server-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("events.db").display());
        let store = EventStore::connect(&url, &StoreConfig::default())
            .await
            .unwrap();
        (store, dir)
    }

    fn settings(graphiql: bool) -> ServerSettings {
        ServerSettings {
            bind: "127.0.0.1:0".parse().unwrap(),
            graphiql,
        }
    }

    #[tokio::test]
    async fn health_is_503_with_a_reason_when_the_store_does_not_answer() {
        let (store, dir) = sqlite_store().await;
        let app = routes(store.clone(), &settings(true));
        store.close().await;

        let response = app
            .get_response(Request::builder().uri_str("/health").finish())
            .await;

        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = response.into_body().into_string().await.unwrap();
        assert_eq!(body, "event store unavailable");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn get_graphql_is_refused_when_graphiql_is_off() {
        let (store, dir) = sqlite_store().await;
        let request = || {
            Request::builder()
                .method(Method::GET)
                .uri_str("/graphql")
                .finish()
        };

        let on = routes(store.clone(), &settings(true))
            .get_response(request())
            .await;
        let off = routes(store.clone(), &settings(false))
            .get_response(request())
            .await;

        assert_eq!(on.status(), StatusCode::OK);
        assert_eq!(off.status(), StatusCode::METHOD_NOT_ALLOWED);
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
