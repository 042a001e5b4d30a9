//! Input objects of the mutations and their conversion into domain commands. Every field is
//! parsed by the domain's own value types; a bad value is `BAD_USER_INPUT` naming the field
//! (a camelCase path from the input's root such as `kpis[0].target`) with the domain's
//! Japanese message. Rules that relate fields to each other or to the case (a list that must
//! not be empty, a due date after the start ...) are the domain's: the conversion only parses.
//!
//! The submodules mirror `banso_events::domain::decide`: `setup` (agencies and supporters),
//! `company` (discovery, profile, financial statements), `localbench` (the Local Benchmark
//! records), `engagement` (step zero to issue setting), `work` (prescription, team, execution,
//! reviews) and `transitions` (staff, handovers, closing, collection).

mod company;
mod engagement;
mod examples;
mod localbench;
mod setup;
mod transitions;
mod work;

use async_graphql::{InputObject, Result};
use banso_events::domain::error::InvalidValue;
use banso_events::domain::ids::PersonId;
use banso_events::domain::japan::{Email, Kana, PersonName, Phone};
use banso_events::domain::personal::PersonDetails;
use banso_events::domain::values::{Day, Line, Text};
use uuid::Uuid;

use crate::error::bad_input;

pub use company::*;
pub use engagement::*;
pub use examples::*;
pub use localbench::*;
pub use setup::*;
pub use transitions::*;
pub use work::*;

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

/// Check a number with the domain's constructor (`Yen::new`, `Count::new` ...), naming
/// `field` if it is out of range.
pub(crate) fn number<N, T>(
    field: &str,
    raw: N,
    new: impl FnOnce(N) -> Result<T, InvalidValue>,
) -> Result<T> {
    new(raw).map_err(|e| bad_input(field, e.message))
}

/// Check an optional number, naming `field` if it is out of range.
pub(crate) fn number_opt<N, T>(
    field: &str,
    raw: Option<N>,
    new: impl FnOnce(N) -> Result<T, InvalidValue>,
) -> Result<Option<T>> {
    raw.map(|raw| number(field, raw, new)).transpose()
}

/// Parse every string of a list, naming the item (`firstConcerns[2]`) that fails.
pub(crate) fn parse_each<'a, T>(
    field: &str,
    raw: &'a [String],
    parse: impl Fn(&'a str) -> Result<T, InvalidValue>,
) -> Result<Vec<T>> {
    raw.iter()
        .enumerate()
        .map(|(i, raw)| self::parse(&index(field, i), raw, &parse))
        .collect()
}

/// A day written `YYYY-MM-DD`.
pub(crate) fn day(field: &str, raw: &str) -> Result<Day> {
    parse(field, raw, Day::parse)
}

/// An optional day written `YYYY-MM-DD`.
pub(crate) fn day_opt(field: &str, raw: Option<&str>) -> Result<Option<Day>> {
    parse_opt(field, raw, Day::parse)
}

/// The id the client chose for a new thing, or a fresh one.
pub(crate) fn new_id(id: Option<Uuid>) -> Uuid {
    id.unwrap_or_else(Uuid::now_v7)
}

/// Domain ids (or vocabulary values) from their GraphQL form.
pub(crate) fn all<A, B: From<A>>(items: Vec<A>) -> Vec<B> {
    items.into_iter().map(B::from).collect()
}

/// The path of `field` inside the input object at `path` (`""` is the input's root).
pub(crate) fn at(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

/// The path of the `i`th item of the list at `path`.
pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// A nested input object that becomes a domain value once its fields are parsed; `path` names
/// the object itself, so that a failure names its field as `path.field`.
pub(crate) trait IntoDomain {
    type Domain;

    fn into_domain(self, path: &str) -> Result<Self::Domain>;
}

/// Convert every nested object of a list, naming the item (`kpis[1].name`) that fails.
pub(crate) fn each<T: IntoDomain>(path: &str, items: Vec<T>) -> Result<Vec<T::Domain>> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| item.into_domain(&index(path, i)))
        .collect()
}

/// What identifies a person (個人情報): every field optional, the event carries only what is
/// given. Kept apart from the business part of the event, so it can be erased on request.
#[derive(InputObject, Default)]
pub struct PersonDetailsInput {
    /// 氏名: the person's name, e.g. 川口 一郎.
    pub name: Option<String>,
    /// フリガナ: katakana (hiragana is converted), e.g. カワグチ イチロウ.
    pub kana: Option<String>,
    /// 役職: the person's title, e.g. 代表取締役, 工場長 (at most 50 characters).
    pub title: Option<String>,
    /// メールアドレス: e-mail address.
    pub email: Option<String>,
    /// 電話番号: telephone number, e.g. 048-123-4567.
    pub phone: Option<String>,
    /// 備考: free text about this person (health, family, intentions on succession ...). What
    /// is written about a person belongs here, not in business notes.
    pub remarks: Option<String>,
}

impl IntoDomain for PersonDetailsInput {
    type Domain = PersonDetails;

    fn into_domain(self, path: &str) -> Result<PersonDetails> {
        Ok(PersonDetails {
            name: parse_opt(&at(path, "name"), self.name.as_deref(), PersonName::parse)?,
            kana: parse_opt(&at(path, "kana"), self.kana.as_deref(), Kana::parse)?,
            title: parse_opt(&at(path, "title"), self.title.as_deref(), Line::<50>::parse)?,
            email: parse_opt(&at(path, "email"), self.email.as_deref(), Email::parse)?,
            phone: parse_opt(&at(path, "phone"), self.phone.as_deref(), Phone::parse)?,
            remarks: parse_opt(&at(path, "remarks"), self.remarks.as_deref(), Text::parse)?,
        })
    }
}

/// A person with what identifies them (人物), e.g. a company's representative.
#[derive(InputObject)]
pub struct PersonInput {
    /// 人物ID: the person's id when Banso already knows them (e.g. the representative recorded
    /// at discovery); a new person when absent.
    pub person_id: Option<Uuid>,
    /// 個人情報: what identifies them.
    #[graphql(default)]
    pub details: PersonDetailsInput,
}

impl IntoDomain for PersonInput {
    type Domain = (PersonId, PersonDetails);

    fn into_domain(self, path: &str) -> Result<(PersonId, PersonDetails)> {
        Ok((
            PersonId(new_id(self.person_id)),
            self.details.into_domain(&at(path, "details"))?,
        ))
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the conversion tests: inputs from GraphQL values (so the tests also pin the
    //! field names clients send), and what a failure says.

    use async_graphql::{Error, InputType, Value};
    use banso_events::domain::japan::PersonName;
    use banso_events::domain::personal::PersonDetails;
    use banso_events::domain::values::{Day, Line, Note};
    use uuid::Uuid;

    /// An input object as async-graphql reads it from a request.
    pub fn input<T: InputType>(value: Value) -> T {
        match T::parse(Some(value)) {
            Ok(input) => input,
            Err(e) => panic!(
                "not a valid {}: {}",
                T::type_name(),
                e.into_server_error(Default::default()).message
            ),
        }
    }

    /// A fixed id, written as GraphQL sends it.
    pub fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    pub fn date(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    pub fn line<const N: usize>(s: &str) -> Line<N> {
        Line::parse(s).unwrap()
    }

    pub fn note<const N: usize>(s: &str) -> Note<N> {
        Note::parse(s).unwrap()
    }

    pub fn named(name: &str) -> PersonDetails {
        PersonDetails::named(PersonName::parse(name).unwrap())
    }

    /// Assert that `result` failed as `BAD_USER_INPUT` on `field`, with a message containing
    /// `message`.
    #[track_caller]
    pub fn assert_bad_input<T: std::fmt::Debug>(
        result: async_graphql::Result<T>,
        field: &str,
        message: &str,
    ) {
        let error: Error = match result {
            Ok(value) => panic!("expected a failure on {field}, got {value:?}"),
            Err(e) => e,
        };
        let extensions = error.extensions.as_ref().expect("the error has extensions");
        assert_eq!(
            extensions.get("code"),
            Some(&Value::from("BAD_USER_INPUT")),
            "{}",
            error.message
        );
        assert_eq!(
            extensions.get("field"),
            Some(&Value::from(field)),
            "{}",
            error.message
        );
        assert!(
            error.message.contains(message),
            "the message {:?} does not say {message:?}",
            error.message
        );
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::value;

    use super::testing::*;
    use super::*;

    #[test]
    fn person_details_parse_every_field_and_keep_absent_ones_absent() {
        let details: PersonDetailsInput = input(value!({
            "name": "川口 一郎",
            "kana": "かわぐち いちろう",
            "title": "代表取締役",
            "phone": "０４８-１２３-４５６７",
        }));
        let expected = PersonDetails {
            kana: Some(Kana::parse("カワグチ イチロウ").unwrap()),
            title: Some(line("代表取締役")),
            phone: Some(Phone::parse("048-123-4567").unwrap()),
            ..named("川口 一郎")
        };
        assert_eq!(details.into_domain("owner").unwrap(), expected);
    }

    #[test]
    fn a_bad_person_field_is_named_under_its_path() {
        let details: PersonDetailsInput = input(value!({ "email": "kawaguchi@" }));
        assert_bad_input(details.into_domain("owner"), "owner.email", "ドメイン");
    }

    #[test]
    fn lists_name_the_item_that_fails() {
        let raw = vec!["受注減".to_owned(), "\u{3000}".to_owned()];
        assert_bad_input(
            parse_each("firstConcerns", &raw, Text::parse),
            "firstConcerns[1]",
            "空欄",
        );
    }

    #[test]
    fn paths_start_at_the_root_without_a_dot() {
        assert_eq!(at("", "name"), "name");
        assert_eq!(at("company.new", "name"), "company.new.name");
        assert_eq!(index("kpis", 3), "kpis[3]");
    }

    #[test]
    fn a_new_person_gets_a_fresh_id_and_a_known_one_keeps_it() {
        let known: PersonInput =
            input(value!({ "personId": id(7), "details": { "name": "川口 健太" } }));
        assert_eq!(
            known.into_domain("representative").unwrap(),
            (PersonId(id(7)), named("川口 健太"))
        );
        let fresh: PersonInput = input(value!({ "details": {} }));
        let (person, details) = fresh.into_domain("representative").unwrap();
        assert_ne!(person.0, Uuid::nil());
        assert!(details.is_empty());
    }
}
