//! Email addresses as people write them to dodge harvesters: `budi@mail.id`, `budi @ mail . id`,
//! `budi[at]mail[dot]id`, `budi (at) mail (titik) id`, `budi at mail dot id`, `budi@mail,id`;
//! fullwidth `＠` arrives as `@` after NFKC. A spelled-out ` at ` needs a known top-level domain.

use super::normalise::Text;
use super::{EMAIL_MASK, Span};
use regex::Regex;
use std::sync::LazyLock;

const AT: &str =
    r"(?:[ \n]*@[ \n]*|[ \n]*[\[\(\{<][ ]*(?:at|et|@)[ ]*[\]\)\}>][ \n]*|[ \n]+(?:at|et)[ \n]+)";
const DOT: &str =
    r"(?:[ ]*[.,][ ]*|[ ]*[\[\(\{<][ ]*(?:dot|titik|\.)[ ]*[\]\)\}>][ ]*|[ ]+(?:dot|titik)[ ]+)";
const LOCAL_DOT: &str = r"(?:\.|[ ]*[\[\(\{<][ ]*(?:dot|titik)[ ]*[\]\)\}>][ ]*|[ ]+dot[ ]+)";

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?P<local>[a-z0-9_%+\-]+(?:{LOCAL_DOT}[a-z0-9_%+\-]+)*)(?P<at>{AT})(?P<domain>[a-z0-9\-]+(?:{DOT}[a-z0-9\-]+)*)"
    ))
    .expect("email pattern")
});
static SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?i){DOT}")).expect("dot pattern"));

const KNOWN_TLDS: &[&str] = &[
    "com", "net", "org", "id", "co", "go", "ac", "sch", "or", "web", "my", "biz", "info", "io",
    "me", "edu", "gov", "mil", "uk", "sg", "au", "us", "xyz", "online", "site", "tech", "app",
    "dev", "desa", "ponpes", "mail",
];
const PROVIDERS: &[&str] = &[
    "gmail",
    "yahoo",
    "ymail",
    "hotmail",
    "outlook",
    "live",
    "icloud",
    "protonmail",
    "proton",
    "aol",
    "yandex",
    "zoho",
    "gmx",
    "rocketmail",
    "msn",
];

pub(super) fn find(text: &Text, reporter_emails: &[String], spans: &mut Vec<Span>) {
    let view = text.view_str.as_str();
    let mut from = 0;
    while let Some(caps) = EMAIL.captures_at(view, from) {
        let (Some(local), Some(at), Some(domain)) =
            (caps.name("local"), caps.name("at"), caps.name("domain"))
        else {
            break;
        };
        let spelled_at = !at.as_str().contains(['@', '[', '(', '{', '<']);
        match domain_end(&view[domain.range()], spelled_at) {
            Some(end) => {
                spans.push(Span {
                    start: text.char_at(local.start()),
                    end: text.char_at(domain.start() + end),
                    mask: EMAIL_MASK,
                });
                from = domain.start() + end;
            }
            // The domain may be the user name of the next address (`kode @ budi@mail.id`).
            None => from = domain.start(),
        }
    }
    let lower = view.to_lowercase();
    // Lower-casing may change byte lengths outside ASCII; then only the regex above applies.
    if lower.len() != view.len() {
        return;
    }
    for email in reporter_emails {
        for (at, _) in lower.match_indices(email.as_str()) {
            spans.push(Span {
                start: text.char_at(at),
                end: text.char_at(at + email.len()),
                mask: EMAIL_MASK,
            });
        }
        // The user name alone (`budi.santoso88`), as a whole token.
        let Some(local) = email.split('@').next().filter(|l| l.len() >= 5) else {
            continue;
        };
        let is_token =
            |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
        for (at, _) in lower.match_indices(local) {
            let before = lower[..at].chars().next_back();
            let after = lower[at + local.len()..].chars().next();
            if !before.is_some_and(is_token) && !after.is_some_and(|c| is_token(c) && c != '.') {
                spans.push(Span {
                    start: text.char_at(at),
                    end: text.char_at(at + local.len()),
                    mask: EMAIL_MASK,
                });
            }
        }
    }
}

/// Where a matched domain really ends (byte offset in `domain`): after its last label that is a
/// top-level domain. A label joined by a plain `.` may be any short lower- or upper-case word;
/// after a spelled or spaced dot, or a spelled ` at `, only a known one counts. A provider's name
/// alone (`budi@gmail`) is an address too.
fn domain_end(domain: &str, spelled_at: bool) -> Option<usize> {
    // (start, end) of each label and the separator before it.
    let mut labels: Vec<(usize, usize, &str)> = Vec::new();
    let mut at = 0;
    let mut separator = "";
    for m in SEPARATOR.find_iter(domain) {
        labels.push((at, m.start(), separator));
        separator = m.as_str();
        at = m.end();
    }
    labels.push((at, domain.len(), separator));
    let mut end = None;
    for &(start, label_end, separator) in &labels[1..] {
        let label = &domain[start..label_end];
        let lower = label.to_lowercase();
        let known = KNOWN_TLDS.contains(&lower.as_str());
        let plain = separator == "."
            && (2..=6).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphabetic())
            && (label == lower || label == label.to_uppercase());
        if known || (plain && !spelled_at) {
            end = Some(label_end);
        } else if separator != "." {
            break;
        }
    }
    end.or_else(|| {
        let &(start, first_end, _) = labels.first()?;
        let first = domain[start..first_end].to_lowercase();
        (!spelled_at && PROVIDERS.contains(&first.as_str())).then_some(first_end)
    })
}
