//! What a person typed into a search box, made safe for the full-text engines: control
//! characters (NUL breaks PostgreSQL text) are dropped, and for SQLite each word becomes a
//! quoted FTS5 term so that no character is read as query syntax.

/// The words of the query without control characters; `None` when nothing is left.
pub(crate) fn plain_query(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Quoted FTS5 terms (all must match); `None` when no term is left.
pub(crate) fn fts5_query(q: &str) -> Option<String> {
    let terms: Vec<String> = plain_query(q)?
        .split(' ')
        .map(|term| term.replace('"', ""))
        .filter(|term| !term.is_empty())
        .map(|term| format!("\"{term}\""))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_and_control_characters_never_reach_the_engine() {
        assert_eq!(fts5_query("\""), None);
        assert_eq!(fts5_query("\"\""), None);
        assert_eq!(fts5_query(" \0 \u{7} "), None);
        assert_eq!(plain_query("\0"), None);
        assert_eq!(
            fts5_query("lampu\0jalan \"mati"),
            Some("\"lampu\" \"jalan\" \"mati\"".into())
        );
        assert_eq!(plain_query("a\u{1b}b  c"), Some("a b c".into()));
        assert_eq!(
            fts5_query("NEAR(a b) OR *"),
            Some("\"NEAR(a\" \"b)\" \"OR\" \"*\"".into())
        );
    }
}
