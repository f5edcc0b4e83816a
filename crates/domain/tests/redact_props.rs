//! Property tests of the masking of personal data for publication: whatever words surround
//! them, phone numbers in Indonesian formats, NIKs, emails and the reporter's names never
//! survive; text without such data is unchanged; masking twice changes nothing. The planted
//! values come in the spellings people use (brackets, country codes, dashes and odd spaces,
//! broken lines, fullwidth digits, obfuscated emails) inside Indonesian sentences.

use domain::redact::{
    EMAIL_MASK, NAME_MASK, NIK_MASK, PHONE_MASK, Redactor, Reporter, Settings, is_title,
    mask_personal_data,
};
use proptest::prelude::*;

/// Ordinary words (no digits, no `@`).
fn words() -> impl Strategy<Value = String> {
    proptest::collection::vec("[a-z]{1,9}[,.!?]?", 0..8).prop_map(|w| w.join(" "))
}

/// A mobile number as people write it: +62 / 62 / 08 prefix, then digit groups with optional
/// separators.
fn phone() -> impl Strategy<Value = (String, String)> {
    (
        prop_oneof![Just("+62"), Just("62"), Just("0")],
        "8[1-9][0-9]{7,10}",
        proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-"), Just(".")], 3),
        proptest::collection::vec(2usize..5, 3),
    )
        .prop_map(|(prefix, rest, seps, cuts)| {
            let mut written = String::from(prefix);
            if prefix.starts_with('+') || prefix == "62" {
                written.push_str(seps[0]);
            }
            let mut pos = 0;
            for (k, cut) in cuts.iter().enumerate() {
                let end = (pos + cut).min(rest.len());
                written.push_str(&rest[pos..end]);
                if end < rest.len() {
                    written.push_str(seps[k]);
                }
                pos = end;
            }
            written.push_str(&rest[pos..]);
            let digits = format!("{}{}", prefix.trim_start_matches('+'), rest);
            (written, digits)
        })
}

fn digits_of(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

proptest! {
    #[test]
    fn phones_are_masked((written, digits) in phone(), before in words(), after in words()) {
        let text = format!("{before} {written} {after}");
        let masked = mask_personal_data(&text, &[]);
        // After an ID-number word ("kk", "nik", a bank's name) the number reads as that ID or
        // account: masked either way. The words carry no brackets, so a `[` is a mask.
        prop_assert!(masked.contains(PHONE_MASK) || masked.contains('['), "{text:?} -> {masked:?}");
        prop_assert!(!digits_of(&masked).contains(&digits[digits.len() - 6..]), "{text:?} -> {masked:?}");
    }

    #[test]
    fn niks_are_masked(nik in "[1-9][0-9]{15}", before in words(), after in words()) {
        let text = format!("{before} NIK {nik} {after}");
        let masked = mask_personal_data(&text, &[]);
        prop_assert!(masked.contains(NIK_MASK), "{masked:?}");
        prop_assert!(digits_of(&masked).is_empty(), "{masked:?}");
    }

    #[test]
    fn emails_are_masked(local in "[a-z][a-z0-9._]{0,10}[a-z0-9]", host in "[a-z]{2,8}", tld in "(id|com|co\\.id|go\\.id|org)", before in words(), after in words()) {
        let email = format!("{local}@{host}.{tld}");
        let text = format!("{before} {email} {after}");
        let masked = mask_personal_data(&text, &[]);
        prop_assert!(masked.contains(EMAIL_MASK), "{masked:?}");
        prop_assert!(!masked.contains('@'), "{masked:?}");
    }

    #[test]
    fn names_are_masked(first in "[A-Z][a-z]{2,8}", last in "[A-Z][a-z]{2,8}", before in words(), after in words()) {
        prop_assume!(!["nama", "nomor", "telepon", "email", "nik"].contains(&first.to_lowercase().as_str()));
        prop_assume!(!["nama", "nomor", "telepon", "email", "nik"].contains(&last.to_lowercase().as_str()));
        // Titles (`Ust`, `Bang`) are never part of a name.
        prop_assume!(!is_title(&first) && !is_title(&last));
        let name = format!("{first} {last}");
        let text = format!("{before} saya {} {after} salam {first}", name.to_uppercase());
        let masked = mask_personal_data(&text, &[&name]);
        let lower = masked.to_lowercase();
        for word in lower.split(|c: char| !c.is_alphanumeric()) {
            prop_assert!(word != first.to_lowercase() && word != last.to_lowercase(), "{masked:?}");
        }
        prop_assert!(masked.contains(NAME_MASK));
    }

    #[test]
    fn plain_text_is_unchanged(text in words()) {
        prop_assert_eq!(mask_personal_data(&text, &[]), text);
    }

    #[test]
    fn masking_is_idempotent(text in "[a-zA-Z0-9 @.+-]{0,60}", name in "[A-Za-z]{0,8}") {
        let once = mask_personal_data(&text, &[&name]);
        prop_assert_eq!(mask_personal_data(&once, &[&name]), once.clone());
    }
}

/// Words of complaints, none of them a digit, a name trigger or an email word.
const VOCABULARY: &[&str] = &[
    "jalan",
    "rusak",
    "mohon",
    "segera",
    "diperbaiki",
    "warga",
    "kelurahan",
    "sampah",
    "menumpuk",
    "lampu",
    "mati",
    "sudah",
    "lama",
    "tolong",
    "dicek",
    "terima",
    "kasih",
    "kami",
    "depan",
    "rumah",
    "sekolah",
    "pasar",
    "banjir",
    "got",
    "tersumbat",
    "petugas",
    "belum",
    "datang",
    "hubungi",
    "nomor",
    "ini",
    "atau",
    "kirim",
    "ke",
    "untuk",
    "informasi",
    "lanjut",
    "bapak",
    "ibu",
    "dinas",
    "puskesmas",
    "antre",
    "panjang",
    "air",
    "keruh",
    "listrik",
    "padam",
    "RT",
    "bisa",
    "dihubungi",
    "lewat",
    "tanggapan",
    "laporan",
    "saya",
    "malam",
    "pagi",
    "Jalan",
];

fn sentence() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (
            proptest::sample::select(VOCABULARY),
            prop_oneof![Just(""), Just(","), Just("."), Just(":")],
        ),
        0..10,
    )
    .prop_map(|words| {
        words
            .into_iter()
            .map(|(w, p)| format!("{w}{p}"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

fn separator() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec![
        "", " ", "-", ".", " - ", "\u{2013}", "\u{2014}", "\u{00A0}", "\u{2009}", "\n", "/", "  ",
    ])
}

/// Digits written with the look-alikes and fullwidth forms people (and OCR) produce.
fn disguise(digits: &str, style: u8) -> String {
    digits
        .chars()
        .enumerate()
        .map(|(k, c)| match (style, c) {
            (1, c) if c.is_ascii_digit() => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
            (2, '0') if k % 3 == 1 => 'o',
            (2, '1') if k % 3 == 1 => 'l',
            _ => c,
        })
        .collect()
}

/// Cuts digits into groups of the given sizes, joined by `seps`.
fn grouped(digits: &str, cuts: &[usize], seps: &[&str]) -> String {
    let mut out = String::new();
    let mut pos = 0;
    for (k, cut) in cuts.iter().enumerate() {
        if pos >= digits.len() {
            break;
        }
        let end = (pos + cut).min(digits.len());
        out.push_str(&digits[pos..end]);
        if end < digits.len() {
            out.push_str(seps[k % seps.len()]);
        }
        pos = end;
    }
    out.push_str(&digits[pos..]);
    out
}

/// A mobile number in one of many spellings.
fn any_mobile() -> impl Strategy<Value = String> {
    (
        "8[1-9][0-9]{8,9}",
        0u8..6,
        proptest::collection::vec(separator(), 3),
        proptest::collection::vec(3usize..5, 3),
        0u8..3,
    )
        .prop_map(|(rest, prefix, seps, cuts, style)| {
            let head = disguise(&rest[..3], style);
            let tail = disguise(&grouped(&rest[3..], &cuts, &seps), style);
            match prefix {
                0 => format!("0{head}{}{tail}", seps[0]),
                1 => format!("+62 {head}{}{tail}", seps[1]),
                2 => format!("(0{head}){tail}"),
                3 => format!("+62 ({head}) {tail}"),
                4 => format!("0062 {head} {tail}"),
                _ => format!("62{head}{tail}"),
            }
        })
}

fn any_landline() -> impl Strategy<Value = String> {
    (
        proptest::sample::select(vec![
            "21", "22", "24", "31", "61", "274", "361", "411", "751",
        ]),
        "[2-9][0-9]{5,6}",
        0u8..4,
    )
        .prop_map(|(area, number, form)| match form {
            0 => format!("(0{area}) {number}"),
            1 => format!("0{area}-{number}"),
            2 => format!("+62 {area} {number}"),
            _ => format!("0{area} {} {}", &number[..3], &number[3..]),
        })
}

fn any_id_number() -> impl Strategy<Value = String> {
    (
        "[1-9][0-9]{15}",
        0u8..6,
        proptest::collection::vec(separator(), 4),
    )
        .prop_map(|(digits, form, seps)| match form {
            0 => format!("NIK {}", grouped(&digits, &[4, 4, 4], &seps)),
            1 => format!("KK {}", grouped(&digits, &[6, 6], &["\n"])),
            2 => format!(
                "NPWP {}.{}.{}.{}-{}.{}",
                &digits[..2],
                &digits[2..5],
                &digits[5..8],
                &digits[8..9],
                &digits[9..12],
                &digits[12..15]
            ),
            3 => format!(
                "rekening BRI {}",
                grouped(&digits[..13], &[4, 2, 6], &["-"])
            ),
            4 => format!("BPJS {}", &digits[..13]),
            _ => format!("paspor B{}", &digits[..7]),
        })
}

/// An address in one of the obfuscated forms.
fn any_email() -> impl Strategy<Value = (String, String)> {
    (
        "[a-z]{3,8}[0-9]{1,3}",
        "[a-z]{3,8}",
        proptest::sample::select(vec!["com", "id", "co.id", "go.id", "net"]),
        proptest::sample::select(vec![
            "@", " @ ", "[at]", "(at)", " at ", "＠", " [at] ", "{at}",
        ]),
        proptest::sample::select(vec![
            ".", " . ", "[dot]", "(dot)", " dot ", ",", " titik ", "．",
        ]),
    )
        .prop_map(|(local, host, tld, at, dot)| {
            let tld = tld.replace('.', dot);
            (format!("{local}{at}{host}{dot}{tld}"), local)
        })
}

fn masked_digits(text: &str) -> String {
    text.chars().filter(|c| c.is_numeric()).collect()
}

proptest! {
    #[test]
    fn planted_numbers_are_masked(
        value in prop_oneof![any_mobile(), any_landline(), any_id_number()],
        before in sentence(),
        after in sentence(),
    ) {
        let text = format!("{before} {value} {after}");
        let masked = mask_personal_data(&text, &[]);
        prop_assert!(masked_digits(&masked).is_empty(), "{text:?} -> {masked:?}");
    }

    #[test]
    fn planted_emails_are_masked((email, local) in any_email(), before in sentence(), after in sentence()) {
        let text = format!("{before} {email} {after}");
        let masked = mask_personal_data(&text, &[]);
        prop_assert!(masked.contains(EMAIL_MASK), "{text:?} -> {masked:?}");
        prop_assert!(!masked.contains(&local) && masked_digits(&masked).is_empty(), "{text:?} -> {masked:?}");
    }

    #[test]
    fn reporter_identity_is_masked_in_any_spelling(
        first in "[A-Z][a-z]{4,8}",
        last in "[A-Z][a-z]{4,8}",
        phone in "8[1-9][0-9]{8,9}",
        code in "[2-9A-HJKMNP-TV-Z]{10}",
        form in 0u8..4,
        before in sentence(),
        after in sentence(),
    ) {
        let stop = ["saya", "nama", "nomor", "kasih", "jalan"];
        prop_assume!(!stop.contains(&first.to_lowercase().as_str()) && !stop.contains(&last.to_lowercase().as_str()));
        let reporter = Reporter {
            names: vec![format!("Ibu {first} {last}")],
            phones: vec![format!("0{phone}")],
            codes: vec![code.clone()],
            ..Reporter::default()
        };
        let written_name = match form {
            0 => format!("{first} {last}").to_uppercase(),
            // A doubled letter (`Muhamad` for `Muhammad`) and another case.
            1 => format!("{}{}{} {}", &first[..2], &first[1..2], &first[2..], last.to_lowercase()),
            2 => format!("Bapak {}", last.to_lowercase()),
            _ => format!("{last} {first}"),
        };
        let answer = format!("{before} {written_name} ({phone}) kode {} {after}", code.to_lowercase());
        let masked = Redactor::new(&reporter, Settings::default(), &[]).mask(&answer);
        prop_assert!(masked.contains(NAME_MASK), "{answer:?} -> {masked:?}");
        prop_assert!(masked_digits(&masked).is_empty(), "{answer:?} -> {masked:?}");
        let folded = masked.to_lowercase();
        prop_assert!(!folded.contains(&code.to_lowercase()), "{answer:?} -> {masked:?}");
        for word in folded.split(|c: char| !c.is_alphanumeric()) {
            prop_assert!(word != first.to_lowercase() && word != last.to_lowercase(), "{answer:?} -> {masked:?}");
        }
    }

    #[test]
    fn a_self_introduction_masks_the_name_everywhere(first in "[A-Z][a-z]{4,8}", last in "[A-Z][a-z]{4,8}", after in sentence()) {
        let stop = ["saya", "nama", "nomor", "kasih", "jalan", "warga"];
        prop_assume!(!stop.contains(&first.to_lowercase().as_str()) && !stop.contains(&last.to_lowercase().as_str()));
        let question = format!("Selamat pagi, saya {first} {last}. {after}");
        let answer = format!("Terima kasih Bapak/Ibu {first}, laporan sudah kami terima.");
        let redactor = Redactor::new(&Reporter::default(), Settings::default(), &[&question, &answer]);
        for text in [&question, &answer] {
            let masked = redactor.mask(text);
            prop_assert!(!masked.contains(&first) && !masked.contains(&last), "{text:?} -> {masked:?}");
        }
    }
}
