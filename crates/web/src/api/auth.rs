use crate::error::ApiError;
use crate::login_guard::{self, Login};
use crate::request::{ApiStaff, ClientIp};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use store::auth::TokenKind;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Bearer token for `Authorization: Bearer …`.
    pub token: String,
    /// Expiry, milliseconds since the Unix epoch.
    pub expires_at: i64,
}

/// Exchanges a username and password for an expiring bearer token.
#[utoipa::path(post, path = "/auth/token", request_body = Credentials,
    responses((status = 200, body = TokenResponse), (status = 401, description = "wrong username or password"),
              (status = 429, description = "too many attempts")))]
pub async fn issue_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Result<Json<Credentials>, JsonRejection>,
) -> Result<Json<TokenResponse>, ApiError> {
    let Json(credentials) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let username = credentials.username.trim();
    let user = match login_guard::attempt(&state, ip, username, &credentials.password).await? {
        Login::Accepted(user) => user,
        Login::Refused => return Err(ApiError::Unauthorized),
        Login::TooManyAttempts => return Err(ApiError::TooManyRequests),
    };
    let ttl = state.config().token_ttl_hours * 3_600_000;
    let token = state
        .db()
        .create_token(user.id, TokenKind::Api, ttl)
        .await?;
    Ok(Json(TokenResponse {
        token,
        expires_at: store::now_ms() + ttl,
    }))
}

/// Revokes the token used to call this endpoint.
#[utoipa::path(delete, path = "/auth/token", security(("bearer" = [])),
    responses((status = 204, description = "revoked"), (status = 401)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
) -> Result<StatusCode, ApiError> {
    state.db().revoke_token(&staff.token).await?;
    Ok(StatusCode::NO_CONTENT)
}
