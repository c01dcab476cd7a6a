//! Logging: a tracing subscriber (RUST_LOG, default `info`) and per-request spans with request ids.
//! Request spans record method, route template, status and request id only: never the path
//! itself (a report link's path is its secret), queries, bodies, tokens, cookies or addresses.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing::field::Empty;
use tracing_actix_web::{RequestId, RootSpanBuilder};
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

/// The root span of every request. Unlike the crate's default it records the route's template
/// (`/r/{token}`), not the path and query, and it matches the route only when the span is
/// logged: the default matched every request against the router a second time for it, even
/// with request logging off.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let span = tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = Empty,
            http.status_code = Empty,
            request_id = Empty,
            exception.message = Empty,
        );
        if !span.is_disabled() {
            let route = request.match_pattern();
            span.record(
                "http.route",
                tracing::field::display(route.as_deref().unwrap_or("default")),
            );
            if let Some(id) = request.extensions().get::<RequestId>() {
                span.record("request_id", tracing::field::display(id));
            }
        }
        span
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        if span.is_disabled() {
            return;
        }
        let (status, error) = match outcome {
            Ok(response) => (
                response.status(),
                response.response().error().map(ToString::to_string),
            ),
            Err(e) => (e.as_response_error().status_code(), Some(e.to_string())),
        };
        span.record("http.status_code", status.as_u16());
        if let Some(message) = error {
            span.record("exception.message", tracing::field::display(message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RequestSpan;
    use actix_web::{App, HttpResponse, test, web};
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use tracing_actix_web::TracingLogger;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[actix_web::test]
    async fn a_request_is_logged_by_its_route_never_by_its_path() {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = test::init_service(
            App::new()
                .wrap(TracingLogger::<RequestSpan>::new())
                .route("/r/{token}", web::get().to(HttpResponse::Ok)),
        )
        .await;
        for path in ["/r/s3cret-link-token?since=42", "/nowhere/s3cret"] {
            let req = test::TestRequest::get().uri(path).to_request();
            let _ = test::call_service(&app, req).await;
        }
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        assert!(!text.contains("s3cret"), "{text}");
        let logged: Vec<&str> = text.lines().collect();
        assert_eq!(logged.len(), 2, "{text}");
        assert!(logged[0].contains("http.route=/r/{token}"), "{text}");
        assert!(logged[0].contains("http.status_code=200"), "{text}");
        assert!(logged[0].contains("request_id="), "{text}");
        assert!(logged[1].contains("http.route=default"), "{text}");
        assert!(logged[1].contains("http.status_code=404"), "{text}");
    }
}
