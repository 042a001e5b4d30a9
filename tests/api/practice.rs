//! Good practice end to end, on the demo data: candidates with their explanations, who sees
//! which, the review (questions sent back and answered, acceptance), the generated write-up,
//! a draft refused for naming the company, publication, the catalogue's Japanese search and
//! its exports.

use std::collections::BTreeSet;
use std::time::Duration;

use banso::demo::{self, DemoSet};
use banso_events::domain::service::Lifecycle;
use banso_events::domain::vocab::SupporterRole;
use banso_events::{Backend, EventStore, StoreConfig};
use serde_json::{Value, json};

use crate::graphql::{Gql, issue_supporter_token};
use crate::helpers::{TestApp, both_backends, spawn_app};

both_backends!(candidates_review_publication_and_the_catalogue_on_the_demo);

/// Load the demo into `app`'s database through the domain, as `banso demo` does.
async fn load_demo(app: &TestApp) -> DemoSet {
    let store = EventStore::connect(&app.database.url, &StoreConfig::default())
        .await
        .unwrap();
    let set = demo::load(
        &Lifecycle::new(store.clone()),
        banso::clock::today_in_japan(),
    )
    .await
    .unwrap();
    store.close().await;
    set
}

/// Wait until the server's read models show every stored event.
async fn caught_up(api: &Gql) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let status = api.data("{ projections { name lag } }", json!({})).await;
        if status["projections"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["lag"] == 0)
        {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the read models did not catch up: {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A client signed in as the demo's first login with `role` whose agency is named `agency`
/// (or any agency when `None`).
async fn sign_in(app: &TestApp, set: &DemoSet, role: SupporterRole, agency: Option<&str>) -> Gql {
    let login = set
        .logins
        .iter()
        .find(|l| l.role == role && agency.is_none_or(|a| l.agency_name == a))
        .unwrap_or_else(|| panic!("no demo login as {role:?} at {agency:?}"));
    let (token, _) = issue_supporter_token(
        &app.database.url,
        login.agency_id.0,
        login.supporter_id.0,
        role.id(),
        "e2e: practice",
    )
    .await;
    Gql::new(app.addr, Some(&token))
}

const CANDIDATES: &str = "query($side: ExampleSide!, $filter: CandidateFilterInput, $first: Int) {
    practiceCandidates(side: $side, filter: $filter, first: $first) {
        edges { node {
            caseId industry prefecture agencyName agencyKind stage themes walls side score
            exampleStatus explanation { signal label count points }
        } }
        pageInfo { hasNextPage }
    }
}";

async fn candidates(api: &Gql, side: &str, filter: Value) -> Vec<Value> {
    let data = api
        .data(
            CANDIDATES,
            json!({ "side": side, "filter": filter, "first": 100 }),
        )
        .await;
    data["practiceCandidates"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn case_ids(nodes: &[Value]) -> BTreeSet<String> {
    nodes
        .iter()
        .map(|n| n["caseId"].as_str().unwrap().to_owned())
        .collect()
}

async fn visible_cases(api: &Gql) -> BTreeSet<String> {
    let data = api
        .data("{ cases(first: 100) { edges { node { id } } } }", json!({}))
        .await;
    data["cases"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

const EXAMPLE: &str = "query($id: UUID!) { collectedExample(caseId: $id) {
    caseId side status source themes reasons history { label verdict text }
    draft { heading } published { heading }
} }";

async fn candidates_review_publication_and_the_catalogue_on_the_demo(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let set = load_demo(&app).await;
    let policy = sign_in(&app, &set, SupporterRole::PolicyOfficer, None).await;
    caught_up(&policy).await;
    let bank = "さきたま信用金庫";
    let hub = sign_in(&app, &set, SupporterRole::HubSupporter, Some(bank)).await;
    let other = sign_in(
        &app,
        &set,
        SupporterRole::HubSupporter,
        Some("赤城やまなみ信用金庫"),
    )
    .await;
    let today = banso::clock::today_in_japan().to_string();

    // ---- candidates: scored, explained, best first
    let good = candidates(&policy, "GOOD", json!({})).await;
    assert!(good.len() >= 3, "the demo yields good candidates: {good:?}");
    let mut previous = f64::INFINITY;
    for node in &good {
        let score = node["score"].as_f64().unwrap();
        assert!(score > 0.0 && score <= previous, "best first: {node}");
        previous = score;
        let explained: f64 = node["explanation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["points"].as_f64().unwrap())
            .sum();
        assert!(
            (explained - score).abs() < 1e-9,
            "the explanation adds up: {node}"
        );
        assert_eq!(node["side"], "GOOD");
        assert!(node.get("companyName").is_none());
    }
    let labels: BTreeSet<&str> = good
        .iter()
        .flat_map(|n| n["explanation"].as_array().unwrap())
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains("自走化の達成"), "{labels:?}");
    let failures = candidates(&policy, "FAILURE", json!({})).await;
    assert!(!failures.is_empty());
    assert!(
        failures
            .iter()
            .flat_map(|n| n["explanation"].as_array().unwrap())
            .any(|c| c["signal"] == "handover_declined" || c["signal"] == "support_stopped"),
        "{failures:?}"
    );
    // Filters narrow: every candidate in 群馬県 is in 群馬県, and they are a subset.
    let gunma = candidates(&policy, "GOOD", json!({ "prefecture": "群馬県" })).await;
    assert!(!gunma.is_empty() && gunma.len() < good.len());
    assert!(gunma.iter().all(|n| n["prefecture"] == "群馬県"));
    assert!(case_ids(&gunma).is_subset(&case_ids(&good)));
    let themed = candidates(&policy, "GOOD", json!({ "theme": "MARKET_DEVELOPMENT" })).await;
    assert!(themed.iter().all(|n| {
        n["themes"]
            .as_array()
            .unwrap()
            .contains(&json!("MARKET_DEVELOPMENT"))
    }));
    let bad = policy
        .error(
            CANDIDATES,
            json!({ "side": "GOOD", "filter": { "from": "2025-05-01", "to": "2025-04-01" } }),
        )
        .await;
    assert_eq!(bad.code(), "BAD_USER_INPUT");

    // ---- a supporter sees the candidates of their own agency's cases only
    let mine = visible_cases(&hub).await;
    let theirs = visible_cases(&other).await;
    let hub_good = case_ids(&candidates(&hub, "GOOD", json!({})).await);
    let other_good = case_ids(&candidates(&other, "GOOD", json!({})).await);
    assert!(!hub_good.is_empty() && hub_good.is_subset(&mine));
    assert!(other_good.is_subset(&theirs));
    assert!(
        hub_good.is_disjoint(&other_good),
        "another bank's supporter sees none of these candidates"
    );

    // ---- the review: a supporters' nomination of さきたま信用金庫, sent back, answered, accepted
    let listed = policy
        .data(
            "{ collectedExamples(status: NOMINATED, first: 50) { edges { node { caseId source side } } } }",
            json!({}),
        )
        .await;
    let nominated: Vec<String> = listed["collectedExamples"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["side"] == "GOOD")
        .map(|e| e["node"]["caseId"].as_str().unwrap().to_owned())
        .collect();
    let case_id = nominated
        .iter()
        .find(|c| mine.contains(*c))
        .expect("the demo has a nomination by さきたま信用金庫")
        .clone();
    let company_name = set
        .case_list
        .iter()
        .find(|c| c.case_id.0.to_string() == case_id)
        .unwrap()
        .company_name
        .clone();
    // Another bank's supporter cannot read it, nor find it in its list.
    let foreign = other.error(EXAMPLE, json!({ "id": case_id })).await;
    assert_eq!(foreign.code(), "FORBIDDEN");
    let other_list = other
        .data(
            "{ collectedExamples(first: 50) { edges { node { caseId } } } }",
            json!({}),
        )
        .await;
    assert!(!other_list.to_string().contains(&case_id));

    // Only a policy officer reviews.
    let review = |verdict: &str, comment: Option<&str>| json!({ "caseId": case_id, "on": today, "verdict": verdict, "comment": comment });
    let refused = hub
        .mutate("reviewExample", review("ACCEPT", None))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "FORBIDDEN");
    let no_question = policy
        .mutate("reviewExample", review("SEND_BACK", None))
        .await
        .unwrap_err();
    assert_eq!(no_question.code(), "BAD_USER_INPUT");
    policy
        .ok_brief(
            "reviewExample",
            review(
                "SEND_BACK",
                Some("自走化の根拠になった社内の会議体を教えてください。"),
            ),
        )
        .await;
    hub.ok_brief(
        "answerExampleQuestions",
        json!({ "caseId": case_id, "on": today, "answers": "月次の営業会議を社長と社員で続けている。" }),
    )
    .await;
    policy
        .ok_brief("reviewExample", review("ACCEPT", None))
        .await;
    let example = policy.data(EXAMPLE, json!({ "id": case_id })).await;
    let example = &example["collectedExample"];
    assert_eq!(example["status"], "ACCEPTED");
    let steps: Vec<&str> = example["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["推薦", "差し戻し（質問あり）", "質問への回答", "採択"]
    );

    // ---- the write-up: generated from the events, anonymised
    let suggestion = policy
        .data(
            "query($id: UUID!) { exampleDraftSuggestion(caseId: $id) {
                writeUp { heading agency industry prefecture themes walls issues approach changes }
                leaks { field kind found }
            } }",
            json!({ "id": case_id }),
        )
        .await;
    let suggestion = &suggestion["exampleDraftSuggestion"];
    let write_up = suggestion["writeUp"].clone();
    let heading = write_up["heading"].as_str().unwrap();
    assert!(heading.starts_with("【事例】A社（"), "{heading}");
    assert!(!write_up.to_string().contains(&company_name), "{write_up}");
    assert_eq!(
        suggestion["leaks"],
        json!([]),
        "the generator leaks nothing"
    );
    let text = |w: &Value, field: &str| w[field].as_str().unwrap().to_owned();
    let mut edited = json!({
        "heading": text(&write_up, "heading"),
        "agency": text(&write_up, "agency"),
        "industry": text(&write_up, "industry"),
        "prefecture": text(&write_up, "prefecture"),
        "themes": write_up["themes"],
        "walls": write_up["walls"],
        "issues": text(&write_up, "issues"),
        "approach": format!("{}\n社員が自ら改善提案を出すようになった。", text(&write_up, "approach")),
        "changes": text(&write_up, "changes"),
    });

    // A draft that names the company is refused, and nothing is recorded.
    let head = policy.head().await;
    let mut leaky = edited.clone();
    leaky["changes"] = json!(format!("{company_name}は増収増益となった。"));
    let refused = policy
        .mutate(
            "draftExample",
            json!({ "caseId": case_id, "on": today, "writeUp": leaky }),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    assert_eq!(refused.field.as_deref(), Some("writeUp.changes"));
    assert!(refused.message.contains("会社名"), "{}", refused.message);
    assert_eq!(policy.head().await, head, "a refused draft appends nothing");

    // ---- publication and the catalogue
    let not_yet = policy
        .mutate("publishExample", json!({ "caseId": case_id, "on": today }))
        .await
        .unwrap_err();
    assert_eq!(
        not_yet.code(),
        "BAD_USER_INPUT",
        "no draft yet: {}",
        not_yet.message
    );
    policy
        .ok_brief(
            "draftExample",
            json!({ "caseId": case_id, "on": today, "writeUp": edited.take() }),
        )
        .await;
    policy
        .ok_brief("publishExample", json!({ "caseId": case_id, "on": today }))
        .await;

    const SEARCH: &str = "query($search: CatalogueSearchInput) {
        catalogue(search: $search) { number company side writeUp { heading approach themes } markdown }
    }";
    // The demo's own example (the chamber's) is 事例1; this one is 事例2, B社.
    const PHRASE: &str = "社員が自ら改善提案を出すようになった。";
    let ours = |found: &Value| -> Vec<Value> {
        found["catalogue"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["writeUp"]["approach"].as_str().unwrap().contains(PHRASE))
            .cloned()
            .collect()
    };
    for client in [&policy, &hub, &other] {
        let found = client
            .data(SEARCH, json!({ "search": { "text": "社員" } }))
            .await;
        for example in found["catalogue"].as_array().unwrap() {
            assert!(example["markdown"].as_str().unwrap().contains("社員"));
        }
        let found = ours(&found);
        assert_eq!(found.len(), 1, "everyone signed in finds it by 社員");
        assert_eq!(found[0]["number"], 2);
        assert_eq!(found[0]["company"], "B社");
        let markdown = found[0]["markdown"].as_str().unwrap();
        assert!(markdown.contains("B社"), "{markdown}");
        assert!(!markdown.contains(&company_name));
    }
    // Every word must appear.
    let both = policy
        .data(SEARCH, json!({ "search": { "text": "事業承継 社員" } }))
        .await;
    for example in both["catalogue"].as_array().unwrap() {
        let markdown = example["markdown"].as_str().unwrap();
        assert!(markdown.contains("事業承継") && markdown.contains("社員"));
    }
    let narrower = policy
        .data(SEARCH, json!({ "search": { "text": "改善提案 社員" } }))
        .await;
    assert_eq!(ours(&narrower).len(), 1);
    let themes: Vec<String> = serde_json::from_value(write_up["themes"].clone()).unwrap();
    let by_theme = policy
        .data(SEARCH, json!({ "search": { "theme": themes[0] } }))
        .await;
    assert_eq!(ours(&by_theme).len(), 1);
    for example in by_theme["catalogue"].as_array().unwrap() {
        assert!(
            example["writeUp"]["themes"]
                .as_array()
                .unwrap()
                .contains(&json!(themes[0]))
        );
    }
    let elsewhere = policy
        .data(SEARCH, json!({ "search": { "prefecture": "沖縄県" } }))
        .await;
    assert_eq!(elsewhere["catalogue"], json!([]));

    // Exports: the 事例集 in Markdown, and JSON.
    let exported = hub
        .data(
            "{ md: catalogueExport(format: MARKDOWN) json: catalogueExport(format: JSON) }",
            json!({}),
        )
        .await;
    let markdown = exported["md"].as_str().unwrap();
    assert!(
        markdown.contains("【事例1】") && markdown.contains("【事例2】"),
        "{markdown}"
    );
    assert!(markdown.contains("＜設定された課題＞"), "{markdown}");
    assert!(markdown.contains(PHRASE));
    assert!(!markdown.contains(&company_name));
    let json_export: Value = serde_json::from_str(exported["json"].as_str().unwrap()).unwrap();
    assert_eq!(json_export.as_array().unwrap().len(), 2);

    // Withdrawn, it leaves the catalogue; the demo's example stays.
    policy
        .ok_brief(
            "withdrawExample",
            json!({ "caseId": case_id, "on": today, "reason": "表現を見直すため" }),
        )
        .await;
    let left = hub.data(SEARCH, json!({ "search": {} })).await;
    assert_eq!(ours(&left), Vec::<Value>::new());
    assert_eq!(left["catalogue"].as_array().unwrap().len(), 1);
    assert_eq!(left["catalogue"][0]["company"], "A社");

    // The operator and anonymous callers see no candidates.
    let anonymous = Gql::new(app.addr, None)
        .error(CANDIDATES, json!({ "side": "GOOD", "filter": {} }))
        .await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
    app.finish().await;
}
