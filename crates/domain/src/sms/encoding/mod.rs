//! Character sets of SMS: the GSM 03.38 7-bit default alphabet and UCS-2 (sent as UTF-16BE),
//! segmentation of outbound texts and byte-level encoders and decoders.

mod alphabet;
mod segment;
mod septets;

pub use alphabet::{decode_gsm7_unpacked, encode_gsm7_unpacked, first_non_gsm7, gsm7_len, is_gsm7};
pub use segment::{Limits, SegmentCount, Segments, count, segment};
pub use septets::{
    fill_bits_for_udh, pack_septets, pack_septets_with_fill, unpack_septets,
    unpack_septets_with_fill,
};

pub(crate) use segment::split_ranges;

/// The data coding of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// GSM 03.38 default alphabet with the extension table; counted in septets.
    Gsm7,
    /// UCS-2, sent as UTF-16BE (characters outside the BMP take two units); counted in UTF-16
    /// code units.
    Ucs2,
}

impl Encoding {
    /// GSM-7 when every character is in the alphabet, otherwise UCS-2.
    pub fn detect(text: &str) -> Self {
        if text.chars().all(is_gsm7) {
            Encoding::Gsm7
        } else {
            Encoding::Ucs2
        }
    }

    /// Units (septets or UTF-16 code units) per message, alone and as part of a concatenated
    /// message with an 8-bit reference.
    pub fn limits(self) -> Limits {
        match self {
            Encoding::Gsm7 => Limits {
                single: 160,
                concatenated: 153,
            },
            Encoding::Ucs2 => Limits {
                single: 70,
                concatenated: 67,
            },
        }
    }

    /// Limits when parts carry a 16-bit concatenation reference (a UDH one octet longer).
    pub fn limits_16bit_reference(self) -> Limits {
        match self {
            Encoding::Gsm7 => Limits {
                single: 160,
                concatenated: 152,
            },
            Encoding::Ucs2 => Limits {
                single: 70,
                concatenated: 66,
            },
        }
    }

    /// Units a character costs in this encoding; `None` if it is not GSM-7 in [`Encoding::Gsm7`].
    pub fn units(self, c: char) -> Option<usize> {
        match self {
            Encoding::Gsm7 => gsm7_len(c),
            Encoding::Ucs2 => Some(c.len_utf16()),
        }
    }

    /// The text's bytes in this encoding: unpacked septets or UTF-16BE.
    pub fn encode(self, text: &str) -> Option<Vec<u8>> {
        match self {
            Encoding::Gsm7 => encode_gsm7_unpacked(text),
            Encoding::Ucs2 => Some(encode_ucs2(text)),
        }
    }
}

/// UTF-16BE, as sent with data coding UCS-2 (characters outside the BMP as surrogate pairs).
pub fn encode_ucs2(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// Decodes UTF-16BE; unpaired surrogates and an odd trailing byte become U+FFFD.
pub fn decode_ucs2(bytes: &[u8]) -> String {
    let chunks = bytes.chunks_exact(2);
    let odd = !chunks.remainder().is_empty();
    let units = chunks.map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
    let mut text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if odd {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

/// ISO-8859-1, as some gateways deliver 8-bit messages: every byte is the code point.
pub fn decode_latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
pub(crate) use alphabet::all_chars;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn detection() {
        assert_eq!(Encoding::detect(""), Encoding::Gsm7);
        assert_eq!(
            Encoding::detect("Jalan rusak di Jl. Sudirman €5"),
            Encoding::Gsm7
        );
        assert_eq!(Encoding::detect("Jalan rusak 😀"), Encoding::Ucs2);
        assert_eq!(Encoding::detect("ç"), Encoding::Ucs2);
    }

    #[test]
    fn ucs2_is_utf16_big_endian() {
        assert_eq!(encode_ucs2("Aé"), vec![0x00, 0x41, 0x00, 0xE9]);
        assert_eq!(encode_ucs2("😀"), vec![0xD8, 0x3D, 0xDE, 0x00]);
        assert_eq!(decode_ucs2(&[0xD8, 0x3D, 0xDE, 0x00]), "😀");
    }

    #[test]
    fn ucs2_decoding_is_lossy() {
        assert_eq!(decode_ucs2(&[0x00, 0x41, 0x00]), "A\u{FFFD}");
        assert_eq!(decode_ucs2(&[0xD8, 0x3D, 0x00, 0x41]), "\u{FFFD}A");
        assert_eq!(decode_ucs2(&[]), "");
    }

    #[test]
    fn latin1() {
        assert_eq!(decode_latin1(b"caf\xe9 \xa3"), "café £");
    }

    proptest! {
        #[test]
        fn ucs2_round_trips(text in "\\PC{0,100}") {
            let bytes = encode_ucs2(&text);
            prop_assert_eq!(bytes.len(), 2 * text.encode_utf16().count());
            prop_assert_eq!(decode_ucs2(&bytes), text);
        }

        #[test]
        fn latin1_keeps_every_byte(bytes in prop::collection::vec(any::<u8>(), 0..100)) {
            let text = decode_latin1(&bytes);
            let back: Vec<u8> = text.chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect();
            prop_assert_eq!(back, bytes);
        }

        #[test]
        fn ucs2_decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..100)) {
            decode_ucs2(&bytes);
        }
    }
}
