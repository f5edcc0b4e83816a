use rand::Rng;
use std::fmt;

/// Crockford-like alphabet without I, L, O, U, 0 and 1 so codes survive being read aloud or typed
/// on a phone keypad.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
const LENGTH: usize = 10;

/// Public, unguessable tracking code of a ticket (about 49 bits of entropy).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrackingCode(String);

impl TrackingCode {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let code = (0..LENGTH)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        Self(code)
    }

    /// Accepts what a citizen types: case-insensitive, surrounding spaces and dashes ignored.
    pub fn parse(input: &str) -> Option<Self> {
        let code: String = input
            .trim()
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Register number of a ticket in its agency's book: `DISHUB/2026/000123`.
pub fn register_number(agency_code: &str, year: i32, sequence: i64) -> String {
    format!("{agency_code}/{year}/{sequence:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_parse_back() {
        for _ in 0..1000 {
            let code = TrackingCode::generate();
            assert_eq!(TrackingCode::parse(code.as_str()), Some(code.clone()));
            assert_eq!(
                TrackingCode::parse(&code.as_str().to_lowercase()),
                Some(code)
            );
        }
    }

    #[test]
    fn wrong_codes_are_rejected() {
        assert_eq!(TrackingCode::parse("ABC"), None);
        assert_eq!(TrackingCode::parse("0000000000"), None);
        assert_eq!(TrackingCode::parse("ABCDEFGHJK2"), None);
    }

    #[test]
    fn register_numbers_are_zero_padded() {
        assert_eq!(register_number("DISHUB", 2026, 123), "DISHUB/2026/000123");
    }
}
