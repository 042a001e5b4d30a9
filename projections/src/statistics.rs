//! Policy statistics (政策統計) for the policy office: aggregates only, never a case.
//!
//! Eight tables answer the questions of seed 004 (see `shared/domain.md`):
//! [`Statistics::reach`] (companies found at step zero and reaching the start line),
//! [`Statistics::time`] (days from discovery to each milestone), [`Statistics::stalls`] (where
//! open cases stand and stall), [`Statistics::walls`] and [`Statistics::approaches`] (the five
//! walls by industry, and what overcame them), [`Statistics::handovers`] (flows between agency
//! kinds), [`Statistics::outcomes`] (the change of the six Local Benchmark indicators of
//! supported companies) and [`Statistics::hearing`] (課題聞き取り力: characters written per
//! perspective, with and without an expert). Every table also renders as CSV ([`to_csv`]).
//!
//! **Data source.** The cases read model: each row of `rm_cases` carries a narrow `stats`
//! column ([`facts::CaseFigures`], derived from the case document, whose own fold
//! [`facts::CaseStats`] adds what the rules' state lacks: the discovering agency, the first
//! issue and measure days, the walls each issue ever carried, the approach of each wall
//! overcome, and per dialogue its supporters, whether an expert was there and the characters
//! written per perspective). Companies' industry and prefecture come from the same rows;
//! agencies and supporters from the directory; handovers from `rm_handovers`; financial
//! statements from `rm_statements`. Figures are computed on reading ([`Source`], then the pure
//! functions of [`Statistics`]), so a new way of counting needs no rebuild.
//!
//! **Consent.** The owner's consent lists purposes, among them 政策統計（匿名化）
//! (`Purpose::Statistics`). The statistics count *every* case, whatever its consent: they are
//! anonymous aggregates, no company's or owner's data and no text written by people leaves
//! in them (a dialogue contributes character counts only; the per-supporter hearing rows name
//! the supporter by the directory's display name, as every screen of Banso does; a declined handover's reason is never shown,
//! only how many were declined per flow), and every figure built from too few companies is
//! suppressed (below). Counting only consenting cases would bias the figures towards cases that
//! reached the start line (step-zero cases have no consent yet). The per-supporter hearing rows
//! are the most likely to be suppressed, as they should.
//!
//! **Suppression (秘匿).** Each figure knows the distinct companies it was built from. A figure
//! built from at least one and fewer than [`MinCompanies`] companies (5 unless the server is
//! configured otherwise) is suppressed: its value is `None` and `suppressed` is true; CSV writes
//! [`SUPPRESSED`] (「秘匿」) in its cell. A row whose base (the companies it is about) is below
//! the minimum has every figure suppressed. A count of zero is shown (it is built from no
//! company, so it singles none out); a median or quartile of nothing is `None` without being
//! suppressed. Rates and means are suppressed when any figure they are derived from is. There
//! is no complementary suppression: a suppressed cell can be bounded from totals, never tied to
//! one company.
//!
//! **Period.** A [`Filter`] has an optional `from`/`to` (inclusive) and an optional prefecture
//! of the company. Case tables (reach, time, stalls, walls, approaches, outcomes) take the
//! cohort of cases *discovered* within the period, as they stand today; the activity tables
//! take what happened within it (handovers by the day they were requested, dialogues by the day
//! they were held). Reach and time can also be broken down by fiscal year of discovery
//! (年度, April to March).

pub mod facts;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::num::NonZeroU32;

use banso_events::domain::ids::{AgencyId, CaseId, CompanyId, SupporterId};
use banso_events::domain::japan::{Industry, Prefecture};
use banso_events::domain::localbench::{
    Direction, FinancialStatements, Indicator, IndicatorChange, Perspective, change,
    indicators_by_year,
};
use banso_events::domain::values::{Day, FiscalYear};
use banso_events::domain::vocab::{AgencyKind, HandoverStatus, MeasureKind, Stage, Wall};
use sqlx::Row;

use self::facts::CaseFigures;
use crate::error::ReadError;
use crate::models::benchmarks::statements_row;
use crate::models::{day, document_error, required_day, uuid, vocab};
use crate::projection::Projection;
use crate::runner::ReadModels;

// ---- the minimum and the filter -------------------------------------------------------------

/// The fewest distinct companies a figure may be built from before it is suppressed (at least
/// 1; [`MinCompanies::DEFAULT`] is 5). The server's configuration sets it; a query may only
/// raise it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MinCompanies(NonZeroU32);

/// A minimum that is not a whole number of at least 1.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the minimum number of companies per statistic must be a whole number of at least 1 (got {0}); \
     5 is the default"
)]
pub struct BadMinimum(pub String);

impl MinCompanies {
    pub const DEFAULT: MinCompanies = MinCompanies(NonZeroU32::new(5).unwrap());

    pub fn new(n: i64) -> Result<Self, BadMinimum> {
        u32::try_from(n)
            .ok()
            .and_then(NonZeroU32::new)
            .map(Self)
            .ok_or_else(|| BadMinimum(n.to_string()))
    }

    pub fn get(self) -> u32 {
        self.0.get()
    }

    /// Whether a figure built from `companies` distinct companies is suppressed.
    pub fn hides(self, companies: usize) -> bool {
        companies > 0 && companies < self.get() as usize
    }
}

impl Default for MinCompanies {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for MinCompanies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for MinCompanies {
    type Err = BadMinimum;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse::<i64>()
            .map_err(|_| BadMinimum(s.to_owned()))
            .and_then(Self::new)
    }
}

/// Which cases and activities the statistics cover (see the module documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    from: Option<Day>,
    to: Option<Day>,
    prefecture: Option<Prefecture>,
}

/// A period that ends before it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the period starts ({from}) after it ends ({to})")]
pub struct BadPeriod {
    pub from: Day,
    pub to: Day,
}

impl Filter {
    /// From `from` to `to`, both included and both optional, for companies of `prefecture`.
    pub fn new(
        from: Option<Day>,
        to: Option<Day>,
        prefecture: Option<Prefecture>,
    ) -> Result<Self, BadPeriod> {
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(BadPeriod { from, to });
        }
        Ok(Self {
            from,
            to,
            prefecture,
        })
    }

    pub fn from(&self) -> Option<Day> {
        self.from
    }

    pub fn to(&self) -> Option<Day> {
        self.to
    }

    pub fn prefecture(&self) -> Option<Prefecture> {
        self.prefecture
    }

    fn in_period(&self, day: Day) -> bool {
        self.from.is_none_or(|f| f <= day) && self.to.is_none_or(|t| day <= t)
    }

    fn in_region(&self, prefecture: Option<Prefecture>) -> bool {
        self.prefecture.is_none() || self.prefecture == prefecture
    }
}

/// The fiscal year (年度, April to March) `day` falls in.
pub fn fiscal_year_of(day: Day) -> i32 {
    if u8::from(day.date().month()) >= 4 {
        day.year()
    } else {
        day.year() - 1
    }
}

// ---- figures --------------------------------------------------------------------------------

/// What a CSV cell of a suppressed figure says.
pub const SUPPRESSED: &str = "秘匿";

/// A count (companies, cases, issues, characters ...), or suppressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    pub value: Option<u64>,
    pub suppressed: bool,
}

/// A number (a rate in percent, a mean), `None` when there is nothing to compute it from, or
/// suppressed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Number {
    pub value: Option<f64>,
    pub suppressed: bool,
}

/// The quartiles of some values (days, indicator changes) and how many values there were;
/// `None` throughout when there were none, or suppressed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub n: Option<u64>,
    pub q1: Option<f64>,
    pub median: Option<f64>,
    pub q3: Option<f64>,
    pub suppressed: bool,
}

impl Count {
    const HIDDEN: Count = Count {
        value: None,
        suppressed: true,
    };
}

impl Number {
    const HIDDEN: Number = Number {
        value: None,
        suppressed: true,
    };
}

impl Spread {
    const HIDDEN: Spread = Spread {
        n: None,
        q1: None,
        median: None,
        q3: None,
        suppressed: true,
    };
}

/// `x` rounded to two decimals (figures are shown so, in GraphQL and CSV alike); a negative
/// value that rounds to zero is 0, not −0.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

/// The first quartile, the median and the third quartile of `values` (any order), by linear
/// interpolation between the closest ranks (R's type 7, Excel's QUARTILE.INC): the median of an
/// even count is the mean of the middle two. `None` for no values.
pub fn quartiles(values: &[f64]) -> Option<[f64; 3]> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |p: f64| {
        let rank = p * (sorted.len() - 1) as f64;
        let low = rank.floor() as usize;
        let high = rank.ceil() as usize;
        sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
    };
    Some([at(0.25), at(0.5), at(0.75)])
}

/// Things counted (cases, issues, dialogues ...) and the companies they belong to.
#[derive(Clone, Debug, Default)]
struct Tally {
    n: u64,
    companies: BTreeSet<CompanyId>,
}

impl Tally {
    fn add(&mut self, company: CompanyId, n: u64) {
        self.n += n;
        self.companies.insert(company);
    }
}

/// Values (one per case, handover, company ...) and the companies they belong to.
#[derive(Clone, Debug, Default)]
struct Values {
    values: Vec<f64>,
    companies: BTreeSet<CompanyId>,
}

impl Values {
    fn add(&mut self, company: CompanyId, value: f64) {
        self.values.push(value);
        self.companies.insert(company);
    }
}

impl MinCompanies {
    /// The count of a tally.
    fn count(self, tally: &Tally) -> Count {
        if self.hides(tally.companies.len()) {
            Count::HIDDEN
        } else {
            Count {
                value: Some(tally.n),
                suppressed: false,
            }
        }
    }

    /// [`Self::count`], or hidden when the row's base is (`hide`): a row built on too few
    /// companies shows none of its figures.
    fn count_unless(self, hide: bool, tally: &Tally) -> Count {
        if hide {
            Count::HIDDEN
        } else {
            self.count(tally)
        }
    }

    /// [`Self::spread`], or hidden when the row's base is.
    fn spread_unless(self, hide: bool, values: &Values) -> Spread {
        if hide {
            Spread::HIDDEN
        } else {
            self.spread(values)
        }
    }

    /// How many distinct companies a tally has.
    fn companies(self, tally: &Tally) -> Count {
        if self.hides(tally.companies.len()) {
            Count::HIDDEN
        } else {
            Count {
                value: Some(tally.companies.len() as u64),
                suppressed: false,
            }
        }
    }

    /// The quartiles of some values.
    fn spread(self, values: &Values) -> Spread {
        if self.hides(values.companies.len()) {
            return Spread::HIDDEN;
        }
        match quartiles(&values.values) {
            None => Spread {
                n: Some(0),
                q1: None,
                median: None,
                q3: None,
                suppressed: false,
            },
            Some([q1, median, q3]) => Spread {
                n: Some(values.values.len() as u64),
                q1: Some(round2(q1)),
                median: Some(round2(median)),
                q3: Some(round2(q3)),
                suppressed: false,
            },
        }
    }
}

/// `part ÷ whole` in percent; suppressed when either is, `None` when `whole` is 0.
fn percent(part: Count, whole: Count) -> Number {
    ratio(part, whole, 100.0)
}

/// `total ÷ n × scale`; suppressed when either is, `None` when `n` is 0.
fn ratio(total: Count, n: Count, scale: f64) -> Number {
    match (total.value, n.value) {
        _ if total.suppressed || n.suppressed => Number::HIDDEN,
        (Some(_), Some(0)) | (None, _) | (_, None) => Number {
            value: None,
            suppressed: false,
        },
        (Some(t), Some(n)) => Number {
            value: Some(round2(t as f64 / n as f64 * scale)),
            suppressed: false,
        },
    }
}

/// Suppress every figure of a row whose base is below the minimum.
fn base_hides(min: MinCompanies, base: &BTreeSet<CompanyId>) -> bool {
    min.hides(base.len())
}

// ---- CSV ------------------------------------------------------------------------------------

/// `text` as one RFC 4180 field: quoted (with quotes doubled) when it holds a comma, a quote,
/// a line break or leading or trailing spaces; as it is otherwise.
pub fn csv_field(text: &str) -> Cow<'_, str> {
    let needs_quotes =
        text.contains([',', '"', '\r', '\n']) || text.starts_with(' ') || text.ends_with(' ');
    if needs_quotes {
        Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(text)
    }
}

/// A table as CSV (RFC 4180): UTF-8, a header row, fields separated by commas, records ended
/// by CRLF. Suppressed figures read [`SUPPRESSED`], absent ones are empty.
pub fn to_csv<R: CsvRow>(rows: &[R]) -> String {
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let fields: Vec<Cow<'_, str>> = cells.iter().map(|c| csv_field(c)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    };
    line(&R::headers());
    for row in rows {
        line(&row.cells());
    }
    out
}

/// A row of a statistics table, as CSV cells under Japanese headers.
pub trait CsvRow {
    fn headers() -> Vec<String>;
    fn cells(&self) -> Vec<String>;
}

fn cell_count(c: Count) -> String {
    match c {
        Count {
            suppressed: true, ..
        } => SUPPRESSED.to_owned(),
        Count { value, .. } => value.map(|v| v.to_string()).unwrap_or_default(),
    }
}

fn cell_number(x: Number) -> String {
    if x.suppressed {
        SUPPRESSED.to_owned()
    } else {
        x.value.map(|v| v.to_string()).unwrap_or_default()
    }
}

fn cells_spread(s: Spread) -> [String; 4] {
    if s.suppressed {
        return [(); 4].map(|_| SUPPRESSED.to_owned());
    }
    let f = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    [
        s.n.map(|n| n.to_string()).unwrap_or_default(),
        f(s.q1),
        f(s.median),
        f(s.q3),
    ]
}

fn spread_headers(what: &str) -> [String; 4] {
    [
        format!("{what}（件数）"),
        format!("{what}（第1四分位）"),
        format!("{what}（中央値）"),
        format!("{what}（第3四分位）"),
    ]
}

// ---- the source -----------------------------------------------------------------------------

/// One case as the statistics see it.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseFacts {
    pub case_id: CaseId,
    pub company_id: CompanyId,
    pub industry: Option<Industry>,
    pub prefecture: Option<Prefecture>,
    pub stage: Stage,
    pub figures: CaseFigures,
}

/// An agency: its kind and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgencyFacts {
    pub kind: AgencyKind,
    pub name: String,
}

/// A supporter: their agency and display name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupporterFacts {
    pub agency_id: AgencyId,
    pub name: Option<String>,
}

/// A handover: between which agencies, how it stands, when it was asked and answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandoverFacts {
    pub case_id: CaseId,
    pub from_agency: AgencyId,
    pub to_agency: AgencyId,
    pub status: HandoverStatus,
    pub requested_on: Day,
    /// The day of acceptance, decline or withdrawal.
    pub decided_on: Option<Day>,
}

/// Which optional parts of the source to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parts {
    pub handovers: bool,
    pub statements: bool,
}

/// What the statistics are computed from, read once per request.
#[derive(Clone, Debug, Default)]
pub struct Source {
    pub cases: Vec<CaseFacts>,
    pub agencies: HashMap<AgencyId, AgencyFacts>,
    pub supporters: HashMap<SupporterId, SupporterFacts>,
    /// Read when [`Parts::handovers`] is asked for.
    pub handovers: Vec<HandoverFacts>,
    /// Each company's statements by fiscal year; read when [`Parts::statements`] is asked for.
    pub statements: HashMap<CompanyId, BTreeMap<FiscalYear, FinancialStatements>>,
}

impl ReadModels {
    /// The source of the statistics: every case's figures, the directory, and the `parts`
    /// asked for.
    pub async fn statistics_source(&self, parts: Parts) -> Result<Source, ReadError> {
        let mut source = Source::default();
        let cases = self.table(Projection::Cases, "rm_cases");
        let sql =
            format!("SELECT case_id, company_id, industry, prefecture, stage, stats FROM {cases}");
        for row in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?
        {
            let industry: Option<String> = row.try_get("industry")?;
            let prefecture: Option<String> = row.try_get("prefecture")?;
            let stats: String = row.try_get("stats")?;
            source.cases.push(CaseFacts {
                case_id: CaseId(uuid(&row, "case_id")?),
                company_id: CompanyId(uuid(&row, "company_id")?),
                industry: industry.and_then(|i| Industry::parse(&i).ok()),
                prefecture: prefecture.and_then(|p| Prefecture::parse(&p).ok()),
                stage: vocab(&row, "stage")?,
                figures: serde_json::from_str(&stats).map_err(|e| document_error(&cases, e))?,
            });
        }
        for agency in self.agencies().await? {
            source.agencies.insert(
                agency.agency_id,
                AgencyFacts {
                    kind: agency.kind,
                    name: agency.name,
                },
            );
        }
        let sql = format!(
            "SELECT supporter_id, agency_id, name FROM {}",
            self.table(Projection::Directory, "rm_supporters")
        );
        for row in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?
        {
            source.supporters.insert(
                SupporterId(uuid(&row, "supporter_id")?),
                SupporterFacts {
                    agency_id: AgencyId(uuid(&row, "agency_id")?),
                    name: row.try_get("name")?,
                },
            );
        }
        if parts.handovers {
            let table = self.table(Projection::Handovers, "rm_handovers");
            let sql = format!(
                "SELECT case_id, from_agency, to_agency, status, requested_on, decided_on
                 FROM {table}"
            );
            for row in sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(self.pool())
                .await?
            {
                source.handovers.push(HandoverFacts {
                    case_id: CaseId(uuid(&row, "case_id")?),
                    from_agency: AgencyId(uuid(&row, "from_agency")?),
                    to_agency: AgencyId(uuid(&row, "to_agency")?),
                    status: vocab(&row, "status")?,
                    requested_on: required_day(&row, "requested_on", &table)?,
                    decided_on: day(row.try_get("decided_on")?),
                });
            }
        }
        if parts.statements {
            let table = self.table(Projection::Benchmarks, "rm_statements");
            let sql = format!(
                "SELECT company_id, fiscal_year, case_id, statements, corrected FROM {table}"
            );
            for row in sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(self.pool())
                .await?
            {
                let row = statements_row(&row, &table)?;
                source
                    .statements
                    .entry(row.company_id)
                    .or_default()
                    .insert(row.fiscal_year, row.statements);
            }
        }
        Ok(source)
    }
}

// ---- groups ---------------------------------------------------------------------------------

/// How the reach and time tables are broken down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// One row: every case of the filter (全体).
    Total,
    /// The agency that found the company at step zero.
    Agency,
    /// The kind of that agency.
    AgencyKind,
    /// The company's prefecture.
    Prefecture,
    /// The fiscal year (年度, April to March) of the discovery.
    FiscalYear,
}

impl Dimension {
    pub fn label(self) -> &'static str {
        match self {
            Dimension::Total => "全体",
            Dimension::Agency => "支援機関",
            Dimension::AgencyKind => "支援機関の種類",
            Dimension::Prefecture => "都道府県",
            Dimension::FiscalYear => "年度",
        }
    }
}

/// A row's group: a stable key (an agency's id, a kind's id `shinkin_bank`, a prefecture's
/// name, a fiscal year `2025`, or `total`) and the label people read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Group {
    /// What the rows are sorted by within a table.
    order: (u32, String),
    pub key: String,
    pub label: String,
}

impl Group {
    fn total() -> Self {
        Self {
            order: (0, String::new()),
            key: "total".into(),
            label: "全体".into(),
        }
    }

    fn unknown() -> Self {
        Self {
            order: (u32::MAX, String::new()),
            key: "unknown".into(),
            label: "不明".into(),
        }
    }
}

impl Source {
    fn agency_name(&self, agency: AgencyId) -> String {
        self.agencies
            .get(&agency)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| agency.0.to_string())
    }

    fn agency_group(&self, agency: AgencyId) -> Group {
        let name = self.agency_name(agency);
        Group {
            order: (1, format!("{name}\u{0}{}", agency.0)),
            key: agency.0.to_string(),
            label: name,
        }
    }

    fn kind_of(&self, agency: AgencyId) -> Option<AgencyKind> {
        self.agencies.get(&agency).map(|a| a.kind)
    }

    /// The group of `case` in `dimension`.
    fn group_of(&self, case: &CaseFacts, dimension: Dimension) -> Group {
        let f = &case.figures;
        match dimension {
            Dimension::Total => Group::total(),
            Dimension::Agency => match f.found_by {
                Some(agency) => self.agency_group(agency),
                None => Group::unknown(),
            },
            Dimension::AgencyKind => match f.found_by.and_then(|a| self.kind_of(a)) {
                Some(kind) => kind_group(kind),
                None => Group::unknown(),
            },
            Dimension::Prefecture => match case.prefecture {
                Some(p) => Group {
                    order: (u32::from(p.code()), String::new()),
                    key: p.name().to_owned(),
                    label: p.name().to_owned(),
                },
                None => Group::unknown(),
            },
            Dimension::FiscalYear => match f.discovered_on {
                Some(d) => {
                    let year = fiscal_year_of(d);
                    Group {
                        order: (year as u32, String::new()),
                        key: year.to_string(),
                        label: format!("{year}年度"),
                    }
                }
                None => Group::unknown(),
            },
        }
    }
}

fn kind_group(kind: AgencyKind) -> Group {
    let order = AgencyKind::ALL.iter().position(|k| *k == kind).unwrap_or(0) as u32;
    Group {
        order: (order, String::new()),
        key: kind.id().to_owned(),
        label: kind.label().to_owned(),
    }
}

fn rank<T: PartialEq>(all: &[T], value: &T) -> usize {
    all.iter().position(|v| v == value).unwrap_or(all.len())
}

// ---- the tables -----------------------------------------------------------------------------

/// Reach: companies found at step zero and how many reached the start line.
#[derive(Clone, Debug, PartialEq)]
pub struct ReachRow {
    pub group: Group,
    /// Companies found (distinct).
    pub discovered: Count,
    /// Of those, companies with a case past the start line.
    pub reached: Count,
    /// `reached ÷ discovered` in percent.
    pub rate: Number,
}

/// The milestones of a case whose time from discovery is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Milestone {
    StartLine,
    FirstIssue,
    FirstMeasure,
    SelfRunning,
}

impl Milestone {
    pub const ALL: [Milestone; 4] = [
        Milestone::StartLine,
        Milestone::FirstIssue,
        Milestone::FirstMeasure,
        Milestone::SelfRunning,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Milestone::StartLine => "start_line",
            Milestone::FirstIssue => "first_issue",
            Milestone::FirstMeasure => "first_measure",
            Milestone::SelfRunning => "self_running",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Milestone::StartLine => "スタートライン到達",
            Milestone::FirstIssue => "最初の課題設定",
            Milestone::FirstMeasure => "最初の施策の処方",
            Milestone::SelfRunning => "自走化",
        }
    }

    fn day(self, f: &CaseFigures) -> Option<Day> {
        match self {
            Milestone::StartLine => f.start_line_on,
            Milestone::FirstIssue => f.first_issue_on,
            Milestone::FirstMeasure => f.first_measure_on,
            Milestone::SelfRunning => f.self_running_on,
        }
    }
}

/// Time: days from discovery to a milestone, over the cases that reached it.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeRow {
    pub group: Group,
    pub milestone: Milestone,
    /// Cases of the cohort.
    pub cases: Count,
    /// Cases that reached the milestone.
    pub reached: Count,
    /// Days from discovery to the milestone.
    pub days: Spread,
}

/// Where open cases stand and stall: one row per stage.
#[derive(Clone, Debug, PartialEq)]
pub struct StallRow {
    pub stage: Stage,
    /// Open cases in the stage.
    pub cases: Count,
    /// Of those, cases with at least one stalled measure.
    pub stalled: Count,
    /// Cases with a measure stalled on each wall, in the order of [`Wall::ALL`].
    pub by_wall: Vec<(Wall, Count)>,
}

/// A wall on issues of one industry (or of all, `industry: None`).
#[derive(Clone, Debug, PartialEq)]
pub struct WallRow {
    pub industry: Option<Industry>,
    pub wall: Wall,
    /// Issues that carried the wall.
    pub issues: Count,
    /// Their companies.
    pub companies: Count,
    /// Issues on which the wall was overcome.
    pub overcome: Count,
    /// `overcome ÷ issues` in percent.
    pub overcome_rate: Number,
}

/// Walls overcome by one approach: the kind of the measure the event names, or none (記録なし).
#[derive(Clone, Debug, PartialEq)]
pub struct ApproachRow {
    pub wall: Wall,
    pub approach: Option<MeasureKind>,
    /// Walls overcome (WallOvercome events).
    pub overcome: Count,
    pub companies: Count,
}

/// What an approach is called: the measure kind's label, or 記録なし.
pub fn approach_label(approach: Option<MeasureKind>) -> &'static str {
    approach.map_or("記録なし", MeasureKind::label)
}

/// Handovers from one kind of agency to another.
#[derive(Clone, Debug, PartialEq)]
pub struct HandoverRow {
    pub from_kind: AgencyKind,
    pub to_kind: AgencyKind,
    pub requested: Count,
    /// Accepted (including those completed since).
    pub accepted: Count,
    /// Declined; the reasons are free text and never leave as statistics, only this count.
    pub declined: Count,
    pub withdrawn: Count,
    /// Still waiting for the receiver's answer.
    pub pending: Count,
    /// `accepted ÷ (accepted + declined)` in percent.
    pub acceptance_rate: Number,
    /// Days from the request to the receiver's answer (accepted or declined).
    pub days_to_decision: Spread,
    pub companies: Count,
}

/// The change of one indicator from one fiscal year to the next, over supported companies.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeRow {
    pub from_year: FiscalYear,
    pub to_year: FiscalYear,
    pub indicator: Indicator,
    /// Companies with statements for both years (the cohort size).
    pub companies: Count,
    pub improved: Count,
    pub unchanged: Count,
    pub worsened: Count,
    /// Companies for which either year's value is not meaningful (e.g. EBITDA ≤ 0).
    pub not_meaningful: Count,
    /// This year minus the previous, in the indicator's unit (percentage points for percents).
    pub difference: Spread,
}

/// How the hearing-depth table is broken down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HearingBy {
    Total,
    Agency,
    Supporter,
}

/// Characters written under one perspective.
#[derive(Clone, Debug, PartialEq)]
pub struct PerspectiveChars {
    pub perspective: Perspective,
    pub chars: Count,
    pub per_dialogue: Number,
}

/// Hearing depth (課題聞き取り力) of one group, with or without an expert at the dialogue.
#[derive(Clone, Debug, PartialEq)]
pub struct HearingRow {
    /// The agency (for agency and supporter rows).
    pub agency: Option<(AgencyId, String)>,
    /// The supporter (for supporter rows): id and display name.
    pub supporter: Option<(SupporterId, Option<String>)>,
    pub with_expert: bool,
    pub dialogues: Count,
    pub companies: Count,
    /// In the order of [`Perspective::ALL`].
    pub perspectives: Vec<PerspectiveChars>,
    /// Characters of notes under no Local Benchmark item.
    pub unassigned: Count,
    /// Characters under the four perspectives together.
    pub total: Count,
    pub total_per_dialogue: Number,
}

/// The statistics of a [`Source`] under a [`Filter`], suppressed below a minimum.
pub struct Statistics<'a> {
    source: &'a Source,
    filter: Filter,
    min: MinCompanies,
}

impl<'a> Statistics<'a> {
    pub fn new(source: &'a Source, filter: Filter, min: MinCompanies) -> Self {
        Self {
            source,
            filter,
            min,
        }
    }

    /// The cases of the cohort: discovered within the period, of the prefecture.
    fn cohort(&self) -> impl Iterator<Item = &'a CaseFacts> + '_ {
        self.source.cases.iter().filter(|c| {
            self.filter.in_region(c.prefecture)
                && c.figures
                    .discovered_on
                    .is_some_and(|d| self.filter.in_period(d))
        })
    }

    /// Companies found at step zero, and how many reached the start line, by `by`.
    pub fn reach(&self, by: Dimension) -> Vec<ReachRow> {
        // Companies, not cases: a company found twice counts once per group.
        let mut groups: BTreeMap<Group, (Tally, Tally)> = BTreeMap::new();
        for case in self.cohort() {
            let (found, reached) = groups.entry(self.source.group_of(case, by)).or_default();
            found.companies.insert(case.company_id);
            if case.figures.start_line_on.is_some() {
                reached.companies.insert(case.company_id);
            }
        }
        groups
            .into_iter()
            .map(|(group, (found, reached))| {
                let hide = base_hides(self.min, &found.companies);
                let discovered = self.min.companies(&found);
                let reached = if hide {
                    Count::HIDDEN
                } else {
                    self.min.companies(&reached)
                };
                ReachRow {
                    group,
                    rate: percent(reached, discovered),
                    discovered,
                    reached,
                }
            })
            .collect()
    }

    /// Days from discovery to each milestone, by `by`.
    pub fn time(&self, by: Dimension) -> Vec<TimeRow> {
        let mut groups: BTreeMap<Group, (Tally, [(Tally, Values); 4])> = BTreeMap::new();
        for case in self.cohort() {
            let entry = groups.entry(self.source.group_of(case, by)).or_default();
            entry.0.add(case.company_id, 1);
            let Some(found) = case.figures.discovered_on else {
                continue;
            };
            for (i, milestone) in Milestone::ALL.into_iter().enumerate() {
                if let Some(on) = milestone.day(&case.figures) {
                    let (reached, days) = &mut entry.1[i];
                    reached.add(case.company_id, 1);
                    days.add(case.company_id, found.days_until(on) as f64);
                }
            }
        }
        let mut rows = Vec::new();
        for (group, (cases, milestones)) in groups {
            let hide = base_hides(self.min, &cases.companies);
            for (milestone, (reached, days)) in Milestone::ALL.into_iter().zip(milestones) {
                rows.push(TimeRow {
                    group: group.clone(),
                    milestone,
                    cases: self.min.count(&cases),
                    reached: self.min.count_unless(hide, &reached),
                    days: self.min.spread_unless(hide, &days),
                });
            }
        }
        rows
    }

    /// Open cases by stage, those with a stalled measure, and the walls they stalled on.
    pub fn stalls(&self) -> Vec<StallRow> {
        let mut stages: BTreeMap<usize, (Tally, Tally, Vec<Tally>)> = BTreeMap::new();
        for case in self.cohort().filter(|c| c.stage != Stage::Closed) {
            let (cases, stalled, walls) = stages
                .entry(rank(Stage::ALL, &case.stage))
                .or_insert_with(|| {
                    (
                        Tally::default(),
                        Tally::default(),
                        vec![Tally::default(); Wall::ALL.len()],
                    )
                });
            cases.add(case.company_id, 1);
            if !case.figures.stalled_on.is_empty() {
                stalled.add(case.company_id, 1);
            }
            let stalled_walls: BTreeSet<Wall> = case.figures.stalled_on.iter().copied().collect();
            for wall in stalled_walls {
                walls[rank(Wall::ALL, &wall)].add(case.company_id, 1);
            }
        }
        Stage::ALL
            .iter()
            .enumerate()
            .filter(|(_, s)| **s != Stage::Closed)
            .map(|(i, stage)| {
                let (cases, stalled, walls) = stages.remove(&i).unwrap_or_default();
                let hide = base_hides(self.min, &cases.companies);
                let count = |t: &Tally| self.min.count_unless(hide, t);
                StallRow {
                    stage: *stage,
                    cases: self.min.count(&cases),
                    stalled: count(&stalled),
                    by_wall: Wall::ALL
                        .iter()
                        .enumerate()
                        .map(|(w, wall)| (*wall, count(walls.get(w).unwrap_or(&Tally::default()))))
                        .collect(),
                }
            })
            .collect()
    }

    /// How often each wall appears on issues, over all industries and by industry.
    pub fn walls(&self) -> Vec<WallRow> {
        // (industry, wall) → (issues, overcome issues); industry None is every industry.
        let mut cells: BTreeMap<(Option<char>, usize), (Tally, Tally)> = BTreeMap::new();
        let mut industries: BTreeMap<char, Industry> = BTreeMap::new();
        for case in self.cohort() {
            if let Some(industry) = case.industry {
                industries.insert(industry.code(), industry);
            }
            for issue in &case.figures.issues {
                for wall in &issue.seen {
                    let overcome = issue.overcome.contains(wall);
                    let mut targets = vec![None];
                    targets.extend(case.industry.map(|i| i.code()).map(Some));
                    for industry in targets {
                        let (issues, won) =
                            cells.entry((industry, rank(Wall::ALL, wall))).or_default();
                        issues.add(case.company_id, 1);
                        if overcome {
                            won.add(case.company_id, 1);
                        }
                    }
                }
            }
        }
        let mut rows = Vec::new();
        let mut industry_list: Vec<Option<Industry>> = vec![None];
        industry_list.extend(industries.values().copied().map(Some));
        for industry in industry_list {
            for (w, wall) in Wall::ALL.iter().enumerate() {
                let (issues, won) = cells
                    .remove(&(industry.map(|i| i.code()), w))
                    .unwrap_or_default();
                let hide = base_hides(self.min, &issues.companies);
                let issues_count = self.min.count(&issues);
                let overcome = self.min.count_unless(hide, &won);
                rows.push(WallRow {
                    industry,
                    wall: *wall,
                    companies: self.min.companies(&issues),
                    overcome_rate: percent(overcome, issues_count),
                    issues: issues_count,
                    overcome,
                });
            }
        }
        rows
    }

    /// Which approaches overcame each wall.
    pub fn approaches(&self) -> Vec<ApproachRow> {
        let mut cells: BTreeMap<(usize, usize), (Option<MeasureKind>, Tally)> = BTreeMap::new();
        for case in self.cohort() {
            for overcome in &case.figures.overcome {
                let approach = overcome
                    .approach
                    .map_or(MeasureKind::ALL.len(), |k| rank(MeasureKind::ALL, &k));
                cells
                    .entry((rank(Wall::ALL, &overcome.wall), approach))
                    .or_insert_with(|| (overcome.approach, Tally::default()))
                    .1
                    .add(case.company_id, 1);
            }
        }
        cells
            .into_iter()
            .map(|((w, _), (approach, tally))| ApproachRow {
                wall: Wall::ALL[w],
                approach,
                overcome: self.min.count(&tally),
                companies: self.min.companies(&tally),
            })
            .collect()
    }

    /// Handovers requested within the period, by the kinds of the two agencies.
    pub fn handovers(&self) -> Vec<HandoverRow> {
        let cases: HashMap<CaseId, &CaseFacts> =
            self.source.cases.iter().map(|c| (c.case_id, c)).collect();
        #[derive(Default)]
        struct Flow {
            all: Tally,
            accepted: Tally,
            declined: Tally,
            withdrawn: Tally,
            pending: Tally,
            days: Values,
        }
        let mut flows: BTreeMap<(usize, usize), Flow> = BTreeMap::new();
        for h in &self.source.handovers {
            let Some(case) = cases.get(&h.case_id) else {
                continue;
            };
            if !self.filter.in_period(h.requested_on) || !self.filter.in_region(case.prefecture) {
                continue;
            }
            let (Some(from), Some(to)) = (
                self.source.kind_of(h.from_agency),
                self.source.kind_of(h.to_agency),
            ) else {
                continue;
            };
            let flow = flows
                .entry((rank(AgencyKind::ALL, &from), rank(AgencyKind::ALL, &to)))
                .or_default();
            let company = case.company_id;
            flow.all.add(company, 1);
            match h.status {
                HandoverStatus::Accepted | HandoverStatus::Completed => {
                    flow.accepted.add(company, 1)
                }
                HandoverStatus::Declined => flow.declined.add(company, 1),
                HandoverStatus::Withdrawn => flow.withdrawn.add(company, 1),
                HandoverStatus::Requested => flow.pending.add(company, 1),
            }
            if matches!(
                h.status,
                HandoverStatus::Accepted | HandoverStatus::Completed | HandoverStatus::Declined
            ) && let Some(decided) = h.decided_on
            {
                flow.days
                    .add(company, h.requested_on.days_until(decided) as f64);
            }
        }
        flows
            .into_iter()
            .map(|((from, to), flow)| {
                let hide = base_hides(self.min, &flow.all.companies);
                let count = |t: &Tally| self.min.count_unless(hide, t);
                let accepted = count(&flow.accepted);
                let declined = count(&flow.declined);
                let answered = match (accepted.value, declined.value) {
                    (Some(a), Some(d)) => Count {
                        value: Some(a + d),
                        suppressed: false,
                    },
                    _ => Count::HIDDEN,
                };
                HandoverRow {
                    from_kind: AgencyKind::ALL[from],
                    to_kind: AgencyKind::ALL[to],
                    requested: self.min.count(&flow.all),
                    withdrawn: count(&flow.withdrawn),
                    pending: count(&flow.pending),
                    acceptance_rate: percent(accepted, answered),
                    days_to_decision: self.min.spread_unless(hide, &flow.days),
                    companies: self.min.companies(&flow.all),
                    accepted,
                    declined,
                }
            })
            .collect()
    }

    /// The change of the six indicators between consecutive fiscal years, over the companies of
    /// the cohort whose case reached the start line (supported companies).
    pub fn outcomes(&self) -> Vec<OutcomeRow> {
        let supported: BTreeSet<CompanyId> = self
            .cohort()
            .filter(|c| c.figures.start_line_on.is_some())
            .map(|c| c.company_id)
            .collect();
        #[derive(Default)]
        struct Cell {
            companies: Tally,
            improved: Tally,
            unchanged: Tally,
            worsened: Tally,
            not_meaningful: Tally,
            differences: Values,
        }
        let mut cells: BTreeMap<(FiscalYear, usize), Cell> = BTreeMap::new();
        for company in &supported {
            let Some(statements) = self.source.statements.get(company) else {
                continue;
            };
            let by_year = indicators_by_year(statements);
            for (year, this) in &by_year {
                let Some(previous) = year.previous().and_then(|p| by_year.get(&p)) else {
                    continue;
                };
                for (i, indicator) in Indicator::ALL.into_iter().enumerate() {
                    let cell = cells.entry((*year, i)).or_default();
                    cell.companies.add(*company, 1);
                    match change(previous, this, indicator) {
                        IndicatorChange::Compared {
                            difference,
                            direction,
                        } => {
                            let tally = match direction {
                                Direction::Improved => &mut cell.improved,
                                Direction::Unchanged => &mut cell.unchanged,
                                Direction::Worsened => &mut cell.worsened,
                            };
                            tally.add(*company, 1);
                            cell.differences.add(*company, difference.get());
                        }
                        IndicatorChange::NotMeaningful(_) => cell.not_meaningful.add(*company, 1),
                    }
                }
            }
        }
        cells
            .into_iter()
            .filter_map(|((year, i), cell)| {
                let hide = base_hides(self.min, &cell.companies.companies);
                let count = |t: &Tally| self.min.count_unless(hide, t);
                Some(OutcomeRow {
                    from_year: year.previous()?,
                    to_year: year,
                    indicator: Indicator::ALL[i],
                    companies: self.min.companies(&cell.companies),
                    improved: count(&cell.improved),
                    unchanged: count(&cell.unchanged),
                    worsened: count(&cell.worsened),
                    not_meaningful: count(&cell.not_meaningful),
                    difference: self.min.spread_unless(hide, &cell.differences),
                })
            })
            .collect()
    }

    /// Characters written per perspective in the dialogues held within the period, by `by`,
    /// with and without an expert. A dialogue counts for each supporter who held it and for
    /// each of their agencies (once per agency). Confidential (秘) notes count by their length;
    /// their text is never read here.
    pub fn hearing(&self, by: HearingBy) -> Vec<HearingRow> {
        type Key = (u8, String, String, bool);
        #[derive(Default)]
        struct Acc {
            dialogues: Tally,
            chars: [Tally; 4],
            unassigned: Tally,
            total: Tally,
            agency: Option<AgencyId>,
            supporter: Option<SupporterId>,
        }
        let mut groups: BTreeMap<Key, Acc> = BTreeMap::new();
        if by == HearingBy::Total {
            for with_expert in [true, false] {
                groups
                    .entry((0, String::new(), String::new(), !with_expert))
                    .or_default();
            }
        }
        for case in self
            .source
            .cases
            .iter()
            .filter(|c| self.filter.in_region(c.prefecture))
        {
            for d in &case.figures.dialogues {
                if !self.filter.in_period(d.on) {
                    continue;
                }
                let mut keys: Vec<(Key, Option<AgencyId>, Option<SupporterId>)> = Vec::new();
                match by {
                    HearingBy::Total => keys.push((
                        (0, String::new(), String::new(), !d.with_expert),
                        None,
                        None,
                    )),
                    HearingBy::Agency => {
                        let agencies: BTreeSet<AgencyId> = d
                            .supporters
                            .iter()
                            .filter_map(|s| self.source.supporters.get(s))
                            .map(|s| s.agency_id)
                            .collect();
                        for agency in agencies {
                            let name = self.source.agency_name(agency);
                            keys.push((
                                (1, name, agency.0.to_string(), !d.with_expert),
                                Some(agency),
                                None,
                            ));
                        }
                    }
                    HearingBy::Supporter => {
                        let supporters: BTreeSet<SupporterId> =
                            d.supporters.iter().copied().collect();
                        for supporter in supporters {
                            let agency =
                                self.source.supporters.get(&supporter).map(|s| s.agency_id);
                            let agency_name = agency
                                .map(|a| self.source.agency_name(a))
                                .unwrap_or_default();
                            let name = self
                                .source
                                .supporters
                                .get(&supporter)
                                .and_then(|s| s.name.clone())
                                .unwrap_or_default();
                            keys.push((
                                (
                                    2,
                                    agency_name,
                                    format!("{name}\u{0}{}", supporter.0),
                                    !d.with_expert,
                                ),
                                agency,
                                Some(supporter),
                            ));
                        }
                    }
                }
                for (key, agency, supporter) in keys {
                    let acc = groups.entry(key).or_default();
                    acc.agency = agency;
                    acc.supporter = supporter;
                    let company = case.company_id;
                    acc.dialogues.add(company, 1);
                    for (p, chars) in d.chars.iter().enumerate() {
                        acc.chars[p].add(company, *chars);
                    }
                    acc.unassigned.add(company, d.unassigned);
                    acc.total.add(company, d.chars.iter().sum());
                }
            }
        }
        groups
            .into_iter()
            .map(|((_, _, _, without_expert), acc)| {
                let hide = base_hides(self.min, &acc.dialogues.companies);
                let count = |t: &Tally| self.min.count_unless(hide, t);
                let dialogues = count(&acc.dialogues);
                let total = count(&acc.total);
                HearingRow {
                    agency: acc.agency.map(|a| (a, self.source.agency_name(a))),
                    supporter: acc.supporter.map(|s| {
                        (
                            s,
                            self.source.supporters.get(&s).and_then(|f| f.name.clone()),
                        )
                    }),
                    with_expert: !without_expert,
                    companies: self.min.companies(&acc.dialogues),
                    perspectives: Perspective::ALL
                        .into_iter()
                        .zip(&acc.chars)
                        .map(|(perspective, tally)| {
                            let chars = count(tally);
                            PerspectiveChars {
                                perspective,
                                per_dialogue: ratio(chars, dialogues, 1.0),
                                chars,
                            }
                        })
                        .collect(),
                    unassigned: count(&acc.unassigned),
                    total_per_dialogue: ratio(total, dialogues, 1.0),
                    total,
                    dialogues,
                }
            })
            .collect()
    }
}

// ---- the tables as CSV ----------------------------------------------------------------------

fn strings<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

impl CsvRow for ReachRow {
    fn headers() -> Vec<String> {
        strings([
            "区分",
            "区分コード",
            "発掘企業数",
            "スタートライン到達企業数",
            "到達率（%）",
        ])
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.group.label.clone(),
            self.group.key.clone(),
            cell_count(self.discovered),
            cell_count(self.reached),
            cell_number(self.rate),
        ]
    }
}

impl CsvRow for TimeRow {
    fn headers() -> Vec<String> {
        let mut h = strings(["区分", "区分コード", "節目", "対象案件数", "到達案件数"]);
        h.extend(spread_headers("発掘からの日数"));
        h
    }

    fn cells(&self) -> Vec<String> {
        let mut c = vec![
            self.group.label.clone(),
            self.group.key.clone(),
            self.milestone.label().to_owned(),
            cell_count(self.cases),
            cell_count(self.reached),
        ];
        c.extend(cells_spread(self.days));
        c
    }
}

impl CsvRow for StallRow {
    fn headers() -> Vec<String> {
        let mut h = strings(["段階", "継続中の案件数", "停滞中の施策がある案件数"]);
        h.extend(
            Wall::ALL
                .iter()
                .map(|w| format!("停滞の壁「{}」の案件数", w.label())),
        );
        h
    }

    fn cells(&self) -> Vec<String> {
        let mut c = vec![
            self.stage.label().to_owned(),
            cell_count(self.cases),
            cell_count(self.stalled),
        ];
        c.extend(self.by_wall.iter().map(|(_, n)| cell_count(*n)));
        c
    }
}

impl CsvRow for WallRow {
    fn headers() -> Vec<String> {
        strings([
            "業種（大分類）",
            "壁",
            "課題数",
            "企業数",
            "克服された課題数",
            "克服率（%）",
        ])
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.industry.map_or_else(
                || "全業種".to_owned(),
                |i| format!("{} {}", i.code(), i.label()),
            ),
            self.wall.label().to_owned(),
            cell_count(self.issues),
            cell_count(self.companies),
            cell_count(self.overcome),
            cell_number(self.overcome_rate),
        ]
    }
}

impl CsvRow for ApproachRow {
    fn headers() -> Vec<String> {
        strings(["壁", "克服のアプローチ（施策の種類）", "克服件数", "企業数"])
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.wall.label().to_owned(),
            approach_label(self.approach).to_owned(),
            cell_count(self.overcome),
            cell_count(self.companies),
        ]
    }
}

impl CsvRow for HandoverRow {
    fn headers() -> Vec<String> {
        let mut h = strings([
            "引継ぎ元の種類",
            "引継ぎ先の種類",
            "依頼件数",
            "受諾件数",
            "辞退件数",
            "取下げ件数",
            "回答待ち件数",
            "受諾率（%）",
        ]);
        h.extend(spread_headers("回答までの日数"));
        h.push("企業数".to_owned());
        h
    }

    fn cells(&self) -> Vec<String> {
        let mut c = vec![
            self.from_kind.label().to_owned(),
            self.to_kind.label().to_owned(),
            cell_count(self.requested),
            cell_count(self.accepted),
            cell_count(self.declined),
            cell_count(self.withdrawn),
            cell_count(self.pending),
            cell_number(self.acceptance_rate),
        ];
        c.extend(cells_spread(self.days_to_decision));
        c.push(cell_count(self.companies));
        c
    }
}

impl CsvRow for OutcomeRow {
    fn headers() -> Vec<String> {
        let mut h = strings([
            "比較元年度",
            "比較先年度",
            "指標",
            "単位",
            "企業数",
            "改善",
            "横ばい",
            "悪化",
            "算出不能",
        ]);
        h.extend(spread_headers("変化"));
        h
    }

    fn cells(&self) -> Vec<String> {
        let mut c = vec![
            self.from_year.to_string(),
            self.to_year.to_string(),
            self.indicator.label().to_owned(),
            self.indicator.unit().to_owned(),
            cell_count(self.companies),
            cell_count(self.improved),
            cell_count(self.unchanged),
            cell_count(self.worsened),
            cell_count(self.not_meaningful),
        ];
        c.extend(cells_spread(self.difference));
        c
    }
}

impl CsvRow for HearingRow {
    fn headers() -> Vec<String> {
        let mut h = strings(["支援機関", "支援者", "専門家の同席", "対話数", "企業数"]);
        for p in Perspective::ALL {
            h.push(format!("{}（文字数）", p.label()));
            h.push(format!("{}（1対話あたり文字数）", p.label()));
        }
        h.extend(strings([
            "項目なしのメモ（文字数）",
            "4つの視点の合計（文字数）",
            "4つの視点の合計（1対話あたり文字数）",
        ]));
        h
    }

    fn cells(&self) -> Vec<String> {
        let mut c = vec![
            self.agency
                .as_ref()
                .map_or_else(|| "全体".to_owned(), |(_, name)| name.clone()),
            self.supporter
                .as_ref()
                .map(|(id, name)| name.clone().unwrap_or_else(|| id.0.to_string()))
                .unwrap_or_default(),
            if self.with_expert { "あり" } else { "なし" }.to_owned(),
            cell_count(self.dialogues),
            cell_count(self.companies),
        ];
        for p in &self.perspectives {
            c.push(cell_count(p.chars));
            c.push(cell_number(p.per_dialogue));
        }
        c.push(cell_count(self.unassigned));
        c.push(cell_count(self.total));
        c.push(cell_number(self.total_per_dialogue));
        c
    }
}

#[cfg(test)]
mod tests {
    use banso_events::domain::vocab::MeasureKind;
    use uuid::Uuid;

    use super::facts::{Hearing, IssueWalls, Overcome};
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn quartiles_of_an_odd_count() {
        assert_eq!(quartiles(&[5.0, 1.0, 3.0, 2.0, 4.0]), Some([2.0, 3.0, 4.0]));
        assert_eq!(quartiles(&[7.0]), Some([7.0, 7.0, 7.0]));
        assert_eq!(quartiles(&[10.0, 30.0, 20.0]), Some([15.0, 20.0, 25.0]));
    }

    #[test]
    fn quartiles_of_an_even_count_interpolate_and_the_median_is_the_mean_of_the_middle_two() {
        assert_eq!(quartiles(&[4.0, 1.0, 3.0, 2.0]), Some([1.75, 2.5, 3.25]));
        assert_eq!(quartiles(&[1.0, 100.0]), Some([25.75, 50.5, 75.25]));
    }

    #[test]
    fn quartiles_of_nothing_are_none() {
        assert_eq!(quartiles(&[]), None);
        let min = MinCompanies::DEFAULT;
        let spread = min.spread(&Values::default());
        assert_eq!(
            (spread.n, spread.median, spread.suppressed),
            (Some(0), None, false)
        );
    }

    fn companies(n: u128) -> Vec<CompanyId> {
        (1..=n).map(|i| CompanyId(Uuid::from_u128(i))).collect()
    }

    #[test]
    fn four_companies_are_suppressed_and_five_are_shown_under_the_default_minimum() {
        let min = MinCompanies::default();
        assert_eq!(min.get(), 5);
        let mut four = Values::default();
        let mut tally4 = Tally::default();
        for (i, c) in companies(4).into_iter().enumerate() {
            // Several values of one company still count it once.
            four.add(c, i as f64);
            four.add(c, 10.0 + i as f64);
            tally4.add(c, 2);
        }
        assert_eq!(min.spread(&four), Spread::HIDDEN);
        assert_eq!(min.count(&tally4), Count::HIDDEN);
        assert_eq!(min.companies(&tally4), Count::HIDDEN);

        let mut five = four.clone();
        let mut tally5 = tally4.clone();
        let fifth = CompanyId(Uuid::from_u128(5));
        five.add(fifth, 100.0);
        tally5.add(fifth, 1);
        let shown = min.spread(&five);
        assert!(!shown.suppressed);
        assert_eq!(shown.n, Some(9));
        assert_eq!(shown.median, Some(10.0));
        assert_eq!(
            min.count(&tally5),
            Count {
                value: Some(9),
                suppressed: false
            }
        );
        assert_eq!(min.companies(&tally5).value, Some(5));

        // A zero singles nobody out; a minimum of 1 shows everything.
        assert_eq!(min.count(&Tally::default()).value, Some(0));
        let one = MinCompanies::new(1).unwrap();
        assert_eq!(one.count(&tally4).value, Some(8));
        assert!(MinCompanies::new(0).is_err());
        assert!(MinCompanies::new(-3).is_err());
        assert!("0".parse::<MinCompanies>().is_err());
        assert_eq!("12".parse::<MinCompanies>().unwrap().get(), 12);
    }

    #[test]
    fn a_rate_is_suppressed_when_either_of_its_counts_is() {
        let shown = |n| Count {
            value: Some(n),
            suppressed: false,
        };
        assert_eq!(percent(shown(3), shown(12)).value, Some(25.0));
        assert_eq!(percent(Count::HIDDEN, shown(12)), Number::HIDDEN);
        assert_eq!(percent(shown(3), Count::HIDDEN), Number::HIDDEN);
        assert_eq!(percent(shown(0), shown(0)).value, None);
        assert_eq!(percent(shown(1), shown(3)).value, Some(33.33));
    }

    #[test]
    fn figures_are_rounded_to_two_decimals_without_a_negative_zero() {
        assert_eq!(round2(2.0 / 3.0), 0.67);
        assert_eq!(round2(-0.001).to_string(), "0");
        assert_eq!(round2(-1.005_1), -1.01);
    }

    #[test]
    fn csv_quotes_commas_quotes_and_line_breaks_and_leaves_japanese_alone() {
        assert_eq!(csv_field("製造業"), "製造業");
        assert_eq!(
            csv_field("卸売業，小売業"),
            "卸売業，小売業",
            "a full-width comma is text"
        );
        assert_eq!(csv_field("卸売業,小売業"), "\"卸売業,小売業\"");
        assert_eq!(
            csv_field("「見えない」\"壁\""),
            "\"「見えない」\"\"壁\"\"\""
        );
        assert_eq!(csv_field("一行目\r\n二行目"), "\"一行目\r\n二行目\"");
        assert_eq!(csv_field(" 前後 "), "\" 前後 \"");
        assert_eq!(csv_field(""), "");
    }

    fn source() -> Source {
        let mut source = Source::default();
        let bank = AgencyId(Uuid::from_u128(0xa1));
        let chamber = AgencyId(Uuid::from_u128(0xa2));
        source.agencies.insert(
            bank,
            AgencyFacts {
                kind: AgencyKind::ShinkinBank,
                name: "さくら信用金庫".into(),
            },
        );
        source.agencies.insert(
            chamber,
            AgencyFacts {
                kind: AgencyKind::ChamberOfCommerce,
                name: "川口商工会議所, 本所".into(),
            },
        );
        let hub = SupporterId(Uuid::from_u128(0x51));
        source.supporters.insert(
            hub,
            SupporterFacts {
                agency_id: bank,
                name: Some("佐藤 美咲".into()),
            },
        );
        // Six companies found by the bank (start lines after 10, 20, ... 50 days; one still at
        // step zero), two by the chamber.
        for i in 1..=8u128 {
            let found_by = if i <= 6 { bank } else { chamber };
            let start = (i < 6).then(|| {
                Day::from_date(day("2025-04-01").date() + time::Duration::days(10 * i as i64))
                    .unwrap()
            });
            source.cases.push(CaseFacts {
                case_id: CaseId(Uuid::from_u128(0x500 + i)),
                company_id: CompanyId(Uuid::from_u128(i)),
                industry: Some(if i % 2 == 0 {
                    Industry::Manufacturing
                } else {
                    Industry::WholesaleRetail
                }),
                prefecture: Some(Prefecture::Saitama),
                stage: if start.is_some() {
                    Stage::Execution
                } else {
                    Stage::StepZero
                },
                figures: CaseFigures {
                    found_by: Some(found_by),
                    discovered_on: Some(day(if i == 8 { "2024-12-01" } else { "2025-04-01" })),
                    start_line_on: start,
                    stalled_on: if i <= 2 { vec![Wall::Lacking] } else { vec![] },
                    issues: vec![IssueWalls {
                        seen: vec![Wall::Invisible, Wall::Lacking],
                        overcome: if i <= 3 {
                            vec![Wall::Invisible]
                        } else {
                            vec![]
                        },
                    }],
                    overcome: if i <= 3 {
                        vec![Overcome {
                            wall: Wall::Invisible,
                            approach: (i != 3).then_some(MeasureKind::ExpertDispatch),
                            on: day("2025-09-01"),
                        }]
                    } else {
                        vec![]
                    },
                    dialogues: vec![Hearing {
                        on: day("2025-05-01"),
                        supporters: vec![hub],
                        with_expert: i % 2 == 1,
                        chars: [10, 20, 30, 40],
                        unassigned: 5,
                    }],
                    ..CaseFigures::default()
                },
            });
        }
        source
    }

    #[test]
    fn handover_flows_and_indicator_outcomes_count_per_flow_and_per_indicator() {
        let mut source = source();
        let bank = AgencyId(Uuid::from_u128(0xa1));
        let chamber = AgencyId(Uuid::from_u128(0xa2));
        // Cases 1..=5 handed from the bank to the chamber: three accepted after 2, 4 and 6
        // days, one declined after 8, one pending.
        for i in 1..=5u128 {
            let (status, after) = match i {
                1..=3 => (HandoverStatus::Accepted, Some(2 * i as i64)),
                4 => (HandoverStatus::Declined, Some(8)),
                _ => (HandoverStatus::Requested, None),
            };
            source.handovers.push(HandoverFacts {
                case_id: CaseId(Uuid::from_u128(0x500 + i)),
                from_agency: bank,
                to_agency: chamber,
                status,
                requested_on: day("2025-06-01"),
                decided_on: after.map(|d| {
                    Day::from_date(day("2025-06-01").date() + time::Duration::days(d)).unwrap()
                }),
            });
        }
        // Companies 1..=5 reached the start line; their operating margin rose from 2 % to 5 %.
        for i in 1..=5u128 {
            let years = source
                .statements
                .entry(CompanyId(Uuid::from_u128(i)))
                .or_default();
            for row in [
                crate::practice::tests::year(2023, 100_000_000, 2_000_000, 40_000_000),
                crate::practice::tests::year(2024, 100_000_000, 5_000_000, 40_000_000),
            ] {
                years.insert(row.fiscal_year, row.statements);
            }
        }
        let everything = MinCompanies::new(1).unwrap();
        let stats = Statistics::new(&source, Filter::default(), everything);
        let flows = stats.handovers();
        assert_eq!(flows.len(), 1);
        let flow = &flows[0];
        assert_eq!(
            (flow.from_kind, flow.to_kind),
            (AgencyKind::ShinkinBank, AgencyKind::ChamberOfCommerce)
        );
        assert_eq!(flow.requested.value, Some(5));
        assert_eq!(flow.accepted.value, Some(3));
        assert_eq!(flow.declined.value, Some(1));
        assert_eq!(flow.pending.value, Some(1));
        assert_eq!(flow.acceptance_rate.value, Some(75.0));
        assert_eq!(flow.days_to_decision.n, Some(4));
        assert_eq!(flow.days_to_decision.median, Some(5.0));
        let outcomes = stats.outcomes();
        let margin = outcomes
            .iter()
            .find(|r| r.indicator == Indicator::OperatingMargin)
            .unwrap();
        assert_eq!(margin.from_year.get(), 2023);
        assert_eq!(margin.companies.value, Some(5));
        assert_eq!(margin.improved.value, Some(5));
        assert_eq!(margin.worsened.value, Some(0));
        // Under the default minimum of 5 companies, the three acceptances are hidden.
        let hidden = Statistics::new(&source, Filter::default(), MinCompanies::DEFAULT);
        let flow = &hidden.handovers()[0];
        assert_eq!(flow.requested.value, Some(5));
        assert!(flow.accepted.suppressed && flow.accepted.value.is_none());
    }

    #[test]
    fn reach_counts_companies_per_agency_and_suppresses_the_small_one() {
        let source = source();
        let stats = Statistics::new(&source, Filter::default(), MinCompanies::DEFAULT);
        let rows = stats.reach(Dimension::Agency);
        assert_eq!(rows.len(), 2);
        let bank = rows
            .iter()
            .find(|r| r.group.label == "さくら信用金庫")
            .unwrap();
        assert_eq!(bank.discovered.value, Some(6));
        assert_eq!(bank.reached.value, Some(5));
        assert_eq!(bank.rate.value, Some(83.33));
        let chamber = rows
            .iter()
            .find(|r| r.group.label.starts_with("川口"))
            .unwrap();
        assert!(chamber.discovered.suppressed && chamber.reached.suppressed);
        assert!(chamber.rate.suppressed);

        let by_year = stats.reach(Dimension::FiscalYear);
        let keys: Vec<&str> = by_year.iter().map(|r| r.group.key.as_str()).collect();
        assert_eq!(keys, ["2024", "2025"], "2024-12-01 is in 2024年度");

        // The period narrows the cohort: without 2024年度 the chamber's second company goes.
        let filter = Filter::new(Some(day("2025-04-01")), None, None).unwrap();
        let stats = Statistics::new(&source, filter, MinCompanies::new(1).unwrap());
        let total = &stats.reach(Dimension::Total)[0];
        assert_eq!(total.discovered.value, Some(7));
        assert!(Filter::new(Some(day("2025-04-02")), Some(day("2025-04-01")), None).is_err());
    }

    #[test]
    fn time_to_the_start_line_is_the_quartiles_of_the_cases_that_reached_it() {
        let source = source();
        let stats = Statistics::new(&source, Filter::default(), MinCompanies::DEFAULT);
        let rows = stats.time(Dimension::Total);
        let start = rows
            .iter()
            .find(|r| r.milestone == Milestone::StartLine)
            .unwrap();
        assert_eq!(start.cases.value, Some(8));
        assert_eq!(start.reached.value, Some(5));
        // 10, 20, 30, 40, 50 days.
        assert_eq!(
            (start.days.q1, start.days.median, start.days.q3),
            (Some(20.0), Some(30.0), Some(40.0))
        );
        let never = rows
            .iter()
            .find(|r| r.milestone == Milestone::SelfRunning)
            .unwrap();
        assert_eq!(never.reached.value, Some(0));
        assert_eq!((never.days.median, never.days.suppressed), (None, false));
    }

    #[test]
    fn walls_approaches_and_stalls_are_counted_per_company_and_suppressed_below_the_minimum() {
        let source = source();
        let stats = Statistics::new(&source, Filter::default(), MinCompanies::DEFAULT);
        let walls = stats.walls();
        let invisible = walls
            .iter()
            .find(|r| r.industry.is_none() && r.wall == Wall::Invisible)
            .unwrap();
        assert_eq!(invisible.issues.value, Some(8));
        assert_eq!(invisible.companies.value, Some(8));
        assert!(invisible.overcome.suppressed, "3 companies overcame it");
        let by_industry = walls
            .iter()
            .find(|r| r.industry == Some(Industry::Manufacturing) && r.wall == Wall::Lacking)
            .unwrap();
        assert!(by_industry.issues.suppressed, "4 manufacturers");
        let none = walls
            .iter()
            .find(|r| r.industry.is_none() && r.wall == Wall::NotFacing)
            .unwrap();
        assert_eq!(none.issues.value, Some(0));

        let approaches =
            Statistics::new(&source, Filter::default(), MinCompanies::new(1).unwrap()).approaches();
        let labels: Vec<(&str, Option<u64>)> = approaches
            .iter()
            .map(|r| (approach_label(r.approach), r.overcome.value))
            .collect();
        assert_eq!(labels, [("専門家派遣", Some(2)), ("記録なし", Some(1))]);

        let stalls = stats.stalls();
        let execution = stalls.iter().find(|r| r.stage == Stage::Execution).unwrap();
        assert_eq!(execution.cases.value, Some(5));
        assert!(execution.stalled.suppressed, "2 companies stalled");
        assert_eq!(
            stalls.len(),
            Stage::ALL.len() - 1,
            "closed cases are not open"
        );
    }

    #[test]
    fn hearing_counts_characters_per_perspective_with_and_without_an_expert() {
        let source = source();
        let stats = Statistics::new(&source, Filter::default(), MinCompanies::new(3).unwrap());
        let rows = stats.hearing(HearingBy::Total);
        assert_eq!(rows.len(), 2);
        let with = &rows[0];
        assert!(with.with_expert);
        assert_eq!(with.dialogues.value, Some(4));
        assert_eq!(with.perspectives[1].chars.value, Some(80));
        assert_eq!(with.perspectives[1].per_dialogue.value, Some(20.0));
        assert_eq!(with.unassigned.value, Some(20));
        assert_eq!(with.total.value, Some(400));
        let by_supporter = stats.hearing(HearingBy::Supporter);
        assert_eq!(by_supporter.len(), 2);
        assert_eq!(
            by_supporter[0].supporter.as_ref().unwrap().1.as_deref(),
            Some("佐藤 美咲")
        );
        let strict = Statistics::new(&source, Filter::default(), MinCompanies::DEFAULT);
        assert!(strict.hearing(HearingBy::Agency)[0].total.suppressed);
    }

    #[test]
    fn every_table_renders_as_csv_with_a_japanese_header_and_quoted_fields() {
        let source = source();
        let stats = Statistics::new(&source, Filter::default(), MinCompanies::DEFAULT);
        let csv = to_csv(&stats.reach(Dimension::Agency));
        let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
        assert_eq!(
            lines[0],
            "区分,区分コード,発掘企業数,スタートライン到達企業数,到達率（%）"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("\"川口商工会議所, 本所\",")
                    && l.ends_with(",秘匿,秘匿,秘匿")),
            "{csv}"
        );
        assert!(lines.contains(&"さくら信用金庫,00000000-0000-0000-0000-0000000000a1,6,5,83.33"));
        assert!(csv.ends_with("\r\n"));
        for csv in [
            to_csv(&stats.time(Dimension::AgencyKind)),
            to_csv(&stats.stalls()),
            to_csv(&stats.walls()),
            to_csv(&stats.approaches()),
            to_csv(&stats.handovers()),
            to_csv(&stats.outcomes()),
            to_csv(&stats.hearing(HearingBy::Supporter)),
        ] {
            let mut lines = csv.split_terminator("\r\n");
            let header = lines.next().unwrap();
            let width = header.split(',').count();
            for line in lines {
                assert_eq!(line.split(',').count(), width, "{line}");
            }
        }
    }
}
