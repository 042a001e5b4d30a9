//! The `banso` binary's library: commands, settings and the HTTP server, on top of the
//! `banso-events` and `banso-graphql` crates.
//!
//! [`run`] executes a parsed [`cli::Cli`]: `migrate`, `store info` or `serve`. `main.rs` does
//! nothing else. This is the only crate that reads configuration or the environment
//! ([`config`]), and the only one that uses `anyhow`.

pub mod cli;
pub mod clock;
pub mod config;
pub mod server;
pub mod telemetry;

use std::process::ExitCode;

use anyhow::Context;
use banso_events::EventStore;

use crate::cli::{Cli, Command, StoreCommand};
use crate::config::{DatabaseSettings, ServerSettings};
use crate::server::Application;

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

async fn serve(database: &DatabaseSettings, settings: ServerSettings) -> anyhow::Result<()> {
    let store = open_store(database).await?;
    let bind = settings.bind;
    let app = match Application::bind(settings, store.clone()).await {
        Ok(app) => app,
        Err(error) => {
            store.close().await;
            return Err(error).with_context(|| format!("could not listen on {bind}"));
        }
    };
    let shutdown = match shutdown_signal() {
        Ok(shutdown) => shutdown,
        Err(error) => {
            store.close().await;
            return Err(error);
        }
    };
    // The one line on stdout: scripts and tests read the port from it.
    println!("listening on http://{}", app.local_addr());
    tracing::info!(addr = %app.local_addr(), database = %database.redacted_url(), "serving");

    let served = app.run_until(shutdown).await;
    tracing::info!("server stopped; closing the event store");
    store.close().await;
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
