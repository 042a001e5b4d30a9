//! Agencies and supporters by id, with the names people read.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

use banso_events::domain::event::{DomainEvent, StreamKey};
use banso_events::domain::ids::{AgencyId, SupporterId};
use banso_events::domain::vocab::{AgencyKind, SupporterRole};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{uuid, vocab};
use crate::error::ReadError;
use crate::projection::{Item, Projection, Table, Tx, table_name};
use crate::runner::ReadModels;

pub const TABLES: &[Table] = &[
    Table {
        base: "rm_agencies",
        create: &["CREATE TABLE {t} (
            agency_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            prefecture TEXT NOT NULL
        )"],
    },
    Table {
        base: "rm_supporters",
        create: &[
            "CREATE TABLE {t} (
                supporter_id TEXT PRIMARY KEY,
                agency_id TEXT NOT NULL,
                role TEXT NOT NULL,
                name TEXT,
                departed BIGINT NOT NULL
            )",
            "CREATE INDEX {t}_agency ON {t} (agency_id)",
        ],
    },
];

pub(crate) async fn apply(
    tx: &mut Tx,
    generation: i64,
    items: &[Item<'_>],
) -> Result<(), ReadError> {
    let agencies = table_name("rm_agencies", generation);
    let supporters = table_name("rm_supporters", generation);
    for item in items {
        match item.event {
            DomainEvent::AgencyRegistered {
                agency_id,
                kind,
                name,
                prefecture,
                ..
            } => {
                let sql = format!(
                    "INSERT INTO {agencies} (agency_id, kind, name, prefecture) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (agency_id) DO UPDATE SET kind = $2, name = $3, prefecture = $4"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(agency_id.0.to_string())
                    .bind(kind.id())
                    .bind(name.as_str())
                    .bind(prefecture.name())
                    .execute(&mut **tx)
                    .await?;
            }
            DomainEvent::SupporterRegistered {
                supporter_id,
                agency_id,
                person,
                role,
            } => {
                let name = item
                    .personal
                    .get(*person)
                    .and_then(|d| d.name.as_ref())
                    .map(|n| n.to_string());
                let sql = format!(
                    "INSERT INTO {supporters} (supporter_id, agency_id, role, name, departed)
                     VALUES ($1, $2, $3, $4, 0)
                     ON CONFLICT (supporter_id) DO UPDATE SET agency_id = $2, role = $3, name = $4"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(supporter_id.0.to_string())
                    .bind(agency_id.0.to_string())
                    .bind(role.id())
                    .bind(name)
                    .execute(&mut **tx)
                    .await?;
            }
            DomainEvent::SupporterRoleChanged { supporter_id, role } => {
                let sql = format!("UPDATE {supporters} SET role = $1 WHERE supporter_id = $2");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(role.id())
                    .bind(supporter_id.0.to_string())
                    .execute(&mut **tx)
                    .await?;
            }
            DomainEvent::SupporterDeparted { supporter_id, .. } => {
                let sql = format!("UPDATE {supporters} SET departed = 1 WHERE supporter_id = $1");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(supporter_id.0.to_string())
                    .execute(&mut **tx)
                    .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// An agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgencyRow {
    pub agency_id: AgencyId,
    pub kind: AgencyKind,
    pub name: String,
    pub prefecture: String,
}

/// A supporter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupporterRow {
    pub supporter_id: SupporterId,
    pub agency_id: AgencyId,
    pub role: SupporterRole,
    pub name: Option<String>,
    pub departed: bool,
}

fn agency_row(row: &AnyRow) -> Result<AgencyRow, ReadError> {
    Ok(AgencyRow {
        agency_id: AgencyId(uuid(row, "agency_id")?),
        kind: vocab(row, "kind")?,
        name: row.try_get("name")?,
        prefecture: row.try_get("prefecture")?,
    })
}

fn supporter_row(row: &AnyRow) -> Result<SupporterRow, ReadError> {
    Ok(SupporterRow {
        supporter_id: SupporterId(uuid(row, "supporter_id")?),
        agency_id: AgencyId(uuid(row, "agency_id")?),
        role: vocab(row, "role")?,
        name: row.try_get("name")?,
        departed: row.try_get::<i64, _>("departed")? != 0,
    })
}

/// Agencies and supporters as last read. Lists name the agency and supporter of every row
/// they show, and these rows change rarely: a row read here is used again for up to
/// [`FRESH_FOR`]. This process's runner empties the cache when it applies a change to the
/// directory, so a server reads its own writes at once; another server's show within
/// [`FRESH_FOR`]. Only names and roles for display come from here, never an access decision.
#[derive(Default)]
pub(crate) struct DirectoryCache {
    agencies: HashMap<AgencyId, (Instant, AgencyRow)>,
    supporters: HashMap<SupporterId, (Instant, SupporterRow)>,
}

/// How long a cached agency or supporter is used.
const FRESH_FOR: Duration = Duration::from_secs(2);
/// Rows kept at most (far more than the agencies and supporters of any installation).
const CACHE_ROWS: usize = 50_000;

impl DirectoryCache {
    fn get<K: Eq + Hash, V: Clone>(map: &HashMap<K, (Instant, V)>, key: &K) -> Option<V> {
        map.get(key)
            .filter(|(at, _)| at.elapsed() < FRESH_FOR)
            .map(|(_, row)| row.clone())
    }

    fn put<K: Eq + Hash, V>(map: &mut HashMap<K, (Instant, V)>, key: K, row: V) {
        if map.len() >= CACHE_ROWS {
            map.clear();
        }
        map.insert(key, (Instant::now(), row));
    }

    pub(crate) fn clear(&mut self) {
        self.agencies.clear();
        self.supporters.clear();
    }
}

/// Whether `item` changes the directory.
pub(crate) fn changes_directory(item: &Item<'_>) -> bool {
    matches!(
        item.event.stream(),
        StreamKey::Agency(_) | StreamKey::Supporter(_)
    )
}

impl ReadModels {
    /// The agency `id` (from the cache, see [`DirectoryCache`]).
    pub async fn agency(&self, id: AgencyId) -> Result<Option<AgencyRow>, ReadError> {
        if let Some(row) = DirectoryCache::get(&self.directory_cache().agencies, &id) {
            return Ok(Some(row));
        }
        let row = self.read_agency(id).await?;
        if let Some(row) = &row {
            DirectoryCache::put(&mut self.directory_cache().agencies, id, row.clone());
        }
        Ok(row)
    }

    /// The supporter `id` (from the cache, see [`DirectoryCache`]).
    pub async fn supporter(&self, id: SupporterId) -> Result<Option<SupporterRow>, ReadError> {
        if let Some(row) = DirectoryCache::get(&self.directory_cache().supporters, &id) {
            return Ok(Some(row));
        }
        let row = self.read_supporter(id).await?;
        if let Some(row) = &row {
            DirectoryCache::put(&mut self.directory_cache().supporters, id, row.clone());
        }
        Ok(row)
    }

    async fn read_agency(&self, id: AgencyId) -> Result<Option<AgencyRow>, ReadError> {
        let sql = format!(
            "SELECT agency_id, kind, name, prefecture FROM {} WHERE agency_id = $1",
            self.table(Projection::Directory, "rm_agencies")
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(agency_row).transpose()
    }

    /// Every agency, by name.
    pub async fn agencies(&self) -> Result<Vec<AgencyRow>, ReadError> {
        let sql = format!(
            "SELECT agency_id, kind, name, prefecture FROM {} ORDER BY name, agency_id",
            self.table(Projection::Directory, "rm_agencies")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(agency_row).collect()
    }

    async fn read_supporter(&self, id: SupporterId) -> Result<Option<SupporterRow>, ReadError> {
        let sql = format!(
            "SELECT supporter_id, agency_id, role, name, departed FROM {} WHERE supporter_id = $1",
            self.table(Projection::Directory, "rm_supporters")
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(supporter_row).transpose()
    }

    /// The supporters of `agency`, by name.
    pub async fn supporters_of(&self, agency: AgencyId) -> Result<Vec<SupporterRow>, ReadError> {
        let sql = format!(
            "SELECT supporter_id, agency_id, role, name, departed FROM {}
             WHERE agency_id = $1 ORDER BY name, supporter_id",
            self.table(Projection::Directory, "rm_supporters")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(agency.0.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(supporter_row).collect()
    }
}
