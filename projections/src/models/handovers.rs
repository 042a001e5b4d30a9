//! Handover inboxes: every handover with its sender, receiver, state and dates.

use banso_events::domain::event::DomainEvent;
use banso_events::domain::ids::{AgencyId, CaseId, HandoverId};
use banso_events::domain::values::Day;
use banso_events::domain::vocab::HandoverStatus;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{day, day_text, required_day};
use super::{uuid, vocab};
use crate::error::ReadError;
use crate::projection::{Item, Projection, Table, Tx, table_name};
use crate::runner::ReadModels;

pub const TABLES: &[Table] = &[Table {
    base: "rm_handovers",
    create: &[
        "CREATE TABLE {t} (
            handover_id TEXT PRIMARY KEY,
            case_id TEXT NOT NULL,
            from_agency TEXT NOT NULL,
            to_agency TEXT NOT NULL,
            status TEXT NOT NULL,
            requested_on TEXT NOT NULL,
            decided_on TEXT,
            reason TEXT NOT NULL,
            summary TEXT NOT NULL,
            answer TEXT,
            sender_stays BIGINT NOT NULL,
            requested_at BIGINT NOT NULL
        )",
        "CREATE INDEX {t}_to ON {t} (to_agency, requested_at)",
        "CREATE INDEX {t}_from ON {t} (from_agency, requested_at)",
        "CREATE INDEX {t}_case ON {t} (case_id)",
    ],
}];

/// One handover as an inbox shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct HandoverRow {
    pub handover_id: HandoverId,
    pub case_id: CaseId,
    pub company_name: Option<String>,
    pub from_agency: AgencyId,
    pub from_agency_name: Option<String>,
    pub to_agency: AgencyId,
    pub to_agency_name: Option<String>,
    pub status: HandoverStatus,
    pub requested_on: Day,
    /// When it was accepted, declined, withdrawn (or completed, after acceptance).
    pub decided_on: Option<Day>,
    pub reason: String,
    pub summary: String,
    /// The decline or withdrawal reason, or the completion's outcome.
    pub answer: Option<String>,
    pub sender_stays: bool,
    /// The position of the request: the inbox's order and cursor.
    pub requested_at: u64,
}

/// Which side of the inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Incoming,
    Outgoing,
}

pub(crate) async fn apply(
    tx: &mut Tx,
    generation: i64,
    items: &[Item<'_>],
) -> Result<(), ReadError> {
    let table = table_name("rm_handovers", generation);
    for item in items {
        let (handover_id, status, on, answer) = match item.event {
            DomainEvent::HandoverRequested {
                case_id,
                handover_id,
                from_agency,
                to_agency,
                on,
                reason,
                summary,
                sender_stays,
                ..
            } => {
                let sql = format!(
                    "INSERT INTO {table} (handover_id, case_id, from_agency, to_agency, status,
                         requested_on, reason, summary, sender_stays, requested_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (handover_id) DO NOTHING"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(handover_id.0.to_string())
                    .bind(case_id.0.to_string())
                    .bind(from_agency.0.to_string())
                    .bind(to_agency.0.to_string())
                    .bind(HandoverStatus::Requested.id())
                    .bind(on.to_string())
                    .bind(reason.as_str())
                    .bind(summary.as_str())
                    .bind(*sender_stays as i64)
                    .bind(item.recorded.position.0 as i64)
                    .execute(&mut **tx)
                    .await?;
                continue;
            }
            DomainEvent::HandoverAccepted {
                handover_id, on, ..
            } => (handover_id, HandoverStatus::Accepted, on, None),
            DomainEvent::HandoverDeclined {
                handover_id,
                on,
                reason,
                ..
            } => (
                handover_id,
                HandoverStatus::Declined,
                on,
                Some(reason.as_str()),
            ),
            DomainEvent::HandoverWithdrawn {
                handover_id,
                on,
                reason,
                ..
            } => (
                handover_id,
                HandoverStatus::Withdrawn,
                on,
                Some(reason.as_str()),
            ),
            DomainEvent::HandoverCompleted {
                handover_id,
                outcome,
                ..
            } => {
                // Completion keeps the day of the decision (acceptance).
                let sql =
                    format!("UPDATE {table} SET status = $1, answer = $2 WHERE handover_id = $3");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(HandoverStatus::Completed.id())
                    .bind(outcome.as_str())
                    .bind(handover_id.0.to_string())
                    .execute(&mut **tx)
                    .await?;
                continue;
            }
            _ => continue,
        };
        let sql = format!(
            "UPDATE {table} SET status = $1, decided_on = $2, answer = $3 WHERE handover_id = $4"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(status.id())
            .bind(day_text(Some(*on)))
            .bind(answer)
            .bind(handover_id.0.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn handover_row(row: &AnyRow) -> Result<HandoverRow, ReadError> {
    Ok(HandoverRow {
        handover_id: HandoverId(uuid(row, "handover_id")?),
        case_id: CaseId(uuid(row, "case_id")?),
        company_name: row.try_get("company_name")?,
        from_agency: AgencyId(uuid(row, "from_agency")?),
        from_agency_name: row.try_get("from_name")?,
        to_agency: AgencyId(uuid(row, "to_agency")?),
        to_agency_name: row.try_get("to_name")?,
        status: vocab(row, "status")?,
        requested_on: required_day(row, "requested_on", "rm_handovers")?,
        decided_on: day(row.try_get("decided_on")?),
        reason: row.try_get("reason")?,
        summary: row.try_get("summary")?,
        answer: row.try_get("answer")?,
        sender_stays: row.try_get::<i64, _>("sender_stays")? != 0,
        requested_at: row.try_get::<i64, _>("requested_at")? as u64,
    })
}

impl ReadModels {
    fn handover_select(&self) -> String {
        format!(
            "SELECT h.*, c.company_name, fa.name AS from_name, ta.name AS to_name
             FROM {handovers} h
             LEFT JOIN {cases} c ON c.case_id = h.case_id
             LEFT JOIN {agencies} fa ON fa.agency_id = h.from_agency
             LEFT JOIN {agencies} ta ON ta.agency_id = h.to_agency",
            handovers = self.table(Projection::Handovers, "rm_handovers"),
            cases = self.table(Projection::Cases, "rm_cases"),
            agencies = self.table(Projection::Directory, "rm_agencies"),
        )
    }

    /// The handovers `agency` sent or received, newest request first, before `before` (a
    /// `requested_at` cursor), optionally only pending (`Some(true)`) or only decided.
    pub async fn inbox(
        &self,
        agency: AgencyId,
        direction: Direction,
        pending: Option<bool>,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<HandoverRow>, ReadError> {
        let side = match direction {
            Direction::Incoming => "h.to_agency",
            Direction::Outgoing => "h.from_agency",
        };
        let status = match pending {
            None => "",
            Some(true) => " AND h.status = 'requested'",
            Some(false) => " AND h.status <> 'requested'",
        };
        let sql = format!(
            "{} WHERE {side} = $1 AND h.requested_at < $2{status}
             ORDER BY h.requested_at DESC LIMIT $3",
            self.handover_select()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(agency.0.to_string())
            .bind(before.map_or(i64::MAX, |b| b as i64))
            .bind(limit as i64)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(handover_row).collect()
    }

    /// Every handover of `case`, oldest first.
    pub async fn handovers_of(&self, case: CaseId) -> Result<Vec<HandoverRow>, ReadError> {
        let sql = format!(
            "{} WHERE h.case_id = $1 ORDER BY h.requested_at",
            self.handover_select()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.0.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(handover_row).collect()
    }
}
