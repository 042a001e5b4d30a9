//! Policy statistics end to end, on the demo data: the figures `policyStatistics` answers equal
//! those this test computes itself from the raw events in the store (never through the
//! statistics module); figures built from fewer than five companies come back suppressed
//! until the server is configured with a minimum of 1; only the policy officer may ask; every
//! table's CSV parses.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use banso_events::codec::Codec;
use banso_events::domain::event::{DomainEvent, Envelope};
use banso_events::domain::ids::{AgencyId, CaseId, CompanyId, HandoverId, IssueId, SupporterId};
use banso_events::domain::localbench::Perspective;
use banso_events::domain::values::Day;
use banso_events::domain::vocab::{AgencyKind, Wall};
use banso_events::{Backend, EventStore, Position, StoreConfig};
use serde_json::{Value, json};

use crate::graphql::{Gql, issue_token};
use crate::helpers::{TestDatabase, banso, both_backends, run_banso, spawn_app_on};

both_backends!(the_statistics_match_the_events_and_hide_groups_of_fewer_than_five_companies);

/// What the test knows from the events alone.
#[derive(Default)]
struct FromEvents {
    agencies: HashMap<AgencyId, (String, AgencyKind)>,
    supporter_agency: HashMap<SupporterId, AgencyId>,
    /// Case → (company, discovering agency, discovery day).
    discovered: HashMap<CaseId, (CompanyId, AgencyId, Day)>,
    start_line: HashMap<CaseId, Day>,
    /// (case, issue) → every wall the issue carried.
    issue_walls: BTreeMap<(CaseId, IssueId), BTreeSet<Wall>>,
    /// Handover → (case, from, to, requested on, accepted, declined).
    handovers: BTreeMap<HandoverId, (CaseId, AgencyId, AgencyId, bool, bool)>,
    /// (case, supporters, an expert there, characters per perspective).
    dialogues: Vec<(CaseId, Vec<SupporterId>, bool, [u64; 4])>,
}

impl FromEvents {
    async fn read(url: &str) -> Self {
        let store = EventStore::connect(url, &StoreConfig::default())
            .await
            .unwrap();
        let codec = Codec::<Envelope>::new();
        let mut me = Self::default();
        let mut after = Position::START;
        loop {
            let batch = store.read_all(after, 500).await.unwrap();
            let Some(last) = batch.last() else { break };
            after = last.position;
            for recorded in &batch {
                me.fold(codec.decode(recorded).unwrap().event);
            }
        }
        store.close().await;
        me
    }

    fn fold(&mut self, event: DomainEvent) {
        use DomainEvent::*;
        match event {
            AgencyRegistered {
                agency_id,
                kind,
                name,
                ..
            } => {
                self.agencies.insert(agency_id, (name.to_string(), kind));
            }
            SupporterRegistered {
                supporter_id,
                agency_id,
                ..
            } => {
                self.supporter_agency.insert(supporter_id, agency_id);
            }
            CompanyDiscovered {
                case_id,
                company_id,
                agency_id,
                on,
                ..
            } => {
                self.discovered.insert(case_id, (company_id, agency_id, on));
            }
            StartLineReached { case_id, on, .. } => {
                self.start_line.insert(case_id, on);
            }
            IssueSet {
                case_id,
                issue_id,
                walls,
                ..
            }
            | IssueRevised {
                case_id,
                issue_id,
                walls,
                ..
            } => self
                .issue_walls
                .entry((case_id, issue_id))
                .or_default()
                .extend(walls),
            HandoverRequested {
                case_id,
                handover_id,
                from_agency,
                to_agency,
                ..
            } => {
                self.handovers
                    .insert(handover_id, (case_id, from_agency, to_agency, false, false));
            }
            HandoverAccepted { handover_id, .. } => {
                self.handovers.get_mut(&handover_id).unwrap().3 = true;
            }
            HandoverDeclined { handover_id, .. } => {
                self.handovers.get_mut(&handover_id).unwrap().4 = true;
            }
            DialogueHeld {
                case_id,
                supporters,
                experts,
                notes,
                ..
            } => {
                let mut chars = [0u64; 4];
                for note in notes {
                    if let Some(item) = note.item {
                        let p = Perspective::ALL
                            .iter()
                            .position(|p| *p == item.perspective())
                            .unwrap();
                        // Characters, not bytes: the notes are Japanese.
                        chars[p] += note.text.as_str().chars().count() as u64;
                    }
                }
                self.dialogues
                    .push((case_id, supporters, !experts.is_empty(), chars));
            }
            _ => {}
        }
    }

    fn company(&self, case: CaseId) -> CompanyId {
        self.discovered[&case].0
    }

    fn agency_named(&self, name: &str) -> AgencyId {
        *self
            .agencies
            .iter()
            .find(|(_, (n, _))| n == name)
            .unwrap_or_else(|| panic!("no agency {name}"))
            .0
    }
}

/// One figure as this test expects it: the value, and the companies it is built from.
struct Expect {
    value: f64,
    companies: usize,
    /// Whether the row it belongs to is built from too few companies.
    base_hidden: bool,
}

/// Check one answered figure (`{ value suppressed }`) against what the events say, under the
/// rule the statistics document: suppressed when its row's base or the figure itself is built
/// from at least one and fewer than `min` companies; shown, exactly, otherwise.
#[track_caller]
fn check(figure: &Value, expect: Expect, min: usize, what: &str) {
    let small = |n: usize| n > 0 && n < min;
    if expect.base_hidden || small(expect.companies) {
        assert_eq!(
            figure,
            &json!({ "value": null, "suppressed": true }),
            "{what}: built from {} companies, it must be suppressed",
            expect.companies
        );
    } else {
        assert_eq!(figure["suppressed"], false, "{what}: {figure}");
        assert_eq!(
            figure["value"].as_f64(),
            Some(expect.value),
            "{what}: {figure}"
        );
    }
}

const QUERY: &str = "query($min: Int, $filter: StatisticsFilterInput) {
  policyStatistics(minCompanies: $min, filter: $filter) {
    minCompanies
    reach(by: AGENCY) { rows { group { key label } discovered { value suppressed }
      reached { value suppressed } ratePercent { value suppressed } } csv }
    total: reach { rows { group { key label } discovered { value suppressed } } csv }
    timeToMilestones { rows { group { key } milestone milestoneLabel cases { value suppressed }
      reached { value suppressed } days { n q1 median q3 suppressed } } csv }
    byKind: timeToMilestones(by: AGENCY_KIND) { rows { group { key } milestone } csv }
    byYear: reach(by: FISCAL_YEAR) { rows { group { key label } } csv }
    stalls { rows { stage stageLabel cases { value suppressed } stalled { value suppressed }
      byWall { wall cases { value suppressed } } } csv }
    walls { rows { industryCode industry wall issues { value suppressed }
      companies { value suppressed } overcome { value suppressed } } csv }
    wallApproaches { rows { wall approach approachLabel overcome { value suppressed } } csv }
    handoverFlows { rows { fromKind toKind requested { value suppressed }
      accepted { value suppressed } declined { value suppressed }
      acceptanceRatePercent { value suppressed } daysToDecision { n median suppressed }
      companies { value suppressed } } csv }
    outcomes { rows { fromYear toYear indicator companies { value suppressed }
      improved { value suppressed } difference { n median suppressed } } csv }
    hearing: hearingDepth(by: AGENCY) { rows { agencyId agencyName withExpert
      dialogues { value suppressed } companies { value suppressed }
      perspectives { perspective chars { value suppressed } } } csv }
    bySupporter: hearingDepth(by: SUPPORTER) { rows { supporterId supporterName
      companies { value suppressed } totalChars { value suppressed } } csv }
  }
}";

/// The tables of an answer and the number of rows each must have in its CSV.
const TABLES: &[&str] = &[
    "reach",
    "total",
    "timeToMilestones",
    "byKind",
    "byYear",
    "stalls",
    "walls",
    "wallApproaches",
    "handoverFlows",
    "outcomes",
    "hearing",
    "bySupporter",
];

/// The token the demo printed for the login of `agency` in `role` (its Japanese label).
fn demo_token(stdout: &str, agency: &str, role: &str) -> String {
    stdout
        .lines()
        .find(|l| l.contains(agency) && l.contains(&format!("（{role}）")))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no token for {agency} {role} in:\n{stdout}"))
        .to_owned()
}

/// Records of an RFC 4180 text (quoted fields with doubled quotes, CRLF between records),
/// parsed here without the statistics' own code.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "a CR without LF in:\n{text}");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\n') => panic!("a bare LF ends a record in:\n{text}"),
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && record.is_empty() && !quoted,
        "the CSV does not end with CRLF:\n{text}"
    );
    records
}

/// Every table's CSV has a Japanese header and one record per row, each as wide as the header;
/// suppressed figures read 秘匿. Returns how many cells were 秘匿.
fn check_csvs(stats: &Value) -> usize {
    let mut hidden = 0;
    for table in TABLES {
        let csv = stats[table]["csv"].as_str().unwrap();
        let records = parse_csv(csv);
        let header = &records[0];
        assert!(
            header.iter().all(|h| !h.is_empty() && !h.is_ascii()),
            "{table}: the header is not Japanese: {header:?}"
        );
        let rows = stats[table]["rows"].as_array().unwrap();
        assert_eq!(records.len() - 1, rows.len(), "{table}: one record per row");
        for record in &records[1..] {
            assert_eq!(record.len(), header.len(), "{table}: {record:?}");
            hidden += record.iter().filter(|c| *c == "秘匿").count();
        }
    }
    hidden
}

/// Whether any figure of `value` is suppressed.
fn any_suppressed(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            map.get("suppressed") == Some(&Value::Bool(true)) || map.values().any(any_suppressed)
        }
        Value::Array(items) => items.iter().any(any_suppressed),
        _ => false,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Compare every checked figure of `stats` with `events`, under a minimum of `min` companies.
fn compare(stats: &Value, events: &FromEvents, min: usize) {
    let small = |n: usize| n > 0 && n < min;

    // Reach by the agency that found the company.
    let mut reach: BTreeMap<AgencyId, (BTreeSet<CompanyId>, BTreeSet<CompanyId>)> = BTreeMap::new();
    for (case, (company, agency, _)) in &events.discovered {
        let entry = reach.entry(*agency).or_default();
        entry.0.insert(*company);
        if events.start_line.contains_key(case) {
            entry.1.insert(*company);
        }
    }
    let rows = stats["reach"]["rows"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        reach.len(),
        "one row per agency that found companies"
    );
    for (agency, (found, reached)) in &reach {
        let name = &events.agencies[agency].0;
        let row = rows
            .iter()
            .find(|r| r["group"]["key"] == agency.0.to_string())
            .unwrap_or_else(|| panic!("no reach row for {name}"));
        assert_eq!(row["group"]["label"], name.as_str());
        let base_hidden = small(found.len());
        let what = format!("reach of {name}");
        check(
            &row["discovered"],
            Expect {
                value: found.len() as f64,
                companies: found.len(),
                base_hidden,
            },
            min,
            &format!("{what}: discovered"),
        );
        check(
            &row["reached"],
            Expect {
                value: reached.len() as f64,
                companies: reached.len(),
                base_hidden,
            },
            min,
            &format!("{what}: reached"),
        );
    }
    let all: BTreeSet<CompanyId> = events.discovered.values().map(|d| d.0).collect();
    assert_eq!(
        stats["total"]["rows"][0]["discovered"]["value"],
        all.len(),
        "45 companies in all"
    );

    // The median of the days from discovery to the start line, over every case that reached it.
    let days: Vec<f64> = events
        .start_line
        .iter()
        .map(|(case, on)| events.discovered[case].2.days_until(*on) as f64)
        .collect();
    let start = stats["timeToMilestones"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["milestone"] == "START_LINE" && r["group"]["key"] == "total")
        .unwrap();
    assert_eq!(start["days"]["n"], days.len());
    assert_eq!(start["days"]["median"].as_f64(), Some(median(days)));
    assert_eq!(start["reached"]["value"], events.start_line.len());

    // Walls on issues, over every industry.
    let walls = stats["walls"]["rows"].as_array().unwrap();
    for wall in Wall::ALL {
        let issues: Vec<&(CaseId, IssueId)> = events
            .issue_walls
            .iter()
            .filter(|(_, walls)| walls.contains(wall))
            .map(|(key, _)| key)
            .collect();
        let companies: BTreeSet<CompanyId> = issues
            .iter()
            .map(|(case, _)| events.company(*case))
            .collect();
        let id = serde_json::to_value(wall).unwrap();
        let id = id.as_str().unwrap().to_uppercase();
        let row = walls
            .iter()
            .find(|r| r["industryCode"].is_null() && r["wall"] == id.as_str())
            .unwrap_or_else(|| panic!("no row for the wall {id}"));
        let expect = |value: usize| Expect {
            value: value as f64,
            companies: companies.len(),
            base_hidden: small(companies.len()),
        };
        check(
            &row["issues"],
            expect(issues.len()),
            min,
            &format!("wall {id}: issues"),
        );
        check(
            &row["companies"],
            expect(companies.len()),
            min,
            &format!("wall {id}: companies"),
        );
    }

    // Handovers by the kinds of agency, and how many were accepted and declined.
    type Flow = (
        usize,
        usize,
        BTreeSet<CompanyId>,
        BTreeSet<CompanyId>,
        BTreeSet<CompanyId>,
    );
    let mut flows: BTreeMap<(String, String), Flow> = BTreeMap::new();
    for (case, from, to, accepted, declined) in events.handovers.values() {
        let kind = |a: &AgencyId| {
            let id = serde_json::to_value(events.agencies[a].1).unwrap();
            id.as_str().unwrap().to_uppercase()
        };
        let flow = flows.entry((kind(from), kind(to))).or_default();
        let company = events.company(*case);
        flow.2.insert(company);
        if *accepted {
            flow.0 += 1;
            flow.3.insert(company);
        }
        if *declined {
            flow.1 += 1;
            flow.4.insert(company);
        }
    }
    let answered = stats["handoverFlows"]["rows"].as_array().unwrap();
    assert_eq!(
        answered.len(),
        flows.len(),
        "one row per flow: {answered:?}"
    );
    assert!(
        flows.values().any(|f| f.1 > 0),
        "the demo declines handovers"
    );
    for ((from, to), (accepted, declined, all, acc, dec)) in &flows {
        let row = answered
            .iter()
            .find(|r| r["fromKind"] == from.as_str() && r["toKind"] == to.as_str())
            .unwrap_or_else(|| panic!("no row for {from} → {to}"));
        let base_hidden = small(all.len());
        let what = format!("handovers {from} → {to}");
        check(
            &row["accepted"],
            Expect {
                value: *accepted as f64,
                companies: acc.len(),
                base_hidden,
            },
            min,
            &format!("{what}: accepted"),
        );
        check(
            &row["declined"],
            Expect {
                value: *declined as f64,
                companies: dec.len(),
                base_hidden,
            },
            min,
            &format!("{what}: declined"),
        );
    }

    // Hearing depth of さきたま信用金庫, with and without an expert: characters per perspective.
    let sakitama = events.agency_named("さきたま信用金庫");
    let hearing = stats["hearing"]["rows"].as_array().unwrap();
    for with_expert in [true, false] {
        let mine: Vec<_> = events
            .dialogues
            .iter()
            .filter(|(_, supporters, expert, _)| {
                *expert == with_expert
                    && supporters
                        .iter()
                        .any(|s| events.supporter_agency[s] == sakitama)
            })
            .collect();
        let row = hearing
            .iter()
            .find(|r| r["agencyId"] == sakitama.0.to_string() && r["withExpert"] == with_expert);
        let Some(row) = row else {
            assert!(
                mine.is_empty(),
                "no hearing row of さきたま (expert: {with_expert})"
            );
            continue;
        };
        let companies: BTreeSet<CompanyId> = mine
            .iter()
            .map(|(case, ..)| events.company(*case))
            .collect();
        let base_hidden = small(companies.len());
        check(
            &row["dialogues"],
            Expect {
                value: mine.len() as f64,
                companies: companies.len(),
                base_hidden,
            },
            min,
            "さきたま: dialogues",
        );
        for (p, perspective) in Perspective::ALL.iter().enumerate() {
            let chars: u64 = mine.iter().map(|(.., chars)| chars[p]).sum();
            let answered = &row["perspectives"][p];
            assert_eq!(
                answered["perspective"],
                serde_json::to_value(perspective).unwrap()
            );
            check(
                &answered["chars"],
                Expect {
                    value: chars as f64,
                    companies: companies.len(),
                    base_hidden,
                },
                min,
                &format!("さきたま: characters under {}", perspective.label()),
            );
        }
    }
}

async fn the_statistics_match_the_events_and_hide_groups_of_fewer_than_five_companies(
    backend: Backend,
) {
    let Some(database) = TestDatabase::new(backend).await else {
        return;
    };
    let demo = run_banso(&["demo", "--database-url", &database.url]).await;
    assert!(demo.status.success(), "banso demo failed: {}", demo.stderr);
    let policy_token = demo_token(&demo.stdout, "関東経済産業局", "政策担当");
    let hub_token = demo_token(&demo.stdout, "さきたま信用金庫", "ハブ支援者");
    let (operator_token, _) =
        issue_token(&database.url, &["--operator", "--label", "e2e: operator"]).await;
    let events = FromEvents::read(&database.url).await;
    assert_eq!(events.discovered.len(), 45);

    // ---- the default minimum: 5 companies ----
    let app = spawn_app_on(database, &[], &[]).await;
    let policy = Gql::new(app.addr, Some(&policy_token));
    let stats = policy.data(QUERY, json!({})).await["policyStatistics"].clone();
    assert_eq!(stats["minCompanies"], 5);
    compare(&stats, &events, 5);
    // 常陸なかみなと信用金庫 found 3 companies: not one of its figures is shown.
    let hitachi = events.agency_named("常陸なかみなと信用金庫");
    let row = stats["reach"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["group"]["key"] == hitachi.0.to_string())
        .unwrap()
        .clone();
    assert_eq!(
        (
            &row["discovered"]["suppressed"],
            &row["reached"]["suppressed"],
            &row["ratePercent"]["suppressed"]
        ),
        (&json!(true), &json!(true), &json!(true)),
        "{row}"
    );
    assert!(
        stats["bySupporter"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["companies"]["suppressed"] == true),
        "some supporter held dialogues with fewer than five companies"
    );
    let hidden = check_csvs(&stats);
    assert!(hidden > 0, "suppressed figures read 秘匿 in the CSV");
    let reach_csv = parse_csv(stats["reach"]["csv"].as_str().unwrap());
    assert_eq!(
        reach_csv[0],
        [
            "区分",
            "区分コード",
            "発掘企業数",
            "スタートライン到達企業数",
            "到達率（%）"
        ]
    );
    let hitachi_name = events.agencies[&hitachi].0.as_str();
    let hitachi_record = reach_csv.iter().find(|r| r[0] == hitachi_name).unwrap();
    assert_eq!(hitachi_record[2..], ["秘匿", "秘匿", "秘匿"]);

    // A query may raise the minimum, never lower it.
    let strict = policy.data(QUERY, json!({ "min": 50 })).await["policyStatistics"].clone();
    assert_eq!(strict["minCompanies"], 50);
    assert!(
        strict["reach"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["discovered"]["suppressed"] == true),
        "no agency found 50 companies"
    );
    for low in [4, 0, -1] {
        let error = policy.error(QUERY, json!({ "min": low })).await;
        assert_eq!(error.code(), "BAD_USER_INPUT", "{low}");
        assert_eq!(error.field.as_deref(), Some("minCompanies"));
    }
    let backwards = policy
        .error(
            QUERY,
            json!({ "filter": { "from": "2025-04-01", "to": "2025-03-31" } }),
        )
        .await;
    assert_eq!(backwards.code(), "BAD_USER_INPUT");
    assert_eq!(backwards.field.as_deref(), Some("filter.to"));
    let bad_day = policy
        .error(QUERY, json!({ "filter": { "from": "2025-02-30" } }))
        .await;
    assert_eq!(bad_day.field.as_deref(), Some("filter.from"));

    // Only the policy officer may ask: a supporter and the operator are refused alike.
    for (who, token) in [
        ("a hub supporter", &hub_token),
        ("the operator", &operator_token),
    ] {
        let error = Gql::new(app.addr, Some(token))
            .error("{ policyStatistics { minCompanies } }", json!({}))
            .await;
        assert_eq!(error.code(), "FORBIDDEN", "{who}");
    }
    let anonymous = Gql::new(app.addr, None)
        .error("{ policyStatistics { minCompanies } }", json!({}))
        .await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
    let database = app.stop().await;

    // ---- a server configured with a minimum of 1: everything is shown ----
    let app = spawn_app_on(database, &["--stats-min-companies", "1"], &[]).await;
    let policy = Gql::new(app.addr, Some(&policy_token));
    let stats = policy.data(QUERY, json!({})).await["policyStatistics"].clone();
    assert_eq!(stats["minCompanies"], 1);
    assert!(!any_suppressed(&stats), "nothing is suppressed: {stats}");
    compare(&stats, &events, 1);
    assert_eq!(check_csvs(&stats), 0);

    // A period: only the companies found within it.
    let mut days: Vec<Day> = events.discovered.values().map(|d| d.2).collect();
    days.sort();
    let (from, to) = (days[days.len() / 3], days[days.len() * 2 / 3]);
    let within: BTreeSet<CompanyId> = events
        .discovered
        .values()
        .filter(|(_, _, on)| from <= *on && *on <= to)
        .map(|d| d.0)
        .collect();
    assert!(!within.is_empty() && within.len() < 45);
    let period = policy
        .data(
            QUERY,
            json!({ "filter": { "from": from.to_string(), "to": to.to_string() } }),
        )
        .await;
    assert_eq!(
        period["policyStatistics"]["total"]["rows"][0]["discovered"]["value"],
        within.len()
    );
    app.finish().await;
}

/// A minimum below 1, by flag or by variable, stops the server before it starts, saying what
/// is wrong.
#[tokio::test]
async fn a_statistics_minimum_below_one_is_refused_at_start() {
    // A database of its own, should the server start after all.
    let database = TestDatabase::new(Backend::Sqlite).await.unwrap();
    let url = database.url.as_str();
    for minimum in ["0", "zero"] {
        let args = [
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            url,
            "--stats-min-companies",
            minimum,
        ];
        let output = run_banso(&args).await;
        assert!(!output.status.success(), "{args:?} started");
        assert!(
            output.stderr.contains("at least 1"),
            "{args:?}: {}",
            output.stderr
        );
    }
    let output = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        banso()
            .args(["serve", "--bind", "127.0.0.1:0", "--database-url", url])
            .env("BANSO_STATS_MIN_COMPANIES", "0")
            .output(),
    )
    .await
    .expect("BANSO_STATS_MIN_COMPANIES=0 started a server")
    .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("at least 1"), "{stderr}");
    database.remove().await;
}
