use crate::phone::PhoneNumber;
use serde::{Deserialize, Serialize};

pub const MAX_TEXT_CHARS: usize = 5_000;
pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_ADDRESS_CHARS: usize = 500;

/// What a citizen submits, as received from the web form, the app or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeInput {
    pub category: Option<String>,
    pub text: Option<String>,
    pub agency_code: Option<String>,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_email: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    #[serde(rename = "long")]
    pub long: Option<f64>,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub confidential: bool,
}

/// A validated submission. `text` is kept exactly as the citizen wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidIntake {
    pub category: String,
    pub text: String,
    pub agency_code: Option<String>,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<PhoneNumber>,
    pub reporter_email: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub anonymous: bool,
    pub confidential: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

fn non_blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A deliberately permissive check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

impl IntakeInput {
    /// Validates every field and reports every problem at once.
    pub fn validate(
        &self,
        known_category: impl Fn(&str) -> bool,
        known_agency: impl Fn(&str) -> bool,
    ) -> Result<ValidIntake, Vec<FieldError>> {
        let mut errors = Vec::new();

        let category = match non_blank(&self.category) {
            None => {
                errors.push(err("category", "kategori wajib diisi"));
                String::new()
            }
            Some(c) if !known_category(c) => {
                errors.push(err("category", format!("kategori tidak dikenal: {c}")));
                String::new()
            }
            Some(c) => c.to_string(),
        };

        let text = self.text.clone().unwrap_or_default();
        if text.trim().is_empty() {
            errors.push(err("text", "isi aduan wajib diisi"));
        } else if text.chars().count() > MAX_TEXT_CHARS {
            errors.push(err(
                "text",
                format!("isi aduan paling banyak {MAX_TEXT_CHARS} karakter"),
            ));
        }

        let agency_code = non_blank(&self.agency_code).map(str::to_string);
        if let Some(code) = &agency_code
            && !known_agency(code)
        {
            errors.push(err("agency_code", format!("OPD tidak dikenal: {code}")));
        }

        let reporter_name = non_blank(&self.reporter_name).map(str::to_string);
        if reporter_name
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NAME_CHARS)
        {
            errors.push(err(
                "reporter_name",
                format!("nama paling banyak {MAX_NAME_CHARS} karakter"),
            ));
        }

        let reporter_phone = match non_blank(&self.reporter_phone) {
            None => None,
            Some(p) => match PhoneNumber::parse(p) {
                Ok(phone) if !phone.is_short_code() => Some(phone),
                _ => {
                    errors.push(err(
                        "reporter_phone",
                        "nomor telepon tidak valid (contoh: 081234567890)",
                    ));
                    None
                }
            },
        };

        let reporter_email = non_blank(&self.reporter_email).map(str::to_string);
        if reporter_email
            .as_deref()
            .is_some_and(|e| !is_plausible_email(e))
        {
            errors.push(err("reporter_email", "alamat email tidak valid"));
        }

        let address = non_blank(&self.address).map(str::to_string);
        if address
            .as_ref()
            .is_some_and(|a| a.chars().count() > MAX_ADDRESS_CHARS)
        {
            errors.push(err(
                "address",
                format!("alamat paling banyak {MAX_ADDRESS_CHARS} karakter"),
            ));
        }

        match (self.lat, self.long) {
            (Some(lat), _) if !(-90.0..=90.0).contains(&lat) || !lat.is_finite() => {
                errors.push(err("lat", "lintang harus antara -90 dan 90"));
            }
            (_, Some(long)) if !(-180.0..=180.0).contains(&long) || !long.is_finite() => {
                errors.push(err("long", "bujur harus antara -180 dan 180"));
            }
            (Some(_), None) => errors.push(err("long", "bujur wajib diisi bersama lintang")),
            (None, Some(_)) => errors.push(err("lat", "lintang wajib diisi bersama bujur")),
            _ => {}
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidIntake {
            category,
            text,
            agency_code,
            reporter_name,
            reporter_phone,
            reporter_email,
            address,
            lat: self.lat,
            long: self.long,
            anonymous: self.anonymous,
            confidential: self.confidential,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(input: &IntakeInput) -> Result<ValidIntake, Vec<FieldError>> {
        input.validate(|c| c == "pengaduan", |a| a == "DISHUB")
    }

    fn fields(errors: Vec<FieldError>) -> Vec<&'static str> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn valid_submission_keeps_text_exactly() {
        let input = IntakeInput {
            category: Some("pengaduan".into()),
            text: Some("  Jalan rusak di  Jl. Merdeka  \n".into()),
            reporter_phone: Some("0812 3456 7890".into()),
            agency_code: Some("DISHUB".into()),
            lat: Some(-6.2),
            long: Some(106.8),
            ..Default::default()
        };
        let valid = validate(&input).unwrap();
        assert_eq!(valid.text, "  Jalan rusak di  Jl. Merdeka  \n");
        assert_eq!(valid.reporter_phone.unwrap().as_str(), "+6281234567890");
    }

    #[test]
    fn every_bad_field_is_named() {
        let input = IntakeInput {
            category: Some("keluhan".into()),
            text: Some("   ".into()),
            agency_code: Some("NOPE".into()),
            reporter_phone: Some("12".into()),
            reporter_email: Some("a@b".into()),
            lat: Some(91.0),
            long: Some(0.0),
            ..Default::default()
        };
        assert_eq!(
            fields(validate(&input).unwrap_err()),
            [
                "category",
                "text",
                "agency_code",
                "reporter_phone",
                "reporter_email",
                "lat"
            ]
        );
    }

    #[test]
    fn text_over_limit_is_rejected() {
        let input = IntakeInput {
            category: Some("pengaduan".into()),
            text: Some("a".repeat(MAX_TEXT_CHARS + 1)),
            ..Default::default()
        };
        assert_eq!(fields(validate(&input).unwrap_err()), ["text"]);
        let ok = IntakeInput {
            text: Some("é".repeat(MAX_TEXT_CHARS)),
            ..input
        };
        assert!(validate(&ok).is_ok());
    }

    #[test]
    fn emails() {
        assert!(is_plausible_email("warga@contoh.go.id"));
        for bad in ["", "a", "a@b", "@b.id", "a b@c.id", "a@.id", "a@b.id."] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }
}
