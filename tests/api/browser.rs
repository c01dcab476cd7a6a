//! Real-browser tests (tests/browser/run.mjs) in Debian's Chromium, driven by Playwright against a
//! server this test starts: install, offline logging, sync, a second device, axe-core audits.
//! Outside CI they are skipped, with the reason printed, when Chromium, Node or the npm packages
//! are missing; in CI (`CI=true`) a missing piece fails the test.

use crate::helpers::*;
use std::path::Path;
use std::process::Command;

#[actix_web::test]
async fn offline_logging_sync_and_accessibility_pass_in_a_real_chromium() {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let chromium = std::env::var("UNKNOT_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut missing = Vec::new();
    if !Path::new(&chromium).exists() {
        missing.push(format!("Chromium at {chromium} (apt-get install chromium)"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node".to_string());
    }
    if !Path::new("tests/browser/node_modules/playwright-core").exists() {
        missing.push("npm packages (cd tests/browser && npm ci)".to_string());
    }
    if !missing.is_empty() {
        assert!(
            !in_ci,
            "browser tests cannot run in CI: missing {}",
            missing.join(", ")
        );
        eprintln!("skipped browser tests: missing {}", missing.join(", "));
        return;
    }
    let app = spawn_app().await;
    let addr = app.addr.clone();
    let out = actix_web::rt::task::spawn_blocking(move || {
        Command::new("node")
            .arg("tests/browser/run.mjs")
            .arg(&addr)
            .env("UNKNOT_CHROMIUM", &chromium)
            .output()
    })
    .await
    .expect("join")
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "browser tests failed on {}:\n{stdout}",
        app.backend
    );
}
