//! Renders a synthetic monthly recap of N lines and prints the time per format:
//! `cargo run --release -p report --example render_recap -- 10000 [recap.pdf]` (the optional
//! second argument keeps the PDF for a look).

use report::model::{MonthlyRecap, RecapLine};
use report::{Format, Report};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let lines = (0..n)
        .map(|i| RecapLine {
            no: i + 1,
            register: format!("OPD001/2026/{i:06}"),
            received: format!("{:02}-10-2026", 1 + i % 28),
            reporter: format!("Warga {i}\n+62812{i:08}\nvia SMS"),
            description: format!("lampu jalan mati di depan pasar nomor {i}, sudah tiga hari gelap dan rawan kecelakaan pada malam hari, mohon segera diperbaiki"),
            receiver: "Sistem (SMS)".into(),
            result: "Lampu sudah diganti oleh petugas penerangan jalan umum.".into(),
            remark: "Dijawab tepat waktu".into(),
        })
        .collect();
    let recap = Report::Monthly(MonthlyRecap {
        region: "Kota Contoh".into(),
        agency_code: "OPD001".into(),
        agency_name: "Dinas Sintetis 1".into(),
        period: "2026-10".into(),
        month_name: "Oktober".into(),
        year: 2026,
        lines,
        place_date: "Kota Contoh, 2 November 2026".into(),
        head_name: "Budi".into(),
    });
    for format in [Format::Xlsx, Format::Csv, Format::Pdf] {
        let started = Instant::now();
        let bytes = recap.render(format).unwrap();
        if let (Format::Pdf, Some(path)) = (format, std::env::args().nth(2)) {
            std::fs::write(path, &bytes).unwrap();
        }
        println!(
            "{n} lines {}: {:.2} s, {} bytes",
            format.extension(),
            started.elapsed().as_secs_f64(),
            bytes.len()
        );
    }
}
