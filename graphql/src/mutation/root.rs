//! The mutation root: one field per domain command.

use async_graphql::{Context, Object, Result};
use uuid::Uuid;

use super::inputs::RegisterAgencyInput;
use super::{CommandResult, run};

/// Every change is a command recorded as events (ミューテーション).
pub struct MutationRoot;

#[Object]
impl MutationRoot {
    /// 支援機関を登録する (operator only).
    async fn register_agency(
        &self,
        ctx: &Context<'_>,
        input: RegisterAgencyInput,
        command_id: Option<Uuid>,
        expected_version: Option<i64>,
    ) -> Result<CommandResult> {
        run(ctx, command_id, expected_version, input.into_command()?).await
    }
}
