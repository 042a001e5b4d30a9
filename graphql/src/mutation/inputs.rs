//! Input objects of the mutations and their conversion into domain commands. Every field is
//! parsed by the domain's own value types; a bad value is `BAD_USER_INPUT` naming the field
//! (a camelCase path such as `kpis[0].target`) with the domain's Japanese message.

use async_graphql::{InputObject, Result};
use banso_events::domain::command::Command;
use banso_events::domain::error::InvalidValue;
use banso_events::domain::ids::AgencyId;
use banso_events::domain::japan::{Municipality, Prefecture};
use banso_events::domain::values::Name;
use uuid::Uuid;

use crate::error::bad_input;
use crate::vocab::{AgencyKind, Strength};

/// Parse `raw` with `parse`, naming `field` if it fails.
pub(crate) fn parse<'a, T>(
    field: &str,
    raw: &'a str,
    parse: impl FnOnce(&'a str) -> Result<T, InvalidValue>,
) -> Result<T> {
    parse(raw).map_err(|e| bad_input(field, e.message))
}

/// Parse an optional value, naming `field` if it fails.
pub(crate) fn parse_opt<'a, T>(
    field: &str,
    raw: Option<&'a str>,
    parse: impl FnOnce(&'a str) -> Result<T, InvalidValue>,
) -> Result<Option<T>> {
    raw.map(|raw| self::parse(field, raw, parse)).transpose()
}

/// The id the client chose for a new thing, or a fresh one.
pub(crate) fn new_id(id: Option<Uuid>) -> Uuid {
    id.unwrap_or_else(Uuid::now_v7)
}

/// 支援機関の登録 (operator only).
#[derive(InputObject)]
pub struct RegisterAgencyInput {
    /// The new agency's id; chosen by the server when absent.
    pub agency_id: Option<Uuid>,
    pub kind: AgencyKind,
    /// 機関名, e.g. さくら信用金庫.
    pub name: String,
    /// 都道府県: a name (埼玉県, 埼玉) or a JIS code (11).
    pub prefecture: String,
    pub municipality: Option<String>,
    #[graphql(default)]
    pub strengths: Vec<Strength>,
}

impl RegisterAgencyInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::RegisterAgency {
            agency_id: AgencyId(new_id(self.agency_id)),
            kind: self.kind.into(),
            name: parse("name", &self.name, Name::parse)?,
            prefecture: parse("prefecture", &self.prefecture, Prefecture::parse)?,
            municipality: parse_opt(
                "municipality",
                self.municipality.as_deref(),
                Municipality::parse,
            )?,
            strengths: self.strengths.into_iter().map(Into::into).collect(),
        })
    }
}
