//! The read models: each module has its tables, how events change them, and its queries.

pub mod benchmarks;
pub mod cases;
pub mod directory;
pub mod handovers;
pub mod timeline;

use banso_events::domain::values::Day;

/// Text column → `Day` (stored as `YYYY-MM-DD`).
pub(crate) fn day(raw: Option<String>) -> Option<Day> {
    raw.and_then(|raw| Day::parse(&raw).ok())
}

/// `Day` → text column.
pub(crate) fn day_text(day: Option<Day>) -> Option<String> {
    day.map(|d| d.to_string())
}
