//! Kinds masked only when the administrator switches them on (`Settings`): social-media
//! handles and profile links, vehicle licence plates, street addresses.

use super::normalise::Text;
use super::{ADDRESS_MASK, HANDLE_MASK, PLATE_MASK, Span};
use regex::Regex;
use std::sync::LazyLock;

/// A profile link, or a handle: `@name`, or a name after `ig:`; the masked part is `h`.
static HANDLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?P<h>\b(?:https?://)?(?:www\.)?(?:instagram\.com|facebook\.com|fb\.com|fb\.me|",
        r"tiktok\.com|twitter\.com|x\.com|t\.me|youtube\.com|linkedin\.com/in|threads\.net)",
        r"/@?[a-z0-9_.\-]+)",
        r"|\b(?:ig|instagram|tiktok|twitter|telegram|threads)[ ]*:[ ]*(?P<h2>[a-z0-9_][a-z0-9_.]{1,29})",
        r"|(?:^|[ \n(:])(?P<h3>@[a-z0-9_][a-z0-9_.]{1,29})"
    ))
    .expect("handle pattern")
});

/// `B 1234 XYZ`, `AB1234CD`, `BK 12 A`: one or two region letters, one to four digits, up to
/// three letters; upper case as on the plate.
static PLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[A-Z]{1,2}[ \-]?[1-9][0-9]{0,3}[ \-]?[A-Z]{1,3}\b").expect("plate pattern")
});

/// A street (`Jl.`, `Jalan`, `Gg.`, `Komplek`, `Perum`, `Blok`) with its name (capitalised words)
/// and house number.
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:[Jj]l|[Jj]ln|[Jj]alan|JALAN|JL|[Gg]g|[Gg]ang|[Kk]omplek|[Kk]ompleks|[Pp]erum|",
        r"[Pp]erumahan|[Bb]lok|[Dd]usun|[Kk]ampung)\.?[ ]+",
        r"(?:[A-Z0-9][\p{L}0-9'.\-]*[ ]*){1,5}",
        r"(?:,?[ ]*(?:[Nn]o|[Nn]omor)\.?[ ]*[0-9]+[A-Za-z]?(?:/[0-9]+)?)?"
    ))
    .expect("address pattern")
});

fn push_all(text: &Text, re: &Regex, mask: &'static str, spans: &mut Vec<Span>) {
    for m in re.find_iter(&text.view_str) {
        let trimmed = m.as_str().trim_start_matches([' ', '\n', '(']).trim_end();
        let start =
            m.start() + (m.as_str().len() - m.as_str().trim_start_matches([' ', '\n', '(']).len());
        spans.push(Span {
            start: text.char_at(start),
            end: text.char_at(start + trimmed.len()),
            mask,
        });
    }
}

pub(super) fn handles(text: &Text, spans: &mut Vec<Span>) {
    for caps in HANDLE.captures_iter(&text.view_str) {
        if let Some(m) = caps.name("h").or(caps.name("h2")).or(caps.name("h3")) {
            let end = m.end() - (m.as_str().len() - m.as_str().trim_end_matches('.').len());
            spans.push(Span {
                start: text.char_at(m.start()),
                end: text.char_at(end),
                mask: HANDLE_MASK,
            });
        }
    }
}

pub(super) fn plates(text: &Text, spans: &mut Vec<Span>) {
    for m in PLATE.find_iter(&text.view_str) {
        // A plate has letters on the left and a number: `RT 3` or `NO 12` are not plates.
        let letters: String = m
            .as_str()
            .chars()
            .take_while(char::is_ascii_uppercase)
            .collect();
        if matches!(
            letters.as_str(),
            "RT" | "RW" | "NO" | "KM" | "PP" | "UU" | "JL" | "GG" | "KK" | "HP" | "WA" | "RP"
        ) {
            continue;
        }
        spans.push(Span {
            start: text.char_at(m.start()),
            end: text.char_at(m.end()),
            mask: PLATE_MASK,
        });
    }
}

pub(super) fn addresses(text: &Text, spans: &mut Vec<Span>) {
    push_all(text, &ADDRESS, ADDRESS_MASK, spans);
}
