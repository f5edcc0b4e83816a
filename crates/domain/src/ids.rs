//! Newtype ids, so a user id can never be passed where an agency id is meant.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    };
}

id_type!(
    /// A staff account.
    UserId
);
id_type!(
    /// An agency (OPD), the secretariat or the region itself.
    AgencyId
);
id_type!(
    /// A position (jabatan) in an agency.
    PositionId
);
id_type!(
    /// A ticket (aduan).
    TicketId
);
id_type!(
    /// A recorded Plt./Plh. delegation.
    DelegationId
);
