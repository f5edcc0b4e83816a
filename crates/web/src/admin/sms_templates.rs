//! The admin-edited SMS templates.

use super::{PageQuery, flash};
use crate::error::{ApiError, PageError};
use crate::forms::{Errors, invalid, require_admin, see_other};
use crate::request::PageStaff;
use crate::staff::counter_text;
use crate::state::AppState;
use crate::view::{Nav, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

/// Placeholders and what they are replaced with.
const PLACEHOLDERS: [(&str, &str); 7] = [
    ("code", "kode lacak aduan"),
    ("register", "nomor register aduan"),
    ("due", "batas waktu jawaban, mis. \"3 jam kerja\""),
    ("keywords", "daftar kata kunci yang aktif"),
    ("region", "nama wilayah"),
    ("status", "status aduan"),
    ("answer", "teks jawaban petugas"),
];

/// What each template is for and the placeholders it can use.
fn template_info(code: &str) -> (&'static str, &'static [&'static str]) {
    match code {
        "ack" => (
            "Tanda terima aduan yang kata kuncinya dikenal",
            &["register", "code", "due"],
        ),
        "unknown_keyword" => (
            "Balasan untuk kata kunci yang tidak dikenal (aduan masuk triase)",
            &["code", "register", "keywords"],
        ),
        "help" => ("Balasan untuk BANTUAN/INFO", &["keywords", "region"]),
        "status" => (
            "Balasan cek status (CEK kode)",
            &["code", "status", "answer"],
        ),
        "status_unknown" => ("Balasan cek status untuk kode yang tidak ditemukan", &[]),
        "answer" => ("Jawaban petugas kepada pelapor SMS", &["code", "answer"]),
        "question" => (
            "Pertanyaan petugas kepada pelapor SMS",
            &["code", "question"],
        ),
        "reply_received" => ("Tanda terima tanggapan pelapor", &["code"]),
        "digest_hourly" => (
            "Ringkasan per jam untuk pejabat (aduan baru)",
            &["count", "inbox", "categories", "link"],
        ),
        "digest_daily" => (
            "Ringkasan harian untuk pejabat (belum dijawab)",
            &["count", "overdue", "oldest", "inbox", "link"],
        ),
        "forwarded" => (
            "Pemberitahuan aduan yang diteruskan/ditugaskan",
            &["register", "category"],
        ),
        "disposed" => (
            "Pemberitahuan disposisi kepada penerimanya",
            &["register", "instruction", "due"],
        ),
        _ => ("Templat SMS", &[]),
    }
}

/// `{name}` placeholders in a text that the template cannot fill.
fn unknown_placeholders(body: &str, allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find('{') {
        rest = &rest[start + 1..];
        let Some(end) = rest.find('}') else { break };
        let name = &rest[..end];
        if !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !allowed.contains(&name)
            && !found.iter().any(|f: &String| f == name)
        {
            found.push(name.to_string());
        }
    }
    found
}

pub struct PlaceholderDoc {
    pub name: String,
    pub meaning: &'static str,
}

pub struct TemplateRow {
    pub code: String,
    pub purpose: &'static str,
    pub placeholders: Vec<PlaceholderDoc>,
    pub body: String,
    pub counter: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "sms/templates.html")]
struct TemplatesPage {
    nav: Nav,
    rows: Vec<TemplateRow>,
    errors: Errors,
    flash: Option<&'static str>,
}

fn template_row(code: String, body: String, error: String) -> TemplateRow {
    let (purpose, names) = template_info(&code);
    TemplateRow {
        purpose,
        placeholders: names
            .iter()
            .map(|n| PlaceholderDoc {
                name: format!("{{{n}}}"),
                meaning: PLACEHOLDERS
                    .iter()
                    .find(|(p, _)| p == n)
                    .map(|(_, m)| *m)
                    .unwrap_or_default(),
            })
            .collect(),
        counter: counter_text(&body),
        code,
        body,
        error,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    body: String,
}

pub async fn templates_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let rows = state
        .db()
        .sms_templates()
        .await?
        .into_iter()
        .map(|(code, body)| template_row(code, body, String::new()))
        .collect();
    Ok(render(&TemplatesPage {
        nav,
        rows,
        errors: Errors::default(),
        flash: flash(q.ok.as_deref()),
    }))
}

pub async fn template_save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<TemplateForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let templates = state.db().sms_templates().await?;
    if !templates.iter().any(|(code, _)| *code == form.code) {
        return Err(PageError(ApiError::NotFound));
    }
    // Browsers send CRLF line ends; an SMS carries LF.
    let body = form.body.replace("\r\n", "\n").trim().to_string();
    let mut errors = Errors::default();
    let (_, allowed) = template_info(&form.code);
    let unknown = unknown_placeholders(&body, allowed);
    if body.is_empty() {
        errors.add("body", "teks templat wajib diisi");
    } else if body.chars().count() > 1000 {
        errors.add("body", "teks templat paling banyak 1000 karakter");
    } else if !unknown.is_empty() {
        let names: Vec<String> = unknown.iter().map(|n| format!("{{{n}}}")).collect();
        errors.add(
            "body",
            format!(
                "penanda {} tidak dikenal untuk templat ini",
                names.join(", ")
            ),
        );
    }
    if errors.is_empty() {
        match state.db().update_sms_template(&form.code, &body).await {
            Ok(()) => return Ok(see_other("/admin/templat-sms?ok=templat")),
            Err(e) => errors.store(e, "body")?,
        }
    }
    let message = errors.get("body").to_string();
    let rows = templates
        .into_iter()
        .map(|(code, stored)| {
            if code == form.code {
                template_row(code, body.clone(), message.clone())
            } else {
                template_row(code, stored, String::new())
            }
        })
        .collect();
    Ok(invalid(&TemplatesPage {
        nav,
        rows,
        errors,
        flash: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::unknown_placeholders;

    #[test]
    fn placeholders_outside_the_template_are_found() {
        assert!(unknown_placeholders("Aduan {code}: {answer}", &["code", "answer"]).is_empty());
        assert_eq!(
            unknown_placeholders("{code} {kode} {kode} {} {a b}", &["code"]),
            ["kode"]
        );
    }
}
