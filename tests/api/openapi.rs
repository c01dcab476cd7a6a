//! The OpenAPI document cannot drift: real requests and real responses of every operation are
//! validated against the schemas it publishes.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Validates requests and responses against the published document, and remembers which
/// operations it has seen answer with success.
struct Contract {
    doc: Value,
    seen: BTreeSet<(String, String)>,
}

impl Contract {
    async fn load(app: &TestApp) -> Self {
        let doc = app.client().get("/api/v1/openapi.json").await.json();
        Self {
            doc,
            seen: BTreeSet::new(),
        }
    }

    fn errors(&self, reference: &Value, instance: &Value) -> Vec<String> {
        let root = json!({"$ref": reference, "components": self.doc["components"]});
        let validator = jsonschema::draft202012::new(&root)
            .unwrap_or_else(|e| panic!("the schema {reference} compiles: {e}"));
        validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    fn validate(&self, what: &str, reference: &Value, instance: &Value) {
        let errors = self.errors(reference, instance);
        assert!(
            errors.is_empty(),
            "{what} breaks {reference}: {errors:#?}\n{instance:#}"
        );
    }

    fn operation(&self, method: &str, template: &str) -> &Value {
        let op = &self.doc["paths"][template][method.to_lowercase()];
        assert!(op.is_object(), "{method} {template} is documented");
        op
    }

    /// Sends `body` to `path` (an instance of `template`), validating both directions.
    async fn call(
        &mut self,
        c: &mut Client,
        method: &str,
        template: &str,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let op = self.operation(method, template).clone();
        let r = match &body {
            Some(b) => {
                let schema = &op["requestBody"]["content"]["application/json"]["schema"]["$ref"];
                self.validate(&format!("request of {method} {template}"), schema, b);
                c.send_json(method, path, b).await
            }
            None if method == "DELETE" => c.delete(path).await,
            None => c.get(path).await,
        };
        let status = r.status.as_u16();
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {}",
            r.body
        );
        let answer = &op["responses"][status.to_string()];
        assert!(answer.is_object(), "{method} {template} documents {status}");
        let content = answer["content"].as_object();
        match answer["content"]["application/json"]["schema"]["$ref"].as_str() {
            None if content.is_some() => {
                let sent = r.header("content-type").unwrap_or_default();
                let kind = sent.split(';').next().unwrap_or_default().to_string();
                assert!(
                    content.unwrap().contains_key(&kind),
                    "{method} {template}: a documented file type, not {sent}"
                );
            }
            Some(schema) => {
                let v: Value = serde_json::from_str(&r.body).expect("JSON answer");
                self.validate(
                    &format!("{status} answer of {method} {template}"),
                    &json!(schema),
                    &v,
                );
            }
            None => assert!(r.body.is_empty(), "{method} {template}: {}", r.body),
        }
        self.seen.insert((method.to_string(), template.to_string()));
        r
    }
}

#[actix_web::test]
async fn every_operation_answers_what_its_schema_says() {
    let app = spawn_app().await;
    let mut k = Contract::load(&app).await;
    // The schemas have teeth: wrong shapes, values and missing fields are refused.
    for (schema, wrong) in [
        ("EntryPage", json!({"entries": 5, "next_cursor": null})),
        (
            "EntryOut",
            json!({"id": "x", "kind": "nap", "occurred_at": "t", "data": {}, "version": 1, "deleted": false, "updated_at": "t"}),
        ),
        (
            "PushResponse",
            json!({"last_mid": 1, "results": [{"mid": 1, "status": "lost"}]}),
        ),
        (
            "EntryIn",
            json!({"kind": "hydration", "occurred_at": "2026-05-10T08:00:00+02:00", "data": {"volume_ml": 50000}}),
        ),
        ("NoteOut", json!({"id": "n"})),
    ] {
        let r = json!(format!("#/components/schemas/{schema}"));
        assert!(!k.errors(&r, &wrong).is_empty(), "{schema} refuses {wrong}");
    }
    let mut anon = app.client();
    k.call(
        &mut anon,
        "GET",
        "/api/v1/openapi.json",
        "/api/v1/openapi.json",
        None,
    )
    .await;
    let reg = |email: &str, role: &str| json!({"email": email, "password": PASSWORD, "display_name": "Ana Doe", "role": role, "timezone": "Europe/Berlin"});
    let t = "/api/v1/auth/register";
    let client_id = k
        .call(
            &mut anon,
            "POST",
            t,
            t,
            Some(reg("ana@example.com", "client")),
        )
        .await
        .json()["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    k.call(
        &mut anon,
        "POST",
        t,
        t,
        Some(reg("sam@example.com", "therapist")),
    )
    .await;
    let login = |email: &str| json!({"email": email, "password": PASSWORD});
    let t = "/api/v1/auth/token";
    let token = k
        .call(&mut anon, "POST", t, t, Some(login("ana@example.com")))
        .await
        .json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut ana = app.client();
    ana.bearer = Some(token);
    let mut sam = api_login(&app, "sam@example.com").await;
    let mut gone = api_login(&app, "ana@example.com").await;
    k.call(&mut gone, "DELETE", t, t, None).await;

    // Profile, with every field.
    let p = "/api/v1/profile";
    k.call(&mut ana, "GET", p, p, None).await;
    let profile = json!({"display_name": "Ana", "timezone": "Europe/Berlin", "cautions": ["osteoporosis"], "thresholds": {"hydration_target_ml": 2500}});
    k.call(&mut ana, "PUT", p, p, Some(profile)).await;

    // Entries of every kind, with a warning sign so suggestions and suppressions are present.
    let e = "/api/v1/entries";
    let mut ids = Vec::new();
    for mut body in sample_entries() {
        if body["kind"] == "episode" {
            body["data"]["red_flags"] = json!(["numbness"]);
        }
        let r = k.call(&mut ana, "POST", e, e, Some(body.clone())).await;
        assert_eq!(r.status, 201);
        let id = r.json()["id"].as_str().unwrap().to_string();
        body["id"] = json!(id);
        let replay = k.call(&mut ana, "POST", e, e, Some(body)).await;
        assert_eq!(replay.status, 200, "a replay is 200");
        ids.push(id);
    }
    k.call(&mut ana, "GET", e, "/api/v1/entries?limit=3", None)
        .await;
    let one = "/api/v1/entries/{id}";
    let path = format!("/api/v1/entries/{}", ids[1]);
    let stored = k.call(&mut ana, "GET", one, &path, None).await.json();
    let update = json!({"occurred_at": stored["occurred_at"], "data": {"volume_ml": 750, "electrolytes": false}, "version": stored["version"]});
    k.call(&mut ana, "PUT", one, &path, Some(update)).await;
    let doomed = format!("/api/v1/entries/{}", ids[2]);
    k.call(&mut ana, "DELETE", one, &doomed, None).await;

    // Insight.
    let s = "/api/v1/suggestions";
    let sug = k.call(&mut ana, "GET", s, s, None).await.json();
    assert!(!sug["suggestions"].as_array().unwrap().is_empty());
    let tr = "/api/v1/trends";
    k.call(&mut ana, "GET", tr, "/api/v1/trends?bucket=day", None)
        .await;
    let q = json!({"body_site": "calf_left", "feel": "sharp_knot", "duration": "chronic", "cause": "exercise", "pressure": "firm"});
    let te = "/api/v1/technique";
    k.call(&mut ana, "POST", te, te, Some(q)).await;

    // Sync: applied, merged with a conflict, duplicate, rejected, deleted; then a pull.
    let push = "/api/v1/sync/push";
    let new_id = "0196c0de-0000-7000-8000-0000000000f1";
    let entry = json!({"id": new_id, "kind": "episode", "occurred_at": "2026-05-10T08:00:00+02:00", "data": {"body_site": "neck", "intensity": 4, "notes": "a"}});
    let a = "0196c0de-aaaa-7000-8000-000000000001";
    let b = "0196c0de-bbbb-7000-8000-000000000002";
    let first = json!({"client_id": a, "mutations": [
        {"mid": 1, "op": "upsert", "entry": entry, "base_version": 0},
        {"mid": 2, "op": "patch", "id": new_id, "fields": {"intensity": 12}, "base_version": 1},
    ]});
    k.call(&mut ana, "POST", push, push, Some(first.clone()))
        .await;
    let again = k
        .call(&mut ana, "POST", push, push, Some(first))
        .await
        .json();
    assert_eq!(again["results"][0]["status"], "duplicate");
    let other = json!({"client_id": b, "mutations": [
        {"mid": 1, "op": "patch", "id": new_id, "fields": {"notes": "b"}, "base_version": 0},
        {"mid": 2, "op": "delete", "id": ids[0], "base_version": 1},
    ]});
    let merged = k
        .call(&mut ana, "POST", push, push, Some(other))
        .await
        .json();
    assert_eq!(merged["results"][0]["status"], "merged", "{merged}");
    let late = json!({"client_id": a, "mutations": [
        {"mid": 3, "op": "patch", "id": ids[0], "fields": {"intensity": 3}, "base_version": 1},
    ]});
    let deleted = k
        .call(&mut ana, "POST", push, push, Some(late))
        .await
        .json();
    assert_eq!(deleted["results"][0]["status"], "conflict_deleted");
    let pull = "/api/v1/sync/pull";
    k.call(&mut ana, "GET", pull, "/api/v1/sync/pull?limit=5", None)
        .await;

    // Sharing and notes.
    let sh = "/api/v1/shares";
    let code = k
        .call(
            &mut ana,
            "POST",
            sh,
            sh,
            Some(json!({"scope": "read_notes", "expires_in_days": 30})),
        )
        .await
        .json()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let spare = k
        .call(&mut ana, "POST", sh, sh, Some(json!({"scope": "read"})))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let rd = "/api/v1/shares/redeem";
    k.call(&mut sam, "POST", rd, rd, Some(json!({"code": code})))
        .await;
    k.call(&mut ana, "GET", sh, sh, None).await;
    k.call(&mut sam, "GET", sh, sh, None).await;
    let del = "/api/v1/shares/{id}";
    k.call(
        &mut ana,
        "DELETE",
        del,
        &format!("/api/v1/shares/{spare}"),
        None,
    )
    .await;
    let cl = format!("/api/v1/clients/{client_id}");
    for (t, q) in [
        ("entries", "?limit=2"),
        ("suggestions", ""),
        ("trends", "?bucket=month"),
    ] {
        let template = format!("/api/v1/clients/{{client_id}}/{t}");
        k.call(&mut sam, "GET", &template, &format!("{cl}/{t}{q}"), None)
            .await;
    }
    let notes = "/api/v1/clients/{client_id}/notes";
    let session = ids[4].clone();
    let draft = k
        .call(
            &mut sam,
            "POST",
            notes,
            &format!("{cl}/notes"),
            Some(json!({"subjective": "tight calves", "session_entry_id": session})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let note = "/api/v1/clients/{client_id}/notes/{note_id}";
    k.call(
        &mut sam,
        "PUT",
        note,
        &format!("{cl}/notes/{draft}"),
        Some(json!({"plan": "weekly", "status": "final"})),
    )
    .await;
    let add = "/api/v1/clients/{client_id}/notes/{note_id}/addenda";
    let with = k
        .call(
            &mut sam,
            "POST",
            add,
            &format!("{cl}/notes/{draft}/addenda"),
            Some(json!({"body": "dated fix"})),
        )
        .await
        .json();
    assert_eq!(with["addenda"][0]["body"], "dated fix");
    k.call(&mut sam, "GET", notes, &format!("{cl}/notes"), None)
        .await;
    let mine = "/api/v1/notes";
    k.call(&mut ana, "GET", mine, mine, None).await;
    let log = "/api/v1/access-log";
    k.call(&mut ana, "GET", log, log, None).await;

    // Export and import.
    let ex = "/api/v1/export";
    for f in ["pdf", "csv", "fhir"] {
        k.call(&mut ana, "GET", ex, &format!("{ex}?format={f}"), None)
            .await;
    }
    let backup: Value = k
        .call(&mut ana, "GET", ex, "/api/v1/export?format=json", None)
        .await
        .json();
    let im = "/api/v1/import";
    k.call(&mut ana, "POST", im, im, Some(backup)).await;
    let rl = "/api/v1/report-links";
    let link = k
        .call(
            &mut ana,
            "POST",
            rl,
            rl,
            Some(json!({"expires_in_days": 3})),
        )
        .await
        .json();
    k.call(&mut ana, "GET", rl, rl, None).await;
    let one = "/api/v1/report-links/{id}";
    let id = link["id"].as_str().unwrap();
    k.call(
        &mut ana,
        "DELETE",
        one,
        &format!("/api/v1/report-links/{id}"),
        None,
    )
    .await;
    let cx = "/api/v1/clients/{client_id}/export";
    k.call(
        &mut sam,
        "GET",
        cx,
        &format!("{cl}/export?format=pdf"),
        None,
    )
    .await;

    // Leaving, last.
    let acc = "/api/v1/account";
    k.call(
        &mut ana,
        "DELETE",
        acc,
        acc,
        Some(json!({"password": PASSWORD})),
    )
    .await;

    let documented: BTreeSet<(String, String)> = k.doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), p.clone()))
        })
        .collect();
    let missed: Vec<_> = documented.difference(&k.seen).collect();
    assert!(missed.is_empty(), "operations not exercised: {missed:?}");
}

/// The data schemas of each entry kind, found inside the published `EntryData`.
fn kind_schemas(doc: &Value) -> Vec<Value> {
    doc["components"]["schemas"]["EntryData"]["oneOf"]
        .as_array()
        .expect("EntryData is a oneOf of the kinds")
        .clone()
}

#[actix_web::test]
async fn every_bound_the_entry_schemas_publish_is_the_bound_the_server_enforces() {
    let app = spawn_app().await;
    let k = Contract::load(&app).await;
    let mut c = api_user(&app, "bounds@example.com", "client").await;
    let samples = sample_entries();
    let schemas = kind_schemas(&k.doc);
    assert_eq!(schemas.len(), samples.len(), "one schema per kind");
    let mut probes = 0;
    for sample in &samples {
        // The kind's own schema: the one its sample data is valid against.
        let schema = schemas
            .iter()
            .find(|s| {
                let mut root = (*s).clone();
                root["components"] = k.doc["components"].clone();
                jsonschema::draft202012::is_valid(&root, &sample["data"])
            })
            .unwrap_or_else(|| panic!("a schema accepts {}", sample["data"]));
        for (field, prop) in schema["properties"].as_object().unwrap() {
            let mut tries: Vec<(Value, String)> = Vec::new();
            if let Some(min) = prop["minimum"].as_i64() {
                tries.push((json!(min), format!("{field} = minimum {min}")));
                tries.push((json!(min - 1), format!("{field} = {} below", min - 1)));
            }
            if let Some(max) = prop["maximum"].as_i64() {
                tries.push((json!(max), format!("{field} = maximum {max}")));
                tries.push((json!(max + 1), format!("{field} = {} above", max + 1)));
            }
            if let Some(max) = prop["maxLength"].as_u64() {
                tries.push((
                    json!("é".repeat(max as usize)),
                    format!("{field}: {max} characters"),
                ));
                tries.push((
                    json!("é".repeat(max as usize + 1)),
                    format!("{field}: {} characters", max + 1),
                ));
            }
            for (value, what) in tries {
                let mut body = sample.clone();
                body["data"][field] = value;
                let schema_says = k
                    .errors(&json!("#/components/schemas/EntryIn"), &body)
                    .is_empty();
                let r = c.post_json("/api/v1/entries", &body).await;
                let server_says = match r.status.as_u16() {
                    200 | 201 => true,
                    422 => false,
                    other => panic!("{what}: {other} {}", r.body),
                };
                assert_eq!(
                    server_says, schema_says,
                    "{} {what}: the server and the schema disagree ({})",
                    sample["kind"], r.body
                );
                probes += 1;
            }
        }
    }
    assert!(
        probes >= 30,
        "the schemas publish bounds to probe ({probes})"
    );
}
