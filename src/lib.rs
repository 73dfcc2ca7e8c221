//! kbmc: a symbolic bounded model checker for Kubernetes clusters.
//!
//! Data flows one way:
//!
//! ```text
//! manifest::load ─┐
//!                 ├─> ir::build ─> ir::Model ─┬─> engine::explicit (model over Concrete) ─┐
//! spec (Verification document) ┘               └─> engine::symbolic (model over Symbolic) ─┴─> Verdict + Trace ─> report
//! ```
//!
//! Modules: `cli` (arguments), `error` (the one error type and exit codes), `manifest` and
//! `spec` (the only modules that know YAML), `ir` (the validated model), `report` (the only
//! code that writes to stdout). Controllers, engines and the scaling loop arrive with the
//! issues that build them; until then their commands fail with a message saying so.

pub mod cli;
pub mod error;
pub mod ir;
pub mod manifest;
pub mod report;
pub mod spec;

use std::path::PathBuf;

use cli::{Cli, Command, Format};
use error::{Error, InputError};

/// Exit codes, as documented in `kbmc --help`.
pub mod exit {
    pub const HOLDS: i32 = 0;
    pub const VIOLATED: i32 = 1;
    pub const INPUT: i32 = 2;
    pub const INCONCLUSIVE: i32 = 3;
    pub const INTERNAL: i32 = 4;
}

/// Loads manifests and spec from `paths` and builds the validated model.
pub fn load_model(paths: &[PathBuf], allow_unmodeled: bool) -> Result<(ir::Model, Vec<InputError>), Error> {
    let inputs = manifest::load(paths, manifest::LoadOptions { allow_unmodeled })?;
    ir::build(&inputs, ir::BuildOptions { allow_unmodeled })
}

/// Runs one command and returns the process exit code.
pub fn run(cli: Cli) -> Result<i32, Error> {
    match cli.command {
        Command::Inspect(a) => {
            let (model, warnings) = load_model(&a.paths, a.allow_unmodeled)?;
            report::warnings(&warnings);
            match a.format {
                Format::Text => report::inspect::text(&model),
                Format::Json => report::inspect::json(&model)?,
            }
            Ok(exit::HOLDS)
        }
        Command::Check(a) => {
            // Validate the input first so that bad input still gets exit code 2 and a clear message.
            let (_model, warnings) = load_model(&a.paths, a.allow_unmodeled)?;
            report::warnings(&warnings);
            Err(Error::Unimplemented("`kbmc check`: the controllers and engines are not built yet (issues 3 and 4); `kbmc inspect` shows the loaded model".into()))
        }
        Command::Scale(a) => {
            load_model(&a.paths, a.allow_unmodeled)?;
            Err(Error::Unimplemented("`kbmc scale` (issue 5)".into()))
        }
        Command::Compare(a) => {
            load_model(&a.paths, a.allow_unmodeled)?;
            Err(Error::Unimplemented("`kbmc compare` needs both engines (issue 4)".into()))
        }
        Command::Dump(a) => {
            load_model(&a.paths, a.allow_unmodeled)?;
            Err(Error::Unimplemented("`kbmc dump` needs the symbolic engine (issue 4)".into()))
        }
    }
}
