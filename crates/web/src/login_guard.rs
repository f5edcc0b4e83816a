//! Every login, by form or API, passes here: a limit per client address (in memory), a
//! backoff per username (in the database, so it holds across nodes), and a log of failures.

use crate::error::ApiError;
use crate::state::AppState;
use std::net::IpAddr;
use store::org::User;

pub enum Login {
    Accepted(User),
    Refused,
    TooManyAttempts,
}

pub async fn attempt(
    state: &AppState,
    ip: IpAddr,
    username: &str,
    password: &str,
) -> Result<Login, ApiError> {
    if !state.login_allowed(ip) {
        tracing::warn!(%ip, username, "login refused: too many attempts from this address");
        return Ok(Login::TooManyAttempts);
    }
    let now = store::now_ms();
    let wait_ms = state.db().login_wait_ms(username, now).await?;
    if wait_ms > 0 {
        tracing::warn!(%ip, username, wait_ms, "login refused: too many failures for this username");
        return Ok(Login::TooManyAttempts);
    }
    let user = state.db().authenticate(username, password).await?;
    state
        .db()
        .record_login_attempt(username, user.is_some(), now)
        .await?;
    Ok(match user {
        Some(user) => Login::Accepted(user),
        None => {
            tracing::warn!(%ip, username, "failed login");
            Login::Refused
        }
    })
}
