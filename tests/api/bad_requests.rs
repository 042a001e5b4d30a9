//! Bad requests get their answers (HTTP status or GraphQL error and code) and leave the server
//! serving: malformed JSON, syntax errors, oversized bodies, too deep or too complex queries,
//! oversized batches, invalid input values, and introspection when it is turned off.

use banso_events::Backend;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::graphql::{World, id, only_error, open_case};
use crate::helpers::{both_backends, metric, spawn_app_with};

both_backends!(bad_requests_get_their_answers_and_the_server_keeps_serving);

const CASE: Uuid = Uuid::from_u128(0xca5);
const COMPANY: Uuid = Uuid::from_u128(0xc5);

/// The input of `discoverCompany` for a new company (a new case), found on `on`, with
/// `corporate_number`.
fn discovery_with(on: &str, corporate_number: &str) -> Value {
    let mut input = crate::graphql::discovery(Uuid::now_v7(), Uuid::now_v7(), on);
    input["company"]["new"]["corporateNumber"] = json!(corporate_number);
    input
}

async fn bad_requests_get_their_answers_and_the_server_keeps_serving(backend: Backend) {
    let Some(app) = spawn_app_with(
        backend,
        &[
            "--max-body-bytes",
            "4096",
            "--max-batch",
            "3",
            "--max-depth",
            "6",
            "--max-complexity",
            "60",
            "--no-introspection",
        ],
        &[],
    )
    .await
    else {
        return;
    };
    let world = World::create(&app).await;
    open_case(&world, CASE, COMPANY).await;
    let api = &world.hub.api;
    let head = api.head().await;
    let errors_before = metric(
        &app.get("/metrics").await.body,
        "banso_graphql_errors_total{code=\"BAD_USER_INPUT\"}",
    );

    // Malformed JSON: the HTTP layer answers 400, before any GraphQL.
    let response = api
        .post_raw("application/json", r#"{"query": "{ me { kind } }""#)
        .await;
    assert_eq!(response.status, 400, "{response:?}");
    assert!(
        response.body.starts_with("Invalid request: "),
        "{}",
        response.body
    );
    let response = api.post_raw("application/json", "[1, 2").await;
    assert_eq!(response.status, 400, "{response:?}");

    // A syntax error in the query: a GraphQL error (HTTP 200) pointing at where it is.
    let response = api.request("{ me { kind }", json!({})).await;
    assert_eq!(response["data"], Value::Null, "{response}");
    let error = only_error(&response);
    assert!(error.message.contains("expected"), "{}", error.raw);
    assert_eq!(error.raw["locations"], json!([{ "line": 1, "column": 14 }]));
    assert_eq!(
        error.code, None,
        "parse errors carry no code of Banso's: {}",
        error.raw
    );

    // A body over --max-body-bytes: 413; one just under it is served.
    let padded = format!("# {}\n{{ me {{ kind }} }}", "x".repeat(3900));
    let small = json!({ "query": padded }).to_string();
    assert!(small.len() < 4096);
    let response = api.post_raw("application/json", &small).await;
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(response.body, r#"{"data":{"me":{"kind":"supporter"}}}"#);
    let big =
        json!({ "query": "{ me { kind } }", "variables": { "p": "x".repeat(5000) } }).to_string();
    let response = api.post_raw("application/json", &big).await;
    assert_eq!(response.status, 413, "{response:?}");

    // Deeper than --max-depth 6.
    let deep = "{ cases(first: 1) { edges { node { company { benchmarkHistory { indicators { label } } } } } } }";
    let response = api.request(deep, json!({})).await;
    assert_eq!(response["data"], Value::Null);
    let error = only_error(&response);
    assert_eq!(error.message, "Query is nested too deep.", "{}", error.raw);
    // More complex than --max-complexity 60: a connection counts its page.
    let complex = "{ cases(first: 100) { edges { node { id stage } } } }";
    let response = api.request(complex, json!({})).await;
    assert_eq!(response["data"], Value::Null);
    let error = only_error(&response);
    assert_eq!(error.message, "Query is too complex.", "{}", error.raw);
    let within = api
        .data(
            "{ cases(first: 2) { edges { node { id stage } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        within["cases"]["edges"],
        json!([{ "node": { "id": CASE, "stage": "ISSUE_SETTING" } }])
    );

    // A batch over --max-batch 3: refused as a whole; three are served.
    let one = json!({ "query": "{ me { kind } }" });
    let batch = |n: usize| Value::Array(vec![one.clone(); n]).to_string();
    let response = api.post_raw("application/json", &batch(4)).await;
    assert_eq!(response.status, 200);
    let response: Value = serde_json::from_str(&response.body).unwrap();
    let error = only_error(&response);
    assert_eq!(error.code(), "BAD_USER_INPUT");
    assert_eq!(
        error.message,
        "一度に送れるクエリは 3 件までです（4 件ありました）。分けて送ってください。"
    );
    let response = api.post_raw("application/json", &batch(3)).await;
    let response: Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(
        response,
        Value::Array(vec![
            json!({ "data": { "me": { "kind": "supporter" } } });
            3
        ])
    );

    // Invalid input values: BAD_USER_INPUT naming the field, in Japanese.
    let bad_date = api
        .mutate_with(
            "discoverCompany",
            discovery_with("2025-13-01", crate::graphql::CORPORATE_NUMBER),
            Default::default(),
            crate::graphql::BRIEF_RESULT,
        )
        .await
        .expect_err("month 13");
    assert_eq!(bad_date.code(), "BAD_USER_INPUT");
    assert_eq!(bad_date.field.as_deref(), Some("on"));
    assert_eq!(bad_date.rule.as_deref(), Some("invalid_input"));
    assert_eq!(
        bad_date.message,
        "日付「2025-13-01」を読めません。YYYY-MM-DD の形（例: 2025-04-01）で入力してください。"
    );
    let bad_number = api
        .mutate_with(
            "discoverCompany",
            discovery_with("2026-04-06", "2180301018771"),
            Default::default(),
            crate::graphql::BRIEF_RESULT,
        )
        .await
        .expect_err("a wrong check digit");
    assert_eq!(bad_number.code(), "BAD_USER_INPUT");
    assert_eq!(
        bad_number.field.as_deref(),
        Some("company.new.corporateNumber")
    );
    assert_eq!(
        bad_number.message,
        "法人番号の先頭の数字（チェックデジット）が合いません。後ろの12桁からは先頭が「1」になるはずです（入力は「2」）。打ち間違いがないか確かめてください。"
    );
    let statements = |sales: i64, employees: i64| {
        json!({ "caseId": CASE, "fiscalYear": 2025, "statements": {
            "sales": sales, "operatingProfit": 0, "depreciation": 0, "borrowings": 0,
            "cashAndDeposits": 0, "accountsReceivable": 0, "notesReceivable": 0, "inventory": 0,
            "accountsPayable": 0, "notesPayable": 0, "netAssets": 0, "totalAssets": 1,
            "employees": employees } })
    };
    let negative_yen = api
        .mutate_with(
            "recordFinancialStatements",
            statements(-5_000_000, 3),
            Default::default(),
            crate::graphql::BRIEF_RESULT,
        )
        .await
        .expect_err("negative sales");
    assert_eq!(negative_yen.code(), "BAD_USER_INPUT");
    assert_eq!(negative_yen.field.as_deref(), Some("statements.sales"));
    assert_eq!(
        negative_yen.message,
        "「売上高」は0以上の金額で入力してください（-5,000,000円になっています）。"
    );
    let negative_count = api
        .mutate_with(
            "recordFinancialStatements",
            statements(1, -3),
            Default::default(),
            crate::graphql::BRIEF_RESULT,
        )
        .await
        .expect_err("negative employees");
    assert_eq!(negative_count.code(), "BAD_USER_INPUT");
    assert_eq!(
        negative_count.field.as_deref(),
        Some("statements.employees")
    );
    assert_eq!(
        negative_count.message,
        "人数・件数は0以上の整数で入力してください（-3は負の数です）。"
    );

    // Introspection is off: the schema answers nothing about itself.
    let response = api
        .request("{ __schema { types { name } } }", json!({}))
        .await;
    assert_eq!(response, json!({ "data": { "__schema": null } }));
    let response = api
        .request(
            "{ __type(name: \"Case\") { name fields { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(response, json!({ "data": { "__type": null } }));

    // The server is still up and answers as before; nothing was appended.
    let health = app.get("/health").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    let me = api.data("{ me { kind supporterId } }", json!({})).await;
    assert_eq!(
        me["me"],
        json!({ "kind": "supporter", "supporterId": id(0x51) })
    );
    assert_eq!(api.head().await, head);
    // Every GraphQL error above is counted as the client's input (the 400 and 413 answers
    // never reach GraphQL): syntax, depth, complexity, batch, and four invalid values.
    let errors_after = metric(
        &app.get("/metrics").await.body,
        "banso_graphql_errors_total{code=\"BAD_USER_INPUT\"}",
    );
    assert_eq!(errors_after - errors_before, 8);
    app.finish().await;
}

/// GraphQL errors' `locations` are 1-based (GraphQL spec, 7.1.2 "Errors": "both positive
/// numbers starting from 1"). The errors the server makes before the schema runs (a bad token,
/// a batch too large) point at no place in the document, so they must have no location, not
/// line 0, column 0.
#[tokio::test]
async fn errors_made_before_the_schema_runs_name_no_impossible_location() {
    let app = spawn_app_with(Backend::Sqlite, &["--max-batch", "1"], &[])
        .await
        .unwrap();
    let forged = crate::graphql::Gql::new(app.addr, Some(&format!("banso_{}", "f".repeat(64))));
    let bad_token = forged.request("{ me { kind } }", json!({})).await;
    let batch = forged
        .post_raw(
            "application/json",
            r#"[{"query":"{ me { kind } }"},{"query":"{ me { kind } }"}]"#,
        )
        .await;
    let batch: Value = serde_json::from_str(&batch.body).unwrap();
    for response in [bad_token, batch] {
        let error = only_error(&response);
        assert!(error.code.is_some(), "{response}");
        if let Some(locations) = error.raw.get("locations") {
            for location in locations.as_array().unwrap() {
                assert!(
                    location["line"].as_u64() >= Some(1) && location["column"].as_u64() >= Some(1),
                    "an impossible location: {response}"
                );
            }
        }
    }
    app.finish().await;
}
