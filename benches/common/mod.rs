//! What the benchmarks share: a demo client with a five-year journal on a SQLite file.

use std::time::Instant;
use unknot::config::DatabaseUrl;
use unknot::store::{Db, entries, users};

/// The backend a `DATABASE_URL`-style string names.
pub fn database_url(url: &str) -> DatabaseUrl {
    if url.starts_with("postgres") {
        DatabaseUrl::Postgres(url.to_string())
    } else {
        DatabaseUrl::Sqlite(url.to_string())
    }
}

/// A fresh SQLite file (or the empty PostgreSQL database `DATABASE_URL` names) with the fixed demo logins and about 20,000 entries over five years for
/// the demo client; returns the database, its URL, the demo client and its email and password.
pub fn five_year_journal(
    tag: &str,
) -> anyhow::Result<(Db, String, unknot::store::rows::User, (String, String))> {
    let path = std::env::temp_dir().join(format!("unknot-bench-{tag}-{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    // DATABASE_URL=postgres://… (an empty database) measures PostgreSQL instead.
    let url = match std::env::var("DATABASE_URL") {
        Ok(pg) if pg.starts_with("postgres") => pg,
        _ => path.to_string_lossy().into_owned(),
    };
    let db = Db::connect(&database_url(&url))?;
    let now = chrono::Utc::now();
    let t0 = Instant::now();
    let logins = unknot::demo::load_fixed(&db, now).map_err(|e| anyhow::anyhow!("{e}"))?;
    let client = db
        .write_blocking(|c| users::find_by_email(c, "demo@unknot.example"))
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .ok_or_else(|| anyhow::anyhow!("demo client missing"))?
        .0;
    // Five years in three passes with different seeds: about 20,000 entries.
    let mut list =
        unknot::domain::demo::history(now - chrono::Duration::days(183), 5 * 365 - 183, 7);
    list.extend(unknot::domain::demo::history(now, 5 * 365, 11));
    list.extend(unknot::domain::demo::history(
        now - chrono::Duration::days(400),
        2 * 365,
        13,
    ));
    let uid = client.id;
    db.write_blocking(move |c| entries::insert_many(c, uid, &list, now))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let total: i64 = db
        .write_blocking(move |c| {
            use diesel::prelude::*;
            use unknot::store::schema::entries as t;
            Ok::<_, unknot::store::StoreError>(
                t::table
                    .filter(unknot::store::entries::owned_by(uid))
                    .count()
                    .get_result(c)?,
            )
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "journal: {total} entries over five years (built in {:.1} s)",
        t0.elapsed().as_secs_f64()
    );
    Ok((db, url, client, logins.client))
}

/// The value of the cookie `name` that a response sets, if it sets one.
fn cookie<S>(res: &awc::ClientResponse<S>, name: &str) -> anyhow::Result<Option<String>> {
    Ok(res
        .cookies()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .iter()
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string()))
}

/// Signs in through the login form as a browser would: the CSRF cookie from the login page,
/// then the form; returns (CSRF token, session cookie value).
pub async fn sign_in(
    http: &awc::Client,
    base: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<(String, String)> {
    let login = http
        .get(format!("{base}/login"))
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let csrf = cookie(&login, "unknot_csrf")?.ok_or_else(|| anyhow::anyhow!("no csrf cookie"))?;
    let body = format!(
        "csrf_token={csrf}&email={}&password={}",
        email.replace('@', "%40"),
        password
    );
    let res = http
        .post(format!("{base}/login"))
        .insert_header(("Cookie", format!("unknot_csrf={csrf}")))
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .send_body(body)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let session = cookie(&res, "unknot_session")?
        .ok_or_else(|| anyhow::anyhow!("login failed: {}", res.status()))?;
    Ok((csrf, session))
}
