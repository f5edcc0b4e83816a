//! Why a command was refused, as data: `domain` and `store` never word a refusal; `web` turns
//! each into the user's language in one place (`web::texts`).

use crate::TicketStatus;

/// A field a command needs, named for the refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Note,
    Answer,
    Question,
    DeclineDetail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The action is not possible in the ticket's current status.
    NotInStatus(TicketStatus),
    FieldRequired(Field),
    /// The agency code names no active agency that handles tickets.
    UnknownAgency(String),
    /// The ticket already lies with that agency.
    AlreadyAtAgency,
    /// No active user has that id.
    UnknownUser,
    /// The assignee works for another agency than the ticket's.
    AssigneeOutsideAgency,
    /// The workflow needs an approved draft: a direct answer is not possible.
    ApprovalRequired,
    /// The original of a duplicate is not a ticket the actor sees.
    DuplicateNotFound,
    /// An idempotency key already used for a different request.
    IdempotencyKeyReused,
}

impl Refusal {
    /// A refusal because of the state things are in (HTTP 409), rather than of what was sent
    /// (HTTP 422).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            Refusal::NotInStatus(_) | Refusal::AlreadyAtAgency | Refusal::ApprovalRequired
        )
    }
}
