//! The layers the design keeps apart, read off the sources: the model imports no engine (its
//! unit tests may run one, to check a fact of the model on reachable states); the symbolic
//! engine, `simulate` and the witnesses import the model's step relation, never the explicit
//! engine; the engines find an actor's hints through the `Controller` trait, never by asking
//! which type it is; they name no intent, actor, controller module or state field (what
//! those mean is the model's); and no controller or event reaches into another controller's
//! module (what they share is the model's own: `model::node` and its neighbours).

use std::collections::BTreeMap;
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

/// The module path of a source file under src/: src/model/controllers/a/b.rs is
/// `model::controllers::a::b`, and a mod.rs is its folder's.
fn module_of(path: &str) -> Vec<String> {
    let inner = path.strip_prefix("src/").unwrap_or(path).trim_end_matches(".rs");
    let mut segs: Vec<String> = inner.split('/').map(str::to_string).collect();
    if segs.last().is_some_and(|s| s == "mod" || s == "lib") {
        segs.pop();
    }
    segs
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

/// The tokens of the code lines (string and character literals dropped), with their lines.
fn tokens(code: &[(usize, &str)]) -> Vec<(usize, Token)> {
    let mut out = Vec::new();
    for &(n, line) in code {
        let c: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < c.len() {
            if c[i].is_alphabetic() || c[i] == '_' {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                out.push((n, Token::Ident(c[start..i].iter().collect())));
                continue;
            }
            match c[i] {
                '"' => {
                    i += 1;
                    while i < c.len() && c[i] != '"' {
                        i += if c[i] == '\\' { 2 } else { 1 };
                    }
                }
                '\'' if c.get(i + 1) == Some(&'\\') => {
                    i += 3;
                    while i < c.len() && c[i] != '\'' {
                        i += 1;
                    }
                }
                '\'' if c.get(i + 2) == Some(&'\'') => i += 2,
                ':' if c.get(i + 1) == Some(&':') => {
                    out.push((n, Token::PathSep));
                    i += 1;
                }
                ch if !ch.is_whitespace() && !ch.is_ascii_digit() => out.push((n, Token::Punct(ch))),
                _ => {}
            }
            i += 1;
        }
    }
    out
}

/// `path` (`crate::…`, `self::…`, `super::…` chains, or starting at a name a `use` or a `mod`
/// brought in) as an absolute module path from `module`; None for a path outside the crate.
fn resolve(module: &[String], path: &[String], names: &BTreeMap<String, Vec<String>>) -> Option<Vec<String>> {
    let first = path.first()?;
    let (mut abs, mut rest) = match first.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (module.to_vec(), &path[1..]),
        "super" => (module.to_vec(), path),
        name => (names.get(name)?.clone(), &path[1..]),
    };
    while rest.first().is_some_and(|s| s == "super") {
        abs.pop()?;
        rest = &rest[1..];
    }
    abs.extend(rest.iter().cloned());
    Some(abs)
}

/// A `use` tree from `tokens[*i]` under `prefix`: every leaf's path (a group's `self` its
/// prefix, a glob the module it opens) with its line and the name it binds, if any.
fn use_tree(
    tokens: &[(usize, Token)],
    i: &mut usize,
    mut prefix: Vec<String>,
    out: &mut Vec<(usize, Vec<String>, Option<String>)>,
) {
    let line = |i: usize| tokens.get(i).map_or(0, |t| t.0);
    while let Some((_, t)) = tokens.get(*i) {
        match t {
            Token::Ident(s) if s != "as" => prefix.push(s.clone()),
            Token::PathSep => {}
            Token::Punct('{') => {
                *i += 1;
                while !matches!(tokens.get(*i), None | Some((_, Token::Punct('}')))) {
                    use_tree(tokens, i, prefix.clone(), out);
                    if matches!(tokens.get(*i), Some((_, Token::Punct(',')))) {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            Token::Punct('*') => {
                out.push((line(*i), prefix, None));
                *i += 1;
                return;
            }
            _ => break,
        }
        *i += 1;
    }
    if prefix.last().is_some_and(|s| s == "self") {
        prefix.pop();
    }
    let mut name = prefix.last().cloned();
    if matches!(tokens.get(*i), Some((_, Token::Ident(s))) if s == "as") {
        name = match tokens.get(*i + 1) {
            Some((_, Token::Ident(s))) if s != "_" => Some(s.clone()),
            _ => None,
        };
        *i += 2;
    }
    out.push((line(i.saturating_sub(1)), prefix, name));
}

/// Every module path a source file at `path` reaches outside its tests, with the line: the
/// leaves of its `use` declarations and the paths of its code, resolved from the file's own
/// module (an inline `mod` nested in it), through the names its `use`s and `mod`s bind.
fn reached(path: &str, text: &str) -> Vec<(usize, Vec<String>)> {
    let toks = tokens(&code(text));
    let ident = |i: usize| match toks.get(i) {
        Some((_, Token::Ident(s))) => Some(s.clone()),
        _ => None,
    };
    let is = |i: usize, t: Token| toks.get(i).is_some_and(|(_, x)| *x == t);
    let mut names = BTreeMap::new();
    let mut out = Vec::new();
    let mut modules = vec![(module_of(path), 0)];
    let mut depth = 0;
    let mut i = 0;
    while i < toks.len() {
        let module = modules.last().unwrap().0.clone();
        match &toks[i].1 {
            Token::Ident(k) if k == "mod" && ident(i + 1).is_some() => {
                let name = ident(i + 1).unwrap();
                let mut inner = module.clone();
                inner.push(name.clone());
                names.insert(name, inner.clone());
                if is(i + 2, Token::Punct('{')) {
                    depth += 1;
                    modules.push((inner, depth));
                    i += 3;
                    continue;
                }
            }
            Token::Ident(k) if k == "use" => {
                let mut leaves = Vec::new();
                i += 1;
                use_tree(&toks, &mut i, Vec::new(), &mut leaves);
                for (line, leaf, name) in leaves {
                    if let Some(abs) = resolve(&module, &leaf, &names) {
                        if let Some(name) = name {
                            names.insert(name, abs.clone());
                        }
                        out.push((line, abs));
                    }
                }
                continue;
            }
            Token::Ident(_) if is(i + 1, Token::PathSep) && !(i > 0 && is(i - 1, Token::PathSep)) => {
                let mut segs = vec![ident(i).unwrap()];
                let line = toks[i].0;
                while is(i + 1, Token::PathSep) && ident(i + 2).is_some() {
                    segs.push(ident(i + 2).unwrap());
                    i += 2;
                }
                if let Some(abs) = resolve(&module, &segs, &names) {
                    out.push((line, abs));
                }
            }
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                if modules.last().is_some_and(|&(_, d)| d == depth) && modules.len() > 1 {
                    modules.pop();
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The controller modules: the files and folders of src/model/controllers but the registry.
fn controller_modules() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("src/model/controllers"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".rs").to_string())
        .filter(|name| name != "mod")
        .collect();
    out.sort();
    out
}

/// The edges from a source file at `path` to another controller's module: a file of
/// controller X (`model::controllers::X…`) reaching `model::controllers::Y…`, Y not X, or one
/// of an event or of what controllers share (`model::node`, `model::framework`,
/// `model::nominations`, `model::claims`, `model::ordinals`) reaching any controller. The
/// registry (controllers/mod.rs) names every controller.
fn cross_controller_edges(path: &str, text: &str) -> Vec<String> {
    let module = module_of(path);
    let owner = match module.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["model", "controllers", x, ..] => Some(x.to_string()),
        ["model", "events" | "node" | "framework" | "nominations" | "claims" | "ordinals", ..] => None,
        _ => return Vec::new(),
    };
    let from = owner.clone().unwrap_or_else(|| module.join("::"));
    let controllers = controller_modules();
    let mut found = Vec::new();
    for (line, abs) in reached(path, text) {
        if let [m, c, y, ..] = &abs[..] {
            let other = controllers.contains(y) && Some(y) != owner.as_ref();
            if m == "model" && c == "controllers" && other {
                found.push(format!("{path}:{line}: {from} reaches {}", abs.join("::")));
            }
        }
    }
    found
}

/// Whether the module of the source file at `path` is compiled outside tests: its parent
/// declares it (`mod name;`) in code that is not a test's, and so on up to `src/model`.
fn outside_tests(path: &str) -> bool {
    let module = module_of(path);
    if module.len() <= 1 {
        return true;
    }
    let dir = format!("src/{}", module[..module.len() - 1].join("/"));
    let parent = [format!("{dir}/mod.rs"), format!("{dir}.rs")]
        .into_iter()
        .find(|p| root().join(p).exists())
        .expect("the parent module's file");
    let text = std::fs::read_to_string(root().join(&parent)).unwrap();
    let name = module.last().unwrap();
    let declared = code(&text).iter().any(|(_, l)| {
        let l = l.trim().trim_start_matches("pub ").trim_start_matches("pub(crate) ");
        l == format!("mod {name};") || l.starts_with(&format!("mod {name} {{"))
    });
    declared && outside_tests(&parent)
}

/// A controller reads and changes what it shares with others through the model's own
/// modules (`model::node`, `model::claims`, `model::ordinals`, `model::disruption`), never
/// through another controller's; neither does an event, and those modules import no
/// controller.
#[test]
fn no_controller_or_event_imports_another_controller() {
    let mut files = sources(&root().join("src/model/controllers"));
    files.extend(sources(&root().join("src/model/events")));
    files.extend(sources(&root().join("src/model/node")));
    for f in ["src/model/claims.rs", "src/model/ordinals.rs"] {
        files.push((f.to_string(), std::fs::read_to_string(root().join(f)).unwrap()));
    }
    let mut found = Vec::new();
    let mut read = 0;
    for (path, text) in files.iter().filter(|(p, _)| outside_tests(p)) {
        read += 1;
        found.extend(cross_controller_edges(path, text));
    }
    assert!(read > 40, "read {read} files");
    assert!(found.is_empty(), "a controller or an event reaches another controller:\n{}", found.join("\n"));
}

/// The detector of the test above finds what it must, in a synthetic source: `use` groups,
/// `super` chains, names a `use` bound, inline modules, and nothing in tests or comments.
#[test]
fn the_cross_controller_detector_finds_forbidden_edges() {
    let kubelet = "use super::super::{node::ready, Model};
use super::{taint_eviction::QueuedEviction, hpa};
use crate::model::controllers as cs;
fn f() {
    super::node_lifecycle::x(); // super::vpa::y()
    hpa::y(); cs::deployment::z(); crate::model::controllers::kubelet::own(); self::g();
    let s = \"super::vpa::in_a_string\";
}
mod inner {
    use super::super::preemption::forget_deleted;
    fn g() { super::super::daemonset::h(); super::local(); }
}
#[cfg(test)]
fn helper() { super::statefulset::gate_matters(); }
fn after_the_helper() { super::descheduler::ORDER_NODES_MAX; }
#[cfg(test)]
mod tests {
    use super::super::deployment::surplus;
}
";
    let found = cross_controller_edges("src/model/controllers/kubelet.rs", kubelet);
    let expected = [
        "src/model/controllers/kubelet.rs:2: kubelet reaches model::controllers::taint_eviction::QueuedEviction",
        "src/model/controllers/kubelet.rs:2: kubelet reaches model::controllers::hpa",
        "src/model/controllers/kubelet.rs:5: kubelet reaches model::controllers::node_lifecycle::x",
        "src/model/controllers/kubelet.rs:6: kubelet reaches model::controllers::hpa::y",
        "src/model/controllers/kubelet.rs:6: kubelet reaches model::controllers::deployment::z",
        "src/model/controllers/kubelet.rs:10: kubelet reaches model::controllers::preemption::forget_deleted",
        "src/model/controllers/kubelet.rs:11: kubelet reaches model::controllers::daemonset::h",
        "src/model/controllers/kubelet.rs:15: kubelet reaches model::controllers::descheduler::ORDER_NODES_MAX",
    ];
    assert_eq!(found, expected);

    let evictor = "use super::super::super::{active_on, ready, ClusterState, Model};
use super::super::{cluster_autoscaler::held, scheduler::domains};
use super::group_order::{self, Classes};
fn f() { group_order::g(); super::super::super::node::ready(); super::super::scheduler::filters(); }
";
    let found = cross_controller_edges("src/model/controllers/descheduler/evictor.rs", evictor);
    assert_eq!(
        found,
        [
            "src/model/controllers/descheduler/evictor.rs:2: descheduler reaches model::controllers::cluster_autoscaler::held",
            "src/model/controllers/descheduler/evictor.rs:2: descheduler reaches model::controllers::scheduler::domains",
            "src/model/controllers/descheduler/evictor.rs:4: descheduler reaches model::controllers::scheduler::filters",
        ]
    );

    let event = "use super::super::controllers::{self, taint_eviction::{clear_queue_into as clear}};
fn f() { controllers::all(); controllers::node_lifecycle::disruption_into(); crate::model::node::ready(); }
";
    let found = cross_controller_edges("src/model/events/node_failure.rs", event);
    assert_eq!(
        found,
        [
            "src/model/events/node_failure.rs:1: model::events::node_failure reaches model::controllers::taint_eviction::clear_queue_into",
            "src/model/events/node_failure.rs:2: model::events::node_failure reaches model::controllers::node_lifecycle::disruption_into",
        ]
    );
    let found = cross_controller_edges("src/model/node/pods.rs", "use crate::model::controllers::kubelet::Kubelet;\n");
    assert_eq!(found, ["src/model/node/pods.rs:1: model::node::pods reaches model::controllers::kubelet::Kubelet"]);
    assert!(cross_controller_edges(
        "src/model/controllers/mod.rs",
        "use super::disruption;\nfn f() { deployment::D; }\n"
    )
    .is_empty());
}
