//! The mutation root: one field per domain command (`RecordBenchmark`, whose record is one of
//! six kinds, has one field per kind). Every field takes the same arguments and does the same
//! thing, so the fields are generated from the list below: the input object, converted into
//! the command, is run by [`run`].

use async_graphql::{Context, Object, Result};
use uuid::Uuid;

use super::inputs::*;
use super::{CommandResult, run};

/// Every change is a command recorded as events (ミューテーション).
pub struct MutationRoot;

/// `fn name(Input);` becomes the mutation `name(input: Input!, commandId: UUID,
/// expectedVersion: Int): CommandResult!`, documented by the doc comment.
macro_rules! mutations {
    ($($(#[doc = $doc:literal])* fn $name:ident($input:ty);)*) => {
        #[Object]
        impl MutationRoot {
            $(
                $(#[doc = $doc])*
                async fn $name(
                    &self,
                    ctx: &Context<'_>,
                    input: $input,
                    #[graphql(
                        desc = "コマンドID: the idempotency key; a retry with the same id returns the first result."
                    )]
                    command_id: Option<Uuid>,
                    #[graphql(
                        desc = "ケースのバージョン: the case version the client decided on; a stale one is a CONFLICT."
                    )]
                    expected_version: Option<i64>,
                ) -> Result<CommandResult> {
                    run(ctx, command_id, expected_version, input.into_command()?).await
                }
            )*
        }
    };
}

mutations! {
    // ---- agencies and supporters (set-up) ----

    /// 支援機関を登録する: register an agency that starts using Banso (operator only).
    fn register_agency(RegisterAgencyInput);
    /// 得意分野を表明する: declare what the agency is good at, replacing the previous list
    /// (the agency's administrator).
    fn declare_strengths(DeclareStrengthsInput);
    /// 支援者を登録する: register a supporter of an agency (the agency's administrator).
    fn register_supporter(RegisterSupporterInput);
    /// 役割を変更する: change a supporter's role.
    fn change_supporter_role(ChangeSupporterRoleInput);
    /// 離任を記録する: record that a supporter left the agency.
    fn record_supporter_departure(RecordSupporterDepartureInput);

    // ---- the company (through a case) ----

    /// 企業情報を更新する: correct or update the company's profile; only the fields given
    /// change.
    fn update_company_profile(UpdateCompanyProfileInput);
    /// 決算書を登録する: record (or, with a reason, correct) one fiscal year's financial
    /// statements.
    fn record_financial_statements(RecordFinancialStatementsInput);
    /// 4つの視点を記録する: record the Local Benchmark's non-financial assessment.
    fn record_non_financial_assessment(RecordNonFinancialAssessmentInput);
    /// 業務フローを記録する: record the business flow, from procurement to delivery.
    fn record_business_flow(RecordBusinessFlowInput);
    /// 商流を記録する: record the commercial flow (suppliers, customers, end users).
    fn record_commercial_flow(RecordCommercialFlowInput);
    /// ロカベンのまとめを記録する: record the summary (現状認識・将来目標・課題・対応策).
    fn record_benchmark_summary(RecordBenchmarkSummaryInput);
    /// 経営デザインシートを記録する: record a management design sheet.
    fn record_design_sheet(RecordDesignSheetInput);
    /// 知的資産経営を記録する: record one step of intellectual-asset-based management.
    fn record_intellectual_asset(RecordIntellectualAssetInput);

    // ---- step zero ----

    /// 企業を発見する: open a case for a company found at step zero, registering the company
    /// if Banso does not know it yet.
    fn discover_company(DiscoverCompanyInput);
    /// 訪問を記録する: log a visit to the company before the start line.
    fn log_outreach_visit(LogOutreachVisitInput);
    /// スタートラインに到達する: the owner decides to take a step forward and consents to the
    /// use of the case data.
    fn reach_start_line(ReachStartLineInput);
    /// 同意内容を変更する: record the owner's consent as it now stands.
    fn amend_consent(AmendConsentInput);
    /// 同意の撤回を記録する: the owner withdraws consent; those it no longer covers leave.
    fn withdraw_consent(WithdrawConsentInput);

    // ---- 1st step: dialogue and issues ----

    /// 対話を記録する: record a dialogue session with the company, its notes and attendees.
    fn hold_dialogue(HoldDialogueInput);
    /// 課題を設定する: set an issue decided with the owner.
    fn set_issue(SetIssueInput);
    /// 課題を見直す: revise an open issue, with the reason.
    fn revise_issue(ReviseIssueInput);
    /// 課題を取り下げる: drop an issue no longer pursued.
    fn drop_issue(DropIssueInput);
    /// 課題の解決を記録する: record that an issue was resolved, and how.
    fn resolve_issue(ResolveIssueInput);

    // ---- 2nd step: prescription and team ----

    /// 施策を処方する: prescribe a measure against open issues, with its KPIs.
    fn prescribe_measure(PrescribeMeasureInput);
    /// チームに加える: add a supporter or an expert to the case team.
    fn add_team_member(AddTeamMemberInput);
    /// チームから外す: record that a member left the case team.
    fn remove_team_member(RemoveTeamMemberInput);

    // ---- 3rd step: execution ----

    /// 施策を開始する: start a planned measure.
    fn start_measure(StartMeasureInput);
    /// 進捗を記録する: log the progress of a measure under way.
    fn log_progress(LogProgressInput);
    /// 停滞を記録する: report that a measure stalled at one of the five walls.
    fn report_stall(ReportStallInput);
    /// 施策を再開する: resume a stalled measure.
    fn resume_measure(ResumeMeasureInput);
    /// 施策を完了する: complete a measure, with its result.
    fn complete_measure(CompleteMeasureInput);
    /// 壁の克服を記録する: record that one of an issue's walls was overcome, and how.
    fn overcome_wall(OvercomeWallInput);
    /// KPIを測定する: record a measured value of a measure's KPI.
    fn measure_kpi(MeasureKpiInput);

    // ---- check and act ----

    /// 検証・見直しを行う: review the cycle's KPIs and measures, optionally starting the next
    /// PDCA cycle.
    fn hold_review(HoldReviewInput);

    // ---- people and agencies ----

    /// 担当者を交代する: hand the case to another supporter of the same agency.
    fn change_supporter_in_charge(ChangeSupporterInChargeInput);
    /// 引継ぎを依頼する: ask another agency to take the case over.
    fn request_handover(RequestHandoverInput);
    /// 引継ぎを受諾する: accept a handover (the receiving agency).
    fn accept_handover(AcceptHandoverInput);
    /// 引継ぎを辞退する: decline a handover, with the reason (the receiving agency).
    fn decline_handover(DeclineHandoverInput);
    /// 引継ぎを取り下げる: withdraw a pending handover request (the sending agency).
    fn withdraw_handover(WithdrawHandoverInput);
    /// 引継ぎを完了する: record that an accepted handover is done, with its outcome.
    fn complete_handover(CompleteHandoverInput);

    // ---- closing ----

    /// 自走化を記録する: record that the company runs its own PDCA, with the evidence.
    fn reach_self_running(ReachSelfRunningInput);
    /// 案件を終了する: close the case, with the outcome.
    fn close_case(CloseCaseInput);
    /// 案件を再開する: reopen a closed case.
    fn reopen_case(ReopenCaseInput);

    // ---- good practice and failure ----

    /// 好事例に推薦する: nominate the case as a good-practice example (needs the owner's
    /// consent to collection).
    fn nominate_good_practice(NominateGoodPracticeInput);
    /// 失敗事例を記録する: record what did not work, so that others can learn from it.
    fn record_failure_case(RecordFailureCaseInput);

    // ---- review and publication of collected cases (政策担当) ----

    /// 事例候補に選定する: a policy officer nominates a case found among the candidates.
    fn nominate_example(NominateExampleInput);
    /// 事例候補を審査する: accept, send back with questions, or reject (policy officer).
    fn review_example(ReviewExampleInput);
    /// 審査の質問に回答する: the case's supporters answer the questions sent back.
    fn answer_example_questions(AnswerExampleQuestionsInput);
    /// 事例原稿を作成する: record the edited write-up; refused with the findings if it
    /// contains a name, a corporate number, a municipality, contact details or a confidential
    /// note of the case (policy officer).
    fn draft_example(DraftExampleInput);
    /// 事例を公開する: publish the write-up in the catalogue (policy officer).
    fn publish_example(PublishExampleInput);
    /// 事例の公開を取り下げる (policy officer).
    fn withdraw_example(WithdrawExampleInput);
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptySubscription, Schema, Value, value};

    use super::MutationRoot;
    use crate::query::QueryRoot;

    fn schema() -> Schema<QueryRoot, MutationRoot, EmptySubscription> {
        Schema::build(QueryRoot::default(), MutationRoot, EmptySubscription).finish()
    }

    #[test]
    fn every_command_has_a_mutation() {
        let sdl = schema().sdl();
        let start = sdl.find("type MutationRoot {").expect("a mutation root");
        let end = start + sdl[start..].find("\n}").expect("its end");
        let fields: Vec<&str> = sdl[start..end]
            .lines()
            .map(str::trim)
            .filter_map(|line| line.split_once('(').map(|(name, _)| name))
            .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()))
            .collect();
        let expected = [
            "registerAgency",
            "declareStrengths",
            "registerSupporter",
            "changeSupporterRole",
            "recordSupporterDeparture",
            "updateCompanyProfile",
            "recordFinancialStatements",
            "recordNonFinancialAssessment",
            "recordBusinessFlow",
            "recordCommercialFlow",
            "recordBenchmarkSummary",
            "recordDesignSheet",
            "recordIntellectualAsset",
            "discoverCompany",
            "logOutreachVisit",
            "reachStartLine",
            "amendConsent",
            "withdrawConsent",
            "holdDialogue",
            "setIssue",
            "reviseIssue",
            "dropIssue",
            "resolveIssue",
            "prescribeMeasure",
            "addTeamMember",
            "removeTeamMember",
            "startMeasure",
            "logProgress",
            "reportStall",
            "resumeMeasure",
            "completeMeasure",
            "overcomeWall",
            "measureKpi",
            "holdReview",
            "changeSupporterInCharge",
            "requestHandover",
            "acceptHandover",
            "declineHandover",
            "withdrawHandover",
            "completeHandover",
            "reachSelfRunning",
            "closeCase",
            "reopenCase",
            "nominateGoodPractice",
            "recordFailureCase",
            "nominateExample",
            "reviewExample",
            "answerExampleQuestions",
            "draftExample",
            "publishExample",
            "withdrawExample",
        ];
        let mut sorted = expected.to_vec();
        sorted.sort_unstable();
        let mut fields_sorted = fields.clone();
        fields_sorted.sort_unstable();
        assert_eq!(fields_sorted, sorted, "{}", &sdl[start..end]);
        assert!(sdl.contains("input MeasureOwnerInput @oneOf"), "{sdl}");
        assert!(sdl.contains("input DiscoveredCompanyInput @oneOf"), "{sdl}");
    }

    #[tokio::test]
    async fn a_bad_value_is_refused_before_the_command_runs() {
        // No services nor principal in the schema's data: the input is refused first.
        let response = schema()
            .execute(
                r#"mutation {
                    prescribeMeasure(input: {
                        caseId: "00000000-0000-0000-0000-00000000ca5e",
                        on: "2025-04-24",
                        issues: ["00000000-0000-0000-0000-000000001551"],
                        kind: TRAINING,
                        title: "多能工化",
                        owner: { company: { team: "製造部" } },
                        startsOn: "2025-05-01",
                        dueOn: "2025-09-30",
                        kpis: [{ name: "多能工率", unit: "%", baseline: 10, target: 40 },
                               { name: "", unit: "%", baseline: 3, target: 1 }]
                    }) { commandId }
                }"#,
            )
            .await;
        assert_eq!(response.errors.len(), 1, "{:?}", response.errors);
        let error = &response.errors[0];
        let extensions = error.extensions.as_ref().expect("extensions");
        assert_eq!(extensions.get("code"), Some(&value!("BAD_USER_INPUT")));
        assert_eq!(extensions.get("field"), Some(&value!("kpis[1].name")));
        assert!(error.message.contains("空欄"), "{}", error.message);
        assert_eq!(response.data, Value::Null);
    }
}
