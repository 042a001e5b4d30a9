//! The few counters `/metrics` reports, in Prometheus' text format.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use banso_events::Position;
use banso_graphql::ErrorCode;
use banso_projections::ProjectionStatus;

const CODES: [ErrorCode; 6] = [
    ErrorCode::BadUserInput,
    ErrorCode::Conflict,
    ErrorCode::Unauthenticated,
    ErrorCode::Forbidden,
    ErrorCode::NotFound,
    ErrorCode::Internal,
];

/// Counters shared by every request.
#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    requests: AtomicU64,
    errors: [AtomicU64; CODES.len()],
}

impl Metrics {
    pub fn request(&self) {
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn error(&self, code: ErrorCode) {
        if let Some(i) = CODES.iter().position(|c| *c == code) {
            self.inner.errors[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Count the errors of a response by their `extensions.code`.
    pub fn count_errors(&self, response: &async_graphql::BatchResponse) {
        let responses = match response {
            async_graphql::BatchResponse::Single(one) => std::slice::from_ref(one),
            async_graphql::BatchResponse::Batch(many) => many.as_slice(),
        };
        for response in responses {
            for error in &response.errors {
                let code = error.extensions.as_ref().and_then(|e| e.get("code"));
                let code = CODES
                    .iter()
                    .find(|c| code == Some(&async_graphql::Value::from(c.as_str())))
                    .copied()
                    // Parse and validation errors (syntax, depth, complexity) carry no code
                    // of ours: they are the client's input.
                    .unwrap_or(ErrorCode::BadUserInput);
                self.error(code);
            }
        }
    }

    pub fn render(&self, head: Option<Position>, projections: &[ProjectionStatus]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP banso_graphql_requests_total GraphQL HTTP requests."
        );
        let _ = writeln!(out, "# TYPE banso_graphql_requests_total counter");
        let _ = writeln!(
            out,
            "banso_graphql_requests_total {}",
            self.inner.requests.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP banso_graphql_errors_total GraphQL errors by extensions.code."
        );
        let _ = writeln!(out, "# TYPE banso_graphql_errors_total counter");
        for (code, count) in CODES.iter().zip(&self.inner.errors) {
            let _ = writeln!(
                out,
                "banso_graphql_errors_total{{code=\"{}\"}} {}",
                code.as_str(),
                count.load(Ordering::Relaxed)
            );
        }
        if let Some(head) = head {
            let _ = writeln!(
                out,
                "# HELP banso_events_head_position The event store's head."
            );
            let _ = writeln!(out, "# TYPE banso_events_head_position gauge");
            let _ = writeln!(out, "banso_events_head_position {}", head.0);
        }
        let _ = writeln!(
            out,
            "# HELP banso_projection_position The last position a read model applied."
        );
        let _ = writeln!(out, "# TYPE banso_projection_position gauge");
        for p in projections {
            let _ = writeln!(
                out,
                "banso_projection_position{{projection=\"{}\"}} {}",
                p.projection.name(),
                p.position.0
            );
        }
        if let Some(head) = head {
            let _ = writeln!(
                out,
                "# HELP banso_projection_lag Events stored but not yet applied to a read model."
            );
            let _ = writeln!(out, "# TYPE banso_projection_lag gauge");
            for p in projections {
                let _ = writeln!(
                    out,
                    "banso_projection_lag{{projection=\"{}\"}} {}",
                    p.projection.name(),
                    head.0.saturating_sub(p.position.0)
                );
            }
        }
        out
    }
}
