//! Where a case goes: the supporter in charge, handovers between agencies, self-running,
//! closing and reopening, collection as a good-practice or failure example.

use crate::domain::command::Command;
use crate::domain::event::{DomainEvent as E, Envelope};
use crate::domain::refusal::Refusal;
use crate::domain::vocab::{ClosingOutcome, HandoverStatus, Purpose, TeamRole};

use super::checks::*;
use super::{Decision, OnCase, one};

pub(super) fn decide(command: &Command, on_case: &OnCase<'_>) -> Decision {
    use Command::*;
    let OnCase {
        ctx,
        case,
        case_id,
        actor,
        agency,
    } = *on_case;
    match command {
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
            open_issues(case, issues)?;
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
        _ => unreachable!("decide routes only transitions commands here"),
    }
}
