//! Reading HTML form posts: urlencoded body, CSRF check, typed fields.

use crate::auth::csrf;
use crate::domain::fields::Fields;
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

/// Decoded `application/x-www-form-urlencoded` pairs, in order, repeats kept.
#[derive(Clone, Debug, Default)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// Decodes a urlencoded body.
    pub fn parse(body: &[u8]) -> Self {
        Self(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }
    /// The first value for `name`, as typed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// All values for `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// Replaces (or adds) one value.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.retain(|(k, _)| k != name);
        self.0.push((name.to_string(), value.into()));
    }
    fn trimmed(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|s| !s.is_empty())
    }
}

impl Fields for FormFields {
    fn names_outside(&self, allowed: &[&str]) -> Vec<&str> {
        crate::domain::fields::outside(self.0.iter().map(|(k, _)| k.as_str()), allowed)
    }
    fn strict(&self) -> bool {
        false
    }
    fn text(&self, name: &str) -> Result<Option<&str>, String> {
        Ok(self.trimmed(name))
    }
    fn int(&self, name: &str) -> Result<Option<i64>, String> {
        match self.trimmed(name) {
            None => Ok(None),
            Some(s) => s
                .parse::<i64>()
                .map(Some)
                .map_err(|_| "must be a whole number".into()),
        }
    }
    fn boolean(&self, name: &str) -> Result<Option<bool>, String> {
        match self.trimmed(name) {
            None => Ok(None),
            Some("on" | "true" | "yes" | "1") => Ok(Some(true)),
            Some("off" | "false" | "no" | "0") => Ok(Some(false)),
            Some(_) => Err("must be yes or no".into()),
        }
    }
    fn list(&self, name: &str) -> Result<Vec<&str>, String> {
        Ok(self
            .all(name)
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entry::Relief;
    use crate::domain::fields::Reader;

    #[test]
    fn form_source_trims_ignores_unknown_and_reads_repeated_checkboxes() {
        let form = FormFields::parse(b"n=+7+&c=stretch&c=heat&c=stretch&csrf_token=abc&empty=");
        let mut r = Reader::new(&form);
        r.deny_unknown(&["n", "c"]);
        assert_eq!(r.int("n", 0, 10), Some(7));
        assert_eq!(
            r.choices::<Relief>("c"),
            vec![Relief::Stretch, Relief::Heat]
        );
        assert_eq!(r.text("empty", 10), None);
        assert!(r.errors.is_empty());
    }
}
