//! Crash safety: a child process appending in a loop is killed with SIGKILL at random moments,
//! many times; every append it saw acknowledged is present afterwards and no partial append
//! exists.
//!
//! This binary is both sides of the test (`harness = false`): run with `--child URL SEED` it is
//! the child, which appends from several tasks at once and prints one line per acknowledged
//! append (`<command id> <event count> <positions>`); run without it, it is the test, which
//! starts the child again and again, kills it at a random moment, and finally checks the store
//! against every line the children printed. SQLite always; PostgreSQL when
//! `BANSO_TEST_POSTGRES_URL` is set (required under `CI=true`).
//!
//! `BANSO_CRASH_ITERATIONS` sets the number of kills per backend (default 25) and
//! `BANSO_CRASH_SEED` replays the kill schedule and workload choices of an earlier run (the
//! seed is printed at the start). Unix only: it relies on `Child::kill` sending SIGKILL.

mod support;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::panic::AssertUnwindSafe;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use banso_events::{
    AppendRequest, Backend, EventStore, ExpectedVersion, Metadata, NewEvent, Position, StoreConfig,
    StoreError, StreamId, StreamType,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use support::{POSTGRES_URL_VAR, case, company, postgres_url, with_search_path};
use tokio::runtime::Runtime;
use uuid::Uuid;

/// Kills per backend unless `BANSO_CRASH_ITERATIONS` says otherwise.
const DEFAULT_ITERATIONS: usize = 25;
/// Concurrent appending tasks in the child.
const WRITERS: u64 = 8;
/// Streams shared by all children of one run, so that streams grow across crashes.
const SHARED_STREAMS: u128 = 300;
/// How long after its start (after its first acknowledgement, in the first run) a child dies.
const KILL_AFTER_MS: std::ops::RangeInclusive<u64> = 30..=300;
/// How long the first child may take to acknowledge its first append.
const FIRST_ACK_TIMEOUT: Duration = Duration::from_secs(10);
/// The signal `Child::kill` sends on Unix.
const SIGKILL: i32 = 9;
/// Fewer acknowledged appends than this per backend and the test proved nothing.
const MIN_ACKS: usize = 50;
/// About 200 bytes of UTF-8 in every payload.
const NOTE: &str = "経営者と二時間対話した。売上減少の背景には後継者不在と価格交渉力の弱さがあり、\
                    主要取引先への依存度も高い。次回は金融機関を交えて資金繰りを検討する。";

const SQLITE_TEST: &str = "sqlite_survives_sigkill";
const POSTGRES_TEST: &str = "postgres_survives_sigkill";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        let (Some(url), Some(seed)) = (args.get(1), args.get(2).and_then(|s| s.parse().ok()))
        else {
            eprintln!("usage: crash --child URL SEED");
            std::process::exit(2);
        };
        child(url, seed);
    }

    let names = [SQLITE_TEST, POSTGRES_TEST];
    if args.iter().any(|a| a == "--list") {
        for name in names {
            println!("{name}: test");
        }
        return;
    }
    // Like libtest: other arguments are name filters; flags are ignored.
    let filters: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(String::as_str)
        .collect();
    let selected = |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f));

    let seed: u64 = match std::env::var("BANSO_CRASH_SEED") {
        Ok(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("BANSO_CRASH_SEED={s:?} is not a u64")),
        Err(_) => rand::rng().random(),
    };
    let iterations: usize = match std::env::var("BANSO_CRASH_ITERATIONS") {
        Ok(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("BANSO_CRASH_ITERATIONS={s:?} is not a number")),
        Err(_) => DEFAULT_ITERATIONS,
    };
    println!(
        "crash safety: seed {seed} (replay with BANSO_CRASH_SEED={seed}), \
         {iterations} kills per backend"
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime for the verifier");

    let mut passed = 0;
    let mut failed = Vec::new();
    let mut run = |name: &str, test: &dyn Fn() -> Option<Summary>| {
        if !selected(name) {
            return;
        }
        match std::panic::catch_unwind(AssertUnwindSafe(test)) {
            Ok(Some(summary)) => {
                println!("test {name} ... ok: {summary}");
                passed += 1;
            }
            Ok(None) => println!("test {name} ... skipped ({POSTGRES_URL_VAR} is not set)"),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed.push(name.to_owned());
            }
        }
    };
    run(SQLITE_TEST, &|| {
        Some(sqlite_survives_sigkill(&rt, seed, iterations))
    });
    run(POSTGRES_TEST, &|| {
        postgres_survives_sigkill(&rt, seed.wrapping_add(1), iterations)
    });

    println!("{passed} passed, {} failed", failed.len());
    if !failed.is_empty() {
        panic!("crash safety failed: {} (seed {seed})", failed.join(", "));
    }
}

// ---------------------------------------------------------------------------------------------
// The child: append forever, print each acknowledged append.

fn child(url: &str, seed: u64) -> ! {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime for the child");
    let code = rt.block_on(async {
        let store = match EventStore::connect(url, &StoreConfig::default()).await {
            Ok(store) => store,
            Err(e) => {
                eprintln!("crash child: cannot open the store: {e}");
                return 3;
            }
        };
        let mut writers = tokio::task::JoinSet::new();
        for w in 1..=WRITERS {
            let rng =
                StdRng::seed_from_u64(seed.wrapping_add(w.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
            writers.spawn(append_forever(store.clone(), rng));
        }
        // Writers only return on an error; the parent kills the child long before.
        match writers.join_next().await {
            Some(Ok(error)) => eprintln!("crash child: {error}"),
            Some(Err(e)) => eprintln!("crash child: a writer panicked: {e}"),
            None => eprintln!("crash child: no writers"),
        }
        4
    });
    std::process::exit(code);
}

/// Stream `i` of the set shared by every child of one run.
fn shared_stream(i: u128) -> StreamId {
    let kind = if i % 5 == 4 { "company" } else { "case" };
    StreamId::new(
        StreamType::new(kind).unwrap(),
        Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_0000 | i),
    )
}

/// Where one stream's share of an append goes: mostly a shared stream at any version,
/// sometimes a brand-new stream.
fn pick_stream(rng: &mut StdRng) -> (StreamId, ExpectedVersion) {
    if rng.random_bool(0.1) {
        let fresh = if rng.random_bool(0.5) {
            case()
        } else {
            company()
        };
        (fresh, ExpectedVersion::NoStream)
    } else {
        (
            shared_stream(rng.random_range(0..SHARED_STREAMS)),
            ExpectedVersion::Any,
        )
    }
}

async fn append_forever(store: EventStore, mut rng: StdRng) -> String {
    loop {
        let command_id = Uuid::now_v7();
        let two_streams = rng.random_bool(0.25);
        let n: usize = if two_streams {
            rng.random_range(2..=3)
        } else {
            rng.random_range(1..=3)
        };
        let first_len = if two_streams {
            rng.random_range(1..n)
        } else {
            n
        };
        let mut k = 0;
        let mut events = |count: usize| -> Vec<NewEvent> {
            (0..count)
                .map(|_| {
                    k += 1;
                    let payload = json!({ "cmd": command_id, "i": k, "of": n, "note": NOTE });
                    NewEvent::json("NoteTaken", 1, &payload).unwrap()
                })
                .collect()
        };
        let (first, first_expected) = pick_stream(&mut rng);
        let metadata = Metadata::for_command(command_id).by(Uuid::from_u128(1), Uuid::from_u128(2));
        let mut request =
            AppendRequest::to_stream(metadata, first.clone(), first_expected, events(first_len));
        if two_streams {
            let (second, second_expected) = loop {
                let (s, e) = pick_stream(&mut rng);
                if s != first {
                    break (s, e);
                }
            };
            request = request.and_stream(second, second_expected, events(n - first_len));
        }

        match store.append(request).await {
            Ok(outcome) => {
                if outcome.positions.len() != n || outcome.duplicate {
                    return format!(
                        "command {command_id}: {n} events appended but the outcome says {outcome:?}"
                    );
                }
                let positions: Vec<String> =
                    outcome.positions.iter().map(|p| p.0.to_string()).collect();
                let line = format!("{command_id} {n} {}\n", positions.join(","));
                // One write of a short line (atomic on a pipe), flushed before the next append.
                let mut out = std::io::stdout().lock();
                if let Err(e) = out.write_all(line.as_bytes()).and_then(|()| out.flush()) {
                    return format!("cannot report an acknowledged append: {e}");
                }
            }
            // Not expected with these expectations, but a legitimate answer of the store.
            Err(StoreError::Concurrency { .. }) => {}
            Err(e) => return format!("command {command_id}: append failed: {e}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The parent: start, kill, repeat; then verify.

/// An append the child saw acknowledged.
#[derive(Debug)]
struct Ack {
    command_id: Uuid,
    n: usize,
    positions: Vec<i64>,
}

fn parse_ack(line: &str) -> Ack {
    let bad = || panic!("the child printed a malformed line: {line:?}");
    let mut parts = line.split(' ');
    let (Some(command), Some(n), Some(positions), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        bad()
    };
    let command_id = Uuid::parse_str(command).unwrap_or_else(|_| bad());
    let n: usize = n.parse().unwrap_or_else(|_| bad());
    let positions: Vec<i64> = positions
        .split(',')
        .map(|p| p.parse().unwrap_or_else(|_| bad()))
        .collect();
    if positions.len() != n {
        bad();
    }
    Ack {
        command_id,
        n,
        positions,
    }
}

/// What the kill phase did.
#[derive(Default)]
struct KillStats {
    kills: usize,
    /// Children killed before they acknowledged anything (during start-up or recovery).
    silent: usize,
    /// Children killed halfway through writing a line (the line is not counted).
    torn_lines: usize,
    /// How long the first child took to acknowledge its first append, and the whole phase.
    first_ack: Duration,
    duration: Duration,
    /// PostgreSQL: server sessions of the last child still there after it died, and how long
    /// they took to end.
    lingering: Option<(i64, Duration)>,
}

/// Start the child on `url` `iterations` times and kill each at a random moment. Returns every
/// acknowledged append.
fn kill_repeatedly(url: &str, rng: &mut StdRng, iterations: usize) -> (Vec<Ack>, KillStats) {
    let exe = std::env::current_exe().expect("the path of this test binary");
    let mut acks = Vec::new();
    let mut stats = KillStats::default();
    let phase = Instant::now();
    for iteration in 0..iterations {
        let child_seed: u64 = rng.random();
        let kill_after = Duration::from_millis(rng.random_range(KILL_AFTER_MS));
        let mut child = Command::new(&exe)
            .arg("--child")
            .arg(url)
            .arg(child_seed.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cannot start the child");
        let stdout = child.stdout.take().expect("the child's stdout is piped");
        let (lines_tx, lines) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            // Only complete lines count: the child may die in the middle of one.
            let mut stdout = BufReader::new(stdout);
            let mut line = Vec::new();
            loop {
                line.clear();
                match stdout.read_until(b'\n', &mut line) {
                    Ok(0) => return false,
                    Ok(_) if line.ends_with(b"\n") => {
                        line.pop();
                        let text = String::from_utf8(line.clone())
                            .unwrap_or_else(|_| panic!("the child printed non-UTF-8: {line:?}"));
                        if lines_tx.send(text).is_err() {
                            return false;
                        }
                    }
                    Ok(_) => return true,
                    Err(e) => panic!("cannot read the child's output: {e}"),
                }
            }
        });

        let mut seen = Vec::new();
        if iteration == 0 {
            // The first child migrates the fresh database; make sure it gets to append at all.
            match lines.recv_timeout(FIRST_ACK_TIMEOUT) {
                Ok(line) => {
                    seen.push(line);
                    stats.first_ack = phase.elapsed();
                }
                Err(_) => {
                    let _ = child.kill();
                    let status = child.wait();
                    panic!(
                        "the first child acknowledged no append within {FIRST_ACK_TIMEOUT:?} \
                         ({status:?}; see its stderr above)"
                    );
                }
            }
        }
        std::thread::sleep(kill_after);
        child.kill().expect("cannot kill the child");
        let status = child.wait().expect("cannot wait for the child");
        assert_eq!(
            status.signal(),
            Some(SIGKILL),
            "kill {}: the child ended with {status} instead of being killed by SIGKILL \
             (its stderr is above)",
            iteration + 1
        );
        let torn = reader.join().expect("the reader thread panicked");
        seen.extend(lines.try_iter());

        stats.kills += 1;
        stats.silent += usize::from(seen.is_empty());
        stats.torn_lines += usize::from(torn);
        acks.extend(seen.iter().map(|l| parse_ack(l)));
    }
    stats.duration = phase.elapsed();
    (acks, stats)
}

/// One stored event, as read with SQL.
struct Row {
    position: i64,
    event_id: Uuid,
    stream_type: String,
    stream_id: Uuid,
    version: i64,
    command_id: Uuid,
    payload: String,
}

type RowTuple = (i64, Uuid, String, Uuid, i64, Uuid, String);

impl From<RowTuple> for Row {
    fn from(
        (position, event_id, stream_type, stream_id, version, command_id, payload): RowTuple,
    ) -> Self {
        Self {
            position,
            event_id,
            stream_type,
            stream_id,
            version,
            command_id,
            payload,
        }
    }
}

/// What the verification counted.
struct Summary {
    stats: KillStats,
    acks: usize,
    commands: usize,
    events: usize,
    streams: usize,
    position_gaps: i64,
    /// How long `wait_for` took to see the highest position.
    readable_after: Duration,
    elapsed: Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} kills ({} before any acknowledgement, {} in the middle of a line), \
             {} acknowledged appends all present, {} appends stored ({} committed but never \
             acknowledged), {} events in {} streams, {} position gaps, {:.1} s",
            self.stats.kills,
            self.stats.silent,
            self.stats.torn_lines,
            self.acks,
            self.commands,
            self.commands.saturating_sub(self.acks),
            self.events,
            self.streams,
            self.position_gaps,
            self.elapsed.as_secs_f64()
        )?;
        write!(
            f,
            " (first ack after {} ms, kills {:.1} s, ",
            self.stats.first_ack.as_millis(),
            self.stats.duration.as_secs_f64()
        )?;
        if let Some((sessions, took)) = self.stats.lingering {
            write!(
                f,
                "{sessions} server sessions outlived the last child by {} ms, ",
                took.as_millis()
            )?;
        }
        write!(
            f,
            "all readable after {} ms)",
            self.readable_after.as_millis()
        )
    }
}

fn sqlite_survives_sigkill(rt: &Runtime, seed: u64, iterations: usize) -> Summary {
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("banso-crash-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("events.db").display());
    println!("test {SQLITE_TEST}: database {url}");

    let mut rng = StdRng::seed_from_u64(seed);
    let (acks, stats) = kill_repeatedly(&url, &mut rng, iterations);
    let summary = rt.block_on(verify(&url, Backend::Sqlite, &acks, stats, started));
    // Only reached when the store passed: a failed run keeps its database for inspection.
    let _ = std::fs::remove_dir_all(&dir);
    summary
}

fn postgres_survives_sigkill(rt: &Runtime, seed: u64, iterations: usize) -> Option<Summary> {
    let admin_url = postgres_url()?;
    let started = Instant::now();
    let schema = format!("banso_crash_{}", Uuid::now_v7().simple());
    let schema_sql = |verb: &str| {
        let sql = format!(
            "{verb} SCHEMA {schema}{}",
            if verb == "DROP" { " CASCADE" } else { "" }
        );
        rt.block_on(async {
            let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
        });
    };
    schema_sql("CREATE");
    let url = with_search_path(&admin_url, &schema);
    // The children's sessions are named after the schema, so that they can be waited for.
    let child_url = format!("{url}&application_name={schema}");
    println!("test {POSTGRES_TEST}: schema {schema}");

    let mut rng = StdRng::seed_from_u64(seed);
    let (acks, mut stats) = kill_repeatedly(&child_url, &mut rng, iterations);
    // The server only notices that a client died when the statement it runs for it ends: the
    // append the last child had in flight may still commit now. Verify once it has settled.
    stats.lingering = Some(rt.block_on(wait_for_sessions_to_end(&admin_url, &schema)));
    let summary = rt.block_on(verify(&url, Backend::Postgres, &acks, stats, started));
    // Only reached when the store passed: a failed run keeps its schema for inspection.
    schema_sql("DROP");
    Some(summary)
}

/// Wait until no session named `application_name` is left; returns how many there were right
/// after the last kill and how long they took to go.
async fn wait_for_sessions_to_end(admin_url: &str, application_name: &str) -> (i64, Duration) {
    let admin = sqlx::PgPool::connect(admin_url).await.unwrap();
    let started = Instant::now();
    let mut first = None;
    loop {
        let left: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1")
                .bind(application_name)
                .fetch_one(&admin)
                .await
                .unwrap();
        let first = *first.get_or_insert(left);
        if left == 0 {
            admin.close().await;
            return (first, started.elapsed());
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{left} server sessions of the killed child are still there after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Check the store at `url` against the acknowledged appends. Panics listing what is wrong.
async fn verify(
    url: &str,
    backend: Backend,
    acks: &[Ack],
    stats: KillStats,
    started: Instant,
) -> Summary {
    let mut config = StoreConfig::default();
    config.postgres.max_connections = 4;
    let store = EventStore::connect(url, &config)
        .await
        .unwrap_or_else(|e| panic!("the store does not open after the crashes: {e}"));

    const EVENTS: &str = "SELECT position, event_id, stream_type, stream_id, version, \
                          command_id, payload FROM banso_events ORDER BY position";
    const PG_EVENTS: &str = "SELECT position, event_id, stream_type, stream_id, version, \
                             command_id, payload::text FROM banso_events ORDER BY position";
    // Both tables from one snapshot.
    let (rows, commands): (Vec<RowTuple>, Vec<(Uuid, String)>) = match &store {
        EventStore::Sqlite(s) => {
            let mut tx = s.pool().begin().await.unwrap();
            let rows = sqlx::query_as(EVENTS).fetch_all(&mut *tx).await.unwrap();
            let commands = sqlx::query_as("SELECT command_id, result FROM banso_commands")
                .fetch_all(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            (rows, commands)
        }
        EventStore::Postgres(p) => {
            let mut tx = p.pool().begin().await.unwrap();
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await
                .unwrap();
            let rows = sqlx::query_as(PG_EVENTS).fetch_all(&mut *tx).await.unwrap();
            let commands = sqlx::query_as("SELECT command_id, result::text FROM banso_commands")
                .fetch_all(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            (rows, commands)
        }
    };
    let rows: Vec<Row> = rows.into_iter().map(Row::from).collect();
    let mut problems: Vec<String> = Vec::new();

    // Every stored event, by command, ordered by its place in the append (payload "i").
    let mut by_command: HashMap<Uuid, Vec<(i64, i64, &Row)>> = HashMap::new();
    for row in &rows {
        let payload: serde_json::Value = match serde_json::from_str(&row.payload) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!(
                    "position {}: payload does not parse: {e}",
                    row.position
                ));
                continue;
            }
        };
        let cmd = payload["cmd"]
            .as_str()
            .and_then(|c| Uuid::parse_str(c).ok());
        if cmd != Some(row.command_id) {
            problems.push(format!(
                "position {}: payload cmd {:?} but command_id {}",
                row.position, payload["cmd"], row.command_id
            ));
        }
        let of = payload["of"].as_i64().unwrap_or(-1);
        let i = payload["i"].as_i64().unwrap_or(-1);
        by_command
            .entry(row.command_id)
            .or_default()
            .push((i, of, row));
        if !(1..=of).contains(&i) {
            problems.push(format!("position {}: payload i {i} of {of}", row.position));
        }
    }
    for group in by_command.values_mut() {
        group.sort_by_key(|&(i, _, _)| i);
    }

    // 1. Every acknowledged append is stored whole, at the positions it was acknowledged with.
    let mut acked = HashSet::new();
    for ack in acks {
        if !acked.insert(ack.command_id) {
            problems.push(format!("command {} was acknowledged twice", ack.command_id));
        }
        let Some(group) = by_command.get(&ack.command_id) else {
            problems.push(format!(
                "acknowledged command {} ({} events at positions {:?}) is missing",
                ack.command_id, ack.n, ack.positions
            ));
            continue;
        };
        let stored: Vec<i64> = group.iter().map(|(_, _, r)| r.position).collect();
        if stored != ack.positions {
            problems.push(format!(
                "acknowledged command {} was acknowledged at positions {:?} but is stored at {:?} \
                 (in the order of the append)",
                ack.command_id, ack.positions, stored
            ));
        }
    }

    // 2. No partial append: each command's events are all there, and it has its command row.
    let commands: HashMap<Uuid, String> = commands.into_iter().collect();
    for (command_id, group) in &by_command {
        let is: Vec<i64> = group.iter().map(|&(i, _, _)| i).collect();
        let ofs: Vec<i64> = group.iter().map(|&(_, of, _)| of).collect();
        let whole = 1..=group.len() as i64;
        if is.iter().copied().ne(whole) || ofs.iter().any(|&of| of != group.len() as i64) {
            let positions: Vec<i64> = group.iter().map(|(_, _, r)| r.position).collect();
            problems.push(format!(
                "partial append: command {command_id} has events i = {is:?} of {ofs:?} at \
                 positions {positions:?}"
            ));
        }
        match commands.get(command_id) {
            None => problems.push(format!(
                "command {command_id} has events but no command row"
            )),
            Some(result) => {
                let result: serde_json::Value = serde_json::from_str(result).unwrap();
                let recorded: Vec<i64> = group.iter().map(|(_, _, r)| r.position).collect();
                let stored: Option<Vec<i64>> = result["p"]
                    .as_array()
                    .map(|p| p.iter().map(|v| v.as_i64().unwrap_or(-1)).collect());
                if stored.as_ref() != Some(&recorded) {
                    problems.push(format!(
                        "command {command_id}: its stored result {result} does not match the \
                         positions of its events {recorded:?}"
                    ));
                }
            }
        }
        // Within one append, a stream's events take consecutive versions in request order.
        let mut per_stream: BTreeMap<(&str, Uuid), Vec<i64>> = BTreeMap::new();
        for (_, _, r) in group {
            per_stream
                .entry((&r.stream_type, r.stream_id))
                .or_default()
                .push(r.version);
        }
        for ((stream_type, stream_id), versions) in per_stream {
            if versions.windows(2).any(|w| w[1] != w[0] + 1) {
                problems.push(format!(
                    "command {command_id}: {stream_type}/{stream_id} got versions {versions:?}"
                ));
            }
        }
    }
    for command_id in commands.keys() {
        if !by_command.contains_key(command_id) {
            problems.push(format!(
                "command {command_id} has a command row but no events"
            ));
        }
    }

    // 3. Per stream, versions are 1..=max without gaps or duplicates.
    let mut streams: BTreeMap<(&str, Uuid), Vec<i64>> = BTreeMap::new();
    for r in &rows {
        streams
            .entry((&r.stream_type, r.stream_id))
            .or_default()
            .push(r.version);
    }
    for ((stream_type, stream_id), versions) in &mut streams {
        versions.sort_unstable();
        if versions.iter().copied().ne(1..=versions.len() as i64) {
            problems.push(format!(
                "{stream_type}/{stream_id} has versions {versions:?}, not 1..={}",
                versions.len()
            ));
        }
    }

    // 4. Positions: gapless on SQLite, unique and increasing on PostgreSQL.
    let positions: Vec<i64> = rows.iter().map(|r| r.position).collect();
    if positions.windows(2).any(|w| w[0] >= w[1]) {
        problems.push("positions are not unique".into());
    }
    let max = positions.last().copied().unwrap_or(0);
    let position_gaps = max - positions.len() as i64;
    if backend == Backend::Sqlite && positions.iter().copied().ne(1..=positions.len() as i64) {
        problems.push(format!(
            "SQLite positions are not gapless: {} events up to position {max}",
            positions.len()
        ));
    }

    // 5. read_all returns every stored event exactly once, in increasing position order.
    let waiting = Instant::now();
    store
        .wait_for(Position(max as u64), Duration::from_secs(60))
        .await
        .unwrap_or_else(|e| panic!("position {max} never became readable: {e}"));
    let readable_after = waiting.elapsed();
    let mut read = Vec::with_capacity(rows.len());
    let mut after = Position::START;
    loop {
        let batch = store.read_all(after, 500).await.unwrap();
        let Some(last) = batch.last() else { break };
        if batch[0].position <= after || batch.windows(2).any(|w| w[0].position >= w[1].position) {
            problems.push(format!(
                "read_all after {after} returned positions out of order"
            ));
            break;
        }
        after = last.position;
        read.extend(batch);
    }
    let read_keys: Vec<(i64, Uuid, Uuid, i64, Uuid)> = read
        .iter()
        .map(|e| {
            (
                e.position.0 as i64,
                e.event_id,
                e.stream.id,
                e.version.0 as i64,
                e.metadata.command_id,
            )
        })
        .collect();
    let row_keys: Vec<(i64, Uuid, Uuid, i64, Uuid)> = rows
        .iter()
        .map(|r| (r.position, r.event_id, r.stream_id, r.version, r.command_id))
        .collect();
    if read_keys != row_keys {
        problems.push(format!(
            "read_all returned {} events that differ from the {} rows in banso_events",
            read_keys.len(),
            row_keys.len()
        ));
    }

    // 6. The test proved something.
    if acks.len() < MIN_ACKS {
        problems.push(format!(
            "only {} appends were acknowledged (at least {MIN_ACKS} needed to prove anything)",
            acks.len()
        ));
    }

    store.close().await;
    if !problems.is_empty() {
        let shown: Vec<&str> = problems.iter().take(30).map(String::as_str).collect();
        panic!(
            "{} on {}: {} problem(s) after {} kills and {} acknowledged appends:\n  {}",
            match backend {
                Backend::Sqlite => SQLITE_TEST,
                Backend::Postgres => POSTGRES_TEST,
            },
            url,
            problems.len(),
            stats.kills,
            acks.len(),
            shown.join("\n  ")
        );
    }
    Summary {
        stats,
        acks: acks.len(),
        commands: commands.len(),
        events: rows.len(),
        streams: streams.len(),
        position_gaps,
        readable_after,
        elapsed: started.elapsed(),
    }
}
