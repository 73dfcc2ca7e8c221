//! Everything kbmc prints for people and machines. The only code that writes to stdout;
//! warnings go to stderr. It reads the model and results and must not compute verdicts.

pub mod check;
pub mod compare;
pub mod inspect;
pub mod scale;

use crate::error::InputError;

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
