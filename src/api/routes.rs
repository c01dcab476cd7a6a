//! One route table per area: each endpoint is declared once, with its method, path, who may
//! call it, its handler and its documentation (query parameters, request body and 2xx response
//! types). `configure` registers the table, the OpenAPI document is generated from it, and the
//! tests walk it.

use crate::api::dto::ErrorBody;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::Parameter;
use utoipa::openapi::schema::Schema;
use utoipa::{IntoParams, ToSchema};

/// An HTTP method of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// Who may call an endpoint (the extractor in its handler enforces it; the authorization matrix
/// tests check it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// Anyone.
    Public,
    /// Any signed-in account.
    User,
    /// A client (keeps a journal).
    Client,
    /// A therapist.
    Therapist,
    /// A therapist with a live grant from the client in the path (`read_notes` to write).
    ClientAccess,
}

/// A schema and the named schemas it refers to.
#[derive(Clone, Copy)]
pub struct Typed {
    pub name: fn() -> std::borrow::Cow<'static, str>,
    pub schema: fn() -> RefOr<Schema>,
    pub refs: fn(&mut Vec<(String, RefOr<Schema>)>),
}

/// The schema of `T`.
pub fn typed<T: ToSchema>() -> Typed {
    Typed {
        name: T::name,
        schema: T::schema,
        refs: T::schemas,
    }
}

/// One endpoint.
#[derive(Clone)]
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub guard: Guard,
    pub tag: &'static str,
    pub summary: &'static str,
    pub route: fn() -> actix_web::Route,
    pub query: fn() -> Vec<Parameter>,
    pub body: Option<Typed>,
    /// The success status.
    pub ok: u16,
    /// The success body (none for 204).
    pub response: Option<Typed>,
    /// Another success status and its body (a replay answered 200 instead of 201).
    pub also: Option<(u16, Typed)>,
    /// The success answer is a file of one of these content types, not JSON.
    pub files: &'static [&'static str],
}

fn no_params() -> Vec<Parameter> {
    Vec::new()
}

impl Endpoint {
    /// An endpoint answering `ok` with no body until described further.
    pub fn new(
        method: Method,
        path: &'static str,
        guard: Guard,
        route: fn() -> actix_web::Route,
    ) -> Self {
        Self {
            method,
            path,
            guard,
            tag: "",
            summary: "",
            route,
            query: no_params,
            body: None,
            ok: 204,
            response: None,
            also: None,
            files: &[],
        }
    }
    /// Its group and one line on what it does.
    pub fn doc(mut self, tag: &'static str, summary: &'static str) -> Self {
        self.tag = tag;
        self.summary = summary;
        self
    }
    /// Its query parameters.
    pub fn query<Q: IntoParams>(mut self) -> Self {
        self.query = || Q::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query));
        self
    }
    /// Its JSON request body.
    pub fn body<B: ToSchema>(mut self) -> Self {
        self.body = Some(typed::<B>());
        self
    }
    /// Its success answer is a file of one of `types`.
    pub fn returns_file(mut self, status: u16, types: &'static [&'static str]) -> Self {
        self.ok = status;
        self.files = types;
        self
    }
    /// Another success status with its JSON body.
    pub fn also<R: ToSchema>(mut self, status: u16) -> Self {
        self.also = Some((status, typed::<R>()));
        self
    }
    /// Its success status and JSON body.
    pub fn returns<R: ToSchema>(mut self, status: u16) -> Self {
        self.ok = status;
        self.response = Some(typed::<R>());
        self
    }
}

/// `ep!(GET "/path", Guard, handler)`: an endpoint whose route calls `handler`.
macro_rules! ep {
    (GET $path:literal, $guard:ident, $handler:path) => {
        $crate::api::routes::Endpoint::new(
            $crate::api::routes::Method::Get,
            $path,
            $crate::api::routes::Guard::$guard,
            || actix_web::web::get().to($handler),
        )
    };
    (POST $path:literal, $guard:ident, $handler:path) => {
        $crate::api::routes::Endpoint::new(
            $crate::api::routes::Method::Post,
            $path,
            $crate::api::routes::Guard::$guard,
            || actix_web::web::post().to($handler),
        )
    };
    (PUT $path:literal, $guard:ident, $handler:path) => {
        $crate::api::routes::Endpoint::new(
            $crate::api::routes::Method::Put,
            $path,
            $crate::api::routes::Guard::$guard,
            || actix_web::web::put().to($handler),
        )
    };
    (DELETE $path:literal, $guard:ident, $handler:path) => {
        $crate::api::routes::Endpoint::new(
            $crate::api::routes::Method::Delete,
            $path,
            $crate::api::routes::Guard::$guard,
            || actix_web::web::delete().to($handler),
        )
    };
}
pub(crate) use ep;

/// The error body's schema, for every error response.
pub fn error_body() -> Typed {
    typed::<ErrorBody>()
}
