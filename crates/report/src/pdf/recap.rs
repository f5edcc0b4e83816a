//! The monthly recap (seed `002_…` *Lampiran I*) as PDF, laid out here rather than by Typst: a
//! month of a busy agency is thousands of rows, and a table this regular needs no general
//! typesetter (10,000 rows took Typst 6 s and 1.6 GB; this takes a fraction of a second).
//!
//! A4 landscape, DejaVu Sans embedded as subsets, the title block on the first page, the column
//! header repeated on every page the table reaches, rows taller than a page split across pages,
//! the signature block kept whole, "Halaman X dari Y" on every page.

use super::font::{Font, deflate};
use super::{FONT_BOLD, FONT_REGULAR};
use crate::Result;
use crate::csv::RECAP_COLUMNS;
use crate::model::MonthlyRecap;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

const PT_PER_CM: f32 = 72.0 / 2.54;
const PAGE_WIDTH: f32 = 841.89;
const PAGE_HEIGHT: f32 = 595.276;
const MARGIN_X: f32 = 1.4 * PT_PER_CM;
const MARGIN_TOP: f32 = 1.4 * PT_PER_CM;
const MARGIN_BOTTOM: f32 = 1.8 * PT_PER_CM;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;
const SIZE: f32 = 8.0;
const LINE: f32 = 9.6;
const INSET: f32 = 4.0;
const RULE: f32 = 0.5;
const HEADER_GRAY: f32 = 0.85;

/// Column widths in cm; `None` takes what the others leave. NO holds five digits and TANGGAL
/// TERIMA a whole `dd-mm-yyyy` on one line.
const WIDTHS_CM: [Option<f32>; 8] = [
    Some(1.2),
    Some(3.3),
    Some(2.1),
    Some(3.6),
    None,
    Some(2.8),
    Some(4.9),
    Some(2.3),
];
const CENTERED: [bool; 8] = [true, false, true, false, false, false, false, false];

#[derive(Clone, Copy, PartialEq)]
enum Face {
    Regular,
    Bold,
}

impl Face {
    fn resource(self) -> Name<'static> {
        match self {
            Face::Regular => Name(b"F1"),
            Face::Bold => Name(b"F2"),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Center,
}

struct Layout {
    regular: Font,
    bold: Font,
    pages: Vec<Content>,
    /// Where the next thing starts on the current page (its top, in points from the bottom).
    y: f32,
    columns: [(f32, f32); 8],
    /// Rows drawn on the current page below its header (a page with none never splits a row
    /// it could hold whole).
    rows_on_page: usize,
    header: Vec<Vec<String>>,
    header_height: f32,
}

pub fn render(r: &MonthlyRecap) -> Result<Vec<u8>> {
    let mut layout = Layout::new()?;
    layout.title_block(r);
    if r.lines.is_empty() {
        layout.paragraph("Tidak ada pengaduan pada bulan ini.", Face::Regular);
    } else {
        layout.table_header();
        for line in &r.lines {
            let no = line.no.to_string();
            layout.row([
                &no,
                &line.register,
                &line.received,
                &line.reporter,
                &line.description,
                &line.receiver,
                &line.result,
                &line.remark,
            ]);
        }
        layout.y -= 0.4 * SIZE;
    }
    layout.paragraph(
        &format!("Jumlah pengaduan: {}", r.lines.len()),
        Face::Regular,
    );
    layout.signature(r);
    layout.finish(r)
}

impl Layout {
    fn new() -> Result<Layout> {
        let fixed: f32 = WIDTHS_CM.iter().flatten().sum::<f32>() * PT_PER_CM;
        let mut columns = [(0.0, 0.0); 8];
        let mut x = MARGIN_X;
        for (i, w) in WIDTHS_CM.iter().enumerate() {
            let width = w.map_or(CONTENT_WIDTH - fixed, |cm| cm * PT_PER_CM);
            columns[i] = (x, width);
            x += width;
        }
        let mut layout = Layout {
            regular: Font::new(FONT_REGULAR, "BALAIA", 80.0)?,
            bold: Font::new(FONT_BOLD, "BALAIB", 140.0)?,
            pages: Vec::new(),
            y: 0.0,
            columns,
            rows_on_page: 0,
            header: Vec::new(),
            header_height: 0.0,
        };
        layout.header = layout.cell_lines(Face::Bold, RECAP_COLUMNS);
        layout.header_height =
            layout.header.iter().map(Vec::len).max().unwrap_or(1) as f32 * LINE + 2.0 * INSET;
        layout.new_page();
        Ok(layout)
    }

    fn font(&mut self, face: Face) -> &mut Font {
        match face {
            Face::Regular => &mut self.regular,
            Face::Bold => &mut self.bold,
        }
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a page is always open")
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_HEIGHT - MARGIN_TOP;
        self.rows_on_page = 0;
    }

    fn room(&self) -> f32 {
        self.y - MARGIN_BOTTOM
    }

    fn text(&mut self, face: Face, size: f32, x: f32, baseline: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let encoded = self.font(face).encode(text);
        let page = self.page();
        page.begin_text();
        page.set_font(face.resource(), size);
        page.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, baseline]);
        page.show(Str(&encoded));
        page.end_text();
    }

    /// Lines of `text` in `width` at `size`: paragraphs kept, words wrapped, a word longer than
    /// the width broken where it must be.
    fn wrap(&mut self, face: Face, size: f32, text: &str, width: f32) -> Vec<String> {
        let font = self.font(face);
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let paragraph = paragraph.trim_end_matches('\r');
            let mut line = String::new();
            let mut line_width = 0.0;
            for segment in segments(paragraph) {
                let visible = segment.trim_end_matches(' ');
                let visible_width = font.width(visible, size);
                if line_width + visible_width <= width {
                    line.push_str(segment);
                    line_width += font.width(segment, size);
                    continue;
                }
                if !line.trim_end().is_empty() {
                    lines.push(line.trim_end().to_string());
                }
                line.clear();
                line_width = 0.0;
                if visible_width <= width {
                    line.push_str(segment);
                    line_width = font.width(segment, size);
                    continue;
                }
                for c in segment.chars() {
                    let w = font.char_width(c, size);
                    if line_width + w > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line_width = 0.0;
                    }
                    line.push(c);
                    line_width += w;
                }
            }
            let line = line.trim_end();
            if !line.is_empty() || paragraph.trim().is_empty() {
                lines.push(line.to_string());
            }
        }
        while lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines
    }

    /// Centred or left-aligned lines from the current position, advancing it.
    fn lines(&mut self, face: Face, size: f32, lines: &[String], x: f32, width: f32, align: Align) {
        let ascent = self.font(face).ascent(size);
        for line in lines {
            let offset = match align {
                Align::Left => 0.0,
                Align::Center => (width - self.font(face).width(line, size)).max(0.0) / 2.0,
            };
            let baseline = self.y - ascent;
            self.text(face, size, x + offset, baseline, line);
            self.y -= size * 1.2;
        }
    }

    fn title_block(&mut self, r: &MonthlyRecap) {
        let title = [
            (r.title().to_string(), 12.0),
            (r.agency_name.to_uppercase(), 10.0),
            (
                format!("BULAN {} TAHUN {}", r.month_name.to_uppercase(), r.year),
                10.0,
            ),
        ];
        for (text, size) in title {
            let wrapped = self.wrap(Face::Bold, size, &text, CONTENT_WIDTH);
            self.lines(
                Face::Bold,
                size,
                &wrapped,
                MARGIN_X,
                CONTENT_WIDTH,
                Align::Center,
            );
        }
        self.y -= 0.6 * SIZE;
    }

    fn paragraph(&mut self, text: &str, face: Face) {
        let wrapped = self.wrap(face, SIZE, text, CONTENT_WIDTH);
        if self.room() < wrapped.len() as f32 * LINE {
            self.new_page();
        }
        self.lines(face, SIZE, &wrapped, MARGIN_X, CONTENT_WIDTH, Align::Left);
    }

    fn cell_lines(&mut self, face: Face, cells: [&str; 8]) -> Vec<Vec<String>> {
        (0..8)
            .map(|i| {
                let width = self.columns[i].1 - 2.0 * INSET;
                self.wrap(face, SIZE, cells[i], width)
            })
            .collect()
    }

    fn table_header(&mut self) {
        let lines = std::mem::take(&mut self.header);
        let height = self.header_height;
        let rows = lines.iter().map(Vec::len).max().unwrap_or(1);
        let top = self.y;
        let columns = self.columns;
        self.page().set_fill_gray(HEADER_GRAY);
        self.cell_rects(top, height);
        self.page().fill_nonzero().set_fill_gray(0.0);
        self.borders(top, height);
        for (i, cell) in lines.iter().enumerate() {
            let (x, w) = columns[i];
            let shift = (rows - cell.len()) as f32 * LINE / 2.0;
            self.y = top - INSET - shift;
            self.cell_text(Face::Bold, cell, x, w, true);
        }
        self.header = lines;
        self.y = top - height;
        self.rows_on_page = 0;
    }

    /// One rectangle per column from `top` down `height`, for the next fill or stroke.
    fn cell_rects(&mut self, top: f32, height: f32) {
        let columns = self.columns;
        let page = self.page();
        for (x, w) in columns {
            page.rect(x, top - height, w, height);
        }
    }

    fn borders(&mut self, top: f32, height: f32) {
        self.page().set_line_width(RULE);
        self.cell_rects(top, height);
        self.page().stroke();
    }

    fn cell_text(&mut self, face: Face, lines: &[String], x: f32, width: f32, centered: bool) {
        let ascent = self.font(face).ascent(SIZE);
        for line in lines {
            let inner = width - 2.0 * INSET;
            let offset = if centered {
                (inner - self.font(face).width(line, SIZE)).max(0.0) / 2.0
            } else {
                0.0
            };
            // Lines sit a little lower than the font's full ascent: the cell looks balanced.
            let baseline = self.y - ascent * 0.9;
            self.text(face, SIZE, x + INSET + offset, baseline, line);
            self.y -= LINE;
        }
    }

    /// Lines of a row that fit in `room`.
    fn lines_fitting(room: f32) -> usize {
        ((room - 2.0 * INSET) / LINE).floor().max(0.0) as usize
    }

    fn row(&mut self, cells: [&str; 8]) {
        let lines = self.cell_lines(Face::Regular, cells);
        let total = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut done = 0;
        while done < total {
            let left = total - done;
            let fits = Self::lines_fitting(self.room());
            let fits_fresh_page = left
                <= Self::lines_fitting(
                    PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM - self.header_height,
                );
            // Move whole to the next page when it fits there, and split only what can't.
            if fits < left && ((self.rows_on_page > 0 && fits_fresh_page) || fits < 2) {
                self.new_page();
                self.table_header();
                continue;
            }
            let take = left.min(fits);
            let height = take as f32 * LINE + 2.0 * INSET;
            let top = self.y;
            self.borders(top, height);
            for (i, cell) in lines.iter().enumerate() {
                let (x, w) = self.columns[i];
                let part: Vec<String> = cell.iter().skip(done).take(take).cloned().collect();
                self.y = top - INSET;
                self.cell_text(Face::Regular, &part, x, w, CENTERED[i]);
            }
            self.y = top - height;
            self.rows_on_page += 1;
            done += take;
            if done < total {
                self.new_page();
                self.table_header();
            }
        }
    }

    /// Place and date, KEPALA/DIREKTUR, the agency, room for the signature, the name; kept
    /// together at the right.
    fn signature(&mut self, r: &MonthlyRecap) {
        let width = 8.0 * PT_PER_CM;
        let x = MARGIN_X + CONTENT_WIDTH - width;
        let mut above = self.wrap(Face::Regular, SIZE, &r.place_date, width);
        above.push("KEPALA/DIREKTUR".into());
        above.extend(self.wrap(Face::Regular, SIZE, &r.agency_name.to_uppercase(), width));
        let name = self.wrap(Face::Regular, SIZE, &format!("( {} )", r.head_name), width);
        let gap = 2.0 * PT_PER_CM;
        let height = 0.8 * SIZE + (above.len() + name.len()) as f32 * SIZE * 1.2 + gap;
        if self.room() < height {
            self.new_page();
        }
        self.y -= 0.8 * SIZE;
        self.lines(Face::Regular, SIZE, &above, x, width, Align::Center);
        self.y -= gap;
        self.lines(Face::Regular, SIZE, &name, x, width, Align::Center);
    }

    fn finish(mut self, r: &MonthlyRecap) -> Result<Vec<u8>> {
        let count = self.pages.len();
        for n in 1..=count {
            let footer = format!("Halaman {n} dari {count}");
            let x = MARGIN_X + (CONTENT_WIDTH - self.regular.width(&footer, SIZE)) / 2.0;
            let encoded = self.regular.encode(&footer);
            let page = &mut self.pages[n - 1];
            page.begin_text();
            page.set_font(Face::Regular.resource(), SIZE);
            page.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, MARGIN_BOTTOM / 2.0]);
            page.show(Str(&encoded));
            page.end_text();
        }

        let mut pdf = Pdf::new();
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let info = Ref::new(3);
        let regular = Ref::new(4);
        let bold = Ref::new(5);
        let mut next = Ref::new(6);
        let page_ids: Vec<(Ref, Ref)> = (0..count).map(|_| (next.bump(), next.bump())).collect();

        pdf.catalog(catalog).pages(tree).lang(TextStr("id"));
        pdf.document_info(info)
            .title(TextStr(&format!(
                "{} {} {} {}",
                r.title(),
                r.agency_name,
                r.month_name,
                r.year
            )))
            .producer(TextStr("Balai"));
        pdf.pages(tree)
            .kids(page_ids.iter().map(|(page, _)| *page))
            .count(count as i32);
        for ((page_id, content_id), content) in page_ids.iter().zip(self.pages) {
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .parent(tree)
                .contents(*content_id);
            let mut resources = page.resources();
            resources
                .fonts()
                .pair(Face::Regular.resource(), regular)
                .pair(Face::Bold.resource(), bold);
            resources.finish();
            page.finish();
            pdf.stream(*content_id, &deflate(&content.finish()))
                .filter(Filter::FlateDecode);
        }
        self.regular.write(&mut pdf, regular, &mut next)?;
        self.bold.write(&mut pdf, bold, &mut next)?;
        Ok(pdf.finish())
    }
}

/// A paragraph cut after each place a line may break: after spaces, hyphens and slashes
/// (`OPD001/2026/000123` breaks at its slashes before it breaks anywhere).
fn segments(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = rest.len();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let breaks_after = match c {
                ' ' => !matches!(chars.peek(), Some((_, ' '))),
                '-' | '/' => !matches!(chars.peek(), Some((_, ' '))),
                _ => false,
            };
            if breaks_after {
                end = i + c.len_utf8();
                break;
            }
        }
        let (segment, tail) = rest.split_at(end);
        rest = tail;
        Some(segment)
    })
}

#[cfg(test)]
mod tests {
    use super::segments;

    #[test]
    fn segments_break_after_spaces_hyphens_and_slashes() {
        let parts: Vec<&str> = segments("lampu  mati-total di OPD001/2026/1").collect();
        assert_eq!(
            parts,
            ["lampu  ", "mati-", "total ", "di ", "OPD001/", "2026/", "1"]
        );
        assert_eq!(segments("").count(), 0);
    }
}
