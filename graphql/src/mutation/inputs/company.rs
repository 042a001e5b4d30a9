//! The company: its discovery at step zero (which may register it), its profile and its
//! financial statements. The Local Benchmark sheets are in `localbench`.

use async_graphql::{InputObject, OneofObject, Result};
use banso_events::domain::command::{Command, CompanyInput, NewCompany};
use banso_events::domain::ids::{CaseId, CompanyId};
use banso_events::domain::japan::{CorporateNumber, Industry, Kana, Municipality, Prefecture};
use banso_events::domain::localbench::FinancialStatements;
use banso_events::domain::values::{Count, FiscalYear, Name, Reason, Yen};
use uuid::Uuid;

use super::{
    IntoDomain, PersonInput, at, day, new_id, number, number_opt, parse, parse_each, parse_opt,
};
use crate::vocab::DiscoveryChannel;

/// 企業の発見: a company found at step zero opens a case; a company Banso does not know yet is
/// registered with it.
#[derive(InputObject)]
pub struct DiscoverCompanyInput {
    /// 案件ID: the new case's id; chosen by the server when absent.
    pub case_id: Option<Uuid>,
    /// 企業: one Banso knows, or a new one.
    pub company: DiscoveredCompanyInput,
    /// 発見日: YYYY-MM-DD.
    pub on: String,
    /// 発見経路: how the company was found.
    pub channel: DiscoveryChannel,
    /// 最初に聞いた困りごと: the concerns first heard, in the owner's words.
    #[graphql(default)]
    pub first_concerns: Vec<String>,
}

/// The company of a discovery: exactly one of `companyId` (a company Banso knows) or `new`.
#[derive(OneofObject)]
pub enum DiscoveredCompanyInput {
    /// 企業ID: a company already registered in Banso.
    CompanyId(Uuid),
    /// 新規企業: a company to register with the discovery.
    New(Box<NewCompanyInput>),
}

/// 新規企業: a company not yet in Banso.
#[derive(InputObject)]
pub struct NewCompanyInput {
    /// 企業ID: the new company's id; chosen by the server when absent.
    pub company_id: Option<Uuid>,
    /// 法人番号: the 13-digit corporate number; required for corporations.
    pub corporate_number: Option<String>,
    /// 個人事業主: true for a sole proprietor, who has no corporate number.
    #[graphql(default)]
    pub sole_proprietor: bool,
    /// 企業名: e.g. 株式会社川口精密.
    pub name: String,
    /// フリガナ: the name in katakana, e.g. カワグチセイミツ.
    pub kana: String,
    /// 業種: the JSIC major division, as its letter (E) or name (製造業).
    pub industry: String,
    /// 都道府県: a name (埼玉県, 埼玉) or a JIS code (11).
    pub prefecture: String,
    /// 市区町村: e.g. 川口市.
    pub municipality: Option<String>,
    /// 従業員数: number of employees.
    pub employees: i64,
    /// 創業年: the year founded (西暦).
    pub founded_year: Option<i64>,
    /// 代表者: the representative, with what identifies them.
    pub representative: Option<PersonInput>,
}

impl IntoDomain for NewCompanyInput {
    type Domain = NewCompany;

    fn into_domain(self, path: &str) -> Result<NewCompany> {
        Ok(NewCompany {
            company_id: CompanyId(new_id(self.company_id)),
            corporate_number: parse_opt(
                &at(path, "corporateNumber"),
                self.corporate_number.as_deref(),
                CorporateNumber::parse,
            )?,
            sole_proprietor: self.sole_proprietor,
            name: parse(&at(path, "name"), &self.name, Name::parse)?,
            kana: parse(&at(path, "kana"), &self.kana, Kana::parse)?,
            industry: parse(&at(path, "industry"), &self.industry, Industry::parse)?,
            prefecture: parse(&at(path, "prefecture"), &self.prefecture, Prefecture::parse)?,
            municipality: parse_opt(
                &at(path, "municipality"),
                self.municipality.as_deref(),
                Municipality::parse,
            )?,
            employees: number(&at(path, "employees"), self.employees, Count::new)?,
            // The domain checks the year against today.
            founded_year: self.founded_year,
            representative: self
                .representative
                .map(|r| r.into_domain(&at(path, "representative")))
                .transpose()?,
        })
    }
}

impl DiscoverCompanyInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::DiscoverCompany {
            case_id: CaseId(new_id(self.case_id)),
            company: match self.company {
                DiscoveredCompanyInput::CompanyId(id) => CompanyInput::Existing(CompanyId(id)),
                DiscoveredCompanyInput::New(new) => {
                    CompanyInput::New(Box::new((*new).into_domain("company.new")?))
                }
            },
            on: day("on", &self.on)?,
            channel: self.channel.into(),
            first_concerns: parse_each("firstConcerns", &self.first_concerns, Reason::parse)?,
        })
    }
}

/// 企業情報の更新: correct or update the company's profile; only the fields given change.
#[derive(InputObject)]
pub struct UpdateCompanyProfileInput {
    /// 案件ID: the case through which the company is updated.
    pub case_id: Uuid,
    /// 企業名.
    pub name: Option<String>,
    /// フリガナ.
    pub kana: Option<String>,
    /// 業種: the JSIC major division, as its letter (E) or name (製造業).
    pub industry: Option<String>,
    /// 都道府県: a name (埼玉県, 埼玉) or a JIS code (11).
    pub prefecture: Option<String>,
    /// 市区町村.
    pub municipality: Option<String>,
    /// 従業員数: number of employees.
    pub employees: Option<i64>,
    /// 代表者: a new representative (事業承継) or corrected details of the current one.
    pub representative: Option<PersonInput>,
}

impl UpdateCompanyProfileInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::UpdateCompanyProfile {
            case_id: CaseId(self.case_id),
            name: parse_opt("name", self.name.as_deref(), Name::parse)?,
            kana: parse_opt("kana", self.kana.as_deref(), Kana::parse)?,
            industry: parse_opt("industry", self.industry.as_deref(), Industry::parse)?,
            prefecture: parse_opt("prefecture", self.prefecture.as_deref(), Prefecture::parse)?,
            municipality: parse_opt(
                "municipality",
                self.municipality.as_deref(),
                Municipality::parse,
            )?,
            employees: number_opt("employees", self.employees, Count::new)?,
            representative: self
                .representative
                .map(|r| r.into_domain("representative"))
                .transpose()?,
        })
    }
}

/// 決算書の登録: one fiscal year's financial statements, for the Local Benchmark's six
/// indicators.
#[derive(InputObject)]
pub struct RecordFinancialStatementsInput {
    /// 案件ID.
    pub case_id: Uuid,
    /// 決算年度: e.g. 2024 for 2024年度.
    pub fiscal_year: i64,
    /// 決算書: the figures, in integer yen.
    pub statements: FinancialStatementsInput,
    /// 訂正理由: set to correct a year already recorded.
    pub correction_reason: Option<String>,
}

/// 決算書の数値: integer yen (円), except the number of employees.
#[derive(InputObject)]
pub struct FinancialStatementsInput {
    /// 売上高: sales.
    pub sales: i64,
    /// 営業利益: operating profit (negative: 営業赤字).
    pub operating_profit: i64,
    /// 減価償却費: depreciation.
    pub depreciation: i64,
    /// 借入金: interest-bearing borrowings.
    pub borrowings: i64,
    /// 現預金: cash and deposits.
    pub cash_and_deposits: i64,
    /// 売掛金: accounts receivable.
    pub accounts_receivable: i64,
    /// 受取手形: notes receivable.
    pub notes_receivable: i64,
    /// 棚卸資産: inventory.
    pub inventory: i64,
    /// 買掛金: accounts payable.
    pub accounts_payable: i64,
    /// 支払手形: notes payable.
    pub notes_payable: i64,
    /// 純資産: net assets (negative: 債務超過).
    pub net_assets: i64,
    /// 総資産: total assets.
    pub total_assets: i64,
    /// 従業員数: number of employees.
    pub employees: i64,
}

impl IntoDomain for FinancialStatementsInput {
    type Domain = FinancialStatements;

    /// Each figure is parsed on its own; how they fit together (`validate`) is the domain's
    /// rule when deciding.
    fn into_domain(self, path: &str) -> Result<FinancialStatements> {
        let yen = |field: &str, amount: i64| number(&at(path, field), amount, Yen::new);
        Ok(FinancialStatements {
            sales: yen("sales", self.sales)?,
            operating_profit: yen("operatingProfit", self.operating_profit)?,
            depreciation: yen("depreciation", self.depreciation)?,
            borrowings: yen("borrowings", self.borrowings)?,
            cash_and_deposits: yen("cashAndDeposits", self.cash_and_deposits)?,
            accounts_receivable: yen("accountsReceivable", self.accounts_receivable)?,
            notes_receivable: yen("notesReceivable", self.notes_receivable)?,
            inventory: yen("inventory", self.inventory)?,
            accounts_payable: yen("accountsPayable", self.accounts_payable)?,
            notes_payable: yen("notesPayable", self.notes_payable)?,
            net_assets: yen("netAssets", self.net_assets)?,
            total_assets: yen("totalAssets", self.total_assets)?,
            employees: number(&at(path, "employees"), self.employees, Count::new)?,
        })
    }
}

impl RecordFinancialStatementsInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::RecordFinancialStatements {
            case_id: CaseId(self.case_id),
            fiscal_year: number("fiscalYear", self.fiscal_year, FiscalYear::new)?,
            statements: self.statements.into_domain("statements")?,
            correction_reason: parse_opt(
                "correctionReason",
                self.correction_reason.as_deref(),
                Reason::parse,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{Value, value};
    use banso_events::domain::ids::PersonId;
    use banso_events::domain::vocab as domain;

    use super::super::testing::*;
    use super::*;

    fn new_company() -> Value {
        value!({
            "companyId": id(0xc001),
            "corporateNumber": "7000012050002",
            "name": "株式会社川口精密",
            "kana": "カワグチセイミツ",
            "industry": "製造業",
            "prefecture": "埼玉県",
            "municipality": "川口市",
            "employees": 32,
            "foundedYear": 1968,
            "representative": { "personId": id(0xb001), "details": { "name": "川口 一郎" } },
        })
    }

    #[test]
    fn a_new_company_is_discovered_with_its_representative() {
        let command = input::<DiscoverCompanyInput>(value!({
            "caseId": id(0xca5e),
            "company": { "new": new_company() },
            "on": "2025-04-03",
            "channel": "FINANCIAL_INSTITUTION_VISIT",
            "firstConcerns": ["受注が減り、先行きが見えない"],
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            Command::DiscoverCompany {
                case_id: CaseId(id(0xca5e)),
                company: CompanyInput::New(Box::new(NewCompany {
                    company_id: CompanyId(id(0xc001)),
                    corporate_number: Some(CorporateNumber::parse("7000012050002").unwrap()),
                    sole_proprietor: false,
                    name: line("株式会社川口精密"),
                    kana: Kana::parse("カワグチセイミツ").unwrap(),
                    industry: Industry::parse("E").unwrap(),
                    prefecture: Prefecture::parse("11").unwrap(),
                    municipality: Some(Municipality::parse("川口市").unwrap()),
                    employees: Count::new(32).unwrap(),
                    founded_year: Some(1968),
                    representative: Some((PersonId(id(0xb001)), named("川口 一郎"))),
                })),
                on: date("2025-04-03"),
                channel: domain::DiscoveryChannel::FinancialInstitutionVisit,
                first_concerns: vec![note("受注が減り、先行きが見えない")],
            }
        );
    }

    #[test]
    fn a_known_company_is_named_by_its_id() {
        let command = input::<DiscoverCompanyInput>(value!({
            "company": { "companyId": id(0xc001) },
            "on": "2025-04-03",
            "channel": "WALK_IN",
        }))
        .into_command()
        .unwrap();
        let Command::DiscoverCompany {
            company,
            first_concerns,
            ..
        } = command
        else {
            panic!("not a discovery: {command:?}");
        };
        assert_eq!(company, CompanyInput::Existing(CompanyId(id(0xc001))));
        assert!(first_concerns.is_empty());
    }

    #[test]
    fn a_bad_new_company_field_is_named_under_company_new() {
        let mut company = new_company();
        if let Value::Object(fields) = &mut company {
            fields.insert(
                async_graphql::Name::new("corporateNumber"),
                value!("7000012050003"),
            );
        }
        let result = input::<DiscoverCompanyInput>(value!({
            "company": { "new": company },
            "on": "2025-04-03",
            "channel": "REFERRAL",
        }))
        .into_command();
        assert_bad_input(result, "company.new.corporateNumber", "法人番号");
    }

    #[test]
    fn a_bad_representative_and_concern_are_named() {
        let mut company = new_company();
        if let Value::Object(fields) = &mut company {
            fields.insert(
                async_graphql::Name::new("representative"),
                value!({ "details": { "kana": "川口" } }),
            );
        }
        let result = input::<DiscoverCompanyInput>(value!({
            "company": { "new": company },
            "on": "2025-04-03",
            "channel": "REFERRAL",
        }))
        .into_command();
        assert_bad_input(
            result,
            "company.new.representative.details.kana",
            "カタカナ",
        );
        let result = input::<DiscoverCompanyInput>(value!({
            "company": { "companyId": id(0xc001) },
            "on": "2025-04-03",
            "channel": "REFERRAL",
            "firstConcerns": ["資金繰り", ""],
        }))
        .into_command();
        assert_bad_input(result, "firstConcerns[1]", "空欄です");
    }

    #[test]
    fn a_profile_update_carries_only_the_fields_given() {
        let command = input::<UpdateCompanyProfileInput>(value!({
            "caseId": id(0xca5e),
            "employees": 35,
            "industry": "e",
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            Command::UpdateCompanyProfile {
                case_id: CaseId(id(0xca5e)),
                name: None,
                kana: None,
                industry: Some(Industry::parse("製造業").unwrap()),
                prefecture: None,
                municipality: None,
                employees: Some(Count::new(35).unwrap()),
                representative: None,
            }
        );
        let result = input::<UpdateCompanyProfileInput>(value!({
            "caseId": id(0xca5e),
            "employees": -1,
        }))
        .into_command();
        assert_bad_input(result, "employees", "0以上");
    }

    fn statements() -> Value {
        value!({
            "sales": 480_000_000,
            "operatingProfit": -9_600_000,
            "depreciation": 12_000_000,
            "borrowings": 150_000_000,
            "cashAndDeposits": 60_000_000,
            "accountsReceivable": 70_000_000,
            "notesReceivable": 10_000_000,
            "inventory": 30_000_000,
            "accountsPayable": 40_000_000,
            "notesPayable": 5_000_000,
            "netAssets": 90_000_000,
            "totalAssets": 400_000_000,
            "employees": 32,
        })
    }

    #[test]
    fn financial_statements_convert_figure_by_figure() {
        let command = input::<RecordFinancialStatementsInput>(value!({
            "caseId": id(0xca5e),
            "fiscalYear": 2024,
            "statements": statements(),
            "correctionReason": "営業利益の符号を訂正",
        }))
        .into_command()
        .unwrap();
        let yen = |n| Yen::new(n).unwrap();
        assert_eq!(
            command,
            Command::RecordFinancialStatements {
                case_id: CaseId(id(0xca5e)),
                fiscal_year: FiscalYear::new(2024).unwrap(),
                statements: FinancialStatements {
                    sales: yen(480_000_000),
                    operating_profit: yen(-9_600_000),
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
                },
                correction_reason: Some(note("営業利益の符号を訂正")),
            }
        );
    }

    #[test]
    fn an_out_of_range_figure_or_year_is_named() {
        let mut figures = statements();
        if let Value::Object(fields) = &mut figures {
            fields.insert(
                async_graphql::Name::new("cashAndDeposits"),
                value!(2_000_000_000_000_000_i64),
            );
        }
        let result = input::<RecordFinancialStatementsInput>(value!({
            "caseId": id(0xca5e),
            "fiscalYear": 2024,
            "statements": figures,
        }))
        .into_command();
        assert_bad_input(result, "statements.cashAndDeposits", "1,000兆円");
        let result = input::<RecordFinancialStatementsInput>(value!({
            "caseId": id(0xca5e),
            "fiscalYear": 24,
            "statements": statements(),
        }))
        .into_command();
        assert_bad_input(result, "fiscalYear", "決算年度");
    }
}
