//! The states a decision may look at besides its own stream: the agencies, supporters,
//! companies and cases a command names. A [`Directory`] is filled before deciding, from the
//! store (`service`) or from the given events of a test.

use std::collections::HashMap;

use super::event::{DomainEvent, StreamKey};
use super::ids::{AgencyId, CaseId, CompanyId, SupporterId};
use super::state::{AgencyState, CaseState, CompanyState, ExampleState, Fold, SupporterState};
use super::values::Day;

/// Who issues a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A supporter signed in through the API; their agency and role come from the directory.
    Supporter(SupporterId),
    /// Whoever runs Banso on the server (the `banso` command line): may register agencies
    /// and supporters, and nothing on cases.
    Operator,
}

/// Known states by id; what is absent does not exist (as far as this decision knows).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Directory {
    pub agencies: HashMap<AgencyId, AgencyState>,
    pub supporters: HashMap<SupporterId, SupporterState>,
    pub companies: HashMap<CompanyId, CompanyState>,
    pub cases: HashMap<CaseId, CaseState>,
    pub examples: HashMap<CaseId, ExampleState>,
}

impl Directory {
    /// A directory of everything in `events` (any mix of streams).
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a DomainEvent>) -> Self {
        let mut directory = Self::default();
        for event in events {
            directory.apply(event);
        }
        directory
    }

    /// Fold one event into the state of its stream.
    pub fn apply(&mut self, event: &DomainEvent) {
        match event.stream() {
            StreamKey::Agency(id) => self.agencies.entry(id).or_default().apply(event),
            StreamKey::Supporter(id) => self.supporters.entry(id).or_default().apply(event),
            StreamKey::Company(id) => self.companies.entry(id).or_default().apply(event),
            StreamKey::Case(id) => self.cases.entry(id).or_default().apply(event),
            StreamKey::Example(id) => self.examples.entry(id).or_default().apply(event),
        }
    }

    /// A directory of just what this one folded for stream `key` (empty if nothing).
    pub fn only(&self, key: StreamKey) -> Directory {
        let mut one = Directory::default();
        match key {
            StreamKey::Agency(id) => one
                .agencies
                .extend(self.agencies.get(&id).map(|s| (id, s.clone()))),
            StreamKey::Supporter(id) => one
                .supporters
                .extend(self.supporters.get(&id).map(|s| (id, s.clone()))),
            StreamKey::Company(id) => one
                .companies
                .extend(self.companies.get(&id).map(|s| (id, s.clone()))),
            StreamKey::Case(id) => one
                .cases
                .extend(self.cases.get(&id).map(|s| (id, s.clone()))),
            StreamKey::Example(id) => one
                .examples
                .extend(self.examples.get(&id).map(|s| (id, s.clone()))),
        }
        one
    }

    /// Take over the states `other` folded, replacing those of the same streams here.
    pub fn absorb(&mut self, other: Directory) {
        self.agencies.extend(other.agencies);
        self.supporters.extend(other.supporters);
        self.companies.extend(other.companies);
        self.cases.extend(other.cases);
        self.examples.extend(other.examples);
    }

    pub fn agency(&self, id: AgencyId) -> Option<&AgencyState> {
        self.agencies.get(&id).filter(|a| a.id.is_some())
    }

    pub fn supporter(&self, id: SupporterId) -> Option<&SupporterState> {
        self.supporters.get(&id).filter(|s| s.id.is_some())
    }

    pub fn company(&self, id: CompanyId) -> Option<&CompanyState> {
        self.companies.get(&id).filter(|c| c.id.is_some())
    }

    pub fn case(&self, id: CaseId) -> Option<&CaseState> {
        self.cases.get(&id).filter(|c| c.exists())
    }

    /// The case's example stream; empty (the default) when nothing was written to it.
    pub fn example(&self, id: CaseId) -> ExampleState {
        self.examples.get(&id).cloned().unwrap_or_default()
    }
}

/// Everything a decision depends on besides the command.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub actor: Actor,
    /// Today's date where the agency is (Japan): facts cannot be dated after it.
    pub today: Day,
    pub directory: &'a Directory,
}
