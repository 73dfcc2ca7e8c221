//! The one integration-test binary: runs the built `kbmc` on cases and fixtures.

mod budgets;
mod cases;
mod cli;
mod corpus;
mod cross;
mod guard;
mod hostile;
mod infer;
mod inputs;
mod limits;
mod output;
mod por;
mod prove;
mod scale;
mod snapshot;
mod symmetry;
mod upstream;
mod voice;
mod workloads;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs kbmc with `args` from the repository root.
pub fn kbmc(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_kbmc")).args(args).current_dir(root()).output().expect("kbmc runs");
    Run {
        code: out.status.code().expect("kbmc exits with a code, not a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every case folder under cases/, sorted.
pub fn case_dirs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("cases"))
        .expect("cases/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

pub fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).to_string_lossy().into_owned()
}

/// A small deterministic generator (a linear congruential one): the generated clusters of
/// the differential tests (`por`, `symmetry`) are the same on every run.
pub struct Seq(pub u64);

impl Seq {
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.next(xs.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next(100) < percent
    }
}
