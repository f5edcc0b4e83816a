//! Names. The reporter's name words are compared with every word of the text folded (letters
//! only, accents removed, any case) and in a spelling-independent form (`Muhammad Rizky` ~
//! `Muhamad Rizki`), near spellings within a small edit distance. A name word that is also an
//! ordinary word (`Bagus`, `Indah`, `Kasih`) is masked only after a title, in a
//! self-introduction or next to another masked name word. Titles (`Ibu`, `Pak`, `Sdr.`) are never
//! part of a name. A self-introduction (`Saya Budi Santoso`, `nama saya …`, `atas nama …`) names
//! the reporter even in an anonymous ticket. With `third_party` on, any capitalised name after a
//! title is masked too.

use super::normalise::{Text, canonical_name, edit_distance, fold_word};
use super::{NAME_MASK, Span};

const TITLES: &[&str] = &[
    "bapak",
    "pak",
    "bpk",
    "bp",
    "ibu",
    "bu",
    "sdr",
    "sdri",
    "saudara",
    "saudari",
    "tuan",
    "tn",
    "nyonya",
    "ny",
    "nona",
    "nn",
    "mas",
    "mbak",
    "mba",
    "kak",
    "kakak",
    "bang",
    "abang",
    "adik",
    "dik",
    "om",
    "tante",
    "haji",
    "hajjah",
    "hajah",
    "hj",
    "dr",
    "drs",
    "dra",
    "ir",
    "prof",
    "ust",
    "ustadz",
    "ustaz",
    "ustadzah",
    "kyai",
    "kiai",
    "kh",
    "alm",
    "almh",
    "almarhum",
    "almarhumah",
    "yth",
    "mr",
    "mrs",
    "ms",
    "sir",
    "cak",
    "ning",
    "teh",
    "aa",
    "akang",
    "kang",
    "uda",
    "uni",
    "opung",
    "inang",
    "amang",
    "engku",
    "datuk",
    "daeng",
    "bli",
    "mbok",
];

/// Words that are names of people and ordinary words as well.
const ORDINARY: &[&str] = &[
    "bagus", "indah", "sari", "putri", "putra", "ayu", "cahaya", "bunga", "intan", "mulia", "jaya",
    "agung", "rahmat", "iman", "damai", "setia", "mawar", "melati", "bintang", "budi", "rahayu",
    "lestari", "mega", "permata", "surya", "bulan", "fajar", "selamat", "slamet", "untung",
    "sehat", "bahagia", "kasih", "harapan", "cinta", "suci", "murni", "aman", "adil", "sinar",
    "pelangi", "embun", "angin", "hujan", "langit", "ratu", "raja", "manis", "amin", "sabar",
    "teguh", "perdana", "utama", "pratama", "sentosa", "jujur", "bakti", "karya", "merdeka",
    "mutiara", "pandu", "tegar", "rajin", "riang", "dewi", "berkah", "ikhlas", "anugerah",
    "kurnia", "karunia", "rezeki", "wahyu", "hidayah", "senja", "pagi", "tirta", "bayu", "ria",
    "abadi", "sejati", "dharma", "darma", "gagah", "kuat", "bening", "harta", "kencana", "emas",
    "perak", "rosa", "lili", "tulus",
];

/// Words that end a name or cannot start one after `saya`.
const STOP_WORDS: &[&str] = &[
    "dan",
    "dari",
    "yang",
    "di",
    "ke",
    "warga",
    "tinggal",
    "ingin",
    "mau",
    "akan",
    "sudah",
    "telah",
    "tidak",
    "tak",
    "belum",
    "sedang",
    "hanya",
    "juga",
    "adalah",
    "ialah",
    "merasa",
    "mohon",
    "minta",
    "meminta",
    "sangat",
    "amat",
    "sebagai",
    "selaku",
    "bersama",
    "beserta",
    "pernah",
    "masih",
    "bisa",
    "dapat",
    "harus",
    "perlu",
    "kira",
    "rasa",
    "lihat",
    "melihat",
    "baru",
    "sendiri",
    "untuk",
    "dengan",
    "pada",
    "ini",
    "itu",
    "orang",
    "seorang",
    "salah",
    "mewakili",
    "atas",
    "mengadu",
    "melapor",
    "melaporkan",
    "mengeluh",
    "mengeluhkan",
    "berharap",
    "harap",
    "kecewa",
    "bekerja",
    "punya",
    "memiliki",
    "mempunyai",
    "sering",
    "selalu",
    "kembali",
    "lagi",
    "pun",
    "ya",
    "tolong",
    "hendak",
    "bermaksud",
    "menyampaikan",
    "sampaikan",
    "mengajukan",
    "ajukan",
    "bingung",
    "heran",
    "khawatir",
    "takut",
    "terima",
    "kasih",
    "mengucapkan",
    "menanyakan",
    "tanya",
    "bertanya",
    "mendapat",
    "mendapatkan",
    "menerima",
    "sekeluarga",
    "kami",
    "kita",
    "mereka",
    "dia",
    "beliau",
    "nomor",
    "no",
    "email",
    "hp",
    "wa",
    "rt",
    "rw",
    "selamat",
    "pagi",
    "siang",
    "sore",
    "malam",
    "lapor",
    "sudah",
    "setuju",
    "senang",
    "kesal",
    "marah",
    "jadi",
    "karena",
    "sebab",
    "namun",
    "tapi",
    "tetapi",
    "serta",
    "atau",
    "agar",
    "supaya",
    "jika",
    "kalau",
    "bahwa",
    "sejak",
    "hingga",
    "sampai",
    "waktu",
    "tanggal",
    "hari",
    "tahun",
    "bulan",
    "jam",
    "ibu",
    "bapak",
    "anak",
];

/// Positions and roles that follow a title without being a name (`Pak Lurah`, `Ibu Kepala`).
const ROLE_WORDS: &[&str] = &[
    "lurah",
    "camat",
    "rt",
    "rw",
    "kades",
    "kadus",
    "kepala",
    "bupati",
    "wakil",
    "wali",
    "walikota",
    "gubernur",
    "presiden",
    "menteri",
    "dokter",
    "guru",
    "polisi",
    "petugas",
    "ketua",
    "sekretaris",
    "direktur",
    "kadis",
    "kabid",
    "kasi",
    "kasubag",
    "kasubbag",
    "staf",
    "staff",
    "satpam",
    "sopir",
    "supir",
    "dosen",
    "dekan",
    "rektor",
    "hakim",
    "jaksa",
    "kapolsek",
    "kapolres",
    "danramil",
    "babinsa",
    "bidan",
    "perawat",
    "mantri",
    "imam",
    "pendeta",
    "pastor",
    "dirut",
    "manajer",
    "admin",
    "operator",
    "pegawai",
    "pejabat",
    "bendahara",
    "kepsek",
    "pemilik",
    "penjual",
    "pedagang",
    "tetangga",
    "anggota",
    "pengurus",
    "pimpinan",
    "bos",
    "tukang",
    "kurir",
    "ojek",
    "dewan",
    "sekda",
    "kades",
    "kakak",
    "adik",
    "yang",
    "dan",
];

/// The words of the masks themselves: never a name, so that masking twice changes nothing.
const MASK_WORDS: &[&str] = &[
    "nama",
    "nomor",
    "telepon",
    "email",
    "nik",
    "npwp",
    "rekening",
    "identitas",
    "kode",
    "aduan",
    "alamat",
    "pelat",
    "akun",
    "media",
    "sosial",
];

pub(super) fn is_title(folded: &str) -> bool {
    TITLES.contains(&folded)
}

struct NameWord {
    canonical: String,
    ordinary: bool,
}

/// The reporter's name words (from the name field and from self-introductions).
pub(super) struct NameWords(Vec<NameWord>);

/// A word of the text.
struct Word {
    start: usize,
    end: usize,
    folded: String,
    capitalised: bool,
}

impl NameWords {
    pub fn new(names: &[String]) -> Self {
        let mut words = NameWords(Vec::new());
        for name in names {
            for part in name.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '\u{2019}')) {
                words.add(&fold_word(part));
            }
        }
        words
    }

    fn add(&mut self, folded: &str) {
        if folded.chars().count() < 3 || is_title(folded) || MASK_WORDS.contains(&folded) {
            return;
        }
        let canonical = canonical_name(folded);
        if self.0.iter().all(|w| w.canonical != canonical) {
            self.0.push(NameWord {
                canonical,
                ordinary: ORDINARY.contains(&folded),
            });
        }
    }

    /// Adds the names a text introduces (`Saya Budi Santoso`).
    pub fn learn_introductions(&mut self, text: &Text) {
        let words = words_of(text);
        for (start, end) in introductions(text, &words) {
            for w in &words[start..end] {
                self.add(&w.folded);
            }
        }
    }

    pub fn find(&self, text: &Text, third_party: bool, spans: &mut Vec<Span>) {
        let words = words_of(text);
        let mut masked = vec![false; words.len()];
        for (start, end) in introductions(text, &words) {
            masked[start..end].iter_mut().for_each(|m| *m = true);
        }
        let matches: Vec<Option<Match>> = words.iter().map(|w| self.matching(w)).collect();
        for k in 0..words.len() {
            let after_title =
                k > 0 && is_title(&words[k - 1].folded) && joined(text, &words[k - 1], &words[k]);
            match matches[k] {
                Some(Match::Strong) => masked[k] = true,
                Some(Match::Weak) if after_title => masked[k] = true,
                Some(Match::Near) if after_title || words[k].capitalised => masked[k] = true,
                _ => {}
            }
            if third_party && after_title && is_name_like(&words[k]) {
                let mut j = k;
                while j < words.len()
                    && j < k + 3
                    && is_name_like(&words[j])
                    && (j == k || joined(text, &words[j - 1], &words[j]))
                {
                    masked[j] = true;
                    j += 1;
                }
            }
        }
        // A weak or near match next to a masked name word is part of that name.
        for _ in 0..3 {
            let mut changed = false;
            for k in 0..words.len() {
                let next_to_mask =
                    (k > 0 && masked[k - 1] && joined(text, &words[k - 1], &words[k]))
                        || (k + 1 < words.len()
                            && masked[k + 1]
                            && joined(text, &words[k], &words[k + 1]));
                if !masked[k] && matches[k].is_some() && next_to_mask {
                    masked[k] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for (w, m) in words.iter().zip(masked) {
            if m {
                spans.push(Span {
                    start: w.start,
                    end: w.end,
                    mask: NAME_MASK,
                });
            }
        }
    }

    fn matching(&self, word: &Word) -> Option<Match> {
        let len = word.folded.chars().count();
        if len < 3 || is_title(&word.folded) || MASK_WORDS.contains(&word.folded.as_str()) {
            return None;
        }
        let canonical = canonical_name(&word.folded);
        let tolerance = match len {
            0..=4 => 0,
            5..=7 => 1,
            _ => 2,
        };
        let mut best = None;
        for name in &self.0 {
            if name.canonical == canonical {
                return Some(
                    if name.ordinary || ORDINARY.contains(&word.folded.as_str()) {
                        Match::Weak
                    } else {
                        Match::Strong
                    },
                );
            }
            let near = tolerance > 0
                && name.canonical.chars().count() >= 5
                && edit_distance(&canonical, &name.canonical) <= tolerance;
            if near
                && !ORDINARY.contains(&word.folded.as_str())
                && !STOP_WORDS.contains(&word.folded.as_str())
            {
                best = Some(Match::Near);
            }
        }
        best
    }
}

#[derive(Clone, Copy)]
enum Match {
    /// The same name word, and not an ordinary word.
    Strong,
    /// The same word, but also an ordinary word: a name only in context.
    Weak,
    /// A near spelling: a name when capitalised or in context.
    Near,
}

fn words_of(text: &Text) -> Vec<Word> {
    let chars = &text.chars;
    let is_letter = |k: usize| {
        chars[k].is_alphabetic()
            || (matches!(chars[k], '\'' | '\u{2019}')
                && k > 0
                && chars[k - 1].is_alphabetic()
                && chars.get(k + 1).is_some_and(|c| c.is_alphabetic()))
    };
    let mut words = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_letter(i) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_letter(i) {
            i += 1;
        }
        let raw: String = chars[start..i].iter().collect();
        words.push(Word {
            start,
            end: i,
            folded: fold_word(&raw),
            capitalised: raw.chars().next().is_some_and(char::is_uppercase),
        });
    }
    words
}

/// Two words of one phrase: only spaces between them, or the dot of an abbreviation (`Sdr. Budi`).
fn joined(text: &Text, a: &Word, b: &Word) -> bool {
    let gap = &text.chars[a.end..b.start];
    !gap.is_empty()
        && gap.len() <= 2
        && gap.iter().all(|c| matches!(c, ' ' | '.'))
        && gap.iter().filter(|c| **c == '.').count() <= 1
}

fn is_name_like(word: &Word) -> bool {
    word.capitalised
        && word.folded.chars().count() >= 2
        && !ROLE_WORDS.contains(&word.folded.as_str())
        && !STOP_WORDS.contains(&word.folded.as_str())
        && !is_title(&word.folded)
        && !MASK_WORDS.contains(&word.folded.as_str())
}

/// Word ranges `[start, end)` that a text introduces as the writer's name: after `nama saya`,
/// `bernama`, `atas nama`, `a.n.` any words; after `saya`/`aku` (and `perkenalkan`) only
/// capitalised ones; up to four words, until punctuation or a stop word.
fn introductions(text: &Text, words: &[Word]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let separated_by = |a: &Word, b: &Word, allowed: &[char]| {
        let gap = &text.chars[a.end..b.start];
        gap.len() <= 3 && gap.iter().all(|c| allowed.contains(c))
    };
    for k in 0..words.len() {
        let w = |j: usize| words[j].folded.as_str();
        let explicit = (k >= 2 && w(k - 2) == "nama" && w(k - 1) == "saya")
            || (k >= 1 && w(k - 1) == "bernama")
            || (k >= 2 && w(k - 2) == "atas" && w(k - 1) == "nama")
            || (k >= 2
                && w(k - 2) == "a"
                && w(k - 1) == "n"
                && separated_by(&words[k - 2], &words[k - 1], &['.']));
        let weak = k >= 1 && matches!(w(k - 1), "saya" | "aku" | "perkenalkan");
        if !(explicit || weak)
            || !separated_by(&words[k - 1], &words[k], &[' ', ':', ',', '.', '-'])
        {
            continue;
        }
        let first = if explicit && matches!(w(k), "adalah" | "ialah") {
            k + 1
        } else {
            k
        };
        let mut end = first;
        while end < words.len() && end < first + 4 {
            let word = &words[end];
            let ok = !STOP_WORDS.contains(&word.folded.as_str())
                && !is_title(&word.folded)
                && !MASK_WORDS.contains(&word.folded.as_str())
                && (explicit || word.capitalised)
                && (end == first || joined(text, &words[end - 1], word));
            if !ok {
                break;
            }
            end += 1;
        }
        if end > first {
            found.push((first, end));
        }
    }
    found
}
