//! Browser sessions and API bearer tokens. Only a SHA-256 of each token is stored.

use crate::db::run;
use crate::rows::User;
use crate::secrets::verify_password;
pub use crate::secrets::{digest, random_token};
use crate::{Db, Result, now_ms};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Web,
    Api,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Web => "web",
            TokenKind::Api => "api",
        }
    }
}

impl Db {
    /// Issues a new token for the user, valid for `ttl_ms`.
    pub async fn create_token(&self, user_id: i64, kind: TokenKind, ttl_ms: i64) -> Result<String> {
        let token = random_token();
        let now = now_ms();
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
        ).bind(digest(&token)).bind(user_id).bind(kind.as_str()).bind(now).bind(now + ttl_ms).execute(x).await?.rows_affected());
        tx.commit().await?;
        Ok(token)
    }

    /// The active user owning a live, unrevoked token of this kind.
    pub async fn token_user(&self, token: &str, kind: TokenKind) -> Result<Option<User>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_as::<_, User>(
            "SELECT u.id, u.username, u.password_hash, u.full_name, u.role, u.agency_id, u.position_id, u.email, u.phone, u.active
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.kind = $2 AND NOT s.revoked AND s.expires_at > $3 AND u.active"
        ).bind(digest(token)).bind(kind.as_str()).bind(now_ms()).fetch_optional(x).await?))
    }

    pub async fn revoke_token(&self, token: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query("UPDATE sessions SET revoked = TRUE WHERE token_hash = $1")
            .bind(digest(token)).execute(x).await?.rows_affected());
        tx.commit().await
    }

    /// Checks a username and password. Unknown users cost the same time as wrong passwords.
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>> {
        let user = self.user_by_username(username).await?;
        let Some(user) = user.filter(|u| u.active) else {
            verify_password(password, DUMMY_HASH).await;
            return Ok(None);
        };
        Ok(verify_password(password, &user.password_hash)
            .await
            .then_some(user))
    }
}

/// An argon2 hash of a random string, used to spend equal time on unknown usernames.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
