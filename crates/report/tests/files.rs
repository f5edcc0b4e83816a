//! Reports read back: XLSX with calamine (and its print set-up from the package XML), PDF with
//! poppler's pdftotext/pdfinfo/pdffonts, CSV as text; built from real databases (SQLite and
//! PostgreSQL) and, for the model snapshot, from fixed rows.

use app::App as Db;
use app::testing::{WorldBuilder, each_backend};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::TimeZone;
use domain::{Channel, IntakeInput, Role};
use report::{Format, Kind, Report, Request};
use std::io::Cursor;
use std::path::PathBuf;
use std::process::Command;
use store::Access;
use store::reports::RecapRow;
use store::tickets::{ActionInput, NewTicket};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Jakarta;

fn at(y: i32, m: u32, d: u32, h: u32) -> i64 {
    TZ.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap()
        .timestamp_millis()
}

fn admin() -> Access {
    store::Access::system(domain::UserId(0), Role::Admin)
}

/// DISHUB with its head and liaison officer; `n` tickets in March 2025 (every third anonymous,
/// every fifth confidential), the first answered by the liaison officer.
async fn seed(db: &Db, n: usize) -> Access {
    let world = WorldBuilder::empty()
        .agency("DISHUB", "Dinas Perhubungan")
        .user("budi", Role::HeadOfAgency, Some("DISHUB"))
        .named("Budi Santoso, S.T.")
        .user("rina", Role::LiaisonOfficer, Some("DISHUB"))
        .named("Rina Lestari")
        .build(db)
        .await;
    let liaison = world.access(db, "rina").await;
    // Every ticket follows the shipped SMS Center workflow (answer within 3 working hours).
    let sms_center = db
        .workflow_templates()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "SMS Center")
        .unwrap();
    db.update_workflow_template(
        sms_center.id,
        &store::workflow::TemplateInput {
            name: sms_center.name.clone(),
            is_default: true,
            steps: sms_center.steps.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut first = None;
    for i in 0..n {
        let intake = IntakeInput {
            category: Some("pengaduan".into()),
            text: Some(format!(
                "Aduan nomor {i}: lampu jalan mati di Jl. Sudirman — warga mengeluh “gelap” sejak 3 hari, suhu 30°C ± 2. Mohon segera diperbaiki karena rawan kecelakaan dan kejahatan pada malam hari."
            )),
            agency_code: Some("DISHUB".into()),
            reporter_name: Some(format!("Siti Aminah {i}")),
            reporter_phone: Some("081234567890".into()),
            anonymous: i % 3 == 1,
            confidential: i % 5 == 2,
            ..Default::default()
        }
        .validate(|_| true, |_| true)
        .unwrap();
        let created = db
            .create_ticket(&NewTicket {
                intake,
                channel: Channel::Web,
                idempotency_key: None,
                received_at: at(2025, 3, 1 + (i % 28) as u32, 9),
            })
            .await
            .unwrap();
        first.get_or_insert(created.id);
    }
    db.apply_action_at(
        &liaison,
        first.unwrap(),
        &ActionInput::Answer {
            body: "Lampu sudah diganti oleh petugas PJU.".into(),
        },
        at(2025, 3, 1, 15),
    )
    .await
    .unwrap();
    liaison
}

fn cell(range: &calamine::Range<Data>, row: usize, col: usize) -> String {
    range
        .get_value((row as u32, col as u32))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "balai-report-{}-{}-{name}",
        std::process::id(),
        store::now_ms()
    ));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("{name} is required (poppler-utils / unzip; run ./scripts/test.sh): {e}")
    });
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn monthly(db: &Db, actor: &Access) -> Report {
    let request = Request {
        kind: Kind::Monthly,
        agency: Some("DISHUB".into()),
        period: "2025-03".parse().unwrap(),
    };
    report::build(db, actor, &request, at(2025, 4, 2, 10))
        .await
        .unwrap()
}

#[tokio::test]
async fn monthly_recap_as_xlsx_csv_and_pdf() {
    for db in each_backend().await {
        seed(&db, 40).await;
        let built = monthly(&db, &admin()).await;
        assert_eq!(built.file_name(Format::Xlsx), "rekap-DISHUB-2025-03.xlsx");

        // XLSX: title block, the Lampiran I columns, one line per ticket, the signature.
        let bytes = built.render(Format::Xlsx).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
        let sheet = book.worksheet_range("Rekapitulasi").unwrap();
        assert_eq!(cell(&sheet, 0, 0), "REKAPITULASI PENGADUAN MASYARAKAT");
        assert_eq!(cell(&sheet, 1, 0), "DINAS PERHUBUNGAN");
        assert_eq!(cell(&sheet, 2, 0), "BULAN MARET TAHUN 2025");
        let header: Vec<String> = (0..8).map(|c| cell(&sheet, 4, c)).collect();
        assert_eq!(
            header,
            [
                "NO",
                "REGISTER",
                "TANGGAL TERIMA",
                "DATA PELAPOR",
                "URAIAN PENGADUAN",
                "PETUGAS PENERIMA",
                "HASIL PENANGANAN",
                "KET"
            ]
        );
        assert_eq!(cell(&sheet, 5, 0), "1");
        assert_eq!(cell(&sheet, 5, 2), "01-03-2025");
        assert!(
            cell(&sheet, 5, 3).starts_with("Siti Aminah 0\n+62")
                || cell(&sheet, 5, 3).starts_with("Siti Aminah 0\n0"),
            "{}",
            cell(&sheet, 5, 3)
        );
        assert!(cell(&sheet, 5, 4).contains("“gelap”"));
        assert_eq!(cell(&sheet, 5, 6), "Lampu sudah diganti oleh petugas PJU.");
        assert_eq!(cell(&sheet, 5, 7), "Dijawab tepat waktu");
        let reporters: Vec<String> = (5..45).map(|r| cell(&sheet, r, 3)).collect();
        let confidential = (0..40).filter(|i| i % 5 == 2).count();
        let anonymous = (0..40).filter(|i| i % 3 == 1 && i % 5 != 2).count();
        assert_eq!(
            reporters.iter().filter(|r| r.starts_with("Anonim")).count(),
            anonymous
        );
        assert_eq!(
            reporters
                .iter()
                .filter(|r| r.starts_with("Dirahasiakan"))
                .count(),
            confidential
        );
        // Anonymous and confidential reporters are not named anywhere.
        for (row, r) in reporters.iter().enumerate() {
            let text = cell(&sheet, row + 5, 4);
            let i: usize = text["Aduan nomor ".len()..text.find(':').unwrap()]
                .parse()
                .unwrap();
            let hidden = i % 3 == 1 || i % 5 == 2;
            assert_eq!(!r.contains("Siti"), hidden, "ticket {i}: {r}");
        }
        assert_eq!(cell(&sheet, 45, 0), "Jumlah pengaduan: 40");
        assert_eq!(cell(&sheet, 48, 5), "KEPALA/DIREKTUR");
        assert_eq!(cell(&sheet, 53, 5), "( Budi Santoso, S.T. )");
        // Print set-up: A4 landscape, header row repeated, page numbers, column widths, wrap.
        let file = temp_file("rekap.xlsx", &bytes);
        let xml = tool(
            "unzip",
            &["-p", file.to_str().unwrap(), "xl/worksheets/sheet1.xml"],
        );
        assert!(
            xml.contains("paperSize=\"9\"") && xml.contains("orientation=\"landscape\""),
            "{xml}"
        );
        assert!(xml.contains("Halaman &amp;P dari &amp;N"));
        assert!(
            xml.contains("<col min=\"5\" max=\"5\" width=\"50.7109375\" customWidth=\"1\"/>"),
            "{xml}"
        );
        let workbook = tool("unzip", &["-p", file.to_str().unwrap(), "xl/workbook.xml"]);
        assert!(
            workbook.contains("_xlnm.Print_Titles") && workbook.contains("Rekapitulasi!$5:$5"),
            "{workbook}"
        );
        let styles = tool("unzip", &["-p", file.to_str().unwrap(), "xl/styles.xml"]);
        assert!(styles.contains("wrapText=\"1\""));
        let _ = std::fs::remove_file(file);

        // CSV: UTF-8 with BOM, the same columns, quoted multi-line fields.
        let csv = String::from_utf8(built.render(Format::Csv).unwrap()).unwrap();
        assert!(csv.starts_with("\u{feff}NO,REGISTER,TANGGAL TERIMA,DATA PELAPOR,URAIAN PENGADUAN,PETUGAS PENERIMA,HASIL PENANGANAN,KET\r\n"));
        assert!(csv.contains("\"Anonim\nvia Situs web\""));
        assert!(csv.contains("“gelap”"));
        assert!(!csv.contains("Siti Aminah 1\n"), "ticket 1 is anonymous");

        // PDF: A4 landscape, several pages each with the column header and "Halaman X dari Y",
        // fonts embedded, every ticket present.
        let pdf = built.render(Format::Pdf).unwrap();
        let file = temp_file("rekap.pdf", &pdf);
        let path = file.to_str().unwrap();
        let info = tool("pdfinfo", &[path]);
        assert!(info.contains("841.89 x 595.276 pts (A4)"), "{info}");
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(pages >= 2, "{info}");
        let fonts = tool("pdffonts", &[path]);
        assert!(
            fonts.contains("DejaVuSans") && fonts.lines().skip(2).all(|l| l.contains(" yes ")),
            "{fonts}"
        );
        let text = tool("pdftotext", &[path, "-"]);
        assert!(text.contains("REKAPITULASI PENGADUAN MASYARAKAT"));
        assert!(text.contains("DINAS PERHUBUNGAN") && text.contains("BULAN MARET TAHUN 2025"));
        assert!(text.contains(&format!("Halaman 1 dari {pages}")));
        assert!(text.contains(&format!("Halaman {pages} dari {pages}")));
        assert!(text.contains("KEPALA/DIREKTUR") && text.contains("Budi Santoso, S.T."));
        assert!(text.contains("“gelap”") && text.contains("30°C ± 2"));
        let mut table_pages = 0;
        for page in 1..=pages {
            let p = page.to_string();
            let page_text = tool("pdftotext", &["-f", &p, "-l", &p, path, "-"]);
            // Every page that carries rows of the table repeats its header.
            if page_text.contains("Aduan nomor") {
                assert!(
                    page_text.contains("URAIAN PENGADUAN"),
                    "header on page {page}"
                );
                table_pages += 1;
            }
        }
        assert!(table_pages >= 2, "the table spans pages");
        assert!(!text.contains("Siti Aminah 1\n") && !text.contains("Siti Aminah 1 "));
        assert!(text.contains("Siti Aminah 0"));
        let _ = std::fs::remove_file(file);
    }
}

#[tokio::test]
async fn semester_and_liaison_reports_read_back() {
    for db in each_backend().await {
        let liaison = seed(&db, 12).await;
        let semester = report::build(
            &db,
            &admin(),
            &Request {
                kind: Kind::Semester,
                agency: None,
                period: "2025-S1".parse().unwrap(),
            },
            at(2025, 7, 2, 10),
        )
        .await
        .unwrap();
        let Report::Semester(model) = &semester else {
            panic!()
        };
        assert_eq!(model.totals.received, 12);
        assert_eq!(model.totals.answered, 1);
        assert_eq!(model.median_answer, "6 jam 0 menit");
        assert_eq!(model.months[2].received, 12);
        assert!(model.chart_months.starts_with("<svg"));
        // SLA per agency and step: the one answer came within the 3 working hours; the other
        // eleven steps are long past due.
        assert_eq!(model.steps.len(), 1, "{:?}", model.steps);
        let step = &model.steps[0];
        assert_eq!(
            (step.agency.as_str(), step.step.as_str()),
            ("Dinas Perhubungan", "Pejabat penghubung menjawab")
        );
        assert_eq!((step.total, step.on_time, step.late), (12, 1, 11));
        assert_eq!(step.on_time_pct, "8,3%");
        let pdf = semester.render(Format::Pdf).unwrap();
        let file = temp_file("semester.pdf", &pdf);
        let text = tool("pdftotext", &[file.to_str().unwrap(), "-"]);
        assert!(text.contains("LAPORAN PENYELENGGARAAN PENANGANAN PENGADUAN"));
        assert!(text.contains("SEMESTER I 2025"));
        assert!(text.contains("Kepatuhan SLA") && text.contains("Persentil ke-90"));
        assert!(text.contains("Dinas Perhubungan") && text.contains("Maret 2025"));
        assert!(text.contains("Halaman 1 dari"));
        assert!(
            text.contains("Kepatuhan SLA per OPD dan langkah alur")
                && text.contains("Pejabat penghubung menjawab"),
            "{text}"
        );
        let _ = std::fs::remove_file(file);
        let xlsx = semester.render(Format::Xlsx).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
        let steps = book.worksheet_range("SLA per langkah").unwrap();
        assert_eq!(cell(&steps, 1, 1), "Pejabat penghubung menjawab");
        assert_eq!(cell(&steps, 1, 4), "11");
        assert_eq!(cell(&steps, 1, 5), "8,3%");
        let per_agency = book.worksheet_range("Per OPD").unwrap();
        assert_eq!(cell(&per_agency, 1, 1), "Dinas Perhubungan");
        assert_eq!(cell(&per_agency, 1, 2), "12");
        assert_eq!(cell(&per_agency, 1, 5), "100,0%");
        let summary = book.worksheet_range("Ringkasan").unwrap();
        assert_eq!(cell(&summary, 4, 1), "12");
        assert!(semester.render(Format::Csv).is_err());

        // The secretariat's recap of problems for one month (seed 000 §7.c–e).
        let problems = report::build(
            &db,
            &admin(),
            &Request {
                kind: Kind::Problems,
                agency: None,
                period: "2025-03".parse().unwrap(),
            },
            at(2025, 4, 2, 10),
        )
        .await
        .unwrap();
        let Report::Problems(model) = &problems else {
            panic!()
        };
        assert_eq!(model.totals.received, 12);
        assert_eq!(model.months.len(), 1);
        assert_eq!(
            problems.file_name(Format::Pdf),
            "rekap-masalah-SeluruhOPD-2025-03.pdf"
        );
        let pdf = problems.render(Format::Pdf).unwrap();
        let file = temp_file("masalah.pdf", &pdf);
        let text = tool("pdftotext", &[file.to_str().unwrap(), "-"]);
        assert!(
            text.contains("REKAPITULASI PERMASALAHAN PENGADUAN MASYARAKAT"),
            "{text}"
        );
        assert!(text.contains("melalui Sekretaris Daerah"));
        assert!(text.contains("Dinas Perhubungan"));
        let _ = std::fs::remove_file(file);
        let xlsx = problems.render(Format::Xlsx).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
        let summary = book.worksheet_range("Ringkasan").unwrap();
        assert_eq!(
            cell(&summary, 0, 0),
            "REKAPITULASI PERMASALAHAN PENGADUAN MASYARAKAT"
        );
        assert!(problems.render(Format::Csv).is_err());

        // The liaison officer's own report.
        let liaison_report = report::build(
            &db,
            &liaison,
            &Request {
                kind: Kind::Liaison,
                agency: None,
                period: "2025-03".parse().unwrap(),
            },
            at(2025, 4, 2, 10),
        )
        .await
        .unwrap();
        let csv = String::from_utf8(liaison_report.render(Format::Csv).unwrap()).unwrap();
        assert!(
            csv.contains("1,Rina Lestari,Dinas Perhubungan,1,1,1,\"100,0%\",0,6 jam 0 menit\r\n"),
            "{csv}"
        );
        let pdf = liaison_report.render(Format::Pdf).unwrap();
        let file = temp_file("penghubung.pdf", &pdf);
        let text = tool("pdftotext", &[file.to_str().unwrap(), "-"]);
        assert!(text.contains("Rina Lestari") && text.contains("6 jam 0 menit"));
        let _ = std::fs::remove_file(file);
        let xlsx = liaison_report.render(Format::Xlsx).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
        let sheet = book.worksheet_range("Pejabat Penghubung").unwrap();
        assert_eq!(cell(&sheet, 5, 1), "Rina Lestari");
        assert_eq!(cell(&sheet, 5, 8), "6 jam 0 menit");
    }
}

/// The recap model of fixed rows, as JSON: a snapshot of what the report says.
#[test]
fn recap_model_snapshot() {
    let row = |id: i64, status: &str| RecapRow {
        id,
        agency_id: None,
        register_number: format!("DISHUB/2025/{id:05}"),
        received_at: at(2025, 3, id as u32, 9),
        channel: if id == 2 { Channel::Sms } else { Channel::Web },
        category: "pengaduan".into(),
        status: domain::TicketStatus::parse(status).unwrap(),
        text: format!("Aduan {id}"),
        anonymous: id == 2,
        confidential: false,
        reporter_name: (id != 2).then(|| "Siti".to_string()),
        reporter_phone: None,
        reporter_email: (id != 2).then(|| "siti@contoh.id".to_string()),
        address: None,
        receiver: (id == 1).then(|| "Petugas Sekretariat".to_string()),
        answer: (id == 1).then(|| "Sudah diperbaiki.".to_string()),
        decline_reason: (status == "declined").then(|| "duplicate".to_string()),
        decline_note: None,
        answered_at: (id == 1).then(|| at(2025, 3, 1, 12)),
        closed_at: None,
        due_at: Some(at(2025, 3, id as u32 + 2, 9)),
    };
    let rows = vec![row(1, "answered"), row(2, "declined"), row(3, "open")];
    let ctx = report::model::RecapContext {
        region: "Kota Contoh",
        agency_code: "DISHUB",
        agency_name: "Dinas Perhubungan",
        year: 2025,
        month: 3,
        head_name: None,
        sees_identity: true,
        now: at(2025, 4, 2, 10),
        tz: TZ,
    };
    let model = report::model::monthly_recap(&ctx, &rows);
    let json = serde_json::to_string_pretty(&model).unwrap();
    let expected = r#"{
  "region": "Kota Contoh",
  "agency_code": "DISHUB",
  "agency_name": "Dinas Perhubungan",
  "period": "2025-03",
  "month_name": "Maret",
  "year": 2025,
  "lines": [
    {
      "no": 1,
      "register": "DISHUB/2025/00001",
      "received": "01-03-2025",
      "reporter": "Siti\nsiti@contoh.id\nvia Situs web",
      "description": "Aduan 1",
      "receiver": "Petugas Sekretariat",
      "result": "Sudah diperbaiki.",
      "remark": "Dijawab tepat waktu"
    },
    {
      "no": 2,
      "register": "DISHUB/2025/00002",
      "received": "02-03-2025",
      "reporter": "Anonim\nvia SMS",
      "description": "Aduan 2",
      "receiver": "Sistem (SMS)",
      "result": "Ditolak: Duplikat aduan lain",
      "remark": "Ditolak"
    },
    {
      "no": 3,
      "register": "DISHUB/2025/00003",
      "received": "03-03-2025",
      "reporter": "Siti\nsiti@contoh.id\nvia Situs web",
      "description": "Aduan 3",
      "receiver": "Sistem (Situs web)",
      "result": "Dalam proses",
      "remark": "Melewati tenggat"
    }
  ],
  "place_date": "Kota Contoh, 2 April 2025",
  "head_name": "................................"
}"#;
    assert_eq!(json, expected);
}

fn synthetic_recap(lines: Vec<report::model::RecapLine>) -> Report {
    Report::Monthly(report::model::MonthlyRecap {
        region: "Kota Contoh".into(),
        agency_code: "DINKES".into(),
        agency_name: "Dinas Kesehatan".into(),
        period: "2026-10".into(),
        month_name: "Oktober".into(),
        year: 2026,
        lines,
        place_date: "Kota Contoh, 2 November 2026".into(),
        head_name: "dr. Sari".into(),
    })
}

fn pdf_pages(path: &str) -> usize {
    tool("pdfinfo", &[path])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// What the recap's own layout must cope with: a row taller than a page is split across pages
/// (each under the repeated header) without losing a word, a word wider than its column is
/// broken, a character the font lacks is replaced, and an empty month still has its title,
/// count and signature.
#[test]
fn monthly_pdf_splits_tall_rows_and_keeps_every_word() {
    let words: Vec<String> = (0..1500).map(|i| format!("kata{i:04}")).collect();
    let line = |no: usize, description: String| report::model::RecapLine {
        no,
        register: format!("DINKES/2026/{no:06}"),
        received: "01-10-2026".into(),
        reporter: "Anonim\nvia SMS".into(),
        description,
        receiver: "Sistem (SMS)".into(),
        result: "Dalam proses".into(),
        remark: "Diproses".into(),
    };
    let recap = synthetic_recap(vec![
        line(1, "pendek".into()),
        line(2, words.join(" ")),
        line(3, format!("{} 🚑 ambulans", "X".repeat(200))),
    ]);
    let pdf = recap.render(Format::Pdf).unwrap();
    let file = temp_file("tall.pdf", &pdf);
    let path = file.to_str().unwrap();
    let pages = pdf_pages(path);
    assert!(pages >= 3, "1,500 words in one cell span pages: {pages}");
    let text = tool("pdftotext", &[path, "-"]);
    let mut from = 0;
    for word in &words {
        let at = text[from..]
            .find(word.as_str())
            .unwrap_or_else(|| panic!("{word} missing or out of order"));
        from += at + word.len();
    }
    let xs: usize = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().all(|c| c == 'X'))
        .map(str::len)
        .sum();
    assert_eq!(xs, 200, "the long word is broken, not cut");
    assert!(text.contains("ambulans") && text.contains("Jumlah pengaduan: 3"));
    for page in 1..=pages {
        let p = page.to_string();
        let page_text = tool("pdftotext", &["-f", &p, "-l", &p, path, "-"]);
        assert!(page_text.contains(&format!("Halaman {page} dari {pages}")));
        if page_text.contains("kata") {
            assert!(
                page_text.contains("URAIAN PENGADUAN"),
                "header on page {page}"
            );
        }
    }
    let _ = std::fs::remove_file(file);

    let empty = synthetic_recap(Vec::new()).render(Format::Pdf).unwrap();
    let file = temp_file("empty.pdf", &empty);
    let path = file.to_str().unwrap();
    assert_eq!(pdf_pages(path), 1);
    let text = tool("pdftotext", &[path, "-"]);
    for expected in [
        "REKAPITULASI PENGADUAN MASYARAKAT",
        "DINAS KESEHATAN",
        "BULAN OKTOBER TAHUN 2026",
        "Tidak ada pengaduan pada bulan ini.",
        "Jumlah pengaduan: 0",
        "KEPALA/DIREKTUR",
        "( dr. Sari )",
        "Halaman 1 dari 1",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let _ = std::fs::remove_file(file);
}
