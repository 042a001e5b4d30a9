//! Subscriptions over WebSocket (graphql-transport-ws): a case's timeline and an agency's
//! handover inbox, live. Each follows the event store from the moment it starts (or from the
//! `after` position given), so every new entry arrives once and in order, whichever server
//! appended it.

use std::time::Duration;

use async_graphql::{Context, Result, Subscription};
use banso_events::domain::event::DomainEvent;
use banso_events::domain::ids::{AgencyId, CaseId, HandoverId};
use banso_events::{Position, StoreConfig};
use banso_projections::models::timeline::{TimelineEntry as EntryRow, case_of};
use futures_util::Stream;
use futures_util::stream;
use uuid::Uuid;

use crate::context::{Credentials, Services, principal, services};
use crate::error::{ErrorCode, internal, no_access, with_code};
use crate::objects::{Handover, TimelineEntry};
use crate::query::check_case_access;

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

/// What a subscription does with one event.
enum Step<T> {
    /// Deliver this (an item or a passing error) and go on.
    Next(Result<T>),
    /// Deliver this error and end: the subscriber may no longer see what it follows.
    Last(async_graphql::Error),
}

/// The stream of `steps` with the skipped events (`None`) dropped, ending after a `Last`.
fn deliver<T: Send + 'static>(
    steps: impl Stream<Item = Option<Step<T>>> + Send + 'static,
) -> impl Stream<Item = Result<T>> + Send + 'static {
    let steps = stream::StreamExt::filter_map(steps, |step| async move { step });
    stream::StreamExt::scan(steps, false, |ended, step| {
        let item = if *ended {
            None
        } else {
            match step {
                Step::Next(item) => Some(item),
                Step::Last(error) => {
                    *ended = true;
                    Some(Err(error))
                }
            }
        };
        async move { item }
    })
}

/// `Some(Last(UNAUTHENTICATED))` once the connection's token has been revoked.
async fn revoked<T>(credentials: &Option<Credentials>) -> Option<Step<T>> {
    let credentials = credentials.as_ref()?;
    if (credentials.0)().await {
        return None;
    }
    Some(Step::Last(with_code(
        ErrorCode::Unauthenticated,
        "トークンが取り消されました。新しいトークンで購読し直してください。",
    )))
}

#[Subscription]
impl SubscriptionRoot {
    /// Every new entry of a case's timeline, once and in order. Ends with `FORBIDDEN` when the
    /// supporter's agency may no longer see the case, and with `UNAUTHENTICATED` when the
    /// token is revoked.
    async fn case_timeline(
        &self,
        ctx: &Context<'_>,
        case_id: Uuid,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<TimelineEntry>> + use<>> {
        let case = CaseId(case_id);
        check_case_access(ctx, case).await?;
        let agency = principal(ctx)?.case_agency().ok_or_else(no_access)?;
        let credentials = ctx.data_opt::<Credentials>().cloned();
        let services = services(ctx)?.clone();
        let after = start(&services, after).await?;
        let read = services.read.clone();
        let steps = stream::StreamExt::then(events(services, after), move |item| {
            let read = read.clone();
            let credentials = credentials.clone();
            async move {
                let (recorded, event) = match item {
                    Ok(pair) => pair,
                    Err(e) => return Some(Step::Next(Err(e))),
                };
                if case_of(&event) != Some(case) {
                    return None;
                }
                let mut entry = EntryRow::from_event(&recorded, &event)?;
                if let Some(last) = revoked(&credentials).await {
                    return Some(last);
                }
                // The read models decide who may see the case: let them catch up first.
                let _ = read
                    .wait_for(recorded.position, Duration::from_secs(5))
                    .await;
                match read.can_see(agency, case).await {
                    Ok(true) => {}
                    Ok(false) => return Some(Step::Last(no_access())),
                    Err(e) => {
                        return Some(Step::Next(Err(internal(
                            "could not check access to a case",
                            e,
                        ))));
                    }
                }
                if let Err(e) = read.name_entry(&mut entry).await {
                    return Some(Step::Next(Err(internal(
                        "could not name a timeline entry",
                        e,
                    ))));
                }
                entry.hide_confidential_from(agency);
                Some(Step::Next(Ok(TimelineEntry::from(entry))))
            }
        });
        Ok(deliver(steps))
    }

    /// Every change to a handover the signed-in supporter's agency sent or received: the
    /// handover as it stands after the change. Ends with `UNAUTHENTICATED` when the token is
    /// revoked.
    async fn handover_inbox(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<Handover>> + use<>> {
        let agency: AgencyId = principal(ctx)?.case_agency().ok_or_else(no_access)?;
        let credentials = ctx.data_opt::<Credentials>().cloned();
        let services = services(ctx)?.clone();
        let after = start(&services, after).await?;
        let read = services.read.clone();
        let today = services.today.clone();
        let steps = stream::StreamExt::then(events(services, after), move |item| {
            let read = read.clone();
            let today = today.clone();
            let credentials = credentials.clone();
            async move {
                let (recorded, event) = match item {
                    Ok(pair) => pair,
                    Err(e) => return Some(Step::Next(Err(e))),
                };
                let (case_id, handover_id) = handover_of(&event)?;
                let _ = read
                    .wait_for(recorded.position, Duration::from_secs(5))
                    .await;
                let rows = match read.handovers_of(case_id).await {
                    Ok(rows) => rows,
                    Err(e) => {
                        return Some(Step::Next(Err(internal("could not read a handover", e))));
                    }
                };
                let row = rows.into_iter().find(|h| {
                    h.handover_id == handover_id
                        && (h.from_agency == agency || h.to_agency == agency)
                })?;
                if let Some(last) = revoked(&credentials).await {
                    return Some(last);
                }
                Some(Step::Next(Ok(Handover::new(row, today()))))
            }
        });
        Ok(deliver(steps))
    }
}

/// The case and handover a handover event is about.
fn handover_of(event: &DomainEvent) -> Option<(CaseId, HandoverId)> {
    use DomainEvent::*;
    match event {
        HandoverRequested {
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
        } => Some((*case_id, *handover_id)),
        _ => None,
    }
}
