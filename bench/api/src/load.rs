//! The load generator: keep-alive HTTP/1.1 connections and two ways to drive them.
//!
//! - Open loop ([`open_loop`]), as wrk2 does it: `conns` connections each own an equal share
//!   of a fixed schedule (request `i` is due at `start + i / rate`, connection `i % conns`
//!   sends it). A connection sends a request when it is due or, if the previous answer came
//!   late, as soon as it can; its latency is counted from when it was due, so the time a
//!   request spent waiting behind a slow one is counted too (corrected for coordinated
//!   omission). Requests still unsent `grace` after the schedule ends are given up (counted as
//!   unsent), with the time they had waited as a lower bound of their latency.
//! - Closed loop ([`closed_loop`]): `conns` connections each send the next request as soon as
//!   the previous answer arrives; the answers in the measured window give the throughput.
//!
//! The client is a minimal HTTP/1.1 client (`Content-Length` or chunked bodies) so that its
//! own cost per request stays small next to the server's. A request succeeds when the answer
//! is 200 and its body has no GraphQL `"errors"` member.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Builds the bytes of one request (headers and body).
pub type MakeRequest = Arc<dyn Fn(&mut StdRng) -> Vec<u8> + Send + Sync>;

/// A keep-alive connection.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub async fn connect(addr: SocketAddr) -> Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(64 * 1024),
        })
    }

    /// Send one request and read its answer: the status and the body.
    pub async fn call(&mut self, request: &[u8]) -> Result<(u16, Vec<u8>)> {
        self.stream.write_all(request).await?;
        self.buf.clear();
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            self.fill().await?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).context("response head")?;
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("response status")?;
        let mut length = None;
        let mut chunked = false;
        for line in head.split("\r\n").skip(1) {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse::<usize>().context("content-length")?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") && value.contains("chunked") {
                chunked = true;
            }
        }
        if chunked {
            let body = self.read_chunked(head_end).await?;
            return Ok((status, body));
        }
        let length = length.unwrap_or(0);
        while self.buf.len() < head_end + length {
            self.fill().await?;
        }
        Ok((status, self.buf[head_end..head_end + length].to_vec()))
    }

    async fn fill(&mut self) -> Result<()> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed the connection");
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    async fn read_chunked(&mut self, mut at: usize) -> Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(i) = find(&self.buf[at..], b"\r\n") {
                    break at + i;
                }
                self.fill().await?;
            };
            let size_text = std::str::from_utf8(&self.buf[at..line_end])?;
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .context("chunk size")?;
            let data = line_end + 2;
            while self.buf.len() < data + size + 2 {
                self.fill().await?;
            }
            if size == 0 {
                return Ok(body);
            }
            body.extend_from_slice(&self.buf[data..data + size]);
            at = data + size + 2;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether an answer counts as a success.
fn succeeded(status: u16, body: &[u8]) -> bool {
    status == 200 && find(body, b"\"errors\"").is_none()
}

/// `POST path` with a JSON body and an optional bearer token.
pub fn post_json(path: &str, token: Option<&str>, body: &str) -> Vec<u8> {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// What one phase measured.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Answers received during the whole phase (warm-up of a closed loop included).
    pub answered: u64,
    pub sent: u64,
    pub ok: u64,
    /// Answers that were not a success, and connection errors.
    pub failed: u64,
    /// Requests of an open loop given up unsent (the server was too far behind).
    pub unsent: u64,
    /// Seconds from the start of the schedule (or window) to the last answer counted.
    pub seconds: f64,
    /// Latencies in microseconds, sorted.
    pub latencies: Vec<u64>,
    /// How late requests were sent after they were due, in microseconds, sorted (open loop).
    pub lags: Vec<u64>,
    pub first_error: Option<String>,
}

impl Outcome {
    /// Count an answer as a success or a failure (keeping the first failure's description).
    fn count_answer(&mut self, status: u16, body: &[u8]) {
        if succeeded(status, body) {
            self.ok += 1;
        } else {
            self.failed += 1;
            self.first_error
                .get_or_insert_with(|| describe(status, body));
        }
    }

    pub fn rps(&self) -> f64 {
        if self.seconds > 0.0 {
            self.ok as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// The `q` quantile of the latencies, in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        quantile(&self.latencies, q) as f64 / 1000.0
    }

    pub fn lag_ms(&self, q: f64) -> f64 {
        quantile(&self.lags, q) as f64 / 1000.0
    }

    fn merge(&mut self, other: Outcome) {
        self.answered += other.answered;
        self.sent += other.sent;
        self.ok += other.ok;
        self.failed += other.failed;
        self.unsent += other.unsent;
        self.latencies.extend(other.latencies);
        self.lags.extend(other.lags);
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn finish(&mut self, seconds: f64) {
        self.seconds = seconds;
        self.latencies.sort_unstable();
        self.lags.sort_unstable();
    }
}

pub fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn describe(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
    format!("HTTP {status}: {text}")
}

/// Drive `addr` at a fixed arrival rate for `duration` (see the module documentation).
pub async fn open_loop(
    addr: SocketAddr,
    conns: usize,
    rate: f64,
    duration: Duration,
    grace: Duration,
    seed: u64,
    make: MakeRequest,
) -> Result<Outcome> {
    let conns = conns.max(1);
    let total = (rate * duration.as_secs_f64()).round() as u64;
    let mut connections = Vec::with_capacity(conns);
    for _ in 0..conns {
        connections.push(Conn::connect(addr).await?);
    }
    let start = Instant::now() + Duration::from_millis(50);
    let give_up = start + duration + grace;
    let mut tasks = Vec::with_capacity(conns);
    for (c, mut conn) in connections.into_iter().enumerate() {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng =
                StdRng::seed_from_u64(seed ^ (c as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
            let mut out = Outcome::default();
            let mut last = start;
            let mut i = c as u64;
            while i < total {
                let due = start + Duration::from_secs_f64(i as f64 / rate);
                i += conns as u64;
                let now = Instant::now();
                if now > give_up {
                    // Never sent: given up, having waited at least this long.
                    out.unsent += 1;
                    out.latencies.push((now - due).as_micros() as u64);
                    continue;
                }
                if now < due {
                    tokio::time::sleep_until(due).await;
                }
                let request = make(&mut rng);
                let sent = Instant::now();
                out.lags.push((sent - due).as_micros() as u64);
                out.sent += 1;
                match conn.call(&request).await {
                    Ok((status, body)) => {
                        out.answered += 1;
                        let done = Instant::now();
                        out.latencies.push((done - due).as_micros() as u64);
                        last = last.max(done);
                        out.count_answer(status, &body);
                    }
                    Err(e) => {
                        out.failed += 1;
                        out.first_error.get_or_insert_with(|| e.to_string());
                        out.latencies
                            .push((Instant::now() - due).as_micros() as u64);
                        // Reconnect and go on.
                        match Conn::connect(addr).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            (out, last)
        }));
    }
    let mut outcome = Outcome::default();
    let mut last = start;
    for t in tasks {
        let (o, l) = t.await?;
        outcome.merge(o);
        last = last.max(l);
    }
    let seconds = (last - start).as_secs_f64().max(duration.as_secs_f64());
    outcome.finish(seconds);
    Ok(outcome)
}

/// Drive `addr` as fast as `conns` connections allow; count the answers that arrive in the
/// window of `duration` after `warmup` (their latency is from send to answer: in a closed loop
/// nothing waits to be sent).
pub async fn closed_loop(
    addr: SocketAddr,
    conns: usize,
    warmup: Duration,
    duration: Duration,
    seed: u64,
    make: MakeRequest,
) -> Result<Outcome> {
    let conns = conns.max(1);
    let mut connections = Vec::with_capacity(conns);
    for _ in 0..conns {
        connections.push(Conn::connect(addr).await?);
    }
    let start = Instant::now();
    let from = start + warmup;
    let until = from + duration;
    let mut tasks = Vec::with_capacity(conns);
    for (c, mut conn) in connections.into_iter().enumerate() {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng =
                StdRng::seed_from_u64(seed ^ (c as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let mut out = Outcome::default();
            loop {
                let request = make(&mut rng);
                let sent = Instant::now();
                if sent >= until {
                    break;
                }
                let result = conn.call(&request).await;
                let done = Instant::now();
                // Answers that arrive in the window count, whenever they were sent.
                let counted = done >= from && done <= until;
                match result {
                    Ok((status, body)) => {
                        out.answered += 1;
                        if counted {
                            out.sent += 1;
                            out.latencies.push((done - sent).as_micros() as u64);
                            out.count_answer(status, &body);
                        }
                    }
                    Err(e) => {
                        out.failed += 1;
                        out.first_error.get_or_insert_with(|| e.to_string());
                        match Conn::connect(addr).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            out
        }));
    }
    let mut outcome = Outcome::default();
    for t in tasks {
        outcome.merge(t.await?);
    }
    outcome.finish(duration.as_secs_f64());
    Ok(outcome)
}
