//! The page after a web submission: the tracking code to copy, where the acknowledgement went,
//! and a form to have the code sent by SMS to the phone the citizen gave (within the daily
//! limit per number, see `store::reach`).

use crate::error::{ApiError, PageError};
use crate::request::ClientIp;
use crate::state::AppState;
use crate::view::{render, render_with};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::TrackingCode;
use domain::{MessageChannel, MessageStatus};
use serde::Deserialize;
use store::reach::{CodeBySms, Withheld};

#[derive(Template)]
#[template(path = "public/submitted.html")]
struct SubmittedPage {
    code: String,
    register_number: String,
    status: String,
    status_label: String,
    /// "SMS ke nomor berakhiran 890 (dalam antrean)", "email (terkirim)".
    acknowledgements: Vec<String>,
    phone_tail: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub(crate) struct SubmittedQuery {
    sms: Option<String>,
}

fn status_label(status: &MessageStatus) -> &'static str {
    match status {
        MessageStatus::Pending => "dalam antrean",
        MessageStatus::Sent => "terkirim",
        MessageStatus::Delivered => "diterima",
        MessageStatus::Failed => "gagal",
    }
}

fn not_found(code: &str) -> Response {
    render_with(
        StatusCode::NOT_FOUND,
        &super::LookupPage {
            code: code.to_string(),
            not_found: true,
        },
    )
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<SubmittedQuery>,
) -> Result<Response, PageError> {
    let Some(parsed) = TrackingCode::parse(&code) else {
        return Ok(not_found(&code));
    };
    let (ticket, contact) = match (
        state.db().track(&parsed).await,
        state.db().reporter_contact(&parsed).await,
    ) {
        (Ok(ticket), Ok(contact)) => (ticket, contact),
        (Err(store::StoreError::NotFound), _) | (_, Err(store::StoreError::NotFound)) => {
            return Ok(not_found(&code));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    let acknowledgements = contact
        .acknowledgements
        .iter()
        .map(|d| match (d.channel, &contact.phone_tail) {
            (MessageChannel::Sms, Some(tail)) => format!(
                "SMS ke nomor berakhiran {tail} ({})",
                status_label(&d.status)
            ),
            (channel, _) => format!("{channel} ({})", status_label(&d.status)),
        })
        .collect();
    let notice = match q.sms.as_deref() {
        Some("ok") => Some("Kode lacak dikirim lewat SMS. Pesan akan tiba dalam beberapa menit."),
        Some("batas") => Some(
            "Batas pengiriman SMS ke nomor ini untuk hari ini sudah tercapai. Simpan kode lacak di atas.",
        ),
        Some("blokir") => Some("Nomor ini tidak dapat dikirimi SMS."),
        Some("tanpa") => Some("Aduan ini tidak mencantumkan nomor telepon."),
        _ => None,
    };
    Ok(render(&SubmittedPage {
        code: ticket.tracking_code,
        register_number: ticket.register_number,
        status: ticket.status.to_string(),
        status_label: ticket.status_label,
        acknowledgements,
        phone_tail: contact.phone_tail,
        notice,
    }))
}

/// `POST /aduan/diterima/{code}/sms`: the code by SMS to the reporter's own phone.
pub(crate) async fn send_code(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let Some(parsed) = TrackingCode::parse(&code) else {
        return Ok(not_found(&code));
    };
    if !state.intake_allowed(ip) {
        return Err(PageError(ApiError::TooManyRequests));
    }
    let outcome = match state
        .db()
        .send_tracking_code(&parsed, state.sms_rules())
        .await
    {
        Ok(outcome) => outcome,
        Err(store::StoreError::NotFound) => return Ok(not_found(&code)),
        Err(e) => return Err(e.into()),
    };
    let result = match outcome {
        CodeBySms::Queued(_) => "ok",
        CodeBySms::NoPhone => "tanpa",
        CodeBySms::Withheld(Withheld::DailyLimit) => "batas",
        CodeBySms::Withheld(Withheld::Blocked) => "blokir",
    };
    Ok(Redirect::to(&format!("/aduan/diterima/{parsed}?sms={result}")).into_response())
}
