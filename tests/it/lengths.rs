//! Functions a newcomer can read: no function in src/ outside test code is longer than 150
//! lines, and none in src/ir/ (the builders, which read best as named steps) longer than 100.
//! A function is measured from its `fn` line to its closing brace, read off the text: braces
//! in comments, strings and character literals do not count.

use std::path::Path;

use crate::root;

/// The bounds, by the folder a file is in (the first that matches).
const BOUNDS: [(&str, usize); 2] = [("src/ir/", 100), ("src/", 150)];

/// `line` without its comment and with its string and character literals emptied, for
/// counting braces. Strings that span lines are rare in function bodies and balanced in
/// braces where they occur; raw strings are emptied when they close on their line.
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => break,
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    match (escaped, c) {
                        (false, '\\') => escaped = true,
                        (false, '"') => break,
                        _ => escaped = false,
                    }
                }
                out.push_str("\"\"");
            }
            // A character literal ('{', '\'', '\u{7b}'); a lifetime ('a) is left as it is.
            '\'' => {
                let rest: String = chars.clone().take(12).collect();
                let end = if let Some(escaped) = rest.strip_prefix('\\') {
                    escaped.find('\'').map(|e| e + 2)
                } else {
                    rest.char_indices().nth(1).filter(|&(_, c)| c == '\'').map(|(i, _)| i + 1)
                };
                match end {
                    Some(n) => {
                        for _ in 0..rest[..n].chars().count() {
                            chars.next();
                        }
                        out.push_str("' '");
                    }
                    None => out.push(c),
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The name of the function a line declares, if it does (`pub(crate) const fn name`).
fn declared(line: &str) -> Option<&str> {
    let mut words = line.split_whitespace();
    let mut w = words.next()?;
    while w.starts_with("pub") || ["const", "unsafe", "async", "extern", "\"C\""].contains(&w) {
        w = words.next()?;
    }
    if w != "fn" {
        return None;
    }
    let name = words.next()?;
    Some(&name[..name.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(name.len())])
}

/// The functions of `text` outside test code, as (first line, length in lines, name).
/// Test code is what follows a `#[cfg(test)]` item: a `mod x;` line or a braced item.
fn functions(text: &str) -> Vec<(usize, usize, String)> {
    let lines: Vec<String> = text.lines().map(code_of).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim();
        let is_test = trimmed == "#[cfg(test)]";
        let name = if is_test { None } else { declared(trimmed) };
        if !is_test && name.is_none() {
            i += 1;
            continue;
        }
        // The item's extent: to its closing brace, or its `;` when it has no body.
        let (mut depth, mut opened, mut end) = (0i64, false, i);
        for (j, l) in lines.iter().enumerate().skip(if is_test { i + 1 } else { i }) {
            end = j;
            for c in l.chars() {
                match c {
                    '{' => (depth, opened) = (depth + 1, true),
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if (opened && depth == 0) || (!opened && l.trim_end().ends_with(';')) {
                break;
            }
        }
        if let (Some(name), true) = (name, opened) {
            out.push((i + 1, end - i + 1, name.to_string()));
            // Nested functions are measured with the one that holds them.
        }
        i = end + 1;
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_function_is_longer_than_its_folders_bound() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.sort();
    let mut found = Vec::new();
    let mut measured = 0;
    for path in files {
        let rel = path.strip_prefix(root()).expect("under the root").to_string_lossy().replace('\\', "/");
        if rel.ends_with("/tests.rs") {
            continue;
        }
        let bound = BOUNDS.iter().find(|(dir, _)| rel.starts_with(dir)).map_or(usize::MAX, |&(_, b)| b);
        let text = std::fs::read_to_string(&path).expect("a source file");
        for (line, len, name) in functions(&text) {
            measured += 1;
            if len > bound {
                found.push(format!("{rel}:{line}: `{name}` is {len} lines (at most {bound} here)"));
            }
        }
    }
    assert!(measured > 1000, "measured only {measured} functions");
    assert!(found.is_empty(), "functions over their bound; split them into named steps:\n{}", found.join("\n"));
}

#[test]
fn the_measure_reads_what_it_must() {
    let text = "\
/// Doc.
pub(crate) fn short(x: u8) -> char {
    let s = \"}}}\"; // }
    if x > 0 { '{' } else { '}' }
}

fn long<'a>(x: &'a str) -> &'a str {
    x
}
pub fn declared_only(x: u8);
#[cfg(test)]
mod tests {
    fn inside() {}
}
fn after() {}
";
    let got = functions(text);
    let want = [(2, 4, "short"), (7, 3, "long"), (15, 1, "after")];
    assert_eq!(got.iter().map(|(l, n, s)| (*l, *n, s.as_str())).collect::<Vec<_>>(), want);
}
