//! Everything kbmc prints for people and machines. The only code that writes to stdout;
//! warnings go to stderr. It reads the model and results and must not compute verdicts.

pub mod check;
pub mod compare;
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
    let pretty = |v: &serde_json::Value| {
        serde_json::to_string_pretty(v).map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))
    };
    Ok(match format {
        Format::Text => check::render(m, h, r, color),
        Format::Json => pretty(&machine::json(m, h, r))? + "\n",
        // JSON Lines: one complete ITF document per violated intent.
        Format::Itf => {
            let mut o = String::new();
            for ir in &r.results {
                if let Verdict::Violated(t) = &ir.verdict {
                    let doc = machine::itf(m, &ir.name, t);
                    o += &serde_json::to_string(&doc).map_err(|e| Error::Internal(format!("cannot write ITF: {e}")))?;
                    o.push('\n');
                }
            }
            o
        }
        Format::Junit => machine::junit(m, h, r),
        Format::Sarif => pretty(&machine::sarif(m, h, r))? + "\n",
    })
}

/// Non-fatal input findings, one line each on stderr.
pub fn warnings(ws: &[InputError]) {
    for w in ws {
        let kind = if w.class == crate::error::InputClass::Note { "note" } else { "warning" };
        eprintln!("{kind}: {w}");
    }
}

/// Text produced elsewhere (an SMT-LIB dump), written as it is.
pub fn raw(text: &str) {
    print!("{text}");
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
