//! What queries return: the read models' rows as GraphQL objects. Dates are `YYYY-MM-DD`
//! strings; every vocabulary is an enum whose values carry their Japanese label as description,
//! and the objects also give the label itself (`stageLabel` ...) for screens.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, Object, Result, SimpleObject};
use banso_events::Position;
use banso_events::domain::event::ConsentRecipient as DomainRecipient;
use banso_events::domain::ids::{AgencyId, SupporterId};
use banso_events::domain::localbench::{
    Indicator, IndicatorChange, IndicatorValue, Indicators, change,
};
use banso_events::domain::values::Day;
use banso_projections::models::benchmarks::StatementsRow;
use banso_projections::models::cases::CaseRow;
use banso_projections::models::directory::{AgencyRow, SupporterRow};
use banso_projections::models::handovers::HandoverRow;
use banso_projections::models::timeline::TimelineEntry as EntryRow;
use uuid::Uuid;

use crate::context::services;
use crate::error::internal;
use crate::vocab::{
    AgencyKind, ClosingOutcome, HandoverStatus, IssueStatus, MeasureKind, MeasureStatus, Priority,
    Purpose, Stage, SupporterRole, TeamRole, Theme, Wall,
};

pub(crate) fn day(d: Day) -> String {
    d.to_string()
}

fn days(d: Option<Day>) -> Option<String> {
    d.map(day)
}

/// A support agency (支援機関).
#[derive(SimpleObject, Clone)]
pub struct Agency {
    pub id: Uuid,
    pub kind: AgencyKind,
    pub kind_label: String,
    pub name: String,
    pub prefecture: String,
}

impl From<AgencyRow> for Agency {
    fn from(row: AgencyRow) -> Self {
        Self {
            id: row.agency_id.0,
            kind: row.kind.into(),
            kind_label: row.kind.label().to_owned(),
            name: row.name,
            prefecture: row.prefecture,
        }
    }
}

/// A supporter (支援者).
#[derive(SimpleObject, Clone)]
pub struct Supporter {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub role: SupporterRole,
    pub role_label: String,
    /// 氏名, when recorded.
    pub name: Option<String>,
    /// Whether they have left their agency (離任).
    pub departed: bool,
}

impl From<SupporterRow> for Supporter {
    fn from(row: SupporterRow) -> Self {
        Self {
            id: row.supporter_id.0,
            agency_id: row.agency_id.0,
            role: row.role.into(),
            role_label: row.role.label().to_owned(),
            name: row.name,
            departed: row.departed,
        }
    }
}

pub(crate) async fn agency(ctx: &Context<'_>, id: AgencyId) -> Result<Option<Agency>> {
    let read = &services(ctx)?.read;
    Ok(read
        .agency(id)
        .await
        .map_err(|e| internal("could not read an agency", e))?
        .map(Agency::from))
}

pub(crate) async fn supporter(ctx: &Context<'_>, id: SupporterId) -> Result<Option<Supporter>> {
    let read = &services(ctx)?.read;
    Ok(read
        .supporter(id)
        .await
        .map_err(|e| internal("could not read a supporter", e))?
        .map(Supporter::from))
}

/// The company of a case (企業).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Company {
    pub id: Uuid,
    pub name: String,
    /// フリガナ.
    pub kana: String,
    /// JSIC 大分類 letter, A to T.
    pub industry_code: Option<String>,
    /// 産業分類の名称, e.g. 製造業.
    pub industry: Option<String>,
    pub prefecture: Option<String>,
}

#[ComplexObject]
impl Company {
    /// ローカルベンチマークの推移: the six indicators by fiscal year, with their change.
    async fn benchmark_history(&self, ctx: &Context<'_>) -> Result<Vec<BenchmarkYear>> {
        benchmark_history(ctx, banso_events::domain::ids::CompanyId(self.id)).await
    }
}

pub(crate) async fn benchmark_history(
    ctx: &Context<'_>,
    company: banso_events::domain::ids::CompanyId,
) -> Result<Vec<BenchmarkYear>> {
    let rows = services(ctx)?
        .read
        .statements(company)
        .await
        .map_err(|e| internal("could not read the statements", e))?;
    Ok(BenchmarkYear::history(&rows))
}

/// One fiscal year of the Local Benchmark (ローカルベンチマーク 財務指標).
#[derive(SimpleObject, Clone)]
pub struct BenchmarkYear {
    /// 決算年度 (西暦).
    pub fiscal_year: i32,
    /// Whether the year's statements were corrected after recording.
    pub corrected: bool,
    pub indicators: Vec<IndicatorFigure>,
}

/// One indicator of one year (指標).
#[derive(SimpleObject, Clone)]
pub struct IndicatorFigure {
    /// sales_growth, operating_margin, labour_productivity, ebitda_debt_multiple,
    /// working_capital_period, equity_ratio.
    pub indicator: String,
    /// 売上高増加率 ...
    pub label: String,
    /// The value; null when not meaningful (see `notMeaningful`).
    pub value: Option<f64>,
    /// Why there is no value (前期の決算がない ...).
    pub not_meaningful: Option<String>,
    /// 改善 / 横ばい / 悪化 against the previous fiscal year, when both have values.
    pub change: Option<String>,
    /// This year minus the previous year, in the indicator's unit.
    pub difference: Option<f64>,
}

impl BenchmarkYear {
    fn history(rows: &[StatementsRow]) -> Vec<BenchmarkYear> {
        let mut out = Vec::new();
        let mut previous: Option<(&StatementsRow, Indicators)> = None;
        for row in rows {
            let prior = previous
                .as_ref()
                .filter(|(p, _)| Some(p.fiscal_year) == row.fiscal_year.previous());
            let indicators =
                Indicators::compute(&row.statements, prior.map(|(p, _)| &p.statements));
            let figures = Indicator::ALL
                .iter()
                .map(|&indicator| {
                    let value = indicators.get(indicator);
                    IndicatorFigure {
                        indicator: wire_id(indicator),
                        label: indicator.label().to_owned(),
                        value: value.value(),
                        not_meaningful: match value {
                            IndicatorValue::NotMeaningful(reason) => {
                                Some(reason.message().to_owned())
                            }
                            IndicatorValue::Value(_) => None,
                        },
                        change: prior.and_then(|(_, before)| {
                            match change(before, &indicators, indicator) {
                                IndicatorChange::Compared { direction, .. } => {
                                    Some(direction.label().to_owned())
                                }
                                IndicatorChange::NotMeaningful(_) => None,
                            }
                        }),
                        difference: prior.and_then(|(_, before)| {
                            match change(before, &indicators, indicator) {
                                IndicatorChange::Compared { difference, .. } => {
                                    Some(difference.get())
                                }
                                IndicatorChange::NotMeaningful(_) => None,
                            }
                        }),
                    }
                })
                .collect();
            out.push(BenchmarkYear {
                fiscal_year: i32::from(row.fiscal_year.get()),
                corrected: row.corrected,
                indicators: figures,
            });
            previous = Some((row, indicators));
        }
        out
    }
}

/// Who the owner lets receive the case data (同意の範囲).
#[derive(SimpleObject, Clone)]
pub struct ConsentRecipient {
    /// One named agency ...
    pub agency_id: Option<Uuid>,
    /// ... or every agency of a kind.
    pub agency_kind: Option<AgencyKind>,
}

/// The owner's consent (同意).
#[derive(SimpleObject, Clone)]
pub struct Consent {
    pub recipients: Vec<ConsentRecipient>,
    pub purposes: Vec<Purpose>,
    pub valid_until: String,
    /// Whether the owner withdrew it (同意の撤回).
    pub withdrawn: bool,
}

/// A member of the case team (支援チーム).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct TeamMember {
    pub supporter_id: Uuid,
    pub agency_id: Uuid,
    pub role: TeamRole,
}

#[ComplexObject]
impl TeamMember {
    async fn supporter(&self, ctx: &Context<'_>) -> Result<Option<Supporter>> {
        supporter(ctx, SupporterId(self.supporter_id)).await
    }

    async fn agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        agency(ctx, AgencyId(self.agency_id)).await
    }
}

/// An issue of the case (経営課題).
#[derive(SimpleObject, Clone)]
pub struct Issue {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub theme: Option<Theme>,
    pub priority: Option<Priority>,
    /// The walls met on the way (5つの壁).
    pub walls: Vec<Wall>,
    pub walls_overcome: Vec<Wall>,
    /// Whether the owner agrees (腹落ち).
    pub owner_agrees: bool,
    pub status: IssueStatus,
    pub cycle: i32,
    pub set_on: Option<String>,
    pub closed_on: Option<String>,
}

/// A KPI of a measure against its target (管理指標).
#[derive(SimpleObject, Clone)]
pub struct Kpi {
    pub id: Uuid,
    pub name: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    /// The latest measurement, if any.
    pub latest: Option<f64>,
    pub latest_on: Option<String>,
    /// Whether the latest measurement reaches the target (null before the first).
    pub on_target: Option<bool>,
}

/// A measure of the prescription (施策).
#[derive(SimpleObject, Clone)]
pub struct Measure {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub kind: Option<MeasureKind>,
    pub status: MeasureStatus,
    pub status_label: String,
    pub cycle: i32,
    pub issue_ids: Vec<Uuid>,
    pub starts_on: String,
    pub due_on: String,
    pub started_on: Option<String>,
    pub completed_on: Option<String>,
    pub percent: Option<i32>,
    /// The wall it is stalled on now (停滞中の壁).
    pub stalled_on: Option<Wall>,
    /// Not completed and past its due date (期限超過).
    pub past_due: bool,
    pub kpis: Vec<Kpi>,
}

/// A review (検証・見直し).
#[derive(SimpleObject, Clone)]
pub struct Review {
    pub on: String,
    pub cycle: i32,
    /// KPIs looked at, and how many reached their target.
    pub findings: i32,
    pub achieved: i32,
}

/// A handover between agencies (引継ぎ).
#[derive(SimpleObject, Clone)]
pub struct Handover {
    pub id: Uuid,
    pub case_id: Uuid,
    pub company_name: Option<String>,
    pub from_agency_id: Uuid,
    pub from_agency_name: Option<String>,
    pub to_agency_id: Uuid,
    pub to_agency_name: Option<String>,
    pub status: HandoverStatus,
    pub status_label: String,
    pub requested_on: String,
    pub decided_on: Option<String>,
    /// Days since the request (pending) or from request to decision.
    pub age_days: i32,
    pub reason: String,
    pub summary: String,
    /// The decline or withdrawal reason, or the outcome once completed.
    pub answer: Option<String>,
    pub sender_stays: bool,
}

impl Handover {
    pub(crate) fn new(row: HandoverRow, today: Day) -> Self {
        let until = row.decided_on.unwrap_or(today);
        Self {
            id: row.handover_id.0,
            case_id: row.case_id.0,
            company_name: row.company_name,
            from_agency_id: row.from_agency.0,
            from_agency_name: row.from_agency_name,
            to_agency_id: row.to_agency.0,
            to_agency_name: row.to_agency_name,
            status: row.status.into(),
            status_label: row.status.label().to_owned(),
            requested_on: day(row.requested_on),
            decided_on: days(row.decided_on),
            age_days: row.requested_on.days_until(until).clamp(0, i32::MAX as i64) as i32,
            reason: row.reason,
            summary: row.summary,
            answer: row.answer,
            sender_stays: row.sender_stays,
        }
    }
}

/// One entry of a case timeline (タイムライン).
#[derive(SimpleObject, Clone)]
pub struct TimelineEntry {
    /// The event's global position, a decimal string: the cursor of the timeline.
    pub position: String,
    pub case_id: Uuid,
    /// `case`, or `company` for Local Benchmark records made through the case.
    pub stream_type: String,
    pub version: i64,
    pub event_type: String,
    /// 対話, 課題設定 ...
    pub label: String,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub agency_id: Option<Uuid>,
    pub agency_name: Option<String>,
    /// When it was recorded (RFC 3339, UTC).
    pub recorded_at: String,
    /// The day it happened, as the supporter entered it.
    pub happened_on: Option<String>,
    /// What the event says (without personal data).
    pub detail: async_graphql::Json<serde_json::Value>,
}

impl From<EntryRow> for TimelineEntry {
    fn from(e: EntryRow) -> Self {
        Self {
            position: e.position.0.to_string(),
            case_id: e.case_id.0,
            stream_type: e.stream_type,
            version: e.version as i64,
            event_type: e.event_type,
            label: e.label.to_owned(),
            actor_id: e.actor.map(|a| a.0),
            actor_name: e.actor_name,
            agency_id: e.agency.map(|a| a.0),
            agency_name: e.agency_name,
            recorded_at: e.recorded_at,
            happened_on: days(e.happened_on),
            detail: async_graphql::Json(e.detail),
        }
    }
}

/// Most entries one page of a timeline returns.
pub(crate) const MAX_PAGE: usize = 100;

/// A page size from `first`: 1 to [`MAX_PAGE`], 20 when absent.
pub(crate) fn page_size(first: Option<i32>) -> Result<usize> {
    match first {
        None => Ok(20),
        Some(n) if (1..=MAX_PAGE as i32).contains(&n) => Ok(n as usize),
        Some(_) => Err(crate::error::bad_input(
            "first",
            format!("first は 1 から {MAX_PAGE} までの整数で指定してください。"),
        )),
    }
}

/// A case (支援案件).
pub struct Case {
    pub(crate) row: CaseRow,
    pub(crate) today: Day,
}

/// A case (支援案件): the company, where the support stands, and everything under it.
#[Object]
impl Case {
    async fn id(&self) -> Uuid {
        self.row.case_id.0
    }

    /// The case stream's version: pass it as `expectedVersion` to change the case.
    async fn version(&self) -> i64 {
        self.row.version as i64
    }

    async fn company(&self) -> Company {
        Company {
            id: self.row.company_id.0,
            name: self.row.company_name.clone(),
            kana: self.row.company_kana.clone(),
            industry_code: self.row.industry.map(|i| i.code().to_string()),
            industry: self.row.industry.map(|i| i.label().to_owned()),
            prefecture: self.row.prefecture.map(|p| p.name().to_owned()),
        }
    }

    async fn stage(&self) -> Stage {
        self.row.stage.into()
    }

    /// ステップ・ゼロ, 課題設定 ...
    async fn stage_label(&self) -> &'static str {
        self.row.stage.label()
    }

    /// The PDCA cycle (1 from the start line).
    async fn cycle(&self) -> i32 {
        self.row.cycle as i32
    }

    /// The agency holding the case.
    async fn holder(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        agency(ctx, self.row.holder).await
    }

    /// The supporter in charge (担当者).
    async fn in_charge(&self, ctx: &Context<'_>) -> Result<Option<Supporter>> {
        match self.row.in_charge {
            Some(id) => supporter(ctx, id).await,
            None => Ok(None),
        }
    }

    async fn discovered_on(&self) -> Option<String> {
        days(self.row.doc.state.discovered_on)
    }

    /// 発掘のきっかけ.
    async fn channel(&self) -> Option<crate::vocab::DiscoveryChannel> {
        self.row.doc.channel.map(Into::into)
    }

    /// The concerns heard first (最初に聞いた悩み).
    async fn first_concerns(&self) -> &[String] {
        &self.row.doc.first_concerns
    }

    async fn outreach_visits(&self) -> i32 {
        self.row.doc.outreach_visits as i32
    }

    async fn dialogues(&self) -> i32 {
        self.row.doc.dialogues as i32
    }

    /// The day the owner decided to accept support (スタートライン).
    async fn start_line_on(&self) -> Option<String> {
        days(self.row.doc.state.start_line_on)
    }

    async fn consent(&self) -> Option<Consent> {
        let state = &self.row.doc.state;
        state.consent.as_ref().map(|c| Consent {
            recipients: c
                .recipients
                .iter()
                .map(|r| match r {
                    DomainRecipient::Agency { agency_id } => ConsentRecipient {
                        agency_id: Some(agency_id.0),
                        agency_kind: None,
                    },
                    DomainRecipient::AgencyKind { agency_kind } => ConsentRecipient {
                        agency_id: None,
                        agency_kind: Some((*agency_kind).into()),
                    },
                })
                .collect(),
            purposes: c.purposes.iter().map(|p| (*p).into()).collect(),
            valid_until: day(c.valid_until),
            withdrawn: state.consent_withdrawn,
        })
    }

    async fn team(&self) -> Vec<TeamMember> {
        self.row
            .doc
            .state
            .team
            .iter()
            .map(|(id, m)| TeamMember {
                supporter_id: id.0,
                agency_id: m.agency_id.0,
                role: m.role.into(),
            })
            .collect()
    }

    /// The issues (課題), in the order they were set; only the open ones with `openOnly`.
    async fn issues(&self, #[graphql(default)] open_only: bool) -> Vec<Issue> {
        let doc = &self.row.doc;
        let mut issues = doc
            .state
            .issues
            .iter()
            .filter(|(_, i)| {
                !open_only || i.status == banso_events::domain::vocab::IssueStatus::Open
            })
            .map(|(id, i)| {
                let notes = doc.issues.get(id);
                Issue {
                    id: id.0,
                    title: i.title.to_string(),
                    description: notes.and_then(|n| n.description.clone()),
                    theme: notes.map(|n| n.theme.into()),
                    priority: notes.map(|n| n.priority.into()),
                    walls: i.walls.iter().map(|w| (*w).into()).collect(),
                    walls_overcome: i.overcome.iter().map(|w| (*w).into()).collect(),
                    owner_agrees: i.owner_agrees,
                    status: i.status.into(),
                    cycle: i.cycle as i32,
                    set_on: notes.map(|n| day(n.set_on)),
                    closed_on: notes.and_then(|n| days(n.closed_on)),
                }
            })
            .collect::<Vec<_>>();
        // Dates are YYYY-MM-DD, so text order is date order.
        issues.sort_by(|a, b| (&a.set_on, a.id).cmp(&(&b.set_on, b.id)));
        issues
    }

    /// The measures (施策), by start date.
    async fn measures(&self) -> Vec<Measure> {
        let doc = &self.row.doc;
        let mut measures = doc
            .state
            .measures
            .iter()
            .map(|(id, m)| {
                let notes = doc.measures.get(id);
                let kpis = m
                    .kpis
                    .iter()
                    .map(|k| {
                        let reading = notes.and_then(|n| n.readings.get(&k.kpi_id));
                        Kpi {
                            id: k.kpi_id.0,
                            name: k.name.to_string(),
                            unit: k.unit.to_string(),
                            baseline: k.baseline.get(),
                            target: k.target.get(),
                            latest: reading.map(|r| r.value),
                            latest_on: reading.map(|r| day(r.on)),
                            on_target: reading
                                .and_then(|r| {
                                    banso_events::domain::values::Quantity::new(r.value).ok()
                                })
                                .map(|v| k.reached(v)),
                        }
                    })
                    .collect();
                Measure {
                    id: id.0,
                    title: m.title.to_string(),
                    description: notes.and_then(|n| n.description.clone()),
                    kind: notes.map(|n| n.kind.into()),
                    status: m.status.into(),
                    status_label: m.status.label().to_owned(),
                    cycle: m.cycle as i32,
                    issue_ids: m.issues.iter().map(|i| i.0).collect(),
                    starts_on: day(m.starts_on),
                    due_on: day(m.due_on),
                    started_on: days(m.started_on),
                    completed_on: notes.and_then(|n| days(n.completed_on)),
                    percent: notes.and_then(|n| n.percent).map(i32::from),
                    stalled_on: notes.and_then(|n| n.stalled_on).map(Into::into),
                    past_due: m.status != banso_events::domain::vocab::MeasureStatus::Completed
                        && m.due_on < self.today,
                    kpis,
                }
            })
            .collect::<Vec<_>>();
        measures.sort_by(|a, b| (&a.starts_on, a.id).cmp(&(&b.starts_on, b.id)));
        measures
    }

    async fn reviews(&self) -> Vec<Review> {
        self.row
            .doc
            .reviews
            .iter()
            .map(|r| Review {
                on: day(r.on),
                cycle: r.cycle as i32,
                findings: r.findings as i32,
                achieved: r.achieved as i32,
            })
            .collect()
    }

    /// The next review date (次回の検証日).
    async fn next_review_on(&self) -> Option<String> {
        days(self.row.next_review_on)
    }

    /// Whether the next review date has passed (検証の期限超過).
    async fn review_overdue(&self) -> bool {
        self.row.next_review_on.is_some_and(|d| d < self.today)
    }

    async fn open_handover(&self) -> bool {
        self.row.open_handover
    }

    async fn handovers(&self, ctx: &Context<'_>) -> Result<Vec<Handover>> {
        let rows = services(ctx)?
            .read
            .handovers_of(self.row.case_id)
            .await
            .map_err(|e| internal("could not read the handovers", e))?;
        Ok(rows
            .into_iter()
            .map(|r| Handover::new(r, self.today))
            .collect())
    }

    /// 自走化の日.
    async fn self_running_on(&self) -> Option<String> {
        days(self.row.doc.state.self_running_on)
    }

    async fn closed_on(&self) -> Option<String> {
        days(self.row.doc.state.closed_on)
    }

    async fn closing_outcome(&self) -> Option<ClosingOutcome> {
        self.row.doc.state.closed.map(Into::into)
    }

    /// Nominated as a good-practice candidate (好事例候補).
    async fn nominated(&self) -> bool {
        self.row.doc.state.nominated
    }

    async fn failure_recorded(&self) -> bool {
        self.row.doc.state.failure_recorded
    }

    /// The last day something happened on the case.
    async fn last_activity_on(&self) -> Option<String> {
        days(self.row.doc.last_activity_on)
    }

    /// Every event of the case, in order (タイムライン): `first` entries after the `after`
    /// cursor (an entry's position).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, TimelineEntry>> {
        timeline_page(ctx, self.row.case_id, first, after).await
    }
}

pub(crate) async fn timeline_page(
    ctx: &Context<'_>,
    case: banso_events::domain::ids::CaseId,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<String, TimelineEntry>> {
    let limit = page_size(first)?;
    let after_position = match after.as_deref() {
        None => Position::START,
        Some(raw) => Position(raw.parse().map_err(|_| {
            crate::error::bad_input(
                "after",
                "after にはタイムラインの項目の position（10進の数字）を指定してください。",
            )
        })?),
    };
    let mut rows = services(ctx)?
        .read
        .timeline(case, after_position, limit + 1)
        .await
        .map_err(|e| internal("could not read the timeline", e))?;
    let has_next = rows.len() > limit;
    rows.truncate(limit);
    let viewer = crate::context::principal(ctx)?
        .case_agency()
        .ok_or_else(crate::error::no_access)?;
    let mut connection = Connection::new(after.is_some(), has_next);
    connection.edges.extend(rows.into_iter().map(|mut row| {
        row.hide_confidential_from(viewer);
        Edge::new(row.position.0.to_string(), TimelineEntry::from(row))
    }));
    Ok(connection)
}

/// Counts of a board column: cases in a stage and cycle.
#[derive(SimpleObject, Clone)]
pub struct StageCount {
    pub stage: Stage,
    pub stage_label: String,
    pub cycle: i32,
    pub cases: i32,
}

/// The agency's or supporter's PDCA board (PDCAボード).
pub struct Board {
    pub(crate) counts: Vec<StageCount>,
    pub(crate) overdue_reviews: Vec<CaseRow>,
    pub(crate) stalled: Vec<CaseRow>,
    pub(crate) past_due: Vec<CaseRow>,
    pub(crate) off_target: Vec<CaseRow>,
    pub(crate) today: Day,
}

impl Board {
    fn cases(&self, rows: &[CaseRow]) -> Vec<Case> {
        rows.iter()
            .map(|row| Case {
                row: row.clone(),
                today: self.today,
            })
            .collect()
    }
}

/// The PDCA board: cases by stage and cycle, and what needs attention today.
#[Object]
impl Board {
    /// Cases by stage and PDCA cycle.
    async fn by_stage(&self) -> &[StageCount] {
        &self.counts
    }

    /// Cases whose next review date has passed (検証の期限超過).
    async fn overdue_reviews(&self) -> Vec<Case> {
        self.cases(&self.overdue_reviews)
    }

    /// Cases with a stalled measure (停滞中の施策).
    async fn stalled_measures(&self) -> Vec<Case> {
        self.cases(&self.stalled)
    }

    /// Cases with an unfinished measure past its due date (期限超過の施策).
    async fn measures_past_due(&self) -> Vec<Case> {
        self.cases(&self.past_due)
    }

    /// Cases with a KPI whose latest measurement misses its target (目標未達のKPI).
    async fn kpis_off_target(&self) -> Vec<Case> {
        self.cases(&self.off_target)
    }
}

/// The signed-in user (ログイン中の利用者).
#[derive(SimpleObject, Clone)]
pub struct Me {
    /// `operator` or `supporter`.
    pub kind: String,
    pub supporter_id: Option<Uuid>,
    pub agency_id: Option<Uuid>,
    pub role: Option<SupporterRole>,
}

/// Where a read model stands (リードモデルの状態).
#[derive(SimpleObject, Clone)]
pub struct ProjectionState {
    pub name: String,
    pub generation: i64,
    /// The last position applied, a decimal string.
    pub position: String,
    /// Events stored but not yet applied.
    pub lag: i64,
}

/// The id a unit enum of the domain has on the wire (`"equity_ratio"`): its serde name.
pub(crate) fn wire_id(value: impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
