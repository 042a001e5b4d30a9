//! Recreating a peer's PostgreSQL database, with the sqlx 0.8 API the peer crates share (Banso's
//! own benchmark uses sqlx 0.9 and does this itself). Pulled in with
//! `#[path = "../../common/pg08.rs"] mod pg08;`.

use std::str::FromStr;

use anyhow::{anyhow, bail, Context, Result};

/// For PostgreSQL: drops and recreates the database named in `url`, through the `postgres`
/// database of the same server. Returns the options for the fresh database.
pub async fn recreate_pg_database(url: &str) -> Result<sqlx::postgres::PgConnectOptions> {
    use sqlx::Connection;
    let opts = sqlx::postgres::PgConnectOptions::from_str(url).context("parsing the postgres URL")?;
    let db = opts
        .get_database()
        .ok_or_else(|| anyhow!("the postgres URL names no database: {url}"))?
        .to_string();
    if db.is_empty()
        || !db.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        || ["postgres", "template0", "template1", "test", "root"].contains(&db.as_str())
    {
        bail!("refusing to drop database {db:?}: use a dedicated name like banso_bench_<peer> ([a-z0-9_])");
    }
    let admin = opts.clone().database("postgres");
    let mut conn = sqlx::postgres::PgConnection::connect_with(&admin)
        .await
        .context("connecting to the postgres database")?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .with_context(|| format!("dropping database {db}"))?;
    sqlx::query(&format!("CREATE DATABASE \"{db}\""))
        .execute(&mut conn)
        .await
        .with_context(|| format!("creating database {db}"))?;
    conn.close().await.ok();
    eprintln!("recreated database {db}");
    Ok(opts)
}
