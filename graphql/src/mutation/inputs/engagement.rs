//! The case from step zero to issue setting: outreach, the start line and consent, dialogue,
//! issues.

use async_graphql::{InputObject, OneofObject, Result};
use banso_events::domain::command::{Attendee, Command};
use banso_events::domain::event::{CompanyParticipant, Consent, ConsentRecipient, DialogueNote};
use banso_events::domain::ids::{AgencyId, CaseId, DialogueId, IssueId, PersonId, SupporterId};
use banso_events::domain::values::{Minutes, Name, Reason, Text, Title};
use uuid::Uuid;

use super::localbench::{Perspective, PerspectiveItem};
use super::{
    IntoDomain, PersonDetailsInput, all, at, day, each, new_id, number, number_opt, parse,
    parse_opt,
};
use crate::vocab::{AgencyKind, CompanyRole, DialogueMode, Priority, Purpose, Theme, Wall};

/// 訪問の記録 (ステップ・ゼロ): a visit before the start line.
#[derive(InputObject)]
pub struct LogOutreachVisitInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 訪問日: YYYY-MM-DD.
    pub on: String,
    /// 同行した専門家: the expert (a supporter) who came along.
    pub expert: Option<Uuid>,
    /// 所要時間: minutes (1 to 1440).
    pub minutes: Option<i64>,
    /// メモ: what was talked about.
    pub notes: Option<String>,
}

impl LogOutreachVisitInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::LogOutreachVisit {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            expert: self.expert.map(SupporterId),
            minutes: number_opt("minutes", self.minutes, Minutes::new)?,
            notes: parse_opt("notes", self.notes.as_deref(), Text::parse)?,
        })
    }
}

/// 同意: which agencies may receive the case data, for what, until when.
#[derive(InputObject)]
pub struct ConsentInput {
    /// 提供先: the agencies the owner lets receive the case data.
    #[graphql(default)]
    pub recipients: Vec<ConsentRecipientInput>,
    /// 目的: what the data may be used for (支援の実施 is required).
    pub purposes: Vec<Purpose>,
    /// 有効期限: YYYY-MM-DD, after the day of consent.
    pub valid_until: String,
    /// 同意した経営者の人物ID: the owner as a person (e.g. the representative recorded at
    /// discovery); a new person when absent.
    pub given_by: Option<Uuid>,
}

/// 提供先: exactly one of a named agency or every agency of a kind.
#[derive(OneofObject)]
pub enum ConsentRecipientInput {
    /// 支援機関ID: one named agency.
    AgencyId(Uuid),
    /// 機関種別: every agency of a kind (e.g. any よろず支援拠点).
    AgencyKind(AgencyKind),
}

impl From<ConsentRecipientInput> for ConsentRecipient {
    fn from(input: ConsentRecipientInput) -> Self {
        match input {
            ConsentRecipientInput::AgencyId(id) => ConsentRecipient::Agency {
                agency_id: AgencyId(id),
            },
            ConsentRecipientInput::AgencyKind(kind) => ConsentRecipient::AgencyKind {
                agency_kind: kind.into(),
            },
        }
    }
}

impl IntoDomain for ConsentInput {
    type Domain = Consent;

    fn into_domain(self, path: &str) -> Result<Consent> {
        Ok(Consent {
            recipients: all(self.recipients),
            purposes: all(self.purposes),
            valid_until: day(&at(path, "validUntil"), &self.valid_until)?,
            given_by: PersonId(new_id(self.given_by)),
        })
    }
}

/// スタートライン到達: the owner decides to take a step forward and consents.
#[derive(InputObject)]
pub struct ReachStartLineInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 到達日: YYYY-MM-DD.
    pub on: String,
    /// 経営者の決断: what the owner decided, in a sentence or two.
    pub decision: Option<String>,
    /// 同意.
    pub consent: ConsentInput,
    /// 同意した経営者: the owner's name (required) and details.
    pub owner: PersonDetailsInput,
}

impl ReachStartLineInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::ReachStartLine {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            decision: parse_opt("decision", self.decision.as_deref(), Reason::parse)?,
            consent: self.consent.into_domain("consent")?,
            owner: self.owner.into_domain("owner")?,
        })
    }
}

/// 同意内容の変更: the owner's consent as it now stands, replacing the previous one.
#[derive(InputObject)]
pub struct AmendConsentInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 変更日: YYYY-MM-DD.
    pub on: String,
    /// 新しい同意.
    pub consent: ConsentInput,
    /// 同意した経営者.
    pub owner: PersonDetailsInput,
}

impl AmendConsentInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::AmendConsent {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            consent: self.consent.into_domain("consent")?,
            owner: self.owner.into_domain("owner")?,
        })
    }
}

/// 同意の撤回: the owner withdraws consent (a right at any time).
#[derive(InputObject)]
pub struct WithdrawConsentInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 撤回日: YYYY-MM-DD.
    pub on: String,
    /// 理由.
    pub reason: Option<String>,
}

impl WithdrawConsentInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::WithdrawConsent {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            reason: parse_opt("reason", self.reason.as_deref(), Reason::parse)?,
        })
    }
}

/// 対話: a dialogue session with the company (第1段階).
#[derive(InputObject)]
pub struct HoldDialogueInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 対話ID: the new dialogue's id; chosen by the server when absent.
    pub dialogue_id: Option<Uuid>,
    /// 実施日: YYYY-MM-DD.
    pub on: String,
    /// 所要時間: minutes (1 to 1440).
    pub minutes: i64,
    /// 形式: visit, at the agency, online, phone.
    pub mode: DialogueMode,
    /// 場所, e.g. 本社工場.
    pub place: Option<String>,
    /// 参加した支援者: the supporters who took part (at least one).
    pub supporters: Vec<Uuid>,
    /// 参加した専門家: the experts who took part.
    #[graphql(default)]
    pub experts: Vec<Uuid>,
    /// 企業側の参加者: the company's people, with what identifies them.
    #[graphql(default)]
    pub attendees: Vec<AttendeeInput>,
    /// 着目した視点: perspectives covered besides those of the notes' items.
    #[graphql(default)]
    pub perspectives: Vec<Perspective>,
    /// 対話の記録: the notes (at least one).
    pub notes: Vec<DialogueNoteInput>,
}

/// 企業側の参加者: a person from the company at a dialogue.
#[derive(InputObject)]
pub struct AttendeeInput {
    /// 人物ID: the person when Banso knows them (e.g. the owner); a new person when absent.
    pub person_id: Option<Uuid>,
    /// 立場: owner, successor, executive ...
    pub role: CompanyRole,
    /// 個人情報: what identifies them.
    #[graphql(default)]
    pub details: PersonDetailsInput,
}

impl IntoDomain for AttendeeInput {
    type Domain = Attendee;

    fn into_domain(self, path: &str) -> Result<Attendee> {
        Ok(Attendee {
            participant: CompanyParticipant {
                person: PersonId(new_id(self.person_id)),
                role: self.role.into(),
            },
            details: self.details.into_domain(&at(path, "details"))?,
        })
    }
}

/// 対話メモ: one note, optionally under a Local Benchmark item.
#[derive(InputObject)]
pub struct DialogueNoteInput {
    /// 4つの視点の項目: the item the note is filed under.
    pub item: Option<PerspectiveItem>,
    /// 内容. Write what concerns a person in that attendee's remarks, not here.
    pub text: String,
    /// 秘: a confidential note never travels in a handover nor appears in a publication.
    #[graphql(default)]
    pub confidential: bool,
}

impl IntoDomain for DialogueNoteInput {
    type Domain = DialogueNote;

    fn into_domain(self, path: &str) -> Result<DialogueNote> {
        Ok(DialogueNote {
            item: self.item.map(Into::into),
            text: parse(&at(path, "text"), &self.text, Text::parse)?,
            confidential: self.confidential,
        })
    }
}

impl HoldDialogueInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::HoldDialogue {
            case_id: CaseId(self.case_id),
            dialogue_id: DialogueId(new_id(self.dialogue_id)),
            on: day("on", &self.on)?,
            minutes: number("minutes", self.minutes, Minutes::new)?,
            mode: self.mode.into(),
            place: parse_opt("place", self.place.as_deref(), Name::parse)?,
            supporters: all(self.supporters),
            experts: all(self.experts),
            attendees: each("attendees", self.attendees)?,
            perspectives: all(self.perspectives),
            notes: each("notes", self.notes)?,
        })
    }
}

/// 課題設定: an issue decided with the owner.
#[derive(InputObject)]
pub struct SetIssueInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 課題ID: the new issue's id; chosen by the server when absent.
    pub issue_id: Option<Uuid>,
    /// 設定日: the day it was decided with the owner, YYYY-MM-DD.
    pub on: String,
    /// 課題名, e.g. 製品別の原価が見えていない.
    pub title: String,
    /// 内容: the issue in more words.
    pub description: Option<String>,
    /// テーマ.
    pub theme: Theme,
    /// 自己変革への壁: the walls in the way.
    #[graphql(default)]
    pub walls: Vec<Wall>,
    /// 優先度.
    pub priority: Priority,
    /// 経営者の納得（腹落ち）: whether the owner agrees this is the issue.
    pub owner_agrees: bool,
}

impl SetIssueInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::SetIssue {
            case_id: CaseId(self.case_id),
            issue_id: IssueId(new_id(self.issue_id)),
            on: day("on", &self.on)?,
            title: parse("title", &self.title, Title::parse)?,
            description: parse_opt("description", self.description.as_deref(), Text::parse)?,
            theme: self.theme.into(),
            walls: all(self.walls),
            priority: self.priority.into(),
            owner_agrees: self.owner_agrees,
        })
    }
}

/// 課題の見直し: an open issue as it now stands, with why it changed.
#[derive(InputObject)]
pub struct ReviseIssueInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 課題ID.
    pub issue_id: Uuid,
    /// 見直し日: the day it was decided with the owner, YYYY-MM-DD.
    pub on: String,
    /// 課題名.
    pub title: String,
    /// 内容.
    pub description: Option<String>,
    /// テーマ.
    pub theme: Theme,
    /// 自己変革への壁.
    #[graphql(default)]
    pub walls: Vec<Wall>,
    /// 優先度.
    pub priority: Priority,
    /// 経営者の納得（腹落ち）.
    pub owner_agrees: bool,
    /// 見直しの理由.
    pub reason: String,
}

impl ReviseIssueInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::ReviseIssue {
            case_id: CaseId(self.case_id),
            issue_id: IssueId(self.issue_id),
            on: day("on", &self.on)?,
            title: parse("title", &self.title, Title::parse)?,
            description: parse_opt("description", self.description.as_deref(), Text::parse)?,
            theme: self.theme.into(),
            walls: all(self.walls),
            priority: self.priority.into(),
            owner_agrees: self.owner_agrees,
            reason: parse("reason", &self.reason, Reason::parse)?,
        })
    }
}

/// 課題の取り下げ: an issue no longer pursued, decided with the owner.
#[derive(InputObject)]
pub struct DropIssueInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 課題ID.
    pub issue_id: Uuid,
    /// 取り下げ日: YYYY-MM-DD.
    pub on: String,
    /// 理由.
    pub reason: String,
}

impl DropIssueInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::DropIssue {
            case_id: CaseId(self.case_id),
            issue_id: IssueId(self.issue_id),
            on: day("on", &self.on)?,
            reason: parse("reason", &self.reason, Reason::parse)?,
        })
    }
}

/// 課題の解決.
#[derive(InputObject)]
pub struct ResolveIssueInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 課題ID.
    pub issue_id: Uuid,
    /// 解決日: YYYY-MM-DD.
    pub on: String,
    /// どう解決したか: how it was resolved.
    pub how: String,
}

impl ResolveIssueInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::ResolveIssue {
            case_id: CaseId(self.case_id),
            issue_id: IssueId(self.issue_id),
            on: day("on", &self.on)?,
            how: parse("how", &self.how, Reason::parse)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::value;
    use banso_events::domain::localbench as bench;
    use banso_events::domain::vocab as domain;

    use super::super::testing::*;
    use super::*;

    #[test]
    fn the_start_line_converts_with_consent_and_owner() {
        let command = input::<ReachStartLineInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-04-17",
            "decision": "一歩前に踏み出そう、と社長が決断",
            "consent": {
                "recipients": [
                    { "agencyKind": "YOROZU_SUPPORT_CENTER" },
                    { "agencyId": id(0xa04) },
                ],
                "purposes": ["SUPPORT", "HANDOVER"],
                "validUntil": "2026-12-31",
                "givenBy": id(0xb001),
            },
            "owner": { "name": "川口 一郎" },
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            Command::ReachStartLine {
                case_id: CaseId(id(0xca5e)),
                on: date("2025-04-17"),
                decision: Some(note("一歩前に踏み出そう、と社長が決断")),
                consent: Consent {
                    recipients: vec![
                        ConsentRecipient::AgencyKind {
                            agency_kind: domain::AgencyKind::YorozuSupportCenter,
                        },
                        ConsentRecipient::Agency {
                            agency_id: AgencyId(id(0xa04)),
                        },
                    ],
                    purposes: vec![domain::Purpose::Support, domain::Purpose::Handover],
                    valid_until: date("2026-12-31"),
                    given_by: PersonId(id(0xb001)),
                },
                owner: named("川口 一郎"),
            }
        );
    }

    #[test]
    fn a_bad_consent_date_or_owner_is_named() {
        let result = input::<AmendConsentInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-06-01",
            "consent": { "purposes": ["SUPPORT"], "validUntil": "2026-02-30" },
            "owner": { "name": "川口 一郎" },
        }))
        .into_command();
        assert_bad_input(result, "consent.validUntil", "2026-02-30");
        let result = input::<AmendConsentInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-06-01",
            "consent": { "purposes": ["SUPPORT"], "validUntil": "2026-12-31" },
            "owner": { "name": "川口 一郎", "phone": "12-34" },
        }))
        .into_command();
        assert_bad_input(result, "owner.phone", "電話番号");
    }

    #[test]
    fn a_dialogue_converts_attendees_and_notes() {
        let command = input::<HoldDialogueInput>(value!({
            "caseId": id(0xca5e),
            "dialogueId": id(0xd1a1),
            "on": "2025-05-08",
            "minutes": 150,
            "mode": "VISIT",
            "place": "川口精密 本社工場",
            "supporters": [id(0x5001), id(0x5002)],
            "experts": [id(0x5004)],
            "attendees": [
                { "personId": id(0xb001), "role": "OWNER", "details": { "name": "川口 一郎" } },
                { "personId": id(0xb002), "role": "SUCCESSOR", "details": { "name": "川口 健太" } },
            ],
            "perspectives": ["ENVIRONMENT_FOCUS"],
            "notes": [
                { "item": "BUSINESS_SUCCESSION", "text": "長男への承継を考えている", "confidential": true },
                { "text": "受注減の背景を傾聴" },
            ],
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            Command::HoldDialogue {
                case_id: CaseId(id(0xca5e)),
                dialogue_id: DialogueId(id(0xd1a1)),
                on: date("2025-05-08"),
                minutes: Minutes::new(150).unwrap(),
                mode: domain::DialogueMode::Visit,
                place: Some(line("川口精密 本社工場")),
                supporters: vec![SupporterId(id(0x5001)), SupporterId(id(0x5002))],
                experts: vec![SupporterId(id(0x5004))],
                attendees: vec![
                    Attendee {
                        participant: CompanyParticipant {
                            person: PersonId(id(0xb001)),
                            role: domain::CompanyRole::Owner,
                        },
                        details: named("川口 一郎"),
                    },
                    Attendee {
                        participant: CompanyParticipant {
                            person: PersonId(id(0xb002)),
                            role: domain::CompanyRole::Successor,
                        },
                        details: named("川口 健太"),
                    },
                ],
                perspectives: vec![bench::Perspective::EnvironmentFocus],
                notes: vec![
                    DialogueNote {
                        item: Some(bench::PerspectiveItem::BusinessSuccession),
                        text: note("長男への承継を考えている"),
                        confidential: true,
                    },
                    DialogueNote {
                        item: None,
                        text: note("受注減の背景を傾聴"),
                        confidential: false,
                    },
                ],
            }
        );
    }

    #[test]
    fn bad_dialogue_values_are_named_by_item() {
        let dialogue = |attendees, notes, minutes| {
            input::<HoldDialogueInput>(value!({
                "caseId": id(0xca5e),
                "on": "2025-05-08",
                "minutes": minutes,
                "mode": "ONLINE",
                "supporters": [id(0x5001)],
                "attendees": attendees,
                "notes": notes,
            }))
            .into_command()
        };
        let ok_note = value!([{ "text": "受注減の背景を傾聴" }]);
        assert_bad_input(
            dialogue(
                value!([
                    { "role": "OWNER" },
                    { "role": "EMPLOYEE", "details": { "remarks": "\u{0}" } },
                ]),
                ok_note.clone(),
                60,
            ),
            "attendees[1].details.remarks",
            "U+0000",
        );
        assert_bad_input(
            dialogue(
                value!([]),
                value!([{ "text": "傾聴" }, { "text": "\u{3000}" }]),
                60,
            ),
            "notes[1].text",
            "空欄",
        );
        assert_bad_input(dialogue(value!([]), ok_note, 0), "minutes", "1から1440");
    }

    #[test]
    fn an_issue_converts_and_new_ids_are_fresh() {
        let command = input::<SetIssueInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-04-24",
            "title": "原価が見えていない",
            "theme": "MANAGEMENT_IMPROVEMENT",
            "walls": ["INVISIBLE", "NOT_FACING"],
            "priority": "HIGH",
            "ownerAgrees": true,
        }))
        .into_command()
        .unwrap();
        let Command::SetIssue { issue_id, .. } = &command else {
            panic!("not an issue: {command:?}");
        };
        assert_ne!(issue_id.0, Uuid::nil());
        assert_eq!(
            command,
            Command::SetIssue {
                case_id: CaseId(id(0xca5e)),
                issue_id: *issue_id,
                on: date("2025-04-24"),
                title: line("原価が見えていない"),
                description: None,
                theme: domain::Theme::ManagementImprovement,
                walls: vec![domain::Wall::Invisible, domain::Wall::NotFacing],
                priority: domain::Priority::High,
                owner_agrees: true,
            }
        );
        let result = input::<ReviseIssueInput>(value!({
            "caseId": id(0xca5e),
            "issueId": id(0x1551),
            "on": "2025-04-24",
            "title": "原価が見えていない",
            "theme": "MANAGEMENT_IMPROVEMENT",
            "priority": "HIGH",
            "ownerAgrees": true,
            "reason": "",
        }))
        .into_command();
        assert_bad_input(result, "reason", "空欄");
    }
}
