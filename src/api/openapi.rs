//! The JSON API described as OpenAPI 3.1 (`GET /api/v1/openapi.json`), generated from the route
//! tables of every area and the `ToSchema` wire types they name: a route and its document cannot
//! drift apart.

use crate::api::dto::{ErrorBody, OpenApiDocument};
use crate::api::routes::{Endpoint, Guard, Method, Typed, ep, typed};
use actix_web::HttpResponse;
use std::sync::OnceLock;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths, Ref, RefOr,
    Required, ResponseBuilder, Schema,
};

/// The meta area: this document.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        ep!(GET "/api/v1/openapi.json", Public, get_openapi)
            .doc("meta", "This document")
            .returns::<OpenApiDocument>(200),
    ]
}

fn http_method(m: Method) -> HttpMethod {
    match m {
        Method::Get => HttpMethod::Get,
        Method::Post => HttpMethod::Post,
        Method::Put => HttpMethod::Put,
        Method::Delete => HttpMethod::Delete,
    }
}

/// A reference to `t`, collecting `t` and what it refers to into `schemas`.
fn reference(t: &Typed, schemas: &mut Vec<(String, RefOr<Schema>)>) -> RefOr<Schema> {
    let name = (t.name)().into_owned();
    (t.refs)(schemas);
    schemas.push((name.clone(), (t.schema)()));
    RefOr::Ref(Ref::from_schema_name(name))
}

fn json(schema: RefOr<Schema>) -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

/// A path parameter: ids are UUIDs, share ids and note ids are text.
fn path_param(name: &str) -> utoipa::openapi::path::Parameter {
    let schema = if name == "client_id" {
        crate::api::dto::uuid_schema()
    } else {
        ObjectBuilder::new().schema_type(Type::String).into()
    };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(schema))
        .build()
}

/// The success answers (and the error answer) of an endpoint.
fn responses(
    mut op: OperationBuilder,
    e: &Endpoint,
    schemas: &mut Vec<(String, RefOr<Schema>)>,
) -> OperationBuilder {
    let ok = ResponseBuilder::new().description("Success");
    let mut ok = match &e.response {
        Some(r) => ok.content("application/json", json(reference(r, schemas))),
        None => ok,
    };
    for t in e.files {
        let file = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .into();
        ok = ok.content(*t, json(file));
    }
    if let Some((status, t)) = &e.also {
        let also = ResponseBuilder::new()
            .description("Success")
            .content("application/json", json(reference(t, schemas)));
        op = op.response(status.to_string(), also.build());
    }
    let error = reference(&typed::<ErrorBody>(), schemas);
    op.response(e.ok.to_string(), ok.build()).response(
        "default",
        ResponseBuilder::new()
            .description("An error, in one shape: {error, message, fields}")
            .content("application/json", json(error))
            .build(),
    )
}

fn operation(
    e: &Endpoint,
    schemas: &mut Vec<(String, RefOr<Schema>)>,
) -> utoipa::openapi::path::Operation {
    let mut op = OperationBuilder::new()
        .tag(e.tag)
        .summary(Some(e.summary))
        .operation_id(Some(format!(
            "{}{}",
            e.method.as_str().to_lowercase(),
            e.path.replace(['/', '{', '}', '.', '-'], "_")
        )));
    for segment in e.path.split('/').filter(|s| s.starts_with('{')) {
        op = op.parameter(path_param(segment.trim_matches(|c| c == '{' || c == '}')));
    }
    for p in (e.query)() {
        op = op.parameter(p);
    }
    if let Some(body) = &e.body {
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .content("application/json", json(reference(body, schemas)))
                .required(Some(Required::True))
                .build(),
        ));
    }
    op = responses(op, e, schemas);
    if e.guard != Guard::Public {
        op = op.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
    }
    op.build()
}

/// The whole document.
pub fn document() -> OpenApi {
    let mut paths = Paths::new();
    let mut schemas = Vec::new();
    for e in crate::api::endpoints() {
        let op = operation(&e, &mut schemas);
        paths.add_path_operation(e.path, vec![http_method(e.method)], op);
    }
    let mut components = ComponentsBuilder::new().security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    for (name, schema) in schemas {
        components = components.schema(name, schema);
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
        .components(Some(components.build()))
        .build()
}

/// `GET /api/v1/openapi.json` (built once).
pub async fn get_openapi() -> HttpResponse {
    static DOC: OnceLock<String> = OnceLock::new();
    let body =
        DOC.get_or_init(|| serde_json::to_string(&document()).unwrap_or_else(|_| "{}".into()));
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.as_str())
}
