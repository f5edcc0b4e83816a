//! Helpers shared by the admin and SMS pages: role check, redirects and field errors.

use crate::error::{ApiError, PageError};
use crate::request::Staff;
use crate::view::{Nav, render_with};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use store::StoreError;

pub(crate) fn require_admin(staff: &Staff) -> Result<Nav, PageError> {
    if !staff.access.is_admin() {
        return Err(PageError(ApiError::Forbidden));
    }
    Ok(Nav::of(staff))
}

pub(crate) fn see_other(target: &str) -> Response {
    let mut response = Redirect::to(target).into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

pub(crate) fn invalid<T: Template>(page: &T) -> Response {
    render_with(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// Messages for the fields of a form.
#[derive(Debug, Default)]
pub(crate) struct Errors(Vec<(&'static str, String)>);

impl Errors {
    pub(crate) fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first message for `field`, or "".
    pub fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
            .unwrap_or_default()
    }

    /// A store rejection that belongs on the form (duplicate code, invalid value) becomes a
    /// message on `field`; anything else is a real error.
    pub(crate) fn store(&mut self, err: StoreError, field: &'static str) -> Result<(), PageError> {
        match err {
            StoreError::Conflict(m) | StoreError::Invalid(m) => {
                self.add(field, m);
                Ok(())
            }
            StoreError::Refused(r) => {
                self.add(field, crate::texts::refusal(&r));
                Ok(())
            }
            other => Err(other.into()),
        }
    }
}
