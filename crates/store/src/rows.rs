//! Shared: rows and inputs that more than one aggregate's functions take or return, so the
//! aggregates need not import each other.

use domain::sms::ReservedWords;
use serde::Serialize;

const HOUR_MS: i64 = 3_600_000;

/// What a new ticket's workflow starts from.
#[derive(Debug, Clone)]
pub struct WorkflowStart {
    pub ticket_id: i64,
    pub agency_id: Option<i64>,
    pub category: String,
    pub received_at: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    #[serde(skip)]
    pub password_hash: String,
    pub full_name: String,
    #[sqlx(try_from = "String")]
    pub role: domain::Role,
    pub agency_id: Option<i64>,
    pub position_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, Default)]
pub struct NewAgency {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub mechanism: String,
}

/// Keyset pagination position: the last row's (received_at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub received_at: i64,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.received_at, self.id)
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let (at, id) = text.split_once('.')?;
        Some(Cursor {
            received_at: at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// Synthetic tickets of `balai seed` are due five calendar days after receipt.
pub const DEFAULT_DUE_MS: i64 = 5 * 24 * 3600 * 1000;

/// What one run queued.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DigestReport {
    /// Officials who got this period's digest now.
    pub recipients: usize,
    pub messages: usize,
}

/// Open tickets past their current step's deadline, per agency and step (dashboard).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
pub struct StepOverdue {
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    pub step_name: String,
    pub overdue: i64,
}

/// Rules of SMS intake, from configuration.
#[derive(Debug, Clone)]
pub struct SmsRules {
    pub reserved: ReservedWords,
    /// Automatic replies (acknowledgement, help, status, unknown keyword) per sender per hour.
    pub autoreplies_per_hour: i64,
    /// Messages per sender per hour beyond which messages are stored but flagged as a flood
    /// (no ticket, no reply).
    pub flood_per_hour: i64,
    /// Shown in the acknowledgement, e.g. "3 jam kerja".
    pub answer_time_text: String,
    pub region_name: String,
    /// An SMS from a reporter who was asked a question within this many milliseconds attaches
    /// to that ticket instead of starting a new one; `None` switches the rule off.
    pub attach_replies_within_ms: Option<i64>,
    /// Messages the public can trigger from web and app intake (acknowledgements, "send my
    /// code") per destination per day.
    pub web_intake_per_day: i64,
}

impl Default for SmsRules {
    fn default() -> Self {
        Self {
            reserved: ReservedWords::default(),
            autoreplies_per_hour: 5,
            flood_per_hour: 30,
            answer_time_text: "3 jam kerja".into(),
            region_name: "Pemerintah Daerah".into(),
            attach_replies_within_ms: Some(3 * 24 * HOUR_MS),
            web_intake_per_day: 3,
        }
    }
}
