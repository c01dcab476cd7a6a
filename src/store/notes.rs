//! SOAP session notes: drafts the therapist may edit, final notes that never change, addenda.

use crate::domain::ids::{EntryId, UserId};
use crate::domain::share::Soap;
use crate::store::DbConn;
use crate::store::StoreError;
use crate::store::schema::{note_addenda, notes, users};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;

/// A row of `notes`.
#[derive(Clone, Debug, Queryable, Insertable)]
#[diesel(table_name = notes)]
pub struct NoteRow {
    pub id: String,
    pub client_id: String,
    pub therapist_id: String,
    pub session_entry_id: Option<String>,
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finalized_at: Option<NaiveDateTime>,
}

/// An addendum to a final note.
#[derive(Clone, Debug)]
pub struct Addendum {
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub therapist_name: String,
}

/// A note with its author and addenda.
#[derive(Clone, Debug)]
pub struct Note {
    pub id: String,
    pub client_id: String,
    pub therapist_id: String,
    pub therapist_name: String,
    pub session_entry_id: Option<String>,
    pub soap: Soap,
    pub is_final: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub addenda: Vec<Addendum>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&t)
}

/// Creates a note (a draft unless `is_final`).
pub fn create(
    conn: &mut DbConn,
    client: UserId,
    therapist: UserId,
    session: Option<EntryId>,
    soap: &Soap,
    is_final: bool,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    let row = NoteRow {
        id: id.clone(),
        client_id: client.to_string(),
        therapist_id: therapist.to_string(),
        session_entry_id: session.map(|s| s.to_string()),
        subjective: soap.subjective.clone(),
        objective: soap.objective.clone(),
        assessment: soap.assessment.clone(),
        plan: soap.plan.clone(),
        status: if is_final { "final" } else { "draft" }.into(),
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
        finalized_at: is_final.then(|| now.naive_utc()),
    };
    diesel::insert_into(notes::table)
        .values(&row)
        .execute(conn)?;
    Ok(id)
}

fn own_note(
    conn: &mut DbConn,
    client: UserId,
    therapist: UserId,
    id: &str,
) -> Result<NoteRow, StoreError> {
    notes::table
        .filter(notes::id.eq(id))
        .filter(notes::client_id.eq(client.to_string()))
        .filter(notes::therapist_id.eq(therapist.to_string()))
        .first::<NoteRow>(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Edits a draft (and finalises it if asked). A final note is a `409 note_final`.
pub fn update_draft(
    conn: &mut DbConn,
    client: UserId,
    therapist: UserId,
    id: &str,
    soap: &Soap,
    finalize: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = own_note(conn, client, therapist, id)?;
    if row.status == "final" {
        return Err(StoreError::NoteFinal);
    }
    diesel::update(notes::table.find(id))
        .set((
            notes::subjective.eq(&soap.subjective),
            notes::objective.eq(&soap.objective),
            notes::assessment.eq(&soap.assessment),
            notes::plan.eq(&soap.plan),
            notes::updated_at.eq(now.naive_utc()),
            notes::status.eq(if finalize { "final" } else { "draft" }),
            notes::finalized_at.eq(finalize.then(|| now.naive_utc())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Adds a dated addendum to a final note (drafts are edited instead).
pub fn add_addendum(
    conn: &mut DbConn,
    client: UserId,
    therapist: UserId,
    id: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = own_note(conn, client, therapist, id)?;
    if row.status != "final" {
        return Err(StoreError::NoteDraft);
    }
    diesel::insert_into(note_addenda::table)
        .values((
            note_addenda::id.eq(uuid::Uuid::now_v7().to_string()),
            note_addenda::note_id.eq(id),
            note_addenda::therapist_id.eq(therapist.to_string()),
            note_addenda::body.eq(body),
            note_addenda::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Notes about a client, newest first: all of them for their authors, final ones for others.
/// `viewer` is the therapist reading (drafts of other therapists stay hidden), or `None` for the
/// client, who sees final notes only.
pub fn for_client(
    conn: &mut DbConn,
    client: UserId,
    viewer: Option<UserId>,
) -> Result<Vec<Note>, StoreError> {
    let rows: Vec<(NoteRow, String)> = notes::table
        .inner_join(users::table.on(users::id.eq(notes::therapist_id)))
        .filter(notes::client_id.eq(client.to_string()))
        .order(notes::created_at.desc())
        .select((notes::all_columns, users::display_name))
        .load(conn)?;
    let viewer = viewer.map(|v| v.to_string());
    let rows: Vec<(NoteRow, String)> = rows
        .into_iter()
        .filter(|(n, _)| n.status == "final" || viewer.as_deref() == Some(n.therapist_id.as_str()))
        .collect();
    let ids: Vec<String> = rows.iter().map(|(n, _)| n.id.clone()).collect();
    let addenda: Vec<(String, String, NaiveDateTime, String)> = note_addenda::table
        .inner_join(users::table.on(users::id.eq(note_addenda::therapist_id)))
        .filter(note_addenda::note_id.eq_any(&ids))
        .order(note_addenda::created_at.asc())
        .select((
            note_addenda::note_id,
            note_addenda::body,
            note_addenda::created_at,
            users::display_name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(n, name)| Note {
            addenda: addenda
                .iter()
                .filter(|a| a.0 == n.id)
                .map(|a| Addendum {
                    body: a.1.clone(),
                    created_at: utc(a.2),
                    therapist_name: a.3.clone(),
                })
                .collect(),
            id: n.id,
            client_id: n.client_id,
            therapist_id: n.therapist_id,
            therapist_name: name,
            session_entry_id: n.session_entry_id,
            soap: Soap {
                subjective: n.subjective,
                objective: n.objective,
                assessment: n.assessment,
                plan: n.plan,
            },
            is_final: n.status == "final",
            created_at: utc(n.created_at),
            updated_at: utc(n.updated_at),
        })
        .collect())
}

/// One note about `client` as `viewer` may see it (own drafts and final notes), or 404.
pub fn visible(
    conn: &mut DbConn,
    client: UserId,
    viewer: UserId,
    id: &str,
) -> Result<Note, StoreError> {
    for_client(conn, client, Some(viewer))?
        .into_iter()
        .find(|n| n.id == id)
        .ok_or(StoreError::NotFound)
}

/// Whether `session` is one of the client's live massage entries (a note's link).
pub fn is_client_session(
    conn: &mut DbConn,
    client: UserId,
    session: EntryId,
) -> Result<bool, StoreError> {
    Ok(crate::store::entries::find(conn, client, session)?
        .is_some_and(|e| !e.deleted && e.kind() == crate::domain::entry::EntryKind::Massage))
}
