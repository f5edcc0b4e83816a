//! Pure rules of Balai: no I/O. Ticket states and transitions, intake validation,
//! phone normalisation, tracking codes, register numbers and the timeline hash chain.

pub mod intake;
pub mod phone;
pub mod sms;
pub mod ticket;
pub mod timeline;
pub mod tracking;

pub use intake::{FieldError, IntakeInput, ValidIntake};
pub use phone::PhoneNumber;
pub use ticket::{Action, Channel, DeclineReason, Role, TicketStatus, TransitionError};
pub use timeline::{EventKind, event_hash};
pub use tracking::{TrackingCode, register_number};
