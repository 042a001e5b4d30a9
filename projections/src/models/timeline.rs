//! Case timelines: every event of a case (and the company records made through it) as an
//! entry with its Japanese label, who did it for which agency, and what it said.
//!
//! Personal data never enters this table: the entry's detail is the event payload without its
//! `"personal"` key, so forgetting a person needs no change here.

use banso_events::domain::event::{DomainEvent, split_personal};
use banso_events::domain::ids::{AgencyId, CaseId, SupporterId};
use banso_events::domain::values::Day;
use banso_events::{Position, RecordedEvent};
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::uuid;
use super::{day, day_text};
use crate::error::ReadError;
use crate::projection::{Item, Projection, Table, Tx, table_name};
use crate::rows::Rows;
use crate::runner::ReadModels;

pub const TABLES: &[Table] = &[Table {
    base: "rm_timeline",
    create: &[
        "CREATE TABLE {t} (
        case_id TEXT NOT NULL,
        position BIGINT NOT NULL,
        stream_type TEXT NOT NULL,
        version BIGINT NOT NULL,
        event_type TEXT NOT NULL,
        actor TEXT,
        agency TEXT,
        recorded_at TEXT NOT NULL,
        happened_on TEXT,
        detail TEXT NOT NULL
    )",
        // An index rather than the primary key, so that a rebuild can create it last.
        "CREATE UNIQUE INDEX {t}_case ON {t} (case_id, position)",
    ],
}];

/// One entry of a case timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEntry {
    pub case_id: CaseId,
    pub position: Position,
    /// `case`, or `company` for Local Benchmark records made through the case.
    pub stream_type: String,
    pub version: u64,
    pub event_type: String,
    /// 対話, 課題設定 ...
    pub label: &'static str,
    pub actor: Option<SupporterId>,
    pub actor_name: Option<String>,
    pub agency: Option<AgencyId>,
    pub agency_name: Option<String>,
    /// RFC 3339, UTC.
    pub recorded_at: String,
    /// The day the event says it happened, where it says one.
    pub happened_on: Option<Day>,
    /// The event's fields (without personal data), as stored.
    pub detail: Value,
}

/// The case an event belongs in the timeline of, if any.
pub fn case_of(event: &DomainEvent) -> Option<CaseId> {
    use DomainEvent::*;
    match event {
        FinancialStatementsRecorded { case_id, .. }
        | FinancialStatementsCorrected { case_id, .. }
        | NonFinancialAssessed { case_id, .. }
        | BusinessFlowRecorded { case_id, .. }
        | CommercialFlowRecorded { case_id, .. }
        | BenchmarkSummaryRecorded { case_id, .. }
        | DesignSheetRecorded { case_id, .. }
        | IntellectualAssetRecorded { case_id, .. } => Some(*case_id),
        _ => match event.stream() {
            banso_events::domain::event::StreamKey::Case(id) => Some(id),
            _ => None,
        },
    }
}

impl TimelineEntry {
    /// The entry for `recorded` if it belongs to a case (names are left for the reader).
    pub fn from_event(recorded: &RecordedEvent, event: &DomainEvent) -> Option<Self> {
        let case_id = case_of(event)?;
        let detail: Value =
            serde_json::from_str(&stored_detail(&recorded.payload)).unwrap_or(Value::Null);
        let happened_on = crate::runner::event_day(&recorded.payload);
        Some(Self {
            case_id,
            position: recorded.position,
            stream_type: recorded.stream.stream_type.as_str().to_owned(),
            version: recorded.version.0,
            event_type: recorded.event_type.clone(),
            label: event.label(),
            actor: recorded.metadata.actor.map(SupporterId),
            actor_name: None,
            agency: recorded.metadata.agency.map(AgencyId),
            agency_name: None,
            recorded_at: rfc3339(recorded),
            happened_on,
            detail,
        })
    }
}

/// When `recorded` was stored, as RFC 3339 (UTC).
fn rfc3339(recorded: &RecordedEvent) -> String {
    recorded
        .recorded_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// What the timeline keeps of a stored payload: the object without its `"personal"` key.
fn stored_detail(payload: &str) -> String {
    split_personal(payload)
        .map(|(fields, _)| fields)
        .unwrap_or_else(|_| "null".to_owned())
}

impl TimelineEntry {
    /// Drop the confidential (秘) notes of a dialogue unless `viewer` is the agency that
    /// recorded it: such notes stay with that agency, also when the case is handed over or
    /// another agency joins the team.
    pub fn hide_confidential_from(&mut self, viewer: AgencyId) {
        if self.agency == Some(viewer) {
            return;
        }
        if let Some(Value::Array(notes)) = self.detail.get_mut("notes") {
            notes.retain(|note| note.get("confidential") != Some(&Value::Bool(true)));
        }
    }
}

pub(crate) async fn apply(
    tx: &mut Tx,
    generation: i64,
    items: &[Item<'_>],
) -> Result<(), ReadError> {
    let table = table_name("rm_timeline", generation);
    let mut rows = Rows::new(
        &table,
        &[
            "case_id",
            "position",
            "stream_type",
            "version",
            "event_type",
            "actor",
            "agency",
            "recorded_at",
            "happened_on",
            "detail",
        ],
        "",
    );
    for item in items {
        let Some(case_id) = case_of(item.event) else {
            continue;
        };
        let recorded = item.recorded;
        rows.push([
            case_id.0.to_string().into(),
            (recorded.position.0 as i64).into(),
            recorded.stream.stream_type.as_str().into(),
            (recorded.version.0 as i64).into(),
            recorded.event_type.as_str().into(),
            recorded.metadata.actor.map(|a| a.to_string()).into(),
            recorded.metadata.agency.map(|a| a.to_string()).into(),
            rfc3339(recorded).into(),
            day_text(item.on).into(),
            stored_detail(&recorded.payload).into(),
        ]);
    }
    rows.write(tx).await
}

fn entry_row(row: &AnyRow) -> Result<TimelineEntry, ReadError> {
    let event_type: String = row.try_get("event_type")?;
    let detail: String = row.try_get("detail")?;
    let actor: Option<String> = row.try_get("actor")?;
    let agency: Option<String> = row.try_get("agency")?;
    Ok(TimelineEntry {
        case_id: CaseId(uuid(row, "case_id")?),
        position: Position(row.try_get::<i64, _>("position")? as u64),
        stream_type: row.try_get("stream_type")?,
        version: row.try_get::<i64, _>("version")? as u64,
        label: DomainEvent::label_of(&event_type).unwrap_or("（不明なイベント）"),
        event_type,
        actor: actor.and_then(|a| a.parse().ok()).map(SupporterId),
        actor_name: row.try_get("actor_name")?,
        agency: agency.and_then(|a| a.parse().ok()).map(AgencyId),
        agency_name: row.try_get("agency_name")?,
        recorded_at: row.try_get("recorded_at")?,
        happened_on: day(row.try_get("happened_on")?),
        detail: serde_json::from_str(&detail).map_err(|error| ReadError::Document {
            table: "rm_timeline".into(),
            error,
        })?,
    })
}

impl ReadModels {
    /// Up to `limit` entries of the timeline of `case`, in order, after position `after`.
    pub async fn timeline(
        &self,
        case: CaseId,
        after: Position,
        limit: usize,
    ) -> Result<Vec<TimelineEntry>, ReadError> {
        let sql = format!(
            "SELECT t.case_id, t.position, t.stream_type, t.version, t.event_type, t.actor,
                    t.agency, t.recorded_at, t.happened_on, t.detail,
                    s.name AS actor_name, a.name AS agency_name
             FROM {timeline} t
             LEFT JOIN {supporters} s ON s.supporter_id = t.actor
             LEFT JOIN {agencies} a ON a.agency_id = t.agency
             WHERE t.case_id = $1 AND t.position > $2
             ORDER BY t.position
             LIMIT $3",
            timeline = self.table(Projection::Timeline, "rm_timeline"),
            supporters = self.table(Projection::Directory, "rm_supporters"),
            agencies = self.table(Projection::Directory, "rm_agencies"),
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.0.to_string())
            .bind(after.0 as i64)
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(entry_row).collect()
    }

    /// Fill in the actor's and agency's names of a live entry (subscriptions).
    pub async fn name_entry(&self, entry: &mut TimelineEntry) -> Result<(), ReadError> {
        if let Some(actor) = entry.actor {
            entry.actor_name = self.supporter(actor).await?.and_then(|s| s.name);
        }
        if let Some(agency) = entry.agency {
            entry.agency_name = self.agency(agency).await?.map(|a| a.name);
        }
        Ok(())
    }
}
