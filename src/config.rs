//! Typed settings from the environment (`UNKNOT_*`), with defaults that make `cargo run` work.
//! Passed explicitly; there is no global configuration.

use std::fmt;
use std::time::Duration;

/// A secret that never shows up in logs or debug output.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
    /// A fresh random 32-byte secret.
    pub fn random() -> Self {
        let mut b = vec![0u8; 32];
        getrandom::fill(&mut b).expect("the operating system random source is available");
        Self(b)
    }
    /// The secret as lower-case hex (for storing a generated one).
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
    /// The raw bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(**redacted**)")
    }
}

/// Where the data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file path.
    Sqlite(String),
    /// A PostgreSQL URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// Picks the backend from the scheme: `postgres://`/`postgresql://` or a path / `sqlite://`.
    pub fn parse(s: &str) -> Self {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            DatabaseUrl::Postgres(s.to_string())
        } else {
            let path = s
                .strip_prefix("sqlite://")
                .or_else(|| s.strip_prefix("sqlite:"))
                .unwrap_or(s);
            DatabaseUrl::Sqlite(path.to_string())
        }
    }
}

/// All settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Address to listen on.
    pub addr: String,
    /// Database location.
    pub database: DatabaseUrl,
    /// Key signing session and API tokens.
    pub jwt_secret: Secret,
    /// Whether no secret was configured (the server then keeps a generated one in its database).
    pub jwt_secret_generated: bool,
    /// Lifetime of a browser session.
    pub web_session_ttl: Duration,
    /// Lifetime of an API token.
    pub api_token_ttl: Duration,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Offer the "explore a demo journal" button.
    pub demo_button: bool,
    /// Worker threads (0 = one per core).
    pub workers: usize,
    /// Where people reach this server (`UNKNOT_PUBLIC_URL`), for links it hands out; never taken
    /// from a request's `Host`. Default: `http://` and the listening address.
    pub public_url: String,
    /// Proxies whose `X-Forwarded-For` is believed (`UNKNOT_TRUSTED_PROXIES`, comma-separated
    /// addresses); limits count the client address they report. Empty: the peer is the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Settings {
    /// Reads `UNKNOT_*` (and `DATABASE_URL`) from the environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get`, so tests can pass a map.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let addr = get("UNKNOT_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let db = get("DATABASE_URL")
            .or_else(|| get("UNKNOT_DB"))
            .unwrap_or_else(|| "unknot.db".into());
        let (jwt_secret, generated) = match get("UNKNOT_JWT_SECRET") {
            Some(s) if s.len() >= 32 => (Secret::new(s.into_bytes()), false),
            Some(_) => anyhow::bail!("UNKNOT_JWT_SECRET must be at least 32 characters"),
            None => (Secret::random(), true),
        };
        let minutes = |key: &str, default: u64| -> anyhow::Result<Duration> {
            match get(key) {
                None => Ok(Duration::from_secs(default * 60)),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|m| (1..=60 * 24 * 30).contains(m))
                    .map(|m| Duration::from_secs(m * 60))
                    .ok_or_else(|| anyhow::anyhow!("{key} must be minutes from 1 to 43200")),
            }
        };
        let flag = |key: &str, default: bool| match get(key).as_deref() {
            None => Ok(default),
            Some("1" | "true" | "on" | "yes") => Ok(true),
            Some("0" | "false" | "off" | "no") => Ok(false),
            Some(_) => Err(anyhow::anyhow!("{key} must be on or off")),
        };
        let public_url = match get("UNKNOT_PUBLIC_URL") {
            Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                u.trim_end_matches('/').to_string()
            }
            Some(_) => anyhow::bail!("UNKNOT_PUBLIC_URL must start with https:// or http://"),
            None => format!("http://{addr}"),
        };
        let trusted_proxies = match get("UNKNOT_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    p.parse::<std::net::IpAddr>().map_err(|_| {
                        anyhow::anyhow!("UNKNOT_TRUSTED_PROXIES: {p} is not an IP address")
                    })
                })
                .collect::<anyhow::Result<_>>()?,
        };
        Ok(Self {
            trusted_proxies,
            public_url,
            addr,
            database: DatabaseUrl::parse(&db),
            jwt_secret,
            jwt_secret_generated: generated,
            web_session_ttl: minutes("UNKNOT_SESSION_MINUTES", 12 * 60)?,
            api_token_ttl: minutes("UNKNOT_TOKEN_MINUTES", 60)?,
            secure_cookies: flag("UNKNOT_SECURE_COOKIES", false)?,
            demo_button: flag("UNKNOT_DEMO", true)?,
            workers: get("UNKNOT_WORKERS")
                .and_then(|w| w.parse().ok())
                .unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_sqlite_on_loopback() {
        let s = Settings::from_lookup(|_| None).unwrap();
        assert_eq!(s.addr, "127.0.0.1:8080");
        assert_eq!(s.database, DatabaseUrl::Sqlite("unknot.db".into()));
        assert!(s.jwt_secret_generated);
        assert!(format!("{:?}", s.jwt_secret).contains("redacted"));
    }

    #[test]
    fn backend_is_chosen_from_the_url_scheme() {
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@h/db"),
            DatabaseUrl::Postgres(_)
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u@h/db"),
            DatabaseUrl::Postgres(_)
        ));
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db"),
            DatabaseUrl::Sqlite("data/x.db".into())
        );
        let short = Settings::from_lookup(|k| (k == "UNKNOT_JWT_SECRET").then(|| "short".into()));
        assert!(short.is_err());
    }
}
