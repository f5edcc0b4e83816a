//! What SMS intake does with one incoming message, decided from what the batch read beforehand:
//! ignore it (blocked sender, flood), attach it to the ticket that asked the sender a question,
//! answer a command (help, status), or make a ticket (routed by keyword, or to triage).

use super::ReservedWords;
use super::keyword::{Parsed, parse};
use crate::{TicketId, TrackingCode};

/// What is known about the message's sender when it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderFacts {
    pub blocked: bool,
    /// Messages from the sender in the hour before this one, itself included.
    pub sent_last_hour: i64,
    /// The newest question to the sender still waiting for an answer: the ticket and when.
    pub awaiting: Option<(TicketId, i64)>,
}

/// The rules of intake that classify a message.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub reserved: &'a ReservedWords,
    pub flood_per_hour: i64,
    /// A reply within this many milliseconds of a question attaches to its ticket.
    pub attach_replies_within_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored, nothing else.
    Blocked,
    /// Stored and flagged: no ticket, no reply.
    Flood,
    /// The sender's answer to a question on this ticket.
    Attach(TicketId),
    Help,
    Status(Option<TrackingCode>),
    /// A new ticket for the agency with this keyword's code.
    Ticket {
        agency_code: String,
    },
    /// A new ticket for the secretariat to route (no or unknown keyword).
    Triage,
}

impl Outcome {
    /// The name stored on the inbound message and counted in the metrics.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Blocked => "blocked",
            Outcome::Flood => "flood",
            Outcome::Attach(_) => "attached",
            Outcome::Help => "help",
            Outcome::Status(_) => "status",
            Outcome::Ticket { .. } => "ticket",
            Outcome::Triage => "triage",
        }
    }
}

/// Classifies a message received at `received_at`; `agency_of` gives the agency code of an
/// active keyword.
pub fn classify(
    text: &str,
    received_at: i64,
    sender: &SenderFacts,
    rules: &Rules<'_>,
    agency_of: impl Fn(&str) -> Option<String>,
) -> Outcome {
    if sender.blocked {
        return Outcome::Blocked;
    }
    if sender.sent_last_hour > rules.flood_per_hour {
        return Outcome::Flood;
    }
    let parsed = parse(text, rules.reserved);
    let is_command = matches!(parsed, Parsed::Help | Parsed::Status(_));
    let attach_to = sender.awaiting.filter(|(_, asked)| {
        rules
            .attach_replies_within_ms
            .is_some_and(|window| *asked > received_at - window)
    });
    if let Some((ticket, _)) = attach_to.filter(|_| !is_command) {
        return Outcome::Attach(ticket);
    }
    match parsed {
        Parsed::Help => Outcome::Help,
        Parsed::Status(code) => Outcome::Status(code),
        Parsed::Keyword { keyword, .. } => match agency_of(&keyword) {
            Some(agency_code) => Outcome::Ticket { agency_code },
            None => Outcome::Triage,
        },
        Parsed::Empty => Outcome::Triage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    fn facts(blocked: bool, sent: i64, awaiting: Option<(TicketId, i64)>) -> SenderFacts {
        SenderFacts {
            blocked,
            sent_last_hour: sent,
            awaiting,
        }
    }

    #[test]
    fn outcomes() {
        let reserved = ReservedWords::default();
        let rules = Rules {
            reserved: &reserved,
            flood_per_hour: 10,
            attach_replies_within_ms: Some(72 * HOUR),
        };
        let now = 100 * HOUR;
        let asked_recently = Some((TicketId(9), now - HOUR));
        let asked_long_ago = Some((TicketId(9), now - 80 * HOUR));
        let agency = |k: &str| (k == "JALAN").then(|| "PU".to_string());
        let table: Vec<(&str, SenderFacts, Outcome)> = vec![
            ("JALAN rusak", facts(true, 1, None), Outcome::Blocked),
            ("JALAN rusak", facts(false, 11, None), Outcome::Flood),
            (
                "JALAN rusak",
                facts(false, 10, None),
                Outcome::Ticket {
                    agency_code: "PU".into(),
                },
            ),
            (
                "jalan rusak",
                facts(false, 1, None),
                Outcome::Ticket {
                    agency_code: "PU".into(),
                },
            ),
            ("LAMPU mati", facts(false, 1, None), Outcome::Triage),
            ("   ", facts(false, 1, None), Outcome::Triage),
            (
                "di depan pasar",
                facts(false, 1, asked_recently),
                Outcome::Attach(TicketId(9)),
            ),
            (
                "JALAN rusak",
                facts(false, 1, asked_recently),
                Outcome::Attach(TicketId(9)),
            ),
            (
                "di depan pasar",
                facts(false, 1, asked_long_ago),
                Outcome::Triage,
            ),
            ("INFO", facts(false, 1, asked_recently), Outcome::Help),
            (
                "CEK",
                facts(false, 1, asked_recently),
                Outcome::Status(None),
            ),
            (
                "di depan pasar",
                facts(true, 1, asked_recently),
                Outcome::Blocked,
            ),
        ];
        for (text, sender, expected) in table {
            assert_eq!(
                classify(text, now, &sender, &rules, agency),
                expected,
                "{text:?}"
            );
        }
        let off = Rules {
            attach_replies_within_ms: None,
            ..rules
        };
        assert_eq!(
            classify(
                "di depan pasar",
                now,
                &facts(false, 1, asked_recently),
                &off,
                agency
            ),
            Outcome::Triage
        );
    }
}
