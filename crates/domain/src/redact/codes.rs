//! Balai's own identifiers: tracking codes (`domain::tracking`, ten characters of its alphabet)
//! and register numbers (`DISHUB/2026/000123`). A published case must never lead to the tracking
//! page of its ticket, so the ticket's own code is masked in any case and grouping
//! (`abcde-fghjk`, `ABC DEF GHJK`), and any other code-like token (ten characters of the alphabet
//! with both letters and digits) and register number too.

use super::normalise::Text;
use super::{CODE_MASK, Span};
use regex::Regex;
use std::sync::LazyLock;

const CODE_ALPHABET: &str = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LENGTH: usize = 10;
/// At most this many tokens are joined when looking for the ticket's own identifiers.
const MAX_PARTS: usize = 5;

static REGISTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z][a-z0-9_.\-]{1,20}[ ]*/[ ]*(?:19|20)\d{2}[ ]*/[ ]*\d{4,8}\b")
        .expect("register pattern")
});

/// The ticket's own tracking code and register number, upper case, letters and digits only.
pub(super) struct OwnCodes(Vec<String>);

impl OwnCodes {
    pub fn new(codes: &[String]) -> Self {
        OwnCodes(
            codes
                .iter()
                .map(|c| compact(c))
                .filter(|c| c.len() >= 6)
                .collect(),
        )
    }
}

fn compact(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn is_code_like(token: &str) -> bool {
    token.len() == CODE_LENGTH
        && token
            .chars()
            .all(|c| CODE_ALPHABET.contains(c.to_ascii_uppercase()))
        && token.chars().any(|c| c.is_ascii_digit())
        && token.chars().any(|c| c.is_ascii_alphabetic())
}

pub(super) fn find(text: &Text, own: &OwnCodes, spans: &mut Vec<Span>) {
    for m in REGISTER.find_iter(&text.view_str) {
        spans.push(Span {
            start: text.char_at(m.start()),
            end: text.char_at(m.end()),
            mask: CODE_MASK,
        });
    }
    let view = &text.view;
    let mut tokens: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < view.len() {
        if !view[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < view.len() && view[i].is_ascii_alphanumeric() {
            i += 1;
        }
        tokens.push((start, i));
    }
    for t in 0..tokens.len() {
        let mut joined = String::new();
        for u in t..(t + MAX_PARTS).min(tokens.len()) {
            if u > t {
                let gap = &view[tokens[u - 1].1..tokens[u].0];
                if gap.len() > 3 || !gap.iter().all(|c| matches!(c, ' ' | '-' | '/' | '.')) {
                    break;
                }
            }
            joined.extend(
                view[tokens[u].0..tokens[u].1]
                    .iter()
                    .map(|c| c.to_ascii_uppercase()),
            );
            let own_code = own.0.contains(&joined);
            // `ABCDE-FGHJK`: two halves of a code joined by a dash.
            let grouped = u == t + 1 && view[tokens[t].1..tokens[u].0] == ['-'];
            if own_code || ((u == t || grouped) && is_code_like(&joined)) {
                spans.push(Span {
                    start: tokens[t].0,
                    end: tokens[u].1,
                    mask: CODE_MASK,
                });
            }
            if joined.len() >= 24 {
                break;
            }
        }
    }
}
