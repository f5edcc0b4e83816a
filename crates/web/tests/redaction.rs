//! Privacy of published cases end to end (issue 12), on SQLite and PostgreSQL: complaints with
//! planted personal data in many spellings are filed through the public API, answered through
//! the staff API (answers repeat the reporter's data and quote the ticket's own tracking code and
//! register number), published, and every public surface is crawled. No planted value may
//! appear in any normalised form; harmless numbers and words must stay.

mod common;

use common::{TestApp, spawn_apps};
use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

/// How a planted value is looked for on a page.
#[derive(Debug, Clone)]
enum Needle {
    /// Digits (at least seven) inside any run of digits joined by separators or look-alikes.
    Digits(String),
    /// Text in the folded page (lower case, accents removed, spaces collapsed).
    Text(String),
}

struct Case {
    input: Value,
    /// Written into the answer; `{code}` and `{register}` are filled in once filed.
    answer: String,
    needles: Vec<Needle>,
    /// Must be found in the published question or answer.
    kept: Vec<String>,
    /// Words that must not be in the published question or answer (a named reporter's first
    /// name is allowed only in the byline).
    masked_words: Vec<String>,
    one_word_name: Option<String>,
}

const FIRST: &[&str] = &[
    "André",
    "Muhammad",
    "Siti",
    "Yohanes",
    "Ketut",
    "Dewanto",
    "Rahmawati",
    "Hendrawan",
    "Fransiska",
    "Nyoman",
    "Agustinus",
    "Wulan",
];
const LAST: &[&str] = &[
    "Wiratmoko",
    "Rizky Pratomo",
    "Nurhaliza Harahap",
    "Simatupang",
    "Sudarsana",
    "Kusumawardhana",
    "Lubis",
    "Pangaribuan",
    "Tambunan",
    "Widyastuti",
    "Siregar",
    "Prawirodirjo",
];

/// Mobile digits after the leading 0, unique per ticket and slot.
fn mobile(i: usize, slot: usize) -> String {
    let prefixes = [
        "812", "813", "821", "852", "857", "877", "878", "896", "859", "838", "881", "895",
    ];
    format!(
        "{}{:07}",
        prefixes[(i + slot) % prefixes.len()],
        3_100_000 + i * 37 + slot * 1_000_003 % 999_983
    )
}

fn fullwidth(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from_u32(c as u32 - 0x30 + 0xFF10).unwrap()
            } else {
                c
            }
        })
        .collect()
}

fn spelled(digits: &str) -> String {
    const WORDS: [&str; 10] = [
        "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    ];
    digits
        .chars()
        .map(|c| WORDS[c.to_digit(10).unwrap() as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

/// A mobile number (`8…`, without the 0) in spelling `k`, and how to find it.
fn phone_spelling(d: &str, k: usize) -> (String, Needle) {
    let (a, b, c) = (&d[..3], &d[3..7], &d[7..]);
    let written = match k % 16 {
        0 => format!("0{a}-{b}-{c}"),
        1 => format!("+62 {a} {b} {c}"),
        2 => format!("(0{a}){b}{c}"),
        3 => format!("+62 ({a}) {b}-{c}"),
        4 => format!("0062 {a} {b} {c}"),
        5 => format!("0{a}/{b}/{c}"),
        6 => format!("0{a} \u{2013} {b} \u{2013} {c}"),
        7 => format!("0{a}\u{00A0}{b}\u{2009}{c}"),
        8 => format!("0{a} {b}\n{c}"),
        9 => format!("0{a}{b}{c}")
            .replacen('0', "o", 1)
            .replace('1', "l"),
        10 => fullwidth(&format!("0{a}{b}{c}")),
        11 => {
            return (
                format!("nol {}", spelled(d)),
                Needle::Text(spelled(&d[..6])),
            );
        }
        12 => format!("62{a}{b}{c}"),
        13 => format!("0{a}.{b}.{c}"),
        14 => format!("WA {a}{b}{c}"),
        _ => format!("0{a} {b} {c}"),
    };
    (written, Needle::Digits(d.to_string()))
}

fn landline(i: usize) -> (String, Needle) {
    let areas = ["61", "21", "22", "274", "361", "411", "751", "31"];
    let area = areas[i % areas.len()];
    let number = format!("{}", 5_200_000 + i * 131);
    let written = match i % 4 {
        0 => format!("(0{area}) {number}"),
        1 => format!("0{area}-{number}"),
        2 => format!("+62 {area} {number}"),
        _ => format!("0{area} {} {}", &number[..3], &number[3..]),
    };
    (written, Needle::Digits(format!("{area}{number}")))
}

fn email_spelling(local: &str, k: usize) -> String {
    let host = ["gmail", "yahoo", "surel", "posku"][k % 4];
    match k % 10 {
        0 => format!("{local}@{host}.com"),
        1 => format!("{local} @ {host} . com"),
        2 => format!("{local}[at]{host}[dot]com"),
        3 => format!("{local}(at){host}(dot)co(dot)id"),
        4 => format!("{local} at {host} dot com"),
        5 => format!("{local}＠{host}.co.id"),
        6 => format!("{local}@{host},com"),
        7 => format!("{local} [at] {host} [titik] id"),
        8 => format!("{local}{{at}}{host}{{dot}}net"),
        _ => format!("{local} (at) {host}.id"),
    }
}

/// An ID number in spelling `k`, unique per ticket.
fn id_number(i: usize, k: usize) -> (String, Needle) {
    let nik = format!("3271{:012}", 100_000_000_000u64 + i as u64 * 7_919);
    let n = &nik;
    match k % 11 {
        0 => (
            format!("NIK {} {} {} {}", &n[..4], &n[4..8], &n[8..12], &n[12..]),
            Needle::Digits(n.clone()),
        ),
        1 => (
            format!("KK: {}\n{}", &n[..12], &n[12..]),
            Needle::Digits(n.clone()),
        ),
        2 => (
            format!(
                "NIK saya {}",
                n.chars()
                    .collect::<Vec<_>>()
                    .chunks(4)
                    .map(|c| c.iter().collect::<String>())
                    .collect::<Vec<_>>()
                    .join(".")
            ),
            Needle::Digits(n.clone()),
        ),
        3 => {
            let p = &n[1..];
            (
                format!(
                    "NPWP {}.{}.{}.{}-{}.{}",
                    &p[..2],
                    &p[2..5],
                    &p[5..8],
                    &p[8..9],
                    &p[9..12],
                    &p[12..]
                ),
                Needle::Digits(p.to_string()),
            )
        }
        4 => (
            format!("NPWP {}", &n[1..]),
            Needle::Digits(n[1..].to_string()),
        ),
        5 => (
            format!("rek BCA {} {} {}", &n[4..7], &n[7..10], &n[10..14]),
            Needle::Digits(n[4..14].to_string()),
        ),
        6 => (
            format!(
                "no. rek BRI {}-{}-{}-{}",
                &n[2..6],
                &n[6..8],
                &n[8..14],
                &n[14..]
            ),
            Needle::Digits(n[2..16].to_string()),
        ),
        7 => (
            format!("Mandiri: {}", &n[3..16]),
            Needle::Digits(n[3..16].to_string()),
        ),
        8 => (
            format!("kartu BPJS 000{}", &n[6..16]),
            Needle::Digits(n[6..16].to_string()),
        ),
        9 => (
            format!("SIM C {}-{}-{}", &n[2..6], &n[6..10], &n[10..16]),
            Needle::Digits(n[2..16].to_string()),
        ),
        _ => (
            format!("paspor B{}", &n[9..16]),
            Needle::Digits(n[9..16].to_string()),
        ),
    }
}

const HARMLESS: &[&str] = &[
    "Rp 6.266.000.000",
    "Rp6.266.000",
    "bebas pulsa 0800-1-500-500",
    "UU Nomor 25 Tahun 2009",
    "NIP 198501012010011001",
    "RT 003/RW 005",
    "tanggal 12-11-2026",
    "pukul 08.30",
    "surat 800/1234/DISHUB/2026",
    "rumah No. 45A",
    "ibu-ibu",
    "call center 0804 1 500 000",
];

fn corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    for i in 0..60 {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i / FIRST.len() + i) % LAST.len()];
        let anonymous = i % 4 == 3;
        let one_word = i % 10 == 5 && !anonymous;
        let reporter_digits = mobile(i, 0);
        let local = format!(
            "warga.{}{}x{}",
            first
                .to_lowercase()
                .nfd()
                .filter(|c| c.is_ascii_alphabetic())
                .collect::<String>(),
            i,
            i * 7
        );
        let reporter_email = format!("{local}@contoh.id");
        let mut needles = Vec::new();
        let mut masked_words = Vec::new();
        let (name_field, intro) = if anonymous {
            (None, format!("Saya {first} {last}, warga kelurahan."))
        } else if one_word {
            (Some("Bagus".to_string()), "Lapor.".to_string())
        } else if i % 5 == 1 {
            (
                Some(format!("Ibu {first} {last}")),
                "Selamat pagi.".to_string(),
            )
        } else {
            (
                Some(format!("{first} {last}")),
                "Selamat siang.".to_string(),
            )
        };
        for word in last.split(' ') {
            if !one_word {
                needles.push(Needle::Text(fold(word)));
            }
        }
        if anonymous {
            needles.push(Needle::Text(fold(first)));
        } else if !one_word {
            masked_words.push(fold(first));
        }
        let (phone_q, phone_needle) = phone_spelling(&mobile(i, 1), i);
        let (phone_q2, phone_needle2) = phone_spelling(&mobile(i, 2), i + 7);
        let (line, line_needle) = landline(i);
        let email_q = email_spelling(&format!("pelapor{i}.{}", i * 13), i);
        let (id_q, id_needle) = id_number(i, i);
        let (id_q2, id_needle2) = id_number(i + 60, i + 5);
        needles.extend([
            phone_needle,
            phone_needle2,
            line_needle,
            Needle::Text(format!("pelapor{i}.{}", i * 13)),
            id_needle,
            id_needle2,
            Needle::Digits(reporter_digits.clone()),
            Needle::Text(local.clone()),
        ]);
        let harmless = [
            HARMLESS[i % HARMLESS.len()],
            HARMLESS[(i + 5) % HARMLESS.len()],
        ];
        let bagus = if one_word {
            " Kondisinya tidak bagus sama sekali."
        } else {
            ""
        };
        let text = format!(
            "{intro} Lampu jalan mati di depan {}. Mohon hubungi {phone_q} atau kantor {line}, \
             email {email_q}. Data: {id_q}; {id_q2}. Cadangan: {phone_q2}. Catatan {}.{bagus}",
            harmless[0], harmless[1]
        );
        let (reporter_phone_again, _) = phone_spelling(&reporter_digits, i + 3);
        let name_in_answer = if one_word {
            "Pak Bagus".to_string()
        } else {
            match i % 4 {
                0 => format!("Bapak/Ibu {} {}", first.to_uppercase(), last.to_uppercase()),
                1 => format!("Ibu {}", fold(&format!("{first} {last}"))),
                2 => format!("Sdr. {}", near_spelling(&format!("{first} {last}"))),
                _ => format!("Saudara {first} {last}"),
            }
        };
        if one_word {
            needles.push(Needle::Text("pak bagus".into()));
        }
        let answer = format!(
            "Terima kasih {name_in_answer}. Petugas sudah menghubungi {reporter_phone_again} dan \
             mengirim surel ke {}. Aduan {{code}} (register {{register}}) selesai {}.",
            email_spelling(&local, i + 1),
            harmless[1]
        );
        let mut kept: Vec<String> = harmless.iter().map(|h| h.to_string()).collect();
        if one_word {
            kept.push("tidak bagus sama sekali".into());
        }
        cases.push(Case {
            input: json!({
                "category": "pengaduan",
                "text": text,
                "agency_code": "DISHUB",
                "reporter_name": name_field,
                "reporter_phone": format!("0{reporter_digits}"),
                "reporter_email": reporter_email,
                "anonymous": anonymous,
            }),
            answer,
            needles,
            kept,
            masked_words,
            one_word_name: one_word.then(|| "Bagus".to_string()),
        });
    }
    cases
}

/// `Muhammad Rizky` → `Muhamad Rizki`: a doubled letter dropped, a final y for i.
fn near_spelling(name: &str) -> String {
    name.split(' ')
        .map(|w| {
            let mut out = String::new();
            for c in w.chars() {
                if !out.ends_with(c) {
                    out.push(c);
                }
            }
            if out.ends_with('y') {
                out.pop();
                out.push('i');
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lower case, accents removed, JSON line breaks decoded, white space collapsed.
fn fold(text: &str) -> String {
    let decoded = text.replace("\\n", "\n");
    let folded: String = decoded
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The runs of digits in a page, separators and look-alikes read as a reader would.
fn digit_runs(page: &str) -> Vec<String> {
    let chars: Vec<char> = page.replace("\\n", "\n").nfkc().collect();
    let mut runs = Vec::new();
    let mut run = String::new();
    let mut gap = 0;
    for (k, &c) in chars.iter().enumerate() {
        let near_digit = |d: isize| {
            let j = k as isize + d;
            j >= 0 && (j as usize) < chars.len() && chars[j as usize].is_ascii_digit()
        };
        let digit = match c {
            '0'..='9' => Some(c),
            'o' | 'O' if near_digit(-1) || near_digit(1) => Some('0'),
            'l' | 'I' if near_digit(-1) || near_digit(1) => Some('1'),
            _ => None,
        };
        match digit {
            Some(d) => {
                run.push(d);
                gap = 0;
            }
            None if !run.is_empty()
                && gap < 3
                && (c.is_whitespace() || "-\u{2013}\u{2014}./()+".contains(c)) =>
            {
                gap += 1
            }
            None => {
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
                gap = 0;
            }
        }
    }
    runs.push(run);
    runs
}

fn leaks(page: &str, needles: &[Needle]) -> Vec<String> {
    let runs = digit_runs(page);
    let folded = fold(page);
    needles
        .iter()
        .filter(|n| match n {
            Needle::Digits(d) => runs.iter().any(|r| r.contains(d.as_str())),
            Needle::Text(t) => folded.contains(t.as_str()),
        })
        .map(|n| format!("{n:?}"))
        .collect()
}

async fn fetch(app: &TestApp, path: &str) -> String {
    let response = app.client.get(app.at(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn no_planted_value_reaches_any_public_surface() {
    let corpus = corpus();
    let all_needles: Vec<Needle> = corpus.iter().flat_map(|c| c.needles.clone()).collect();
    assert!(
        all_needles.len() >= 150,
        "{} planted values",
        all_needles.len()
    );
    for app in spawn_apps().await {
        let officer = app.token("penghubung.dishub").await;
        let mut filed = Vec::new();
        for case in &corpus {
            let response = app
                .client
                .post(app.at("/api/v1/tickets"))
                .json(&case.input)
                .send()
                .await
                .unwrap();
            let status = response.status();
            let created: Value = response.json().await.unwrap();
            assert_eq!(status, 201, "{created}");
            filed.push(created);
        }
        let listed: Value = app
            .client
            .get(app.at("/api/v1/tickets?limit=200"))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id_of = |code: &str| {
            listed["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["tracking_code"] == code)
                .unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let mut codes = Vec::new();
        for (case, created) in corpus.iter().zip(&filed) {
            let code = created["tracking_code"].as_str().unwrap().to_string();
            let register = created["register_number"].as_str().unwrap().to_string();
            let grouped_code = format!("{}-{}", &code[..5], &code[5..]).to_lowercase();
            let body = case
                .answer
                .replace("{code}", &grouped_code)
                .replace("{register}", &register);
            let response = app
                .client
                .post(app.at(&format!("/api/v1/tickets/{}/answer", id_of(&code))))
                .bearer_auth(&officer)
                .json(&json!({ "body": body }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
            codes.push((code, register));
        }

        // Every public surface, every page of the lists.
        let mut pages = vec![
            fetch(&app, "/kasus/feed.atom").await,
            fetch(&app, "/instansi").await,
            fetch(&app, "/instansi/DISHUB").await,
            fetch(&app, "/statistik").await,
        ];
        let mut cases_json = Vec::new();
        for page in 1..=4 {
            pages.push(fetch(&app, &format!("/kasus?page={page}")).await);
            let list: Value =
                serde_json::from_str(&fetch(&app, &format!("/api/v1/cases?page={page}")).await)
                    .unwrap();
            cases_json.extend(list["items"].as_array().unwrap().iter().cloned());
        }
        assert_eq!(cases_json.len(), corpus.len(), "every case published");
        for item in &cases_json {
            let id = item["id"].as_i64().unwrap();
            pages.push(fetch(&app, &format!("/kasus/{id}")).await);
            pages.push(fetch(&app, &format!("/api/v1/cases/{id}")).await);
        }
        pages.push(serde_json::to_string(&cases_json).unwrap());
        let code_needles: Vec<Needle> = codes
            .iter()
            .flat_map(|(code, register)| {
                [
                    Needle::Text(code.to_lowercase()),
                    Needle::Text(fold(register)),
                ]
            })
            .collect();
        for page in &pages {
            let found = leaks(page, &all_needles);
            assert!(found.is_empty(), "planted values published: {found:?}");
            let found = leaks(page, &code_needles);
            assert!(
                found.is_empty(),
                "a published case leads to its tracking page: {found:?}"
            );
        }

        // Per case: harmless values kept, the first name only in the byline, a one-word name
        // never whole, and the tracking page shows the answer masked.
        for (case, (code, _)) in corpus.iter().zip(&codes) {
            let tracked: Value =
                serde_json::from_str(&fetch(&app, &format!("/api/v1/track/{code}")).await).unwrap();
            let answered = tracked["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["kind"] == "answered")
                .unwrap();
            let answer = answered["body"].as_str().unwrap();
            let published = cases_json
                .iter()
                .find(|c| c["answer"] == answer)
                .expect("tracking page shows the published answer");
            let mut own = case.needles.clone();
            own.push(Needle::Text(code.to_lowercase()));
            assert!(
                leaks(answer, &own).is_empty(),
                "/api/v1/track/{code}: {answer}"
            );
            let html = fetch(&app, &format!("/lacak/{code}")).await;
            assert!(
                leaks(&html, &case.needles).is_empty(),
                "/lacak/{code}: {:?}",
                leaks(&html, &case.needles)
            );
            assert!(
                !html.contains("contoh.id") && !tracked.to_string().contains("contoh.id"),
                "reporter's email on the tracking page"
            );
            let text = format!("{} {}", published["question"], published["answer"]);
            for kept in &case.kept {
                assert!(
                    text.contains(kept.as_str()),
                    "{kept:?} over-masked in {text}"
                );
            }
            assert!(text.contains("ibu-ibu") || !case.kept.iter().any(|k| k == "ibu-ibu"));
            let words = fold(&text);
            for word in &case.masked_words {
                assert!(
                    !words
                        .split(|c: char| !c.is_alphanumeric())
                        .any(|w| w == word),
                    "{word} in {text}"
                );
            }
            if let Some(name) = &case.one_word_name {
                assert_ne!(
                    published["reporter"].as_str(),
                    Some(name.as_str()),
                    "one-word name as byline"
                );
            }
        }

        // A public search for a masked value finds nothing.
        for needle in all_needles.iter().step_by(3) {
            let q = match needle {
                Needle::Digits(d) => format!("0{d}"),
                // A phrase (`pak bagus`) has ordinary words that are rightly found.
                Needle::Text(t) if t.contains(' ') => continue,
                Needle::Text(t) => t.clone(),
            };
            let found: Value = app
                .client
                .get(app.at("/api/v1/cases"))
                .query(&[("q", q.as_str())])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(
                found["items"].as_array().unwrap().len(),
                0,
                "search {q:?} found {found}"
            );
        }
    }
}
