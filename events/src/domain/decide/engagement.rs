//! The case from step zero to issue setting: outreach, the start line and consent, dialogue,
//! issues.

use std::collections::BTreeSet;

use crate::domain::command::Command;
use crate::domain::event::{DomainEvent as E, Envelope};
use crate::domain::personal::PersonalData;
use crate::domain::refusal::Refusal;

use super::checks::*;
use super::{Decision, OnCase, one, with_person};

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
            check_walls(walls)?;
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
            check_walls(walls)?;
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
        _ => unreachable!("decide routes only engagement commands here"),
    }
}
