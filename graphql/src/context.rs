//! What every resolver may reach: who is asking ([`Principal`]) and the services behind the
//! schema ([`Services`]).

use std::sync::Arc;

use async_graphql::{Context, Result};
use banso_events::domain::directory::Actor;
use banso_events::domain::ids::{AgencyId, SupporterId};
use banso_events::domain::service::Lifecycle;
use banso_events::domain::values::Day;
use banso_events::domain::vocab::SupporterRole;
use futures_util::future::BoxFuture;

use crate::error::{ErrorCode, internal, with_code};

/// Who a request acts for, from the bearer token the server checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// Whoever runs this Banso installation: registers agencies, sees no case.
    Operator,
    /// A supporter of an agency, in the role the token was issued for.
    Supporter {
        supporter_id: SupporterId,
        agency_id: AgencyId,
        role: SupporterRole,
    },
}

impl Principal {
    /// The actor recorded in the events this principal's commands append.
    pub fn actor(&self) -> Actor {
        match self {
            Principal::Operator => Actor::Operator,
            Principal::Supporter { supporter_id, .. } => Actor::Supporter(*supporter_id),
        }
    }

    /// The agency whose cases this principal may see: none for the operator, and none for a
    /// policy officer, who works with aggregates only.
    pub fn case_agency(&self) -> Option<AgencyId> {
        match self {
            Principal::Supporter {
                agency_id, role, ..
            } if *role != SupporterRole::PolicyOfficer => Some(*agency_id),
            _ => None,
        }
    }
}

/// Whether a long-lived connection's credentials still hold (a WebSocket's token may be revoked
/// while its subscriptions run). The server puts one in the connection's data; subscriptions ask
/// it before each delivery.
#[derive(Clone)]
pub struct Credentials(pub Arc<dyn Fn() -> BoxFuture<'static, bool> + Send + Sync>);

/// Today's date in Japan, from a clock the server chooses (tests pin it).
pub type Today = Arc<dyn Fn() -> Day + Send + Sync>;

/// The services resolvers work with.
#[derive(Clone)]
pub struct Services {
    pub lifecycle: Lifecycle,
    pub read: banso_projections::ReadModels,
    pub today: Today,
    /// The policy office's weights for scoring good-practice and failure candidates.
    pub weights: Arc<banso_projections::practice::Weights>,
    /// The fewest distinct companies a policy statistic may be built from before it is
    /// suppressed (秘匿); queries may only raise it.
    pub stats_min_companies: banso_projections::statistics::MinCompanies,
}

/// The principal of this request, or `UNAUTHENTICATED`.
pub(crate) fn principal(ctx: &Context<'_>) -> Result<Principal> {
    ctx.data_opt::<Principal>().copied().ok_or_else(|| {
        with_code(
            ErrorCode::Unauthenticated,
            "認証が必要です。Authorization: Bearer <トークン> を付けてください（トークンは banso token issue で発行します）。",
        )
    })
}

pub(crate) fn services<'a>(ctx: &Context<'a>) -> Result<&'a Services> {
    ctx.data::<Services>()
        .map_err(|e| internal("the schema was built without its services", e.message))
}
