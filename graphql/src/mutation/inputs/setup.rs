//! Agencies and supporters: registering them, their roles and strengths, departures.

use async_graphql::{InputObject, Result};
use banso_events::domain::command::Command;
use banso_events::domain::ids::{AgencyId, PersonId, SupporterId};
use banso_events::domain::japan::{Municipality, Prefecture};
use banso_events::domain::values::Name;
use uuid::Uuid;

use super::{IntoDomain, PersonDetailsInput, all, day, new_id, parse, parse_opt};
use crate::vocab::{AgencyKind, Strength, SupporterRole};

/// 支援機関の登録 (operator only).
#[derive(InputObject)]
pub struct RegisterAgencyInput {
    /// 支援機関ID: the new agency's id; chosen by the server when absent.
    pub agency_id: Option<Uuid>,
    /// 機関種別: the kind of agency.
    pub kind: AgencyKind,
    /// 機関名, e.g. さくら信用金庫.
    pub name: String,
    /// 都道府県: a name (埼玉県, 埼玉) or a JIS code (11).
    pub prefecture: String,
    /// 市区町村: city, ward, town or village, e.g. 川口市.
    pub municipality: Option<String>,
    /// 得意分野: what the agency is good at.
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
            strengths: all(self.strengths),
        })
    }
}

/// 得意分野の表明: the agency's strengths, replacing those declared before.
#[derive(InputObject)]
pub struct DeclareStrengthsInput {
    /// 支援機関ID: the agency.
    pub agency_id: Uuid,
    /// 得意分野: every strength of the agency (the list replaces the previous one).
    pub strengths: Vec<Strength>,
}

impl DeclareStrengthsInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::DeclareStrengths {
            agency_id: AgencyId(self.agency_id),
            strengths: all(self.strengths),
        })
    }
}

/// 支援者の登録: a person working for an agency starts using Banso.
#[derive(InputObject)]
pub struct RegisterSupporterInput {
    /// 支援者ID: the new supporter's id; chosen by the server when absent.
    pub supporter_id: Option<Uuid>,
    /// 支援機関ID: the agency the supporter works for.
    pub agency_id: Uuid,
    /// 人物ID: the supporter as a person (the subject of their personal data); a new person
    /// when absent.
    pub person_id: Option<Uuid>,
    /// 役割: the supporter's role.
    pub role: SupporterRole,
    /// 個人情報: the supporter's name (required) and contact details.
    pub details: PersonDetailsInput,
}

impl RegisterSupporterInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::RegisterSupporter {
            supporter_id: SupporterId(new_id(self.supporter_id)),
            agency_id: AgencyId(self.agency_id),
            person: PersonId(new_id(self.person_id)),
            role: self.role.into(),
            details: self.details.into_domain("details")?,
        })
    }
}

/// 役割の変更: a supporter's new role.
#[derive(InputObject)]
pub struct ChangeSupporterRoleInput {
    /// 支援者ID.
    pub supporter_id: Uuid,
    /// 新しい役割: the new role.
    pub role: SupporterRole,
}

impl ChangeSupporterRoleInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::ChangeSupporterRole {
            supporter_id: SupporterId(self.supporter_id),
            role: self.role.into(),
        })
    }
}

/// 離任: a supporter leaves the agency (異動・退職).
#[derive(InputObject)]
pub struct RecordSupporterDepartureInput {
    /// 支援者ID.
    pub supporter_id: Uuid,
    /// 離任日: YYYY-MM-DD.
    pub on: String,
}

impl RecordSupporterDepartureInput {
    pub(crate) fn into_command(self) -> Result<Command> {
        Ok(Command::RecordSupporterDeparture {
            supporter_id: SupporterId(self.supporter_id),
            on: day("on", &self.on)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::value;
    use banso_events::domain::japan::Email;
    use banso_events::domain::personal::PersonDetails;
    use banso_events::domain::vocab as domain;

    use super::super::testing::*;
    use super::*;

    #[test]
    fn an_agency_converts_with_its_place_and_strengths() {
        let command = input::<RegisterAgencyInput>(value!({
            "agencyId": id(0xa01),
            "kind": "SHINKIN_BANK",
            "name": " さくら信用金庫 ",
            "prefecture": "11",
            "municipality": "川口市",
            "strengths": ["FINANCING"],
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            Command::RegisterAgency {
                agency_id: AgencyId(id(0xa01)),
                kind: domain::AgencyKind::ShinkinBank,
                name: line("さくら信用金庫"),
                prefecture: Prefecture::parse("埼玉県").unwrap(),
                municipality: Some(Municipality::parse("川口市").unwrap()),
                strengths: vec![domain::Strength::Financing],
            }
        );
    }

    #[test]
    fn a_supporter_converts_with_the_personal_data_apart() {
        let command = input::<RegisterSupporterInput>(value!({
            "supporterId": id(0x5001),
            "agencyId": id(0xa01),
            "personId": id(0xb5),
            "role": "HUB_SUPPORTER",
            "details": { "name": "佐藤 花子", "email": "sato@Sakura-Shinkin.example" },
        }))
        .into_command()
        .unwrap();
        assert_eq!(
            command,
            Command::RegisterSupporter {
                supporter_id: SupporterId(id(0x5001)),
                agency_id: AgencyId(id(0xa01)),
                person: PersonId(id(0xb5)),
                role: domain::SupporterRole::HubSupporter,
                details: PersonDetails {
                    email: Some(Email::parse("sato@sakura-shinkin.example").unwrap()),
                    ..named("佐藤 花子")
                },
            }
        );
    }

    #[test]
    fn a_bad_supporter_name_is_named_under_details() {
        let result = input::<RegisterSupporterInput>(value!({
            "agencyId": id(0xa01),
            "role": "HUB_SUPPORTER",
            "details": { "name": "佐藤\n花子" },
        }))
        .into_command();
        assert_bad_input(result, "details.name", "改行は使えません");
    }

    #[test]
    fn a_bad_prefecture_and_departure_day_are_named() {
        let result = input::<RegisterAgencyInput>(value!({
            "kind": "SHINKIN_BANK",
            "name": "さくら信用金庫",
            "prefecture": "武蔵国",
        }))
        .into_command();
        assert_bad_input(result, "prefecture", "武蔵国");
        let result = input::<RecordSupporterDepartureInput>(value!({
            "supporterId": id(0x5001),
            "on": "2025/06/30",
        }))
        .into_command();
        assert_bad_input(result, "on", "YYYY-MM-DD");
    }
}
