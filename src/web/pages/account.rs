//! Log in, register, log out, demo journal, settings and password change.

use crate::app::accounts::{self, SessionKind};
use crate::auth::csrf::CsrfToken;
use crate::auth::{SESSION_COOKIE, client_address};
use crate::domain::caution::Caution;
use crate::domain::fields::FieldErrors;
use crate::domain::profile::{Role, parse_details, parse_registration};
use crate::domain::rules::ThresholdOverrides;
use crate::domain::rules::thresholds::SPECS;
use crate::domain::time::timezone_names;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::form::FormFields;
use crate::web::form::HtmlForm;
use crate::web::session::WebUser;
use crate::web::widgets::{SummaryItem, Widget, WidgetBuilder, summary};
use crate::web::{Layout, PageError, render, see_other};
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "account/login.html")]
struct LoginPage {
    layout: Layout,
    fields: Vec<Widget>,
    summary: Vec<SummaryItem>,
    next: String,
    demo: bool,
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "account/register.html")]
struct RegisterPage {
    layout: Layout,
    fields: Vec<Widget>,
    summary: Vec<SummaryItem>,
}

impl RegisterPage {
    fn new(csrf: &CsrfToken, values: &FormFields, errors: &FieldErrors) -> Self {
        let fields = register_fields(values, errors);
        Self {
            layout: Layout::new("Create your account", "register", csrf, None),
            summary: summary(&fields, errors),
            fields,
        }
    }
}

#[derive(Template)]
#[template(path = "account/settings.html")]
struct SettingsPage {
    layout: Layout,
    notice: Option<String>,
    profile_fields: Vec<Widget>,
    profile_summary: Vec<SummaryItem>,
    password_fields: Vec<Widget>,
    password_summary: Vec<SummaryItem>,
    threshold_fields: Vec<Widget>,
    threshold_summary: Vec<SummaryItem>,
    /// Why deleting the account was refused.
    delete_error: Option<String>,
}

/// Only same-site relative paths are followed after login.
/// A `next` is followed only when it is a path on this site: it starts with one `/`, and has no
/// backslash and no control character (browsers drop tabs and line breaks from URLs, which would
/// turn `/\t/evil.example` into `//evil.example`, another site).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The session cookie for a signed token.
pub fn session_cookie(
    state: &AppState,
    token: String,
    ttl: std::time::Duration,
) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .http_only(true)
        .secure(state.settings.secure_cookies)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(ttl.as_secs() as i64))
        .finish()
}

fn login_fields(values: &FormFields, errors: &FieldErrors) -> Vec<Widget> {
    let b = WidgetBuilder::new(values, errors);
    vec![
        b.text("email", "Email")
            .control("email")
            .autocomplete("username")
            .required(),
        b.text("password", "Password")
            .control("password")
            .autocomplete("current-password")
            .required(),
    ]
}

fn login_page(
    state: &AppState,
    csrf: &CsrfToken,
    values: &FormFields,
    errors: FieldErrors,
    next: String,
) -> LoginPage {
    let fields = login_fields(values, &errors);
    LoginPage {
        layout: Layout::new("Log in", "login", csrf, None),
        summary: summary(&fields, &errors),
        fields,
        next,
        demo: state.settings.demo_button,
        notice: None,
    }
}

/// `GET /login`.
pub async fn get_login(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let mut page = login_page(
        &state,
        &csrf,
        &FormFields::default(),
        FieldErrors::default(),
        safe_next(q.get("next").map(String::as_str)),
    );
    if q.contains_key("deleted") {
        page.notice = Some("Your account was deleted, with everything in it.");
    }
    render(StatusCode::OK, &page)
}

async fn sign_in(
    state: &AppState,
    user: &crate::store::rows::User,
    next: &str,
) -> Result<HttpResponse, AppError> {
    let (token, ttl) = accounts::start_session(state, user, SessionKind::Web).await?;
    let mut resp = see_other(next);
    resp.add_cookie(&session_cookie(state, token, ttl))
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("cookie: {e}")))?;
    Ok(resp)
}

/// `POST /login`.
pub async fn post_login(
    state: web::Data<AppState>,
    req: HttpRequest,
    csrf: CsrfToken,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let next = safe_next(form.get("next"));
    let email = form.get("email").unwrap_or_default().to_string();
    let pw = form.get("password").unwrap_or_default().to_string();
    match accounts::check_credentials(&state, &client_address(&req), &email, &pw).await {
        Ok(user) => Ok(sign_in(&state, &user, &next).await?),
        Err(AppError::Unauthorized(msg)) => {
            let mut kept = FormFields::default();
            kept.set("email", email);
            tracing::debug!(reason = msg, "login refused");
            let errors = FieldErrors::one("password", "or email is not right.");
            render(
                StatusCode::UNAUTHORIZED,
                &login_page(&state, &csrf, &kept, errors, next),
            )
        }
        Err(AppError::RateLimited { retry_after_s }) => {
            let mut kept = FormFields::default();
            kept.set("email", email);
            let wait = retry_after_s.div_ceil(60);
            let errors = FieldErrors::one(
                "password",
                format!(
                    "has been tried too often for this account. Try again in {wait} minute{}.",
                    if wait == 1 { "" } else { "s" }
                ),
            );
            let mut resp = render(
                StatusCode::TOO_MANY_REQUESTS,
                &login_page(&state, &csrf, &kept, errors, next),
            )?;
            resp.headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, retry_after_s.into());
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

fn register_fields(values: &FormFields, errors: &FieldErrors) -> Vec<Widget> {
    let b = WidgetBuilder::new(values, errors);
    vec![
        b.text("display_name", "Your name")
            .autocomplete("name")
            .required()
            .hint("Shown to therapists you share with."),
        b.text("email", "Email")
            .control("email")
            .autocomplete("email")
            .required(),
        b.text("password", "Password")
            .control("password")
            .autocomplete("new-password")
            .required()
            .hint("At least 10 characters."),
        b.radios::<Role>("role", "I am here because").required(),
        timezone_widget(&b),
    ]
}

fn timezone_widget(b: &WidgetBuilder<'_>) -> Widget {
    let zones: Vec<(String, String)> = timezone_names()
        .into_iter()
        .map(|z| (z.to_string(), z.replace('_', " ")))
        .collect();
    b.select_of("timezone", "Time zone", &zones)
        .hint("Used to place your entries on the right day.")
}

/// `GET /register`.
pub async fn get_register(csrf: CsrfToken) -> Result<HttpResponse, PageError> {
    let mut values = FormFields::default();
    values.set("role", "client");
    render(
        StatusCode::OK,
        &RegisterPage::new(&csrf, &values, &FieldErrors::default()),
    )
}

/// `POST /register`.
pub async fn post_register(
    state: web::Data<AppState>,
    req: HttpRequest,
    csrf: CsrfToken,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let result = match parse_registration(&form) {
        Ok(reg) => accounts::register(&state, &client_address(&req), reg).await,
        Err(fields) => Err(AppError::fields(fields)),
    };
    match result {
        Ok(user) => Ok(sign_in(&state, &user, "/").await?),
        Err(e) => {
            let errors = match e {
                AppError::Validation { fields, .. } => fields,
                AppError::Conflict {
                    code: "email_taken",
                    ..
                } => FieldErrors::one(
                    "email",
                    "is already used by an account. Log in instead, or use another address.",
                ),
                AppError::RateLimited { retry_after_s } => {
                    let wait = retry_after_s.div_ceil(60);
                    let errors = FieldErrors::one(
                        "email",
                        format!(
                            "cannot be used yet: too many new accounts from this address. Try again in {wait} minute{}.",
                            if wait == 1 { "" } else { "s" }
                        ),
                    );
                    let mut resp = render(
                        StatusCode::TOO_MANY_REQUESTS,
                        &RegisterPage::new(&csrf, &form, &errors),
                    )?;
                    resp.headers_mut()
                        .insert(actix_web::http::header::RETRY_AFTER, retry_after_s.into());
                    return Ok(resp);
                }
                other => return Err(other.into()),
            };
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &RegisterPage::new(&csrf, &form, &errors),
            )
        }
    }
}

/// `POST /logout`: revokes the session at once.
pub async fn post_logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    _form: HtmlForm,
) -> Result<HttpResponse, PageError> {
    if let Some(a) = WebUser::optional(&req).await {
        accounts::end_session(&state, a.session).await?;
    }
    let mut resp = see_other("/login");
    // A shared phone keeps nothing private: cached pages, the offline journal, the worker.
    resp.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("clear-site-data"),
        actix_web::http::header::HeaderValue::from_static("\"cache\", \"storage\""),
    );
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    resp.add_cookie(&gone)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("cookie: {e}")))?;
    Ok(resp)
}

/// `POST /demo`: a fresh demo client with six months of entries, signed in at once.
pub async fn post_demo(
    state: web::Data<AppState>,
    req: HttpRequest,
    _form: HtmlForm,
) -> Result<HttpResponse, PageError> {
    let user = accounts::create_demo_client(&state, &client_address(&req)).await?;
    Ok(sign_in(&state, &user, "/").await?)
}

fn profile_fields(values: &FormFields, errors: &FieldErrors) -> Vec<Widget> {
    let b = WidgetBuilder::new(values, errors);
    vec![
        b.text("display_name", "Your name")
            .autocomplete("name")
            .required(),
        timezone_widget(&b),
        b.checks::<Caution>("cautions", "Health conditions to be careful with")
            .hint("Unknot then reminds you to check with a doctor before deep tissue massage."),
    ]
}

fn password_fields(values: &FormFields, errors: &FieldErrors) -> Vec<Widget> {
    let b = WidgetBuilder::new(values, errors);
    vec![
        b.text("current_password", "Current password")
            .control("password")
            .autocomplete("current-password")
            .required(),
        b.text("new_password", "New password")
            .control("password")
            .autocomplete("new-password")
            .required()
            .hint("At least 10 characters."),
    ]
}

fn profile_values(user: &crate::store::rows::User) -> FormFields {
    use crate::domain::fields::Choice;
    let mut v = FormFields::default();
    v.set("display_name", user.display_name.clone());
    v.set("timezone", user.timezone.clone().unwrap_or_default());
    for c in &user.cautions {
        v.0.push(("cautions".into(), c.as_str().to_string()));
    }
    v
}

/// Current threshold values (overrides, else defaults) as form values.
fn threshold_values(user: &crate::store::rows::User) -> FormFields {
    let t = user.thresholds.thresholds();
    let mut v = FormFields::default();
    for spec in SPECS.iter().filter(|s| s.overridable) {
        v.set(
            spec.name,
            t.get(spec.name).unwrap_or(spec.default).to_string(),
        );
    }
    v
}

/// Threshold errors arrive keyed `thresholds.<name>`; the form's fields are the plain names.
fn plain_threshold_errors(errors: &FieldErrors) -> FieldErrors {
    FieldErrors(
        errors
            .0
            .iter()
            .map(|(k, v)| (k.trim_start_matches("thresholds.").to_string(), v.clone()))
            .collect(),
    )
}

fn threshold_fields(values: &FormFields, errors: &FieldErrors) -> Vec<Widget> {
    let plain = plain_threshold_errors(errors);
    let b = WidgetBuilder::new(values, &plain);
    SPECS
        .iter()
        .filter(|s| s.overridable)
        .map(|s| {
            b.number(s.name, s.label, s.min, s.max).hint(&format!(
                "Default {}; allowed {} to {}.",
                s.default, s.min, s.max
            ))
        })
        .collect()
}

struct SettingsForms<'a> {
    profile: (&'a FormFields, FieldErrors),
    password: FieldErrors,
    thresholds: (&'a FormFields, FieldErrors),
}

fn settings_page(
    csrf: &CsrfToken,
    a: &crate::auth::extract::Authenticated,
    notice: Option<String>,
    forms: SettingsForms<'_>,
) -> SettingsPage {
    let profile_fields = profile_fields(forms.profile.0, &forms.profile.1);
    let password_fields = password_fields(&FormFields::default(), &forms.password);
    let threshold_fields = threshold_fields(forms.thresholds.0, &forms.thresholds.1);
    SettingsPage {
        layout: Layout::new("Settings", "settings", csrf, Some(a)),
        notice,
        profile_summary: summary(&profile_fields, &forms.profile.1),
        profile_fields,
        password_summary: summary(&password_fields, &forms.password),
        password_fields,
        threshold_summary: summary(
            &threshold_fields,
            &plain_threshold_errors(&forms.thresholds.1),
        ),
        threshold_fields,
        delete_error: None,
    }
}

/// The settings page re-rendered with one form's errors (422).
fn settings_error(
    csrf: &CsrfToken,
    a: &crate::auth::extract::Authenticated,
    forms: SettingsForms<'_>,
) -> Result<HttpResponse, PageError> {
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &settings_page(csrf, a, None, forms),
    )
}

/// The settings page with every form showing stored values and no errors.
fn fresh_forms<'a>(profile: &'a FormFields, thresholds: &'a FormFields) -> SettingsForms<'a> {
    SettingsForms {
        profile: (profile, FieldErrors::default()),
        password: FieldErrors::default(),
        thresholds: (thresholds, FieldErrors::default()),
    }
}

/// `GET /settings`.
pub async fn get_settings(
    csrf: CsrfToken,
    WebUser(a): WebUser,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let notice = match q.get("done").map(String::as_str) {
        Some("profile") => Some("Profile saved.".to_string()),
        Some("password") => {
            Some("Password changed. Other devices have been logged out.".to_string())
        }
        Some("thresholds") => Some("Suggestion thresholds saved.".to_string()),
        _ => None,
    };
    let values = profile_values(&a.user);
    let thresholds = threshold_values(&a.user);
    render(
        StatusCode::OK,
        &settings_page(&csrf, &a, notice, fresh_forms(&values, &thresholds)),
    )
}

/// `POST /settings`.
pub async fn post_settings(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebUser(a): WebUser,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    match parse_details(&form, &[]) {
        Ok(details) => {
            accounts::save_details(&state, a.user.id, details).await?;
            Ok(see_other("/settings?done=profile"))
        }
        Err(errors) => {
            let thresholds = threshold_values(&a.user);
            let forms = SettingsForms {
                profile: (&form, errors),
                ..fresh_forms(&form, &thresholds)
            };
            settings_error(&csrf, &a, forms)
        }
    }
}

/// `POST /settings/password`: checks the current password, revokes every session, signs in anew.
pub async fn post_password(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebUser(a): WebUser,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let current = form.get("current_password").unwrap_or_default().to_string();
    let new = form.get("new_password").unwrap_or_default().to_string();
    match accounts::change_password(&state, a.user.id, current, new).await {
        Ok(user) => Ok(sign_in(&state, &user, "/settings?done=password").await?),
        Err(AppError::Validation { fields, .. }) => {
            let (values, thresholds) = (profile_values(&a.user), threshold_values(&a.user));
            let forms = SettingsForms {
                password: fields,
                ..fresh_forms(&values, &thresholds)
            };
            settings_error(&csrf, &a, forms)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /settings/thresholds`: overrides within safe bounds; values equal to the default are not stored.
pub async fn post_thresholds(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebUser(a): WebUser,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let mut given: Vec<(&str, Option<i64>)> = Vec::new();
    for spec in SPECS.iter().filter(|s| s.overridable) {
        if let Some(raw) = form.get(spec.name).map(str::trim).filter(|v| !v.is_empty()) {
            match raw.parse::<i64>() {
                // A value equal to the default is not stored: a later default change applies.
                Ok(v) if v == spec.default => {}
                v => given.push((spec.name, v.ok())),
            }
        }
    }
    match ThresholdOverrides::parse(given) {
        Ok(overrides) => {
            accounts::save_thresholds(&state, a.user.id, overrides).await?;
            Ok(see_other("/settings?done=thresholds"))
        }
        Err(errors) => {
            let values = profile_values(&a.user);
            let forms = SettingsForms {
                thresholds: (&form, errors),
                ..fresh_forms(&values, &form)
            };
            settings_error(&csrf, &a, forms)
        }
    }
}

/// `POST /settings/delete`: deletes the account after checking the password, then signs out.
pub async fn post_delete_account(
    state: web::Data<AppState>,
    csrf: CsrfToken,
    WebUser(a): WebUser,
    HtmlForm(form): HtmlForm,
) -> Result<HttpResponse, PageError> {
    let pw = form.get("delete_password").unwrap_or_default().to_string();
    match accounts::delete_account(&state, &a.user, pw).await {
        Ok(()) => {
            let mut resp = see_other("/login?deleted=1");
            let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
            gone.make_removal();
            resp.add_cookie(&gone)
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("cookie: {e}")))?;
            Ok(resp)
        }
        Err(AppError::Unauthorized(_)) => {
            let (values, thresholds) = (profile_values(&a.user), threshold_values(&a.user));
            let mut page = settings_page(&csrf, &a, None, fresh_forms(&values, &thresholds));
            page.delete_error = Some("Password is not right: nothing was deleted.".into());
            render(StatusCode::UNAUTHORIZED, &page)
        }
        Err(e) => Err(e.into()),
    }
}
