//! XLSX with real column widths, wrapped text, the header row repeated on every printed page,
//! A4 landscape print set-up and page numbers in the footer.

use crate::csv::{LIAISON_COLUMNS, RECAP_COLUMNS};
use crate::model::{CountLine, LiaisonReport, MonthlyRecap, SemesterReport};
use crate::{ReportError, Result};
use rust_xlsxwriter::{
    Chart, ChartType, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

/// Paper size code of A4 in the XLSX print set-up.
const A4: u8 = 9;

fn err(e: XlsxError) -> ReportError {
    ReportError::Render(format!("xlsx: {e}"))
}

struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    cell: Format,
    center: Format,
    number: Format,
    bold: Format,
    plain: Format,
    sign: Format,
}

fn formats() -> Formats {
    let base = Format::new().set_font_name("DejaVu Sans").set_font_size(9);
    let boxed = base
        .clone()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    Formats {
        title: base
            .clone()
            .set_bold()
            .set_font_size(12)
            .set_align(FormatAlign::Center),
        subtitle: base
            .clone()
            .set_bold()
            .set_font_size(10)
            .set_align(FormatAlign::Center),
        header: boxed
            .clone()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color("#D9D9D9"),
        cell: boxed.clone(),
        center: boxed.clone().set_align(FormatAlign::Center),
        number: boxed.clone().set_num_format("#,##0"),
        bold: base.clone().set_bold(),
        plain: base.clone(),
        sign: base.clone().set_align(FormatAlign::Center).set_text_wrap(),
    }
}

/// A4 landscape, fit to one page wide, header rows repeated, "Halaman X dari Y".
fn print_setup(sheet: &mut Worksheet, header_row: u32) -> Result<()> {
    sheet.set_paper_size(A4);
    sheet.set_landscape();
    sheet.set_margins(0.5, 0.5, 0.6, 0.7, 0.3, 0.3);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_footer("&CHalaman &P dari &N");
    sheet.set_repeat_rows(header_row, header_row).map_err(err)?;
    Ok(())
}

fn widths(sheet: &mut Worksheet, widths: &[f64]) -> Result<()> {
    for (i, w) in widths.iter().enumerate() {
        sheet.set_column_width(i as u16, *w).map_err(err)?;
    }
    Ok(())
}

/// The monthly recap in the *Lampiran I* layout.
/// The three centred title lines over columns `0..=last_col`: the title, then two subtitles.
fn title_block(sheet: &mut Worksheet, f: &Formats, last_col: u16, lines: [&str; 3]) -> Result<()> {
    for (row, text) in lines.into_iter().enumerate() {
        let format = if row == 0 { &f.title } else { &f.subtitle };
        sheet
            .merge_range(row as u32, 0, row as u32, last_col, text, format)
            .map_err(err)?;
    }
    Ok(())
}

/// Column titles in `row`.
fn header_row(sheet: &mut Worksheet, f: &Formats, row: u32, titles: &[&str]) -> Result<()> {
    for (c, title) in titles.iter().enumerate() {
        sheet
            .write_string_with_format(row, c as u16, *title, &f.header)
            .map_err(err)?;
    }
    Ok(())
}

pub fn monthly(r: &MonthlyRecap) -> Result<Vec<u8>> {
    let f = formats();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Rekapitulasi").map_err(err)?;
    widths(sheet, &[5.0, 22.0, 12.0, 24.0, 50.0, 18.0, 40.0, 16.0])?;
    title_block(
        sheet,
        &f,
        7,
        [
            r.title(),
            &r.agency_name.to_uppercase(),
            &format!("BULAN {} TAHUN {}", r.month_name.to_uppercase(), r.year),
        ],
    )?;
    let header = 4;
    header_row(sheet, &f, header, &RECAP_COLUMNS)?;
    let mut row = header + 1;
    for l in &r.lines {
        sheet
            .write_number_with_format(row, 0, l.no as f64, &f.center)
            .map_err(err)?;
        let cells = [
            &l.register,
            &l.received,
            &l.reporter,
            &l.description,
            &l.receiver,
            &l.result,
            &l.remark,
        ];
        for (i, value) in cells.into_iter().enumerate() {
            let format = if i == 1 { &f.center } else { &f.cell };
            sheet
                .write_string_with_format(row, i as u16 + 1, value, format)
                .map_err(err)?;
        }
        row += 1;
    }
    if r.lines.is_empty() {
        sheet
            .merge_range(
                row,
                0,
                row,
                7,
                "Tidak ada pengaduan pada bulan ini.",
                &f.center,
            )
            .map_err(err)?;
        row += 1;
    }
    sheet
        .write_string_with_format(
            row,
            0,
            format!("Jumlah pengaduan: {}", r.lines.len()),
            &f.bold,
        )
        .map_err(err)?;
    let sign = row + 2;
    sheet
        .merge_range(sign, 5, sign, 7, &r.place_date, &f.sign)
        .map_err(err)?;
    sheet
        .merge_range(sign + 1, 5, sign + 1, 7, "KEPALA/DIREKTUR", &f.sign)
        .map_err(err)?;
    sheet
        .merge_range(
            sign + 2,
            5,
            sign + 2,
            7,
            &r.agency_name.to_uppercase(),
            &f.sign,
        )
        .map_err(err)?;
    sheet
        .merge_range(
            sign + 6,
            5,
            sign + 6,
            7,
            &format!("( {} )", r.head_name),
            &f.sign,
        )
        .map_err(err)?;
    print_setup(sheet, header)?;
    book.save_to_buffer().map_err(err)
}

pub fn liaison(r: &LiaisonReport) -> Result<Vec<u8>> {
    let f = formats();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Pejabat Penghubung").map_err(err)?;
    widths(
        sheet,
        &[5.0, 28.0, 30.0, 12.0, 10.0, 12.0, 10.0, 10.0, 18.0],
    )?;
    title_block(
        sheet,
        &f,
        8,
        [
            "LAPORAN RESPON PEJABAT PENGHUBUNG TERHADAP PENGADUAN MASYARAKAT",
            &r.scope.to_uppercase(),
            &format!("PERIODE {}", r.period_label.to_uppercase()),
        ],
    )?;
    let header = 4;
    header_row(sheet, &f, header, &LIAISON_COLUMNS)?;
    let mut row = header + 1;
    for l in &r.lines {
        sheet
            .write_number_with_format(row, 0, l.no as f64, &f.center)
            .map_err(err)?;
        sheet
            .write_string_with_format(row, 1, &l.name, &f.cell)
            .map_err(err)?;
        sheet
            .write_string_with_format(row, 2, &l.agency, &f.cell)
            .map_err(err)?;
        for (c, v) in [(3, l.handled), (4, l.answered), (5, l.answered_on_time)] {
            sheet
                .write_number_with_format(row, c, v as f64, &f.number)
                .map_err(err)?;
        }
        sheet
            .write_string_with_format(row, 6, &l.on_time, &f.center)
            .map_err(err)?;
        sheet
            .write_number_with_format(row, 7, l.declined as f64, &f.number)
            .map_err(err)?;
        sheet
            .write_string_with_format(row, 8, &l.median, &f.center)
            .map_err(err)?;
        row += 1;
    }
    sheet
        .write_string_with_format(row, 1, "Jumlah", &f.header)
        .map_err(err)?;
    for (c, v) in [
        (3, r.total_handled),
        (4, r.total_answered),
        (5, r.total_on_time),
    ] {
        sheet
            .write_number_with_format(row, c, v as f64, &f.number)
            .map_err(err)?;
    }
    sheet
        .write_string_with_format(row, 6, &r.total_on_time_pct, &f.center)
        .map_err(err)?;
    sheet
        .merge_range(row + 2, 6, row + 2, 8, &r.place_date, &f.sign)
        .map_err(err)?;
    print_setup(sheet, header)?;
    book.save_to_buffer().map_err(err)
}

/// A titled table of (label, count, share) starting at `row`; returns the next free row.
fn count_table(
    sheet: &mut Worksheet,
    f: &Formats,
    row: u32,
    title: &str,
    label: &str,
    lines: &[CountLine],
) -> Result<u32> {
    sheet
        .write_string_with_format(row, 0, title, &f.bold)
        .map_err(err)?;
    header_row(sheet, f, row + 1, &[label, "Jumlah", "Persentase"])?;
    let mut r = row + 2;
    for l in lines {
        sheet
            .write_string_with_format(r, 0, &l.label, &f.cell)
            .map_err(err)?;
        sheet
            .write_number_with_format(r, 1, l.count as f64, &f.number)
            .map_err(err)?;
        sheet
            .write_string_with_format(r, 2, &l.share, &f.center)
            .map_err(err)?;
        r += 1;
    }
    Ok(r + 1)
}

pub fn semester(r: &SemesterReport) -> Result<Vec<u8>> {
    let f = formats();
    let mut book = Workbook::new();

    // Sheet 1: summary, months and answer times.
    let sheet = book.add_worksheet();
    sheet.set_name("Ringkasan").map_err(err)?;
    widths(sheet, &[34.0, 14.0, 14.0, 16.0, 14.0])?;
    title_block(
        sheet,
        &f,
        4,
        [
            &r.title,
            &format!("{} — {}", r.region.to_uppercase(), r.scope.to_uppercase()),
            &r.period_label.to_uppercase(),
        ],
    )?;
    let summary = [
        ("Aduan diterima", r.totals.received.to_string()),
        ("Dijawab", r.totals.answered.to_string()),
        ("Dijawab tepat waktu", r.totals.answered_on_time.to_string()),
        (
            "Kepatuhan SLA (tepat waktu / dijawab)",
            r.totals.on_time.clone(),
        ),
        ("Ditolak", r.totals.declined.to_string()),
        ("Belum selesai", r.totals.open.to_string()),
        ("Median waktu jawab", r.median_answer.clone()),
        ("Persentil ke-90 waktu jawab", r.p90_answer.clone()),
    ];
    let mut row = 4;
    for (label, value) in summary {
        sheet
            .write_string_with_format(row, 0, label, &f.cell)
            .map_err(err)?;
        sheet
            .write_string_with_format(row, 1, &value, &f.center)
            .map_err(err)?;
        row += 1;
    }
    row += 1;
    sheet
        .write_string_with_format(row, 0, "Tren per bulan", &f.bold)
        .map_err(err)?;
    let month_header = row + 1;
    header_row(
        sheet,
        &f,
        month_header,
        &[
            "Bulan",
            "Diterima",
            "Dijawab",
            "Tepat waktu",
            "% tepat waktu",
        ],
    )?;
    row = month_header + 1;
    for m in &r.months {
        sheet
            .write_string_with_format(row, 0, &m.label, &f.cell)
            .map_err(err)?;
        for (c, v) in [(1, m.received), (2, m.answered), (3, m.answered_on_time)] {
            sheet
                .write_number_with_format(row, c, v as f64, &f.number)
                .map_err(err)?;
        }
        sheet
            .write_string_with_format(row, 4, &m.on_time, &f.center)
            .map_err(err)?;
        row += 1;
    }
    if !r.months.is_empty() {
        let mut chart = Chart::new(ChartType::Column);
        chart
            .add_series()
            .set_name("Diterima")
            .set_categories(("Ringkasan", month_header + 1, 0, row - 1, 0))
            .set_values(("Ringkasan", month_header + 1, 1, row - 1, 1));
        chart.title().set_name("Aduan diterima per bulan");
        chart.legend().set_hidden();
        sheet.insert_chart(4, 6, &chart).map_err(err)?;
    }
    sheet.set_paper_size(A4);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_footer("&CHalaman &P dari &N");

    // Sheet 2: per agency with SLA compliance.
    let sheet = book.add_worksheet();
    sheet.set_name("Per OPD").map_err(err)?;
    widths(sheet, &[5.0, 40.0, 12.0, 12.0, 14.0, 14.0, 12.0, 14.0])?;
    let header = 0;
    header_row(
        sheet,
        &f,
        header,
        &[
            "NO",
            "OPD",
            "Diterima",
            "Dijawab",
            "Tepat waktu",
            "Kepatuhan SLA",
            "Ditolak",
            "Belum selesai",
        ],
    )?;
    for (row, (i, a)) in (header + 1..).zip(r.agencies.iter().chain([&r.totals]).enumerate()) {
        if i < r.agencies.len() {
            sheet
                .write_number_with_format(row, 0, (i + 1) as f64, &f.center)
                .map_err(err)?;
        }
        sheet
            .write_string_with_format(row, 1, &a.name, &f.cell)
            .map_err(err)?;
        for (c, v) in [
            (2, a.received),
            (3, a.answered),
            (4, a.answered_on_time),
            (6, a.declined),
            (7, a.open),
        ] {
            sheet
                .write_number_with_format(row, c, v as f64, &f.number)
                .map_err(err)?;
        }
        sheet
            .write_string_with_format(row, 5, &a.on_time, &f.center)
            .map_err(err)?;
    }
    print_setup(sheet, header)?;

    // Sheet: SLA per agency and workflow step.
    if !r.steps.is_empty() {
        let sheet = book.add_worksheet();
        sheet.set_name("SLA per langkah").map_err(err)?;
        widths(sheet, &[36.0, 30.0, 12.0, 12.0, 12.0, 14.0])?;
        header_row(
            sheet,
            &f,
            0,
            &[
                "OPD",
                "Langkah",
                "Bertenggat",
                "Tepat waktu",
                "Terlambat",
                "Kepatuhan",
            ],
        )?;
        for (row, s) in (1..).zip(&r.steps) {
            sheet
                .write_string_with_format(row, 0, &s.agency, &f.cell)
                .map_err(err)?;
            sheet
                .write_string_with_format(row, 1, &s.step, &f.cell)
                .map_err(err)?;
            for (c, v) in [(2, s.total), (3, s.on_time), (4, s.late)] {
                sheet
                    .write_number_with_format(row, c, v as f64, &f.number)
                    .map_err(err)?;
            }
            sheet
                .write_string_with_format(row, 5, &s.on_time_pct, &f.center)
                .map_err(err)?;
        }
        print_setup(sheet, 0)?;
    }

    // Sheet 3: mixes, declines and frequent words.
    let sheet = book.add_worksheet();
    sheet.set_name("Rincian").map_err(err)?;
    widths(sheet, &[40.0, 14.0, 14.0])?;
    let mut row = 0;
    row = count_table(sheet, &f, row, "Per kategori", "Kategori", &r.categories)?;
    row = count_table(sheet, &f, row, "Per kanal", "Kanal", &r.channels)?;
    row = count_table(sheet, &f, row, "Per status", "Status", &r.statuses)?;
    row = count_table(
        sheet,
        &f,
        row,
        "Aduan ditolak menurut alasan",
        "Alasan",
        &r.declined,
    )?;
    row = count_table(
        sheet,
        &f,
        row,
        &format!(
            "Kata yang paling sering muncul (dari {} aduan terbaru)",
            r.keyword_sample
        ),
        "Kata",
        &r.keywords,
    )?;
    sheet
        .write_string_with_format(row, 0, &r.place_date, &f.plain)
        .map_err(err)?;
    sheet.set_paper_size(A4);
    sheet.set_landscape();
    sheet.set_footer("&CHalaman &P dari &N");
    book.save_to_buffer().map_err(err)
}
