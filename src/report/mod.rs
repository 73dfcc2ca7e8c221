//! Everything kbmc prints for people and machines. The only code that writes to stdout;
//! warnings go to stderr. It reads the model and results and must not compute verdicts.

pub mod check;
pub mod compare;
pub mod html;
pub mod inspect;
pub mod machine;
pub mod scale;
pub mod simulate;
pub mod view;

use std::io::IsTerminal;

use crate::error::{Error, InputError};
use crate::model::Model;
use crate::verdict::{CheckResult, Verdict};

/// The formats of a check result (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Itf,
    Junit,
    Sarif,
    Html,
}

/// Colour on stdout: only on a terminal, never with `--no-color` or `NO_COLOR` set.
pub fn color(no_color: bool) -> bool {
    !no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// A check result in `format`, as the text written to stdout.
pub fn check_output(
    m: &Model,
    h: &view::Header,
    r: &CheckResult,
    format: Format,
    color: bool,
) -> Result<String, Error> {
    output(m, h, r, None, format, color)
}

/// The baseline a change was checked against (`check --baseline`): its model, its result,
/// where it was read from, and how the change's findings compare.
pub struct Before<'a> {
    pub model: &'a Model,
    pub result: &'a CheckResult,
    pub path: &'a std::path::Path,
    pub comparison: &'a crate::verdict::Baseline,
}

/// A change's check result against its baseline in `format`: the change's report with each
/// finding's state (new, unchanged, fixed) added.
pub fn baseline_output(
    m: &Model,
    h: &view::Header,
    r: &CheckResult,
    b: &Before,
    format: Format,
    color: bool,
) -> Result<String, Error> {
    output(m, h, r, Some(b), format, color)
}

/// A check result in `format`, with each finding's state against `before` where given.
fn output(
    m: &Model,
    h: &view::Header,
    r: &CheckResult,
    before: Option<&Before>,
    format: Format,
    color: bool,
) -> Result<String, Error> {
    let pretty = |v: &serde_json::Value| {
        serde_json::to_string_pretty(v).map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))
    };
    Ok(match format {
        Format::Text => {
            check::render(m, h, r, color) + &before.map(|b| check::baseline_section(r, b)).unwrap_or_default()
        }
        Format::Json => pretty(&machine::json_with(m, h, r, before))? + "\n",
        Format::Itf => {
            let mut o = String::new();
            for (i, ir) in r.results.iter().enumerate() {
                if let Verdict::Violated(t) = &ir.verdict {
                    let mut doc = machine::itf(m, &ir.name, t);
                    if let Some(state) = before.and_then(|b| b.comparison.change[i]) {
                        doc["#meta"]["baselineState"] = serde_json::json!(state.word());
                    }
                    o += &serde_json::to_string(&doc).map_err(|e| Error::Internal(format!("cannot write ITF: {e}")))?;
                    o.push('\n');
                }
            }
            o
        }
        Format::Junit => machine::junit_with(m, h, r, before),
        Format::Sarif => pretty(&machine::sarif_with(m, h, r, before))? + "\n",
        // From the JSON report value, so that the page says what the JSON says.
        Format::Html => html::check(&machine::json_with(m, h, r, before)),
    })
}

/// Non-fatal input findings, one line each on stderr.
pub fn warnings(ws: &[InputError]) {
    for w in ws {
        let kind = if w.class == crate::error::InputClass::Note { "note" } else { "warning" };
        eprintln!("{kind}: {}", terminal_safe(&w.to_string(), false));
    }
}

/// Writes a report to stdout. A write that fails — a full disk, or a reader that went away
/// before the report was written in full (a closed pipe: `kbmc ... | head`) — is an error of
/// exit code 2 with the reason: the report did not reach its reader whole, so the run's own
/// exit code would stand for a report nobody read.
pub fn raw(text: &str) -> Result<(), Error> {
    write_out(text, false)
}

/// [`raw`] for text that may hold kbmc's own colours (`color`: they were asked for, so colour
/// sequences stay; without, every escape character is escaped).
pub fn write_out(text: &str, color: bool) -> Result<(), Error> {
    use std::io::Write;
    let text = terminal_safe(text, color);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Error::Output(format!(
            "cannot write to standard output: its reader closed it before the report was written in full ({e})"
        ))),
        Err(e) => Err(Error::Output(format!("cannot write to standard output: {e}"))),
    }
}

/// Writes the SMT-LIB certificates of `check --prove` into `dir` (created when missing), and
/// says on stderr where they went.
pub fn certificates(dir: &std::path::Path, files: &[(String, String)]) -> Result<(), crate::error::Error> {
    let fail = |p: &std::path::Path, e: std::io::Error| {
        crate::error::Error::Usage(format!("cannot write the certificate {}: {e}", p.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| fail(&p, e))?;
    }
    eprintln!("kbmc: {} certificate file(s) in {} (each must be unsatisfiable)", files.len(), dir.display());
    Ok(())
}

/// `text` with every control character that could drive a terminal escaped (`\u{1b}`):
/// input (a name, a label, a file name) must not move the cursor, retitle the window or hide
/// what follows. Newlines and tabs stay, and with `color` so do colour sequences
/// (`ESC [ digits ; m`), which only colour text: kbmc's own colours are those.
pub fn terminal_safe(text: &str, color: bool) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\u{1b}' && color {
            let rest = &text[i + 1..];
            let sgr = rest.strip_prefix('[').and_then(|r| {
                let n = r.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
                (r[n..].starts_with('m')).then_some(n + 2)
            });
            if let Some(len) = sgr {
                out.push(c);
                out.push_str(&rest[..len]);
                for _ in 0..len {
                    chars.next();
                }
                continue;
            }
        }
        if unsafe_char(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped_colours_kept() {
        let hostile = "a\u{1b}[31mred\u{1b}[0m\n\tb\u{1b}]0;title\u{7}\rc\u{1b}[2J";
        let t = super::terminal_safe(hostile, true);
        assert_eq!(t, "a\u{1b}[31mred\u{1b}[0m\n\tb\\u{1b}]0;title\\u{7}\\u{d}c\\u{1b}[2J");
        let t = super::terminal_safe(hostile, false);
        assert_eq!(t, "a\\u{1b}[31mred\\u{1b}[0m\n\tb\\u{1b}]0;title\\u{7}\\u{d}c\\u{1b}[2J");
        assert_eq!(super::terminal_safe("plain\n", false), "plain\n");
    }
}
