//! Mutations: one per domain command. Each takes its input object plus two optional
//! arguments, `commandId` (the idempotency key: a retry with the same id returns the first
//! result) and `expectedVersion` (the case version the client decided on: a stale one is a
//! `CONFLICT`), runs the command through the domain and returns a [`CommandResult`] once the
//! read models show it (read your writes).

pub(crate) mod inputs;
mod root;

use std::time::Duration;

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use banso_events::StreamVersion;
use banso_events::domain::command::Command;
use banso_events::domain::event::StreamKey;
use banso_events::domain::service::{CommandRequest, Executed};
use banso_events::domain::vocab::SupporterRole;
use uuid::Uuid;

use crate::context::{Principal, principal, services};
use crate::error::{bad_input, execute_error, internal};
use crate::objects::Case;
use crate::query::check_case_access;

pub use root::MutationRoot;

/// Run `command` for the signed-in principal.
pub(crate) async fn run(
    ctx: &Context<'_>,
    command_id: Option<Uuid>,
    expected_version: Option<i64>,
    command: Command,
) -> Result<CommandResult> {
    let principal = principal(ctx)?;
    let services = services(ctx)?;
    let expected_case_version = match expected_version {
        None => None,
        Some(v) if v >= 0 => Some(StreamVersion(v as u64)),
        Some(_) => {
            return Err(bad_input(
                "expectedVersion",
                "expectedVersion は 0 以上の整数で指定してください。",
            ));
        }
    };
    let request = CommandRequest {
        command_id: command_id.unwrap_or_else(Uuid::now_v7),
        actor: principal.actor(),
        today: (services.today)(),
        expected_case_version,
        command,
    };
    let case = request.command.case_id();
    // An outsider learns nothing about a case, not even that it exists: the same FORBIDDEN
    // whether it is foreign or missing. A discovery names a case that does not exist yet.
    // A policy officer reviews and publishes collected cases without access to the cases
    // themselves: the domain checks the role and that the case was nominated, and a draft is
    // checked for personal data here, where the case's names are at hand.
    let policy_work = request.command.is_about_example()
        && matches!(
            principal,
            Principal::Supporter {
                role: SupporterRole::PolicyOfficer,
                ..
            }
        );
    if policy_work {
        if let Command::DraftExample {
            case_id, write_up, ..
        } = &request.command
        {
            crate::practice::refuse_leaks(ctx, *case_id, write_up).await?;
        }
    } else if let Some(case) = case {
        // A discovery names a new case: refused only if the id is someone else's case.
        let discovery = matches!(request.command, Command::DiscoverCompany { .. });
        if let Err(refusal) = check_case_access(ctx, case).await
            && (!discovery
                || services
                    .read
                    .case_exists(case)
                    .await
                    .map_err(|e| internal("could not look a case up", e))?)
        {
            return Err(refusal);
        }
    }
    let executed = services
        .lifecycle
        .execute(request)
        .await
        .map_err(execute_error)?;
    // Read your writes: the result (and the next query) sees what the command did.
    if let Some(last) = executed.positions.last()
        && let Err(error) = services.read.wait_for(*last, READ_YOUR_WRITES).await
    {
        tracing::warn!(%error, "the read models lag behind a command's events");
    }
    let mut result = CommandResult::new(&executed, case.map(StreamKey::Case));
    if let Some(case) = case.filter(|_| !policy_work) {
        result.case = services
            .read
            .case(case)
            .await
            .map_err(|e| internal("could not read the case after a command", e))?
            .map(|row| Case {
                row,
                today: (services.today)(),
            });
    }
    Ok(result)
}

/// How long a mutation waits for the read models to show its events before it answers anyway.
const READ_YOUR_WRITES: Duration = Duration::from_secs(5);

/// What a mutation did: the command's id, where its events landed, and the new version of the
/// case it changed.
pub struct CommandResult {
    command_id: Uuid,
    duplicate: bool,
    position: u64,
    streams: Vec<WrittenStream>,
    case_version: Option<u64>,
    case: Option<Case>,
}

impl CommandResult {
    fn new(executed: &Executed, case: Option<StreamKey>) -> Self {
        Self {
            command_id: executed.command_id,
            duplicate: executed.duplicate,
            position: executed.positions.last().map_or(0, |p| p.0),
            streams: executed
                .streams
                .iter()
                .map(|s| WrittenStream {
                    stream_type: s.stream.stream_type.as_str().to_owned(),
                    id: ID(s.stream.id.to_string()),
                    version: s.last_version.0 as i64,
                })
                .collect(),
            case_version: case.and_then(|c| executed.version_of(c)).map(|v| v.0),
            case: None,
        }
    }
}

/// A stream a command wrote to, and its version after the command (書き込んだストリーム).
#[derive(Debug, Clone, SimpleObject)]
pub struct WrittenStream {
    /// `case`, `company`, `agency` or `supporter`.
    pub stream_type: String,
    pub id: ID,
    pub version: i64,
}

/// The result of a command (コマンドの結果).
#[Object]
impl CommandResult {
    /// The command's id: send it again to retry without doing the work twice (コマンドID).
    async fn command_id(&self) -> Uuid {
        self.command_id
    }

    /// Whether this was a retry of a command already recorded (再送).
    async fn duplicate(&self) -> bool {
        self.duplicate
    }

    /// The global position of the command's last event, a decimal string (位置).
    async fn position(&self) -> String {
        self.position.to_string()
    }

    /// Every stream written, with its new version (書き込んだストリーム).
    async fn streams(&self) -> &[WrittenStream] {
        &self.streams
    }

    /// The case's version after the command: pass it as `expectedVersion` next time
    /// (ケースのバージョン).
    async fn case_version(&self) -> Option<i64> {
        self.case_version.map(|v| v as i64)
    }

    /// The case as it stands after the command (null for commands on no case).
    async fn case(&self) -> Option<&Case> {
        self.case.as_ref()
    }
}
