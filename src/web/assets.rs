//! Static files embedded in the binary, served under content-hashed names cached forever.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use rust_embed::RustEmbed;
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Static;

/// Files that must keep a stable name (service worker scope, manifest).
const STABLE: &[&str] = &[
    "sw.js",
    "manifest.webmanifest",
    "img/icon-192.png",
    "img/icon-512.png",
    "img/icon-maskable-512.png",
];

/// logical path -> hashed path, and back.
static MANIFEST: LazyLock<(HashMap<String, String>, HashMap<String, String>)> =
    LazyLock::new(|| {
        let mut fwd = HashMap::new();
        let mut back = HashMap::new();
        for path in Static::iter() {
            let path = path.to_string();
            let Some(file) = Static::get(&path) else {
                continue;
            };
            let hash: String = file.metadata.sha256_hash()[..5]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let hashed = match path.rsplit_once('.') {
                Some((stem, ext)) if !STABLE.contains(&path.as_str()) => {
                    format!("{stem}.{hash}.{ext}")
                }
                _ => path.clone(),
            };
            fwd.insert(path.clone(), hashed.clone());
            back.insert(hashed, path);
        }
        (fwd, back)
    });

/// The URL of an embedded file, with its content hash in the name.
pub fn url(path: &str) -> String {
    match MANIFEST.0.get(path) {
        Some(h) => format!("/static/{h}"),
        None => format!("/static/{path}"),
    }
}

/// `GET /static/{path}`.
pub async fn serve(path: web::Path<String>) -> HttpResponse {
    let requested = path.into_inner();
    let (logical, immutable) = match MANIFEST.1.get(&requested) {
        Some(l) => (l.clone(), l != &requested),
        None => return HttpResponse::NotFound().body("Not found"),
    };
    let Some(file) = Static::get(&logical) else {
        return HttpResponse::NotFound().body("Not found");
    };
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.metadata.mimetype()))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(file.data.into_owned())
}

/// `GET /sw.js`: the service worker at the root (so it controls every page), with the hashed
/// names of the files to keep offline filled in. Never cached by the browser's HTTP cache.
pub async fn service_worker() -> HttpResponse {
    let Some(file) = Static::get("sw.js") else {
        return HttpResponse::NotFound().body("Not found");
    };
    let mut shell: Vec<String> = vec![
        "/".into(),
        "/spasm".into(),
        "/log".into(),
        "/timeline".into(),
        "/static/manifest.webmanifest".into(),
    ];
    use crate::domain::fields::Choice;
    shell.extend(
        crate::domain::entry::EntryKind::ALL
            .iter()
            .map(|k| format!("/log/{}", k.as_str())),
    );
    for path in [
        "css/app.css",
        "js/app.js",
        "img/icon-192.png",
        "img/icon-512.png",
    ] {
        shell.push(url(path));
    }
    let version: String = MANIFEST
        .0
        .values()
        .fold(0u64, |h, name| {
            name.bytes()
                .fold(h, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        })
        .to_string();
    let body = String::from_utf8_lossy(&file.data)
        .replace("__VERSION__", &version)
        .replace(
            "__PRECACHE__",
            &serde_json::to_string(&shell).unwrap_or_else(|_| "[]".into()),
        );
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}
