//! Good-practice and failure candidates: what a case's events show (its [`Evidence`]), and its
//! score under [`Weights`] the policy office sets. Scoring happens on reading, so changed
//! weights need no rebuild; each score carries its explanation, one [`Contribution`] per kind
//! of evidence that counted.

use std::collections::{BTreeMap, BTreeSet};

use banso_events::domain::ids::{AgencyId, CaseId, CompanyId};
use banso_events::domain::japan::{Industry, Prefecture};
use banso_events::domain::localbench::{Indicator, Indicators};
use banso_events::domain::values::Day;
use banso_events::domain::vocab::{
    AgencyKind, ClosingOutcome, ExampleStatus, HandoverStatus, IssueStatus, MeasureStatus, Stage,
    Theme, Wall,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::error::ReadError;
use crate::models::benchmarks::StatementsRow;
use crate::models::cases::CaseDoc;
use crate::projection::Projection;
use crate::runner::ReadModels;

/// Which way a piece of evidence points: toward the good-practice catalogue (好事例) or the
/// failure cases (失敗事例), which the policy office wants as much.
pub use banso_events::domain::vocab::ExampleSide as Side;

macro_rules! signals {
    ($($variant:ident = ($id:literal, $side:ident, $points:literal, $label:literal),)*) => {
        /// A kind of evidence a case's events can give.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Signal {
            $($variant,)*
        }

        impl Signal {
            pub const ALL: &'static [Signal] = &[$(Signal::$variant,)*];

            /// The key in a weights file.
            pub fn id(self) -> &'static str {
                match self {
                    $(Signal::$variant => $id,)*
                }
            }

            pub fn side(self) -> Side {
                match self {
                    $(Signal::$variant => Side::$side,)*
                }
            }

            /// What one unit of it is, in Japanese.
            pub fn label(self) -> &'static str {
                match self {
                    $(Signal::$variant => $label,)*
                }
            }

            /// Points per unit when the policy office has set none.
            fn default_points(self) -> f64 {
                match self {
                    $(Signal::$variant => $points,)*
                }
            }
        }
    };
}

signals! {
    IndicatorImproved = ("indicator_improved", Good, 3.0, "ローカルベンチマーク指標の改善（前年度比）"),
    IssueResolved = ("issue_resolved", Good, 2.0, "解決した課題"),
    WallOvercome = ("wall_overcome", Good, 3.0, "乗り越えた壁"),
    MeasureOnTime = ("measure_on_time", Good, 2.0, "期限内に完了した施策"),
    ReviewOnSchedule = ("review_on_schedule", Good, 1.0, "予定どおり実施した振り返り"),
    SelfRunning = ("self_running", Good, 5.0, "自走化の達成"),
    HandoverThenProgress = ("handover_then_progress", Good, 3.0, "引継ぎ後に進んだ支援"),
    MeasureStalled = ("measure_stalled", Failure, 2.0, "停滞したままの施策"),
    MeasurePastDue = ("measure_past_due", Failure, 1.0, "期限を過ぎて未完了の施策"),
    WallNeverOvercome = ("wall_never_overcome", Failure, 2.0, "乗り越えられなかった壁"),
    HandoverDeclined = ("handover_declined", Failure, 1.0, "辞退された引継ぎ"),
    SupportStopped = ("support_stopped", Failure, 4.0, "中断・廃業で終わった支援"),
}

/// What a case's events show: how many units of each [`Signal`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    pub counts: BTreeMap<Signal, u32>,
}

/// What the cases read model stores of a case for scoring, beside its document (the narrow
/// `evidence` column): the counts that do not depend on the day, the due days of its
/// unfinished measures (being past due does), and its themes and walls. Scoring a case then
/// reads a few hundred bytes instead of the whole document.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseEvidence {
    pub counts: BTreeMap<Signal, u32>,
    pub open_due: Vec<Day>,
    pub themes: Vec<Theme>,
    pub walls: Vec<Wall>,
}

impl CaseEvidence {
    /// What the case `doc` shows, whatever the day.
    pub fn of(doc: &CaseDoc) -> Self {
        let state = &doc.state;
        let mut counts = BTreeMap::new();
        let mut add = |signal: Signal, n: usize| {
            if n > 0 {
                *counts.entry(signal).or_insert(0) += n as u32;
            }
        };
        add(
            Signal::IssueResolved,
            state
                .issues
                .values()
                .filter(|i| i.status == IssueStatus::Resolved)
                .count(),
        );
        add(
            Signal::WallOvercome,
            state.issues.values().map(|i| i.overcome.len()).sum(),
        );
        let on_time = state
            .measures
            .iter()
            .filter(|(id, m)| {
                m.status == MeasureStatus::Completed
                    && doc
                        .measures
                        .get(id)
                        .and_then(|n| n.completed_on)
                        .is_some_and(|done| done <= m.due_on)
            })
            .count();
        add(Signal::MeasureOnTime, on_time);
        add(
            Signal::ReviewOnSchedule,
            doc.reviews
                .iter()
                .filter(|r| r.scheduled_on.is_some_and(|due| r.on <= due))
                .count(),
        );
        add(
            Signal::SelfRunning,
            usize::from(state.self_running_on.is_some()),
        );
        // An accepted handover that led somewhere: an issue resolved or a measure completed
        // on or after the first acceptance.
        if let Some(first) = doc.handovers_accepted_on.iter().min() {
            let resolved_after = state.issues.iter().any(|(id, i)| {
                i.status == IssueStatus::Resolved
                    && doc
                        .issues
                        .get(id)
                        .and_then(|n| n.closed_on)
                        .is_some_and(|on| on >= *first)
            });
            let completed_after = doc
                .measures
                .values()
                .any(|m| m.completed_on.is_some_and(|on| on >= *first));
            add(
                Signal::HandoverThenProgress,
                usize::from(resolved_after || completed_after),
            );
        }

        add(
            Signal::MeasureStalled,
            state
                .measures
                .values()
                .filter(|m| m.status == MeasureStatus::Stalled)
                .count(),
        );
        // Walls left standing on issues that were given up, or on any unresolved issue of a
        // closed case.
        add(
            Signal::WallNeverOvercome,
            state
                .issues
                .values()
                .filter(|i| {
                    i.status == IssueStatus::Dropped
                        || (state.is_closed() && i.status != IssueStatus::Resolved)
                })
                .map(|i| i.walls.iter().filter(|w| !i.overcome.contains(w)).count())
                .sum(),
        );
        add(
            Signal::HandoverDeclined,
            state
                .handovers
                .values()
                .filter(|h| h.status == HandoverStatus::Declined)
                .count(),
        );
        let stopped = matches!(
            state.closed,
            Some(ClosingOutcome::Suspended | ClosingOutcome::ClosedBusiness)
        ) || state.failure_recorded;
        add(Signal::SupportStopped, usize::from(stopped));
        Self {
            counts,
            open_due: state
                .measures
                .values()
                .filter(|m| m.status != MeasureStatus::Completed)
                .map(|m| m.due_on)
                .collect(),
            themes: themes_of(doc),
            walls: walls_of(doc),
        }
    }

    /// The evidence as of `today`, with `statements` the company's financial statements by
    /// fiscal year (any order).
    pub fn on(&self, statements: &[StatementsRow], today: Day) -> Evidence {
        let mut counts = self.counts.clone();
        let mut add = |signal: Signal, n: usize| {
            if n > 0 {
                *counts.entry(signal).or_insert(0) += n as u32;
            }
        };
        add(Signal::IndicatorImproved, indicators_improved(statements));
        add(
            Signal::MeasurePastDue,
            self.open_due.iter().filter(|due| **due < today).count(),
        );
        Evidence { counts }
    }
}

impl Evidence {
    /// The evidence of the case `doc`, with `statements` its company's financial statements by
    /// fiscal year (any order), as of `today`.
    pub fn of(doc: &CaseDoc, statements: &[StatementsRow], today: Day) -> Self {
        CaseEvidence::of(doc).on(statements, today)
    }

    pub fn count(&self, signal: Signal) -> u32 {
        self.counts.get(&signal).copied().unwrap_or(0)
    }
}

/// How many of the six indicators improved from the year before the latest to the latest
/// (both years meaningful; lower is better for the debt multiple and the working-capital
/// period).
fn indicators_improved(statements: &[StatementsRow]) -> usize {
    let Some(years) = latest_years(statements) else {
        return 0;
    };
    let before = years.before.map(|b| &b.statements);
    compare(
        &Indicators::compute(&years.previous.statements, before),
        &Indicators::compute(&years.latest.statements, Some(&years.previous.statements)),
    )
}

/// The two latest fiscal years of a company's statements, and the year before them (sales
/// growth needs it).
pub(crate) struct LatestYears<'a> {
    /// The year before `previous`, if it directly precedes it.
    pub before: Option<&'a StatementsRow>,
    pub previous: &'a StatementsRow,
    pub latest: &'a StatementsRow,
}

/// The two latest fiscal years of `statements`, if they are consecutive.
pub(crate) fn latest_years(statements: &[StatementsRow]) -> Option<LatestYears<'_>> {
    let mut years: Vec<&StatementsRow> = statements.iter().collect();
    years.sort_by_key(|s| s.fiscal_year.get());
    years.dedup_by_key(|s| s.fiscal_year.get());
    let consecutive =
        |a: &StatementsRow, b: &StatementsRow| b.fiscal_year.get() == a.fiscal_year.get() + 1;
    let n = years.len();
    if n < 2 || !consecutive(years[n - 2], years[n - 1]) {
        return None;
    }
    let previous = years[n - 2];
    Some(LatestYears {
        before: n
            .checked_sub(3)
            .map(|i| years[i])
            .filter(|before| consecutive(before, previous)),
        previous,
        latest: years[n - 1],
    })
}

fn compare(previous: &Indicators, latest: &Indicators) -> usize {
    Indicator::ALL
        .into_iter()
        .filter(
            |&i| match (previous.get(i).value(), latest.get(i).value()) {
                (Some(p), Some(l)) if i.lower_is_better() => l < p,
                (Some(p), Some(l)) => l > p,
                _ => false,
            },
        )
        .count()
}

/// Points per unit of each signal: data the policy office can change (a JSON object keyed by
/// [`Signal::id`]; a signal left out keeps its default).
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    points: BTreeMap<Signal, f64>,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            points: Signal::ALL
                .iter()
                .map(|&s| (s, s.default_points()))
                .collect(),
        }
    }
}

/// Why a weights file was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WeightsError {
    #[error("重みの設定が JSON のオブジェクトとして読めません: {0}")]
    NotJson(String),
    #[error("重みの設定に未知の項目「{key}」があります。使える項目: {known}")]
    UnknownSignal { key: String, known: String },
    #[error("重み「{key}」は 0 以上 100 以下の数で指定してください（{value} が指定されました）")]
    OutOfRange { key: String, value: f64 },
}

impl Weights {
    /// Read weights from JSON, e.g. `{"self_running": 8, "wall_overcome": 4}`.
    pub fn from_json(text: &str) -> Result<Self, WeightsError> {
        let given: BTreeMap<String, f64> =
            serde_json::from_str(text).map_err(|e| WeightsError::NotJson(e.to_string()))?;
        let mut weights = Self::default();
        for (key, value) in given {
            let Some(&signal) = Signal::ALL.iter().find(|s| s.id() == key) else {
                let known: Vec<&str> = Signal::ALL.iter().map(|s| s.id()).collect();
                return Err(WeightsError::UnknownSignal {
                    key,
                    known: known.join(", "),
                });
            };
            if !(0.0..=100.0).contains(&value) {
                return Err(WeightsError::OutOfRange { key, value });
            }
            weights.points.insert(signal, value);
        }
        Ok(weights)
    }

    pub fn points(&self, signal: Signal) -> f64 {
        self.points.get(&signal).copied().unwrap_or(0.0)
    }
}

/// One kind of evidence that counted toward a score.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    pub signal: Signal,
    pub count: u32,
    pub points: f64,
}

/// A case's score on one side, with its explanation (largest contribution first).
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub side: Side,
    pub total: f64,
    pub contributions: Vec<Contribution>,
}

/// Score `evidence` on `side` under `weights`.
pub fn score(evidence: &Evidence, weights: &Weights, side: Side) -> Score {
    let mut contributions: Vec<Contribution> = evidence
        .counts
        .iter()
        .filter(|(signal, _)| signal.side() == side)
        .map(|(&signal, &count)| Contribution {
            signal,
            count,
            points: f64::from(count) * weights.points(signal),
        })
        .filter(|c| c.points > 0.0)
        .collect();
    contributions.sort_by(|a, b| b.points.total_cmp(&a.points).then(a.signal.cmp(&b.signal)));
    Score {
        side,
        total: contributions.iter().map(|c| c.points).sum(),
        contributions,
    }
}

/// Which cases to consider. Every field given narrows the list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CandidateFilter {
    /// Only cases with an issue (open or not) of this theme.
    pub theme: Option<Theme>,
    /// Only cases where this wall was met (on an issue or a stalled measure).
    pub wall: Option<Wall>,
    pub industry: Option<Industry>,
    pub prefecture: Option<Prefecture>,
    /// The kind of agency holding the case.
    pub agency_kind: Option<AgencyKind>,
    /// Only cases active on or after this day (their last activity).
    pub from: Option<Day>,
    /// Only cases discovered on or before this day.
    pub to: Option<Day>,
    /// Only the cases this agency may see (`None`: all, for the policy office).
    pub visible_to: Option<AgencyId>,
}

/// A case scored as a candidate, with what the policy office may read of it: no company
/// name, no person, no free text.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub case_id: CaseId,
    pub industry: Option<Industry>,
    pub prefecture: Option<Prefecture>,
    pub agency_id: AgencyId,
    pub agency_name: Option<String>,
    pub agency_kind: Option<AgencyKind>,
    pub stage: Stage,
    pub themes: Vec<Theme>,
    pub walls: Vec<Wall>,
    pub discovered_on: Option<Day>,
    pub last_activity_on: Option<Day>,
    pub score: Score,
    /// Where the case stands in review, if it was nominated.
    pub example_status: Option<ExampleStatus>,
}

/// Every theme of the case's issues, in vocabulary order.
pub fn themes_of(doc: &CaseDoc) -> Vec<Theme> {
    let themes: BTreeSet<Theme> = doc.issues.values().map(|i| i.theme).collect();
    themes.into_iter().collect()
}

/// Every wall the case met: on its issues and on its measures' stalls.
pub fn walls_of(doc: &CaseDoc) -> Vec<Wall> {
    let walls: BTreeSet<Wall> = doc
        .state
        .issues
        .values()
        .flat_map(|i| i.walls.iter().copied())
        .chain(
            doc.state
                .measures
                .values()
                .flat_map(|m| m.walls_met.iter().copied()),
        )
        .collect();
    walls.into_iter().collect()
}

/// Cases read per query round trip while scoring.
const CANDIDATE_CHUNK: i64 = 500;

impl ReadModels {
    /// The cases matching `filter` with a positive score on `side` under `weights` as of
    /// `today`, best first (ties by case id). Scores are computed here, on reading, from each
    /// case's stored [`CaseEvidence`] and its company's statements, so changed weights need no
    /// rebuild. The cost grows with the cases the filter leaves: see the README's figures.
    pub async fn candidates(
        &self,
        filter: &CandidateFilter,
        side: Side,
        weights: &Weights,
        today: Day,
    ) -> Result<Vec<Candidate>, ReadError> {
        let cases = self.table(Projection::Cases, "rm_cases");
        let access = self.table(Projection::Cases, "rm_case_access");
        let agencies = self.table(Projection::Directory, "rm_agencies");
        let examples = self.table(Projection::Examples, "rm_examples");
        let mut from = format!("{cases} c");
        if filter.visible_to.is_some() {
            from.push_str(&format!(
                " JOIN {access} a ON a.case_id = c.case_id AND a.agency_id = $7"
            ));
        }
        let sql = format!(
            "SELECT c.case_id, c.company_id, c.industry, c.prefecture, c.holder, c.stage,
                 c.discovered_on, c.last_activity_on, c.evidence,
                 ag.kind AS agency_kind, ag.name AS agency_name, e.status AS example_status
             FROM {from}
             LEFT JOIN {agencies} ag ON ag.agency_id = c.holder
             LEFT JOIN {examples} e ON e.case_id = c.case_id
             WHERE c.case_id > $1
               AND ($2 = '' OR c.industry = $2)
               AND ($3 = '' OR c.prefecture = $3)
               AND ($4 = '' OR ag.kind = $4)
               AND ($5 = '' OR c.last_activity_on >= $5)
               AND ($6 = '' OR c.discovered_on <= $6)
             ORDER BY c.case_id LIMIT {CANDIDATE_CHUNK}"
        );
        let text = |value: Option<String>| value.unwrap_or_default();
        let mut found = Vec::new();
        let mut after = String::new();
        loop {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(after.clone())
                .bind(text(filter.industry.map(|i| i.code().to_string())))
                .bind(text(filter.prefecture.map(|p| p.name().to_owned())))
                .bind(text(filter.agency_kind.map(|k| k.id().to_owned())))
                .bind(text(filter.from.map(|d| d.to_string())))
                .bind(text(filter.to.map(|d| d.to_string())));
            if let Some(agency) = filter.visible_to {
                query = query.bind(agency.0.to_string());
            }
            let rows = query.fetch_all(self.pool()).await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("case_id")?;
            let mut chunk = Vec::with_capacity(rows.len());
            for row in &rows {
                let json: String = row.try_get("evidence")?;
                let evidence: CaseEvidence =
                    serde_json::from_str(&json).map_err(|error| ReadError::Document {
                        table: cases.clone(),
                        error,
                    })?;
                if filter.theme.is_some_and(|t| !evidence.themes.contains(&t))
                    || filter.wall.is_some_and(|w| !evidence.walls.contains(&w))
                {
                    continue;
                }
                let company_id = CompanyId(crate::models::uuid(row, "company_id")?);
                chunk.push((company_id, evidence, row));
            }
            let companies: Vec<CompanyId> = chunk.iter().map(|c| c.0).collect();
            let statements = self.statements_of(&companies).await?;
            for (company_id, evidence, row) in chunk {
                let years = statements.get(&company_id).map_or(&[][..], |v| &v[..]);
                let score = score(&evidence.on(years, today), weights, side);
                if score.total <= 0.0 {
                    continue;
                }
                let text = |column: &str| row.try_get::<Option<String>, _>(column);
                found.push(Candidate {
                    case_id: CaseId(crate::models::uuid(row, "case_id")?),
                    industry: text("industry")?.and_then(|i| Industry::parse(&i).ok()),
                    prefecture: text("prefecture")?.and_then(|p| Prefecture::parse(&p).ok()),
                    agency_id: AgencyId(crate::models::uuid(row, "holder")?),
                    agency_name: text("agency_name")?,
                    agency_kind: crate::models::vocab_opt(row, "agency_kind")?,
                    stage: crate::models::vocab(row, "stage")?,
                    themes: evidence.themes,
                    walls: evidence.walls,
                    discovered_on: crate::models::day(text("discovered_on")?),
                    last_activity_on: crate::models::day(text("last_activity_on")?),
                    score,
                    example_status: crate::models::vocab_opt(row, "example_status")?,
                });
            }
            if rows.len() < CANDIDATE_CHUNK as usize {
                break;
            }
        }
        found.sort_by(|a, b| {
            b.score
                .total
                .total_cmp(&a.score.total)
                .then(a.case_id.0.cmp(&b.case_id.0))
        });
        Ok(found)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use banso_events::domain::event::MeasureOwner;
    use banso_events::domain::ids::{AgencyId, SupporterId};
    use banso_events::domain::ids::{CaseId, CompanyId, HandoverId, IssueId, MeasureId};
    use banso_events::domain::localbench::FinancialStatements;
    use banso_events::domain::state::{HandoverState, IssueState, MeasureState};
    use banso_events::domain::values::{Count, FiscalYear, Title, Yen};
    use banso_events::domain::vocab::{MeasureKind, Priority, Theme, Wall};
    use uuid::Uuid;

    use super::*;
    use crate::models::cases::{IssueNotes, MeasureNotes, ReviewNote};

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn id() -> Uuid {
        Uuid::now_v7()
    }

    fn issue(status: IssueStatus, walls: &[Wall], overcome: &[Wall]) -> IssueState {
        IssueState {
            title: Title::parse("後継者が決まっていない").unwrap(),
            cycle: 1,
            walls: walls.to_vec(),
            owner_agrees: true,
            status,
            overcome: overcome.iter().copied().collect::<BTreeSet<_>>(),
        }
    }

    fn measure(status: MeasureStatus, due_on: &str) -> MeasureState {
        MeasureState {
            title: Title::parse("月次試算表の作成").unwrap(),
            cycle: 1,
            issues: Vec::new(),
            owner: MeasureOwner::Supporter {
                supporter_id: SupporterId(id()),
            },
            starts_on: day("2025-04-01"),
            due_on: day(due_on),
            status,
            started_on: Some(day("2025-04-01")),
            kpis: Vec::new(),
            walls_met: BTreeSet::new(),
        }
    }

    fn notes(completed_on: Option<&str>) -> MeasureNotes {
        MeasureNotes {
            kind: MeasureKind::ExpertDispatch,
            description: None,
            percent: None,
            stalled_on: None,
            completed_on: completed_on.map(day),
            readings: BTreeMap::new(),
        }
    }

    /// A year's statements with the given sales, operating profit and net assets (the rest
    /// fixed), for tests here and in `writeup`.
    pub(crate) fn year(
        fiscal_year: i64,
        sales: i64,
        operating_profit: i64,
        net_assets: i64,
    ) -> StatementsRow {
        let yen = |n: i64| Yen::new(n).unwrap();
        StatementsRow {
            company_id: CompanyId(Uuid::nil()),
            fiscal_year: FiscalYear::new(fiscal_year).unwrap(),
            case_id: CaseId(Uuid::nil()),
            statements: FinancialStatements {
                sales: yen(sales),
                operating_profit: yen(operating_profit),
                depreciation: yen(5_000_000),
                borrowings: yen(80_000_000),
                cash_and_deposits: yen(20_000_000),
                accounts_receivable: yen(30_000_000),
                notes_receivable: yen(0),
                inventory: yen(10_000_000),
                accounts_payable: yen(15_000_000),
                notes_payable: yen(0),
                net_assets: yen(net_assets),
                total_assets: yen(200_000_000),
                employees: Count::new(20).unwrap(),
            },
            corrected: false,
        }
    }

    /// 川口精密 after a good year: two issues resolved (three walls overcome), a measure done
    /// early, a review held on its day, self-running, and a handover that led to a result.
    fn good_case() -> CaseDoc {
        let mut doc = CaseDoc::default();
        let (i1, i2) = (IssueId(id()), IssueId(id()));
        doc.state.issues.insert(
            i1,
            issue(
                IssueStatus::Resolved,
                &[Wall::Invisible, Wall::CannotExecute],
                &[Wall::Invisible, Wall::CannotExecute],
            ),
        );
        doc.state.issues.insert(
            i2,
            issue(IssueStatus::Resolved, &[Wall::Lacking], &[Wall::Lacking]),
        );
        for (issue_id, closed_on) in [(i1, "2025-09-30"), (i2, "2025-10-15")] {
            doc.issues.insert(
                issue_id,
                IssueNotes {
                    theme: Theme::Succession,
                    priority: Priority::High,
                    description: None,
                    set_on: day("2025-04-10"),
                    closed_on: Some(day(closed_on)),
                },
            );
        }
        let m = MeasureId(id());
        doc.state
            .measures
            .insert(m, measure(MeasureStatus::Completed, "2025-09-30"));
        doc.measures.insert(m, notes(Some("2025-09-20")));
        doc.reviews.push(ReviewNote {
            on: day("2025-07-01"),
            scheduled_on: Some(day("2025-07-01")),
            cycle: 1,
            findings: 1,
            achieved: 1,
        });
        doc.state.self_running_on = Some(day("2025-11-01"));
        doc.handovers_accepted_on.push(day("2025-08-01"));
        doc
    }

    #[test]
    fn a_good_case_counts_each_kind_of_evidence() {
        let statements = [
            year(2023, 300_000_000, 6_000_000, 40_000_000),
            year(2024, 310_000_000, 9_000_000, 45_000_000),
        ];
        let evidence = Evidence::of(&good_case(), &statements, day("2025-11-20"));
        assert_eq!(evidence.count(Signal::IssueResolved), 2);
        assert_eq!(evidence.count(Signal::WallOvercome), 3);
        assert_eq!(evidence.count(Signal::MeasureOnTime), 1);
        assert_eq!(evidence.count(Signal::ReviewOnSchedule), 1);
        assert_eq!(evidence.count(Signal::SelfRunning), 1);
        assert_eq!(evidence.count(Signal::HandoverThenProgress), 1);
        // Margin, productivity, debt multiple, working-capital period (same working capital
        // over higher sales) and equity ratio improve; sales growth has no year before 2023.
        assert_eq!(evidence.count(Signal::IndicatorImproved), 5);
        for failure in Signal::ALL.iter().filter(|s| s.side() == Side::Failure) {
            assert_eq!(evidence.count(*failure), 0, "{failure:?}");
        }

        let good = score(&evidence, &Weights::default(), Side::Good);
        // 5×3 + 2×2 + 3×3 + 1×2 + 1×1 + 1×5 + 1×3
        assert_eq!(good.total, 39.0);
        assert_eq!(good.contributions[0].signal, Signal::IndicatorImproved);
        assert_eq!(good.contributions[0].points, 15.0);
        assert_eq!(
            score(&evidence, &Weights::default(), Side::Failure).total,
            0.0
        );
    }

    #[test]
    fn a_stopped_case_is_a_failure_candidate_with_its_reasons() {
        let mut doc = CaseDoc::default();
        doc.state.issues.insert(
            IssueId(id()),
            issue(
                IssueStatus::Dropped,
                &[Wall::CannotExecute, Wall::Lacking],
                &[Wall::CannotExecute],
            ),
        );
        let stalled = MeasureId(id());
        doc.state
            .measures
            .insert(stalled, measure(MeasureStatus::Stalled, "2025-06-30"));
        doc.measures.insert(stalled, notes(None));
        doc.state.handovers.insert(
            HandoverId(id()),
            HandoverState {
                from_agency: AgencyId(id()),
                to_agency: AgencyId(id()),
                requested_on: day("2025-05-01"),
                sender_stays: false,
                status: HandoverStatus::Declined,
            },
        );
        doc.state.closed = Some(ClosingOutcome::Suspended);
        doc.reviews.push(ReviewNote {
            on: day("2025-08-20"),
            scheduled_on: Some(day("2025-07-01")),
            cycle: 1,
            findings: 0,
            achieved: 0,
        });
        let evidence = Evidence::of(&doc, &[], day("2025-11-20"));
        assert_eq!(evidence.count(Signal::MeasureStalled), 1);
        assert_eq!(evidence.count(Signal::MeasurePastDue), 1);
        // What the read model stores scores the same after its round trip through JSON, and
        // being past due depends on the day asked about.
        let stored: CaseEvidence =
            serde_json::from_str(&serde_json::to_string(&CaseEvidence::of(&doc)).unwrap()).unwrap();
        assert_eq!(stored.on(&[], day("2025-11-20")), evidence);
        assert_eq!(
            stored
                .on(&[], day("2025-06-30"))
                .count(Signal::MeasurePastDue),
            0,
            "due on 2025-06-30 is not past due that day"
        );
        assert_eq!(stored.walls, vec![Wall::CannotExecute, Wall::Lacking]);
        assert_eq!(evidence.count(Signal::WallNeverOvercome), 1);
        assert_eq!(evidence.count(Signal::HandoverDeclined), 1);
        assert_eq!(evidence.count(Signal::SupportStopped), 1);
        assert_eq!(
            evidence.count(Signal::ReviewOnSchedule),
            0,
            "held seven weeks late"
        );
        let failure = score(&evidence, &Weights::default(), Side::Failure);
        assert_eq!(failure.total, 4.0 + 2.0 + 2.0 + 1.0 + 1.0);
        assert_eq!(failure.contributions[0].signal, Signal::SupportStopped);
    }

    #[test]
    fn weights_are_data_the_policy_office_sets() {
        let evidence = Evidence::of(&good_case(), &[], day("2025-11-20"));
        let weights = Weights::from_json(r#"{"self_running": 20, "wall_overcome": 0}"#).unwrap();
        let good = score(&evidence, &weights, Side::Good);
        assert_eq!(good.contributions[0].signal, Signal::SelfRunning);
        assert_eq!(good.contributions[0].points, 20.0);
        assert!(
            good.contributions
                .iter()
                .all(|c| c.signal != Signal::WallOvercome),
            "a weight of 0 leaves the evidence out of the explanation"
        );
        assert_eq!(good.total, 20.0 + 4.0 + 2.0 + 1.0 + 3.0);

        let unknown = Weights::from_json(r#"{"self_runing": 1}"#).unwrap_err();
        assert!(
            matches!(&unknown, WeightsError::UnknownSignal { key, .. } if key == "self_runing")
        );
        assert!(unknown.to_string().contains("self_running"), "{unknown}");
        assert_eq!(
            Weights::from_json(r#"{"issue_resolved": -1}"#).unwrap_err(),
            WeightsError::OutOfRange {
                key: "issue_resolved".into(),
                value: -1.0
            }
        );
        assert!(matches!(
            Weights::from_json("[1, 2]"),
            Err(WeightsError::NotJson(_))
        ));
    }

    #[test]
    fn statements_of_years_apart_are_not_compared() {
        let statements = [
            year(2021, 300_000_000, 6_000_000, 40_000_000),
            year(2024, 310_000_000, 9_000_000, 45_000_000),
        ];
        let evidence = Evidence::of(&CaseDoc::default(), &statements, day("2025-11-20"));
        assert_eq!(evidence.count(Signal::IndicatorImproved), 0);
    }
}
