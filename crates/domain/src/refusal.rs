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
    /// An SMS template's text.
    TemplateBody,
    /// A workflow template's name.
    TemplateName,
    /// Why a published case is withheld.
    WithholdReason,
    /// A published case's question and answer, both.
    QuestionAndAnswer,
}

/// A name or code that must be unique and is already used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    AgencyCode,
    Username,
    Keyword(String),
    GatewayName(String),
    TemplateName(String),
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
    /// A name or code already in use.
    Taken(Taken),
    /// A role outside the closed set.
    UnknownRole(String),
    /// A password shorter than eight characters.
    PasswordTooShort,
    /// An agency cannot be its own parent.
    AgencyOwnParent,
    /// A keyword must be one word without spaces or separators.
    KeywordNotOneWord,
    /// The keyword is one of the SMS commands (status, help).
    KeywordReserved(String),
    /// An edit that changes nothing.
    NoChange,
    /// The published case is already withheld.
    AlreadyWithheld,
    /// The published case is already shown.
    AlreadyShown,
    /// The delegation has already ended.
    DelegationEnded,
    /// Another workflow template already applies to this agency and category.
    TemplateOverlaps(String),
    /// The agency or category of a workflow template does not exist.
    UnknownAgencyOrCategory,
    /// A ticket names an agency code that does not exist (bulk intake).
    UnknownIntakeAgency(String),
    /// A month must be written YYYY-MM.
    MonthFormat(String),
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
                | Refusal::Taken(_)
                | Refusal::AlreadyWithheld
                | Refusal::AlreadyShown
                | Refusal::DelegationEnded
                | Refusal::TemplateOverlaps(_)
        )
    }
}
