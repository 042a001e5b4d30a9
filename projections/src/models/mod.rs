//! The read models: each module has its tables, how events change them, and its queries.

pub mod benchmarks;
pub mod cases;
pub mod directory;
pub mod examples;
pub mod handovers;
pub mod timeline;

use banso_events::domain::values::Day;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::error::ReadError;

/// Text column → `Day` (stored as `YYYY-MM-DD`).
pub(crate) fn day(raw: Option<String>) -> Option<Day> {
    raw.and_then(|raw| Day::parse(&raw).ok())
}

/// A date column that must hold a date (a row of `table` without one is a broken document).
pub(crate) fn required_day(row: &AnyRow, column: &str, table: &str) -> Result<Day, ReadError> {
    day(row.try_get(column)?).ok_or_else(|| {
        document_error(
            table,
            serde::de::Error::custom(format!("{column} is not a date")),
        )
    })
}

/// `Day` → text column.
pub(crate) fn day_text(day: Option<Day>) -> Option<String> {
    day.map(|d| d.to_string())
}

/// A stored read-model document of `table` that does not parse.
pub(crate) fn document_error(table: &str, error: serde_json::Error) -> ReadError {
    ReadError::Document {
        table: table.to_owned(),
        error,
    }
}

/// Text column → UUID.
pub(crate) fn uuid(row: &AnyRow, column: &str) -> Result<Uuid, ReadError> {
    let text: String = row.try_get(column)?;
    Uuid::parse_str(&text).map_err(|e| ReadError::Database(sqlx::Error::Decode(Box::new(e))))
}

/// Text column → a vocabulary value by its stored id (`shinkin_bank`, `requested` ...).
pub(crate) fn vocab<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    column: &str,
) -> Result<T, ReadError> {
    let text: String = row.try_get(column)?;
    vocab_of(text)
}

/// Nullable text column → a vocabulary value (`None` for NULL; an unknown id is an error).
pub(crate) fn vocab_opt<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    column: &str,
) -> Result<Option<T>, ReadError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(vocab_of).transpose()
}

fn vocab_of<T: serde::de::DeserializeOwned>(id: String) -> Result<T, ReadError> {
    serde_json::from_value(serde_json::Value::String(id))
        .map_err(|e| ReadError::Database(sqlx::Error::Decode(Box::new(e))))
}
