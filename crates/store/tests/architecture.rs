//! The store is a set of table writers and readers: no aggregate module reaches into another
//! (only the shared modules: the connection, the timeline, the outbox, settings and the
//! calendar, search text, secrets, shared rows, test support). Orchestration across aggregates
//! lives in the application layer (`crates/app`).

use std::collections::BTreeMap;
use std::path::Path;

const SHARED: &[&str] = &[
    "lib", "db", "timeline", "messages", "settings", "calendar", "search", "secrets", "rows",
    "testing",
];

fn module_of(relative: &Path) -> String {
    let first = relative.components().next().unwrap();
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_string()
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first path segments after `crate::`: one name, or each top-level name of a
/// `crate::{a, b::c, …}` group.
fn names_after(rest: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let Some(group) = rest.strip_prefix('{') else {
        return vec![ident(rest)];
    };
    let (mut depth, mut names, mut start) = (0, Vec::new(), true);
    for (i, ch) in group.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => start = true,
            c if start && !c.is_whitespace() => {
                names.push(ident(&group[i..]));
                start = false;
            }
            _ => {}
        }
    }
    names
}

#[test]
fn groups_name_each_module() {
    assert_eq!(names_after("tickets::insert_ticket(c)"), ["tickets"]);
    assert_eq!(
        names_after("{Db, Result, tickets::{self, Ticket}, workflow};"),
        ["Db", "Result", "tickets", "workflow"]
    );
}

#[test]
fn no_store_aggregate_reaches_into_another() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: Vec<String> = files
        .iter()
        .map(|f| module_of(f.strip_prefix(&src).unwrap()))
        .collect();
    let aggregates: Vec<&String> = modules
        .iter()
        .filter(|m| !SHARED.contains(&m.as_str()))
        .collect();
    let mut found: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (file, module) in files.iter().zip(&modules) {
        if SHARED.contains(&module.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            for name in names_after(rest) {
                if name != *module && aggregates.iter().any(|a| **a == name) {
                    let line = text[..i].lines().count();
                    found
                        .entry((module.clone(), name))
                        .or_default()
                        .push(format!("{}:{line}", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "store aggregate modules call each other; move the orchestration to crates/app: {found:#?}"
    );
}
