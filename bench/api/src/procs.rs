//! The processes the benchmark drives: `banso` commands (rebuild, token issue), the
//! `banso serve` under test and the trivial poem server, each a child process; and what
//! `/proc` says about them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// One projection's rebuild, as `banso projections rebuild` reports it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Rebuilt {
    pub projection: String,
    pub events: u64,
    pub seconds: f64,
}

/// `banso projections rebuild` (every read model, one after the other).
pub async fn rebuild(banso: &Path, url: &str) -> Result<Vec<Rebuilt>> {
    let output = Command::new(banso)
        .args(["projections", "rebuild", "--database-url", url])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::inherit())
        .output()
        .await
        .context("running banso projections rebuild")?;
    if !output.status.success() {
        bail!("banso projections rebuild failed ({})", output.status);
    }
    // "rebuilt cases as generation 2: 123 events in 1.23 s (100 events/s)"
    let text = String::from_utf8_lossy(&output.stdout);
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("rebuilt ") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let projection = words.next().unwrap_or_default().to_owned();
        let words: Vec<&str> = words.collect();
        let events = words
            .iter()
            .position(|w| *w == "events")
            .and_then(|i| words.get(i.wrapping_sub(1)))
            .and_then(|w| w.parse().ok());
        let seconds = words
            .iter()
            .position(|w| *w == "s")
            .and_then(|i| words.get(i.wrapping_sub(1)))
            .and_then(|w| w.parse().ok());
        match (events, seconds) {
            (Some(events), Some(seconds)) => out.push(Rebuilt {
                projection,
                events,
                seconds,
            }),
            _ => bail!("cannot read the rebuild's line {line:?}"),
        }
    }
    if out.is_empty() {
        bail!("banso projections rebuild reported nothing");
    }
    Ok(out)
}

/// `banso token issue` for a hub supporter: the printed token.
pub async fn issue_token(
    banso: &Path,
    url: &str,
    agency: uuid::Uuid,
    supporter: uuid::Uuid,
) -> Result<String> {
    let output = Command::new(banso)
        .args(["token", "issue", "--database-url", url])
        .args(["--agency", &agency.to_string()])
        .args(["--supporter", &supporter.to_string()])
        .args(["--role", "hub_supporter", "--label", "bench/run api"])
        .env("RUST_LOG", "warn")
        .output()
        .await
        .context("running banso token issue")?;
    if !output.status.success() {
        bail!(
            "banso token issue failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .map(str::trim)
        .rfind(|l| l.starts_with("banso_"))
        .map(str::to_owned)
        .context("banso token issue printed no token")
}

/// A server started as a child process.
pub struct Server {
    pub child: Child,
    pub pid: u32,
    pub addr: SocketAddr,
}

impl Server {
    /// Start `program args` (which must print `listening on http://ADDR` on stdout), with its
    /// stderr in `log`.
    pub async fn start(program: &Path, args: &[String], log: &Path) -> Result<Self> {
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let log_file = std::fs::File::create(log)?;
        let mut child = Command::new(program)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let pid = child.id().context("the child has no pid")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(Duration::from_secs(600), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(addr) = line.trim().strip_prefix("listening on http://") {
                    return Ok::<_, anyhow::Error>(Some(addr.parse::<SocketAddr>()?));
                }
            }
            Ok(None)
        })
        .await
        .context("the server did not start within 10 minutes")??;
        let Some(addr) = addr else {
            bail!(
                "{} exited before listening; see {}",
                program.display(),
                log.display()
            );
        };
        // Keep reading stdout so that the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { child, pid, addr })
    }

    /// SIGTERM, then wait (SIGKILL after 60 s).
    pub async fn stop(mut self) -> Result<()> {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        match tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await {
            Ok(status) => {
                status?;
            }
            Err(_) => {
                self.child.start_kill()?;
                self.child.wait().await?;
            }
        }
        Ok(())
    }
}

/// `VmHWM` and `VmRSS` of `pid`, in MB.
pub fn memory_mb(pid: u32) -> Result<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    };
    Ok((
        field("VmHWM:").context("no VmHWM")?,
        field("VmRSS:").context("no VmRSS")?,
    ))
}

/// CPU seconds (user + system) used so far by `pid` (`self` for this process).
pub fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line: indexes 11 and 12 after the ')'.
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

/// CPU seconds used so far: by the server under test, by this process, by every process named
/// `postgres`, and by the whole machine (all CPUs, from `/proc/stat`).
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuSample {
    pub server: f64,
    pub client: f64,
    pub postgres: f64,
    pub machine: f64,
}

impl CpuSample {
    pub fn take(pid: u32) -> Self {
        Self {
            server: cpu_seconds(&pid.to_string()),
            client: cpu_seconds("self"),
            postgres: comm_cpu_seconds("postgres"),
            machine: machine_busy_seconds(),
        }
    }

    pub fn since(self, earlier: CpuSample) -> CpuSample {
        CpuSample {
            server: self.server - earlier.server,
            client: self.client - earlier.client,
            postgres: self.postgres - earlier.postgres,
            machine: self.machine - earlier.machine,
        }
    }

    /// What else ran: the machine's busy time not accounted for by the three above.
    pub fn other(self) -> f64 {
        (self.machine - self.server - self.client - self.postgres).max(0.0)
    }
}

/// Busy CPU seconds of all CPUs since boot (`/proc/stat`: user, nice, system, irq, softirq,
/// steal).
fn machine_busy_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return 0.0;
    };
    let Some(line) = stat.lines().next() else {
        return 0.0;
    };
    let ticks: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    [0, 1, 2, 5, 6, 7]
        .iter()
        .filter_map(|&i| ticks.get(i))
        .sum::<f64>()
        / 100.0
}

/// CPU seconds of every live process whose command name is `name`.
fn comm_cpu_seconds(name: &str) -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == name)
        })
        .map(|pid| cpu_seconds(&pid))
        .sum()
}

/// The `banso` binary next to this one (both are built by `bench/run api`).
pub fn sibling(name: &str) -> Result<PathBuf> {
    let me = std::env::current_exe()?;
    let path = me.with_file_name(name);
    if !path.exists() {
        bail!(
            "{} not found; build it first (cargo build --release -p banso)",
            path.display()
        );
    }
    Ok(path)
}
