//! CSV (RFC 4180): UTF-8 with a byte order mark so spreadsheets read it as UTF-8, one header
//! row, CRLF line ends. Free text that a spreadsheet could run as a formula gets an apostrophe.

use crate::model::{LiaisonReport, MonthlyRecap};

/// Column titles of the recap (seed `002_…` *Lampiran I*).
pub const RECAP_COLUMNS: [&str; 8] = [
    "NO",
    "REGISTER",
    "TANGGAL TERIMA",
    "DATA PELAPOR",
    "URAIAN PENGADUAN",
    "PETUGAS PENERIMA",
    "HASIL PENANGANAN",
    "KET",
];

pub const LIAISON_COLUMNS: [&str; 9] = [
    "NO",
    "PEJABAT PENGHUBUNG",
    "OPD",
    "ADUAN DITANGANI",
    "DIJAWAB",
    "DIJAWAB TEPAT WAKTU",
    "% TEPAT WAKTU",
    "DITOLAK",
    "MEDIAN WAKTU JAWAB",
];

/// One field, quoted when it holds a separator, quote, line break or edge space.
pub fn field(value: &str) -> String {
    let needs_quotes = value.contains([',', '"', '\n', '\r', ';'])
        || value.starts_with(' ')
        || value.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// Free text: a leading `=`, `+`, `-`, `@`, tab or CR gets an apostrophe in front.
pub fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        field(&format!("'{value}"))
    } else {
        field(value)
    }
}

fn line(out: &mut String, fields: &[String]) {
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

pub fn monthly(r: &MonthlyRecap) -> String {
    let mut out = String::from("\u{feff}");
    line(&mut out, &RECAP_COLUMNS.map(field));
    for l in &r.lines {
        line(
            &mut out,
            &[
                l.no.to_string(),
                field(&l.register),
                field(&l.received),
                text(&l.reporter),
                text(&l.description),
                text(&l.receiver),
                text(&l.result),
                text(&l.remark),
            ],
        );
    }
    out
}

pub fn liaison(r: &LiaisonReport) -> String {
    let mut out = String::from("\u{feff}");
    line(&mut out, &LIAISON_COLUMNS.map(field));
    for l in &r.lines {
        line(
            &mut out,
            &[
                l.no.to_string(),
                text(&l.name),
                text(&l.agency),
                l.handled.to_string(),
                l.answered.to_string(),
                l.answered_on_time.to_string(),
                field(&l.on_time),
                l.declined.to_string(),
                field(&l.median),
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields() {
        assert_eq!(super::field("a,b"), "\"a,b\"");
        assert_eq!(super::text("=1+1"), "'=1+1");
        assert_eq!(super::text("baris\nbaru"), "\"baris\nbaru\"");
    }
}
