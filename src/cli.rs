//! The command line: subcommands and flags, each flag also readable from a `BANSO_*` variable.

use std::net::SocketAddr;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand};

use crate::config::{DEFAULT_BIND, DEFAULT_DATABASE_URL, DatabaseSettings, ServerSettings};

/// Banso (伴走): an event-sourced case tracker for accompanying support to small businesses.
#[derive(Debug, Parser)]
#[command(name = "banso", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or upgrade the event store's tables, then exit.
    Migrate(DatabaseArgs),
    /// Look at the event store.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Serve the GraphQL API over HTTP until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Print the backend and the head position of the event store.
    Info(DatabaseArgs),
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Where the events live: sqlite://PATH (created if missing) or postgres://USER@HOST:PORT/DB.
    #[arg(
        long,
        env = "BANSO_DATABASE_URL",
        default_value = DEFAULT_DATABASE_URL,
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The address to listen on; port 0 picks a free port (printed on start).
    #[arg(long, env = "BANSO_BIND", default_value = DEFAULT_BIND, value_name = "ADDR")]
    pub bind: SocketAddr,

    /// Serve GraphiQL, the in-browser GraphQL IDE, on GET /graphql.
    #[arg(
        long,
        env = "BANSO_GRAPHIQL",
        value_parser = BoolishValueParser::new(),
        action = ArgAction::Set,
        num_args = 0..=1,
        require_equals = true,
        default_value_t = true,
        default_missing_value = "true",
        overrides_with = "no_graphiql"
    )]
    graphiql: bool,

    /// Do not serve GraphiQL (the API at POST /graphql stays).
    #[arg(long, overrides_with = "graphiql")]
    no_graphiql: bool,
}

impl From<DatabaseArgs> for DatabaseSettings {
    fn from(args: DatabaseArgs) -> Self {
        DatabaseSettings::new(args.database_url)
    }
}

impl ServeArgs {
    /// The database and server settings these flags describe.
    pub fn into_settings(self) -> (DatabaseSettings, ServerSettings) {
        let server = ServerSettings {
            bind: self.bind,
            // The last of --graphiql / --no-graphiql wins; either beats BANSO_GRAPHIQL.
            graphiql: self.graphiql && !self.no_graphiql,
        };
        (self.database.into(), server)
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn serve(args: &[&str]) -> ServerSettings {
        let argv = ["banso", "serve"].iter().chain(args);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Serve(args) => args.into_settings().1,
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn graphiql_is_on_unless_turned_off_and_the_last_flag_wins() {
        assert!(serve(&[]).graphiql);
        assert!(serve(&["--graphiql"]).graphiql);
        assert!(!serve(&["--no-graphiql"]).graphiql);
        assert!(!serve(&["--graphiql=false"]).graphiql);
        assert!(!serve(&["--graphiql", "--no-graphiql"]).graphiql);
        assert!(serve(&["--no-graphiql", "--graphiql"]).graphiql);
    }

    #[test]
    fn bind_accepts_port_zero_and_rejects_host_names() {
        assert_eq!(serve(&["--bind", "127.0.0.1:0"]).bind.port(), 0);
        assert!(Cli::try_parse_from(["banso", "serve", "--bind", "example.org:80"]).is_err());
    }
}
