//! Packing of 7-bit septets into octets (least significant bit first), as some SMSCs and every
//! PDU want them.

/// Packs septet values (the high bit of each byte is ignored) into octets.
pub fn pack_septets(septets: &[u8]) -> Vec<u8> {
    pack_septets_with_fill(septets, 0)
}

/// Packs after `fill_bits` zero bits, so that septets after a UDH start on a septet boundary of
/// the user data (see [`fill_bits_for_udh`]). The result excludes the UDH itself.
pub fn pack_septets_with_fill(septets: &[u8], fill_bits: u8) -> Vec<u8> {
    let fill = usize::from(fill_bits);
    let mut out = vec![0u8; (fill + 7 * septets.len()).div_ceil(8)];
    for (i, &septet) in septets.iter().enumerate() {
        let bit = fill + 7 * i;
        let (byte, offset) = (bit / 8, bit % 8);
        let value = u16::from(septet & 0x7F) << offset;
        out[byte] |= value as u8;
        if offset > 1 {
            out[byte + 1] |= (value >> 8) as u8;
        }
    }
    out
}

/// Unpacks up to `count` septets (the TP-UDL of a GSM-7 message). Without the count a message
/// whose last octet has 7 spare bits would gain a trailing `0x00` (`@`).
pub fn unpack_septets(packed: &[u8], count: usize) -> Vec<u8> {
    unpack_septets_with_fill(packed, 0, count)
}

/// Unpacks up to `count` septets that start after `fill_bits` bits of padding.
pub fn unpack_septets_with_fill(packed: &[u8], fill_bits: u8, count: usize) -> Vec<u8> {
    let fill = usize::from(fill_bits);
    let available = (packed.len() * 8).saturating_sub(fill) / 7;
    (0..count.min(available))
        .map(|i| {
            let bit = fill + 7 * i;
            let (byte, offset) = (bit / 8, bit % 8);
            let mut value = u16::from(packed[byte]) >> offset;
            if offset > 1 {
                value |= u16::from(packed[byte + 1]) << (8 - offset);
            }
            (value & 0x7F) as u8
        })
        .collect()
}

/// Fill bits between a UDH of `udh_len` octets (including its length octet) and GSM-7 text.
pub fn fill_bits_for_udh(udh_len: usize) -> u8 {
    ((7 - (udh_len * 8) % 7) % 7) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_vector() {
        let packed = pack_septets(b"hellohello");
        assert_eq!(
            packed,
            vec![0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37]
        );
        assert_eq!(unpack_septets(&packed, 10), b"hellohello".to_vec());
    }

    #[test]
    fn eight_septets_fill_seven_octets() {
        let packed = pack_septets(b"12345678");
        assert_eq!(packed.len(), 7);
        assert_eq!(unpack_septets(&packed, 8), b"12345678".to_vec());
    }

    #[test]
    fn count_avoids_a_phantom_at_sign() {
        let packed = pack_septets(b"1234567");
        assert_eq!(packed.len(), 7);
        assert_eq!(unpack_septets(&packed, usize::MAX), b"1234567\0".to_vec());
        assert_eq!(unpack_septets(&packed, 7), b"1234567".to_vec());
    }

    #[test]
    fn fill_bits_after_concatenation_headers() {
        assert_eq!(fill_bits_for_udh(6), 1);
        assert_eq!(fill_bits_for_udh(7), 0);
        assert_eq!(fill_bits_for_udh(0), 0);
        let packed = pack_septets_with_fill(b"A", 1);
        assert_eq!(packed, vec![0x41 << 1]);
        // 153 septets after a 6-octet UDH fill the 134 remaining octets exactly.
        assert_eq!(pack_septets_with_fill(&[0x41; 153], 1).len(), 134);
        // 152 septets after a 7-octet UDH fill the 133 remaining octets exactly.
        assert_eq!(pack_septets_with_fill(&[0x41; 152], 0).len(), 133);
    }

    #[test]
    fn short_input_is_not_over_read() {
        assert_eq!(unpack_septets(&[], 5), Vec::<u8>::new());
        assert_eq!(unpack_septets(&[0xFF], 5), vec![0x7F]);
    }

    proptest! {
        #[test]
        fn pack_round_trips(
            septets in prop::collection::vec(0u8..0x80, 0..400),
            fill in 0u8..8,
        ) {
            let packed = pack_septets_with_fill(&septets, fill);
            prop_assert_eq!(packed.len(), (usize::from(fill) + 7 * septets.len()).div_ceil(8));
            prop_assert_eq!(unpack_septets_with_fill(&packed, fill, septets.len()), septets);
        }

        #[test]
        fn unpack_pack_round_trips(packed in prop::collection::vec(any::<u8>(), 0..200)) {
            // Whole octets of septets (multiples of 7) leave no spare bits.
            let whole = &packed[..packed.len() / 7 * 7];
            let septets = unpack_septets(whole, usize::MAX);
            prop_assert_eq!(septets.len(), whole.len() * 8 / 7);
            prop_assert_eq!(pack_septets(&septets), whole.to_vec());
        }
    }
}
