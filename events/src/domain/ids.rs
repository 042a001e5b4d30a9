//! Identifiers of the things the domain talks about: streams, people and parts of a case.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh id (UUIDv7: ordered by creation time).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    )*};
}

id_type! {
    /// A support engagement (支援案件): the `case` stream.
    CaseId;
    /// A company (企業): the `company` stream.
    CompanyId;
    /// A support agency (支援機関): the `agency` stream.
    AgencyId;
    /// A supporter, a person working for an agency: the `supporter` stream.
    SupporterId;
    /// A natural person whose personal data an event carries (the subject of a deletion request).
    PersonId;
    /// An issue (課題) within a case.
    IssueId;
    /// A measure (施策) of a prescription within a case.
    MeasureId;
    /// A KPI (管理指標) of a measure.
    KpiId;
    /// A handover (受け渡し) of a case between agencies.
    HandoverId;
    /// A dialogue session (対話) within a case.
    DialogueId;
}
