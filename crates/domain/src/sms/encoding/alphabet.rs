//! GSM 03.38 (3GPP TS 23.038) default alphabet and its extension table, unpacked: one septet
//! value per byte, extension characters as `0x1B` followed by their code.

pub(crate) const ESCAPE: u8 = 0x1B;

/// The default alphabet by septet value. Index `0x1B` is the escape to the extension table and
/// holds a placeholder that is never matched.
const BASIC: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', '\u{1B}', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

/// The extension table: each costs two septets (`0x1B`, code).
const EXTENSION: [(u8, char); 10] = [
    (0x0A, '\u{0C}'), // form feed
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x65, '€'),
];

/// How a character is written in GSM-7, or `None` if it is not in the alphabet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Septets {
    One(u8),
    Escaped(u8),
}

impl Septets {
    pub(crate) fn len(self) -> usize {
        match self {
            Septets::One(_) => 1,
            Septets::Escaped(_) => 2,
        }
    }
}

pub(crate) fn lookup(c: char) -> Option<Septets> {
    if c == '\u{1B}' {
        return None;
    }
    if let Some(i) = BASIC.iter().position(|&b| b == c) {
        return Some(Septets::One(i as u8));
    }
    EXTENSION
        .iter()
        .find(|&&(_, e)| e == c)
        .map(|&(code, _)| Septets::Escaped(code))
}

/// Whether `c` can be sent in the GSM 7-bit default alphabet (with the extension table).
pub fn is_gsm7(c: char) -> bool {
    lookup(c).is_some()
}

/// Septets a character costs in GSM-7: 1, 2 (extension table) or `None` if not encodable.
pub fn gsm7_len(c: char) -> Option<usize> {
    lookup(c).map(Septets::len)
}

/// The first character (with its byte offset) that forces UCS-2, for telling a composer why.
pub fn first_non_gsm7(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| !is_gsm7(c))
}

/// Septet values, one per byte, escapes as `0x1B` + code; `None` if any character is not GSM-7.
pub fn encode_gsm7_unpacked(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match lookup(c)? {
            Septets::One(v) => out.push(v),
            Septets::Escaped(v) => out.extend([ESCAPE, v]),
        }
    }
    Some(out)
}

/// Decodes unpacked septets. Per TS 23.038 an unknown extension code shows the default-table
/// character, and an escape followed by an escape (or at the end) shows a space. Bytes with the
/// high bit set are not septets and become U+FFFD.
pub fn decode_gsm7_unpacked(septets: &[u8]) -> String {
    let mut out = String::with_capacity(septets.len());
    let mut bytes = septets.iter().copied();
    while let Some(b) = bytes.next() {
        if b >= 0x80 {
            out.push(char::REPLACEMENT_CHARACTER);
        } else if b != ESCAPE {
            out.push(BASIC[b as usize]);
        } else {
            match bytes.next() {
                None | Some(ESCAPE) => out.push(' '),
                Some(code) if code >= 0x80 => out.push(char::REPLACEMENT_CHARACTER),
                Some(code) => out.push(
                    EXTENSION
                        .iter()
                        .find(|&&(c, _)| c == code)
                        .map_or(BASIC[code as usize], |&(_, e)| e),
                ),
            }
        }
    }
    out
}

/// Every GSM-7 character, for tests.
#[cfg(test)]
pub(crate) fn all_chars() -> Vec<char> {
    BASIC
        .iter()
        .copied()
        .filter(|&c| c != '\u{1B}')
        .chain(EXTENSION.iter().map(|&(_, c)| c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ascii_letters_map_to_themselves() {
        assert_eq!(encode_gsm7_unpacked("Az09 ?").unwrap(), b"Az09 ?".to_vec());
    }

    #[test]
    fn special_positions() {
        assert_eq!(encode_gsm7_unpacked("@£$").unwrap(), vec![0x00, 0x01, 0x02]);
        assert_eq!(encode_gsm7_unpacked("\n\r").unwrap(), vec![0x0A, 0x0D]);
        assert_eq!(
            encode_gsm7_unpacked("¤¡§¿à").unwrap(),
            vec![0x24, 0x40, 0x5F, 0x60, 0x7F]
        );
        assert_eq!(encode_gsm7_unpacked("ΔΞ").unwrap(), vec![0x10, 0x1A]);
    }

    #[test]
    fn extension_characters_are_escaped() {
        assert_eq!(
            encode_gsm7_unpacked("€[]{}").unwrap(),
            vec![0x1B, 0x65, 0x1B, 0x3C, 0x1B, 0x3E, 0x1B, 0x28, 0x1B, 0x29]
        );
        for c in ['^', '{', '}', '\\', '[', '~', ']', '|', '€', '\u{0C}'] {
            assert_eq!(gsm7_len(c), Some(2), "{c}");
        }
        assert_eq!(gsm7_len('a'), Some(1));
    }

    #[test]
    fn non_gsm_characters_are_rejected() {
        for text in ["ç", "`", "😀", "Ā", "\u{1B}", "\t", "ê", "á"] {
            assert_eq!(encode_gsm7_unpacked(text), None, "{text:?}");
        }
        assert_eq!(first_non_gsm7("jalan rusak 😀"), Some((12, '😀')));
        assert_eq!(first_non_gsm7("jalan rusak"), None);
    }

    #[test]
    fn table_is_consistent() {
        let chars = all_chars();
        assert_eq!(chars.len(), 127 + 10);
        let mut sorted = chars.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), chars.len(), "no character appears twice");
    }

    #[test]
    fn lenient_decoding() {
        assert_eq!(decode_gsm7_unpacked(&[0x41, 0x1B]), "A ");
        assert_eq!(decode_gsm7_unpacked(&[0x1B, 0x1B, 0x41]), " A");
        assert_eq!(decode_gsm7_unpacked(&[0x1B, 0x41]), "A");
        assert_eq!(
            decode_gsm7_unpacked(&[0x80, 0x41, 0x1B, 0xFF]),
            "\u{FFFD}A\u{FFFD}"
        );
        assert_eq!(decode_gsm7_unpacked(&[0x1B, 0x65]), "€");
    }

    proptest! {
        #[test]
        fn gsm_text_round_trips(chars in prop::collection::vec(prop::sample::select(all_chars()), 0..200)) {
            let text: String = chars.into_iter().collect();
            let septets = encode_gsm7_unpacked(&text).unwrap();
            prop_assert!(septets.iter().all(|&s| s < 0x80));
            prop_assert_eq!(septets.len(), text.chars().map(|c| gsm7_len(c).unwrap()).sum::<usize>());
            prop_assert_eq!(decode_gsm7_unpacked(&septets), text);
        }

        #[test]
        fn decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let text = decode_gsm7_unpacked(&bytes);
            prop_assert!(text.chars().count() <= bytes.len());
        }
    }
}
