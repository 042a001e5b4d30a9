//! The rules: given what is known ([`Context`]) and a [`Command`], the events to append or a
//! [`Refusal`]. A pure function: no store, no clock (today comes in the context).

use std::collections::BTreeSet;
use std::fmt::Display;

use super::command::{BenchmarkRecord, Command, CompanyInput, FindingInput, KpiInput};
use super::directory::{Actor, Context};
use super::event::{Consent, DomainEvent as E, Envelope, Kpi, KpiFinding, MeasureOwner};
use super::ids::{AgencyId, CaseId, IssueId, MeasureId, SupporterId};
use super::personal::{PersonDetails, PersonalData};
use super::refusal::Refusal;
use super::state::{CaseState, IssueState, MeasureState, SupporterState};
use super::values::{Day, Reason};
use super::vocab::{
    AgencyKind, ClosingOutcome, HandoverStatus, IssueStatus, MeasureStatus, Purpose, SupporterRole,
    TeamRole,
};

type Decision = Result<Vec<Envelope>, Refusal>;

/// The oldest company in Japan (金剛組) was founded in 578; anything earlier is a typo.
const EARLIEST_FOUNDING_YEAR: i64 = 578;
/// Longest list a supporter may send in one command (concerns, walls, participants ...).
const MAX_LIST: usize = 50;

/// Decide a command: the events it appends, or why it is refused.
pub fn decide(command: &Command, ctx: &Context<'_>) -> Decision {
    use Command::*;
    match command {
        RegisterAgency { .. }
        | DeclareStrengths { .. }
        | RegisterSupporter { .. }
        | ChangeSupporterRole { .. }
        | RecordSupporterDeparture { .. } => decide_setup(command, ctx),
        DiscoverCompany { .. } => decide_discovery(command, ctx),
        UpdateCompanyProfile { .. } | RecordFinancialStatements { .. } | RecordBenchmark { .. } => {
            decide_company_record(command, ctx)
        }
        _ => decide_case(command, ctx),
    }
}

fn one(event: E) -> Decision {
    Ok(vec![Envelope::plain(event)])
}

fn with_person(event: E, person: super::ids::PersonId, details: &PersonDetails) -> Decision {
    Ok(vec![Envelope::with_personal(
        event,
        PersonalData::new().with(person, details.clone()),
    )])
}

// ---------------------------------------------------------------- common checks

/// The supporter issuing the command, active, and not a policy officer (who never edits cases).
fn acting_supporter<'a>(ctx: &Context<'a>) -> Result<(SupporterId, &'a SupporterState), Refusal> {
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

fn agency_of(supporter: &SupporterState) -> AgencyId {
    supporter
        .agency_id
        .expect("registered supporters have an agency")
}

fn the_case<'a>(ctx: &Context<'a>, id: CaseId) -> Result<&'a CaseState, Refusal> {
    ctx.directory.case(id).ok_or_else(|| {
        Refusal::not_found(
            "case_not_found",
            "案件が見つかりません。案件IDを確認してください。",
        )
    })
}

/// The actor's agency holds the case, or the actor is on its team.
fn may_work_on(case: &CaseState, actor: SupporterId, agency: AgencyId) -> Result<(), Refusal> {
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
fn must_hold(case: &CaseState, agency: AgencyId, what: &str) -> Result<(), Refusal> {
    if case.holder == Some(agency) {
        Ok(())
    } else {
        Err(Refusal::forbidden(
            "holder_only",
            format!("{what}は案件を保有する支援機関だけが行えます。"),
        ))
    }
}

fn must_be_open(case: &CaseState) -> Result<(), Refusal> {
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

fn must_have_started(case: &CaseState, what: &str) -> Result<(), Refusal> {
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
fn dated_after_start_line(case: &CaseState, on: Day, what: &str) -> Result<(), Refusal> {
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
fn happened(
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

fn not_empty<T>(field: &str, list: &[T], what: &str) -> Result<(), Refusal> {
    if list.is_empty() {
        return Err(Refusal::invalid(
            field,
            format!("{what}を1つ以上指定してください。"),
        ));
    }
    at_most(field, list, what)
}

fn at_most<T>(field: &str, list: &[T], what: &str) -> Result<(), Refusal> {
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

fn no_duplicates<T: Ord + Display>(field: &str, list: &[T]) -> Result<(), Refusal> {
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

fn active_supporter<'a>(
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
fn case_participant(
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

fn issue<'a>(case: &'a CaseState, id: IssueId, field: &str) -> Result<&'a IssueState, Refusal> {
    case.issues.get(&id).ok_or_else(|| {
        Refusal::not_found("issue_not_found", "この案件にその課題はありません。").at(field)
    })
}

fn open_issue<'a>(
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

fn measure(case: &CaseState, id: MeasureId) -> Result<&MeasureState, Refusal> {
    case.measures.get(&id).ok_or_else(|| {
        Refusal::not_found("measure_not_found", "この案件にその施策はありません。").at("measureId")
    })
}

fn measure_in(
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

fn check_consent(consent: &Consent, on: Day) -> Result<(), Refusal> {
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

fn no_duplicates_by<T>(field: &str, list: &[T], label: impl Fn(&T) -> &str) -> Result<(), Refusal> {
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
fn consent_covers(
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

// ---------------------------------------------------------------- set-up

fn decide_setup(command: &Command, ctx: &Context<'_>) -> Decision {
    use Command::*;
    // The operator may set up anything; an agency's administrator may manage its own agency.
    let admin_of = |agency: AgencyId| -> Result<(), Refusal> {
        match ctx.actor {
            Actor::Operator => Ok(()),
            Actor::Supporter(id) => {
                let s = ctx.directory.supporter(id).filter(|s| s.is_active());
                match s {
                    Some(s)
                        if s.role == Some(SupporterRole::Administrator)
                            && s.agency_id == Some(agency) =>
                    {
                        Ok(())
                    }
                    _ => Err(Refusal::forbidden(
                        "administrator_only",
                        "支援機関の設定は、その支援機関の管理者だけが行えます。",
                    )),
                }
            }
        }
    };
    let known_agency = |id: AgencyId| {
        ctx.directory.agency(id).ok_or_else(|| {
            Refusal::not_found("agency_not_found", "支援機関が登録されていません。").at("agencyId")
        })
    };
    let known_supporter = |id: SupporterId| {
        ctx.directory.supporter(id).ok_or_else(|| {
            Refusal::not_found("supporter_not_found", "支援者が登録されていません。")
                .at("supporterId")
        })
    };
    match command {
        RegisterAgency {
            agency_id,
            kind,
            name,
            prefecture,
            municipality,
            strengths,
        } => {
            if ctx.actor != Actor::Operator {
                return Err(Refusal::forbidden(
                    "operator_only",
                    "支援機関の登録はBansoの運用担当者（banso コマンド）が行います。",
                ));
            }
            if ctx.directory.agency(*agency_id).is_some() {
                return Err(Refusal::rule(
                    "agency_exists",
                    "この支援機関は登録済みです。",
                ));
            }
            at_most("strengths", strengths, "得意分野")?;
            no_duplicates("strengths", strengths)?;
            one(E::AgencyRegistered {
                agency_id: *agency_id,
                kind: *kind,
                name: name.clone(),
                prefecture: *prefecture,
                municipality: municipality.clone(),
                strengths: strengths.clone(),
            })
        }
        DeclareStrengths {
            agency_id,
            strengths,
        } => {
            known_agency(*agency_id)?;
            admin_of(*agency_id)?;
            no_duplicates("strengths", strengths)?;
            one(E::AgencyStrengthsDeclared {
                agency_id: *agency_id,
                strengths: strengths.clone(),
            })
        }
        RegisterSupporter {
            supporter_id,
            agency_id,
            person,
            role,
            details,
        } => {
            known_agency(*agency_id)?;
            admin_of(*agency_id)?;
            if ctx.directory.supporter(*supporter_id).is_some() {
                return Err(Refusal::rule(
                    "supporter_exists",
                    "この支援者は登録済みです。",
                ));
            }
            if details.name.is_none() {
                return Err(Refusal::invalid(
                    "details.name",
                    "支援者の氏名を入力してください。",
                ));
            }
            policy_role_fits(ctx, *agency_id, *role)?;
            with_person(
                E::SupporterRegistered {
                    supporter_id: *supporter_id,
                    agency_id: *agency_id,
                    person: *person,
                    role: *role,
                },
                *person,
                details,
            )
        }
        ChangeSupporterRole { supporter_id, role } => {
            let s = known_supporter(*supporter_id)?;
            admin_of(agency_of(s))?;
            policy_role_fits(ctx, agency_of(s), *role)?;
            if s.role == Some(*role) {
                return Err(Refusal::rule(
                    "no_change",
                    format!("既に{}です。", role.label()),
                ));
            }
            one(E::SupporterRoleChanged {
                supporter_id: *supporter_id,
                role: *role,
            })
        }
        RecordSupporterDeparture { supporter_id, on } => {
            let s = known_supporter(*supporter_id)?;
            admin_of(agency_of(s))?;
            if s.departed {
                return Err(Refusal::rule(
                    "already_departed",
                    "この支援者は離任済みです。",
                ));
            }
            happened("on", *on, ctx, None)?;
            one(E::SupporterDeparted {
                supporter_id: *supporter_id,
                on: *on,
            })
        }
        _ => unreachable!("decide routes only set-up commands here"),
    }
}

/// Policy officers work for policy offices; nobody else may hold that role (it reads across
/// agencies).
fn policy_role_fits(
    ctx: &Context<'_>,
    agency: AgencyId,
    role: SupporterRole,
) -> Result<(), Refusal> {
    let kind = ctx.directory.agency(agency).and_then(|a| a.kind);
    let policy_office = matches!(
        kind,
        Some(AgencyKind::RegionalBureau | AgencyKind::SmeAgency | AgencyKind::LocalGovernment)
    );
    if role == SupporterRole::PolicyOfficer && !policy_office {
        return Err(Refusal::invalid(
            "role",
            "政策担当は経済産業局・中小企業庁・自治体の職員として登録してください。",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------- step zero: discovery

fn decide_discovery(command: &Command, ctx: &Context<'_>) -> Decision {
    let Command::DiscoverCompany {
        case_id,
        company,
        on,
        channel,
        first_concerns,
    } = command
    else {
        unreachable!("decide routes only DiscoverCompany here")
    };
    let (actor, supporter) = acting_supporter(ctx)?;
    if ctx.directory.case(*case_id).is_some() {
        return Err(Refusal::rule(
            "case_exists",
            "この案件IDは既に使われています。",
        ));
    }
    happened("on", *on, ctx, None)?;
    at_most("firstConcerns", first_concerns, "最初に聞いた困りごと")?;
    let mut events = Vec::with_capacity(2);
    let company_id = match company {
        CompanyInput::Existing(id) => {
            if ctx.directory.company(*id).is_none() {
                return Err(Refusal::not_found(
                    "company_not_found",
                    "企業が登録されていません。新しい企業として登録してください。",
                )
                .at("company.companyId"));
            }
            *id
        }
        CompanyInput::New(new) => {
            if ctx.directory.company(new.company_id).is_some() {
                return Err(Refusal::rule(
                    "company_exists",
                    "この企業IDは既に使われています。",
                ));
            }
            if new.corporate_number.is_none() && !new.sole_proprietor {
                return Err(Refusal::invalid(
                    "company.corporateNumber",
                    "法人の場合は法人番号（13桁）を入力してください。個人事業主の場合はその旨を選択してください。",
                ));
            }
            if new.corporate_number.is_some() && new.sole_proprietor {
                return Err(Refusal::invalid(
                    "company.corporateNumber",
                    "個人事業主には法人番号がありません。法人の場合は「個人事業主」の選択を外してください。",
                ));
            }
            let founded_year = match new.founded_year {
                None => None,
                Some(year) => {
                    let this_year = i64::from(ctx.today.year());
                    if !(EARLIEST_FOUNDING_YEAR..=this_year).contains(&year) {
                        return Err(Refusal::invalid(
                            "company.foundedYear",
                            format!(
                                "創業年（{year}）は{EARLIEST_FOUNDING_YEAR}年から{this_year}年までの西暦で入力してください。"
                            ),
                        ));
                    }
                    Some(year as u16)
                }
            };
            let mut personal = PersonalData::new();
            if let Some((person, details)) = &new.representative {
                personal.insert(*person, details.clone());
            }
            events.push(Envelope::with_personal(
                E::CompanyRegistered {
                    company_id: new.company_id,
                    corporate_number: new.corporate_number.clone(),
                    sole_proprietor: new.sole_proprietor,
                    name: new.name.clone(),
                    kana: new.kana.clone(),
                    industry: new.industry,
                    prefecture: new.prefecture,
                    municipality: new.municipality.clone(),
                    employees: new.employees,
                    founded_year,
                    representative: new.representative.as_ref().map(|(p, _)| *p),
                },
                personal,
            ));
            new.company_id
        }
    };
    events.push(Envelope::plain(E::CompanyDiscovered {
        case_id: *case_id,
        company_id,
        agency_id: agency_of(supporter),
        discovered_by: actor,
        on: *on,
        channel: *channel,
        first_concerns: first_concerns.clone(),
    }));
    Ok(events)
}

// ---------------------------------------------------------------- company records

fn decide_company_record(command: &Command, ctx: &Context<'_>) -> Decision {
    let (actor, supporter) = acting_supporter(ctx)?;
    let case_id = command
        .case_id()
        .expect("company records are made through a case");
    let case = the_case(ctx, case_id)?;
    let agency = agency_of(supporter);
    may_work_on(case, actor, agency)?;
    must_be_open(case)?;
    if !matches!(command, Command::UpdateCompanyProfile { .. }) {
        must_have_started(case, "ローカルベンチマーク")?;
    }
    let company_id = case.company_id.expect("a case names its company");
    let company = ctx
        .directory
        .company(company_id)
        .ok_or_else(|| Refusal::not_found("company_not_found", "案件の企業が見つかりません。"))?;
    match command {
        Command::UpdateCompanyProfile {
            name,
            kana,
            industry,
            prefecture,
            municipality,
            employees,
            representative,
            ..
        } => {
            let nothing = name.is_none()
                && kana.is_none()
                && industry.is_none()
                && prefecture.is_none()
                && municipality.is_none()
                && employees.is_none()
                && representative.is_none();
            if nothing {
                return Err(Refusal::rule(
                    "no_change",
                    "変更する項目がありません。変更したい項目を入力してください。",
                ));
            }
            let mut personal = PersonalData::new();
            if let Some((person, details)) = representative {
                personal.insert(*person, details.clone());
            }
            Ok(vec![Envelope::with_personal(
                E::CompanyProfileUpdated {
                    company_id,
                    name: name.clone(),
                    kana: kana.clone(),
                    industry: *industry,
                    prefecture: *prefecture,
                    municipality: municipality.clone(),
                    employees: *employees,
                    representative: representative.as_ref().map(|(p, _)| *p),
                },
                personal,
            )])
        }
        Command::RecordFinancialStatements {
            fiscal_year,
            statements,
            correction_reason,
            ..
        } => {
            let this_year = ctx.today.year();
            if i32::from(fiscal_year.get()) > this_year {
                return Err(Refusal::invalid(
                    "fiscalYear",
                    format!(
                        "{fiscal_year}の決算はまだありません。終わった年度を入力してください。"
                    ),
                ));
            }
            if let Some(founded) = company.founded_year
                && fiscal_year.get() < founded
            {
                return Err(Refusal::invalid(
                    "fiscalYear",
                    format!("{fiscal_year}は創業（{founded}年）より前です。"),
                ));
            }
            if let Err(problems) = statements.validate() {
                let first = problems.into_iter().next().expect("errors are not empty");
                return Err(Refusal::invalid_value(
                    format!("statements.{}", camel_case(&first.field)),
                    first.error,
                ));
            }
            let recorded = company.statements.contains_key(fiscal_year);
            match (recorded, correction_reason) {
                (false, None) => one(E::FinancialStatementsRecorded {
                    company_id,
                    case_id,
                    fiscal_year: *fiscal_year,
                    statements: statements.clone(),
                }),
                (true, Some(_))
                    if !may_correct(ctx, company, *fiscal_year, case_id, actor, agency) =>
                {
                    Err(Refusal::rule(
                        "recorded_by_another_agency",
                        format!(
                            "{fiscal_year}の決算は他の支援機関の案件で登録されたため、訂正できません。登録した支援機関に訂正を依頼してください。"
                        ),
                    ))
                }
                (true, Some(reason)) => one(E::FinancialStatementsCorrected {
                    company_id,
                    case_id,
                    fiscal_year: *fiscal_year,
                    statements: statements.clone(),
                    reason: reason.clone(),
                }),
                (true, None) => Err(Refusal::rule(
                    "fiscal_year_recorded",
                    format!(
                        "{fiscal_year}の決算は登録済みです。訂正する場合は訂正理由を添えて登録してください。"
                    ),
                )),
                (false, Some(_)) => Err(Refusal::rule(
                    "nothing_to_correct",
                    format!(
                        "{fiscal_year}の決算はまだ登録されていないため訂正できません。訂正理由を外して登録してください。"
                    ),
                )),
            }
        }
        Command::RecordBenchmark { on, record, .. } => {
            happened("on", *on, ctx, Some(case))?;
            dated_after_start_line(case, *on, "ローカルベンチマーク等の記録")?;
            let on = *on;
            let event = match record {
                BenchmarkRecord::NonFinancial(assessment) => {
                    assessment
                        .validate()
                        .map_err(|e| field_error("assessment", e))?;
                    E::NonFinancialAssessed {
                        company_id,
                        case_id,
                        on,
                        assessment: assessment.clone(),
                    }
                }
                BenchmarkRecord::BusinessFlow(flow) => {
                    flow.validate().map_err(|e| field_error("flow", e))?;
                    E::BusinessFlowRecorded {
                        company_id,
                        case_id,
                        on,
                        flow: flow.clone(),
                    }
                }
                BenchmarkRecord::CommercialFlow(flow) => {
                    flow.validate().map_err(|e| field_error("flow", e))?;
                    E::CommercialFlowRecorded {
                        company_id,
                        case_id,
                        on,
                        flow: flow.clone(),
                    }
                }
                BenchmarkRecord::Summary(summary) => E::BenchmarkSummaryRecorded {
                    company_id,
                    case_id,
                    on,
                    summary: summary.clone(),
                },
                BenchmarkRecord::DesignSheet(sheet) => {
                    sheet.validate().map_err(|e| field_error("sheet", e))?;
                    if let Some(by) = sheet.by_when
                        && by <= on
                    {
                        return Err(Refusal::invalid(
                            "sheet.byWhen",
                            format!("移行戦略の期限（{by}）は記録日（{on}）より後にしてください。"),
                        ));
                    }
                    E::DesignSheetRecorded {
                        company_id,
                        case_id,
                        on,
                        sheet: sheet.clone(),
                    }
                }
                BenchmarkRecord::IntellectualAsset(entry) => {
                    entry.validate().map_err(|e| field_error("entry", e))?;
                    E::IntellectualAssetRecorded {
                        company_id,
                        case_id,
                        on,
                        entry: entry.clone(),
                    }
                }
            };
            one(event)
        }
        _ => unreachable!("decide routes only company records here"),
    }
}

// ---------------------------------------------------------------- the case

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
    // The owner may withdraw consent at any time, also after the case has closed (its data is
    // still kept, and may still be collected as an example).
    // Reopening, the owner's withdrawal of consent and collecting the case as an example are
    // about the case as it ended, so a closed case takes them.
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
    match command {
        LogOutreachVisit {
            on,
            expert,
            minutes,
            notes,
            ..
        } => {
            happened("on", *on, ctx, Some(case))?;
            // Judged by the visit's date, so a visit entered late is still a visit.
            if let Some(start) = case.start_line_on
                && *on >= start
            {
                return Err(Refusal::rule(
                    "outreach_after_start_line",
                    "スタートライン到達後の訪問は「対話」として記録してください。",
                ));
            }
            if let Some(expert) = expert {
                expert_supporter(ctx, *expert, "expert")?;
            }
            one(E::OutreachVisitLogged {
                case_id,
                on: *on,
                by: actor,
                expert: *expert,
                minutes: *minutes,
                notes: notes.clone(),
            })
        }
        ReachStartLine {
            on,
            decision,
            consent,
            owner,
            ..
        } => {
            must_hold(case, agency, "スタートライン到達の記録")?;
            happened("on", *on, ctx, Some(case))?;
            if let Some(reached) = case.start_line_on {
                return Err(Refusal::rule(
                    "start_line_already_reached",
                    format!(
                        "この案件は{reached}にスタートラインに到達済みです。同意の変更は「同意内容の変更」で記録してください。"
                    ),
                ));
            }
            check_consent(consent, *on)?;
            if owner.name.is_none() {
                return Err(Refusal::invalid(
                    "owner.name",
                    "同意した経営者の氏名を入力してください。",
                ));
            }
            with_person(
                E::StartLineReached {
                    case_id,
                    on: *on,
                    decision: decision.clone(),
                    consent: consent.clone(),
                },
                consent.given_by,
                owner,
            )
        }
        AmendConsent {
            on, consent, owner, ..
        } => {
            must_hold(case, agency, "同意内容の変更")?;
            must_have_started(case, "同意内容の変更")?;
            happened("on", *on, ctx, Some(case))?;
            check_consent(consent, *on)?;
            let mut events = with_person(
                E::ConsentAmended {
                    case_id,
                    on: *on,
                    consent: consent.clone(),
                },
                consent.given_by,
                owner,
            )?;
            events.extend(consent_consequences(ctx, case, agency, Some(consent), *on));
            Ok(events)
        }
        WithdrawConsent { on, reason, .. } => {
            must_hold(case, agency, "同意の撤回の記録")?;
            must_have_started(case, "同意の撤回")?;
            happened("on", *on, ctx, Some(case))?;
            if case.consent_withdrawn {
                return Err(Refusal::rule(
                    "consent_already_withdrawn",
                    "同意は既に撤回されています。",
                ));
            }
            let mut events = vec![Envelope::plain(E::ConsentWithdrawn {
                case_id,
                on: *on,
                reason: reason.clone(),
            })];
            events.extend(consent_consequences(ctx, case, agency, None, *on));
            Ok(events)
        }
        HoldDialogue {
            dialogue_id,
            on,
            minutes,
            mode,
            place,
            supporters,
            experts,
            attendees,
            perspectives,
            notes,
            ..
        } => {
            must_have_started(case, "対話")?;
            happened("on", *on, ctx, Some(case))?;
            dated_after_start_line(case, *on, "対話")?;
            not_empty("supporters", supporters, "参加した支援者")?;
            no_duplicates("supporters", supporters)?;
            at_most("experts", experts, "参加した専門家")?;
            no_duplicates("experts", experts)?;
            at_most("attendees", attendees, "企業側の参加者")?;
            not_empty("notes", notes, "対話の記録（メモ）")?;
            for (i, s) in supporters.iter().enumerate() {
                case_participant(ctx, case, *s, &format!("supporters[{i}]"))?;
            }
            for (i, s) in experts.iter().enumerate() {
                let field = format!("experts[{i}]");
                expert_supporter(ctx, *s, &field)?;
                case_participant(ctx, case, *s, &field)?;
                if supporters.contains(s) {
                    return Err(Refusal::invalid(
                        field,
                        "同じ人を支援者と専門家の両方に入れないでください。",
                    ));
                }
            }
            let people: Vec<_> = attendees.iter().map(|a| a.participant.person).collect();
            no_duplicates("attendees", &people)?;
            // Perspectives covered: those named, and those of the items the notes are filed under.
            let mut covered: BTreeSet<_> = perspectives.iter().copied().collect();
            covered.extend(notes.iter().filter_map(|n| n.item).map(|i| i.perspective()));
            let mut personal = PersonalData::new();
            for a in attendees {
                personal.insert(a.participant.person, a.details.clone());
            }
            Ok(vec![Envelope::with_personal(
                E::DialogueHeld {
                    case_id,
                    dialogue_id: *dialogue_id,
                    on: *on,
                    minutes: *minutes,
                    mode: *mode,
                    place: place.clone(),
                    supporters: supporters.clone(),
                    experts: experts.clone(),
                    company_people: attendees.iter().map(|a| a.participant).collect(),
                    perspectives: covered.into_iter().collect(),
                    notes: notes.clone(),
                },
                personal,
            )])
        }
        SetIssue {
            issue_id,
            on,
            title,
            description,
            theme,
            walls,
            priority,
            owner_agrees,
            ..
        } => {
            must_have_started(case, "課題設定")?;
            happened("on", *on, ctx, Some(case))?;
            if case.issues.contains_key(issue_id) {
                return Err(Refusal::rule(
                    "issue_exists",
                    "この課題IDは既に使われています。",
                ));
            }
            not_empty(
                "walls",
                walls,
                "課題を阻む壁（見えない・向き合わない・実行できない・付いてこない・足りない）",
            )?;
            no_duplicates("walls", walls)?;
            one(E::IssueSet {
                case_id,
                issue_id: *issue_id,
                on: *on,
                cycle: case.cycle,
                title: title.clone(),
                description: description.clone(),
                theme: *theme,
                walls: walls.clone(),
                priority: *priority,
                owner_agrees: *owner_agrees,
            })
        }
        ReviseIssue {
            issue_id,
            on,
            title,
            description,
            theme,
            walls,
            priority,
            owner_agrees,
            reason,
            ..
        } => {
            open_issue(case, *issue_id, "issueId")?;
            happened("on", *on, ctx, Some(case))?;
            not_empty("walls", walls, "課題を阻む壁")?;
            no_duplicates("walls", walls)?;
            one(E::IssueRevised {
                case_id,
                issue_id: *issue_id,
                on: *on,
                title: title.clone(),
                description: description.clone(),
                theme: *theme,
                walls: walls.clone(),
                priority: *priority,
                owner_agrees: *owner_agrees,
                reason: reason.clone(),
            })
        }
        DropIssue {
            issue_id,
            on,
            reason,
            ..
        } => {
            open_issue(case, *issue_id, "issueId")?;
            happened("on", *on, ctx, Some(case))?;
            one(E::IssueDropped {
                case_id,
                issue_id: *issue_id,
                on: *on,
                reason: reason.clone(),
            })
        }
        ResolveIssue {
            issue_id, on, how, ..
        } => {
            open_issue(case, *issue_id, "issueId")?;
            happened("on", *on, ctx, Some(case))?;
            one(E::IssueResolved {
                case_id,
                issue_id: *issue_id,
                on: *on,
                how: how.clone(),
            })
        }
        PrescribeMeasure {
            measure_id,
            on,
            issues,
            kind,
            title,
            description,
            owner,
            starts_on,
            due_on,
            kpis,
            ..
        } => {
            must_have_started(case, "処方箋")?;
            happened("on", *on, ctx, Some(case))?;
            if case.measures.contains_key(measure_id) {
                return Err(Refusal::rule(
                    "measure_exists",
                    "この施策IDは既に使われています。",
                ));
            }
            not_empty("issues", issues, "施策が取り組む課題")?;
            no_duplicates(
                "issues",
                &issues.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
            )?;
            for (i, id) in issues.iter().enumerate() {
                let found = open_issue(case, *id, &format!("issues[{i}]"))?;
                if !found.owner_agrees {
                    return Err(Refusal::rule(
                        "owner_not_agreed",
                        format!(
                            "課題「{}」には経営者の納得（腹落ち）がまだ記録されていません。対話で合意してから、課題の見直しで合意を記録してください。",
                            found.title
                        ),
                    )
                    .at(format!("issues[{i}]")));
                }
            }
            if due_on < starts_on {
                return Err(Refusal::invalid(
                    "dueOn",
                    format!(
                        "期限（{due_on}）が開始日（{starts_on}）より前です。期限は開始日以降にしてください。"
                    ),
                ));
            }
            not_empty("kpis", kpis, "効果を測るKPI（管理指標）")?;
            let kpis = check_kpis(kpis)?;
            match owner {
                MeasureOwner::Supporter { supporter_id } => {
                    case_participant(ctx, case, *supporter_id, "owner.supporterId")?;
                }
                MeasureOwner::Company { person, team } => {
                    if person.is_none() && team.is_none() {
                        return Err(Refusal::invalid(
                            "owner",
                            "企業側の担当者か担当チーム名を指定してください。",
                        ));
                    }
                }
            }
            one(E::MeasurePrescribed {
                case_id,
                measure_id: *measure_id,
                on: *on,
                cycle: case.cycle,
                issues: issues.clone(),
                kind: *kind,
                title: title.clone(),
                description: description.clone(),
                owner: owner.clone(),
                starts_on: *starts_on,
                due_on: *due_on,
                kpis,
            })
        }
        AddTeamMember {
            supporter_id,
            role,
            on,
            dispatch_purpose,
            until,
            ..
        } => {
            must_hold(case, agency, "チーム編成")?;
            must_have_started(case, "チーム編成")?;
            happened("on", *on, ctx, Some(case))?;
            let member = active_supporter(ctx, *supporter_id, "supporterId")?;
            if case.team.contains_key(supporter_id) {
                return Err(Refusal::rule(
                    "already_on_team",
                    "この支援者は既にチームのメンバーです。",
                ));
            }
            if *role == TeamRole::Expert && member.role != Some(SupporterRole::Expert) {
                return Err(Refusal::invalid(
                    "role",
                    "専門家として加えられるのは、専門家として登録された支援者だけです。",
                ));
            }
            if let Some(until) = until
                && until < on
            {
                return Err(Refusal::invalid(
                    "until",
                    "派遣期間の終了日は参加日以降にしてください。",
                ));
            }
            let member_agency = agency_of(member);
            if member_agency != agency && Some(member_agency) != case.consented_by {
                let purpose = if *role == TeamRole::Expert {
                    Purpose::ExpertDispatch
                } else {
                    Purpose::Support
                };
                consent_covers(ctx, case, member_agency, purpose, *on)?;
            }
            one(E::TeamMemberJoined {
                case_id,
                supporter_id: *supporter_id,
                agency_id: member_agency,
                role: *role,
                on: *on,
                dispatch_purpose: dispatch_purpose.clone(),
                until: *until,
            })
        }
        RemoveTeamMember {
            supporter_id,
            on,
            reason,
            ..
        } => {
            must_hold(case, agency, "チームからの離脱の記録")?;
            happened("on", *on, ctx, Some(case))?;
            if !case.team.contains_key(supporter_id) {
                return Err(Refusal::rule(
                    "not_on_team",
                    "この支援者はチームのメンバーではありません。",
                ));
            }
            one(E::TeamMemberLeft {
                case_id,
                supporter_id: *supporter_id,
                on: *on,
                reason: reason.clone(),
            })
        }
        StartMeasure { measure_id, on, .. } => {
            measure_in(case, *measure_id, &[MeasureStatus::Planned], "開始")?;
            happened("on", *on, ctx, Some(case))?;
            one(E::MeasureStarted {
                case_id,
                measure_id: *measure_id,
                on: *on,
            })
        }
        LogProgress {
            measure_id,
            on,
            note,
            percent,
            ..
        } => {
            measure_in(
                case,
                *measure_id,
                &[MeasureStatus::InProgress],
                "進捗を記録",
            )?;
            happened("on", *on, ctx, Some(case))?;
            after_measure_start(case, *measure_id, *on)?;
            one(E::MeasureProgressLogged {
                case_id,
                measure_id: *measure_id,
                on: *on,
                note: note.clone(),
                percent: *percent,
            })
        }
        ReportStall {
            measure_id,
            on,
            wall,
            note,
            ..
        } => {
            measure_in(
                case,
                *measure_id,
                &[MeasureStatus::InProgress],
                "停滞を記録",
            )?;
            happened("on", *on, ctx, Some(case))?;
            after_measure_start(case, *measure_id, *on)?;
            one(E::MeasureStalled {
                case_id,
                measure_id: *measure_id,
                on: *on,
                wall: *wall,
                note: note.clone(),
            })
        }
        ResumeMeasure {
            measure_id,
            on,
            note,
            ..
        } => {
            measure_in(case, *measure_id, &[MeasureStatus::Stalled], "再開")?;
            happened("on", *on, ctx, Some(case))?;
            after_measure_start(case, *measure_id, *on)?;
            one(E::MeasureResumed {
                case_id,
                measure_id: *measure_id,
                on: *on,
                note: note.clone(),
            })
        }
        CompleteMeasure {
            measure_id,
            on,
            result,
            ..
        } => {
            measure_in(case, *measure_id, &[MeasureStatus::InProgress], "完了")?;
            happened("on", *on, ctx, Some(case))?;
            after_measure_start(case, *measure_id, *on)?;
            one(E::MeasureCompleted {
                case_id,
                measure_id: *measure_id,
                on: *on,
                result: result.clone(),
            })
        }
        OvercomeWall {
            issue_id,
            wall,
            on,
            how,
            measure_id,
            ..
        } => {
            let found = issue(case, *issue_id, "issueId")?;
            happened("on", *on, ctx, Some(case))?;
            let met_by_measure = match measure_id {
                Some(id) => {
                    let m = measure(case, *id)?;
                    if !m.issues.contains(issue_id) {
                        return Err(Refusal::invalid(
                            "measureId",
                            "この施策はその課題に取り組む施策ではありません。",
                        ));
                    }
                    m.walls_met.contains(wall)
                }
                None => false,
            };
            if !found.walls.contains(wall) && !met_by_measure {
                return Err(Refusal::rule(
                    "wall_not_met",
                    format!(
                        "課題「{}」には「{}」の壁が記録されていません。課題の見直しで壁を追加するか、施策の停滞として記録してください。",
                        found.title,
                        wall.label()
                    ),
                ));
            }
            if found.overcome.contains(wall) {
                return Err(Refusal::rule(
                    "wall_already_overcome",
                    format!(
                        "課題「{}」の「{}」の壁は克服済みです。",
                        found.title,
                        wall.label()
                    ),
                ));
            }
            one(E::WallOvercome {
                case_id,
                issue_id: *issue_id,
                wall: *wall,
                on: *on,
                how: how.clone(),
                measure_id: *measure_id,
            })
        }
        MeasureKpi {
            measure_id,
            kpi_id,
            on,
            value,
            ..
        } => {
            let m = measure(case, *measure_id)?;
            if !m.kpis.iter().any(|k| k.kpi_id == *kpi_id) {
                return Err(
                    Refusal::not_found("kpi_not_found", "この施策にそのKPIはありません。")
                        .at("kpiId"),
                );
            }
            happened("on", *on, ctx, Some(case))?;
            one(E::KpiMeasured {
                case_id,
                measure_id: *measure_id,
                kpi_id: *kpi_id,
                on: *on,
                value: *value,
            })
        }
        HoldReview {
            on,
            findings,
            worked,
            not_worked,
            adjustments,
            next_review_on,
            start_next_cycle,
            ..
        } => {
            must_have_started(case, "検証・見直し")?;
            happened("on", *on, ctx, Some(case))?;
            if !case.measures.values().any(|m| m.cycle == case.cycle) {
                return Err(Refusal::rule(
                    "review_without_measures",
                    format!(
                        "検証・見直しには、このPDCAサイクル（第{}サイクル）の施策が1つ以上必要です。先に処方箋（施策）を記録してください。",
                        case.cycle
                    ),
                ));
            }
            at_most("findings", findings, "KPIの検証結果")?;
            let findings = check_findings(case, findings)?;
            if let Some(next) = next_review_on
                && next <= on
            {
                return Err(Refusal::invalid(
                    "nextReviewOn",
                    format!("次回の検証日（{next}）は今回（{on}）より後にしてください。"),
                ));
            }
            one(E::ReviewHeld {
                case_id,
                cycle: case.cycle,
                on: *on,
                findings,
                worked: worked.clone(),
                not_worked: not_worked.clone(),
                adjustments: adjustments.clone(),
                next_review_on: *next_review_on,
                next_cycle: start_next_cycle.then_some(case.cycle + 1),
            })
        }
        ChangeSupporterInCharge { to, on, reason, .. } => {
            must_hold(case, agency, "担当者交代")?;
            happened("on", *on, ctx, Some(case))?;
            let next = active_supporter(ctx, *to, "to")?;
            if next.agency_id != Some(agency) {
                return Err(Refusal::invalid(
                    "to",
                    "担当者は案件を保有する支援機関の支援者から選んでください。",
                ));
            }
            let from = case.in_charge.expect("a case has a supporter in charge");
            if from == *to {
                return Err(Refusal::rule("no_change", "既にこの支援者が担当です。"));
            }
            one(E::SupporterInChargeChanged {
                case_id,
                from,
                to: *to,
                on: *on,
                reason: reason.clone(),
            })
        }
        RequestHandover {
            handover_id,
            to_agency,
            on,
            reason,
            summary,
            issues,
            sender_stays,
            ..
        } => {
            must_hold(case, agency, "引継ぎの依頼")?;
            must_have_started(case, "引継ぎ")?;
            happened("on", *on, ctx, Some(case))?;
            if case.handovers.contains_key(handover_id) {
                return Err(Refusal::rule(
                    "handover_exists",
                    "この引継ぎIDは既に使われています。",
                ));
            }
            if let Some((_, pending)) = case.pending_handover() {
                return Err(Refusal::rule(
                    "handover_pending",
                    format!(
                        "{}に依頼した引継ぎが回答待ちです。先に取り下げるか、回答を待ってください。",
                        agency_name(ctx, pending.to_agency)
                    ),
                ));
            }
            if *to_agency == agency {
                return Err(Refusal::invalid(
                    "toAgency",
                    "自分の支援機関には引き継げません。担当者の交代は「担当者交代」で記録してください。",
                ));
            }
            if ctx.directory.agency(*to_agency).is_none() {
                return Err(Refusal::not_found(
                    "agency_not_found",
                    "引継ぎ先の支援機関が登録されていません。",
                )
                .at("toAgency"));
            }
            consent_covers(ctx, case, *to_agency, Purpose::Handover, *on)?;
            at_most("issues", issues, "引き継ぐ課題")?;
            no_duplicates(
                "issues",
                &issues.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
            )?;
            for (i, id) in issues.iter().enumerate() {
                open_issue(case, *id, &format!("issues[{i}]"))?;
            }
            one(E::HandoverRequested {
                case_id,
                handover_id: *handover_id,
                from_agency: agency,
                to_agency: *to_agency,
                on: *on,
                reason: reason.clone(),
                summary: summary.clone(),
                issues: issues.clone(),
                sender_stays: *sender_stays,
            })
        }
        AcceptHandover {
            handover_id, on, ..
        }
        | DeclineHandover {
            handover_id, on, ..
        } => {
            let h = pending(case, *handover_id)?;
            if agency != h.to_agency {
                return Err(Refusal::forbidden(
                    "receiver_only",
                    "引継ぎの受諾・辞退は、引継ぎ先の支援機関だけが行えます。",
                ));
            }
            happened("on", *on, ctx, Some(case))?;
            if *on < h.requested_on {
                return Err(Refusal::invalid("on", "回答日が依頼日より前です。"));
            }
            if let DeclineHandover { reason, .. } = command {
                return one(E::HandoverDeclined {
                    case_id,
                    handover_id: *handover_id,
                    on: *on,
                    by: actor,
                    reason: reason.clone(),
                });
            }
            consent_covers(ctx, case, h.to_agency, Purpose::Handover, *on)?;
            let mut events = vec![Envelope::plain(E::HandoverAccepted {
                case_id,
                handover_id: *handover_id,
                on: *on,
                by: actor,
            })];
            // The case now belongs to the receiver: whoever the consent does not cover from
            // there leaves the team; a sender that stays joins it.
            events.extend(consent_consequences(
                ctx,
                case,
                h.to_agency,
                case.consent.as_ref(),
                *on,
            ));
            let sender = case.in_charge.expect("a case has a supporter in charge");
            if h.sender_stays && !case.team.contains_key(&sender) {
                events.push(Envelope::plain(E::TeamMemberJoined {
                    case_id,
                    supporter_id: sender,
                    agency_id: h.from_agency,
                    role: TeamRole::AccompanyingSupporter,
                    on: *on,
                    dispatch_purpose: None,
                    until: None,
                }));
            }
            Ok(events)
        }
        WithdrawHandover {
            handover_id,
            on,
            reason,
            ..
        } => {
            let h = pending(case, *handover_id)?;
            if agency != h.from_agency {
                return Err(Refusal::forbidden(
                    "sender_only",
                    "引継ぎの取下げは、依頼した支援機関だけが行えます。",
                ));
            }
            happened("on", *on, ctx, Some(case))?;
            one(E::HandoverWithdrawn {
                case_id,
                handover_id: *handover_id,
                on: *on,
                reason: reason.clone(),
            })
        }
        CompleteHandover {
            handover_id,
            on,
            outcome,
            ..
        } => {
            let h = case
                .handovers
                .get(handover_id)
                .ok_or_else(handover_not_found)?;
            if h.status != HandoverStatus::Accepted {
                return Err(Refusal::rule(
                    "handover_not_accepted",
                    format!(
                        "この引継ぎは{}です。完了にできるのは受諾された引継ぎだけです。",
                        h.status.label()
                    ),
                ));
            }
            must_hold(case, agency, "引継ぎの完了")?;
            happened("on", *on, ctx, Some(case))?;
            one(E::HandoverCompleted {
                case_id,
                handover_id: *handover_id,
                on: *on,
                outcome: outcome.clone(),
            })
        }
        ReachSelfRunning { on, evidence, .. } => {
            must_hold(case, agency, "自走化の記録")?;
            must_have_started(case, "自走化")?;
            happened("on", *on, ctx, Some(case))?;
            if let Some(reached) = case.self_running_on {
                return Err(Refusal::rule(
                    "already_self_running",
                    format!("{reached}に自走化を記録済みです。"),
                ));
            }
            if case.reviews == 0 {
                return Err(Refusal::rule(
                    "self_running_without_review",
                    "自走化の判断には検証・見直しが1回以上必要です。先に検証・見直しを記録してください。",
                ));
            }
            one(E::SelfRunningReached {
                case_id,
                on: *on,
                evidence: evidence.clone(),
            })
        }
        CloseCase {
            on, outcome, note, ..
        } => {
            must_hold(case, agency, "案件の終了")?;
            happened("on", *on, ctx, Some(case))?;
            if case.pending_handover().is_some() {
                return Err(Refusal::rule(
                    "handover_pending",
                    "引継ぎの依頼が回答待ちのため終了できません。先に取り下げるか、回答を待ってください。",
                ));
            }
            if *outcome == ClosingOutcome::SelfRunning && case.self_running_on.is_none() {
                return Err(Refusal::rule(
                    "self_running_not_reached",
                    "「自走化達成」で終了するには、先に自走化を記録してください（根拠とともに）。",
                ));
            }
            one(E::CaseClosed {
                case_id,
                on: *on,
                outcome: *outcome,
                note: note.clone(),
            })
        }
        ReopenCase { on, reason, .. } => {
            must_hold(case, agency, "案件の再開")?;
            if !case.is_closed() {
                return Err(Refusal::rule(
                    "case_not_closed",
                    "この案件は終了していないため、再開の必要はありません。",
                ));
            }
            happened("on", *on, ctx, Some(case))?;
            if let Some(closed) = case.closed_on
                && *on < closed
            {
                return Err(Refusal::invalid(
                    "on",
                    format!(
                        "{on}は案件の終了日（{closed}）より前です。再開した日を入力してください。"
                    ),
                ));
            }
            one(E::CaseReopened {
                case_id,
                on: *on,
                reason: reason.clone(),
            })
        }
        NominateGoodPractice {
            on,
            themes,
            reasons,
            ..
        } => {
            must_have_started(case, "好事例候補への推薦")?;
            happened("on", *on, ctx, Some(case))?;
            if case.nominated {
                return Err(Refusal::rule(
                    "already_nominated",
                    "この案件は既に好事例候補として推薦されています。",
                ));
            }
            collection_consent(case, *on)?;
            not_empty("themes", themes, "テーマ")?;
            no_duplicates("themes", themes)?;
            one(E::GoodPracticeNominated {
                case_id,
                on: *on,
                by: actor,
                themes: themes.clone(),
                reasons: reasons.clone(),
            })
        }
        RecordFailureCase {
            on,
            walls,
            reasons,
            lessons,
            ..
        } => {
            happened("on", *on, ctx, Some(case))?;
            if case.failure_recorded {
                return Err(Refusal::rule(
                    "already_recorded",
                    "この案件は既に失敗事例として記録されています。",
                ));
            }
            collection_consent(case, *on)?;
            at_most("walls", walls, "壁")?;
            no_duplicates("walls", walls)?;
            one(E::FailureCaseRecorded {
                case_id,
                on: *on,
                by: actor,
                walls: walls.clone(),
                reasons: reasons.clone(),
                lessons: lessons.clone(),
            })
        }
        RegisterAgency { .. }
        | DeclareStrengths { .. }
        | RegisterSupporter { .. }
        | ChangeSupporterRole { .. }
        | RecordSupporterDeparture { .. }
        | DiscoverCompany { .. }
        | UpdateCompanyProfile { .. }
        | RecordFinancialStatements { .. }
        | RecordBenchmark { .. } => unreachable!("decide routes these elsewhere"),
    }
}

fn field_error(prefix: &str, e: super::localbench::FieldError) -> Refusal {
    Refusal::invalid_value(format!("{prefix}.{}", camel_case(&e.field)), e.error)
}

/// Field paths name fields as the API does: `net_assets` → `netAssets`.
fn camel_case(path: &str) -> String {
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
fn after_start_line_date(command: &Command) -> Option<Day> {
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
fn after_measure_start(case: &CaseState, id: MeasureId, on: Day) -> Result<(), Refusal> {
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
fn consent_consequences(
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
fn may_correct(
    ctx: &Context<'_>,
    company: &super::state::CompanyState,
    year: super::values::FiscalYear,
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

fn agency_name(ctx: &Context<'_>, id: AgencyId) -> String {
    ctx.directory
        .agency(id)
        .and_then(|a| a.name.as_ref())
        .map_or_else(|| id.to_string(), |n| n.to_string())
}

fn expert_supporter(ctx: &Context<'_>, id: SupporterId, field: &str) -> Result<(), Refusal> {
    let s = active_supporter(ctx, id, field)?;
    if s.role != Some(SupporterRole::Expert) {
        return Err(Refusal::invalid(
            field,
            "専門家として登録された支援者を指定してください。",
        ));
    }
    Ok(())
}

fn handover_not_found() -> Refusal {
    Refusal::not_found("handover_not_found", "この案件にその引継ぎはありません。").at("handoverId")
}

fn pending(
    case: &CaseState,
    id: super::ids::HandoverId,
) -> Result<super::state::HandoverState, Refusal> {
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
fn collection_consent(case: &CaseState, on: Day) -> Result<(), Refusal> {
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

fn check_kpis(kpis: &[KpiInput]) -> Result<Vec<Kpi>, Refusal> {
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

fn check_findings(case: &CaseState, findings: &[FindingInput]) -> Result<Vec<KpiFinding>, Refusal> {
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
