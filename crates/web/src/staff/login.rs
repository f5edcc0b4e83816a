use crate::error::{ApiError, PageError};
use crate::login_guard::{self, Login};
use crate::request::{ClientIp, SESSION_COOKIE, cookie_value};
use crate::state::AppState;
use crate::view::{render, render_with};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::auth::TokenKind;

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage {
    username: String,
    message: Option<&'static str>,
}

pub async fn page() -> Response {
    render(&LoginPage {
        username: String::new(),
        message: None,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

fn session_cookie(state: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config().cookies_secure() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static(""))
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let username = form.username.trim().to_string();
    let user = match login_guard::attempt(&state, ip, &username, &form.password).await? {
        Login::Accepted(user) => user,
        Login::TooManyAttempts => {
            let page = LoginPage {
                username,
                message: Some("Terlalu banyak percobaan masuk. Tunggu sebentar lalu coba lagi."),
            };
            return Ok(render_with(StatusCode::TOO_MANY_REQUESTS, &page));
        }
        Login::Refused => {
            let page = LoginPage {
                username,
                message: Some("Nama pengguna atau kata sandi salah."),
            };
            return Ok(render_with(StatusCode::UNAUTHORIZED, &page));
        }
    };
    let ttl_hours = state.config().session_ttl_hours;
    let token = state
        .db()
        .create_token(user.id, TokenKind::Web, ttl_hours * 3_600_000)
        .await?;
    let mut response = Redirect::to("/staf").into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&state, &token, ttl_hours * 3600),
    );
    Ok(response)
}

pub async fn logout(State(state): State<AppState>, parts: Parts) -> Result<Response, PageError> {
    if let Some(token) = cookie_value(&parts, SESSION_COOKIE) {
        state
            .db()
            .revoke_token(token)
            .await
            .map_err(ApiError::from)?;
    }
    let mut response = Redirect::to("/masuk").into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok(response)
}
