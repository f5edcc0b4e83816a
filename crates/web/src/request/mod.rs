//! Request plumbing shared by the API and the pages: who is calling (`caller`: the client
//! address, the bearer token or session and the caller's `Access`) and how bodies, queries and
//! dates are read (`parse`). The region's time zone is cached in `AppState::region_tz`.

mod caller;
mod parse;

pub use caller::*;
pub use parse::{json_body, parse_when};
