//! The append workload shared by every peer benchmark.
//!
//! Each peer crate is its own Cargo workspace (so its sqlx cannot collide with ours), and pulls
//! this file in with `#[path = "../../common/workload.rs"] mod workload;`. It depends only on
//! `serde_json`, `anyhow` and the peer's own `sqlx` (with the `postgres` feature), which every
//! peer has anyway.
//!
//! The workload:
//! - `streams` case streams whose ids are UUIDs drawn from a seeded RNG;
//! - `writers` concurrent writers; writer `w` owns the streams whose index `i` has
//!   `i % writers == w`, so writers never conflict;
//! - `commands` commands in total, split evenly among writers (the remainder goes one each to
//!   the first writers). A command picks one of the writer's streams at random and appends
//!   k ∈ {1,2,3} (uniform) events at the exact version the writer tracks, then bumps it by k;
//! - every event payload is a JSON object of exactly `PAYLOAD_BYTES` bytes when serialized,
//!   with Japanese text in it.
//!
//! The whole command plan is drawn before timing starts; the payloads are built inside the
//! timed loop (as an application would), which costs microseconds against milliseconds of I/O.

#![allow(dead_code)]

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};

/// The serialized length of every event payload.
pub const PAYLOAD_BYTES: usize = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub backend: Backend,
    pub url: String,
    pub writers: usize,
    pub streams: usize,
    pub commands: usize,
    pub seed: u64,
    /// Connection pool size; `None` lets the peer choose its default (documented in its README).
    pub pool: Option<u32>,
    /// How many times a command may be retried after a PostgreSQL serialization failure
    /// (SQLSTATE 40001); 0, the default, makes any failure fatal. Only peers that append in
    /// SERIALIZABLE transactions (disintegrate) accept a non-zero value.
    pub retries: u32,
}

const USAGE: &str = "usage: <binary> --backend postgres|sqlite --url URL [--writers 64] \
[--streams 10000] [--commands 20000] [--seed 42] [--pool N] [--retries 0]";

impl Config {
    /// Parses `std::env::args()`.
    pub fn from_args() -> Result<Self> {
        let mut backend = None;
        let mut url = None;
        let mut cfg = Config {
            backend: Backend::Postgres,
            url: String::new(),
            writers: 64,
            streams: 10_000,
            commands: 20_000,
            seed: 42,
            pool: None,
            retries: 0,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            if flag == "-h" || flag == "--help" {
                eprintln!("{USAGE}");
                std::process::exit(0);
            }
            let value = args
                .next()
                .ok_or_else(|| anyhow!("{flag} needs a value\n{USAGE}"))?;
            fn num<T: FromStr>(flag: &str, v: &str) -> Result<T> {
                v.parse()
                    .map_err(|_| anyhow!("{flag}: not a valid number: {v:?}"))
            }
            match flag.as_str() {
                "--backend" => {
                    backend = Some(match value.as_str() {
                        "postgres" => Backend::Postgres,
                        "sqlite" => Backend::Sqlite,
                        other => bail!("--backend must be postgres or sqlite, got {other:?}"),
                    })
                }
                "--url" => url = Some(value),
                "--writers" => cfg.writers = num(&flag, &value)?,
                "--streams" => cfg.streams = num(&flag, &value)?,
                "--commands" => cfg.commands = num(&flag, &value)?,
                "--seed" => cfg.seed = num(&flag, &value)?,
                "--pool" => cfg.pool = Some(num(&flag, &value)?),
                "--retries" => cfg.retries = num(&flag, &value)?,
                other => bail!("unknown argument {other:?}\n{USAGE}"),
            }
        }
        cfg.backend = backend.ok_or_else(|| anyhow!("--backend is required\n{USAGE}"))?;
        cfg.url = url.ok_or_else(|| anyhow!("--url is required\n{USAGE}"))?;
        if cfg.writers == 0 || cfg.streams < cfg.writers {
            bail!(
                "need writers >= 1 and streams >= writers (got writers={}, streams={})",
                cfg.writers,
                cfg.streams
            );
        }
        match cfg.backend {
            Backend::Postgres
                if !cfg.url.starts_with("postgres://") && !cfg.url.starts_with("postgresql://") =>
            {
                bail!(
                    "--backend postgres needs a postgres:// URL, got {:?}",
                    cfg.url
                )
            }
            Backend::Sqlite if !cfg.url.starts_with("sqlite:") => {
                bail!("--backend sqlite needs a sqlite: URL, got {:?}", cfg.url)
            }
            _ => {}
        }
        Ok(cfg)
    }
}

/// The final version of every stream once the whole plan is appended.
pub fn final_versions(plan: &[Vec<Command>], streams: usize) -> Vec<u64> {
    let mut v = vec![0u64; streams];
    for c in plan.iter().flatten() {
        v[c.stream] = v[c.stream].max(c.expected + c.k);
    }
    v
}

/// splitmix64: small, fast, deterministic and dependency-free.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (Lemire's multiply-shift; the bias is negligible for small n).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

/// `streams` random (version 4) UUIDs drawn from `seed`, as 16 bytes each.
pub fn stream_ids(seed: u64, streams: usize) -> Vec<[u8; 16]> {
    let mut rng = Rng::new(seed ^ 0x5EED_CA5E_0000_0000);
    (0..streams)
        .map(|_| {
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
            b[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
            b[6] = (b[6] & 0x0F) | 0x40; // version 4
            b[8] = (b[8] & 0x3F) | 0x80; // RFC 4122 variant
            b
        })
        .collect()
}

/// The canonical hyphenated lower-case form of a UUID.
pub fn uuid_string(b: &[u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push_str(&format!("{byte:02x}"));
    }
    s
}

/// One command: append `k` events to stream `stream` expecting it to be at `expected` events.
#[derive(Clone, Copy, Debug)]
pub struct Command {
    pub stream: usize,
    pub expected: u64,
    pub k: u64,
}

/// The commands of every writer, in order, drawn deterministically from the seed.
pub fn plan(cfg: &Config) -> Vec<Vec<Command>> {
    let per = cfg.commands / cfg.writers;
    let rem = cfg.commands % cfg.writers;
    let mut versions = vec![0u64; cfg.streams];
    (0..cfg.writers)
        .map(|w| {
            let owned: Vec<usize> = (w..cfg.streams).step_by(cfg.writers).collect();
            let mut rng = Rng::new(
                cfg.seed
                    .wrapping_mul(0x1000_0000_01B3)
                    .wrapping_add(w as u64 + 1),
            );
            let n = per + usize::from(w < rem);
            (0..n)
                .map(|_| {
                    let stream = owned[rng.below(owned.len() as u64) as usize];
                    let k = 1 + rng.below(3);
                    let expected = versions[stream];
                    versions[stream] += k;
                    Command {
                        stream,
                        expected,
                        k,
                    }
                })
                .collect()
        })
        .collect()
}

/// Japanese text for the `note`; it is cut to fit and padded with ASCII to reach `PAYLOAD_BYTES`.
const NOTE: &str = "経営者と対話し、売上減少の真の課題を確認した。次回は専門家派遣を検討する。\
従業員の声も聞き取り、現場の改善案を一緒に整理した。資金繰り表の作成を支援する予定。\
地域の金融機関とも連携し、伴走支援を継続する。";

/// The payload of the event that becomes version `seq` (1-based) of stream `case`:
/// `{"kind":"dialogue_logged","case":"<uuid>","seq":N,"note":"…"}`, exactly `PAYLOAD_BYTES`
/// bytes when serialized with serde_json (keys in any order; no character needs escaping).
pub fn payload(case: &str, seq: u64) -> Value {
    json!({"kind": KIND, "case": case, "seq": seq, "note": note(case, seq)})
}

/// The `kind` of every event.
pub const KIND: &str = "dialogue_logged";

/// The `note` that makes the payload of (`case`, `seq`) exactly `PAYLOAD_BYTES` long: the
/// Japanese text cut to fit, padded with ASCII dots.
pub fn note(case: &str, seq: u64) -> String {
    // Length of the object with an empty note, computed rather than serialized:
    // {"kind":"dialogue_logged","case":"","seq":,"note":""}  is 53 bytes plus the values.
    let fixed = 53 + case.len() + decimal_len(seq);
    let budget = PAYLOAD_BYTES.saturating_sub(fixed);
    let mut note = String::with_capacity(budget);
    for ch in NOTE.chars() {
        if note.len() + ch.len_utf8() > budget {
            break;
        }
        note.push(ch);
    }
    while note.len() < budget {
        note.push('.');
    }
    note
}

fn decimal_len(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

/// Checks the payload size on a few samples; fails loudly if it is off.
pub fn check_payload_size() -> Result<usize> {
    let case = uuid_string(&stream_ids(1, 1)[0]);
    let mut len = 0;
    for seq in [1u64, 9, 10, 99, 100, 12345] {
        len = serde_json::to_string(&payload(&case, seq))?.len();
        if !(280..=320).contains(&len) {
            bail!("payload for seq {seq} serializes to {len} bytes, outside 280..=320");
        }
    }
    Ok(len)
}

/// For SQLite: the file path of a `sqlite:` URL.
pub fn sqlite_path(url: &str) -> Result<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| anyhow!("not a sqlite: URL: {url}"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        bail!("need a file path in the sqlite URL, got {url}");
    }
    Ok(path.to_string())
}

/// For SQLite: deletes the database file and its -wal/-shm, creating the parent directory.
pub fn fresh_sqlite_file(url: &str) -> Result<String> {
    let path = sqlite_path(url)?;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = format!("{path}{suffix}");
        match std::fs::remove_file(&p) {
            Ok(()) => eprintln!("removed {p}"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {p}")),
        }
    }
    if let Some(dir) = std::path::Path::new(&path).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    Ok(path)
}

/// Counts appended commands and events, and prints progress to stderr every two seconds.
#[derive(Default)]
pub struct Progress {
    pub commands: AtomicU64,
    pub events: AtomicU64,
}

impl Progress {
    pub fn record(&self, events: u64) {
        self.commands.fetch_add(1, Ordering::Relaxed);
        self.events.fetch_add(events, Ordering::Relaxed);
    }

    /// Spawns the reporter; abort the handle when done.
    pub fn spawn_reporter(self: &Arc<Self>, total_commands: usize) -> tokio::task::JoinHandle<()> {
        let me = Arc::clone(self);
        let start = Instant::now();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(2)).await;
                let c = me.commands.load(Ordering::Relaxed);
                let e = me.events.load(Ordering::Relaxed);
                let s = start.elapsed().as_secs_f64();
                eprintln!(
                    "  {s:6.1}s  {c}/{total_commands} commands, {e} events ({:.0} events/s)",
                    e as f64 / s
                );
            }
        })
    }
}

/// Prints the result line (the last line of stdout).
pub fn print_result(peer: &str, backend: Backend, commands: u64, events: u64, seconds: f64) {
    // Written by hand to keep the field order of the spec (serde_json would sort the keys).
    let line = format!(
        "{{\"peer\":{},\"backend\":\"{}\",\"commands\":{commands},\"events\":{events},\"seconds\":{},\"events_per_s\":{}}}",
        Value::from(peer),
        backend.name(),
        Value::from((seconds * 1000.0).round() / 1000.0),
        Value::from((events as f64 / seconds * 10.0).round() / 10.0),
    );
    eprintln!(
        "{peer}/{}: {commands} commands, {events} events in {seconds:.3}s = {:.1} events/s, {:.1} commands/s",
        backend.name(),
        events as f64 / seconds,
        commands as f64 / seconds
    );
    println!("{line}");
}

/// Fails unless the database holds exactly the events the writers counted.
pub fn verify_count(table: &str, in_db: i64, counted: u64) -> Result<()> {
    if in_db < 0 || in_db as u64 != counted {
        bail!(
            "verification failed: {table} holds {in_db} events, but the writers appended {counted}"
        );
    }
    eprintln!("verified: {table} holds exactly {in_db} events");
    Ok(())
}
