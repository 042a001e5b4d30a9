//! Checks shared by the rules: who may act, whether the case is open, dates, lists, consent.

use std::collections::BTreeSet;
use std::fmt::Display;

use crate::domain::command::{Command, FindingInput, KpiInput};
use crate::domain::directory::{Actor, Context};
use crate::domain::event::{Consent, DomainEvent as E, Envelope, Kpi, KpiFinding};
use crate::domain::ids::{AgencyId, CaseId, IssueId, MeasureId, SupporterId};
use crate::domain::refusal::Refusal;
use crate::domain::state::{CaseState, IssueState, MeasureState, SupporterState};
use crate::domain::values::{Day, Reason};
use crate::domain::vocab::{
    HandoverStatus, IssueStatus, MeasureStatus, Purpose, SupporterRole, TeamRole, Wall,
};

/// Longest list a supporter may send in one command (concerns, walls, participants ...).
pub(super) const MAX_LIST: usize = 50;

/// The supporter issuing the command, active, and not a policy officer (who never edits cases).
pub(super) fn acting_supporter<'a>(
    ctx: &Context<'a>,
) -> Result<(SupporterId, &'a SupporterState), Refusal> {
    let Actor::Supporter(id) = ctx.actor else {
        return Err(Refusal::forbidden(
            "supporter_required",
            "案件の操作は支援者としてログインして行ってください。",
        ));
    };
    let supporter = ctx
        .directory
        .supporter(id)
        .filter(|s| s.is_active())
        .ok_or_else(|| {
            Refusal::forbidden(
                "unknown_supporter",
                "この支援者は登録されていないか、離任済みです。支援機関の管理者に確認してください。",
            )
        })?;
    if supporter.role == Some(SupporterRole::PolicyOfficer) {
        return Err(Refusal::forbidden(
            "policy_officer_read_only",
            "政策担当は案件を編集できません。集計・好事例の画面をご利用ください。",
        ));
    }
    Ok((id, supporter))
}

pub(super) fn agency_of(supporter: &SupporterState) -> AgencyId {
    supporter
        .agency_id
        .expect("registered supporters have an agency")
}

pub(super) fn the_case<'a>(ctx: &Context<'a>, id: CaseId) -> Result<&'a CaseState, Refusal> {
    ctx.directory.case(id).ok_or_else(|| {
        Refusal::not_found(
            "case_not_found",
            "案件が見つかりません。案件IDを確認してください。",
        )
    })
}

/// The actor's agency holds the case, or the actor is on its team.
pub(super) fn may_work_on(
    case: &CaseState,
    actor: SupporterId,
    agency: AgencyId,
) -> Result<(), Refusal> {
    if case.holder == Some(agency) || case.team.contains_key(&actor) {
        Ok(())
    } else {
        Err(Refusal::forbidden(
            "not_on_case",
            "この案件を担当する支援機関・チームのメンバーではないため操作できません。",
        ))
    }
}

/// Only the agency holding the case may do this (consent, handover, staff, closing).
pub(super) fn must_hold(case: &CaseState, agency: AgencyId, what: &str) -> Result<(), Refusal> {
    if case.holder == Some(agency) {
        Ok(())
    } else {
        Err(Refusal::forbidden(
            "holder_only",
            format!("{what}は案件を保有する支援機関だけが行えます。"),
        ))
    }
}

pub(super) fn must_be_open(case: &CaseState) -> Result<(), Refusal> {
    match case.closed {
        Some(outcome) => Err(Refusal::rule(
            "case_closed",
            format!(
                "この案件は終了しています（{}）。続ける場合は、先に案件を再開してください。",
                outcome.label()
            ),
        )),
        None => Ok(()),
    }
}

pub(super) fn must_have_started(case: &CaseState, what: &str) -> Result<(), Refusal> {
    if case.start_line_on.is_none() {
        return Err(Refusal::rule(
            "before_start_line",
            format!(
                "スタートライン（経営者が支援を受けると決め、同意した時点）の前には{what}を記録できません。先に「スタートライン到達」を記録してください。"
            ),
        ));
    }
    Ok(())
}

/// What may only happen after the start line cannot be dated before it either.
pub(super) fn dated_after_start_line(case: &CaseState, on: Day, what: &str) -> Result<(), Refusal> {
    if let Some(start) = case.start_line_on
        && on < start
    {
        return Err(Refusal::rule(
            "before_start_line",
            format!(
                "{on}はスタートライン到達日（{start}）より前のため、{what}として記録できません。それより前の訪問は「働きかけ訪問」として記録してください。"
            ),
        )
        .at("on"));
    }
    Ok(())
}

/// A fact cannot be dated in the future nor before the case began.
pub(super) fn happened(
    field: &str,
    on: Day,
    ctx: &Context<'_>,
    case: Option<&CaseState>,
) -> Result<(), Refusal> {
    if on > ctx.today {
        return Err(Refusal::invalid(
            field,
            format!("{on}は未来の日付です。実施した日を入力してください。"),
        ));
    }
    if let Some(begun) = case.and_then(|c| c.discovered_on)
        && on < begun
    {
        return Err(Refusal::invalid(
            field,
            format!(
                "{on}は案件の開始日（企業の発掘: {begun}）より前です。日付を確認してください。"
            ),
        ));
    }
    Ok(())
}

pub(super) fn not_empty<T>(field: &str, list: &[T], what: &str) -> Result<(), Refusal> {
    if list.is_empty() {
        return Err(Refusal::invalid(
            field,
            format!("{what}を1つ以上指定してください。"),
        ));
    }
    at_most(field, list, what)
}

pub(super) fn at_most<T>(field: &str, list: &[T], what: &str) -> Result<(), Refusal> {
    if list.len() > MAX_LIST {
        return Err(Refusal::invalid(
            field,
            format!(
                "{what}は{MAX_LIST}件以内にしてください（{}件あります）。",
                list.len()
            ),
        ));
    }
    Ok(())
}

pub(super) fn no_duplicates<T: Ord + Display>(field: &str, list: &[T]) -> Result<(), Refusal> {
    let mut seen = BTreeSet::new();
    for item in list {
        if !seen.insert(item) {
            return Err(Refusal::invalid(
                field,
                format!("「{item}」が重複しています。"),
            ));
        }
    }
    Ok(())
}

pub(super) fn active_supporter<'a>(
    ctx: &Context<'a>,
    id: SupporterId,
    field: &str,
) -> Result<&'a SupporterState, Refusal> {
    ctx.directory
        .supporter(id)
        .filter(|s| s.is_active())
        .ok_or_else(|| {
            Refusal::invalid(
                field,
                format!("支援者（{id}）は登録されていないか、離任済みです。"),
            )
        })
}

/// A supporter named in a case command must belong to the holding agency or be on the team.
pub(super) fn case_participant(
    ctx: &Context<'_>,
    case: &CaseState,
    id: SupporterId,
    field: &str,
) -> Result<(), Refusal> {
    let supporter = active_supporter(ctx, id, field)?;
    if case.holder == supporter.agency_id || case.team.contains_key(&id) {
        Ok(())
    } else {
        Err(Refusal::invalid(
            field,
            "他の支援機関の支援者は、先にチームに加えてください（同意の範囲内に限ります）。",
        ))
    }
}

pub(super) fn issue<'a>(
    case: &'a CaseState,
    id: IssueId,
    field: &str,
) -> Result<&'a IssueState, Refusal> {
    case.issues.get(&id).ok_or_else(|| {
        Refusal::not_found("issue_not_found", "この案件にその課題はありません。").at(field)
    })
}

pub(super) fn open_issue<'a>(
    case: &'a CaseState,
    id: IssueId,
    field: &str,
) -> Result<&'a IssueState, Refusal> {
    let found = issue(case, id, field)?;
    if found.status != IssueStatus::Open {
        return Err(Refusal::rule(
            "issue_not_open",
            format!(
                "課題「{}」は{}のため対象にできません。対応中の課題を指定してください。",
                found.title,
                found.status.label()
            ),
        )
        .at(field));
    }
    Ok(found)
}

/// The issues a command names: none twice, each an open issue of the case, in order.
pub(super) fn open_issues<'a>(
    case: &'a CaseState,
    ids: &[IssueId],
) -> Result<Vec<&'a IssueState>, Refusal> {
    no_duplicates("issues", ids)?;
    ids.iter()
        .enumerate()
        .map(|(i, id)| open_issue(case, *id, &format!("issues[{i}]")))
        .collect()
}

/// The walls an issue is tagged with: at least one, none twice.
pub(super) fn check_walls(walls: &[Wall]) -> Result<(), Refusal> {
    not_empty(
        "walls",
        walls,
        "課題を阻む壁（見えない・向き合わない・実行できない・付いてこない・足りない）",
    )?;
    no_duplicates("walls", walls)
}

pub(super) fn measure(case: &CaseState, id: MeasureId) -> Result<&MeasureState, Refusal> {
    case.measures.get(&id).ok_or_else(|| {
        Refusal::not_found("measure_not_found", "この案件にその施策はありません。").at("measureId")
    })
}

pub(super) fn measure_in(
    case: &CaseState,
    id: MeasureId,
    allowed: &[MeasureStatus],
    doing: &str,
) -> Result<(), Refusal> {
    let m = measure(case, id)?;
    if !allowed.contains(&m.status) {
        let expected: Vec<_> = allowed.iter().map(|s| s.label()).collect();
        return Err(Refusal::rule(
            "measure_status",
            format!(
                "施策「{}」は{}です。{doing}できるのは{}の施策だけです。",
                m.title,
                m.status.label(),
                expected.join("・")
            ),
        ));
    }
    Ok(())
}

pub(super) fn check_consent(consent: &Consent, on: Day) -> Result<(), Refusal> {
    not_empty("consent.purposes", &consent.purposes, "同意の目的")?;
    no_duplicates_by("consent.purposes", &consent.purposes, |p| p.label())?;
    if !consent.purposes.contains(&Purpose::Support) {
        return Err(Refusal::invalid(
            "consent.purposes",
            "同意の目的には「支援の実施」を含めてください。",
        ));
    }
    at_most("consent.recipients", &consent.recipients, "提供先")?;
    let distinct: BTreeSet<_> = consent.recipients.iter().collect();
    if distinct.len() != consent.recipients.len() {
        return Err(Refusal::invalid(
            "consent.recipients",
            "提供先が重複しています。",
        ));
    }
    if consent.valid_until <= on {
        return Err(Refusal::invalid(
            "consent.validUntil",
            format!(
                "同意の有効期限（{}）は同意日（{on}）より後にしてください。",
                consent.valid_until
            ),
        ));
    }
    Ok(())
}

pub(super) fn no_duplicates_by<T>(
    field: &str,
    list: &[T],
    label: impl Fn(&T) -> &str,
) -> Result<(), Refusal> {
    let mut seen = BTreeSet::new();
    for item in list {
        let l = label(item);
        if !seen.insert(l.to_owned()) {
            return Err(Refusal::invalid(
                field,
                format!("「{l}」が重複しています。"),
            ));
        }
    }
    Ok(())
}

/// The case data may go to `agency` for `purpose` on `on` under the owner's consent.
pub(super) fn consent_covers(
    ctx: &Context<'_>,
    case: &CaseState,
    agency: AgencyId,
    purpose: Purpose,
    on: Day,
) -> Result<(), Refusal> {
    let name = ctx
        .directory
        .agency(agency)
        .and_then(|a| a.name.as_ref())
        .map_or_else(|| agency.to_string(), |n| n.to_string());
    if case.consent_withdrawn {
        return Err(Refusal::rule(
            "consent_withdrawn",
            format!("経営者が同意を撤回しているため、{name}へ案件情報を渡せません。"),
        ));
    }
    let Some(consent) = &case.consent else {
        return Err(Refusal::rule(
            "no_consent",
            "経営者の同意がまだ記録されていません。スタートライン到達時に同意を記録してください。",
        ));
    };
    let kind = ctx
        .directory
        .agency(agency)
        .and_then(|a| a.kind)
        .ok_or_else(|| Refusal::invalid("agencyId", "指定された支援機関は登録されていません。"))?;
    if !consent.covers(agency, kind, purpose, on) {
        let why = if on > consent.valid_until {
            format!("同意の有効期限（{}）が過ぎています", consent.valid_until)
        } else {
            format!(
                "同意の範囲（提供先・目的「{}」）に含まれていません",
                purpose.label()
            )
        };
        return Err(Refusal::rule(
            "consent_does_not_cover",
            format!(
                "{name}（{}）は{why}。経営者に同意内容の変更を依頼してください。",
                kind.label()
            ),
        ));
    }
    Ok(())
}

pub(super) fn field_error(prefix: &str, e: crate::domain::localbench::FieldError) -> Refusal {
    Refusal::invalid_value(format!("{prefix}.{}", camel_case(&e.field)), e.error)
}

/// Field paths name fields as the API does: `net_assets` → `netAssets`.
pub(super) fn camel_case(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut upper = false;
    for c in path.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The date of a command that can only happen once support has begun (after the start line).
pub(super) fn after_start_line_date(command: &Command) -> Option<Day> {
    use Command::*;
    match command {
        AmendConsent { on, .. }
        | WithdrawConsent { on, .. }
        | SetIssue { on, .. }
        | ReviseIssue { on, .. }
        | DropIssue { on, .. }
        | PrescribeMeasure { on, .. }
        | ResolveIssue { on, .. }
        | AddTeamMember { on, .. }
        | RemoveTeamMember { on, .. }
        | StartMeasure { on, .. }
        | LogProgress { on, .. }
        | ReportStall { on, .. }
        | ResumeMeasure { on, .. }
        | CompleteMeasure { on, .. }
        | OvercomeWall { on, .. }
        | MeasureKpi { on, .. }
        | HoldReview { on, .. }
        | RequestHandover { on, .. }
        | AcceptHandover { on, .. }
        | DeclineHandover { on, .. }
        | WithdrawHandover { on, .. }
        | CompleteHandover { on, .. }
        | ReachSelfRunning { on, .. }
        | NominateGoodPractice { on, .. } => Some(*on),
        _ => None,
    }
}

/// A measure's events cannot be dated before it started.
pub(super) fn after_measure_start(case: &CaseState, id: MeasureId, on: Day) -> Result<(), Refusal> {
    if let Some(started) = case.measures.get(&id).and_then(|m| m.started_on)
        && on < started
    {
        return Err(Refusal::invalid(
            "on",
            format!("{on}は施策の開始日（{started}）より前です。日付を確認してください。"),
        ));
    }
    Ok(())
}

/// What follows from a change of consent: team members of agencies it no longer covers leave,
/// and a pending handover to an agency it no longer covers is withdrawn. `consent` is the new
/// consent, or `None` when it is withdrawn.
pub(super) fn consent_consequences(
    ctx: &Context<'_>,
    case: &CaseState,
    holder: AgencyId,
    consent: Option<&Consent>,
    on: Day,
) -> Vec<Envelope> {
    let case_id = case.id.expect("a case has an id");
    let covers = |agency: AgencyId, purpose: Purpose| {
        let kind = ctx.directory.agency(agency).and_then(|a| a.kind);
        match (consent, kind) {
            (Some(c), Some(kind)) => c.covers(agency, kind, purpose, on),
            _ => false,
        }
    };
    let mut events = Vec::new();
    for (supporter_id, member) in &case.team {
        let purpose = if member.role == TeamRole::Expert {
            Purpose::ExpertDispatch
        } else {
            Purpose::Support
        };
        let covered = member.agency_id == holder
            || Some(member.agency_id) == case.consented_by
            || covers(member.agency_id, purpose);
        if !covered {
            events.push(Envelope::plain(E::TeamMemberLeft {
                case_id,
                supporter_id: *supporter_id,
                on,
                reason: Some(
                    Reason::parse("経営者の同意の範囲外となったため、チームから外れました。")
                        .expect("a valid reason"),
                ),
            }));
        }
    }
    if let Some((handover_id, pending)) = case.pending_handover()
        && !covers(pending.to_agency, Purpose::Handover)
    {
        events.push(Envelope::plain(E::HandoverWithdrawn {
            case_id,
            handover_id,
            on,
            reason: Reason::parse(
                "経営者の同意の範囲外となったため、引継ぎの依頼を取り下げました。",
            )
            .expect("a valid reason"),
        }));
    }
    events
}

/// A year's statements are corrected by the agency that recorded them (through any of its
/// cases), or by whoever works on the case they were recorded through.
pub(super) fn may_correct(
    ctx: &Context<'_>,
    company: &crate::domain::state::CompanyState,
    year: crate::domain::values::FiscalYear,
    case_id: CaseId,
    actor: SupporterId,
    agency: AgencyId,
) -> bool {
    match company.statements_case.get(&year) {
        None => true,
        Some(recorded) if *recorded == case_id => true,
        Some(recorded) => ctx
            .directory
            .case(*recorded)
            .is_some_and(|c| c.holder == Some(agency) || c.team.contains_key(&actor)),
    }
}

pub(super) fn agency_name(ctx: &Context<'_>, id: AgencyId) -> String {
    ctx.directory
        .agency(id)
        .and_then(|a| a.name.as_ref())
        .map_or_else(|| id.to_string(), |n| n.to_string())
}

pub(super) fn expert_supporter(
    ctx: &Context<'_>,
    id: SupporterId,
    field: &str,
) -> Result<(), Refusal> {
    let s = active_supporter(ctx, id, field)?;
    if s.role != Some(SupporterRole::Expert) {
        return Err(Refusal::invalid(
            field,
            "専門家として登録された支援者を指定してください。",
        ));
    }
    Ok(())
}

pub(super) fn handover_not_found() -> Refusal {
    Refusal::not_found("handover_not_found", "この案件にその引継ぎはありません。").at("handoverId")
}

pub(super) fn pending(
    case: &CaseState,
    id: crate::domain::ids::HandoverId,
) -> Result<crate::domain::state::HandoverState, Refusal> {
    let h = *case.handovers.get(&id).ok_or_else(handover_not_found)?;
    if h.status != HandoverStatus::Requested {
        return Err(Refusal::rule(
            "handover_not_pending",
            format!("この引継ぎは既に{}です。", h.status.label()),
        ));
    }
    Ok(h)
}

/// Collecting a case as a good-practice or failure example needs the owner's consent to it.
pub(super) fn collection_consent(case: &CaseState, on: Day) -> Result<(), Refusal> {
    let allowed = !case.consent_withdrawn
        && case
            .consent
            .as_ref()
            .is_some_and(|c| c.purposes.contains(&Purpose::GoodPractice) && on <= c.valid_until);
    if !allowed {
        return Err(Refusal::rule(
            "no_collection_consent",
            format!(
                "事例として集めるには、有効期限内の経営者の同意（目的「{}」）が必要です。同意内容の変更を記録してください。",
                Purpose::GoodPractice.label()
            ),
        ));
    }
    Ok(())
}

pub(super) fn check_kpis(kpis: &[KpiInput]) -> Result<Vec<Kpi>, Refusal> {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    kpis.iter()
        .enumerate()
        .map(|(i, k)| {
            if !ids.insert(k.kpi_id) {
                return Err(Refusal::invalid(
                    format!("kpis[{i}].kpiId"),
                    "KPIのIDが重複しています。",
                ));
            }
            if !names.insert(k.name.as_str()) {
                return Err(Refusal::invalid(
                    format!("kpis[{i}].name"),
                    format!("KPI「{}」が重複しています。", k.name),
                ));
            }
            if k.target == k.baseline {
                return Err(Refusal::invalid(
                    format!("kpis[{i}].target"),
                    format!(
                        "KPI「{}」の目標値が基準値と同じです。目指す値を入力してください。",
                        k.name
                    ),
                ));
            }
            Ok(Kpi {
                kpi_id: k.kpi_id,
                name: k.name.clone(),
                unit: k.unit.clone(),
                baseline: k.baseline,
                target: k.target,
            })
        })
        .collect()
}

pub(super) fn check_findings(
    case: &CaseState,
    findings: &[FindingInput],
) -> Result<Vec<KpiFinding>, Refusal> {
    let mut seen = BTreeSet::new();
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let field = format!("findings[{i}]");
            let m = case.measures.get(&f.measure_id).ok_or_else(|| {
                Refusal::not_found("measure_not_found", "この案件にその施策はありません。")
                    .at(format!("{field}.measureId"))
            })?;
            let kpi = m
                .kpis
                .iter()
                .find(|k| k.kpi_id == f.kpi_id)
                .ok_or_else(|| {
                    Refusal::not_found("kpi_not_found", "その施策にそのKPIはありません。")
                        .at(format!("{field}.kpiId"))
                })?;
            if !seen.insert((f.measure_id, f.kpi_id)) {
                return Err(Refusal::invalid(
                    field,
                    format!("KPI「{}」の結果が重複しています。", kpi.name),
                ));
            }
            Ok(KpiFinding {
                measure_id: f.measure_id,
                kpi_id: f.kpi_id,
                value: f.value,
                target: kpi.target,
                achieved: kpi.reached(f.value),
                note: f.note.clone(),
            })
        })
        .collect()
}
