//! Report links for a doctor: a period of the report, opened without an account, expiring in 1
//! to 30 days, revocable at once, every view logged for the client.

use crate::domain::ids::UserId;
use crate::domain::report::Period;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::report_links::{self, ReportLink};
use crate::store::rows::User;
use crate::store::users;
use chrono::{DateTime, Utc};
use tracing::instrument;

/// Days a link may last.
pub const MIN_DAYS: i64 = 1;
pub const MAX_DAYS: i64 = 30;

/// A link just made: its token is shown once.
pub struct NewLink {
    pub id: String,
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// 128 random bits as 32 hexadecimal characters.
fn token() -> Result<String, AppError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("no random source: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Makes a link to the report of `period`, lasting `days`.
#[instrument(name = "app.report_links.create", skip_all)]
pub async fn create(
    state: &AppState,
    client: UserId,
    period: Period,
    days: i64,
) -> Result<NewLink, AppError> {
    if !(MIN_DAYS..=MAX_DAYS).contains(&days) {
        return Err(AppError::field(
            "expires_in_days",
            format!("must be a whole number from {MIN_DAYS} to {MAX_DAYS}"),
        ));
    }
    let token = token()?;
    let now = state.now();
    let expires_at = now + chrono::Duration::days(days);
    let t = token.clone();
    let id = state
        .db
        .write(move |c| {
            report_links::create(c, client, &t, period.from, period.to, now, expires_at)
        })
        .await?;
    Ok(NewLink {
        id,
        url: format!("{}/r/{token}", state.settings.public_url),
        expires_at,
    })
}

/// A client's links, newest first.
#[instrument(name = "app.report_links.list", skip_all)]
pub async fn list(state: &AppState, client: UserId) -> Result<Vec<ReportLink>, AppError> {
    Ok(state
        .db
        .read(move |c| report_links::for_client(c, client))
        .await?)
}

/// Revokes a link: it stops working on the next request.
#[instrument(name = "app.report_links.revoke", skip_all)]
pub async fn revoke(state: &AppState, client: UserId, id: String) -> Result<(), AppError> {
    let id = super::record_id(id)?;
    let now = state.now();
    Ok(state
        .db
        .write(move |c| report_links::revoke(c, client, &id, now))
        .await?)
}

/// Opens a link for a view of `what` (the page or the PDF), logging it for the client: the client
/// and the period, or 404 alike for an unknown, expired or revoked link.
#[instrument(name = "app.report_links.open", skip_all)]
pub async fn open(
    state: &AppState,
    token: &str,
    what: &'static str,
) -> Result<(User, Period), AppError> {
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let (now, token) = (state.now(), token.to_ascii_lowercase());
    let found = state
        .db
        .write(move |c| {
            let describe = |l: &ReportLink| {
                format!(
                    "report link for {} to {} ({what})",
                    l.from.format("%-d %b %Y"),
                    l.to.format("%-d %b %Y")
                )
            };
            let Some(l) = report_links::open(c, &token, describe, now)? else {
                return Ok::<_, crate::store::StoreError>(None);
            };
            let uid = UserId::parse(&l.client_id)
                .ok_or_else(|| crate::store::StoreError::Corrupt("a link's client id".into()))?;
            let (user, _) = users::find_with_hash(c, uid)?;
            Ok(Some((
                user,
                Period {
                    from: l.from,
                    to: l.to,
                },
            )))
        })
        .await?;
    found.ok_or(AppError::NotFound)
}
