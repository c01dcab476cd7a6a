//! Session notes: a therapist writes drafts and final notes about a client with a `read_notes`
//! grant, and adds dated addenda to final ones; clients read final notes about them.

use crate::auth::access::ClientAccess;
use crate::domain::ids::UserId;
use crate::domain::share::{NoteInput, SESSION_REFUSED};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::notes::{self, Note};
use crate::store::shares;
use tracing::instrument;

/// Notes about `client` as `viewer` may see them (a therapist: their own drafts and every final
/// note; `None`, the client: final notes only), newest first.
#[instrument(name = "app.notes.about", skip_all)]
pub async fn about(
    state: &AppState,
    client: UserId,
    viewer: Option<UserId>,
) -> Result<Vec<Note>, AppError> {
    Ok(state
        .db
        .read(move |c| notes::for_client(c, client, viewer))
        .await?)
}

/// Writes a note; a linked session must be one of the client's massage entries, checked in the
/// same transaction (a failed check saves nothing).
#[instrument(name = "app.notes.create", skip_all)]
pub async fn create(
    state: &AppState,
    access: &ClientAccess,
    input: NoteInput,
) -> Result<Note, AppError> {
    let (client, therapist, now) = (access.client.id, access.therapist.id, state.now());
    let resource = access.resource.clone();
    state
        .db
        .write(move |c| {
            if let Some(s) = input.session
                && !notes::is_client_session(c, client, s)?
            {
                return Err(AppError::field("session_entry_id", SESSION_REFUSED));
            }
            let id = notes::create(
                c,
                client,
                therapist,
                input.session,
                &input.soap,
                input.is_final,
                now,
            )?;
            shares::record_access(c, client, therapist, "write", &resource, now)?;
            Ok(notes::visible(c, client, therapist, &id)?)
        })
        .await
}

/// The therapist's own draft, for editing: 404 if it is not theirs, 409 once final.
#[instrument(name = "app.notes.own_draft", skip_all)]
pub async fn own_draft(
    state: &AppState,
    client: UserId,
    therapist: UserId,
    note_id: String,
) -> Result<Note, AppError> {
    let note_id = super::record_id(note_id)?;
    let note = state
        .db
        .read(move |c| notes::visible(c, client, therapist, &note_id))
        .await?;
    if note.therapist_id != therapist.to_string() {
        return Err(AppError::NotFound);
    }
    if note.is_final {
        return Err(StoreError::NoteFinal.into());
    }
    Ok(note)
}

/// Edits a draft (and finalises it if asked); a final note is a `409 note_final`.
#[instrument(name = "app.notes.update_draft", skip_all)]
pub async fn update_draft(
    state: &AppState,
    access: &ClientAccess,
    note_id: String,
    input: NoteInput,
) -> Result<Note, AppError> {
    let note_id = super::record_id(note_id)?;
    let (client, therapist, now) = (access.client.id, access.therapist.id, state.now());
    let resource = access.resource.clone();
    Ok(state
        .db
        .write(move |c| {
            notes::update_draft(
                c,
                client,
                therapist,
                &note_id,
                &input.soap,
                input.is_final,
                now,
            )?;
            shares::record_access(c, client, therapist, "write", &resource, now)?;
            notes::visible(c, client, therapist, &note_id)
        })
        .await?)
}

/// Adds a dated addendum to one of the therapist's final notes (a draft is `409 note_draft`);
/// returns the note with it.
#[instrument(name = "app.notes.add_addendum", skip_all)]
pub async fn add_addendum(
    state: &AppState,
    access: &ClientAccess,
    note_id: String,
    body: String,
) -> Result<Note, AppError> {
    let note_id = super::record_id(note_id)?;
    let (client, therapist, now) = (access.client.id, access.therapist.id, state.now());
    let resource = access.resource.clone();
    Ok(state
        .db
        .write(move |c| {
            notes::add_addendum(c, client, therapist, &note_id, &body, now)?;
            shares::record_access(c, client, therapist, "write", &resource, now)?;
            notes::visible(c, client, therapist, &note_id)
        })
        .await?)
}
