//! Sharing, the access log and session notes on the wire.

use crate::api::dto::{date_time_schema, uuid_schema};
use crate::domain::share::{NoteStatus, Scope};
use crate::store::notes::Note;
use crate::store::shares::{Access, Share, SharedClient};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `POST /api/v1/shares` (client).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct NewShareIn {
    pub scope: Scope,
    /// 1 to 365 days (default 30).
    #[schema(minimum = 1, maximum = 365)]
    pub expires_in_days: Option<i64>,
}

/// A share code, shown once.
#[derive(Serialize, ToSchema)]
pub struct ShareCreated {
    pub id: String,
    /// `XXXX-XXXX-XXXX`, one use.
    pub code: String,
    pub scope: Scope,
    #[schema(schema_with = date_time_schema)]
    pub expires_at: String,
}

/// Who redeemed a share.
#[derive(Serialize, ToSchema)]
pub struct RedeemedBy {
    #[schema(schema_with = uuid_schema)]
    pub user_id: String,
    pub display_name: String,
}

/// One of a client's shares.
#[derive(Serialize, ToSchema)]
pub struct ShareOut {
    pub id: String,
    pub scope: Scope,
    #[schema(schema_with = date_time_schema)]
    pub created_at: String,
    #[schema(schema_with = date_time_schema)]
    pub expires_at: String,
    pub redeemed_by: Option<RedeemedBy>,
    #[schema(format = DateTime)]
    pub last_access_at: Option<String>,
    pub revoked: bool,
}

impl From<&Share> for ShareOut {
    fn from(s: &Share) -> Self {
        Self {
            id: s.id.clone(),
            scope: s.scope,
            created_at: iso(s.created_at),
            expires_at: iso(s.expires_at),
            redeemed_by: s.redeemed_by.as_ref().map(|(id, name)| RedeemedBy {
                user_id: id.to_string(),
                display_name: name.clone(),
            }),
            last_access_at: s.last_access_at.map(iso),
            revoked: s.revoked,
        }
    }
}

/// A client who shares with the therapist asking.
#[derive(Serialize, ToSchema)]
pub struct SharedClientOut {
    #[schema(schema_with = uuid_schema)]
    pub client_id: String,
    pub display_name: String,
    pub scope: Scope,
    #[schema(schema_with = date_time_schema)]
    pub expires_at: String,
}

impl From<&SharedClient> for SharedClientOut {
    fn from(s: &SharedClient) -> Self {
        Self {
            client_id: s.client.id.to_string(),
            display_name: s.client.display_name.clone(),
            scope: s.scope,
            expires_at: iso(s.expires_at),
        }
    }
}

/// `GET /api/v1/shares`: a client's shares, or a therapist's clients.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum SharesOut {
    /// For a client.
    Shares { shares: Vec<ShareOut> },
    /// For a therapist.
    Clients { clients: Vec<SharedClientOut> },
}

/// `POST /api/v1/shares/redeem` (therapist).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct RedeemIn {
    /// As the client gave it; case, spaces and look-alike letters do not matter.
    #[schema(max_length = 40)]
    pub code: String,
}

/// The client a code opened.
#[derive(Serialize, ToSchema)]
pub struct Redeemed {
    #[schema(schema_with = uuid_schema)]
    pub client_id: String,
    pub display_name: String,
    pub scope: Scope,
}

/// One therapist read or write of a client's journal.
#[derive(Serialize, ToSchema)]
pub struct AccessOut {
    #[schema(schema_with = date_time_schema)]
    pub at: String,
    /// `null` for a view through a report link.
    #[schema(format = "uuid")]
    pub therapist_id: Option<String>,
    pub therapist_name: String,
    /// `read` or `write`.
    pub action: String,
    pub resource: String,
}

impl From<&Access> for AccessOut {
    fn from(a: &Access) -> Self {
        Self {
            at: iso(a.at),
            therapist_id: a.therapist_id.clone(),
            therapist_name: a.therapist_name.clone(),
            action: a.action.clone(),
            resource: a.resource.clone(),
        }
    }
}

/// `GET /api/v1/access-log`, newest first.
#[derive(Serialize, ToSchema)]
pub struct AccessLogOut {
    pub accesses: Vec<AccessOut>,
}

/// A dated correction of a final note.
#[derive(Serialize, ToSchema)]
pub struct AddendumOut {
    pub body: String,
    #[schema(schema_with = date_time_schema)]
    pub created_at: String,
    pub therapist_name: String,
}

/// A SOAP session note.
#[derive(Serialize, ToSchema)]
pub struct NoteOut {
    pub id: String,
    #[schema(schema_with = uuid_schema)]
    pub client_id: String,
    #[schema(schema_with = uuid_schema)]
    pub therapist_id: String,
    pub therapist_name: String,
    #[schema(format = "uuid")]
    pub session_entry_id: Option<String>,
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub status: NoteStatus,
    #[schema(schema_with = date_time_schema)]
    pub created_at: String,
    #[schema(schema_with = date_time_schema)]
    pub updated_at: String,
    pub addenda: Vec<AddendumOut>,
}

impl From<&Note> for NoteOut {
    fn from(n: &Note) -> Self {
        Self {
            id: n.id.clone(),
            client_id: n.client_id.clone(),
            therapist_id: n.therapist_id.clone(),
            therapist_name: n.therapist_name.clone(),
            session_entry_id: n.session_entry_id.clone(),
            subjective: n.soap.subjective.clone(),
            objective: n.soap.objective.clone(),
            assessment: n.soap.assessment.clone(),
            plan: n.soap.plan.clone(),
            status: if n.is_final {
                NoteStatus::Final
            } else {
                NoteStatus::Draft
            },
            created_at: iso(n.created_at),
            updated_at: iso(n.updated_at),
            addenda: n
                .addenda
                .iter()
                .map(|a| AddendumOut {
                    body: a.body.clone(),
                    created_at: iso(a.created_at),
                    therapist_name: a.therapist_name.clone(),
                })
                .collect(),
        }
    }
}

/// A list of notes, newest first.
#[derive(Serialize, ToSchema)]
pub struct NotesOut {
    pub notes: Vec<NoteOut>,
}

impl NotesOut {
    /// The wire form of `list`.
    pub fn new(list: &[Note]) -> Self {
        Self {
            notes: list.iter().map(NoteOut::from).collect(),
        }
    }
}

/// The four parts of a SOAP note, each up to 4000 characters; at least one filled in.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct SoapIn {
    /// What the client reports.
    #[schema(max_length = 4000)]
    pub subjective: Option<String>,
    /// What the therapist found.
    #[schema(max_length = 4000)]
    pub objective: Option<String>,
    #[schema(max_length = 4000)]
    pub assessment: Option<String>,
    #[schema(max_length = 4000)]
    pub plan: Option<String>,
}

/// A note written (`POST …/notes`, `read_notes` scope).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct NoteIn {
    #[serde(flatten)]
    pub soap: SoapIn,
    /// Default `draft`.
    pub status: Option<NoteStatus>,
    /// One of the client's massage sessions.
    #[schema(format = "uuid")]
    pub session_entry_id: Option<String>,
}

/// A draft edited (`PUT …/notes/{note_id}`).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct NoteEdit {
    #[serde(flatten)]
    pub soap: SoapIn,
    /// `final` makes it final for good.
    pub status: Option<NoteStatus>,
}

/// An addendum to a final note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct AddendumIn {
    #[schema(min_length = 1, max_length = 4000)]
    pub body: String,
}
