//! Masking of personal data in a published copy (SMS §12.9 publishes answered complaints; the
//! citizen's original text is never changed, SMS §11.e). Pure: the store keeps the original and
//! publishes `mask_personal_data(original, names)`.
//!
//! What is masked:
//! - email addresses → `[email]`;
//! - Indonesian phone numbers written `+62…`, `62…` or `08…`, with or without spaces, dashes
//!   or dots between digit groups (10–15 digits with `62`, 10–13 with `08`) → `[nomor telepon]`;
//! - NIK, the 16-digit population number, with or without separators → `[NIK]`;
//! - every word of at least three letters of the names the reporter gave, case-insensitively,
//!   as a whole word → `[nama]` (adjacent masked words collapse into one).
//!
//! Masking is idempotent: the masks contain no digits, no `@` and none of the name words.

pub const PHONE_MASK: &str = "[nomor telepon]";
pub const EMAIL_MASK: &str = "[email]";
pub const NIK_MASK: &str = "[NIK]";
pub const NAME_MASK: &str = "[nama]";

/// Words that occur in the masks themselves; never treated as a name, so that masking twice
/// gives the same text.
const MASK_WORDS: &[&str] = &["nama", "nomor", "telepon", "email", "nik"];

/// The text with emails, phone numbers, NIKs and the given names masked.
pub fn mask_personal_data(text: &str, names: &[&str]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let without_emails = mask_emails(&chars);
    let without_numbers = mask_numbers(&without_emails);
    mask_names(&without_numbers, names)
}

/// How a named reporter appears on a published case: the first name and the initials of the
/// rest ("Budi Santoso" → "Budi S."); `None` for an empty name.
pub fn public_name(name: &str) -> Option<String> {
    let mut words = name.split_whitespace();
    let first = words.next()?;
    let mut label: String = first.chars().take(40).collect();
    for word in words {
        if let Some(initial) = word.chars().find(|c| c.is_alphabetic()) {
            label.push(' ');
            label.extend(initial.to_uppercase());
            label.push('.');
        }
    }
    Some(label)
}

fn is_email_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_email_domain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

fn mask_emails(chars: &[char]) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '@' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // Local part: already copied to `out`; walk back over it.
        let mut start = out.len();
        while start > 0 && is_email_local(out[start - 1]) {
            start -= 1;
        }
        // Domain: letters, digits, dots, dashes; at least one dot followed by a label.
        let mut end = i + 1;
        while end < chars.len() && is_email_domain(chars[end]) {
            end += 1;
        }
        while end > i + 1 && matches!(chars[end - 1], '.' | '-') {
            end -= 1;
        }
        let domain: String = chars[i + 1..end].iter().collect();
        let valid_domain = domain.contains('.')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && label.chars().any(|c| c.is_ascii_alphanumeric()))
            && domain
                .rsplit('.')
                .next()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        let local_start = {
            // A local part does not start with a dot.
            let mut s = start;
            while s < out.len() && out[s] == '.' {
                s += 1;
            }
            s
        };
        if local_start < out.len() && valid_domain {
            out.truncate(local_start);
            out.extend(EMAIL_MASK.chars());
            i = end;
        } else {
            out.push('@');
            i += 1;
        }
    }
    out
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.')
}

/// A group of consecutive digits at `[start, end)`.
#[derive(Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
}

enum Kind {
    Phone,
    Nik,
}

fn classify(digits: &str, plus: bool) -> Option<Kind> {
    let n = digits.len();
    if !plus && n == 16 {
        return Some(Kind::Nik);
    }
    if digits.starts_with("62")
        && (10..=15).contains(&n)
        && digits[2..].starts_with(['2', '3', '4', '5', '6', '7', '8', '9'])
    {
        return Some(Kind::Phone);
    }
    if !plus && digits.starts_with("08") && (10..=13).contains(&n) {
        return Some(Kind::Phone);
    }
    None
}

fn mask_numbers(chars: &[char]) -> Vec<char> {
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let plus = chars[i] == '+' && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit());
        let first = if plus { i + 1 } else { i };
        if !chars.get(first).is_some_and(|c| c.is_ascii_digit()) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run of digit groups joined by single separators.
        let mut groups: Vec<Group> = Vec::new();
        let mut pos = first;
        loop {
            let start = pos;
            while pos < chars.len() && chars[pos].is_ascii_digit() {
                pos += 1;
            }
            groups.push(Group { start, end: pos });
            if pos + 1 < chars.len() && is_separator(chars[pos]) && chars[pos + 1].is_ascii_digit()
            {
                pos += 1;
            } else {
                break;
            }
        }
        let run_end = pos;
        // Copy the run, masking the longest phone/NIK spans, leftmost first.
        let mut copied = i;
        let mut g = 0;
        while g < groups.len() {
            let mut found = None;
            for last in (g..groups.len()).rev() {
                let digits: String = groups[g..=last]
                    .iter()
                    .flat_map(|grp| chars[grp.start..grp.end].iter())
                    .collect();
                if digits.len() > 16 {
                    continue;
                }
                let with_plus = plus && g == 0;
                if let Some(kind) = classify(&digits, with_plus) {
                    found = Some((last, kind));
                    break;
                }
            }
            match found {
                Some((last, kind)) => {
                    let span_start = if plus && g == 0 { i } else { groups[g].start };
                    out.extend_from_slice(&chars[copied..span_start]);
                    out.extend(
                        match kind {
                            Kind::Phone => PHONE_MASK,
                            Kind::Nik => NIK_MASK,
                        }
                        .chars(),
                    );
                    copied = groups[last].end;
                    g = last + 1;
                }
                None => g += 1,
            }
        }
        out.extend_from_slice(&chars[copied..run_end]);
        i = run_end;
    }
    out
}

fn mask_names(chars: &[char], names: &[&str]) -> String {
    let words: Vec<Vec<char>> = names
        .iter()
        .flat_map(|name| name.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 3 && w.chars().all(char::is_alphabetic))
        .map(|w| {
            w.chars()
                .flat_map(char::to_lowercase)
                .collect::<Vec<char>>()
        })
        .filter(|w| !MASK_WORDS.contains(&w.iter().collect::<String>().as_str()))
        .collect();
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    // Whether the output ends with a name mask followed only by spaces.
    let mut after_mask: Option<usize> = None;
    while i < chars.len() {
        if !chars[i].is_alphanumeric() {
            if chars[i] != ' ' {
                after_mask = None;
            }
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_alphanumeric() {
            i += 1;
        }
        let word: Vec<char> = chars[start..i]
            .iter()
            .flat_map(|c| c.to_lowercase())
            .collect();
        if words.contains(&word) {
            match after_mask {
                // "Budi Santoso" → one mask: drop the spaces since the previous mask.
                Some(len) => out.truncate(len),
                None => out.push_str(NAME_MASK),
            }
            after_mask = Some(out.len());
        } else {
            after_mask = None;
            out.extend(&chars[start..i]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(&str, &[&str], &str)] = &[
            (
                "Hubungi saya di 081234567890.",
                &[],
                "Hubungi saya di [nomor telepon].",
            ),
            ("HP +62 812-3456-7890 ya", &[], "HP [nomor telepon] ya"),
            ("wa 62812.3456.789", &[], "wa [nomor telepon]"),
            (
                "telp 0812 3456 7890, terima kasih",
                &[],
                "telp [nomor telepon], terima kasih",
            ),
            ("NIK 3201234567890001 hilang", &[], "NIK [NIK] hilang"),
            ("NIK 3201 2345 6789 0001", &[], "NIK [NIK]"),
            ("email budi.s@contoh.go.id.", &[], "email [email]."),
            (
                "tulis ke a_b+c@mail.example.com sekarang",
                &[],
                "tulis ke [email] sekarang",
            ),
            (
                "jam 08.30 tanggal 12-11-2026 Rp 1.500.000",
                &[],
                "jam 08.30 tanggal 12-11-2026 Rp 1.500.000",
            ),
            ("tahun 2024 08123456789", &[], "tahun 2024 [nomor telepon]"),
            (
                "Saya Budi Santoso dari RT 3",
                &["Budi Santoso"],
                "Saya [nama] dari RT 3",
            ),
            (
                "budi bilang BUDI sudah lapor",
                &["Budi"],
                "[nama] bilang [nama] sudah lapor",
            ),
            ("Budiman tidak sama", &["Budi"], "Budiman tidak sama"),
            ("Ibu Siti, Ani", &["Siti Aminah", "Al"], "Ibu [nama], Ani"),
            ("kode @ saja dan a@b", &[], "kode @ saja dan a@b"),
            ("nomor 12345", &[], "nomor 12345"),
            ("", &["Budi"], ""),
        ];
        for (input, names, expected) in cases {
            assert_eq!(
                &mask_personal_data(input, names),
                expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn public_names() {
        assert_eq!(public_name("Budi Santoso").as_deref(), Some("Budi S."));
        assert_eq!(
            public_name("  siti  nur aminah ").as_deref(),
            Some("siti N. A.")
        );
        assert_eq!(public_name("Ani").as_deref(), Some("Ani"));
        assert_eq!(public_name("   "), None);
    }

    #[test]
    fn masks_are_stable() {
        let once = mask_personal_data("Nama saya Nama, email x@y.co, HP 0812345678901", &["Nama"]);
        assert_eq!(mask_personal_data(&once, &["Nama"]), once);
    }
}
