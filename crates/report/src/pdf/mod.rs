//! PDF: A4 landscape, DejaVu Sans embedded (subset), a repeated table header and
//! "Halaman X dari Y" on every page. The liaison and semester reports go through Typst (the
//! report model goes to the template as JSON); the monthly recap, thousands of rows of one
//! table, is laid out directly by `recap`.

mod font;
mod recap;

use crate::model::{LiaisonReport, MonthlyRecap, SemesterReport};
use crate::{ReportError, Result};
use serde::Serialize;
use typst::foundations::{Dict, IntoValue};
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

pub(crate) static FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub(crate) static FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
static COMMON: &str = include_str!("../../templates/common.typ");
static LIAISON: &str = include_str!("../../templates/liaison.typ");
static SEMESTER: &str = include_str!("../../templates/semester.typ");

fn render<T: Serialize>(template: &'static str, data: &T) -> Result<Vec<u8>> {
    let json = serde_json::to_string(data).map_err(|e| ReportError::Render(e.to_string()))?;
    let engine = TypstEngine::builder()
        .main_file(template)
        .with_static_source_file_resolver([("common.typ", COMMON)])
        .fonts([FONT_REGULAR, FONT_BOLD])
        .build();
    let mut inputs = Dict::new();
    inputs.insert("data".into(), json.into_value());
    let doc: PagedDocument = engine
        .compile_with_input(inputs)
        .output
        .map_err(|e| ReportError::Render(format!("typst: {e:?}")))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
        .map_err(|e| ReportError::Render(format!("pdf: {e:?}")))
}

pub fn monthly(r: &MonthlyRecap) -> Result<Vec<u8>> {
    recap::render(r)
}

pub fn liaison(r: &LiaisonReport) -> Result<Vec<u8>> {
    render(LIAISON, r)
}

pub fn semester(r: &SemesterReport) -> Result<Vec<u8>> {
    render(SEMESTER, r)
}
