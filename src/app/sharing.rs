//! Sharing: share codes, redeeming them, revoking, and the client's access log.

use crate::domain::ids::UserId;
use crate::domain::share::{NewShare, Scope, code_from, normalize};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::rows::User;
use crate::store::shares::{self, Access, Share, SharedClient};
use chrono::{DateTime, Utc};
use tracing::instrument;

/// A share code just made: shown once, stored only as a hash.
#[derive(Clone, Debug)]
pub struct NewCode {
    pub id: String,
    pub code: String,
    pub scope: Scope,
    pub expires_at: DateTime<Utc>,
}

/// Makes a fresh code (60 random bits).
pub fn new_code() -> Result<String, AppError> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("no random source: {e}")))?;
    Ok(code_from(u64::from_le_bytes(b)))
}

/// Creates a one-use share code for a client.
#[instrument(name = "app.sharing.create_share", skip_all)]
pub async fn create_share(
    state: &AppState,
    client: UserId,
    req: NewShare,
) -> Result<NewCode, AppError> {
    let code = new_code()?;
    let normalized = normalize(&code)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("made an invalid code")))?;
    let now = state.now();
    let expires_at = now + chrono::Duration::days(req.expires_in_days);
    let id = state
        .db
        .write(move |c| shares::create(c, client, &normalized, req.scope, now, expires_at))
        .await?;
    Ok(NewCode {
        id,
        code,
        scope: req.scope,
        expires_at,
    })
}

/// A client's shares, newest first.
#[instrument(name = "app.sharing.shares_of", skip_all)]
pub async fn shares_of(state: &AppState, client: UserId) -> Result<Vec<Share>, AppError> {
    Ok(state
        .db
        .read(move |c| shares::for_client(c, client))
        .await?)
}

/// The clients who share with a therapist now.
#[instrument(name = "app.sharing.clients_of", skip_all)]
pub async fn clients_of(
    state: &AppState,
    therapist: UserId,
) -> Result<Vec<SharedClient>, AppError> {
    let now = state.now();
    Ok(state
        .db
        .read(move |c| shares::clients_of(c, therapist, now))
        .await?)
}

/// Revokes one of the client's shares at once (404 if it is not theirs).
#[instrument(name = "app.sharing.revoke", skip_all)]
pub async fn revoke(state: &AppState, client: UserId, id: String) -> Result<(), AppError> {
    let id = super::record_id(id)?;
    let now = state.now();
    Ok(state
        .db
        .write(move |c| shares::revoke(c, client, &id, now))
        .await?)
}

/// The one answer for a code that is wrong, used, expired or revoked.
pub const CODE_REFUSED: &str = "is not a valid share code: it may be mistyped, already used, expired or revoked. Ask your client for a new one.";

/// Redeems a code for a therapist, rate-limited per account and per address.
#[instrument(name = "app.sharing.redeem", skip_all)]
pub async fn redeem(
    state: &AppState,
    address: &str,
    therapist: UserId,
    code: &str,
) -> Result<(User, Scope), AppError> {
    state
        .limits
        .redeem(&therapist.to_string(), address)
        .map_err(|retry_after_s| AppError::RateLimited { retry_after_s })?;
    let Some(normalized) = normalize(code) else {
        return Err(AppError::field("code", CODE_REFUSED));
    };
    let now = state.now();
    state
        .db
        .write(move |c| shares::redeem(c, &normalized, therapist, now))
        .await?
        .ok_or_else(|| AppError::field("code", CODE_REFUSED))
}

/// Every therapist read and write of a client's journal, newest first.
#[instrument(name = "app.sharing.access_log", skip_all)]
pub async fn access_log(
    state: &AppState,
    client: UserId,
    limit: i64,
) -> Result<Vec<Access>, AppError> {
    Ok(state
        .db
        .read(move |c| shares::access_log_of(c, client, limit))
        .await?)
}
