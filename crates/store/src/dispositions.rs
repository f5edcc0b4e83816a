//! Dispositions (disposisi, seed `003_…`): the head of an agency sends a ticket to people of
//! that agency with an instruction and a due date in working time; each recipient reads it,
//! reports back and may dispose further, so a ticket's dispositions form a tree.
//!
//! Authority is checked here, for every call: a head of agency disposes tickets of their own
//! agency; a recipient of a disposition on the ticket disposes further below it; an acting
//! official (Plt./Plh.) may do what the official they stand in for may, and is recorded so.

use crate::db::{C, Placeholders, run};
use crate::timeline::append_event;
use crate::{Access, Db, Result, StoreError, now_ms};
use domain::access::Acting;
use domain::hierarchy::{Official, PositionTree, may_dispose_to, may_dispose_to_position};
use domain::{AgencyId, UserId};
use domain::{EventKind, Role};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Instruction {
    pub code: String,
    pub label: String,
    /// Default due date in working time, e.g. `2wd`.
    pub due_within: String,
    pub active: bool,
    pub sort_order: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Disposition {
    pub id: i64,
    pub ticket_id: i64,
    pub register_number: String,
    pub ticket_agency_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub from_user_id: i64,
    pub from_name: String,
    /// `Plh. Kepala Dinas …` when the sender acted for another official.
    pub acting_as: Option<String>,
    pub on_behalf_of: Option<i64>,
    pub recipient_id: i64,
    pub recipient_name: String,
    pub instruction: String,
    pub instruction_label: String,
    pub note: String,
    pub due_at: i64,
    pub created_at: i64,
    pub read_at: Option<i64>,
    pub reported_at: Option<i64>,
    pub report: Option<String>,
    pub reported_by: Option<i64>,
    pub report_acting_as: Option<String>,
    pub escalated_at: Option<i64>,
}

impl Disposition {
    pub fn is_overdue(&self, now: i64) -> bool {
        self.reported_at.is_none() && self.due_at < now
    }

    /// `baru`, `dibaca` or `dilaporkan`.
    pub fn state(&self) -> &'static str {
        if self.reported_at.is_some() {
            "reported"
        } else if self.read_at.is_some() {
            "read"
        } else {
            "new"
        }
    }

    pub fn state_label(&self) -> &'static str {
        match self.state() {
            "reported" => "dilaporkan",
            "read" => "dibaca",
            _ => "baru",
        }
    }
}

const DISPOSITION_SELECT: &str = "SELECT d.id, d.ticket_id, t.register_number, t.agency_id AS ticket_agency_id,
    d.parent_id, d.from_user_id, f.full_name AS from_name, d.acting_as, d.on_behalf_of, d.recipient_id,
    r.full_name AS recipient_name, d.instruction, i.label AS instruction_label, d.note, d.due_at, d.created_at,
    d.read_at, d.reported_at, d.report, d.reported_by, d.report_acting_as, d.escalated_at
    FROM dispositions d JOIN tickets t ON t.id = d.ticket_id JOIN users f ON f.id = d.from_user_id
    JOIN users r ON r.id = d.recipient_id JOIN disposition_instructions i ON i.code = d.instruction";

#[derive(Debug, Clone, Default)]
pub struct NewDisposition {
    pub recipients: Vec<i64>,
    /// Positions (jabatan): every active user holding one receives the disposition.
    pub positions: Vec<i64>,
    pub instruction: String,
    pub note: String,
    /// `None`: the instruction's default, in working time from now.
    pub due_at: Option<i64>,
    /// The disposition this one continues; by default the sender's latest on the ticket.
    pub parent_id: Option<i64>,
}

/// Which of "Disposisi saya" to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MineFilter {
    #[default]
    All,
    /// Not reported yet.
    Open,
    Unread,
    Reported,
}

impl MineFilter {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "" | "all" | "semua" => MineFilter::All,
            "open" | "belum" => MineFilter::Open,
            "unread" | "baru" => MineFilter::Unread,
            "reported" | "dilaporkan" => MineFilter::Reported,
            _ => return None,
        })
    }
}

/// Keyset position in "Disposisi saya": the last row's (created_at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MineCursor {
    pub created_at: i64,
    pub id: i64,
}

impl MineCursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (at, id) = text.split_once('.')?;
        Some(MineCursor {
            created_at: at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct MinePage {
    pub items: Vec<Disposition>,
    pub next_cursor: Option<MineCursor>,
}

/// Whom an official may dispose a ticket to: the people and positions below them.
#[derive(Debug, Clone)]
pub struct Choices {
    pub authority: Authority,
    /// (user id, full name), by name.
    pub users: Vec<(i64, String)>,
    /// (position id, name).
    pub positions: Vec<(i64, String)>,
}

async fn official(c: &mut C<'_>, user_id: i64) -> Result<Option<Official>> {
    let row: Option<(String, Option<i64>)> = run!(c, x => sqlx::query_as(
        "SELECT role, position_id FROM users WHERE id = $1 AND active"
    ).bind(user_id).fetch_optional(x).await?);
    Ok(row.and_then(|(role, position_id)| {
        Role::parse(&role).map(|role| Official { role, position_id })
    }))
}

async fn position_tree(c: &mut C<'_>, agency_id: i64) -> Result<PositionTree> {
    let rows: Vec<(i64, Option<i64>)> = run!(c, x => sqlx::query_as(
        "SELECT id, parent_id FROM positions WHERE agency_id = $1"
    ).bind(agency_id).fetch_all(x).await?);
    Ok(PositionTree::new(rows))
}

/// With whose authority someone disposes a ticket.
#[derive(Debug, Clone)]
pub struct Authority {
    /// The official whose authority is used (the actor, or the one they stand in for).
    pub sender_id: i64,
    pub acting_as: Option<String>,
    /// The disposition being continued (none for the head's first disposition).
    pub parent_id: Option<i64>,
}

/// May `user_id` dispose this ticket (as its head when `head`, else by a disposition they
/// hold)? `Some(parent)` when yes.
async fn own_authority(
    c: &mut C<'_>,
    user_id: i64,
    ticket_id: i64,
    head: bool,
    parent_hint: Option<i64>,
) -> Result<Option<Option<i64>>> {
    let held: Vec<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT id FROM dispositions WHERE ticket_id = $1 AND recipient_id = $2 ORDER BY id DESC"
    ).bind(ticket_id).bind(user_id).fetch_all(x).await?);
    if let Some(hint) = parent_hint
        && held.contains(&hint)
    {
        return Ok(Some(Some(hint)));
    }
    if head {
        return Ok(Some(None));
    }
    Ok(held.first().map(|id| Some(*id)))
}

/// The authority with which the actor may dispose the ticket now, or `None`: their own (as
/// head of the agency or holder of a disposition), else that of an official they stand in for.
async fn authority(
    c: &mut C<'_>,
    actor: &Access,
    ticket_id: i64,
    agency_id: i64,
    parent_hint: Option<i64>,
) -> Result<Option<Authority>> {
    let head = actor.head_of(AgencyId(agency_id));
    let principals: Vec<(UserId, Option<Acting>)> =
        actor.principals().map(|(u, a)| (u, a.cloned())).collect();
    for (user, acting) in principals {
        let is_head = head.is_some_and(|h| h.acting == acting);
        if let Some(parent_id) =
            own_authority(c, user.get(), ticket_id, is_head, parent_hint).await?
        {
            return Ok(Some(Authority {
                sender_id: user.get(),
                acting_as: acting.map(|a| a.label),
                parent_id,
            }));
        }
    }
    Ok(None)
}

/// How the actor may act on a disposition addressed to `recipient_id`: themselves (`None`),
/// as an acting official (`Some`), or not at all (`Err`).
fn as_recipient(actor: &Access, recipient_id: i64) -> Result<Option<Acting>> {
    actor
        .principals()
        .find(|(user, _)| user.get() == recipient_id)
        .map(|(_, acting)| acting.cloned())
        .ok_or(StoreError::Forbidden)
}

/// The ticket's agency and the actor's authority to dispose it now, read without locking
/// (`None`: not visible to them, finished, or no authority).
async fn authority_on(
    c: &mut C<'_>,
    actor: &Access,
    ticket_id: i64,
) -> Result<Option<(i64, Authority)>> {
    let (agency_id, status, _) = lock_ticket(c, "", ticket_id).await?;
    let Some(agency_id) = agency_id.filter(|a| actor.sees(Some(AgencyId(*a)))) else {
        return Ok(None);
    };
    if domain::TicketStatus::parse(&status).is_some_and(|s| s.is_final()) {
        return Ok(None);
    }
    Ok(authority(c, actor, ticket_id, agency_id, None)
        .await?
        .map(|a| (agency_id, a)))
}

async fn lock_ticket(
    c: &mut C<'_>,
    for_update: &str,
    ticket_id: i64,
) -> Result<(Option<i64>, String, String)> {
    let sql =
        format!("SELECT agency_id, status, register_number FROM tickets WHERE id = $1{for_update}");
    run!(c, x => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ticket_id).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)
}

async fn one(c: &mut C<'_>, id: i64) -> Result<Disposition> {
    let sql = format!("{DISPOSITION_SELECT} WHERE d.id = $1");
    run!(c, x => sqlx::query_as::<_, Disposition>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)
}

pub fn format_due(zone: chrono_tz::Tz, due: i64) -> String {
    chrono::DateTime::from_timestamp_millis(due)
        .map(|d| d.with_timezone(&zone).format("%d-%m-%Y %H:%M").to_string())
        .unwrap_or_default()
}

impl Db {
    pub async fn disposition_instructions(&self) -> Result<Vec<Instruction>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_as::<_, Instruction>(
            "SELECT code, label, due_within, active, sort_order FROM disposition_instructions ORDER BY sort_order, code"
        ).fetch_all(x).await?))
    }

    /// Adds or changes an instruction of the list (admin).
    pub async fn upsert_disposition_instruction(&self, i: &Instruction) -> Result<()> {
        let invalid = |m: &str| StoreError::Invalid(m.to_string());
        let code = i.code.trim();
        if code.is_empty()
            || !code
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        {
            return Err(invalid("code: gunakan huruf kecil, angka dan garis bawah"));
        }
        if i.label.trim().is_empty() {
            return Err(invalid("label: wajib diisi"));
        }
        i.due_within
            .parse::<domain::calendar::Duration>()
            .map_err(|e| StoreError::Invalid(format!("due_within: {e}")))?;
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query(
            "INSERT INTO disposition_instructions (code, label, due_within, active, sort_order) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code) DO UPDATE SET label = excluded.label, due_within = excluded.due_within,
                active = excluded.active, sort_order = excluded.sort_order"
        ).bind(code).bind(i.label.trim()).bind(i.due_within.trim()).bind(i.active).bind(i.sort_order)
            .execute(x).await?.rows_affected());
        tx.commit().await
    }

    /// With what authority the actor may dispose this ticket now (`None`: they may not).
    pub async fn dispose_authority(
        &self,
        actor: &Access,
        ticket_id: i64,
    ) -> Result<Option<Authority>> {
        let mut conn = self.conn().await?;
        Ok(authority_on(&mut conn.c(), actor, ticket_id)
            .await?
            .map(|(_, authority)| authority))
    }

    /// The actor's authority on the ticket and the people and positions below the official
    /// whose authority it is (`None`: they may not dispose it).
    pub async fn disposition_choices(
        &self,
        actor: &Access,
        ticket_id: i64,
    ) -> Result<Option<Choices>> {
        let mut conn = self.conn().await?;
        let mut c = conn.c();
        let Some((agency_id, authority)) = authority_on(&mut c, actor, ticket_id).await? else {
            return Ok(None);
        };
        let Some(sender) = official(&mut c, authority.sender_id).await? else {
            return Ok(None);
        };
        let tree = position_tree(&mut c, agency_id).await?;
        let people: Vec<(i64, String, String, Option<i64>)> = run!(&mut c, x => sqlx::query_as(
            "SELECT id, full_name, role, position_id FROM users WHERE agency_id = $1 AND active ORDER BY full_name, id"
        ).bind(agency_id).fetch_all(x).await?);
        let users = people
            .into_iter()
            .filter(|(id, ..)| *id != actor.user().get() && *id != authority.sender_id)
            .filter(|(_, _, role, position_id)| {
                Role::parse(role).is_some_and(|role| {
                    may_dispose_to(
                        sender,
                        Official {
                            role,
                            position_id: *position_id,
                        },
                        &tree,
                    )
                })
            })
            .map(|(id, name, ..)| (id, name))
            .collect();
        let all: Vec<(i64, String)> = run!(&mut c, x => sqlx::query_as(
            "SELECT id, name FROM positions WHERE agency_id = $1 ORDER BY id"
        ).bind(agency_id).fetch_all(x).await?);
        let positions = all
            .into_iter()
            .filter(|(id, _)| may_dispose_to_position(sender, *id, &tree))
            .collect();
        Ok(Some(Choices {
            authority,
            users,
            positions,
        }))
    }

    /// A disposition the actor received (or receives as acting official), marked read.
    pub async fn read_disposition(&self, actor: &Access, id: i64) -> Result<Disposition> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let d = one(&mut c, id).await?;
        if !actor.sees(d.ticket_agency_id.map(AgencyId)) && d.recipient_id != actor.user().get() {
            return Err(StoreError::NotFound);
        }
        as_recipient(actor, d.recipient_id)?;
        run!(&mut c, x => sqlx::query("UPDATE dispositions SET read_at = COALESCE(read_at, $1) WHERE id = $2")
            .bind(now).bind(id).execute(x).await?.rows_affected());
        let d = one(&mut c, id).await?;
        tx.commit().await?;
        Ok(d)
    }

    /// A ticket's dispositions in the order they were made (parents before children).
    pub async fn ticket_dispositions(
        &self,
        actor: &Access,
        ticket_id: i64,
    ) -> Result<Vec<Disposition>> {
        self.ticket(actor, ticket_id).await?;
        let mut conn = self.conn().await?;
        let sql = format!("{DISPOSITION_SELECT} WHERE d.ticket_id = $1 ORDER BY d.id");
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, Disposition>(sqlx::AssertSqlSafe(sql))
            .bind(ticket_id).fetch_all(x).await?),
        )
    }

    /// "Disposisi saya": dispositions to the actor and to those they stand in for, newest first.
    pub async fn my_dispositions(
        &self,
        actor: &Access,
        filter: MineFilter,
        cursor: Option<MineCursor>,
        limit: i64,
    ) -> Result<MinePage> {
        let limit = limit.clamp(1, 200);
        let mut conn = self.conn().await?;
        let users: Vec<i64> = actor.principals().map(|(u, _)| u.get()).collect();
        let mut p = Placeholders::for_conn(&conn.c());
        let mut sql = format!(
            "{DISPOSITION_SELECT} WHERE d.recipient_id IN ({})",
            p.list(users.len())
        );
        sql.push_str(match filter {
            MineFilter::All => "",
            MineFilter::Open => " AND d.reported_at IS NULL",
            MineFilter::Unread => " AND d.read_at IS NULL",
            MineFilter::Reported => " AND d.reported_at IS NOT NULL",
        });
        if cursor.is_some() {
            let (a, b, c2) = (p.next(), p.next(), p.next());
            sql.push_str(&format!(
                " AND (d.created_at < {a} OR (d.created_at = {b} AND d.id < {c2}))"
            ));
        }
        sql.push_str(&format!(
            " ORDER BY d.created_at DESC, d.id DESC LIMIT {}",
            limit + 1
        ));
        let mut items: Vec<Disposition> = run!(&mut conn.c(), x => {
            let mut q = sqlx::query_as::<_, Disposition>(sqlx::AssertSqlSafe(sql));
            for u in &users {
                q = q.bind(*u);
            }
            if let Some(cur) = cursor {
                q = q.bind(cur.created_at).bind(cur.created_at).bind(cur.id);
            }
            q.fetch_all(x).await?
        });
        let next_cursor = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|d| MineCursor {
                created_at: d.created_at,
                id: d.id,
            })
        } else {
            None
        };
        Ok(MinePage { items, next_cursor })
    }

    /// Dispositions past their due date without a report and not escalated yet, the most
    /// overdue first: (disposition, ticket).
    pub async fn overdue_dispositions(&self, now: i64, limit: i64) -> Result<Vec<(i64, i64)>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_as(
            "SELECT id, ticket_id FROM dispositions WHERE reported_at IS NULL AND escalated_at IS NULL AND due_at < $1
             ORDER BY due_at LIMIT $2"
        ).bind(now).bind(limit).fetch_all(x).await?))
    }
}

/// Marks a disposition escalated if it is still overdue without a report, after locking its
/// ticket (first, as every writer of its timeline does); `None` when another node or a report
/// came first. The escalation happens once.
pub async fn claim_overdue(
    c: &mut C<'_>,
    id: i64,
    ticket_id: i64,
    now: i64,
) -> Result<Option<Disposition>> {
    lock_ticket(c, c.for_update(), ticket_id).await?;
    let claimed = run!(c, x => sqlx::query(
        "UPDATE dispositions SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL
         AND reported_at IS NULL AND due_at < $1"
    ).bind(now).bind(id).execute(x).await?.rows_affected());
    if claimed == 0 {
        return Ok(None);
    }
    Ok(Some(one(c, id).await?))
}

/// Whom a disposition command tells, and of what (the application layer adds whoever stands in
/// for them and words the message).
#[derive(Debug, Clone)]
pub struct Notice {
    pub users: Vec<i64>,
    pub register: String,
    /// The instruction's label, or the report's text.
    pub instruction: String,
    pub due_at: i64,
    /// Who reported (a report's notice).
    pub reporter: String,
    pub kind: &'static str,
}

// Commands: the application layer holds the transaction and tells whom they name.

/// Sends the ticket to the recipients; one timeline event and one notice per recipient
/// (and whoever stands in for them), all in one transaction.
pub async fn dispose(
    c: &mut C<'_>,
    actor: &Access,
    ticket_id: i64,
    new: &NewDisposition,
    now: i64,
) -> Result<(Vec<Disposition>, Notice)> {
    let invalid = |m: &str| StoreError::Invalid(m.to_string());
    let (agency_id, status, register) = lock_ticket(c, c.for_update(), ticket_id).await?;
    if !actor.sees(agency_id.map(AgencyId)) {
        return Err(StoreError::NotFound);
    }
    let Some(agency_id) = agency_id else {
        return Err(invalid(
            "aduan belum diteruskan ke OPD; disposisi dilakukan di OPD",
        ));
    };
    if domain::TicketStatus::parse(&status).is_some_and(|s| s.is_final()) {
        return Err(StoreError::Refused(domain::Refusal::FinishedNotDisposable));
    }
    let authority = authority(c, actor, ticket_id, agency_id, new.parent_id)
        .await?
        .ok_or(StoreError::Forbidden)?;
    if let Some(parent) = new.parent_id
        && authority.parent_id != Some(parent)
    {
        return Err(invalid(
            "parent_id: disposisi induk bukan milik Anda pada aduan ini",
        ));
    }
    let instruction: (String, String) = run!(c, x => sqlx::query_as(
        "SELECT label, due_within FROM disposition_instructions WHERE code = $1 AND active"
    ).bind(new.instruction.trim()).fetch_optional(x).await?)
    .ok_or_else(|| invalid("instruction: pilih instruksi dari daftar"))?;
    let note = new.note.trim();
    if new.instruction.trim() == "lainnya" && note.is_empty() {
        return Err(invalid("note: tulis instruksinya di catatan"));
    }
    let deadlines = crate::calendar::deadlines(c).await?;
    let due_at = match new.due_at {
        Some(due) if due <= now => {
            return Err(invalid("due_at: tenggat harus setelah saat ini"));
        }
        Some(due) => due,
        None => {
            let within: domain::calendar::Duration = instruction
                .1
                .parse()
                .map_err(|e| StoreError::Invalid(format!("due_within: {e}")))?;
            let start = chrono::DateTime::from_timestamp_millis(now).unwrap_or_default();
            deadlines
                .calendar
                .checked_add(start, within)
                .map(|d| d.timestamp_millis())
                .unwrap_or(i64::MAX)
        }
    };
    // Recipients: the users named and the holders of the positions named, all below the
    // official whose authority is used.
    let sender = official(c, authority.sender_id)
        .await?
        .ok_or(StoreError::Forbidden)?;
    let tree = position_tree(c, agency_id).await?;
    if new
        .positions
        .iter()
        .any(|p| !may_dispose_to_position(sender, *p, &tree))
    {
        return Err(invalid(
            "positions: disposisi hanya kepada jabatan di bawah Anda pada OPD ini",
        ));
    }
    let mut recipients = new.recipients.clone();
    if !new.positions.is_empty() {
        let mut p = Placeholders::for_conn(c);
        let sql = format!(
            "SELECT id FROM users WHERE active AND position_id IN ({}) ORDER BY id",
            p.list(new.positions.len())
        );
        let holders: Vec<i64> = run!(c, x => {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
            for id in &new.positions {
                q = q.bind(*id);
            }
            q.fetch_all(x).await?
        });
        if holders.is_empty() {
            return Err(invalid(
                "positions: jabatan yang dipilih belum memiliki pejabat aktif",
            ));
        }
        recipients.extend(holders);
    }
    let mut seen = std::collections::HashSet::new();
    recipients.retain(|id| seen.insert(*id));
    recipients.retain(|id| *id != actor.user().get() && *id != authority.sender_id);
    if recipients.is_empty() {
        return Err(invalid(
            "recipients: pilih minimal satu penerima selain Anda",
        ));
    }
    let mut names = Vec::new();
    for id in &recipients {
        // (full name, agency, active, role, position)
        type Recipient = (String, Option<i64>, bool, String, Option<i64>);
        let row: Option<Recipient> = run!(c, x => sqlx::query_as(
            "SELECT full_name, agency_id, active, role, position_id FROM users WHERE id = $1"
        ).bind(*id).fetch_optional(x).await?);
        match row {
            Some((name, Some(agency), true, role, position_id)) if agency == agency_id => {
                let below = Role::parse(&role).is_some_and(|role| {
                    may_dispose_to(sender, Official { role, position_id }, &tree)
                });
                if !below {
                    return Err(StoreError::Refused(domain::Refusal::NotBelowSender(
                        name.clone(),
                    )));
                }
                names.push(name)
            }
            _ => {
                return Err(invalid(
                    "recipients: penerima disposisi harus pengguna aktif dari OPD yang menangani aduan",
                ));
            }
        }
    }
    let on_behalf_of = authority.acting_as.as_ref().map(|_| authority.sender_id);
    let mut ids = Vec::new();
    for id in &recipients {
        let made: i64 = run!(c, x => sqlx::query_scalar(
            "INSERT INTO dispositions (ticket_id, parent_id, from_user_id, acting_as, on_behalf_of, recipient_id,
                instruction, note, due_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
        ).bind(ticket_id).bind(authority.parent_id).bind(actor.user().get()).bind(&authority.acting_as)
            .bind(on_behalf_of).bind(*id).bind(new.instruction.trim()).bind(note).bind(due_at).bind(now)
            .fetch_one(x).await?);
        ids.push(made);
    }
    let mut payload = serde_json::json!({
        "disposition_ids": ids,
        "recipients": names,
        "instruction": new.instruction.trim(),
        "instruction_label": instruction.0,
        "note": note,
        "due_at": due_at,
        "parent_id": authority.parent_id,
    });
    if let Some(label) = &authority.acting_as {
        payload["acting_as"] = label.clone().into();
        payload["on_behalf_of"] = authority.sender_id.into();
    }
    // The body stays empty: the event is public ("being handled"), its details are not.
    append_event(
        c,
        ticket_id,
        EventKind::Disposed,
        Some(actor.user().get()),
        "",
        &payload,
        now,
    )
    .await?;
    let mut made = Vec::new();
    for id in ids {
        made.push(one(c, id).await?);
    }
    let notice = Notice {
        users: recipients,
        register,
        instruction: instruction.0,
        due_at,
        reporter: String::new(),
        kind: "disposed",
    };
    metrics::counter!("balai_dispositions_total").increment(made.len() as u64);
    Ok((made, notice))
}

/// The recipient's report back: kept on the disposition and on the internal timeline.
pub async fn report_disposition(
    c: &mut C<'_>,
    actor: &Access,
    id: i64,
    report: &str,
    now: i64,
) -> Result<(Disposition, Notice)> {
    let report = report.trim();
    let ticket_id: i64 =
        run!(c, x => sqlx::query_scalar("SELECT ticket_id FROM dispositions WHERE id = $1")
        .bind(id).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)?;
    lock_ticket(c, c.for_update(), ticket_id).await?;
    let d = one(c, id).await?;
    if !actor.sees(d.ticket_agency_id.map(AgencyId)) && d.recipient_id != actor.user().get() {
        return Err(StoreError::NotFound);
    }
    let acting = as_recipient(actor, d.recipient_id)?;
    if report.is_empty() {
        return Err(StoreError::Refused(domain::Refusal::FieldRequired(
            domain::Field::Report,
        )));
    }
    if d.reported_at.is_some() {
        return Err(StoreError::Refused(domain::Refusal::AlreadyReported));
    }
    let label = acting.as_ref().map(|a| a.label.clone());
    run!(c, x => sqlx::query(
        "UPDATE dispositions SET reported_at = $1, report = $2, reported_by = $3, report_acting_as = $4,
            read_at = COALESCE(read_at, $1) WHERE id = $5"
    ).bind(now).bind(report).bind(actor.user().get()).bind(&label).bind(id).execute(x).await?.rows_affected());
    let payload = Acting::tag(
        acting.as_ref(),
        serde_json::json!({ "disposition_id": id, "to": d.from_name, "instruction_label": d.instruction_label }),
    );
    append_event(
        c,
        ticket_id,
        EventKind::DispositionReported,
        Some(actor.user().get()),
        report,
        &payload,
        now,
    )
    .await?;
    // The one who sent it (and the official they acted for) hears of the report.
    let mut to = vec![d.from_user_id];
    to.extend(d.on_behalf_of);
    let notice = Notice {
        users: to,
        register: d.register_number.clone(),
        instruction: report.to_string(),
        due_at: d.due_at,
        reporter: d.recipient_name.clone(),
        kind: "disposition_report",
    };
    let d = one(c, id).await?;
    Ok((d, notice))
}
