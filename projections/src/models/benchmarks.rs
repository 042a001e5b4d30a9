//! The Local Benchmark history of a company: its financial statements by fiscal year, from
//! which the six indicators and their change are computed on reading.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use banso_events::domain::event::DomainEvent;
use banso_events::domain::ids::{CaseId, CompanyId};
use banso_events::domain::localbench::FinancialStatements;
use banso_events::domain::values::FiscalYear;
use sqlx::Row;

use super::uuid;
use crate::error::ReadError;
use crate::projection::{Item, Projection, Table, Tx, table_name};
use crate::rows::{Cell, Rows};
use crate::runner::ReadModels;

pub const TABLES: &[Table] = &[Table {
    base: "rm_statements",
    create: &["CREATE TABLE {t} (
        company_id TEXT NOT NULL,
        fiscal_year BIGINT NOT NULL,
        case_id TEXT NOT NULL,
        statements TEXT NOT NULL,
        corrected BIGINT NOT NULL,
        PRIMARY KEY (company_id, fiscal_year)
    )"],
}];

/// One fiscal year's statements.
#[derive(Clone, Debug, PartialEq)]
pub struct StatementsRow {
    pub company_id: CompanyId,
    pub fiscal_year: FiscalYear,
    pub case_id: CaseId,
    pub statements: FinancialStatements,
    pub corrected: bool,
}

pub(crate) async fn apply(
    tx: &mut Tx,
    generation: i64,
    items: &[Item<'_>],
) -> Result<(), ReadError> {
    let table = table_name("rm_statements", generation);
    // The batch's last word on each company and year (one upsert may not touch a row twice),
    // in the order they first appear; the case that first recorded the year stays.
    let mut years: Vec<[Cell; 5]> = Vec::new();
    let mut index: HashMap<(CompanyId, i64), usize> = HashMap::new();
    for item in items {
        let (company_id, case_id, fiscal_year, statements, corrected) = match item.event {
            DomainEvent::FinancialStatementsRecorded {
                company_id,
                case_id,
                fiscal_year,
                statements,
            } => (company_id, case_id, fiscal_year, statements, 0),
            DomainEvent::FinancialStatementsCorrected {
                company_id,
                case_id,
                fiscal_year,
                statements,
                ..
            } => (company_id, case_id, fiscal_year, statements, 1),
            _ => continue,
        };
        let json = serde_json::to_string(statements).map_err(|error| ReadError::Document {
            table: table.clone(),
            error,
        })?;
        let year = i64::from(fiscal_year.get());
        match index.entry((*company_id, year)) {
            Entry::Occupied(slot) => {
                let row = &mut years[*slot.get()];
                row[3] = json.into();
                row[4] = Cell::Int(corrected);
            }
            Entry::Vacant(slot) => {
                slot.insert(years.len());
                years.push([
                    company_id.0.to_string().into(),
                    year.into(),
                    case_id.0.to_string().into(),
                    json.into(),
                    corrected.into(),
                ]);
            }
        }
    }
    let mut rows = Rows::new(
        &table,
        &[
            "company_id",
            "fiscal_year",
            "case_id",
            "statements",
            "corrected",
        ],
        "ON CONFLICT (company_id, fiscal_year) DO UPDATE SET statements = excluded.statements,
             corrected = excluded.corrected",
    );
    for row in years {
        rows.push(row);
    }
    rows.write(tx).await
}

impl ReadModels {
    /// Every fiscal year of `company`'s statements, oldest first.
    pub async fn statements(&self, company: CompanyId) -> Result<Vec<StatementsRow>, ReadError> {
        Ok(self
            .statements_of(&[company])
            .await?
            .remove(&company)
            .unwrap_or_default())
    }

    /// The statements of each of `companies` (those with none are absent), oldest first.
    pub async fn statements_of(
        &self,
        companies: &[CompanyId],
    ) -> Result<HashMap<CompanyId, Vec<StatementsRow>>, ReadError> {
        let table = self.table(Projection::Benchmarks, "rm_statements");
        let mut found: HashMap<CompanyId, Vec<StatementsRow>> = HashMap::new();
        for chunk in companies.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT company_id, fiscal_year, case_id, statements, corrected FROM {table}
                 WHERE company_id IN ({}) ORDER BY company_id, fiscal_year",
                marks.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for company in chunk {
                query = query.bind(company.0.to_string());
            }
            for row in query.fetch_all(self.pool()).await? {
                let row = statements_row(&row, &table)?;
                found.entry(row.company_id).or_default().push(row);
            }
        }
        Ok(found)
    }
}

pub(crate) fn statements_row(
    row: &sqlx::any::AnyRow,
    table: &str,
) -> Result<StatementsRow, ReadError> {
    let json: String = row.try_get("statements")?;
    let year: i64 = row.try_get("fiscal_year")?;
    let document = |error| ReadError::Document {
        table: table.to_owned(),
        error,
    };
    Ok(StatementsRow {
        company_id: CompanyId(uuid(row, "company_id")?),
        fiscal_year: FiscalYear::new(year)
            .map_err(|e| document(serde::de::Error::custom(e.message)))?,
        case_id: CaseId(uuid(row, "case_id")?),
        statements: serde_json::from_str(&json).map_err(document)?,
        corrected: row.try_get::<i64, _>("corrected")? != 0,
    })
}
