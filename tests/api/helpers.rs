//! Test support: a fresh database per test on either backend, the real `banso` binary as a
//! child process, and a minimal HTTP/1.1 client over a plain TCP stream.
//!
//! PostgreSQL tests get a new schema in the database named by `BANSO_TEST_POSTGRES_URL`; without
//! that variable they are skipped locally, and fail under `CI=true`, where skipping is not
//! allowed. Set `TEST_LOG=1` to see the server's logs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use banso_events::Backend;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStdout, Command};
use tokio::task::JoinHandle;
use uuid::Uuid;

pub const POSTGRES_URL_VAR: &str = "BANSO_TEST_POSTGRES_URL";

/// How long the server may take to start, answer or stop.
const PATIENCE: Duration = Duration::from_secs(30);

/// Run `$name(backend)` once per backend, as `$name::sqlite` and `$name::postgres`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(banso_events::Backend::Sqlite).await
            }

            #[tokio::test]
            async fn postgres() {
                super::$name(banso_events::Backend::Postgres).await
            }
        }
    )*};
}
pub(crate) use both_backends;

/// The PostgreSQL URL of the test database, or `None` to skip (never under CI).
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{POSTGRES_URL_VAR} is not set: under CI the PostgreSQL tests must run")
        }
        _ => {
            eprintln!("{POSTGRES_URL_VAR} is not set: skipping this PostgreSQL test");
            None
        }
    }
}

/// `url` with its connections' `search_path` set to `schema`.
pub fn with_search_path(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

/// A database of its own for one test: a SQLite file in a new directory, or a new PostgreSQL
/// schema. [`TestDatabase::remove`] deletes it; a failed test leaves its schema behind (the
/// name is unique), its directory is removed on drop.
pub struct TestDatabase {
    pub url: String,
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    Dir(PathBuf),
    Schema { admin_url: String, schema: String },
}

impl TestDatabase {
    /// `None` when the PostgreSQL tests are skipped.
    pub async fn new(backend: Backend) -> Option<Self> {
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("banso-e2e-{}", Uuid::now_v7()));
                std::fs::create_dir_all(&dir).unwrap();
                let url = format!("sqlite://{}", dir.join("banso.db").display());
                (url, Cleanup::Dir(dir))
            }
            Backend::Postgres => {
                let admin_url = postgres_url()?;
                let schema = format!("banso_e2e_{}", Uuid::now_v7().simple());
                let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
                let url = with_search_path(&admin_url, &schema);
                (url, Cleanup::Schema { admin_url, schema })
            }
        };
        Some(Self {
            url,
            cleanup: Some(cleanup),
        })
    }

    pub async fn remove(mut self) {
        match self.cleanup.take() {
            Some(Cleanup::Dir(dir)) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Some(Cleanup::Schema { admin_url, schema }) => {
                let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
            }
            None => {}
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(Cleanup::Dir(dir)) = &self.cleanup {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The `banso` binary, deaf to any `BANSO_*` settings of the environment running the tests.
pub fn banso() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_banso"));
    for var in [
        "BANSO_DATABASE_URL",
        "BANSO_BIND",
        "BANSO_GRAPHIQL",
        "BANSO_STATS_MIN_COMPANIES",
        "BANSO_PRACTICE_WEIGHTS",
        "BANSO_INTROSPECTION",
        "BANSO_MAX_BODY_BYTES",
        "BANSO_MAX_BATCH",
        "BANSO_MAX_DEPTH",
        "BANSO_MAX_COMPLEXITY",
    ] {
        command.env_remove(var);
    }
    command.kill_on_drop(true);
    command
}

/// What a finished command printed.
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Run `banso` with `args` to completion.
pub async fn run_banso(args: &[&str]) -> Output {
    let output = tokio::time::timeout(PATIENCE, banso().args(args).output())
        .await
        .expect("banso did not finish in time")
        .expect("could not run banso");
    Output {
        status: output.status,
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// A running `banso serve` on its own database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub database: TestDatabase,
    server: ServerProcess,
}

/// `banso serve` on a fresh database of `backend`; `None` when that backend is skipped.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[], &[]).await
}

/// Like [`spawn_app`], with extra flags and environment variables for the server.
pub async fn spawn_app_with(
    backend: Backend,
    args: &[&str],
    env: &[(&str, &str)],
) -> Option<TestApp> {
    let database = TestDatabase::new(backend).await?;
    Some(spawn_app_on(database, args, env).await)
}

/// `banso serve` on `database` (which may hold data already), with extra flags and environment
/// variables.
pub async fn spawn_app_on(database: TestDatabase, args: &[&str], env: &[(&str, &str)]) -> TestApp {
    let mut command = banso();
    command
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            &database.url,
        ])
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut server = ServerProcess::spawn(command);
    let addr = server.wait_until_listening().await;
    TestApp {
        addr,
        database,
        server,
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> HttpResponse {
        http(self.addr, "GET", path, None).await
    }

    /// POST a GraphQL query and return the JSON response (`data` and `errors`).
    pub async fn graphql(&self, query: &str) -> serde_json::Value {
        let body = serde_json::json!({ "query": query }).to_string();
        let response = http(
            self.addr,
            "POST",
            "/graphql",
            Some(("application/json", &body)),
        )
        .await;
        assert_eq!(response.status, 200, "POST /graphql: {}", response.body);
        serde_json::from_str(&response.body).unwrap()
    }

    /// Stop the server as an operator would (SIGTERM), check it exits cleanly, and remove its
    /// database.
    pub async fn finish(self) {
        self.stop().await.remove().await;
    }

    /// Stop the server as [`TestApp::finish`] does, keeping its database for another server.
    pub async fn stop(mut self) -> TestDatabase {
        let status = self.server.terminate().await;
        assert!(
            status.success(),
            "banso serve exited with {status} after SIGTERM; its log:\n{}",
            self.server.log()
        );
        let more = self.server.stdout.next_line().await.unwrap();
        assert_eq!(
            more, None,
            "banso serve printed more than one line on stdout"
        );
        self.database
    }
}

/// The server child process, killed when dropped (also when a test panics).
struct ServerProcess {
    child: Child,
    stdout: Lines<BufReader<ChildStdout>>,
    log: Arc<Mutex<String>>,
    log_task: JoinHandle<()>,
}

impl ServerProcess {
    fn spawn(mut command: Command) -> Self {
        let mut child = command.spawn().expect("could not start banso serve");
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let echo = std::env::var_os("TEST_LOG").is_some();
        let log_task = tokio::spawn({
            let log = Arc::clone(&log);
            async move {
                let mut lines = BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if echo {
                        eprintln!("[banso] {line}");
                    }
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            }
        });
        Self {
            child,
            stdout,
            log,
            log_task,
        }
    }

    /// Read the `listening on http://ADDR` line the server prints once it accepts connections.
    async fn wait_until_listening(&mut self) -> SocketAddr {
        let line = tokio::time::timeout(PATIENCE, self.stdout.next_line())
            .await
            .expect("banso serve did not say where it listens in time");
        match line {
            Ok(Some(line)) => line
                .strip_prefix("listening on http://")
                .and_then(|addr| addr.parse().ok())
                .unwrap_or_else(|| panic!("unexpected first line on stdout: {line:?}")),
            _ => {
                let status = tokio::time::timeout(PATIENCE, self.child.wait()).await;
                let _ = tokio::time::timeout(PATIENCE, &mut self.log_task).await;
                panic!(
                    "banso serve stopped before listening ({status:?}); its log:\n{}",
                    self.log()
                )
            }
        }
    }

    /// Send SIGTERM and wait for the process to exit.
    async fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().expect("the server has already been reaped");
        let sent = std::process::Command::new("kill")
            .args(["-s", "TERM", &pid.to_string()])
            .status()
            .expect("could not run kill");
        assert!(sent.success(), "kill -s TERM {pid} failed");
        let status = tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .expect("banso serve did not stop in time after SIGTERM")
            .unwrap();
        let _ = tokio::time::timeout(PATIENCE, &mut self.log_task).await;
        status
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Does nothing if the process has already exited and been waited for.
        let _ = self.child.start_kill();
    }
}

/// The value of the Prometheus sample `name` (with its labels, as in
/// `banso_graphql_errors_total{code="CONFLICT"}`) in the text `/metrics` returned.
pub fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no sample {name} in:\n{text}"))
}

/// A response as read off the wire.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a new connection, closed by the server after the response.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
) -> HttpResponse {
    http_with_headers(addr, method, path, &[], body).await
}

/// Like [`http`], with extra request headers (`Authorization` ...).
pub async fn http_with_headers(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, &str)>,
) -> HttpResponse {
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some((content_type, body)) = body {
        request.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    if let Some((_, body)) = body {
        request.push_str(body);
    }

    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        // A server may answer (413 ...) and close before it has read the whole body: the rest
        // of the body then meets a closed socket, and the response is still there to read.
        if let Err(e) = stream.write_all(request.as_bytes()).await
            && !is_reset(&e)
        {
            return Err(e);
        }
        let mut raw = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => raw.extend_from_slice(&buf[..n]),
                Err(e) if is_reset(&e) && !raw.is_empty() => break,
                Err(e) => return Err(e),
            }
        }
        std::io::Result::Ok(raw)
    };
    let raw = tokio::time::timeout(PATIENCE, exchange)
        .await
        .unwrap_or_else(|_| panic!("{method} {path}: no response in time"))
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    parse_response(&raw)
}

/// The peer closed the connection while data was still in flight.
fn is_reset(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
    )
}

fn parse_response(raw: &[u8]) -> HttpResponse {
    let end = find(raw, b"\r\n\r\n").expect("a response without a blank line after its head");
    let head = std::str::from_utf8(&raw[..end]).expect("a response head in UTF-8");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut response = HttpResponse {
        status,
        headers,
        body: String::new(),
    };
    let body = &raw[end + 4..];
    let body = if response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        dechunk(body)
    } else {
        body.to_vec()
    };
    response.body = String::from_utf8(body).expect("a response body in UTF-8");
    response
}

/// The payload of a `Transfer-Encoding: chunked` body.
fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = find(data, b"\r\n").expect("a chunk size line");
        let size_line = std::str::from_utf8(&data[..line_end]).unwrap();
        let size_hex = size_line.split(';').next().unwrap().trim();
        let size = usize::from_str_radix(size_hex, 16).expect("a hexadecimal chunk size");
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn chunked_bodies_are_reassembled() {
    let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n3;x=y\r\n!!!\r\n0\r\n\r\n";
    let response = parse_response(raw);
    assert_eq!(response.status, 200);
    assert_eq!(response.body, "ok!!!");
}
