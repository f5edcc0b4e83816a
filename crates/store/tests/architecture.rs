//! The store is a set of table writers and readers: no aggregate module reaches into another
//! (only the shared modules: the connection, the timeline, the outbox, settings and the
//! calendar, search text, secrets, shared rows, test support). Orchestration across aggregates
//! lives in the application layer (`crates/app`).
//!
//! `REMAINING` lists the edges not yet moved there. The list is exact: a new edge fails, and
//! so does an edge that is gone but still listed (delete it from the list).

use std::collections::BTreeMap;
use std::path::Path;

const SHARED: &[&str] = &[
    "lib", "db", "timeline", "messages", "settings", "calendar", "search", "secrets", "rows",
    "testing",
];

/// (from, to): sweeps and SMS intake still orchestrate inside the store.
const REMAINING: &[(&str, &str)] = &[
    ("bulk", "publication"),
    ("dispositions", "delegations"),
    ("dispositions", "notify"),
    ("escalation", "delegations"),
    ("escalation", "tickets"),
    ("escalation", "workflow"),
    ("notify", "delegations"),
    ("sms", "tickets"),
    ("sms", "workflow"),
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
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name != *module && aggregates.iter().any(|a| **a == name) {
                let line = text[..i].lines().count();
                found
                    .entry((module.clone(), name))
                    .or_default()
                    .push(format!("{}:{line}", file.display()));
            }
        }
    }
    let allowed: Vec<(String, String)> = REMAINING
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let new: Vec<_> = found.iter().filter(|(k, _)| !allowed.contains(k)).collect();
    assert!(
        new.is_empty(),
        "store aggregate modules call each other; move the orchestration to crates/app: {new:#?}"
    );
    let gone: Vec<_> = allowed.iter().filter(|k| !found.contains_key(*k)).collect();
    assert!(
        gone.is_empty(),
        "edges gone, remove them from REMAINING: {gone:?}"
    );
}
