//! Writing many rows with few statements: one multi-row `INSERT` per few hundred rows instead
//! of one statement per row (each statement costs a round trip to PostgreSQL, and a hand-off to
//! the connection's thread on SQLite).
//!
//! On SQLite these statements use anonymous `?` parameters: sqlx looks up the name of every
//! numbered parameter (`$7`), and SQLite finds a name by walking the statement's list of them,
//! so numbered parameters cost time quadratic in their count.

use crate::error::ReadError;
use crate::projection::Tx;

/// One value of a row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    Text(Option<String>),
    Int(i64),
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(Some(text))
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::Text(Some(text.to_owned()))
    }
}

impl From<Option<String>> for Cell {
    fn from(text: Option<String>) -> Self {
        Cell::Text(text)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

/// Rows for one table, written by [`Rows::write`].
pub(crate) struct Rows<'a> {
    table: &'a str,
    columns: &'a [&'a str],
    /// What follows `VALUES (..), (..)`: an `ON CONFLICT` clause, or nothing.
    suffix: &'a str,
    cells: Vec<Cell>,
}

/// Bound parameters per statement: below SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_PARAMS: usize = 16_000;
/// Rows per statement, at most.
const MAX_ROWS: usize = 500;

impl<'a> Rows<'a> {
    pub(crate) fn new(table: &'a str, columns: &'a [&'a str], suffix: &'a str) -> Self {
        Self {
            table,
            columns,
            suffix,
            cells: Vec::new(),
        }
    }

    /// Add a row; it has a cell for each column, in the columns' order.
    pub(crate) fn push<const N: usize>(&mut self, row: [Cell; N]) {
        assert_eq!(
            N,
            self.columns.len(),
            "a row of {} has a cell per column",
            self.table
        );
        self.cells.extend(row);
    }

    pub(crate) fn len(&self) -> usize {
        self.cells.len() / self.columns.len()
    }

    /// Insert the rows, a few hundred per statement.
    pub(crate) async fn write(self, tx: &mut Tx) -> Result<(), ReadError> {
        let marks = Marks::of(tx);
        let width = self.columns.len();
        let per_statement = (MAX_PARAMS / width).clamp(1, MAX_ROWS);
        let mut remaining = self.len();
        let mut cells = self.cells.into_iter();
        let mut full_sql = None;
        while remaining > 0 {
            let rows = remaining.min(per_statement);
            remaining -= rows;
            let sql = if rows == per_statement {
                full_sql
                    .get_or_insert_with(|| {
                        insert_sql(marks, self.table, self.columns, rows, self.suffix)
                    })
                    .clone()
            } else {
                insert_sql(marks, self.table, self.columns, rows, self.suffix)
            };
            bind_cells(
                sqlx::query(sqlx::AssertSqlSafe(sql)),
                cells.by_ref().take(rows * width),
            )
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

/// `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) suffix`.
fn insert_sql(marks: Marks, table: &str, columns: &[&str], rows: usize, suffix: &str) -> String {
    let width = columns.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        sql.push_str(&marks.list(row * width, width));
        sql.push(')');
    }
    if !suffix.is_empty() {
        sql.push(' ');
        sql.push_str(suffix);
    }
    sql
}

/// Bind `cells` in order.
pub(crate) fn bind_cells<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    cells: impl IntoIterator<Item = Cell>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for cell in cells {
        query = match cell {
            Cell::Text(text) => query.bind(text),
            Cell::Int(n) => query.bind(n),
        };
    }
    query
}

/// How a statement marks its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Marks {
    /// `$1, $2`: PostgreSQL.
    Numbered,
    /// `?, ?`, bound in order: SQLite (see the module's note).
    Anonymous,
}

impl Marks {
    pub(crate) fn of(tx: &mut Tx) -> Self {
        if (**tx).backend_name().eq_ignore_ascii_case("sqlite") {
            Marks::Anonymous
        } else {
            Marks::Numbered
        }
    }

    /// `$1, $2, ... $n` after `offset` earlier parameters (or `?, ?, ...`): an `IN (..)` list.
    pub(crate) fn list(self, offset: usize, n: usize) -> String {
        let marks: Vec<String> = match self {
            Marks::Numbered => (offset + 1..=offset + n).map(|i| format!("${i}")).collect(),
            Marks::Anonymous => vec!["?".to_owned(); n],
        };
        marks.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::{Marks, insert_sql};

    #[test]
    fn a_multi_row_insert_numbers_its_parameters_row_by_row() {
        assert_eq!(
            insert_sql(
                Marks::Numbered,
                "t",
                &["a", "b"],
                2,
                "ON CONFLICT (a) DO NOTHING"
            ),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT (a) DO NOTHING"
        );
        assert_eq!(
            insert_sql(Marks::Anonymous, "t", &["a", "b"], 2, ""),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
        assert_eq!(Marks::Numbered.list(2, 3), "$3, $4, $5");
    }
}
