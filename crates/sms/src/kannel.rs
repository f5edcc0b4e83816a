//! Kannel (bearerbox + smsbox): MO by `get-url` to `/gateway/kannel/mo`, MT through
//! `/cgi-bin/sendsms`, delivery reports by `dlr-url` to `/gateway/kannel/dlr`.

use crate::config::GatewayConfig;
use crate::sender::{SendError, Sent};
use crate::sink::OutboundSms;
use domain::sms::{Encoding, encoding};
use std::collections::HashMap;

/// Query parameters as raw bytes: Kannel's `%b` carries the message's exact bytes, which need
/// not be UTF-8 (UCS-2 messages arrive as UTF-16BE).
pub fn raw_params(query: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut params = HashMap::new();
    for pair in query.split(|b| *b == b'&') {
        if pair.is_empty() {
            continue;
        }
        let (key, value) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        params.insert(
            String::from_utf8_lossy(&percent_decode(key)).into_owned(),
            percent_decode(value),
        );
    }
    params
}

fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// An MO message as Kannel reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KannelMo {
    pub id: String,
    pub from: String,
    pub to: String,
    pub text: String,
    pub coding: String,
    pub smsc: String,
}

/// Decodes the text by Kannel's `coding` (%c: 0 = 7-bit, 1 = 8-bit, 2 = UCS-2) and `charset` (%C).
pub fn decode_text(bytes: &[u8], coding: &str, charset: &str) -> String {
    let charset = charset.to_ascii_uppercase();
    if coding == "2" || charset.starts_with("UTF-16") || charset.starts_with("UCS-2") {
        return encoding::decode_ucs2(bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding::decode_latin1(bytes),
    }
}

/// Reads an MO request's parameters; the error names what is missing.
pub fn parse_mo(params: &HashMap<String, Vec<u8>>) -> Result<KannelMo, String> {
    let text_param = |key: &str| {
        params
            .get(key)
            .map(|v| String::from_utf8_lossy(v).trim().to_string())
    };
    let id = text_param("id")
        .filter(|v| !v.is_empty())
        .ok_or("parameter `id` (%I) is required")?;
    let from = text_param("from")
        .filter(|v| !v.is_empty())
        .ok_or("parameter `from` (%p) is required")?;
    let coding = text_param("coding").unwrap_or_default();
    let charset = text_param("charset").unwrap_or_default();
    let bytes = params
        .get("text")
        .ok_or("parameter `text` (%b) is required")?;
    Ok(KannelMo {
        id,
        from,
        to: text_param("to").unwrap_or_default(),
        text: decode_text(bytes, &coding, &charset),
        coding: if coding.is_empty() {
            "0".into()
        } else {
            coding
        },
        smsc: text_param("smsc").unwrap_or_default(),
    })
}

/// Kannel's DLR `%d`: 1 delivered, 2 failed, 16 rejected by the SMSC are final; 4 (buffered)
/// and 8 (accepted by the SMSC) are not.
pub fn dlr_outcome(status: &str) -> Option<bool> {
    match status.trim() {
        "1" => Some(true),
        "2" | "16" => Some(false),
        _ => None,
    }
}

/// Hands one message to Kannel's sendsms interface.
pub async fn send(
    http: &reqwest::Client,
    gateway: &GatewayConfig,
    message: &OutboundSms,
) -> Result<Sent, SendError> {
    let url = gateway.sendsms_url.as_deref().unwrap_or_default();
    let dlr_url = format!(
        "{}/gateway/kannel/dlr?gateway={}&ref={}&status=%d&answer=%A&token={}",
        gateway
            .dlr_base_url
            .as_deref()
            .unwrap_or_default()
            .trim_end_matches('/'),
        gateway.name,
        message.id,
        gateway.token.as_deref().unwrap_or_default()
    );
    let coding = if Encoding::detect(&message.body) == Encoding::Gsm7 {
        "0"
    } else {
        "2"
    };
    let mut query: Vec<(&str, String)> = vec![
        ("username", gateway.username.clone().unwrap_or_default()),
        ("password", gateway.password.clone().unwrap_or_default()),
        ("to", message.recipient.clone()),
        ("text", message.body.clone()),
        ("charset", "UTF-8".into()),
        ("coding", coding.into()),
        ("dlr-mask", "31".into()),
        ("dlr-url", dlr_url),
    ];
    if let Some(from) = &gateway.source_addr {
        query.push(("from", from.clone()));
    }
    if let Some(smsc) = &gateway.smsc {
        query.push(("smsc", smsc.clone()));
    }
    let response = http
        .get(url)
        .query(&query)
        .send()
        .await
        .map_err(|e| SendError::Unavailable(format!("Kannel tidak terjangkau: {e}")))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    match status.as_u16() {
        200..=299 => Ok(Sent { reference: None }),
        400..=402 | 404..=499 if !body.contains("Authorization") => Err(SendError::Rejected(
            format!("Kannel {status}: {}", body.trim()),
        )),
        _ => Err(SendError::Unavailable(format!(
            "Kannel {status}: {}",
            body.trim()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_params_keep_bytes() {
        let params =
            raw_params(b"from=%2B6281234567890&text=%00D%00I%00S&coding=2&id=abc-1&empty=");
        assert_eq!(params["from"], b"+6281234567890");
        assert_eq!(params["text"], [0, b'D', 0, b'I', 0, b'S']);
        assert_eq!(params["empty"], b"");
        let mo = parse_mo(&params).unwrap();
        assert_eq!(mo.text, "DIS");
        assert_eq!(mo.id, "abc-1");
    }

    #[test]
    fn text_is_exact_including_spaces_and_plus() {
        let params = raw_params(
            b"from=0812&id=1&text=DISHUB++lampu+mati%21+%F0%9F%99%8F&coding=0&charset=UTF-8",
        );
        assert_eq!(parse_mo(&params).unwrap().text, "DISHUB  lampu mati! 🙏");
    }

    #[test]
    fn latin1_falls_back() {
        let params = raw_params(b"from=0812&id=1&text=caf%E9");
        assert_eq!(parse_mo(&params).unwrap().text, "café");
    }

    #[test]
    fn missing_fields_are_named() {
        assert!(
            parse_mo(&raw_params(b"from=1&text=x"))
                .unwrap_err()
                .contains("id")
        );
        assert!(
            parse_mo(&raw_params(b"id=1&text=x"))
                .unwrap_err()
                .contains("from")
        );
        assert!(
            parse_mo(&raw_params(b"id=1&from=1"))
                .unwrap_err()
                .contains("text")
        );
    }

    #[test]
    fn bad_percent_sequences_are_kept() {
        assert_eq!(percent_decode(b"100%"), b"100%");
        assert_eq!(percent_decode(b"%zz%4"), b"%zz%4");
    }

    #[test]
    fn dlr_codes() {
        assert_eq!(dlr_outcome("1"), Some(true));
        assert_eq!(dlr_outcome("2"), Some(false));
        assert_eq!(dlr_outcome("16"), Some(false));
        assert_eq!(dlr_outcome("8"), None);
    }
}
