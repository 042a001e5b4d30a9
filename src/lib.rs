//! The `banso` binary's library: commands, settings and the HTTP server, on top of the
//! `banso-events`, `banso-projections` and `banso-graphql` crates.
//!
//! [`run`] executes a parsed [`cli::Cli`]: `migrate`, `store info`, `serve`, `demo`, `token`
//! or `projections`. `main.rs` does nothing else. This is the only crate that reads
//! configuration or the environment ([`config`]), and the only one that uses `anyhow`.

pub mod allocator;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod metrics;
pub mod server;
pub mod telemetry;
pub mod tokens;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use banso_events::EventStore;
use banso_events::domain::ids::{AgencyId, SupporterId};
use banso_events::domain::service::Lifecycle;
use banso_graphql::Principal;
use banso_projections::{Projection, ReadModels, Usage};

use crate::cli::{Cli, Command, IssueArgs, ProjectionsCommand, StoreCommand, TokenCommand};
use crate::config::{DatabaseSettings, ServerSettings};
use crate::server::{AppState, Application};
use crate::tokens::Tokens;

/// Run the command, print its error on one line if it fails, and say how it went.
pub fn run(cli: Cli) -> ExitCode {
    telemetry::init();
    let result = tokio::runtime::Runtime::new()
        .context("could not start the async runtime")
        .and_then(|runtime| runtime.block_on(execute(cli.command)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", one_line(&error));
            ExitCode::FAILURE
        }
    }
}

/// `error` and its causes on one line, each cause once.
///
/// The store's errors repeat their source in their own message (`database error: {0}`) and
/// also return it as `source()`, so the plain `{:#}` chain says everything twice.
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Execute one command.
pub async fn execute(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Migrate(args) => migrate(&args.into()).await,
        Command::Store {
            command: StoreCommand::Info(args),
        } => store_info(&args.into()).await,
        Command::Serve(args) => {
            let (database, server) = args.into_settings();
            serve(&database, server).await
        }
        Command::Demo(args) => {
            let database: DatabaseSettings = args.into();
            let (store, read) = open_all(&database).await?;
            let result = load_demo(&store, &read).await;
            read.db().close().await;
            store.close().await;
            result
        }
        Command::Token { command } => token(command).await,
        Command::Projections { command } => projections(command).await,
    }
}

/// Open the store and the read models, and bring the read models up to date.
async fn open_all(database: &DatabaseSettings) -> anyhow::Result<(EventStore, ReadModels)> {
    let store = open_store(database).await?;
    let read = match ReadModels::open(&database.read_url()).await {
        Ok(read) => read,
        Err(error) => {
            store.close().await;
            return Err(error).with_context(|| {
                format!(
                    "could not open the read models at {}",
                    banso_events::redact(&database.read_url())
                )
            });
        }
    };
    if let Err(error) = read.catch_up(&store).await {
        store.close().await;
        return Err(error).context("could not bring the read models up to date");
    }
    Ok((store, read))
}

/// Load the demo data set, then print a token for each of its logins.
async fn load_demo(store: &EventStore, read: &ReadModels) -> anyhow::Result<()> {
    let lifecycle = Lifecycle::new(store.clone());
    let set = demo::load(&lifecycle, clock::today_in_japan())
        .await
        .context("could not load the demo data set")?;
    read.catch_up(store)
        .await
        .context("could not bring the read models up to date")?;
    let tokens = Tokens::new(read.pool().clone());
    println!(
        "demo data loaded: {} agencies, {} supporters, {} companies, {} cases ({} events)",
        set.agencies, set.supporters, set.companies, set.cases, set.events
    );
    println!("tokens to try it with (Authorization: Bearer <token>):");
    for login in &set.logins {
        let principal = Principal::Supporter {
            supporter_id: login.supporter_id,
            agency_id: login.agency_id,
            role: login.role,
        };
        let label = format!("demo: {} {}", login.agency_name, login.person_name);
        let (_, token) = tokens
            .issue(principal, &label)
            .await
            .context("could not store a demo token")?;
        // The token first: Japanese names are wide, and padding counts characters, not columns.
        println!(
            "  {token}  {} {}（{}）",
            login.agency_name,
            login.person_name,
            login.role.label()
        );
    }
    Ok(())
}

async fn token(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Issue(args) => issue_token(args).await,
        TokenCommand::List(args) => {
            let database: DatabaseSettings = args.into();
            let (store, read) = open_all(&database).await?;
            let listed = Tokens::new(read.pool().clone()).list().await;
            store.close().await;
            for token in listed.context("could not list the tokens")? {
                let who = match token.principal {
                    Principal::Operator => "operator".to_owned(),
                    Principal::Supporter {
                        supporter_id,
                        agency_id,
                        role,
                    } => format!(
                        "{} supporter {} of agency {}",
                        role.id(),
                        supporter_id.0,
                        agency_id.0
                    ),
                };
                let state = match &token.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => "active".to_owned(),
                };
                println!(
                    "{}  {}  {}  {}  {}",
                    token.token_id, token.created_at, state, who, token.label
                );
            }
            Ok(())
        }
        TokenCommand::Revoke { database, token_id } => {
            let database: DatabaseSettings = database.into();
            let (store, read) = open_all(&database).await?;
            let revoked = Tokens::new(read.pool().clone()).revoke(token_id).await;
            store.close().await;
            if !revoked.context("could not revoke the token")? {
                bail!("no active token with id {token_id}; see `banso token list`");
            }
            println!("revoked token {token_id}");
            Ok(())
        }
    }
}

async fn issue_token(args: IssueArgs) -> anyhow::Result<()> {
    let database: DatabaseSettings = args.database.into();
    let (store, read) = open_all(&database).await?;
    let result = async {
        let principal = if args.operator {
            Principal::Operator
        } else {
            let (Some(agency), Some(supporter), Some(role)) =
                (args.agency, args.supporter, args.role.as_deref())
            else {
                bail!("give --agency, --supporter and --role, or --operator");
            };
            let role = tokens::parse_role(role).map_err(anyhow::Error::msg)?;
            let known = read
                .supporter(SupporterId(supporter))
                .await
                .context("could not read the supporter")?;
            let Some(known) = known else {
                bail!("no supporter {supporter} is registered; register them first (registerSupporter)");
            };
            if known.agency_id != AgencyId(agency) {
                bail!(
                    "supporter {supporter} belongs to agency {}, not {agency}",
                    known.agency_id.0
                );
            }
            if known.role != role {
                bail!(
                    "supporter {supporter} has the role {} ({}), not {}",
                    known.role.id(),
                    known.role.label(),
                    role.id()
                );
            }
            if known.departed {
                bail!("supporter {supporter} has left their agency; no token can be issued");
            }
            Principal::Supporter {
                supporter_id: SupporterId(supporter),
                agency_id: AgencyId(agency),
                role,
            }
        };
        let (id, token) = Tokens::new(read.pool().clone())
            .issue(principal, &args.label)
            .await
            .context("could not store the token")?;
        eprintln!("token {id} issued; copy it now, it is not shown again:");
        println!("{token}");
        Ok(())
    }
    .await;
    store.close().await;
    result
}

async fn projections(command: ProjectionsCommand) -> anyhow::Result<()> {
    match command {
        ProjectionsCommand::Status(args) => {
            let database: DatabaseSettings = args.into();
            let store = open_store(&database).await?;
            let read = ReadModels::open(&database.read_url())
                .await
                .context("could not open the read models")?;
            let head = store.head().await.context("could not read the head")?;
            store.close().await;
            for s in read.status().await.context("could not read the status")? {
                println!(
                    "{:<12} generation {:<3} position {:<10} lag {}",
                    s.projection.name(),
                    s.generation,
                    s.position.0,
                    head.0.saturating_sub(s.position.0)
                );
            }
            Ok(())
        }
        ProjectionsCommand::Rebuild { database, name } => {
            let database: DatabaseSettings = database.into();
            let chosen = match name.as_deref() {
                Some(name) => vec![Projection::parse(name)?],
                None => Projection::ALL.to_vec(),
            };
            allocator::tune_for_bulk_work();
            let store = open_store(&database).await?;
            let read = ReadModels::open_for(&database.read_url(), Usage::Rebuild)
                .await
                .context("could not open the read models")?;
            let started = std::time::Instant::now();
            let (generations, events) = read
                .rebuild(&store, &chosen)
                .await
                .context("could not rebuild the read models")?;
            let seconds = started.elapsed().as_secs_f64();
            let names: Vec<&str> = generations.iter().map(|(p, _)| p.name()).collect();
            let numbers: Vec<String> = generations.iter().map(|(_, g)| g.to_string()).collect();
            println!(
                "rebuilt {} as generation {}: {events} events in {seconds:.2} s ({:.0} events/s)",
                names.join("+"),
                numbers.join("/"),
                events as f64 / seconds.max(1e-9)
            );
            store.close().await;
            Ok(())
        }
    }
}

/// Open the store, which applies the embedded migrations.
async fn open_store(database: &DatabaseSettings) -> anyhow::Result<EventStore> {
    EventStore::connect(database.url(), database.store_config())
        .await
        .with_context(|| {
            format!(
                "could not open the event store at {}",
                database.redacted_url()
            )
        })
}

async fn migrate(database: &DatabaseSettings) -> anyhow::Result<()> {
    let store = open_store(database).await?;
    store.close().await;
    println!(
        "migrated {} database {}",
        store.backend().name(),
        database.redacted_url()
    );
    Ok(())
}

async fn store_info(database: &DatabaseSettings) -> anyhow::Result<()> {
    let store = open_store(database).await?;
    let head = store.head().await;
    store.close().await;
    let head = head.context("could not read the head of the event store")?;
    println!("backend:  {}", store.backend().name());
    println!("database: {}", database.redacted_url());
    println!("head:     {head}");
    Ok(())
}

/// Everything a server needs, wired: the schema on the store and the read models.
pub fn app_state(store: EventStore, read: ReadModels, settings: &ServerSettings) -> Arc<AppState> {
    let services = banso_graphql::Services {
        lifecycle: Lifecycle::new(store.clone()),
        read: read.clone(),
        today: Arc::new(clock::today_in_japan),
        weights: settings.weights.clone(),
        stats_min_companies: settings.stats_min_companies,
    };
    Arc::new(AppState {
        schema: banso_graphql::schema(services, settings.limits),
        tokens: Tokens::new(read.pool().clone()),
        store,
        read,
        metrics: metrics::Metrics::default(),
        max_batch: settings.max_batch,
    })
}

async fn serve(database: &DatabaseSettings, settings: ServerSettings) -> anyhow::Result<()> {
    let (store, read) = open_all(database).await?;
    if settings.demo
        && let Err(error) = load_demo(&store, &read).await
    {
        store.close().await;
        return Err(error);
    }
    let runner = read.spawn_runner(store.clone(), database.store_config().clone());
    let bind = settings.bind;
    let state = app_state(store.clone(), read.clone(), &settings);
    let app = match Application::bind(settings, state).await {
        Ok(app) => app,
        Err(error) => {
            runner.abort();
            store.close().await;
            return Err(error).with_context(|| format!("could not listen on {bind}"));
        }
    };
    let shutdown = match shutdown_signal() {
        Ok(shutdown) => shutdown,
        Err(error) => {
            runner.abort();
            store.close().await;
            return Err(error);
        }
    };
    // The one line on stdout: scripts and tests read the port from it.
    println!("listening on http://{}", app.local_addr());
    tracing::info!(addr = %app.local_addr(), database = %database.redacted_url(), "serving");

    let served = app.run_until(shutdown).await;
    tracing::info!("server stopped; closing the event store");
    runner.abort();
    store.close().await;
    read.db().close().await;
    served.context("the HTTP server failed")
}

/// A future that completes on Ctrl-C or SIGTERM. The handlers are registered here, before the
/// server announces itself: a signal that arrives early must stop it gracefully, not kill it.
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("Ctrl-C received: shutting down"),
            _ = terminate.recv() => tracing::info!("SIGTERM received: shutting down"),
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("Ctrl-C received: shutting down");
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Like the store's errors: the source both in the message and as `source()`.
    #[derive(Debug)]
    struct Repeats(std::io::Error);

    impl std::fmt::Display for Repeats {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "database error: {}", self.0)
        }
    }

    impl std::error::Error for Repeats {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn an_error_prints_on_one_line_with_each_cause_once() {
        let cause = std::io::Error::other("no such file\nor directory");
        let error = anyhow::Error::new(Repeats(cause)).context("could not open the event store");

        assert_eq!(
            one_line(&error),
            "could not open the event store: database error: no such file or directory"
        );
    }
}
