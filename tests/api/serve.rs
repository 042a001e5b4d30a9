//! `banso serve`: health check, GraphQL, GraphiQL and a clean stop.

use banso_events::Backend;
use serde_json::json;

use crate::helpers::{both_backends, http, spawn_app, spawn_app_with};

both_backends!(
    health_is_ok_while_the_store_answers,
    graphql_reports_the_backend_and_head_of_a_new_store,
);

async fn health_is_ok_while_the_store_answers(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app.get("/health").await;

    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(response.body, "ok");
    app.finish().await;
}

async fn graphql_reports_the_backend_and_head_of_a_new_store(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app.graphql("{ storeStatus { backend head } }").await;

    assert_eq!(
        response,
        json!({ "data": { "storeStatus": { "backend": backend.name(), "head": "0" } } })
    );
    app.finish().await;
}

#[tokio::test]
async fn graphiql_is_served_on_get_graphql_by_default() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();

    let response = app.get("/graphql").await;

    assert_eq!(response.status, 200);
    assert!(
        response
            .header("content-type")
            .is_some_and(|v| v.starts_with("text/html")),
        "{:?}",
        response.headers
    );
    assert!(response.body.contains("graphiql"), "{}", response.body);
    app.finish().await;
}

#[tokio::test]
async fn banso_graphiql_false_turns_graphiql_off_but_not_the_api() {
    let app = spawn_app_with(Backend::Sqlite, &[], &[("BANSO_GRAPHIQL", "false")])
        .await
        .unwrap();

    let page = app.get("/graphql").await;
    let api = app.graphql("{ storeStatus { backend } }").await;

    assert_eq!(page.status, 405, "{page:?}");
    assert_eq!(
        api,
        json!({ "data": { "storeStatus": { "backend": "sqlite" } } })
    );
    app.finish().await;
}

#[tokio::test]
async fn sigterm_stops_the_server_and_closes_its_port() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let addr = app.addr;
    assert_eq!(app.get("/health").await.status, 200);

    // `finish` sends SIGTERM and asserts a zero exit status.
    app.finish().await;

    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "{addr} still accepts connections after the server stopped"
    );
}

#[tokio::test]
async fn an_unknown_path_is_404() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();

    let response = http(app.addr, "GET", "/nope", None).await;

    assert_eq!(response.status, 404);
    app.finish().await;
}
