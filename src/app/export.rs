//! Export and import: the doctor report (PDF and page), CSV, the JSON backup and FHIR of a
//! period of a journal, and restoring a backup in one transaction.

use crate::app::insight::{evaluate, today_for};
use crate::domain::entry::{Entry, NewEntry};
use crate::domain::fields::FieldErrors;
use crate::domain::ids::UserId;
use crate::domain::report::{self, Period, Report};
use crate::error::AppError;
use crate::export::{backup, csv, fhir, pdf};
use crate::state::AppState;
use crate::store::notes::{self, Note};
use crate::store::rows::User;
use crate::store::{StoreError, entries, users};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use tracing::instrument;

/// What can be downloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Csv,
    Json,
    Fhir,
}

impl Format {
    /// Reads `pdf`, `csv`, `json` or `fhir`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pdf" => Some(Self::Pdf),
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "fhir" => Some(Self::Fhir),
            _ => None,
        }
    }
}

/// A file to download.
pub struct Download {
    pub filename: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl Download {
    /// The answer that saves it: an attachment, never cached (it holds health data).
    pub fn into_response(self) -> actix_web::HttpResponse {
        actix_web::HttpResponse::Ok()
            .content_type(self.content_type)
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.filename),
            ))
            .insert_header(("Cache-Control", "no-store"))
            .body(self.bytes)
    }
}

/// The last 90 days up to today in the user's time zone: the default period.
pub fn default_period(user: &User, now: DateTime<Utc>) -> Period {
    Period::last_days(today_for(user, now), 90)
}

/// The period asked for. Both ends given: that period. One end: the other defaults (today, or
/// 89 days before `to`). Neither: the last 90 days, or `None` (the whole journal) when
/// `whole_by_default`, as the backup wants.
pub fn period_from(
    user: &User,
    now: DateTime<Utc>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    whole_by_default: bool,
) -> Result<Option<Period>, AppError> {
    let default = default_period(user, now);
    match (from, to) {
        (None, None) if whole_by_default => Ok(None),
        (None, None) => Ok(Some(default)),
        (from, to) => {
            let to = to.unwrap_or(default.to);
            let from = from.unwrap_or(to - Duration::days(89));
            Period::new(from, to)
                .map(Some)
                .map_err(|e| AppError::field("from", e))
        }
    }
}

/// Entries whose own local date lies in `period`, oldest first (all kinds).
async fn period_entries(
    state: &AppState,
    user: UserId,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<Vec<Entry>, AppError> {
    let mut list = state
        .db
        .read(move |c| entries::for_export(c, user, from, to))
        .await?;
    list.retain(|e| {
        let d = e.occurred_at.date_naive();
        from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t)
    });
    Ok(list)
}

/// The report of `period` for `user`, with the suggestions active at its end.
#[instrument(name = "app.export.report", skip_all)]
pub async fn report(state: &AppState, user: &User, period: Period) -> Result<Report, AppError> {
    let now = state.now();
    // The previous period and the 90 days the self-care effect reads, before the period's end.
    let from = period.previous().from.min(period.to - Duration::days(93));
    let list = period_entries(state, user.id, Some(from), Some(period.to)).await?;
    let end = period
        .to
        .and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default())
        .and_utc()
        .min(now);
    let (uid, at) = (user.id, end);
    let recent = state
        .db
        .read(move |c| entries::for_insight(c, uid, at))
        .await?;
    let (evaluation, _) = evaluate(user, recent, end.fixed_offset());
    let target = user.thresholds.thresholds().hydration_target_ml as u32;
    Ok(report::build(
        &user.display_name,
        &list,
        period,
        &evaluation,
        target,
    ))
}

fn stamp(now: DateTime<Utc>) -> String {
    now.format("%-d %b %Y %H:%M UTC").to_string()
}

fn note_copy(n: &Note) -> backup::NoteCopy {
    backup::NoteCopy {
        therapist_name: n.therapist_name.clone(),
        written_at: n.created_at,
        parts: [
            ("subjective", n.soap.subjective.clone()),
            ("objective", n.soap.objective.clone()),
            ("assessment", n.soap.assessment.clone()),
            ("plan", n.soap.plan.clone()),
        ],
        addenda: n
            .addenda
            .iter()
            .map(|a| (a.created_at, a.body.clone()))
            .collect(),
    }
}

/// The download of `format` for `period` (`None`: the whole journal, for the backup).
#[instrument(name = "app.export.download", skip_all)]
pub async fn download(
    state: &AppState,
    user: &User,
    format: Format,
    period: Option<Period>,
) -> Result<Download, AppError> {
    let now = state.now();
    let name = |ext: &str| {
        let span = period
            .map(|p| format!("{}_{}", p.from, p.to))
            .unwrap_or_else(|| format!("all_{}", now.format("%Y-%m-%d")));
        format!("unknot_{span}.{ext}")
    };
    let (from, to) = (period.map(|p| p.from), period.map(|p| p.to));
    Ok(match format {
        Format::Pdf => {
            let p = period.unwrap_or_else(|| default_period(user, now));
            let r = report(state, user, p).await?;
            let bytes = pdf::render(&r, &stamp(now))
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("the PDF failed: {e}")))?;
            Download {
                filename: name("pdf"),
                content_type: "application/pdf",
                bytes,
            }
        }
        Format::Csv => Download {
            filename: name("csv"),
            content_type: "text/csv; charset=utf-8",
            bytes: csv::write(&period_entries(state, user.id, from, to).await?),
        },
        Format::Fhir => {
            let list = period_entries(state, user.id, from, to).await?;
            let bundle = fhir::bundle(user.id, &user.display_name, &list, now);
            Download {
                filename: name("fhir.json"),
                content_type: "application/fhir+json",
                bytes: serde_json::to_vec_pretty(&bundle).unwrap_or_default(),
            }
        }
        Format::Json => {
            let list = period_entries(state, user.id, from, to).await?;
            let uid = user.id;
            let notes = state
                .db
                .read(move |c| notes::for_client(c, uid, None))
                .await?;
            let copies: Vec<_> = notes.iter().map(note_copy).collect();
            let profile = backup::Profile {
                display_name: &user.display_name,
                timezone: user.timezone.as_deref(),
                cautions: &user.cautions,
                thresholds: &user.thresholds,
            };
            Download {
                filename: name("json"),
                content_type: "application/json",
                bytes: backup::write(&profile, &list, &copies, now),
            }
        }
    })
}

/// What a restore did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Restored {
    /// Entries the account did not have.
    pub added: usize,
    /// Entries it had, the same.
    pub unchanged: usize,
    /// Entries it had with other content (edited since the backup): the account's copy is kept.
    pub kept: usize,
    /// Entries deleted since the backup, brought back.
    pub restored: usize,
}

fn restore_one(
    c: &mut crate::store::DbConn,
    user: UserId,
    e: &NewEntry,
    now: DateTime<Utc>,
    done: &mut Restored,
) -> Result<(), StoreError> {
    match entries::find(c, user, e.id)? {
        None => {
            entries::create(c, user, e, now)?;
            done.added += 1;
        }
        Some(s) if s.deleted => {
            entries::revive(c, user, e, now)?;
            done.restored += 1;
        }
        Some(s) if s.occurred_at == e.occurred_at && s.data == e.data => done.unchanged += 1,
        Some(_) => done.kept += 1,
    }
    Ok(())
}

/// Restores a backup into `user`'s journal in one transaction: all of it, or (on any problem,
/// reported per field) nothing. Importing the same file twice changes nothing the second time.
/// Profile settings fill only what the account has not set.
#[instrument(name = "app.export.import", skip_all)]
pub async fn import(state: &AppState, user: &User, bytes: Vec<u8>) -> Result<Restored, AppError> {
    let now = state.now();
    let restore = backup::read(&bytes, now).map_err(AppError::fields)?;
    let u = user.clone();
    Ok(state
        .db
        .write(move |c| {
            let mut done = Restored::default();
            for e in &restore.entries {
                restore_one(c, u.id, e, now, &mut done)?;
            }
            let details = crate::domain::profile::ProfileDetails {
                display_name: u.display_name.clone(),
                timezone: u.timezone.clone().or(restore.timezone.clone()),
                cautions: if u.cautions.is_empty() {
                    restore.cautions.clone()
                } else {
                    u.cautions.clone()
                },
            };
            users::update_details(c, u.id, &details, now)?;
            if u.thresholds.iter().next().is_none() {
                users::update_thresholds(c, u.id, &restore.thresholds, now)?;
            }
            Ok::<_, StoreError>(done)
        })
        .await?)
}

/// Refuses an import body that is not a file (empty).
pub fn no_file() -> AppError {
    AppError::fields(FieldErrors::one(
        "file",
        "is required: choose the .json file Unknot exported",
    ))
}
