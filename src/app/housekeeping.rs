//! Work nobody asks for: clearing old tombstones and ended sessions, forgetting idle rate-limit
//! keys.

use crate::error::AppError;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::{sync, users};
use tracing::instrument;

/// What one daily run removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cleared {
    pub tombstones: usize,
    pub sessions: usize,
}

/// Removes tombstones older than 90 days and sessions that ended more than a day ago.
#[instrument(name = "app.housekeeping.daily", skip_all)]
pub async fn daily(state: &AppState) -> Result<Cleared, AppError> {
    let now = state.now();
    Ok(state
        .db
        .write(move |c| {
            Ok::<_, StoreError>(Cleared {
                tombstones: sync::purge_tombstones(c, now)?,
                sessions: users::purge_sessions(c, now)?,
            })
        })
        .await?)
}

/// Forgets rate-limit keys whose attempts are replenished; returns how many are still kept.
pub fn forget_idle_limits(state: &AppState) -> usize {
    state.limits.forget_idle()
}
