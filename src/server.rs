//! The HTTP server (poem): `/health`, `/metrics`, the GraphQL API on `POST /graphql`,
//! subscriptions on `/graphql/ws` (WebSocket) and GraphiQL on `GET /graphql`.
//!
//! Every request's bearer token is looked up here and its [`Principal`] put in the GraphQL
//! request's data; the schema (in `banso-graphql`) decides what the principal may do.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource};
use async_graphql::{BatchRequest, Data as GqlData, ErrorExtensions};
use async_graphql_poem::{
    GraphQLBatchRequest, GraphQLBatchResponse, GraphQLProtocol, GraphQLWebSocket,
};
use banso_events::EventStore;
use banso_graphql::{BansoSchema, Credentials, ErrorCode, Principal};
use banso_projections::ReadModels;
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use poem::middleware::{SizeLimit, Tracing};
use poem::web::websocket::WebSocket;
use poem::web::{Data, Html};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, Server, get, handler};

use crate::config::ServerSettings;
use crate::metrics::Metrics;
use crate::tokens::Tokens;

/// How long `/health` waits for the store before it answers 503.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// How long requests in flight may take to finish once shutdown has begun.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// What every handler shares.
pub struct AppState {
    pub schema: BansoSchema,
    pub tokens: Tokens,
    pub store: EventStore,
    pub read: ReadModels,
    pub metrics: Metrics,
    pub max_batch: usize,
}

/// The server, bound to its address but not yet serving.
pub struct Application {
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
    state: Arc<AppState>,
    settings: ServerSettings,
}

impl Application {
    /// Bind the listening socket. With port 0 the system picks the port: see [`Self::local_addr`].
    pub async fn bind(settings: ServerSettings, state: Arc<AppState>) -> io::Result<Self> {
        let acceptor = TcpListener::bind(settings.bind).into_acceptor().await?;
        let local_addr = acceptor
            .local_addr()
            .iter()
            .find_map(|addr| addr.as_socket_addr().copied())
            .ok_or_else(|| io::Error::other("the listener reports no socket address"))?;
        Ok(Self {
            acceptor,
            local_addr,
            state,
            settings,
        })
    }

    /// The address actually listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serve until `shutdown` completes, then let requests in flight (and the appends they
    /// started) finish, for a while. The store stays open: closing it is the caller's job.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let app = routes(self.state, &self.settings);
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, shutdown, Some(SHUTDOWN_GRACE))
            .await
    }
}

/// Every route of the server.
pub fn routes(state: Arc<AppState>, settings: &ServerSettings) -> impl Endpoint + 'static {
    // The body limit guards the API's POST only: GET (GraphiQL) has no body to limit.
    let post = graphql.with(SizeLimit::new(settings.max_body_bytes));
    let api = if settings.graphiql {
        get(graphiql_page).post(post)
    } else {
        poem::post(post)
    };
    Route::new()
        .at("/health", get(health))
        .at("/metrics", get(metrics))
        .at("/graphql", api)
        .at("/graphql/ws", get(subscriptions))
        .data(state)
        .with(Tracing)
}

/// The bearer token of `req`, if it carries one.
fn bearer(req: &Request) -> Option<&str> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A response of one GraphQL error with `code`, for what fails before the schema runs.
fn error_response(code: ErrorCode, message: &str) -> async_graphql::BatchResponse {
    // No location: the error is about the request, not a place in the query.
    let mut error = async_graphql::ServerError::new(message, None);
    error.extensions = async_graphql::Error::new(message)
        .extend_with(|_, e| e.set("code", code.as_str()))
        .extensions;
    async_graphql::BatchResponse::Single(async_graphql::Response::from_errors(vec![error]))
}

#[handler]
async fn graphql(
    req: &Request,
    Data(state): Data<&Arc<AppState>>,
    GraphQLBatchRequest(batch): GraphQLBatchRequest,
) -> GraphQLBatchResponse {
    state.metrics.request();
    if let BatchRequest::Batch(requests) = &batch
        && requests.len() > state.max_batch
    {
        state.metrics.error(ErrorCode::BadUserInput);
        return GraphQLBatchResponse(error_response(
            ErrorCode::BadUserInput,
            &format!(
                "一度に送れるクエリは {} 件までです（{} 件ありました）。分けて送ってください。",
                state.max_batch,
                requests.len()
            ),
        ));
    }
    let principal = match bearer(req) {
        None => None,
        Some(token) => match state.tokens.authenticate(token).await {
            Ok(Some(principal)) => Some(principal),
            Ok(None) => {
                state.metrics.error(ErrorCode::Unauthenticated);
                return GraphQLBatchResponse(error_response(
                    ErrorCode::Unauthenticated,
                    "トークンが無効か、取り消されています。banso token issue で新しいトークンを発行してください。",
                ));
            }
            Err(error) => {
                tracing::error!(%error, "could not look up a token");
                state.metrics.error(ErrorCode::Internal);
                return GraphQLBatchResponse(error_response(
                    ErrorCode::Internal,
                    "internal error: the details have been logged",
                ));
            }
        },
    };
    let batch = match principal {
        Some(principal) => batch.data(principal),
        None => batch,
    };
    let response = state.schema.execute_batch(batch).await;
    state.metrics.count_errors(&response);
    GraphQLBatchResponse(response)
}

/// The principal of a WebSocket connection: from the upgrade request's `Authorization`
/// header, or from `connection_init`'s payload (`{"Authorization": "Bearer ..."}`, as
/// browsers cannot set headers on a WebSocket).
async fn websocket_principal(
    tokens: Tokens,
    header: Option<String>,
    payload: serde_json::Value,
) -> async_graphql::Result<GqlData> {
    let from_payload = ["Authorization", "authorization", "token"]
        .iter()
        .find_map(|key| payload.get(*key).and_then(|v| v.as_str()))
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned());
    let mut data = GqlData::default();
    let Some(token) = from_payload.or(header) else {
        return Ok(data);
    };
    match tokens.authenticate(&token).await {
        Ok(Some(principal)) => {
            data.insert::<Principal>(principal);
            // Subscriptions ask again before each delivery: a revoked token stops them.
            data.insert(Credentials(Arc::new(move || {
                let tokens = tokens.clone();
                let token = token.clone();
                Box::pin(async move { matches!(tokens.authenticate(&token).await, Ok(Some(_))) })
            })));
            Ok(data)
        }
        Ok(None) => Err(async_graphql::Error::new(
            "UNAUTHENTICATED: トークンが無効か、取り消されています。",
        )),
        Err(error) => {
            tracing::error!(%error, "could not look up a token");
            Err(async_graphql::Error::new("INTERNAL"))
        }
    }
}

#[handler]
async fn subscriptions(
    req: &Request,
    websocket: WebSocket,
    protocol: GraphQLProtocol,
    Data(state): Data<&Arc<AppState>>,
) -> impl IntoResponse {
    let schema = state.schema.clone();
    let tokens = state.tokens.clone();
    let header = bearer(req).map(str::to_owned);
    websocket
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload| websocket_principal(tokens, header, payload))
                .serve()
        })
}

/// 200 `ok` when the store answers, 503 with a short reason when it does not.
#[handler]
async fn health(Data(state): Data<&Arc<AppState>>) -> Response {
    match tokio::time::timeout(HEALTH_TIMEOUT, state.store.head()).await {
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

/// Prometheus text: requests, errors by code, the store's head, each read model's position
/// and lag.
#[handler]
async fn metrics(Data(state): Data<&Arc<AppState>>) -> Response {
    let head = state.store.head().await.ok();
    let projections = state.read.status().await.unwrap_or_default();
    state
        .metrics
        .render(head, &projections)
        .with_content_type("text/plain; version=0.0.4")
        .into_response()
}

fn unavailable(reason: &'static str) -> Response {
    reason
        .with_status(StatusCode::SERVICE_UNAVAILABLE)
        .into_response()
}

/// GraphiQL, pointed at the API and its subscriptions.
#[handler]
fn graphiql_page() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("Banso GraphQL")
            .finish(),
    )
}
