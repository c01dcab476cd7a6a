//! Test harness: a real server on port 0 with a fresh database (SQLite file, or PostgreSQL when
//! `UNKNOT_TEST_PG` names a server), and a small HTTP client that keeps cookies like a browser.

use awc::http::StatusCode;
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use unknot::config::{DatabaseUrl, Settings};
use unknot::startup::Application;
use unknot::state::AppState;
use unknot::store::Db;

pub struct TestApp {
    pub addr: String,
    pub state: AppState,
    pub backend: &'static str,
    /// Held only to be removed when the test ends.
    _database: TestDatabase,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, empty database for one test, removed when dropped: the SQLite file (and its WAL
/// files), or the PostgreSQL database.
pub struct TestDatabase {
    pub url: DatabaseUrl,
    /// The PostgreSQL server URL it was created on, and its name.
    pg: Option<(String, String)>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match (&self.url, &self.pg) {
            (DatabaseUrl::Sqlite(path), _) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
            (DatabaseUrl::Postgres(_), Some((base, name))) => {
                if let Ok(mut admin) = PgConnection::establish(base) {
                    let _ = diesel::sql_query(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    ))
                    .execute(&mut admin);
                }
            }
            _ => {}
        }
    }
}

/// A fresh, empty database for one test.
pub fn fresh_database() -> TestDatabase {
    let name = format!(
        "unknot_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ) + &uuid::Uuid::new_v4().simple().to_string()[..8];
    match std::env::var("UNKNOT_TEST_PG") {
        Ok(base) if !base.is_empty() => {
            let mut admin = PgConnection::establish(&base)
                .unwrap_or_else(|e| panic!("UNKNOT_TEST_PG={base} is not reachable: {e}"));
            diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                .execute(&mut admin)
                .expect("create test database");
            let (prefix, _) = base
                .rsplit_once('/')
                .expect("UNKNOT_TEST_PG is a URL with a database");
            TestDatabase {
                url: DatabaseUrl::Postgres(format!("{prefix}/{name}")),
                pg: Some((base.clone(), name)),
            }
        }
        _ => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            TestDatabase {
                url: DatabaseUrl::Sqlite(path.to_string_lossy().into_owned()),
                pg: None,
            }
        }
    }
}

/// Starts Unknot on 127.0.0.1:0 with a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts Unknot with adjusted settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_on(fresh_database(), adjust).await
}

/// Starts Unknot on a database made for the test (which it migrates first).
pub async fn spawn_app_on(test_db: TestDatabase, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    unknot::telemetry::init("warn");
    let database = test_db.url.clone();
    let backend = match database {
        DatabaseUrl::Postgres(_) => "postgres",
        DatabaseUrl::Sqlite(_) => "sqlite",
    };
    let mut settings = Settings::from_lookup(|k| match k {
        "UNKNOT_ADDR" => Some("127.0.0.1:0".into()),
        "UNKNOT_WORKERS" => Some("1".into()),
        "UNKNOT_JWT_SECRET" => Some("test-secret-that-is-long-enough-for-hs256".into()),
        _ => None,
    })
    .expect("settings");
    settings.database = database.clone();
    adjust(&mut settings);
    let db = Db::connect(&database).expect("database connects and migrates");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let app = Application::build_with(settings, db, listener).expect("build app");
    let addr = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    actix_rt::spawn(app.run_until_stopped());
    TestApp {
        addr,
        state,
        backend,
        _database: test_db,
    }
}

/// A response read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: String,
    /// The body as sent (for files that are not text).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    pub fn location(&self) -> String {
        self.header("location").unwrap_or_default()
    }
}

/// An HTTP client keeping cookies like a browser; never follows redirects.
pub struct Client {
    pub base: String,
    http: awc::Client,
    pub cookies: HashMap<String, String>,
    pub bearer: Option<String>,
    /// Sent with every request (e.g. `X-Forwarded-For`).
    pub headers: Vec<(String, String)>,
}

impl TestApp {
    pub fn client(&self) -> Client {
        Client::new(&self.addr)
    }
}

impl Client {
    pub fn new(base: &str) -> Self {
        Client {
            base: base.to_string(),
            // Generous for a debug build on two busy cores; no test times anything with it.
            http: awc::Client::builder()
                .disable_redirects()
                .timeout(std::time::Duration::from_secs(30))
                .finish(),
            cookies: HashMap::new(),
            bearer: None,
            headers: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(
        &mut self,
        mut res: awc::ClientResponse<
            impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
            + Unpin,
        >,
    ) -> Reply {
        for v in res.headers().get_all("set-cookie") {
            let text = v.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((k, val)) = pair.split_once('=') {
                let expired = text.contains("Max-Age=0")
                    || text
                        .to_ascii_lowercase()
                        .contains("expires=thu, 01 jan 1970")
                    || val.is_empty();
                if expired {
                    self.cookies.remove(k.trim());
                } else {
                    self.cookies.insert(k.trim().to_string(), val.to_string());
                }
            }
        }
        let body = res.body().limit(16 * 1024 * 1024).await.expect("body");
        Reply {
            status: res.status(),
            headers: res.headers().clone(),
            body: String::from_utf8_lossy(&body).into_owned(),
            bytes: body.to_vec(),
        }
    }

    /// Sends JSON, answering `Err` instead of panicking when the server is not there or goes
    /// away mid-answer (crash and scale-out tests).
    pub async fn try_send_json(
        &mut self,
        method: &str,
        path: &str,
        body: &Value,
    ) -> Result<Reply, String> {
        let m = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let req = self.request(m.clone(), path);
        let sent = if m == awc::http::Method::GET {
            req.send().await
        } else {
            req.insert_header(("Content-Type", "application/json"))
                .send_body(body.to_string())
                .await
        };
        let mut res = sent.map_err(|e| e.to_string())?;
        let bytes = res
            .body()
            .limit(16 * 1024 * 1024)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Reply {
            status: res.status(),
            headers: res.headers().clone(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        })
    }

    fn request(&self, method: awc::http::Method, path: &str) -> awc::ClientRequest {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if !self.cookies.is_empty() {
            req = req.insert_header(("Cookie", self.cookie_header()));
        }
        if let Some(t) = &self.bearer {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        for (k, v) in &self.headers {
            req = req.insert_header((k.as_str(), v.as_str()));
        }
        req
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let res = self
            .request(awc::http::Method::GET, path)
            .send()
            .await
            .expect("GET");
        self.finish(res).await
    }

    pub async fn delete(&mut self, path: &str) -> Reply {
        let res = self
            .request(awc::http::Method::DELETE, path)
            .send()
            .await
            .expect("DELETE");
        self.finish(res).await
    }

    pub async fn send_json(&mut self, method: &str, path: &str, body: &Value) -> Reply {
        let m = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let res = self
            .request(m, path)
            .insert_header(("Content-Type", "application/json"))
            .send_body(body.to_string())
            .await
            .expect("send JSON");
        self.finish(res).await
    }

    pub async fn send_raw(
        &mut self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let m = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let res = self
            .request(m, path)
            .insert_header(("Content-Type", content_type.to_string()))
            .send_body(body)
            .await
            .expect("send raw");
        self.finish(res).await
    }

    pub async fn post_json(&mut self, path: &str, body: &Value) -> Reply {
        self.send_json("POST", path, body).await
    }

    /// Posts a form as a browser would, with the CSRF token from the cookie.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        if !self.cookies.contains_key("unknot_csrf") {
            self.get("/login").await;
        }
        let token = self.cookies.get("unknot_csrf").cloned().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form_raw(path, &all).await
    }

    /// Posts a form exactly as given (no CSRF token added).
    pub async fn post_form_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter())
            .finish();
        self.send_raw(
            "POST",
            path,
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
        .await
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// Registers through the API; returns the user id.
pub async fn register(app: &TestApp, email: &str, role: &str) -> String {
    let mut c = app.client();
    let r = c
        .post_json(
            "/api/v1/auth/register",
            &json!({"email": email, "password": PASSWORD, "display_name": "Test Person", "role": role}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["user_id"].as_str().unwrap().to_string()
}

/// A fresh bearer token for an existing account (e.g. after moving the clock on).
pub async fn api_login(app: &TestApp, email: &str) -> Client {
    api_login_at(&app.addr, email).await
}

/// The stored user with this email (a test's own account, made through the API).
pub async fn user_by_email(app: &TestApp, email: &'static str) -> unknot::store::rows::User {
    app.state
        .db
        .read(move |c| unknot::store::users::find_by_email(c, email))
        .await
        .unwrap()
        .unwrap()
        .0
}

/// [`api_login`] on a server at `base` (a separate process, a proxy).
pub async fn api_login_at(base: &str, email: &str) -> Client {
    let mut c = Client::new(base);
    let r = c
        .post_json(
            "/api/v1/auth/token",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    c.bearer = Some(r.json()["access_token"].as_str().unwrap().to_string());
    c
}

/// A client with a bearer token for a newly registered account.
pub async fn api_user(app: &TestApp, email: &str, role: &str) -> Client {
    register(app, email, role).await;
    api_login(app, email).await
}

/// A browser signed in through the login form.
pub async fn web_user(app: &TestApp, email: &str, role: &str) -> Client {
    register(app, email, role).await;
    web_login(app, email).await
}

/// A browser signed in to an existing account.
pub async fn web_login(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c
        .post_form("/login", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 303, "{email}: {}", r.body);
    assert!(c.cookies.contains_key("unknot_session"));
    c
}

/// `owner` makes a share code with `scope` and `therapist` redeems it (both API clients).
pub async fn share_and_redeem(owner: &mut Client, therapist: &mut Client, scope: &str) {
    let code = owner
        .post_json("/api/v1/shares", &json!({"scope": scope}))
        .await
        .json()["code"]
        .as_str()
        .expect("a share code")
        .to_string();
    let r = therapist
        .post_json("/api/v1/shares/redeem", &json!({"code": code}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// A valid entry body of each kind, timed an hour ago.
pub fn sample_entries() -> Vec<Value> {
    let at = (chrono::Utc::now() - chrono::Duration::hours(1))
        .with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let future = (chrono::Utc::now() + chrono::Duration::days(9))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    vec![
        json!({"kind": "episode", "occurred_at": at, "data": {"body_site": "calf_left", "intensity": 6, "duration_s": 90, "pattern": "cramp", "triggers": ["exercise"], "red_flags": [], "relief": ["stretch"], "notes": "after running"}}),
        json!({"kind": "hydration", "occurred_at": at, "data": {"volume_ml": 500, "electrolytes": true}}),
        json!({"kind": "heat_ice", "occurred_at": at, "data": {"mode": "heat", "minutes": 10, "body_site": "neck"}}),
        json!({"kind": "stretch", "occurred_at": at, "data": {"minutes": 15, "body_sites": ["calf_left", "calf_right"], "routine": "wall stretch"}}),
        json!({"kind": "massage", "occurred_at": at, "data": {"technique": "deep_tissue", "duration_min": 60, "pressure": "firm", "body_sites": ["calf_left"], "therapist": "Sam", "notes": "tight"}}),
        json!({"kind": "condition", "occurred_at": at, "data": {"status": "unwell", "notes": "cold"}}),
        json!({"kind": "event", "occurred_at": future, "data": {"name": "Half marathon"}}),
    ]
}

/// Everything `sync/pull` holds for the client's user, page after page (retrying a page the
/// network lost): each change once, and the server's last mid per device.
pub async fn pull_everything(c: &mut Client) -> (Vec<Value>, HashMap<String, i64>) {
    let (mut changes, mut cursor) = (Vec::new(), String::new());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let path = format!("/api/v1/sync/pull?limit=1000&since={cursor}");
        let page = match c.try_send_json("GET", &path, &Value::Null).await {
            Ok(r) if r.status == 200 => r.json(),
            other => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "pull never answered: {:?}",
                    other.map(|r| r.body)
                );
                continue;
            }
        };
        changes.extend(page["changes"].as_array().cloned().unwrap_or_default());
        cursor = page["cursor"].as_str().unwrap_or_default().to_string();
        if page["has_more"] != true {
            let mids = page["last_mid"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_i64().unwrap_or(-1)))
                        .collect()
                })
                .unwrap_or_default();
            return (changes, mids);
        }
    }
}

/// A small seeded generator (xorshift) for tests that draw at random: the same seed draws the
/// same values, so a failure replays.
pub struct Rng(pub u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
