//! The JSON API described as OpenAPI 3.1 (`GET /api/v1/openapi.json`), built with utoipa's
//! builders from one table of operations; a test checks the table against the registered routes.

use actix_web::HttpResponse;
use serde_json::{Value, json};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths, Required,
    ResponseBuilder,
};

/// One documented operation.
pub struct Doc {
    pub method: &'static str,
    pub path: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    /// Needs `Authorization: Bearer` (or the page session with `X-CSRF-Token`).
    pub auth: bool,
    pub query: &'static [(&'static str, &'static str)],
    pub body: Option<Value>,
    pub ok: u16,
    pub example: Option<Value>,
}

fn entry_example() -> Value {
    json!({"id": "0196c0de-0000-7000-8000-000000000001", "kind": "episode", "occurred_at": "2026-05-12T07:30:00+02:00",
           "data": {"body_site": "calf_left", "intensity": 6, "duration_s": 90, "triggers": ["exercise"]},
           "version": 1, "deleted": false, "updated_at": "2026-05-12T05:31:02.120Z"})
}

/// Every operation of the API (API.md).
pub fn docs() -> Vec<Doc> {
    let entry_in = json!({"id": "0196c0de-0000-7000-8000-000000000001", "kind": "episode", "occurred_at": "2026-05-12T07:30:00+02:00",
                          "data": {"body_site": "calf_left", "intensity": 6}});
    let d = |method, path, tag, summary, auth, query, body, ok, example| Doc {
        method,
        path,
        tag,
        summary,
        auth,
        query,
        body,
        ok,
        example,
    };
    vec![
        d(
            "GET",
            "/api/v1/openapi.json",
            "meta",
            "This document",
            false,
            &[],
            None,
            200,
            None,
        ),
        d(
            "POST",
            "/api/v1/auth/register",
            "accounts",
            "Create an account (password at least 10 characters; email lower-cased)",
            false,
            &[],
            Some(
                json!({"email": "ana@example.com", "password": "correct horse battery", "display_name": "Ana", "role": "client"}),
            ),
            201,
            Some(json!({"user_id": "0196c0de-0000-7000-8000-0000000000aa"})),
        ),
        d(
            "POST",
            "/api/v1/auth/token",
            "accounts",
            "Get a short-lived bearer token (401 invalid_credentials, 429 when rate-limited)",
            false,
            &[],
            Some(json!({"email": "ana@example.com", "password": "correct horse battery"})),
            200,
            Some(json!({"access_token": "eyJ…", "token_type": "Bearer", "expires_in": 3600})),
        ),
        d(
            "DELETE",
            "/api/v1/auth/token",
            "accounts",
            "Revoke the presented token",
            true,
            &[],
            None,
            204,
            None,
        ),
        d(
            "GET",
            "/api/v1/entries",
            "entries",
            "List live entries, newest first",
            true,
            &[
                ("from", "RFC 3339: at or after"),
                ("to", "RFC 3339: before"),
                ("kind", "one entry kind"),
                ("limit", "1 to 500, default 100"),
                ("cursor", "next_cursor of the previous page"),
            ],
            None,
            200,
            Some(json!({"entries": [entry_example()], "next_cursor": null})),
        ),
        d(
            "POST",
            "/api/v1/entries",
            "entries",
            "Create an entry (the same id and content again answers 200, no duplicate)",
            true,
            &[],
            Some(entry_in.clone()),
            201,
            Some(entry_example()),
        ),
        d(
            "GET",
            "/api/v1/entries/{id}",
            "entries",
            "One entry (404 if missing or someone else's)",
            true,
            &[],
            None,
            200,
            Some(entry_example()),
        ),
        d(
            "PUT",
            "/api/v1/entries/{id}",
            "entries",
            "Replace an entry's time and data; a stale version is 409 version_conflict with the server copy",
            true,
            &[],
            Some(
                json!({"occurred_at": "2026-05-12T07:30:00+02:00", "data": {"body_site": "calf_left", "intensity": 7}, "version": 1}),
            ),
            200,
            Some(entry_example()),
        ),
        d(
            "DELETE",
            "/api/v1/entries/{id}",
            "entries",
            "Delete (a tombstone is kept for sync)",
            true,
            &[("version", "optional: the version you last saw")],
            None,
            204,
            None,
        ),
        d(
            "GET",
            "/api/v1/profile",
            "accounts",
            "The profile",
            true,
            &[],
            None,
            200,
            Some(
                json!({"user_id": "…", "email": "ana@example.com", "role": "client", "display_name": "Ana", "timezone": "Europe/Berlin", "cautions": [], "thresholds": {}}),
            ),
        ),
        d(
            "PUT",
            "/api/v1/profile",
            "accounts",
            "Update name, time zone, cautions and threshold overrides (within safe bounds)",
            true,
            &[],
            Some(
                json!({"display_name": "Ana", "timezone": "Europe/Berlin", "cautions": ["osteoporosis"], "thresholds": {"hydration_target_ml": 2500}}),
            ),
            200,
            None,
        ),
        d(
            "GET",
            "/api/v1/suggestions",
            "insight",
            "Suggestions per RULES.md, evaluated at now",
            true,
            &[("now", "RFC 3339; default the server clock")],
            None,
            200,
            Some(
                json!({"suggestions": [{"rule_id": "stretch-gap", "kind": "self_care", "title": "Stretch for 5 minutes", "message": "…", "because": "…", "evidence": ["…"], "source": "seed 003, seed 000"}],
                      "suppressed": [], "evaluated_at": "2026-05-12T12:00:00+02:00", "disclaimer": "…"}),
            ),
        ),
        d(
            "GET",
            "/api/v1/trends",
            "insight",
            "Episode counts and intensity per bucket, breakdowns, water and self-care totals",
            true,
            &[
                ("from", "date or RFC 3339"),
                ("to", "date or RFC 3339"),
                ("bucket", "day, week or month"),
            ],
            None,
            200,
            None,
        ),
        d(
            "POST",
            "/api/v1/technique",
            "insight",
            "The technique selector; active warnings replace it with a referral",
            true,
            &[],
            Some(
                json!({"body_site": "upper_back", "feel": "sharp_knot", "duration": "chronic", "cause": "posture", "pressure": "firm"}),
            ),
            200,
            Some(
                json!({"technique": "trigger_point", "technique_label": "Trigger point", "pressure": "firm, focused (holds of 30 to 90 seconds)", "why": "…", "aftercare": ["…"], "blocked_by": []}),
            ),
        ),
        d(
            "POST",
            "/api/v1/sync/push",
            "sync",
            "Apply an offline client's mutations exactly once (≤ 500, ≤ 1 MB; 409 mid_gap; 403 foreign client_id)",
            true,
            &[],
            Some(
                json!({"client_id": "0196c0de-aaaa-7000-8000-000000000001", "mutations": [{"mid": 1, "op": "upsert", "entry": entry_in, "base_version": 0}]}),
            ),
            200,
            Some(
                json!({"last_mid": 1, "results": [{"mid": 1, "status": "applied", "version": 1, "seq": 12}]}),
            ),
        ),
        d(
            "GET",
            "/api/v1/sync/pull",
            "sync",
            "Changes after a cursor, each once in its latest state (410 cursor_expired)",
            true,
            &[
                ("since", "cursor of the previous pull; empty for all"),
                ("limit", "1 to 1000"),
            ],
            None,
            200,
            Some(
                json!({"changes": [], "cursor": "12", "has_more": false, "last_mid": {"0196c0de-aaaa-7000-8000-000000000001": 1}}),
            ),
        ),
        d(
            "POST",
            "/api/v1/shares",
            "sharing",
            "Create a one-use share code (client)",
            true,
            &[],
            Some(json!({"scope": "read_notes", "expires_in_days": 30})),
            201,
            Some(
                json!({"id": "…", "code": "7KQ2-M9XD-4RTB", "scope": "read_notes", "expires_at": "2026-06-11T12:00:00Z"}),
            ),
        ),
        d(
            "GET",
            "/api/v1/shares",
            "sharing",
            "A client's shares, or a therapist's clients",
            true,
            &[],
            None,
            200,
            None,
        ),
        d(
            "DELETE",
            "/api/v1/shares/{id}",
            "sharing",
            "Revoke a share at once (client)",
            true,
            &[],
            None,
            204,
            None,
        ),
        d(
            "POST",
            "/api/v1/shares/redeem",
            "sharing",
            "Redeem a code (therapist; 429 when rate-limited)",
            true,
            &[],
            Some(json!({"code": "7KQ2-M9XD-4RTB"})),
            200,
            Some(json!({"client_id": "…", "display_name": "Ana", "scope": "read_notes"})),
        ),
        d(
            "GET",
            "/api/v1/access-log",
            "sharing",
            "Every therapist read and write, newest first (client)",
            true,
            &[],
            None,
            200,
            None,
        ),
        d(
            "GET",
            "/api/v1/notes",
            "sharing",
            "Final session notes about the client",
            true,
            &[],
            None,
            200,
            None,
        ),
        d(
            "GET",
            "/api/v1/clients/{client_id}/entries",
            "therapist",
            "A client's entries (live grant; else 404)",
            true,
            &[("limit", "1 to 500"), ("cursor", "next_cursor")],
            None,
            200,
            None,
        ),
        d(
            "GET",
            "/api/v1/clients/{client_id}/suggestions",
            "therapist",
            "A client's suggestions",
            true,
            &[("now", "RFC 3339")],
            None,
            200,
            None,
        ),
        d(
            "GET",
            "/api/v1/clients/{client_id}/trends",
            "therapist",
            "A client's trends",
            true,
            &[
                ("from", "date"),
                ("to", "date"),
                ("bucket", "day, week or month"),
            ],
            None,
            200,
            None,
        ),
        d(
            "GET",
            "/api/v1/clients/{client_id}/notes",
            "therapist",
            "Notes about a client (own drafts and final notes)",
            true,
            &[],
            None,
            200,
            None,
        ),
        d(
            "POST",
            "/api/v1/clients/{client_id}/notes",
            "therapist",
            "Write a SOAP note (read_notes scope)",
            true,
            &[],
            Some(
                json!({"subjective": "…", "objective": "…", "assessment": "…", "plan": "…", "session_entry_id": null, "status": "draft"}),
            ),
            201,
            None,
        ),
        d(
            "PUT",
            "/api/v1/clients/{client_id}/notes/{note_id}",
            "therapist",
            "Edit a draft; final notes are 409 note_final",
            true,
            &[],
            Some(json!({"subjective": "…", "plan": "…", "status": "final"})),
            200,
            None,
        ),
        d(
            "POST",
            "/api/v1/clients/{client_id}/notes/{note_id}/addenda",
            "therapist",
            "Add a dated addendum to a final note",
            true,
            &[],
            Some(json!({"body": "…"})),
            201,
            None,
        ),
    ]
}

fn method(m: &str) -> HttpMethod {
    match m {
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "DELETE" => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}

fn json_content(example: Option<Value>) -> utoipa::openapi::Content {
    ContentBuilder::new().example(example).build()
}

/// The whole document.
pub fn document() -> OpenApi {
    let mut paths = Paths::new();
    let error = json!({"error": "validation_failed", "message": "Please correct the field data.intensity.", "fields": {"data.intensity": "must be a whole number from 0 to 10"}});
    for d in docs() {
        let mut op = OperationBuilder::new()
            .tag(d.tag)
            .summary(Some(d.summary))
            .operation_id(Some(format!("{} {}", d.method.to_lowercase(), d.path)));
        for segment in d.path.split('/').filter(|s| s.starts_with('{')) {
            let name = segment.trim_matches(|c| c == '{' || c == '}');
            op = op.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True),
            );
        }
        for (name, what) in d.query {
            op = op.parameter(
                ParameterBuilder::new()
                    .name(*name)
                    .parameter_in(ParameterIn::Query)
                    .description(Some(*what)),
            );
        }
        if let Some(body) = d.body {
            op = op.request_body(Some(
                RequestBodyBuilder::new()
                    .content("application/json", json_content(Some(body)))
                    .required(Some(Required::True))
                    .build(),
            ));
        }
        let ok = ResponseBuilder::new().description("Success");
        let ok = if d.ok == 204 {
            ok
        } else {
            ok.content("application/json", json_content(d.example))
        };
        op = op.response(d.ok.to_string(), ok.build()).response(
            "4XX",
            ResponseBuilder::new()
                .description("A client mistake, in one shape: {error, message, fields}")
                .content("application/json", json_content(Some(error.clone())))
                .build(),
        );
        if d.auth {
            op = op.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
        }
        paths.add_path_operation(d.path, vec![method(d.method)], op.build());
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Unknot API")
                .version("1")
                .description(Some("The JSON contract of Unknot (shared/API.md). Times are RFC 3339 with the offset they were logged in."))
                .build(),
        )
        .paths(paths)
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()))
                .build(),
        ))
        .build()
}

/// `GET /api/v1/openapi.json`.
pub async fn get_openapi() -> HttpResponse {
    HttpResponse::Ok().json(document())
}
