//! One company's case as the commands its supporters issue, phase by phase, following the plan
//! in the company's row ([`CompanySpec`]) and the texts of its story ([`Story`]).
//!
//! Every date counts in days from the discovery ([`on`]); the discovery itself lies far enough
//! before today for the case's last step ([`age`]), so every fact is in the past on any day.

use banso_events::domain::command::{
    Attendee, BenchmarkRecord, Command, CompanyInput, FindingInput, KpiInput, NewCompany,
};
use banso_events::domain::directory::Actor;
use banso_events::domain::event::{
    CompanyParticipant, Consent, ConsentRecipient, DialogueNote, MeasureOwner,
};
use banso_events::domain::ids::{
    CaseId, CompanyId, DialogueId, HandoverId, IssueId, KpiId, MeasureId, PersonId, SupporterId,
};
use banso_events::domain::japan::{CorporateNumber, Industry, Prefecture};
use banso_events::domain::localbench::{
    BenchmarkSummary, CommercialFlow, DesignFuture, DesignPast, DesignSheet, FinancialStatements,
    NonFinancialAssessment, Party, PerspectiveEntry, PerspectiveItem,
};
use banso_events::domain::personal::PersonDetails;
use banso_events::domain::values::{Count, Day, FiscalYear, Minutes, Percent, Quantity, Yen};
use banso_events::domain::vocab::{
    AgencyKind, ClosingOutcome, CompanyRole, DialogueMode, DiscoveryChannel, Purpose, Stage,
    SupporterRole, TeamRole,
};

use super::data::{
    self, CHAMBER, CompanySpec, Depth, End, FAILURE_LESSONS, FAILURE_REASONS, FAILURE_WALLS,
    IT_EXPERT, Owner, PROJECT_EXPERT, Receiver, Story, StoryKey, Twist, YOROZU,
};
use super::{
    DemoCase, DemoError, Kind, Loader, add_days, agency_id, demo_id, kana, line, municipality,
    name, person, reason, staff_id, text, title,
};

/// Days after the discovery on which each step happens.
mod on {
    pub const VISIT_1: i64 = 7;
    pub const VISIT_2: i64 = 21;
    pub const START_LINE: i64 = 35;
    pub const DIALOGUE_1: i64 = 45;
    pub const DIALOGUE_2: i64 = 60;
    pub const BENCHMARK: i64 = 66;
    pub const ISSUES: i64 = 75;
    pub const AGREED: i64 = 78;
    pub const DROPPED: i64 = 80;
    pub const TEAM: i64 = 80;
    pub const PRESCRIPTION: i64 = 85;
    /// Measure i starts 10·i days later.
    pub const MEASURES_START: i64 = 90;
    pub const CHANGE_IN_CHARGE: i64 = 120;
    pub const PROGRESS: i64 = 130;
    pub const STALL: i64 = 150;
    pub const HANDOVER: i64 = 155;
    pub const HANDOVER_DONE: i64 = 190;
    pub const OVERCOME: i64 = 185;
    pub const RESUMED: i64 = 186;
    pub const KPI: i64 = 200;
    pub const COMPLETED: [i64; 2] = [220, 260];
    pub const EXPERT_LEAVES: i64 = 265;
    pub const REVIEW_1: i64 = 280;
    pub const LATE_WALL: i64 = 283;
    pub const RESOLVED_1: i64 = 285;
    pub const REVIEW_2: i64 = 370;
    pub const RESOLVED_2: i64 = 372;
    pub const SELF_RUNNING: i64 = 380;
    /// How long after its last step of the plan's depth a case is closed.
    pub const CLOSE_AFTER: i64 = 20;
    /// How long after the close (or the last step) a case is collected as an example, or a
    /// pending handover is requested.
    pub const AFTERWARDS: i64 = 5;
}

/// The day of the last step of each depth. An overdue review's next date (the second review's
/// day) must also lie before today.
fn depth_end(depth: Depth) -> i64 {
    match depth {
        Depth::StepZero => on::VISIT_2,
        Depth::StartLine => on::DIALOGUE_1,
        Depth::Issues => on::DROPPED,
        Depth::Stalled => on::STALL,
        Depth::Executing => on::KPI,
        Depth::Reviewed { overdue: false } => on::RESOLVED_1,
        Depth::Reviewed { overdue: true } => on::REVIEW_2 + 10,
        Depth::SecondReview => on::RESOLVED_2,
        Depth::SelfRunning => on::SELF_RUNNING,
    }
}

fn close_day(co: &CompanySpec) -> i64 {
    depth_end(co.depth) + on::CLOSE_AFTER
}

/// How many days before today the company was discovered: the plan's last step, then a few
/// weeks to three months more, varying by case.
fn age(no: u32, co: &CompanySpec) -> i64 {
    let mut last = depth_end(co.depth);
    if let End::Close(..) = co.end {
        last = close_day(co);
    }
    if matches!(co.twist, Twist::Nominate | Twist::Pending(_)) || co.end != End::Open {
        last += on::AFTERWARDS;
    }
    last + 5 + i64::from(no * 29 % 90)
}

/// The stage the case is in once its plan has run.
pub(super) fn planned_stage(co: &CompanySpec) -> Stage {
    if co.end != End::Open {
        return Stage::Closed;
    }
    match co.depth {
        Depth::StepZero => Stage::StepZero,
        Depth::StartLine => Stage::IssueSetting,
        Depth::Issues => Stage::Prescription,
        Depth::Stalled | Depth::Executing => Stage::Execution,
        Depth::Reviewed { .. } | Depth::SecondReview => Stage::Review,
        Depth::SelfRunning => Stage::SelfRunning,
    }
}

/// 法人番号 for case `no`: a 12-digit 会社法人等番号 (registry office by prefecture, company
/// kind, serial) behind its check digit.
pub(super) fn corporate_number(no: u32, prefecture: Prefecture, company: &str) -> CorporateNumber {
    let kind = if company.contains("有限会社") {
        2
    } else if company.contains("合同会社") {
        5
    } else {
        1
    };
    let office = 3000 + u32::from(prefecture.code()) * 10;
    let base = format!("{office:04}{kind:02}{:06}", no * 7919 % 1_000_000);
    CorporateNumber::parse(&format!("{}{base}", check_digit(&base)))
        .expect("a number with its check digit is a 法人番号")
}

/// 9 − (Σ Pn × Qn mod 9), Pn the n-th digit from the right, Qn = 1 for odd n, 2 for even n.
fn check_digit(base: &str) -> u32 {
    let sum: u32 = base
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| d * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    9 - sum % 9
}

/// Two fiscal years of statements in the shape of the company's story (growth, margins, debt).
fn statements(no: u32, co: &CompanySpec, current: bool) -> FinancialStatements {
    // Sales per employee in thousand yen, roughly by industry.
    let per_head: i64 = match co.industry {
        Industry::Manufacturing => 20_000,
        Industry::Construction => 25_000,
        Industry::TransportPostal => 14_000,
        Industry::WholesaleRetail => 30_000,
        Industry::AccommodationFood => 8_000,
        Industry::LivingEntertainment | Industry::MedicalWelfare => 7_000,
        Industry::InformationCommunications => 12_000,
        _ => 10_000,
    };
    // Growth and operating margin (previous year, this year) in per mille.
    let (growth, margins) = match co.story {
        StoryKey::Market => (-30, [15, 12]),
        StoryKey::Costing => (20, [10, 18]),
        StoryKey::Succession => (-10, [25, 22]),
        StoryKey::ItProductivity => (15, [20, 24]),
        StoryKey::Recruitment => (35, [30, 33]),
        StoryKey::Turnaround => (-45, [-15, -8]),
    };
    let strained = co.story == StoryKey::Turnaround;
    let base = co.employees * per_head * (95 + i64::from(no % 11)) / 100;
    let sales = if current {
        base * (1000 + growth + 5 * i64::from(no % 5)) / 1000
    } else {
        base
    };
    let part = |percent: i64| Yen::new(sales * percent / 100 * 1000).expect("demo figures fit");
    let total_assets = sales * 85 / 100;
    let equity_percent = match (strained, co.sole) {
        (true, true) => -3,
        (true, false) => 6,
        (false, _) => 28,
    };
    let employees = match (current, strained) {
        (true, _) => co.employees,
        (false, true) => co.employees + 1,
        (false, false) => (co.employees - 1).max(1),
    };
    let light_stock = matches!(
        co.industry,
        Industry::AccommodationFood
            | Industry::LivingEntertainment
            | Industry::MedicalWelfare
            | Industry::InformationCommunications
    );
    FinancialStatements {
        sales: part(100),
        operating_profit: Yen::new(sales * margins[usize::from(current)] / 1000 * 1000)
            .expect("demo figures fit"),
        depreciation: Yen::new(sales * 25 / 1000 * 1000).expect("demo figures fit"),
        borrowings: part(if strained { 80 } else { 45 }),
        cash_and_deposits: part(if strained { 5 } else { 12 }),
        accounts_receivable: part(14),
        notes_receivable: part(2),
        inventory: part(if light_stock { 2 } else { 9 }),
        accounts_payable: part(8),
        notes_payable: part(1),
        net_assets: Yen::new(total_assets * equity_percent / 100 * 1000).expect("demo figures fit"),
        total_assets: Yen::new(total_assets * 1000).expect("demo figures fit"),
        employees: Count::new(employees).expect("demo figures fit"),
    }
}

/// A case while its commands are issued.
struct CaseRun {
    no: u32,
    co: &'static CompanySpec,
    story: &'static Story,
    case_id: CaseId,
    owner: PersonId,
    discovered: Day,
    /// The supporter in charge, who issues the case's commands.
    actor: SupporterId,
    /// The agency holding the case.
    holder: u32,
    issues: [IssueId; 3],
    measures: [MeasureId; 2],
    kpis: [KpiId; 2],
    it_expert_on_team: bool,
}

impl CaseRun {
    fn at(&self, days: i64) -> Day {
        add_days(self.discovered, days)
    }

    /// Sub-ids of the case: the case number times ten plus `k`.
    fn sub(&self, k: u32) -> u64 {
        u64::from(self.no) * 10 + u64::from(k)
    }

    fn owner_details(&self) -> PersonDetails {
        let (owner_name, owner_kana) = self.co.owner;
        PersonDetails {
            kana: Some(kana(owner_kana)),
            title: Some(line(if self.co.sole {
                "代表"
            } else if self.co.name.contains("合同会社") {
                "代表社員"
            } else {
                "代表取締役"
            })),
            ..person(owner_name)
        }
    }

    /// The company's people at a dialogue: the owner, and the successor in a succession story.
    fn attendees(&self) -> Vec<Attendee> {
        let mut people = vec![Attendee {
            participant: CompanyParticipant {
                person: self.owner,
                role: CompanyRole::Owner,
            },
            details: self.owner_details(),
        }];
        if self.co.story == StoryKey::Succession {
            let (given, given_kana) = data::SUCCESSORS[self.no as usize % data::SUCCESSORS.len()];
            let family = self.co.owner.0.split(' ').next().unwrap_or_default();
            let family_kana = self.co.owner.1.split(' ').next().unwrap_or_default();
            people.push(Attendee {
                participant: CompanyParticipant {
                    person: PersonId(demo_id(Kind::Person, 2000 + u64::from(self.no))),
                    role: CompanyRole::Successor,
                },
                details: PersonDetails {
                    kana: Some(kana(&format!("{family_kana} {given_kana}"))),
                    title: Some(line("専務取締役")),
                    remarks: Some(text(
                        "後継者候補。現場の信頼は厚いが、経営の経験はまだない。",
                    )),
                    ..person(&format!("{family} {given}"))
                },
            });
        }
        people
    }

    fn consent(&self) -> Consent {
        Consent {
            recipients: vec![
                ConsentRecipient::AgencyKind {
                    agency_kind: AgencyKind::YorozuSupportCenter,
                },
                ConsentRecipient::AgencyKind {
                    agency_kind: AgencyKind::ChamberOfCommerce,
                },
            ],
            purposes: Purpose::ALL.to_vec(),
            valid_until: self.at(on::START_LINE + 3 * 365),
            given_by: self.owner,
        }
    }

    fn expert(&self) -> SupporterId {
        role_of(self.holder, SupporterRole::Expert)
    }
}

/// The first supporter of the agency with the role.
fn role_of(agency: u32, role: SupporterRole) -> SupporterId {
    let index = data::agency(agency)
        .staff
        .iter()
        .position(|s| s.role == role)
        .expect("every agency of the demo has a hub supporter, an expert and an administrator");
    staff_id(agency, index)
}

/// Who discovers the n-th company of an agency: its field staff in turn.
fn discoverer(agency: u32, nth: usize) -> SupporterId {
    let staff = data::agency(agency).staff;
    let field: Vec<usize> = (0..staff.len())
        .filter(|&i| {
            matches!(
                staff[i].role,
                SupporterRole::HubSupporter | SupporterRole::AccompanyingSupporter
            )
        })
        .collect();
    staff_id(agency, field[nth % field.len()])
}

fn minutes(n: i64) -> Minutes {
    Minutes::new(n).expect("demo durations are valid")
}

fn quantity(v: f64) -> Quantity {
    Quantity::new(v).expect("demo quantities are valid")
}

fn dialogue_note(item: Option<PerspectiveItem>, note: &str, secret: bool) -> DialogueNote {
    DialogueNote {
        item,
        text: text(note),
        confidential: secret,
    }
}

impl Loader<'_> {
    /// Run the case of company `no` (1-based), the `nth` its agency found.
    pub(super) async fn run_case(
        &mut self,
        no: u32,
        nth: usize,
        co: &'static CompanySpec,
    ) -> Result<DemoCase, DemoError> {
        self.begin_block(no);
        let id = |kind, k: u64| demo_id(kind, k);
        let sub = |k: u64| u64::from(no) * 10 + k;
        let mut run = CaseRun {
            no,
            co,
            story: data::story(co.story),
            case_id: CaseId(id(Kind::Case, u64::from(no))),
            owner: PersonId(id(Kind::Person, 1000 + u64::from(no))),
            discovered: add_days(self.today, -age(no, co)),
            actor: discoverer(co.agency, nth),
            holder: co.agency,
            issues: [0, 1, 2].map(|k| IssueId(id(Kind::Issue, sub(k)))),
            measures: [0, 1].map(|k| MeasureId(id(Kind::Measure, sub(k)))),
            kpis: [0, 1].map(|k| KpiId(id(Kind::Kpi, sub(k)))),
            it_expert_on_team: false,
        };
        let company_id = CompanyId(id(Kind::Company, u64::from(no)));
        self.discover(&run, company_id).await?;
        self.outreach(&run).await?;
        if co.depth.reached(Depth::StartLine) {
            self.start_line(&run).await?;
        }
        if co.depth.reached(Depth::Issues) {
            self.first_step(&run).await?;
        }
        if co.depth.reached(Depth::Stalled) {
            self.prescription(&mut run).await?;
        }
        if co.depth.reached(Depth::Executing) {
            self.execution(&mut run).await?;
        }
        if co.depth.reached(Depth::Reviewed { overdue: false }) {
            self.review(&run).await?;
        }
        if co.depth.reached(Depth::SecondReview) {
            self.second_review(&run).await?;
        }
        if co.depth.reached(Depth::SelfRunning) {
            let evidence = text(run.story.self_running);
            self.as_actor(&run, |case_id| Command::ReachSelfRunning {
                case_id,
                on: run.at(on::SELF_RUNNING),
                evidence,
            })
            .await?;
        }
        self.ending(&run).await?;
        Ok(DemoCase {
            case_id: run.case_id,
            company_id,
            company_name: co.name.to_owned(),
            discovered_by: agency_id(co.agency),
            holder: agency_id(run.holder),
            stage: planned_stage(co),
        })
    }

    /// Issue a case command as the supporter in charge.
    async fn as_actor(
        &mut self,
        run: &CaseRun,
        command: impl FnOnce(CaseId) -> Command,
    ) -> Result<(), DemoError> {
        self.as_supporter(run, run.actor, command).await
    }

    async fn as_supporter(
        &mut self,
        run: &CaseRun,
        supporter: SupporterId,
        command: impl FnOnce(CaseId) -> Command,
    ) -> Result<(), DemoError> {
        let command = command(run.case_id);
        self.exec(Actor::Supporter(supporter), run.co.name, command)
            .await
    }

    /// Step zero: the company found, on a bank's routine visit, the chamber's round or a walk-in.
    async fn discover(&mut self, run: &CaseRun, company_id: CompanyId) -> Result<(), DemoError> {
        let co = run.co;
        let agency = data::agency(co.agency);
        let channel = match co.agency {
            CHAMBER => DiscoveryChannel::CommerceRound,
            YOROZU => DiscoveryChannel::WalkIn,
            _ if run.no % 5 == 3 => DiscoveryChannel::Seminar,
            _ if run.no % 7 == 6 => DiscoveryChannel::Referral,
            _ => DiscoveryChannel::FinancialInstitutionVisit,
        };
        let company = NewCompany {
            company_id,
            corporate_number: (!co.sole)
                .then(|| corporate_number(run.no, agency.prefecture, co.name)),
            sole_proprietor: co.sole,
            name: name(co.name),
            kana: kana(co.kana),
            industry: co.industry,
            prefecture: agency.prefecture,
            municipality: Some(municipality(co.city)),
            employees: Count::new(co.employees).expect("demo counts are valid"),
            founded_year: Some(co.founded),
            representative: Some((run.owner, run.owner_details())),
        };
        self.as_actor(run, |case_id| Command::DiscoverCompany {
            case_id,
            company: CompanyInput::New(Box::new(company)),
            on: run.at(0),
            channel,
            first_concerns: vec![reason(co.concern)],
        })
        .await
    }

    /// Two outreach visits before the start line. At a bank, both with an expert: the bank's
    /// own 中小企業診断士, then the step-zero project's expert from the よろず支援拠点. The
    /// chamber's advisor goes once with its tax accountant and once alone; a walk-in needs none.
    async fn outreach(&mut self, run: &CaseRun) -> Result<(), DemoError> {
        let co = run.co;
        let visits = match co.agency {
            YOROZU => vec![],
            CHAMBER => vec![
                (Some(run.expert()), 60, format!("巡回訪問に税理士が同行。「{}」との相談を受けた。", co.concern)),
                (None, 90, "経営指導員が再訪。ローカルベンチマークを使った対話を提案し、前向きな返事を得た。".to_owned()),
            ],
            _ => vec![
                (Some(run.expert()), 60, format!("当金庫の中小企業診断士と同行して訪問。「{}」との話を伺い、ローカルベンチマークを使った対話を提案した。", co.concern)),
                (Some(staff_id(YOROZU, PROJECT_EXPERT)), 120, format!("ステップゼロ支援プロジェクトの専門家（よろず支援拠点）と再訪。社長の想いを2時間かけて傾聴し、{}が強みと確認した。", co.strength)),
            ],
        };
        for ((expert, length, notes), day) in visits.into_iter().zip([on::VISIT_1, on::VISIT_2]) {
            self.as_actor(run, |case_id| Command::LogOutreachVisit {
                case_id,
                on: run.at(day),
                expert,
                minutes: Some(minutes(length)),
                notes: Some(text(&notes)),
            })
            .await?;
        }
        Ok(())
    }

    /// The start line with the owner's consent, and the first dialogue (with an expert).
    async fn start_line(&mut self, run: &CaseRun) -> Result<(), DemoError> {
        self.as_actor(run, |case_id| Command::ReachStartLine {
            case_id,
            on: run.at(on::START_LINE),
            decision: Some(reason(
                "「一歩前に踏み出そう」と社長が支援を受けることを決断した。",
            )),
            consent: run.consent(),
            owner: run.owner_details(),
        })
        .await?;
        let mut notes = vec![dialogue_note(
            Some(PerspectiveItem::Strengths),
            &format!("{}。", run.co.strength),
            false,
        )];
        notes.extend(
            run.story
                .first
                .iter()
                .map(|n| dialogue_note(n.item, n.text, n.secret)),
        );
        self.dialogue(run, 1, on::DIALOGUE_1, 120, notes).await
    }

    async fn dialogue(
        &mut self,
        run: &CaseRun,
        k: u32,
        day: i64,
        length: i64,
        notes: Vec<DialogueNote>,
    ) -> Result<(), DemoError> {
        let at_agency = run.holder == YOROZU && k == 1;
        let place = if at_agency {
            "よろず支援拠点 相談室"
        } else if run.co.sole {
            "店舗"
        } else {
            "本社 応接室"
        };
        self.as_actor(run, |case_id| Command::HoldDialogue {
            case_id,
            dialogue_id: DialogueId(demo_id(Kind::Dialogue, run.sub(k))),
            on: run.at(day),
            minutes: minutes(length),
            mode: if at_agency {
                DialogueMode::AtAgency
            } else {
                DialogueMode::Visit
            },
            place: Some(name(place)),
            supporters: vec![run.actor],
            experts: vec![run.expert()],
            attendees: run.attendees(),
            perspectives: vec![],
            notes,
        })
        .await
    }

    /// The 1st step: a second dialogue, two years of statements, the Local Benchmark, and the
    /// issues the owner agrees with, each with its walls.
    async fn first_step(&mut self, run: &CaseRun) -> Result<(), DemoError> {
        let story = run.story;
        let mut notes: Vec<_> = story
            .second
            .iter()
            .map(|n| dialogue_note(n.item, n.text, n.secret))
            .collect();
        notes.push(dialogue_note(
            None,
            "次回までに直近2期分の決算書を準備いただく。",
            false,
        ));
        self.dialogue(run, 2, on::DIALOGUE_2, 150, notes).await?;

        let this_year = i64::from(self.today.year());
        for (fiscal_year, current) in [(this_year - 2, false), (this_year - 1, true)] {
            self.as_actor(run, |case_id| Command::RecordFinancialStatements {
                case_id,
                fiscal_year: FiscalYear::new(fiscal_year).expect("recent years are fiscal years"),
                statements: statements(run.no, run.co, current),
                correction_reason: None,
            })
            .await?;
        }
        for record in self.benchmark_records(run) {
            self.as_actor(run, |case_id| Command::RecordBenchmark {
                case_id,
                on: run.at(on::BENCHMARK),
                record,
            })
            .await?;
        }

        // Every issue of the story (the third only to be dropped); an issue the owner does not
        // yet agree with is revised once they do (腹落ち).
        let dropped = story.dropped.iter().map(|(issue, why)| (issue, Some(*why)));
        let issues = story
            .issues
            .iter()
            .map(|issue| (issue, None))
            .chain(dropped);
        for (k, (issue, dropped)) in issues.enumerate() {
            let issue_id = run.issues[k];
            self.as_actor(run, |case_id| Command::SetIssue {
                case_id,
                issue_id,
                on: run.at(on::ISSUES),
                title: title(issue.title),
                description: Some(text(issue.description)),
                theme: issue.theme,
                walls: issue.walls.to_vec(),
                priority: issue.priority,
                owner_agrees: issue.agreed_later.is_none(),
            })
            .await?;
            if let Some(why) = issue.agreed_later {
                self.as_actor(run, |case_id| Command::ReviseIssue {
                    case_id,
                    issue_id,
                    on: run.at(on::AGREED),
                    title: title(issue.title),
                    description: Some(text(issue.description)),
                    theme: issue.theme,
                    walls: issue.walls.to_vec(),
                    priority: issue.priority,
                    owner_agrees: true,
                    reason: reason(why),
                })
                .await?;
            }
            if let Some(why) = dropped {
                self.as_actor(run, |case_id| Command::DropIssue {
                    case_id,
                    issue_id,
                    on: run.at(on::DROPPED),
                    reason: reason(why),
                })
                .await?;
            }
        }
        Ok(())
    }

    /// The Local Benchmark beyond the statements: the summary always; the four perspectives for
    /// two cases in three; the commercial flow in a market story, the design sheet in a
    /// recruitment story.
    fn benchmark_records(&self, run: &CaseRun) -> Vec<BenchmarkRecord> {
        let story = run.story;
        let mut records = Vec::new();
        if !run.no.is_multiple_of(3) {
            let mut entries = vec![PerspectiveEntry {
                item: PerspectiveItem::Strengths,
                text: text(&format!("{}。", run.co.strength)),
            }];
            for n in story.first.iter().chain(&story.second) {
                if let (Some(item), false) = (n.item, n.secret) {
                    entries.push(PerspectiveEntry {
                        item,
                        text: text(n.text),
                    });
                }
            }
            records.push(BenchmarkRecord::NonFinancial(NonFinancialAssessment {
                entries,
            }));
        }
        if run.co.story == StoryKey::Market {
            records.push(BenchmarkRecord::CommercialFlow(CommercialFlow {
                suppliers: vec![Party {
                    name: name("地元の原材料商社"),
                    why_us: None,
                }],
                customers: vec![Party {
                    name: name("問屋・量販店（上位3社）"),
                    why_us: Some(text(run.co.strength)),
                }],
                end_users: vec![Party {
                    name: name("地域の消費者・観光客"),
                    why_us: None,
                }],
                customer_value: Some(text(run.co.strength)),
            }));
        }
        if run.co.story == StoryKey::Recruitment {
            records.push(BenchmarkRecord::DesignSheet(DesignSheet {
                philosophy: text("地域で一番働きやすい職場をつくる"),
                past: DesignPast {
                    value_provided: Some(text(run.co.strength)),
                    business_model: None,
                    resources: Some(text("経験豊富な職員と地域からの信頼")),
                },
                future: DesignFuture {
                    value_to_provide: Some(text("若手が長く働き、地域の需要に応え続ける")),
                    business_model: None,
                    resources_needed: Some(text("評価・育成の仕組みと、理念を共有する場")),
                },
                transition_strategy: text("評価・育成制度を整え、理念を全社員で共有する"),
                by_when: Some(run.at(on::BENCHMARK + 2 * 365)),
            }));
        }
        let [current_view, future_goal, issues, measures] = story.summary.map(text);
        records.push(BenchmarkRecord::Summary(BenchmarkSummary {
            current_view,
            future_goal,
            issues,
            measures,
        }));
        records
    }

    /// The 2nd step and the start of the 3rd: the team, measures with KPIs, started; a change of
    /// the supporter in charge; progress, and one measure stalls on a wall.
    async fn prescription(&mut self, run: &mut CaseRun) -> Result<(), DemoError> {
        let story = run.story;
        let it_expert = staff_id(YOROZU, IT_EXPERT);
        let needs_it_expert = story
            .measures
            .iter()
            .any(|m| matches!(m.owner, Owner::ItExpert));
        if needs_it_expert && run.holder != YOROZU {
            self.as_actor(run, |case_id| Command::AddTeamMember {
                case_id,
                supporter_id: it_expert,
                role: TeamRole::Expert,
                on: run.at(on::TEAM),
                dispatch_purpose: Some(reason("IT導入と業務改善の専門家派遣（よろず支援拠点）")),
                until: Some(run.at(on::TEAM + 240)),
            })
            .await?;
            run.it_expert_on_team = true;
        }
        for (k, m) in story.measures.iter().enumerate() {
            let owner = match m.owner {
                Owner::Expert => MeasureOwner::Supporter {
                    supporter_id: run.expert(),
                },
                Owner::InCharge => MeasureOwner::Supporter {
                    supporter_id: run.actor,
                },
                Owner::ItExpert => MeasureOwner::Supporter {
                    supporter_id: it_expert,
                },
                Owner::Team(team) => MeasureOwner::Company {
                    person: None,
                    team: Some(name(team)),
                },
            };
            let starts_on = on::MEASURES_START + 10 * k as i64;
            self.as_actor(run, |case_id| Command::PrescribeMeasure {
                case_id,
                measure_id: run.measures[k],
                on: run.at(on::PRESCRIPTION),
                issues: m.issues.iter().map(|&i| run.issues[i]).collect(),
                kind: m.kind,
                title: title(m.title),
                description: Some(text(m.description)),
                owner,
                starts_on: run.at(starts_on),
                due_on: run.at(starts_on + 180),
                kpis: vec![KpiInput {
                    kpi_id: run.kpis[k],
                    name: title(m.kpi.name),
                    unit: line(m.kpi.unit),
                    baseline: quantity(m.kpi.baseline),
                    target: quantity(m.kpi.target),
                }],
            })
            .await?;
        }
        for k in 0..2 {
            self.as_actor(run, |case_id| Command::StartMeasure {
                case_id,
                measure_id: run.measures[k],
                on: run.at(on::MEASURES_START + 10 * k as i64),
            })
            .await?;
        }
        if run.co.twist == Twist::ChangeInCharge {
            let hub = role_of(run.holder, SupporterRole::HubSupporter);
            let to = if run.actor == hub {
                discoverer(run.holder, 1)
            } else {
                hub
            };
            self.as_actor(run, |case_id| Command::ChangeSupporterInCharge {
                case_id,
                to,
                on: run.at(on::CHANGE_IN_CHARGE),
                reason: Some(reason(
                    "人事異動のため。共有された記録で、これまでの経緯を引き継いだ。",
                )),
            })
            .await?;
            run.actor = to;
        }
        let first = &story.measures[0];
        self.as_actor(run, |case_id| Command::LogProgress {
            case_id,
            measure_id: run.measures[0],
            on: run.at(on::PROGRESS),
            note: text(first.progress),
            percent: Some(Percent::new(40).expect("a valid percent")),
        })
        .await?;
        let stall = &story.stall;
        self.as_actor(run, |case_id| Command::ReportStall {
            case_id,
            measure_id: run.measures[stall.measure],
            on: run.at(on::STALL),
            wall: stall.wall,
            note: text(stall.note),
        })
        .await
    }

    /// Execution goes on: a handover (accepted, declined or both), the wall overcome, the
    /// measure resumed, a KPI measured.
    async fn execution(&mut self, run: &mut CaseRun) -> Result<(), DemoError> {
        let day = on::HANDOVER;
        match run.co.twist {
            Twist::Handover(to) => {
                self.request_handover(run, 0, to, day).await?;
                self.answer_handover(run, 0, to, day + 5, true).await?;
            }
            Twist::Declined(to) => {
                self.request_handover(run, 0, to, day).await?;
                self.answer_handover(run, 0, to, day + 4, false).await?;
            }
            Twist::DeclinedThenAccepted => {
                self.request_handover(run, 0, Receiver::Chamber, day)
                    .await?;
                self.answer_handover(run, 0, Receiver::Chamber, day + 3, false)
                    .await?;
                self.request_handover(run, 1, Receiver::Yorozu, day + 10)
                    .await?;
                self.answer_handover(run, 1, Receiver::Yorozu, day + 15, true)
                    .await?;
            }
            _ => {}
        }
        let stall = &run.story.stall;
        self.as_actor(run, |case_id| Command::OvercomeWall {
            case_id,
            issue_id: run.issues[stall.issue],
            wall: stall.wall,
            on: run.at(on::OVERCOME),
            how: text(stall.how),
            measure_id: Some(run.measures[stall.measure]),
        })
        .await?;
        self.as_actor(run, |case_id| Command::ResumeMeasure {
            case_id,
            measure_id: run.measures[stall.measure],
            on: run.at(on::RESUMED),
            note: Some(reason("壁を乗り越え、施策を再開した。")),
        })
        .await?;
        if let Twist::Handover(_) | Twist::DeclinedThenAccepted = run.co.twist {
            let handover = u32::from(run.co.twist == Twist::DeclinedThenAccepted);
            self.as_actor(run, |case_id| Command::CompleteHandover {
                case_id,
                handover_id: HandoverId(demo_id(Kind::Handover, run.sub(handover))),
                on: run.at(on::HANDOVER_DONE),
                outcome: reason("引継ぎ後の面談を終え、課題と施策を引き継いだ。送り手の支援機関も資金面などで引き続き伴走している。"),
            })
            .await?;
        }
        let kpi = run.story.measures[0].kpi.midway;
        self.as_actor(run, |case_id| Command::MeasureKpi {
            case_id,
            measure_id: run.measures[0],
            kpi_id: run.kpis[0],
            on: run.at(on::KPI),
            value: quantity(kpi),
        })
        .await
    }

    async fn request_handover(
        &mut self,
        run: &CaseRun,
        k: u32,
        to: Receiver,
        day: i64,
    ) -> Result<(), DemoError> {
        let why = match to {
            Receiver::Yorozu => {
                "課題の解決に、よろず支援拠点の専門的な支援が必要と判断したため。当方も引き続き伴走する。"
            }
            Receiver::Chamber => {
                "商談会・展示会を通じた販路開拓は、商工会議所の支援が適しているため。当方も引き続き伴走する。"
            }
        };
        self.as_actor(run, |case_id| Command::RequestHandover {
            case_id,
            handover_id: HandoverId(demo_id(Kind::Handover, run.sub(k))),
            to_agency: agency_id(to.key()),
            on: run.at(day),
            reason: reason(why),
            summary: text(run.story.handover),
            issues: run.issues[..2].to_vec(),
            sender_stays: true,
        })
        .await
    }

    /// The receiver's hub supporter answers; on acceptance the case is theirs from now on.
    async fn answer_handover(
        &mut self,
        run: &mut CaseRun,
        k: u32,
        to: Receiver,
        day: i64,
        accept: bool,
    ) -> Result<(), DemoError> {
        let receiver = role_of(to.key(), SupporterRole::HubSupporter);
        let handover_id = HandoverId(demo_id(Kind::Handover, run.sub(k)));
        let on = run.at(day);
        if accept {
            self.as_supporter(run, receiver, |case_id| Command::AcceptHandover {
                case_id,
                handover_id,
                on,
            })
            .await?;
            run.actor = receiver;
            run.holder = to.key();
            return Ok(());
        }
        let why = match to {
            Receiver::Yorozu if !matches!(run.co.agency, data::SAKITAMA | CHAMBER) => {
                "埼玉県外の事業者のため、当拠点ではお受けできません。所在地の県のよろず支援拠点へのご相談をお勧めします。"
            }
            Receiver::Yorozu => {
                "担当できるコーディネーターが不在のため、来月以降に改めてご依頼ください。"
            }
            Receiver::Chamber => {
                "当所の専門家派遣の枠が今年度の上限に達したため、お受けできません。よろず支援拠点へのご相談をお勧めします。"
            }
        };
        self.as_supporter(run, receiver, |case_id| Command::DeclineHandover {
            case_id,
            handover_id,
            on,
            reason: reason(why),
        })
        .await
    }

    /// Check / act: every measure completed, the first review against the KPIs, the last wall
    /// overcome and the first issue resolved.
    async fn review(&mut self, run: &CaseRun) -> Result<(), DemoError> {
        let story = run.story;
        for (k, m) in story.measures.iter().enumerate() {
            self.as_actor(run, |case_id| Command::CompleteMeasure {
                case_id,
                measure_id: run.measures[k],
                on: run.at(on::COMPLETED[k]),
                result: Some(text(m.result)),
            })
            .await?;
        }
        if run.it_expert_on_team {
            self.as_actor(run, |case_id| Command::RemoveTeamMember {
                case_id,
                supporter_id: staff_id(YOROZU, IT_EXPERT),
                on: run.at(on::EXPERT_LEAVES),
                reason: Some(reason("システムの導入が完了し、派遣期間を終えたため")),
            })
            .await?;
        }
        let next_review_on = match run.co.depth {
            Depth::Reviewed { overdue: false } => add_days(self.today, 14 + i64::from(run.no % 30)),
            _ => run.at(on::REVIEW_2),
        };
        let [worked, not_worked, adjustments] = story.review.map(text);
        self.as_actor(run, |case_id| Command::HoldReview {
            case_id,
            on: run.at(on::REVIEW_1),
            findings: findings(run),
            worked: Some(worked),
            not_worked: Some(not_worked),
            adjustments: Some(adjustments),
            next_review_on: Some(next_review_on),
            start_next_cycle: false,
        })
        .await?;
        let late = &story.late_wall;
        self.as_actor(run, |case_id| Command::OvercomeWall {
            case_id,
            issue_id: run.issues[late.issue],
            wall: late.wall,
            on: run.at(on::LATE_WALL),
            how: text(late.how),
            measure_id: None,
        })
        .await?;
        self.as_actor(run, |case_id| Command::ResolveIssue {
            case_id,
            issue_id: run.issues[0],
            on: run.at(on::RESOLVED_1),
            how: reason(story.resolved[0]),
        })
        .await
    }

    async fn second_review(&mut self, run: &CaseRun) -> Result<(), DemoError> {
        let story = run.story;
        self.as_actor(run, |case_id| Command::HoldReview {
            case_id,
            on: run.at(on::REVIEW_2),
            findings: findings(run),
            worked: Some(text(story.second_review)),
            not_worked: None,
            adjustments: Some(text("月次の会議で指標を確認し、半年後に社内で振り返る。")),
            next_review_on: None,
            start_next_cycle: false,
        })
        .await?;
        self.as_actor(run, |case_id| Command::ResolveIssue {
            case_id,
            issue_id: run.issues[1],
            on: run.at(on::RESOLVED_2),
            how: reason(story.resolved[1]),
        })
        .await
    }

    /// A pending handover, the close (with a failure case when support was suspended), a
    /// good-practice nomination.
    async fn ending(&mut self, run: &CaseRun) -> Result<(), DemoError> {
        let co = run.co;
        let after = depth_end(co.depth) + on::AFTERWARDS;
        if let Twist::Pending(to) = co.twist {
            self.request_handover(run, 0, to, after).await?;
        }
        let mut last = depth_end(co.depth);
        if let End::Close(outcome, note) = co.end {
            last = close_day(co);
            self.as_actor(run, |case_id| Command::CloseCase {
                case_id,
                on: run.at(last),
                outcome,
                note: Some(reason(note)),
            })
            .await?;
            if outcome == ClosingOutcome::Suspended {
                self.as_actor(run, |case_id| Command::RecordFailureCase {
                    case_id,
                    on: run.at(last + on::AFTERWARDS),
                    walls: FAILURE_WALLS.to_vec(),
                    reasons: text(FAILURE_REASONS),
                    lessons: Some(text(FAILURE_LESSONS)),
                })
                .await?;
            }
        }
        if co.twist == Twist::Nominate {
            self.as_actor(run, |case_id| Command::NominateGoodPractice {
                case_id,
                on: run.at(last + on::AFTERWARDS),
                themes: run.story.issues.iter().map(|i| i.theme).fold(Vec::new(), |mut themes, t| {
                    if !themes.contains(&t) {
                        themes.push(t);
                    }
                    themes
                }),
                reasons: text("ロカベンを使った対話で真の課題を設定し、壁を乗り越えて自走化した。社長と社員が自ら改善を続けている。"),
            })
            .await?;
        }
        Ok(())
    }
}

/// Each measure's KPI at its result.
fn findings(run: &CaseRun) -> Vec<FindingInput> {
    (0..2)
        .map(|k| FindingInput {
            measure_id: run.measures[k],
            kpi_id: run.kpis[k],
            value: quantity(run.story.measures[k].kpi.result),
            note: None,
        })
        .collect()
}
