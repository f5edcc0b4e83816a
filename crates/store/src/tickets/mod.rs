//! Tickets: the rows, their reads, and the row writes of intake and of the handling actions
//! (the application layer decides; these functions write on its transaction).

mod actions;
mod insert;

pub use actions::{
    ActionRow, assignee, find_original, forward_target, lock_for_action, mark_answered,
    record_reporter_reply, reporter_gateway, resume_ticket_clock, set_after_action,
    set_fingerprint, wait_no_more_for_reporter,
};
pub use insert::{insert_ticket, insert_tickets};

use crate::db::run;
pub use crate::rows::{Cursor, DEFAULT_DUE_MS};
use crate::{Access, Db, Result, StoreError, now_ms};
use domain::{Action, AgencyId, Channel, DeclineReason, TicketStatus, TrackingCode, ValidIntake};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Ticket {
    pub id: i64,
    pub tracking_code: String,
    pub register_number: String,
    pub agency_id: Option<i64>,
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    pub category: String,
    #[sqlx(try_from = "String")]
    pub channel: Channel,
    #[sqlx(try_from = "String")]
    pub status: TicketStatus,
    pub text: String,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_email: Option<String>,
    pub anonymous: bool,
    pub confidential: bool,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub received_at: i64,
    pub updated_at: i64,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub due_at: Option<i64>,
    pub decline_reason: Option<String>,
    /// Set while the deadline clock is stopped (the reporter was asked a question).
    pub sla_paused_at: Option<i64>,
}

impl Ticket {
    pub fn is_overdue(&self, now: i64) -> bool {
        !self.status.is_final()
            && self.sla_paused_at.is_none()
            && self.due_at.is_some_and(|due| due < now)
    }
}

macro_rules! ticket_columns {
    () => {
        "SELECT t.id, t.tracking_code, t.register_number, t.agency_id, a.code AS agency_code,
    a.name AS agency_name, t.category, t.channel, t.status, t.text, t.reporter_name, t.reporter_phone,
    t.reporter_email, t.anonymous, t.confidential, t.address, t.lat, t.long, t.assignee_id,
    u.full_name AS assignee_name, t.received_at, t.updated_at, t.answered_at, t.closed_at, t.due_at,
    t.decline_reason, t.sla_paused_at"
    };
}
macro_rules! ticket_joins {
    () => {
        "LEFT JOIN agencies a ON a.id = t.agency_id LEFT JOIN users u ON u.id = t.assignee_id"
    };
}
const TICKET_COLUMNS: &str = ticket_columns!();
const TICKET_JOINS: &str = ticket_joins!();
const TICKET_SELECT: &str = concat!(ticket_columns!(), " FROM tickets t ", ticket_joins!());

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub ticket_id: i64,
    pub seq: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub public: bool,
    pub body: String,
    pub payload: String,
    pub at: i64,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone)]
pub struct NewTicket {
    pub intake: ValidIntake,
    pub channel: Channel,
    /// A client-chosen key (API `Idempotency-Key` header or the form's one-time token):
    /// the same key always yields the same ticket.
    pub idempotency_key: Option<String>,
    pub received_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub id: i64,
    pub tracking_code: String,
    pub register_number: String,
    pub status: String,
    /// True when the idempotency key had already created this ticket.
    pub replayed: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub status: Option<String>,
    pub agency_code: Option<String>,
    pub category: Option<String>,
    pub channel: Option<String>,
    pub q: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub overdue: bool,
    /// Only tickets without an agency (the secretariat's triage queue).
    pub triage: bool,
    pub assignee_id: Option<i64>,
    pub oldest_first: bool,
    /// Open tickets (received, open) whose deadline comes first; the cursor then holds
    /// (due_at, id). Ignored by a full-text search, which lists matches by arrival.
    pub due_first: bool,
    pub cursor: Option<Cursor>,
    pub limit: i64,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Ticket>,
    pub next_cursor: Option<Cursor>,
}

#[derive(Debug, Clone)]
pub enum ActionInput {
    Forward {
        agency_code: String,
        note: String,
    },
    Note {
        body: String,
    },
    Assign {
        user_id: i64,
    },
    Answer {
        body: String,
    },
    Decline {
        reason: DeclineReason,
        detail: String,
        duplicate_of: Option<String>,
    },
    Close {
        note: String,
    },
    Reopen {
        note: String,
    },
    /// Ask the reporter for more information; their SMS reply attaches to the ticket.
    Ask {
        question: String,
    },
}

impl ActionInput {
    pub fn action(&self) -> Action {
        match self {
            ActionInput::Forward { .. } => Action::Forward,
            ActionInput::Note { .. } => Action::Note,
            ActionInput::Assign { .. } => Action::Assign,
            ActionInput::Answer { .. } => Action::Answer,
            ActionInput::Decline { .. } => Action::Decline,
            ActionInput::Close { .. } => Action::Close,
            ActionInput::Reopen { .. } => Action::Reopen,
            ActionInput::Ask { .. } => Action::Ask,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicEvent {
    pub kind: String,
    pub label: String,
    pub at: i64,
    /// Shown publicly for answers and declines only.
    pub body: Option<String>,
    pub agency_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicTicket {
    pub tracking_code: String,
    pub register_number: String,
    pub status: TicketStatus,
    pub status_label: String,
    pub category: String,
    pub channel: Channel,
    pub agency_name: Option<String>,
    pub received_at: i64,
    pub answered_at: Option<i64>,
    pub timeline: Vec<PublicEvent>,
}

enum Param {
    I(i64),
    S(String),
}

impl Db {
    /// The ticket an idempotency key created, with the fingerprint of its request if one was kept.
    pub async fn created_by_key(&self, key: &str) -> Result<Option<(Created, Option<String>)>> {
        let mut conn = self.conn().await?;
        let row: Option<(i64, String, String, String, Option<String>)> = run!(&mut conn.c(), x => sqlx::query_as(
            "SELECT id, tracking_code, register_number, status, idempotency_fingerprint FROM tickets WHERE idempotency_key = $1"
        ).bind(key).fetch_optional(x).await?);
        Ok(row.map(
            |(id, tracking_code, register_number, status, fingerprint)| {
                let created = Created {
                    id,
                    tracking_code,
                    register_number,
                    status,
                    replayed: true,
                };
                (created, fingerprint)
            },
        ))
    }

    /// The ticket with this tracking code, whoever asks (the tracking page's own checks apply).
    pub async fn ticket_by_code(&self, code: &TrackingCode) -> Result<Ticket> {
        let mut conn = self.conn().await?;
        let sql = format!("{TICKET_SELECT} WHERE t.tracking_code = $1");
        run!(&mut conn.c(), x => sqlx::query_as::<_, Ticket>(sqlx::AssertSqlSafe(sql))
            .bind(code.as_str()).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)
    }
    pub async fn ticket(&self, actor: &Access, id: i64) -> Result<Ticket> {
        let ticket = self.ticket_by_id(id).await?;
        if !actor.sees(ticket.agency_id.map(AgencyId)) {
            return Err(StoreError::NotFound);
        }
        Ok(ticket)
    }

    pub async fn events(&self, ticket_id: i64) -> Result<Vec<Event>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_as::<_, Event>(
            "SELECT e.id, e.ticket_id, e.seq, e.kind, e.actor_id, u.full_name AS actor_name, e.public, e.body,
                    e.payload, e.at, e.prev_hash, e.hash
             FROM ticket_events e LEFT JOIN users u ON u.id = e.actor_id
             WHERE e.ticket_id = $1 ORDER BY e.seq"
        ).bind(ticket_id).fetch_all(x).await?))
    }

    /// The citizen's view: status and public events, never staff names or internal notes.
    /// Tickets the actor may see, newest first (or oldest first), one page at a time.
    pub async fn list_tickets(&self, actor: &Access, filter: &TicketFilter) -> Result<Page> {
        let mut clauses: Vec<String> = Vec::new();
        let mut params: Vec<Param> = Vec::new();
        let bind = |p: Param, params: &mut Vec<Param>| {
            params.push(p);
            format!("${}", params.len())
        };
        if let Some(scope) = &crate::visible_ids(actor) {
            if scope.is_empty() {
                clauses.push("1 = 0".into());
            } else {
                let ids: Vec<String> = scope.iter().map(i64::to_string).collect();
                clauses.push(format!("t.agency_id IN ({})", ids.join(",")));
            }
        }
        if filter.triage {
            clauses.push("t.agency_id IS NULL".into());
        }
        if let Some(status) = &filter.status {
            clauses.push(format!(
                "t.status = {}",
                bind(Param::S(status.clone()), &mut params)
            ));
        }
        if let Some(code) = &filter.agency_code {
            clauses.push(format!(
                "t.agency_id = (SELECT id FROM agencies WHERE code = {})",
                bind(Param::S(code.clone()), &mut params)
            ));
        }
        if let Some(category) = &filter.category {
            clauses.push(format!(
                "t.category = {}",
                bind(Param::S(category.clone()), &mut params)
            ));
        }
        if let Some(channel) = &filter.channel {
            clauses.push(format!(
                "t.channel = {}",
                bind(Param::S(channel.clone()), &mut params)
            ));
        }
        if let Some(from) = filter.from_ms {
            clauses.push(format!(
                "t.received_at >= {}",
                bind(Param::I(from), &mut params)
            ));
        }
        if let Some(to) = filter.to_ms {
            clauses.push(format!(
                "t.received_at < {}",
                bind(Param::I(to), &mut params)
            ));
        }
        if let Some(assignee) = filter.assignee_id {
            clauses.push(format!(
                "t.assignee_id = {}",
                bind(Param::I(assignee), &mut params)
            ));
        }
        if filter.overdue {
            let now = bind(Param::I(now_ms()), &mut params);
            clauses.push(format!(
                "t.due_at < {now} AND t.status IN ('received', 'open') AND t.sla_paused_at IS NULL"
            ));
        }
        // A search lists matches in order of arrival (id), so that the full-text index can be
        // walked in order and stop after one page instead of sorting every match by date.
        let search = filter.q.as_deref().and_then(crate::search::plain_query);
        let fts5 = search.as_deref().and_then(crate::search::fts5_query);
        let search = search.filter(|_| fts5.is_some());
        let search = search.as_deref();
        let mut from = format!("FROM tickets t {TICKET_JOINS}");
        let mut order_key = "t.id";
        if let Some(q) = search {
            match self {
                Db::Sqlite { .. } => {
                    let p = bind(Param::S(fts5.clone().unwrap_or_default()), &mut params);
                    from = format!(
                        "FROM tickets_fts f JOIN tickets t ON t.id = f.rowid {TICKET_JOINS}"
                    );
                    order_key = "f.rowid";
                    clauses.push(format!("tickets_fts MATCH {p}"));
                }
                Db::Pg(_) => {
                    let p = bind(Param::S(q.to_string()), &mut params);
                    clauses.push(format!("t.search @@ plainto_tsquery('simple', {p})"));
                }
            }
        }
        let due_first = filter.due_first && search.is_none();
        let (cmp, dir) = if filter.oldest_first || due_first {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        // The column the keyset walks besides the id.
        let key = if due_first {
            "t.due_at"
        } else {
            "t.received_at"
        };
        if due_first {
            clauses.push("t.status IN ('received', 'open') AND t.due_at IS NOT NULL".into());
        }
        if let Some(cursor) = filter.cursor {
            let id = bind(Param::I(cursor.id), &mut params);
            if search.is_some() {
                clauses.push(format!("{order_key} {cmp} {id}"));
            } else {
                let at = bind(Param::I(cursor.received_at), &mut params);
                clauses.push(format!(
                    "({key} {cmp} {at} OR ({key} = {at} AND t.id {cmp} {id}))"
                ));
            }
        }
        let limit = filter.limit.clamp(1, 200);
        let order = if search.is_some() {
            format!("{order_key} {dir}")
        } else {
            format!("{key} {dir}, t.id {dir}")
        };
        // PostgreSQL cannot read a GIN index in id order: for a search it either walks the
        // primary key testing every ticket or sorts every match. Bounding the ids to a window
        // next to the page's start lets it combine both indexes cheaply; the window widens
        // until the page is full or covers everything.
        let windows: &[i64] = if search.is_some() && matches!(self, Db::Pg(_)) {
            &[20_000, 200_000, 2_000_000, i64::MAX]
        } else {
            &[i64::MAX]
        };
        let start = match (filter.cursor, filter.oldest_first) {
            _ if windows.len() == 1 => 0,
            (Some(c), _) => c.id,
            (None, false) => self.max_ticket_id().await? + 1,
            (None, true) => 0,
        };
        let mut conn = self.conn().await?;
        let mut items: Vec<Ticket> = Vec::new();
        for &window in windows {
            let mut window_clauses = clauses.clone();
            if window != i64::MAX {
                let bound = if filter.oldest_first {
                    start.saturating_add(window)
                } else {
                    start.saturating_sub(window)
                };
                window_clauses.push(if filter.oldest_first {
                    format!("t.id <= {bound}")
                } else {
                    format!("t.id >= {bound}")
                });
            }
            let where_sql = if window_clauses.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", window_clauses.join(" AND "))
            };
            let sql = format!(
                "{TICKET_COLUMNS} {from}{where_sql} ORDER BY {order} LIMIT {}",
                limit + 1
            );
            items = run!(&mut conn.c(), x => {
                let mut query = sqlx::query_as::<_, Ticket>(sqlx::AssertSqlSafe(sql));
                for p in &params {
                    query = match p {
                        Param::I(v) => query.bind(*v),
                        Param::S(s) => query.bind(s.clone()),
                    };
                }
                query.fetch_all(x).await?
            });
            if items.len() as i64 > limit {
                break;
            }
        }
        let next_cursor = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|t| Cursor {
                received_at: if due_first {
                    t.due_at.unwrap_or_default()
                } else {
                    t.received_at
                },
                id: t.id,
            })
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// A ticket by id with no scope check: only for the application layer after a command it
    /// authorised (a forward may have moved the ticket out of the actor's scope).
    pub async fn ticket_by_id(&self, id: i64) -> Result<Ticket> {
        let mut conn = self.conn().await?;
        let sql = format!("{TICKET_SELECT} WHERE t.id = $1");
        run!(&mut conn.c(), x => sqlx::query_as::<_, Ticket>(sqlx::AssertSqlSafe(sql))
            .bind(id).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)
    }

    async fn max_ticket_id(&self) -> Result<i64> {
        let mut conn = self.conn().await?;
        Ok(
            run!(&mut conn.c(), x => sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) FROM tickets").fetch_one(x).await?),
        )
    }

    pub async fn count_tickets(&self) -> Result<i64> {
        let mut conn = self.conn().await?;
        Ok(
            run!(&mut conn.c(), x => sqlx::query_scalar("SELECT COUNT(*) FROM tickets").fetch_one(x).await?),
        )
    }
}
