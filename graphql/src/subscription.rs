//! Subscriptions over WebSocket (graphql-transport-ws): a case's timeline and an agency's
//! handover inbox, live. Each follows the event store from the moment it starts (or from the
//! `after` position given), so every new entry arrives once and in order, whichever server
//! appended it.

use std::time::Duration;

use async_graphql::{Context, Result, Subscription};
use banso_events::domain::event::DomainEvent;
use banso_events::domain::ids::{AgencyId, CaseId};
use banso_events::{Position, StoreConfig};
use banso_projections::models::timeline::{TimelineEntry as EntryRow, case_of};
use futures_util::Stream;
use futures_util::stream;
use uuid::Uuid;

use crate::context::{Services, principal, services};
use crate::error::{internal, no_access};
use crate::objects::{Handover, TimelineEntry};
use crate::query::visible_case;

/// Live updates (サブスクリプション).
pub struct SubscriptionRoot;

/// Where a subscription starts: after `after` if given, else after the store's head now.
async fn start(services: &Services, after: Option<String>) -> Result<Position> {
    match after {
        Some(raw) => raw.parse().map(Position).map_err(|_| {
            crate::error::bad_input(
                "after",
                "after には position（10進の数字）を指定してください。",
            )
        }),
        None => services
            .lifecycle
            .store()
            .head()
            .await
            .map_err(|e| internal("could not read the event store's head", e)),
    }
}

/// Every event after `after`, decoded, with failures as errors in the stream.
fn events(
    services: Services,
    after: Position,
) -> impl Stream<Item = Result<(banso_events::RecordedEvent, DomainEvent)>> {
    let subscription = services
        .lifecycle
        .store()
        .subscribe(after, &StoreConfig::default());
    stream::unfold(
        (services, subscription),
        |(services, mut subscription)| async move {
            let item = match subscription.next().await {
                Ok(recorded) => match services.lifecycle.codec().decode(&recorded) {
                    Ok(envelope) => Ok((recorded, envelope.event)),
                    Err(e) => Err(internal("a stored event could not be decoded", e)),
                },
                Err(e) => Err(internal("the event subscription failed", e)),
            };
            Some((item, (services, subscription)))
        },
    )
}

#[Subscription]
impl SubscriptionRoot {
    /// Every new entry of a case's timeline, once and in order. Stops with `FORBIDDEN` when
    /// the supporter's agency may no longer see the case.
    async fn case_timeline(
        &self,
        ctx: &Context<'_>,
        case_id: Uuid,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<TimelineEntry>> + use<>> {
        let case = CaseId(case_id);
        visible_case(ctx, case).await?;
        let agency = principal(ctx)?.case_agency().ok_or_else(no_access)?;
        let services = services(ctx)?.clone();
        let after = start(&services, after).await?;
        let read = services.read.clone();
        let entries = stream::StreamExt::filter_map(events(services, after), move |item| {
            let read = read.clone();
            async move {
                let (recorded, event) = match item {
                    Ok(pair) => pair,
                    Err(e) => return Some(Err(e)),
                };
                if case_of(&event) != Some(case) {
                    return None;
                }
                let mut entry = EntryRow::from_event(&recorded, &event)?;
                // The read models decide who may see the case: let them catch up first.
                let _ = read
                    .wait_for(recorded.position, Duration::from_secs(5))
                    .await;
                match read.can_see(agency, case).await {
                    Ok(true) => {}
                    Ok(false) => return Some(Err(no_access())),
                    Err(e) => return Some(Err(internal("could not check access to a case", e))),
                }
                if let Err(e) = read.name_entry(&mut entry).await {
                    return Some(Err(internal("could not name a timeline entry", e)));
                }
                Some(Ok(TimelineEntry::from(entry)))
            }
        });
        Ok(entries)
    }

    /// Every change to a handover the signed-in supporter's agency sent or received: the
    /// handover as it stands after the change.
    async fn handover_inbox(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<Handover>> + use<>> {
        let agency: AgencyId = principal(ctx)?.case_agency().ok_or_else(no_access)?;
        let services = services(ctx)?.clone();
        let after = start(&services, after).await?;
        let read = services.read.clone();
        let today = services.today.clone();
        let updates = stream::StreamExt::filter_map(events(services, after), move |item| {
            let read = read.clone();
            let today = today.clone();
            async move {
                let (recorded, event) = match item {
                    Ok(pair) => pair,
                    Err(e) => return Some(Err(e)),
                };
                use DomainEvent::*;
                let (HandoverRequested {
                    case_id,
                    handover_id,
                    ..
                }
                | HandoverAccepted {
                    case_id,
                    handover_id,
                    ..
                }
                | HandoverDeclined {
                    case_id,
                    handover_id,
                    ..
                }
                | HandoverWithdrawn {
                    case_id,
                    handover_id,
                    ..
                }
                | HandoverCompleted {
                    case_id,
                    handover_id,
                    ..
                }) = event
                else {
                    return None;
                };
                let _ = read
                    .wait_for(recorded.position, Duration::from_secs(5))
                    .await;
                let rows = match read.handovers_of(case_id).await {
                    Ok(rows) => rows,
                    Err(e) => return Some(Err(internal("could not read a handover", e))),
                };
                let row = rows.into_iter().find(|h| {
                    h.handover_id == handover_id
                        && (h.from_agency == agency || h.to_agency == agency)
                })?;
                Some(Ok(Handover::new(row, today())))
            }
        });
        Ok(updates)
    }
}
