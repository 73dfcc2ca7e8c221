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
                    let doc = machine::itf(m, ir.name, t);
                    o += &serde_json::to_string(&doc).map_err(|e| Error::Internal(format!("cannot write ITF: {e}")))?;
                    o.push('\n');
                }
            }
            o
        }
        Format::Junit => machine::junit(r),
        Format::Sarif => pretty(&machine::sarif(m, r))? + "\n",
    })
}

/// Non-fatal input findings, one line each on stderr.
pub fn warnings(ws: &[InputError]) {
    for w in ws {
        eprintln!("warning: {w}");
    }
}

/// Text produced elsewhere (an SMT-LIB dump), written as it is.
pub fn raw(text: &str) {
    print!("{text}");
}
