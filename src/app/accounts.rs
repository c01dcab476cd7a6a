//! Accounts: register, sign in, sessions, profile, password, demo journals.

use crate::app::cpu;
use crate::auth::password;
use crate::domain::demo::{DEMO_TZ, demo_entries};
use crate::domain::ids::{SessionId, UserId};
use crate::domain::profile::{
    Email, MAX_PASSWORD_BYTES, ProfileDetails, ProfileUpdate, Registration, Role, check_password,
};
use crate::domain::rules::ThresholdOverrides;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::rows::User;
use crate::store::{Db, entries, users};
use chrono::{DateTime, Utc};
use tracing::instrument;

/// How a session is used: a browser cookie or an API bearer token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    Web,
    Api,
}

impl SessionKind {
    /// The token type stored with the session.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

/// Creates an account (hashing off the workers), limited per address (429 with Retry-After).
/// A taken email is a `409 email_taken`.
#[instrument(name = "app.accounts.register", skip_all)]
pub async fn register(
    state: &AppState,
    address: &str,
    reg: Registration,
) -> Result<User, AppError> {
    state
        .limits
        .register(address)
        .map_err(|retry_after_s| AppError::RateLimited { retry_after_s })?;
    let pw = reg.password.clone();
    let hash = cpu(move || password::hash(&pw)).await??;
    let now = state.now();
    Ok(state
        .db
        .write(move |c| {
            let id = users::insert_user(c, &reg, hash, now)?;
            Ok::<_, StoreError>(users::find_with_hash(c, id)?.0)
        })
        .await?)
}

/// Checks an email and password; the same answer, after similar work, for an unknown email.
/// Attempts are limited per email and per address (429 with Retry-After) before any work.
#[instrument(name = "app.accounts.check_credentials", skip_all)]
pub async fn check_credentials(
    state: &AppState,
    address: &str,
    email: &str,
    pw: &str,
) -> Result<User, AppError> {
    state
        .limits
        .login(email, address)
        .map_err(|retry_after_s| AppError::RateLimited { retry_after_s })?;
    let pw = pw.to_string();
    let refused = || {
        state.limits.login_failed(address);
        AppError::Unauthorized("The email or password is not right.")
    };
    if pw.len() > MAX_PASSWORD_BYTES {
        return Err(refused());
    }
    let Ok(email) = Email::parse(email) else {
        cpu(move || password::verify_dummy(&pw)).await?;
        return Err(refused());
    };
    let found = state
        .db
        .read(move |c| users::find_by_email(c, email.as_str()))
        .await?;
    match found {
        Some((user, hash)) => {
            if cpu(move || password::verify(&pw, &hash)).await? {
                Ok(user)
            } else {
                Err(refused())
            }
        }
        None => {
            cpu(move || password::verify_dummy(&pw)).await?;
            Err(refused())
        }
    }
}

/// Starts a session of `kind` and signs its token; returns the token and its lifetime.
#[instrument(name = "app.accounts.start_session", skip_all)]
pub async fn start_session(
    state: &AppState,
    user: &User,
    kind: SessionKind,
) -> Result<(String, std::time::Duration), AppError> {
    let ttl = match kind {
        SessionKind::Web => state.settings.web_session_ttl,
        SessionKind::Api => state.settings.api_token_ttl,
    };
    let now = state.now();
    let expires =
        now + chrono::Duration::from_std(ttl).map_err(|e| AppError::Unexpected(e.into()))?;
    let uid = user.id;
    let typ = kind.as_str();
    let sid = state
        .db
        .write(move |c| users::create_session(c, uid, typ, now, expires))
        .await?;
    let token = state.keys.issue(uid, sid, typ, now, expires)?;
    Ok((token, ttl))
}

/// Ends one session (logging out, or revoking an API token) at once.
#[instrument(name = "app.accounts.end_session", skip_all)]
pub async fn end_session(state: &AppState, session: SessionId) -> Result<(), AppError> {
    let now = state.now();
    Ok(state
        .db
        .write(move |c| users::revoke_session(c, session, now))
        .await?)
}

/// Saves a whole profile (the API's `PUT /profile`) and returns the stored user.
#[instrument(name = "app.accounts.save_profile", skip_all)]
pub async fn save_profile(
    state: &AppState,
    user: UserId,
    update: ProfileUpdate,
) -> Result<User, AppError> {
    let now = state.now();
    Ok(state
        .db
        .write(move |c| {
            users::update_details(c, user, &update.details, now)?;
            users::update_thresholds(c, user, &update.thresholds, now)?;
            Ok::<_, StoreError>(users::find_with_hash(c, user)?.0)
        })
        .await?)
}

/// Saves name, time zone and cautions, leaving threshold overrides as they are.
#[instrument(name = "app.accounts.save_details", skip_all)]
pub async fn save_details(
    state: &AppState,
    user: UserId,
    details: ProfileDetails,
) -> Result<(), AppError> {
    let now = state.now();
    Ok(state
        .db
        .write(move |c| users::update_details(c, user, &details, now))
        .await?)
}

/// Saves threshold overrides, leaving the rest of the profile as it is.
#[instrument(name = "app.accounts.save_thresholds", skip_all)]
pub async fn save_thresholds(
    state: &AppState,
    user: UserId,
    overrides: ThresholdOverrides,
) -> Result<(), AppError> {
    let now = state.now();
    Ok(state
        .db
        .write(move |c| users::update_thresholds(c, user, &overrides, now))
        .await?)
}

/// Changes a password after checking the current one; every session of the user ends.
/// Errors name the field: `current_password` (not right) or `new_password` (too short or long).
#[instrument(name = "app.accounts.change_password", skip_all)]
pub async fn change_password(
    state: &AppState,
    user: UserId,
    current: String,
    new: String,
) -> Result<User, AppError> {
    let mut errors = crate::domain::fields::FieldErrors::default();
    if let Err(m) = check_password(&new) {
        errors.add("new_password", m);
    }
    let (found, hash) = state
        .db
        .read(move |c| users::find_with_hash(c, user))
        .await?;
    let ok = current.len() <= MAX_PASSWORD_BYTES
        && cpu(move || password::verify(&current, &hash)).await?;
    if !ok {
        errors.add("current_password", "is not right.");
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let new_hash = cpu(move || password::hash(&new)).await??;
    let now = state.now();
    state
        .db
        .write(move |c| users::set_password(c, user, new_hash, now))
        .await?;
    Ok(found)
}

/// A fresh throw-away demo client with six months of entries, limited per address.
#[instrument(name = "app.accounts.create_demo_client", skip_all)]
pub async fn create_demo_client(state: &AppState, address: &str) -> Result<User, AppError> {
    if !state.settings.demo_button {
        return Err(AppError::NotFound);
    }
    state
        .limits
        .demo(address)
        .map_err(|retry_after_s| AppError::RateLimited { retry_after_s })?;
    let now = state.now();
    let db = state.db.clone();
    cpu(move || create_throwaway_client(&db, now)).await?
}

/// A checked registration for a demo account (demo time zone).
pub fn demo_registration(
    email: &str,
    name: &str,
    role: Role,
    pw: &str,
) -> Result<Registration, AppError> {
    let reg = Registration {
        email: Email::parse(email).map_err(|m| AppError::field("email", m))?,
        password: pw.to_string(),
        display_name: name.to_string(),
        role,
        timezone: Some(DEMO_TZ.to_string()),
    };
    check_password(pw).map_err(|m| AppError::field("password", m))?;
    Ok(reg)
}

/// Adds six months of demo entries, ending at `now`, to a journal; returns how many.
pub fn insert_demo_journal(db: &Db, user: UserId, now: DateTime<Utc>) -> Result<usize, AppError> {
    let list = demo_entries(now);
    Ok(db.write_blocking(move |c| entries::insert_many(c, user, &list, now))?)
}

/// A fresh demo client with a random address and a password nobody knows.
fn create_throwaway_client(db: &Db, now: DateTime<Utc>) -> Result<User, AppError> {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let reg = demo_registration(
        &format!("demo-{}@demo.unknot.invalid", &tag[..12]),
        "Demo client",
        Role::Client,
        &tag,
    )?;
    let hash = password::hash(&reg.password)?;
    db.write_blocking(move |c| {
        let id = users::insert_user(c, &reg, hash, now)?;
        entries::insert_many(c, id, &demo_entries(now), now)?;
        Ok(users::find_with_hash(c, id)?.0)
    })
}

/// Deletes the signed-in account after checking its password (API.md, Account): a client's
/// journal and everything shared from it go at once; a therapist's grants, sessions and drafts
/// go, their final notes stay in their clients' records under the name they had.
#[instrument(name = "app.accounts.delete_account", skip_all)]
pub async fn delete_account(
    state: &AppState,
    user: &User,
    password: String,
) -> Result<(), AppError> {
    let uid = user.id;
    let (_, hash) = state
        .db
        .read(move |c| users::find_with_hash(c, uid))
        .await?;
    let ok = password.len() <= MAX_PASSWORD_BYTES
        && cpu(move || password::verify(&password, &hash)).await?;
    if !ok {
        return Err(AppError::Unauthorized(
            "The password is not right: nothing was deleted.",
        ));
    }
    let (now, role) = (state.now(), user.role);
    Ok(state
        .db
        .write(move |c| match role {
            Role::Client => users::delete_client(c, uid),
            Role::Therapist => users::retire_therapist(c, uid, now),
        })
        .await?)
}
