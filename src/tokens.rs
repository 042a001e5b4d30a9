//! API tokens: `banso token issue` prints a new bearer token once; only its SHA-256 hash is
//! stored (`api_tokens`, in the read-model database, which every server shares). A request's
//! token is looked up by hash on each request, so a revocation takes effect at once.

use std::fmt::Write as _;

use banso_events::domain::ids::{AgencyId, SupporterId};
use banso_events::domain::vocab::SupporterRole;
use banso_graphql::Principal;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, Row};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// Every token starts with this, so that a leaked one is easy to recognise (secret scanners).
const PREFIX: &str = "banso_";

/// The token store.
#[derive(Clone)]
pub struct Tokens {
    pool: AnyPool,
}

/// A stored token, without the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub token_id: Uuid,
    pub principal: Principal,
    pub label: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

fn now() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

fn principal_of(row: &sqlx::any::AnyRow) -> Option<Principal> {
    let kind: String = row.try_get("principal").ok()?;
    if kind == "operator" {
        return Some(Principal::Operator);
    }
    let supporter: Option<String> = row.try_get("supporter_id").ok()?;
    let agency: Option<String> = row.try_get("agency_id").ok()?;
    let role: Option<String> = row.try_get("role").ok()?;
    Some(Principal::Supporter {
        supporter_id: SupporterId(supporter?.parse().ok()?),
        agency_id: AgencyId(agency?.parse().ok()?),
        role: serde_json::from_value(serde_json::Value::String(role?)).ok()?,
    })
}

impl Tokens {
    pub fn new(pool: AnyPool) -> Self {
        Self { pool }
    }

    /// Store a new token for `principal`; returns its id and the secret (shown only now).
    pub async fn issue(&self, principal: Principal, label: &str) -> sqlx::Result<(Uuid, String)> {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        let mut token = String::from(PREFIX);
        for byte in secret {
            let _ = write!(token, "{byte:02x}");
        }
        let token_id = Uuid::now_v7();
        let (kind, supporter, agency, role) = match principal {
            Principal::Operator => ("operator", None, None, None),
            Principal::Supporter {
                supporter_id,
                agency_id,
                role,
            } => (
                "supporter",
                Some(supporter_id.0.to_string()),
                Some(agency_id.0.to_string()),
                Some(role.id()),
            ),
        };
        sqlx::query(
            "INSERT INTO api_tokens (token_id, token_hash, principal, supporter_id, agency_id, role, label, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(token_id.to_string())
        .bind(hash(&token))
        .bind(kind)
        .bind(supporter)
        .bind(agency)
        .bind(role)
        .bind(label)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok((token_id, token))
    }

    /// The principal of a bearer token, if it is known and not revoked.
    pub async fn authenticate(&self, token: &str) -> sqlx::Result<Option<Principal>> {
        if !token.starts_with(PREFIX) {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT principal, supporter_id, agency_id, role FROM api_tokens
             WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash(token))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().and_then(principal_of))
    }

    /// Every token, newest first.
    pub async fn list(&self) -> sqlx::Result<Vec<TokenInfo>> {
        let rows = sqlx::query(
            "SELECT token_id, principal, supporter_id, agency_id, role, label, created_at, revoked_at
             FROM api_tokens ORDER BY created_at DESC, token_id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                Some(TokenInfo {
                    token_id: row.try_get::<String, _>("token_id").ok()?.parse().ok()?,
                    principal: principal_of(row)?,
                    label: row.try_get("label").ok()?,
                    created_at: row.try_get("created_at").ok()?,
                    revoked_at: row.try_get("revoked_at").ok()?,
                })
            })
            .collect())
    }

    /// Revoke a token; false if there is no such token or it was already revoked.
    pub async fn revoke(&self, token_id: Uuid) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE token_id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(token_id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// The role a token may be issued for.
pub fn parse_role(raw: &str) -> Result<SupporterRole, String> {
    SupporterRole::ALL
        .iter()
        .copied()
        .find(|r| r.id() == raw || r.label() == raw)
        .ok_or_else(|| {
            let known: Vec<&str> = SupporterRole::ALL.iter().map(|r| r.id()).collect();
            format!("unknown role `{raw}`; one of: {}", known.join(", "))
        })
}
