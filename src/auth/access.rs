//! The one place therapist access to a client's journal is decided: a live grant from that
//! client (not revoked, not expired), with the scope the request needs. The same transaction
//! writes the access-log row, so no route can forget it. Without a live grant the answer is 404,
//! which does not reveal whether the client exists.

use crate::auth::extract::{ApiUser, Authenticated};
use crate::domain::ids::UserId;
use crate::domain::profile::Role;
use crate::domain::share::Scope;
use crate::error::AppError;
use crate::store::rows::User;
use crate::store::{shares, users};
use actix_web::{FromRequest, HttpRequest};
use std::future::Future;
use std::pin::Pin;

/// A therapist's checked access to one client.
#[derive(Clone, Debug)]
pub struct ClientAccess {
    pub therapist: User,
    pub client: User,
    pub scope: Scope,
    /// The path requested, as the access log names it.
    pub resource: String,
}

/// Whether a request writes (anything but GET/HEAD).
fn is_write(req: &HttpRequest) -> bool {
    !matches!(req.method().as_str(), "GET" | "HEAD")
}

/// Decides a therapist's access to the client named in the path. A read is logged in the same
/// transaction; a write is logged by the operation itself, in its transaction, once the request
/// has passed CSRF and validation (a refused write leaves no row).
pub async fn grant(req: &HttpRequest, who: Authenticated) -> Result<ClientAccess, AppError> {
    if who.user.role != Role::Therapist {
        return Err(AppError::Forbidden(
            "Only therapists can open a client's journal.",
        ));
    }
    let client = req
        .match_info()
        .get("client_id")
        .and_then(UserId::parse)
        .ok_or(AppError::NotFound)?;
    let state = crate::auth::AuthContext::of(req)?;
    let now = state.now();
    let write = is_write(req);
    let action = if write { "write" } else { "read" };
    let resource = req.path().to_string();
    let logged = resource.clone();
    let therapist = who.user.id;
    let (client_user, scope) = state
        .db
        .write(move |c| {
            let scope = shares::live_scope(c, client, therapist, now)?.ok_or(AppError::NotFound)?;
            if write && !scope.may_write_notes() {
                return Err(AppError::Forbidden(
                    "This share lets you read the journal, not write notes.",
                ));
            }
            if !write {
                shares::record_access(c, client, therapist, action, &resource, now)?;
            }
            let (user, _) = users::find_with_hash(c, client)?;
            Ok((user, scope))
        })
        .await?;
    Ok(ClientAccess {
        therapist: who.user,
        client: client_user,
        scope,
        resource: logged,
    })
}

/// `ClientAccess` for the JSON API (bearer token).
#[derive(Clone, Debug)]
pub struct ApiClientAccess(pub ClientAccess);

impl FromRequest for ApiClientAccess {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;
    fn from_request(req: &HttpRequest, p: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        let user = ApiUser::from_request(&req, p);
        Box::pin(async move {
            let ApiUser(who) = user.await?;
            grant(&req, who).await.map(ApiClientAccess)
        })
    }
}
