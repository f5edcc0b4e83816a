//! SMS gateways the admin manages in the web UI. The store keeps each one's settings as JSON
//! (the `sms` crate owns their meaning) and a revision that every change raises, so each node
//! notices a change and reloads its gateways.

use crate::db::run;
use crate::{Db, Result, StoreError, now_ms};

pub use domain::sms::wire::StoredGateway;

impl Db {
    pub async fn stored_gateways(&self) -> Result<Vec<StoredGateway>> {
        let mut conn = self.conn().await?;
        let rows: Vec<(String, String, bool, i64)> = run!(&mut conn.c(), x => sqlx::query_as(
            "SELECT name, settings, enabled, updated_at FROM sms_gateways ORDER BY name"
        ).fetch_all(x).await?);
        Ok(rows
            .into_iter()
            .map(|(name, settings, enabled, updated_at)| StoredGateway {
                name,
                settings,
                enabled,
                updated_at,
            })
            .collect())
    }

    /// Raised by every change of the stored gateways.
    pub async fn gateways_revision(&self) -> Result<i64> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_scalar(
            "SELECT revision FROM config_revisions WHERE name = 'gateways'"
        ).fetch_optional(x).await?)
        .unwrap_or(0))
    }

    /// Creates or replaces a gateway (`previous_name` renames one).
    pub async fn save_gateway(
        &self,
        previous_name: Option<&str>,
        name: &str,
        settings: &str,
        enabled: bool,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        if let Some(previous) = previous_name.filter(|p| *p != name) {
            let taken: Option<String> = run!(&mut c, x => sqlx::query_scalar("SELECT name FROM sms_gateways WHERE name = $1")
                .bind(name).fetch_optional(x).await?);
            if taken.is_some() {
                return Err(StoreError::Refused(domain::Refusal::Taken(
                    domain::Taken::GatewayName(name.to_string()),
                )));
            }
            run!(&mut c, x => sqlx::query("DELETE FROM sms_gateways WHERE name = $1")
                .bind(previous).execute(x).await?.rows_affected());
        }
        run!(&mut c, x => sqlx::query(
            "INSERT INTO sms_gateways (name, settings, enabled, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET settings = excluded.settings, enabled = excluded.enabled,
             updated_at = excluded.updated_at"
        ).bind(name).bind(settings).bind(enabled).bind(now_ms()).execute(x).await?.rows_affected());
        bump(&mut c).await?;
        tx.commit().await
    }

    pub async fn delete_gateway(&self, name: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let deleted = run!(&mut c, x => sqlx::query("DELETE FROM sms_gateways WHERE name = $1")
            .bind(name).execute(x).await?.rows_affected());
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        bump(&mut c).await?;
        tx.commit().await
    }
}

async fn bump(c: &mut crate::db::C<'_>) -> Result<()> {
    run!(c, x => sqlx::query("UPDATE config_revisions SET revision = revision + 1 WHERE name = 'gateways'")
        .execute(x).await?.rows_affected());
    Ok(())
}
