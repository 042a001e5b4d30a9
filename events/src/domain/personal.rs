//! Personal data (個人情報), kept apart from the rest of every event.
//!
//! An event names people only by [`PersonId`]; what identifies them (name, kana, contact
//! details, free text about them) sits in the event's [`PersonalData`], one entry per person.
//! In the stored payload this is the one top-level key `"personal"`, the same for every event
//! type, so honouring a deletion request means encrypting or erasing `personal[<person id>]`
//! wherever it occurs (per-person keys, destroyed on request) without touching any event type
//! or upcaster. The business part of the event stays intact: the history still says that
//! "a person" attended the dialogue, just no longer who.
//!
//! What a supporter writes about a person (health, family, intentions) belongs in that
//! person's `remarks`, not in a business note, a reason or a summary: the commands offer a
//! place for it wherever people take part (a dialogue's attendees, a representative, the owner
//! who consents). Business free text is not scanned for names; that is the supporter's
//! discipline, and the product's forms should say so.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ids::PersonId;
use super::japan::{Email, Kana, PersonName, Phone};
use super::values::{Line, Text};

/// What an event records about one person. Every field is optional: an event carries only
/// what the supporter entered.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<PersonName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<Kana>,
    /// 役職 (代表取締役, 専務, 工場長 ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Line<50>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
    /// Free text about this person (health, family, intentions on succession ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<Text>,
}

impl PersonDetails {
    pub fn named(name: PersonName) -> Self {
        Self {
            name: Some(name),
            ..Self::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The personal part of one event: details per person.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonalData(BTreeMap<PersonId, PersonDetails>);

impl PersonalData {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add what is known about `person`; empty details are not recorded.
    pub fn insert(&mut self, person: PersonId, details: PersonDetails) {
        if !details.is_empty() {
            self.0.insert(person, details);
        }
    }

    pub fn with(mut self, person: PersonId, details: PersonDetails) -> Self {
        self.insert(person, details);
        self
    }

    pub fn get(&self, person: PersonId) -> Option<&PersonDetails> {
        self.0.get(&person)
    }

    /// The people this event holds personal data about.
    pub fn subjects(&self) -> impl Iterator<Item = PersonId> + '_ {
        self.0.keys().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Merge another event's personal data into this one (later entries win).
    pub fn extend(&mut self, other: PersonalData) {
        self.0.extend(other.0);
    }
}
