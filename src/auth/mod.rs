//! Authentication: argon2id password hashes, short-lived JWTs backed by revocable session rows,
//! cookies, CSRF tokens, and the request extractors that check them in one place.
//! May import `domain`, `store`, `error` and `config`; never `web` or `api`.

pub mod access;
pub mod csrf;
pub mod extract;
pub mod password;
pub mod token;

pub use extract::{ApiUser, WebUser};
