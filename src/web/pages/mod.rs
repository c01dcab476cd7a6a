//! Page handlers, one module per area, each with its template structs.

pub mod account;
pub mod clients;
pub mod export;
pub mod insight;
pub mod journal;
pub mod report;
pub mod sharing;
pub mod spasm;
pub mod today;
pub mod trends;

use actix_web::web;

/// A page route, declared once: method, path and handler.
pub struct PageRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub route: fn() -> actix_web::Route,
}

/// `page!(GET "/path" => handler)`.
macro_rules! page {
    (GET $path:literal => $handler:path) => {
        $crate::web::pages::PageRoute {
            method: "GET",
            path: $path,
            route: || actix_web::web::get().to($handler),
        }
    };
    (POST $path:literal => $handler:path) => {
        $crate::web::pages::PageRoute {
            method: "POST",
            path: $path,
            route: || actix_web::web::post().to($handler),
        }
    };
}
pub(crate) use page;

/// Registers every page route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for r in sharing::routes()
        .into_iter()
        .chain(clients::routes())
        .chain(export::routes())
        .chain(report::routes())
    {
        cfg.route(r.path, (r.route)());
    }
    cfg.route("/", web::get().to(today::get_today))
        .route("/quick", web::post().to(today::post_quick))
        .route("/spasm", web::get().to(spasm::get_spasm))
        .route("/spasm", web::post().to(spasm::post_spasm))
        .route("/spasm/{id}", web::get().to(spasm::get_after))
        .route("/spasm/{id}", web::post().to(spasm::post_after))
        .route("/log", web::get().to(journal::get_log_menu))
        .route("/log/{kind}", web::get().to(journal::get_log_form))
        .route("/log/{kind}", web::post().to(journal::post_log_form))
        .route("/timeline", web::get().to(journal::get_timeline))
        .route("/insights", web::get().to(insight::get_insights))
        .route("/trends", web::get().to(trends::get_trends))
        .route("/technique", web::get().to(insight::get_technique))
        .route("/entries/{id}/edit", web::get().to(journal::get_edit))
        .route("/entries/{id}/edit", web::post().to(journal::post_edit))
        .route("/entries/{id}/delete", web::post().to(journal::post_delete))
        .route(
            "/entries/{id}/restore",
            web::post().to(journal::post_restore),
        )
        .route("/login", web::get().to(account::get_login))
        .route("/login", web::post().to(account::post_login))
        .route("/register", web::get().to(account::get_register))
        .route("/register", web::post().to(account::post_register))
        .route("/logout", web::post().to(account::post_logout))
        .route("/demo", web::post().to(account::post_demo))
        .route("/settings", web::get().to(account::get_settings))
        .route("/settings", web::post().to(account::post_settings))
        .route("/settings/password", web::post().to(account::post_password))
        .route(
            "/settings/thresholds",
            web::post().to(account::post_thresholds),
        )
        .route(
            "/settings/delete",
            web::post().to(account::post_delete_account),
        );
}
