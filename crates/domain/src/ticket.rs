use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownValue;

            /// How a database row decodes it: an unknown value is an error, never a default.
            fn try_from(text: String) -> Result<Self, UnknownValue> {
                Self::parse(&text).ok_or(UnknownValue { of: stringify!($name), value: text })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A value read from the database that is not one of its closed set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {of} {value:?}")]
pub struct UnknownValue {
    pub of: &'static str,
    pub value: String,
}

string_enum!(
    /// The kind of a unit of the organisation.
    AgencyKind { Secretariat = "secretariat", Agency = "agency", Subdistrict = "subdistrict", Enterprise = "enterprise" }
);

impl AgencyKind {
    pub fn label_id(self) -> &'static str {
        match self {
            AgencyKind::Secretariat => "Sekretariat",
            AgencyKind::Agency => "OPD / Dinas / Badan",
            AgencyKind::Subdistrict => "Kecamatan",
            AgencyKind::Enterprise => "Perusahaan Daerah",
        }
    }

    /// Whether tickets can be sent to it at intake (every kind but the secretariat).
    pub fn takes_intake(self) -> bool {
        self != AgencyKind::Secretariat
    }
}

string_enum!(
    /// Where a ticket came from; answers go back on the same channel.
    Channel { Web = "web", Sms = "sms", App = "app", Api = "api" }
);

string_enum!(
    /// `received`: waiting in the secretariat's triage queue (no agency yet);
    /// `open`: in an agency's inbox; `answered`, `declined`, `closed` as named.
    TicketStatus { Received = "received", Open = "open", Answered = "answered", Declined = "declined", Closed = "closed" }
);

string_enum!(
    /// An outgoing message's state: waiting (`pending`), handed to the gateway (`sent`),
    /// confirmed by a delivery receipt (`delivered`) or given up (`failed`).
    MessageStatus { Pending = "pending", Sent = "sent", Delivered = "delivered", Failed = "failed" }
);

string_enum!(
    /// How a message reaches a person.
    MessageChannel { Sms = "sms", Email = "email" }
);

string_enum!(
    /// An answer draft: waits for approval (`pending`), sent back (`returned`), replaced by the
    /// approver's version (`edited`), approved and waiting to be sent (`approved`), `sent`.
    DraftStatus { Pending = "pending", Returned = "returned", Edited = "edited", Approved = "approved", Sent = "sent" }
);

string_enum!(
    /// Grounds on which an agency may decline a ticket (SIK §11.2).
    DeclineReason { Sara = "sara", Unethical = "unethical", OutOfScope = "out_of_scope", Duplicate = "duplicate", Other = "other" }
);

string_enum!(
    Role {
        Admin = "admin",
        Secretariat = "secretariat",
        HeadOfRegion = "head_of_region",
        HeadOfAgency = "head_of_agency",
        LiaisonOfficer = "liaison_officer",
        Staff = "staff",
        Operator = "operator",
    }
);

impl Role {
    /// Roles that see every ticket of the region; the others see their agency's subtree only.
    pub fn sees_whole_region(self) -> bool {
        matches!(self, Role::Admin | Role::Secretariat | Role::HeadOfRegion)
    }

    /// Whether the role may act on tickets (the head of region only reads).
    pub fn may_handle(self) -> bool {
        !matches!(self, Role::HeadOfRegion)
    }

    /// Whether the role may read the reporter's identity on a ticket it can see.
    pub fn sees_reporter_identity(self) -> bool {
        !matches!(self, Role::Operator)
    }

    pub fn label_id(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Secretariat => "Sekretariat",
            Role::HeadOfRegion => "Kepala Daerah",
            Role::HeadOfAgency => "Kepala OPD",
            Role::LiaisonOfficer => "Pejabat Penghubung",
            Role::Staff => "Staf",
            Role::Operator => "Operator",
        }
    }
}

impl DeclineReason {
    pub fn label_id(self) -> &'static str {
        match self {
            DeclineReason::Sara => "Mengandung SARA",
            DeclineReason::Unethical => "Tidak etis / tidak bertanggung jawab",
            DeclineReason::OutOfScope => "Bukan kewenangan kami",
            DeclineReason::Duplicate => "Duplikat aduan lain",
            DeclineReason::Other => "Lainnya",
        }
    }
}

impl TicketStatus {
    pub fn label_id(self) -> &'static str {
        match self {
            TicketStatus::Received => "Diterima",
            TicketStatus::Open => "Diproses",
            TicketStatus::Answered => "Dijawab",
            TicketStatus::Declined => "Ditolak",
            TicketStatus::Closed => "Selesai",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            TicketStatus::Answered | TicketStatus::Declined | TicketStatus::Closed
        )
    }
}

impl Channel {
    pub fn label_id(self) -> &'static str {
        match self {
            Channel::Web => "Situs web",
            Channel::Sms => "SMS",
            Channel::App => "Aplikasi",
            Channel::Api => "API",
        }
    }
}

/// A handling action staff take on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Forward,
    Note,
    Assign,
    Answer,
    Decline,
    Close,
    Reopen,
    /// Ask the reporter for more information.
    Ask,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tindakan tidak dapat dilakukan pada aduan berstatus {from}")]
pub struct TransitionError {
    pub from: TicketStatus,
}

impl Action {
    /// The status after the action, or an error when the action is not allowed in `from`.
    pub fn apply(self, from: TicketStatus) -> Result<TicketStatus, TransitionError> {
        use TicketStatus::*;
        let to = match (self, from) {
            (Action::Note, s) => s,
            (Action::Forward, Received | Open) => Open,
            (Action::Assign | Action::Ask, s @ (Received | Open)) => s,
            (Action::Answer, Open) => Answered,
            (Action::Decline, Received | Open) => Declined,
            (Action::Close, Open | Answered | Declined) => Closed,
            (Action::Reopen, Answered | Declined | Closed) => Open,
            _ => return Err(TransitionError { from }),
        };
        Ok(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        let s = Action::Forward.apply(TicketStatus::Received).unwrap();
        assert_eq!(s, TicketStatus::Open);
        let s = Action::Answer.apply(s).unwrap();
        assert_eq!(s, TicketStatus::Answered);
        let s = Action::Close.apply(s).unwrap();
        assert_eq!(s, TicketStatus::Closed);
        assert_eq!(Action::Reopen.apply(s).unwrap(), TicketStatus::Open);
    }

    #[test]
    fn forbidden_transitions() {
        assert!(Action::Answer.apply(TicketStatus::Received).is_err());
        assert!(Action::Reopen.apply(TicketStatus::Open).is_err());
        assert!(Action::Decline.apply(TicketStatus::Closed).is_err());
        assert!(Action::Close.apply(TicketStatus::Received).is_err());
        assert!(Action::Ask.apply(TicketStatus::Answered).is_err());
        assert_eq!(
            Action::Ask.apply(TicketStatus::Open),
            Ok(TicketStatus::Open)
        );
    }

    #[test]
    fn names_round_trip() {
        for s in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(s.as_str()), Some(*s));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
    }
}
