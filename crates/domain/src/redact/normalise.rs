//! The text as the detectors read it. `chars` is the NFKC form that is published (fullwidth
//! digits and `＠` become ASCII, non-breaking and thin spaces become spaces); `view` has one
//! char per char of `chars`, with every dash folded to `-`, every other space to ` `, invisible
//! joiners to ` ` and the letters o/O/l/I read as digits inside a run of digits, so that
//! `o8l2‑3456` is seen as `0812-3456`. Spans found in `view` map one to one onto `chars`.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

pub(super) struct Text {
    pub chars: Vec<char>,
    pub view: Vec<char>,
    /// `view` as a string, for the regular expressions.
    pub view_str: String,
    /// Byte offset in `view_str` of each char (and the length at the end).
    starts: Vec<usize>,
}

impl Text {
    pub fn new(input: &str) -> Self {
        let chars: Vec<char> = input.nfkc().collect();
        let mut view: Vec<char> = chars.iter().map(|&c| fold_char(c)).collect();
        read_lookalikes_as_digits(&mut view);
        let mut view_str = String::with_capacity(view.len());
        let mut starts = Vec::with_capacity(view.len() + 1);
        for &c in &view {
            starts.push(view_str.len());
            view_str.push(c);
        }
        starts.push(view_str.len());
        Text {
            chars,
            view,
            view_str,
            starts,
        }
    }

    /// The char index of a byte offset of `view_str` (always a char boundary).
    pub fn char_at(&self, byte: usize) -> usize {
        self.starts.partition_point(|&s| s < byte)
    }
}

fn fold_char(c: char) -> char {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
        '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => ' ',
        '\u{00B7}' | '\u{2022}' | '\u{2219}' => '.',
        '\n' => '\n',
        c if c.is_whitespace() => ' ',
        c => c,
    }
}

fn lookalike_digit(c: char) -> Option<char> {
    match c {
        'o' | 'O' => Some('0'),
        'l' | 'I' => Some('1'),
        _ => None,
    }
}

/// A word made only of digits and look-alike letters, with at least one real digit and no
/// fewer digits than look-alikes, is a number.
fn read_lookalikes_as_digits(view: &mut [char]) {
    let mut i = 0;
    while i < view.len() {
        if !view[i].is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let (mut digits, mut lookalikes, mut other) = (0, 0, 0);
        while i < view.len() && view[i].is_alphanumeric() {
            if view[i].is_ascii_digit() {
                digits += 1;
            } else if lookalike_digit(view[i]).is_some() {
                lookalikes += 1;
            } else {
                other += 1;
            }
            i += 1;
        }
        if other == 0 && lookalikes > 0 && digits >= 1 && digits >= lookalikes {
            for c in &mut view[start..i] {
                if let Some(d) = lookalike_digit(*c) {
                    *c = d;
                }
            }
        }
    }
}

/// A word as names are compared: letters only, accents removed, lower case (`André` → `andre`).
pub(super) fn fold_word(word: &str) -> String {
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A folded name word in a spelling-independent form: old spellings (`dj`, `tj`, `oe`, `sj`),
/// `y` for `i` and doubled letters collapsed (`Muhammad Rizky` ~ `muhamad rizki`).
pub(super) fn canonical_name(folded: &str) -> String {
    let replaced = folded
        .replace("dj", "j")
        .replace("tj", "c")
        .replace("oe", "u")
        .replace("sj", "sy")
        .replace("ph", "f")
        .replace('y', "i");
    let mut out = String::with_capacity(replaced.len());
    for c in replaced.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Levenshtein distance, for near spellings of short words.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_folds_spacing_dashes_and_lookalikes() {
        let text = Text::new("HP o8l2\u{2013}3456\u{00A0}789O, ＠ lol １２");
        let view: String = text.view.iter().collect();
        assert_eq!(view, "HP 0812-3456 7890, @ lol 12");
        assert_eq!(text.chars.len(), text.view.len());
    }

    #[test]
    fn names_fold_and_canonicalise() {
        assert_eq!(fold_word("André"), "andre");
        assert_eq!(fold_word("ANDRE"), "andre");
        assert_eq!(canonical_name("muhammad"), canonical_name("muhamad"));
        assert_eq!(canonical_name("rizky"), canonical_name("rizki"));
        assert_eq!(canonical_name("soekarno"), canonical_name("sukarno"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
