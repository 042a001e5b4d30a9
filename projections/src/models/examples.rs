//! Collected cases on their way to the catalogue (好事例・失敗事例): one row per nominated case
//! with its review history, its current draft and, once published, the published write-up,
//! which the catalogue searches.
//!
//! Fed by the supporters' nominations on the case stream (`GoodPracticeNominated`,
//! `FailureCaseRecorded`) and by the policy office's events on the case's example stream.
//! These events are rare, so each one reads, folds and writes its row.

use banso_events::domain::event::{DomainEvent, WriteUp};
use banso_events::domain::ids::{AgencyId, CaseId, SupporterId};
use banso_events::domain::japan::{Industry, Prefecture};
use banso_events::domain::values::Day;
use banso_events::domain::vocab::{ExampleSide, ExampleStatus, ReviewVerdict, Theme, Wall};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::cases::like_pattern;
use crate::error::ReadError;
use crate::projection::{Item, Projection, Table, Tx, table_name};
use crate::runner::ReadModels;

pub const TABLES: &[Table] = &[Table {
    base: "rm_examples",
    create: &[
        "CREATE TABLE {t} (
            case_id TEXT PRIMARY KEY,
            side TEXT NOT NULL,
            status TEXT NOT NULL,
            updated_at BIGINT NOT NULL,
            published_at BIGINT,
            search_text TEXT,
            doc TEXT NOT NULL
        )",
        "CREATE INDEX {t}_status ON {t} (status, updated_at)",
    ],
}];

/// Who put the case forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NominationSource {
    /// The case's own supporters (推薦).
    Supporter,
    /// A policy officer, from the candidates (候補からの選定).
    PolicyOffice,
}

/// One step of the review, as the history shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewStep {
    pub on: Day,
    pub by: SupporterId,
    pub kind: StepKind,
    /// The reasons, questions, answers or withdrawal reason given.
    pub text: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Nominated,
    Reviewed(ReviewVerdict),
    Answered,
    Drafted,
    Published,
    Withdrawn,
}

/// A collected case: the read model's document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExampleDoc {
    pub case_id: CaseId,
    pub side: ExampleSide,
    pub status: ExampleStatus,
    pub source: NominationSource,
    pub nominated_on: Day,
    pub nominated_by: SupporterId,
    /// The agency of whoever nominated.
    pub nominated_agency: Option<AgencyId>,
    pub themes: Vec<Theme>,
    /// The walls a failure record names.
    pub walls: Vec<Wall>,
    pub reasons: String,
    pub lessons: Option<String>,
    pub history: Vec<ReviewStep>,
    pub draft: Option<WriteUp>,
    /// What the catalogue shows: the draft as it was published (kept after a withdrawal,
    /// but then no longer listed).
    pub published: Option<WriteUp>,
    pub published_on: Option<Day>,
}

impl ExampleDoc {
    /// Add a step to the history.
    fn record(&mut self, on: Day, by: SupporterId, kind: StepKind, text: Option<String>) {
        self.history.push(ReviewStep { on, by, kind, text });
    }
}

/// A collected case with where it sits in the catalogue.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleRow {
    pub doc: ExampleDoc,
    /// The position of its first publication: the catalogue's order (事例1, 事例2 ...).
    pub published_at: Option<u64>,
    pub updated_at: u64,
}

pub(crate) async fn apply(
    tx: &mut Tx,
    generation: i64,
    items: &[Item<'_>],
) -> Result<(), ReadError> {
    let table = table_name("rm_examples", generation);
    for item in items {
        let Some(case_id) = concerned(item.event) else {
            continue;
        };
        let sql = format!("SELECT doc, published_at FROM {table} WHERE case_id = $1");
        let stored = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id.0.to_string())
            .fetch_optional(&mut **tx)
            .await?;
        let (doc, published_at) = match stored {
            Some(row) => {
                let json: String = row.try_get("doc")?;
                let doc: ExampleDoc =
                    serde_json::from_str(&json).map_err(|error| ReadError::Document {
                        table: table.clone(),
                        error,
                    })?;
                (Some(doc), row.try_get::<Option<i64>, _>("published_at")?)
            }
            None => (None, None),
        };
        let agency = item.recorded.metadata.agency.map(AgencyId);
        let Some(doc) = fold(doc, item.event, agency) else {
            continue;
        };
        let position = item.recorded.position.0 as i64;
        let published_at = match doc.status {
            ExampleStatus::Published => published_at.or(Some(position)),
            _ => published_at,
        };
        let search_text = (doc.status == ExampleStatus::Published)
            .then(|| doc.published.as_ref().map(searchable))
            .flatten();
        let json = serde_json::to_string(&doc).map_err(|error| ReadError::Document {
            table: table.clone(),
            error,
        })?;
        let sql = format!(
            "INSERT INTO {table} (case_id, side, status, updated_at, published_at, search_text, doc)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (case_id) DO UPDATE SET side = excluded.side, status = excluded.status,
                 updated_at = excluded.updated_at, published_at = excluded.published_at,
                 search_text = excluded.search_text, doc = excluded.doc"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id.0.to_string())
            .bind(doc.side.id())
            .bind(doc.status.id())
            .bind(position)
            .bind(published_at)
            .bind(search_text)
            .bind(json)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The case an event of this read model concerns.
fn concerned(event: &DomainEvent) -> Option<CaseId> {
    use DomainEvent::*;
    match event {
        GoodPracticeNominated { case_id, .. }
        | FailureCaseRecorded { case_id, .. }
        | ExampleNominated { case_id, .. }
        | ExampleReviewed { case_id, .. }
        | ExampleQuestionsAnswered { case_id, .. }
        | ExampleDrafted { case_id, .. }
        | ExamplePublished { case_id, .. }
        | ExampleWithdrawn { case_id, .. } => Some(*case_id),
        _ => None,
    }
}

/// `doc` after `event`; `None` when there is nothing to keep (an event about a case that was
/// never nominated, which the rules do not allow).
fn fold(
    doc: Option<ExampleDoc>,
    event: &DomainEvent,
    agency: Option<AgencyId>,
) -> Option<ExampleDoc> {
    use DomainEvent::*;
    let nominated = |case_id: CaseId,
                     on: Day,
                     by: SupporterId,
                     side: ExampleSide,
                     source: NominationSource,
                     themes: Vec<Theme>,
                     walls: Vec<Wall>,
                     reasons: String,
                     lessons: Option<String>| ExampleDoc {
        case_id,
        side,
        status: ExampleStatus::Nominated,
        source,
        nominated_on: on,
        nominated_by: by,
        nominated_agency: agency,
        themes,
        walls,
        reasons: reasons.clone(),
        lessons,
        history: vec![ReviewStep {
            on,
            by,
            kind: StepKind::Nominated,
            text: Some(reasons),
        }],
        draft: None,
        published: None,
        published_on: None,
    };
    // A second nomination (the other side, or the policy office after the supporters) only
    // joins the history: the first one decided the side, like `ExampleState::side_with`.
    let second = |mut doc: ExampleDoc, on: Day, by: SupporterId, reasons: &str| {
        doc.record(on, by, StepKind::Nominated, Some(reasons.to_owned()));
        doc
    };
    match (doc, event) {
        (
            None,
            GoodPracticeNominated {
                case_id,
                on,
                by,
                themes,
                reasons,
            },
        ) => Some(nominated(
            *case_id,
            *on,
            *by,
            ExampleSide::Good,
            NominationSource::Supporter,
            themes.clone(),
            Vec::new(),
            reasons.to_string(),
            None,
        )),
        (
            None,
            FailureCaseRecorded {
                case_id,
                on,
                by,
                walls,
                reasons,
                lessons,
            },
        ) => Some(nominated(
            *case_id,
            *on,
            *by,
            ExampleSide::Failure,
            NominationSource::Supporter,
            Vec::new(),
            walls.clone(),
            reasons.to_string(),
            lessons.as_ref().map(|l| l.to_string()),
        )),
        (
            None,
            ExampleNominated {
                case_id,
                on,
                by,
                side,
                themes,
                reasons,
            },
        ) => Some(nominated(
            *case_id,
            *on,
            *by,
            *side,
            NominationSource::PolicyOffice,
            themes.clone(),
            Vec::new(),
            reasons.to_string(),
            None,
        )),
        (
            Some(doc),
            GoodPracticeNominated {
                on, by, reasons, ..
            },
        )
        | (
            Some(doc),
            ExampleNominated {
                on, by, reasons, ..
            },
        ) => Some(second(doc, *on, *by, reasons.as_str())),
        (
            Some(mut doc),
            FailureCaseRecorded {
                on,
                by,
                walls,
                reasons,
                lessons,
                ..
            },
        ) => {
            doc.walls = walls.clone();
            doc.lessons = lessons.as_ref().map(|l| l.to_string());
            Some(second(doc, *on, *by, reasons.as_str()))
        }
        (
            Some(mut doc),
            ExampleReviewed {
                on,
                by,
                verdict,
                comment,
                ..
            },
        ) => {
            doc.status = match verdict {
                ReviewVerdict::Accept => ExampleStatus::Accepted,
                ReviewVerdict::SendBack => ExampleStatus::SentBack,
                ReviewVerdict::Reject => ExampleStatus::Rejected,
            };
            doc.record(
                *on,
                *by,
                StepKind::Reviewed(*verdict),
                comment.as_ref().map(|c| c.to_string()),
            );
            Some(doc)
        }
        (
            Some(mut doc),
            ExampleQuestionsAnswered {
                on, by, answers, ..
            },
        ) => {
            doc.status = ExampleStatus::Nominated;
            doc.record(*on, *by, StepKind::Answered, Some(answers.to_string()));
            Some(doc)
        }
        (
            Some(mut doc),
            ExampleDrafted {
                on, by, write_up, ..
            },
        ) => {
            doc.draft = Some(write_up.clone());
            doc.record(*on, *by, StepKind::Drafted, None);
            Some(doc)
        }
        (Some(mut doc), ExamplePublished { on, by, .. }) => {
            doc.status = ExampleStatus::Published;
            doc.published.clone_from(&doc.draft);
            doc.published_on = Some(*on);
            doc.record(*on, *by, StepKind::Published, None);
            Some(doc)
        }
        (Some(mut doc), ExampleWithdrawn { on, by, reason, .. }) => {
            doc.status = ExampleStatus::Withdrawn;
            doc.record(*on, *by, StepKind::Withdrawn, Some(reason.to_string()));
            Some(doc)
        }
        (doc, _) => doc,
    }
}

/// The text the catalogue search looks in: every field of the published write-up, with the
/// labels of its themes, walls, industry and prefecture, normalised like a query.
fn searchable(write_up: &WriteUp) -> String {
    let mut text = vec![
        write_up.heading.to_string(),
        write_up.agency.to_string(),
        write_up.industry.label().to_owned(),
        write_up.prefecture.to_string(),
        write_up.issues.to_string(),
        write_up.approach.to_string(),
        write_up.changes.to_string(),
    ];
    text.extend(write_up.themes.iter().map(|t| t.label().to_owned()));
    text.extend(write_up.walls.iter().map(|w| w.label().to_owned()));
    normalise(&text.join("\n"))
}

/// Full-width ASCII to half-width and lower case, so that `ＩＴ導入`, `IT導入` and `it導入`
/// find each other. Japanese text is matched as it is: a substring search finds 社員 in
/// 社員が付いてこない, which word-based full-text indexes (and trigram ones, for queries of
/// fewer than three characters) would not.
pub fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// What to look for in the catalogue. Every field given narrows the result.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CatalogueSearch {
    /// Words that must all appear in the published text (split on spaces).
    pub text: Option<String>,
    pub side: Option<ExampleSide>,
    pub theme: Option<Theme>,
    pub wall: Option<Wall>,
    pub industry: Option<Industry>,
    pub prefecture: Option<Prefecture>,
}

fn example_row(row: &AnyRow, table: &str) -> Result<ExampleRow, ReadError> {
    let json: String = row.try_get("doc")?;
    Ok(ExampleRow {
        doc: serde_json::from_str(&json).map_err(|error| ReadError::Document {
            table: table.to_owned(),
            error,
        })?,
        published_at: row
            .try_get::<Option<i64>, _>("published_at")?
            .map(|p| p as u64),
        updated_at: row.try_get::<i64, _>("updated_at")? as u64,
    })
}

impl ReadModels {
    /// The collected case `case`, if it was ever nominated.
    pub async fn example(&self, case: CaseId) -> Result<Option<ExampleRow>, ReadError> {
        let table = self.table(Projection::Examples, "rm_examples");
        let sql = format!("SELECT doc, published_at, updated_at FROM {table} WHERE case_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.0.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| example_row(&row, &table)).transpose()
    }

    /// Collected cases, most recently changed first, before the `updated_at` cursor `before`:
    /// all of them (`visible_to` = `None`, for the policy office), or those of the cases an
    /// agency may see.
    pub async fn examples(
        &self,
        status: Option<ExampleStatus>,
        visible_to: Option<AgencyId>,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<ExampleRow>, ReadError> {
        let table = self.table(Projection::Examples, "rm_examples");
        let access = self.table(Projection::Cases, "rm_case_access");
        let mut sql = format!("SELECT e.doc, e.published_at, e.updated_at FROM {table} e");
        if visible_to.is_some() {
            sql.push_str(&format!(
                " JOIN {access} a ON a.case_id = e.case_id AND a.agency_id = $4"
            ));
        }
        sql.push_str(" WHERE e.updated_at < $1 AND ($2 = '' OR e.status = $2)");
        sql.push_str(" ORDER BY e.updated_at DESC LIMIT $3");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(before.map_or(i64::MAX, |b| b as i64))
            .bind(status.map_or("", |s| s.id()))
            .bind(limit as i64);
        if let Some(agency) = visible_to {
            query = query.bind(agency.0.to_string());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(|row| example_row(row, &table)).collect()
    }

    /// The published cases matching `search`, in the order of their first publication.
    pub async fn catalogue(&self, search: &CatalogueSearch) -> Result<Vec<ExampleRow>, ReadError> {
        let table = self.table(Projection::Examples, "rm_examples");
        let words: Vec<String> = search
            .text
            .as_deref()
            .map(|t| normalise(t).split_whitespace().map(like_pattern).collect())
            .unwrap_or_default();
        let mut sql =
            format!("SELECT doc, published_at, updated_at FROM {table} WHERE status = 'published'");
        for i in 0..words.len() {
            sql.push_str(&format!(" AND search_text LIKE ${} ESCAPE '\\'", i + 1));
        }
        sql.push_str(" ORDER BY published_at");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for word in &words {
            query = query.bind(word.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut found = Vec::new();
        for row in &rows {
            let example = example_row(row, &table)?;
            let Some(published) = &example.doc.published else {
                continue;
            };
            let matches = search.side.is_none_or(|s| s == example.doc.side)
                && search.theme.is_none_or(|t| published.themes.contains(&t))
                && search.wall.is_none_or(|w| published.walls.contains(&w))
                && search.industry.is_none_or(|i| i == published.industry)
                && search.prefecture.is_none_or(|p| p == published.prefecture);
            if matches {
                found.push(example);
            }
        }
        Ok(found)
    }

    /// The number of every published case in the catalogue (1 = the first published), by
    /// case: what its letter (A社, B社 ...) and its 【事例N】 are.
    pub async fn catalogue_numbers(&self) -> Result<Vec<CaseId>, ReadError> {
        let table = self.table(Projection::Examples, "rm_examples");
        let sql =
            format!("SELECT case_id FROM {table} WHERE status = 'published' ORDER BY published_at");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| Ok(CaseId(super::uuid(row, "case_id")?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_texts_normalise_alike() {
        assert_eq!(normalise("ＩＴ導入　社員"), "it導入 社員");
        assert_eq!(normalise("事業承継"), "事業承継");
    }
}
