//! Server-side SVG charts. The same SVG goes into web pages and into PDF reports, so charts
//! need no JavaScript and no fonts beyond a generic sans-serif. Every label is XML-escaped.

use std::fmt::Write;

const FONT: &str = "font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"12\"";
const BAR: &str = "#2f6f9f";
const ALERT: &str = "#b3261e";
const MUTED: &str = "#666";
/// Colours of shares, in order (colour-blind safe palette).
const PALETTE: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999",
];

/// One labelled value.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Drawn in the alert colour (e.g. an agency below its SLA target).
    pub alert: bool,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: f64) -> Self {
        Bar {
            label: label.into(),
            value,
            alert: false,
        }
    }

    pub fn alert(mut self, alert: bool) -> Self {
        self.alert = alert;
        self
    }
}

/// Escapes text for SVG/XML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A number as shown on a chart: whole numbers without decimals, others with one.
pub fn format_value(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{}", value.round() as i64)
    } else {
        format!("{value:.1}")
    }
}

fn open(out: &mut String, width: u32, height: u32, title: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{t}\" {FONT}><title>{t}</title>",
        t = escape(title)
    );
}

fn shorten(label: &str, max_chars: usize) -> String {
    if label.chars().count() <= max_chars {
        label.to_string()
    } else {
        let kept: String = label.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

/// A "nice" axis maximum at or above `max` (1, 2 or 5 times a power of ten).
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    for step in [1.0, 2.0, 5.0, 10.0] {
        if step * magnitude >= max {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

/// Horizontal bars, one row per item, with the value at the end of each bar. `unit` follows
/// the value (e.g. "%"). With `fixed_max` (e.g. 100 for percentages) the scale does not follow
/// the data.
pub fn horizontal_bars(title: &str, bars: &[Bar], unit: &str, fixed_max: Option<f64>) -> String {
    let row = 24;
    let label_width = 190;
    let width = 640;
    let bar_area = width - label_width - 70;
    let height = 10 + row * bars.len().max(1) as u32;
    let max =
        fixed_max.unwrap_or_else(|| nice_max(bars.iter().map(|b| b.value).fold(0.0, f64::max)));
    let mut out = String::new();
    open(&mut out, width, height, title);
    if bars.is_empty() {
        let _ = write!(
            out,
            "<text x=\"4\" y=\"22\" fill=\"{MUTED}\">Belum ada data</text>"
        );
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = 5 + row * i as u32;
        let len = if max > 0.0 {
            ((bar.value.max(0.0) / max).min(1.0) * f64::from(bar_area)).round() as u32
        } else {
            0
        };
        let colour = if bar.alert { ALERT } else { BAR };
        let _ = write!(
            out,
            "<g><title>{label}: {value}{unit}</title><text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{short}</text><rect x=\"{label_width}\" y=\"{y}\" width=\"{len}\" height=\"{h}\" fill=\"{colour}\"/><text x=\"{vx}\" y=\"{ty}\">{value}{unit}</text></g>",
            label = escape(&bar.label),
            short = escape(&shorten(&bar.label, 28)),
            value = format_value(bar.value),
            unit = escape(unit),
            lx = label_width - 6,
            ty = y + 14,
            h = row - 6,
            vx = label_width + len + 4,
        );
    }
    out.push_str("</svg>");
    out
}

/// Vertical columns over time (e.g. tickets per day or per month), with a labelled y axis and
/// at most ~12 x labels.
pub fn columns(title: &str, bars: &[Bar]) -> String {
    let (width, height) = (720u32, 240u32);
    let (left, bottom, top, right) = (44u32, 36u32, 10u32, 10u32);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = nice_max(bars.iter().map(|b| b.value).fold(0.0, f64::max));
    let mut out = String::new();
    open(&mut out, width, height, title);
    for k in 0..=4 {
        let v = max * f64::from(k) / 4.0;
        let y = top + plot_h - (f64::from(plot_h) * f64::from(k) / 4.0).round() as u32;
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#ddd\"/><text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\" fill=\"{MUTED}\">{v}</text>",
            x2 = width - right,
            tx = left - 4,
            ty = y + 4,
            v = format_value(v),
        );
    }
    if bars.is_empty() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" fill=\"{MUTED}\">Belum ada data</text>",
            left + 8,
            top + 20
        );
    }
    let n = bars.len().max(1) as f64;
    let slot = f64::from(plot_w) / n;
    let label_every = (bars.len() as f64 / 12.0).ceil().max(1.0) as usize;
    for (i, bar) in bars.iter().enumerate() {
        let h = (bar.value.max(0.0) / max * f64::from(plot_h)).round();
        let x = f64::from(left) + slot * i as f64 + slot * 0.1;
        let y = f64::from(top + plot_h) - h;
        let colour = if bar.alert { ALERT } else { BAR };
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{label}: {value}</title></rect>",
            w = (slot * 0.8).max(0.5),
            label = escape(&bar.label),
            value = format_value(bar.value),
        );
        if i % label_every == 0 {
            let _ = write!(
                out,
                "<text x=\"{cx:.1}\" y=\"{ly}\" text-anchor=\"middle\" fill=\"{MUTED}\" font-size=\"10\">{label}</text>",
                cx = x + slot * 0.4,
                ly = height - bottom + 14,
                label = escape(&shorten(&bar.label, 10)),
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Shares of a whole as one stacked bar with a legend (e.g. the channel mix).
pub fn shares(title: &str, parts: &[Bar]) -> String {
    let width = 640u32;
    let rows = parts.len().div_ceil(3).max(1) as u32;
    let height = 44 + 20 * rows;
    let total: f64 = parts.iter().map(|p| p.value.max(0.0)).sum();
    let mut out = String::new();
    open(&mut out, width, height, title);
    if total <= 0.0 {
        let _ = write!(
            out,
            "<text x=\"4\" y=\"22\" fill=\"{MUTED}\">Belum ada data</text>"
        );
    }
    let mut x = 0.0;
    for (i, part) in parts.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let share = if total > 0.0 {
            part.value.max(0.0) / total
        } else {
            0.0
        };
        let w = share * f64::from(width);
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"4\" width=\"{w:.1}\" height=\"24\" fill=\"{colour}\"><title>{label}: {value} ({pct}%)</title></rect>",
            label = escape(&part.label),
            value = format_value(part.value),
            pct = format_value((share * 1000.0).round() / 10.0),
        );
        x += w;
        let (col, row) = ((i % 3) as u32, (i / 3) as u32);
        let (lx, ly) = (col * 213, 40 + row * 20);
        let _ = write!(
            out,
            "<rect x=\"{lx}\" y=\"{ly}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{tx}\" y=\"{ty}\">{label} {value} ({pct}%)</text>",
            tx = lx + 16,
            ty = ly + 11,
            label = escape(&shorten(&part.label, 14)),
            value = format_value(part.value),
            pct = format_value((share * 1000.0).round() / 10.0),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let svg = horizontal_bars("A & B", &[Bar::new("<script>\"x\"", 3.0)], "", None);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;&quot;x&quot;"));
        assert!(svg.contains("<title>A &amp; B</title>"));
    }

    #[test]
    fn bars_scale_to_a_nice_maximum() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(13.0), 20.0);
        assert_eq!(nice_max(420.0), 500.0);
        assert_eq!(nice_max(1000.0), 1000.0);
        let svg = horizontal_bars(
            "t",
            &[Bar::new("a", 50.0), Bar::new("b", 100.0)],
            "%",
            Some(100.0),
        );
        // 380 px of bar area: half and full.
        assert!(svg.contains("width=\"190\""), "{svg}");
        assert!(svg.contains("width=\"380\""), "{svg}");
        assert!(svg.contains(">100%</text>"));
    }

    #[test]
    fn columns_draw_one_rect_per_value_and_thin_out_labels() {
        let bars: Vec<Bar> = (0..90)
            .map(|d| Bar::new(format!("d{d}"), f64::from(d % 7)))
            .collect();
        let svg = columns("Aduan per hari", &bars);
        assert_eq!(svg.matches("<rect").count(), 90);
        let labels = svg.matches("font-size=\"10\"").count();
        assert!((8..=12).contains(&labels), "{labels} labels");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn shares_add_up_to_the_width() {
        let svg = shares("Kanal", &[Bar::new("sms", 3.0), Bar::new("web", 1.0)]);
        assert!(svg.contains("width=\"480.0\""), "{svg}");
        assert!(svg.contains("width=\"160.0\""), "{svg}");
        assert!(svg.contains("sms 3 (75%)"));
        let empty = shares("Kanal", &[]);
        assert!(empty.contains("Belum ada data"));
    }

    #[test]
    fn values_are_formatted_plainly() {
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(92.456), "92.5");
    }
}
