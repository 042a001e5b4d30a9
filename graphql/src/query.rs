//! The query root: the read models, as the signed-in principal may see them.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, InputObject, MergedObject, Object, Result, SimpleObject};
use banso_events::domain::ids::{AgencyId, CaseId, CompanyId, SupporterId};
use banso_events::domain::japan::{Industry, Prefecture};
use banso_projections::models::cases::{CaseFilter, CaseOrder, CaseRow, cursor_of};
use banso_projections::models::handovers::Direction;
use uuid::Uuid;

use crate::context::{Principal, principal, services};
use crate::error::{bad_input, internal, no_access};
use crate::mutation::inputs::parse_opt;
use crate::objects::{
    Agency, BenchmarkYear, Board, Case, Handover, Me, ProjectionState, StageCount, Supporter,
    TimelineEntry, benchmark_history, page_size, timeline_page,
};
use crate::vocab::{Stage, Theme, Wall};

/// The entry point of every query: the case work of supporters ([`CaseQuery`]), and the policy
/// office's views (good practice, statistics), each in its own module.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    CaseQuery,
    crate::practice::PracticeQuery,
    crate::statistics::StatisticsQuery,
);

/// Cases, their timelines, boards, inboxes and the directory, as supporters see them.
#[derive(Default)]
pub struct CaseQuery;

/// The agency whose cases the principal may see, or the outsider's `FORBIDDEN`.
fn case_agency(ctx: &Context<'_>) -> Result<AgencyId> {
    principal(ctx)?.case_agency().ok_or_else(no_access)
}

/// Refuse unless the signed-in supporter's agency may see `case` (a missing case is refused
/// the same way as a foreign one).
pub(crate) async fn check_case_access(ctx: &Context<'_>, case: CaseId) -> Result<()> {
    let agency = case_agency(ctx)?;
    let allowed = services(ctx)?
        .read
        .can_see(agency, case)
        .await
        .map_err(|e| internal("could not check access to a case", e))?;
    if allowed { Ok(()) } else { Err(no_access()) }
}

/// The case, if the principal may see it; `FORBIDDEN` alike for a foreign and a missing case.
pub(crate) async fn visible_case(ctx: &Context<'_>, case: CaseId) -> Result<CaseRow> {
    check_case_access(ctx, case).await?;
    services(ctx)?
        .read
        .case(case)
        .await
        .map_err(|e| internal("could not read a case", e))?
        .ok_or_else(no_access)
}

/// Which cases to list (絞り込み条件). Every field given narrows the list.
#[derive(InputObject, Default)]
pub struct CaseFilterInput {
    /// The agency holding the case (保有機関).
    pub holder_agency_id: Option<Uuid>,
    /// A supporter in charge or on the team.
    pub supporter_id: Option<Uuid>,
    #[graphql(default)]
    pub stages: Vec<Stage>,
    /// JSIC 大分類: the letter (E) or the name (製造業).
    pub industry: Option<String>,
    /// 都道府県: 埼玉県, 埼玉 or 11.
    pub prefecture: Option<String>,
    /// The theme of an open issue.
    pub theme: Option<Theme>,
    /// A wall of an open issue.
    pub wall: Option<Wall>,
    /// Only cases with (true) or without (false) a pending handover.
    pub open_handover: Option<bool>,
    /// Part of the company's name or フリガナ.
    pub search: Option<String>,
}

/// The order of a case list (並び順).
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseListOrder {
    /// 更新の新しい順
    #[default]
    Recent,
    /// 企業名のフリガナ順（五十音順）
    Kana,
}

/// Which side of the handover inbox (受信・送信).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum HandoverDirection {
    /// 受けた依頼
    Incoming,
    /// 出した依頼
    Outgoing,
}

/// The event store's state (イベントストアの状態).
#[derive(Clone, Debug, PartialEq, Eq, SimpleObject)]
pub struct StoreStatus {
    /// The database that holds the events: `sqlite` or `postgres` (バックエンド).
    pub backend: String,
    /// The position of the last event readers can see, `0` when the store is empty (先頭位置).
    /// A decimal string because positions are 64-bit and GraphQL's `Int` is 32-bit.
    pub head: String,
}

fn filter_of(input: CaseFilterInput, agency: AgencyId) -> Result<CaseFilter> {
    Ok(CaseFilter {
        visible_to: Some(agency),
        holder: input.holder_agency_id.map(AgencyId),
        supporter: input.supporter_id.map(SupporterId),
        stages: input.stages.into_iter().map(Into::into).collect(),
        industry: parse_opt(
            "filter.industry",
            input.industry.as_deref(),
            Industry::parse,
        )?,
        prefecture: parse_opt(
            "filter.prefecture",
            input.prefecture.as_deref(),
            Prefecture::parse,
        )?,
        theme: input.theme.map(Into::into),
        wall: input.wall.map(Into::into),
        open_handover: input.open_handover,
        search: input.search,
        ..CaseFilter::default()
    })
}

/// The entry point of every query (クエリ).
#[Object]
impl CaseQuery {
    /// Who is signed in (ログイン中の利用者).
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        Ok(match principal(ctx)? {
            Principal::Operator => Me {
                kind: "operator".into(),
                supporter_id: None,
                agency_id: None,
                role: None,
            },
            Principal::Supporter {
                supporter_id,
                agency_id,
                role,
            } => Me {
                kind: "supporter".into(),
                supporter_id: Some(supporter_id.0),
                agency_id: Some(agency_id.0),
                role: Some(role.into()),
            },
        })
    }

    /// Every agency using Banso (支援機関の一覧).
    async fn agencies(&self, ctx: &Context<'_>) -> Result<Vec<Agency>> {
        principal(ctx)?;
        let rows = services(ctx)?
            .read
            .agencies()
            .await
            .map_err(|e| internal("could not list the agencies", e))?;
        Ok(rows.into_iter().map(Agency::from).collect())
    }

    /// The supporters of an agency (支援者の一覧).
    async fn supporters(&self, ctx: &Context<'_>, agency_id: Uuid) -> Result<Vec<Supporter>> {
        principal(ctx)?;
        let rows = services(ctx)?
            .read
            .supporters_of(AgencyId(agency_id))
            .await
            .map_err(|e| internal("could not list the supporters", e))?;
        Ok(rows.into_iter().map(Supporter::from).collect())
    }

    /// The cases the signed-in supporter's agency holds or works on (支援案件の一覧).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: CaseFilterInput,
        #[graphql(default)] order: CaseListOrder,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Case>> {
        let agency = case_agency(ctx)?;
        let services = services(ctx)?;
        let limit = page_size(first)?;
        let order = match order {
            CaseListOrder::Recent => CaseOrder::Recent,
            CaseListOrder::Kana => CaseOrder::Kana,
        };
        let filter = filter_of(filter, agency)?;
        let page = services
            .read
            .cases(&filter, order, after.as_deref(), limit)
            .await
            .map_err(|e| match e {
                banso_projections::ReadError::BadCursor => bad_input("after", e.to_string()),
                e => internal("could not list cases", e),
            })?;
        let today = (services.today)();
        let mut connection = Connection::new(after.is_some(), page.has_next);
        connection.edges.extend(
            page.cases
                .into_iter()
                .map(|row| Edge::new(cursor_of(&row, order), Case { row, today })),
        );
        Ok(connection)
    }

    /// One case (支援案件). `FORBIDDEN` when the supporter's agency may not see it, whether or
    /// not it exists.
    async fn case(&self, ctx: &Context<'_>, id: Uuid) -> Result<Case> {
        let row = visible_case(ctx, CaseId(id)).await?;
        Ok(Case {
            row,
            today: (services(ctx)?.today)(),
        })
    }

    /// The timeline of a case (タイムライン), `first` entries after the `after` cursor.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn case_timeline(
        &self,
        ctx: &Context<'_>,
        case_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, TimelineEntry>> {
        check_case_access(ctx, CaseId(case_id)).await?;
        timeline_page(ctx, CaseId(case_id), first, after).await
    }

    /// The PDCA board of the signed-in supporter's agency, or of one supporter of it
    /// (PDCAボード): cases by stage and cycle, overdue reviews, stalled or late measures, and
    /// KPIs off target, at most `limit` cases per list.
    async fn pdca_board(
        &self,
        ctx: &Context<'_>,
        supporter_id: Option<Uuid>,
        #[graphql(default = 50)] limit: i32,
    ) -> Result<Board> {
        let agency = case_agency(ctx)?;
        let services = services(ctx)?;
        let limit = page_size(Some(limit)).map_err(|_| {
            bad_input(
                "limit",
                "limit は 1 から 100 までの整数で指定してください。",
            )
        })?;
        let today = (services.today)();
        let base = CaseFilter {
            visible_to: Some(agency),
            supporter: supporter_id.map(SupporterId),
            ..CaseFilter::default()
        };
        let read = &services.read;
        let list = |filter: CaseFilter| async move {
            read.cases(&filter, CaseOrder::Recent, None, limit)
                .await
                .map(|page| page.cases)
                .map_err(|e| internal("could not read the board", e))
        };
        let counts = read
            .stage_counts(&base)
            .await
            .map_err(|e| internal("could not count the board", e))?;
        Ok(Board {
            counts: counts
                .into_iter()
                .map(|(stage, cycle, n)| StageCount {
                    stage: stage.into(),
                    stage_label: stage.label().to_owned(),
                    cycle: cycle as i32,
                    cases: n as i32,
                })
                .collect(),
            overdue_reviews: list(CaseFilter {
                review_before: Some(today),
                ..base.clone()
            })
            .await?,
            stalled: list(CaseFilter {
                stalled: true,
                ..base.clone()
            })
            .await?,
            past_due: list(CaseFilter {
                due_before: Some(today),
                ..base.clone()
            })
            .await?,
            off_target: list(CaseFilter {
                off_target: true,
                ..base.clone()
            })
            .await?,
            today,
        })
    }

    /// The handover inbox of the signed-in supporter's agency (引継ぎの受信箱・送信箱), newest
    /// first; `pending: true` for those awaiting an answer, `false` for decided ones.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn handover_inbox(
        &self,
        ctx: &Context<'_>,
        direction: HandoverDirection,
        pending: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Handover>> {
        let agency = case_agency(ctx)?;
        let services = services(ctx)?;
        let limit = page_size(first)?;
        let before = match after.as_deref() {
            None => None,
            Some(raw) => Some(raw.parse::<u64>().map_err(|_| {
                bad_input(
                    "after",
                    "after には受信箱の項目のカーソルを指定してください。",
                )
            })?),
        };
        let direction = match direction {
            HandoverDirection::Incoming => Direction::Incoming,
            HandoverDirection::Outgoing => Direction::Outgoing,
        };
        let mut rows = services
            .read
            .inbox(agency, direction, pending, before, limit + 1)
            .await
            .map_err(|e| internal("could not read the inbox", e))?;
        let has_next = rows.len() > limit;
        rows.truncate(limit);
        let today = (services.today)();
        let mut connection = Connection::new(after.is_some(), has_next);
        connection.edges.extend(
            rows.into_iter()
                .map(|row| Edge::new(row.requested_at.to_string(), Handover::new(row, today))),
        );
        Ok(connection)
    }

    /// The Local Benchmark history of a company (ローカルベンチマークの推移): the six
    /// indicators by fiscal year and their change. Only for agencies that see one of its cases.
    async fn benchmark_history(
        &self,
        ctx: &Context<'_>,
        company_id: Uuid,
    ) -> Result<Vec<BenchmarkYear>> {
        let agency = case_agency(ctx)?;
        let allowed = services(ctx)?
            .read
            .can_see_company(agency, CompanyId(company_id))
            .await
            .map_err(|e| internal("could not check access to a company", e))?;
        if !allowed {
            return Err(no_access());
        }
        benchmark_history(ctx, CompanyId(company_id)).await
    }

    /// Where each read model stands and how far it lags behind the events (リードモデルの状態).
    async fn projections(&self, ctx: &Context<'_>) -> Result<Vec<ProjectionState>> {
        principal(ctx)?;
        let services = services(ctx)?;
        let head = services
            .lifecycle
            .store()
            .head()
            .await
            .map_err(|e| internal("could not read the event store's head", e))?;
        let status = services
            .read
            .status()
            .await
            .map_err(|e| internal("could not read the projections' status", e))?;
        Ok(status
            .into_iter()
            .map(|s| ProjectionState {
                name: s.projection.name().to_owned(),
                generation: s.generation,
                position: s.position.0.to_string(),
                lag: head.0.saturating_sub(s.position.0) as i64,
            })
            .collect())
    }

    /// The state of the event store (イベントストアの状態).
    async fn store_status(&self, ctx: &Context<'_>) -> Result<StoreStatus> {
        let store = services(ctx)?.lifecycle.store();
        let head = store
            .head()
            .await
            .map_err(|e| internal("could not read the event store's head", e))?;
        Ok(StoreStatus {
            backend: store.backend().name().to_owned(),
            head: head.to_string(),
        })
    }
}
