//! Acting officials (Plt./Plh.): a dated delegation of an official's position to another user.
//! While it runs, the delegate sees the delegator's inbox (`Db::actor_for` widens the scope),
//! receives the dispositions and notices addressed to the delegator, and every action they
//! take with the delegator's authority is recorded as `Plh. <position>` on the timeline.

use crate::db::{C, Placeholders, run};
use crate::{Actor, Db, Result, StoreError, now_ms};
use domain::Role;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Delegation {
    pub id: i64,
    pub delegator_id: i64,
    pub delegator_name: String,
    pub position_id: Option<i64>,
    pub position_label: String,
    pub delegate_id: i64,
    pub delegate_name: String,
    /// `plt` or `plh`.
    pub kind: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub note: String,
    pub created_by: i64,
    pub created_at: i64,
    pub ended_early_by: Option<i64>,
}

impl Delegation {
    /// `Plh. Kepala Dinas Perhubungan`.
    pub fn label(&self) -> String {
        acting_label(&self.kind, &self.position_label)
    }

    pub fn is_active(&self, now: i64) -> bool {
        self.starts_at <= now && now < self.ends_at
    }

    /// `aktif`, `akan datang` or `selesai`.
    pub fn state_label(&self, now: i64) -> &'static str {
        if self.is_active(now) {
            "aktif"
        } else if now < self.starts_at {
            "akan datang"
        } else {
            "selesai"
        }
    }
}

pub fn acting_label(kind: &str, position: &str) -> String {
    let prefix = if kind == "plt" { "Plt." } else { "Plh." };
    format!("{prefix} {position}")
}

#[derive(Debug, Clone)]
pub struct NewDelegation {
    pub delegator_id: i64,
    pub delegate_id: i64,
    /// `plt` or `plh`.
    pub kind: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub note: String,
}

/// Someone acting with another official's authority through a running delegation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Acting {
    pub delegator_id: i64,
    pub label: String,
}

impl Acting {
    /// Adds who acted for whom to an event's payload.
    pub(crate) fn tag(
        acting: &Option<Acting>,
        mut payload: serde_json::Value,
    ) -> serde_json::Value {
        if let (Some(a), Some(map)) = (acting, payload.as_object_mut()) {
            map.insert("acting_as".into(), a.label.clone().into());
            map.insert("on_behalf_of".into(), a.delegator_id.into());
        }
        payload
    }
}

const DELEGATION_SELECT: &str = "SELECT d.id, d.delegator_id, a.full_name AS delegator_name, d.position_id,
    d.position_label, d.delegate_id, b.full_name AS delegate_name, d.kind, d.starts_at, d.ends_at, d.note,
    d.created_by, d.created_at, d.ended_early_by
    FROM delegations d JOIN users a ON a.id = d.delegator_id JOIN users b ON b.id = d.delegate_id";

/// The delegations running at `now` whose delegate is `user_id`: (delegator, label).
pub(crate) async fn active_delegators(
    c: &mut C<'_>,
    user_id: i64,
    now: i64,
) -> Result<Vec<Acting>> {
    let rows: Vec<(i64, String, String)> = run!(c, x => sqlx::query_as(
        "SELECT delegator_id, kind, position_label FROM delegations
         WHERE delegate_id = $1 AND starts_at <= $2 AND ends_at > $2 ORDER BY id"
    ).bind(user_id).bind(now).fetch_all(x).await?);
    Ok(rows
        .into_iter()
        .map(|(delegator_id, kind, position)| Acting {
            delegator_id,
            label: acting_label(&kind, &position),
        })
        .collect())
}

/// `user_ids` and the delegates standing in for any of them at `now`, without repeats.
pub(crate) async fn with_delegates(c: &mut C<'_>, user_ids: &[i64], now: i64) -> Result<Vec<i64>> {
    let mut all = user_ids.to_vec();
    if !user_ids.is_empty() {
        let mut p = Placeholders::for_conn(c);
        let sql = format!(
            "SELECT delegate_id FROM delegations WHERE delegator_id IN ({}) AND starts_at <= {} AND ends_at > {}",
            p.list(user_ids.len()),
            now,
            now
        );
        let delegates: Vec<i64> = run!(c, x => {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
            for id in user_ids {
                q = q.bind(*id);
            }
            q.fetch_all(x).await?
        });
        all.extend(delegates);
    }
    let mut seen = std::collections::HashSet::new();
    all.retain(|id| seen.insert(*id));
    Ok(all)
}

/// Whether `agency_id` lies in the user's own scope (their agency's subtree, or the whole
/// region for region-wide roles).
pub(crate) async fn own_scope_covers(
    c: &mut C<'_>,
    user_id: i64,
    agency_id: Option<i64>,
) -> Result<bool> {
    let row: Option<(String, Option<i64>)> = run!(c, x => sqlx::query_as(
        "SELECT role, agency_id FROM users WHERE id = $1 AND active"
    ).bind(user_id).fetch_optional(x).await?);
    let Some((role, own_agency)) = row else {
        return Ok(false);
    };
    if Role::parse(&role).is_some_and(|r| r.sees_whole_region()) {
        return Ok(true);
    }
    let (Some(own), Some(target)) = (own_agency, agency_id) else {
        return Ok(false);
    };
    let found: i64 = run!(c, x => sqlx::query_scalar(
        "WITH RECURSIVE sub(id) AS (
            SELECT id FROM agencies WHERE id = $1
            UNION SELECT a.id FROM agencies a JOIN sub ON a.parent_id = sub.id)
         SELECT COUNT(*) FROM sub WHERE id = $2"
    ).bind(own).bind(target).fetch_one(x).await?);
    Ok(found > 0)
}

/// Who the user acts for on a ticket of `agency_id`: nobody when their own scope covers it,
/// else the first running delegation whose delegator's scope does.
pub(crate) async fn acting_for_agency(
    c: &mut C<'_>,
    user_id: i64,
    agency_id: Option<i64>,
    now: i64,
) -> Result<Option<Acting>> {
    if own_scope_covers(c, user_id, agency_id).await? {
        return Ok(None);
    }
    for acting in active_delegators(c, user_id, now).await? {
        if own_scope_covers(c, acting.delegator_id, agency_id).await? {
            return Ok(Some(acting));
        }
    }
    Ok(None)
}

impl Db {
    /// Records a delegation. The official themselves or an admin may; the message names the
    /// field at fault (`delegate_id:`, `ends_at:`, `kind:`…).
    pub async fn create_delegation(&self, by: &Actor, new: &NewDelegation) -> Result<i64> {
        let invalid = |m: &str| StoreError::Invalid(m.to_string());
        if by.role != Role::Admin && by.user_id != new.delegator_id {
            return Err(StoreError::Forbidden);
        }
        if new.kind != "plt" && new.kind != "plh" {
            return Err(invalid("kind: pilih Plt atau Plh"));
        }
        if new.ends_at <= new.starts_at {
            return Err(invalid(
                "ends_at: tanggal selesai harus setelah tanggal mulai",
            ));
        }
        if new.delegate_id == new.delegator_id {
            return Err(invalid(
                "delegate_id: jabatan tidak dapat didelegasikan kepada diri sendiri",
            ));
        }
        let now = now_ms();
        if new.ends_at <= now {
            return Err(invalid("ends_at: tanggal selesai sudah lewat"));
        }
        // Authority is never given in the past: a delegation from today runs from now.
        let starts_at = new.starts_at.max(now);
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        type UserRow = (
            String,
            String,
            Option<i64>,
            Option<String>,
            Option<i64>,
            bool,
        );
        let load = |id: i64| {
            format!(
                "SELECT u.full_name, u.role, u.position_id, p.name, u.agency_id, u.active FROM users u
                 LEFT JOIN positions p ON p.id = u.position_id WHERE u.id = {id}"
            )
        };
        let delegator: UserRow =
            run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(load(new.delegator_id)))
            .fetch_optional(x).await?)
            .ok_or_else(|| invalid("delegator_id: pejabat tidak dikenal"))?;
        let delegate: Option<UserRow> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(load(new.delegate_id)))
            .fetch_optional(x).await?);
        match delegate {
            Some(d) if d.5 => {}
            _ => {
                return Err(invalid(
                    "delegate_id: penerima delegasi tidak dikenal atau tidak aktif",
                ));
            }
        }
        let (_, role, position_id, position_name, agency_id, _) = delegator;
        let position_label = match position_name {
            Some(name) => name,
            None => {
                let agency: Option<String> = match agency_id {
                    Some(id) => {
                        run!(&mut c, x => sqlx::query_scalar("SELECT name FROM agencies WHERE id = $1")
                        .bind(id).fetch_optional(x).await?)
                    }
                    None => None,
                };
                let role = Role::parse(&role)
                    .map(|r| r.label_id())
                    .unwrap_or("Pejabat");
                match agency {
                    Some(agency) => format!("{role} {agency}"),
                    None => role.to_string(),
                }
            }
        };
        // One acting official per position (or per official without one) at a time.
        let overlap: Option<i64> = run!(&mut c, x => sqlx::query_scalar(
            "SELECT id FROM delegations WHERE (delegator_id = $1 OR (position_id IS NOT NULL AND position_id = $2))
             AND ends_at > starts_at AND starts_at < $4 AND ends_at > $3 LIMIT 1"
        ).bind(new.delegator_id).bind(position_id).bind(starts_at).bind(new.ends_at).fetch_optional(x).await?);
        if overlap.is_some() {
            return Err(invalid(
                "starts_at: sudah ada delegasi jabatan ini yang waktunya bertumpang tindih",
            ));
        }
        let id: i64 = run!(&mut c, x => sqlx::query_scalar(
            "INSERT INTO delegations (delegator_id, position_id, position_label, delegate_id, kind, starts_at, ends_at,
                note, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
        ).bind(new.delegator_id).bind(position_id).bind(&position_label).bind(new.delegate_id).bind(&new.kind)
            .bind(starts_at).bind(new.ends_at).bind(new.note.trim()).bind(by.user_id).bind(now)
            .fetch_one(x).await?);
        tx.commit().await?;
        Ok(id)
    }

    /// Ends a delegation now (or cancels one not yet started): the delegator, the delegate
    /// or an admin may.
    pub async fn end_delegation(&self, by: &Actor, id: i64, now: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let row: (i64, i64, i64, i64) = run!(&mut c, x => sqlx::query_as(
            "SELECT delegator_id, delegate_id, starts_at, ends_at FROM delegations WHERE id = $1"
        ).bind(id).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)?;
        let (delegator, delegate, starts_at, ends_at) = row;
        if by.role != Role::Admin && by.user_id != delegator && by.user_id != delegate {
            return Err(StoreError::NotFound);
        }
        if ends_at <= now {
            return Err(StoreError::Conflict("delegasi ini sudah berakhir".into()));
        }
        // Not yet started: it ends where it starts, an empty window that never runs.
        let end = now.max(starts_at);
        run!(&mut c, x => sqlx::query(
            "UPDATE delegations SET ends_at = $1, ended_early_by = $2 WHERE id = $3"
        ).bind(end).bind(by.user_id).bind(id).execute(x).await?.rows_affected());
        tx.commit().await
    }

    /// Delegations, newest first: all of them (`None`), or those where `user` delegates or
    /// stands in.
    pub async fn delegations(&self, user: Option<i64>) -> Result<Vec<Delegation>> {
        let mut conn = self.conn().await?;
        let sql = match user {
            Some(_) => format!(
                "{DELEGATION_SELECT} WHERE d.delegator_id = $1 OR d.delegate_id = $1 ORDER BY d.starts_at DESC, d.id DESC LIMIT 200"
            ),
            None => format!("{DELEGATION_SELECT} ORDER BY d.starts_at DESC, d.id DESC LIMIT 200"),
        };
        Ok(run!(&mut conn.c(), x => {
            let mut q = sqlx::query_as::<_, Delegation>(sqlx::AssertSqlSafe(sql));
            if let Some(user) = user {
                q = q.bind(user);
            }
            q.fetch_all(x).await?
        }))
    }

    /// The delegations running at `now` in which `user_id` stands in for someone.
    pub async fn acting_delegations(&self, user_id: i64, now: i64) -> Result<Vec<Delegation>> {
        let mut conn = self.conn().await?;
        let sql = format!(
            "{DELEGATION_SELECT} WHERE d.delegate_id = $1 AND d.starts_at <= $2 AND d.ends_at > $2 ORDER BY d.id"
        );
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, Delegation>(sqlx::AssertSqlSafe(sql))
            .bind(user_id).bind(now).fetch_all(x).await?),
        )
    }
}
