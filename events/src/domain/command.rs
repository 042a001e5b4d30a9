//! The commands a supporter (or an operator setting Banso up) issues. A command says what
//! someone wants; [`super::decide`] accepts it as events or refuses it.
//!
//! Commands hold parsed values ([`super::values`], [`super::japan`]), so a command that
//! exists has well-formed fields; the rules that relate fields to each other and to the state
//! of the case are checked when deciding. Ids of new things (a case, an issue, a measure ...)
//! are chosen by the caller, so that deciding stays a pure function and a retried command
//! names the same things.

use super::event::{CompanyParticipant, Consent, DialogueNote, MeasureOwner, WriteUp};
use super::ids::{
    AgencyId, CaseId, CompanyId, DialogueId, HandoverId, IssueId, KpiId, MeasureId, PersonId,
    SupporterId,
};
use super::japan::{CorporateNumber, Industry, Kana, Municipality, Prefecture};
use super::localbench::{
    BenchmarkSummary, BusinessFlow, CommercialFlow, DesignSheet, FinancialStatements,
    IntellectualAssetEntry, NonFinancialAssessment, Perspective,
};
use super::personal::PersonDetails;
use super::values::{
    Count, Day, FiscalYear, Line, Minutes, Name, Percent, Quantity, Reason, Text, Title,
};
use super::vocab::{
    AgencyKind, ClosingOutcome, DialogueMode, DiscoveryChannel, ExampleSide, MeasureKind, Priority,
    ReviewVerdict, Strength, SupporterRole, TeamRole, Theme, Wall,
};

/// A company found at step zero: one Banso knows, or a new one registered with the discovery.
#[derive(Debug, Clone, PartialEq)]
pub enum CompanyInput {
    Existing(CompanyId),
    New(Box<NewCompany>),
}

/// A company not yet in Banso.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCompany {
    pub company_id: CompanyId,
    /// Required for corporations; sole proprietors (個人事業主) have none.
    pub corporate_number: Option<CorporateNumber>,
    pub sole_proprietor: bool,
    pub name: Name,
    pub kana: Kana,
    pub industry: Industry,
    pub prefecture: Prefecture,
    pub municipality: Option<Municipality>,
    pub employees: Count,
    pub founded_year: Option<i64>,
    /// The representative (代表者), with what identifies them.
    pub representative: Option<(PersonId, PersonDetails)>,
}

/// A person from the company at a dialogue, with what identifies them.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendee {
    pub participant: CompanyParticipant,
    pub details: PersonDetails,
}

/// A KPI of a new measure.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiInput {
    pub kpi_id: KpiId,
    pub name: Title,
    pub unit: Line<20>,
    pub baseline: Quantity,
    pub target: Quantity,
}

/// A review's observation of one KPI.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingInput {
    pub measure_id: MeasureId,
    pub kpi_id: KpiId,
    pub value: Quantity,
    pub note: Option<Reason>,
}

/// One Local Benchmark (or other tool) record about the company.
#[derive(Debug, Clone, PartialEq)]
pub enum BenchmarkRecord {
    NonFinancial(NonFinancialAssessment),
    BusinessFlow(BusinessFlow),
    CommercialFlow(CommercialFlow),
    Summary(BenchmarkSummary),
    DesignSheet(DesignSheet),
    IntellectualAsset(IntellectualAssetEntry),
}

/// Everything a user can ask the domain to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    // ---- agencies and supporters (set-up) ----
    RegisterAgency {
        agency_id: AgencyId,
        kind: AgencyKind,
        name: Name,
        prefecture: Prefecture,
        municipality: Option<Municipality>,
        strengths: Vec<Strength>,
    },
    DeclareStrengths {
        agency_id: AgencyId,
        strengths: Vec<Strength>,
    },
    RegisterSupporter {
        supporter_id: SupporterId,
        agency_id: AgencyId,
        person: PersonId,
        role: SupporterRole,
        details: PersonDetails,
    },
    ChangeSupporterRole {
        supporter_id: SupporterId,
        role: SupporterRole,
    },
    RecordSupporterDeparture {
        supporter_id: SupporterId,
        on: Day,
    },

    // ---- company (through a case) ----
    /// Correct or update the company's profile; only the fields given change.
    UpdateCompanyProfile {
        case_id: CaseId,
        name: Option<Name>,
        kana: Option<Kana>,
        industry: Option<Industry>,
        prefecture: Option<Prefecture>,
        municipality: Option<Municipality>,
        employees: Option<Count>,
        representative: Option<(PersonId, PersonDetails)>,
    },
    RecordFinancialStatements {
        case_id: CaseId,
        fiscal_year: FiscalYear,
        statements: FinancialStatements,
        /// Set to correct a year already recorded; refused for a year not yet recorded.
        correction_reason: Option<Reason>,
    },
    RecordBenchmark {
        case_id: CaseId,
        on: Day,
        record: BenchmarkRecord,
    },

    // ---- step zero ----
    DiscoverCompany {
        case_id: CaseId,
        company: CompanyInput,
        on: Day,
        channel: DiscoveryChannel,
        first_concerns: Vec<Reason>,
    },
    LogOutreachVisit {
        case_id: CaseId,
        on: Day,
        expert: Option<SupporterId>,
        minutes: Option<Minutes>,
        notes: Option<Text>,
    },
    ReachStartLine {
        case_id: CaseId,
        on: Day,
        decision: Option<Reason>,
        consent: Consent,
        owner: PersonDetails,
    },
    AmendConsent {
        case_id: CaseId,
        on: Day,
        consent: Consent,
        owner: PersonDetails,
    },
    WithdrawConsent {
        case_id: CaseId,
        on: Day,
        reason: Option<Reason>,
    },

    // ---- 1st step ----
    HoldDialogue {
        case_id: CaseId,
        dialogue_id: DialogueId,
        on: Day,
        minutes: Minutes,
        mode: DialogueMode,
        place: Option<Name>,
        supporters: Vec<SupporterId>,
        experts: Vec<SupporterId>,
        attendees: Vec<Attendee>,
        perspectives: Vec<Perspective>,
        notes: Vec<DialogueNote>,
    },
    SetIssue {
        case_id: CaseId,
        issue_id: IssueId,
        /// The day it was decided with the owner.
        on: Day,
        title: Title,
        description: Option<Text>,
        theme: Theme,
        walls: Vec<Wall>,
        priority: Priority,
        owner_agrees: bool,
    },
    ReviseIssue {
        case_id: CaseId,
        issue_id: IssueId,
        /// The day it was decided with the owner.
        on: Day,
        title: Title,
        description: Option<Text>,
        theme: Theme,
        walls: Vec<Wall>,
        priority: Priority,
        owner_agrees: bool,
        reason: Reason,
    },
    DropIssue {
        case_id: CaseId,
        issue_id: IssueId,
        /// The day it was decided with the owner.
        on: Day,
        reason: Reason,
    },
    ResolveIssue {
        case_id: CaseId,
        issue_id: IssueId,
        on: Day,
        how: Reason,
    },

    // ---- 2nd step ----
    PrescribeMeasure {
        case_id: CaseId,
        measure_id: MeasureId,
        /// The day the measure was prescribed (its own dates are `starts_on` and `due_on`).
        on: Day,
        issues: Vec<IssueId>,
        kind: MeasureKind,
        title: Title,
        description: Option<Text>,
        owner: MeasureOwner,
        starts_on: Day,
        due_on: Day,
        kpis: Vec<KpiInput>,
    },
    AddTeamMember {
        case_id: CaseId,
        supporter_id: SupporterId,
        role: TeamRole,
        on: Day,
        dispatch_purpose: Option<Reason>,
        until: Option<Day>,
    },
    RemoveTeamMember {
        case_id: CaseId,
        supporter_id: SupporterId,
        on: Day,
        reason: Option<Reason>,
    },

    // ---- 3rd step ----
    StartMeasure {
        case_id: CaseId,
        measure_id: MeasureId,
        on: Day,
    },
    LogProgress {
        case_id: CaseId,
        measure_id: MeasureId,
        on: Day,
        note: Text,
        percent: Option<Percent>,
    },
    ReportStall {
        case_id: CaseId,
        measure_id: MeasureId,
        on: Day,
        wall: Wall,
        note: Text,
    },
    ResumeMeasure {
        case_id: CaseId,
        measure_id: MeasureId,
        on: Day,
        note: Option<Reason>,
    },
    CompleteMeasure {
        case_id: CaseId,
        measure_id: MeasureId,
        on: Day,
        result: Option<Text>,
    },
    OvercomeWall {
        case_id: CaseId,
        issue_id: IssueId,
        wall: Wall,
        on: Day,
        how: Text,
        measure_id: Option<MeasureId>,
    },
    MeasureKpi {
        case_id: CaseId,
        measure_id: MeasureId,
        kpi_id: KpiId,
        on: Day,
        value: Quantity,
    },

    // ---- check / act ----
    HoldReview {
        case_id: CaseId,
        on: Day,
        findings: Vec<FindingInput>,
        worked: Option<Text>,
        not_worked: Option<Text>,
        adjustments: Option<Text>,
        next_review_on: Option<Day>,
        start_next_cycle: bool,
    },

    // ---- people and agencies ----
    ChangeSupporterInCharge {
        case_id: CaseId,
        to: SupporterId,
        on: Day,
        reason: Option<Reason>,
    },
    RequestHandover {
        case_id: CaseId,
        handover_id: HandoverId,
        to_agency: AgencyId,
        on: Day,
        reason: Reason,
        summary: Text,
        issues: Vec<IssueId>,
        /// The sending agency keeps accompanying the company (e.g. a shinkin bank that goes on
        /// financing it): on acceptance its supporter in charge joins the receiver's team.
        sender_stays: bool,
    },
    AcceptHandover {
        case_id: CaseId,
        handover_id: HandoverId,
        on: Day,
    },
    DeclineHandover {
        case_id: CaseId,
        handover_id: HandoverId,
        on: Day,
        reason: Reason,
    },
    WithdrawHandover {
        case_id: CaseId,
        handover_id: HandoverId,
        on: Day,
        reason: Reason,
    },
    CompleteHandover {
        case_id: CaseId,
        handover_id: HandoverId,
        on: Day,
        outcome: Reason,
    },

    // ---- closing ----
    ReachSelfRunning {
        case_id: CaseId,
        on: Day,
        evidence: Text,
    },
    CloseCase {
        case_id: CaseId,
        on: Day,
        outcome: ClosingOutcome,
        note: Option<Reason>,
    },
    ReopenCase {
        case_id: CaseId,
        on: Day,
        reason: Reason,
    },

    // ---- good practice and failure ----
    NominateGoodPractice {
        case_id: CaseId,
        on: Day,
        themes: Vec<Theme>,
        reasons: Text,
    },
    RecordFailureCase {
        case_id: CaseId,
        on: Day,
        walls: Vec<Wall>,
        reasons: Text,
        lessons: Option<Text>,
    },

    // ---- review and publication (policy officers; answering questions: the case's supporters) ----
    /// Nominate a case found among the candidates.
    NominateExample {
        case_id: CaseId,
        on: Day,
        side: ExampleSide,
        themes: Vec<Theme>,
        reasons: Text,
    },
    ReviewExample {
        case_id: CaseId,
        on: Day,
        verdict: ReviewVerdict,
        /// The questions (差し戻し) or the reason (不採択); optional when accepting.
        comment: Option<Text>,
    },
    AnswerExampleQuestions {
        case_id: CaseId,
        on: Day,
        answers: Text,
    },
    DraftExample {
        case_id: CaseId,
        on: Day,
        write_up: WriteUp,
    },
    PublishExample {
        case_id: CaseId,
        on: Day,
    },
    WithdrawExample {
        case_id: CaseId,
        on: Day,
        reason: Reason,
    },
}

/// The streams a command reads, so a caller can load them before deciding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct References {
    pub agencies: Vec<AgencyId>,
    pub supporters: Vec<SupporterId>,
    pub companies: Vec<CompanyId>,
    pub cases: Vec<CaseId>,
}

impl Command {
    /// The case this command acts on, if it acts on one.
    pub fn case_id(&self) -> Option<CaseId> {
        use Command::*;
        match self {
            RegisterAgency { .. }
            | DeclareStrengths { .. }
            | RegisterSupporter { .. }
            | ChangeSupporterRole { .. }
            | RecordSupporterDeparture { .. } => None,
            UpdateCompanyProfile { case_id, .. }
            | RecordFinancialStatements { case_id, .. }
            | RecordBenchmark { case_id, .. }
            | DiscoverCompany { case_id, .. }
            | LogOutreachVisit { case_id, .. }
            | ReachStartLine { case_id, .. }
            | AmendConsent { case_id, .. }
            | WithdrawConsent { case_id, .. }
            | HoldDialogue { case_id, .. }
            | SetIssue { case_id, .. }
            | ReviseIssue { case_id, .. }
            | DropIssue { case_id, .. }
            | ResolveIssue { case_id, .. }
            | PrescribeMeasure { case_id, .. }
            | AddTeamMember { case_id, .. }
            | RemoveTeamMember { case_id, .. }
            | StartMeasure { case_id, .. }
            | LogProgress { case_id, .. }
            | ReportStall { case_id, .. }
            | ResumeMeasure { case_id, .. }
            | CompleteMeasure { case_id, .. }
            | OvercomeWall { case_id, .. }
            | MeasureKpi { case_id, .. }
            | HoldReview { case_id, .. }
            | ChangeSupporterInCharge { case_id, .. }
            | RequestHandover { case_id, .. }
            | AcceptHandover { case_id, .. }
            | DeclineHandover { case_id, .. }
            | WithdrawHandover { case_id, .. }
            | CompleteHandover { case_id, .. }
            | ReachSelfRunning { case_id, .. }
            | CloseCase { case_id, .. }
            | ReopenCase { case_id, .. }
            | NominateGoodPractice { case_id, .. }
            | RecordFailureCase { case_id, .. }
            | NominateExample { case_id, .. }
            | ReviewExample { case_id, .. }
            | AnswerExampleQuestions { case_id, .. }
            | DraftExample { case_id, .. }
            | PublishExample { case_id, .. }
            | WithdrawExample { case_id, .. } => Some(*case_id),
        }
    }

    /// Whether deciding needs the case's example stream (review and publication).
    pub fn is_about_example(&self) -> bool {
        use Command::*;
        matches!(
            self,
            NominateExample { .. }
                | ReviewExample { .. }
                | AnswerExampleQuestions { .. }
                | DraftExample { .. }
                | PublishExample { .. }
                | WithdrawExample { .. }
        )
    }

    /// The streams this command names directly. Deciding may also need the agencies of the
    /// supporters named here and the company and agencies of the case: see
    /// `service::load_for` which follows those links.
    pub fn references(&self) -> References {
        use Command::*;
        let mut r = References::default();
        if let Some(case) = self.case_id() {
            r.cases.push(case);
        }
        match self {
            RegisterAgency { agency_id, .. } | DeclareStrengths { agency_id, .. } => {
                r.agencies.push(*agency_id)
            }
            RegisterSupporter {
                supporter_id,
                agency_id,
                ..
            } => {
                r.supporters.push(*supporter_id);
                r.agencies.push(*agency_id);
            }
            ChangeSupporterRole { supporter_id, .. }
            | RecordSupporterDeparture { supporter_id, .. }
            | AddTeamMember { supporter_id, .. }
            | ChangeSupporterInCharge {
                to: supporter_id, ..
            } => r.supporters.push(*supporter_id),
            DiscoverCompany { company, .. } => r.companies.push(match company {
                CompanyInput::Existing(id) => *id,
                CompanyInput::New(new) => new.company_id,
            }),
            LogOutreachVisit {
                expert: Some(expert),
                ..
            } => r.supporters.push(*expert),
            HoldDialogue {
                supporters,
                experts,
                ..
            } => r.supporters.extend(supporters.iter().chain(experts)),
            PrescribeMeasure {
                owner: MeasureOwner::Supporter { supporter_id },
                ..
            } => r.supporters.push(*supporter_id),
            RequestHandover { to_agency, .. } => r.agencies.push(*to_agency),
            _ => {}
        }
        r
    }
}
