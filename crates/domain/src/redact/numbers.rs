//! Numbers: a run of digit groups joined by short separators (spaces, a line break, `-`, `.`,
//! `/`, brackets) is read as a whole, then split into phone numbers, NIK/KK and NPWP; the words
//! before a run can make it an ID number of their kind (rekening, BPJS, SIM, paspor, …) or keep
//! it (NIP, an amount after `Rp`). Digits spelled out in words are read the same way.

use super::normalise::Text;
use super::{ACCOUNT_MASK, ID_MASK, NIK_MASK, NPWP_MASK, PHONE_MASK, Span};

/// Passport numbers may start with a letter (`B1234567`, `X 1234567`).
const PASSPORT_WORDS: &[&str] = &["paspor", "passport", "pasport"];

/// Separators between the groups of one number; at most this many chars.
const MAX_GAP: usize = 3;
/// No number of interest has more digits; candidates are cut there.
const MAX_DIGITS: usize = 20;

/// Words that make the following number personal, and its mask and least length.
const ID_WORDS: &[(&[&str], &str, usize)] = &[
    (
        &[
            "rekening",
            "rek",
            "norek",
            "norekening",
            "bri",
            "bca",
            "bni",
            "mandiri",
            "bsi",
            "btn",
            "cimb",
            "niaga",
            "danamon",
            "permata",
            "btpn",
            "jenius",
            "muamalat",
            "mega",
            "ocbc",
            "panin",
            "bukopin",
            "sinarmas",
            "maybank",
            "bjb",
            "jatim",
            "jateng",
            "sumut",
            "nagari",
            "dki",
            "bpd",
            "account",
        ],
        ACCOUNT_MASK,
        6,
    ),
    (
        &["bpjs", "kis", "jkn", "askes", "jamsostek", "sim"],
        ID_MASK,
        6,
    ),
    (PASSPORT_WORDS, ID_MASK, 6),
    (&["nik", "ktp", "kk", "nkk", "e-ktp", "ektp"], NIK_MASK, 10),
    (&["npwp"], NPWP_MASK, 9),
    (
        &[
            "hp",
            "wa",
            "telp",
            "tlp",
            "telpon",
            "telepon",
            "telefon",
            "ponsel",
            "handphone",
            "whatsapp",
            "whatsap",
            "wa.me",
            "phone",
            "kontak",
            "sms",
            "hubungi",
            "call",
        ],
        PHONE_MASK,
        8,
    ),
];

/// Words that may stand between an ID word and its number.
const FILLER_WORDS: &[&str] = &[
    "no",
    "nomor",
    "nomer",
    "nmr",
    "num",
    "number",
    "saya",
    "sy",
    "adalah",
    "yaitu",
    "yakni",
    "di",
    "ke",
    "ya",
    "bank",
    "akun",
    "kartu",
    "kesehatan",
    "ketenagakerjaan",
    "tk",
    "umum",
    "ii",
    "b1",
    "b2",
    "aktif",
    "baru",
    "lama",
    "yg",
    "yang",
    "atau",
    "dan",
    "bisa",
    "dihubungi",
    "virtual",
    "mobile",
    "atas",
    "milik",
    "syariah",
    "indonesia",
    "rakyat",
    "negara",
    "central",
    "asia",
    "peserta",
    "anggota",
    "kami",
    "ini",
    "berikut",
    "pribadi",
    "seluler",
    "selular",
    "rumah",
    "kantor",
    "kk/ktp",
];

/// Words after which a number is kept: staff and student numbers, amounts.
const KEEP_WORDS: &[&str] = &["nip", "nrp", "nuptk", "nisn", "nim"];
const CURRENCY_WORDS: &[&str] = &["rp", "idr", "usd", "rupiah", "sgd", "myr", "eur"];

const DIGIT_WORDS: &[&str] = &[
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
];

/// The part of a reporter's phone number that every spelling shares: digits without the
/// country code or leading zero (`+62 812-3456` and `0812 3456` → `8123456`).
pub(super) fn phone_core(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let core = national(&digits, phone.trim_start().starts_with('+'), &digits)?;
    let core = core.trim_start_matches('0').to_string();
    (core.len() >= 7).then_some(core)
}

/// The national form (`0…`) of a number written with `+62`, `0062` or `62`; `None` for a
/// number with another country code.
fn national(digits: &str, plus: bool, first_group: &str) -> Option<String> {
    if let Some(rest) = digits.strip_prefix("0062") {
        return Some(format!("0{rest}"));
    }
    if plus {
        return digits.strip_prefix("62").map(|rest| format!("0{rest}"));
    }
    if let Some(rest) = digits.strip_prefix("62")
        && (first_group == "62" || rest.starts_with('8'))
    {
        return Some(format!("0{rest}"));
    }
    Some(digits.to_string())
}

#[derive(Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
    /// The separator before this group contains a `/`.
    after_slash: bool,
}

enum Context {
    None,
    Keep,
    Amount,
    /// Mask, least digits, whether a letter may start the number.
    Id(&'static str, usize, bool),
}

pub(super) fn find(text: &Text, reporter_phones: &[String], spans: &mut Vec<Span>) {
    let view = &text.view;
    let mut i = 0;
    while i < view.len() {
        if !view[i].is_ascii_digit() || (i > 0 && view[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let groups = read_run(view, i);
        let run_end = groups.last().map_or(i + 1, |g| g.end);
        let (lead, plus) = leading_prefix(view, i);
        match context_before(view, lead) {
            Context::Keep => {}
            // `+62…` is a phone number whatever word precedes it.
            Context::Id(mask, least, letter) if !plus && digit_count(&groups) >= least => {
                let (start, end) = id_extent(view, lead, &groups, letter);
                spans.push(Span { start, end, mask });
            }
            context => {
                let skip = amount_groups(view, &groups, plus, matches!(context, Context::Amount));
                classify_run(
                    view,
                    &groups[skip..],
                    lead,
                    plus && skip == 0,
                    reporter_phones,
                    spans,
                );
            }
        }
        i = run_end;
    }
    spelled_digits(text, spans);
}

/// Groups of digits from `start`, joined by at most `MAX_GAP` separators (no sentence end).
fn read_run(view: &[char], start: usize) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut pos = start;
    let mut after_slash = false;
    loop {
        let group_start = pos;
        while pos < view.len() && view[pos].is_ascii_digit() {
            pos += 1;
        }
        groups.push(Group {
            start: group_start,
            end: pos,
            after_slash,
        });
        let mut gap = pos;
        while gap < view.len() && gap - pos < MAX_GAP && is_separator(view[gap]) {
            gap += 1;
        }
        let separators = &view[pos..gap];
        let sentence_end = separators
            .windows(2)
            .any(|w| w[0] == '.' && matches!(w[1], ' ' | '\n'));
        if gap == pos || sentence_end || !view.get(gap).is_some_and(char::is_ascii_digit) {
            break;
        }
        after_slash = separators.contains(&'/');
        pos = gap;
    }
    groups
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\n' | '-' | '.' | '/' | '(' | ')')
}

/// Where a number's span starts (a `+` and an opening bracket before the digits belong to it).
fn leading_prefix(view: &[char], first: usize) -> (usize, bool) {
    let mut lead = first;
    let mut plus = false;
    let mut k = first;
    while k > 0 && matches!(view[k - 1], '(' | ' ' | '+') && first - k < 3 {
        k -= 1;
        match view[k] {
            '+' => {
                plus = true;
                lead = k;
            }
            '(' => lead = k,
            _ => {}
        }
    }
    (lead, plus)
}

/// What the words just before a number say about it.
fn context_before(view: &[char], start: usize) -> Context {
    let mut pos = start;
    for _ in 0..6 {
        while pos > 0
            && matches!(
                view[pos - 1],
                ' ' | '\n' | ':' | '.' | ',' | '-' | '#' | '(' | ')' | '/' | '='
            )
        {
            pos -= 1;
        }
        let end = pos;
        while pos > 0 && (view[pos - 1].is_alphanumeric() || view[pos - 1] == '-') {
            pos -= 1;
        }
        if pos == end {
            return Context::None;
        }
        let word: String = view[pos..end]
            .iter()
            .flat_map(|c| c.to_lowercase())
            .collect();
        if KEEP_WORDS.contains(&word.as_str()) {
            return Context::Keep;
        }
        if CURRENCY_WORDS.contains(&word.as_str()) {
            return Context::Amount;
        }
        if let Some((_, mask, least)) = ID_WORDS
            .iter()
            .find(|(words, ..)| words.contains(&word.as_str()))
        {
            return Context::Id(mask, *least, PASSPORT_WORDS.contains(&word.as_str()));
        }
        // A single letter: a SIM class or a passport's series.
        if word.chars().count() > 1 && !FILLER_WORDS.contains(&word.as_str()) {
            return Context::None;
        }
    }
    Context::None
}

fn digit_count(groups: &[Group]) -> usize {
    groups.iter().map(|g| g.end - g.start).sum()
}

/// The span of an ID number after its word: the run's groups up to `MAX_DIGITS`, with a letter
/// prefix for a passport (`B1234567`, `X 1234567`).
fn id_extent(view: &[char], lead: usize, groups: &[Group], letter: bool) -> (usize, usize) {
    let mut digits = 0;
    let mut end = groups[0].end;
    for g in groups {
        digits += g.end - g.start;
        if digits > MAX_DIGITS {
            break;
        }
        end = g.end;
    }
    let mut start = lead;
    if letter {
        let mut k = start;
        while k > 0 && view[k - 1] == ' ' && start - k < 1 {
            k -= 1;
        }
        let letters_end = k;
        while k > 0 && view[k - 1].is_ascii_alphabetic() && letters_end - k < 2 {
            k -= 1;
        }
        let glued_word = k == 0 || !view[k - 1].is_alphanumeric();
        if k < letters_end
            && glued_word
            && view[k..letters_end].iter().all(char::is_ascii_uppercase)
        {
            start = k;
        }
    }
    (start, end)
}

/// How many leading groups are an amount (`Rp 6.266.000`, or `1.500.000` in thousands).
fn amount_groups(view: &[char], groups: &[Group], plus: bool, after_currency: bool) -> usize {
    let len = |g: &Group| g.end - g.start;
    let thousands = groups
        .windows(2)
        .take_while(|w| len(&w[1]) == 3 && w[1].start - w[0].end == 1 && view[w[0].end] == '.')
        .count();
    let first = &groups[0];
    // `62.812.345.678` is a mobile number written in threes, not 62 billion.
    let country_code = view[first.start..first.end] == ['6', '2']
        && groups.get(1).is_some_and(|g| view[g.start] == '8');
    let looks_like_amount = !plus
        && !country_code
        && thousands >= 2
        && (1..=3).contains(&len(first))
        && view[first.start] != '0';
    if after_currency || looks_like_amount {
        1 + thousands
    } else {
        0
    }
}

fn digits_of(view: &[char], groups: &[Group]) -> String {
    groups
        .iter()
        .flat_map(|g| view[g.start..g.end].iter())
        .collect()
}

/// Masks phone numbers in the run first, then NIK/NPWP among the remaining groups.
fn classify_run(
    view: &[char],
    groups: &[Group],
    lead: usize,
    plus: bool,
    reporter_phones: &[String],
    spans: &mut Vec<Span>,
) {
    if groups.is_empty() {
        return;
    }
    let span_start = |g: usize| {
        if g == 0 {
            lead.min(groups[0].start)
        } else {
            groups[g].start
        }
    };
    let total: usize = groups.iter().map(|g| g.end - g.start).sum();
    let any_group_is_phone = is_phone(view, groups, plus, reporter_phones)
        || (0..groups.len())
            .any(|g| is_phone(view, &groups[g..=g], plus && g == 0, reporter_phones));
    if !plus && !any_group_is_phone && (total == 16 || total == 15) {
        let mask = if total == 16 { NIK_MASK } else { NPWP_MASK };
        spans.push(Span {
            start: span_start(0),
            end: groups[groups.len() - 1].end,
            mask,
        });
        return;
    }
    let mut used = vec![false; groups.len()];
    let mut g = 0;
    while g < groups.len() {
        match longest(groups, g, |slice| {
            is_phone(view, slice, plus && g == 0, reporter_phones)
        }) {
            Some(last) => {
                spans.push(Span {
                    start: span_start(g),
                    end: close_bracket(view, groups[last].end),
                    mask: PHONE_MASK,
                });
                used[g..=last].iter_mut().for_each(|u| *u = true);
                g = last + 1;
            }
            None => g += 1,
        }
    }
    let mut g = 0;
    while g < groups.len() {
        let free = used[g..].iter().take_while(|u| !**u).count();
        let found = longest(&groups[..g + free], g, |slice| {
            let n: usize = slice.iter().map(|x| x.end - x.start).sum();
            n == 16 || (n == 15 && !(plus && g == 0))
        });
        match found {
            Some(last) => {
                let n: usize = groups[g..=last].iter().map(|x| x.end - x.start).sum();
                let mask = if n == 16 { NIK_MASK } else { NPWP_MASK };
                spans.push(Span {
                    start: span_start(g),
                    end: groups[last].end,
                    mask,
                });
                g = last + 1;
            }
            None => g += 1,
        }
    }
}

/// A `)` right after a number's last digit belongs to it when the number opened one.
fn close_bracket(view: &[char], end: usize) -> usize {
    if view.get(end) == Some(&')') {
        end + 1
    } else {
        end
    }
}

/// The last group index of the longest candidate starting at `first` that `accept`s.
fn longest(groups: &[Group], first: usize, accept: impl Fn(&[Group]) -> bool) -> Option<usize> {
    let mut digits = 0;
    let mut reach = first;
    while reach < groups.len() {
        digits += groups[reach].end - groups[reach].start;
        if digits > MAX_DIGITS {
            break;
        }
        reach += 1;
    }
    (first..reach)
        .rev()
        .find(|&last| accept(&groups[first..=last]))
}

fn is_phone(view: &[char], groups: &[Group], plus: bool, reporter_phones: &[String]) -> bool {
    let digits = digits_of(view, groups);
    let first: String = view[groups[0].start..groups[0].end].iter().collect();
    if digits.len() < 7 || digits.len() > 15 {
        return false;
    }
    let Some(nat) = national(&digits, plus, &first) else {
        // Another country code: any plausible length.
        return digits.len() >= 8;
    };
    let core = nat.trim_start_matches('0');
    if reporter_phones.iter().any(|p| p == core) {
        return true;
    }
    let b = nat.as_bytes();
    let mobile = b.len() >= 10 && b.len() <= 13 && nat.starts_with("08") && b[2] != b'0';
    let bare_mobile = !plus
        && (10..=12).contains(&digits.len())
        && digits.starts_with('8')
        && digits.as_bytes()[1] != b'0';
    mobile || bare_mobile || is_landline(groups, &nat, &digits)
}

/// `(061) 5279424`, `021-555-1234`, `+62 21 5551234`: a single group, or an area code of
/// three or four digits (with the zero) as its own group followed by groups of two digits or
/// more; no slash (letter numbers use slashes).
fn is_landline(groups: &[Group], nat: &str, digits: &str) -> bool {
    let b = nat.as_bytes();
    if !(9..=12).contains(&b.len()) || b[0] != b'0' || !matches!(b[1], b'2'..=b'7' | b'9') {
        return false;
    }
    if groups.iter().skip(1).any(|g| g.after_slash) {
        return false;
    }
    let len = |g: &Group| g.end - g.start;
    // Digits of the country code written before the national number (`62`, `0062`), if any.
    let country = if nat == digits {
        0
    } else {
        digits.len() + 1 - nat.len()
    };
    let (rest, area) = if country > 0 && len(&groups[0]) == country && groups.len() > 1 {
        (&groups[1..], len(&groups[1]) + 1)
    } else if country > 0 {
        (groups, (len(&groups[0]) + 1).saturating_sub(country))
    } else {
        (groups, len(&groups[0]))
    };
    rest.len() == 1 || ((3..=4).contains(&area) && rest[1..].iter().all(|g| len(g) >= 2))
}

/// `nol delapan satu dua …`: nine digits or more in words (digits may mix in).
fn spelled_digits(text: &Text, spans: &mut Vec<Span>) {
    let view = &text.view;
    let mut i = 0;
    let mut first: Option<usize> = None;
    let (mut last_end, mut digits, mut words) = (0, 0, 0);
    let mut flush = |first: &mut Option<usize>, last_end: usize, digits: usize, words: usize| {
        if let Some(start) = first.take()
            && digits >= 9
            && words >= 3
        {
            let mask = if digits == 16 { NIK_MASK } else { PHONE_MASK };
            spans.push(Span {
                start,
                end: last_end,
                mask,
            });
        }
    };
    while i < view.len() {
        if !view[i].is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < view.len() && view[i].is_alphanumeric() {
            i += 1;
        }
        let word: String = view[start..i]
            .iter()
            .flat_map(|c| c.to_lowercase())
            .collect();
        let value = if word == "kosong" || DIGIT_WORDS.contains(&word.as_str()) {
            Some(1)
        } else if word.chars().all(|c| c.is_ascii_digit()) && word.len() <= 4 {
            Some(word.len())
        } else {
            None
        };
        let joined = first.is_some()
            && view[last_end..start].len() <= MAX_GAP
            && view[last_end..start]
                .iter()
                .all(|c| matches!(c, ' ' | ',' | '-' | '.' | '\n'));
        match value {
            Some(n) => {
                if !joined {
                    flush(&mut first, last_end, digits, words);
                    first = Some(start);
                    digits = 0;
                    words = 0;
                }
                digits += n;
                words += usize::from(!word.starts_with(|c: char| c.is_ascii_digit()));
                last_end = i;
            }
            None => flush(&mut first, last_end, digits, words),
        }
    }
    flush(&mut first, last_end, digits, words);
}
