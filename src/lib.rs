//! Unknot: a self-care journal for people with recurring muscle spasms and cramps,
//! and for the massage therapists who treat them.
//!
//! Floors (nothing imports a higher floor): `domain` (pure) → `store`, `auth` → `web`, `api`.

pub mod api;
pub mod auth;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web;
