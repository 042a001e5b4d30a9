//! Agencies and supporters: who may set them up.

use banso_events::domain::command::Command;
use banso_events::domain::directory::Actor;
use banso_events::domain::event::DomainEvent;
use banso_events::domain::ids::{AgencyId, PersonId, SupporterId};
use banso_events::domain::japan::Prefecture;
use banso_events::domain::personal::PersonDetails;
use banso_events::domain::vocab::{AgencyKind, Strength, SupporterRole};

use crate::support::*;

#[test]
fn the_operator_registers_an_agency() {
    let agency_id = AgencyId::new();
    given(vec![])
        .when(
            Actor::Operator,
            Command::RegisterAgency {
                agency_id,
                kind: AgencyKind::ShinkinBank,
                name: name("あおば信用金庫"),
                prefecture: Prefecture::parse("宮城県").unwrap(),
                municipality: None,
                strengths: vec![Strength::Financing, Strength::Succession],
            },
        )
        .then(vec![DomainEvent::AgencyRegistered {
            agency_id,
            kind: AgencyKind::ShinkinBank,
            name: name("あおば信用金庫"),
            prefecture: Prefecture::parse("宮城県").unwrap(),
            municipality: None,
            strengths: vec![Strength::Financing, Strength::Succession],
        }]);
}

#[test]
fn a_supporter_cannot_register_an_agency() {
    given(CAST.setup())
        .when(
            as_(CAST.admin),
            Command::RegisterAgency {
                agency_id: AgencyId::new(),
                kind: AgencyKind::ShinkinBank,
                name: name("あおば信用金庫"),
                prefecture: Prefecture::parse("宮城県").unwrap(),
                municipality: None,
                strengths: vec![],
            },
        )
        .then_refused("operator_only");
}

#[test]
fn an_agency_administrator_registers_a_supporter_whose_name_goes_to_personal_data() {
    let supporter_id = SupporterId::new();
    let person = PersonId::new();
    let envelopes = given(CAST.setup())
        .when(
            as_(CAST.admin),
            Command::RegisterSupporter {
                supporter_id,
                agency_id: CAST.shinkin,
                person,
                role: SupporterRole::HubSupporter,
                details: crate::support::person("高橋 花子"),
            },
        )
        .then(vec![DomainEvent::SupporterRegistered {
            supporter_id,
            agency_id: CAST.shinkin,
            person,
            role: SupporterRole::HubSupporter,
        }]);
    let details = envelopes[0]
        .personal
        .get(person)
        .expect("personal data kept apart");
    assert_eq!(details.name.as_ref().unwrap().as_str(), "高橋 花子");
}

#[test]
fn an_administrator_of_another_agency_cannot_register_supporters_here() {
    given(CAST.setup())
        .when(
            as_(CAST.admin),
            Command::RegisterSupporter {
                supporter_id: SupporterId::new(),
                agency_id: CAST.yorozu,
                person: PersonId::new(),
                role: SupporterRole::HubSupporter,
                details: crate::support::person("高橋 花子"),
            },
        )
        .then_refused("administrator_only");
}

#[test]
fn a_supporter_needs_a_name() {
    given(CAST.setup())
        .when(
            Actor::Operator,
            Command::RegisterSupporter {
                supporter_id: SupporterId::new(),
                agency_id: CAST.shinkin,
                person: PersonId::new(),
                role: SupporterRole::HubSupporter,
                details: PersonDetails::default(),
            },
        )
        .then_invalid("details.name");
}

#[test]
fn policy_officers_belong_to_policy_offices() {
    given(CAST.setup())
        .when(
            Actor::Operator,
            Command::RegisterSupporter {
                supporter_id: SupporterId::new(),
                agency_id: CAST.shinkin,
                person: PersonId::new(),
                role: SupporterRole::PolicyOfficer,
                details: crate::support::person("山本 次郎"),
            },
        )
        .then_invalid("role");
}

#[test]
fn strengths_are_declared_by_the_agency_administrator_without_duplicates() {
    given(CAST.setup())
        .when(
            as_(CAST.admin),
            Command::DeclareStrengths {
                agency_id: CAST.shinkin,
                strengths: vec![Strength::Financing],
            },
        )
        .then(vec![DomainEvent::AgencyStrengthsDeclared {
            agency_id: CAST.shinkin,
            strengths: vec![Strength::Financing],
        }]);
    given(CAST.setup())
        .when(
            as_(CAST.admin),
            Command::DeclareStrengths {
                agency_id: CAST.shinkin,
                strengths: vec![Strength::Financing, Strength::Financing],
            },
        )
        .then_invalid("strengths");
    given(CAST.setup())
        .when(
            as_(CAST.hub),
            Command::DeclareStrengths {
                agency_id: CAST.shinkin,
                strengths: vec![Strength::Financing],
            },
        )
        .then_forbidden();
}

#[test]
fn a_role_change_must_change_the_role() {
    given(CAST.setup())
        .when(
            as_(CAST.admin),
            Command::ChangeSupporterRole {
                supporter_id: CAST.colleague,
                role: SupporterRole::HubSupporter,
            },
        )
        .then(vec![DomainEvent::SupporterRoleChanged {
            supporter_id: CAST.colleague,
            role: SupporterRole::HubSupporter,
        }]);
    given(CAST.setup())
        .when(
            as_(CAST.admin),
            Command::ChangeSupporterRole {
                supporter_id: CAST.hub,
                role: SupporterRole::HubSupporter,
            },
        )
        .then_refused("no_change");
}

#[test]
fn a_departed_supporter_can_no_longer_act_on_cases() {
    let history = CAST.then_run(
        CAST.started(),
        as_(CAST.admin),
        &Command::RecordSupporterDeparture {
            supporter_id: CAST.colleague,
            on: day("2025-05-31"),
        },
    );
    given(history.clone())
        .when(
            as_(CAST.colleague),
            CAST.set_issue(CAST.issue_a, "原価が見えていない", vec![]),
        )
        .then_refused("unknown_supporter");
    given(history)
        .when(
            as_(CAST.admin),
            Command::RecordSupporterDeparture {
                supporter_id: CAST.colleague,
                on: day("2025-06-01"),
            },
        )
        .then_refused("already_departed");
}
