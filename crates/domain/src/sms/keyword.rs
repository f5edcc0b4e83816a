//! Keyword routing of inbound SMS: `DISHUB jalan rusak`, `dishub#jalan rusak`, `CEK ABCDEFGH23`.

use crate::TrackingCode;

/// Reserved command words, compared case-insensitively with the first word of an SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservedWords {
    /// Status query, followed by a tracking code: `CEK <kode>`.
    pub status: Vec<String>,
    /// Request for the usage instructions: `INFO`.
    pub help: Vec<String>,
}

impl Default for ReservedWords {
    fn default() -> Self {
        Self {
            status: vec!["CEK".into(), "STATUS".into()],
            help: vec!["INFO".into(), "BANTUAN".into()],
        }
    }
}

/// What an inbound SMS asks for. Whether a keyword is known is for the caller to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A status query; `None` when the code is missing or not a valid tracking code.
    Status(Option<TrackingCode>),
    Help,
    /// `keyword` is upper-cased; `rest` is the text after the separator exactly as sent, always a
    /// suffix of the input (its byte offset is `text.len() - rest.len()`).
    Keyword {
        keyword: String,
        rest: String,
    },
    /// Nothing but whitespace and separators.
    Empty,
}

/// Whitespace (space, tab, newline…) and `#`, `*`, `.` end the keyword.
pub fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '#' | '*' | '.')
}

/// Splits an SMS into its first word and the rest. Leading whitespace and separators are
/// skipped; exactly one separator character after the keyword is consumed.
pub fn parse(text: &str, reserved: &ReservedWords) -> Parsed {
    let start = text.trim_start_matches(is_separator);
    if start.is_empty() {
        return Parsed::Empty;
    }
    let (word, rest) = match start.char_indices().find(|&(_, c)| is_separator(c)) {
        Some((i, sep)) => (&start[..i], &start[i + sep.len_utf8()..]),
        None => (start, ""),
    };
    let keyword = word.to_uppercase();
    let is = |words: &[String]| words.iter().any(|w| w.trim().to_uppercase() == keyword);
    if is(&reserved.status) {
        Parsed::Status(parse_code(rest))
    } else if is(&reserved.help) {
        Parsed::Help
    } else {
        Parsed::Keyword {
            keyword,
            rest: rest.to_owned(),
        }
    }
}

/// The code as typed (`ABCDE-FGHJK`, `abcde fghjk`), or else its first word (`ABCDEFGHJK terima
/// kasih`); punctuation such as `:` before it is ignored.
fn parse_code(rest: &str) -> Option<TrackingCode> {
    let rest = rest.trim_start_matches(|c: char| !c.is_alphanumeric());
    TrackingCode::parse(rest).or_else(|| {
        let first = rest.split(|c: char| is_separator(c) || c == ',').next()?;
        TrackingCode::parse(first)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(text: &str) -> Parsed {
        parse(text, &ReservedWords::default())
    }

    fn kw(keyword: &str, rest: &str) -> Parsed {
        Parsed::Keyword {
            keyword: keyword.into(),
            rest: rest.into(),
        }
    }

    fn code(s: &str) -> Option<TrackingCode> {
        TrackingCode::parse(s)
    }

    #[test]
    fn all_separators_split_the_keyword() {
        assert_eq!(p("DISHUB jalan rusak"), kw("DISHUB", "jalan rusak"));
        assert_eq!(p("dishub#jalan rusak"), kw("DISHUB", "jalan rusak"));
        assert_eq!(p("Dishub*lampu mati"), kw("DISHUB", "lampu mati"));
        assert_eq!(p("DISHUB.lampu mati"), kw("DISHUB", "lampu mati"));
        assert_eq!(p("dishub\njalan"), kw("DISHUB", "jalan"));
        assert_eq!(p("dishub\tjalan"), kw("DISHUB", "jalan"));
        assert_eq!(p("dishub\r\njalan"), kw("DISHUB", "\njalan"));
    }

    #[test]
    fn rest_is_kept_exactly() {
        assert_eq!(
            p("DISHUB  Jalan  RUSAK!! "),
            kw("DISHUB", " Jalan  RUSAK!! ")
        );
        assert_eq!(p("dishub#.#x"), kw("DISHUB", ".#x"));
        assert_eq!(p("dinkes ÄÖ 😀 ok"), kw("DINKES", "ÄÖ 😀 ok"));
    }

    #[test]
    fn leading_whitespace_and_separators_are_skipped() {
        assert_eq!(p("   \n dishub jalan"), kw("DISHUB", "jalan"));
        assert_eq!(p("#DISHUB#jalan"), kw("DISHUB", "jalan"));
        assert_eq!(p("\u{a0}dishub jalan"), kw("DISHUB", "jalan"));
    }

    #[test]
    fn keyword_alone_has_empty_rest() {
        assert_eq!(p("dishub"), kw("DISHUB", ""));
        assert_eq!(p("dishub "), kw("DISHUB", ""));
    }

    #[test]
    fn blank_messages_are_empty() {
        for text in ["", "   ", "\n\t", "#*.", " . "] {
            assert_eq!(p(text), Parsed::Empty, "{text:?}");
        }
    }

    #[test]
    fn status_queries_carry_the_code() {
        let expected = Parsed::Status(code("ABCDEFGH23"));
        assert!(code("ABCDEFGH23").is_some());
        for text in [
            "CEK ABCDEFGH23",
            "cek abcdefgh23",
            "Status#ABCDE-FGH23",
            "cek*abcde fgh23",
            "CEK :ABCDEFGH23",
            "cek ABCDEFGH23 terima kasih",
            "cek  ABCDEFGH23, makasih",
            " status.abcdefgh23\n",
        ] {
            assert_eq!(p(text), expected, "{text:?}");
        }
    }

    #[test]
    fn status_without_valid_code_is_distinct() {
        for text in ["CEK", "cek ", "CEK 12345", "status ABCDEFGH2", "cek tolong"] {
            assert_eq!(p(text), Parsed::Status(None), "{text:?}");
        }
    }

    #[test]
    fn help_words() {
        for text in ["INFO", "info", "Bantuan", "bantuan dong", "info#"] {
            assert_eq!(p(text), Parsed::Help, "{text:?}");
        }
    }

    #[test]
    fn reserved_words_must_match_whole_word() {
        assert_eq!(p("CEKABCDEFGH23"), kw("CEKABCDEFGH23", ""));
        assert_eq!(p("informasi jalan"), kw("INFORMASI", "jalan"));
        // Only the listed separators end a word.
        assert_eq!(p("CEK:ABCDEFGH23"), kw("CEK:ABCDEFGH23", ""));
    }

    #[test]
    fn reserved_words_are_configurable() {
        let reserved = ReservedWords {
            status: vec!["lacak".into()],
            help: vec![" tolong ".into()],
        };
        assert_eq!(
            parse("LACAK ABCDEFGH23", &reserved),
            Parsed::Status(code("ABCDEFGH23"))
        );
        assert_eq!(parse("tolong", &reserved), Parsed::Help);
        assert_eq!(parse("cek ABCDEFGH23", &reserved), kw("CEK", "ABCDEFGH23"));
        assert_eq!(parse("info", &reserved), kw("INFO", ""));
        let none = ReservedWords {
            status: vec![],
            help: vec![],
        };
        assert_eq!(parse("cek x", &none), kw("CEK", "x"));
    }

    proptest! {
        #[test]
        fn keyword_and_rest_round_trip(
            word in "[A-Za-z][A-Za-z0-9]{0,11}",
            sep in prop::sample::select(vec![' ', '#', '*', '.', '\n', '\t']),
            lead in "[ \t\n]{0,3}",
            rest in "\\PC{0,80}",
        ) {
            let upper = word.to_uppercase();
            prop_assume!(!["CEK", "STATUS", "INFO", "BANTUAN"].contains(&upper.as_str()));
            let text = format!("{lead}{word}{sep}{rest}");
            prop_assert_eq!(p(&text), kw(&upper, &rest));
        }

        #[test]
        fn never_panics_and_rest_is_a_suffix(text in "\\PC{0,120}|[ #*.\\t\\nA-Za-z]{0,40}") {
            match p(&text) {
                Parsed::Keyword { keyword, rest } => {
                    prop_assert!(text.ends_with(&rest));
                    prop_assert!(!keyword.is_empty());
                    prop_assert!(!keyword.chars().any(is_separator));
                }
                Parsed::Empty => prop_assert!(text.chars().all(is_separator)),
                Parsed::Status(_) | Parsed::Help => {}
            }
        }
    }
}
