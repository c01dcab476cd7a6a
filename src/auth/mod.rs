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

/// The client's address (the key of per-address limits): the peer, or, when the peer is a
/// trusted proxy, the nearest address in `X-Forwarded-For` that is not one.
pub fn client_address(req: &actix_web::HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return String::new();
    };
    let trusted = req
        .app_data::<actix_web::web::Data<AuthContext>>()
        .map(|c| c.trusted_proxies.clone())
        .unwrap_or_default();
    forwarded_client(
        peer,
        &trusted,
        req.headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok()),
    )
    .to_string()
}

/// The client behind `peer`: walks `X-Forwarded-For` from the right while the hop is trusted.
pub fn forwarded_client(
    peer: std::net::IpAddr,
    trusted: &[std::net::IpAddr],
    forwarded: Option<&str>,
) -> std::net::IpAddr {
    let mut client = peer;
    if !trusted.contains(&peer) {
        return client;
    }
    for hop in forwarded.unwrap_or_default().rsplit(',') {
        match hop.trim().parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted.contains(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

/// What authentication reads, registered as app data beside the application state.
#[derive(Clone)]
pub struct AuthContext {
    pub db: crate::store::Db,
    pub keys: token::TokenKeys,
    pub clock: crate::clock::ServerClock,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: std::sync::Arc<Vec<std::net::IpAddr>>,
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

#[cfg(test)]
mod tests {
    use super::forwarded_client;
    use std::net::IpAddr;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = [ip("10.0.0.2")];
        let xff = Some("203.0.113.9, 198.51.100.7");
        assert_eq!(
            forwarded_client(ip("192.0.2.1"), &proxy, xff),
            ip("192.0.2.1"),
            "not a proxy"
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &proxy, xff),
            ip("198.51.100.7"),
            "the nearest hop"
        );
        let two = [ip("10.0.0.2"), ip("198.51.100.7")];
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &two, xff),
            ip("203.0.113.9")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &proxy, Some("junk")),
            ip("10.0.0.2")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.2"), &proxy, None),
            ip("10.0.0.2")
        );
    }
}
