//! Review and publication of collected cases (好事例・失敗事例): the policy office's commands,
//! and the supporters' answer to its questions.

use async_graphql::{InputObject, Result};
use banso_events::domain::command::Command;
use banso_events::domain::event::WriteUp;
use banso_events::domain::ids::CaseId;
use banso_events::domain::japan::{Industry, Prefecture};
use banso_events::domain::values::{Line, Reason, Text};
use uuid::Uuid;

use super::{all, day, parse, parse_opt};
use crate::vocab::{ExampleSide, ReviewVerdict, Theme, Wall};

/// 候補からの選定: a policy officer puts a candidate forward for review.
#[derive(InputObject)]
pub struct NominateExampleInput {
    /// 案件ID (from the candidates).
    pub case_id: Uuid,
    /// 選定日: YYYY-MM-DD.
    pub on: String,
    /// 好事例か失敗事例か.
    pub side: ExampleSide,
    /// テーマ.
    pub themes: Vec<Theme>,
    /// 選定理由.
    pub reasons: String,
}

impl NominateExampleInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::NominateExample {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            side: self.side.into(),
            themes: all(self.themes),
            reasons: parse("reasons", &self.reasons, Text::parse)?,
        })
    }
}

/// 審査: accept, send back with questions, or reject a nominated case.
#[derive(InputObject)]
pub struct ReviewExampleInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 審査日: YYYY-MM-DD.
    pub on: String,
    /// 審査結果.
    pub verdict: ReviewVerdict,
    /// 質問（差し戻し）または理由（不採択）. Optional when accepting.
    pub comment: Option<String>,
}

impl ReviewExampleInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::ReviewExample {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            verdict: self.verdict.into(),
            comment: parse_opt("comment", self.comment.as_deref(), Text::parse)?,
        })
    }
}

/// 質問への回答: the case's supporters answer the questions a review sent back.
#[derive(InputObject)]
pub struct AnswerExampleQuestionsInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 回答日: YYYY-MM-DD.
    pub on: String,
    /// 回答.
    pub answers: String,
}

impl AnswerExampleQuestionsInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::AnswerExampleQuestions {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            answers: parse("answers", &self.answers, Text::parse)?,
        })
    }
}

/// 事例原稿: the write-up in the shape of the published examples (seed 004).
#[derive(InputObject)]
pub struct WriteUpInput {
    /// 見出し: 【事例】A社（業種・県）.
    pub heading: String,
    /// 支援機関（公開する表記）.
    pub agency: String,
    /// 業種: JSIC 大分類 (E or 製造業).
    pub industry: String,
    /// 都道府県 (埼玉県 or 11); never a municipality.
    pub prefecture: String,
    /// テーマ.
    pub themes: Vec<Theme>,
    /// 壁.
    pub walls: Vec<Wall>,
    /// ＜設定された課題＞.
    pub issues: String,
    /// ＜支援アプローチ＞.
    pub approach: String,
    /// ＜生まれた事業上の変化＞.
    pub changes: String,
}

impl WriteUpInput {
    pub(crate) fn into_write_up(self) -> Result<WriteUp> {
        Ok(WriteUp {
            heading: parse("writeUp.heading", &self.heading, Line::parse)?,
            agency: parse("writeUp.agency", &self.agency, Line::parse)?,
            industry: parse("writeUp.industry", &self.industry, Industry::parse)?,
            prefecture: parse("writeUp.prefecture", &self.prefecture, Prefecture::parse)?,
            themes: all(self.themes),
            walls: all(self.walls),
            issues: parse("writeUp.issues", &self.issues, Text::parse)?,
            approach: parse("writeUp.approach", &self.approach, Text::parse)?,
            changes: parse("writeUp.changes", &self.changes, Text::parse)?,
        })
    }
}

/// 原稿の作成・修正: the policy officer's edited write-up. It is checked against the case's
/// names, numbers, places and confidential notes before it is recorded.
#[derive(InputObject)]
pub struct DraftExampleInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 作成日: YYYY-MM-DD.
    pub on: String,
    pub write_up: WriteUpInput,
}

impl DraftExampleInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::DraftExample {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            write_up: self.write_up.into_write_up()?,
        })
    }
}

/// 公開: publish the drafted write-up in the catalogue.
#[derive(InputObject)]
pub struct PublishExampleInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 公開日: YYYY-MM-DD.
    pub on: String,
}

impl PublishExampleInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::PublishExample {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
        })
    }
}

/// 公開の取下げ.
#[derive(InputObject)]
pub struct WithdrawExampleInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 取下げ日: YYYY-MM-DD.
    pub on: String,
    /// 取下げ理由.
    pub reason: String,
}

impl WithdrawExampleInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::WithdrawExample {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            reason: parse("reason", &self.reason, Reason::parse)?,
        })
    }
}
