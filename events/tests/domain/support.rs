//! The test harness: a cast of agencies and supporters with fixed ids, histories of a case at
//! each stage of the flow, and `given(..).when(..).then_*` assertions.

#![allow(dead_code)]

use banso_events::domain::command::{Command, CompanyInput, KpiInput, NewCompany};
use banso_events::domain::decide::decide;
use banso_events::domain::directory::{Actor, Context, Directory};
use banso_events::domain::event::{
    Consent, ConsentRecipient, DomainEvent, Envelope, Kpi, MeasureOwner,
};
use banso_events::domain::ids::*;
use banso_events::domain::japan::{CorporateNumber, Industry, Kana, Municipality, Prefecture};
use banso_events::domain::personal::PersonDetails;
use banso_events::domain::refusal::{Refusal, RefusalKind};
use banso_events::domain::values::{Count, Day, Line, Name, Note, Quantity, Reason, Text, Title};
use banso_events::domain::vocab::*;
use uuid::Uuid;

/// "Today" in every scenario unless a test says otherwise.
pub const TODAY: &str = "2025-06-30";

pub fn day(s: &str) -> Day {
    Day::parse(s).unwrap()
}

pub fn title(s: &str) -> Title {
    Title::parse(s).unwrap()
}

pub fn name(s: &str) -> Name {
    Name::parse(s).unwrap()
}

pub fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

pub fn reason(s: &str) -> Reason {
    Reason::parse(s).unwrap()
}

pub fn line<const N: usize>(s: &str) -> Line<N> {
    Line::parse(s).unwrap()
}

pub fn note<const N: usize>(s: &str) -> Note<N> {
    Note::parse(s).unwrap()
}

pub fn qty(v: f64) -> Quantity {
    Quantity::new(v).unwrap()
}

pub fn person(details_name: &str) -> PersonDetails {
    PersonDetails::named(banso_events::domain::japan::PersonName::parse(details_name).unwrap())
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// The people and organisations of the scenarios, with fixed ids.
#[derive(Debug, Clone, Copy)]
pub struct Cast {
    /// さくら信用金庫 (埼玉県): holds the case.
    pub shinkin: AgencyId,
    /// 埼玉県よろず支援拠点: the handover target the consent covers (by kind).
    pub yorozu: AgencyId,
    /// 川口商工会議所: an agency the consent does not cover.
    pub chamber: AgencyId,
    /// 中小企業診断士事務所 (士業): the expert's office, covered by name.
    pub expert_office: AgencyId,
    /// 関東経済産業局: the policy office.
    pub bureau: AgencyId,
    /// Hub supporter at the shinkin bank, in charge of the case (佐藤).
    pub hub: SupporterId,
    /// Accompanying supporter at the shinkin bank (鈴木).
    pub colleague: SupporterId,
    /// Administrator of the shinkin bank.
    pub admin: SupporterId,
    /// 中小企業診断士 (expert) at the expert office.
    pub expert: SupporterId,
    /// Coordinator at よろず支援拠点.
    pub yorozu_coordinator: SupporterId,
    /// Advisor (経営指導員) at the chamber.
    pub chamber_advisor: SupporterId,
    /// Policy officer at the bureau.
    pub policy: SupporterId,
    pub company: CompanyId,
    pub owner: PersonId,
    pub case: CaseId,
    pub issue_a: IssueId,
    pub issue_b: IssueId,
    pub measure_a: MeasureId,
    pub kpi_a: KpiId,
    pub handover: HandoverId,
}

pub const CAST: Cast = Cast {
    shinkin: AgencyId(Uuid::from_u128(0x0a01)),
    yorozu: AgencyId(Uuid::from_u128(0x0a02)),
    chamber: AgencyId(Uuid::from_u128(0x0a03)),
    expert_office: AgencyId(Uuid::from_u128(0x0a04)),
    bureau: AgencyId(Uuid::from_u128(0x0a05)),
    hub: SupporterId(Uuid::from_u128(0x5001)),
    colleague: SupporterId(Uuid::from_u128(0x5002)),
    admin: SupporterId(Uuid::from_u128(0x5003)),
    expert: SupporterId(Uuid::from_u128(0x5004)),
    yorozu_coordinator: SupporterId(Uuid::from_u128(0x5005)),
    chamber_advisor: SupporterId(Uuid::from_u128(0x5006)),
    policy: SupporterId(Uuid::from_u128(0x5007)),
    company: CompanyId(Uuid::from_u128(0xc001)),
    owner: PersonId(Uuid::from_u128(0xb001)),
    case: CaseId(Uuid::from_u128(0xca5e)),
    issue_a: IssueId(Uuid::from_u128(0x1551)),
    issue_b: IssueId(Uuid::from_u128(0x1552)),
    measure_a: MeasureId(Uuid::from_u128(0x3ea1)),
    kpi_a: KpiId(Uuid::from_u128(0x4b11)),
    handover: HandoverId(Uuid::from_u128(0x4a4d)),
};

pub fn as_(supporter: SupporterId) -> Actor {
    Actor::Supporter(supporter)
}

impl Cast {
    fn agency(&self, agency_id: AgencyId, kind: AgencyKind, n: &str) -> DomainEvent {
        DomainEvent::AgencyRegistered {
            agency_id,
            kind,
            name: name(n),
            prefecture: Prefecture::parse("埼玉県").unwrap(),
            municipality: None,
            strengths: vec![],
        }
    }

    fn supporter(
        &self,
        supporter_id: SupporterId,
        agency_id: AgencyId,
        role: SupporterRole,
    ) -> DomainEvent {
        DomainEvent::SupporterRegistered {
            supporter_id,
            agency_id,
            person: PersonId(supporter_id.0),
            role,
        }
    }

    /// Agencies and supporters.
    pub fn setup(&self) -> Vec<DomainEvent> {
        use AgencyKind::*;
        use SupporterRole::*;
        vec![
            self.agency(self.shinkin, ShinkinBank, "さくら信用金庫"),
            self.agency(self.yorozu, YorozuSupportCenter, "埼玉県よろず支援拠点"),
            self.agency(self.chamber, ChamberOfCommerce, "川口商工会議所"),
            self.agency(self.expert_office, LicensedProfessional, "みどり経営事務所"),
            self.agency(self.bureau, RegionalBureau, "関東経済産業局"),
            self.supporter(self.hub, self.shinkin, HubSupporter),
            self.supporter(self.colleague, self.shinkin, AccompanyingSupporter),
            self.supporter(self.admin, self.shinkin, Administrator),
            self.supporter(self.expert, self.expert_office, Expert),
            self.supporter(self.yorozu_coordinator, self.yorozu, HubSupporter),
            self.supporter(self.chamber_advisor, self.chamber, AccompanyingSupporter),
            self.supporter(self.policy, self.bureau, PolicyOfficer),
        ]
    }

    pub fn new_company(&self) -> NewCompany {
        NewCompany {
            company_id: self.company,
            corporate_number: Some(CorporateNumber::parse("7000012050002").unwrap()),
            sole_proprietor: false,
            name: name("株式会社川口精密"),
            kana: Kana::parse("カワグチセイミツ").unwrap(),
            industry: Industry::parse("E").unwrap(),
            prefecture: Prefecture::parse("埼玉県").unwrap(),
            municipality: Some(Municipality::parse("川口市").unwrap()),
            employees: Count::new(32).unwrap(),
            founded_year: Some(1968),
            representative: Some((self.owner, person("川口 一郎"))),
        }
    }

    pub fn discover(&self) -> Command {
        Command::DiscoverCompany {
            case_id: self.case,
            company: CompanyInput::New(Box::new(self.new_company())),
            on: day("2025-04-03"),
            channel: DiscoveryChannel::FinancialInstitutionVisit,
            first_concerns: vec![reason("受注が減り、先行きが見えない")],
        }
    }

    /// Setup, then the company discovered by the hub supporter on 2025-04-03.
    pub fn discovered(&self) -> Vec<DomainEvent> {
        let mut history = self.setup();
        history.extend(run(&history, as_(self.hub), &self.discover()));
        history
    }

    /// The consent of the scenarios: any よろず支援拠点 and the expert office, every purpose,
    /// until the end of 2026.
    pub fn consent(&self) -> Consent {
        Consent {
            recipients: vec![
                ConsentRecipient::AgencyKind {
                    agency_kind: AgencyKind::YorozuSupportCenter,
                },
                ConsentRecipient::Agency {
                    agency_id: self.expert_office,
                },
            ],
            purposes: Purpose::ALL.to_vec(),
            valid_until: day("2026-12-31"),
            given_by: self.owner,
        }
    }

    pub fn reach_start_line(&self) -> Command {
        Command::ReachStartLine {
            case_id: self.case,
            on: day("2025-04-17"),
            decision: Some(reason("一歩前に踏み出そう、と社長が決断")),
            consent: self.consent(),
            owner: person("川口 一郎"),
        }
    }

    /// …and the start line reached with consent on 2025-04-17.
    pub fn started(&self) -> Vec<DomainEvent> {
        self.then_run(self.discovered(), as_(self.hub), &self.reach_start_line())
    }

    pub fn set_issue(&self, issue_id: IssueId, t: &str, walls: Vec<Wall>) -> Command {
        Command::SetIssue {
            case_id: self.case,
            on: day("2025-04-24"),
            issue_id,
            title: title(t),
            description: None,
            theme: Theme::ManagementImprovement,
            walls,
            priority: Priority::High,
            owner_agrees: true,
        }
    }

    /// …and two open issues: A (見えない) and B (付いてこない).
    pub fn with_issues(&self) -> Vec<DomainEvent> {
        let history = self.started();
        let history = self.then_run(
            history,
            as_(self.hub),
            &self.set_issue(self.issue_a, "原価が見えていない", vec![Wall::Invisible]),
        );
        self.then_run(
            history,
            as_(self.hub),
            &self.set_issue(
                self.issue_b,
                "社員が改善に付いてこない",
                vec![Wall::NotFollowing],
            ),
        )
    }

    pub fn kpi(&self) -> KpiInput {
        KpiInput {
            kpi_id: self.kpi_a,
            name: title("営業利益率"),
            unit: line("%"),
            baseline: qty(2.0),
            target: qty(5.0),
        }
    }

    pub fn prescribe(&self, measure_id: MeasureId, issues: Vec<IssueId>) -> Command {
        Command::PrescribeMeasure {
            case_id: self.case,
            on: day("2025-04-24"),
            measure_id,
            issues,
            kind: MeasureKind::BusinessPlanning,
            title: title("製品別原価計算の導入"),
            description: None,
            owner: MeasureOwner::Supporter {
                supporter_id: self.hub,
            },
            starts_on: day("2025-05-01"),
            due_on: day("2025-09-30"),
            kpis: vec![self.kpi()],
        }
    }

    /// …and measure A against issue A, with one KPI (営業利益率 2% → 5%).
    pub fn with_measure(&self) -> Vec<DomainEvent> {
        self.then_run(
            self.with_issues(),
            as_(self.hub),
            &self.prescribe(self.measure_a, vec![self.issue_a]),
        )
    }

    /// …and measure A started on 2025-05-01.
    pub fn executing(&self) -> Vec<DomainEvent> {
        self.then_run(
            self.with_measure(),
            as_(self.hub),
            &Command::StartMeasure {
                case_id: self.case,
                measure_id: self.measure_a,
                on: day("2025-05-01"),
            },
        )
    }

    pub fn request_handover(&self, to_agency: AgencyId) -> Command {
        Command::RequestHandover {
            case_id: self.case,
            handover_id: self.handover,
            to_agency,
            on: day("2025-06-01"),
            reason: reason("販路開拓の専門支援が必要になったため"),
            summary: text("原価計算は定着。次は新規顧客の開拓。"),
            issues: vec![self.issue_b],
            sender_stays: false,
        }
    }

    /// …and a handover to よろず支援拠点 requested on 2025-06-01.
    pub fn handover_requested(&self) -> Vec<DomainEvent> {
        self.then_run(
            self.executing(),
            as_(self.hub),
            &self.request_handover(self.yorozu),
        )
    }

    /// …and the case closed (self-running reached is not required to close).
    pub fn closed(&self) -> Vec<DomainEvent> {
        self.then_run(
            self.executing(),
            as_(self.hub),
            &Command::CloseCase {
                case_id: self.case,
                on: day("2025-06-20"),
                outcome: ClosingOutcome::Suspended,
                note: Some(reason("会社側の事情により支援を中断")),
            },
        )
    }

    /// `history` followed by what `command` appends (which must be accepted).
    pub fn then_run(
        &self,
        mut history: Vec<DomainEvent>,
        actor: Actor,
        command: &Command,
    ) -> Vec<DomainEvent> {
        let events = run(&history, actor, command);
        history.extend(events);
        history
    }
}

/// Decide `command` on `history` (today = [`TODAY`]) and return its events; panics if refused.
pub fn run(history: &[DomainEvent], actor: Actor, command: &Command) -> Vec<DomainEvent> {
    given(history.to_vec())
        .when(actor, command.clone())
        .events()
}

/// A KPI as the events record it.
pub fn kpi_event(cast: &Cast) -> Kpi {
    let k = cast.kpi();
    Kpi {
        kpi_id: k.kpi_id,
        name: k.name,
        unit: k.unit,
        baseline: k.baseline,
        target: k.target,
    }
}

/// Given these events (of any streams)…
pub fn given(history: Vec<DomainEvent>) -> Scenario {
    Scenario {
        directory: Directory::from_events(&history),
        today: day(TODAY),
    }
}

pub struct Scenario {
    directory: Directory,
    today: Day,
}

impl Scenario {
    pub fn today(mut self, today: &str) -> Self {
        self.today = day(today);
        self
    }

    /// …when this actor issues this command…
    pub fn when(&self, actor: Actor, command: Command) -> Then {
        let ctx = Context {
            actor,
            today: self.today,
            directory: &self.directory,
        };
        Then(decide(&command, &ctx))
    }
}

pub struct Then(pub Result<Vec<Envelope>, Refusal>);

impl Then {
    /// …then exactly these events (personal data aside).
    pub fn then(self, expected: Vec<DomainEvent>) -> Vec<Envelope> {
        let envelopes = self.envelopes();
        let events: Vec<_> = envelopes.iter().map(|e| e.event.clone()).collect();
        assert_eq!(events, expected);
        envelopes
    }

    /// …then events were accepted (to be inspected by the test).
    pub fn envelopes(self) -> Vec<Envelope> {
        match self.0 {
            Ok(envelopes) => {
                assert!(!envelopes.is_empty(), "an accepted command appends events");
                envelopes
            }
            Err(refusal) => panic!("expected events, got the refusal {refusal:?}"),
        }
    }

    pub fn events(self) -> Vec<DomainEvent> {
        self.envelopes().into_iter().map(|e| e.event).collect()
    }

    /// …then refused by the rule `rule`, with a message in Japanese.
    pub fn then_refused(self, rule: &str) -> Refusal {
        let refusal = self.refusal();
        assert_eq!(
            refusal.rule, rule,
            "refused, but by another rule: {refusal:?}"
        );
        refusal
    }

    /// …then refused as bad input in `field`.
    pub fn then_invalid(self, field: &str) -> Refusal {
        let refusal = self.refusal();
        assert_eq!(refusal.kind, RefusalKind::InvalidInput, "{refusal:?}");
        assert_eq!(refusal.field.as_deref(), Some(field), "{refusal:?}");
        refusal
    }

    /// …then refused as not allowed for this actor.
    pub fn then_forbidden(self) -> Refusal {
        let refusal = self.refusal();
        assert_eq!(refusal.kind, RefusalKind::Forbidden, "{refusal:?}");
        refusal
    }

    fn refusal(self) -> Refusal {
        match self.0 {
            Ok(events) => panic!("expected a refusal, got events {events:?}"),
            Err(refusal) => {
                let japanese = refusal.message.chars().any(|c| {
                    ('\u{3040}'..='\u{30ff}').contains(&c) || ('\u{4e00}'..='\u{9fff}').contains(&c)
                });
                assert!(japanese, "a refusal speaks Japanese: {refusal:?}");
                refusal
            }
        }
    }
}
