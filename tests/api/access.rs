//! Who may see and change a case: another agency, a policy officer and the operator get
//! FORBIDDEN with one message whether the case exists or not; no token, a bad one or a
//! revoked one is UNAUTHENTICATED, a revocation at once.

use banso_events::Backend;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::graphql::{
    BRIEF_RESULT, Call, Gql, GqlError, World, discovery, handover_request, id,
    issue_supporter_token, open_case, timeline,
};
use crate::helpers::{both_backends, metric, run_banso, spawn_app};

both_backends!(
    other_agencies_are_forbidden_every_case_query_and_mutation_without_learning_what_exists,
    missing_invalid_and_revoked_tokens_are_unauthenticated_at_once,
    a_command_id_reused_by_another_supporter_is_the_clients_mistake_not_an_internal_error,
    a_confidential_dialogue_note_never_travels_to_the_receiving_agency,
);

/// The one answer for a case one may not see, whether or not it exists.
const NO_ACCESS: &str =
    "このケースを参照・操作する権限がありません（存在しない場合も同じ応答です）。";

const CASE: Uuid = Uuid::from_u128(0xca3);
const COMPANY: Uuid = Uuid::from_u128(0xc3);
const ISSUE: Uuid = Uuid::from_u128(0x1a);
const MEASURE: Uuid = Uuid::from_u128(0x3a);
const KPI: Uuid = Uuid::from_u128(0x4a);
const HANDOVER: Uuid = Uuid::from_u128(0x6a);

/// The case queries, each as (name, query, variables for a case and its company).
fn case_queries(case_id: Uuid, company_id: Uuid) -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "case",
            "query($id: UUID!) { case(id: $id) { id version company { name } } }",
            json!({ "id": case_id }),
        ),
        (
            "caseTimeline",
            "query($id: UUID!) { caseTimeline(caseId: $id) { edges { node { label } } } }",
            json!({ "id": case_id }),
        ),
        (
            "benchmarkHistory",
            "query($c: UUID!) { benchmarkHistory(companyId: $c) { fiscalYear } }",
            json!({ "c": company_id }),
        ),
    ]
}

/// A representative set of mutations on `case_id`, each with input that parses.
fn case_mutations(case_id: Uuid) -> Vec<(&'static str, Value)> {
    let on = "2026-10-01";
    vec![
        (
            "logOutreachVisit",
            json!({ "caseId": case_id, "on": "2026-04-20" }),
        ),
        (
            "holdDialogue",
            json!({ "caseId": case_id, "on": on, "minutes": 60, "mode": "VISIT",
                    "supporters": [id(0x56)], "notes": [{ "text": "社長と面談" }] }),
        ),
        (
            "setIssue",
            json!({ "caseId": case_id, "on": on, "title": "販路の開拓", "theme": "MARKET_DEVELOPMENT",
                    "priority": "HIGH", "ownerAgrees": true }),
        ),
        (
            "reviseIssue",
            json!({ "caseId": case_id, "issueId": ISSUE, "on": on, "title": "販路の開拓",
                    "theme": "MARKET_DEVELOPMENT", "priority": "LOW", "ownerAgrees": true,
                    "reason": "見直し" }),
        ),
        (
            "prescribeMeasure",
            json!({ "caseId": case_id, "on": on, "issues": [ISSUE], "kind": "OTHER", "title": "施策",
                    "owner": { "company": { "team": "営業" } }, "startsOn": on, "dueOn": "2026-12-31",
                    "kpis": [{ "name": "新規顧客数", "unit": "件", "baseline": 0, "target": 5 }] }),
        ),
        (
            "addTeamMember",
            json!({ "caseId": case_id, "supporterId": id(0x56), "role": "PARTNER_AGENCY", "on": on }),
        ),
        (
            "startMeasure",
            json!({ "caseId": case_id, "measureId": MEASURE, "on": on }),
        ),
        (
            "reportStall",
            json!({ "caseId": case_id, "measureId": MEASURE, "on": on, "wall": "LACKING",
                    "note": "人手が足りない" }),
        ),
        (
            "measureKpi",
            json!({ "caseId": case_id, "measureId": MEASURE, "kpiId": KPI, "on": on, "value": 1 }),
        ),
        (
            "holdReview",
            json!({ "caseId": case_id, "on": on, "worked": "なし" }),
        ),
        (
            "recordFinancialStatements",
            json!({ "caseId": case_id, "fiscalYear": 2025, "statements": {
                "sales": 1, "operatingProfit": 0, "depreciation": 0, "borrowings": 0,
                "cashAndDeposits": 0, "accountsReceivable": 0, "notesReceivable": 0, "inventory": 0,
                "accountsPayable": 0, "notesPayable": 0, "netAssets": 0, "totalAssets": 1,
                "employees": 1 } }),
        ),
        (
            "updateCompanyProfile",
            json!({ "caseId": case_id, "employees": 40 }),
        ),
        (
            "requestHandover",
            json!({ "caseId": case_id, "toAgency": id(0xa3), "on": on, "reason": "理由",
                    "summary": "要約" }),
        ),
        (
            "acceptHandover",
            json!({ "caseId": case_id, "handoverId": HANDOVER, "on": on }),
        ),
        (
            "declineHandover",
            json!({ "caseId": case_id, "handoverId": HANDOVER, "on": on, "reason": "対応できない" }),
        ),
        (
            "withdrawHandover",
            json!({ "caseId": case_id, "handoverId": HANDOVER, "on": on, "reason": "取下げ" }),
        ),
        (
            "completeHandover",
            json!({ "caseId": case_id, "handoverId": HANDOVER, "on": on, "outcome": "完了" }),
        ),
        ("withdrawConsent", json!({ "caseId": case_id, "on": on })),
        (
            "reachSelfRunning",
            json!({ "caseId": case_id, "on": on, "evidence": "自走している" }),
        ),
        (
            "closeCase",
            json!({ "caseId": case_id, "on": on, "outcome": "SUSPENDED" }),
        ),
        (
            "nominateGoodPractice",
            json!({ "caseId": case_id, "on": on, "themes": ["PRODUCTIVITY"], "reasons": "好事例" }),
        ),
    ]
}

#[track_caller]
fn assert_no_access(error: &GqlError, what: &str) {
    assert_eq!(error.code(), "FORBIDDEN", "{what}: {}", error.raw);
    assert_eq!(error.message, NO_ACCESS, "{what}");
    assert_eq!(error.field, None, "{what}: {}", error.raw);
    assert_eq!(error.rule, None, "{what}: {}", error.raw);
}

/// Every case query and mutation of `api` on the real case and on a case that does not exist
/// fails alike.
async fn forbidden_everywhere(api: &Gql, who: &str) {
    let (ghost_case, ghost_company) = (Uuid::now_v7(), Uuid::now_v7());
    for ((name, query, real), (_, _, ghost)) in case_queries(CASE, COMPANY)
        .into_iter()
        .zip(case_queries(ghost_case, ghost_company))
    {
        let on_real = api.error(query, real).await;
        let on_ghost = api.error(query, ghost).await;
        assert_no_access(&on_real, &format!("{who}: {name} of a foreign case"));
        // No existence leak: the same error, but for the path.
        assert_eq!(on_real, on_ghost, "{who}: {name}");
    }
    let mutations = case_mutations(CASE);
    assert!(mutations.len() >= 20);
    for ((name, real), (_, ghost)) in mutations.into_iter().zip(case_mutations(ghost_case)) {
        let on_real = api.mutate(name, real).await.expect_err(name);
        let on_ghost = api.mutate(name, ghost).await.expect_err(name);
        assert_no_access(&on_real, &format!("{who}: {name} on a foreign case"));
        assert_eq!(on_real, on_ghost, "{who}: {name}");
    }
}

async fn other_agencies_are_forbidden_every_case_query_and_mutation_without_learning_what_exists(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let world = World::create(&app).await;
    let hub = &world.hub.api;
    open_case(&world, CASE, COMPANY).await;
    hub.ok_brief(
        "setIssue",
        json!({ "caseId": CASE, "issueId": ISSUE, "on": "2026-06-10",
                "title": "製品別の採算が見えていない", "theme": "MANAGEMENT_IMPROVEMENT",
                "walls": ["INVISIBLE"], "priority": "HIGH", "ownerAgrees": true }),
    )
    .await;
    hub.ok_brief(
        "prescribeMeasure",
        json!({ "caseId": CASE, "measureId": MEASURE, "on": "2026-06-20", "issues": [ISSUE],
                "kind": "BUSINESS_PLANNING", "title": "製品別原価計算の導入",
                "owner": { "company": { "team": "経理" } }, "startsOn": "2026-07-01",
                "dueOn": "2026-12-31",
                "kpis": [{ "kpiId": KPI, "name": "営業利益率", "unit": "%", "baseline": 2, "target": 5 }] }),
    )
    .await;
    hub.ok_brief(
        "recordFinancialStatements",
        json!({ "caseId": CASE, "fiscalYear": 2025, "statements": {
            "sales": 480000000, "operatingProfit": 14400000, "depreciation": 12600000,
            "borrowings": 180000000, "cashAndDeposits": 60000000, "accountsReceivable": 70000000,
            "notesReceivable": 10000000, "inventory": 30000000, "accountsPayable": 35000000,
            "notesPayable": 5000000, "netAssets": 120000000, "totalAssets": 400000000,
            "employees": 34 } }),
    )
    .await;
    // A pending handover to 埼玉県よろず支援拠点: not addressed to 川口商工会議所.
    hub.ok_brief(
        "requestHandover",
        handover_request(CASE, HANDOVER, "2026-10-13", &[ISSUE]),
    )
    .await;
    let head = hub.head().await;
    let entries = timeline(hub, CASE).await;
    let version = entries.iter().filter(|e| e["streamType"] == "case").count();
    assert_eq!(version, 5);

    // 川口商工会議所, an agency with no part in the case.
    let outsider = &world.outsider.api;
    forbidden_everywhere(outsider, "another agency").await;
    let own = outsider
        .data(
            "{ cases { edges { node { id } } } pdcaBoard { byStage { cases } } \
               inbox: handoverInbox(direction: INCOMING) { edges { node { id } } } \
               outbox: handoverInbox(direction: OUTGOING) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        own,
        json!({
            "cases": { "edges": [] },
            "pdcaBoard": { "byStage": [] },
            "inbox": { "edges": [] },
            "outbox": { "edges": [] },
        }),
        "another agency's lists show nothing of the case"
    );

    // The holder itself may not answer a handover addressed to another agency.
    let not_receiver = hub
        .mutate(
            "acceptHandover",
            json!({ "caseId": CASE, "handoverId": HANDOVER, "on": "2026-10-20" }),
        )
        .await
        .expect_err("only the receiver accepts");
    assert_eq!(not_receiver.code(), "FORBIDDEN", "{}", not_receiver.raw);
    assert_eq!(not_receiver.rule.as_deref(), Some("receiver_only"));
    assert_eq!(
        not_receiver.message,
        "引継ぎの受諾・辞退は、引継ぎ先の支援機関だけが行えます。"
    );

    // A policy officer works with aggregates only: no case, no list of cases.
    let policy = &world.policy.api;
    forbidden_everywhere(policy, "a policy officer").await;
    for query in [
        "{ cases { edges { node { id } } } }",
        "{ pdcaBoard { byStage { cases } } }",
        "{ handoverInbox(direction: INCOMING) { edges { node { id } } } }",
    ] {
        assert_no_access(&policy.error(query, json!({})).await, query);
    }

    // The operator registers agencies and sees no case either.
    for (name, query, variables) in case_queries(CASE, COMPANY) {
        let error = world.operator.error(query, variables).await;
        assert_no_access(&error, &format!("the operator: {name}"));
    }
    assert_no_access(
        &world
            .operator
            .error("{ cases { edges { node { id } } } }", json!({}))
            .await,
        "the operator: cases",
    );

    // Nothing was appended, and the holder sees its case as it was.
    assert_eq!(hub.head().await, head);
    assert_eq!(timeline(hub, CASE).await, entries);
    let incoming = world
        .coordinator
        .api
        .data(
            "{ handoverInbox(direction: INCOMING, pending: true) { edges { node { id status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        incoming["handoverInbox"]["edges"],
        json!([{ "node": { "id": HANDOVER, "status": "REQUESTED" } }])
    );
    app.finish().await;
}

const UNAUTHENTICATED: &str = "認証が必要です。Authorization: Bearer <トークン> を付けてください（トークンは banso token issue で発行します）。";
const INVALID_TOKEN: &str =
    "トークンが無効か、取り消されています。banso token issue で新しいトークンを発行してください。";

async fn missing_invalid_and_revoked_tokens_are_unauthenticated_at_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let world = World::create(&app).await;
    let case_id = id(0xca4);
    open_case(&world, case_id, id(0xc4)).await;
    let head = world.hub.api.head().await;
    let visit = json!({ "caseId": case_id, "on": "2026-04-20" });
    let case_query = "query($id: UUID!) { case(id: $id) { id } }";

    // No token: every field that needs a principal says so.
    let anonymous = &world.anonymous;
    for (query, variables) in [
        ("{ me { kind } }", json!({})),
        (case_query, json!({ "id": case_id })),
        ("{ cases { edges { node { id } } } }", json!({})),
        ("{ agencies { id } }", json!({})),
    ] {
        let error = anonymous.error(query, variables).await;
        assert_eq!(error.code(), "UNAUTHENTICATED", "{query}: {}", error.raw);
        assert_eq!(error.message, UNAUTHENTICATED);
    }
    let error = anonymous
        .mutate("logOutreachVisit", visit.clone())
        .await
        .expect_err("no token, no command");
    assert_eq!(error.code(), "UNAUTHENTICATED");

    // A token that was never issued, and another scheme than Bearer.
    let forged = Gql::new(app.addr, Some(&format!("banso_{}", "0".repeat(64))));
    let error = forged.error("{ me { kind } }", json!({})).await;
    assert_eq!(error.code(), "UNAUTHENTICATED");
    assert_eq!(error.message, INVALID_TOKEN);
    let basic = crate::helpers::http_with_headers(
        app.addr,
        "POST",
        "/graphql",
        &[("Authorization", "Basic dXNlcjpwYXNz")],
        Some(("application/json", r#"{"query":"{ me { kind } }"}"#)),
    )
    .await;
    let basic: Value = serde_json::from_str(&basic.body).unwrap();
    assert_eq!(basic["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    // A second token of 佐藤 美咲, used, then revoked with the CLI while the server runs.
    let hub = &world.hub;
    let (token, token_id) = issue_supporter_token(
        &world.database_url,
        hub.agency,
        hub.id,
        "hub_supporter",
        "e2e: laptop",
    )
    .await;
    let laptop = Gql::new(app.addr, Some(&token));
    let seen = laptop.data(case_query, json!({ "id": case_id })).await;
    assert_eq!(seen["case"]["id"], json!(case_id));

    let revoked = run_banso(&[
        "token",
        "revoke",
        "--database-url",
        &world.database_url,
        &token_id.to_string(),
    ])
    .await;
    assert!(revoked.status.success(), "{}", revoked.stderr);
    assert_eq!(revoked.stdout, format!("revoked token {token_id}\n"));

    // At once: the very next request is refused as a whole, queries and mutations alike.
    let response = laptop.request(case_query, json!({ "id": case_id })).await;
    assert_eq!(response["data"], Value::Null, "{response}");
    let error = crate::graphql::only_error(&response);
    assert_eq!(error.code(), "UNAUTHENTICATED");
    assert_eq!(error.message, INVALID_TOKEN);
    let error = laptop
        .mutate("logOutreachVisit", visit.clone())
        .await
        .expect_err("a revoked token changes nothing");
    assert_eq!(error.code(), "UNAUTHENTICATED");
    // The supporter's other token still works, and nothing was appended.
    let seen = hub.api.data(case_query, json!({ "id": case_id })).await;
    assert_eq!(seen["case"]["id"], json!(case_id));
    assert_eq!(hub.api.head().await, head);

    // Revoking again is an error, and the list shows the revocation.
    let again = run_banso(&[
        "token",
        "revoke",
        "--database-url",
        &world.database_url,
        &token_id.to_string(),
    ])
    .await;
    assert_eq!(again.status.code(), Some(1));
    assert!(
        again
            .stderr
            .contains(&format!("no active token with id {token_id}")),
        "{}",
        again.stderr
    );
    let listed = run_banso(&["token", "list", "--database-url", &world.database_url]).await;
    assert!(listed.status.success(), "{}", listed.stderr);
    let line = listed
        .stdout
        .lines()
        .find(|l| l.starts_with(&token_id.to_string()))
        .unwrap_or_else(|| panic!("{token_id} not listed: {}", listed.stdout));
    assert!(line.contains("  revoked "), "{line}");
    assert!(line.ends_with("e2e: laptop"), "{line}");
    app.finish().await;
}

/// A command id names one person's command. Another supporter who sends the same id (a
/// client bug, or a guess) must learn nothing about the first command, and is told it is the
/// client's to fix: a client error (`BAD_USER_INPUT` or `CONFLICT`), not `INTERNAL`, which
/// says the server failed and that nothing the client does will help.
async fn a_command_id_reused_by_another_supporter_is_the_clients_mistake_not_an_internal_error(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let world = World::create(&app).await;
    let command_id = Uuid::now_v7();
    let hub_case = id(0xca8);
    let first = world
        .hub
        .api
        .mutate_with(
            "discoverCompany",
            discovery(hub_case, id(0xc8), "2026-04-06"),
            Call {
                command_id: Some(command_id),
                expected_version: None,
            },
            BRIEF_RESULT,
        )
        .await
        .unwrap_or_else(|e| panic!("{}", e.raw));
    assert_eq!(first["caseVersion"], 1);
    let head = world.hub.api.head().await;
    let internal = |metrics: &str| metric(metrics, "banso_graphql_errors_total{code=\"INTERNAL\"}");
    let internal_before = internal(&app.get("/metrics").await.body);

    let outsider_case = id(0xca9);
    let reused = world
        .outsider
        .api
        .mutate_with(
            "discoverCompany",
            discovery(outsider_case, id(0xc9), "2026-04-07"),
            Call {
                command_id: Some(command_id),
                expected_version: None,
            },
            "duplicate position caseVersion streams { id } case { id }",
        )
        .await
        .expect_err("another supporter's command id");
    assert!(
        !reused.raw.to_string().contains(&hub_case.to_string()),
        "the error tells of the first command: {}",
        reused.raw
    );
    assert_eq!(world.hub.api.head().await, head, "nothing appended");
    assert!(
        matches!(reused.code(), "BAD_USER_INPUT" | "CONFLICT"),
        "a reused command id is answered as {}: {}",
        reused.code(),
        reused.raw
    );
    assert_eq!(
        internal(&app.get("/metrics").await.body),
        internal_before,
        "counted as an internal error"
    );
    app.finish().await;
}

/// 秘: "a confidential note never travels in a handover nor appears in a publication"
/// (DialogueNoteInput.confidential; domain.md: "Individual records (a dialogue note, say) can
/// be marked confidential (秘) and then do not travel"). The agency that wrote it keeps it;
/// the agency asked to take the case over, and then holding it, must not read it anywhere.
async fn a_confidential_dialogue_note_never_travels_to_the_receiving_agency(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let world = World::create(&app).await;
    let (hub, coordinator) = (&world.hub.api, &world.coordinator.api);
    let case_id = id(0xcaa);
    open_case(&world, case_id, id(0xca)).await;
    const SECRET: &str = "社長は長男への承継に迷っており、他言しないでほしいとのこと。";
    const OPEN: &str = "営業は社長一人。製品別の採算を誰も把握していない。";
    hub.ok_brief(
        "holdDialogue",
        json!({
            "caseId": case_id, "on": "2026-05-25", "minutes": 150, "mode": "VISIT",
            "supporters": [world.hub.id],
            "notes": [
                { "item": "WEAKNESSES", "text": OPEN },
                { "item": "BUSINESS_SUCCESSION", "text": SECRET, "confidential": true },
            ],
        }),
    )
    .await;
    let dialogue_detail = |entries: &[Value]| {
        entries
            .iter()
            .find(|e| e["label"] == "対話")
            .map(|e| e["detail"].to_string())
            .expect("the dialogue is on the timeline")
    };
    let own = dialogue_detail(&timeline(hub, case_id).await);
    assert!(
        own.contains(OPEN) && own.contains(SECRET),
        "the writer keeps its note: {own}"
    );

    hub.ok_brief(
        "requestHandover",
        handover_request(case_id, HANDOVER, "2026-10-13", &[]),
    )
    .await;
    // Asked to take the case over: the receiver reads the case to decide.
    let asked = dialogue_detail(&timeline(coordinator, case_id).await);
    assert!(asked.contains(OPEN), "{asked}");
    assert!(
        !asked.contains(SECRET),
        "the confidential note reached the agency asked to take the case: {asked}"
    );
    coordinator
        .ok_brief(
            "acceptHandover",
            json!({ "caseId": case_id, "handoverId": HANDOVER, "on": "2026-10-20" }),
        )
        .await;
    let held = dialogue_detail(&timeline(coordinator, case_id).await);
    assert!(held.contains(OPEN), "{held}");
    assert!(
        !held.contains(SECRET),
        "the confidential note travelled with the handover: {held}"
    );
    app.finish().await;
}
