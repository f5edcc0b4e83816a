//! Acting officials (Plt./Plh.): a dated delegation of an official's position to another user.
//! While it runs, the delegate acts in the delegator's inbox with exactly the delegator's
//! capabilities there (`Db::access_for`, `domain::access`),
//! receives the dispositions and notices addressed to the delegator, and every action they
//! take with the delegator's authority is recorded as `Plh. <position>` on the timeline.

use crate::db::{C, Placeholders, run};
use crate::{Db, Result, StoreError, now_ms};
use domain::access::{Access, Acting, DelegationRefusal, DelegationRequest, Inbox, Seat};
use domain::{AgencyId, DelegationId, PositionId, Role, UserId};
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
    pub basis: String,
    /// The position's role and agency as recorded: what the delegate may do with it.
    pub role: Option<String>,
    pub agency_id: Option<i64>,
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
    /// What the delegation rests on, e.g. the number of the surat perintah.
    pub basis: String,
}

const DELEGATION_SELECT: &str = "SELECT d.id, d.delegator_id, a.full_name AS delegator_name, d.position_id,
    d.position_label, d.delegate_id, b.full_name AS delegate_name, d.kind, d.starts_at, d.ends_at, d.note,
    d.basis, d.role, d.agency_id, d.created_by, d.created_at, d.ended_early_by
    FROM delegations d JOIN users a ON a.id = d.delegator_id JOIN users b ON b.id = d.delegate_id";

/// `user_ids` and the delegates standing in for any of them at `now`, without repeats.
pub async fn with_delegates(c: &mut C<'_>, user_ids: &[i64], now: i64) -> Result<Vec<i64>> {
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

/// `agency` and every agency below it.
async fn subtree(c: &mut C<'_>, agency: i64) -> Result<Vec<AgencyId>> {
    let ids: Vec<i64> = run!(c, x => sqlx::query_scalar(
        "WITH RECURSIVE sub(id) AS (
            SELECT id FROM agencies WHERE id = $1
            UNION SELECT a.id FROM agencies a JOIN sub ON a.parent_id = sub.id)
         SELECT id FROM sub ORDER BY id"
    ).bind(agency).fetch_all(x).await?);
    Ok(ids.into_iter().map(AgencyId).collect())
}

fn role_of(text: &str) -> Result<Role> {
    Role::parse(text).ok_or_else(|| StoreError::Invalid(format!("unknown role {text}")))
}

impl Db {
    /// Records a delegation of the delegator's position. The official themselves, the operator
    /// of the position's agency or an admin may; recording gives the recorder nothing. The
    /// message names the field at fault (`delegate_id:`, `ends_at:`, `kind:`…).
    pub async fn create_delegation(&self, by: &Access, new: &NewDelegation) -> Result<i64> {
        let invalid = |m: &str| StoreError::Invalid(m.to_string());
        if new.kind != "plt" && new.kind != "plh" {
            return Err(invalid("kind: pilih Plt atau Plh"));
        }
        if new.ends_at <= new.starts_at {
            return Err(invalid(
                "ends_at: tanggal selesai harus setelah tanggal mulai",
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
                "SELECT u.full_name, u.role, u.position_id, p.name, COALESCE(p.agency_id, u.agency_id), u.active
                 FROM users u LEFT JOIN positions p ON p.id = u.position_id WHERE u.id = {id}"
            )
        };
        let delegator: UserRow =
            run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(load(new.delegator_id)))
            .fetch_optional(x).await?)
            .ok_or_else(|| invalid("delegator_id: pejabat tidak dikenal"))?;
        let (_, role, position_id, position_name, agency_id, _) = delegator;
        let role = role_of(&role)?;
        let request = DelegationRequest {
            recorder: by.user(),
            recorder_role: by.role(),
            recorder_agency: by.own().agency,
            delegator: UserId(new.delegator_id),
            delegator_role: role,
            position_agency: agency_id.map(AgencyId),
            delegate: UserId(new.delegate_id),
        };
        match domain::access::may_record_delegation(&request) {
            Ok(()) => {}
            Err(DelegationRefusal::NotRecorder) => return Err(StoreError::Forbidden),
            Err(DelegationRefusal::NotDelegable) => {
                return Err(invalid(
                    "delegator_id: peran Administrator bukan jabatan dan tidak dapat didelegasikan",
                ));
            }
            Err(DelegationRefusal::ToOneself) => {
                return Err(invalid(
                    "delegate_id: jabatan tidak dapat didelegasikan kepada diri sendiri",
                ));
            }
            Err(DelegationRefusal::ToRecorder) => {
                return Err(invalid(
                    "delegate_id: pencatat delegasi tidak dapat menjadi penerimanya",
                ));
            }
        }
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
                match agency {
                    Some(agency) => format!("{} {agency}", role.label_id()),
                    None => role.label_id().to_string(),
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
                note, basis, role, agency_id, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
        ).bind(new.delegator_id).bind(position_id).bind(&position_label).bind(new.delegate_id).bind(&new.kind)
            .bind(starts_at).bind(new.ends_at).bind(new.note.trim()).bind(new.basis.trim()).bind(role.as_str())
            .bind(agency_id).bind(by.user().get()).bind(now)
            .fetch_one(x).await?);
        tx.commit().await?;
        Ok(id)
    }

    /// Ends a delegation now (or cancels one not yet started): the delegator, the delegate,
    /// the operator of the position's agency or an admin may.
    pub async fn end_delegation(&self, by: &Access, id: i64, now: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let row: (i64, i64, i64, i64, Option<i64>) = run!(&mut c, x => sqlx::query_as(
            "SELECT delegator_id, delegate_id, starts_at, ends_at, agency_id FROM delegations WHERE id = $1"
        ).bind(id).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)?;
        let (delegator, delegate, starts_at, ends_at, agency) = row;
        let me = by.user().get();
        let agency_operator = by.role() == Role::Operator
            && agency.is_some()
            && by.own().agency == agency.map(AgencyId);
        if !by.is_admin() && me != delegator && me != delegate && !agency_operator {
            return Err(StoreError::NotFound);
        }
        if ends_at <= now {
            return Err(StoreError::Refused(domain::Refusal::DelegationEnded));
        }
        // Not yet started: it ends where it starts, an empty window that never runs.
        let end = now.max(starts_at);
        run!(&mut c, x => sqlx::query(
            "UPDATE delegations SET ends_at = $1, ended_early_by = $2 WHERE id = $3"
        ).bind(end).bind(me).bind(id).execute(x).await?.rows_affected());
        tx.commit().await
    }

    /// The access of a signed-in user at `now`: their own inbox (their role over their
    /// agency's subtree, or the region) and each position they stand in for, with that
    /// position's recorded role and agency.
    pub async fn access_for(&self, user: &crate::rows::User, now: i64) -> Result<Access> {
        let mut conn = self.conn().await?;
        let mut c = conn.c();
        let role = user.role;
        let own_subtree = match user.agency_id {
            Some(agency) if !role.sees_whole_region() => subtree(&mut c, agency).await?,
            _ => Vec::new(),
        };
        let own = Inbox::of_role(
            role,
            user.agency_id.map(AgencyId),
            user.position_id.map(PositionId),
            own_subtree,
        );
        type SeatRow = (
            i64,
            i64,
            String,
            String,
            Option<i64>,
            Option<String>,
            Option<i64>,
        );
        let rows: Vec<SeatRow> = run!(&mut c, x => sqlx::query_as(
            "SELECT id, delegator_id, kind, position_label, position_id, role, agency_id FROM delegations
             WHERE delegate_id = $1 AND starts_at <= $2 AND ends_at > $2 ORDER BY id"
        ).bind(user.id).bind(now).fetch_all(x).await?);
        let mut seats = Vec::new();
        for (id, delegator, kind, label, position, seat_role, agency) in rows {
            let seat_role = role_of(seat_role.as_deref().unwrap_or(""))?;
            let subtree = match agency {
                Some(agency) if !seat_role.sees_whole_region() => subtree(&mut c, agency).await?,
                _ => Vec::new(),
            };
            seats.push(Seat {
                role: seat_role,
                agency: agency.map(AgencyId),
                position: position.map(PositionId),
                subtree,
                acting: Acting {
                    delegation: DelegationId(id),
                    delegator: Some(UserId(delegator)),
                    label: acting_label(&kind, &label),
                },
            });
        }
        Ok(Access::new(UserId(user.id), own, seats))
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

    /// The delegations `access` may list, newest first: every one for the administrator; for
    /// an agency's operator, those of its positions (which they record and may end) and their
    /// own; for anyone else, only those where they delegate or stand in.
    pub async fn delegations_for(&self, access: &Access) -> Result<Vec<Delegation>> {
        if access.is_admin() {
            return self.delegations(None).await;
        }
        let agency = match access.role() {
            Role::Operator => access.own().agency.map(AgencyId::get),
            _ => None,
        };
        let mut conn = self.conn().await?;
        let sql = format!(
            "{DELEGATION_SELECT} WHERE d.delegator_id = $1 OR d.delegate_id = $1 OR d.agency_id = $2
             ORDER BY d.starts_at DESC, d.id DESC LIMIT 200"
        );
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, Delegation>(sqlx::AssertSqlSafe(sql))
            .bind(access.user().get()).bind(agency).fetch_all(x).await?),
        )
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
