//! Signed tokens: HS256 JWTs naming a user and a server-side session (so they can be revoked).

use crate::config::Secret;
use crate::domain::ids::{SessionId, UserId};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

/// What a token says.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user.
    pub sub: String,
    /// The session row that must still be live.
    pub sid: String,
    /// Issued at (seconds).
    pub iat: i64,
    /// Expires at (seconds).
    pub exp: i64,
    /// `web` (cookie) or `api` (bearer).
    pub typ: String,
}

/// Keys for signing and checking tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl TokenKeys {
    /// Keys from the configured secret.
    pub fn new(secret: &Secret) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding: DecodingKey::from_secret(secret.expose()),
        }
    }

    /// Signs a token for a session.
    pub fn issue(
        &self,
        user: UserId,
        session: SessionId,
        typ: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user.to_string(),
            sid: session.to_string(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            typ: typ.to_string(),
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// Checks signature (HS256 only), expiry and type; `None` for anything else.
    pub fn check(&self, token: &str, typ: &str) -> Option<(UserId, SessionId)> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.set_required_spec_claims(&["exp", "sub"]);
        let data = decode::<Claims>(token, &self.decoding, &v).ok()?;
        if data.claims.typ != typ {
            return None;
        }
        Some((
            UserId::parse(&data.claims.sub)?,
            SessionId::parse(&data.claims.sid)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn tokens_check_signature_expiry_and_type() {
        let keys = TokenKeys::new(&Secret::new(vec![7; 32]));
        let other = TokenKeys::new(&Secret::new(vec![8; 32]));
        let (u, s) = (UserId::new_v7(), SessionId::new_v7());
        let now = Utc::now();
        let t = keys
            .issue(u, s, "api", now, now + Duration::minutes(5))
            .unwrap();
        assert_eq!(keys.check(&t, "api"), Some((u, s)));
        assert_eq!(keys.check(&t, "web"), None);
        assert_eq!(other.check(&t, "api"), None);
        let old = keys
            .issue(
                u,
                s,
                "api",
                now - Duration::hours(2),
                now - Duration::hours(1),
            )
            .unwrap();
        assert_eq!(keys.check(&old, "api"), None);
    }
}
