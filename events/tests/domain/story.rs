//! One realistic support story, as the commands people issue (shared by the pure tests and the
//! store tests): さくら信用金庫 finds 株式会社川口精密, a precision-parts maker, on a routine
//! visit; two dialogue visits with an expert; a Local Benchmark over two years; issues tagged
//! 見えない / 付いてこない / 実行できない; a prescription with KPIs; execution; two reviews; a
//! handover to 埼玉県よろず支援拠点 within the consent; self-running; a good-practice nomination.
//! A second, shorter story (a sole proprietor's case that stops) covers the remaining events.

#![allow(dead_code)]

use banso_events::domain::command::{
    Attendee, BenchmarkRecord, Command, CompanyInput, FindingInput, KpiInput, NewCompany,
};
use banso_events::domain::directory::Actor;
use banso_events::domain::event::{
    CompanyParticipant, Consent, ConsentRecipient, DialogueNote, MeasureOwner, WriteUp,
};
use banso_events::domain::ids::*;
use banso_events::domain::japan::{
    CorporateNumber, Email, Industry, Kana, Municipality, PersonName, Prefecture,
};
use banso_events::domain::localbench::*;
use banso_events::domain::personal::PersonDetails;
use banso_events::domain::values::*;
use banso_events::domain::vocab::*;
use uuid::Uuid;

/// The day every step of the stories is decided on (all their dates are earlier).
pub const TODAY: &str = "2025-11-20";

/// One command as someone issued it.
#[derive(Debug, Clone)]
pub struct Step {
    pub actor: Actor,
    pub command: Command,
}

fn step(actor: Actor, command: Command) -> Step {
    Step { actor, command }
}

fn d(s: &str) -> Day {
    Day::parse(s).unwrap()
}
fn t(s: &str) -> Title {
    Title::parse(s).unwrap()
}
fn n(s: &str) -> Name {
    Name::parse(s).unwrap()
}
fn x(s: &str) -> Text {
    Text::parse(s).unwrap()
}
fn r(s: &str) -> Reason {
    Reason::parse(s).unwrap()
}
fn yen(v: i64) -> Yen {
    Yen::new(v).unwrap()
}
fn q(v: f64) -> Quantity {
    Quantity::new(v).unwrap()
}
fn pref(s: &str) -> Prefecture {
    Prefecture::parse(s).unwrap()
}
fn who(name: &str) -> PersonDetails {
    PersonDetails::named(PersonName::parse(name).unwrap())
}

/// The fixed ids of the stories.
pub struct Ids {
    pub shinkin: AgencyId,
    pub yorozu: AgencyId,
    pub office: AgencyId,
    pub hub: SupporterId,
    pub colleague: SupporterId,
    pub expert: SupporterId,
    pub coordinator: SupporterId,
    pub leaver: SupporterId,
    pub company: CompanyId,
    pub owner: PersonId,
    pub successor: PersonId,
    pub case: CaseId,
    pub issues: [IssueId; 5],
    pub measures: [MeasureId; 2],
    pub kpis: [KpiId; 2],
    pub handovers: [HandoverId; 3],
    pub diner: CompanyId,
    pub diner_owner: PersonId,
    pub diner_case: CaseId,
    /// 関東経済産業局 and its policy officer, who reviews and publishes examples.
    pub bureau: AgencyId,
    pub policy: SupporterId,
}

pub const IDS: Ids = Ids {
    shinkin: AgencyId(Uuid::from_u128(0xa1)),
    yorozu: AgencyId(Uuid::from_u128(0xa2)),
    office: AgencyId(Uuid::from_u128(0xa3)),
    hub: SupporterId(Uuid::from_u128(0x51)),
    colleague: SupporterId(Uuid::from_u128(0x52)),
    expert: SupporterId(Uuid::from_u128(0x53)),
    coordinator: SupporterId(Uuid::from_u128(0x54)),
    leaver: SupporterId(Uuid::from_u128(0x55)),
    company: CompanyId(Uuid::from_u128(0xc1)),
    owner: PersonId(Uuid::from_u128(0xb1)),
    successor: PersonId(Uuid::from_u128(0xb2)),
    case: CaseId(Uuid::from_u128(0xca1)),
    issues: [
        IssueId(Uuid::from_u128(0x1a)),
        IssueId(Uuid::from_u128(0x1b)),
        IssueId(Uuid::from_u128(0x1c)),
        IssueId(Uuid::from_u128(0x1d)),
        IssueId(Uuid::from_u128(0x1e)),
    ],
    measures: [
        MeasureId(Uuid::from_u128(0x3a)),
        MeasureId(Uuid::from_u128(0x3b)),
    ],
    kpis: [KpiId(Uuid::from_u128(0x4a)), KpiId(Uuid::from_u128(0x4b))],
    handovers: [
        HandoverId(Uuid::from_u128(0x6a)),
        HandoverId(Uuid::from_u128(0x6b)),
        HandoverId(Uuid::from_u128(0x6c)),
    ],
    diner: CompanyId(Uuid::from_u128(0xc2)),
    diner_owner: PersonId(Uuid::from_u128(0xb3)),
    diner_case: CaseId(Uuid::from_u128(0xca2)),
    bureau: AgencyId(Uuid::from_u128(0xa4)),
    policy: SupporterId(Uuid::from_u128(0x56)),
};

fn statements(
    sales: i64,
    operating_profit: i64,
    depreciation: i64,
    employees: i64,
) -> FinancialStatements {
    FinancialStatements {
        sales: yen(sales),
        operating_profit: yen(operating_profit),
        depreciation: yen(depreciation),
        borrowings: yen(180_000_000),
        cash_and_deposits: yen(60_000_000),
        accounts_receivable: yen(70_000_000),
        notes_receivable: yen(10_000_000),
        inventory: yen(30_000_000),
        accounts_payable: yen(35_000_000),
        notes_payable: yen(5_000_000),
        net_assets: yen(120_000_000),
        total_assets: yen(400_000_000),
        employees: Count::new(employees).unwrap(),
    }
}

/// FY2022 as first entered (depreciation mistyped), then corrected.
pub fn fy2022_typo() -> FinancialStatements {
    statements(450_000_000, 9_000_000, 1_200_000, 32)
}
pub fn fy2022() -> FinancialStatements {
    statements(450_000_000, 9_000_000, 12_000_000, 32)
}
pub fn fy2023() -> FinancialStatements {
    statements(480_000_000, 14_400_000, 12_600_000, 34)
}

fn setup() -> Vec<Step> {
    let op = Actor::Operator;
    let agency = |agency_id, kind, name: &str, strengths| Command::RegisterAgency {
        agency_id,
        kind,
        name: n(name),
        prefecture: pref("埼玉県"),
        municipality: None,
        strengths,
    };
    let supporter =
        |supporter_id: SupporterId, agency_id, role, name: &str| Command::RegisterSupporter {
            supporter_id,
            agency_id,
            person: PersonId(supporter_id.0),
            role,
            details: PersonDetails {
                email: Some(Email::parse("tanto@example.jp").unwrap()),
                ..who(name)
            },
        };
    vec![
        step(
            op,
            agency(
                IDS.shinkin,
                AgencyKind::ShinkinBank,
                "さくら信用金庫",
                vec![Strength::Financing, Strength::Succession],
            ),
        ),
        step(
            op,
            agency(
                IDS.yorozu,
                AgencyKind::YorozuSupportCenter,
                "埼玉県よろず支援拠点",
                vec![],
            ),
        ),
        step(
            op,
            agency(
                IDS.office,
                AgencyKind::LicensedProfessional,
                "みどり経営事務所",
                vec![Strength::BusinessPlanning],
            ),
        ),
        step(
            op,
            supporter(
                IDS.hub,
                IDS.shinkin,
                SupporterRole::HubSupporter,
                "佐藤 美咲",
            ),
        ),
        step(
            op,
            supporter(
                IDS.colleague,
                IDS.shinkin,
                SupporterRole::AccompanyingSupporter,
                "鈴木 大輔",
            ),
        ),
        step(
            op,
            supporter(IDS.expert, IDS.office, SupporterRole::Expert, "田中 健一"),
        ),
        step(
            op,
            supporter(
                IDS.coordinator,
                IDS.yorozu,
                SupporterRole::HubSupporter,
                "中村 陽子",
            ),
        ),
        step(
            op,
            agency(
                IDS.bureau,
                AgencyKind::RegionalBureau,
                "関東経済産業局",
                vec![],
            ),
        ),
        step(
            op,
            supporter(
                IDS.policy,
                IDS.bureau,
                SupporterRole::PolicyOfficer,
                "小林 直樹",
            ),
        ),
        step(
            op,
            Command::DeclareStrengths {
                agency_id: IDS.yorozu,
                strengths: vec![
                    Strength::ItAdoption,
                    Strength::MarketDevelopment,
                    Strength::BusinessPlanning,
                ],
            },
        ),
    ]
}

/// The consent of the main story: any よろず支援拠点 and the expert office, every purpose.
pub fn consent() -> Consent {
    Consent {
        recipients: vec![
            ConsentRecipient::AgencyKind {
                agency_kind: AgencyKind::YorozuSupportCenter,
            },
            ConsentRecipient::Agency {
                agency_id: IDS.office,
            },
        ],
        purposes: Purpose::ALL.to_vec(),
        valid_until: d("2026-03-31"),
        given_by: IDS.owner,
    }
}

fn note(item: Option<PerspectiveItem>, text: &str, confidential: bool) -> DialogueNote {
    DialogueNote {
        item,
        text: x(text),
        confidential,
    }
}

fn set_issue(issue_id: IssueId, on: &str, title: &str, theme: Theme, walls: Vec<Wall>) -> Command {
    Command::SetIssue {
        case_id: IDS.case,
        issue_id,
        on: d(on),
        title: t(title),
        description: None,
        theme,
        walls,
        priority: Priority::High,
        owner_agrees: true,
    }
}

/// The main story, in order.
pub fn main_story() -> Vec<Step> {
    let case_id = IDS.case;
    let hub = Actor::Supporter(IDS.hub);
    let colleague = Actor::Supporter(IDS.colleague);
    let coordinator = Actor::Supporter(IDS.coordinator);
    let policy = Actor::Supporter(IDS.policy);
    let [issue_a, issue_b, issue_c, issue_d, issue_e] = IDS.issues;
    let [m1, m2] = IDS.measures;
    let [k1, k2] = IDS.kpis;
    let [h1, h2, h3] = IDS.handovers;
    let mut steps = setup();
    let company = NewCompany {
        company_id: IDS.company,
        corporate_number: Some(CorporateNumber::parse("1180301018771").unwrap()),
        sole_proprietor: false,
        name: n("株式会社川口精密"),
        kana: Kana::parse("かわぐちせいみつ").unwrap(),
        industry: Industry::parse("E").unwrap(),
        prefecture: pref("埼玉県"),
        municipality: Some(Municipality::parse("川口市").unwrap()),
        employees: Count::new(32).unwrap(),
        founded_year: Some(1968),
        representative: Some((
            IDS.owner,
            PersonDetails {
                title: Some(Line::parse("代表取締役").unwrap()),
                ..who("川口 一郎")
            },
        )),
    };
    // What is said about a person (here the owner's own hesitation) is that person's remarks,
    // in the personal part; the business notes stay about the business.
    let owner_at = |role| Attendee {
        participant: CompanyParticipant {
            person: IDS.owner,
            role,
        },
        details: PersonDetails {
            remarks: Some(x("長男への承継に自身が迷いを持っている。")),
            ..who("川口 一郎")
        },
    };
    let successor = Attendee {
        participant: CompanyParticipant {
            person: IDS.successor,
            role: CompanyRole::Successor,
        },
        details: PersonDetails {
            remarks: Some(x(
                "入社5年目。製造現場の信頼は厚いが、経営の経験はまだない。",
            )),
            ..who("川口 翔太")
        },
    };
    let benchmark = |on: &str, record| Command::RecordBenchmark {
        case_id,
        on: d(on),
        record,
    };
    steps.extend([
        // ---- step zero
        step(
            hub,
            Command::DiscoverCompany {
                case_id,
                company: CompanyInput::New(Box::new(company)),
                on: d("2024-04-10"),
                channel: DiscoveryChannel::FinancialInstitutionVisit,
                first_concerns: vec![r("主要取引先からの受注が減っている"), r("後継者が決まっていない")],
            },
        ),
        step(
            hub,
            Command::LogOutreachVisit {
                case_id,
                on: d("2024-04-24"),
                expert: None,
                minutes: Some(Minutes::new(60).unwrap()),
                notes: Some(x("社長は危機感を持ち始めている。ロカベンでの対話を提案。")),
            },
        ),
        step(
            hub,
            Command::ReachStartLine {
                case_id,
                on: d("2024-05-08"),
                decision: Some(r("「一歩前に踏み出そう」と社長が支援を受けることを決断")),
                consent: consent(),
                owner: who("川口 一郎"),
            },
        ),
        step(
            hub,
            Command::UpdateCompanyProfile {
                case_id,
                name: None,
                kana: None,
                industry: None,
                prefecture: None,
                municipality: None,
                employees: Some(Count::new(34).unwrap()),
                representative: None,
            },
        ),
        step(
            hub,
            Command::AddTeamMember {
                case_id,
                supporter_id: IDS.expert,
                role: TeamRole::Expert,
                on: d("2024-05-10"),
                dispatch_purpose: Some(r("ローカルベンチマークを用いた対話への同席")),
                until: Some(d("2025-03-31")),
            },
        ),
        // ---- 1st step: dialogue with an expert, twice
        step(
            hub,
            Command::HoldDialogue {
                case_id,
                dialogue_id: DialogueId(Uuid::from_u128(0xd1)),
                on: d("2024-05-20"),
                minutes: Minutes::new(150).unwrap(),
                mode: DialogueMode::Visit,
                place: Some(n("本社工場 応接室")),
                supporters: vec![IDS.hub],
                experts: vec![IDS.expert],
                attendees: vec![owner_at(CompanyRole::Owner), successor],
                perspectives: vec![Perspective::OwnerFocus],
                notes: vec![
                    note(Some(PerspectiveItem::OwnerVision), "「技術で地域に雇用を残す」が創業以来の想い。", false),
                    note(Some(PerspectiveItem::Strengths), "±2μmの微細加工。医療機器向けの試作に強い。", false),
                    note(Some(PerspectiveItem::BusinessSuccession), "後継者は未定。承継の時期は3年以内に決めたい。", true),
                ],
            },
        ),
        step(
            hub,
            Command::HoldDialogue {
                case_id,
                dialogue_id: DialogueId(Uuid::from_u128(0xd2)),
                on: d("2024-06-05"),
                minutes: Minutes::new(180).unwrap(),
                mode: DialogueMode::Visit,
                place: Some(n("本社工場 応接室")),
                supporters: vec![IDS.hub],
                experts: vec![IDS.expert],
                attendees: vec![owner_at(CompanyRole::Owner)],
                perspectives: vec![],
                notes: vec![
                    note(Some(PerspectiveItem::Weaknesses), "営業は社長一人。製品別の採算を誰も把握していない。", false),
                    note(Some(PerspectiveItem::EmployeeRetention), "若手の離職が続く。改善提案の仕組みがない。", false),
                    note(None, "次回までに決算書3期分を準備いただく。", false),
                ],
            },
        ),
        // ---- Local Benchmark over two years
        step(
            hub,
            Command::RecordFinancialStatements {
                case_id,
                fiscal_year: FiscalYear::new(2022).unwrap(),
                statements: fy2022_typo(),
                correction_reason: None,
            },
        ),
        step(
            hub,
            Command::RecordFinancialStatements {
                case_id,
                fiscal_year: FiscalYear::new(2023).unwrap(),
                statements: fy2023(),
                correction_reason: None,
            },
        ),
        step(
            hub,
            Command::RecordFinancialStatements {
                case_id,
                fiscal_year: FiscalYear::new(2022).unwrap(),
                statements: fy2022(),
                correction_reason: Some(r("減価償却費の桁を誤って転記していたため")),
            },
        ),
        step(
            hub,
            benchmark(
                "2024-06-20",
                BenchmarkRecord::NonFinancial(NonFinancialAssessment {
                    entries: vec![
                        PerspectiveEntry {
                            item: PerspectiveItem::OwnerVision,
                            text: x("技術で地域に雇用を残す。"),
                        },
                        PerspectiveEntry {
                            item: PerspectiveItem::Strengths,
                            text: x("微細加工の精度と試作対応の速さ。"),
                        },
                        PerspectiveEntry {
                            item: PerspectiveItem::FinancialInstitutions,
                            text: x("取引金融機関は2行。メインはさくら信用金庫。"),
                        },
                    ],
                }),
            ),
        ),
        step(
            hub,
            benchmark(
                "2024-06-20",
                BenchmarkRecord::BusinessFlow(BusinessFlow {
                    steps: vec![
                        FlowStep {
                            name: t("受注・図面確認"),
                            description: None,
                            differentiator: Some(x("図面段階での加工提案")),
                        },
                        FlowStep {
                            name: t("精密加工"),
                            description: Some(x("5軸加工機による一貫加工")),
                            differentiator: None,
                        },
                        FlowStep {
                            name: t("検査・出荷"),
                            description: None,
                            differentiator: None,
                        },
                    ],
                }),
            ),
        ),
        step(
            hub,
            benchmark(
                "2024-06-20",
                BenchmarkRecord::CommercialFlow(CommercialFlow {
                    suppliers: vec![Party {
                        name: n("関東特殊鋼材株式会社"),
                        why_us: None,
                    }],
                    customers: vec![Party {
                        name: n("医療機器メーカーA社"),
                        why_us: Some(x("試作の速さと精度")),
                    }],
                    end_users: vec![],
                    customer_value: Some(x("短納期の高精度試作")),
                }),
            ),
        ),
        step(
            hub,
            benchmark(
                "2024-06-25",
                BenchmarkRecord::Summary(BenchmarkSummary {
                    current_view: x("技術力は高いが、採算管理と組織づくりが追いついていない。"),
                    future_goal: x("3年後に営業利益率5%、医療分野の売上比率を5割に。"),
                    issues: x("製品別採算の見える化、現場の改善活動、中期計画の実行。"),
                    measures: x("原価計算の導入、改善プロジェクトチームの立ち上げ。"),
                }),
            ),
        ),
        step(
            hub,
            benchmark(
                "2024-06-25",
                BenchmarkRecord::DesignSheet(DesignSheet {
                    philosophy: x("技術で地域に雇用を残す"),
                    past: DesignPast {
                        value_provided: Some(x("自動車部品の量産加工")),
                        business_model: None,
                        resources: None,
                    },
                    future: DesignFuture {
                        value_to_provide: Some(x("医療機器の高精度試作")),
                        business_model: None,
                        resources_needed: None,
                    },
                    transition_strategy: x("医療機器メーカーとの共同開発を3年で5件"),
                    by_when: Some(d("2027-03-31")),
                }),
            ),
        ),
        step(
            hub,
            benchmark(
                "2024-06-25",
                BenchmarkRecord::IntellectualAsset(IntellectualAssetEntry {
                    step: IntellectualAssetStep::Inventory,
                    content: x("強み：微細加工技術、試作対応力、熟練工の技能。"),
                    kpis: vec![t("試作受注件数")],
                }),
            ),
        ),
        // ---- issue setting
        step(hub, set_issue(issue_a, "2024-06-28", "製品別の採算が見えていない", Theme::ManagementImprovement, vec![Wall::Invisible])),
        step(hub, set_issue(issue_b, "2024-06-28", "現場が改善活動に付いてこない", Theme::Productivity, vec![Wall::NotFollowing])),
        step(hub, set_issue(issue_c, "2024-06-28", "中期計画が実行されない", Theme::BusinessPlanning, vec![Wall::CannotExecute])),
        step(hub, set_issue(issue_d, "2024-06-28", "新規顧客の開拓", Theme::MarketDevelopment, vec![Wall::Lacking])),
        step(
            hub,
            Command::ReviseIssue {
                case_id,
                issue_id: issue_b,
                on: d("2024-06-28"),
                title: t("現場が改善活動に付いてこない"),
                description: Some(x("若手とベテランの間で改善への温度差が大きい。")),
                theme: Theme::Productivity,
                walls: vec![Wall::NotFollowing, Wall::Lacking],
                priority: Priority::Medium,
                owner_agrees: true,
                reason: r("2回目の対話で、改善を担う人手の不足も分かったため"),
            },
        ),
        step(
            hub,
            Command::DropIssue {
                case_id,
                issue_id: issue_d,
                on: d("2024-07-01"),
                reason: r("今期は既存顧客の深耕を優先すると社長が判断"),
            },
        ),
        // ---- prescription
        step(
            hub,
            Command::PrescribeMeasure {
                case_id,
                measure_id: m1,
                on: d("2024-06-30"),
                issues: vec![issue_a],
                kind: MeasureKind::BusinessPlanning,
                title: t("製品別原価計算の導入"),
                description: Some(x("主要製品から順に原価を算出し、月次で採算を確認する。")),
                owner: MeasureOwner::Supporter {
                    supporter_id: IDS.expert,
                },
                starts_on: d("2024-07-01"),
                due_on: d("2024-12-31"),
                kpis: vec![KpiInput {
                    kpi_id: k1,
                    name: t("営業利益率"),
                    unit: Line::parse("%").unwrap(),
                    baseline: q(2.0),
                    target: q(5.0),
                }],
            },
        ),
        step(
            hub,
            Command::PrescribeMeasure {
                case_id,
                measure_id: m2,
                on: d("2024-06-30"),
                issues: vec![issue_b, issue_c],
                kind: MeasureKind::Training,
                title: t("改善プロジェクトチームの立ち上げ"),
                description: None,
                owner: MeasureOwner::Company {
                    person: None,
                    team: Some(n("改善プロジェクト")),
                },
                starts_on: d("2024-07-08"),
                due_on: d("2025-03-31"),
                kpis: vec![KpiInput {
                    kpi_id: k2,
                    name: t("不良率"),
                    unit: Line::parse("%").unwrap(),
                    baseline: q(3.5),
                    target: q(1.5),
                }],
            },
        ),
        // ---- execution
        step(hub, Command::StartMeasure { case_id, measure_id: m1, on: d("2024-07-01") }),
        step(hub, Command::StartMeasure { case_id, measure_id: m2, on: d("2024-07-08") }),
        step(
            Actor::Supporter(IDS.expert),
            Command::LogProgress {
                case_id,
                measure_id: m1,
                on: d("2024-08-30"),
                note: x("主要20製品の原価を算出。3製品が赤字と判明。"),
                percent: Some(Percent::new(40).unwrap()),
            },
        ),
        step(
            hub,
            Command::ReportStall {
                case_id,
                measure_id: m2,
                on: d("2024-09-15"),
                wall: Wall::CannotExecute,
                note: x("繁忙期で改善会議が開けない。"),
            },
        ),
        step(
            hub,
            Command::OvercomeWall {
                case_id,
                issue_id: issue_c,
                wall: Wall::CannotExecute,
                on: d("2024-10-01"),
                how: x("会議をやめ、朝礼後15分の立ち話形式に切り替えた。"),
                measure_id: Some(m2),
            },
        ),
        step(
            hub,
            Command::ResumeMeasure {
                case_id,
                measure_id: m2,
                on: d("2024-10-01"),
                note: Some(r("朝礼後の15分で再開")),
            },
        ),
        step(
            hub,
            Command::MeasureKpi {
                case_id,
                measure_id: m1,
                kpi_id: k1,
                on: d("2024-10-31"),
                value: q(3.2),
            },
        ),
        // ---- check / act: the first review
        step(
            hub,
            Command::HoldReview {
                case_id,
                on: d("2024-11-15"),
                findings: vec![
                    FindingInput {
                        measure_id: m1,
                        kpi_id: k1,
                        value: q(3.2),
                        note: None,
                    },
                    FindingInput {
                        measure_id: m2,
                        kpi_id: k2,
                        value: q(2.8),
                        note: Some(r("改善提案は月10件に増加")),
                    },
                ],
                worked: Some(x("原価の見える化で、赤字製品の値上げ交渉ができた。")),
                not_worked: Some(x("改善活動はベテランの参加が少ない。")),
                adjustments: Some(x("改善チームのリーダーを若手に交代する。")),
                next_review_on: Some(d("2025-04-15")),
                start_next_cycle: false,
            },
        ),
        step(
            Actor::Supporter(IDS.expert),
            Command::CompleteMeasure {
                case_id,
                measure_id: m1,
                on: d("2024-12-27"),
                result: Some(x("全製品の原価表が完成し、月次の採算会議が定着。")),
            },
        ),
        step(
            hub,
            Command::ResolveIssue {
                case_id,
                issue_id: issue_a,
                on: d("2025-01-10"),
                how: r("製品別の採算が毎月見えるようになった"),
            },
        ),
        step(
            hub,
            Command::OvercomeWall {
                case_id,
                issue_id: issue_b,
                wall: Wall::NotFollowing,
                on: d("2025-01-20"),
                how: x("若手をリーダーに抜擢し、成果を朝礼で共有した。"),
                measure_id: None,
            },
        ),
        step(
            hub,
            Command::CompleteMeasure {
                case_id,
                measure_id: m2,
                on: d("2025-03-28"),
                result: None,
            },
        ),
        // ---- the second review opens the next cycle
        step(
            hub,
            Command::HoldReview {
                case_id,
                on: d("2025-04-15"),
                findings: vec![
                    FindingInput {
                        measure_id: m1,
                        kpi_id: k1,
                        value: q(5.4),
                        note: None,
                    },
                    FindingInput {
                        measure_id: m2,
                        kpi_id: k2,
                        value: q(1.4),
                        note: None,
                    },
                ],
                worked: Some(x("目標を達成。社員が自ら改善を提案するようになった。")),
                not_worked: None,
                adjustments: Some(x("次は受発注のIT化に取り組む。")),
                next_review_on: Some(d("2025-10-15")),
                start_next_cycle: true,
            },
        ),
        step(hub, set_issue(issue_e, "2025-04-15", "受発注業務の効率化", Theme::ItAdoption, vec![Wall::Lacking])),
        // ---- staff change and handover
        step(
            hub,
            Command::ChangeSupporterInCharge {
                case_id,
                to: IDS.colleague,
                on: d("2025-04-20"),
                reason: Some(r("人事異動のため")),
            },
        ),
        step(colleague, request_handover(h1, "2025-05-01")),
        step(
            coordinator,
            Command::DeclineHandover {
                case_id,
                handover_id: h1,
                on: d("2025-05-07"),
                reason: r("IT担当のコーディネーターが不在のため、6月以降に再依頼をお願いします"),
            },
        ),
        step(colleague, request_handover(h2, "2025-06-02")),
        step(
            colleague,
            Command::WithdrawHandover {
                case_id,
                handover_id: h2,
                on: d("2025-06-03"),
                reason: r("引き継ぐ課題の指定に誤りがあったため"),
            },
        ),
        step(colleague, request_handover(h3, "2025-06-05")),
        step(
            coordinator,
            Command::AcceptHandover {
                case_id,
                handover_id: h3,
                on: d("2025-06-10"),
            },
        ),
        step(
            coordinator,
            Command::CompleteHandover {
                case_id,
                handover_id: h3,
                on: d("2025-07-01"),
                outcome: r("IT導入計画に着手。信用金庫は資金面で引き続き伴走。"),
            },
        ),
        // ---- self-running and nomination
        step(
            coordinator,
            Command::ReachSelfRunning {
                case_id,
                on: d("2025-10-20"),
                evidence: x("社長主導で月次の採算会議と改善活動が続いている。"),
            },
        ),
        step(
            coordinator,
            Command::NominateGoodPractice {
                case_id,
                on: d("2025-10-25"),
        themes: vec![Theme::ManagementImprovement, Theme::Productivity],
                reasons: x("ロカベンでの対話から真の課題を設定し、見えない・付いてこない・実行できないの壁を越えて自走化した。"),
            },
        ),
        // ---- the policy office reviews, drafts, publishes and withdraws the example
        step(
            policy,
            Command::ReviewExample {
                case_id,
                on: d("2025-10-28"),
                verdict: ReviewVerdict::SendBack,
                comment: Some(x("自走化の根拠になった月次の採算会議は、誰が主導していますか。")),
            },
        ),
        step(
            coordinator,
            Command::AnswerExampleQuestions {
                case_id,
                on: d("2025-10-30"),
                answers: x("社長と工場長が毎月主導し、支援機関は議事録を確認するだけになった。"),
            },
        ),
        step(
            policy,
            Command::ReviewExample {
                case_id,
                on: d("2025-11-04"),
                verdict: ReviewVerdict::Accept,
                comment: None,
            },
        ),
        step(
            policy,
            Command::DraftExample {
                case_id,
                on: d("2025-11-05"),
                write_up: example_write_up(),
            },
        ),
        step(
            policy,
            Command::PublishExample {
                case_id,
                on: d("2025-11-10"),
            },
        ),
        step(
            policy,
            Command::WithdrawExample {
                case_id,
                on: d("2025-11-15"),
                reason: r("社名が推測できる記述があったため、表現を見直す"),
            },
        ),
    ]);
    steps
}

fn request_handover(handover_id: HandoverId, on: &str) -> Command {
    Command::RequestHandover {
        case_id: IDS.case,
        handover_id,
        to_agency: IDS.yorozu,
        on: d(on),
        reason: r("IT導入の専門的な支援が必要になったため"),
        summary: x("採算管理と改善活動は定着。次の課題は受発注のIT化。"),
        issues: vec![IDS.issues[4]],
        sender_stays: true,
    }
}

/// The main case's write-up, as the policy officer edits it.
pub fn example_write_up() -> WriteUp {
    WriteUp {
        heading: Line::parse("【事例】A社（製造業・埼玉県）").unwrap(),
        agency: Line::parse("さくら信用金庫、埼玉県よろず支援拠点").unwrap(),
        industry: Industry::parse("E").unwrap(),
        prefecture: Prefecture::parse("埼玉県").unwrap(),
        themes: vec![Theme::ManagementImprovement, Theme::Productivity],
        walls: vec![Wall::Invisible, Wall::NotFollowing, Wall::CannotExecute],
        issues: x(
            "・採算が見えない（「見えない」）\n・改善活動に社員が付いてこない（「付いてこない」）",
        ),
        approach: x("ロカベンを使った対話で真の課題を設定し、月次の採算会議を社内チームで始めた。"),
        changes: x("売上高増加率 約7%、営業利益率 約3%。自走化を達成。"),
    }
}

/// A second case: a sole proprietor's diner whose support stops; covers consent changes,
/// team changes, a failure case, closing and reopening, and supporter changes.
pub fn second_story() -> Vec<Step> {
    let op = Actor::Operator;
    let hub = Actor::Supporter(IDS.hub);
    let case_id = IDS.diner_case;
    let policy = Actor::Supporter(IDS.policy);
    let diner_consent = |purposes: Vec<Purpose>| Consent {
        recipients: vec![ConsentRecipient::Agency {
            agency_id: IDS.office,
        }],
        purposes,
        valid_until: d("2026-09-30"),
        given_by: IDS.diner_owner,
    };
    vec![
        step(
            op,
            Command::RegisterSupporter {
                supporter_id: IDS.leaver,
                agency_id: IDS.shinkin,
                person: PersonId(IDS.leaver.0),
                role: SupporterRole::AccompanyingSupporter,
                details: who("山田 太郎"),
            },
        ),
        step(
            op,
            Command::ChangeSupporterRole {
                supporter_id: IDS.leaver,
                role: SupporterRole::HubSupporter,
            },
        ),
        step(
            hub,
            Command::DiscoverCompany {
                case_id,
                company: CompanyInput::New(Box::new(NewCompany {
                    company_id: IDS.diner,
                    corporate_number: None,
                    sole_proprietor: true,
                    name: n("田村食堂"),
                    kana: Kana::parse("タムラショクドウ").unwrap(),
                    industry: Industry::parse("M").unwrap(),
                    prefecture: pref("埼玉県"),
                    municipality: Some(Municipality::parse("蕨市").unwrap()),
                    employees: Count::new(2).unwrap(),
                    founded_year: Some(1995),
                    representative: Some((IDS.diner_owner, who("田村 和子"))),
                })),
                on: d("2025-02-03"),
                channel: DiscoveryChannel::Referral,
                first_concerns: vec![r("仕入れ値の上昇で利益が出ない")],
            },
        ),
        step(
            hub,
            Command::ReachStartLine {
                case_id,
                on: d("2025-02-17"),
                decision: None,
                consent: diner_consent(vec![Purpose::Support, Purpose::GoodPractice]),
                owner: who("田村 和子"),
            },
        ),
        step(
            hub,
            Command::AmendConsent {
                case_id,
                on: d("2025-03-01"),
                consent: diner_consent(vec![
                    Purpose::Support,
                    Purpose::ExpertDispatch,
                    Purpose::GoodPractice,
                ]),
                owner: who("田村 和子"),
            },
        ),
        step(
            hub,
            Command::AddTeamMember {
                case_id,
                supporter_id: IDS.expert,
                role: TeamRole::Expert,
                on: d("2025-03-05"),
                dispatch_purpose: Some(r("メニュー別原価の試算")),
                until: None,
            },
        ),
        step(
            hub,
            Command::RemoveTeamMember {
                case_id,
                supporter_id: IDS.expert,
                on: d("2025-04-30"),
                reason: Some(r("派遣回数の上限に達したため")),
            },
        ),
        step(
            policy,
            Command::NominateExample {
                case_id,
                on: d("2025-05-10"),
                side: ExampleSide::Failure,
                themes: vec![Theme::ManagementImprovement],
                reasons: x("値上げの判断に踏み出せず支援が止まった。原因を学ぶ価値がある。"),
            },
        ),
        step(
            hub,
            Command::RecordFailureCase {
                case_id,
                on: d("2025-05-20"),
                walls: vec![Wall::NotFacing, Wall::Lacking],
                reasons: x("値上げの必要は理解されたが、常連客を失う不安から踏み出せなかった。"),
                lessons: Some(x(
                    "最初の対話で、店主が大切にしているものを先に聞くべきだった。",
                )),
            },
        ),
        step(
            hub,
            Command::CloseCase {
                case_id,
                on: d("2025-05-31"),
                outcome: ClosingOutcome::Suspended,
                note: Some(r("店主の意向で支援を中断")),
            },
        ),
        step(
            hub,
            Command::ReopenCase {
                case_id,
                on: d("2025-09-01"),
                reason: r("店主から値上げの相談を改めて受けたため"),
            },
        ),
        step(
            hub,
            Command::WithdrawConsent {
                case_id,
                on: d("2025-09-15"),
                reason: Some(r("専門家への情報提供は望まないとの申し出")),
            },
        ),
        step(
            op,
            Command::RecordSupporterDeparture {
                supporter_id: IDS.leaver,
                on: d("2025-09-30"),
            },
        ),
    ]
}
