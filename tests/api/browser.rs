//! Real-browser tests in Debian's Chromium, driven by Playwright (tests/browser/*.mjs) against a
//! server these tests start. Outside CI, when Chromium, Node or the npm packages are missing,
//! each test prints "SKIPPED" with what is missing and passes (its name says so); in CI
//! (`CI=true`) a missing piece fails it. README says how to run them.

use crate::helpers::*;
use std::path::Path;
use std::process::Command;

/// What is missing to run the browser tests, or Chromium's path.
fn chromium_or_skip(test: &str) -> Option<String> {
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
    if missing.is_empty() {
        return Some(chromium);
    }
    assert!(
        !in_ci,
        "browser tests cannot run in CI: missing {}",
        missing.join(", ")
    );
    eprintln!("SKIPPED {test}: missing {}", missing.join(", "));
    println!("SKIPPED {test}: missing {}", missing.join(", "));
    None
}

/// Runs `node tests/browser/<script> <args…>` and fails with its output if it fails.
async fn run_script(script: &str, args: Vec<String>, chromium: String, backend: &str) {
    let path = format!("tests/browser/{script}");
    let out = actix_web::rt::task::spawn_blocking(move || {
        Command::new("node")
            .arg(path)
            .args(args)
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
        "browser tests ({script}) failed on {backend}:\n{stdout}"
    );
}

#[actix_web::test]
async fn in_chromium_or_skipped_without_it_offline_logging_sync_and_accessibility() {
    let Some(chromium) = chromium_or_skip("offline logging, sync and accessibility") else {
        return;
    };
    let app = spawn_app().await;
    run_script("run.mjs", vec![app.addr.clone()], chromium, app.backend).await;
}

#[actix_web::test]
async fn in_chromium_or_skipped_without_it_spasm_in_three_taps_quick_buttons_offline_and_sync_recovery()
 {
    let Some(chromium) = chromium_or_skip("spasm in three taps, offline buttons, sync recovery")
    else {
        return;
    };
    let app = spawn_app().await;
    // The browser talks to a proxy that the script can take down: a server that cannot be
    // reached while the phone still says "online".
    let proxy = crate::proxy::start(&app.addr);
    run_script(
        "journal.mjs",
        vec![proxy.addr, proxy.control],
        chromium,
        app.backend,
    )
    .await;
}
