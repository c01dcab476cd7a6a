//! `unknot [--demo]`: serves Unknot; `--demo` first loads a demo client and therapist.

use unknot::config::Settings;
use unknot::startup::Application;
use unknot::store::Db;

/// mimalloc rather than glibc's malloc: a sync push makes and frees a few dozen small values per
/// entry, and glibc's bins (with their consolidation) were a tenth of the push's instructions;
/// with mimalloc a push of 10,000 entries takes 10 % fewer instructions in all (callgrind,
/// `docs/PERFORMANCE.md`). Its build choices are in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    unknot::telemetry::init("info,actix_server=warn");
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
    let settings_ip = listener.local_addr()?.ip();
    let app = Application::build_with(settings, db, listener)?;
    let ip = match settings_ip {
        std::net::IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".to_string(),
        std::net::IpAddr::V6(v6) if v6.is_unspecified() => "[::1]".to_string(),
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        other => other.to_string(),
    };
    println!("Unknot is running at http://{ip}:{}", app.port());
    app.run_until_stopped().await?;
    Ok(())
}
