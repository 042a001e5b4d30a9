//! Company records made through a case: financial statements per fiscal year (and their
//! correction), the Local Benchmark sheets and the other tools, kept on the company stream so
//! that a later case of the same company sees them.

use banso_events::domain::command::{BenchmarkRecord, Command, CompanyInput};
use banso_events::domain::directory::Directory;
use banso_events::domain::event::{DomainEvent, StreamKey};
use banso_events::domain::ids::CaseId;
use banso_events::domain::localbench::{
    BenchmarkSummary, BusinessFlow, CommercialFlow, DesignFuture, DesignPast, DesignSheet,
    FinancialStatements, FlowStep, IntellectualAssetEntry, IntellectualAssetStep,
    NonFinancialAssessment, Party, PerspectiveEntry, PerspectiveItem,
};
use banso_events::domain::values::{Count, FiscalYear, Yen};
use banso_events::domain::vocab::{ClosingOutcome, DiscoveryChannel};
use uuid::Uuid;

use crate::support::*;

const SECOND_CASE: CaseId = CaseId(Uuid::from_u128(0xca5f));

fn yen(v: i64) -> Yen {
    Yen::new(v).unwrap()
}

fn fy(year: i64) -> FiscalYear {
    FiscalYear::new(year).unwrap()
}

/// 株式会社川口精密's statements: 売上高 4.8億円, 営業利益 960万円, 純資産 9,000万円 of 総資産 4億円.
fn statements() -> FinancialStatements {
    FinancialStatements {
        sales: yen(480_000_000),
        operating_profit: yen(9_600_000),
        depreciation: yen(12_000_000),
        borrowings: yen(150_000_000),
        cash_and_deposits: yen(60_000_000),
        accounts_receivable: yen(70_000_000),
        notes_receivable: yen(10_000_000),
        inventory: yen(30_000_000),
        accounts_payable: yen(40_000_000),
        notes_payable: yen(5_000_000),
        net_assets: yen(90_000_000),
        total_assets: yen(400_000_000),
        employees: Count::new(32).unwrap(),
    }
}

fn record_in(
    case_id: CaseId,
    year: i64,
    statements: FinancialStatements,
    correction: Option<&str>,
) -> Command {
    Command::RecordFinancialStatements {
        case_id,
        fiscal_year: fy(year),
        statements,
        correction_reason: correction.map(reason),
    }
}

fn record(year: i64, statements: FinancialStatements) -> Command {
    record_in(CAST.case, year, statements, None)
}

fn correct(year: i64, statements: FinancialStatements) -> Command {
    record_in(
        CAST.case,
        year,
        statements,
        Some("決算書の転記誤り（売上高）を訂正"),
    )
}

/// Started, and FY2024 recorded.
fn with_2024() -> Vec<DomainEvent> {
    CAST.then_run(CAST.started(), as_(CAST.hub), &record(2024, statements()))
}

fn benchmark(on: &str, record: BenchmarkRecord) -> Command {
    Command::RecordBenchmark {
        case_id: CAST.case,
        on: day(on),
        record,
    }
}

fn entry(item: PerspectiveItem, t: &str) -> PerspectiveEntry {
    PerspectiveEntry {
        item,
        text: text(t),
    }
}

fn step(n: &str) -> FlowStep {
    FlowStep {
        name: title(n),
        description: None,
        differentiator: None,
    }
}

fn party(n: &str) -> Party {
    Party {
        name: name(n),
        why_us: None,
    }
}

fn design_sheet() -> DesignSheet {
    DesignSheet {
        philosophy: text("精密加工で日本のものづくりを支える"),
        past: DesignPast {
            value_provided: Some(text("短納期・高精度の試作部品")),
            business_model: None,
            resources: Some(text("五軸加工機と熟練工")),
        },
        future: DesignFuture {
            value_to_provide: Some(text("医療機器部品の量産")),
            business_model: None,
            resources_needed: Some(text("品質保証の体制（ISO 13485）")),
        },
        transition_strategy: text("3年で医療機器分野の売上比率を3割に"),
        by_when: Some(day("2028-03-31")),
    }
}

fn ia_entry(kpis: Vec<&str>) -> IntellectualAssetEntry {
    IntellectualAssetEntry {
        step: IntellectualAssetStep::Visualise,
        content: text("熟練工の技能を見える化する指標を決めた"),
        kpis: kpis.into_iter().map(title).collect(),
    }
}

fn summary() -> BenchmarkSummary {
    BenchmarkSummary {
        current_view: text("技術力は高いが、原価が見えず値決めが弱い"),
        future_goal: text("営業利益率5%"),
        issues: text("製品別原価の把握"),
        measures: text("製品別原価計算の導入"),
    }
}

// ---------------------------------------------------------------- RecordFinancialStatements

#[test]
fn financial_statements_are_recorded_on_the_company_stream() {
    let envelopes = given(CAST.started())
        .when(as_(CAST.hub), record(2024, statements()))
        .then(vec![DomainEvent::FinancialStatementsRecorded {
            company_id: CAST.company,
            case_id: CAST.case,
            fiscal_year: fy(2024),
            statements: statements(),
        }]);
    assert_eq!(
        envelopes[0].event.stream(),
        StreamKey::Company(CAST.company)
    );
}

#[test]
fn the_same_fiscal_year_is_not_recorded_twice() {
    given(with_2024())
        .when(as_(CAST.colleague), record(2024, statements()))
        .then_refused("fiscal_year_recorded");
}

#[test]
fn a_recorded_year_is_corrected_with_a_reason() {
    let corrected = FinancialStatements {
        sales: yen(468_000_000),
        ..statements()
    };
    given(with_2024())
        .when(as_(CAST.hub), correct(2024, corrected.clone()))
        .then(vec![DomainEvent::FinancialStatementsCorrected {
            company_id: CAST.company,
            case_id: CAST.case,
            fiscal_year: fy(2024),
            statements: corrected.clone(),
            reason: reason("決算書の転記誤り（売上高）を訂正"),
        }]);
    let history = CAST.then_run(
        with_2024(),
        as_(CAST.hub),
        &correct(2024, corrected.clone()),
    );
    let directory = Directory::from_events(&history);
    assert_eq!(
        directory
            .company(CAST.company)
            .unwrap()
            .statements
            .get(&fy(2024)),
        Some(&corrected)
    );
}

#[test]
fn a_year_not_yet_recorded_cannot_be_corrected() {
    given(with_2024())
        .when(as_(CAST.hub), correct(2023, statements()))
        .then_refused("nothing_to_correct");
}

#[test]
fn negative_sales_are_refused() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            record(
                2024,
                FinancialStatements {
                    sales: yen(-1),
                    ..statements()
                },
            ),
        )
        .then_invalid("statements.sales");
}

#[test]
fn net_assets_cannot_exceed_total_assets() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            record(
                2024,
                FinancialStatements {
                    net_assets: yen(400_000_001),
                    ..statements()
                },
            ),
        )
        .then_invalid("statements.netAssets");
}

#[test]
fn an_operating_loss_and_negative_equity_are_recorded_as_they_are() {
    let in_trouble = FinancialStatements {
        operating_profit: yen(-12_000_000),
        net_assets: yen(-30_000_000),
        ..statements()
    };
    given(CAST.started())
        .when(as_(CAST.hub), record(2024, in_trouble.clone()))
        .then(vec![DomainEvent::FinancialStatementsRecorded {
            company_id: CAST.company,
            case_id: CAST.case,
            fiscal_year: fy(2024),
            statements: in_trouble,
        }]);
}

#[test]
fn a_fiscal_year_in_the_future_is_refused() {
    given(CAST.started())
        .when(as_(CAST.hub), record(2026, statements()))
        .then_invalid("fiscalYear");
}

#[test]
fn a_fiscal_year_before_the_founding_year_is_refused() {
    // 株式会社川口精密 was founded in 1968.
    given(CAST.started())
        .when(as_(CAST.hub), record(1967, statements()))
        .then_invalid("fiscalYear");
    given(CAST.started())
        .when(as_(CAST.hub), record(1968, statements()))
        .events();
}

#[test]
fn financial_statements_before_the_start_line_are_refused() {
    given(CAST.discovered())
        .when(as_(CAST.hub), record(2024, statements()))
        .then_refused("before_start_line");
}

#[test]
fn only_those_working_on_the_case_record_its_company_s_statements() {
    given(CAST.started())
        .when(as_(CAST.chamber_advisor), record(2024, statements()))
        .then_forbidden();
    given(CAST.started())
        .when(as_(CAST.policy), record(2024, statements()))
        .then_refused("policy_officer_read_only");
}

#[test]
fn no_statements_are_recorded_through_a_closed_case() {
    given(CAST.closed())
        .when(as_(CAST.hub), record(2024, statements()))
        .then_refused("case_closed");
}

#[test]
fn a_second_case_of_the_same_company_sees_the_years_recorded_through_the_first() {
    let first = CAST.then_run(CAST.started(), as_(CAST.hub), &record(2023, statements()));
    let first = CAST.then_run(first, as_(CAST.hub), &record(2024, statements()));
    let first = CAST.then_run(
        first,
        as_(CAST.hub),
        &Command::CloseCase {
            case_id: CAST.case,
            on: day("2025-05-31"),
            outcome: ClosingOutcome::Suspended,
            note: None,
        },
    );
    let second = CAST.then_run(
        first,
        as_(CAST.colleague),
        &Command::DiscoverCompany {
            case_id: SECOND_CASE,
            company: CompanyInput::Existing(CAST.company),
            on: day("2025-06-10"),
            channel: DiscoveryChannel::WalkIn,
            first_concerns: vec![reason("資金繰りの相談")],
        },
    );
    let second = CAST.then_run(
        second,
        as_(CAST.colleague),
        &Command::ReachStartLine {
            case_id: SECOND_CASE,
            on: day("2025-06-12"),
            decision: None,
            consent: CAST.consent(),
            owner: person("川口 一郎"),
        },
    );

    let directory = Directory::from_events(&second);
    let years: Vec<_> = directory
        .company(CAST.company)
        .unwrap()
        .statements
        .keys()
        .copied()
        .collect();
    assert_eq!(years, vec![fy(2023), fy(2024)]);

    given(second.clone())
        .when(
            as_(CAST.colleague),
            record_in(SECOND_CASE, 2024, statements(), None),
        )
        .then_refused("fiscal_year_recorded");
    let corrected = FinancialStatements {
        borrowings: yen(180_000_000),
        ..statements()
    };
    given(second)
        .when(
            as_(CAST.colleague),
            record_in(
                SECOND_CASE,
                2024,
                corrected.clone(),
                Some("借入金に短期借入金が漏れていた"),
            ),
        )
        .then(vec![DomainEvent::FinancialStatementsCorrected {
            company_id: CAST.company,
            case_id: SECOND_CASE,
            fiscal_year: fy(2024),
            statements: corrected,
            reason: reason("借入金に短期借入金が漏れていた"),
        }]);
}

// ---------------------------------------------------------------- RecordBenchmark

#[test]
fn the_four_perspectives_are_recorded() {
    let assessment = NonFinancialAssessment {
        entries: vec![
            entry(PerspectiveItem::OwnerVision, "「精度で選ばれる町工場」"),
            entry(PerspectiveItem::Strengths, "五軸加工の精度、短納期"),
        ],
    };
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark(
                "2025-05-08",
                BenchmarkRecord::NonFinancial(assessment.clone()),
            ),
        )
        .then(vec![DomainEvent::NonFinancialAssessed {
            company_id: CAST.company,
            case_id: CAST.case,
            on: day("2025-05-08"),
            assessment,
        }]);
}

#[test]
fn the_four_perspectives_need_an_entry_each_item_once() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark(
                "2025-05-08",
                BenchmarkRecord::NonFinancial(NonFinancialAssessment { entries: vec![] }),
            ),
        )
        .then_invalid("assessment.entries");
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark(
                "2025-05-08",
                BenchmarkRecord::NonFinancial(NonFinancialAssessment {
                    entries: vec![
                        entry(PerspectiveItem::Strengths, "加工精度"),
                        entry(PerspectiveItem::Strengths, "短納期"),
                    ],
                }),
            ),
        )
        .then_invalid("assessment.entries[1].item");
}

#[test]
fn the_business_flow_is_recorded() {
    let flow = BusinessFlow {
        steps: vec![
            step("材料調達"),
            FlowStep {
                name: title("五軸加工"),
                description: Some(text("段取り替えを1日3回")),
                differentiator: Some(text("±2μmの精度")),
            },
            step("検査・出荷"),
        ],
    };
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark("2025-05-08", BenchmarkRecord::BusinessFlow(flow.clone())),
        )
        .then(vec![DomainEvent::BusinessFlowRecorded {
            company_id: CAST.company,
            case_id: CAST.case,
            on: day("2025-05-08"),
            flow,
        }]);
}

#[test]
fn the_business_flow_has_one_to_twenty_steps() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark(
                "2025-05-08",
                BenchmarkRecord::BusinessFlow(BusinessFlow { steps: vec![] }),
            ),
        )
        .then_invalid("flow.steps");
    let too_many = BusinessFlow {
        steps: (1..=21).map(|n| step(&format!("工程{n}"))).collect(),
    };
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark("2025-05-08", BenchmarkRecord::BusinessFlow(too_many)),
        )
        .then_invalid("flow.steps");
}

#[test]
fn the_commercial_flow_is_recorded() {
    let flow = CommercialFlow {
        suppliers: vec![party("北関東特殊鋼株式会社")],
        customers: vec![
            Party {
                name: name("大宮メディカル株式会社"),
                why_us: Some(text("試作の短納期に対応できる")),
            },
            party("浦和工機株式会社"),
        ],
        end_users: vec![party("医療機関")],
        customer_value: Some(text("試作から量産まで同じ精度")),
    };
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark("2025-05-08", BenchmarkRecord::CommercialFlow(flow.clone())),
        )
        .then(vec![DomainEvent::CommercialFlowRecorded {
            company_id: CAST.company,
            case_id: CAST.case,
            on: day("2025-05-08"),
            flow,
        }]);
}

#[test]
fn the_commercial_flow_names_at_least_one_party_each_once() {
    let empty = CommercialFlow {
        suppliers: vec![],
        customers: vec![],
        end_users: vec![],
        customer_value: Some(text("短納期")),
    };
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark("2025-05-08", BenchmarkRecord::CommercialFlow(empty)),
        )
        .then_invalid("flow.customers");
    let twice = CommercialFlow {
        suppliers: vec![],
        customers: vec![party("浦和工機株式会社"), party("浦和工機株式会社")],
        end_users: vec![],
        customer_value: None,
    };
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark("2025-05-08", BenchmarkRecord::CommercialFlow(twice)),
        )
        .then_invalid("flow.customers[1].name");
}

#[test]
fn the_benchmark_summary_is_recorded() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark("2025-05-08", BenchmarkRecord::Summary(summary())),
        )
        .then(vec![DomainEvent::BenchmarkSummaryRecorded {
            company_id: CAST.company,
            case_id: CAST.case,
            on: day("2025-05-08"),
            summary: summary(),
        }]);
}

#[test]
fn a_benchmark_record_is_dated_between_the_discovery_and_today() {
    // The summary's four parts are required by their types; its date is what can be wrong.
    for on in ["2025-04-02", "2025-07-01"] {
        given(CAST.started())
            .when(
                as_(CAST.hub),
                benchmark(on, BenchmarkRecord::Summary(summary())),
            )
            .then_invalid("on");
    }
}

#[test]
fn the_design_sheet_is_recorded() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark("2025-05-08", BenchmarkRecord::DesignSheet(design_sheet())),
        )
        .then(vec![DomainEvent::DesignSheetRecorded {
            company_id: CAST.company,
            case_id: CAST.case,
            on: day("2025-05-08"),
            sheet: design_sheet(),
        }]);
}

#[test]
fn the_design_sheet_needs_something_in_the_past_and_the_future() {
    let no_past = DesignSheet {
        past: DesignPast::default(),
        ..design_sheet()
    };
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark("2025-05-08", BenchmarkRecord::DesignSheet(no_past)),
        )
        .then_invalid("sheet.past");
    let no_future = DesignSheet {
        future: DesignFuture::default(),
        ..design_sheet()
    };
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark("2025-05-08", BenchmarkRecord::DesignSheet(no_future)),
        )
        .then_invalid("sheet.future");
}

#[test]
fn the_design_sheet_s_transition_ends_after_the_day_it_is_drawn() {
    for by in ["2025-05-08", "2024-03-31"] {
        let sheet = DesignSheet {
            by_when: Some(day(by)),
            ..design_sheet()
        };
        given(CAST.started())
            .when(
                as_(CAST.hub),
                benchmark("2025-05-08", BenchmarkRecord::DesignSheet(sheet)),
            )
            .then_invalid("sheet.byWhen");
    }
}

#[test]
fn an_intellectual_asset_step_is_recorded() {
    let recorded = ia_entry(vec!["多能工化率", "技能検定合格者数"]);
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark(
                "2025-05-08",
                BenchmarkRecord::IntellectualAsset(recorded.clone()),
            ),
        )
        .then(vec![DomainEvent::IntellectualAssetRecorded {
            company_id: CAST.company,
            case_id: CAST.case,
            on: day("2025-05-08"),
            entry: recorded,
        }]);
}

#[test]
fn an_intellectual_asset_step_names_at_most_twenty_kpis_each_once() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark(
                "2025-05-08",
                BenchmarkRecord::IntellectualAsset(ia_entry(vec!["多能工化率", "多能工化率"])),
            ),
        )
        .then_invalid("entry.kpis[1]");
    let many: Vec<String> = (1..=21).map(|n| format!("指標{n}")).collect();
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark(
                "2025-05-08",
                BenchmarkRecord::IntellectualAsset(ia_entry(
                    many.iter().map(String::as_str).collect(),
                )),
            ),
        )
        .then_invalid("entry.kpis");
}

#[test]
fn benchmark_records_before_the_start_line_are_refused() {
    given(CAST.discovered())
        .when(
            as_(CAST.hub),
            benchmark("2025-04-10", BenchmarkRecord::Summary(summary())),
        )
        .then_refused("before_start_line");
}

#[test]
fn a_benchmark_record_dated_before_the_start_line_is_refused() {
    // The start line was reached on 2025-04-17.
    let refusal = given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark("2025-04-10", BenchmarkRecord::Summary(summary())),
        )
        .then_refused("before_start_line");
    assert_eq!(refusal.field.as_deref(), Some("on"));
    given(CAST.started())
        .when(
            as_(CAST.hub),
            benchmark("2025-04-17", BenchmarkRecord::Summary(summary())),
        )
        .events();
}

#[test]
fn another_agency_cannot_record_the_benchmark_of_the_case() {
    given(CAST.started())
        .when(
            as_(CAST.chamber_advisor),
            benchmark("2025-05-08", BenchmarkRecord::Summary(summary())),
        )
        .then_forbidden();
}

// ---------------------------------------------------------------- UpdateCompanyProfile

fn update_employees(n: i64) -> Command {
    Command::UpdateCompanyProfile {
        case_id: CAST.case,
        name: None,
        kana: None,
        industry: None,
        prefecture: None,
        municipality: None,
        employees: Some(banso_events::domain::values::Count::new(n).unwrap()),
        representative: None,
    }
}

#[test]
fn the_profile_is_updated_even_at_step_zero_with_only_the_fields_given() {
    given(CAST.discovered())
        .when(as_(CAST.hub), update_employees(35))
        .then(vec![DomainEvent::CompanyProfileUpdated {
            company_id: CAST.company,
            name: None,
            kana: None,
            industry: None,
            prefecture: None,
            municipality: None,
            employees: Some(banso_events::domain::values::Count::new(35).unwrap()),
            representative: None,
        }]);
}

#[test]
fn a_new_representative_is_named_in_personal_data_only() {
    let successor = banso_events::domain::ids::PersonId::new();
    let envelopes = given(CAST.started())
        .when(
            as_(CAST.hub),
            Command::UpdateCompanyProfile {
                case_id: CAST.case,
                name: None,
                kana: None,
                industry: None,
                prefecture: None,
                municipality: None,
                employees: None,
                representative: Some((successor, crate::support::person("川口 翔太"))),
            },
        )
        .envelopes();
    assert!(matches!(
        envelopes[0].event,
        DomainEvent::CompanyProfileUpdated { representative: Some(p), .. } if p == successor
    ));
    assert_eq!(
        envelopes[0]
            .personal
            .get(successor)
            .unwrap()
            .name
            .as_ref()
            .unwrap()
            .as_str(),
        "川口 翔太"
    );
}

#[test]
fn a_profile_update_must_change_something_and_comes_from_the_case_holders() {
    given(CAST.started())
        .when(
            as_(CAST.hub),
            Command::UpdateCompanyProfile {
                case_id: CAST.case,
                name: None,
                kana: None,
                industry: None,
                prefecture: None,
                municipality: None,
                employees: None,
                representative: None,
            },
        )
        .then_refused("no_change");
    given(CAST.started())
        .when(as_(CAST.chamber_advisor), update_employees(35))
        .then_forbidden();
}

#[test]
fn another_agency_cannot_overwrite_the_statements_a_bank_recorded() {
    // The shinkin bank records 2024 through its case; the chamber opens its own case on the
    // same company, reaches the start line, and tries to "correct" the year.
    let history = CAST.then_run(CAST.started(), as_(CAST.hub), &record(2024, statements()));
    let history = CAST.then_run(
        history,
        as_(CAST.chamber_advisor),
        &Command::DiscoverCompany {
            case_id: SECOND_CASE,
            company: CompanyInput::Existing(CAST.company),
            on: day("2025-06-10"),
            channel: DiscoveryChannel::CommerceRound,
            first_concerns: vec![],
        },
    );
    let history = CAST.then_run(
        history,
        as_(CAST.chamber_advisor),
        &Command::ReachStartLine {
            case_id: SECOND_CASE,
            on: day("2025-06-12"),
            decision: None,
            consent: CAST.consent(),
            owner: person("川口 一郎"),
        },
    );
    given(history)
        .when(
            as_(CAST.chamber_advisor),
            record_in(
                SECOND_CASE,
                2024,
                statements(),
                Some("数字が違うと思われるため"),
            ),
        )
        .then_refused("recorded_by_another_agency");
}
