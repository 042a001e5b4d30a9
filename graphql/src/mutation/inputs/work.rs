//! The work on a case: the prescription (measures with KPIs), the team, execution, reviews.

use async_graphql::{InputObject, OneofObject, Result};
use banso_events::domain::command::{self, Command};
use banso_events::domain::event::MeasureOwner;
use banso_events::domain::ids::{CaseId, IssueId, KpiId, MeasureId, PersonId, SupporterId};
use banso_events::domain::values::{Line, Name, Percent, Quantity, Reason, Text, Title};
use uuid::Uuid;

use super::{
    IntoDomain, all, at, day, day_opt, each, new_id, number, number_opt, parse, parse_opt,
};
use crate::vocab::{MeasureKind, TeamRole, Wall};

/// 処方箋（施策）: a measure against open issues, with the KPIs that measure its effect.
#[derive(InputObject)]
pub struct PrescribeMeasureInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 施策ID: the new measure's id; chosen by the server when absent.
    pub measure_id: Option<Uuid>,
    /// 処方日: the day the measure was prescribed, YYYY-MM-DD.
    pub on: String,
    /// 取り組む課題: the open issues the measure addresses (at least one).
    pub issues: Vec<Uuid>,
    /// 施策の種類.
    pub kind: MeasureKind,
    /// 施策名, e.g. 製品別原価計算の導入.
    pub title: String,
    /// 内容.
    pub description: Option<String>,
    /// 実施者: who carries the measure out.
    pub owner: MeasureOwnerInput,
    /// 開始日: YYYY-MM-DD.
    pub starts_on: String,
    /// 期限: YYYY-MM-DD, not before the start.
    pub due_on: String,
    /// KPI（管理指標）: how its effect is measured (at least one).
    pub kpis: Vec<KpiInput>,
}

/// 実施者: exactly one of a supporter of the case team or the company's own people.
#[derive(OneofObject)]
pub enum MeasureOwnerInput {
    /// 支援者ID: a supporter or an expert of the case team.
    SupporterId(Uuid),
    /// 企業側: the company's own people.
    Company(CompanyOwnerInput),
}

/// 企業側の実施者: a person, a named internal team, or both.
#[derive(InputObject)]
pub struct CompanyOwnerInput {
    /// 人物ID: a person from the company (e.g. an attendee of a dialogue).
    pub person_id: Option<Uuid>,
    /// チーム名, e.g. 改善プロジェクト.
    pub team: Option<String>,
}

impl IntoDomain for MeasureOwnerInput {
    type Domain = MeasureOwner;

    fn into_domain(self, path: &str) -> Result<MeasureOwner> {
        Ok(match self {
            MeasureOwnerInput::SupporterId(id) => MeasureOwner::Supporter {
                supporter_id: SupporterId(id),
            },
            MeasureOwnerInput::Company(company) => MeasureOwner::Company {
                person: company.person_id.map(PersonId),
                team: parse_opt(
                    &at(path, "company.team"),
                    company.team.as_deref(),
                    Name::parse,
                )?,
            },
        })
    }
}

/// KPI（管理指標）: from a baseline to a target, in a unit. A target above the baseline means
/// higher is better.
#[derive(InputObject)]
pub struct KpiInput {
    /// KPI ID: the new KPI's id; chosen by the server when absent.
    pub kpi_id: Option<Uuid>,
    /// 指標名, e.g. 営業利益率.
    pub name: String,
    /// 単位, e.g. %, 件, 円.
    pub unit: String,
    /// 基準値: the value at the start.
    pub baseline: f64,
    /// 目標値: the value aimed at.
    pub target: f64,
}

impl IntoDomain for KpiInput {
    type Domain = command::KpiInput;

    fn into_domain(self, path: &str) -> Result<command::KpiInput> {
        Ok(command::KpiInput {
            kpi_id: KpiId(new_id(self.kpi_id)),
            name: parse(&at(path, "name"), &self.name, Title::parse)?,
            unit: parse(&at(path, "unit"), &self.unit, Line::<20>::parse)?,
            baseline: number(&at(path, "baseline"), self.baseline, Quantity::new)?,
            target: number(&at(path, "target"), self.target, Quantity::new)?,
        })
    }
}

impl PrescribeMeasureInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::PrescribeMeasure {
            case_id: CaseId(self.case_id),
            measure_id: MeasureId(new_id(self.measure_id)),
            on: day("on", &self.on)?,
            issues: all(self.issues),
            kind: self.kind.into(),
            title: parse("title", &self.title, Title::parse)?,
            description: parse_opt("description", self.description.as_deref(), Text::parse)?,
            owner: self.owner.into_domain("owner")?,
            starts_on: day("startsOn", &self.starts_on)?,
            due_on: day("dueOn", &self.due_on)?,
            kpis: each("kpis", self.kpis)?,
        })
    }
}

/// チーム編成: a supporter joins the case team.
#[derive(InputObject)]
pub struct AddTeamMemberInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 支援者ID: the supporter who joins.
    pub supporter_id: Uuid,
    /// チームでの役割.
    pub role: TeamRole,
    /// 参加日: YYYY-MM-DD.
    pub on: String,
    /// 派遣目的: why an expert is dispatched.
    pub dispatch_purpose: Option<String>,
    /// 派遣期間の終了日: YYYY-MM-DD.
    pub until: Option<String>,
}

impl AddTeamMemberInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::AddTeamMember {
            case_id: CaseId(self.case_id),
            supporter_id: SupporterId(self.supporter_id),
            role: self.role.into(),
            on: day("on", &self.on)?,
            dispatch_purpose: parse_opt(
                "dispatchPurpose",
                self.dispatch_purpose.as_deref(),
                Reason::parse,
            )?,
            until: day_opt("until", self.until.as_deref())?,
        })
    }
}

/// チームからの離脱.
#[derive(InputObject)]
pub struct RemoveTeamMemberInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 支援者ID: the supporter who leaves.
    pub supporter_id: Uuid,
    /// 離脱日: YYYY-MM-DD.
    pub on: String,
    /// 理由.
    pub reason: Option<String>,
}

impl RemoveTeamMemberInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::RemoveTeamMember {
            case_id: CaseId(self.case_id),
            supporter_id: SupporterId(self.supporter_id),
            on: day("on", &self.on)?,
            reason: parse_opt("reason", self.reason.as_deref(), Reason::parse)?,
        })
    }
}

/// 施策の開始.
#[derive(InputObject)]
pub struct StartMeasureInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 施策ID.
    pub measure_id: Uuid,
    /// 開始日: YYYY-MM-DD.
    pub on: String,
}

impl StartMeasureInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::StartMeasure {
            case_id: CaseId(self.case_id),
            measure_id: MeasureId(self.measure_id),
            on: day("on", &self.on)?,
        })
    }
}

/// 進捗の記録.
#[derive(InputObject)]
pub struct LogProgressInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 施策ID.
    pub measure_id: Uuid,
    /// 記録日: YYYY-MM-DD.
    pub on: String,
    /// 進捗メモ.
    pub note: String,
    /// 進捗率: 0 to 100 (%).
    pub percent: Option<i64>,
}

impl LogProgressInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::LogProgress {
            case_id: CaseId(self.case_id),
            measure_id: MeasureId(self.measure_id),
            on: day("on", &self.on)?,
            note: parse("note", &self.note, Text::parse)?,
            percent: number_opt("percent", self.percent, Percent::new)?,
        })
    }
}

/// 停滞の記録: a measure stalls at one of the five walls.
#[derive(InputObject)]
pub struct ReportStallInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 施策ID.
    pub measure_id: Uuid,
    /// 記録日: YYYY-MM-DD.
    pub on: String,
    /// 壁: the wall the measure ran into.
    pub wall: Wall,
    /// 状況: what happened.
    pub note: String,
}

impl ReportStallInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::ReportStall {
            case_id: CaseId(self.case_id),
            measure_id: MeasureId(self.measure_id),
            on: day("on", &self.on)?,
            wall: self.wall.into(),
            note: parse("note", &self.note, Text::parse)?,
        })
    }
}

/// 施策の再開: a stalled measure moves again.
#[derive(InputObject)]
pub struct ResumeMeasureInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 施策ID.
    pub measure_id: Uuid,
    /// 再開日: YYYY-MM-DD.
    pub on: String,
    /// メモ: what got it moving.
    pub note: Option<String>,
}

impl ResumeMeasureInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::ResumeMeasure {
            case_id: CaseId(self.case_id),
            measure_id: MeasureId(self.measure_id),
            on: day("on", &self.on)?,
            note: parse_opt("note", self.note.as_deref(), Reason::parse)?,
        })
    }
}

/// 施策の完了.
#[derive(InputObject)]
pub struct CompleteMeasureInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 施策ID.
    pub measure_id: Uuid,
    /// 完了日: YYYY-MM-DD.
    pub on: String,
    /// 結果: what the measure achieved.
    pub result: Option<String>,
}

impl CompleteMeasureInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::CompleteMeasure {
            case_id: CaseId(self.case_id),
            measure_id: MeasureId(self.measure_id),
            on: day("on", &self.on)?,
            result: parse_opt("result", self.result.as_deref(), Text::parse)?,
        })
    }
}

/// 壁の克服: one of an issue's walls is overcome.
#[derive(InputObject)]
pub struct OvercomeWallInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 課題ID.
    pub issue_id: Uuid,
    /// 壁.
    pub wall: Wall,
    /// 克服日: YYYY-MM-DD.
    pub on: String,
    /// どう乗り越えたか: how it was overcome.
    pub how: String,
    /// 施策ID: the measure that overcame it, if one did.
    pub measure_id: Option<Uuid>,
}

impl OvercomeWallInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::OvercomeWall {
            case_id: CaseId(self.case_id),
            issue_id: IssueId(self.issue_id),
            wall: self.wall.into(),
            on: day("on", &self.on)?,
            how: parse("how", &self.how, Text::parse)?,
            measure_id: self.measure_id.map(MeasureId),
        })
    }
}

/// KPIの測定: a measured value of a measure's KPI.
#[derive(InputObject)]
pub struct MeasureKpiInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 施策ID.
    pub measure_id: Uuid,
    /// KPI ID.
    pub kpi_id: Uuid,
    /// 測定日: YYYY-MM-DD.
    pub on: String,
    /// 測定値: in the KPI's unit.
    pub value: f64,
}

impl MeasureKpiInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::MeasureKpi {
            case_id: CaseId(self.case_id),
            measure_id: MeasureId(self.measure_id),
            kpi_id: KpiId(self.kpi_id),
            on: day("on", &self.on)?,
            value: number("value", self.value, Quantity::new)?,
        })
    }
}

/// 検証・見直し: a review of the cycle's measures (PDCA の C と A).
#[derive(InputObject)]
pub struct HoldReviewInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 実施日: YYYY-MM-DD.
    pub on: String,
    /// KPIの検証結果: the value seen for each KPI reviewed.
    #[graphql(default)]
    pub findings: Vec<FindingInput>,
    /// うまくいったこと.
    pub worked: Option<String>,
    /// うまくいかなかったこと.
    pub not_worked: Option<String>,
    /// 修正・改善: what changes.
    pub adjustments: Option<String>,
    /// 次回の検証日: YYYY-MM-DD.
    pub next_review_on: Option<String>,
    /// 次のPDCAサイクルを始める: start the next cycle with this review.
    #[graphql(default)]
    pub start_next_cycle: bool,
}

/// KPIの検証結果: the value seen for one KPI.
#[derive(InputObject)]
pub struct FindingInput {
    /// 施策ID.
    pub measure_id: Uuid,
    /// KPI ID.
    pub kpi_id: Uuid,
    /// 実績値: in the KPI's unit.
    pub value: f64,
    /// 所見.
    pub note: Option<String>,
}

impl IntoDomain for FindingInput {
    type Domain = command::FindingInput;

    fn into_domain(self, path: &str) -> Result<command::FindingInput> {
        Ok(command::FindingInput {
            measure_id: MeasureId(self.measure_id),
            kpi_id: KpiId(self.kpi_id),
            value: number(&at(path, "value"), self.value, Quantity::new)?,
            note: parse_opt(&at(path, "note"), self.note.as_deref(), Reason::parse)?,
        })
    }
}

impl HoldReviewInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::HoldReview {
            case_id: CaseId(self.case_id),
            on: day("on", &self.on)?,
            findings: each("findings", self.findings)?,
            worked: parse_opt("worked", self.worked.as_deref(), Text::parse)?,
            not_worked: parse_opt("notWorked", self.not_worked.as_deref(), Text::parse)?,
            adjustments: parse_opt("adjustments", self.adjustments.as_deref(), Text::parse)?,
            next_review_on: day_opt("nextReviewOn", self.next_review_on.as_deref())?,
            start_next_cycle: self.start_next_cycle,
        })
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::value;
    use banso_events::domain::vocab as domain;

    use super::super::testing::*;
    use super::*;

    fn kpi(name: &str, baseline: f64, target: f64) -> command::KpiInput {
        command::KpiInput {
            kpi_id: KpiId(id(0x4b11)),
            name: line(name),
            unit: line("%"),
            baseline: Quantity::new(baseline).unwrap(),
            target: Quantity::new(target).unwrap(),
        }
    }

    #[test]
    fn a_prescription_converts_with_owner_and_kpis() {
        let command = input::<PrescribeMeasureInput>(value!({
            "caseId": id(0xca5e),
            "measureId": id(0x3ea1),
            "on": "2025-04-24",
            "issues": [id(0x1551)],
            "kind": "BUSINESS_PLANNING",
            "title": "製品別原価計算の導入",
            "owner": { "supporterId": id(0x5001) },
            "startsOn": "2025-05-01",
            "dueOn": "2025-09-30",
            "kpis": [{ "kpiId": id(0x4b11), "name": "営業利益率", "unit": "%", "baseline": 2, "target": 5.5 }],
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            Command::PrescribeMeasure {
                case_id: CaseId(id(0xca5e)),
                measure_id: MeasureId(id(0x3ea1)),
                on: date("2025-04-24"),
                issues: vec![IssueId(id(0x1551))],
                kind: domain::MeasureKind::BusinessPlanning,
                title: line("製品別原価計算の導入"),
                description: None,
                owner: MeasureOwner::Supporter {
                    supporter_id: SupporterId(id(0x5001)),
                },
                starts_on: date("2025-05-01"),
                due_on: date("2025-09-30"),
                kpis: vec![kpi("営業利益率", 2.0, 5.5)],
            }
        );
    }

    #[test]
    fn the_company_can_own_a_measure() {
        let owner: MeasureOwnerInput = input(value!({
            "company": { "personId": id(0xb002), "team": "改善プロジェクト" },
        }));
        assert_eq!(
            owner.into_domain("owner").unwrap(),
            MeasureOwner::Company {
                person: Some(PersonId(id(0xb002))),
                team: Some(line("改善プロジェクト")),
            }
        );
        let owner: MeasureOwnerInput = input(value!({ "company": { "team": "改善\nチーム" } }));
        assert_bad_input(owner.into_domain("owner"), "owner.company.team", "改行");
    }

    #[test]
    fn a_bad_kpi_is_named_by_its_place_in_the_list() {
        let prescription = |kpis| {
            input::<PrescribeMeasureInput>(value!({
                "caseId": id(0xca5e),
                "on": "2025-04-24",
                "issues": [id(0x1551)],
                "kind": "TRAINING",
                "title": "多能工化",
                "owner": { "company": { "team": "製造部" } },
                "startsOn": "2025-05-01",
                "dueOn": "2025-09-30",
                "kpis": kpis,
            }))
            .into_command()
        };
        assert_bad_input(
            prescription(value!([
                { "name": "多能工率", "unit": "%", "baseline": 10, "target": 40 },
                { "name": "不良率", "unit": "%", "baseline": 3, "target": 1e16 },
            ])),
            "kpis[1].target",
            "1,000兆",
        );
        assert_bad_input(
            prescription(value!([
                { "name": "多能工率", "unit": "パーセンテージ（小数第一位まで四捨五入した値）", "baseline": 10, "target": 40 },
            ])),
            "kpis[0].unit",
            "20文字以内",
        );
    }

    #[test]
    fn a_review_converts_its_findings() {
        let command = input::<HoldReviewInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-06-25",
            "findings": [{ "measureId": id(0x3ea1), "kpiId": id(0x4b11), "value": 4.2, "note": "あと一歩" }],
            "worked": "原価が見えるようになった",
            "nextReviewOn": "2025-09-30",
            "startNextCycle": true,
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            Command::HoldReview {
                case_id: CaseId(id(0xca5e)),
                on: date("2025-06-25"),
                findings: vec![command::FindingInput {
                    measure_id: MeasureId(id(0x3ea1)),
                    kpi_id: KpiId(id(0x4b11)),
                    value: Quantity::new(4.2).unwrap(),
                    note: Some(note("あと一歩")),
                }],
                worked: Some(note("原価が見えるようになった")),
                not_worked: None,
                adjustments: None,
                next_review_on: Some(date("2025-09-30")),
                start_next_cycle: true,
            }
        );
        let result = input::<HoldReviewInput>(value!({
            "caseId": id(0xca5e),
            "on": "2025-06-25",
            "findings": [
                { "measureId": id(0x3ea1), "kpiId": id(0x4b11), "value": 4.2 },
                { "measureId": id(0x3ea1), "kpiId": id(0x4b12), "value": 1, "note": "" },
            ],
        }))
        .into_command();
        assert_bad_input(result, "findings[1].note", "空欄");
    }

    #[test]
    fn progress_and_team_values_are_checked() {
        let result = input::<LogProgressInput>(value!({
            "caseId": id(0xca5e),
            "measureId": id(0x3ea1),
            "on": "2025-06-01",
            "note": "試行中",
            "percent": 120,
        }))
        .into_command();
        assert_bad_input(result, "percent", "0から100");
        let result = input::<AddTeamMemberInput>(value!({
            "caseId": id(0xca5e),
            "supporterId": id(0x5004),
            "role": "EXPERT",
            "on": "2025-05-01",
            "until": "2025-13-01",
        }))
        .into_command();
        assert_bad_input(result, "until", "2025-13-01");
    }
}
