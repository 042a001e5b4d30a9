//! Agencies and supporters: registering them, their roles and strengths, departures.

use crate::domain::command::Command;
use crate::domain::directory::{Actor, Context};
use crate::domain::event::DomainEvent as E;
use crate::domain::ids::{AgencyId, SupporterId};
use crate::domain::refusal::Refusal;
use crate::domain::vocab::{AgencyKind, SupporterRole};

use super::checks::*;
use super::{Decision, one, with_person};

pub(super) fn decide_setup(command: &Command, ctx: &Context<'_>) -> Decision {
    use Command::*;
    // The operator may set up anything; an agency's administrator may manage its own agency.
    let admin_of = |agency: AgencyId| -> Result<(), Refusal> {
        match ctx.actor {
            Actor::Operator => Ok(()),
            Actor::Supporter(id) => {
                let s = ctx.directory.supporter(id).filter(|s| s.is_active());
                match s {
                    Some(s)
                        if s.role == Some(SupporterRole::Administrator)
                            && s.agency_id == Some(agency) =>
                    {
                        Ok(())
                    }
                    _ => Err(Refusal::forbidden(
                        "administrator_only",
                        "支援機関の設定は、その支援機関の管理者だけが行えます。",
                    )),
                }
            }
        }
    };
    let known_agency = |id: AgencyId| {
        ctx.directory.agency(id).ok_or_else(|| {
            Refusal::not_found("agency_not_found", "支援機関が登録されていません。").at("agencyId")
        })
    };
    let known_supporter = |id: SupporterId| {
        ctx.directory.supporter(id).ok_or_else(|| {
            Refusal::not_found("supporter_not_found", "支援者が登録されていません。")
                .at("supporterId")
        })
    };
    match command {
        RegisterAgency {
            agency_id,
            kind,
            name,
            prefecture,
            municipality,
            strengths,
        } => {
            if ctx.actor != Actor::Operator {
                return Err(Refusal::forbidden(
                    "operator_only",
                    "支援機関の登録はBansoの運用担当者（banso コマンド）が行います。",
                ));
            }
            if ctx.directory.agency(*agency_id).is_some() {
                return Err(Refusal::rule(
                    "agency_exists",
                    "この支援機関は登録済みです。",
                ));
            }
            at_most("strengths", strengths, "得意分野")?;
            no_duplicates("strengths", strengths)?;
            one(E::AgencyRegistered {
                agency_id: *agency_id,
                kind: *kind,
                name: name.clone(),
                prefecture: *prefecture,
                municipality: municipality.clone(),
                strengths: strengths.clone(),
            })
        }
        DeclareStrengths {
            agency_id,
            strengths,
        } => {
            known_agency(*agency_id)?;
            admin_of(*agency_id)?;
            no_duplicates("strengths", strengths)?;
            one(E::AgencyStrengthsDeclared {
                agency_id: *agency_id,
                strengths: strengths.clone(),
            })
        }
        RegisterSupporter {
            supporter_id,
            agency_id,
            person,
            role,
            details,
        } => {
            known_agency(*agency_id)?;
            admin_of(*agency_id)?;
            if ctx.directory.supporter(*supporter_id).is_some() {
                return Err(Refusal::rule(
                    "supporter_exists",
                    "この支援者は登録済みです。",
                ));
            }
            if details.name.is_none() {
                return Err(Refusal::invalid(
                    "details.name",
                    "支援者の氏名を入力してください。",
                ));
            }
            policy_role_fits(ctx, *agency_id, *role)?;
            with_person(
                E::SupporterRegistered {
                    supporter_id: *supporter_id,
                    agency_id: *agency_id,
                    person: *person,
                    role: *role,
                },
                *person,
                details,
            )
        }
        ChangeSupporterRole { supporter_id, role } => {
            let s = known_supporter(*supporter_id)?;
            admin_of(agency_of(s))?;
            policy_role_fits(ctx, agency_of(s), *role)?;
            if s.role == Some(*role) {
                return Err(Refusal::rule(
                    "no_change",
                    format!("既に{}です。", role.label()),
                ));
            }
            one(E::SupporterRoleChanged {
                supporter_id: *supporter_id,
                role: *role,
            })
        }
        RecordSupporterDeparture { supporter_id, on } => {
            let s = known_supporter(*supporter_id)?;
            admin_of(agency_of(s))?;
            if s.departed {
                return Err(Refusal::rule(
                    "already_departed",
                    "この支援者は離任済みです。",
                ));
            }
            happened("on", *on, ctx, None)?;
            one(E::SupporterDeparted {
                supporter_id: *supporter_id,
                on: *on,
            })
        }
        _ => unreachable!("decide routes only set-up commands here"),
    }
}

/// Policy officers work for policy offices; nobody else may hold that role (it reads across
/// agencies).
pub(super) fn policy_role_fits(
    ctx: &Context<'_>,
    agency: AgencyId,
    role: SupporterRole,
) -> Result<(), Refusal> {
    let kind = ctx.directory.agency(agency).and_then(|a| a.kind);
    let policy_office = matches!(
        kind,
        Some(AgencyKind::RegionalBureau | AgencyKind::SmeAgency | AgencyKind::LocalGovernment)
    );
    if role == SupporterRole::PolicyOfficer && !policy_office {
        return Err(Refusal::invalid(
            "role",
            "政策担当は経済産業局・中小企業庁・自治体の職員として登録してください。",
        ));
    }
    Ok(())
}
