//! The work on a case: the prescription (measures with KPIs), the team, execution, reviews.

use crate::domain::command::Command;
use crate::domain::event::{DomainEvent as E, MeasureOwner};
use crate::domain::refusal::Refusal;
use crate::domain::vocab::{MeasureStatus, Purpose, SupporterRole, TeamRole};

use super::checks::*;
use super::{Decision, OnCase, one};

pub(super) fn decide(command: &Command, on_case: &OnCase<'_>) -> Decision {
    use Command::*;
    let OnCase {
        ctx,
        case,
        case_id,
        actor: _,
        agency,
    } = *on_case;
    match command {
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
            for (i, found) in open_issues(case, issues)?.into_iter().enumerate() {
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
        _ => unreachable!("decide routes only work commands here"),
    }
}
