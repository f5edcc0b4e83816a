//! Errors mapped to HTTP once: `ApiError` as RFC 9457 problem+json, `PageError` as an HTML page.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use domain::FieldError;
use serde::Serialize;
use store::StoreError;

#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict(String),
    Invalid(Vec<FieldError>),
    Unprocessable(String),
    TooManyRequests,
    /// A path of the API with no handler for the method (axum sets `Allow`).
    MethodNotAllowed,
    Internal(String),
}

/// An RFC 9457 problem: the body of every error of the JSON API (`application/problem+json`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status code says what kind of problem it is.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub kind: &'static str,
    /// A short summary in Bahasa Indonesia, the same for every problem of this status.
    pub title: &'static str,
    /// The HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong in this request, in Bahasa Indonesia.
    pub detail: String,
    /// Each invalid field, on a 422 from validation; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<Vec<FieldProblem>>,
}

/// One invalid field of a request.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The field's name, as in the request.
    pub field: &'static str,
    pub message: String,
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Forbidden => ApiError::Forbidden,
            StoreError::Conflict(m) => ApiError::Conflict(m),
            StoreError::Invalid(m) => ApiError::Unprocessable(m),
            StoreError::Refused(r) if r.is_conflict() => {
                ApiError::Conflict(crate::texts::refusal(&r))
            }
            StoreError::Refused(r) => ApiError::Unprocessable(crate::texts::refusal(&r)),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::BadRequest(m) => {
                (StatusCode::BAD_REQUEST, "Permintaan tidak valid", m.clone())
            }
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Perlu masuk",
                "token tidak ada, salah atau kedaluwarsa".into(),
            ),
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Akses ditolak",
                "data ini di luar wewenang Anda".into(),
            ),
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                "Tidak ditemukan",
                "data tidak ditemukan".into(),
            ),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, "Konflik", m.clone()),
            ApiError::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Data tidak valid",
                "periksa kolom yang disebutkan".into(),
            ),
            ApiError::Unprocessable(m) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Data tidak valid",
                m.clone(),
            ),
            ApiError::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "Terlalu banyak permintaan",
                "coba lagi sebentar lagi".into(),
            ),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "Metode tidak diizinkan",
                "metode ini tidak tersedia di alamat ini; lihat header Allow".into(),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Kesalahan server",
                "terjadi kesalahan; coba lagi".into(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        let (status, title, detail) = self.parts();
        let errors = match self {
            ApiError::Invalid(errors) => Some(
                errors
                    .into_iter()
                    .map(|e| FieldProblem {
                        field: e.field,
                        message: e.message,
                    })
                    .collect(),
            ),
            _ => None,
        };
        let body = Problem {
            kind: "about:blank",
            title,
            status: status.as_u16(),
            detail,
            errors,
        };
        let mut response = (status, axum::Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// An error on an HTML page: a small page in Bahasa Indonesia with the right status.
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(err: E) -> Self {
        PageError(err.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self.0 {
            tracing::error!("internal error: {detail}");
        }
        if matches!(self.0, ApiError::Unauthorized) {
            return axum::response::Redirect::to("/masuk").into_response();
        }
        let (status, title, detail) = self.0.parts();
        let page = crate::view::ErrorPage {
            title,
            detail: &detail,
            status: status.as_u16(),
        };
        (status, Html(page.render_html())).into_response()
    }
}
