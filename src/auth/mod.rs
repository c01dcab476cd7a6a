//! Authentication: argon2id password hashes, short-lived JWTs backed by revocable session rows,
//! cookies, CSRF tokens, and the request extractors that check them in one place.
//! May import `domain`, `store`, `error`, `config` and `clock`; never `state`, `app`, `web` or
//! `api`.

pub mod access;
pub mod csrf;
pub mod extract;
pub mod password;
pub mod token;

pub use extract::{ApiUser, Authenticated, SESSION_COOKIE, authenticate};

/// The peer address of a request (the key of per-address limits).
pub fn client_address(req: &actix_web::HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

/// What authentication reads, registered as app data beside the application state.
#[derive(Clone)]
pub struct AuthContext {
    pub db: crate::store::Db,
    pub keys: token::TokenKeys,
    pub clock: crate::clock::ServerClock,
}

impl AuthContext {
    /// The server clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The context registered with the running app.
    pub fn of(req: &actix_web::HttpRequest) -> Result<Self, crate::error::AppError> {
        req.app_data::<actix_web::web::Data<AuthContext>>()
            .map(|d| d.get_ref().clone())
            .ok_or_else(|| {
                crate::error::AppError::Unexpected(anyhow::anyhow!("auth context missing"))
            })
    }
}
