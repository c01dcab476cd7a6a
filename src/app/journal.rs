//! The journal: log, read, edit, delete and restore entries; today's page; quick logging.

use crate::domain::entry::{Entry, EntryData, EntryKind, Logged, NewEntry};
use crate::domain::ids::{EntryId, UserId};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::entries::{self, Created, Cursor, ListQuery};
use crate::store::notes::{self, Note};
use crate::store::rows::User;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use tracing::instrument;

/// One page of a user's entries, newest first, and the cursor of the next page.
#[instrument(name = "app.journal.list", skip_all)]
pub async fn list(
    state: &AppState,
    user: UserId,
    query: ListQuery,
) -> Result<(Vec<Entry>, Option<Cursor>), AppError> {
    Ok(state
        .db
        .read(move |c| entries::list(c, user, &query))
        .await?)
}

/// One live entry of the user's (404 for a deleted one or someone else's).
#[instrument(name = "app.journal.get", skip_all)]
pub async fn get(state: &AppState, user: UserId, id: EntryId) -> Result<Entry, AppError> {
    Ok(state
        .db
        .read(move |c| entries::get_live(c, user, id))
        .await?)
}

/// Logs an entry; the same id again with the same content is `Created::Existing`.
#[instrument(name = "app.journal.create", skip_all)]
pub async fn create(state: &AppState, user: UserId, new: NewEntry) -> Result<Created, AppError> {
    let now = state.now();
    Ok(state
        .db
        .write_short(move |c| entries::create(c, user, &new, now))
        .await?)
}

/// Logs an entry from a form that may be sent twice (a double tap, a retry after a lost answer):
/// an id already logged by this user answers the stored entry instead of a conflict.
#[instrument(name = "app.journal.log_once", skip_all)]
pub async fn log_once(state: &AppState, user: UserId, new: NewEntry) -> Result<Entry, AppError> {
    let now = state.now();
    Ok(state
        .db
        .write_short(move |c| match entries::create(c, user, &new, now) {
            Ok(Created::New(e) | Created::Existing(e)) => Ok(e),
            Err(StoreError::EntryIdTaken) => entries::get_live(c, user, new.id),
            Err(e) => Err(e),
        })
        .await?)
}

/// Replaces an entry if `version` is still current: `Ok(saved)`, or `Err(current)` when another
/// device changed it first.
#[instrument(name = "app.journal.update", skip_all)]
pub async fn update(
    state: &AppState,
    user: UserId,
    new: NewEntry,
    version: i64,
) -> Result<Result<Entry, Entry>, AppError> {
    let now = state.now();
    Ok(state
        .db
        .write_short(move |c| entries::update(c, user, &new, version, now))
        .await?)
}

/// Deletes an entry (a tombstone), checking `version` when given: `Err(current)` if stale.
#[instrument(name = "app.journal.delete", skip_all)]
pub async fn delete(
    state: &AppState,
    user: UserId,
    id: EntryId,
    version: Option<i64>,
) -> Result<Result<(), Entry>, AppError> {
    let now = state.now();
    Ok(state
        .db
        .write_short(move |c| entries::delete(c, user, id, version, now))
        .await?)
}

/// Brings a deleted entry back (undo).
#[instrument(name = "app.journal.restore", skip_all)]
pub async fn restore(state: &AppState, user: UserId, id: EntryId) -> Result<(), AppError> {
    let now = state.now();
    Ok(state
        .db
        .write_short(move |c| entries::restore(c, user, id, now))
        .await?)
}

/// Entries the home page lists; the rest of the day is on the timeline.
pub const TODAY_LISTED: usize = 20;

/// What the home page shows of today: entries since `start` (the newest few, how many, and
/// their water), and the latest episode ever logged (to offer "same episode as last time").
#[instrument(name = "app.journal.today", skip_all)]
pub async fn today(
    state: &AppState,
    user: &User,
    start: DateTime<Utc>,
) -> Result<(Logged, Option<Entry>), AppError> {
    let now = state.now();
    let span = (now, start, now + Duration::seconds(1));
    Ok(state
        .recent
        .today(&state.db, user.id, user.seq, span, TODAY_LISTED)
        .await?)
}

/// One page of the timeline.
pub struct TimelinePage {
    /// Newest first.
    pub entries: Vec<Entry>,
    pub next: Option<Cursor>,
    /// Final notes about the user (first page only).
    pub notes: Vec<Note>,
}

/// What the timeline shows: one kind, and notes holding some words.
#[derive(Clone, Debug, Default)]
pub struct TimelineFilter {
    pub kind: Option<EntryKind>,
    /// Words looked for in the entries' notes, ignoring case.
    pub notes: Option<String>,
}

/// Rows read per step while looking for notes that match, and the most steps per page (a page
/// that runs out of steps ends with a cursor, and "Older entries" goes on looking).
const SCAN_STEP: i64 = 500;
const SCAN_STEPS: usize = 20;

/// One page of the timeline, with the final notes about the user on the first unfiltered page.
/// A page of the recent journal is read from the copy kept in memory.
#[instrument(name = "app.journal.timeline", skip_all)]
pub async fn timeline(
    state: &AppState,
    user: &User,
    cursor: Option<Cursor>,
    limit: i64,
    filter: TimelineFilter,
) -> Result<TimelinePage, AppError> {
    let first_page = cursor.is_none() && filter.kind.is_none() && filter.notes.is_none();
    let kept = match (&filter.notes, usize::try_from(limit)) {
        (None, Ok(n)) => {
            let key = (user.id, user.seq);
            let page = (cursor.as_ref(), filter.kind, n);
            state.recent.page(&state.db, key, state.now(), page).await?
        }
        _ => None,
    };
    let kept = match kept {
        Some((entries, next)) if !first_page => {
            return Ok(TimelinePage {
                entries,
                next,
                notes: Vec::new(),
            });
        }
        other => other,
    };
    let user = user.id;
    Ok(state
        .db
        .read(move |c| {
            let (entries, next) = match (kept, &filter.notes) {
                (Some(page), _) => page,
                (None, None) => entries::list(
                    c,
                    user,
                    &ListQuery {
                        limit,
                        cursor,
                        kind: filter.kind,
                        ..Default::default()
                    },
                )?,
                (None, Some(words)) => notes_matching(c, user, cursor, limit, filter.kind, words)?,
            };
            let notes = if first_page {
                notes::for_client(c, user, None)?
            } else {
                Vec::new()
            };
            Ok::<_, StoreError>(TimelinePage {
                entries,
                next,
                notes,
            })
        })
        .await?)
}

/// Entries whose notes hold `words` (ignoring case), newest first: the store narrows by the
/// stored text, then only notes count.
fn notes_matching(
    c: &mut crate::store::DbConn,
    user: UserId,
    mut cursor: Option<Cursor>,
    limit: i64,
    kind: Option<EntryKind>,
    words: &str,
) -> Result<(Vec<Entry>, Option<Cursor>), StoreError> {
    let needle = words.to_lowercase();
    let mut found = Vec::new();
    for _ in 0..SCAN_STEPS {
        let q = ListQuery {
            limit: SCAN_STEP,
            cursor: cursor.clone(),
            kind,
            // The store's narrowing folds case for ASCII only (SQLite's lower()); other words
            // are matched here alone.
            text: words.is_ascii().then(|| words.to_string()),
            ..Default::default()
        };
        let (rows, next) = entries::list(c, user, &q)?;
        for e in rows {
            let hit = e
                .data
                .notes()
                .is_some_and(|n| n.to_lowercase().contains(&needle));
            if hit {
                found.push(e);
                if found.len() as i64 == limit {
                    let more = found.last().map(Cursor::after);
                    return Ok((found, more));
                }
            }
        }
        match next {
            Some(n) => cursor = Some(n),
            None => return Ok((found, None)),
        }
    }
    Ok((found, cursor))
}

/// What a one-tap button logs.
pub enum Quick {
    /// This entry's data.
    Data(EntryData),
    /// The last episode again, without its notes and warning signs.
    RepeatEpisode,
}

/// Logs a one-tap entry at `at`; returns it.
#[instrument(name = "app.journal.quick_log", skip_all)]
pub async fn quick_log(
    state: &AppState,
    user: UserId,
    quick: Quick,
    at: DateTime<FixedOffset>,
) -> Result<NewEntry, AppError> {
    let now = state.now();
    state
        .db
        .write_short(move |c| {
            let data = match quick {
                Quick::Data(d) => d,
                Quick::RepeatEpisode => match entries::latest_of_kind(c, user, EntryKind::Episode)?
                {
                    Some(Entry {
                        data: EntryData::Episode(ep),
                        ..
                    }) => EntryData::Episode(ep.repeated()),
                    _ => {
                        return Err(AppError::field(
                            "action",
                            "needs an earlier episode to repeat",
                        ));
                    }
                },
            };
            let e = NewEntry {
                id: EntryId::new_v7(),
                occurred_at: at,
                data,
            };
            entries::create(c, user, &e, now)?;
            Ok(e)
        })
        .await
}

/// Every live entry whose own local date lies in `from..=to`, newest first (a printable
/// timeline of a period).
#[instrument(name = "app.journal.in_period", skip_all)]
pub async fn in_period(
    state: &AppState,
    user: UserId,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<Entry>, AppError> {
    let mut list = state
        .db
        .read(move |c| entries::for_export(c, user, Some(from), Some(to)))
        .await?;
    list.retain(|e| {
        let d = e.occurred_at.date_naive();
        d >= from && d <= to
    });
    list.reverse();
    Ok(list)
}
