//! Subscriptions over WebSocket: a case's timeline and an agency's handover inbox follow the
//! mutations made over HTTP, each entry once and in order; another agency is refused.

use banso_events::Backend;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::graphql::{
    Gql, World, Ws, handover_request, issue_supporter_token, open_case, timeline,
};
use crate::helpers::{both_backends, run_banso, spawn_app};

both_backends!(
    subscriptions_deliver_every_new_entry_once_and_in_order,
    a_timeline_subscription_stops_with_forbidden_once_the_case_moves_away,
    a_subscription_stops_delivering_once_its_token_is_revoked,
);

const CASE: Uuid = Uuid::from_u128(0xca6);
const COMPANY: Uuid = Uuid::from_u128(0xc6);
const ISSUE: Uuid = Uuid::from_u128(0x1a);
const MEASURE: Uuid = Uuid::from_u128(0x3a);
const KPI: Uuid = Uuid::from_u128(0x4a);
const HANDOVER: Uuid = Uuid::from_u128(0x6a);

const TIMELINE: &str = "subscription($c: UUID!, $after: String) { \
    caseTimeline(caseId: $c, after: $after) { position caseId streamType version eventType label \
      actorName agencyName happenedOn } }";

const INBOX: &str = "subscription($after: String) { handoverInbox(after: $after) { \
    id caseId companyName fromAgencyName toAgencyName status statusLabel requestedOn decidedOn \
    answer senderStays } }";

/// The next `next` message of the graphql-transport-ws subscription `id`: its payload.
async fn next_payload(ws: &mut Ws, id: &str) -> Value {
    let message = ws.recv().await;
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(message["id"], id, "{message}");
    message["payload"].clone()
}

/// The next `data` message of the older graphql-ws subscription `id`: its payload.
async fn data_payload(ws: &mut Ws, id: &str) -> Value {
    let message = ws.recv().await;
    assert_eq!(message["type"], "data", "{message}");
    assert_eq!(message["id"], id, "{message}");
    message["payload"].clone()
}

/// The next timeline entry delivered on `ws`.
async fn next_entry(ws: &mut Ws) -> Value {
    let payload = next_payload(ws, "timeline").await;
    assert!(payload.get("errors").is_none(), "{payload}");
    payload["data"]["caseTimeline"].clone()
}

/// The next handover delivered on the older protocol's `ws`.
async fn next_handover(ws: &mut Ws) -> Value {
    let payload = data_payload(ws, "inbox").await;
    assert!(payload.get("errors").is_none(), "{payload}");
    payload["data"]["handoverInbox"].clone()
}

/// Subscribe to the case's timeline on a new graphql-transport-ws connection, the token in
/// `connection_init`'s payload.
async fn timeline_subscription(api: &Gql, after: Option<u64>) -> Ws {
    let mut ws = Ws::connect(api.addr, "graphql-transport-ws", None).await;
    let payload = match &api.token {
        Some(token) => json!({ "Authorization": format!("Bearer {token}") }),
        None => json!({}),
    };
    ws.init(payload).await;
    ws.send(json!({
        "id": "timeline",
        "type": "subscribe",
        "payload": {
            "query": TIMELINE,
            "variables": { "c": CASE, "after": after.map(|a| a.to_string()) },
        },
    }))
    .await;
    ws
}

/// A subscription that must be refused: one error, then the subscription completes.
async fn refused(api: &Gql) -> Value {
    let mut ws = timeline_subscription(api, None).await;
    let payload = next_payload(&mut ws, "timeline").await;
    assert_eq!(payload["data"], Value::Null, "{payload}");
    let errors = payload["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{payload}");
    let complete = ws.recv().await;
    assert_eq!(complete, json!({ "type": "complete", "id": "timeline" }));
    errors[0].clone()
}

async fn subscriptions_deliver_every_new_entry_once_and_in_order(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let world = World::create(&app).await;
    let (hub, coordinator) = (&world.hub, &world.coordinator);
    open_case(&world, CASE, COMPANY).await;
    // Subscriptions start after a position the client read: nothing before it is delivered,
    // and nothing after it can be missed while the subscription is being set up.
    let start = hub.api.head().await;

    let mut live = timeline_subscription(&hub.api, Some(start)).await;
    // 埼玉県よろず支援拠点's inbox, on the older protocol, the token in the upgrade request.
    let mut inbox = Ws::connect(app.addr, "graphql-ws", coordinator.api.token.as_deref()).await;
    inbox.init(json!({})).await;
    inbox
        .send(json!({
            "id": "inbox",
            "type": "start",
            "payload": { "query": INBOX, "variables": { "after": start.to_string() } },
        }))
        .await;

    // Another agency, and no token at all, are refused.
    let error = refused(&world.outsider.api).await;
    assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{error}");
    assert_eq!(
        error["message"],
        "このケースを参照・操作する権限がありません（存在しない場合も同じ応答です）。"
    );
    let error = refused(&world.policy.api).await;
    assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{error}");
    let error = refused(&world.anonymous).await;
    assert_eq!(error["extensions"]["code"], "UNAUTHENTICATED", "{error}");

    // N mutations over HTTP, by the shinkin bank and then by the receiving agency.
    let mutations: Vec<(&Gql, &str, Value)> = vec![
        (
            &hub.api,
            "holdDialogue",
            json!({ "caseId": CASE, "on": "2026-05-25", "minutes": 120, "mode": "VISIT",
                    "supporters": [hub.id], "notes": [{ "item": "STRENGTHS",
                    "text": "±2μmの微細加工。医療機器向けの試作に強い。" }] }),
        ),
        (
            &hub.api,
            "setIssue",
            json!({ "caseId": CASE, "issueId": ISSUE, "on": "2026-06-10",
                    "title": "受発注業務の効率化", "theme": "IT_ADOPTION", "walls": ["LACKING"],
                    "priority": "HIGH", "ownerAgrees": true }),
        ),
        (
            &hub.api,
            "recordFinancialStatements",
            json!({ "caseId": CASE, "fiscalYear": 2025, "statements": {
                "sales": 480000000, "operatingProfit": 14400000, "depreciation": 12600000,
                "borrowings": 180000000, "cashAndDeposits": 60000000,
                "accountsReceivable": 70000000, "notesReceivable": 10000000,
                "inventory": 30000000, "accountsPayable": 35000000, "notesPayable": 5000000,
                "netAssets": 120000000, "totalAssets": 400000000, "employees": 34 } }),
        ),
        (
            &hub.api,
            "prescribeMeasure",
            json!({ "caseId": CASE, "measureId": MEASURE, "on": "2026-06-20", "issues": [ISSUE],
                    "kind": "IT_ADOPTION", "title": "受発注システムの導入",
                    "owner": { "company": { "team": "業務改善チーム" } },
                    "startsOn": "2026-07-01", "dueOn": "2027-03-31",
                    "kpis": [{ "kpiId": KPI, "name": "受注処理時間", "unit": "分",
                               "baseline": 30, "target": 10 }] }),
        ),
        (
            &hub.api,
            "startMeasure",
            json!({ "caseId": CASE, "measureId": MEASURE, "on": "2026-07-01" }),
        ),
        (
            &hub.api,
            "logProgress",
            json!({ "caseId": CASE, "measureId": MEASURE, "on": "2026-08-01",
                    "note": "製品マスタの整備が完了。", "percent": 30 }),
        ),
        (
            &hub.api,
            "reportStall",
            json!({ "caseId": CASE, "measureId": MEASURE, "on": "2026-08-20", "wall": "LACKING",
                    "note": "入力担当者が足りない。" }),
        ),
        (
            &hub.api,
            "resumeMeasure",
            json!({ "caseId": CASE, "measureId": MEASURE, "on": "2026-09-01" }),
        ),
        (
            &hub.api,
            "requestHandover",
            handover_request(CASE, HANDOVER, "2026-10-13", &[ISSUE]),
        ),
        (
            &coordinator.api,
            "acceptHandover",
            json!({ "caseId": CASE, "handoverId": HANDOVER, "on": "2026-10-20" }),
        ),
    ];
    let mut last_position = String::new();
    for (api, field, input) in mutations {
        let result = api.ok_brief(field, input).await;
        last_position = result["position"].as_str().unwrap().to_owned();
    }

    // The timeline subscription delivers exactly the new entries, in order, as the timeline
    // query shows them.
    let expected = [
        "対話",
        "課題設定",
        "決算情報の登録",
        "施策の処方",
        "施策の開始",
        "施策の進捗",
        "施策の停滞",
        "施策の再開",
        "引継ぎの依頼",
        "引継ぎの受諾",
        "チームへの参加",
    ];
    let mut delivered = Vec::new();
    for _ in expected {
        delivered.push(next_entry(&mut live).await);
    }
    let labels: Vec<&str> = delivered
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, expected);
    let positions: Vec<u64> = delivered
        .iter()
        .map(|e| e["position"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(positions[0] > start, "{positions:?} after {start}");
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "positions not strictly increasing: {positions:?}"
    );
    assert_eq!(delivered.last().unwrap()["position"], last_position);
    let queried: Vec<Value> = timeline(&hub.api, CASE)
        .await
        .into_iter()
        .filter(|e| e["position"].as_str().unwrap().parse::<u64>().unwrap() > start)
        .map(|e| {
            let keep = [
                "position",
                "caseId",
                "streamType",
                "version",
                "eventType",
                "label",
                "actorName",
                "agencyName",
                "happenedOn",
            ];
            Value::Object(
                keep.iter()
                    .map(|k| ((*k).to_owned(), e[*k].clone()))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        delivered, queried,
        "the subscription and the query disagree"
    );
    assert_eq!(delivered[2]["streamType"], "company");
    assert_eq!(delivered[9]["agencyName"], "埼玉県よろず支援拠点");

    // Exactly once: the next message is the next mutation's entry, nothing repeated before it.
    // The shinkin bank stays on the team after the handover, so it still sees the case.
    let measured = hub
        .api
        .ok_brief(
            "measureKpi",
            json!({ "caseId": CASE, "measureId": MEASURE, "kpiId": KPI, "on": "2026-10-30",
                    "value": 18 }),
        )
        .await;
    let entry = next_entry(&mut live).await;
    assert_eq!(entry["label"], "KPIの測定");
    assert_eq!(entry["position"], measured["position"]);

    // The receiving agency's inbox saw the request, then its acceptance, and then the
    // completion: each change once.
    let requested = next_handover(&mut inbox).await;
    assert_eq!(
        requested,
        json!({
            "id": HANDOVER, "caseId": CASE, "companyName": "株式会社川口精密",
            "fromAgencyName": "さくら信用金庫", "toAgencyName": "埼玉県よろず支援拠点",
            "status": "REQUESTED", "statusLabel": "依頼中", "requestedOn": "2026-10-13",
            "decidedOn": null, "answer": null, "senderStays": true,
        })
    );
    let accepted = next_handover(&mut inbox).await;
    assert_eq!(accepted["status"], "ACCEPTED");
    assert_eq!(accepted["statusLabel"], "受諾");
    assert_eq!(accepted["decidedOn"], "2026-10-20");
    coordinator
        .api
        .ok_brief(
            "completeHandover",
            json!({ "caseId": CASE, "handoverId": HANDOVER, "on": "2026-11-02",
                    "outcome": "IT導入計画に着手。" }),
        )
        .await;
    let completed = next_handover(&mut inbox).await;
    assert_eq!(completed["status"], "COMPLETED");
    assert_eq!(completed["answer"], "IT導入計画に着手。");
    let entry = next_entry(&mut live).await;
    assert_eq!(entry["label"], "引継ぎの完了");

    // Stopping a subscription completes it.
    live.send(json!({ "id": "timeline", "type": "complete" }))
        .await;
    inbox.send(json!({ "id": "inbox", "type": "stop" })).await;
    assert_eq!(
        inbox.recv().await,
        json!({ "type": "complete", "id": "inbox" })
    );
    // Open connections would hold up the server's graceful stop.
    drop(live);
    drop(inbox);
    app.finish().await;
}

/// The documented contract ("Stops with `FORBIDDEN` when the supporter's agency may no longer
/// see the case"): once the case is handed over without the sender staying, the sender's
/// subscription answers FORBIDDEN once and completes; later events of the case must not reach
/// it, not even as errors (which would tell the former holder when the case moves).
async fn a_timeline_subscription_stops_with_forbidden_once_the_case_moves_away(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let world = World::create(&app).await;
    let (hub, coordinator) = (&world.hub.api, &world.coordinator.api);
    open_case(&world, CASE, COMPANY).await;
    let mut request = handover_request(CASE, HANDOVER, "2026-10-13", &[]);
    request["senderStays"] = json!(false);
    hub.ok_brief("requestHandover", request).await;
    let start = hub.head().await;
    let mut live = timeline_subscription(hub, Some(start)).await;

    coordinator
        .ok_brief(
            "acceptHandover",
            json!({ "caseId": CASE, "handoverId": HANDOVER, "on": "2026-10-20" }),
        )
        .await;
    // The receiver goes on working on the case.
    coordinator
        .ok_brief(
            "setIssue",
            json!({ "caseId": CASE, "issueId": ISSUE, "on": "2026-10-21",
                    "title": "受発注業務の効率化", "theme": "IT_ADOPTION", "walls": ["LACKING"],
                    "priority": "HIGH", "ownerAgrees": true }),
        )
        .await;
    let seen = hub
        .error(
            "query($id: UUID!) { case(id: $id) { id } }",
            json!({ "id": CASE }),
        )
        .await;
    assert_eq!(
        seen.code(),
        "FORBIDDEN",
        "the sender no longer sees the case"
    );

    let payload = next_payload(&mut live, "timeline").await;
    assert_eq!(payload["data"], Value::Null, "{payload}");
    assert_eq!(
        payload["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{payload}"
    );
    let after = live.recv().await;
    assert_eq!(
        after,
        json!({ "type": "complete", "id": "timeline" }),
        "the subscription goes on after FORBIDDEN"
    );
    drop(live);
    app.finish().await;
}

/// "A revocation takes effect at once" (src/tokens.rs): also for a subscription opened with
/// the token before it was revoked, which must not deliver the case's next entry.
async fn a_subscription_stops_delivering_once_its_token_is_revoked(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let world = World::create(&app).await;
    let hub = &world.hub;
    open_case(&world, CASE, COMPANY).await;
    let (token, token_id) = issue_supporter_token(
        &world.database_url,
        hub.agency,
        hub.id,
        "hub_supporter",
        "e2e: tablet",
    )
    .await;
    let tablet = Gql::new(app.addr, Some(&token));
    let start = hub.api.head().await;
    let mut live = timeline_subscription(&tablet, Some(start)).await;
    let issue = |issue: u128, on: &str| {
        json!({ "caseId": CASE, "issueId": Uuid::from_u128(issue), "on": on,
                "title": "製品別の採算が見えていない", "theme": "MANAGEMENT_IMPROVEMENT",
                "walls": ["INVISIBLE"], "priority": "HIGH", "ownerAgrees": true })
    };
    hub.api
        .ok_brief("setIssue", issue(0x1a, "2026-06-10"))
        .await;
    assert_eq!(next_entry(&mut live).await["label"], "課題設定");

    let revoked = run_banso(&[
        "token",
        "revoke",
        "--database-url",
        &world.database_url,
        &token_id.to_string(),
    ])
    .await;
    assert!(revoked.status.success(), "{}", revoked.stderr);
    let refused = tablet.error("{ me { kind } }", json!({})).await;
    assert_eq!(
        refused.code(),
        "UNAUTHENTICATED",
        "HTTP refuses the token at once"
    );

    hub.api
        .ok_brief("setIssue", issue(0x1b, "2026-06-11"))
        .await;
    match live.next().await {
        // Closed, or an error: the revoked token gets nothing more.
        Err(_) => {}
        Ok(message) if message["type"] == "complete" => {}
        Ok(message) => {
            assert_eq!(message["type"], "next", "{message}");
            assert_eq!(
                message["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                "a revoked token still receives the case's timeline: {message}"
            );
        }
    }
    drop(live);
    app.finish().await;
}
