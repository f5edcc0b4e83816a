//! Pure rules of Balai: no I/O. Ticket states and transitions, intake validation,
//! phone normalisation, tracking codes, register numbers, the timeline hash chain and the
//! working-time calendar for SLA deadlines.

pub mod access;
pub mod calendar;
pub mod digest;
pub mod escalation;
pub mod handling;
pub mod hierarchy;
pub mod ids;
pub mod intake;
pub mod phone;
pub mod redact;
pub mod refusal;
pub mod sms;
pub mod ticket;
pub mod timeline;
pub mod tracking;
pub mod workflow;

pub use access::{Access, Capability};
pub use calendar::WorkingCalendar;
pub use ids::{AgencyId, DelegationId, PositionId, TicketId, UserId};
pub use intake::{FieldError, IntakeInput, ValidIntake};
pub use phone::PhoneNumber;
pub use redact::mask_personal_data;
pub use refusal::{Field, Refusal, Taken};
pub use ticket::{
    Action, AgencyKind, Channel, DeclineReason, DraftStatus, MessageChannel, MessageStatus, Role,
    TicketStatus, TransitionError, UnknownValue,
};
pub use timeline::{EventKind, event_hash};
pub use tracking::{TrackingCode, register_number};
