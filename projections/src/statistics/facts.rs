//! What the policy statistics need to know of one case, beyond the rules' own state: folded
//! with the case document ([`CaseStats`], kept in `CaseDoc::stats`) and written beside it as
//! the narrow `stats` column of `rm_cases` ([`CaseFigures`]), so that the statistics read a few
//! hundred bytes per case instead of the whole document.
//!
//! Nothing here holds text written by people: a dialogue's notes are kept as character counts
//! per perspective only (confidential notes included, by their length alone).

use std::collections::BTreeMap;

use banso_events::domain::event::{DialogueNote, DomainEvent};
use banso_events::domain::ids::{AgencyId, IssueId, MeasureId, SupporterId};
use banso_events::domain::localbench::Perspective;
use banso_events::domain::values::Day;
use banso_events::domain::vocab::{MeasureKind, MeasureStatus, Wall};
use serde::{Deserialize, Serialize};

use crate::models::cases::{CaseDoc, MeasureNotes};

/// The statistics' own fold of a case (`CaseDoc::stats`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseStats {
    /// The agency that found the company at step zero (the holder may change later).
    #[serde(default)]
    pub found_by: Option<AgencyId>,
    /// The day the first issue was set.
    #[serde(default)]
    pub first_issue_on: Option<Day>,
    /// The day the first measure was prescribed.
    #[serde(default)]
    pub first_measure_on: Option<Day>,
    /// Every wall each issue has carried (set or revised), with the day it was first seen.
    #[serde(default)]
    pub walls_seen: BTreeMap<IssueId, BTreeMap<Wall, Day>>,
    /// Every wall overcome, in order.
    #[serde(default)]
    pub overcome: Vec<Overcome>,
    /// The hearing figures of every dialogue, in order.
    #[serde(default)]
    pub dialogues: Vec<Hearing>,
}

/// A wall overcome (WallOvercome) and the approach: the kind of the measure the event names,
/// `None` when it names none (記録なし).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overcome {
    pub wall: Wall,
    pub approach: Option<MeasureKind>,
    pub on: Day,
}

/// What one dialogue (DialogueHeld) wrote, as character counts: the measure of the step-zero
/// project (課題聞き取り力).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hearing {
    pub on: Day,
    /// The supporters who held it (the dialogue counts for each of them and their agencies).
    pub supporters: Vec<SupporterId>,
    /// Whether an expert took part (`experts` not empty).
    pub with_expert: bool,
    /// Characters of the notes under each perspective, in the order of [`Perspective::ALL`].
    pub chars: [u64; 4],
    /// Characters of the notes under no Local Benchmark item.
    pub unassigned: u64,
}

impl Hearing {
    /// The figures of a dialogue's notes. Characters are `char`s (Unicode scalar values), as
    /// `Text::chars` counts them; confidential notes count by their length (their text is
    /// never kept).
    pub fn of(
        on: Day,
        supporters: &[SupporterId],
        experts: &[SupporterId],
        notes: &[DialogueNote],
    ) -> Self {
        let mut chars = [0u64; 4];
        let mut unassigned = 0u64;
        for note in notes {
            let n = note.text.chars() as u64;
            match note.item {
                Some(item) => {
                    let p = perspective_index(item.perspective());
                    chars[p] += n;
                }
                None => unassigned += n,
            }
        }
        Self {
            on,
            supporters: supporters.to_vec(),
            with_expert: !experts.is_empty(),
            chars,
            unassigned,
        }
    }
}

/// The index of `p` in [`Perspective::ALL`].
pub(crate) fn perspective_index(p: Perspective) -> usize {
    Perspective::ALL
        .iter()
        .position(|q| *q == p)
        .expect("every perspective is in ALL")
}

impl CaseStats {
    /// Fold `event`; `measures` are the case's measures as folded so far (for the kind of the
    /// measure a wall was overcome by).
    pub(crate) fn apply(
        &mut self,
        event: &DomainEvent,
        measures: &BTreeMap<MeasureId, MeasureNotes>,
    ) {
        use DomainEvent::*;
        match event {
            CompanyDiscovered { agency_id, .. } => {
                self.found_by.get_or_insert(*agency_id);
            }
            IssueSet {
                issue_id,
                on,
                walls,
                ..
            }
            | IssueRevised {
                issue_id,
                on,
                walls,
                ..
            } => {
                if matches!(event, IssueSet { .. }) {
                    self.first_issue_on = Some(self.first_issue_on.map_or(*on, |d| d.min(*on)));
                }
                let seen = self.walls_seen.entry(*issue_id).or_default();
                for wall in walls {
                    seen.entry(*wall).or_insert(*on);
                }
            }
            MeasurePrescribed { on, .. } => {
                self.first_measure_on = Some(self.first_measure_on.map_or(*on, |d| d.min(*on)));
            }
            WallOvercome {
                wall,
                on,
                measure_id,
                ..
            } => self.overcome.push(Overcome {
                wall: *wall,
                approach: measure_id.and_then(|m| measures.get(&m)).map(|m| m.kind),
                on: *on,
            }),
            DialogueHeld {
                on,
                supporters,
                experts,
                notes,
                ..
            } => self
                .dialogues
                .push(Hearing::of(*on, supporters, experts, notes)),
            _ => {}
        }
    }
}

/// One issue's walls: every wall it has carried, and those overcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueWalls {
    pub seen: Vec<Wall>,
    pub overcome: Vec<Wall>,
}

/// The `stats` column of `rm_cases`: everything the statistics read of a case besides its
/// company, industry, prefecture and stage columns. Derived from the document when the case is
/// written.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseFigures {
    pub found_by: Option<AgencyId>,
    pub discovered_on: Option<Day>,
    pub start_line_on: Option<Day>,
    pub first_issue_on: Option<Day>,
    pub first_measure_on: Option<Day>,
    pub self_running_on: Option<Day>,
    /// The wall of each measure stalled now.
    pub stalled_on: Vec<Wall>,
    pub issues: Vec<IssueWalls>,
    pub overcome: Vec<Overcome>,
    pub dialogues: Vec<Hearing>,
}

impl CaseFigures {
    pub fn of(doc: &CaseDoc) -> Self {
        let state = &doc.state;
        let stats = &doc.stats;
        let stalled_on = state
            .measures
            .iter()
            .filter(|(_, m)| m.status == MeasureStatus::Stalled)
            .filter_map(|(id, _)| doc.measures.get(id).and_then(|n| n.stalled_on))
            .collect();
        let issues = stats
            .walls_seen
            .iter()
            .map(|(id, seen)| IssueWalls {
                seen: seen.keys().copied().collect(),
                overcome: state
                    .issues
                    .get(id)
                    .map(|i| i.overcome.iter().copied().collect())
                    .unwrap_or_default(),
            })
            .collect();
        Self {
            found_by: stats.found_by,
            discovered_on: state.discovered_on,
            start_line_on: state.start_line_on,
            first_issue_on: stats.first_issue_on,
            first_measure_on: stats.first_measure_on,
            self_running_on: state.self_running_on,
            stalled_on,
            issues,
            overcome: stats.overcome.clone(),
            dialogues: stats.dialogues.clone(),
        }
    }
}
