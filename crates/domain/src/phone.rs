use std::fmt;

/// A phone number in E.164 form (`+62812…`), or a numeric short code kept as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nomor telepon tidak valid")]
pub struct InvalidPhone;

impl PhoneNumber {
    /// Normalises Indonesian numbers: `0812…`, `62812…`, `+62812…` and `(0812) 345-678` are one
    /// number. Other international numbers must carry a `+`. Numeric short codes (3–6 digits)
    /// are kept as they are.
    pub fn parse(input: &str) -> Result<Self, InvalidPhone> {
        let trimmed = input.trim();
        let has_plus = trimmed.starts_with('+');
        let mut digits = String::with_capacity(trimmed.len());
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '-' | '(' | ')' | '.' => {}
                _ => return Err(InvalidPhone),
            }
        }
        if !has_plus && (3..=6).contains(&digits.len()) {
            return Ok(Self(digits));
        }
        let international = if has_plus {
            digits
        } else if let Some(rest) = digits.strip_prefix('0') {
            format!("62{rest}")
        } else if digits.starts_with("62") {
            digits
        } else {
            return Err(InvalidPhone);
        };
        let valid_length = if let Some(national) = international.strip_prefix("62") {
            // Indonesian mobile and fixed numbers: 7 to 12 national digits, no trunk zero.
            (7..=12).contains(&national.len()) && !national.starts_with('0')
        } else {
            (8..=15).contains(&international.len()) && !international.starts_with('0')
        };
        if !valid_length {
            return Err(InvalidPhone);
        }
        Ok(Self(format!("+{international}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_short_code(&self) -> bool {
        !self.0.starts_with('+')
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_forms_are_one_number() {
        for input in [
            "081234567890",
            "6281234567890",
            "+6281234567890",
            "0812-3456-7890",
            "(0812) 3456 7890",
        ] {
            assert_eq!(
                PhoneNumber::parse(input).unwrap().as_str(),
                "+6281234567890",
                "{input}"
            );
        }
    }

    #[test]
    fn short_codes_are_kept() {
        let code = PhoneNumber::parse("1708").unwrap();
        assert_eq!(code.as_str(), "1708");
        assert!(code.is_short_code());
    }

    #[test]
    fn rubbish_is_rejected() {
        for input in [
            "",
            "abc",
            "08",
            "0812abc",
            "+0812345678",
            "00000000000000000000",
            "12345678",
        ] {
            assert!(PhoneNumber::parse(input).is_err(), "{input}");
        }
    }

    #[test]
    fn foreign_numbers_need_plus() {
        assert_eq!(
            PhoneNumber::parse("+60 12 345 6789").unwrap().as_str(),
            "+60123456789"
        );
    }
}
