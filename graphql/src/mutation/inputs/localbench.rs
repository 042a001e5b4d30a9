//! The Local Benchmark (ローカルベンチマーク) and the other tools supporters use beside it. The
//! domain's one command `RecordBenchmark` holds one of six records; GraphQL has no input
//! unions, so each record has its own mutation (`recordNonFinancialAssessment` ...), with the
//! record under the name the domain's refusals use (`assessment`, `flow`, `summary`, `sheet`,
//! `entry`).
//!
//! How a record's parts fit together (at least one entry, no item twice ...) is checked by the
//! domain when deciding (`validate`); here each value is only parsed.

use async_graphql::{Enum, InputObject, Result};
use banso_events::domain::command::{BenchmarkRecord, Command};
use banso_events::domain::ids::CaseId;
use banso_events::domain::localbench::{
    BenchmarkSummary, BusinessFlow, CommercialFlow, DesignFuture, DesignPast, DesignSheet,
    FlowStep, IntellectualAssetEntry, NonFinancialAssessment, Party, PerspectiveEntry,
};
use banso_events::domain::values::{Name, Text, Title};
use uuid::Uuid;

use super::{IntoDomain, at, day, day_opt, each, parse, parse_each, parse_opt};

/// The four perspectives of the Local Benchmark (4つの視点).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "banso_events::domain::localbench::Perspective")]
#[allow(clippy::enum_variant_names)] // the domain's names: `remote` needs the same ones
pub enum Perspective {
    /// 経営者への着目
    OwnerFocus,
    /// 事業への着目
    BusinessFocus,
    /// 企業を取り巻く環境・関係者への着目
    EnvironmentFocus,
    /// 内部管理体制への着目
    InternalControlFocus,
}

/// The fifteen items of the four perspectives (4つの視点の項目).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "banso_events::domain::localbench::PerspectiveItem")]
pub enum PerspectiveItem {
    /// 経営者自身（ビジョン・経営理念）
    OwnerVision,
    /// 事業承継（後継者の有無・承継のタイミング）
    BusinessSuccession,
    /// 企業及び事業沿革（ターニングポイント）
    CompanyHistory,
    /// 強み（技術力・販売力等）
    Strengths,
    /// 弱み（技術力・販売力等）
    Weaknesses,
    /// ITに関する投資・活用の状況
    ItInvestment,
    /// 生産性向上の取組
    ProductivityImprovement,
    /// 市場動向・規模・シェア（競合他社との比較）
    MarketAndCompetition,
    /// 顧客リピート率・新規開拓率
    CustomerRepeatAndAcquisition,
    /// 従業員定着率
    EmployeeRetention,
    /// 取引金融機関数・推移（メインバンクとの関係）
    FinancialInstitutions,
    /// 組織体制（品質管理・情報管理）
    Organisation,
    /// 事業計画・経営計画の有無（従業員との共有）
    BusinessPlan,
    /// 研究開発・商品開発の体制（知的財産の保有・活用）
    ResearchAndDevelopment,
    /// 人材育成の取組
    StaffDevelopment,
}

/// The steps of 知的資産経営, practised as a PDCA cycle.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "banso_events::domain::localbench::IntellectualAssetStep")]
pub enum IntellectualAssetStep {
    /// 棚卸
    Inventory,
    /// ストーリー化
    Story,
    /// 見える化
    Visualise,
    /// 見せる化
    Report,
    /// 開示
    Disclose,
}

/// The command every record mutation becomes.
fn record(case_id: Uuid, on: &str, record: BenchmarkRecord) -> Result<Command> {
    Ok(Command::RecordBenchmark {
        case_id: CaseId(case_id),
        on: day("on", on)?,
        record,
    })
}

/// 非財務ヒアリングシート（4つの視点）の記録.
#[derive(InputObject)]
pub struct RecordNonFinancialAssessmentInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 記録日: YYYY-MM-DD.
    pub on: String,
    /// 4つの視点: what was heard, item by item.
    pub assessment: NonFinancialAssessmentInput,
}

/// 4つの視点: some of the fifteen items, each at most once.
#[derive(InputObject)]
pub struct NonFinancialAssessmentInput {
    /// 項目ごとの聞き取り内容: one entry per item heard.
    pub entries: Vec<PerspectiveEntryInput>,
}

/// What was heard on one item (項目).
#[derive(InputObject)]
pub struct PerspectiveEntryInput {
    /// 項目.
    pub item: PerspectiveItem,
    /// 内容: what was heard, in the owner's words where possible.
    pub text: String,
}

impl IntoDomain for PerspectiveEntryInput {
    type Domain = PerspectiveEntry;

    fn into_domain(self, path: &str) -> Result<PerspectiveEntry> {
        Ok(PerspectiveEntry {
            item: self.item.into(),
            text: parse(&at(path, "text"), &self.text, Text::parse)?,
        })
    }
}

impl RecordNonFinancialAssessmentInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        let entries = each("assessment.entries", self.assessment.entries)?;
        record(
            self.case_id,
            &self.on,
            BenchmarkRecord::NonFinancial(NonFinancialAssessment { entries }),
        )
    }
}

/// 業務フローの記録.
#[derive(InputObject)]
pub struct RecordBusinessFlowInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 記録日: YYYY-MM-DD.
    pub on: String,
    /// 業務フロー.
    pub flow: BusinessFlowInput,
}

/// 業務フロー: the steps from procurement to delivery, in order.
#[derive(InputObject)]
pub struct BusinessFlowInput {
    /// 工程: the steps in order (1 to 20).
    pub steps: Vec<FlowStepInput>,
}

/// 工程: one step of the business flow.
#[derive(InputObject)]
pub struct FlowStepInput {
    /// 工程名, e.g. 受注, 加工, 検査.
    pub name: String,
    /// 内容: what happens at this step.
    pub description: Option<String>,
    /// 差別化ポイント: what sets the company apart here.
    pub differentiator: Option<String>,
}

impl IntoDomain for FlowStepInput {
    type Domain = FlowStep;

    fn into_domain(self, path: &str) -> Result<FlowStep> {
        Ok(FlowStep {
            name: parse(&at(path, "name"), &self.name, Title::parse)?,
            description: parse_opt(
                &at(path, "description"),
                self.description.as_deref(),
                Text::parse,
            )?,
            differentiator: parse_opt(
                &at(path, "differentiator"),
                self.differentiator.as_deref(),
                Text::parse,
            )?,
        })
    }
}

impl RecordBusinessFlowInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        let steps = each("flow.steps", self.flow.steps)?;
        record(
            self.case_id,
            &self.on,
            BenchmarkRecord::BusinessFlow(BusinessFlow { steps }),
        )
    }
}

/// 商流の記録.
#[derive(InputObject)]
pub struct RecordCommercialFlowInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 記録日: YYYY-MM-DD.
    pub on: String,
    /// 商流.
    pub flow: CommercialFlowInput,
}

/// 商流: 仕入先 → 当社 → 得意先 → エンドユーザー (the company itself is the case's company).
#[derive(InputObject)]
pub struct CommercialFlowInput {
    /// 仕入先: suppliers.
    #[graphql(default)]
    pub suppliers: Vec<PartyInput>,
    /// 得意先: customers.
    #[graphql(default)]
    pub customers: Vec<PartyInput>,
    /// エンドユーザー: end users.
    #[graphql(default)]
    pub end_users: Vec<PartyInput>,
    /// 顧客提供価値: the value the company gives its customers.
    pub customer_value: Option<String>,
}

/// 取引先: a supplier, customer or end user.
#[derive(InputObject)]
pub struct PartyInput {
    /// 名称.
    pub name: String,
    /// 取引理由: why this party deals with the company.
    pub why_us: Option<String>,
}

impl IntoDomain for PartyInput {
    type Domain = Party;

    fn into_domain(self, path: &str) -> Result<Party> {
        Ok(Party {
            name: parse(&at(path, "name"), &self.name, Name::parse)?,
            why_us: parse_opt(&at(path, "whyUs"), self.why_us.as_deref(), Text::parse)?,
        })
    }
}

impl RecordCommercialFlowInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        let flow = self.flow;
        let flow = CommercialFlow {
            suppliers: each("flow.suppliers", flow.suppliers)?,
            customers: each("flow.customers", flow.customers)?,
            end_users: each("flow.endUsers", flow.end_users)?,
            customer_value: parse_opt(
                "flow.customerValue",
                flow.customer_value.as_deref(),
                Text::parse,
            )?,
        };
        record(
            self.case_id,
            &self.on,
            BenchmarkRecord::CommercialFlow(flow),
        )
    }
}

/// ローカルベンチマークのまとめの記録.
#[derive(InputObject)]
pub struct RecordBenchmarkSummaryInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 記録日: YYYY-MM-DD.
    pub on: String,
    /// まとめ.
    pub summary: BenchmarkSummaryInput,
}

/// まとめ: 現状認識 → 将来目標 → 課題 → 対応策, all four required.
#[derive(InputObject)]
pub struct BenchmarkSummaryInput {
    /// 現状認識: where the company stands.
    pub current_view: String,
    /// 将来目標: where it wants to be.
    pub future_goal: String,
    /// 課題: what stands in between.
    pub issues: String,
    /// 対応策: what to do about it.
    pub measures: String,
}

impl RecordBenchmarkSummaryInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        let s = self.summary;
        let summary = BenchmarkSummary {
            current_view: parse("summary.currentView", &s.current_view, Text::parse)?,
            future_goal: parse("summary.futureGoal", &s.future_goal, Text::parse)?,
            issues: parse("summary.issues", &s.issues, Text::parse)?,
            measures: parse("summary.measures", &s.measures, Text::parse)?,
        };
        record(self.case_id, &self.on, BenchmarkRecord::Summary(summary))
    }
}

/// 経営デザインシートの記録.
#[derive(InputObject)]
pub struct RecordDesignSheetInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 記録日: YYYY-MM-DD.
    pub on: String,
    /// 経営デザインシート.
    pub sheet: DesignSheetInput,
}

/// 経営デザインシート: from これまで to これから, and how to get there.
#[derive(InputObject)]
pub struct DesignSheetInput {
    /// 企業理念・存在意義: the company's philosophy.
    pub philosophy: String,
    /// これまで: the business as it has been (at least one field).
    pub past: DesignPastInput,
    /// これから: the business the owner wants (at least one field).
    pub future: DesignFutureInput,
    /// 移行戦略: what to do to get from the past to the future.
    pub transition_strategy: String,
    /// 期限: by when the transition should be done, YYYY-MM-DD.
    pub by_when: Option<String>,
}

/// これまで.
#[derive(InputObject)]
pub struct DesignPastInput {
    /// 提供してきた価値.
    pub value_provided: Option<String>,
    /// ビジネスモデル.
    pub business_model: Option<String>,
    /// 経営資源.
    pub resources: Option<String>,
}

/// これから.
#[derive(InputObject)]
pub struct DesignFutureInput {
    /// 提供したい価値.
    pub value_to_provide: Option<String>,
    /// ビジネスモデル.
    pub business_model: Option<String>,
    /// 必要な経営資源.
    pub resources_needed: Option<String>,
}

impl IntoDomain for DesignSheetInput {
    type Domain = DesignSheet;

    fn into_domain(self, path: &str) -> Result<DesignSheet> {
        let text = |field: &str, raw: Option<&str>| parse_opt(&at(path, field), raw, Text::parse);
        let (past, future) = (self.past, self.future);
        Ok(DesignSheet {
            philosophy: parse(&at(path, "philosophy"), &self.philosophy, Text::parse)?,
            past: DesignPast {
                value_provided: text("past.valueProvided", past.value_provided.as_deref())?,
                business_model: text("past.businessModel", past.business_model.as_deref())?,
                resources: text("past.resources", past.resources.as_deref())?,
            },
            future: DesignFuture {
                value_to_provide: text(
                    "future.valueToProvide",
                    future.value_to_provide.as_deref(),
                )?,
                business_model: text("future.businessModel", future.business_model.as_deref())?,
                resources_needed: text(
                    "future.resourcesNeeded",
                    future.resources_needed.as_deref(),
                )?,
            },
            transition_strategy: parse(
                &at(path, "transitionStrategy"),
                &self.transition_strategy,
                Text::parse,
            )?,
            by_when: day_opt(&at(path, "byWhen"), self.by_when.as_deref())?,
        })
    }
}

impl RecordDesignSheetInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        let sheet = self.sheet.into_domain("sheet")?;
        record(self.case_id, &self.on, BenchmarkRecord::DesignSheet(sheet))
    }
}

/// 知的資産経営の記録.
#[derive(InputObject)]
pub struct RecordIntellectualAssetInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 記録日: YYYY-MM-DD.
    pub on: String,
    /// 知的資産経営のステップの記録.
    pub entry: IntellectualAssetEntryInput,
}

/// What was done at one step of 知的資産経営.
#[derive(InputObject)]
pub struct IntellectualAssetEntryInput {
    /// ステップ.
    pub step: IntellectualAssetStep,
    /// 内容: what was done.
    pub content: String,
    /// KPI: the indicators named (mostly at 見える化), at most 20.
    #[graphql(default)]
    pub kpis: Vec<String>,
}

impl RecordIntellectualAssetInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        let e = self.entry;
        let entry = IntellectualAssetEntry {
            step: e.step.into(),
            content: parse("entry.content", &e.content, Text::parse)?,
            kpis: parse_each("entry.kpis", &e.kpis, Title::parse)?,
        };
        record(
            self.case_id,
            &self.on,
            BenchmarkRecord::IntellectualAsset(entry),
        )
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::value;

    use banso_events::domain::localbench as domain;

    use super::super::testing::*;
    use super::*;

    fn on_case(record: BenchmarkRecord) -> Command {
        Command::RecordBenchmark {
            case_id: CaseId(id(0xca5e)),
            on: date("2025-05-15"),
            record,
        }
    }

    #[test]
    fn a_non_financial_assessment_converts_entry_by_entry() {
        let command = input::<RecordNonFinancialAssessmentInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-05-15",
            "assessment": { "entries": [
                { "item": "OWNER_VISION", "text": "技術で地域の雇用を守る" },
                { "item": "STRENGTHS", "text": "ミクロン単位の切削加工" },
            ] },
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            on_case(BenchmarkRecord::NonFinancial(NonFinancialAssessment {
                entries: vec![
                    PerspectiveEntry {
                        item: domain::PerspectiveItem::OwnerVision,
                        text: note("技術で地域の雇用を守る"),
                    },
                    PerspectiveEntry {
                        item: domain::PerspectiveItem::Strengths,
                        text: note("ミクロン単位の切削加工"),
                    },
                ],
            }))
        );
    }

    #[test]
    fn a_bad_entry_is_named_under_assessment() {
        let result = input::<RecordNonFinancialAssessmentInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-05-15",
            "assessment": { "entries": [
                { "item": "OWNER_VISION", "text": "技術で地域の雇用を守る" },
                { "item": "WEAKNESSES", "text": "営業が社長頼み\u{202E}" },
            ] },
        }))
        .into_command();
        assert_bad_input(result, "assessment.entries[1].text", "U+202E");
    }

    #[test]
    fn a_commercial_flow_converts_every_role() {
        let command = input::<RecordCommercialFlowInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-05-15",
            "flow": {
                "suppliers": [{ "name": "東邦鋼材" }],
                "endUsers": [{ "name": "自動車メーカー", "whyUs": "短納期の試作に応える" }],
                "customerValue": "試作から量産までの一貫対応",
            },
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            on_case(BenchmarkRecord::CommercialFlow(CommercialFlow {
                suppliers: vec![Party {
                    name: line("東邦鋼材"),
                    why_us: None
                }],
                customers: vec![],
                end_users: vec![Party {
                    name: line("自動車メーカー"),
                    why_us: Some(note("短納期の試作に応える")),
                }],
                customer_value: Some(note("試作から量産までの一貫対応")),
            }))
        );
        let result = input::<RecordCommercialFlowInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-05-15",
            "flow": { "customers": [{ "name": "A社" }, { "name": "B社", "whyUs": " " }] },
        }))
        .into_command();
        assert_bad_input(result, "flow.customers[1].whyUs", "空欄");
    }

    #[test]
    fn a_design_sheet_converts_its_two_halves() {
        let command = input::<RecordDesignSheetInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-05-15",
            "sheet": {
                "philosophy": "精密加工で日本のものづくりを支える",
                "past": { "valueProvided": "高精度の部品" },
                "future": { "businessModel": "設計提案型の受託" },
                "transitionStrategy": "設計人材の採用と育成",
                "byWhen": "2027-03-31",
            },
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            on_case(BenchmarkRecord::DesignSheet(DesignSheet {
                philosophy: note("精密加工で日本のものづくりを支える"),
                past: DesignPast {
                    value_provided: Some(note("高精度の部品")),
                    ..DesignPast::default()
                },
                future: DesignFuture {
                    business_model: Some(note("設計提案型の受託")),
                    ..DesignFuture::default()
                },
                transition_strategy: note("設計人材の採用と育成"),
                by_when: Some(date("2027-03-31")),
            }))
        );
        let result = input::<RecordDesignSheetInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-05-15",
            "sheet": {
                "philosophy": "精密加工で日本のものづくりを支える",
                "past": {},
                "future": { "resourcesNeeded": "" },
                "transitionStrategy": "設計人材の採用と育成",
            },
        }))
        .into_command();
        assert_bad_input(result, "sheet.future.resourcesNeeded", "空欄");
    }

    #[test]
    fn flows_summaries_and_intellectual_assets_name_their_bad_fields() {
        let result = input::<RecordBusinessFlowInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-05-15",
            "flow": { "steps": [{ "name": "受注" }, { "name": "加工\n検査" }] },
        }))
        .into_command();
        assert_bad_input(result, "flow.steps[1].name", "改行");
        let result = input::<RecordBenchmarkSummaryInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-05-15",
            "summary": { "currentView": "受注減", "futureGoal": "自社製品", "issues": "", "measures": "展示会" },
        }))
        .into_command();
        assert_bad_input(result, "summary.issues", "空欄");
        let result = input::<RecordIntellectualAssetInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-05-15",
            "entry": { "step": "VISUALISE", "content": "技能を見える化", "kpis": ["多能工率", "あ".repeat(101)] },
        }))
        .into_command();
        assert_bad_input(result, "entry.kpis[1]", "100文字以内");
    }

    #[test]
    fn an_intellectual_asset_entry_converts_with_its_kpis() {
        let command = input::<RecordIntellectualAssetInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-05-15",
            "entry": { "step": "STORY", "content": "強みが価値になる筋道を描いた", "kpis": ["多能工率"] },
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            on_case(BenchmarkRecord::IntellectualAsset(IntellectualAssetEntry {
                step: domain::IntellectualAssetStep::Story,
                content: note("強みが価値になる筋道を描いた"),
                kpis: vec![line("多能工率")],
            }))
        );
    }
}
