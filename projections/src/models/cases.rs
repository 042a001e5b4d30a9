//! One row per case: the case list (filters, search, order), the case's state (the domain's
//! own fold, kept as a document, plus what the screens show beyond the rules' needs) and the
//! PDCA board (overdue reviews, stalled or late measures, KPIs off target).
//!
//! Side tables hold what a case is filtered on more than once: the agencies that may see it
//! (holder, team agencies, the receiver of a pending handover), its people (the supporter in
//! charge and the team) and its tags (themes and walls of open issues).

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use banso_events::Event;
use banso_events::domain::event::{DomainEvent, Envelope, StreamKey};
use banso_events::domain::ids::{
    AgencyId, CaseId, CompanyId, IssueId, KpiId, MeasureId, SupporterId,
};
use banso_events::domain::japan::{Industry, Prefecture};
use banso_events::domain::state::{CaseState, Fold};
use banso_events::domain::values::Day;
use banso_events::domain::vocab::{
    DiscoveryChannel, MeasureKind, MeasureStatus, Priority, Stage, Theme, Wall,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{day, day_text, document_error};
use super::{uuid, vocab};
use crate::error::ReadError;
use crate::practice::CaseEvidence;
use crate::projection::{Item, Projection, Table, Tx, table_name};
use crate::rows::{Cell, Marks, Rows, bind_cells};
use crate::runner::{ReadModels, event_day};
use crate::statistics::facts::{CaseFigures, CaseStats};

pub const TABLES: &[Table] = &[
    Table {
        base: "rm_cases",
        create: &[
            "CREATE TABLE {t} (
                case_id TEXT PRIMARY KEY,
                company_id TEXT NOT NULL,
                holder TEXT NOT NULL,
                in_charge TEXT,
                stage TEXT NOT NULL,
                cycle BIGINT NOT NULL,
                company_name TEXT NOT NULL,
                company_kana TEXT NOT NULL,
                industry TEXT,
                prefecture TEXT,
                open_handover BIGINT NOT NULL,
                next_review_on TEXT,
                earliest_due_on TEXT,
                stalled BIGINT NOT NULL,
                kpis_off_target BIGINT NOT NULL,
                discovered_on TEXT,
                last_activity_on TEXT,
                version BIGINT NOT NULL,
                position BIGINT NOT NULL,
                doc TEXT NOT NULL,
                stats TEXT NOT NULL,
                evidence TEXT NOT NULL
            )",
            "CREATE INDEX {t}_recent ON {t} (position)",
            "CREATE INDEX {t}_kana ON {t} (company_kana, case_id)",
            "CREATE INDEX {t}_holder ON {t} (holder, position)",
            "CREATE INDEX {t}_company ON {t} (company_id)",
        ],
    },
    Table {
        base: "rm_case_access",
        create: &[
            // The case's order keys are copied here, so that an agency's list reads its
            // own cases in order from an index instead of sorting all cases.
            "CREATE TABLE {t} (
                case_id TEXT NOT NULL,
                agency_id TEXT NOT NULL,
                position BIGINT NOT NULL,
                company_kana TEXT NOT NULL,
                PRIMARY KEY (case_id, agency_id)
            )",
            "CREATE INDEX {t}_recent ON {t} (agency_id, position, case_id)",
            "CREATE INDEX {t}_kana ON {t} (agency_id, company_kana, case_id)",
        ],
    },
    Table {
        base: "rm_case_people",
        create: &[
            "CREATE TABLE {t} (case_id TEXT NOT NULL, supporter_id TEXT NOT NULL, PRIMARY KEY (case_id, supporter_id))",
            "CREATE INDEX {t}_supporter ON {t} (supporter_id, case_id)",
        ],
    },
    Table {
        base: "rm_case_tags",
        create: &[
            "CREATE TABLE {t} (case_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (case_id, tag))",
            "CREATE INDEX {t}_tag ON {t} (tag, case_id)",
        ],
    },
    Table {
        base: "rm_companies",
        create: &["CREATE TABLE {t} (
            company_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kana TEXT NOT NULL,
            industry TEXT NOT NULL,
            prefecture TEXT NOT NULL,
            municipality TEXT,
            employees BIGINT NOT NULL,
            sole_proprietor BIGINT NOT NULL
        )"],
    },
];

/// What the screens show of a case beyond the rules' own state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseDoc {
    /// The domain's fold: stage, consent, team, issues, measures, handovers ...
    pub state: CaseState,
    pub channel: Option<DiscoveryChannel>,
    pub first_concerns: Vec<String>,
    pub outreach_visits: u32,
    pub dialogues: u32,
    pub issues: BTreeMap<IssueId, IssueNotes>,
    pub measures: BTreeMap<MeasureId, MeasureNotes>,
    pub reviews: Vec<ReviewNote>,
    pub next_review_on: Option<Day>,
    pub last_activity_on: Option<Day>,
    /// The days handovers of the case were accepted.
    #[serde(default)]
    pub handovers_accepted_on: Vec<Day>,
    /// What the policy statistics need beyond the rest (see [`crate::statistics`]).
    #[serde(default)]
    pub stats: CaseStats,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssueNotes {
    pub theme: Theme,
    pub priority: Priority,
    pub description: Option<String>,
    pub set_on: Day,
    /// When it was resolved or dropped.
    pub closed_on: Option<Day>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureNotes {
    pub kind: MeasureKind,
    pub description: Option<String>,
    pub percent: Option<u8>,
    /// The wall it is stalled on now.
    pub stalled_on: Option<Wall>,
    pub completed_on: Option<Day>,
    /// The latest measurement of each KPI.
    pub readings: BTreeMap<KpiId, KpiReading>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiReading {
    pub value: f64,
    pub on: Day,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewNote {
    pub on: Day,
    /// The day the review before it had set for this one, if any.
    #[serde(default)]
    pub scheduled_on: Option<Day>,
    pub cycle: u32,
    pub findings: u32,
    pub achieved: u32,
}

impl CaseDoc {
    /// The document of a case with these events (of its stream), as the read model folds it.
    /// For tests and tools; the read model folds event by event.
    pub fn of_events<'a>(events: impl IntoIterator<Item = &'a DomainEvent>) -> Self {
        let mut doc = Self::default();
        for event in events {
            // The day an event says it happened, read from its stored payload as the runner
            // reads it.
            let on = Envelope::plain(event.clone())
                .to_payload()
                .ok()
                .and_then(|payload| event_day(payload.get()));
            doc.apply(event, on);
        }
        doc
    }

    /// Fold `event`, which says it happened `on` (if it says a day).
    fn apply(&mut self, event: &DomainEvent, on: Option<Day>) {
        use DomainEvent::*;
        self.state.apply(event);
        self.stats.apply(event, &self.measures);
        if on.is_some() {
            self.last_activity_on = self.last_activity_on.max(on);
        }
        match event {
            CompanyDiscovered {
                channel,
                first_concerns,
                ..
            } => {
                self.channel = Some(*channel);
                self.first_concerns = first_concerns.iter().map(|c| c.to_string()).collect();
            }
            OutreachVisitLogged { .. } => self.outreach_visits += 1,
            DialogueHeld { .. } => self.dialogues += 1,
            IssueSet {
                issue_id,
                on,
                theme,
                priority,
                description,
                ..
            } => {
                self.issues.insert(
                    *issue_id,
                    IssueNotes {
                        theme: *theme,
                        priority: *priority,
                        description: description.as_ref().map(|d| d.to_string()),
                        set_on: *on,
                        closed_on: None,
                    },
                );
            }
            IssueRevised {
                issue_id,
                theme,
                priority,
                description,
                ..
            } => {
                if let Some(notes) = self.issues.get_mut(issue_id) {
                    notes.theme = *theme;
                    notes.priority = *priority;
                    notes.description = description.as_ref().map(|d| d.to_string());
                }
            }
            IssueDropped { issue_id, on, .. } | IssueResolved { issue_id, on, .. } => {
                if let Some(notes) = self.issues.get_mut(issue_id) {
                    notes.closed_on = Some(*on);
                }
            }
            MeasurePrescribed {
                measure_id,
                kind,
                description,
                ..
            } => {
                self.measures.insert(
                    *measure_id,
                    MeasureNotes {
                        kind: *kind,
                        description: description.as_ref().map(|d| d.to_string()),
                        percent: None,
                        stalled_on: None,
                        completed_on: None,
                        readings: BTreeMap::new(),
                    },
                );
            }
            MeasureProgressLogged {
                measure_id,
                percent: Some(percent),
                ..
            } => {
                if let Some(m) = self.measures.get_mut(measure_id) {
                    m.percent = Some(percent.get());
                }
            }
            MeasureStalled {
                measure_id, wall, ..
            } => {
                if let Some(m) = self.measures.get_mut(measure_id) {
                    m.stalled_on = Some(*wall);
                }
            }
            MeasureResumed { measure_id, .. } => {
                if let Some(m) = self.measures.get_mut(measure_id) {
                    m.stalled_on = None;
                }
            }
            MeasureCompleted { measure_id, on, .. } => {
                if let Some(m) = self.measures.get_mut(measure_id) {
                    m.stalled_on = None;
                    m.completed_on = Some(*on);
                    m.percent = Some(100);
                }
            }
            KpiMeasured {
                measure_id,
                kpi_id,
                on,
                value,
                ..
            } => {
                if let Some(m) = self.measures.get_mut(measure_id) {
                    m.readings.insert(
                        *kpi_id,
                        KpiReading {
                            value: value.get(),
                            on: *on,
                        },
                    );
                }
            }
            ReviewHeld {
                on,
                cycle,
                findings,
                next_review_on,
                ..
            } => {
                for finding in findings {
                    if let Some(m) = self.measures.get_mut(&finding.measure_id) {
                        let newer = m.readings.get(&finding.kpi_id).is_none_or(|r| r.on <= *on);
                        if newer {
                            m.readings.insert(
                                finding.kpi_id,
                                KpiReading {
                                    value: finding.value.get(),
                                    on: *on,
                                },
                            );
                        }
                    }
                }
                self.reviews.push(ReviewNote {
                    on: *on,
                    scheduled_on: self.next_review_on,
                    cycle: *cycle,
                    findings: findings.len() as u32,
                    achieved: findings.iter().filter(|f| f.achieved).count() as u32,
                });
                self.next_review_on = *next_review_on;
            }
            CaseClosed { .. } => self.next_review_on = None,
            HandoverAccepted { on, .. } => self.handovers_accepted_on.push(*on),
            _ => {}
        }
    }

    /// Measures not completed whose due date has passed `today`.
    pub fn past_due(&self, today: Day) -> usize {
        self.state
            .measures
            .values()
            .filter(|m| m.status != MeasureStatus::Completed && m.due_on < today)
            .count()
    }

    fn earliest_due_on(&self) -> Option<Day> {
        self.state
            .measures
            .values()
            .filter(|m| m.status != MeasureStatus::Completed)
            .map(|m| m.due_on)
            .min()
    }

    fn stalled(&self) -> usize {
        self.state
            .measures
            .values()
            .filter(|m| m.status == MeasureStatus::Stalled)
            .count()
    }

    /// KPIs whose latest reading misses the target (unmeasured KPIs are not counted).
    pub fn kpis_off_target(&self) -> usize {
        self.state
            .measures
            .iter()
            .flat_map(|(id, m)| m.kpis.iter().map(move |k| (id, k)))
            .filter(|(id, kpi)| {
                self.measures
                    .get(id)
                    .and_then(|n| n.readings.get(&kpi.kpi_id))
                    .and_then(|r| banso_events::domain::values::Quantity::new(r.value).ok())
                    .is_some_and(|value| !kpi.reached(value))
            })
            .count()
    }

    /// The agencies that may see the case: the holder, the team's agencies, and the receiver
    /// of a pending handover (which must read the case to decide).
    pub fn agencies(&self) -> Vec<AgencyId> {
        let mut agencies: Vec<AgencyId> = self.state.holder.into_iter().collect();
        agencies.extend(self.state.team.values().map(|m| m.agency_id));
        if let Some((_, handover)) = self.state.pending_handover() {
            agencies.push(handover.to_agency);
        }
        agencies.sort();
        agencies.dedup();
        agencies
    }

    fn people(&self) -> Vec<SupporterId> {
        let mut people: Vec<SupporterId> = self.state.in_charge.into_iter().collect();
        people.extend(self.state.team.keys().copied());
        people.sort();
        people.dedup();
        people
    }

    fn tags(&self) -> Vec<String> {
        let mut tags = Vec::new();
        for (id, issue) in self.state.open_issues() {
            if let Some(notes) = self.issues.get(id) {
                tags.push(format!("theme:{}", notes.theme.id()));
            }
            for wall in &issue.walls {
                tags.push(format!("wall:{}", wall.id()));
            }
        }
        tags.sort();
        tags.dedup();
        tags
    }
}

/// The company columns copied into each of its cases.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompanyColumns {
    pub name: String,
    pub kana: String,
    pub industry: Option<Industry>,
    pub prefecture: Option<Prefecture>,
    pub municipality: Option<String>,
    pub employees: i64,
    pub sole_proprietor: bool,
}

/// A case as folded so far, not yet written.
struct Pending {
    doc: CaseDoc,
    version: u64,
    position: u64,
    /// Whether the tables hold an earlier row of the case (whose side rows must go).
    stored: bool,
}

/// A company's columns as known to this run, and whether they changed since last written.
struct KnownCompany {
    columns: Option<CompanyColumns>,
    changed: bool,
}

/// What the cases read model folds and has not written yet. The live runner writes it at the
/// end of every batch; a rebuild keeps it over many batches (see [`apply`]), so that a case
/// with events all over the store is written once instead of once per batch.
#[derive(Default)]
pub(crate) struct Carry {
    cases: HashMap<CaseId, Pending>,
    companies: HashMap<CompanyId, KnownCompany>,
}

impl Carry {
    /// Whether everything folded has been written.
    pub(crate) fn is_settled(&self) -> bool {
        self.cases.is_empty() && self.companies.values().all(|c| !c.changed)
    }
}

/// Fold `items` into `carry`, then write it out if it holds more than `hold` cases (0: always).
pub(crate) async fn apply(
    tx: &mut Tx,
    generation: i64,
    items: &[Item<'_>],
    carry: &mut Carry,
    hold: usize,
) -> Result<(), ReadError> {
    let t = Tables::of(generation);
    // The batch's cases not held already, read in one query rather than one each.
    let wanted: BTreeSet<CaseId> = items
        .iter()
        .filter_map(|item| match item.event.stream() {
            StreamKey::Case(id) if !carry.cases.contains_key(&id) => Some(id),
            _ => None,
        })
        .collect();
    let wanted: Vec<CaseId> = wanted.into_iter().collect();
    for chunk in wanted.chunks(500) {
        carry.cases.extend(load_cases(tx, &t, chunk).await?);
    }
    for item in items {
        let event = item.event;
        match event {
            DomainEvent::CompanyRegistered { company_id, .. }
            | DomainEvent::CompanyProfileUpdated { company_id, .. } => {
                let known = match carry.companies.entry(*company_id) {
                    Entry::Occupied(slot) => slot.into_mut(),
                    Entry::Vacant(slot) => slot.insert(KnownCompany {
                        columns: load_company(&mut **tx, &t.companies, *company_id).await?,
                        changed: false,
                    }),
                };
                update_company(known.columns.get_or_insert_default(), event);
                known.changed = true;
                continue;
            }
            _ => {}
        }
        let StreamKey::Case(case_id) = event.stream() else {
            continue;
        };
        // Not in the table yet: a new case.
        let pending = carry.cases.entry(case_id).or_insert_with(|| Pending {
            doc: CaseDoc::default(),
            version: 0,
            position: 0,
            stored: false,
        });
        pending.doc.apply(event, item.on);
        pending.version = item.recorded.version.0;
        pending.position = item.recorded.position.0;
    }
    if carry.cases.len() > hold || hold == 0 {
        flush(tx, generation, carry).await?;
    }
    Ok(())
}

/// Write out everything `carry` holds: companies, then cases with their side tables.
pub(crate) async fn flush(
    tx: &mut Tx,
    generation: i64,
    carry: &mut Carry,
) -> Result<(), ReadError> {
    let t = Tables::of(generation);
    let changed: Vec<(CompanyId, CompanyColumns)> = carry
        .companies
        .iter_mut()
        .filter(|(_, known)| known.changed)
        .filter_map(|(id, known)| {
            known.changed = false;
            Some((*id, known.columns.clone()?))
        })
        .collect();
    save_companies(tx, &t, &changed).await?;

    let mut cases: Vec<(CaseId, Pending)> = carry.cases.drain().collect();
    cases.sort_by_key(|(_, pending)| pending.position);
    for (_, pending) in &cases {
        let Some(company_id) = pending.doc.state.company_id else {
            continue;
        };
        if let Entry::Vacant(slot) = carry.companies.entry(company_id) {
            slot.insert(KnownCompany {
                columns: load_company(&mut **tx, &t.companies, company_id).await?,
                changed: false,
            });
        }
    }
    // A few hundred at a time: the rows of 100,000 cases at once would take gigabytes.
    for chunk in cases.chunks(500) {
        save_cases(tx, &t, chunk, &carry.companies).await?;
    }
    // Companies are few next to events; drop them only when a long rebuild gathered many.
    if carry.companies.len() > 100_000 {
        carry.companies.clear();
    }
    Ok(())
}

fn update_company(columns: &mut CompanyColumns, event: &DomainEvent) {
    match event {
        DomainEvent::CompanyRegistered {
            name,
            kana,
            industry,
            prefecture,
            municipality,
            employees,
            sole_proprietor,
            ..
        } => {
            *columns = CompanyColumns {
                name: name.to_string(),
                kana: kana.to_string(),
                industry: Some(*industry),
                prefecture: Some(*prefecture),
                municipality: municipality.as_ref().map(|m| m.to_string()),
                employees: employees.get() as i64,
                sole_proprietor: *sole_proprietor,
            }
        }
        DomainEvent::CompanyProfileUpdated {
            name,
            kana,
            industry,
            prefecture,
            municipality,
            employees,
            ..
        } => {
            if let Some(name) = name {
                columns.name = name.to_string();
            }
            if let Some(kana) = kana {
                columns.kana = kana.to_string();
            }
            if let Some(industry) = industry {
                columns.industry = Some(*industry);
            }
            if let Some(prefecture) = prefecture {
                columns.prefecture = Some(*prefecture);
            }
            if let Some(municipality) = municipality {
                columns.municipality = Some(municipality.to_string());
            }
            if let Some(employees) = employees {
                columns.employees = employees.get() as i64;
            }
        }
        _ => {}
    }
}

/// The generation's table names.
struct Tables {
    cases: String,
    access: String,
    people: String,
    tags: String,
    companies: String,
}

impl Tables {
    fn of(generation: i64) -> Self {
        Self {
            cases: table_name("rm_cases", generation),
            access: table_name("rm_case_access", generation),
            people: table_name("rm_case_people", generation),
            tags: table_name("rm_case_tags", generation),
            companies: table_name("rm_companies", generation),
        }
    }
}

async fn load_company<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    table: &str,
    company: CompanyId,
) -> Result<Option<CompanyColumns>, ReadError> {
    let sql = format!(
        "SELECT name, kana, industry, prefecture, municipality, employees, sole_proprietor
         FROM {table} WHERE company_id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(company.0.to_string())
        .fetch_optional(executor)
        .await?;
    row.map(|row| {
        let industry: String = row.try_get("industry")?;
        let prefecture: String = row.try_get("prefecture")?;
        Ok(CompanyColumns {
            name: row.try_get("name")?,
            kana: row.try_get("kana")?,
            industry: Industry::parse(&industry).ok(),
            prefecture: Prefecture::parse(&prefecture).ok(),
            municipality: row.try_get("municipality")?,
            employees: row.try_get("employees")?,
            sole_proprietor: row.try_get::<i64, _>("sole_proprietor")? != 0,
        })
    })
    .transpose()
}

/// Upsert `companies`, and copy their columns into their cases already written.
async fn save_companies(
    tx: &mut Tx,
    t: &Tables,
    companies: &[(CompanyId, CompanyColumns)],
) -> Result<(), ReadError> {
    if companies.is_empty() {
        return Ok(());
    }
    let mut rows = Rows::new(
        &t.companies,
        &[
            "company_id",
            "name",
            "kana",
            "industry",
            "prefecture",
            "municipality",
            "employees",
            "sole_proprietor",
        ],
        "ON CONFLICT (company_id) DO UPDATE SET name = excluded.name, kana = excluded.kana,
             industry = excluded.industry, prefecture = excluded.prefecture,
             municipality = excluded.municipality, employees = excluded.employees,
             sole_proprietor = excluded.sole_proprietor",
    );
    for (id, c) in companies {
        rows.push([
            id.0.to_string().into(),
            c.name.as_str().into(),
            c.kana.as_str().into(),
            c.industry
                .map(|i| i.code().to_string())
                .unwrap_or_default()
                .into(),
            c.prefecture.map(|p| p.name()).unwrap_or_default().into(),
            c.municipality.clone().into(),
            c.employees.into(),
            (c.sole_proprietor as i64).into(),
        ]);
    }
    rows.write(tx).await?;
    // Cases of these companies that this write does not cover get the new columns here.
    for chunk in companies.chunks(500) {
        let sql = format!(
            "UPDATE {cases} SET
                 company_name = (SELECT name FROM {companies} p WHERE p.company_id = {cases}.company_id),
                 company_kana = (SELECT kana FROM {companies} p WHERE p.company_id = {cases}.company_id),
                 industry = (SELECT NULLIF(industry, '') FROM {companies} p WHERE p.company_id = {cases}.company_id),
                 prefecture = (SELECT NULLIF(prefecture, '') FROM {companies} p WHERE p.company_id = {cases}.company_id)
             WHERE company_id IN ({ids})",
            cases = t.cases,
            companies = t.companies,
            ids = Marks::of(tx).list(0, chunk.len()),
        );
        let cells = || chunk.iter().map(|(id, _)| Cell::from(id.0.to_string()));
        bind_cells(sqlx::query(sqlx::AssertSqlSafe(sql)), cells())
            .execute(&mut **tx)
            .await?;
        let sql = format!(
            "UPDATE {access} SET company_kana = (SELECT c.company_kana FROM {cases} c
                 WHERE c.case_id = {access}.case_id)
             WHERE case_id IN (SELECT case_id FROM {cases} WHERE company_id IN ({ids}))",
            access = t.access,
            cases = t.cases,
            ids = Marks::of(tx).list(0, chunk.len()),
        );
        bind_cells(sqlx::query(sqlx::AssertSqlSafe(sql)), cells())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The stored rows of `cases` (those the table has).
async fn load_cases(
    tx: &mut Tx,
    t: &Tables,
    cases: &[CaseId],
) -> Result<Vec<(CaseId, Pending)>, ReadError> {
    let sql = format!(
        "SELECT case_id, doc, version, position FROM {} WHERE case_id IN ({})",
        t.cases,
        Marks::of(tx).list(0, cases.len())
    );
    let ids = cases.iter().map(|c| Cell::from(c.0.to_string()));
    let rows = bind_cells(sqlx::query(sqlx::AssertSqlSafe(sql)), ids)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|row| {
            let doc: String = row.try_get("doc")?;
            let pending = Pending {
                doc: serde_json::from_str(&doc).map_err(|e| document_error(&t.cases, e))?,
                version: row.try_get::<i64, _>("version")? as u64,
                position: row.try_get::<i64, _>("position")? as u64,
                stored: true,
            };
            Ok((CaseId(uuid(row, "case_id")?), pending))
        })
        .collect()
}

const CASE_WRITE_COLUMNS: &[&str] = &[
    "case_id",
    "company_id",
    "holder",
    "in_charge",
    "stage",
    "cycle",
    "company_name",
    "company_kana",
    "industry",
    "prefecture",
    "open_handover",
    "next_review_on",
    "earliest_due_on",
    "stalled",
    "kpis_off_target",
    "discovered_on",
    "last_activity_on",
    "version",
    "position",
    "doc",
    "stats",
    "evidence",
];

/// Upsert `cases` and replace their rows in the side tables.
async fn save_cases(
    tx: &mut Tx,
    t: &Tables,
    cases: &[(CaseId, Pending)],
    companies: &HashMap<CompanyId, KnownCompany>,
) -> Result<(), ReadError> {
    if cases.is_empty() {
        return Ok(());
    }
    let upsert = format!(
        "ON CONFLICT (case_id) DO UPDATE SET {}",
        CASE_WRITE_COLUMNS[1..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut rows = Rows::new(&t.cases, CASE_WRITE_COLUMNS, &upsert);
    let mut access = Rows::new(
        &t.access,
        &["case_id", "agency_id", "position", "company_kana"],
        "",
    );
    let mut people = Rows::new(&t.people, &["case_id", "supporter_id"], "");
    let mut tags = Rows::new(&t.tags, &["case_id", "tag"], "");
    let no_company = CompanyColumns::default();
    for (case, pending) in cases {
        let doc = &pending.doc;
        let state = &doc.state;
        let company = state
            .company_id
            .and_then(|c| companies.get(&c))
            .and_then(|known| known.columns.as_ref())
            .unwrap_or(&no_company);
        let id = case.0.to_string();
        rows.push([
            id.as_str().into(),
            state
                .company_id
                .map(|c| c.0.to_string())
                .unwrap_or_default()
                .into(),
            state
                .holder
                .map(|a| a.0.to_string())
                .unwrap_or_default()
                .into(),
            state.in_charge.map(|s| s.0.to_string()).into(),
            state.stage().id().into(),
            i64::from(state.cycle).into(),
            company.name.as_str().into(),
            company.kana.as_str().into(),
            company.industry.map(|i| i.code().to_string()).into(),
            company.prefecture.map(|p| p.name().to_owned()).into(),
            (state.pending_handover().is_some() as i64).into(),
            day_text(doc.next_review_on).into(),
            day_text(doc.earliest_due_on()).into(),
            (doc.stalled() as i64).into(),
            (doc.kpis_off_target() as i64).into(),
            day_text(state.discovered_on).into(),
            day_text(doc.last_activity_on).into(),
            (pending.version as i64).into(),
            (pending.position as i64).into(),
            serde_json::to_string(doc)
                .map_err(|e| document_error(&t.cases, e))?
                .into(),
            serde_json::to_string(&CaseFigures::of(doc))
                .map_err(|e| document_error(&t.cases, e))?
                .into(),
            serde_json::to_string(&CaseEvidence::of(doc))
                .map_err(|e| document_error(&t.cases, e))?
                .into(),
        ]);
        for agency in doc.agencies() {
            access.push([
                id.as_str().into(),
                agency.0.to_string().into(),
                (pending.position as i64).into(),
                company.kana.as_str().into(),
            ]);
        }
        for supporter in doc.people() {
            people.push([id.as_str().into(), supporter.0.to_string().into()]);
        }
        for tag in doc.tags() {
            tags.push([id.as_str().into(), tag.into()]);
        }
    }
    let stored: Vec<Cell> = cases
        .iter()
        .filter(|(_, pending)| pending.stored)
        .map(|(case, _)| Cell::from(case.0.to_string()))
        .collect();
    for table in [&t.access, &t.people, &t.tags] {
        for chunk in stored.chunks(500) {
            let sql = format!(
                "DELETE FROM {table} WHERE case_id IN ({})",
                Marks::of(tx).list(0, chunk.len())
            );
            bind_cells(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk.iter().cloned())
                .execute(&mut **tx)
                .await?;
        }
    }
    rows.write(tx).await?;
    access.write(tx).await?;
    people.write(tx).await?;
    tags.write(tx).await
}

// ---- queries ----------------------------------------------------------------------------

/// A case as the list and the case screen show it.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseRow {
    pub case_id: CaseId,
    pub company_id: CompanyId,
    pub company_name: String,
    pub company_kana: String,
    pub industry: Option<Industry>,
    pub prefecture: Option<Prefecture>,
    pub holder: AgencyId,
    pub in_charge: Option<SupporterId>,
    pub stage: Stage,
    pub cycle: u32,
    pub open_handover: bool,
    pub next_review_on: Option<Day>,
    pub version: u64,
    pub position: u64,
    pub doc: CaseDoc,
}

/// Which cases a list shows. Every field narrows; `visible_to` is the caller's agency.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub visible_to: Option<AgencyId>,
    pub holder: Option<AgencyId>,
    pub supporter: Option<SupporterId>,
    pub stages: Vec<Stage>,
    pub industry: Option<Industry>,
    pub prefecture: Option<Prefecture>,
    pub theme: Option<Theme>,
    pub wall: Option<Wall>,
    pub open_handover: Option<bool>,
    /// Part of the company's name or kana.
    pub search: Option<String>,
    /// Only cases whose next review is before this day (overdue reviews).
    pub review_before: Option<Day>,
    /// Only cases with at least one stalled measure.
    pub stalled: bool,
    /// Only cases with an unfinished measure due before this day.
    pub due_before: Option<Day>,
    /// Only cases with a KPI off target.
    pub off_target: bool,
}

/// The order of a case list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CaseOrder {
    /// Most recently changed first.
    #[default]
    Recent,
    /// By the company's kana (五十音順).
    Kana,
}

/// A page of cases and whether more follow.
#[derive(Clone, Debug, PartialEq)]
pub struct CasePage {
    pub cases: Vec<CaseRow>,
    pub has_next: bool,
}

const CASE_COLUMNS: &str = "c.case_id, c.company_id, c.company_name, c.company_kana, c.industry,
    c.prefecture, c.holder, c.in_charge, c.stage, c.cycle, c.open_handover, c.next_review_on,
    c.version, c.position, c.doc";

fn case_row(row: &AnyRow) -> Result<CaseRow, ReadError> {
    let doc: String = row.try_get("doc")?;
    let industry: Option<String> = row.try_get("industry")?;
    let prefecture: Option<String> = row.try_get("prefecture")?;
    let in_charge: Option<String> = row.try_get("in_charge")?;
    Ok(CaseRow {
        case_id: CaseId(uuid(row, "case_id")?),
        company_id: CompanyId(uuid(row, "company_id")?),
        company_name: row.try_get("company_name")?,
        company_kana: row.try_get("company_kana")?,
        industry: industry.and_then(|i| Industry::parse(&i).ok()),
        prefecture: prefecture.and_then(|p| Prefecture::parse(&p).ok()),
        holder: AgencyId(uuid(row, "holder")?),
        in_charge: in_charge.and_then(|s| s.parse().ok()).map(SupporterId),
        stage: vocab(row, "stage")?,
        cycle: row.try_get::<i64, _>("cycle")? as u32,
        open_handover: row.try_get::<i64, _>("open_handover")? != 0,
        next_review_on: day(row.try_get("next_review_on")?),
        version: row.try_get::<i64, _>("version")? as u64,
        position: row.try_get::<i64, _>("position")? as u64,
        doc: serde_json::from_str(&doc).map_err(|e| document_error("rm_cases", e))?,
    })
}

/// `%text%` for LIKE, with the wildcards in `text` taken literally.
pub(crate) fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl ReadModels {
    fn case_tables(&self) -> Tables {
        Tables::of(self.generation(Projection::Cases))
    }

    /// The case, whoever asks (check [`Self::can_see`] first).
    pub async fn case(&self, case: CaseId) -> Result<Option<CaseRow>, ReadError> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM {} c WHERE c.case_id = $1",
            self.case_tables().cases
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.0.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(case_row).transpose()
    }

    /// Whether `agency` may see `case` (false as well when the case does not exist).
    pub async fn can_see(&self, agency: AgencyId, case: CaseId) -> Result<bool, ReadError> {
        let sql = format!(
            "SELECT 1 FROM {} WHERE case_id = $1 AND agency_id = $2",
            self.case_tables().access
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.0.to_string())
            .bind(agency.0.to_string())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// Whether the read model has `case` (for anyone).
    pub async fn case_exists(&self, case: CaseId) -> Result<bool, ReadError> {
        let sql = format!(
            "SELECT 1 FROM {} WHERE case_id = $1",
            self.case_tables().cases
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.0.to_string())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// The company columns of `company`.
    pub async fn company(&self, company: CompanyId) -> Result<Option<CompanyColumns>, ReadError> {
        load_company(self.pool(), &self.case_tables().companies, company).await
    }

    /// Whether `agency` may see some case of `company`.
    pub async fn can_see_company(
        &self,
        agency: AgencyId,
        company: CompanyId,
    ) -> Result<bool, ReadError> {
        let t = self.case_tables();
        let sql = format!(
            "SELECT 1 FROM {} c JOIN {} a ON a.case_id = c.case_id
             WHERE c.company_id = $1 AND a.agency_id = $2 LIMIT 1",
            t.cases, t.access
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(company.0.to_string())
            .bind(agency.0.to_string())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// A page of cases: `limit` after the opaque `after` cursor (from [`cursor_of`]).
    pub async fn cases(
        &self,
        filter: &CaseFilter,
        order: CaseOrder,
        after: Option<&str>,
        limit: usize,
    ) -> Result<CasePage, ReadError> {
        let t = self.case_tables();
        let mut binds: Vec<Cell> = Vec::new();
        let (from, keys, mut wheres) = source(&t, filter, &mut binds);
        let Keys {
            position,
            kana,
            case_id,
        } = keys;
        let order_by = match order {
            CaseOrder::Recent => format!("{position} DESC, {case_id} DESC"),
            CaseOrder::Kana => format!("{kana} ASC, {case_id} ASC"),
        };
        if let Some(cursor) = after {
            match (order, parse_cursor(cursor)) {
                (CaseOrder::Recent, Some(Cursor::Recent(after_position, id))) => {
                    let p = arg(Cell::from(after_position), &mut binds);
                    let i = arg(Cell::from(id), &mut binds);
                    wheres.push(format!(
                        "({position} < {p} OR ({position} = {p} AND {case_id} < {i}))"
                    ));
                }
                (CaseOrder::Kana, Some(Cursor::Kana(after_kana, id))) => {
                    let k = arg(Cell::from(after_kana), &mut binds);
                    let i = arg(Cell::from(id), &mut binds);
                    wheres.push(format!(
                        "({kana} > {k} OR ({kana} = {k} AND {case_id} > {i}))"
                    ));
                }
                _ => return Err(ReadError::BadCursor),
            }
        }
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM {from} {} ORDER BY {order_by} LIMIT {}",
            where_clause(&wheres),
            limit + 1
        );
        let rows = bind_cells(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
            .fetch_all(self.pool())
            .await?;
        let mut cases = rows.iter().map(case_row).collect::<Result<Vec<_>, _>>()?;
        let has_next = cases.len() > limit;
        cases.truncate(limit);
        Ok(CasePage { cases, has_next })
    }

    /// How many cases of `filter` are in each stage and cycle (the board's columns).
    pub async fn stage_counts(
        &self,
        filter: &CaseFilter,
    ) -> Result<Vec<(Stage, u32, u64)>, ReadError> {
        let t = self.case_tables();
        let mut binds = Vec::new();
        let (from, _, wheres) = source(&t, filter, &mut binds);
        let sql = format!(
            "SELECT c.stage, c.cycle, COUNT(*) AS n FROM {from} {}
             GROUP BY c.stage, c.cycle",
            where_clause(&wheres)
        );
        let rows = bind_cells(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
            .fetch_all(self.pool())
            .await?;
        let mut counts = rows
            .iter()
            .map(|row| {
                Ok((
                    vocab::<Stage>(row, "stage")?,
                    row.try_get::<i64, _>("cycle")? as u32,
                    row.try_get::<i64, _>("n")? as u64,
                ))
            })
            .collect::<Result<Vec<_>, ReadError>>()?;
        counts.sort();
        Ok(counts)
    }
}

/// The columns a list is ordered and paged by.
struct Keys {
    position: &'static str,
    kana: &'static str,
    case_id: &'static str,
}

/// Where a list reads from, its order keys, and the SQL conditions of `filter` on `c` (the
/// cases table), binding values into `binds`. A list of the cases an agency may see reads
/// that agency's rows of the access table in key order and joins the cases to them.
fn source(t: &Tables, filter: &CaseFilter, binds: &mut Vec<Cell>) -> (String, Keys, Vec<String>) {
    let mut wheres: Vec<String> = Vec::new();
    let (from, keys) = match filter.visible_to {
        Some(agency) => {
            let p = arg(Cell::from(agency.0.to_string()), binds);
            wheres.push(format!("a.agency_id = {p}"));
            (
                format!("{} a JOIN {} c ON c.case_id = a.case_id", t.access, t.cases),
                Keys {
                    position: "a.position",
                    kana: "a.company_kana",
                    case_id: "a.case_id",
                },
            )
        }
        None => (
            format!("{} c", t.cases),
            Keys {
                position: "c.position",
                kana: "c.company_kana",
                case_id: "c.case_id",
            },
        ),
    };
    if let Some(holder) = filter.holder {
        let p = arg(Cell::from(holder.0.to_string()), binds);
        wheres.push(format!("c.holder = {p}"));
    }
    if let Some(supporter) = filter.supporter {
        let p = arg(Cell::from(supporter.0.to_string()), binds);
        wheres.push(format!(
            "EXISTS (SELECT 1 FROM {} s WHERE s.case_id = c.case_id AND s.supporter_id = {p})",
            t.people
        ));
    }
    if !filter.stages.is_empty() {
        let ps: Vec<String> = filter
            .stages
            .iter()
            .map(|s| arg(Cell::from(s.id().to_owned()), binds))
            .collect();
        wheres.push(format!("c.stage IN ({})", ps.join(", ")));
    }
    if let Some(industry) = filter.industry {
        let p = arg(Cell::from(industry.code().to_string()), binds);
        wheres.push(format!("c.industry = {p}"));
    }
    if let Some(prefecture) = filter.prefecture {
        let p = arg(Cell::from(prefecture.name().to_owned()), binds);
        wheres.push(format!("c.prefecture = {p}"));
    }
    let tags = [
        filter.theme.map(|t| format!("theme:{}", t.id())),
        filter.wall.map(|w| format!("wall:{}", w.id())),
    ];
    for tag in tags.into_iter().flatten() {
        let p = arg(Cell::from(tag), binds);
        wheres.push(format!(
            "EXISTS (SELECT 1 FROM {} g WHERE g.case_id = c.case_id AND g.tag = {p})",
            t.tags
        ));
    }
    if let Some(open) = filter.open_handover {
        wheres.push(format!("c.open_handover = {}", open as i64));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let p = arg(Cell::from(like_pattern(search)), binds);
        wheres.push(format!(
            "(c.company_name LIKE {p} ESCAPE '\\' OR c.company_kana LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(day) = filter.review_before {
        let p = arg(Cell::from(day.to_string()), binds);
        wheres.push(format!("c.next_review_on < {p}"));
    }
    if filter.stalled {
        wheres.push("c.stalled > 0".into());
    }
    if let Some(day) = filter.due_before {
        let p = arg(Cell::from(day.to_string()), binds);
        wheres.push(format!("c.earliest_due_on < {p}"));
    }
    if filter.off_target {
        wheres.push("c.kpis_off_target > 0".into());
    }
    (from, keys, wheres)
}

/// `WHERE a AND b`, or nothing.
fn where_clause(wheres: &[String]) -> String {
    if wheres.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", wheres.join(" AND "))
    }
}

/// Bind `b` as the next parameter; its placeholder.
fn arg(b: Cell, binds: &mut Vec<Cell>) -> String {
    binds.push(b);
    format!("${}", binds.len())
}

enum Cursor {
    Recent(i64, String),
    Kana(String, String),
}

/// The cursor after `case` in `order`.
pub fn cursor_of(case: &CaseRow, order: CaseOrder) -> String {
    match order {
        CaseOrder::Recent => format!("r:{}:{}", case.position, case.case_id.0),
        CaseOrder::Kana => format!("k:{}:{}", case.case_id.0, case.company_kana),
    }
}

fn parse_cursor(cursor: &str) -> Option<Cursor> {
    if let Some(rest) = cursor.strip_prefix("r:") {
        let (position, id) = rest.split_once(':')?;
        uuid::Uuid::parse_str(id).ok()?;
        return Some(Cursor::Recent(position.parse().ok()?, id.to_owned()));
    }
    let rest = cursor.strip_prefix("k:")?;
    let (id, kana) = rest.split_once(':')?;
    uuid::Uuid::parse_str(id).ok()?;
    Some(Cursor::Kana(kana.to_owned(), id.to_owned()))
}
