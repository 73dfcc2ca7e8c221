//! The layers the design keeps apart, read off the sources: the model imports no engine (its
//! unit tests may run one, to check a fact of the model on reachable states); the symbolic
//! engine, `simulate` and the witnesses import the model's step relation, never the explicit
//! engine; the engines find an actor's hints through the `Controller` trait, never by asking
//! which type it is; and they name no intent, actor, controller module or state field (what
//! those mean is the model's).

use std::path::Path;

use super::*;

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push((rel(&p), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The code of a source file that is not a test and not a comment: every line but those of
/// the items `#[cfg(test)]` applies to, comments dropped.
fn code(text: &str) -> Vec<(usize, &str)> {
    let mut test_lines = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let attr = line.trim_start();
        if attr.starts_with("#[cfg(test)]") && test_lines.last().is_none_or(|&(_, end)| start >= end) {
            let from = start + (line.len() - attr.len()) + "#[cfg(test)]".len();
            test_lines.push((start, end_of_item(text, from)));
        }
    }
    let line_of = |offset: usize| text[..offset].matches('\n').count();
    let skipped: Vec<(usize, usize)> =
        test_lines.iter().map(|&(s, e)| (line_of(s), line_of(e.max(s + 1) - 1))).collect();
    text.lines()
        .enumerate()
        .filter(|(i, _)| !skipped.iter().any(|&(s, e)| (s..=e).contains(i)))
        .map(|(i, l)| (i + 1, l.split("//").next().unwrap_or("")))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect()
}

/// Where the item that starts after byte `from` of `text` ends: just past the `;` or the
/// closing `}` that ends it at its own nesting level (attributes and comments before it, and
/// brackets in its strings, characters and comments, skipped).
fn end_of_item(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let ident = |i: usize| i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
    let (mut i, mut depth) = (from, 0i32);
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut nested = 0;
                while i < b.len() {
                    if b[i..].starts_with(b"/*") {
                        nested += 1;
                        i += 1;
                    } else if b[i..].starts_with(b"*/") {
                        nested -= 1;
                        i += 1;
                        if nested == 0 {
                            break;
                        }
                    }
                    i += 1;
                }
            }
            b'r' if !ident(i) || (b[i - 1] == b'b' && !ident(i - 1)) => {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) == Some(&b'"') {
                    let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                    i += 2 + hashes;
                    while i < b.len() && !b[i..].starts_with(&close) {
                        i += 1;
                    }
                    i += hashes;
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' if b.get(i + 1) == Some(&b'\\') => {
                i += 3;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') => i += 2,
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => {
                depth -= 1;
                if depth == 0 && b[i] == b'}' {
                    return i + 1;
                }
            }
            b';' if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

#[test]
fn the_model_imports_no_engine() {
    let mut found = Vec::new();
    for (path, text) in sources(&root().join("src/model")) {
        if path.ends_with("/tests.rs") {
            continue;
        }
        for (n, line) in code(&text) {
            if line.contains("crate::engine") || line.contains("engine::") {
                found.push(format!("{path}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "the model names an engine outside its tests:\n{}", found.join("\n"));
}

#[test]
fn engines_find_hints_without_asking_an_actors_type() {
    let mut found = Vec::new();
    for (path, text) in sources(&root().join("src/engine")) {
        for (n, line) in code(&text) {
            if line.contains("dyn Any") || line.contains("is::<") || line.contains("std::any") {
                found.push(format!("{path}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "an engine asks which type an actor is:\n{}", found.join("\n"));
}

/// The names of `ClusterState`'s fields, read off their one declaration (the rows of
/// `state_fields!` in src/model/state/mod.rs: `name: Ints|Bools|Grid, ...`).
fn state_fields() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("src/model/state/mod.rs")).unwrap();
    let table = text.split("\nstate_fields! {\n").nth(1).expect("the declaration of the state's fields");
    let table = &table[..table.find("\n}\n").expect("the declaration's end")];
    let names: Vec<String> = table
        .lines()
        .filter_map(|l| {
            let (name, rest) = l.trim().split_once(": ")?;
            let kind = rest.split(',').next()?;
            (name.chars().all(|c| c.is_ascii_lowercase() || c == '_') && ["Ints", "Bools", "Grid"].contains(&kind))
                .then(|| name.to_string())
        })
        .collect();
    assert!(names.len() > 20 && names.iter().any(|n| n == "hpa_window_min"), "read {names:?}");
    names
}

/// Where `line` reads field `name` of something (`x.name` with no identifier character
/// after it), other than a run's time budget (`opts.budget`, `Options::budget`).
fn reads_field(line: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let pat = format!(".{name}");
    line.match_indices(&pat).any(|(at, _)| {
        let after = line[at + pat.len()..].chars().next();
        let before = &line[line[..at].trim_end_matches(ident).len()..at];
        !after.is_some_and(ident) && before != "opts"
    })
}

/// The engines iterate the state's fields (`model::state::FIELDS`, `ClusterState::slots`) and
/// never name one: a field is declared once, and what it means is the model's.
#[test]
fn engines_name_no_state_field() {
    let fields = state_fields();
    let mut found = Vec::new();
    for (path, text) in sources(&root().join("src/engine")) {
        for (n, line) in code(&text) {
            if let Some(f) = fields.iter().find(|f| reads_field(line, f)) {
                found.push(format!("{path}:{n}: .{f}: {}", line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "an engine names a field of the state:\n{}", found.join("\n"));
    assert!(reads_field("st.hpa_window_min[h]", "hpa_window_min") && !reads_field("self.opts.budget.map(f)", "budget"));
}

/// The engines know no controller: what an engine needs of one (hints, invariant
/// candidates) the model hands it through traits and modules of its own.
#[test]
fn engines_name_no_controller_module() {
    let mut found = Vec::new();
    for (path, text) in sources(&root().join("src/engine")) {
        for (n, line) in code(&text) {
            let imported = line.contains("model::{") && line.contains("controllers");
            if line.contains("model::controllers") || imported {
                found.push(format!("{path}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "an engine names a controller module:\n{}", found.join("\n"));
}

#[test]
fn only_the_explicit_engine_and_the_portfolio_import_the_explicit_engine() {
    let mut found = Vec::new();
    let mut files = sources(&root().join("src/engine/symbolic"));
    files.extend(sources(&root().join("src/model")).into_iter().filter(|(p, _)| !p.ends_with("/tests.rs")));
    for f in ["src/engine/simulate.rs", "src/engine/witnesses.rs", "src/trace.rs"] {
        files.push((f.to_string(), std::fs::read_to_string(root().join(f)).unwrap()));
    }
    for (path, text) in files {
        for (n, line) in code(&text) {
            if line.contains("explicit::") || line.contains("engine::explicit") {
                found.push(format!("{path}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "the explicit engine imported outside it and the portfolio:\n{}", found.join("\n"));
}

/// The names of the actors (the types that implement `Controller` in src/model).
fn actor_types() -> Vec<String> {
    let mut out = Vec::new();
    for (_, text) in sources(&root().join("src/model")) {
        for line in text.lines() {
            let l = line.trim();
            if l.starts_with("impl") && l.contains("Controller<") && l.contains(" for ") {
                let name = l.rsplit(" for ").next().unwrap_or("").trim_end_matches(" {").trim();
                out.push(name.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether `word` occurs in `line` as a whole identifier.
fn names(line: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(i, _)| {
        !line[..i].chars().next_back().is_some_and(ident) && !line[i + word.len()..].chars().next().is_some_and(ident)
    })
}

#[test]
fn engines_name_no_intent_and_no_actor() {
    let actors = actor_types();
    assert!(actors.len() > 10 && actors.contains(&"Scheduler".to_string()), "{actors:?}");
    let mut found = Vec::new();
    for (path, text) in sources(&root().join("src/engine")) {
        for (n, line) in code(&text) {
            let intent = line
                .match_indices("Intent::")
                .any(|(i, m)| line[i + m.len()..].chars().next().is_some_and(|c| c.is_ascii_uppercase()));
            if intent || actors.iter().any(|a| names(line, a)) {
                found.push(format!("{path}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "an engine names an intent or an actor (the model's kinds are what engines handle):\n{}",
        found.join("\n")
    );
}
