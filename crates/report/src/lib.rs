//! Reports of Balai (seed `002_…` §9–10 and *Lampiran I*, seed `003_…`):
//!
//! * the **monthly recap** of an agency in the *Lampiran I* layout,
//! * the **liaison officers' report** of a month,
//! * the **semester report** to the head of region (copy to the Inspectorate),
//! * the secretariat's **recap of problems** for any month or semester, its periodic report to
//!   the head of region through the regional secretary (seed `000_…` §7.c–e),
//!
//! each built from `store::reports` queries into a model (`model`), then rendered as XLSX
//! (`rust_xlsxwriter`), PDF (DejaVu Sans embedded: Typst for the semester and liaison reports,
//! the monthly recap's long table laid out directly with `pdf-writer`) or CSV (UTF-8).
//!
//! Typst is a heavy dependency: only this crate uses it, so its build cost is paid once.

pub mod csv;
pub mod model;
pub mod pdf;
pub mod xlsx;

pub use model::{LiaisonReport, MonthlyRecap, SemesterReport};
use store::reports::Period;
use store::{Access, Db, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(String),
    #[error("render: {0}")]
    Render(String),
}

pub type Result<T, E = ReportError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Monthly,
    Semester,
    Liaison,
    Problems,
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim() {
            "monthly" | "bulanan" => Ok(Kind::Monthly),
            "semester" => Ok(Kind::Semester),
            "liaison" | "penghubung" => Ok(Kind::Liaison),
            "problems" | "masalah" => Ok(Kind::Problems),
            other => Err(format!(
                "jenis laporan {other:?} tidak dikenal (monthly, semester, liaison, problems)"
            )),
        }
    }
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Monthly => "monthly",
            Kind::Semester => "semester",
            Kind::Liaison => "liaison",
            Kind::Problems => "problems",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Pdf,
    Csv,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Ok(Format::Xlsx),
            "pdf" => Ok(Format::Pdf),
            "csv" => Ok(Format::Csv),
            other => Err(format!("format {other:?} tidak dikenal (xlsx, pdf, csv)")),
        }
    }
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Pdf => "pdf",
            Format::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Pdf => "application/pdf",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// A built report, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Monthly(MonthlyRecap),
    Liaison(LiaisonReport),
    Semester(Box<SemesterReport>),
    /// The recap of problems: the semester report's figures for any period, titled and
    /// addressed as the secretariat's periodic report.
    Problems(Box<SemesterReport>),
}

impl Report {
    /// `rekap-DISHUB-2026-10.xlsx`, `semester-semua-2026-S2.pdf`.
    pub fn file_name(&self, format: Format) -> String {
        let safe = |t: &str| -> String {
            t.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect()
        };
        let (kind, scope, period) = match self {
            Report::Monthly(r) => ("rekap", r.agency_code.as_str(), r.period.as_str()),
            Report::Liaison(r) => ("penghubung", r.scope.as_str(), r.period.as_str()),
            Report::Semester(r) => ("semester", r.scope.as_str(), r.period.as_str()),
            Report::Problems(r) => ("rekap-masalah", r.scope.as_str(), r.period.as_str()),
        };
        let scope = safe(scope);
        let scope = if scope.is_empty() {
            "semua".into()
        } else {
            scope
        };
        format!("{kind}-{scope}-{}.{}", safe(period), format.extension())
    }

    /// Lines of the main table: tickets (monthly), officers (liaison), tickets (semester).
    pub fn rows(&self) -> i64 {
        match self {
            Report::Monthly(r) => r.lines.len() as i64,
            Report::Liaison(r) => r.lines.len() as i64,
            Report::Semester(r) | Report::Problems(r) => r.totals.received,
        }
    }

    pub fn render(&self, format: Format) -> Result<Vec<u8>> {
        match (self, format) {
            (Report::Monthly(r), Format::Xlsx) => xlsx::monthly(r),
            (Report::Monthly(r), Format::Pdf) => pdf::monthly(r),
            (Report::Monthly(r), Format::Csv) => Ok(csv::monthly(r).into_bytes()),
            (Report::Liaison(r), Format::Xlsx) => xlsx::liaison(r),
            (Report::Liaison(r), Format::Pdf) => pdf::liaison(r),
            (Report::Liaison(r), Format::Csv) => Ok(csv::liaison(r).into_bytes()),
            (Report::Semester(r) | Report::Problems(r), Format::Xlsx) => xlsx::semester(r),
            (Report::Semester(r) | Report::Problems(r), Format::Pdf) => pdf::semester(r),
            (Report::Semester(_) | Report::Problems(_), Format::Csv) => Err(ReportError::Invalid(
                "laporan ini tersedia sebagai PDF atau XLSX".into(),
            )),
        }
    }
}

/// What to build.
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: Kind,
    /// Agency code; required for the monthly recap.
    pub agency: Option<String>,
    pub period: Period,
}

/// Builds the report for `actor` at `now`; agency-bound roles get only their agency.
pub async fn build(db: &Db, actor: &Access, req: &Request, now: i64) -> Result<Report> {
    let tz = db.region_timezone().await?;
    let region = db.region().await?.name;
    let agency = match req
        .agency
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        Some(code) => Some(db.agency_ref(code).await.map_err(|e| match e {
            StoreError::NotFound => ReportError::Invalid(format!("OPD {code:?} tidak ditemukan")),
            e => e.into(),
        })?),
        None => None,
    };
    if let Some(a) = &agency
        && !actor.sees(Some(domain::AgencyId(a.id)))
    {
        return Err(StoreError::Forbidden.into());
    }
    let (from_ms, to_ms) = req.period.bounds(tz);
    match req.kind {
        Kind::Monthly => {
            let Period::Month { year, month } = req.period else {
                return Err(ReportError::Invalid(
                    "rekapitulasi bulanan memakai periode bulan (TTTT-BB)".into(),
                ));
            };
            let agency = agency.ok_or_else(|| {
                ReportError::Invalid("rekapitulasi bulanan memerlukan OPD (--agency)".into())
            })?;
            let rows = db.recap_rows(actor, agency.id, from_ms, to_ms).await?;
            let head = db.agency_head_name(agency.id).await?;
            let ctx = model::RecapContext {
                region: &region,
                agency_code: &agency.code,
                agency_name: &agency.name,
                year,
                month,
                head_name: head.as_deref(),
                sees_identity: actor.can(
                    domain::Capability::SeeReporterIdentity,
                    Some(domain::AgencyId(agency.id)),
                ),
                now,
                tz,
            };
            Ok(Report::Monthly(model::monthly_recap(&ctx, &rows)))
        }
        Kind::Liaison => {
            let rows = db
                .liaison_stats(actor, agency.as_ref().map(|a| a.id), from_ms, to_ms)
                .await?;
            let scope = scope_label(actor, agency.as_ref(), db).await?;
            Ok(Report::Liaison(model::liaison_report(
                &region,
                &scope,
                &req.period,
                &rows,
                now,
                tz,
            )))
        }
        Kind::Semester => {
            if !matches!(req.period, Period::Semester { .. }) {
                return Err(ReportError::Invalid(
                    "laporan semester memakai periode TTTT-S1 atau TTTT-S2".into(),
                ));
            }
            let data = db
                .semester_data(actor, agency.as_ref().map(|a| a.id), from_ms, to_ms)
                .await?;
            let scope = scope_label(actor, agency.as_ref(), db).await?;
            Ok(Report::Semester(Box::new(model::semester_report(
                &region,
                &scope,
                &req.period,
                &data,
                now,
                tz,
            ))))
        }
        Kind::Problems => {
            let data = db
                .semester_data(actor, agency.as_ref().map(|a| a.id), from_ms, to_ms)
                .await?;
            let scope = scope_label(actor, agency.as_ref(), db).await?;
            let mut report = model::semester_report(&region, &scope, &req.period, &data, now, tz);
            report.title = model::PROBLEMS_TITLE.into();
            report.addressee = model::PROBLEMS_ADDRESSEE.into();
            Ok(Report::Problems(Box::new(report)))
        }
    }
}

/// The agency's name, or what the actor sees as a whole.
async fn scope_label(
    actor: &Access,
    agency: Option<&store::reports::AgencyRef>,
    db: &Db,
) -> Result<String> {
    if let Some(a) = agency {
        return Ok(a.name.clone());
    }
    if actor.visible_agencies().is_none() {
        return Ok("Seluruh OPD".into());
    }
    let user = db.user(actor.user().get()).await?;
    let names = db.agencies().await?;
    Ok(user
        .agency_id
        .and_then(|id| names.iter().find(|a| a.id == id))
        .map(|a| a.name.clone())
        .unwrap_or_else(|| "-".into()))
}
