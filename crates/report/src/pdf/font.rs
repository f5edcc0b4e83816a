//! A TrueType font measured with ttf-parser and embedded as a subset CID font (Identity-H, with
//! a ToUnicode map so the text can be searched and copied).

use crate::{ReportError, Result};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::HashMap;
use std::io::Write;
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

const IDENTITY: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

#[derive(Clone, Copy)]
struct Glyph {
    id: u16,
    advance: u16,
}

fn lookup(face: &Face<'_>, c: char) -> Option<Glyph> {
    face.glyph_index(c).map(|id| Glyph {
        id: id.0,
        advance: face.glyph_hor_advance(id).unwrap_or(0),
    })
}

pub(crate) struct Font {
    data: &'static [u8],
    face: Face<'static>,
    /// `ABCDEF+DejaVuSans`: a subset is named with a six-letter tag.
    subset_name: String,
    stem_v: f32,
    units_per_em: f32,
    glyphs: HashMap<char, Glyph>,
    /// Drawn for characters the font lacks.
    replacement: Glyph,
    used: GlyphRemapper,
    /// New glyph id → the character it was drawn for.
    unicode: Vec<(u16, char)>,
}

impl Font {
    pub(crate) fn new(data: &'static [u8], tag: &str, stem_v: f32) -> Result<Font> {
        let face = Face::parse(data, 0).map_err(|e| ReportError::Render(format!("font: {e}")))?;
        let family = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME && n.is_unicode())
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| "Font".into());
        let replacement = lookup(&face, '\u{FFFD}')
            .or_else(|| lookup(&face, '?'))
            .unwrap_or(Glyph { id: 0, advance: 0 });
        Ok(Font {
            subset_name: format!("{tag}+{family}"),
            stem_v,
            units_per_em: f32::from(face.units_per_em()),
            data,
            face,
            glyphs: HashMap::new(),
            replacement,
            used: GlyphRemapper::new(),
            unicode: Vec::new(),
        })
    }

    fn glyph(&mut self, c: char) -> (Glyph, char) {
        let c = if c == '\t' { ' ' } else { c };
        if let Some(g) = self.glyphs.get(&c) {
            return (*g, c);
        }
        let g = lookup(&self.face, c).unwrap_or(self.replacement);
        self.glyphs.insert(c, g);
        (g, c)
    }

    pub(crate) fn char_width(&mut self, c: char, size: f32) -> f32 {
        f32::from(self.glyph(c).0.advance) * size / self.units_per_em
    }

    pub(crate) fn width(&mut self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_width(c, size)).sum()
    }

    /// Distance from the top of a line to its baseline.
    pub(crate) fn ascent(&self, size: f32) -> f32 {
        f32::from(self.face.ascender()) * size / self.units_per_em
    }

    /// Two-byte codes of the subset's glyphs, as a `Tj` string wants them.
    pub(crate) fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars().filter(|c| !c.is_control() || *c == '\t') {
            let (g, c) = self.glyph(c);
            let before = self.used.num_gids();
            let id = self.used.remap(g.id);
            if self.used.num_gids() != before {
                self.unicode.push((id, c));
            }
            out.extend_from_slice(&id.to_be_bytes());
        }
        out
    }

    fn to_pdf_units(&self, v: impl Into<f32>) -> f32 {
        v.into() * 1000.0 / self.units_per_em
    }

    /// Writes the Type0 font at `id` and its parts at fresh references from `next`.
    pub(crate) fn write(&self, pdf: &mut Pdf, id: Ref, next: &mut Ref) -> Result<()> {
        let (cid_id, descriptor_id, cmap_id, file_id) =
            (next.bump(), next.bump(), next.bump(), next.bump());
        let name = Name(self.subset_name.as_bytes());
        pdf.type0_font(id)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_id)
            .to_unicode(cmap_id);

        let widths: Vec<f32> = self
            .used
            .remapped_gids()
            .map(|old| self.to_pdf_units(self.face.glyph_hor_advance(GlyphId(old)).unwrap_or(0)))
            .collect();
        let mut cid = pdf.cid_font(cid_id);
        cid.subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(IDENTITY)
            .font_descriptor(descriptor_id)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid.widths().consecutive(0, widths);
        cid.finish();

        let bbox = self.face.global_bounding_box();
        pdf.font_descriptor(descriptor_id)
            .name(name)
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                self.to_pdf_units(bbox.x_min),
                self.to_pdf_units(bbox.y_min),
                self.to_pdf_units(bbox.x_max),
                self.to_pdf_units(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(self.to_pdf_units(self.face.ascender()))
            .descent(self.to_pdf_units(self.face.descender()))
            .cap_height(
                self.to_pdf_units(self.face.capital_height().unwrap_or(self.face.ascender())),
            )
            .stem_v(self.stem_v)
            .font_file2(file_id);

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), IDENTITY);
        for (id, c) in &self.unicode {
            cmap.pair(*id, *c);
        }
        pdf.stream(cmap_id, &deflate(&cmap.finish()))
            .filter(Filter::FlateDecode);

        let subset = subsetter::subset(self.data, 0, &self.used)
            .map_err(|e| ReportError::Render(format!("font subset: {e:?}")))?;
        pdf.stream(file_id, &deflate(&subset))
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);
        Ok(())
    }
}

pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(data.len() / 3),
        flate2::Compression::fast(),
    );
    encoder
        .write_all(data)
        .expect("writing to memory cannot fail");
    encoder.finish().expect("writing to memory cannot fail")
}
