//! The texts Balai sends to reporters by email, in one place (SMS texts are the admin-edited
//! templates, filled here too).

use store::messages::ReporterText;

/// Where the reporter follows the ticket: absolute when the public site's address is known.
pub(crate) fn tracking_url(public_url: Option<&str>, code: &str) -> String {
    format!("{}/lacak/{code}", public_url.unwrap_or(""))
}

pub(crate) fn answer(sms: String, code: &str, answer: &str, link: &str) -> ReporterText {
    ReporterText {
        sms,
        email_subject: format!("Jawaban atas aduan Anda ({code})"),
        email_body: format!(
            "Yth. Pelapor,\n\nAduan Anda dengan kode lacak {code} telah dijawab:\n\n{answer}\n\n\
             Anda dapat melihat perkembangan aduan di halaman {link}.\n\nTerima kasih."
        ),
    }
}

pub(crate) fn question(sms: String, code: &str, question: &str) -> ReporterText {
    ReporterText {
        sms,
        email_subject: format!("Permintaan keterangan untuk aduan Anda ({code})"),
        email_body: format!(
            "Yth. Pelapor,\n\nPetugas memerlukan keterangan tambahan untuk aduan {code}:\n\n{question}\n\n\
             Silakan balas email ini atau hubungi kami.\n\nTerima kasih."
        ),
    }
}

pub(crate) fn acknowledgement(
    sms: String,
    code: &str,
    register: &str,
    due: &str,
    link: &str,
) -> ReporterText {
    ReporterText {
        sms,
        email_subject: format!("Aduan Anda diterima ({code})"),
        email_body: format!(
            "Yth. Pelapor,\n\nAduan Anda sudah kami terima dengan nomor register {register} dan kode lacak {code}.\n\
             Jawaban paling lambat {due}. Anda dapat melihat perkembangan aduan di halaman {link}.\n\n\
             Simpan kode lacak ini; petugas tidak akan meminta kata sandi atau data pribadi lain.\n\nTerima kasih."
        ),
    }
}

/// The inbox a digest or an escalation names: an agency, or the secretariat's triage queue.
pub(crate) fn inbox(agency: Option<&str>) -> String {
    agency.unwrap_or("antrian triase").to_string()
}

/// The escalation of a ticket past its deadline to the officials above: (subject, body).
pub(crate) fn escalation(
    register: &str,
    agency: Option<&str>,
    due: &str,
    step: Option<&str>,
    link: &str,
) -> (String, String) {
    let agency = inbox(agency);
    let step = step
        .map(|name| format!(" pada langkah \"{name}\""))
        .unwrap_or_default();
    (
        format!("Aduan {register} melewati batas waktu"),
        format!(
            "Aduan {register} ({agency}) melewati batas waktu {due}{step} dan belum dijawab. \
             Mohon segera ditindaklanjuti: {link}"
        ),
    )
}

/// A disposition past its due date without a report, to whoever sent it: (subject, body).
pub(crate) fn disposition_overdue(
    register: &str,
    recipient: &str,
    instruction: &str,
    due: &str,
    link: &str,
) -> (String, String) {
    (
        format!("Disposisi aduan {register} melewati tenggat"),
        format!(
            "Disposisi aduan {register} kepada {recipient} ({instruction}) melewati tenggat {due} tanpa laporan. {link}"
        ),
    )
}

/// The hourly digest of an official with no new tickets in their inboxes, only dispositions.
pub(crate) fn hourly_dispositions(disposed: i64, link: &str) -> (String, String) {
    (
        format!("{disposed} disposisi baru untuk Anda"),
        format!(
            "Balai: {disposed} disposisi baru untuk Anda dalam 1 jam terakhir. {link}/disposisi"
        ),
    )
}

/// The hourly digest: `body` is the admin's `digest_hourly` template filled for the first
/// inbox; `others` are the inboxes they stand in for (count, name).
pub(crate) fn hourly_digest(
    mut body: String,
    count: i64,
    inbox: &str,
    others: &[(i64, String)],
    disposed: i64,
) -> (String, String) {
    for (count, other) in others {
        body.push_str(&format!(
            " Juga {count} aduan baru di {other} (selaku Plt./Plh.)."
        ));
    }
    if disposed > 0 {
        let body = format!("{body} Disposisi baru untuk Anda: {disposed}.");
        return (
            format!("{count} aduan baru di {inbox}, {disposed} disposisi"),
            body,
        );
    }
    (format!("{count} aduan baru di {inbox}"), body)
}

/// The top categories of an hourly digest, e.g. `pengaduan 4, informasi 2`.
pub(crate) fn categories(top: &[(&str, i64)]) -> String {
    top.iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The oldest overdue ticket a daily digest names, or `-`.
pub(crate) fn oldest_overdue(oldest: Option<(&str, &str)>) -> String {
    oldest
        .map(|(register, due)| format!("{register} (tempo {due})"))
        .unwrap_or_else(|| "-".into())
}

/// The daily digest: `body` is the admin's `digest_daily` template filled for the first inbox;
/// `others` are the inboxes they stand in for (open, overdue, name).
pub(crate) fn daily_digest(
    mut body: String,
    open: i64,
    inbox: &str,
    others: &[(i64, i64, String)],
) -> (String, String) {
    for (open, overdue, other) in others {
        body.push_str(&format!(
            " Juga {open} aduan {other} belum dijawab, {overdue} lewat tenggat (selaku Plt./Plh.)."
        ));
    }
    (format!("{open} aduan {inbox} belum dijawab"), body)
}

/// The subject of the notice that a ticket reached an official.
pub(crate) fn ticket_reached(register: &str) -> String {
    format!("Aduan {register} untuk Anda")
}

/// What a ticket takes from an SMS: the whole text, or, beyond the longest concatenated SMS
/// (web intake has a limit too), its start with a visible mark and the staff page of the full
/// original, which stays in `inbound_messages`.
pub(crate) fn sms_ticket_text(text: &str, inbound_id: i64) -> String {
    match domain::sms::longest::overflow_at(text) {
        None => text.to_string(),
        Some(cut) => format!(
            "{} […]\n\n[SMS dipotong: {} dari {} karakter dimuat. Teks lengkap: /staf/sms/masuk/{inbound_id}]",
            &text[..cut],
            text[..cut].chars().count(),
            text.chars().count(),
        ),
    }
}
