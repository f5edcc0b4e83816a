//! What a handling command does to a ticket, decided from what was loaded: the new status, the
//! event on the timeline, the effect on the workflow step, who is told, whether the answer is
//! published and what the reporter is sent. The application layer applies the decision.

use crate::refusal::{Field, Refusal};
use crate::workflow::StepKind;
use crate::{Action, AgencyId, DeclineReason, EventKind, TicketId, TicketStatus, UserId};

/// What the decision needs to know about the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketFacts {
    pub status: TicketStatus,
    pub agency: Option<AgencyId>,
    /// The workflow still has an approval or the sending of an approved answer ahead.
    pub answer_needs_approval: bool,
}

/// A user the command names, as found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignee {
    pub id: UserId,
    pub agency: Option<AgencyId>,
}

/// A handling command with the lookups it needed (`None`: not found).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command<'a> {
    Forward {
        target: Option<AgencyId>,
        code: &'a str,
        note: &'a str,
    },
    Note {
        body: &'a str,
    },
    Assign {
        assignee: Option<Assignee>,
        by: UserId,
    },
    Answer {
        body: &'a str,
    },
    Ask {
        question: &'a str,
    },
    Decline {
        reason: DeclineReason,
        detail: &'a str,
        /// For a duplicate: the original, when the actor sees it.
        duplicate_of: Option<TicketId>,
    },
    Close {
        note: &'a str,
    },
    Reopen {
        note: &'a str,
    },
}

impl Command<'_> {
    pub fn action(&self) -> Action {
        match self {
            Command::Forward { .. } => Action::Forward,
            Command::Note { .. } => Action::Note,
            Command::Assign { .. } => Action::Assign,
            Command::Answer { .. } => Action::Answer,
            Command::Ask { .. } => Action::Ask,
            Command::Decline { .. } => Action::Decline,
            Command::Close { .. } => Action::Close,
            Command::Reopen { .. } => Action::Reopen,
        }
    }
}

/// What the ticket row gets besides its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowChange {
    None,
    /// Moves to the agency; the assignee is cleared.
    Agency(AgencyId),
    Assignee(UserId),
    /// Answered now.
    Answered,
    /// Waits for the reporter; the deadline clock stops.
    AwaitReporter,
    Declined(DeclineReason),
    Closed,
    /// Closing time and decline reason are cleared.
    Reopened,
}

/// The effect on the ticket's workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepEffect {
    None,
    /// A step of this kind was done.
    Done(StepKind),
    /// Assigned to this user: a liaison officer means it was disposed.
    Assigned(UserId),
    /// The workflow ends; `completed` marks the remaining steps done (a direct answer).
    End {
        completed: bool,
    },
    /// The workflow runs again from the agency's first step.
    Restart,
}

/// Who is told that the ticket reached them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notify {
    Nobody,
    LiaisonOfficersOf(AgencyId),
    User(UserId),
}

/// What the reporter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToReporter {
    Nothing,
    Answer,
    Question,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub status: TicketStatus,
    pub row: RowChange,
    pub event: EventKind,
    /// The event's text.
    pub body: String,
    pub step: StepEffect,
    pub notify: Notify,
    /// The answer is published (in the same transaction: an answered ticket is never missed).
    pub publish_answer: bool,
    pub to_reporter: ToReporter,
}

fn required(text: &str, field: Field) -> Result<(), Refusal> {
    if text.trim().is_empty() {
        Err(Refusal::FieldRequired(field))
    } else {
        Ok(())
    }
}

/// Decides a handling command on a ticket.
pub fn decide(ticket: &TicketFacts, command: &Command<'_>) -> Result<Decision, Refusal> {
    let status = command
        .action()
        .apply(ticket.status)
        .map_err(|e| Refusal::NotInStatus(e.from))?;
    let decision = |row, event, body: &str, step, notify| Decision {
        status,
        row,
        event,
        body: body.to_string(),
        step,
        notify,
        publish_answer: false,
        to_reporter: ToReporter::Nothing,
    };
    Ok(match *command {
        Command::Forward { target, code, note } => {
            let target = target.ok_or_else(|| Refusal::UnknownAgency(code.to_string()))?;
            if ticket.agency == Some(target) {
                return Err(Refusal::AlreadyAtAgency);
            }
            decision(
                RowChange::Agency(target),
                EventKind::Forwarded,
                note,
                StepEffect::Done(StepKind::Forward),
                Notify::LiaisonOfficersOf(target),
            )
        }
        Command::Note { body } => {
            required(body, Field::Note)?;
            let none = (StepEffect::None, Notify::Nobody);
            decision(RowChange::None, EventKind::Note, body, none.0, none.1)
        }
        Command::Assign { assignee, by } => {
            let assignee = assignee.ok_or(Refusal::UnknownUser)?;
            if ticket.agency.is_some() && assignee.agency != ticket.agency {
                return Err(Refusal::AssigneeOutsideAgency);
            }
            let notify = if assignee.id == by {
                Notify::Nobody
            } else {
                Notify::User(assignee.id)
            };
            decision(
                RowChange::Assignee(assignee.id),
                EventKind::Assigned,
                "",
                StepEffect::Assigned(assignee.id),
                notify,
            )
        }
        Command::Answer { body } => {
            required(body, Field::Answer)?;
            if ticket.answer_needs_approval {
                return Err(Refusal::ApprovalRequired);
            }
            Decision {
                publish_answer: true,
                to_reporter: ToReporter::Answer,
                ..decision(
                    RowChange::Answered,
                    EventKind::Answered,
                    body,
                    StepEffect::End { completed: true },
                    Notify::Nobody,
                )
            }
        }
        Command::Ask { question } => {
            required(question, Field::Question)?;
            Decision {
                to_reporter: ToReporter::Question,
                ..decision(
                    RowChange::AwaitReporter,
                    EventKind::AskedReporter,
                    question,
                    StepEffect::None,
                    Notify::Nobody,
                )
            }
        }
        Command::Decline {
            reason,
            detail,
            duplicate_of,
        } => {
            if reason == DeclineReason::Duplicate && duplicate_of.is_none() {
                return Err(Refusal::DuplicateNotFound);
            }
            if reason == DeclineReason::Other {
                required(detail, Field::DeclineDetail)?;
            }
            let text = if detail.trim().is_empty() {
                reason.label_id().to_string()
            } else {
                format!("{}: {}", reason.label_id(), detail.trim())
            };
            decision(
                RowChange::Declined(reason),
                EventKind::Declined,
                &text,
                StepEffect::End { completed: false },
                Notify::Nobody,
            )
        }
        Command::Close { note } => decision(
            RowChange::Closed,
            EventKind::Closed,
            note,
            StepEffect::End { completed: false },
            Notify::Nobody,
        ),
        Command::Reopen { note } => decision(
            RowChange::Reopened,
            EventKind::Reopened,
            note,
            StepEffect::Restart,
            Notify::Nobody,
        ),
    })
}

#[cfg(test)]
mod tests;
