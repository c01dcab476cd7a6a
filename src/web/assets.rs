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
const STABLE: &[&str] = &["sw.js", "manifest.webmanifest"];

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
