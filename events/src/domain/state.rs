//! What the domain needs to know about a stream to decide the next command: the state of an
//! agency, a supporter, a company and a case, each folded from its events.
//!
//! `apply` never fails and never refuses: events are facts. Events of other streams are
//! ignored, so a state can be folded from any slice of the log.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::event::{Consent, DomainEvent, Kpi, MeasureOwner, WriteUp};
use super::ids::{AgencyId, CaseId, CompanyId, HandoverId, IssueId, MeasureId, SupporterId};
use super::localbench::FinancialStatements;
use super::values::{Day, FiscalYear, Name, Title};
use super::vocab::{
    AgencyKind, ClosingOutcome, ExampleSide, ExampleStatus, HandoverStatus, IssueStatus,
    MeasureStatus, ReviewVerdict, Stage, SupporterRole, TeamRole, Theme, Wall,
};

/// Fold events into a state.
pub trait Fold: Default {
    fn apply(&mut self, event: &DomainEvent);

    fn fold<'a>(events: impl IntoIterator<Item = &'a DomainEvent>) -> Self {
        let mut state = Self::default();
        for event in events {
            state.apply(event);
        }
        state
    }
}

/// An agency as the rules see it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgencyState {
    pub id: Option<AgencyId>,
    pub kind: Option<AgencyKind>,
    pub name: Option<Name>,
}

impl Fold for AgencyState {
    fn apply(&mut self, event: &DomainEvent) {
        // Strengths and location are for read models; the rules need the kind and the name.
        if let DomainEvent::AgencyRegistered {
            agency_id,
            kind,
            name,
            ..
        } = event
        {
            self.id = Some(*agency_id);
            self.kind = Some(*kind);
            self.name = Some(name.clone());
        }
    }
}

/// A supporter as the rules see it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SupporterState {
    pub id: Option<SupporterId>,
    pub agency_id: Option<AgencyId>,
    pub role: Option<SupporterRole>,
    pub departed: bool,
}

impl SupporterState {
    pub fn is_active(&self) -> bool {
        self.id.is_some() && !self.departed
    }
}

impl Fold for SupporterState {
    fn apply(&mut self, event: &DomainEvent) {
        match event {
            DomainEvent::SupporterRegistered {
                supporter_id,
                agency_id,
                role,
                ..
            } => {
                self.id = Some(*supporter_id);
                self.agency_id = Some(*agency_id);
                self.role = Some(*role);
            }
            DomainEvent::SupporterRoleChanged { role, .. } => self.role = Some(*role),
            DomainEvent::SupporterDeparted { .. } => self.departed = true,
            _ => {}
        }
    }
}

/// A company as the rules see it: registered or not, and the years it has statements for.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CompanyState {
    pub id: Option<CompanyId>,
    pub name: Option<Name>,
    pub founded_year: Option<u16>,
    pub statements: BTreeMap<FiscalYear, FinancialStatements>,
    /// The case through which each year was recorded (only it may correct the year).
    pub statements_case: BTreeMap<FiscalYear, CaseId>,
    /// How many Local Benchmark records (non-financial, flows, summaries, tools) it has.
    pub benchmark_records: u32,
}

impl Fold for CompanyState {
    fn apply(&mut self, event: &DomainEvent) {
        use DomainEvent::*;
        match event {
            CompanyRegistered {
                company_id,
                name,
                founded_year,
                ..
            } => {
                self.id = Some(*company_id);
                self.name = Some(name.clone());
                self.founded_year = *founded_year;
            }
            CompanyProfileUpdated {
                name: Some(name), ..
            } => self.name = Some(name.clone()),
            FinancialStatementsRecorded {
                fiscal_year,
                statements,
                case_id,
                ..
            } => {
                self.statements.insert(*fiscal_year, statements.clone());
                self.statements_case.insert(*fiscal_year, *case_id);
            }
            FinancialStatementsCorrected {
                fiscal_year,
                statements,
                ..
            } => {
                self.statements.insert(*fiscal_year, statements.clone());
            }
            _ => {}
        }
    }
}

/// An issue of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueState {
    pub title: Title,
    pub cycle: u32,
    pub walls: Vec<Wall>,
    /// Whether the owner agrees with the issue (腹落ち).
    pub owner_agrees: bool,
    pub status: IssueStatus,
    pub overcome: BTreeSet<Wall>,
}

/// A measure of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureState {
    pub title: Title,
    pub cycle: u32,
    pub issues: Vec<IssueId>,
    pub owner: MeasureOwner,
    pub starts_on: Day,
    pub due_on: Day,
    pub status: MeasureStatus,
    /// The day work on it actually began (MeasureStarted).
    pub started_on: Option<Day>,
    pub kpis: Vec<Kpi>,
    /// Every wall the measure has stalled on, even after it resumed.
    pub walls_met: BTreeSet<Wall>,
}

/// A team member of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub agency_id: AgencyId,
    pub role: TeamRole,
}

/// A handover of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoverState {
    pub from_agency: AgencyId,
    pub to_agency: AgencyId,
    pub requested_on: Day,
    pub sender_stays: bool,
    pub status: HandoverStatus,
}

/// A case as the rules see it. Serializable so that read models can keep it and fold on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CaseState {
    pub id: Option<CaseId>,
    pub company_id: Option<CompanyId>,
    /// The agency that holds the case now.
    pub holder: Option<AgencyId>,
    /// The supporter in charge (担当者).
    pub in_charge: Option<SupporterId>,
    pub discovered_on: Option<Day>,
    pub start_line_on: Option<Day>,
    pub consent: Option<Consent>,
    /// The agency that held the case when the owner consented: it holds the data by the
    /// owner's own decision, so it never needs the consent to cover it.
    pub consented_by: Option<AgencyId>,
    pub consent_withdrawn: bool,
    /// The PDCA cycle, from 1 once the start line is reached.
    pub cycle: u32,
    pub team: BTreeMap<SupporterId, TeamMember>,
    pub issues: BTreeMap<IssueId, IssueState>,
    pub measures: BTreeMap<MeasureId, MeasureState>,
    pub reviews: u32,
    pub handovers: BTreeMap<HandoverId, HandoverState>,
    pub self_running_on: Option<Day>,
    pub closed: Option<ClosingOutcome>,
    pub closed_on: Option<Day>,
    pub nominated: bool,
    pub failure_recorded: bool,
}

impl CaseState {
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// The handover waiting for the receiver's answer, if any.
    pub fn pending_handover(&self) -> Option<(HandoverId, &HandoverState)> {
        self.handovers
            .iter()
            .find(|(_, h)| h.status == HandoverStatus::Requested)
            .map(|(id, h)| (*id, h))
    }

    pub fn open_issues(&self) -> impl Iterator<Item = (&IssueId, &IssueState)> {
        self.issues
            .iter()
            .filter(|(_, i)| i.status == IssueStatus::Open)
    }

    /// Where the case stands in the support flow.
    pub fn stage(&self) -> Stage {
        if self.is_closed() {
            return Stage::Closed;
        }
        if self.self_running_on.is_some() {
            return Stage::SelfRunning;
        }
        if self.start_line_on.is_none() {
            return Stage::StepZero;
        }
        let cycle_measures: Vec<_> = self
            .measures
            .values()
            .filter(|m| m.cycle == self.cycle)
            .collect();
        if cycle_measures.is_empty() {
            let has_issues = self
                .open_issues()
                .any(|(_, issue)| issue.cycle == self.cycle);
            return if has_issues {
                Stage::Prescription
            } else {
                Stage::IssueSetting
            };
        }
        if cycle_measures
            .iter()
            .all(|m| m.status == MeasureStatus::Completed)
        {
            Stage::Review
        } else {
            Stage::Execution
        }
    }
}

impl Fold for CaseState {
    fn apply(&mut self, event: &DomainEvent) {
        use DomainEvent::*;
        match event {
            CompanyDiscovered {
                case_id,
                company_id,
                agency_id,
                discovered_by,
                on,
                ..
            } => {
                self.id = Some(*case_id);
                self.company_id = Some(*company_id);
                self.holder = Some(*agency_id);
                self.in_charge = Some(*discovered_by);
                self.discovered_on = Some(*on);
            }
            StartLineReached { on, consent, .. } => {
                self.start_line_on = Some(*on);
                self.consented_by = self.holder;
                self.consent = Some(consent.clone());
                self.consent_withdrawn = false;
                self.cycle = 1;
            }
            ConsentAmended { consent, .. } => {
                self.consent = Some(consent.clone());
                self.consent_withdrawn = false;
            }
            ConsentWithdrawn { .. } => self.consent_withdrawn = true,
            IssueSet {
                issue_id,
                cycle,
                title,
                walls,
                owner_agrees,
                ..
            } => {
                self.issues.insert(
                    *issue_id,
                    IssueState {
                        title: title.clone(),
                        cycle: *cycle,
                        walls: walls.clone(),
                        owner_agrees: *owner_agrees,
                        status: IssueStatus::Open,
                        overcome: BTreeSet::new(),
                    },
                );
            }
            IssueRevised {
                issue_id,
                title,
                walls,
                owner_agrees,
                ..
            } => {
                if let Some(issue) = self.issues.get_mut(issue_id) {
                    issue.title = title.clone();
                    issue.walls = walls.clone();
                    issue.owner_agrees = *owner_agrees;
                }
            }
            IssueDropped { issue_id, .. } => self.set_issue(*issue_id, IssueStatus::Dropped),
            IssueResolved { issue_id, .. } => self.set_issue(*issue_id, IssueStatus::Resolved),
            MeasurePrescribed {
                measure_id,
                cycle,
                issues,
                title,
                owner,
                starts_on,
                due_on,
                kpis,
                ..
            } => {
                self.measures.insert(
                    *measure_id,
                    MeasureState {
                        title: title.clone(),
                        cycle: *cycle,
                        issues: issues.clone(),
                        owner: owner.clone(),
                        starts_on: *starts_on,
                        due_on: *due_on,
                        status: MeasureStatus::Planned,
                        started_on: None,
                        kpis: kpis.clone(),
                        walls_met: BTreeSet::new(),
                    },
                );
            }
            TeamMemberJoined {
                supporter_id,
                agency_id,
                role,
                ..
            } => {
                self.team.insert(
                    *supporter_id,
                    TeamMember {
                        agency_id: *agency_id,
                        role: *role,
                    },
                );
            }
            TeamMemberLeft { supporter_id, .. } => {
                self.team.remove(supporter_id);
            }
            MeasureStarted { measure_id, on, .. } => {
                self.set_measure(*measure_id, MeasureStatus::InProgress);
                if let Some(measure) = self.measures.get_mut(measure_id) {
                    measure.started_on = Some(*on);
                }
            }
            MeasureResumed { measure_id, .. } => {
                self.set_measure(*measure_id, MeasureStatus::InProgress);
            }
            MeasureStalled {
                measure_id, wall, ..
            } => {
                self.set_measure(*measure_id, MeasureStatus::Stalled);
                if let Some(measure) = self.measures.get_mut(measure_id) {
                    measure.walls_met.insert(*wall);
                }
            }
            MeasureCompleted { measure_id, .. } => {
                self.set_measure(*measure_id, MeasureStatus::Completed);
            }
            WallOvercome { issue_id, wall, .. } => {
                if let Some(issue) = self.issues.get_mut(issue_id) {
                    issue.overcome.insert(*wall);
                }
            }
            ReviewHeld { next_cycle, .. } => {
                self.reviews += 1;
                if let Some(cycle) = next_cycle {
                    self.cycle = *cycle;
                }
            }
            SupporterInChargeChanged { to, .. } => self.in_charge = Some(*to),
            HandoverRequested {
                handover_id,
                from_agency,
                to_agency,
                on,
                sender_stays,
                ..
            } => {
                self.handovers.insert(
                    *handover_id,
                    HandoverState {
                        from_agency: *from_agency,
                        to_agency: *to_agency,
                        requested_on: *on,
                        sender_stays: *sender_stays,
                        status: HandoverStatus::Requested,
                    },
                );
            }
            HandoverAccepted {
                handover_id, by, ..
            } => {
                if let Some(h) = self.handovers.get_mut(handover_id) {
                    h.status = HandoverStatus::Accepted;
                    self.holder = Some(h.to_agency);
                    self.in_charge = Some(*by);
                }
            }
            HandoverDeclined { handover_id, .. } => {
                self.set_handover(*handover_id, HandoverStatus::Declined)
            }
            HandoverWithdrawn { handover_id, .. } => {
                self.set_handover(*handover_id, HandoverStatus::Withdrawn)
            }
            HandoverCompleted { handover_id, .. } => {
                self.set_handover(*handover_id, HandoverStatus::Completed)
            }
            SelfRunningReached { on, .. } => self.self_running_on = Some(*on),
            CaseClosed { outcome, on, .. } => {
                self.closed = Some(*outcome);
                self.closed_on = Some(*on);
            }
            CaseReopened { .. } => {
                self.closed = None;
                self.closed_on = None;
                self.self_running_on = None;
            }
            GoodPracticeNominated { .. } => self.nominated = true,
            FailureCaseRecorded { .. } => self.failure_recorded = true,
            // Facts the rules do not need (they are for the timeline and the read models).
            OutreachVisitLogged { .. }
            | DialogueHeld { .. }
            | MeasureProgressLogged { .. }
            | KpiMeasured { .. } => {}
            // Events of other streams. Listed rather than `_`, so that a new case event that
            // nobody folds does not compile.
            AgencyRegistered { .. }
            | AgencyStrengthsDeclared { .. }
            | SupporterRegistered { .. }
            | SupporterRoleChanged { .. }
            | SupporterDeparted { .. }
            | CompanyRegistered { .. }
            | CompanyProfileUpdated { .. }
            | FinancialStatementsRecorded { .. }
            | FinancialStatementsCorrected { .. }
            | NonFinancialAssessed { .. }
            | BusinessFlowRecorded { .. }
            | CommercialFlowRecorded { .. }
            | BenchmarkSummaryRecorded { .. }
            | DesignSheetRecorded { .. }
            | IntellectualAssetRecorded { .. }
            | ExampleNominated { .. }
            | ExampleReviewed { .. }
            | ExampleQuestionsAnswered { .. }
            | ExampleDrafted { .. }
            | ExamplePublished { .. }
            | ExampleWithdrawn { .. } => {}
        }
    }
}

/// A case's way to the catalogue (the `Example` stream). A case nominated by its supporters
/// (`GoodPracticeNominated`, `FailureCaseRecorded` on the case) has an empty example stream
/// until the policy office acts: [`ExampleState::status_with`] reads both.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ExampleState {
    /// Set when a policy officer nominated the case from the candidates.
    pub nominated_side: Option<ExampleSide>,
    pub themes: Vec<Theme>,
    /// The last status an event of this stream set.
    pub status: Option<ExampleStatus>,
    pub draft: Option<WriteUp>,
    pub published_on: Option<Day>,
}

impl ExampleState {
    /// Where the case stands, given its own state: nominated by its supporters counts as
    /// waiting for review.
    pub fn status_with(&self, case: &CaseState) -> Option<ExampleStatus> {
        self.status
            .or((case.nominated || case.failure_recorded).then_some(ExampleStatus::Nominated))
    }

    /// Which catalogue the case is for: the policy officer's choice, else the supporters'
    /// (a good-practice nomination first).
    pub fn side_with(&self, case: &CaseState) -> Option<ExampleSide> {
        if self.nominated_side.is_some() {
            self.nominated_side
        } else if case.nominated {
            Some(ExampleSide::Good)
        } else if case.failure_recorded {
            Some(ExampleSide::Failure)
        } else {
            None
        }
    }
}

impl Fold for ExampleState {
    fn apply(&mut self, event: &DomainEvent) {
        use DomainEvent::*;
        match event {
            ExampleNominated { side, themes, .. } => {
                self.nominated_side = Some(*side);
                self.themes = themes.clone();
                self.status = Some(ExampleStatus::Nominated);
            }
            ExampleReviewed { verdict, .. } => {
                self.status = Some(match verdict {
                    ReviewVerdict::Accept => ExampleStatus::Accepted,
                    ReviewVerdict::SendBack => ExampleStatus::SentBack,
                    ReviewVerdict::Reject => ExampleStatus::Rejected,
                })
            }
            ExampleQuestionsAnswered { .. } => self.status = Some(ExampleStatus::Nominated),
            ExampleDrafted { write_up, .. } => self.draft = Some(write_up.clone()),
            ExamplePublished { on, .. } => {
                self.status = Some(ExampleStatus::Published);
                self.published_on = Some(*on);
            }
            ExampleWithdrawn { .. } => self.status = Some(ExampleStatus::Withdrawn),
            _ => {}
        }
    }
}

impl CaseState {
    fn set_issue(&mut self, id: IssueId, status: IssueStatus) {
        if let Some(issue) = self.issues.get_mut(&id) {
            issue.status = status;
        }
    }

    fn set_measure(&mut self, id: MeasureId, status: MeasureStatus) {
        if let Some(measure) = self.measures.get_mut(&id) {
            measure.status = status;
        }
    }

    fn set_handover(&mut self, id: HandoverId, status: HandoverStatus) {
        if let Some(h) = self.handovers.get_mut(&id) {
            h.status = status;
        }
    }
}
