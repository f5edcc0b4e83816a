//! Splitting an outbound text into messages without cutting a GSM escape pair or a surrogate pair.

use super::Encoding;
use std::ops::Range;

/// Units (septets or UTF-16 code units) a message can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Alone, without a UDH.
    pub single: usize,
    /// As a part of a concatenated message.
    pub concatenated: usize,
}

/// A text split into the messages that will be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text.
    pub units_used: usize,
    /// The part texts, in order; joined they give the text back. An empty text is one empty part.
    pub parts: Vec<String>,
}

impl Segments {
    /// Number of messages the text costs.
    pub fn segments(&self) -> usize {
        self.parts.len()
    }
}

/// What a live composer shows: `2 SMS, 145 tersisa`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentCount {
    pub encoding: Encoding,
    pub segments: usize,
    pub units_used: usize,
    /// 160/70 for a single message, 153/67 once the text is concatenated.
    pub units_per_segment: usize,
    /// Units still free in the last segment.
    pub remaining_in_segment: usize,
}

/// Splits a text into messages: GSM-7 if it allows, else UCS-2; 160/70 units alone, 153/67 per
/// part (8-bit reference UDH) when longer.
pub fn segment(text: &str) -> Segments {
    let encoding = Encoding::detect(text);
    let (units_used, ranges) = split_ranges(text, encoding, encoding.limits());
    Segments {
        encoding,
        units_used,
        parts: ranges
            .into_iter()
            .map(|(range, _)| text[range].to_owned())
            .collect(),
    }
}

/// Counts without building the parts.
pub fn count(text: &str) -> SegmentCount {
    let encoding = Encoding::detect(text);
    let limits = encoding.limits();
    let (units_used, ranges) = split_ranges(text, encoding, limits);
    let units_per_segment = if ranges.len() == 1 {
        limits.single
    } else {
        limits.concatenated
    };
    let last = ranges.last().map_or(0, |(_, units)| *units);
    SegmentCount {
        encoding,
        segments: ranges.len(),
        units_used,
        units_per_segment,
        remaining_in_segment: units_per_segment - last,
    }
}

/// Total units and the byte ranges of the parts with their units. `encoding` must fit the text
/// (characters that do not count as one unit).
pub(crate) fn split_ranges(
    text: &str,
    encoding: Encoding,
    limits: Limits,
) -> (usize, Vec<(Range<usize>, usize)>) {
    let unit = |c: char| encoding.units(c).unwrap_or(1);
    let total: usize = text.chars().map(unit).sum();
    if total <= limits.single {
        return (total, vec![(0..text.len(), total)]);
    }
    let mut parts = Vec::with_capacity(total.div_ceil(limits.concatenated));
    let (mut start, mut units) = (0, 0);
    for (i, c) in text.char_indices() {
        let u = unit(c);
        if units + u > limits.concatenated {
            parts.push((start..i, units));
            (start, units) = (i, 0);
        }
        units += u;
    }
    parts.push((start..text.len(), units));
    (total, parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::encoding::all_chars;
    use proptest::prelude::*;

    fn units(encoding: Encoding, text: &str) -> usize {
        text.chars().map(|c| encoding.units(c).unwrap()).sum()
    }

    #[test]
    fn empty_text_is_one_empty_message() {
        let s = segment("");
        assert_eq!(
            (s.encoding, s.segments(), s.units_used),
            (Encoding::Gsm7, 1, 0)
        );
        assert_eq!(s.parts, vec![String::new()]);
        let c = count("");
        assert_eq!(
            (c.segments, c.units_per_segment, c.remaining_in_segment),
            (1, 160, 160)
        );
    }

    #[test]
    fn gsm_boundaries() {
        let c = count(&"a".repeat(160));
        assert_eq!(
            (c.segments, c.units_used, c.remaining_in_segment),
            (1, 160, 0)
        );
        let c = count(&"a".repeat(161));
        assert_eq!(
            (c.segments, c.units_per_segment, c.remaining_in_segment),
            (2, 153, 145)
        );
        assert_eq!(count(&"a".repeat(306)).segments, 2);
        assert_eq!(count(&"a".repeat(307)).segments, 3);
        let s = segment(&"a".repeat(161));
        assert_eq!(
            s.parts.iter().map(String::len).collect::<Vec<_>>(),
            vec![153, 8]
        );
    }

    #[test]
    fn extension_characters_cost_two_and_are_not_split() {
        assert_eq!(count(&"€".repeat(80)).segments, 1);
        assert_eq!(count(&"€".repeat(81)).units_used, 162);
        // 152 plain septets then '€': it would straddle 153, so it starts the next part.
        let text = format!("{}€{}", "a".repeat(152), "b".repeat(10));
        let s = segment(&text);
        assert_eq!(
            s.parts,
            vec!["a".repeat(152), format!("€{}", "b".repeat(10))]
        );
        assert_eq!(count(&text).remaining_in_segment, 141);
    }

    #[test]
    fn ucs2_boundaries() {
        let c = count(&"ê".repeat(10));
        assert_eq!((c.encoding, c.units_per_segment), (Encoding::Ucs2, 70));
        assert_eq!(count(&"ê".repeat(70)).segments, 1);
        let c = count(&"ê".repeat(71));
        assert_eq!(
            (c.segments, c.units_per_segment, c.remaining_in_segment),
            (2, 67, 63)
        );
        assert_eq!(count(&"ê".repeat(134)).segments, 2);
        assert_eq!(count(&"ê".repeat(135)).segments, 3);
    }

    #[test]
    fn one_non_gsm_character_switches_everything_to_ucs2() {
        let c = count(&format!("{}😀", "a".repeat(100)));
        assert_eq!(
            (c.encoding, c.units_used, c.segments),
            (Encoding::Ucs2, 102, 2)
        );
    }

    #[test]
    fn emoji_are_not_split() {
        assert_eq!(count(&"😀".repeat(35)).segments, 1);
        // 66 units then an emoji (2 units) would straddle 67.
        let text = format!("{}😀xxxxx", "ê".repeat(66));
        let s = segment(&text);
        assert_eq!(s.parts, vec!["ê".repeat(66), "😀xxxxx".to_owned()]);
        assert_eq!(count(&text).remaining_in_segment, 60);
    }

    fn any_text() -> impl Strategy<Value = String> {
        let gsm = prop::collection::vec(prop::sample::select(all_chars()), 0..500)
            .prop_map(|v| v.into_iter().collect::<String>());
        let mixed = prop::collection::vec(
            prop_oneof![
                4 => prop::sample::select(all_chars()),
                1 => prop::sample::select(vec!['ê', 'ç', '😀', '中', '\u{1F1EE}']),
            ],
            0..500,
        )
        .prop_map(|v| v.into_iter().collect::<String>());
        prop_oneof![gsm, mixed, "\\PC{0,300}"]
    }

    proptest! {
        #[test]
        fn parts_join_back_and_respect_limits(text in any_text()) {
            let s = segment(&text);
            prop_assert_eq!(s.parts.concat(), text.clone());
            prop_assert_eq!(s.units_used, units(s.encoding, &text));
            let limits = s.encoding.limits();
            if s.segments() == 1 {
                prop_assert!(s.units_used <= limits.single);
            } else {
                prop_assert!(s.units_used > limits.single);
                for part in &s.parts {
                    prop_assert!(!part.is_empty());
                    prop_assert!(units(s.encoding, part) <= limits.concatenated);
                }
                // Greedy: a part is only closed when the next character does not fit.
                for pair in s.parts.windows(2) {
                    let next = pair[1].chars().next().unwrap();
                    prop_assert!(units(s.encoding, &pair[0]) + s.encoding.units(next).unwrap() > limits.concatenated);
                }
            }
            let c = count(&text);
            prop_assert_eq!(c.segments, s.segments());
            prop_assert_eq!(c.units_used, s.units_used);
            prop_assert_eq!(c.encoding, s.encoding);
            let last = units(s.encoding, s.parts.last().unwrap());
            prop_assert_eq!(c.remaining_in_segment + last, c.units_per_segment);
        }

        #[test]
        fn encoding_matches_encodability(text in any_text()) {
            let gsm = crate::sms::encoding::encode_gsm7_unpacked(&text);
            prop_assert_eq!(gsm.is_some(), segment(&text).encoding == Encoding::Gsm7);
        }
    }
}
