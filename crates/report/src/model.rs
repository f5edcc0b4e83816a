//! Report models: what each report says, built from store rows by pure functions (so they can
//! be checked without a database), then rendered as XLSX, PDF or CSV.

use chrono::TimeZone;
use domain::{Channel, DeclineReason, TicketStatus};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use store::reports::{LiaisonRow, RecapRow, SemesterData, month_name};

/// `5 Okt 2026` style date (local) as the recap prints it: `05-10-2026`.
pub fn date_dmy(ms: i64, tz: chrono_tz::Tz) -> String {
    tz.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%d-%m-%Y").to_string())
        .unwrap_or_default()
}

/// `29 November 2026`.
pub fn date_long(ms: i64, tz: chrono_tz::Tz) -> String {
    use chrono::Datelike;
    tz.timestamp_millis_opt(ms)
        .single()
        .map(|t| format!("{} {} {}", t.day(), month_name(t.month()), t.year()))
        .unwrap_or_default()
}

/// A duration as officials read it: `2 hari 3 jam`, `5 jam 12 menit`, `45 menit`.
pub fn duration_id(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} menit"),
        (0, h) => format!("{h} jam {mins} menit"),
        (d, 0) => format!("{d} hari"),
        (d, h) => format!("{d} hari {h} jam"),
    }
}

/// `87,5%` (Indonesian decimal comma); `-` with nothing to divide.
pub fn percent_id(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "-".into();
    }
    format!("{:.1}%", 100.0 * part as f64 / whole as f64).replace('.', ",")
}

fn channel_label(channel: &Channel) -> String {
    channel.label_id().to_string()
}

fn status_label(status: &TicketStatus) -> String {
    status.label_id().to_string()
}

fn reason_label(reason: Option<&str>) -> String {
    match reason {
        Some(r) => DeclineReason::parse(r)
            .map(|d| d.label_id().to_string())
            .unwrap_or_else(|| r.to_string()),
        None => "Tanpa alasan tercatat".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Monthly recap (Lampiran I)

/// One line of the recap, as printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecapLine {
    pub no: usize,
    pub register: String,
    pub received: String,
    pub reporter: String,
    pub description: String,
    pub receiver: String,
    pub result: String,
    pub remark: String,
}

/// The monthly recap of one agency (seed `002_…` *Lampiran I*).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyRecap {
    pub region: String,
    pub agency_code: String,
    pub agency_name: String,
    /// `2026-10`.
    pub period: String,
    pub month_name: String,
    pub year: i32,
    pub lines: Vec<RecapLine>,
    /// `Kota Contoh, 29 November 2026`.
    pub place_date: String,
    /// Head of the agency, or dots for a hand-written name.
    pub head_name: String,
}

impl MonthlyRecap {
    pub fn title(&self) -> &'static str {
        "REKAPITULASI PENGADUAN MASYARAKAT"
    }
}

/// Who reported, as far as the reader may know: anonymous and confidential reporters are never
/// named, and roles without access to identities see a neutral text.
fn reporter_cell(r: &RecapRow, sees_identity: bool) -> String {
    let via = format!("via {}", channel_label(&r.channel));
    if r.confidential {
        return format!("Dirahasiakan\n{via}");
    }
    if r.anonymous {
        return format!("Anonim\n{via}");
    }
    if !sees_identity {
        return format!("(tidak ditampilkan)\n{via}");
    }
    let mut parts: Vec<String> = [
        &r.reporter_name,
        &r.reporter_phone,
        &r.reporter_email,
        &r.address,
    ]
    .into_iter()
    .flatten()
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty())
    .collect();
    if parts.is_empty() {
        parts.push("-".into());
    }
    parts.push(via);
    parts.join("\n")
}

fn result_cell(r: &RecapRow) -> String {
    match r.status {
        // The decline's timeline entry already names the reason.
        TicketStatus::Declined => match r.decline_note.as_deref().map(str::trim) {
            Some(note) if !note.is_empty() => format!("Ditolak. {note}"),
            _ => format!("Ditolak: {}", reason_label(r.decline_reason.as_deref())),
        },
        _ => match r.answer.as_deref().filter(|a| !a.trim().is_empty()) {
            Some(answer) => answer.trim().to_string(),
            None => match r.status {
                TicketStatus::Closed => "Selesai tanpa jawaban tertulis".into(),
                TicketStatus::Answered => "Dijawab".into(),
                TicketStatus::Received => "Menunggu triase".into(),
                _ => "Dalam proses".into(),
            },
        },
    }
}

fn remark_cell(r: &RecapRow, now: i64) -> String {
    let status = r.status;
    match (status, r.answered_at, r.due_at) {
        (TicketStatus::Declined, _, _) => "Ditolak".into(),
        (_, Some(answered), Some(due)) if answered <= due => "Dijawab tepat waktu".into(),
        (_, Some(_), Some(_)) => "Dijawab terlambat".into(),
        (_, Some(_), None) => "Dijawab".into(),
        (TicketStatus::Closed, None, _) => "Selesai".into(),
        (_, None, Some(due)) if due < now => "Melewati tenggat".into(),
        _ => status_label(&status),
    }
}

/// Inputs of a recap beside its rows.
pub struct RecapContext<'a> {
    pub region: &'a str,
    pub agency_code: &'a str,
    pub agency_name: &'a str,
    pub year: i32,
    pub month: u32,
    pub head_name: Option<&'a str>,
    pub sees_identity: bool,
    pub now: i64,
    pub tz: chrono_tz::Tz,
}

pub fn monthly_recap(ctx: &RecapContext<'_>, rows: &[RecapRow]) -> MonthlyRecap {
    let lines = rows
        .iter()
        .enumerate()
        .map(|(i, r)| RecapLine {
            no: i + 1,
            register: r.register_number.clone(),
            received: date_dmy(r.received_at, ctx.tz),
            reporter: reporter_cell(r, ctx.sees_identity),
            description: r.text.clone(),
            receiver: r
                .receiver
                .clone()
                .unwrap_or_else(|| format!("Sistem ({})", channel_label(&r.channel))),
            result: result_cell(r),
            remark: remark_cell(r, ctx.now),
        })
        .collect();
    MonthlyRecap {
        region: ctx.region.to_string(),
        agency_code: ctx.agency_code.to_string(),
        agency_name: ctx.agency_name.to_string(),
        period: format!("{}-{:02}", ctx.year, ctx.month),
        month_name: month_name(ctx.month).to_string(),
        year: ctx.year,
        lines,
        place_date: format!("{}, {}", ctx.region, date_long(ctx.now, ctx.tz)),
        head_name: ctx
            .head_name
            .map(str::to_string)
            .unwrap_or_else(|| "................................".into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Liaison officers (seed 003)

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiaisonLine {
    pub no: usize,
    pub name: String,
    pub agency: String,
    pub handled: i64,
    pub answered: i64,
    pub answered_on_time: i64,
    pub on_time: String,
    pub declined: i64,
    pub median: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiaisonReport {
    pub region: String,
    pub scope: String,
    pub period: String,
    pub period_label: String,
    pub lines: Vec<LiaisonLine>,
    pub total_handled: i64,
    pub total_answered: i64,
    pub total_on_time: i64,
    pub total_on_time_pct: String,
    pub place_date: String,
}

pub fn liaison_report(
    region: &str,
    scope: &str,
    period: &store::reports::Period,
    rows: &[LiaisonRow],
    now: i64,
    tz: chrono_tz::Tz,
) -> LiaisonReport {
    let lines: Vec<LiaisonLine> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| LiaisonLine {
            no: i + 1,
            name: r.full_name.clone(),
            agency: r.agency_name.clone(),
            handled: r.handled,
            answered: r.answered,
            answered_on_time: r.answered_on_time,
            on_time: percent_id(r.answered_on_time, r.answered),
            declined: r.declined,
            median: r
                .median_answer_ms
                .map(duration_id)
                .unwrap_or_else(|| "-".into()),
        })
        .collect();
    let total_answered = rows.iter().map(|r| r.answered).sum();
    let total_on_time = rows.iter().map(|r| r.answered_on_time).sum();
    LiaisonReport {
        region: region.to_string(),
        scope: scope.to_string(),
        period: period.to_string(),
        period_label: period.label_id(),
        total_handled: rows.iter().map(|r| r.handled).sum(),
        total_answered,
        total_on_time,
        total_on_time_pct: percent_id(total_on_time, total_answered),
        lines,
        place_date: format!("{region}, {}", date_long(now, tz)),
    }
}

// ---------------------------------------------------------------------------------------------
// Semester (seed 002 §10.2.d)

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct AgencyLine {
    pub code: String,
    pub name: String,
    pub received: i64,
    pub answered: i64,
    pub answered_on_time: i64,
    pub on_time: String,
    pub declined: i64,
    /// Received in the period and still waiting (received or open).
    pub open: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountLine {
    pub label: String,
    pub count: i64,
    pub share: String,
}

/// SLA of one workflow step in one agency (seed 002 §10.2.d: "per agency and step").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepLine {
    pub agency: String,
    pub step: String,
    /// Steps with a deadline.
    pub total: i64,
    pub on_time: i64,
    pub late: i64,
    /// Done on time among those done or late.
    pub on_time_pct: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthLine {
    pub label: String,
    pub received: i64,
    pub answered: i64,
    pub answered_on_time: i64,
    pub on_time: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SemesterReport {
    /// The heading: the semester report's, or the secretariat's recap of problems.
    pub title: String,
    /// To whom it goes (seed 002 §10.2.d; seed 000 §7.e).
    pub addressee: String,
    pub region: String,
    pub scope: String,
    pub period: String,
    pub period_label: String,
    pub totals: AgencyLine,
    pub agencies: Vec<AgencyLine>,
    /// SLA per agency and workflow step (empty when no ticket followed a workflow).
    pub steps: Vec<StepLine>,
    pub categories: Vec<CountLine>,
    pub channels: Vec<CountLine>,
    pub statuses: Vec<CountLine>,
    pub declined: Vec<CountLine>,
    pub months: Vec<MonthLine>,
    pub answered_count: i64,
    pub median_answer: String,
    pub p90_answer: String,
    pub median_answer_ms: Option<i64>,
    pub p90_answer_ms: Option<i64>,
    pub keywords: Vec<CountLine>,
    /// How many tickets the frequent words were read from.
    pub keyword_sample: usize,
    pub place_date: String,
    /// SVG charts: tickets per month, on-time share per agency, categories.
    pub chart_months: String,
    pub chart_agencies: String,
    pub chart_categories: String,
}

pub const SEMESTER_TITLE: &str = "LAPORAN PENYELENGGARAAN PENANGANAN PENGADUAN";
pub const SEMESTER_ADDRESSEE: &str = "Kepada Yth. Kepala Daerah; tembusan: Inspektur.";
/// The secretariat's inventory and recap of problems (seed 000 §7.c) and its periodic report
/// to the head of region through the regional secretary (§7.e).
pub const PROBLEMS_TITLE: &str = "REKAPITULASI PERMASALAHAN PENGADUAN MASYARAKAT";
pub const PROBLEMS_ADDRESSEE: &str =
    "Kepada Yth. Kepala Daerah melalui Sekretaris Daerah (laporan berkala Sekretariat Pengaduan).";

/// The value at rank `q` (0–1, nearest rank) of a histogram of (value, count) sorted by value.
pub fn histogram_quantile(hist: &[(i64, i64)], q: f64) -> Option<i64> {
    let total: i64 = hist.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let rank = ((q * total as f64).ceil() as i64).clamp(1, total);
    let mut seen = 0;
    for (value, count) in hist {
        seen += count;
        if seen >= rank {
            return Some(*value);
        }
    }
    hist.last().map(|(v, _)| *v)
}

const STOPWORDS: &[&str] = &[
    "yang",
    "dan",
    "di",
    "ke",
    "dari",
    "untuk",
    "dengan",
    "tidak",
    "sudah",
    "belum",
    "ada",
    "ini",
    "itu",
    "karena",
    "pada",
    "saya",
    "kami",
    "mohon",
    "tolong",
    "nomor",
    "sangat",
    "juga",
    "bisa",
    "akan",
    "atau",
    "dalam",
    "sejak",
    "masih",
    "agar",
    "oleh",
    "para",
    "lagi",
    "hari",
    "tersebut",
    "kepada",
    "bapak",
    "sampai",
    "terima",
    "kasih",
    "kami",
    "kita",
    "mereka",
    "adalah",
    "telah",
    "harus",
    "segera",
    "banyak",
    "sering",
    "setiap",
    "dengan",
    "tapi",
    "tetapi",
    "namun",
    "jadi",
    "buat",
    "minta",
    "pak",
    "bu",
    "ibu",
    "warga",
    "sekitar",
    "dekat",
    "depan",
    "jam",
    "tahun",
    "bulan",
    "minggu",
    "kapan",
    "bagaimana",
    "apakah",
    "kenapa",
    "mengapa",
    "sekali",
    "lebih",
    "kurang",
    "hanya",
    "semua",
    "saat",
    "waktu",
    "sini",
    "sana",
    "the",
    "and",
];

/// The most frequent words of the texts (each counted once per ticket), stopwords, numbers and
/// words shorter than four letters left out.
pub fn frequent_words(texts: &[String], top: usize) -> Vec<(String, i64)> {
    let stop: HashSet<&str> = STOPWORDS.iter().copied().collect();
    let mut counts: HashMap<String, i64> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    for text in texts {
        seen.clear();
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.chars().count() < 4 || word.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            let word = word.to_lowercase();
            if stop.contains(word.as_str()) || seen.contains(&word) {
                continue;
            }
            seen.insert(word.clone());
            *counts.entry(word).or_default() += 1;
        }
    }
    let mut words: Vec<(String, i64)> = counts.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    words.truncate(top);
    words
}

fn count_lines(map: BTreeMap<String, i64>, total: i64) -> Vec<CountLine> {
    let mut lines: Vec<CountLine> = map
        .into_iter()
        .map(|(label, count)| CountLine {
            share: percent_id(count, total),
            label,
            count,
        })
        .collect();
    lines.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    lines
}

pub fn semester_report(
    region: &str,
    scope: &str,
    period: &store::reports::Period,
    data: &SemesterData,
    now: i64,
    tz: chrono_tz::Tz,
) -> SemesterReport {
    let agency_names: HashMap<i64, (&str, &str)> = data
        .agencies
        .iter()
        .map(|a| (a.id, (a.code.as_str(), a.name.as_str())))
        .collect();
    let category_names: HashMap<&str, &str> = data
        .categories
        .iter()
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .collect();
    let mut agencies: BTreeMap<Option<i64>, AgencyLine> = BTreeMap::new();
    let mut categories = BTreeMap::new();
    let mut channels = BTreeMap::new();
    let mut statuses = BTreeMap::new();
    let mut declined = BTreeMap::new();
    let mut totals = AgencyLine {
        code: String::new(),
        name: "Jumlah".into(),
        ..AgencyLine::default()
    };
    for c in &data.combos {
        let line = agencies.entry(c.agency_id).or_insert_with(|| {
            let (code, name) = c
                .agency_id
                .and_then(|id| agency_names.get(&id).copied())
                .unwrap_or(("-", "Antrian triase (belum diteruskan)"));
            AgencyLine {
                code: code.to_string(),
                name: name.to_string(),
                ..AgencyLine::default()
            }
        });
        let is_declined = c.status == TicketStatus::Declined;
        let is_open = !c.status.is_final();
        for l in [&mut *line, &mut totals] {
            l.received += c.count;
            l.answered += c.answered;
            l.answered_on_time += c.answered_on_time;
            if is_declined {
                l.declined += c.count;
            }
            if is_open {
                l.open += c.count;
            }
        }
        let category = category_names
            .get(c.category.as_str())
            .map(|n| n.to_string())
            .unwrap_or_else(|| c.category.clone());
        *categories.entry(category).or_default() += c.count;
        *channels.entry(channel_label(&c.channel)).or_default() += c.count;
        *statuses.entry(status_label(&c.status)).or_default() += c.count;
        if is_declined {
            *declined
                .entry(reason_label(c.decline_reason.as_deref()))
                .or_default() += c.count;
        }
    }
    totals.on_time = percent_id(totals.answered_on_time, totals.answered);
    let mut agencies: Vec<AgencyLine> = agencies
        .into_values()
        .map(|mut l| {
            l.on_time = percent_id(l.answered_on_time, l.answered);
            l
        })
        .collect();
    agencies.sort_by(|a, b| b.received.cmp(&a.received).then(a.name.cmp(&b.name)));
    let agency_name = |id: Option<i64>| -> String {
        id.and_then(|id| agency_names.get(&id).map(|(_, name)| name.to_string()))
            .unwrap_or_else(|| "Antrian triase (belum diteruskan)".into())
    };
    let mut steps: Vec<(String, i64, StepLine)> = data
        .steps
        .iter()
        .map(|s| {
            let agency = agency_name(s.agency_id);
            (
                agency.clone(),
                s.position,
                StepLine {
                    agency,
                    step: s.step.clone(),
                    total: s.total,
                    on_time: s.on_time,
                    late: s.late,
                    on_time_pct: percent_id(s.on_time, s.on_time + s.late),
                },
            )
        })
        .collect();
    steps.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let steps: Vec<StepLine> = steps.into_iter().map(|(_, _, line)| line).collect();

    let mut months: Vec<MonthLine> = period
        .months()
        .into_iter()
        .map(|(year, month)| MonthLine {
            label: format!("{} {year}", month_name(month)),
            received: 0,
            answered: 0,
            answered_on_time: 0,
            on_time: String::new(),
        })
        .collect();
    for day in &data.days {
        use chrono::Datelike;
        if let Some(i) = period
            .months()
            .iter()
            .position(|&(y, m)| y == day.date.year() && m == day.date.month())
        {
            months[i].received += day.received;
            months[i].answered += day.answered;
            months[i].answered_on_time += day.answered_on_time;
        }
    }
    for m in &mut months {
        m.on_time = percent_id(m.answered_on_time, m.answered);
    }

    let median_answer_ms = histogram_quantile(&data.answer_minutes, 0.5).map(|m| m * 60_000);
    let p90_answer_ms = histogram_quantile(&data.answer_minutes, 0.9).map(|m| m * 60_000);
    let answered_count = data.answer_minutes.iter().map(|(_, n)| n).sum();
    let keywords = frequent_words(&data.texts, 15)
        .into_iter()
        .map(|(label, count)| CountLine {
            share: percent_id(count, data.texts.len() as i64),
            label,
            count,
        })
        .collect();

    let chart_months = charts::columns(
        "Aduan diterima per bulan",
        &months
            .iter()
            .map(|m| charts::Bar::new(m.label.clone(), m.received as f64))
            .collect::<Vec<_>>(),
    );
    let chart_agencies = charts::horizontal_bars(
        "Dijawab tepat waktu per OPD (%)",
        &agencies
            .iter()
            .filter(|a| a.answered > 0)
            .take(25)
            .map(|a| {
                let pct = 100.0 * a.answered_on_time as f64 / a.answered as f64;
                charts::Bar::new(a.name.clone(), (pct * 10.0).round() / 10.0).alert(pct < 80.0)
            })
            .collect::<Vec<_>>(),
        "%",
        Some(100.0),
    );
    let categories = count_lines(categories, totals.received);
    let chart_categories = charts::shares(
        "Aduan per kategori",
        &categories
            .iter()
            .map(|c| charts::Bar::new(c.label.clone(), c.count as f64))
            .collect::<Vec<_>>(),
    );
    SemesterReport {
        title: SEMESTER_TITLE.into(),
        addressee: SEMESTER_ADDRESSEE.into(),
        region: region.to_string(),
        scope: scope.to_string(),
        period: period.to_string(),
        period_label: period.label_id(),
        channels: count_lines(channels, totals.received),
        statuses: count_lines(statuses, totals.received),
        declined: count_lines(declined, totals.declined),
        categories,
        totals,
        agencies,
        steps,
        months,
        answered_count,
        median_answer: median_answer_ms
            .map(duration_id)
            .unwrap_or_else(|| "-".into()),
        p90_answer: p90_answer_ms.map(duration_id).unwrap_or_else(|| "-".into()),
        median_answer_ms,
        p90_answer_ms,
        keywords,
        keyword_sample: data.texts.len(),
        place_date: format!("{region}, {}", date_long(now, tz)),
        chart_months,
        chart_agencies,
        chart_categories,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_from_a_histogram() {
        let hist = [(1, 5), (2, 4), (10, 1)];
        assert_eq!(histogram_quantile(&hist, 0.5), Some(1));
        assert_eq!(histogram_quantile(&hist, 0.6), Some(2));
        assert_eq!(histogram_quantile(&hist, 0.9), Some(2));
        assert_eq!(histogram_quantile(&hist, 1.0), Some(10));
        assert_eq!(histogram_quantile(&[], 0.5), None);
    }

    #[test]
    fn words_and_durations() {
        let texts = vec![
            "Lampu jalan mati, lampu mati lagi!".to_string(),
            "Jalan rusak dekat pasar 12".to_string(),
        ];
        let words = frequent_words(&texts, 3);
        assert_eq!(words[0], ("jalan".to_string(), 2));
        assert!(words.iter().all(|(w, _)| w != "lagi" && w != "12"));
        assert_eq!(duration_id(45 * 60_000), "45 menit");
        assert_eq!(duration_id((26 * 60 + 5) * 60_000), "1 hari 2 jam");
        assert_eq!(duration_id((3 * 60 + 7) * 60_000), "3 jam 7 menit");
        assert_eq!(percent_id(7, 8), "87,5%");
        assert_eq!(percent_id(1, 0), "-");
    }
}
