//! The one integration-test binary: runs the built `kbmc` on cases and fixtures.

mod baseline;
mod budgets;
mod cases;
mod cli;
mod corpus;
mod cross;
mod cut;
mod deploy;
mod docs;
mod events;
mod findings;
mod guard;
mod hostile;
mod html;
mod infer;
mod inputs;
mod layers;
mod lengths;
mod limits;
mod live;
mod output;
mod permutation;
mod por;
mod prove;
mod scale;
mod shards;
mod snapshot;
mod symmetry;
mod upstream;
mod voice;
mod workloads;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A test's own directory, made empty when it is made, removed when the test passes and kept
/// for a look when it fails.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(dir: PathBuf) -> Scratch {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

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
    kbmc_env(&[], args)
}

/// [`kbmc`] with `env` added to its environment.
pub fn kbmc_env(env: &[(&str, &str)], args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_kbmc"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .output()
        .expect("kbmc runs");
    Run {
        code: out.status.code().expect("kbmc exits with a code, not a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Whether a check's text reports intent `kind` about `subject`: its own verdict line
/// (`noEvictionCycle(web): ...`), or the line of a group of alike verdicts that names it
/// (`noEvictionCycle: holds ... — for 2 Deployments: web, api`).
pub fn reports(stdout: &str, kind: &str, subject: &str) -> bool {
    stdout.lines().any(|l| {
        l.starts_with(&format!("{kind}({subject}):"))
            || (l.starts_with(&format!("{kind}: "))
                && l.rsplit_once("Deployments: ").or_else(|| l.rsplit_once("StatefulSets: ")).is_some_and(
                    |(_, names)| names.split(" — ").next().unwrap_or("").split(", ").any(|n| n == subject),
                ))
    })
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

/// How many times its default number of generated clusters each differential test checks
/// (`por`, `symmetry`): `KBMC_GENERATED_FACTOR`, 1 when unset. docs/testing.md says when to
/// raise it (changes to a reduction) and what it costs.
pub fn generated_factor() -> u64 {
    match std::env::var("KBMC_GENERATED_FACTOR") {
        Err(_) => 1,
        Ok(v) => v
            .parse::<u64>()
            .ok()
            .filter(|&f| f >= 1)
            .unwrap_or_else(|| panic!("KBMC_GENERATED_FACTOR={v}: expected a whole number of at least 1")),
    }
}

/// The seeds of shard `shard` of `shards` over `total` generated clusters (times
/// `generated_factor`): every `shards`-th seed from `shard`, so that each shard draws clusters
/// of every size alike and the test threads that run the shards finish together.
pub fn shard_seeds(total: u64, shard: u64, shards: u64) -> Vec<u64> {
    (0..total * generated_factor()).filter(|s| s % shards == shard).collect()
}
