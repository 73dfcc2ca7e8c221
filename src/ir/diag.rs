//! The errors and warnings the IR build collects: every input error one run can find is
//! reported together (docs/adr/0002), and an unmodelled field is an error unless
//! `--allow-unmodeled` demotes it to a warning. Owns only the collection and that demotion;
//! it must not decide what is an error (the build's parts do).

use crate::error::InputError;

/// Collects errors and warnings while building.
pub(crate) struct Diag {
    pub errors: Vec<InputError>,
    pub warnings: Vec<InputError>,
    allow_unmodeled: bool,
}

impl Diag {
    /// A collection that starts with `warnings` (the loader's), demoting unmodelled fields to
    /// warnings when `allow_unmodeled`.
    pub fn new(warnings: Vec<InputError>, allow_unmodeled: bool) -> Diag {
        Diag { errors: Vec::new(), warnings, allow_unmodeled }
    }
    pub fn error(&mut self, e: InputError) {
        self.errors.push(e);
    }
    /// A field that changes behaviour in Kubernetes but is not modelled.
    pub fn unmodeled(&mut self, mut e: InputError) {
        if self.allow_unmodeled {
            e.message.push_str(" (ignored: --allow-unmodeled)");
            self.warnings.push(e);
        } else {
            e.message.push_str("; remove it, or pass --allow-unmodeled to check without it");
            self.errors.push(e);
        }
    }
}
