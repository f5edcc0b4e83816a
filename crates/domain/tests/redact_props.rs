//! Property tests of the masking of personal data for publication: whatever words surround
//! them, phone numbers in Indonesian formats, NIKs, emails and the reporter's names never
//! survive; text without such data is unchanged; masking twice changes nothing.

use domain::redact::{EMAIL_MASK, NAME_MASK, NIK_MASK, PHONE_MASK, mask_personal_data};
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
        prop_assert!(masked.contains(PHONE_MASK), "{text:?} -> {masked:?}");
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
