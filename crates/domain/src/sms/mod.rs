//! SMS channel rules, all pure: keyword routing of inbound texts, GSM 03.38 / UCS-2 encoding and
//! segmentation of outbound texts, concatenation headers (UDH) and reassembly of inbound parts.

pub mod classify;
pub mod encoding;
pub mod keyword;
pub mod longest;
pub mod reassembly;
pub mod udh;
pub mod wire;

pub use encoding::{Encoding, SegmentCount, Segments, count, segment};
pub use keyword::{Parsed, ReservedWords};
pub use reassembly::{InboundPart, ReassembledMessage, Reassembler};
pub use udh::{ConcatInfo, ConcatReference, SubmitPart, UdhError, split_for_submit};
