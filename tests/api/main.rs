//! Integration tests through real HTTP, on SQLite by default and on PostgreSQL when
//! `UNKNOT_TEST_PG` is set.

mod account_deletion;
mod accounts;
mod browser;
mod entries;
mod export;
mod export_pages;
mod faults;
mod fuzz;
mod hardening;
mod helpers;
mod insight;
mod one_path;
mod openapi;
mod pages;
mod processes;
mod proxy;
mod random_input;
mod recent;
mod report_links;
mod security;
mod sharing;
mod sharing_pages;
mod spasm;
mod store;
mod sync;
mod timeline;
mod times;
