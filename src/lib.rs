//! Unknot: a self-care journal for people with recurring muscle spasms and cramps,
//! and for the massage therapists who treat them.
//!
//! Floors, bottom up (nothing imports a higher floor, and the two edges never import each
//! other): `domain` (pure) → `store`, `auth` → `app` (one function per user operation) →
//! `web` (pages), `api` (JSON) → `demo`, `startup` → `main`.

pub mod api;
pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web;
