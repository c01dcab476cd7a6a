//! schemathesis (from PyPI, in the virtualenv `.ci/run` makes, named by UNKNOT_SCHEMATHESIS)
//! generates thousands of requests from `/api/v1/openapi.json` — with a client's token, with a
//! therapist's, and for the two operations that end a session or an account with a throwaway
//! one — and checks each answer: never a server error, and every answer (status, content type,
//! headers, body) as the schema says. Outside CI, without the tool, the test prints SKIPPED and
//! passes; in CI (`CI=true`) it fails instead.

use crate::helpers::*;
use std::process::Command;

/// Operations that end the caller's session or account: fuzzed last, with their own account.
const ENDING: &[&str] = &["DELETE /api/v1/auth/token", "DELETE /api/v1/account"];

fn run(tool: &str, base: &str, token: &str, names: &[&str], include: bool) -> (bool, String) {
    let mut cmd = Command::new(tool);
    // Its cache of findings goes to a scratch folder, not the checkout.
    cmd.current_dir(std::env::temp_dir()).arg("run")
        .arg(format!("{base}/api/v1/openapi.json"))
        .args(["--url", base])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,missing_required_header,ignored_auth,use_after_free,ensure_resource_availability",
        ])
        .args(["--max-examples", "25", "--generation-deterministic"])
        .args(["--request-timeout", "20", "--no-color"]);
    for n in names {
        cmd.args([
            if include {
                "--include-name"
            } else {
                "--exclude-name"
            },
            n,
        ]);
    }
    let out = cmd.output().expect("schemathesis runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn summary(text: &str) -> String {
    text.split("SUMMARY").nth(1).unwrap_or(text).to_string()
}

#[actix_web::test]
async fn schemathesis_finds_no_server_error_and_no_answer_outside_its_schema() {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let tool = std::env::var("UNKNOT_SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".into());
    if Command::new(&tool).arg("--version").output().is_err() {
        assert!(
            !in_ci,
            "schemathesis is missing in CI (UNKNOT_SCHEMATHESIS={tool})"
        );
        println!("SKIPPED schemathesis: {tool} not found (pip install schemathesis)");
        return;
    }
    let app = spawn_app().await;
    let client = api_user(&app, "fuzz-client@example.com", "client").await;
    let therapist = api_user(&app, "fuzz-therapist@example.com", "therapist").await;
    let throwaway = api_user(&app, "fuzz-end@example.com", "client").await;
    let runs = [
        ("client", client.bearer, ENDING, false),
        ("therapist", therapist.bearer, ENDING, false),
        ("ending", throwaway.bearer, ENDING, true),
    ];
    for (who, token, names, include) in runs {
        let (tool, base, token) = (tool.clone(), app.addr.clone(), token.unwrap_or_default());
        let (ok, text) =
            actix_web::rt::task::spawn_blocking(move || run(&tool, &base, &token, names, include))
                .await
                .expect("join");
        println!("schemathesis as {who}:{}", summary(&text));
        assert!(ok, "schemathesis as {who} on {}:\n{text}", app.backend);
        assert!(
            text.contains(" passed"),
            "schemathesis as {who} tested nothing:\n{text}"
        );
    }
}
