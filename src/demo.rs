//! `unknot --demo`: the fixed demo client (six months of entries) and therapist, sharing with
//! each other. Sits above `app` (beside `startup`) and may import it.

use crate::app::accounts::{demo_registration, insert_demo_journal};
use crate::auth::password;
use crate::domain::ids::UserId;
use crate::domain::profile::{Registration, Role};
use crate::error::AppError;
use crate::store::{Db, users};
use chrono::{DateTime, Duration, Utc};

fn create_account(db: &Db, reg: &Registration, now: DateTime<Utc>) -> Result<UserId, AppError> {
    let hash = password::hash(&reg.password)?;
    let reg = reg.clone();
    Ok(db.write_blocking(move |c| users::insert_user(c, &reg, hash, now))?)
}

/// Logins printed by `--demo`.
pub struct DemoLogins {
    pub client: (String, String),
    pub therapist: (String, String),
    pub entries: usize,
}

/// Creates (or resets: passwords and the client's journal) the fixed demo client and therapist
/// for `--demo`.
pub fn load_fixed(db: &Db, now: DateTime<Utc>) -> Result<DemoLogins, AppError> {
    let pw = "unknot-demo-2026".to_string();
    let client = ("demo@unknot.example".to_string(), pw.clone());
    let therapist = ("therapist@unknot.example".to_string(), pw.clone());
    let mut entries = 0;
    let mut ids = Vec::new();
    for (email, name, role) in [
        (&client.0, "Alex Demo", Role::Client),
        (&therapist.0, "Sam Therapist", Role::Therapist),
    ] {
        let reg = demo_registration(email, name, role, &pw)?;
        let e = reg.email.as_str().to_string();
        let existing = db.write_blocking(move |c| users::find_by_email(c, &e))?;
        match existing {
            Some((u, _)) => {
                let hash = password::hash(&pw)?;
                db.write_blocking(move |c| users::set_password(c, u.id, hash, now))?;
                if role == Role::Client {
                    // Running --demo again gives the same fresh six months, not a mixture.
                    let uid = u.id;
                    db.write_blocking(move |c| crate::store::entries::delete_all(c, uid))?;
                    entries = insert_demo_journal(db, u.id, now)?;
                }
                ids.push(u.id);
            }
            None => {
                let id = create_account(db, &reg, now)?;
                if role == Role::Client {
                    entries = insert_demo_journal(db, id, now)?;
                }
                ids.push(id);
            }
        }
    }
    // The demo client shares their journal (with notes) with the demo therapist.
    if let [client_id, therapist_id] = ids[..] {
        db.write_blocking(move |c| {
            if crate::store::shares::live_scope(c, client_id, therapist_id, now)?.is_none() {
                let code = crate::app::sharing::new_code()?;
                let normalized = crate::domain::share::normalize(&code).unwrap_or_default();
                let scope = crate::domain::share::Scope::ReadNotes;
                crate::store::shares::create(
                    c,
                    client_id,
                    &normalized,
                    scope,
                    now,
                    now + Duration::days(365),
                )?;
                crate::store::shares::redeem(c, &normalized, therapist_id, now)?;
            }
            Ok::<_, AppError>(())
        })?;
    }
    Ok(DemoLogins {
        client,
        therapist,
        entries,
    })
}
