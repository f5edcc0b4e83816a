//! The longest text one SMS can be: 255 concatenated parts (the UDH's part count is one octet),
//! 153 GSM-7 septets or 67 UCS-2 units each. What a ticket takes from an SMS is bounded by this.

use super::encoding::{Encoding, split_ranges};

pub const MAX_PARTS: usize = 255;

/// Where a text longer than the longest concatenated SMS must be cut (a byte index on a
/// character boundary, never inside a GSM escape or surrogate pair); `None` when it fits.
pub fn overflow_at(text: &str) -> Option<usize> {
    // A UCS-2 part holds at least 66 units (a surrogate pair is kept whole) and UTF-8 bytes
    // bound UTF-16 units; a GSM-7 part at least 152 septets, at most two per byte. So a text
    // this short fits either way, without splitting it.
    let least_per_part = Encoding::Ucs2.limits().concatenated - 1;
    if text.len() <= MAX_PARTS * least_per_part {
        return None;
    }
    let encoding = Encoding::detect(text);
    let (_, parts) = split_ranges(text, encoding, encoding.limits());
    parts.get(MAX_PARTS).map(|(range, _)| range.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_within_255_parts_are_whole() {
        assert_eq!(overflow_at("DISHUB lampu mati"), None);
        assert_eq!(overflow_at(&"a".repeat(MAX_PARTS * 153)), None);
        assert_eq!(overflow_at(&"é".repeat(MAX_PARTS * 67)), None, "é is GSM-7");
        assert_eq!(overflow_at(&"ā".repeat(MAX_PARTS * 67)), None);
    }

    #[test]
    fn longer_texts_are_cut_at_the_last_part() {
        assert_eq!(overflow_at(&"a".repeat(200_007)), Some(MAX_PARTS * 153));
        assert_eq!(
            overflow_at(&"a".repeat(MAX_PARTS * 153 + 1)),
            Some(MAX_PARTS * 153)
        );
        let ucs2 = "ā".repeat(MAX_PARTS * 67 + 1);
        assert_eq!(overflow_at(&ucs2), Some(MAX_PARTS * 67 * 'ā'.len_utf8()));
        // Extension characters cost two septets and are never split from their escape.
        let euro = "€".repeat(40_000);
        let cut = overflow_at(&euro).unwrap();
        assert!(euro.is_char_boundary(cut));
        assert_eq!(cut / '€'.len_utf8(), MAX_PARTS * 76);
    }
}
