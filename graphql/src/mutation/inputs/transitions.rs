//! Where a case goes: the supporter in charge, handovers between agencies, self-running,
//! closing and reopening, collection as a good-practice or failure example.

use async_graphql::{InputObject, Result};
use banso_events::domain::command::Command;
use banso_events::domain::ids::{AgencyId, CaseId, HandoverId, SupporterId};
use banso_events::domain::values::{Reason, Text};
use uuid::Uuid;

use super::{all, day, new_id, parse, parse_opt};
use crate::vocab::{ClosingOutcome, Theme, Wall};

/// 担当者交代: another supporter of the holding agency takes charge of the case.
#[derive(InputObject)]
pub struct ChangeSupporterInChargeInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 新しい担当者: the supporter who takes charge.
    pub to: Uuid,
    /// 交代日: YYYY-MM-DD.
    pub on: String,
    /// 理由: e.g. 異動.
    pub reason: Option<String>,
}

impl ChangeSupporterInChargeInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::ChangeSupporterInCharge {
            case_id: CaseId(self.case_id),
            to: SupporterId(self.to),
            on: day("on", &self.on)?,
            reason: parse_opt("reason", self.reason.as_deref(), Reason::parse)?,
        })
    }
}

/// 引継ぎの依頼: ask another agency to take the case over.
#[derive(InputObject)]
pub struct RequestHandoverInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 引継ぎID: the new handover's id; chosen by the server when absent.
    pub handover_id: Option<Uuid>,
    /// 引継ぎ先の支援機関ID.
    pub to_agency: Uuid,
    /// 依頼日: YYYY-MM-DD.
    pub on: String,
    /// 理由: why the case goes to that agency.
    pub reason: String,
    /// 引継ぎ内容の要約: what the receiver should know (confidential notes never travel).
    pub summary: String,
    /// 引き継ぐ課題: the open issues handed over.
    #[graphql(default)]
    pub issues: Vec<Uuid>,
    /// 送り手も伴走を続ける: the sending agency keeps accompanying the company (e.g. a shinkin
    /// bank that goes on financing it); on acceptance its supporter in charge joins the team.
    #[graphql(default)]
    pub sender_stays: bool,
}

impl RequestHandoverInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::RequestHandover {
            case_id: CaseId(self.case_id),
            handover_id: HandoverId(new_id(self.handover_id)),
            to_agency: AgencyId(self.to_agency),
            on: day("on", &self.on)?,
            reason: parse("reason", &self.reason, Reason::parse)?,
            summary: parse("summary", &self.summary, Text::parse)?,
            issues: all(self.issues),
            sender_stays: self.sender_stays,
        })
    }
}

/// 引継ぎの受諾 (by the receiving agency).
#[derive(InputObject)]
pub struct AcceptHandoverInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 引継ぎID.
    pub handover_id: Uuid,
    /// 受諾日: YYYY-MM-DD.
    pub on: String,
}

impl AcceptHandoverInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::AcceptHandover {
            case_id: CaseId(self.case_id),
            handover_id: HandoverId(self.handover_id),
            on: day("on", &self.on)?,
        })
    }
}

/// 引継ぎの辞退 (by the receiving agency).
#[derive(InputObject)]
pub struct DeclineHandoverInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 引継ぎID.
    pub handover_id: Uuid,
    /// 辞退日: YYYY-MM-DD.
    pub on: String,
    /// 辞退の理由.
    pub reason: String,
}

impl DeclineHandoverInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::DeclineHandover {
            case_id: CaseId(self.case_id),
            handover_id: HandoverId(self.handover_id),
            on: day("on", &self.on)?,
            reason: parse("reason", &self.reason, Reason::parse)?,
        })
    }
}

/// 引継ぎの取下げ (by the sending agency, while the request awaits an answer).
#[derive(InputObject)]
pub struct WithdrawHandoverInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 引継ぎID.
    pub handover_id: Uuid,
    /// 取下げ日: YYYY-MM-DD.
    pub on: String,
    /// 取下げの理由.
    pub reason: String,
}

impl WithdrawHandoverInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::WithdrawHandover {
            case_id: CaseId(self.case_id),
            handover_id: HandoverId(self.handover_id),
            on: day("on", &self.on)?,
            reason: parse("reason", &self.reason, Reason::parse)?,
        })
    }
}

/// 引継ぎの完了: the handover is done, with its outcome.
#[derive(InputObject)]
pub struct CompleteHandoverInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 引継ぎID.
    pub handover_id: Uuid,
    /// 完了日: YYYY-MM-DD.
    pub on: String,
    /// 結果: how the handover ended.
    pub outcome: String,
}

impl CompleteHandoverInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::CompleteHandover {
            case_id: CaseId(self.case_id),
            handover_id: HandoverId(self.handover_id),
            on: day("on", &self.on)?,
            outcome: parse("outcome", &self.outcome, Reason::parse)?,
        })
    }
}

/// 自走化の到達: the company runs its own PDCA without the supporter.
#[derive(InputObject)]
pub struct ReachSelfRunningInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 到達日: YYYY-MM-DD.
    pub on: String,
    /// 根拠: what shows the company runs on its own.
    pub evidence: String,
}

impl ReachSelfRunningInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::ReachSelfRunning {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            evidence: parse("evidence", &self.evidence, Text::parse)?,
        })
    }
}

/// 案件の終了.
#[derive(InputObject)]
pub struct CloseCaseInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 終了日: YYYY-MM-DD.
    pub on: String,
    /// 終了理由.
    pub outcome: ClosingOutcome,
    /// メモ.
    pub note: Option<String>,
}

impl CloseCaseInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::CloseCase {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            outcome: self.outcome.into(),
            note: parse_opt("note", self.note.as_deref(), Reason::parse)?,
        })
    }
}

/// 案件の再開: a closed case opens again.
#[derive(InputObject)]
pub struct ReopenCaseInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 再開日: YYYY-MM-DD.
    pub on: String,
    /// 理由.
    pub reason: String,
}

impl ReopenCaseInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::ReopenCase {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            reason: parse("reason", &self.reason, Reason::parse)?,
        })
    }
}

/// 好事例としての推薦.
#[derive(InputObject)]
pub struct NominateGoodPracticeInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 推薦日: YYYY-MM-DD.
    pub on: String,
    /// テーマ: what the case is a good example of.
    pub themes: Vec<Theme>,
    /// 推薦理由.
    pub reasons: String,
}

impl NominateGoodPracticeInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::NominateGoodPractice {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            themes: all(self.themes),
            reasons: parse("reasons", &self.reasons, Text::parse)?,
        })
    }
}

/// 失敗事例の記録: what did not work, so others can learn from it.
#[derive(InputObject)]
pub struct RecordFailureCaseInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 記録日: YYYY-MM-DD.
    pub on: String,
    /// 越えられなかった壁.
    pub walls: Vec<Wall>,
    /// 要因: why it failed.
    pub reasons: String,
    /// 教訓: what to do differently.
    pub lessons: Option<String>,
}

impl RecordFailureCaseInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::RecordFailureCase {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            walls: all(self.walls),
            reasons: parse("reasons", &self.reasons, Text::parse)?,
            lessons: parse_opt("lessons", self.lessons.as_deref(), Text::parse)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::value;
    use banso_events::domain::ids::IssueId;
    use banso_events::domain::vocab as domain;

    use super::super::testing::*;
    use super::*;

    #[test]
    fn a_handover_request_converts_with_its_issues() {
        let command = input::<RequestHandoverInput>(value!({
            "caseId": id(0xca5e),
            "handoverId": id(0x4a4d),
            "toAgency": id(0xa02),
            "on": "2025-06-01",
            "reason": "販路開拓の専門支援が必要になったため",
            "summary": "原価計算は定着。\r\n次は新規顧客の開拓。",
            "issues": [id(0x1552)],
            "senderStays": true,
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            Command::RequestHandover {
                case_id: CaseId(id(0xca5e)),
                handover_id: HandoverId(id(0x4a4d)),
                to_agency: AgencyId(id(0xa02)),
                on: date("2025-06-01"),
                reason: note("販路開拓の専門支援が必要になったため"),
                summary: note("原価計算は定着。\n次は新規顧客の開拓。"),
                issues: vec![IssueId(id(0x1552))],
                sender_stays: true,
            }
        );
    }

    #[test]
    fn declining_and_withdrawing_are_different_commands() {
        let answer = value!({
            "caseId": id(0xca5e),
            "handoverId": id(0x4a4d),
            "on": "2025-06-05",
            "reason": "担当できる専門家が不在のため",
        });
        assert_eq!(
            input::<DeclineHandoverInput>(answer.clone())
                .into_command()
                .unwrap(),
            Command::DeclineHandover {
                case_id: CaseId(id(0xca5e)),
                handover_id: HandoverId(id(0x4a4d)),
                on: date("2025-06-05"),
                reason: note("担当できる専門家が不在のため"),
            }
        );
        assert_eq!(
            input::<WithdrawHandoverInput>(answer)
                .into_command()
                .unwrap(),
            Command::WithdrawHandover {
                case_id: CaseId(id(0xca5e)),
                handover_id: HandoverId(id(0x4a4d)),
                on: date("2025-06-05"),
                reason: note("担当できる専門家が不在のため"),
            }
        );
    }

    #[test]
    fn closing_and_collection_convert() {
        let command = input::<CloseCaseInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-06-20",
            "outcome": "SUSPENDED",
            "note": "会社側の事情により支援を中断",
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            Command::CloseCase {
                case_id: CaseId(id(0xca5e)),
                on: date("2025-06-20"),
                outcome: domain::ClosingOutcome::Suspended,
                note: Some(note("会社側の事情により支援を中断")),
            }
        );
        let command = input::<RecordFailureCaseInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-06-20",
            "walls": ["NOT_FOLLOWING"],
            "reasons": "現場を巻き込めなかった",
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            Command::RecordFailureCase {
                case_id: CaseId(id(0xca5e)),
                on: date("2025-06-20"),
                walls: vec![domain::Wall::NotFollowing],
                reasons: note("現場を巻き込めなかった"),
                lessons: None,
            }
        );
    }

    #[test]
    fn bad_text_and_days_are_named() {
        let result = input::<ReachSelfRunningInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-06-20",
            "evidence": "月次の振り返りを社内で継続\u{7}",
        }))
        .into_command();
        assert_bad_input(result, "evidence", "U+0007");
        let result = input::<ReopenCaseInput>(value!({
            "caseId": id(0xca5e),
            "on": "1899-12-31",
            "reason": "再び受注が減少",
        }))
        .into_command();
        assert_bad_input(result, "on", "1900年から2100年");
    }
}
