//! Reading HTML form posts: urlencoded body, CSRF check, typed fields.

use crate::auth::csrf;
use crate::domain::fields::FormFields;
use crate::error::AppError;
use crate::web::PageError;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use std::future::Future;
use std::pin::Pin;

/// Largest form body accepted.
pub const MAX_FORM: usize = 64 * 1024;

/// A posted form whose CSRF token has been checked.
#[derive(Clone, Debug)]
pub struct HtmlForm(pub FormFields);

impl FromRequest for HtmlForm {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;
    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk
                    .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
                if body.len() + chunk.len() > MAX_FORM {
                    return Err(AppError::TooLarge("The form is too large.".into()).into());
                }
                body.extend_from_slice(&chunk);
            }
            let fields = FormFields::parse(&body);
            csrf::verify(&req, fields.get(csrf::FIELD))?;
            Ok(HtmlForm(fields))
        })
    }
}
