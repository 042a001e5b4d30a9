//! The company: discovery at step zero (which may register it), its profile, its Local
//! Benchmark records and financial statements (kept on the company stream, seen by later cases).

use crate::domain::command::{BenchmarkRecord, Command, CompanyInput};
use crate::domain::directory::Context;
use crate::domain::event::{DomainEvent as E, Envelope};
use crate::domain::personal::PersonalData;
use crate::domain::refusal::Refusal;

use super::checks::*;
use super::{Decision, one};

/// The oldest company in Japan (金剛組) was founded in 578; anything earlier is a typo.
const EARLIEST_FOUNDING_YEAR: i64 = 578;

pub(super) fn decide_discovery(command: &Command, ctx: &Context<'_>) -> Decision {
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
                    "company.new.corporateNumber",
                    "法人の場合は法人番号（13桁）を入力してください。個人事業主の場合はその旨を選択してください。",
                ));
            }
            if new.corporate_number.is_some() && new.sole_proprietor {
                return Err(Refusal::invalid(
                    "company.new.corporateNumber",
                    "個人事業主には法人番号がありません。法人の場合は「個人事業主」の選択を外してください。",
                ));
            }
            let founded_year = match new.founded_year {
                None => None,
                Some(year) => {
                    let this_year = i64::from(ctx.today.year());
                    if !(EARLIEST_FOUNDING_YEAR..=this_year).contains(&year) {
                        return Err(Refusal::invalid(
                            "company.new.foundedYear",
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

pub(super) fn decide_company_record(command: &Command, ctx: &Context<'_>) -> Decision {
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
