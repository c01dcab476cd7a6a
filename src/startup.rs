//! Builds the application: database, state, middleware and routes, bound to a listener.

use crate::auth::csrf::{self, SecureCookies};
use crate::auth::token::TokenKeys;
use crate::config::Settings;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::Db;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, DefaultHeaders, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use std::net::TcpListener;
use tracing_actix_web::TracingLogger;

/// The Content-Security-Policy of every response: no inline script or style, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state.db.ping().await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ok"})))
}

/// Headers every response carries unless its handler set them: nothing private is stored by a
/// cache (assets say otherwise themselves), and HTTPS only when the site is served over it.
fn security_headers(hsts: bool) -> DefaultHeaders {
    let h = DefaultHeaders::new().add(("Cache-Control", "no-store"));
    if hsts {
        h.add((
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        h
    }
}

/// Old tombstones and ended sessions are cleared at start and then daily; idle rate-limit keys
/// are forgotten every ten minutes.
fn spawn_housekeeping(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut ticks = actix_web::rt::time::interval(std::time::Duration::from_secs(600));
        let mut n: u64 = 0;
        loop {
            ticks.tick().await;
            if n.is_multiple_of(144) {
                match crate::app::housekeeping::daily(&state).await {
                    Ok(c) => tracing::info!(
                        tombstones = c.tombstones,
                        sessions = c.sessions,
                        "daily clean-up"
                    ),
                    Err(e) => tracing::warn!(error = %e, "daily clean-up failed"),
                }
            }
            crate::app::housekeeping::forget_idle_limits(&state);
            n += 1;
        }
    });
}

impl Application {
    /// Connects and migrates the database, then binds `settings.addr`.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = Db::connect(&settings.database)?;
        let listener = TcpListener::bind(&settings.addr)?;
        Self::build_with(settings, db, listener)
    }

    /// Builds on an already connected database and bound listener.
    pub fn build_with(
        mut settings: Settings,
        db: Db,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        // The default public address is the one actually bound (port 0 picks one).
        if settings.public_url == format!("http://{}", settings.addr) {
            settings.public_url = format!("http://{}", listener.local_addr()?);
        }
        if settings.jwt_secret_generated {
            // Keep one generated key in the database so sign-ins survive a restart.
            let fresh = settings.jwt_secret.to_hex();
            let stored = db
                .write_blocking(|c| {
                    crate::store::server_keys::get_or_create(
                        c,
                        "jwt_secret",
                        chrono::Utc::now(),
                        || fresh,
                    )
                })
                .map_err(|e| anyhow::anyhow!("reading the token key failed: {e}"))?;
            settings.jwt_secret = crate::config::Secret::new(stored.into_bytes());
        }
        let state = AppState {
            keys: TokenKeys::new(&settings.jwt_secret),
            db,
            settings: settings.clone(),
            clock: crate::clock::ServerClock::default(),
            limits: std::sync::Arc::new(crate::state::Limits::default()),
            recent: Default::default(),
            evaluations: Default::default(),
        };
        spawn_housekeeping(state.clone());
        // HSTS only where the site is served over HTTPS.
        let hsts = settings.secure_cookies || settings.public_url.starts_with("https://");
        let data = web::Data::new(state.clone());
        let drawings = web::Data::new(crate::web::pages::trends::Drawings::default());
        let auth = web::Data::new(state.auth_context());
        let secure = web::Data::new(SecureCookies(settings.secure_cookies));
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(drawings.clone())
                .app_data(auth.clone())
                .app_data(secure.clone())
                .app_data(web::QueryConfig::default().error_handler(|e, _| {
                    AppError::BadRequest(format!("The query string is not valid: {e}.")).into()
                }))
                .app_data(
                    web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()),
                )
                .wrap(from_fn(crate::auth::access::log_reads))
                .wrap(from_fn(csrf::ensure_token))
                .wrap(
                    security_headers(hsts)
                        .add(("Content-Security-Policy", CSP))
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("Referrer-Policy", "same-origin"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Cross-Origin-Opener-Policy", "same-origin"))
                        .add((
                            "Permissions-Policy",
                            "camera=(), microphone=(), geolocation=()",
                        )),
                )
                .wrap(Compress::default())
                .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
                .route("/healthz", web::get().to(healthz))
                .configure(crate::api::configure)
                .configure(crate::web::configure)
        })
        .listen(listener)?;
        if settings.workers > 0 {
            server = server.workers(settings.workers);
        }
        Ok(Self {
            port,
            server: server.run(),
            state,
        })
    }

    /// The bound port (tests bind port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests use the database directly).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A handle to stop the server gracefully.
    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
