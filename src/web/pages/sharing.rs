//! A client's sharing pages: share codes (shown once, with a QR code), grants, revoking, and the
//! access log with the notes therapists wrote.

use crate::app::{notes, sharing};
use crate::auth::csrf::CsrfToken;
use crate::domain::fields::{Choice, FieldErrors};
use crate::domain::share::{DEFAULT_DAYS, MAX_DAYS, MIN_DAYS, Scope, parse_new_share};
use crate::state::AppState;
use crate::web::form::FormFields;
use crate::web::form::HtmlForm;
use crate::web::pages::{PageRoute, page};
use crate::web::session::WebClient;
use crate::web::views::{NoteView, note_views, when};
use crate::web::widgets::{SummaryItem, Widget, WidgetBuilder, summary};
use crate::web::{Layout, PageError, render, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use std::collections::HashMap;

/// A client's sharing pages, each declared once; the authorization matrix test needs a row for each.
pub fn routes() -> Vec<PageRoute> {
    vec![
        page!(GET "/share" => get_share),
        page!(POST "/share" => post_share),
        page!(POST "/share/{id}/revoke" => post_revoke),
        page!(GET "/share/log" => get_share_log),
    ]
}

// ---------- client: share codes ----------

struct NewCode {
    code: String,
    qr: String,
    expires: String,
    scope: &'static str,
}

struct GrantView {
    id: String,
    who: String,
    scope: &'static str,
    state: String,
    last_access: Option<String>,
    revocable: bool,
}

#[derive(Template)]
#[template(path = "sharing/share.html")]
struct SharePage {
    layout: Layout,
    notice: Option<String>,
    new_code: Option<NewCode>,
    fields: Vec<Widget>,
    summary: Vec<SummaryItem>,
    grants: Vec<GrantView>,
}

async fn share_page(
    state: &AppState,
    csrf: &CsrfToken,
    a: &crate::auth::extract::Authenticated,
    notice: Option<String>,
    new_code: Option<NewCode>,
    values: &FormFields,
    errors: &FieldErrors,
) -> Result<SharePage, PageError> {
    let now = state.now();
    let list = sharing::shares_of(state, a.user.id).await?;
    let tz = a.user.timezone.clone();
    let grants = list
        .into_iter()
        .map(|s| {
            let st = crate::domain::share::grant_state(
                s.redeemed_by.is_some(),
                s.expires_at,
                s.revoked.then_some(now),
                now,
            );
            use crate::domain::share::GrantState::*;
            let state_text = match st {
                Waiting => format!(
                    "Code not used yet · expires {}",
                    when(s.expires_at, tz.as_deref())
                ),
                Live => format!("Active until {}", when(s.expires_at, tz.as_deref())),
                Expired => "Expired".to_string(),
                Revoked => "Revoked".to_string(),
            };
            GrantView {
                who: s
                    .redeemed_by
                    .as_ref()
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| "Not used yet".into()),
                scope: s.scope.label(),
                state: state_text,
                last_access: s.last_access_at.map(|t| when(t, tz.as_deref())),
                revocable: matches!(st, Waiting | Live),
                id: s.id,
            }
        })
        .collect();
    let b = WidgetBuilder::new(values, errors);
    let fields = vec![
        b.radios::<Scope>("scope", "What may they do").required(),
        b.number(
            "expires_in_days",
            "Days the share lasts",
            MIN_DAYS,
            MAX_DAYS,
        )
        .hint("1 to 365 days; you can revoke it any time."),
    ];
    Ok(SharePage {
        layout: Layout::new("Share", "share", csrf, Some(a)),
        notice,
        new_code,
        summary: summary(&fields, errors),
        fields,
        grants,
    })
}

fn default_share_values() -> FormFields {
    let mut v = FormFields::default();
    v.set("scope", "read");
    v.set("expires_in_days", DEFAULT_DAYS.to_string());
    v
}

/// `GET /share`.
pub async fn get_share(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let notice = (q.get("done").map(String::as_str) == Some("revoked"))
        .then(|| "Share revoked: it stopped working at once.".to_string());
    let page = share_page(
        &state,
        &csrf,
        &a,
        notice,
        None,
        &default_share_values(),
        &FieldErrors::default(),
    )
    .await?;
    render(StatusCode::OK, &page)
}

/// `POST /share`: creates a code and shows it once.
pub async fn post_share(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    match parse_new_share(&form) {
        Ok(new) => {
            let made = sharing::create_share(&state, a.user.id, new).await?;
            let shown = NewCode {
                // The code travels in the fragment, which browsers never send: it stays out of
                // server logs.
                qr: crate::web::qr::svg(
                    &format!("{}/clients#code={}", state.settings.public_url, made.code),
                    "QR code that opens this share code on your therapist's phone",
                ),
                code: made.code,
                expires: when(made.expires_at, a.user.timezone.as_deref()),
                scope: new.scope.label(),
            };
            let page = share_page(
                &state,
                &csrf,
                &a,
                None,
                Some(shown),
                &default_share_values(),
                &FieldErrors::default(),
            )
            .await?;
            render(StatusCode::CREATED, &page)
        }
        Err(errors) => {
            let page = share_page(&state, &csrf, &a, None, None, &form, &errors).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// `POST /share/{id}/revoke`.
pub async fn post_revoke(
    state: web::Data<AppState>,
    WebClient(a): WebClient,
    path: web::Path<String>,
    _form: HtmlForm,
) -> Result<HttpResponse, PageError> {
    sharing::revoke(&state, a.user.id, path.into_inner()).await?;
    Ok(see_other("/share?done=revoked"))
}

#[derive(Template)]
#[template(path = "sharing/log.html")]
struct LogPage {
    layout: Layout,
    accesses: Vec<(String, String, String)>,
    notes: Vec<NoteView>,
}

/// `GET /share/log`: every therapist access and every final note.
pub async fn get_share_log(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebClient(a): WebClient,
) -> Result<HttpResponse, PageError> {
    let log = sharing::access_log(&state, a.user.id, 500).await?;
    let list = notes::about(&state, a.user.id, None).await?;
    let tz = a.user.timezone.as_deref();
    let accesses = log
        .iter()
        .map(|x| {
            (
                when(x.at, tz),
                x.therapist_name.clone(),
                crate::web::views::access_phrase(&x.action, &x.resource),
            )
        })
        .collect();
    let page = LogPage {
        layout: Layout::new("Access log", "share", &csrf, Some(&a)),
        accesses,
        notes: note_views(&list, None, tz),
    };
    render(StatusCode::OK, &page)
}
