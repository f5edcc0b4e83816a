//! The organisation: region settings, agencies, positions, users and categories.

use crate::db::run;
pub use crate::rows::{NewAgency, User};
pub use crate::secrets::verify_password;
use crate::{Db, Result, StoreError, now_ms};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RegionSettings {
    pub name: String,
    pub timezone: String,
    pub logo_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Agency {
    pub id: i64,
    pub code: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: domain::AgencyKind,
    pub parent_id: Option<i64>,
    pub active: bool,
    pub mechanism: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Position {
    pub id: i64,
    pub agency_id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub active: bool,
    pub sort_order: i64,
}

#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub full_name: String,
    pub role: String,
    pub agency_id: Option<i64>,
    pub position_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

pub const AGENCY_KINDS: &[(&str, &str)] = &[
    ("secretariat", "Sekretariat"),
    ("agency", "OPD / Dinas / Badan"),
    ("subdistrict", "Kecamatan"),
    ("enterprise", "Perusahaan Daerah"),
];

const USER_COLUMNS: &str =
    "id, username, password_hash, full_name, role, agency_id, position_id, email, phone, active";

/// Hashes with argon2 off the async threads (it takes tens of milliseconds by design).
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| StoreError::Invalid(format!("hashing failed: {e}")))
}

fn map_unique(err: sqlx::Error, what: domain::Taken) -> StoreError {
    if StoreError::is_unique_violation(&err) {
        StoreError::Refused(domain::Refusal::Taken(what))
    } else {
        err.into()
    }
}

impl Db {
    pub async fn region(&self) -> Result<RegionSettings> {
        let mut conn = self.conn().await?;
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, RegionSettings>(
            "SELECT name, timezone, logo_url FROM region_settings WHERE id = 1"
        ).fetch_one(x).await?),
        )
    }

    pub async fn update_region(&self, settings: &RegionSettings) -> Result<()> {
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query(
            "UPDATE region_settings SET name = $1, timezone = $2, logo_url = $3 WHERE id = 1"
        ).bind(&settings.name).bind(&settings.timezone).bind(&settings.logo_url).execute(x).await?.rows_affected());
        tx.commit().await
    }

    pub async fn agencies(&self) -> Result<Vec<Agency>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_as::<_, Agency>(
            "SELECT id, code, name, kind, parent_id, active, mechanism FROM agencies ORDER BY kind <> 'secretariat', name"
        ).fetch_all(x).await?))
    }

    pub async fn agency_by_code(&self, code: &str) -> Result<Agency> {
        let mut conn = self.conn().await?;
        run!(&mut conn.c(), x => sqlx::query_as::<_, Agency>(
            "SELECT id, code, name, kind, parent_id, active, mechanism FROM agencies WHERE code = $1"
        ).bind(code).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)
    }

    pub async fn create_agency(&self, agency: &NewAgency) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id: i64 = run!(&mut tx.c(), x => sqlx::query_scalar(
            "INSERT INTO agencies (code, name, kind, parent_id, mechanism) VALUES ($1, $2, $3, $4, $5) RETURNING id"
        ).bind(&agency.code).bind(&agency.name).bind(&agency.kind).bind(agency.parent_id).bind(&agency.mechanism)
            .fetch_one(x).await.map_err(|e| map_unique(e, domain::Taken::AgencyCode))?);
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_agency(&self, id: i64, agency: &NewAgency, active: bool) -> Result<()> {
        if agency.parent_id == Some(id) {
            return Err(StoreError::Refused(domain::Refusal::AgencyOwnParent));
        }
        let mut tx = self.begin().await?;
        let done = run!(&mut tx.c(), x => sqlx::query(
            "UPDATE agencies SET code = $1, name = $2, kind = $3, parent_id = $4, mechanism = $5, active = $6 WHERE id = $7"
        ).bind(&agency.code).bind(&agency.name).bind(&agency.kind).bind(agency.parent_id).bind(&agency.mechanism)
            .bind(active).bind(id).execute(x).await.map_err(|e| map_unique(e, domain::Taken::AgencyCode))?.rows_affected());
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }

    /// The agency and every agency below it in the tree.
    pub async fn agency_subtree(&self, root: i64) -> Result<Vec<i64>> {
        let all = self.agencies().await?;
        let mut ids = vec![root];
        let mut i = 0;
        while i < ids.len() {
            let parent = ids[i];
            ids.extend(
                all.iter()
                    .filter(|a| a.parent_id == Some(parent))
                    .map(|a| a.id),
            );
            i += 1;
        }
        Ok(ids)
    }

    pub async fn positions(&self) -> Result<Vec<Position>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_as::<_, Position>(
            "SELECT id, agency_id, name, parent_id FROM positions ORDER BY agency_id, id"
        ).fetch_all(x).await?))
    }

    pub async fn create_position(
        &self,
        agency_id: i64,
        name: &str,
        parent_id: Option<i64>,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id: i64 = run!(&mut tx.c(), x => sqlx::query_scalar(
            "INSERT INTO positions (agency_id, name, parent_id) VALUES ($1, $2, $3) RETURNING id"
        ).bind(agency_id).bind(name).bind(parent_id).fetch_one(x).await?);
        tx.commit().await?;
        Ok(id)
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let mut conn = self.conn().await?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql)).fetch_all(x).await?),
        )
    }

    pub async fn users_of_agency(&self, agency_id: i64) -> Result<Vec<User>> {
        let mut conn = self.conn().await?;
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE agency_id = $1 AND active ORDER BY full_name"
        );
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql)).bind(agency_id).fetch_all(x).await?),
        )
    }

    pub async fn user(&self, id: i64) -> Result<User> {
        let mut conn = self.conn().await?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        run!(&mut conn.c(), x => sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(x).await?)
            .ok_or(StoreError::NotFound)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let mut conn = self.conn().await?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(x).await?),
        )
    }

    pub async fn create_user(&self, user: &NewUser) -> Result<i64> {
        if domain::Role::parse(&user.role).is_none() {
            return Err(StoreError::Refused(domain::Refusal::UnknownRole(
                user.role.clone(),
            )));
        }
        if user.password.chars().count() < 8 {
            return Err(StoreError::Refused(domain::Refusal::PasswordTooShort));
        }
        let hash = hash_password(&user.password).await?;
        let mut tx = self.begin().await?;
        let id: i64 = run!(&mut tx.c(), x => sqlx::query_scalar(
            "INSERT INTO users (username, password_hash, full_name, role, agency_id, position_id, email, phone, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        ).bind(&user.username).bind(&hash).bind(&user.full_name).bind(&user.role).bind(user.agency_id)
            .bind(user.position_id).bind(&user.email).bind(&user.phone).bind(now_ms())
            .fetch_one(x).await.map_err(|e| map_unique(e, domain::Taken::Username))?);
        tx.commit().await?;
        Ok(id)
    }

    /// Updates a user's profile; a new password is set only when one is given. A new password
    /// or deactivation ends the user's sessions and API tokens, except `keep_token` (the
    /// session of a user changing their own password).
    pub async fn update_user(
        &self,
        id: i64,
        user: &NewUser,
        active: bool,
        keep_token: Option<&str>,
    ) -> Result<()> {
        if domain::Role::parse(&user.role).is_none() {
            return Err(StoreError::Refused(domain::Refusal::UnknownRole(
                user.role.clone(),
            )));
        }
        let hash = if user.password.is_empty() {
            None
        } else if user.password.chars().count() < 8 {
            return Err(StoreError::Refused(domain::Refusal::PasswordTooShort));
        } else {
            Some(hash_password(&user.password).await?)
        };
        let password_changed = hash.is_some();
        let mut tx = self.begin().await?;
        let done = run!(&mut tx.c(), x => sqlx::query(
            "UPDATE users SET full_name = $1, role = $2, agency_id = $3, position_id = $4, email = $5, phone = $6,
             active = $7, password_hash = COALESCE($8, password_hash) WHERE id = $9"
        ).bind(&user.full_name).bind(&user.role).bind(user.agency_id).bind(user.position_id).bind(&user.email)
            .bind(&user.phone).bind(active).bind(hash).bind(id).execute(x).await?.rows_affected());
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        if !active {
            run!(&mut tx.c(), x => sqlx::query("UPDATE sessions SET revoked = TRUE WHERE user_id = $1").bind(id).execute(x).await?.rows_affected());
        } else if password_changed {
            let kept = keep_token.map(crate::secrets::digest).unwrap_or_default();
            run!(&mut tx.c(), x => sqlx::query("UPDATE sessions SET revoked = TRUE WHERE user_id = $1 AND token_hash <> $2")
                .bind(id).bind(kept).execute(x).await?.rows_affected());
        }
        tx.commit().await
    }

    pub async fn categories(&self) -> Result<Vec<Category>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_as::<_, Category>(
            "SELECT code, name, active, sort_order FROM categories ORDER BY sort_order, code"
        ).fetch_all(x).await?))
    }

    pub async fn upsert_category(
        &self,
        code: &str,
        name: &str,
        active: bool,
        sort_order: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query(
            "INSERT INTO categories (code, name, active, sort_order) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, active = excluded.active, sort_order = excluded.sort_order"
        ).bind(code).bind(name).bind(active).bind(sort_order).execute(x).await?.rows_affected());
        tx.commit().await
    }
}
