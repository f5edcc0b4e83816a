//! Published cases (SMS §12.9): the list with search and filters, one case, the Atom feed.

use crate::error::{ApiError, PageError};
use crate::public::Choice;
use crate::staff::urlencode;
use crate::state::AppState;
use crate::view::{format_time, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::TimeZone;
use serde::Deserialize;
use store::publication::{CaseFilter, PublishedCase, valid_month};

/// The query of the list, the feed and the API (`q`, `agency`, `category`, `month`, `page`).
#[derive(Debug, Default, Deserialize, Clone, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Words that must all occur in the question or the answer.
    pub q: Option<String>,
    /// Agency code, e.g. `DISHUB`.
    pub agency: Option<String>,
    /// Category code, e.g. `pengaduan`.
    pub category: Option<String>,
    /// Month of receipt, `YYYY-MM` (region time zone).
    pub month: Option<String>,
    /// Page number from 1 (20 cases per page, at most 500 pages).
    pub page: Option<String>,
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl CaseQuery {
    pub fn to_filter(&self) -> Result<CaseFilter, ApiError> {
        let page = match trimmed(&self.page) {
            None => 1,
            Some(p) => match p.parse::<i64>() {
                Ok(n) if (1..=store::publication::MAX_PAGE).contains(&n) => n,
                _ => {
                    return Err(ApiError::BadRequest(format!(
                        "halaman harus berupa angka 1–{}",
                        store::publication::MAX_PAGE
                    )));
                }
            },
        };
        let month = trimmed(&self.month);
        if let Some(m) = &month
            && !valid_month(m)
        {
            return Err(ApiError::BadRequest(
                "bulan harus berbentuk TTTT-BB, mis. 2026-03".into(),
            ));
        }
        let q = trimmed(&self.q);
        if q.as_deref().is_some_and(|q| q.chars().count() > 200) {
            return Err(ApiError::BadRequest(
                "kata kunci pencarian paling banyak 200 karakter".into(),
            ));
        }
        Ok(CaseFilter {
            q,
            agency_code: trimmed(&self.agency),
            category: trimmed(&self.category),
            month,
            page,
            include_withheld: false,
        })
    }

    /// The query string of this filter at another page.
    pub fn link(&self, page: i64) -> String {
        let mut parts = Vec::new();
        for (key, value) in [
            ("q", &self.q),
            ("agency", &self.agency),
            ("category", &self.category),
            ("month", &self.month),
        ] {
            if let Some(v) = trimmed(value) {
                parts.push(format!("{key}={}", urlencode(&v)));
            }
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// "3 hari 4 jam", "2 jam 5 menit", "12 menit".
pub fn format_duration(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if days > 0 {
        if hours > 0 {
            format!("{days} hari {hours} jam")
        } else {
            format!("{days} hari")
        }
    } else if hours > 0 {
        if mins > 0 {
            format!("{hours} jam {mins} menit")
        } else {
            format!("{hours} jam")
        }
    } else {
        format!("{mins} menit")
    }
}

fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

pub struct CaseRow {
    pub id: i64,
    pub agency: String,
    pub category: String,
    pub received: String,
    pub answered: String,
    pub duration: String,
    pub on_time: Option<bool>,
    pub question: String,
    pub answer: String,
    pub reporter: String,
    pub withheld: bool,
}

impl CaseRow {
    pub fn of(c: &PublishedCase, tz: chrono_tz::Tz, short: bool) -> CaseRow {
        let (q, a) = if short {
            (excerpt(&c.question, 220), excerpt(&c.answer, 160))
        } else {
            (c.question.clone(), c.answer.clone())
        };
        CaseRow {
            id: c.id,
            agency: c
                .agency_name
                .clone()
                .unwrap_or_else(|| "Sekretariat".into()),
            category: c
                .category_name
                .clone()
                .unwrap_or_else(|| c.category.clone()),
            received: format_time(c.received_at, tz),
            answered: format_time(c.answered_at, tz),
            duration: format_duration(c.answer_ms),
            on_time: c.on_time,
            question: q,
            answer: a,
            reporter: c.reporter_label.clone().unwrap_or_else(|| "Anonim".into()),
            withheld: c.withheld,
        }
    }
}

const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// "Maret 2026" for `2026-03`.
pub fn month_label(month: &str) -> String {
    match (
        month.get(..4),
        month.get(5..7).and_then(|m| m.parse::<usize>().ok()),
    ) {
        (Some(y), Some(m)) if (1..=12).contains(&m) => format!("{} {y}", MONTHS[m - 1]),
        _ => month.to_string(),
    }
}

/// The last `n` months, newest first, as filter choices.
pub fn recent_months(tz: chrono_tz::Tz, n: usize) -> Vec<Choice> {
    use chrono::Datelike;
    let now = chrono::Utc::now().with_timezone(&tz);
    let (mut y, mut m) = (now.year(), now.month());
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let value = format!("{y:04}-{m:02}");
        out.push(Choice {
            label: month_label(&value),
            value,
        });
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    out
}

#[derive(Template)]
#[template(path = "public/cases.html")]
struct ListPage {
    rows: Vec<CaseRow>,
    q: String,
    agency: String,
    category: String,
    month: String,
    agencies: Vec<Choice>,
    categories: Vec<Choice>,
    months: Vec<Choice>,
    page: i64,
    prev: Option<String>,
    next: Option<String>,
    feed: String,
}

pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<CaseQuery>,
) -> Result<Response, PageError> {
    let filter = query.to_filter()?;
    let found = state.db().search_cases(&filter).await?;
    let tz = state.region_tz().await;
    let catalog = state.catalog().await?;
    let page = ListPage {
        rows: found
            .items
            .iter()
            .map(|c| CaseRow::of(c, tz, true))
            .collect(),
        q: filter.q.clone().unwrap_or_default(),
        agency: filter.agency_code.clone().unwrap_or_default(),
        category: filter.category.clone().unwrap_or_default(),
        month: filter.month.clone().unwrap_or_default(),
        agencies: catalog
            .intake_agencies()
            .map(|a| Choice {
                value: a.code.clone(),
                label: a.name.clone(),
            })
            .collect(),
        categories: catalog
            .categories
            .iter()
            .map(|c| Choice {
                value: c.code.clone(),
                label: c.name.clone(),
            })
            .collect(),
        months: recent_months(tz, 24),
        page: found.page,
        prev: (found.page > 1).then(|| format!("/kasus{}", query.link(found.page - 1))),
        next: found
            .has_next
            .then(|| format!("/kasus{}", query.link(found.page + 1))),
        feed: format!("/kasus/feed.atom{}", query.link(1)),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "public/case.html")]
struct DetailPage {
    c: CaseRow,
    agency_code: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound)?;
    let case = state.db().public_case(id).await?;
    let tz = state.region_tz().await;
    Ok(render(&DetailPage {
        c: CaseRow::of(&case, tz, false),
        agency_code: case.agency_code.clone(),
    }))
}

/// RFC 3339 in UTC, as Atom wants.
fn rfc3339(ms: i64) -> String {
    chrono::Utc
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The newest published cases (with the list's filters) as an Atom 1.0 feed.
pub async fn feed(
    State(state): State<AppState>,
    Query(query): Query<CaseQuery>,
) -> Result<Response, PageError> {
    let filter = CaseFilter {
        page: 1,
        ..query.to_filter()?
    };
    let found = state.db().search_cases(&filter).await?;
    let region = state.db().region().await?;
    let base = state.config().public_url.trim_end_matches('/').to_string();
    let esc = charts::escape;
    let updated = found.items.iter().map(|c| c.updated_at).max().unwrap_or(0);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!(
        "<title>{}</title>\n<subtitle>Aduan masyarakat yang telah dijawab</subtitle>\n<id>{}</id>\n<updated>{}</updated>\n",
        esc(&format!("Kasus terjawab · {}", region.name)),
        esc(&format!("{base}/kasus{}", query.link(1))),
        rfc3339(updated)
    ));
    xml.push_str(&format!(
        "<link rel=\"self\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        esc(&format!("{base}/kasus/feed.atom{}", query.link(1))),
        esc(&format!("{base}/kasus{}", query.link(1)))
    ));
    xml.push_str(&format!(
        "<author><name>{}</name></author>\n",
        esc(&region.name)
    ));
    for c in &found.items {
        let url = format!("{base}/kasus/{}", c.id);
        let title = format!(
            "{} · {}",
            c.agency_name.as_deref().unwrap_or("Sekretariat"),
            excerpt(&c.question, 80)
        );
        let content = format!("Pertanyaan:\n{}\n\nJawaban:\n{}", c.question, c.answer);
        xml.push_str(&format!(
            "<entry>\n<id>{u}</id>\n<title>{t}</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"{u}\"/>\n<published>{p}</published>\n<updated>{up}</updated>\n<category term=\"{cat}\"/>\n<content type=\"text\">{body}</content>\n</entry>\n",
            u = esc(&url),
            t = esc(&title),
            p = rfc3339(c.published_at),
            up = rfc3339(c.updated_at),
            cat = esc(&c.category),
            body = esc(&content),
        ));
    }
    xml.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}
