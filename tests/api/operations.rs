//! What an operator looks at while the server runs: `/metrics`, `banso token list` and
//! `banso projections status`.

use std::time::{Duration, Instant};

use banso_events::Backend;
use serde_json::json;
use uuid::Uuid;

use crate::graphql::{World, open_case};
use crate::helpers::{both_backends, metric, run_banso, spawn_app};

both_backends!(metrics_token_list_and_projection_status_describe_the_running_server);

const PROJECTIONS: [&str; 6] = [
    "directory",
    "cases",
    "timeline",
    "handovers",
    "benchmarks",
    "examples",
];

async fn metrics_token_list_and_projection_status_describe_the_running_server(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let world = World::create(&app).await;
    let case_id = Uuid::from_u128(0xca7);
    open_case(&world, case_id, Uuid::from_u128(0xc7)).await;
    let api = &world.hub.api;
    let head = api.head().await;

    // /metrics: Prometheus text, the counters moving with the requests.
    let before = app.get("/metrics").await;
    assert_eq!(before.status, 200);
    assert_eq!(
        before.header("content-type"),
        Some("text/plain; version=0.0.4")
    );
    let ok = api
        .data(
            "query($id: UUID!) { case(id: $id) { version } }",
            json!({ "id": case_id }),
        )
        .await;
    assert_eq!(ok["case"]["version"], 2);
    let forbidden = world
        .outsider
        .api
        .error(
            "query($id: UUID!) { case(id: $id) { version } }",
            json!({ "id": case_id }),
        )
        .await;
    assert_eq!(forbidden.code(), "FORBIDDEN");
    let conflict = api
        .mutate_with(
            "logOutreachVisit",
            json!({ "caseId": case_id, "on": "2026-04-20" }),
            crate::graphql::Call {
                command_id: None,
                expected_version: Some(1),
            },
            crate::graphql::BRIEF_RESULT,
        )
        .await
        .expect_err("stale");
    assert_eq!(conflict.code(), "CONFLICT");
    let after = app.get("/metrics").await.body;
    for line in [
        "# TYPE banso_graphql_requests_total counter",
        "# TYPE banso_graphql_errors_total counter",
        "# TYPE banso_events_head_position gauge",
        "# TYPE banso_projection_position gauge",
        "# TYPE banso_projection_lag gauge",
    ] {
        assert!(after.lines().any(|l| l == line), "no {line:?} in:\n{after}");
    }
    let requests = "banso_graphql_requests_total";
    assert_eq!(metric(&after, requests) - metric(&before.body, requests), 3);
    for (code, delta) in [
        ("BAD_USER_INPUT", 0),
        ("CONFLICT", 1),
        ("UNAUTHENTICATED", 0),
        ("FORBIDDEN", 1),
        ("NOT_FOUND", 0),
        ("INTERNAL", 0),
    ] {
        let name = format!("banso_graphql_errors_total{{code=\"{code}\"}}");
        assert_eq!(
            metric(&after, &name) - metric(&before.body, &name),
            delta,
            "{name}"
        );
    }
    assert_eq!(metric(&after, "banso_events_head_position"), head);
    // Every read model catches up with the head (a mutation waits for them; poll anyway).
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut text = after;
    loop {
        let lags: Vec<u64> = PROJECTIONS
            .iter()
            .map(|p| {
                metric(
                    &text,
                    &format!("banso_projection_lag{{projection=\"{p}\"}}"),
                )
            })
            .collect();
        if lags.iter().all(|l| *l == 0) {
            break;
        }
        assert!(Instant::now() < deadline, "the read models lag: {lags:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        text = app.get("/metrics").await.body;
    }
    for p in PROJECTIONS {
        let position = metric(
            &text,
            &format!("banso_projection_position{{projection=\"{p}\"}}"),
        );
        assert_eq!(position, head, "{p}");
    }

    // banso token list: every token, newest first, without its secret.
    let listed = run_banso(&["token", "list", "--database-url", &world.database_url]).await;
    assert!(listed.status.success(), "{}", listed.stderr);
    let lines: Vec<&str> = listed.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", listed.stdout);
    assert!(!listed.stdout.contains("banso_"), "a secret is listed");
    for supporter in [
        &world.hub,
        &world.coordinator,
        &world.outsider,
        &world.policy,
    ] {
        let token = supporter.api.token.as_deref().unwrap();
        assert!(!listed.stdout.contains(token));
    }
    let expected = [
        (&world.policy, "policy_officer"),
        (&world.outsider, "accompanying_supporter"),
        (&world.coordinator, "hub_supporter"),
        (&world.hub, "hub_supporter"),
    ];
    for (line, (supporter, role)) in lines.iter().zip(expected) {
        let fields: Vec<&str> = line.split("  ").collect();
        assert_eq!(fields.len(), 5, "{line}");
        assert_eq!(fields[0], supporter.token_id.to_string());
        assert!(fields[1].ends_with('Z'), "an RFC 3339 UTC time: {line}");
        assert_eq!(fields[2], "active");
        assert_eq!(
            fields[3],
            format!(
                "{role} supporter {} of agency {}",
                supporter.id, supporter.agency
            )
        );
        assert_eq!(fields[4], format!("e2e: {}", supporter.name));
    }
    let operator: Vec<&str> = lines[4].split("  ").collect();
    assert_eq!(operator[2..], ["active", "operator", "e2e: operator"]);

    // banso projections status: each read model's generation, position and lag.
    let status = run_banso(&[
        "projections",
        "status",
        "--database-url",
        &world.database_url,
    ])
    .await;
    assert!(status.status.success(), "{}", status.stderr);
    let rows: Vec<Vec<&str>> = status
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    let head_text = head.to_string();
    let expected: Vec<Vec<&str>> = PROJECTIONS
        .iter()
        .map(|p| {
            vec![
                *p,
                "generation",
                "1",
                "position",
                head_text.as_str(),
                "lag",
                "0",
            ]
        })
        .collect();
    assert_eq!(rows, expected, "{}", status.stdout);
    let graphql = api
        .data(
            "{ projections { name generation position lag } }",
            json!({}),
        )
        .await;
    let expected: Vec<_> = PROJECTIONS
        .iter()
        .map(|p| json!({ "name": p, "generation": 1, "position": head_text, "lag": 0 }))
        .collect();
    assert_eq!(graphql["projections"], json!(expected));
    app.finish().await;
}
