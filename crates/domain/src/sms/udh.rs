//! User Data Header of concatenated SMS (TS 23.040 §9.2.3.24.1 and .8): IEI `0x00` with an 8-bit
//! reference, IEI `0x08` with a 16-bit reference.

use super::encoding::{Encoding, encode_gsm7_unpacked, encode_ucs2, split_ranges};

const IEI_CONCAT_8BIT: u8 = 0x00;
const IEI_CONCAT_16BIT: u8 = 0x08;

/// Reference number shared by the parts of one concatenated message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConcatReference {
    /// 6-octet UDH; parts carry 153 septets or 67 UTF-16 units.
    Bits8(u8),
    /// 7-octet UDH; parts carry 152 septets or 66 UTF-16 units.
    Bits16(u16),
}

/// Where a part belongs: `sequence` (from 1) of `total` parts of message `reference`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConcatInfo {
    pub reference: u16,
    pub total: u8,
    pub sequence: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UdhError {
    #[error("UDH kosong")]
    Empty,
    #[error("panjang UDH tidak cocok: tertulis {declared} oktet, ada {actual}")]
    LengthMismatch { declared: usize, actual: usize },
    #[error("elemen UDH {iei:#04x} terpotong")]
    TruncatedElement { iei: u8 },
    #[error("elemen penggabungan {iei:#04x} berpanjang {len}, seharusnya {expected}")]
    BadConcatLength { iei: u8, len: u8, expected: u8 },
    #[error("jumlah bagian pesan nol")]
    ZeroTotal,
    #[error("nomor bagian {sequence} di luar 1..={total}")]
    BadSequence { sequence: u8, total: u8 },
    #[error("pesan terlalu panjang: {parts} bagian, paling banyak 255")]
    TooManyParts { parts: usize },
}

fn check(total: u8, sequence: u8) -> Result<(), UdhError> {
    if total == 0 {
        Err(UdhError::ZeroTotal)
    } else if sequence == 0 || sequence > total {
        Err(UdhError::BadSequence { sequence, total })
    } else {
        Ok(())
    }
}

/// The UDH (with its length octet) for part `sequence` (from 1) of `total`:
/// `05 00 03 ref total seq` or `06 08 04 ref_hi ref_lo total seq`.
pub fn concat_udh(
    reference: ConcatReference,
    total: u8,
    sequence: u8,
) -> Result<Vec<u8>, UdhError> {
    check(total, sequence)?;
    Ok(match reference {
        ConcatReference::Bits8(r) => vec![0x05, IEI_CONCAT_8BIT, 0x03, r, total, sequence],
        ConcatReference::Bits16(r) => {
            let [hi, lo] = r.to_be_bytes();
            vec![0x06, IEI_CONCAT_16BIT, 0x04, hi, lo, total, sequence]
        }
    })
}

/// Parses a whole UDH, length octet included. Elements other than concatenation are skipped; if
/// concatenation appears more than once the last one counts (TS 23.040).
pub fn parse_udh(udh: &[u8]) -> Result<Option<ConcatInfo>, UdhError> {
    let (&declared, elements) = udh.split_first().ok_or(UdhError::Empty)?;
    if usize::from(declared) != elements.len() {
        return Err(UdhError::LengthMismatch {
            declared: usize::from(declared),
            actual: elements.len(),
        });
    }
    let mut concat = None;
    let mut rest = elements;
    while let Some((&iei, after)) = rest.split_first() {
        let (&len, after) = after
            .split_first()
            .ok_or(UdhError::TruncatedElement { iei })?;
        if after.len() < usize::from(len) {
            return Err(UdhError::TruncatedElement { iei });
        }
        let (data, after) = after.split_at(usize::from(len));
        let expected = match iei {
            IEI_CONCAT_8BIT => 3,
            IEI_CONCAT_16BIT => 4,
            _ => len,
        };
        if len != expected {
            return Err(UdhError::BadConcatLength { iei, len, expected });
        }
        let info = match *data {
            [r, total, sequence] if iei == IEI_CONCAT_8BIT => Some((u16::from(r), total, sequence)),
            [hi, lo, total, sequence] if iei == IEI_CONCAT_16BIT => {
                Some((u16::from_be_bytes([hi, lo]), total, sequence))
            }
            _ => None,
        };
        if let Some((reference, total, sequence)) = info {
            check(total, sequence)?;
            concat = Some(ConcatInfo {
                reference,
                total,
                sequence,
            });
        }
        rest = after;
    }
    Ok(concat)
}

/// Splits user data that starts with a UDH (UDHI set) into its concatenation info and the bytes
/// after the header. For packed GSM-7 the text then starts after
/// [`fill_bits_for_udh`](super::encoding::fill_bits_for_udh) bits.
pub fn split_user_data(user_data: &[u8]) -> Result<(Option<ConcatInfo>, &[u8]), UdhError> {
    let &declared = user_data.first().ok_or(UdhError::Empty)?;
    let end = usize::from(declared) + 1;
    if user_data.len() < end {
        return Err(UdhError::LengthMismatch {
            declared: usize::from(declared),
            actual: user_data.len() - 1,
        });
    }
    let (udh, payload) = user_data.split_at(end);
    Ok((parse_udh(udh)?, payload))
}

/// One message to submit to an SMSC (SMPP `short_message`, Kannel `udh` + `text`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitPart {
    /// `None` when the text fits in one message.
    pub udh: Option<Vec<u8>>,
    /// Unpacked septets (one per byte) for GSM-7, UTF-16BE for UCS-2. Pack GSM-7 with
    /// [`pack_septets_with_fill`](super::encoding::pack_septets_with_fill) if the SMSC wants it.
    pub payload: Vec<u8>,
    pub encoding: Encoding,
    /// The part of the text this message carries.
    pub text: String,
}

/// Splits a text into the messages to submit, numbering concatenated parts with `reference`.
pub fn split_for_submit(
    text: &str,
    reference: ConcatReference,
) -> Result<Vec<SubmitPart>, UdhError> {
    let encoding = Encoding::detect(text);
    let limits = match reference {
        ConcatReference::Bits8(_) => encoding.limits(),
        ConcatReference::Bits16(_) => encoding.limits_16bit_reference(),
    };
    let (_, ranges) = split_ranges(text, encoding, limits);
    let total = u8::try_from(ranges.len()).map_err(|_| UdhError::TooManyParts {
        parts: ranges.len(),
    })?;
    ranges
        .into_iter()
        .zip(1..=total)
        .map(|((range, _), sequence)| {
            let part = &text[range];
            let payload = match encoding {
                // Detected as GSM-7, so every character encodes.
                Encoding::Gsm7 => encode_gsm7_unpacked(part).unwrap_or_default(),
                Encoding::Ucs2 => encode_ucs2(part),
            };
            Ok(SubmitPart {
                udh: (total > 1)
                    .then(|| concat_udh(reference, total, sequence))
                    .transpose()?,
                payload,
                encoding,
                text: part.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::encoding::{
        decode_gsm7_unpacked, decode_ucs2, fill_bits_for_udh, pack_septets_with_fill,
        unpack_septets_with_fill,
    };
    use proptest::prelude::*;

    fn info(reference: u16, total: u8, sequence: u8) -> Option<ConcatInfo> {
        Some(ConcatInfo {
            reference,
            total,
            sequence,
        })
    }

    #[test]
    fn builds_both_header_forms() {
        assert_eq!(
            concat_udh(ConcatReference::Bits8(0x2A), 3, 1).unwrap(),
            vec![0x05, 0x00, 0x03, 0x2A, 0x03, 0x01]
        );
        assert_eq!(
            concat_udh(ConcatReference::Bits16(0x1234), 2, 2).unwrap(),
            vec![0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x02]
        );
    }

    #[test]
    fn refuses_impossible_numbering() {
        let r = ConcatReference::Bits8(1);
        assert_eq!(concat_udh(r, 0, 0), Err(UdhError::ZeroTotal));
        assert_eq!(
            concat_udh(r, 2, 0),
            Err(UdhError::BadSequence {
                sequence: 0,
                total: 2
            })
        );
        assert!(concat_udh(r, 2, 3).is_err());
    }

    #[test]
    fn parses_and_skips_other_elements() {
        // Application port addressing (IEI 0x05) before an 8-bit concatenation element.
        let udh = [
            0x0B, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x00, 0x03, 0x12, 0x02, 0x01,
        ];
        assert_eq!(parse_udh(&udh), Ok(info(0x12, 2, 1)));
        assert_eq!(parse_udh(&[0x04, 0x05, 0x02, 0x0B, 0x84]), Ok(None));
        assert_eq!(parse_udh(&[0x00]), Ok(None));
        // Zero-length element.
        assert_eq!(parse_udh(&[0x02, 0x70, 0x00]), Ok(None));
    }

    #[test]
    fn last_concatenation_element_wins() {
        let udh = [
            0x0B, 0x00, 0x03, 0x01, 0x02, 0x01, 0x08, 0x04, 0x01, 0x00, 0x03, 0x02,
        ];
        assert_eq!(parse_udh(&udh), Ok(info(0x0100, 3, 2)));
    }

    #[test]
    fn rejects_malformed_headers() {
        assert_eq!(parse_udh(&[]), Err(UdhError::Empty));
        assert_eq!(
            parse_udh(&[0x05, 0x00, 0x03, 0x01]),
            Err(UdhError::LengthMismatch {
                declared: 5,
                actual: 3
            })
        );
        assert_eq!(
            parse_udh(&[0x04, 0x00, 0x03, 0x01, 0x02]),
            Err(UdhError::TruncatedElement { iei: 0 })
        );
        assert_eq!(
            parse_udh(&[0x01, 0x00]),
            Err(UdhError::TruncatedElement { iei: 0 })
        );
        assert_eq!(
            parse_udh(&[0x06, 0x00, 0x04, 0x01, 0x02, 0x01, 0x00]),
            Err(UdhError::BadConcatLength {
                iei: 0,
                len: 4,
                expected: 3
            })
        );
        assert_eq!(
            parse_udh(&[0x05, 0x00, 0x03, 0x01, 0x00, 0x00]),
            Err(UdhError::ZeroTotal)
        );
        assert_eq!(
            parse_udh(&[0x05, 0x00, 0x03, 0x01, 0x02, 0x03]),
            Err(UdhError::BadSequence {
                sequence: 3,
                total: 2
            })
        );
    }

    #[test]
    fn user_data_is_split_after_the_header() {
        let ud = [0x05, 0x00, 0x03, 0x07, 0x02, 0x02, 0x00, 0x41];
        assert_eq!(split_user_data(&ud), Ok((info(7, 2, 2), &[0x00, 0x41][..])));
        assert!(split_user_data(&[0x05, 0x00]).is_err());
        assert_eq!(split_user_data(&[]), Err(UdhError::Empty));
    }

    #[test]
    fn short_text_has_no_header() {
        let parts = split_for_submit("CEK ABCDEFGH23", ConcatReference::Bits8(9)).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].udh, None);
        assert_eq!(parts[0].payload, b"CEK ABCDEFGH23".to_vec());
        assert_eq!(parts[0].encoding, Encoding::Gsm7);
    }

    #[test]
    fn long_text_is_numbered() {
        let text = "a".repeat(306);
        let parts = split_for_submit(&text, ConcatReference::Bits8(9)).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].udh.as_deref(), Some(&[5, 0, 3, 9, 2, 2][..]));
        // With a 16-bit reference each part holds one septet less.
        let parts = split_for_submit(&text, ConcatReference::Bits16(9)).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].payload.len(), 152);
    }

    #[test]
    fn too_long_text_is_refused() {
        let text = "a".repeat(153 * 255 + 1);
        assert_eq!(
            split_for_submit(&text, ConcatReference::Bits8(0)),
            Err(UdhError::TooManyParts { parts: 256 })
        );
        assert_eq!(
            split_for_submit(&text[1..], ConcatReference::Bits8(0))
                .unwrap()
                .len(),
            255
        );
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                8 => prop::sample::select(crate::sms::encoding::all_chars()),
                1 => prop::sample::select(vec!['ê', '😀', '中']),
            ],
            0..700,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    fn any_reference() -> impl Strategy<Value = ConcatReference> {
        prop_oneof![
            any::<u8>().prop_map(ConcatReference::Bits8),
            any::<u16>().prop_map(ConcatReference::Bits16),
        ]
    }

    proptest! {
        #[test]
        fn headers_round_trip(reference in any_reference(), total in 1u8..=255, seq in any::<u8>()) {
            let sequence = seq % total + 1;
            let udh = concat_udh(reference, total, sequence).unwrap();
            let expected = match reference {
                ConcatReference::Bits8(r) => u16::from(r),
                ConcatReference::Bits16(r) => r,
            };
            prop_assert_eq!(parse_udh(&udh), Ok(info(expected, total, sequence)));
        }

        #[test]
        fn parsing_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
            let _ = parse_udh(&bytes);
            let _ = split_user_data(&bytes);
        }

        #[test]
        fn submitted_parts_fit_and_join_back(text in any_text(), reference in any_reference()) {
            let parts = split_for_submit(&text, reference).unwrap();
            let total = parts.len();
            let mut joined = String::new();
            for (i, part) in parts.iter().enumerate() {
                let udh = part.udh.clone().unwrap_or_default();
                if total > 1 {
                    let parsed = parse_udh(&udh).unwrap().unwrap();
                    prop_assert_eq!((usize::from(parsed.total), usize::from(parsed.sequence)), (total, i + 1));
                }
                let on_air = match part.encoding {
                    Encoding::Gsm7 => {
                        let fill = fill_bits_for_udh(udh.len());
                        let packed = pack_septets_with_fill(&part.payload, fill);
                        prop_assert_eq!(
                            unpack_septets_with_fill(&packed, fill, part.payload.len()),
                            part.payload.clone()
                        );
                        joined.push_str(&decode_gsm7_unpacked(&part.payload));
                        packed.len()
                    }
                    Encoding::Ucs2 => {
                        joined.push_str(&decode_ucs2(&part.payload));
                        part.payload.len()
                    }
                };
                prop_assert!(udh.len() + on_air <= 140, "{} + {} octets", udh.len(), on_air);
                prop_assert_eq!(&part.text, &decode_back(part));
            }
            prop_assert_eq!(joined, text);
        }
    }

    fn decode_back(part: &SubmitPart) -> String {
        match part.encoding {
            Encoding::Gsm7 => decode_gsm7_unpacked(&part.payload),
            Encoding::Ucs2 => decode_ucs2(&part.payload),
        }
    }
}
