//! Who is calling: the client address, an API bearer token, or a staff session cookie.

use crate::error::{ApiError, PageError};
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use store::Access;
use store::auth::TokenKind;
use store::org::User;

pub const SESSION_COOKIE: &str = "balai_session";

pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = peer_ip(parts);
        let trusted = &state.config().trusted_proxies;
        Ok(ClientIp(crate::client_ip::resolve(
            peer,
            &parts.headers,
            trusted,
        )))
    }
}

/// The socket peer (the nearest hop), before any forwarding header is considered.
pub fn peer_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// An authenticated staff member with their ticket scope.
pub struct Staff {
    pub user: User,
    pub access: Access,
    pub token: String,
}

impl Staff {
    /// The secretariat and the admin report tickets to LAPOR! SP4N (region-wide triage).
    pub fn reports_to_lapor(&self) -> bool {
        self.access.can_region_wide(domain::Capability::Triage)
    }
}

async fn staff_for(
    state: &AppState,
    token: &str,
    kind: TokenKind,
) -> Result<Option<Staff>, ApiError> {
    let Some(user) = state.db().token_user(token, kind).await? else {
        return Ok(None);
    };
    let access = state.db().access_for(&user, store::now_ms()).await?;
    Ok(Some(Staff {
        user,
        access,
        token: token.to_string(),
    }))
}

/// API caller, from `Authorization: Bearer <token>`.
pub struct ApiStaff(pub Staff);

impl FromRequestParts<AppState> for ApiStaff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        staff_for(state, token, TokenKind::Api)
            .await?
            .map(ApiStaff)
            .ok_or(ApiError::Unauthorized)
    }
}

pub fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Staff member signed in through the browser; others are sent to the login page.
pub struct PageStaff(pub Staff);

impl FromRequestParts<AppState> for PageStaff {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie_value(parts, SESSION_COOKIE).ok_or(PageError(ApiError::Unauthorized))?;
        staff_for(state, token, TokenKind::Web)
            .await?
            .map(PageStaff)
            .ok_or(PageError(ApiError::Unauthorized))
    }
}

/// A path parameter of the JSON API; one that does not parse (`/tickets/abc`) is a 400
/// problem, not axum's plain-text rejection.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(ApiError::BadRequest(rejection.body_text())),
        }
    }
}
