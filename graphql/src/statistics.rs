//! The policy statistics (政策統計) as GraphQL: `policyStatistics`, for the policy officer role
//! only (everyone else gets `FORBIDDEN`). Aggregates only, computed by
//! `banso_projections::statistics` (read its module documentation for what is counted, the
//! period, the consent decision and the suppression rule); every table comes with its rows and
//! the same table as CSV.

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject};
use banso_events::domain::japan::Prefecture;
use banso_projections::statistics::{
    self as stats, Count, Dimension, Filter, HearingBy, MinCompanies, Number, Parts, Source,
    Spread, Statistics, to_csv,
};
use uuid::Uuid;

use crate::context::services;
use crate::error::{bad_input, internal};
use crate::mutation::inputs::{day_opt, parse_opt};
use crate::objects::wire_id;
use crate::vocab::{AgencyKind, MeasureKind, Stage, Wall};

/// The policy office's statistics ([`PolicyStatistics`]).
#[derive(Default)]
pub struct StatisticsQuery;

/// Which cases and activities the statistics cover (集計条件). Every field is optional.
#[derive(InputObject, Default)]
pub struct StatisticsFilterInput {
    /// 期間の開始日 (YYYY-MM-DD, その日を含む)。案件の集計は発掘日、引継ぎは依頼日、対話は実施日で絞り込みます。
    pub from: Option<String>,
    /// 期間の終了日 (YYYY-MM-DD, その日を含む)。
    pub to: Option<String>,
    /// 企業の所在都道府県 (埼玉県, 埼玉 または 11)。
    pub prefecture: Option<String>,
}

/// How the reach and time tables are broken down (集計の区分).
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatisticsDimension {
    /// 全体
    #[default]
    Total,
    /// 発掘した支援機関
    Agency,
    /// 発掘した支援機関の種類
    AgencyKind,
    /// 企業の所在都道府県
    Prefecture,
    /// 発掘日の年度（4月〜翌3月）
    FiscalYear,
}

impl From<StatisticsDimension> for Dimension {
    fn from(d: StatisticsDimension) -> Self {
        match d {
            StatisticsDimension::Total => Dimension::Total,
            StatisticsDimension::Agency => Dimension::Agency,
            StatisticsDimension::AgencyKind => Dimension::AgencyKind,
            StatisticsDimension::Prefecture => Dimension::Prefecture,
            StatisticsDimension::FiscalYear => Dimension::FiscalYear,
        }
    }
}

/// How the hearing-depth table is broken down (課題聞き取り力の集計区分).
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum HearingDimension {
    /// 全体
    #[default]
    Total,
    /// 対話を行った支援者の所属機関
    Agency,
    /// 対話を行った支援者
    Supporter,
}

impl From<HearingDimension> for HearingBy {
    fn from(d: HearingDimension) -> Self {
        match d {
            HearingDimension::Total => HearingBy::Total,
            HearingDimension::Agency => HearingBy::Agency,
            HearingDimension::Supporter => HearingBy::Supporter,
        }
    }
}

/// A milestone of a case whose time from discovery is measured (節目).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    /// スタートライン到達
    StartLine,
    /// 最初の課題設定
    FirstIssue,
    /// 最初の施策の処方
    FirstMeasure,
    /// 自走化
    SelfRunning,
}

impl From<stats::Milestone> for Milestone {
    fn from(m: stats::Milestone) -> Self {
        match m {
            stats::Milestone::StartLine => Milestone::StartLine,
            stats::Milestone::FirstIssue => Milestone::FirstIssue,
            stats::Milestone::FirstMeasure => Milestone::FirstMeasure,
            stats::Milestone::SelfRunning => Milestone::SelfRunning,
        }
    }
}

/// A count (件数・企業数), or suppressed (秘匿) when built from too few companies.
#[derive(SimpleObject, Clone, Copy)]
pub struct StatCount {
    /// 値。秘匿のときは null。
    pub value: Option<i32>,
    /// 最小企業数に満たないため秘匿したか。
    pub suppressed: bool,
}

impl From<Count> for StatCount {
    fn from(c: Count) -> Self {
        Self {
            value: c.value.map(|v| i32::try_from(v).unwrap_or(i32::MAX)),
            suppressed: c.suppressed,
        }
    }
}

/// A number (率・平均・文字数), null when there is nothing to compute it from or when suppressed.
#[derive(SimpleObject, Clone, Copy)]
pub struct StatNumber {
    /// 値（小数第2位まで）。算出できないときと秘匿のときは null。
    pub value: Option<f64>,
    /// 最小企業数に満たないため秘匿したか。
    pub suppressed: bool,
}

impl From<Number> for StatNumber {
    fn from(n: Number) -> Self {
        Self {
            value: n.value,
            suppressed: n.suppressed,
        }
    }
}

impl From<Count> for StatNumber {
    fn from(c: Count) -> Self {
        Self {
            value: c.value.map(|v| v as f64),
            suppressed: c.suppressed,
        }
    }
}

/// Quartiles of some values (四分位): linear interpolation between the closest ranks (Excel の
/// QUARTILE.INC と同じ). All null when there were no values, or when suppressed.
#[derive(SimpleObject, Clone, Copy)]
pub struct StatSpread {
    /// 値の個数。
    pub n: Option<i32>,
    /// 第1四分位。
    pub q1: Option<f64>,
    /// 中央値。
    pub median: Option<f64>,
    /// 第3四分位。
    pub q3: Option<f64>,
    /// 最小企業数に満たないため秘匿したか。
    pub suppressed: bool,
}

impl From<Spread> for StatSpread {
    fn from(s: Spread) -> Self {
        Self {
            n: s.n.map(|v| i32::try_from(v).unwrap_or(i32::MAX)),
            q1: s.q1,
            median: s.median,
            q3: s.q3,
            suppressed: s.suppressed,
        }
    }
}

/// The group of a row (集計区分の値).
#[derive(SimpleObject, Clone)]
pub struct StatGroup {
    /// 区分のキー: 支援機関ID、種類のID (shinkin_bank)、都道府県名、年度 (2025)、total、unknown。
    pub key: String,
    /// 表示名: 支援機関名、種類名、都道府県名、2025年度、全体、不明。
    pub label: String,
}

impl From<&stats::Group> for StatGroup {
    fn from(g: &stats::Group) -> Self {
        Self {
            key: g.key.clone(),
            label: g.label.clone(),
        }
    }
}

/// Reach (到達状況): companies found at step zero and how many reached the start line.
#[derive(SimpleObject)]
pub struct ReachRow {
    /// 区分。
    pub group: StatGroup,
    /// 発掘企業数（重複なし）。
    pub discovered: StatCount,
    /// うちスタートラインに到達した企業数。
    pub reached: StatCount,
    /// 到達率（%）。
    pub rate_percent: StatNumber,
}

/// Time to a milestone (所要日数): days from discovery, over the cases that reached it.
#[derive(SimpleObject)]
pub struct MilestoneTimeRow {
    /// 区分。
    pub group: StatGroup,
    /// 節目。
    pub milestone: Milestone,
    /// 節目の名前。
    pub milestone_label: String,
    /// 対象案件数（期間内に発掘された案件）。
    pub cases: StatCount,
    /// 節目に到達した案件数。
    pub reached: StatCount,
    /// 発掘から節目までの日数。
    pub days: StatSpread,
}

/// Cases with a measure stalled on one wall (壁ごとの停滞).
#[derive(SimpleObject)]
pub struct WallCount {
    /// 壁。
    pub wall: Wall,
    /// 壁の名前。
    pub wall_label: String,
    /// その壁で停滞中の施策がある案件数。
    pub cases: StatCount,
}

/// Where open cases stand and stall (段階別の継続案件と停滞).
#[derive(SimpleObject)]
pub struct StallRow {
    /// 段階。
    pub stage: Stage,
    /// 段階の名前。
    pub stage_label: String,
    /// 継続中（終了していない）の案件数。
    pub cases: StatCount,
    /// うち停滞中の施策がある案件数。
    pub stalled: StatCount,
    /// 停滞の壁ごとの案件数（5つの壁の順）。
    pub by_wall: Vec<WallCount>,
}

/// One wall on the issues of one industry or of all (壁の出現状況).
#[derive(SimpleObject)]
pub struct WallRow {
    /// 日本標準産業分類の大分類の記号 (E)。全業種の行は null。
    pub industry_code: Option<String>,
    /// 業種名（全業種の行は「全業種」）。
    pub industry: String,
    /// 壁。
    pub wall: Wall,
    /// 壁の名前。
    pub wall_label: String,
    /// その壁が付いた課題の数（見直しで外れた壁も含む）。
    pub issues: StatCount,
    /// その課題を持つ企業数。
    pub companies: StatCount,
    /// うち壁が克服された課題の数。
    pub overcome: StatCount,
    /// 克服率（%）。
    pub overcome_rate_percent: StatNumber,
}

/// What overcame a wall (壁を乗り越えたアプローチ): the kind of the measure the WallOvercome
/// event names, or none (記録なし).
#[derive(SimpleObject)]
pub struct WallApproachRow {
    /// 壁。
    pub wall: Wall,
    /// 壁の名前。
    pub wall_label: String,
    /// 施策の種類。記録がないときは null。
    pub approach: Option<MeasureKind>,
    /// 施策の種類の名前、または「記録なし」。
    pub approach_label: String,
    /// 克服の件数。
    pub overcome: StatCount,
    /// 企業数。
    pub companies: StatCount,
}

/// Handovers from one kind of agency to another (引継ぎの流れ). Decline reasons are free text
/// and are never published: only how many were declined.
#[derive(SimpleObject)]
pub struct HandoverFlowRow {
    /// 引継ぎ元の種類。
    pub from_kind: AgencyKind,
    /// 引継ぎ元の種類の名前。
    pub from_kind_label: String,
    /// 引継ぎ先の種類。
    pub to_kind: AgencyKind,
    /// 引継ぎ先の種類の名前。
    pub to_kind_label: String,
    /// 依頼件数（期間内に依頼されたもの）。
    pub requested: StatCount,
    /// 受諾件数（その後完了したものを含む）。
    pub accepted: StatCount,
    /// 辞退件数（理由の文面は公開しません）。
    pub declined: StatCount,
    /// 取下げ件数。
    pub withdrawn: StatCount,
    /// 回答待ちの件数。
    pub pending: StatCount,
    /// 受諾率（%）= 受諾 ÷（受諾＋辞退）。
    pub acceptance_rate_percent: StatNumber,
    /// 依頼から回答（受諾・辞退）までの日数。
    pub days_to_decision: StatSpread,
    /// 企業数。
    pub companies: StatCount,
}

/// The change of one Local Benchmark indicator between two consecutive fiscal years, over the
/// supported companies (支援企業の財務指標の変化).
#[derive(SimpleObject)]
pub struct OutcomeRow {
    /// 比較元の決算年度。
    pub from_year: i32,
    /// 比較先の決算年度。
    pub to_year: i32,
    /// 指標のID: sales_growth, operating_margin, labour_productivity, ebitda_debt_multiple,
    /// working_capital_period, equity_ratio。
    pub indicator: String,
    /// 指標の名前（売上高増加率 ...）。
    pub indicator_label: String,
    /// 単位（%、千円/人、倍、か月）。変化は同じ単位の差（%はポイント）。
    pub unit: String,
    /// 両年度の決算がある企業数（コホートの大きさ）。
    pub companies: StatCount,
    /// 改善した企業数（EBITDA有利子負債倍率と営業運転資本回転期間は低下が改善）。
    pub improved: StatCount,
    /// 横ばいの企業数。
    pub unchanged: StatCount,
    /// 悪化した企業数。
    pub worsened: StatCount,
    /// いずれかの年度で算出できない企業数。
    pub not_meaningful: StatCount,
    /// 変化（比較先 − 比較元）。
    pub difference: StatSpread,
}

/// Characters written under one of the four perspectives (視点ごとの文字数).
#[derive(SimpleObject)]
pub struct PerspectiveChars {
    /// 視点のID: owner_focus, business_focus, environment_focus, internal_control_focus。
    pub perspective: String,
    /// 視点の名前（経営者への着目 ...）。
    pub label: String,
    /// 文字数の合計。
    pub chars: StatNumber,
    /// 1対話あたりの文字数。
    pub per_dialogue: StatNumber,
}

/// Hearing depth (課題聞き取り力) of one group, with or without an expert at the dialogue.
/// Characters of confidential (秘) notes count too: only their length is used, never their text.
#[derive(SimpleObject)]
pub struct HearingRow {
    /// 支援機関ID（支援機関別・支援者別の行）。
    pub agency_id: Option<Uuid>,
    /// 支援機関名。
    pub agency_name: Option<String>,
    /// 支援者ID（支援者別の行）。
    pub supporter_id: Option<Uuid>,
    /// 支援者の表示名。
    pub supporter_name: Option<String>,
    /// 専門家が同席した対話の行か。
    pub with_expert: bool,
    /// 対話数。
    pub dialogues: StatCount,
    /// 企業数。
    pub companies: StatCount,
    /// 4つの視点ごとの文字数。
    pub perspectives: Vec<PerspectiveChars>,
    /// ローカルベンチマークの項目に紐づかないメモの文字数。
    pub unassigned_chars: StatNumber,
    /// 4つの視点の合計文字数。
    pub total_chars: StatNumber,
    /// 4つの視点の1対話あたり合計文字数。
    pub total_chars_per_dialogue: StatNumber,
}

/// 到達状況の表。
#[derive(SimpleObject)]
pub struct ReachTable {
    /// 行。
    pub rows: Vec<ReachRow>,
    /// 同じ表のCSV（RFC 4180、UTF-8、日本語の見出し行、秘匿は「秘匿」）。
    pub csv: String,
}

/// 所要日数の表。
#[derive(SimpleObject)]
pub struct MilestoneTimeTable {
    /// 行（区分ごとに4つの節目）。
    pub rows: Vec<MilestoneTimeRow>,
    /// 同じ表のCSV（RFC 4180、UTF-8、日本語の見出し行、秘匿は「秘匿」）。
    pub csv: String,
}

/// 段階別の継続案件と停滞の表。
#[derive(SimpleObject)]
pub struct StallTable {
    /// 行（終了以外の段階ごと）。
    pub rows: Vec<StallRow>,
    /// 同じ表のCSV（RFC 4180、UTF-8、日本語の見出し行、秘匿は「秘匿」）。
    pub csv: String,
}

/// 壁の出現状況の表。
#[derive(SimpleObject)]
pub struct WallTable {
    /// 行（全業種の5つの壁、続いて業種ごとの5つの壁）。
    pub rows: Vec<WallRow>,
    /// 同じ表のCSV（RFC 4180、UTF-8、日本語の見出し行、秘匿は「秘匿」）。
    pub csv: String,
}

/// 壁を乗り越えたアプローチの表。
#[derive(SimpleObject)]
pub struct WallApproachTable {
    /// 行。
    pub rows: Vec<WallApproachRow>,
    /// 同じ表のCSV（RFC 4180、UTF-8、日本語の見出し行、秘匿は「秘匿」）。
    pub csv: String,
}

/// 引継ぎの流れの表。
#[derive(SimpleObject)]
pub struct HandoverFlowTable {
    /// 行（引継ぎ元の種類 → 引継ぎ先の種類）。
    pub rows: Vec<HandoverFlowRow>,
    /// 同じ表のCSV（RFC 4180、UTF-8、日本語の見出し行、秘匿は「秘匿」）。
    pub csv: String,
}

/// 財務指標の変化の表。
#[derive(SimpleObject)]
pub struct OutcomeTable {
    /// 行（年度の組ごとに6つの指標）。
    pub rows: Vec<OutcomeRow>,
    /// 同じ表のCSV（RFC 4180、UTF-8、日本語の見出し行、秘匿は「秘匿」）。
    pub csv: String,
}

/// 課題聞き取り力の表。
#[derive(SimpleObject)]
pub struct HearingTable {
    /// 行。
    pub rows: Vec<HearingRow>,
    /// 同じ表のCSV（RFC 4180、UTF-8、日本語の見出し行、秘匿は「秘匿」）。
    pub csv: String,
}

/// The policy statistics under one filter (政策統計). Aggregates only: any figure built from
/// fewer companies than `minCompanies` is suppressed (秘匿).
pub struct PolicyStatistics {
    source: Source,
    filter: Filter,
    min: MinCompanies,
}

impl PolicyStatistics {
    fn stats(&self) -> Statistics<'_> {
        Statistics::new(&self.source, self.filter, self.min)
    }
}

/// 政策統計。
#[Object]
impl PolicyStatistics {
    /// この集計で使った最小企業数（これ未満の企業から作られる数値は秘匿）。
    async fn min_companies(&self) -> i32 {
        i32::try_from(self.min.get()).unwrap_or(i32::MAX)
    }

    /// 期間の開始日。
    async fn from(&self) -> Option<String> {
        self.filter.from().map(|d| d.to_string())
    }

    /// 期間の終了日。
    async fn to(&self) -> Option<String> {
        self.filter.to().map(|d| d.to_string())
    }

    /// 都道府県での絞り込み。
    async fn prefecture(&self) -> Option<String> {
        self.filter.prefecture().map(|p| p.name().to_owned())
    }

    /// 到達状況: ステップ・ゼロで発掘された企業数と、スタートラインに到達した企業数。
    async fn reach(&self, #[graphql(default)] by: StatisticsDimension) -> ReachTable {
        let rows = self.stats().reach(by.into());
        ReachTable {
            csv: to_csv(&rows),
            rows: rows
                .iter()
                .map(|r| ReachRow {
                    group: (&r.group).into(),
                    discovered: r.discovered.into(),
                    reached: r.reached.into(),
                    rate_percent: r.rate.into(),
                })
                .collect(),
        }
    }

    /// 所要日数: 発掘からスタートライン・最初の課題設定・最初の施策の処方・自走化までの日数の四分位。
    async fn time_to_milestones(
        &self,
        #[graphql(default)] by: StatisticsDimension,
    ) -> MilestoneTimeTable {
        let rows = self.stats().time(by.into());
        MilestoneTimeTable {
            csv: to_csv(&rows),
            rows: rows
                .iter()
                .map(|r| MilestoneTimeRow {
                    group: (&r.group).into(),
                    milestone: r.milestone.into(),
                    milestone_label: r.milestone.label().to_owned(),
                    cases: r.cases.into(),
                    reached: r.reached.into(),
                    days: r.days.into(),
                })
                .collect(),
        }
    }

    /// 段階別の継続案件と停滞: どこで案件が止まっているか。
    async fn stalls(&self) -> StallTable {
        let rows = self.stats().stalls();
        StallTable {
            csv: to_csv(&rows),
            rows: rows
                .iter()
                .map(|r| StallRow {
                    stage: r.stage.into(),
                    stage_label: r.stage.label().to_owned(),
                    cases: r.cases.into(),
                    stalled: r.stalled.into(),
                    by_wall: r
                        .by_wall
                        .iter()
                        .map(|(wall, cases)| WallCount {
                            wall: (*wall).into(),
                            wall_label: wall.label().to_owned(),
                            cases: (*cases).into(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// 壁の出現状況: 5つの壁が課題に現れた回数と克服状況（全業種と業種別）。
    async fn walls(&self) -> WallTable {
        let rows = self.stats().walls();
        WallTable {
            csv: to_csv(&rows),
            rows: rows
                .iter()
                .map(|r| WallRow {
                    industry_code: r.industry.map(|i| i.code().to_string()),
                    industry: r
                        .industry
                        .map_or_else(|| "全業種".to_owned(), |i| i.label().to_owned()),
                    wall: r.wall.into(),
                    wall_label: r.wall.label().to_owned(),
                    issues: r.issues.into(),
                    companies: r.companies.into(),
                    overcome: r.overcome.into(),
                    overcome_rate_percent: r.overcome_rate.into(),
                })
                .collect(),
        }
    }

    /// 壁を乗り越えたアプローチ: 克服の記録が挙げた施策の種類ごとの件数。
    async fn wall_approaches(&self) -> WallApproachTable {
        let rows = self.stats().approaches();
        WallApproachTable {
            csv: to_csv(&rows),
            rows: rows
                .iter()
                .map(|r| WallApproachRow {
                    wall: r.wall.into(),
                    wall_label: r.wall.label().to_owned(),
                    approach: r.approach.map(Into::into),
                    approach_label: stats::approach_label(r.approach).to_owned(),
                    overcome: r.overcome.into(),
                    companies: r.companies.into(),
                })
                .collect(),
        }
    }

    /// 引継ぎの流れ: 支援機関の種類の間の引継ぎ、受諾率、回答までの日数、辞退件数。
    async fn handover_flows(&self) -> HandoverFlowTable {
        let rows = self.stats().handovers();
        HandoverFlowTable {
            csv: to_csv(&rows),
            rows: rows
                .iter()
                .map(|r| HandoverFlowRow {
                    from_kind: r.from_kind.into(),
                    from_kind_label: r.from_kind.label().to_owned(),
                    to_kind: r.to_kind.into(),
                    to_kind_label: r.to_kind.label().to_owned(),
                    requested: r.requested.into(),
                    accepted: r.accepted.into(),
                    declined: r.declined.into(),
                    withdrawn: r.withdrawn.into(),
                    pending: r.pending.into(),
                    acceptance_rate_percent: r.acceptance_rate.into(),
                    days_to_decision: r.days_to_decision.into(),
                    companies: r.companies.into(),
                })
                .collect(),
        }
    }

    /// 成果: スタートラインに到達した企業のローカルベンチマーク6指標の、連続する決算年度間の変化。
    async fn outcomes(&self) -> OutcomeTable {
        let rows = self.stats().outcomes();
        OutcomeTable {
            csv: to_csv(&rows),
            rows: rows
                .iter()
                .map(|r| OutcomeRow {
                    from_year: i32::from(r.from_year.get()),
                    to_year: i32::from(r.to_year.get()),
                    indicator: wire_id(r.indicator),
                    indicator_label: r.indicator.label().to_owned(),
                    unit: r.indicator.unit().to_owned(),
                    companies: r.companies.into(),
                    improved: r.improved.into(),
                    unchanged: r.unchanged.into(),
                    worsened: r.worsened.into(),
                    not_meaningful: r.not_meaningful.into(),
                    difference: r.difference.into(),
                })
                .collect(),
        }
    }

    /// 課題聞き取り力: 対話のメモの、4つの視点ごとの文字数（専門家の同席あり・なし別）。
    /// 秘のメモも文字数だけは数えます（本文は読みません）。
    async fn hearing_depth(&self, #[graphql(default)] by: HearingDimension) -> HearingTable {
        let rows = self.stats().hearing(by.into());
        HearingTable {
            csv: to_csv(&rows),
            rows: rows
                .iter()
                .map(|r| HearingRow {
                    agency_id: r.agency.as_ref().map(|(id, _)| id.0),
                    agency_name: r.agency.as_ref().map(|(_, name)| name.clone()),
                    supporter_id: r.supporter.as_ref().map(|(id, _)| id.0),
                    supporter_name: r.supporter.as_ref().and_then(|(_, name)| name.clone()),
                    with_expert: r.with_expert,
                    dialogues: r.dialogues.into(),
                    companies: r.companies.into(),
                    perspectives: r
                        .perspectives
                        .iter()
                        .map(|p| PerspectiveChars {
                            perspective: wire_id(p.perspective),
                            label: p.perspective.label().to_owned(),
                            chars: p.chars.into(),
                            per_dialogue: p.per_dialogue.into(),
                        })
                        .collect(),
                    unassigned_chars: r.unassigned.into(),
                    total_chars: r.total.into(),
                    total_chars_per_dialogue: r.total_per_dialogue.into(),
                })
                .collect(),
        }
    }
}

/// The filter of the input, `BAD_USER_INPUT` naming the field at fault.
fn filter_of(input: StatisticsFilterInput) -> Result<Filter> {
    let from = day_opt("filter.from", input.from.as_deref())?;
    let to = day_opt("filter.to", input.to.as_deref())?;
    let prefecture = parse_opt(
        "filter.prefecture",
        input.prefecture.as_deref(),
        Prefecture::parse,
    )?;
    Filter::new(from, to, prefecture).map_err(|e| {
        bad_input(
            "filter.to",
            format!(
                "期間の終了日（{}）が開始日（{}）より前です。開始日以降の日付を指定してください。",
                e.to, e.from
            ),
        )
    })
}

#[Object]
impl StatisticsQuery {
    /// 政策統計（政策担当のみ）: 到達状況、所要日数、停滞、壁、引継ぎ、成果、課題聞き取り力の集計表と
    /// そのCSV。個別の案件は含みません。`minCompanies` はサーバーの設定値より大きくだけでき、
    /// これ未満の企業から作られる数値は秘匿されます。ほかの利用者には FORBIDDEN を返します。
    async fn policy_statistics(
        &self,
        ctx: &Context<'_>,
        filter: Option<StatisticsFilterInput>,
        min_companies: Option<i32>,
    ) -> Result<PolicyStatistics> {
        crate::practice::policy_only(ctx)?;
        let services = services(ctx)?;
        let configured = services.stats_min_companies;
        let min = match min_companies {
            None => configured,
            Some(n) => match MinCompanies::new(i64::from(n)) {
                Ok(min) if min >= configured => min,
                _ => {
                    return Err(bad_input(
                        "minCompanies",
                        format!(
                            "minCompanies はこのサーバーの設定値（{configured}）以上の整数で指定してください（{n} は小さすぎます）。秘匿の基準は下げられません。"
                        ),
                    ));
                }
            },
        };
        let filter = filter_of(filter.unwrap_or_default())?;
        let look = ctx.look_ahead();
        let parts = Parts {
            handovers: look.field("handoverFlows").exists(),
            statements: look.field("outcomes").exists(),
        };
        let source = services
            .read
            .statistics_source(parts)
            .await
            .map_err(|e| internal("could not read the statistics' source", e))?;
        Ok(PolicyStatistics {
            source,
            filter,
            min,
        })
    }
}
