//! Logging: a tracing subscriber (RUST_LOG, default `info`) and per-request spans with request ids.
//! Request spans record method, route and status only: never bodies, tokens or cookies.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls do nothing.
pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // One line per request when its span closes: request id, method, route, status, time taken.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .try_init();
}
