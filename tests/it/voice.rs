//! The repository describes kbmc as it is: no text under src/, docs/, tests/, benches/ or in
//! the README tells how the code came about. Work periods named by an ordinal, history dated
//! by one ("until" followed by an ordinal period) and the project's own issue numbers belong
//! in commit messages; a reader of the code or the docs wants what is true now. This guard
//! looks for those phrases word by word (no pattern library needed) and names every file and
//! line that has one. Its own examples are assembled from words at run time, so that this
//! file holds none of the phrases it forbids.

use std::path::{Path, PathBuf};

use crate::root;

/// Ordinal words up to the forties; with numeric ordinals ("12th") they cover any numbering of
/// work periods this repository could have used.
const ORDINALS: [&str; 19] = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];
const TENS: [&str; 3] = ["twentieth", "thirtieth", "fortieth"];
const TENS_PREFIX: [&str; 3] = ["twenty-", "thirty-", "forty-"];

fn is_ordinal(w: &str) -> bool {
    if ORDINALS.contains(&w) || TENS.contains(&w) {
        return true;
    }
    if let Some(p) = TENS_PREFIX.iter().find(|p| w.starts_with(*p)) {
        return ORDINALS[..9].contains(&&w[p.len()..]);
    }
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && ["st", "nd", "rd", "th"].contains(&suffix)
}

/// "Until" with the first, second or third is a statement about a run (the first pod to
/// start); no run of kbmc's semantics speaks of a later ordinal that way, so only ordinals
/// from the fourth on count there.
fn is_late_ordinal(w: &str) -> bool {
    is_ordinal(w) && !["first", "second", "third", "1st", "2nd", "3rd"].contains(&w)
}

fn is_session(w: &str) -> bool {
    matches!(w, "session" | "session's" | "sessions" | "sessions'")
}

/// A number a project issue has (one or two digits, `#` optional). Upstream issues are cited
/// by repository and a longer number (`kubernetes/kubernetes#123456`) and are not matched.
fn is_issue_number(w: &str) -> bool {
    let n = w.strip_prefix('#').unwrap_or(w);
    let n = n.trim_end_matches(['\'', 's']);
    (1..=2).contains(&n.len()) && n.chars().all(|c| c.is_ascii_digit())
}

/// What is wrong with `line`, if anything. `issues_allowed` for decision records, which name
/// the issue they decide on.
fn offence(line: &str, issues_allowed: bool) -> Option<&'static str> {
    let words: Vec<String> = line
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '#' || c == '\''))
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches('\'').to_lowercase())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).map(String::as_str).unwrap_or("");
        let after = words.get(i + 2).map(String::as_str).unwrap_or("");
        if is_ordinal(w) && is_session(next) {
            return Some("a numbered work period");
        }
        if matches!(w.as_str(), "this" | "last" | "next" | "previous" | "earlier" | "later") && is_session(next) {
            return Some("a work period");
        }
        if w == "until" && next == "the" && is_late_ordinal(after) {
            return Some("history dated by an ordinal after \"until\"");
        }
        if !issues_allowed && matches!(w.as_str(), "issue" | "issues" | "issue's") && is_issue_number(next) {
            return Some("a project issue number (commit messages are the place for it)");
        }
    }
    None
}

fn text_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            text_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn the_repository_tells_no_history() {
    // This file spells the phrases out to test the guard.
    let me = root().join("tests/it/voice.rs");
    let mut files = Vec::new();
    for dir in ["src", "docs", "tests", "benches"] {
        text_files(&root().join(dir), &mut files);
    }
    files.push(root().join("README.md"));
    files.sort();
    let mut found = Vec::new();
    for path in files {
        if path == me {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let rel = path.strip_prefix(root()).unwrap_or(&path).to_path_buf();
        let decision_record = rel.starts_with("docs/adr");
        for (n, line) in text.lines().enumerate() {
            if let Some(what) = offence(line, decision_record) {
                found.push(format!("{}:{}: {what}: {}", rel.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "history in the repository's text:\n{}", found.join("\n"));
}

#[test]
fn the_guard_finds_what_it_must() {
    // Work-period phrases, assembled so that this file does not hold them.
    let (until, work) = (["Un", "til"].concat(), ["ses", "sion"].concat());
    let periods = [
        format!("{until} the {} {work} the busy pod always went.", ORDINALS[16]),
        format!("see docs/performance.md, the {}{} {work}.", TENS_PREFIX[0], ORDINALS[7]),
        format!("measured in the 12th {work}"),
        format!("(found by this {work}'s audit)"),
        format!("{} the {}, a pod started", until.to_lowercase(), ORDINALS[18]),
    ];
    for bad in &periods {
        assert!(offence(bad, false).is_some(), "not found: {bad}");
    }
    assert!(offence(&format!("the {} {work}", TENS[0]), true).is_some());
    for bad in ["the symbolic engine (issue 4) will unroll", "Issue 3's rate item stays open.", "see issue #43"] {
        assert!(offence(bad, false).is_some(), "not found: {bad}");
    }
    let ready = format!("the pod waits {} the first node is Ready", until.to_lowercase());
    for good in [
        ready.as_str(),
        "kubernetes/kubernetes#118537 is the public issue",
        "a first step, then a second one",
        "an issue of capacity: 3 nodes",
    ] {
        assert!(offence(good, false).is_none(), "flagged: {good}");
    }
    assert!(offence("Issue 3 asks for one million states per second", true).is_none());
}
