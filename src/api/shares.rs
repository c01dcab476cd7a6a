//! Sharing (API.md): share codes, redeeming them, a therapist's read access to a client's journal,
//! session notes, and the client's access log.

use crate::api::dto::entries::{EntryListQuery, EntryOut, EntryPage};
use crate::api::dto::insight::{NowQuery, SuggestionsOut, TrendsOut, TrendsQuery};
use crate::api::dto::sharing::{
    AccessLogOut, AccessOut, AddendumIn, NewShareIn, NoteEdit, NoteIn, NoteOut, NotesOut, RedeemIn,
    Redeemed, ShareCreated, ShareOut, SharedClientOut, SharesOut,
};
use crate::api::routes::{Endpoint, ep};
use crate::api::{MAX_BODY, insight, json_object, trends as api_trends};
use crate::app::{insight as app_insight, journal, notes, sharing};
use crate::auth::access::ApiClientAccess;
use crate::auth::extract::{ApiClient, ApiTherapist};
use crate::auth::{ApiUser, client_address};
use crate::domain::fields::{JsonFields, Reader};
use crate::domain::profile::Role;
use crate::domain::share::{parse_addendum, parse_new_share, parse_note};
use crate::error::AppError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use std::collections::HashMap;

/// The sharing area: codes, grants, the access log, a therapist's reads of a client's journal,
/// and session notes.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        ep!(POST "/api/v1/shares", Client, post_share)
            .doc("sharing", "Make a one-use share code for a therapist (shown once)")
            .body::<NewShareIn>()
            .returns::<ShareCreated>(201),
        ep!(GET "/api/v1/shares", User, get_shares)
            .doc("sharing", "A client's shares, or a therapist's clients")
            .returns::<SharesOut>(200),
        ep!(DELETE "/api/v1/shares/{id}", Client, delete_share)
            .doc("sharing", "Revoke a share at once"),
        ep!(POST "/api/v1/shares/redeem", Therapist, post_redeem)
            .doc("sharing", "Redeem a client's code (rate-limited; one answer for every refused code)")
            .body::<RedeemIn>()
            .returns::<Redeemed>(200),
        ep!(GET "/api/v1/access-log", Client, get_access_log)
            .doc("sharing", "Every therapist read and write of your journal, newest first")
            .returns::<AccessLogOut>(200),
        ep!(GET "/api/v1/notes", Client, get_my_notes)
            .doc("notes", "Final session notes written about you")
            .returns::<NotesOut>(200),
        ep!(GET "/api/v1/clients/{client_id}/entries", ClientAccess, get_client_entries)
            .doc("clients", "A client's entries (therapist with a live grant; else 404)")
            .query::<EntryListQuery>()
            .returns::<EntryPage>(200),
        ep!(GET "/api/v1/clients/{client_id}/suggestions", ClientAccess, get_client_suggestions)
            .doc("clients", "A client's suggestions")
            .query::<NowQuery>()
            .returns::<SuggestionsOut>(200),
        ep!(GET "/api/v1/clients/{client_id}/trends", ClientAccess, get_client_trends)
            .doc("clients", "A client's trends")
            .query::<TrendsQuery>()
            .returns::<TrendsOut>(200),
        ep!(GET "/api/v1/clients/{client_id}/notes", ClientAccess, get_client_notes)
            .doc("notes", "Notes about a client: your drafts and every final note")
            .returns::<NotesOut>(200),
        ep!(POST "/api/v1/clients/{client_id}/notes", ClientAccess, post_client_note)
            .doc("notes", "Write a session note (read_notes scope)")
            .body::<NoteIn>()
            .returns::<NoteOut>(201),
        ep!(PUT "/api/v1/clients/{client_id}/notes/{note_id}", ClientAccess, put_client_note)
            .doc("notes", "Edit your draft (409 note_final once final)")
            .body::<NoteEdit>()
            .returns::<NoteOut>(200),
        ep!(POST "/api/v1/clients/{client_id}/notes/{note_id}/addenda", ClientAccess, post_addendum)
            .doc("notes", "Add a dated addendum to your final note; answers the note")
            .body::<AddendumIn>()
            .returns::<NoteOut>(201),
    ]
}

/// `POST /api/v1/shares` (client).
pub async fn post_share(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let req = parse_new_share(&JsonFields(&map)).map_err(AppError::fields)?;
    let made = sharing::create_share(&state, user.id, req).await?;
    Ok(HttpResponse::Created().json(ShareCreated {
        id: made.id,
        code: made.code,
        scope: made.scope,
        expires_at: made
            .expires_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }))
}

/// `GET /api/v1/shares`: a client's shares, or a therapist's clients.
pub async fn get_shares(
    state: web::Data<AppState>,
    ApiUser(a): ApiUser,
) -> Result<HttpResponse, AppError> {
    let uid = a.user.id;
    if a.user.role == Role::Therapist {
        let list = sharing::clients_of(&state, uid).await?;
        return Ok(HttpResponse::Ok().json(SharesOut::Clients {
            clients: list.iter().map(SharedClientOut::from).collect(),
        }));
    }
    let list = sharing::shares_of(&state, uid).await?;
    Ok(HttpResponse::Ok().json(SharesOut::Shares {
        shares: list.iter().map(ShareOut::from).collect(),
    }))
}

/// `DELETE /api/v1/shares/{id}` (client): revokes at once.
pub async fn delete_share(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    sharing::revoke(&state, user.id, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/shares/redeem` (therapist).
pub async fn post_redeem(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiTherapist(a): ApiTherapist,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let src = JsonFields(&map);
    let mut r = Reader::new(&src);
    r.deny_unknown(&["code"]);
    let code = r.required_text("code", 40);
    if !r.errors.is_empty() {
        return Err(AppError::fields(r.errors));
    }
    let (client, scope) = sharing::redeem(
        &state,
        &client_address(&req),
        a.user.id,
        &code.unwrap_or_default(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(Redeemed {
        client_id: client.id.to_string(),
        display_name: client.display_name,
        scope,
    }))
}

/// `GET /api/v1/access-log` (client): every therapist read and write, newest first.
pub async fn get_access_log(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
) -> Result<HttpResponse, AppError> {
    let list = sharing::access_log(&state, user.id, 1000).await?;
    Ok(HttpResponse::Ok().json(AccessLogOut {
        accesses: list.iter().map(AccessOut::from).collect(),
    }))
}

/// `GET /api/v1/notes` (client): final notes written about them.
pub async fn get_my_notes(
    state: web::Data<AppState>,
    ApiClient(user): ApiClient,
) -> Result<HttpResponse, AppError> {
    let list = notes::about(&state, user.id, None).await?;
    Ok(HttpResponse::Ok().json(NotesOut::new(&list)))
}

/// `GET /api/v1/clients/{client_id}/entries`.
pub async fn get_client_entries(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let query = crate::api::entries::list_query(&q, 100)?;
    let (list, next) = journal::list(&state, access.client.id, query).await?;
    Ok(HttpResponse::Ok().json(EntryPage {
        entries: list.iter().map(EntryOut::from).collect(),
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// `GET /api/v1/clients/{client_id}/suggestions?now=`.
pub async fn get_client_suggestions(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let e = app_insight::evaluate_at(&state, &access.client, insight::given_now(&q)?).await?;
    Ok(HttpResponse::Ok().json(SuggestionsOut::new(&e.evaluation, e.at)))
}

/// `GET /api/v1/clients/{client_id}/trends`.
pub async fn get_client_trends(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    api_trends::respond(&state, &access.client, &q).await
}

/// `GET /api/v1/clients/{client_id}/notes`.
pub async fn get_client_notes(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
) -> Result<HttpResponse, AppError> {
    let list = notes::about(&state, access.client.id, Some(access.therapist.id)).await?;
    Ok(HttpResponse::Ok().json(NotesOut::new(&list)))
}

/// `POST /api/v1/clients/{client_id}/notes` (`read_notes` scope).
pub async fn post_client_note(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let map = json_object(body, MAX_BODY).await?;
    let input = parse_note(&JsonFields(&map), true).map_err(AppError::fields)?;
    let note = notes::create(&state, &access, input).await?;
    Ok(HttpResponse::Created().json(NoteOut::from(&note)))
}

/// `PUT /api/v1/clients/{client_id}/notes/{note_id}`: edit a draft (409 once final).
pub async fn put_client_note(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    path: web::Path<(String, String)>,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let note_id = path.into_inner().1;
    let map = json_object(body, MAX_BODY).await?;
    let input = parse_note(&JsonFields(&map), false).map_err(AppError::fields)?;
    let note = notes::update_draft(&state, &access, note_id, input).await?;
    Ok(HttpResponse::Ok().json(NoteOut::from(&note)))
}

/// `POST /api/v1/clients/{client_id}/notes/{note_id}/addenda` `{"body"}`: a dated correction.
pub async fn post_addendum(
    state: web::Data<AppState>,
    ApiClientAccess(access): ApiClientAccess,
    path: web::Path<(String, String)>,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let note_id = path.into_inner().1;
    let map = json_object(body, MAX_BODY).await?;
    let text = parse_addendum(&JsonFields(&map)).map_err(AppError::fields)?;
    let note = notes::add_addendum(&state, &access, note_id, text).await?;
    Ok(HttpResponse::Created().json(NoteOut::from(&note)))
}
