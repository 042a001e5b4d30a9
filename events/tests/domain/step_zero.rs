//! Step zero (ステップ・ゼロ): discovering a company, outreach visits before the start line, the
//! start line with the owner's consent, and amending or withdrawing that consent.

use banso_events::domain::command::{Command, CompanyInput};
use banso_events::domain::directory::Actor;
use banso_events::domain::event::{Consent, ConsentRecipient, DomainEvent};
use banso_events::domain::ids::{CaseId, CompanyId, PersonId};
use banso_events::domain::values::Minutes;
use banso_events::domain::vocab::{AgencyKind, DiscoveryChannel, Purpose, TeamRole};
use uuid::Uuid;

use crate::support::*;

/// A second case, of whatever company a test discovers next.
const OTHER_CASE: CaseId = CaseId(Uuid::from_u128(0xca5f));

fn discover_new(company: banso_events::domain::command::NewCompany) -> Command {
    Command::DiscoverCompany {
        case_id: CAST.case,
        company: CompanyInput::New(Box::new(company)),
        on: day("2025-04-03"),
        channel: DiscoveryChannel::FinancialInstitutionVisit,
        first_concerns: vec![reason("受注が減り、先行きが見えない")],
    }
}

fn founded(year: i64) -> Command {
    let mut company = CAST.new_company();
    company.founded_year = Some(year);
    discover_new(company)
}

fn outreach(expert: Option<banso_events::domain::ids::SupporterId>) -> Command {
    Command::LogOutreachVisit {
        case_id: CAST.case,
        on: day("2025-04-10"),
        expert,
        minutes: Some(Minutes::new(90).unwrap()),
        notes: Some(text("社長と面談。原価が把握できていないとの話。")),
    }
}

fn reach_with(consent: Consent) -> Command {
    Command::ReachStartLine {
        case_id: CAST.case,
        on: day("2025-04-17"),
        decision: None,
        consent,
        owner: person("川口 一郎"),
    }
}

fn amend_with(consent: Consent) -> Command {
    Command::AmendConsent {
        case_id: CAST.case,
        on: day("2025-05-10"),
        consent,
        owner: person("川口 一郎"),
    }
}

fn withdraw() -> Command {
    Command::WithdrawConsent {
        case_id: CAST.case,
        on: day("2025-06-10"),
        reason: Some(reason("他機関への情報提供をやめたいとの申し出")),
    }
}

/// Started, and the expert of the expert office on the team (within the consent).
fn with_expert_on_team() -> Vec<DomainEvent> {
    CAST.then_run(
        CAST.started(),
        as_(CAST.hub),
        &Command::AddTeamMember {
            case_id: CAST.case,
            supporter_id: CAST.expert,
            role: TeamRole::Expert,
            on: day("2025-04-24"),
            dispatch_purpose: Some(reason("原価計算の導入支援")),
            until: None,
        },
    )
}

// ---------------------------------------------------------------- DiscoverCompany

#[test]
fn discovering_a_new_company_registers_it_and_opens_the_case_with_the_representative_apart() {
    let company = CAST.new_company();
    let envelopes = given(CAST.setup())
        .when(as_(CAST.hub), CAST.discover())
        .then(vec![
            DomainEvent::CompanyRegistered {
                company_id: CAST.company,
                corporate_number: company.corporate_number.clone(),
                sole_proprietor: false,
                name: name("株式会社川口精密"),
                kana: company.kana.clone(),
                industry: company.industry,
                prefecture: company.prefecture,
                municipality: company.municipality.clone(),
                employees: company.employees,
                founded_year: Some(1968),
                representative: Some(CAST.owner),
            },
            DomainEvent::CompanyDiscovered {
                case_id: CAST.case,
                company_id: CAST.company,
                agency_id: CAST.shinkin,
                discovered_by: CAST.hub,
                on: day("2025-04-03"),
                channel: DiscoveryChannel::FinancialInstitutionVisit,
                first_concerns: vec![reason("受注が減り、先行きが見えない")],
            },
        ]);
    let representative = envelopes[0]
        .personal
        .get(CAST.owner)
        .expect("the representative's details are personal data");
    assert_eq!(representative.name.as_ref().unwrap().as_str(), "川口 一郎");
    let business = serde_json::to_string(&envelopes[0].event).unwrap();
    assert!(
        !business.contains("川口 一郎"),
        "the name stays out of the business part: {business}"
    );
    assert!(envelopes[1].personal.is_empty());
}

#[test]
fn a_company_already_in_banso_is_discovered_without_being_registered_again() {
    given(CAST.discovered())
        .when(
            as_(CAST.chamber_advisor),
            Command::DiscoverCompany {
                case_id: OTHER_CASE,
                company: CompanyInput::Existing(CAST.company),
                on: day("2025-05-20"),
                channel: DiscoveryChannel::CommerceRound,
                first_concerns: vec![],
            },
        )
        .then(vec![DomainEvent::CompanyDiscovered {
            case_id: OTHER_CASE,
            company_id: CAST.company,
            agency_id: CAST.chamber,
            discovered_by: CAST.chamber_advisor,
            on: day("2025-05-20"),
            channel: DiscoveryChannel::CommerceRound,
            first_concerns: vec![],
        }]);
}

#[test]
fn discovering_an_existing_company_that_banso_does_not_know_is_refused() {
    let refusal = given(CAST.setup())
        .when(
            as_(CAST.hub),
            Command::DiscoverCompany {
                case_id: CAST.case,
                company: CompanyInput::Existing(CompanyId(Uuid::from_u128(0xc0ff))),
                on: day("2025-04-03"),
                channel: DiscoveryChannel::Referral,
                first_concerns: vec![],
            },
        )
        .then_refused("company_not_found");
    assert_eq!(refusal.field.as_deref(), Some("company.companyId"));
}

#[test]
fn a_new_company_cannot_take_the_id_of_a_registered_one() {
    given(CAST.discovered())
        .when(
            as_(CAST.chamber_advisor),
            Command::DiscoverCompany {
                case_id: OTHER_CASE,
                company: CompanyInput::New(Box::new(CAST.new_company())),
                on: day("2025-05-20"),
                channel: DiscoveryChannel::CommerceRound,
                first_concerns: vec![],
            },
        )
        .then_refused("company_exists");
}

#[test]
fn a_corporation_needs_its_corporate_number() {
    let mut company = CAST.new_company();
    company.corporate_number = None;
    given(CAST.setup())
        .when(as_(CAST.hub), discover_new(company))
        .then_invalid("company.new.corporateNumber");
}

#[test]
fn a_sole_proprietor_is_registered_without_a_corporate_number() {
    let mut company = CAST.new_company();
    company.corporate_number = None;
    company.sole_proprietor = true;
    company.name = name("川口精密加工所");
    let events = given(CAST.setup())
        .when(as_(CAST.hub), discover_new(company))
        .events();
    assert!(matches!(
        &events[0],
        DomainEvent::CompanyRegistered {
            corporate_number: None,
            sole_proprietor: true,
            ..
        }
    ));
}

#[test]
fn a_sole_proprietor_has_no_corporate_number() {
    let mut company = CAST.new_company();
    company.sole_proprietor = true;
    given(CAST.setup())
        .when(as_(CAST.hub), discover_new(company))
        .then_invalid("company.new.corporateNumber");
}

#[test]
fn the_founding_year_is_between_578_and_this_year() {
    given(CAST.setup())
        .when(as_(CAST.hub), founded(577))
        .then_invalid("company.new.foundedYear");
    given(CAST.setup())
        .when(as_(CAST.hub), founded(2026))
        .then_invalid("company.new.foundedYear");
    for year in [578, 2025] {
        let events = given(CAST.setup())
            .when(as_(CAST.hub), founded(year))
            .events();
        assert!(
            matches!(
                &events[0],
                DomainEvent::CompanyRegistered { founded_year: Some(y), .. } if i64::from(*y) == year
            ),
            "{events:?}"
        );
    }
}

#[test]
fn a_discovery_dated_in_the_future_is_refused() {
    let Command::DiscoverCompany {
        case_id,
        company,
        channel,
        first_concerns,
        ..
    } = CAST.discover()
    else {
        unreachable!()
    };
    given(CAST.setup())
        .when(
            as_(CAST.hub),
            Command::DiscoverCompany {
                case_id,
                company,
                on: day("2025-07-01"),
                channel,
                first_concerns,
            },
        )
        .then_invalid("on");
}

#[test]
fn a_case_id_cannot_be_reused() {
    given(CAST.discovered())
        .when(as_(CAST.colleague), CAST.discover())
        .then_refused("case_exists");
}

#[test]
fn a_policy_officer_cannot_discover_a_company() {
    given(CAST.setup())
        .when(as_(CAST.policy), CAST.discover())
        .then_forbidden();
    given(CAST.setup())
        .when(as_(CAST.policy), CAST.discover())
        .then_refused("policy_officer_read_only");
}

#[test]
fn the_operator_cannot_discover_a_company() {
    given(CAST.setup())
        .when(Actor::Operator, CAST.discover())
        .then_forbidden();
    given(CAST.setup())
        .when(Actor::Operator, CAST.discover())
        .then_refused("supporter_required");
}

// ---------------------------------------------------------------- LogOutreachVisit

#[test]
fn an_outreach_visit_before_the_start_line_is_logged_with_the_expert_who_came_along() {
    given(CAST.discovered())
        .when(as_(CAST.colleague), outreach(Some(CAST.expert)))
        .then(vec![DomainEvent::OutreachVisitLogged {
            case_id: CAST.case,
            on: day("2025-04-10"),
            by: CAST.colleague,
            expert: Some(CAST.expert),
            minutes: Some(Minutes::new(90).unwrap()),
            notes: Some(text("社長と面談。原価が把握できていないとの話。")),
        }]);
}

#[test]
fn an_outreach_visit_after_the_start_line_is_refused() {
    let mut visit = outreach(None);
    if let Command::LogOutreachVisit { on, .. } = &mut visit {
        *on = day("2025-04-20");
    }
    given(CAST.started())
        .when(as_(CAST.hub), visit)
        .then_refused("outreach_after_start_line");
}

#[test]
fn an_outreach_visit_before_the_start_line_is_logged_even_when_entered_later() {
    given(CAST.started())
        .when(as_(CAST.hub), outreach(None))
        .then(vec![DomainEvent::OutreachVisitLogged {
            case_id: CAST.case,
            on: day("2025-04-10"),
            by: CAST.hub,
            expert: None,
            minutes: Some(Minutes::new(90).unwrap()),
            notes: Some(text("社長と面談。原価が把握できていないとの話。")),
        }]);
}

#[test]
fn the_expert_on_an_outreach_visit_must_be_registered_as_an_expert() {
    given(CAST.discovered())
        .when(as_(CAST.hub), outreach(Some(CAST.colleague)))
        .then_invalid("expert");
}

#[test]
fn a_supporter_of_another_agency_not_on_the_team_cannot_log_a_visit() {
    given(CAST.discovered())
        .when(as_(CAST.chamber_advisor), outreach(None))
        .then_forbidden();
}

#[test]
fn an_outreach_visit_dated_before_the_discovery_is_refused() {
    given(CAST.discovered())
        .when(
            as_(CAST.hub),
            Command::LogOutreachVisit {
                case_id: CAST.case,
                on: day("2025-04-02"),
                expert: None,
                minutes: None,
                notes: None,
            },
        )
        .then_invalid("on");
}

// ---------------------------------------------------------------- ReachStartLine

#[test]
fn reaching_the_start_line_records_the_decision_and_the_consent() {
    let envelopes = given(CAST.discovered())
        .when(as_(CAST.hub), CAST.reach_start_line())
        .then(vec![DomainEvent::StartLineReached {
            case_id: CAST.case,
            on: day("2025-04-17"),
            decision: Some(reason("一歩前に踏み出そう、と社長が決断")),
            consent: CAST.consent(),
        }]);
    let subjects: Vec<_> = envelopes[0].personal.subjects().collect();
    assert_eq!(subjects, vec![CAST.owner]);
}

#[test]
fn the_owner_s_name_goes_to_personal_data_under_the_person_who_gave_consent() {
    // The consent is given by the successor who now runs the company, not the representative.
    let successor = PersonId(Uuid::from_u128(0xb002));
    let consent = Consent {
        given_by: successor,
        ..CAST.consent()
    };
    let envelopes = given(CAST.discovered())
        .when(
            as_(CAST.hub),
            Command::ReachStartLine {
                case_id: CAST.case,
                on: day("2025-04-17"),
                decision: None,
                consent: consent.clone(),
                owner: person("川口 健太"),
            },
        )
        .then(vec![DomainEvent::StartLineReached {
            case_id: CAST.case,
            on: day("2025-04-17"),
            decision: None,
            consent,
        }]);
    let personal = &envelopes[0].personal;
    assert_eq!(personal.subjects().collect::<Vec<_>>(), vec![successor]);
    assert_eq!(
        personal
            .get(successor)
            .unwrap()
            .name
            .as_ref()
            .unwrap()
            .as_str(),
        "川口 健太"
    );
    let business = serde_json::to_string(&envelopes[0].event).unwrap();
    assert!(!business.contains("川口 健太"), "{business}");
}

#[test]
fn the_start_line_is_reached_only_once() {
    given(CAST.started())
        .when(as_(CAST.hub), CAST.reach_start_line())
        .then_refused("start_line_already_reached");
}

#[test]
fn consent_must_include_the_purpose_of_support() {
    let without_support = Consent {
        purposes: vec![Purpose::Handover, Purpose::ExpertDispatch],
        ..CAST.consent()
    };
    given(CAST.discovered())
        .when(as_(CAST.hub), reach_with(without_support))
        .then_invalid("consent.purposes");
    let no_purpose = Consent {
        purposes: vec![],
        ..CAST.consent()
    };
    given(CAST.discovered())
        .when(as_(CAST.hub), reach_with(no_purpose))
        .then_invalid("consent.purposes");
    let twice = Consent {
        purposes: vec![Purpose::Support, Purpose::Support],
        ..CAST.consent()
    };
    given(CAST.discovered())
        .when(as_(CAST.hub), reach_with(twice))
        .then_invalid("consent.purposes");
}

#[test]
fn consent_must_be_valid_after_the_day_it_is_given() {
    for until in ["2025-04-17", "2025-04-16"] {
        let consent = Consent {
            valid_until: day(until),
            ..CAST.consent()
        };
        given(CAST.discovered())
            .when(as_(CAST.hub), reach_with(consent))
            .then_invalid("consent.validUntil");
    }
    let one_day = Consent {
        valid_until: day("2025-04-18"),
        ..CAST.consent()
    };
    given(CAST.discovered())
        .when(as_(CAST.hub), reach_with(one_day))
        .events();
}

#[test]
fn consent_recipients_are_not_duplicated() {
    let consent = Consent {
        recipients: vec![
            ConsentRecipient::AgencyKind {
                agency_kind: AgencyKind::YorozuSupportCenter,
            },
            ConsentRecipient::Agency {
                agency_id: CAST.expert_office,
            },
            ConsentRecipient::AgencyKind {
                agency_kind: AgencyKind::YorozuSupportCenter,
            },
        ],
        ..CAST.consent()
    };
    given(CAST.discovered())
        .when(as_(CAST.hub), reach_with(consent))
        .then_invalid("consent.recipients");
}

#[test]
fn only_the_holding_agency_records_the_start_line() {
    given(CAST.discovered())
        .when(as_(CAST.chamber_advisor), CAST.reach_start_line())
        .then_forbidden();
    given(CAST.discovered())
        .when(as_(CAST.expert), CAST.reach_start_line())
        .then_forbidden();
    given(CAST.discovered())
        .when(as_(CAST.colleague), CAST.reach_start_line())
        .events();
}

#[test]
fn the_start_line_cannot_be_dated_before_the_discovery_nor_in_the_future() {
    for on in ["2025-04-02", "2025-07-01"] {
        given(CAST.discovered())
            .when(
                as_(CAST.hub),
                Command::ReachStartLine {
                    case_id: CAST.case,
                    on: day(on),
                    decision: None,
                    consent: CAST.consent(),
                    owner: person("川口 一郎"),
                },
            )
            .then_invalid("on");
    }
}

// ---------------------------------------------------------------- AmendConsent

#[test]
fn the_holding_agency_amends_the_consent_with_the_owner_s_name_kept_apart() {
    let mut consent = CAST.consent();
    consent.recipients.push(ConsentRecipient::Agency {
        agency_id: CAST.chamber,
    });
    let envelopes = given(CAST.started())
        .when(as_(CAST.hub), amend_with(consent.clone()))
        .then(vec![DomainEvent::ConsentAmended {
            case_id: CAST.case,
            on: day("2025-05-10"),
            consent,
        }]);
    assert_eq!(
        envelopes[0]
            .personal
            .get(CAST.owner)
            .and_then(|d| d.name.as_ref())
            .map(|n| n.as_str()),
        Some("川口 一郎")
    );
}

#[test]
fn consent_cannot_be_amended_before_the_start_line() {
    given(CAST.discovered())
        .when(as_(CAST.hub), amend_with(CAST.consent()))
        .then_refused("before_start_line");
}

#[test]
fn an_amended_consent_is_checked_like_the_first_one() {
    let without_support = Consent {
        purposes: vec![Purpose::Statistics],
        ..CAST.consent()
    };
    given(CAST.started())
        .when(as_(CAST.hub), amend_with(without_support))
        .then_invalid("consent.purposes");
    let expired = Consent {
        valid_until: day("2025-05-10"),
        ..CAST.consent()
    };
    given(CAST.started())
        .when(as_(CAST.hub), amend_with(expired))
        .then_invalid("consent.validUntil");
    let twice = Consent {
        recipients: vec![
            ConsentRecipient::Agency {
                agency_id: CAST.chamber,
            },
            ConsentRecipient::Agency {
                agency_id: CAST.chamber,
            },
        ],
        ..CAST.consent()
    };
    given(CAST.started())
        .when(as_(CAST.hub), amend_with(twice))
        .then_invalid("consent.recipients");
}

#[test]
fn only_the_holding_agency_amends_or_withdraws_the_consent() {
    given(with_expert_on_team())
        .when(as_(CAST.expert), amend_with(CAST.consent()))
        .then_refused("holder_only");
    given(with_expert_on_team())
        .when(as_(CAST.expert), withdraw())
        .then_refused("holder_only");
    given(CAST.started())
        .when(as_(CAST.chamber_advisor), amend_with(CAST.consent()))
        .then_forbidden();
}

#[test]
fn amending_the_consent_after_a_withdrawal_lets_the_data_travel_again() {
    let withdrawn = CAST.then_run(CAST.with_issues(), as_(CAST.hub), &withdraw());
    given(withdrawn.clone())
        .when(as_(CAST.hub), CAST.request_handover(CAST.yorozu))
        .then_refused("consent_withdrawn");
    let amended = CAST.then_run(
        withdrawn,
        as_(CAST.hub),
        &Command::AmendConsent {
            case_id: CAST.case,
            on: day("2025-06-20"),
            consent: CAST.consent(),
            owner: person("川口 一郎"),
        },
    );
    given(amended)
        .when(
            as_(CAST.hub),
            Command::RequestHandover {
                case_id: CAST.case,
                handover_id: CAST.handover,
                to_agency: CAST.yorozu,
                on: day("2025-06-25"),
                reason: reason("販路開拓の専門支援が必要になったため"),
                summary: text("原価計算は定着。次は新規顧客の開拓。"),
                issues: vec![CAST.issue_b],
                sender_stays: false,
            },
        )
        .events();
}

// ---------------------------------------------------------------- WithdrawConsent

#[test]
fn the_owner_withdraws_consent() {
    given(CAST.started())
        .when(as_(CAST.hub), withdraw())
        .then(vec![DomainEvent::ConsentWithdrawn {
            case_id: CAST.case,
            on: day("2025-06-10"),
            reason: Some(reason("他機関への情報提供をやめたいとの申し出")),
        }]);
}

#[test]
fn consent_is_withdrawn_also_after_the_case_has_closed() {
    // CAST.closed() closes the case on 2025-06-20.
    given(CAST.closed())
        .when(
            as_(CAST.hub),
            Command::WithdrawConsent {
                case_id: CAST.case,
                on: day("2025-06-25"),
                reason: None,
            },
        )
        .then(vec![DomainEvent::ConsentWithdrawn {
            case_id: CAST.case,
            on: day("2025-06-25"),
            reason: None,
        }]);
    given(CAST.closed())
        .when(as_(CAST.hub), amend_with(CAST.consent()))
        .then_refused("case_closed");
}

#[test]
fn consent_is_withdrawn_only_once() {
    let history = CAST.then_run(CAST.started(), as_(CAST.hub), &withdraw());
    given(history)
        .when(as_(CAST.hub), withdraw())
        .then_refused("consent_already_withdrawn");
}

#[test]
fn consent_cannot_be_withdrawn_before_the_start_line() {
    given(CAST.discovered())
        .when(as_(CAST.hub), withdraw())
        .then_refused("before_start_line");
}

// ---------------------------------------------------------------- what a consent change entails

#[test]
fn withdrawing_consent_takes_the_other_agencies_off_the_team() {
    let history = CAST.then_run(
        with_expert_on_team(),
        as_(CAST.hub),
        &Command::AddTeamMember {
            case_id: CAST.case,
            supporter_id: CAST.colleague,
            role: TeamRole::AccompanyingSupporter,
            on: day("2025-04-25"),
            dispatch_purpose: None,
            until: None,
        },
    );
    let events = given(history.clone())
        .when(as_(CAST.hub), withdraw())
        .events();
    assert!(matches!(events[0], DomainEvent::ConsentWithdrawn { .. }));
    // The expert's office loses access; the colleague of the holding agency stays.
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(
        &events[1],
        DomainEvent::TeamMemberLeft { supporter_id, .. } if *supporter_id == CAST.expert
    ));
    let after = CAST.then_run(history, as_(CAST.hub), &withdraw());
    given(after)
        .when(
            as_(CAST.expert),
            CAST.set_issue(
                CAST.issue_a,
                "原価が見えていない",
                vec![banso_events::domain::vocab::Wall::Invisible],
            ),
        )
        .then_refused("not_on_case");
}

#[test]
fn narrowing_the_consent_takes_off_the_team_those_it_no_longer_covers() {
    let mut narrower = CAST.consent();
    narrower.recipients = vec![ConsentRecipient::AgencyKind {
        agency_kind: AgencyKind::YorozuSupportCenter,
    }];
    let events = given(with_expert_on_team())
        .when(as_(CAST.hub), amend_with(narrower))
        .events();
    assert!(matches!(events[0], DomainEvent::ConsentAmended { .. }));
    assert!(matches!(
        &events[1],
        DomainEvent::TeamMemberLeft { supporter_id, .. } if *supporter_id == CAST.expert
    ));
    // A consent that still covers the office changes nothing on the team.
    let events = given(with_expert_on_team())
        .when(as_(CAST.hub), amend_with(CAST.consent()))
        .events();
    assert_eq!(events.len(), 1, "{events:?}");
}

#[test]
fn the_owner_who_consents_is_named() {
    let Command::ReachStartLine { consent, .. } = CAST.reach_start_line() else {
        unreachable!()
    };
    given(CAST.discovered())
        .when(
            as_(CAST.hub),
            Command::ReachStartLine {
                case_id: CAST.case,
                on: day("2025-04-17"),
                decision: None,
                consent,
                owner: Default::default(),
            },
        )
        .then_invalid("owner.name");
}
