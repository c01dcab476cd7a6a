//! Authentication: argon2id password hashes, short-lived JWTs backed by revocable session rows,
//! cookies, CSRF tokens, and the request extractors that check them in one place.
//! May import `domain`, `store`, `error`, `config` and `state`; never `app`, `web` or `api`.

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
