//! The 川口精密 story through the API, from discovery to closing: after every mutation the
//! returned case and the queries right after it show the change (read your writes); then
//! the optimistic concurrency and idempotency of commands.

use banso::clock::today_in_japan;
use banso_events::Backend;
use banso_events::domain::values::Day;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::graphql::{
    CASE_FIELDS, Call, Gql, Supporter, World, discovery, handover_request, id, open_case,
    result_fields, start_line, timeline,
};
use crate::helpers::{both_backends, spawn_app};

both_backends!(
    the_whole_story_reads_its_own_writes_after_every_mutation,
    a_stale_expected_version_conflicts_and_a_retry_is_answered_once,
);

const CASE: Uuid = Uuid::from_u128(0xca1);
const COMPANY: Uuid = Uuid::from_u128(0xc1);
const ISSUE_COST: Uuid = Uuid::from_u128(0x1a);
const ISSUE_SHOPFLOOR: Uuid = Uuid::from_u128(0x1b);
const MEASURE: Uuid = Uuid::from_u128(0x3a);
const KPI: Uuid = Uuid::from_u128(0x4a);
const HANDOVER: Uuid = Uuid::from_u128(0x6a);

/// What one mutation must change, as the next queries see it.
struct Expect {
    /// The timeline labels the mutation appends, in order.
    labels: &'static [&'static str],
    /// Whether its events are on the case stream (else on the company's).
    on_case: bool,
    stage: &'static str,
    stage_label: &'static str,
    cycle: i64,
}

fn expect(
    labels: &'static [&'static str],
    stage: &'static str,
    stage_label: &'static str,
    cycle: i64,
) -> Expect {
    Expect {
        labels,
        on_case: true,
        stage,
        stage_label,
        cycle,
    }
}

/// The story as told so far: what the case and its timeline must show.
struct Story {
    version: i64,
    company_version: i64,
    position: u64,
    labels: Vec<&'static str>,
}

impl Story {
    /// Run `field` as `who`, then check the result and what `who` reads right after it.
    async fn step(&mut self, who: &Supporter, field: &str, input: Value, expect: Expect) -> Value {
        let result = who.api.ok(field, input.clone()).await;
        let case = &result["case"];
        assert_eq!(result["duplicate"], false, "{field}");

        // The versions: the case stream's, or the company stream's for the Local Benchmark.
        let appended = expect.labels.len() as i64;
        if expect.on_case {
            self.version += appended;
            assert_eq!(result["caseVersion"], self.version, "{field}: caseVersion");
            assert!(
                result["streams"].as_array().unwrap().contains(
                    &json!({ "streamType": "case", "id": CASE, "version": self.version })
                ),
                "{field}: {}",
                result["streams"]
            );
        } else {
            self.company_version += appended;
            assert_eq!(result["caseVersion"], Value::Null, "{field}: caseVersion");
            assert_eq!(
                result["streams"],
                json!([{ "streamType": "company", "id": COMPANY, "version": self.company_version }]),
                "{field}"
            );
        }
        let position: u64 = result["position"].as_str().unwrap().parse().unwrap();
        assert!(position > self.position, "{field}: position {position}");
        self.position = position;
        assert_eq!(case["id"], json!(CASE));
        assert_eq!(case["version"], self.version, "{field}: case.version");
        assert_eq!(case["stage"], expect.stage, "{field}: stage");
        assert_eq!(
            case["stageLabel"], expect.stage_label,
            "{field}: stageLabel"
        );
        assert_eq!(case["cycle"], expect.cycle, "{field}: cycle");

        // case(id) right after: the same case, field for field.
        let read = who
            .api
            .data(
                &format!("query($id: UUID!) {{ case(id: $id) {{ {CASE_FIELDS} }} }}"),
                json!({ "id": CASE }),
            )
            .await;
        assert_eq!(
            &read["case"], case,
            "{field}: case(id) differs from the result"
        );

        // cases: listed with the new version and stage.
        let listed = who
            .api
            .data(
                "{ cases(first: 100) { edges { node { id version stage } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            listed["cases"]["edges"],
            json!([{ "node": { "id": CASE, "version": self.version, "stage": expect.stage } }]),
            "{field}: cases"
        );

        // caseTimeline: grown by exactly the expected labels, the last at the result's position.
        self.labels.extend_from_slice(expect.labels);
        let entries = timeline(&who.api, CASE).await;
        let labels: Vec<&str> = entries
            .iter()
            .map(|e| e["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels, self.labels, "{field}: timeline labels");
        let last = entries.last().unwrap();
        assert_eq!(last["position"], result["position"], "{field}");
        let new = &entries[entries.len() - expect.labels.len()..];
        for entry in new {
            assert_eq!(entry["caseId"], json!(CASE));
            assert_eq!(entry["actorId"], json!(who.id), "{field}: actor");
            assert_eq!(entry["actorName"], who.name, "{field}: actorName");
            assert_eq!(entry["agencyId"], json!(who.agency), "{field}: agency");
            assert_eq!(entry["agencyName"], who.agency_name, "{field}: agencyName");
            if let Some(on) = input.get("on") {
                assert_eq!(&entry["happenedOn"], on, "{field}: happenedOn");
            }
        }
        let case_versions: Vec<i64> = entries
            .iter()
            .filter(|e| e["streamType"] == "case")
            .map(|e| e["version"].as_i64().unwrap())
            .collect();
        assert_eq!(
            case_versions,
            (1..=self.version).collect::<Vec<_>>(),
            "{field}: the case stream's entries"
        );
        // The timeline never carries personal data (the owner's name is in the events'
        // personal part only).
        let all = serde_json::to_string(&entries).unwrap();
        assert!(
            !all.contains("川口 一郎"),
            "{field}: personal data in the timeline"
        );

        // pdcaBoard: the case counted in its stage and cycle.
        let board = who
            .api
            .data(
                "{ pdcaBoard { byStage { stage stageLabel cycle cases } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            board["pdcaBoard"]["byStage"],
            json!([{ "stage": expect.stage, "stageLabel": expect.stage_label, "cycle": expect.cycle, "cases": 1 }]),
            "{field}: pdcaBoard.byStage"
        );
        result
    }
}

/// Which cases each list of the PDCA board names.
async fn board_lists(api: &Gql) -> Value {
    let data = api
        .data(
            "{ pdcaBoard { overdueReviews { id } stalledMeasures { id } measuresPastDue { id } \
               kpisOffTarget { id } } }",
            json!({}),
        )
        .await;
    data["pdcaBoard"].clone()
}

fn board(overdue: bool, stalled: bool, past_due: bool, off_target: bool) -> Value {
    let list = |on: bool| {
        if on {
            json!([{ "id": CASE }])
        } else {
            json!([])
        }
    };
    json!({
        "overdueReviews": list(overdue),
        "stalledMeasures": list(stalled),
        "measuresPastDue": list(past_due),
        "kpisOffTarget": list(off_target),
    })
}

/// Days from `from` to today in Japan, as the server counts them: either reading of the clock
/// around the request (the date may turn meanwhile).
fn days_since(from: &str, before: Day, after: Day) -> [i64; 2] {
    let from = Day::parse(from).unwrap();
    [from.days_until(before), from.days_until(after)]
}

const INBOX: &str = "query($d: HandoverDirection!, $p: Boolean) { handoverInbox(direction: $d, pending: $p) { \
    edges { node { id caseId companyName fromAgencyId fromAgencyName toAgencyId toAgencyName \
      status statusLabel requestedOn decidedOn ageDays reason summary answer senderStays } } } }";

async fn inbox(api: &Gql, direction: &str, pending: Option<bool>) -> Vec<Value> {
    let data = api
        .data(INBOX, json!({ "d": direction, "p": pending }))
        .await;
    data["handoverInbox"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// One indicator of one year: `(indicator, label, value, change, difference)`.
type Figure = (String, String, Option<f64>, Value, Option<f64>);

/// The six Local Benchmark indicators of one year, the numbers rounded to 0.01.
fn indicators(year: &Value) -> Vec<Figure> {
    let round = |v: &Value| v.as_f64().map(|v| (v * 100.0).round() / 100.0);
    year["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["indicator"].as_str().unwrap().to_owned(),
                i["label"].as_str().unwrap().to_owned(),
                round(&i["value"]),
                i["change"].clone(),
                round(&i["difference"]),
            )
        })
        .collect()
}

fn statements(sales: i64, operating_profit: i64, depreciation: i64, employees: i64) -> Value {
    json!({
        "sales": sales,
        "operatingProfit": operating_profit,
        "depreciation": depreciation,
        "borrowings": 180_000_000,
        "cashAndDeposits": 60_000_000,
        "accountsReceivable": 70_000_000,
        "notesReceivable": 10_000_000,
        "inventory": 30_000_000,
        "accountsPayable": 35_000_000,
        "notesPayable": 5_000_000,
        "netAssets": 120_000_000,
        "totalAssets": 400_000_000,
        "employees": employees,
    })
}

async fn the_whole_story_reads_its_own_writes_after_every_mutation(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let world = World::create(&app).await;
    let (hub, coordinator) = (&world.hub, &world.coordinator);
    let mut story = Story {
        version: 0,
        company_version: 0,
        position: 0,
        labels: Vec::new(),
    };

    // ---- step zero: found on a routine visit, two outreach visits, the start line
    let found = story
        .step(
            hub,
            "discoverCompany",
            discovery(CASE, COMPANY, "2026-04-06"),
            expect(&["企業の発掘"], "STEP_ZERO", "ステップ・ゼロ", 0),
        )
        .await;
    story.company_version = 1;
    let mut streams = found["streams"].as_array().unwrap().clone();
    streams.sort_by_key(|s| s["streamType"].as_str().unwrap().to_owned());
    assert_eq!(
        streams,
        [
            json!({ "streamType": "case", "id": CASE, "version": 1 }),
            json!({ "streamType": "company", "id": COMPANY, "version": 1 }),
        ]
    );
    let case = &found["case"];
    assert_eq!(
        case["company"],
        json!({
            "id": COMPANY, "name": "株式会社川口精密", "kana": "カワグチセイミツ",
            "industryCode": "E", "industry": "製造業", "prefecture": "埼玉県",
        })
    );
    assert_eq!(
        case["holder"],
        json!({ "id": world.hub.agency, "name": "さくら信用金庫", "kindLabel": "信用金庫" })
    );
    assert_eq!(
        case["inCharge"],
        json!({ "id": hub.id, "name": "佐藤 美咲", "roleLabel": "ハブ支援者" })
    );
    assert_eq!(case["discoveredOn"], "2026-04-06");
    assert_eq!(case["channel"], "FINANCIAL_INSTITUTION_VISIT");
    assert_eq!(
        case["firstConcerns"],
        json!(["主要取引先からの受注が減っている", "後継者が決まっていない"])
    );
    assert_eq!(case["startLineOn"], Value::Null);
    assert_eq!(case["consent"], Value::Null);

    for (n, on) in [(1, "2026-04-16"), (2, "2026-04-27")] {
        let visited = story
            .step(
                hub,
                "logOutreachVisit",
                json!({ "caseId": CASE, "on": on, "minutes": 60,
                        "notes": "社長は危機感を持ち始めている。ロカベンでの対話を提案。" }),
                expect(&["働きかけ訪問"], "STEP_ZERO", "ステップ・ゼロ", 0),
            )
            .await;
        assert_eq!(visited["case"]["outreachVisits"], n);
        assert_eq!(visited["case"]["lastActivityOn"], on);
    }

    let started = story
        .step(
            hub,
            "reachStartLine",
            start_line(CASE, "2026-05-11"),
            expect(&["スタートライン到達"], "ISSUE_SETTING", "課題設定", 1),
        )
        .await;
    assert_eq!(started["case"]["startLineOn"], "2026-05-11");
    assert_eq!(
        started["case"]["consent"],
        json!({
            "recipients": [{ "agencyId": null, "agencyKind": "YOROZU_SUPPORT_CENTER" }],
            "purposes": ["SUPPORT", "HANDOVER", "EXPERT_DISPATCH", "GOOD_PRACTICE", "STATISTICS"],
            "validUntil": "2027-03-31",
            "withdrawn": false,
        })
    );

    // ---- 1st step: dialogue, two years of statements, issues with their walls
    let talked = story
        .step(
            hub,
            "holdDialogue",
            json!({
                "caseId": CASE, "on": "2026-05-25", "minutes": 150, "mode": "VISIT",
                "place": "本社工場 応接室", "supporters": [hub.id],
                "attendees": [{ "personId": "00000000-0000-0000-0000-0000000000b1", "role": "OWNER",
                                "details": { "name": "川口 一郎", "remarks": "長男への承継に迷いがある。" } }],
                "notes": [
                    { "item": "OWNER_VISION", "text": "「技術で地域に雇用を残す」が創業以来の想い。" },
                    { "item": "WEAKNESSES", "text": "営業は社長一人。製品別の採算を誰も把握していない。" },
                    { "item": "BUSINESS_SUCCESSION", "text": "後継者は未定。", "confidential": true },
                ],
            }),
            expect(&["対話"], "ISSUE_SETTING", "課題設定", 1),
        )
        .await;
    assert_eq!(talked["case"]["dialogues"], 1);

    story
        .step(
            hub,
            "recordFinancialStatements",
            json!({ "caseId": CASE, "fiscalYear": 2024,
                    "statements": statements(450_000_000, 9_000_000, 12_000_000, 32) }),
            Expect {
                on_case: false,
                ..expect(&["決算情報の登録"], "ISSUE_SETTING", "課題設定", 1)
            },
        )
        .await;
    let one_year = hub
        .api
        .data(
            "query($c: UUID!) { benchmarkHistory(companyId: $c) { fiscalYear corrected \
               indicators { indicator label value notMeaningful change difference } } }",
            json!({ "c": COMPANY }),
        )
        .await;
    let years = one_year["benchmarkHistory"].as_array().unwrap();
    assert_eq!(years.len(), 1, "{one_year}");
    assert_eq!(years[0]["fiscalYear"], 2024);
    assert_eq!(years[0]["corrected"], false);
    let growth = &years[0]["indicators"][0];
    assert_eq!(growth["indicator"], "sales_growth");
    assert_eq!(growth["label"], "売上高増加率");
    assert_eq!(growth["value"], Value::Null, "no previous year: {growth}");
    assert!(
        growth["notMeaningful"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{growth}"
    );
    assert!(
        years[0]["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["change"].is_null() && i["difference"].is_null())
    );

    story
        .step(
            hub,
            "recordFinancialStatements",
            json!({ "caseId": CASE, "fiscalYear": 2025,
                    "statements": statements(480_000_000, 14_400_000, 12_600_000, 34) }),
            Expect {
                on_case: false,
                ..expect(&["決算情報の登録"], "ISSUE_SETTING", "課題設定", 1)
            },
        )
        .await;
    let history = hub
        .api
        .data(
            "query($c: UUID!, $id: UUID!) { \
               benchmarkHistory(companyId: $c) { fiscalYear corrected \
                 indicators { indicator label value notMeaningful change difference } } \
               case(id: $id) { company { benchmarkHistory { fiscalYear corrected \
                 indicators { indicator label value notMeaningful change difference } } } } }",
            json!({ "c": COMPANY, "id": CASE }),
        )
        .await;
    assert_eq!(
        history["benchmarkHistory"], history["case"]["company"]["benchmarkHistory"],
        "the company's history is the same through the case"
    );
    let years = history["benchmarkHistory"].as_array().unwrap();
    let fiscal_years: Vec<&Value> = years.iter().map(|y| &y["fiscalYear"]).collect();
    assert_eq!(fiscal_years, [&json!(2024), &json!(2025)]);
    let s = |v: &str| v.to_owned();
    assert_eq!(
        indicators(&years[1]),
        [
            // 480 / 450 − 1
            (
                s("sales_growth"),
                s("売上高増加率"),
                Some(6.67),
                Value::Null,
                None
            ),
            // 14.4 / 480 against 9 / 450
            (
                s("operating_margin"),
                s("営業利益率"),
                Some(3.0),
                json!("改善"),
                Some(1.0)
            ),
            // 14,400千円 / 34人 against 9,000千円 / 32人
            (
                s("labour_productivity"),
                s("労働生産性"),
                Some(423.53),
                json!("改善"),
                Some(142.28)
            ),
            // (180 − 60) / (14.4 + 12.6) against 120 / 21: lower is better
            (
                s("ebitda_debt_multiple"),
                s("EBITDA有利子負債倍率"),
                Some(4.44),
                json!("改善"),
                Some(-1.27)
            ),
            // (70 + 10 + 30 − 35 − 5) / (480 / 12) against 70 / 37.5: lower is better
            (
                s("working_capital_period"),
                s("営業運転資本回転期間"),
                Some(1.75),
                json!("改善"),
                Some(-0.12)
            ),
            // 120 / 400 both years
            (
                s("equity_ratio"),
                s("自己資本比率"),
                Some(30.0),
                json!("横ばい"),
                Some(0.0)
            ),
        ]
    );

    let issued = story
        .step(
            hub,
            "setIssue",
            json!({ "caseId": CASE, "issueId": ISSUE_COST, "on": "2026-06-10",
                    "title": "製品別の採算が見えていない", "theme": "MANAGEMENT_IMPROVEMENT",
                    "walls": ["INVISIBLE"], "priority": "HIGH", "ownerAgrees": true }),
            expect(&["課題設定"], "PRESCRIPTION", "処方箋の検討", 1),
        )
        .await;
    assert_eq!(
        issued["case"]["issues"],
        json!([{ "id": ISSUE_COST, "title": "製品別の採算が見えていない", "walls": ["INVISIBLE"],
                 "wallsOvercome": [], "ownerAgrees": true, "status": "OPEN", "cycle": 1,
                 "setOn": "2026-06-10", "closedOn": null }])
    );
    let issued = story
        .step(
            hub,
            "setIssue",
            json!({ "caseId": CASE, "issueId": ISSUE_SHOPFLOOR, "on": "2026-06-10",
                    "title": "現場が改善活動に付いてこない", "theme": "PRODUCTIVITY",
                    "walls": ["NOT_FOLLOWING", "CANNOT_EXECUTE"], "priority": "MEDIUM",
                    "ownerAgrees": true }),
            expect(&["課題設定"], "PRESCRIPTION", "処方箋の検討", 1),
        )
        .await;
    assert_eq!(
        issued["case"]["issues"][1]["walls"],
        json!(["NOT_FOLLOWING", "CANNOT_EXECUTE"])
    );
    let filtered = hub
        .api
        .data(
            "{ cases(filter: { wall: CANNOT_EXECUTE, theme: PRODUCTIVITY }) { edges { node { id } } } \
               none: cases(filter: { wall: LACKING }) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        filtered["cases"]["edges"],
        json!([{ "node": { "id": CASE } }])
    );
    assert_eq!(filtered["none"]["edges"], json!([]));

    // ---- 2nd step: a measure with its KPI
    let prescribed = story
        .step(
            hub,
            "prescribeMeasure",
            json!({
                "caseId": CASE, "measureId": MEASURE, "on": "2026-06-20",
                "issues": [ISSUE_SHOPFLOOR], "kind": "TRAINING",
                "title": "改善プロジェクトチームの立ち上げ",
                "owner": { "company": { "team": "改善プロジェクト" } },
                "startsOn": "2026-07-01", "dueOn": "2026-09-30",
                "kpis": [{ "kpiId": KPI, "name": "不良率", "unit": "%", "baseline": 3.5, "target": 1.5 }],
            }),
            expect(&["施策の処方"], "EXECUTION", "対策実行", 1),
        )
        .await;
    assert_eq!(
        prescribed["case"]["measures"],
        json!([{
            "id": MEASURE, "title": "改善プロジェクトチームの立ち上げ", "kind": "TRAINING",
            "status": "PLANNED", "statusLabel": "未着手", "cycle": 1, "issueIds": [ISSUE_SHOPFLOOR],
            "startsOn": "2026-07-01", "dueOn": "2026-09-30", "startedOn": null, "completedOn": null,
            "percent": null, "stalledOn": null, "pastDue": true,
            "kpis": [{ "id": KPI, "name": "不良率", "unit": "%", "baseline": 3.5, "target": 1.5,
                       "latest": null, "latestOn": null, "onTarget": null }],
        }])
    );

    // ---- 3rd step: started, stalled at a wall, the wall overcome, resumed, measured
    let measure = |result: &Value| result["case"]["measures"][0].clone();
    let running = story
        .step(
            hub,
            "startMeasure",
            json!({ "caseId": CASE, "measureId": MEASURE, "on": "2026-07-01" }),
            expect(&["施策の開始"], "EXECUTION", "対策実行", 1),
        )
        .await;
    assert_eq!(measure(&running)["status"], "IN_PROGRESS");
    assert_eq!(measure(&running)["startedOn"], "2026-07-01");
    assert_eq!(
        board_lists(&hub.api).await,
        board(false, false, true, false)
    );

    let stalled = story
        .step(
            hub,
            "reportStall",
            json!({ "caseId": CASE, "measureId": MEASURE, "on": "2026-07-21",
                    "wall": "CANNOT_EXECUTE", "note": "繁忙期で改善会議が開けない。" }),
            expect(&["施策の停滞"], "EXECUTION", "対策実行", 1),
        )
        .await;
    assert_eq!(measure(&stalled)["status"], "STALLED");
    assert_eq!(measure(&stalled)["statusLabel"], "停滞");
    assert_eq!(measure(&stalled)["stalledOn"], "CANNOT_EXECUTE");
    assert_eq!(board_lists(&hub.api).await, board(false, true, true, false));

    let overcome = story
        .step(
            hub,
            "overcomeWall",
            json!({ "caseId": CASE, "issueId": ISSUE_SHOPFLOOR, "wall": "CANNOT_EXECUTE",
                    "on": "2026-08-03", "how": "会議をやめ、朝礼後15分の立ち話形式に切り替えた。",
                    "measureId": MEASURE }),
            expect(&["壁の克服"], "EXECUTION", "対策実行", 1),
        )
        .await;
    assert_eq!(
        overcome["case"]["issues"][1]["wallsOvercome"],
        json!(["CANNOT_EXECUTE"])
    );

    let resumed = story
        .step(
            hub,
            "resumeMeasure",
            json!({ "caseId": CASE, "measureId": MEASURE, "on": "2026-08-03",
                    "note": "朝礼後の15分で再開" }),
            expect(&["施策の再開"], "EXECUTION", "対策実行", 1),
        )
        .await;
    assert_eq!(measure(&resumed)["status"], "IN_PROGRESS");
    assert_eq!(measure(&resumed)["stalledOn"], Value::Null);
    assert_eq!(
        board_lists(&hub.api).await,
        board(false, false, true, false)
    );

    let measured = story
        .step(
            hub,
            "measureKpi",
            json!({ "caseId": CASE, "measureId": MEASURE, "kpiId": KPI, "on": "2026-08-31",
                    "value": 2.8 }),
            expect(&["KPIの測定"], "EXECUTION", "対策実行", 1),
        )
        .await;
    let kpi = &measure(&measured)["kpis"][0];
    assert_eq!(kpi["latest"], 2.8);
    assert_eq!(kpi["latestOn"], "2026-08-31");
    assert_eq!(kpi["onTarget"], false, "不良率 2.8% misses 1.5%");
    assert_eq!(board_lists(&hub.api).await, board(false, false, true, true));

    let completed = story
        .step(
            hub,
            "completeMeasure",
            json!({ "caseId": CASE, "measureId": MEASURE, "on": "2026-09-30",
                    "result": "改善提案が月10件に増え、不良率が下がり始めた。" }),
            expect(&["施策の完了"], "REVIEW", "検証・見直し", 1),
        )
        .await;
    assert_eq!(measure(&completed)["status"], "COMPLETED");
    assert_eq!(measure(&completed)["pastDue"], false);

    // ---- check / act
    let reviewed = story
        .step(
            hub,
            "holdReview",
            json!({
                "caseId": CASE, "on": "2026-10-05",
                "findings": [{ "measureId": MEASURE, "kpiId": KPI, "value": 1.4,
                               "note": "改善提案は月10件に増加" }],
                "worked": "朝礼後の立ち話で改善が回り始めた。",
                "notWorked": "ベテランの参加が少ない。",
                "adjustments": "改善チームのリーダーを若手に交代する。",
                "nextReviewOn": "2026-11-05",
            }),
            expect(&["検証・見直し"], "REVIEW", "検証・見直し", 1),
        )
        .await;
    assert_eq!(
        reviewed["case"]["reviews"],
        json!([{ "on": "2026-10-05", "cycle": 1, "findings": 1, "achieved": 1 }])
    );
    assert_eq!(reviewed["case"]["nextReviewOn"], "2026-11-05");
    assert_eq!(reviewed["case"]["reviewOverdue"], true);
    let lists = board_lists(&hub.api).await;
    assert_eq!(lists["overdueReviews"], json!([{ "id": CASE }]));
    assert_eq!(lists["stalledMeasures"], json!([]));
    assert_eq!(lists["measuresPastDue"], json!([]));

    // ---- the handover to 埼玉県よろず支援拠点, within the owner's consent
    let unasked = coordinator
        .api
        .error(
            "query($id: UUID!) { case(id: $id) { id } }",
            json!({ "id": CASE }),
        )
        .await;
    assert_eq!(
        unasked.code(),
        "FORBIDDEN",
        "the consent alone shows the case to no one"
    );
    let requested = story
        .step(
            hub,
            "requestHandover",
            handover_request(CASE, HANDOVER, "2026-10-13", &[ISSUE_COST]),
            expect(&["引継ぎの依頼"], "REVIEW", "検証・見直し", 1),
        )
        .await;
    assert_eq!(requested["case"]["openHandover"], true);
    let before = today_in_japan();
    let incoming = inbox(&coordinator.api, "INCOMING", Some(true)).await;
    let outgoing = inbox(&hub.api, "OUTGOING", None).await;
    let after = today_in_japan();
    assert_eq!(incoming.len(), 1, "{incoming:?}");
    let pending = &incoming[0];
    let age = pending["ageDays"].as_i64().unwrap();
    assert!(
        days_since("2026-10-13", before, after).contains(&age),
        "ageDays {age}"
    );
    assert_eq!(
        pending,
        &json!({
            "id": HANDOVER, "caseId": CASE, "companyName": "株式会社川口精密",
            "fromAgencyId": world.hub.agency, "fromAgencyName": "さくら信用金庫",
            "toAgencyId": world.coordinator.agency, "toAgencyName": "埼玉県よろず支援拠点",
            "status": "REQUESTED", "statusLabel": "依頼中", "requestedOn": "2026-10-13",
            "decidedOn": null, "ageDays": age,
            "reason": "IT導入の専門的な支援が必要になったため",
            "summary": "採算管理と改善活動は定着。次の課題は受発注のIT化。",
            "answer": null, "senderStays": true,
        })
    );
    assert_eq!(
        outgoing, incoming,
        "the sender's outbox shows the same handover"
    );
    assert_eq!(inbox(&hub.api, "INCOMING", None).await, Vec::<Value>::new());
    assert_eq!(
        inbox(&coordinator.api, "INCOMING", Some(false)).await,
        Vec::<Value>::new()
    );
    assert_eq!(requested["case"]["handovers"][0]["ageDays"], age);
    // The receiver sees the case it is asked to take, to decide.
    let seen = coordinator
        .api
        .data(
            "query($id: UUID!) { case(id: $id) { version holder { name } } }",
            json!({ "id": CASE }),
        )
        .await;
    assert_eq!(
        seen["case"],
        json!({ "version": story.version, "holder": { "name": "さくら信用金庫" } })
    );

    let accepted = story
        .step(
            coordinator,
            "acceptHandover",
            json!({ "caseId": CASE, "handoverId": HANDOVER, "on": "2026-10-20" }),
            expect(
                &["引継ぎの受諾", "チームへの参加"],
                "REVIEW",
                "検証・見直し",
                1,
            ),
        )
        .await;
    let case = &accepted["case"];
    assert_eq!(case["holder"]["name"], "埼玉県よろず支援拠点");
    assert_eq!(case["inCharge"]["name"], "中村 陽子");
    assert_eq!(case["openHandover"], false);
    assert_eq!(
        case["team"],
        json!([{ "supporterId": hub.id, "agencyId": world.hub.agency, "role": "ACCOMPANYING_SUPPORTER" }]),
        "the shinkin bank stays alongside"
    );
    assert_eq!(
        inbox(&coordinator.api, "INCOMING", Some(true)).await,
        Vec::<Value>::new()
    );
    let decided = inbox(&coordinator.api, "INCOMING", Some(false)).await;
    assert_eq!(decided.len(), 1, "{decided:?}");
    assert_eq!(decided[0]["status"], "ACCEPTED");
    assert_eq!(decided[0]["statusLabel"], "受諾");
    assert_eq!(decided[0]["decidedOn"], "2026-10-20");
    assert_eq!(decided[0]["ageDays"], 7, "from request to decision");
    // The sender stays on the team, and so still sees the case and its board.
    let still = hub
        .api
        .data(
            "query($id: UUID!) { case(id: $id) { version } }",
            json!({ "id": CASE }),
        )
        .await;
    assert_eq!(still["case"]["version"], story.version);

    let handed = story
        .step(
            coordinator,
            "completeHandover",
            json!({ "caseId": CASE, "handoverId": HANDOVER, "on": "2026-11-02",
                    "outcome": "IT導入計画に着手。信用金庫は資金面で引き続き伴走。" }),
            expect(&["引継ぎの完了"], "REVIEW", "検証・見直し", 1),
        )
        .await;
    let done = &handed["case"]["handovers"][0];
    assert_eq!(done["status"], "COMPLETED");
    assert_eq!(done["statusLabel"], "完了");
    assert_eq!(
        done["answer"],
        "IT導入計画に着手。信用金庫は資金面で引き続き伴走。"
    );
    let decided = inbox(&hub.api, "OUTGOING", Some(false)).await;
    assert_eq!(decided[0]["status"], "COMPLETED");

    // ---- self-running, and the case closes
    let running = story
        .step(
            coordinator,
            "reachSelfRunning",
            json!({ "caseId": CASE, "on": "2026-11-10",
                    "evidence": "社長主導で月次の採算会議と改善活動が続いている。" }),
            expect(&["自走化"], "SELF_RUNNING", "自走化", 1),
        )
        .await;
    assert_eq!(running["case"]["selfRunningOn"], "2026-11-10");

    let closed = story
        .step(
            coordinator,
            "closeCase",
            json!({ "caseId": CASE, "on": "2026-11-16", "outcome": "SELF_RUNNING",
                    "note": "自走化を確認し、伴走を終了。" }),
            expect(&["案件の終了"], "CLOSED", "終了", 1),
        )
        .await;
    assert_eq!(closed["case"]["closedOn"], "2026-11-16");
    assert_eq!(closed["case"]["closingOutcome"], "SELF_RUNNING");
    assert_eq!(closed["case"]["lastActivityOn"], "2026-11-16");

    // The whole timeline, in order, as both agencies see it.
    let expected = [
        "企業の発掘",
        "働きかけ訪問",
        "働きかけ訪問",
        "スタートライン到達",
        "対話",
        "決算情報の登録",
        "決算情報の登録",
        "課題設定",
        "課題設定",
        "施策の処方",
        "施策の開始",
        "施策の停滞",
        "壁の克服",
        "施策の再開",
        "KPIの測定",
        "施策の完了",
        "検証・見直し",
        "引継ぎの依頼",
        "引継ぎの受諾",
        "チームへの参加",
        "引継ぎの完了",
        "自走化",
        "案件の終了",
    ];
    assert_eq!(story.labels, expected);
    // (Details may differ: a confidential note stays with the agency that wrote it.)
    let outline = |entries: Vec<Value>| -> Vec<Value> {
        entries
            .iter()
            .map(|e| {
                json!([
                    e["position"],
                    e["streamType"],
                    e["version"],
                    e["label"],
                    e["actorName"]
                ])
            })
            .collect()
    };
    let seen_by_hub = outline(timeline(&hub.api, CASE).await);
    assert_eq!(seen_by_hub, outline(timeline(&coordinator.api, CASE).await));
    assert_eq!(seen_by_hub.len(), expected.len());
    app.finish().await;
}

async fn a_stale_expected_version_conflicts_and_a_retry_is_answered_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let world = World::create(&app).await;
    let api = &world.hub.api;
    let case_id = id(0xca2);
    open_case(&world, case_id, id(0xc2)).await;
    let issue = |n: u128| {
        json!({ "caseId": case_id, "issueId": id(n), "on": "2026-06-01",
                "title": format!("課題{n}"), "theme": "PRODUCTIVITY", "walls": ["LACKING"],
                "priority": "LOW",
                "ownerAgrees": true })
    };
    let head = api.head().await;
    let entries = timeline(api, case_id).await;
    assert_eq!(entries.len(), 2);

    // A client that decided on version 1 while the case is at 2: CONFLICT, nothing appended.
    let stale = api
        .mutate_with(
            "setIssue",
            issue(0x1a),
            Call {
                command_id: None,
                expected_version: Some(1),
            },
            &result_fields(),
        )
        .await
        .expect_err("a stale expectedVersion must fail");
    assert_eq!(stale.code(), "CONFLICT", "{:?}", stale.raw);
    assert_eq!(
        stale.message,
        "ほかの操作が先に記録されました。最新の状態を読み直してから、もう一度実行してください。"
    );
    let negative = api
        .mutate_with(
            "setIssue",
            issue(0x1a),
            Call {
                command_id: None,
                expected_version: Some(-1),
            },
            &result_fields(),
        )
        .await
        .expect_err("a negative expectedVersion must fail");
    assert_eq!(negative.code(), "BAD_USER_INPUT");
    assert_eq!(negative.field.as_deref(), Some("expectedVersion"));
    assert_eq!(api.head().await, head, "a refused command appends nothing");
    assert_eq!(timeline(api, case_id).await, entries);
    let read = api
        .data(
            "query($id: UUID!) { case(id: $id) { version issues { id } } }",
            json!({ "id": case_id }),
        )
        .await;
    assert_eq!(read["case"], json!({ "version": 2, "issues": [] }));

    // The same command on the fresh version, under a command id the client keeps.
    let command_id = Uuid::now_v7();
    let call = Call {
        command_id: Some(command_id),
        expected_version: Some(2),
    };
    let first = api
        .mutate_with("setIssue", issue(0x1a), call, &result_fields())
        .await
        .unwrap_or_else(|e| panic!("{}", e.raw));
    assert_eq!(first["duplicate"], false);
    assert_eq!(first["commandId"], json!(command_id));
    assert_eq!(first["caseVersion"], 3);
    let head = api.head().await;
    let entries = timeline(api, case_id).await;
    assert_eq!(entries.len(), 3);

    // The retry (the answer was lost, say): the first result again, nothing appended, even
    // though its expectedVersion is now stale.
    for _ in 0..2 {
        let again = api
            .mutate_with("setIssue", issue(0x1a), call, &result_fields())
            .await
            .unwrap_or_else(|e| panic!("a retry failed: {}", e.raw));
        assert_eq!(again["duplicate"], true);
        assert_eq!(again["commandId"], json!(command_id));
        assert_eq!(again["caseVersion"], 3);
        assert_eq!(again["position"], first["position"]);
        assert_eq!(again["streams"], first["streams"]);
        assert_eq!(again["case"], first["case"]);
    }
    assert_eq!(api.head().await, head);
    assert_eq!(timeline(api, case_id).await, entries);

    // Without an expected version the command is decided on the fresh state.
    let next = api.ok("setIssue", issue(0x1b)).await;
    assert_eq!(next["caseVersion"], 4);
    // And with the current one it passes, while the previous one is now a conflict.
    let ok = api
        .mutate_with(
            "setIssue",
            issue(0x1c),
            Call {
                command_id: None,
                expected_version: Some(4),
            },
            &result_fields(),
        )
        .await
        .unwrap_or_else(|e| panic!("{}", e.raw));
    assert_eq!(ok["caseVersion"], 5);
    let late = api
        .mutate_with(
            "setIssue",
            issue(0x1d),
            Call {
                command_id: None,
                expected_version: Some(4),
            },
            &result_fields(),
        )
        .await
        .expect_err("version 4 is stale now");
    assert_eq!(late.code(), "CONFLICT");
    let read = api
        .data(
            "query($id: UUID!) { case(id: $id) { version issues { id } } }",
            json!({ "id": case_id }),
        )
        .await;
    assert_eq!(read["case"]["version"], 5);
    assert_eq!(read["case"]["issues"].as_array().unwrap().len(), 3);
    app.finish().await;
}
