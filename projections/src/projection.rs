//! The read models Banso keeps, their tables, and how one batch of events is applied to them.

use banso_events::RecordedEvent;
use banso_events::domain::event::DomainEvent;
use banso_events::domain::personal::PersonalData;
use banso_events::domain::values::Day;
use sqlx::{Any, Transaction};

use crate::error::ReadError;
use crate::models;

/// One event as the read models see it: where it was stored and what it says.
pub struct Item<'a> {
    pub recorded: &'a RecordedEvent,
    pub event: &'a DomainEvent,
    pub personal: &'a PersonalData,
    /// The day the event says it happened (its payload's `on`), if it says one.
    pub on: Option<Day>,
}

pub type Tx = Transaction<'static, Any>;

/// A table of a read model: `{t}` in the statements stands for the generation's table name.
pub struct Table {
    pub base: &'static str,
    pub create: &'static [&'static str],
}

impl Table {
    pub fn name(&self, generation: i64) -> String {
        table_name(self.base, generation)
    }
}

/// The table `base` of `generation`: `rm_cases_2`.
pub fn table_name(base: &str, generation: i64) -> String {
    format!("{base}_{generation}")
}

/// Every read model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Projection {
    /// Agencies and supporters, with their names, for labels and access checks.
    Directory,
    /// One row per case: the case list, the case state and the PDCA board.
    Cases,
    /// Every event of a case as a timeline entry.
    Timeline,
    /// Handovers between agencies: the inboxes.
    Handovers,
    /// Financial statements by company and fiscal year: the Local Benchmark history.
    Benchmarks,
    /// Collected cases: nominations, reviews, drafts and the published catalogue.
    Examples,
}

impl Projection {
    pub const ALL: [Projection; 6] = [
        Projection::Directory,
        Projection::Cases,
        Projection::Timeline,
        Projection::Handovers,
        Projection::Benchmarks,
        Projection::Examples,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Projection::Directory => "directory",
            Projection::Cases => "cases",
            Projection::Timeline => "timeline",
            Projection::Handovers => "handovers",
            Projection::Benchmarks => "benchmarks",
            Projection::Examples => "examples",
        }
    }

    pub fn parse(name: &str) -> Result<Self, ReadError> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| ReadError::UnknownProjection(name.to_owned()))
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub fn tables(self) -> &'static [Table] {
        match self {
            Projection::Directory => models::directory::TABLES,
            Projection::Cases => models::cases::TABLES,
            Projection::Timeline => models::timeline::TABLES,
            Projection::Handovers => models::handovers::TABLES,
            Projection::Benchmarks => models::benchmarks::TABLES,
            Projection::Examples => models::examples::TABLES,
        }
    }

    /// The statements that create its tables, as recorded for each generation.
    pub(crate) fn statements(self) -> String {
        self.tables()
            .iter()
            .flat_map(|table| table.create.iter().copied())
            .collect::<Vec<_>>()
            .join(";\n")
    }

    /// Apply `items` (in position order) to the tables of `generation`. What a read model
    /// folds but holds back (see [`Carry`]) is written once `carry` holds more than `hold`
    /// cases; 0 writes everything before returning.
    pub(crate) async fn apply(
        self,
        tx: &mut Tx,
        generation: i64,
        items: &[Item<'_>],
        carry: &mut Carry,
        hold: usize,
    ) -> Result<(), ReadError> {
        match self {
            Projection::Directory => models::directory::apply(tx, generation, items).await,
            Projection::Cases => {
                models::cases::apply(tx, generation, items, &mut carry.cases, hold).await
            }
            Projection::Timeline => models::timeline::apply(tx, generation, items).await,
            Projection::Handovers => models::handovers::apply(tx, generation, items).await,
            Projection::Benchmarks => models::benchmarks::apply(tx, generation, items).await,
            Projection::Examples => models::examples::apply(tx, generation, items).await,
        }
    }

    /// Write everything `carry` holds back.
    pub(crate) async fn flush(
        self,
        tx: &mut Tx,
        generation: i64,
        carry: &mut Carry,
    ) -> Result<(), ReadError> {
        match self {
            Projection::Cases => models::cases::flush(tx, generation, &mut carry.cases).await,
            _ => Ok(()),
        }
    }
}

/// What a read model has folded and not yet written, kept between batches by a rebuild.
#[derive(Default)]
pub(crate) struct Carry {
    cases: models::cases::Carry,
}

impl Carry {
    /// Whether the tables show everything applied so far (so the checkpoint may move).
    pub(crate) fn is_settled(&self) -> bool {
        self.cases.is_settled()
    }
}
