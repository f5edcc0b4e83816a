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
    /// The comment of an approver who sends a draft back.
    ReturnComment,
    /// A disposition's report back.
    Report,
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
    /// No draft answer waits for approval.
    NoPendingDraft,
    /// The ticket's workflow has no approval step: answer directly.
    NoApprovalStep,
    /// A draft already waits for approval or for sending.
    DraftInProgress,
    /// The ticket's workflow has no sending step.
    NoSendStep,
    /// No approved answer waits to be sent.
    NoApprovedAnswer,
    /// The ticket is answered, declined or closed.
    TicketFinished,
    /// The ticket is finished: it can no longer be disposed.
    FinishedNotDisposable,
    /// The ticket's workflow has no running step.
    NoCurrentStep,
    /// The named step completes through its own action (forward, answer, approve…), not by hand.
    StepCompletesByItsAction(String),
    /// A disposition goes only to people below the sender; the named one is not.
    NotBelowSender(String),
    /// The disposition was already reported back.
    AlreadyReported,
}

impl Refusal {
    /// A refusal because of the state things are in (HTTP 409), rather than of what was sent
    /// (HTTP 422).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            Refusal::NotInStatus(_)
                | Refusal::AlreadyAtAgency
                | Refusal::ApprovalRequired
                | Refusal::NoPendingDraft
                | Refusal::NoApprovalStep
                | Refusal::DraftInProgress
                | Refusal::NoSendStep
                | Refusal::NoApprovedAnswer
                | Refusal::TicketFinished
                | Refusal::FinishedNotDisposable
                | Refusal::NoCurrentStep
                | Refusal::StepCompletesByItsAction(_)
                | Refusal::AlreadyReported
        )
    }
}
