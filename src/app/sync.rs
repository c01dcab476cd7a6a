//! Sync for offline clients: exactly-once pushes and pulls by the per-user change sequence.

use crate::domain::ids::UserId;
use crate::domain::sync::{Op, Outcome};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::sync::{self, Pull, PushError};
use tracing::instrument;

/// Applies a push in one transaction: the client's new `last_mid` and one outcome per mutation.
/// A `client_id` bound to another account is 403; a gap in mutation ids is `409 mid_gap` with the
/// expected id, and nothing is applied.
#[instrument(name = "app.sync.push", skip_all)]
pub async fn push(
    state: &AppState,
    user: UserId,
    client_id: String,
    mutations: Vec<(i64, Op)>,
) -> Result<(i64, Vec<Outcome>), AppError> {
    let now = state.now();
    let big = mutations.len() >= crate::store::times::SMALL_WRITE;
    let result = state
        .db
        .write_short(move |c| sync::push(c, user, &client_id, &mutations, now))
        .await?;
    match result {
        Ok(done) => {
            if big {
                state.db.pushed(user);
            }
            Ok(done)
        }
        Err(PushError::ForeignClient) => Err(AppError::Forbidden(
            "This client_id belongs to another account.",
        )),
        Err(PushError::Gap { expected }) => Err(AppError::Conflict {
            code: "mid_gap",
            message: format!(
                "Mutation ids must follow on without gaps: the next expected is {expected}. Nothing was applied."
            ),
            current: Some(serde_json::json!({"expected": expected})),
        }),
    }
}

/// Changes after `since`, at most `limit`; 410 `cursor_expired` when `since` is older than
/// purged tombstones.
#[instrument(name = "app.sync.pull", skip_all)]
pub async fn pull(
    state: &AppState,
    user: UserId,
    since: i64,
    limit: i64,
) -> Result<Pull, AppError> {
    state
        .db
        .read(move |c| sync::pull(c, user, since, limit))
        .await?
        .ok_or(AppError::Gone(
            "This cursor is older than deleted entries that were cleared away: pull again from the start (since empty) and keep your unsent changes.",
        ))
}
