//! The rules: given what is known ([`Context`]) and a [`Command`], the events to append or a
//! [`Refusal`]. A pure function: no store, no clock (today comes in the context).
//!
//! [`decide`] routes a command to the part of the flow it belongs to: `setup` (agencies and
//! supporters), `company` (discovery, profile, Local Benchmark), and for commands on a case,
//! after the checks every case command shares (who may act, the case is open, the date is not
//! before the start line): `engagement` (step zero to issue setting), `work` (prescription,
//! team, execution, reviews) and `transitions` (staff, handovers, closing, collection).
//! Shared checks live in `checks`.

mod checks;
mod company;
mod engagement;
mod examples;
mod setup;
mod transitions;
mod work;

use super::command::Command;
use super::directory::Context;
use super::event::{DomainEvent as E, Envelope};
use super::ids::{AgencyId, CaseId, PersonId, SupporterId};
use super::personal::{PersonDetails, PersonalData};
use super::refusal::Refusal;
use super::state::CaseState;

use checks::*;

type Decision = Result<Vec<Envelope>, Refusal>;

/// Decide a command: the events it appends, or why it is refused.
pub fn decide(command: &Command, ctx: &Context<'_>) -> Decision {
    use Command::*;
    match command {
        RegisterAgency { .. }
        | DeclareStrengths { .. }
        | RegisterSupporter { .. }
        | ChangeSupporterRole { .. }
        | RecordSupporterDeparture { .. } => setup::decide_setup(command, ctx),
        DiscoverCompany { .. } => company::decide_discovery(command, ctx),
        UpdateCompanyProfile { .. } | RecordFinancialStatements { .. } | RecordBenchmark { .. } => {
            company::decide_company_record(command, ctx)
        }
        NominateExample { .. }
        | ReviewExample { .. }
        | AnswerExampleQuestions { .. }
        | DraftExample { .. }
        | PublishExample { .. }
        | WithdrawExample { .. } => examples::decide(command, ctx),
        _ => decide_case(command, ctx),
    }
}

fn one(event: E) -> Decision {
    Ok(vec![Envelope::plain(event)])
}

fn with_person(event: E, person: PersonId, details: &PersonDetails) -> Decision {
    Ok(vec![Envelope::with_personal(
        event,
        PersonalData::new().with(person, details.clone()),
    )])
}

/// What every rule on a case works with, once the shared checks have passed: the actor's
/// supporter id and agency, the case and its id.
#[derive(Clone, Copy)]
struct OnCase<'a> {
    ctx: &'a Context<'a>,
    case: &'a CaseState,
    case_id: CaseId,
    actor: SupporterId,
    agency: AgencyId,
}

/// The checks every command on a case shares, then the rules of its part of the flow.
fn decide_case(command: &Command, ctx: &Context<'_>) -> Decision {
    use Command::*;
    let (actor, supporter) = acting_supporter(ctx)?;
    let agency = agency_of(supporter);
    let case_id = command.case_id().expect("case commands name their case");
    let case = the_case(ctx, case_id)?;
    // The receiving agency of a handover answers it before it holds the case; the rules of
    // those two commands check that the actor is the receiver.
    let answers_handover = match command {
        AcceptHandover { handover_id, .. } | DeclineHandover { handover_id, .. } => case
            .handovers
            .get(handover_id)
            .is_some_and(|h| h.to_agency == agency),
        _ => false,
    };
    if !answers_handover {
        may_work_on(case, actor, agency)?;
    }
    // A closed case accepts nothing but what concerns the case as it ended: reopening it, the
    // owner's withdrawal of consent (a right at any time: the data is still kept), and
    // collecting it as a good-practice or failure example.
    let after_closing = matches!(
        command,
        ReopenCase { .. }
            | WithdrawConsent { .. }
            | NominateGoodPractice { .. }
            | RecordFailureCase { .. }
    );
    if !after_closing {
        must_be_open(case)?;
    }
    if let (Some(start), Some(on)) = (case.start_line_on, after_start_line_date(command))
        && on < start
    {
        return Err(Refusal::rule(
            "before_start_line",
            format!("{on}はスタートライン到達日（{start}）より前です。日付を確認してください。"),
        )
        .at("on"));
    }
    let on_case = OnCase {
        ctx,
        case,
        case_id,
        actor,
        agency,
    };
    match command {
        LogOutreachVisit { .. }
        | ReachStartLine { .. }
        | AmendConsent { .. }
        | WithdrawConsent { .. }
        | HoldDialogue { .. }
        | SetIssue { .. }
        | ReviseIssue { .. }
        | DropIssue { .. }
        | ResolveIssue { .. } => engagement::decide(command, &on_case),
        PrescribeMeasure { .. }
        | AddTeamMember { .. }
        | RemoveTeamMember { .. }
        | StartMeasure { .. }
        | LogProgress { .. }
        | ReportStall { .. }
        | ResumeMeasure { .. }
        | CompleteMeasure { .. }
        | OvercomeWall { .. }
        | MeasureKpi { .. }
        | HoldReview { .. } => work::decide(command, &on_case),
        ChangeSupporterInCharge { .. }
        | RequestHandover { .. }
        | AcceptHandover { .. }
        | DeclineHandover { .. }
        | WithdrawHandover { .. }
        | CompleteHandover { .. }
        | ReachSelfRunning { .. }
        | CloseCase { .. }
        | ReopenCase { .. }
        | NominateGoodPractice { .. }
        | RecordFailureCase { .. } => transitions::decide(command, &on_case),
        RegisterAgency { .. }
        | DeclareStrengths { .. }
        | RegisterSupporter { .. }
        | ChangeSupporterRole { .. }
        | RecordSupporterDeparture { .. }
        | DiscoverCompany { .. }
        | UpdateCompanyProfile { .. }
        | RecordFinancialStatements { .. }
        | RecordBenchmark { .. }
        | NominateExample { .. }
        | ReviewExample { .. }
        | AnswerExampleQuestions { .. }
        | DraftExample { .. }
        | PublishExample { .. }
        | WithdrawExample { .. } => unreachable!("decide routes these elsewhere"),
    }
}
