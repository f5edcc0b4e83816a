//! Template data and formatting shared by the pages.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::TimeZone;

pub fn render<T: Template>(template: &T) -> Response {
    render_with(StatusCode::OK, template)
}

pub fn render_with<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("template failed: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "Kesalahan server").into_response()
        }
    }
}

/// `25 Nov 2026 14:03 WIB` in the region's zone.
pub fn format_time(ms: i64, tz: chrono_tz::Tz) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
    ];
    let Some(utc) = chrono::Utc.timestamp_millis_opt(ms).single() else {
        return String::new();
    };
    let local = utc.with_timezone(&tz);
    use chrono::Datelike;
    let zone = match tz {
        chrono_tz::Asia::Makassar => "WITA",
        chrono_tz::Asia::Jayapura => "WIT",
        chrono_tz::Asia::Jakarta | chrono_tz::Asia::Pontianak => "WIB",
        _ => "",
    };
    format!(
        "{} {} {} {} {zone}",
        local.day(),
        MONTHS[local.month0() as usize],
        local.year(),
        local.format("%H:%M")
    )
    .trim_end()
    .to_string()
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub title: &'a str,
    pub detail: &'a str,
    pub status: u16,
}

impl ErrorPage<'_> {
    pub fn render_html(&self) -> String {
        self.render().unwrap_or_else(|_| self.detail.to_string())
    }
}

/// A channel in Bahasa Indonesia; an unknown code as it is.
pub fn channel_label(code: &str) -> String {
    domain::Channel::parse(code)
        .map(|c| c.label_id().to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Navigation shown on staff pages.
pub struct Nav {
    pub name: String,
    pub role_label: &'static str,
    pub is_admin: bool,
    /// Secretariat and admin: the LAPOR! SP4N page.
    pub sees_lapor: bool,
}

impl Nav {
    pub fn of(staff: &crate::request::Staff) -> Nav {
        Nav {
            name: staff.user.full_name.clone(),
            role_label: staff.access.role().label_id(),
            is_admin: staff.access.is_admin(),
            sees_lapor: staff.reports_to_lapor(),
        }
    }
}
