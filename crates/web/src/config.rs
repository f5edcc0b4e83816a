use serde::{Deserialize, Serialize};

/// Settings of the web layer; defaults suit a single small server.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Base URL citizens see (used in emails), e.g. `https://lapor.contoh.go.id`.
    pub public_url: String,
    pub session_ttl_hours: i64,
    pub token_ttl_hours: i64,
    /// Mark cookies `Secure`; turn on behind HTTPS.
    pub secure_cookies: bool,
    /// Login attempts per minute per client address.
    pub login_per_minute: u32,
    /// Tracking lookups (`/lacak/{code}`, `/api/v1/track/{code}`) per minute per client address.
    pub track_per_minute: u32,
    /// Reverse proxies (CIDRs) whose `X-Forwarded-For` / `Forwarded` name the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Client addresses (CIDRs) that may read `/metrics` without a token.
    pub metrics_allow: Vec<ipnet::IpNet>,
    /// Bearer token that opens `/metrics` from anywhere; none by default.
    pub metrics_token: Option<String>,
    /// Seconds a client has to send a request's headers (also how long an idle connection stays).
    pub header_read_timeout_secs: u64,
    /// Seconds a request (body included) may take before it is answered 408.
    pub request_timeout_secs: u64,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// Public submissions per minute per client address; 0 switches the limit off.
    pub intake_per_minute: u32,
    pub max_body_bytes: usize,
    /// Map tiles for the dashboard map (Leaflet URL template with `{z}`, `{x}`, `{y}`).
    pub map_tile_url: String,
    /// Attribution shown on the map, as the tile provider requires.
    pub map_attribution: String,
    /// The simulated handset (`/simulasi-sms`) and the `dev` gateway kind. Set only by
    /// `balai demo`, never from a configuration file: the handset shows any number's SMS.
    #[serde(skip)]
    pub simulator: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            session_ttl_hours: 12,
            token_ttl_hours: 24,
            secure_cookies: false,
            login_per_minute: 10,
            track_per_minute: 60,
            trusted_proxies: Vec::new(),
            metrics_allow: vec![
                ipnet::IpNet::from(std::net::IpAddr::from([127, 0, 0, 1])),
                ipnet::IpNet::from(std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
            ],
            metrics_token: None,
            header_read_timeout_secs: 10,
            request_timeout_secs: 60,
            max_connections: 1024,
            intake_per_minute: 30,
            max_body_bytes: 256 * 1024,
            map_tile_url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            map_attribution: "© OpenStreetMap contributors".into(),
            simulator: false,
        }
    }
}

impl WebConfig {
    /// Cookies are `Secure` when configured so or when the public address is HTTPS.
    pub fn cookies_secure(&self) -> bool {
        self.secure_cookies
            || self
                .public_url
                .trim()
                .to_ascii_lowercase()
                .starts_with("https://")
    }
}

/// SMTP server for answers by email. Without it, email stays pending in the outbox.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    pub from: String,
    /// `none`, `starttls` or `tls`.
    #[serde(default = "default_tls")]
    pub tls: String,
}

fn default_smtp_port() -> u16 {
    25
}

fn default_tls() -> String {
    "none".into()
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .field("tls", &self.tls)
            .finish()
    }
}

impl SmtpConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !["none", "starttls", "tls"].contains(&self.tls.as_str()) {
            return Err(format!(
                "smtp.tls must be none, starttls or tls (got {:?})",
                self.tls
            ));
        }
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!(
                "smtp.from is not an email address: {:?}",
                self.from
            ));
        }
        Ok(())
    }
}
