//! Exports, pure over domain types: the doctor report as PDF, entries as CSV, the JSON backup
//! (which restores) and a FHIR R4 Bundle. May import `domain` only.

pub mod backup;
pub mod csv;
pub mod fhir;
pub mod pdf;
