//! Review and publication of collected cases (好事例・失敗事例): a policy officer nominates a
//! case from the candidates, reviews nominations (accepts, sends back with questions, rejects),
//! drafts the write-up, publishes it and may withdraw it; the case's supporters answer the
//! questions. The events go to the case's `Example` stream, never to the case itself.

use crate::domain::command::Command;
use crate::domain::directory::{Actor, Context};
use crate::domain::event::DomainEvent as E;
use crate::domain::ids::SupporterId;
use crate::domain::refusal::Refusal;
use crate::domain::vocab::{ExampleStatus, ReviewVerdict, SupporterRole};

use super::checks::*;
use super::{Decision, one};

pub(super) fn decide(command: &Command, ctx: &Context<'_>) -> Decision {
    use Command::*;
    let case_id = command.case_id().expect("example commands name their case");
    if let AnswerExampleQuestions { on, answers, .. } = command {
        let (actor, supporter) = acting_supporter(ctx)?;
        let case = the_case(ctx, case_id)?;
        may_work_on(case, actor, agency_of(supporter))?;
        happened("on", *on, ctx, Some(case))?;
        let status = ctx.directory.example(case_id).status_with(case);
        if status != Some(ExampleStatus::SentBack) {
            return Err(Refusal::rule(
                "no_questions",
                "この事例候補には回答を待っている質問がありません。",
            ));
        }
        return one(E::ExampleQuestionsAnswered {
            case_id,
            on: *on,
            by: actor,
            answers: answers.clone(),
        });
    }
    let by = policy_officer(ctx)?;
    let case = the_case(ctx, case_id)?;
    let example = ctx.directory.example(case_id);
    let status = example.status_with(case);
    match command {
        NominateExample {
            on,
            side,
            themes,
            reasons,
            ..
        } => {
            happened("on", *on, ctx, Some(case))?;
            if let Some(status) = status {
                return Err(Refusal::rule(
                    "already_nominated",
                    format!("この案件は既に事例候補です（{}）。", status.label()),
                ));
            }
            collection_consent(case, *on)?;
            not_empty("themes", themes, "テーマ")?;
            no_duplicates("themes", themes)?;
            one(E::ExampleNominated {
                case_id,
                on: *on,
                by,
                side: *side,
                themes: themes.clone(),
                reasons: reasons.clone(),
            })
        }
        ReviewExample {
            on,
            verdict,
            comment,
            ..
        } => {
            happened("on", *on, ctx, Some(case))?;
            match status {
                Some(ExampleStatus::Nominated) => {}
                None => return Err(not_nominated()),
                Some(ExampleStatus::SentBack) => {
                    return Err(Refusal::rule(
                        "awaiting_answers",
                        "差し戻した質問への支援機関の回答を待っています。回答の後に審査してください。",
                    ));
                }
                Some(other) => {
                    return Err(Refusal::rule(
                        "already_reviewed",
                        format!("この事例候補は審査済みです（{}）。", other.label()),
                    ));
                }
            }
            if *verdict != ReviewVerdict::Accept && comment.is_none() {
                return Err(Refusal::invalid(
                    "comment",
                    "差し戻しには支援機関への質問を、不採択にはその理由を書いてください。",
                ));
            }
            one(E::ExampleReviewed {
                case_id,
                on: *on,
                by,
                verdict: *verdict,
                comment: comment.clone(),
            })
        }
        DraftExample { on, write_up, .. } => {
            happened("on", *on, ctx, Some(case))?;
            match status {
                Some(ExampleStatus::Accepted | ExampleStatus::Withdrawn) => {}
                Some(ExampleStatus::Published) => {
                    return Err(Refusal::rule(
                        "published",
                        "公開中の事例の原稿は直せません。先に公開を取り下げてください。",
                    ));
                }
                _ => return Err(not_accepted("原稿")),
            }
            not_empty("writeUp.themes", &write_up.themes, "テーマ")?;
            no_duplicates("writeUp.themes", &write_up.themes)?;
            no_duplicates("writeUp.walls", &write_up.walls)?;
            one(E::ExampleDrafted {
                case_id,
                on: *on,
                by,
                write_up: write_up.clone(),
            })
        }
        PublishExample { on, .. } => {
            happened("on", *on, ctx, Some(case))?;
            match status {
                Some(ExampleStatus::Accepted | ExampleStatus::Withdrawn) => {}
                Some(ExampleStatus::Published) => {
                    return Err(Refusal::rule("published", "この事例は既に公開中です。"));
                }
                _ => return Err(not_accepted("公開")),
            }
            if example.draft.is_none() {
                return Err(Refusal::rule(
                    "no_draft",
                    "公開する原稿がありません。先に原稿を作成してください。",
                ));
            }
            // Publishing needs the owner's consent to collection on the day, as collecting did.
            collection_consent(case, *on)?;
            one(E::ExamplePublished {
                case_id,
                on: *on,
                by,
            })
        }
        WithdrawExample { on, reason, .. } => {
            happened("on", *on, ctx, Some(case))?;
            if status != Some(ExampleStatus::Published) {
                return Err(Refusal::rule(
                    "not_published",
                    "この事例は公開されていません。",
                ));
            }
            one(E::ExampleWithdrawn {
                case_id,
                on: *on,
                by,
                reason: reason.clone(),
            })
        }
        _ => unreachable!("decide routes only example commands here"),
    }
}

/// The actor, a registered, active policy officer (政策担当).
fn policy_officer(ctx: &Context<'_>) -> Result<SupporterId, Refusal> {
    let only = || {
        Refusal::forbidden(
            "policy_officer_only",
            "事例の選定・審査・原稿・公開は政策担当が行います。政策担当のトークンで操作してください。",
        )
    };
    let Actor::Supporter(id) = ctx.actor else {
        return Err(only());
    };
    match ctx.directory.supporter(id) {
        Some(s) if s.is_active() && s.role == Some(SupporterRole::PolicyOfficer) => Ok(id),
        _ => Err(only()),
    }
}

fn not_nominated() -> Refusal {
    Refusal::rule(
        "not_nominated",
        "この案件は事例候補として推薦されていません。先に推薦（候補からの選定）を記録してください。",
    )
}

fn not_accepted(what: &str) -> Refusal {
    Refusal::rule(
        "not_accepted",
        format!("{what}は審査で採択された事例候補にだけ行えます。"),
    )
}
