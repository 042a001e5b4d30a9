//! The command line: subcommands and flags, each flag also readable from a `BANSO_*` variable.

use std::net::SocketAddr;
use std::sync::Arc;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand};

use banso_projections::practice::Weights;
use banso_projections::statistics::MinCompanies;

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
    /// Load the demo data set (four shinkin banks' step-zero project and more) and print
    /// tokens to try it with.
    Demo(DatabaseArgs),
    /// Issue, list and revoke API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Look at or rebuild the read models.
    Projections {
        #[command(subcommand)]
        command: ProjectionsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new bearer token (only its hash is stored: copy it now).
    Issue(IssueArgs),
    /// List the tokens (never the secrets).
    List(DatabaseArgs),
    /// Revoke a token by its id (from `banso token list`); it stops working at once.
    Revoke {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The token's id.
        token_id: uuid::Uuid,
    },
}

#[derive(Debug, Args)]
pub struct IssueArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// A token for the operator (registers agencies; sees no case) instead of a supporter.
    #[arg(long, conflicts_with_all = ["agency", "supporter", "role"])]
    pub operator: bool,
    /// The supporter's agency.
    #[arg(long, required_unless_present = "operator")]
    pub agency: Option<uuid::Uuid>,
    /// The supporter the token acts for.
    #[arg(long, required_unless_present = "operator")]
    pub supporter: Option<uuid::Uuid>,
    /// The supporter's role: hub_supporter, accompanying_supporter, expert, policy_officer
    /// or administrator (it must be the role the supporter has).
    #[arg(long, required_unless_present = "operator")]
    pub role: Option<String>,
    /// What the token is for, shown by `banso token list`.
    #[arg(long, default_value = "")]
    pub label: String,
}

#[derive(Debug, Subcommand)]
pub enum ProjectionsCommand {
    /// Each read model's generation, position and lag.
    Status(DatabaseArgs),
    /// Rebuild read models from the first event into fresh tables, then switch to them; a
    /// running server keeps serving the old tables meanwhile.
    Rebuild {
        #[command(flatten)]
        database: DatabaseArgs,
        /// directory, cases, timeline, handovers or benchmarks; all when absent.
        name: Option<String>,
    },
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

    /// Answer introspection queries (schema discovery); turn off in production if wanted.
    #[arg(
        long,
        env = "BANSO_INTROSPECTION",
        value_parser = BoolishValueParser::new(),
        action = ArgAction::Set,
        num_args = 0..=1,
        require_equals = true,
        default_value_t = true,
        default_missing_value = "true",
        overrides_with = "no_introspection"
    )]
    introspection: bool,

    /// Refuse introspection queries.
    #[arg(long, overrides_with = "introspection")]
    no_introspection: bool,

    /// The largest request body accepted, in bytes (larger: 413).
    #[arg(
        long,
        env = "BANSO_MAX_BODY_BYTES",
        default_value_t = 1_048_576,
        value_name = "BYTES"
    )]
    max_body_bytes: usize,

    /// The most operations one batched request may carry.
    #[arg(long, env = "BANSO_MAX_BATCH", default_value_t = 10, value_name = "N")]
    max_batch: usize,

    /// The deepest selection nesting a query may have.
    #[arg(long, env = "BANSO_MAX_DEPTH", default_value_t = 12, value_name = "N")]
    max_depth: usize,

    /// The highest complexity a query may have.
    #[arg(
        long,
        env = "BANSO_MAX_COMPLEXITY",
        default_value_t = 5_000,
        value_name = "N"
    )]
    max_complexity: usize,

    /// A JSON file of the policy office's weights for scoring good-practice and failure
    /// candidates, keyed by signal id (e.g. {"self_running": 8}); signals left out keep their
    /// default points (see the query practiceSignals).
    #[arg(
        long,
        env = "BANSO_PRACTICE_WEIGHTS",
        value_name = "FILE",
        value_parser = weights_file
    )]
    practice_weights: Option<Weights>,

    /// The fewest distinct companies a policy statistic may be built from: any figure built
    /// from fewer is suppressed (秘匿), so that no company can be singled out. At least 1.
    #[arg(
        long,
        env = "BANSO_STATS_MIN_COMPANIES",
        default_value_t = MinCompanies::DEFAULT,
        value_name = "N"
    )]
    stats_min_companies: MinCompanies,

    /// Load the demo data set first and print tokens to try it with.
    #[arg(long)]
    pub demo: bool,
}

/// Read and check a weights file when the command line is parsed, so that a bad file stops
/// the server before it starts, with the file's problem in the message.
fn weights_file(path: &str) -> Result<Weights, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("重みの設定ファイル {path} を読めません: {e}"))?;
    Weights::from_json(&text).map_err(|e| format!("{path}: {e}"))
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
            max_body_bytes: self.max_body_bytes,
            max_batch: self.max_batch,
            limits: banso_graphql::Limits {
                depth: self.max_depth,
                complexity: self.max_complexity,
                introspection: self.introspection && !self.no_introspection,
            },
            demo: self.demo,
            weights: Arc::new(self.practice_weights.unwrap_or_default()),
            stats_min_companies: self.stats_min_companies,
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
    fn practice_weights_come_from_a_checked_file() {
        let dir = std::env::temp_dir().join(format!("banso-weights-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.json");
        std::fs::write(&good, r#"{"self_running": 9}"#).unwrap();
        let settings = serve(&["--practice-weights", good.to_str().unwrap()]);
        assert_eq!(
            settings
                .weights
                .points(banso_projections::practice::Signal::SelfRunning),
            9.0
        );
        let bad = dir.join("bad.json");
        std::fs::write(&bad, r#"{"self_runing": 9}"#).unwrap();
        let error = Cli::try_parse_from([
            "banso",
            "serve",
            "--practice-weights",
            bad.to_str().unwrap(),
        ])
        .unwrap_err()
        .to_string();
        assert!(error.contains("self_runing"), "{error}");
        assert!(
            error.contains("self_running"),
            "lists the valid keys: {error}"
        );
        let missing =
            Cli::try_parse_from(["banso", "serve", "--practice-weights", "/nonexistent.json"])
                .unwrap_err()
                .to_string();
        assert!(missing.contains("読めません"), "{missing}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bind_accepts_port_zero_and_rejects_host_names() {
        assert_eq!(serve(&["--bind", "127.0.0.1:0"]).bind.port(), 0);
        assert!(Cli::try_parse_from(["banso", "serve", "--bind", "example.org:80"]).is_err());
    }

    #[test]
    fn the_statistics_minimum_is_five_unless_set_and_at_least_one() {
        assert_eq!(serve(&[]).stats_min_companies.get(), 5);
        assert_eq!(
            serve(&["--stats-min-companies", "1"])
                .stats_min_companies
                .get(),
            1
        );
        for bad in ["0", "-2", "five"] {
            let flag = format!("--stats-min-companies={bad}");
            let error = Cli::try_parse_from(["banso", "serve", &flag])
                .unwrap_err()
                .to_string();
            assert!(error.contains("at least 1"), "{bad}: {error}");
        }
    }
}
