use crate::config::{SmtpConfig, WebConfig};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};
use store::Db;

/// Agency codes and categories accepted at intake, cached briefly: intake is the hot path.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub categories: Vec<store::org::Category>,
    pub agencies: Vec<store::org::Agency>,
}

impl Catalog {
    pub fn accepts_category(&self, code: &str) -> bool {
        self.categories.iter().any(|c| c.active && c.code == code)
    }

    pub fn accepts_agency(&self, code: &str) -> bool {
        self.agencies
            .iter()
            .any(|a| a.active && a.kind.takes_intake() && a.code == code)
    }

    pub fn intake_agencies(&self) -> impl Iterator<Item = &store::org::Agency> {
        self.agencies
            .iter()
            .filter(|a| a.active && a.kind.takes_intake())
    }
}

const CATALOG_TTL: Duration = Duration::from_secs(5);
/// Another node's change of the region's time zone is seen within this.
const REGION_TZ_TTL: Duration = Duration::from_secs(30);
const PUBLIC_STATS_TTL: Duration = Duration::from_secs(300);

struct Inner {
    db: app::App,
    config: WebConfig,
    smtp: Option<SmtpConfig>,
    gateways: Arc<sms::LiveGateways>,
    sms_rules: store::sms::SmsRules,
    sms_sink: sms::Sink,
    sms_intake: OnceLock<app::SmsIntake>,
    login_limiter: DefaultKeyedRateLimiter<IpAddr>,
    intake_limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    track_limiter: DefaultKeyedRateLimiter<IpAddr>,
    catalog: RwLock<Option<(Instant, Arc<Catalog>)>>,
    region_tz: RwLock<Option<(Instant, chrono_tz::Tz)>>,
    /// `/statistik` aggregates every ticket: computed by one request at a time, then reused.
    public_stats: tokio::sync::Mutex<Option<(Instant, Arc<store::publication::PublicStats>)>>,
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

/// The process-wide Prometheus recorder (installed once, shared by every server in a process).
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

impl AppState {
    pub fn new(db: Db, config: WebConfig, smtp: Option<SmtpConfig>) -> Self {
        let no_gateways = Arc::new(sms::Gateways::none());
        Self::with_sms(
            db,
            config,
            smtp,
            no_gateways,
            store::sms::SmsRules::default(),
        )
    }

    /// State with a fixed set of SMS gateways and the rules of SMS intake.
    pub fn with_sms(
        db: Db,
        config: WebConfig,
        smtp: Option<SmtpConfig>,
        gateways: Arc<sms::Gateways>,
        sms_rules: store::sms::SmsRules,
    ) -> Self {
        let live = sms::LiveGateways::fixed(gateways);
        Self::with_live_gateways(db, config, smtp, live, sms_rules)
    }

    /// State whose SMS gateways the admin may change while it runs.
    pub fn with_live_gateways(
        db: Db,
        config: WebConfig,
        smtp: Option<SmtpConfig>,
        gateways: Arc<sms::LiveGateways>,
        sms_rules: store::sms::SmsRules,
    ) -> Self {
        prometheus();
        let intake_limiter = (config.intake_per_minute > 0)
            .then(|| RateLimiter::keyed(per_minute(config.intake_per_minute)));
        Self(Arc::new(Inner {
            login_limiter: RateLimiter::keyed(per_minute(config.login_per_minute)),
            intake_limiter,
            track_limiter: RateLimiter::keyed(per_minute(config.track_per_minute)),
            db: app::App::new(db.clone()).with_public_url(&config.public_url),
            config,
            smtp,
            gateways,
            sms_sink: crate::sms_sink::StoreSink::shared(db.clone(), sms_rules.clone()),
            sms_rules,
            sms_intake: OnceLock::new(),
            catalog: RwLock::new(None),
            region_tz: RwLock::new(None),
            public_stats: tokio::sync::Mutex::new(None),
        }))
    }

    /// The gateways in force now.
    pub fn gateways(&self) -> Arc<sms::Gateways> {
        self.0.gateways.current()
    }

    pub fn live_gateways(&self) -> &sms::LiveGateways {
        &self.0.gateways
    }

    /// Where the gateways put what they receive and learn (the database).
    pub fn sms_sink(&self) -> &sms::Sink {
        &self.0.sms_sink
    }

    pub fn sms_rules(&self) -> &store::sms::SmsRules {
        &self.0.sms_rules
    }

    /// Inbound SMS go through here: committed in batches under load (group commit). Started on
    /// first use, inside the server's runtime.
    pub fn sms_intake(&self) -> &app::SmsIntake {
        self.0
            .sms_intake
            .get_or_init(|| app::SmsIntake::start(self.0.db.clone(), self.0.sms_rules.clone()))
    }

    /// The application layer (commands); reads reach the store through it.
    pub fn db(&self) -> &app::App {
        &self.0.db
    }

    pub fn config(&self) -> &WebConfig {
        &self.0.config
    }

    pub fn smtp(&self) -> Option<&SmtpConfig> {
        self.0.smtp.as_ref()
    }

    pub fn login_allowed(&self, ip: IpAddr) -> bool {
        self.0.login_limiter.check_key(&ip).is_ok()
    }

    pub fn track_allowed(&self, ip: IpAddr) -> bool {
        self.0.track_limiter.check_key(&ip).is_ok()
    }

    pub fn intake_allowed(&self, ip: IpAddr) -> bool {
        self.0
            .intake_limiter
            .as_ref()
            .is_none_or(|l| l.check_key(&ip).is_ok())
    }

    pub async fn catalog(&self) -> Result<Arc<Catalog>, store::StoreError> {
        if let Ok(guard) = self.0.catalog.read()
            && let Some((at, catalog)) = guard.as_ref()
            && at.elapsed() < CATALOG_TTL
        {
            return Ok(catalog.clone());
        }
        let catalog = Arc::new(Catalog {
            categories: self.db().categories().await?,
            agencies: self.db().agencies().await?,
        });
        if let Ok(mut guard) = self.0.catalog.write() {
            *guard = Some((Instant::now(), catalog.clone()));
        }
        Ok(catalog)
    }

    /// The region's time zone (dates in forms, queries and pages are local to it), cached for
    /// `REGION_TZ_TTL`; Asia/Jakarta when the region has none or it cannot be read.
    pub async fn region_tz(&self) -> chrono_tz::Tz {
        if let Ok(guard) = self.0.region_tz.read()
            && let Some((at, tz)) = guard.as_ref()
            && at.elapsed() < REGION_TZ_TTL
        {
            return *tz;
        }
        let Ok(region) = self.db().region().await else {
            return chrono_tz::Asia::Jakarta;
        };
        let tz = region.timezone.parse().unwrap_or(chrono_tz::Asia::Jakarta);
        if let Ok(mut guard) = self.0.region_tz.write() {
            *guard = Some((Instant::now(), tz));
        }
        tz
    }

    /// Called after the admin changes agencies or categories.
    pub fn invalidate_catalog(&self) {
        if let Ok(mut guard) = self.0.catalog.write() {
            *guard = None;
        }
    }

    /// Called after the admin changes the region's settings.
    pub fn invalidate_region(&self) {
        if let Ok(mut guard) = self.0.region_tz.write() {
            *guard = None;
        }
    }

    /// The public statistics of the last 12 months, recomputed at most every
    /// `PUBLIC_STATS_TTL`; concurrent requests wait for one computation.
    pub async fn public_stats(
        &self,
    ) -> Result<Arc<store::publication::PublicStats>, store::StoreError> {
        let mut guard = self.0.public_stats.lock().await;
        if let Some((at, stats)) = guard.as_ref()
            && at.elapsed() < PUBLIC_STATS_TTL
        {
            return Ok(stats.clone());
        }
        let stats = Arc::new(self.db().public_stats(store::now_ms(), 12).await?);
        *guard = Some((Instant::now(), stats.clone()));
        Ok(stats)
    }
}
