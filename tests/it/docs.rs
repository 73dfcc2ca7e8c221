//! The documentation's references resolve: every relative markdown link (`[text](path)`,
//! `[text](path#anchor)`, `[text](#anchor)`) in docs/, README.md and src/, and every
//! `docs/....md` path their text mentions, names a file of the repository, and a link's anchor
//! is a heading or an explicit `<a id="...">` of the page it points to. Each assumption a
//! verdict can carry (src/model/assumptions.rs) is an anchor of docs/modeling/soundness.md, as
//! that module promises. Links are read line by line, outside fenced code blocks; in Rust
//! sources only link targets that look like paths are files (the rest are rustdoc's
//! intra-doc links, `[x](Self::y)`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use crate::root;

/// What the checker may ask about the tree it checks: whether a repository-relative path
/// exists (a file or a directory), and a markdown file's text, for its anchors.
struct Tree<'a> {
    exists: &'a dyn Fn(&Path) -> bool,
    text: &'a dyn Fn(&Path) -> Option<String>,
}

/// `dir/target` with `.` and `..` folded; None when it leaves the repository.
fn join(dir: &Path, target: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in dir.join(target).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(p) => out.push(p),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// The lines of `text` outside fenced code blocks, numbered from 1.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            out.push((n + 1, line));
        }
    }
    out
}

/// The targets of the markdown links on `line`: what stands between `](` and the next `)`.
fn link_targets(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        let end = rest.find(')').unwrap_or(rest.len());
        out.push(rest[..end].trim());
        rest = &rest[end..];
    }
    out
}

/// The `docs/....md` paths `line` mentions: a path starting at `docs/` (not inside a longer
/// path or address) and ending in `.md`.
fn doc_paths(line: &str) -> Vec<&str> {
    let path_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/');
    let mut out = Vec::new();
    for (at, _) in line.match_indices("docs/") {
        if line[..at].chars().next_back().is_some_and(path_char) {
            continue;
        }
        let len = line[at..].find(|c: char| !path_char(c)).unwrap_or(line.len() - at);
        let path = line[at..at + len].trim_end_matches('.');
        if path.ends_with(".md") {
            out.push(path);
        }
    }
    out
}

/// GitHub's anchor of a heading: lower case, links reduced to their text, every character
/// but letters, digits, `-` and `_` dropped, spaces turned into `-`.
fn slug(heading: &str) -> String {
    let mut text = String::new();
    let mut rest = heading;
    while let Some(open) = rest.find('[') {
        match rest[open..].find("](").map(|m| open + m) {
            Some(mid) if rest[mid..].contains(')') => {
                let close = mid + rest[mid..].find(')').expect("a closing parenthesis");
                text.push_str(&rest[..open]);
                text.push_str(&rest[open + 1..mid]);
                rest = &rest[close + 1..];
            }
            _ => break,
        }
    }
    text.push_str(rest);
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a markdown page: its headings' (with GitHub's `-1`, `-2` for repeats) and
/// every explicit `id="..."` or `name="..."` of an HTML element.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (_, line) in prose_lines(text) {
        let hashes = line.len() - line.trim_start_matches('#').len();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            let base = slug(&line[hashes..]);
            let n = seen.entry(base.clone()).or_insert(0);
            out.insert(if *n == 0 { base.clone() } else { format!("{base}-{n}") });
            *n += 1;
        }
        for attr in ["id=\"", "name=\""] {
            for (at, _) in line.match_indices(attr) {
                let value = &line[at + attr.len()..];
                if let Some(end) = value.find('"') {
                    out.insert(value[..end].to_string());
                }
            }
        }
    }
    out
}

/// What is broken among the references of `sources` (repository-relative path, text).
fn broken(sources: &[(PathBuf, String)], tree: &Tree) -> Vec<String> {
    let mut found = Vec::new();
    let mut anchor_cache: BTreeMap<PathBuf, Option<BTreeSet<String>>> = BTreeMap::new();
    for (path, text) in sources {
        let rust = path.extension().is_some_and(|e| e == "rs");
        let dir = path.parent().unwrap_or(Path::new(""));
        for (n, line) in prose_lines(text) {
            let at = format!("{}:{n}", path.display());
            for target in link_targets(line) {
                if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (file, anchor) = match target.split_once('#') {
                    Some((f, a)) => (f, Some(a)),
                    None => (target, None),
                };
                if rust && (target.contains("::") || !(file.contains('/') || file.ends_with(".md"))) {
                    continue;
                }
                let resolved = if file.is_empty() { Some(path.clone()) } else { join(dir, file) };
                let Some(resolved) = resolved else {
                    found.push(format!("{at}: link `{target}` leaves the repository"));
                    continue;
                };
                if !(tree.exists)(&resolved) {
                    found.push(format!("{at}: link `{target}`: no {}", resolved.display()));
                    continue;
                }
                let Some(anchor) = anchor else { continue };
                let known =
                    anchor_cache.entry(resolved.clone()).or_insert_with(|| (tree.text)(&resolved).map(|t| anchors(&t)));
                match known {
                    Some(names) if !names.contains(anchor) => {
                        found.push(format!("{at}: link `{target}`: no anchor #{anchor} in {}", resolved.display()))
                    }
                    None if resolved.extension().is_some_and(|e| e == "md") => {
                        found.push(format!("{at}: link `{target}`: {} cannot be read", resolved.display()))
                    }
                    _ => {}
                }
            }
            for mentioned in doc_paths(line) {
                if !(tree.exists)(Path::new(mentioned)) {
                    found.push(format!("{at}: `{mentioned}` does not exist"));
                }
            }
        }
    }
    found
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "md" || e == "rs" || e == "json") {
            out.push(path);
        }
    }
}

/// The repository's docs/, README.md and src/, as (repository-relative path, text).
fn sources() -> Vec<(PathBuf, String)> {
    let mut files = vec![root().join("README.md")];
    files_under(&root().join("docs"), &mut files);
    files_under(&root().join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.strip_prefix(root()).expect("under the root").to_path_buf(), text)
        })
        .collect()
}

fn disk() -> (impl Fn(&Path) -> bool, impl Fn(&Path) -> Option<String>) {
    (|p: &Path| root().join(p).exists(), |p: &Path| std::fs::read_to_string(root().join(p)).ok())
}

#[test]
fn every_link_and_docs_path_resolves() {
    let (exists, text) = disk();
    let found = broken(&sources(), &Tree { exists: &exists, text: &text });
    assert!(found.is_empty(), "broken references in the documentation:\n{}", found.join("\n"));
}

/// The ids of src/model/assumptions.rs's candidates: the first element of each tuple of its
/// `candidates` array (a string literal, or `DROPPED`). The array's declared length says how
/// many there must be, so a change of layout fails here rather than checking fewer.
fn assumption_ids() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("src/model/assumptions.rs")).expect("assumptions.rs");
    let dropped = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("pub const DROPPED: &str = \"")?.strip_suffix("\";"))
        .expect("the DROPPED constant");
    let head = text.find("let candidates:").expect("the candidates array");
    let decl = &text[head..];
    let len: usize = decl[decl.find("; ").expect("the array's length") + 2..decl.find("] = [").expect("its start")]
        .parse()
        .expect("a literal length");
    let body = &decl[decl.find("] = [").expect("its start")..];
    let body = &body[..body.find("\n    ];").expect("the array's end")];
    let lines: Vec<&str> = body.lines().map(str::trim).collect();
    let ids: Vec<String> = lines
        .windows(2)
        .filter(|w| w[0] == "(")
        .map(|w| match w[1] {
            "DROPPED," => dropped.to_string(),
            id => id.strip_prefix('"').and_then(|s| s.strip_suffix("\",")).expect("an id literal").to_string(),
        })
        .collect();
    assert_eq!(ids.len(), len, "ids read from the candidates array: {ids:?}");
    ids
}

#[test]
fn every_assumption_is_an_anchor_of_the_soundness_page() {
    let page = std::fs::read_to_string(root().join("docs/modeling/soundness.md")).expect("the soundness page");
    let names = anchors(&page);
    let ids = assumption_ids();
    let missing: Vec<&String> = ids.iter().filter(|id| !names.contains(*id)).collect();
    assert!(missing.is_empty(), "assumptions without an anchor on docs/modeling/soundness.md: {missing:?}");
}

#[test]
fn the_checker_finds_what_it_must() {
    let files: BTreeMap<&str, &str> = BTreeMap::from([
        ("docs/a.md", "# Title\n\n## The `x` part (§2)\n\n<a id=\"row-id\"></a>\n## Title\n"),
        ("docs/sub/b.md", "# B\n"),
        ("src/lib.rs", ""),
    ]);
    let exists = |p: &Path| {
        let p = p.to_str().expect("UTF-8");
        files.contains_key(p) || files.keys().any(|k| k.starts_with(&format!("{p}/")))
    };
    let text = |p: &Path| files.get(p.to_str().expect("UTF-8")).map(|t| t.to_string());
    let tree = Tree { exists: &exists, text: &text };
    let check = |path: &str, body: &str| broken(&[(PathBuf::from(path), body.to_string())], &tree);
    let good = [
        ("docs/sub/b.md", "[a](../a.md), [a](../a.md#the-x-part-2), [row](../a.md#row-id) [t](../a.md#title-1)"),
        ("docs/a.md", "[self](#title) and [dir](sub/) and [web](https://example.com/x.md#y)"),
        ("README.md", "see docs/a.md and docs/sub/b.md, or [b](docs/sub/b.md#b)"),
        ("src/lib.rs", "//! docs/a.md: [`f`](Self::f), [g](g), [a](../docs/a.md#row-id)"),
        ("docs/a.md", "```\n[x](nowhere.md) docs/nowhere.md\n```"),
        ("docs/a.md", "https://github.com/o/r/blob/master/docs/nowhere.md"),
    ];
    for (path, body) in good {
        assert_eq!(check(path, body), Vec::<String>::new(), "{path}: {body}");
    }
    let bad = [
        ("docs/sub/b.md", "[a](a.md)"),
        ("docs/sub/b.md", "[a](../a.md#missing)"),
        ("docs/a.md", "[self](#row)"),
        ("README.md", "see docs/modeling.md, Units."),
        ("README.md", "[out](../elsewhere.md)"),
        ("src/lib.rs", "//! [a](../docs/missing.md)"),
        ("src/lib.rs", "// (docs/missing.md §2.9)"),
    ];
    for (path, body) in bad {
        assert_eq!(check(path, body).len(), 1, "{path}: {body}: {:?}", check(path, body));
    }
}

/// The pages under docs/ (repository-relative, `docs/README.md` itself left out) that
/// `index`, the text of docs/README.md, does not link to.
fn unindexed(index: &str, pages: &[PathBuf]) -> Vec<PathBuf> {
    let linked: BTreeSet<PathBuf> = prose_lines(index)
        .into_iter()
        .flat_map(|(_, line)| link_targets(line))
        .filter_map(|t| join(Path::new("docs"), t.split('#').next().unwrap_or(t)))
        .collect();
    pages.iter().filter(|p| p.as_path() != Path::new("docs/README.md") && !linked.contains(*p)).cloned().collect()
}

/// docs/README.md is the front door: every page under docs/, each ADR among them, has a line
/// there, so that a page nobody links is found when it is added, not when it is looked for.
#[test]
fn every_page_is_linked_from_the_docs_index() {
    let index = std::fs::read_to_string(root().join("docs/README.md")).expect("docs/README.md, the index");
    let mut files = Vec::new();
    files_under(&root().join("docs"), &mut files);
    let pages: Vec<PathBuf> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.strip_prefix(root()).expect("under the root").to_path_buf())
        .collect();
    assert!(pages.iter().filter(|p| p.starts_with("docs/adr")).count() >= 8, "read {pages:?}");
    let missing = unindexed(&index, &pages);
    assert!(missing.is_empty(), "pages docs/README.md does not link to: {missing:?}");
    let pages = [PathBuf::from("docs/a.md"), PathBuf::from("docs/adr/0001-x.md"), PathBuf::from("docs/README.md")];
    assert_eq!(
        unindexed("[a](a.md#part)\n```\n[x](adr/0001-x.md)\n```\n", &pages),
        [PathBuf::from("docs/adr/0001-x.md")]
    );
}
