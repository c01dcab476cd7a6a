//! The one place therapist access to a client's journal is decided: a live grant from that
//! client (not revoked, not expired), with the scope the request needs. Without a live grant the
//! answer is 404, which does not reveal whether the client exists.
//!
//! Every granted request is logged for the client, and only once it has passed validation too:
//! a write by the operation itself, in its transaction; a read by [`log_reads`], which writes
//! the row once the answer is known to be a success and before it leaves (no row, no answer).

use crate::auth::extract::{ApiUser, Authenticated};
use crate::domain::ids::UserId;
use crate::domain::profile::Role;
use crate::domain::share::Scope;
use crate::error::AppError;
use crate::store::rows::User;
use crate::store::{shares, users};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
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

/// A granted read, logged once its answer succeeds.
#[derive(Clone, Debug)]
struct PendingRead {
    client: UserId,
    therapist: UserId,
    resource: String,
}

/// Writes the access-log row of a granted read whose answer is a success; a read refused by
/// validation leaves no row. If the row cannot be written the answer is withheld.
pub async fn log_reads(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let res = next.call(req).await?;
    let pending = res.request().extensions_mut().remove::<PendingRead>();
    if let Some(p) = pending.filter(|_| res.status().is_success()) {
        let state = crate::auth::AuthContext::of(res.request())?;
        let now = state.now();
        state
            .db
            .write(move |c| {
                shares::record_access(c, p.client, p.therapist, "read", &p.resource, now)
            })
            .await
            .map_err(AppError::from)?;
    }
    Ok(res)
}

/// Decides a therapist's access to the client named in the path. A write is logged by the
/// operation itself, in its transaction, once the request has passed CSRF and validation; a
/// read by [`log_reads`] once its answer succeeds. A refused request leaves no row.
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
    let resource = req.path().to_string();
    let therapist = who.user.id;
    let (client_user, scope) = state
        .db
        .read(move |c| {
            let scope = shares::live_scope(c, client, therapist, now)?.ok_or(AppError::NotFound)?;
            if write && !scope.may_write_notes() {
                return Err(AppError::Forbidden(
                    "This share lets you read the journal, not write notes.",
                ));
            }
            let (user, _) = users::find_with_hash(c, client)?;
            Ok((user, scope))
        })
        .await?;
    if !write {
        req.extensions_mut().insert(PendingRead {
            client,
            therapist,
            resource: resource.clone(),
        });
    }
    Ok(ClientAccess {
        therapist: who.user,
        client: client_user,
        scope,
        resource,
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
