//! `unknot [--demo]`: serves Unknot; `--demo` first loads a demo client and therapist.

use unknot::config::Settings;
use unknot::startup::Application;
use unknot::store::Db;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    unknot::telemetry::init("info");
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "usage: unknot [--demo]\n  --demo  create (or reset) a demo client and therapist with six months of entries\nsettings: see README.md (UNKNOT_ADDR, DATABASE_URL or UNKNOT_DB, UNKNOT_JWT_SECRET, ...)"
        );
        return Ok(());
    }
    if let Some(bad) = args.iter().find(|a| a.as_str() != "--demo") {
        anyhow::bail!("unknown argument {bad}; try --help");
    }
    let settings = Settings::from_env()?;
    if settings.jwt_secret_generated {
        tracing::warn!(
            "UNKNOT_JWT_SECRET is not set: a random key was generated, so sign-ins end when the server restarts"
        );
    }
    let db = Db::connect(&settings.database)?;
    if args.iter().any(|a| a == "--demo") {
        let logins = unknot::demo::load_fixed(&db, chrono::Utc::now())
            .map_err(|e| anyhow::anyhow!("loading the demo failed: {e}"))?;
        println!("Demo journal loaded ({} entries).", logins.entries);
        println!("  client:    {} / {}", logins.client.0, logins.client.1);
        println!(
            "  therapist: {} / {}",
            logins.therapist.0, logins.therapist.1
        );
    }
    let listener = std::net::TcpListener::bind(&settings.addr)?;
    let app = Application::build_with(settings, db, listener)?;
    let addr = format!("http://127.0.0.1:{}", app.port());
    println!("Unknot is running at {addr}");
    app.run_until_stopped().await?;
    Ok(())
}
