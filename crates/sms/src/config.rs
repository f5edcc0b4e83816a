use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GatewayKind {
    Kannel,
    Smpp,
    Android,
    Gammu,
    Dev,
}

/// One `[[gateway]]` table of `balai.toml`. Keys not used by the kind are rejected by
/// `validate`, so a typo never passes silently.
#[derive(Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    pub name: String,
    pub kind: Option<GatewayKind>,
    #[serde(default)]
    pub default: bool,
    /// kannel: `http://127.0.0.1:13013/cgi-bin/sendsms`
    pub sendsms_url: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Secret the gateway presents on inbound webhooks (`token=` / header).
    pub token: Option<String>,
    /// kannel: base URL Kannel uses to call back with delivery reports, e.g. `http://balai:8080`.
    pub dlr_base_url: Option<String>,
    /// kannel: `smsc` id to route through.
    pub smsc: Option<String>,
    /// Sender id or number put in `from`.
    pub source_addr: Option<String>,
    // smpp
    pub host: Option<String>,
    pub port: Option<u16>,
    pub system_id: Option<String>,
    pub system_type: Option<String>,
    pub window: Option<usize>,
    pub throughput_per_sec: Option<u32>,
    /// gammu: gammu-smsd's SQL database, `sqlite:///var/lib/gammu/smsd.db` or
    /// `postgres://user:password@host/smsd`.
    pub database_url: Option<String>,
    /// gammu: how often the inbox and sent items are read, in milliseconds (default 2000).
    pub poll_interval_ms: Option<u64>,
}

impl std::fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayConfig")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("default", &self.default)
            .field("sendsms_url", &self.sendsms_url)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("dlr_base_url", &self.dlr_base_url)
            .field("host", &self.host)
            .field("port", &self.port)
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url_password),
            )
            .field("poll_interval_ms", &self.poll_interval_ms)
            .finish_non_exhaustive()
    }
}

impl GatewayConfig {
    pub fn kind(&self) -> GatewayKind {
        self.kind.unwrap_or(GatewayKind::Dev)
    }

    /// Checks the keys the kind needs; the message names the gateway and the key.
    pub fn validate(&self) -> Result<(), String> {
        let name = &self.name;
        if name.trim().is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "gateway name {name:?} must be letters, digits, - or _"
            ));
        }
        let Some(kind) = self.kind else {
            return Err(format!(
                "gateway {name}: `kind` is required (kannel, smpp, android, gammu or dev)"
            ));
        };
        let need = |value: &Option<String>, key: &str| -> Result<(), String> {
            match value.as_deref().map(str::trim) {
                Some(v) if !v.is_empty() => Ok(()),
                _ => Err(format!(
                    "gateway {name}: `{key}` is required for kind {kind:?}"
                )),
            }
        };
        match kind {
            GatewayKind::Kannel => {
                need(&self.sendsms_url, "sendsms_url")?;
                need(&self.username, "username")?;
                need(&self.password, "password")?;
                need(&self.token, "token")?;
                need(&self.dlr_base_url, "dlr_base_url")?;
            }
            GatewayKind::Smpp => {
                need(&self.host, "host")?;
                need(&self.system_id, "system_id")?;
                need(&self.password, "password")?;
                if self.port.is_none() {
                    return Err(format!("gateway {name}: `port` is required for kind smpp"));
                }
            }
            GatewayKind::Android => {
                need(&self.sendsms_url, "sendsms_url")?;
                need(&self.username, "username")?;
                need(&self.password, "password")?;
                need(&self.token, "token")?;
            }
            GatewayKind::Gammu => {
                need(&self.database_url, "database_url")?;
                let url = self.database_url.as_deref().unwrap_or_default().trim();
                if !["sqlite:", "postgres://", "postgresql://"]
                    .iter()
                    .any(|scheme| url.starts_with(scheme))
                {
                    return Err(format!(
                        "gateway {name}: `database_url` must be sqlite://PATH or postgres://…"
                    ));
                }
                if self.poll_interval_ms == Some(0) {
                    return Err(format!(
                        "gateway {name}: `poll_interval_ms` must be more than 0"
                    ));
                }
            }
            GatewayKind::Dev => {}
        }
        if let Some(token) = &self.token
            && token.len() < 16
        {
            return Err(format!(
                "gateway {name}: `token` must be at least 16 characters"
            ));
        }
        Ok(())
    }

    /// Constant-time comparison of a presented webhook token with the configured one.
    pub fn token_matches(&self, presented: &str) -> bool {
        let Some(expected) = &self.token else {
            return false;
        };
        let (a, b) = (expected.as_bytes(), presented.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// `scheme://user:secret@host` → `scheme://user:<redacted>@host`, for logs.
fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:<redacted>@{host}")
        }
        _ => url.to_string(),
    }
}

/// Checks a whole `[[gateway]]` list: names unique, at most one default.
pub fn validate_all(gateways: &[GatewayConfig]) -> Result<(), String> {
    for (i, g) in gateways.iter().enumerate() {
        g.validate()?;
        if gateways[..i].iter().any(|other| other.name == g.name) {
            return Err(format!("gateway name {} is used twice", g.name));
        }
    }
    if gateways.iter().filter(|g| g.default).count() > 1 {
        return Err("only one gateway may have `default = true`".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kannel() -> GatewayConfig {
        GatewayConfig {
            name: "kannel".into(),
            kind: Some(GatewayKind::Kannel),
            sendsms_url: Some("http://127.0.0.1:13013/cgi-bin/sendsms".into()),
            username: Some("balai".into()),
            password: Some("rahasia".into()),
            token: Some("0123456789abcdef".into()),
            dlr_base_url: Some("http://127.0.0.1:8080".into()),
            ..Default::default()
        }
    }

    #[test]
    fn kannel_needs_its_keys() {
        assert!(kannel().validate().is_ok());
        let missing = GatewayConfig {
            dlr_base_url: None,
            ..kannel()
        };
        assert!(missing.validate().unwrap_err().contains("dlr_base_url"));
        let short = GatewayConfig {
            token: Some("short".into()),
            ..kannel()
        };
        assert!(short.validate().unwrap_err().contains("token"));
    }

    #[test]
    fn gammu_needs_its_database() {
        let gammu = GatewayConfig {
            name: "modem".into(),
            kind: Some(GatewayKind::Gammu),
            database_url: Some("sqlite:///var/lib/gammu/smsd.db".into()),
            ..Default::default()
        };
        assert!(gammu.validate().is_ok());
        let pg = GatewayConfig {
            database_url: Some("postgres://smsd:rahasia@127.0.0.1/smsd".into()),
            poll_interval_ms: Some(500),
            ..gammu.clone()
        };
        assert!(pg.validate().is_ok());
        assert!(!format!("{pg:?}").contains("rahasia"));
        let missing = GatewayConfig {
            database_url: None,
            ..gammu.clone()
        };
        assert!(missing.validate().unwrap_err().contains("database_url"));
        let mysql = GatewayConfig {
            database_url: Some("mysql://localhost/smsd".into()),
            ..gammu.clone()
        };
        assert!(mysql.validate().unwrap_err().contains("database_url"));
        let zero = GatewayConfig {
            poll_interval_ms: Some(0),
            ..gammu
        };
        assert!(zero.validate().unwrap_err().contains("poll_interval_ms"));
    }

    #[test]
    fn gammu_keys_parse_and_typos_do_not() {
        let ok: GatewayConfig = serde_json::from_str(
            r#"{"name":"modem","kind":"gammu","database_url":"sqlite:///tmp/smsd.db","poll_interval_ms":1000}"#,
        )
        .unwrap();
        assert_eq!(ok.poll_interval_ms, Some(1000));
        assert!(ok.validate().is_ok());
        let typo = serde_json::from_str::<GatewayConfig>(
            r#"{"name":"modem","kind":"gammu","database_uri":"sqlite:///tmp/smsd.db"}"#,
        );
        assert!(typo.unwrap_err().to_string().contains("database_uri"));
    }

    #[test]
    fn tokens_compare_exactly() {
        let g = kannel();
        assert!(g.token_matches("0123456789abcdef"));
        assert!(!g.token_matches("0123456789abcdeF"));
        assert!(!g.token_matches(""));
    }

    #[test]
    fn names_are_unique_and_one_default() {
        let a = GatewayConfig {
            default: true,
            ..kannel()
        };
        assert!(
            validate_all(&[
                a.clone(),
                GatewayConfig {
                    name: "dev".into(),
                    kind: Some(GatewayKind::Dev),
                    ..Default::default()
                }
            ])
            .is_ok()
        );
        assert!(
            validate_all(&[a.clone(), a.clone()])
                .unwrap_err()
                .contains("twice")
        );
    }
}
