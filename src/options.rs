//! The command line as one options value: `cli` holds clap's arguments as parsed (the
//! low-level arguments), and [`Options::from_cli`] turns them, once, into what each command
//! runs with (the high-level options), deciding defaults and rejecting conflicting flags with
//! a usage error. Each engine's options (`engine::explicit::Options`,
//! `engine::symbolic::Options`, `scale::Options`) are derived from these by a method; nothing
//! else reads the `cli` argument structs. Must not load inputs, run an engine or print.
//!
//! Where a default is the spec's (`--steps`, `--events`, the scale bounds), the option keeps
//! the flag as given and its method takes the loaded model: the spec is read after the
//! command line.

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{self, Cli, Command};
use crate::engine::{explicit, symbolic};
use crate::error::Error;
use crate::limits::Limits;
use crate::{ir, report, scale, spec};

/// One command, as it is to be run.
#[derive(Debug)]
pub enum Options {
    Init(Init),
    Inspect(Inspect),
    Check(Check),
    Scale(Scale),
    Simulate(Simulate),
    Compare(Compare),
    Dump(Dump),
    Merge(Merge),
}

/// What every command reads.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// Manifest files or directories, with one Verification or none.
    pub paths: Vec<PathBuf>,
    /// Warn instead of failing on fields kbmc does not model.
    pub allow_unmodeled: bool,
}

/// `kbmc init`.
#[derive(Debug)]
pub struct Init {
    pub inputs: Inputs,
    pub scenario: spec::infer::Scenario,
}

/// `kbmc inspect`.
#[derive(Debug)]
pub struct Inspect {
    pub inputs: Inputs,
    pub format: cli::Format,
}

/// The bounds and limits of a search (`check`, `scale`, `compare`).
#[derive(Clone, Debug)]
pub struct Search {
    /// `--steps`; `None`: the spec's `bounds.steps` ([`Search::steps`]).
    pub steps: Option<usize>,
    /// `--events`; `None`: the spec's `bounds.events`, if any ([`Search::events`]).
    pub events: Option<i64>,
    /// Symbolic engine: per-query timeout in milliseconds (0: none).
    pub timeout_ms: u64,
    /// Explicit engine: states a search may expand before it gives up.
    pub max_states: usize,
    /// The time and memory limits of the whole run.
    pub limits: Limits,
    /// Symbolic engine: what one frame of a bounded check fires (`--semantics`).
    pub semantics: symbolic::Semantics,
}

impl Search {
    /// Steps of the search on `ir`: `--steps`, or the spec's bound.
    pub fn steps(&self, ir: &ir::Model) -> usize {
        self.steps.unwrap_or(ir.bounds.steps.max(0) as usize)
    }

    /// Events in one run of `ir`: `--events`, or the spec's bound (`None`: neither sets one).
    pub fn events(&self, ir: &ir::Model) -> Option<i64> {
        self.events.or(ir.bounds.events)
    }

    /// The time the whole run may take (`--time-limit`; `None`: no limit).
    pub fn budget(&self) -> Option<Duration> {
        self.limits.time
    }

    /// The explicit engine's options for a search of `steps` steps (`all`: decide every
    /// intent). Symmetry is always on: it changes no verdict.
    fn explicit(&self, steps: usize, all: bool, reduction: bool) -> explicit::Options {
        explicit::Options { max_depth: steps, max_states: self.max_states, symmetry: true, reduction, all }
    }

    /// The symbolic engine's options for a search of `steps` steps.
    fn symbolic(&self, steps: usize, all: bool, prove: Option<symbolic::Prove>, probe: bool) -> symbolic::Options {
        symbolic::Options {
            max_depth: steps,
            timeout_ms: self.timeout_ms,
            budget: self.budget(),
            incremental: Default::default(),
            all,
            prove,
            probe,
            semantics: self.semantics,
        }
    }
}

/// Which engine a command runs (`--engine`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Explicit,
    Symbolic,
}

/// `kbmc check`.
#[derive(Debug)]
pub struct Check {
    pub inputs: Inputs,
    /// The failure scenario of an inferred spec (a usage error with a Verification given
    /// and a scenario other than the default: `load_model_with` says so).
    pub scenario: spec::infer::Scenario,
    /// `--baseline`: the live cluster's dump the inputs are applied over.
    pub baseline: Option<PathBuf>,
    pub engine: Engine,
    /// `--all`.
    pub all: bool,
    /// Explicit engine: partial-order reduction (`--reduction por`).
    pub reduction: bool,
    /// Symbolic engine: the probes before each frame (off with `--no-probe`).
    pub probe: bool,
    /// Symbolic engine: states the explicit search it runs first may expand (0: none).
    pub explicit_states: usize,
    /// Symbolic engine: `--prove`, with certificates when `certificate` is set.
    pub prove: Option<symbolic::Prove>,
    /// `--certificate`: the directory the proofs' queries are written to.
    pub certificate: Option<PathBuf>,
    pub search: Search,
    pub format: report::Format,
    pub no_color: bool,
    /// `--threads`: the parts checked at once (default: the machine's cores).
    pub threads: usize,
    /// `--shard I/N`: (I, N).
    pub shard: Option<(usize, usize)>,
}

/// `kbmc merge`.
#[derive(Debug)]
pub struct Merge {
    pub reports: Vec<PathBuf>,
    pub format: report::Format,
    pub no_color: bool,
}

/// The engine one check (at one event bound) runs, with its options.
#[derive(Clone, Debug)]
pub enum CheckEngine {
    Explicit(explicit::Options),
    /// The symbolic engine through `engine::portfolio`: with `explicit_states` above 0 the
    /// explicit search on at most that many states first, its verdicts standing where it
    /// finished (ADR 0006); with 0 the symbolic engine alone.
    Portfolio {
        options: symbolic::Options,
        explicit_states: usize,
    },
}

impl Check {
    /// Whether every intent is decided: `--all`, or a baseline to compare with (else a
    /// finding the first violation hid would read as fixed or new).
    pub fn decide_all(&self) -> bool {
        self.all || self.baseline.is_some()
    }

    /// The event bound of a check of `ir`: `--events` or the spec's; with certificates,
    /// which re-check proofs of the model as the spec gives it, no bound (no deepening);
    /// `None`: deepen (`event_bound`).
    pub fn event_bound(&self, ir: &ir::Model) -> Option<i64> {
        self.search.events(ir).or(self.certificate.as_ref().map(|_| i64::MAX))
    }

    /// The engine and options of one check of `steps` steps (`all`: decide every intent).
    pub fn engine(&self, steps: usize, all: bool) -> CheckEngine {
        match self.engine {
            Engine::Explicit => CheckEngine::Explicit(self.search.explicit(steps, all, self.reduction)),
            Engine::Symbolic => CheckEngine::Portfolio {
                options: self.search.symbolic(steps, all, self.prove, self.probe),
                explicit_states: self.explicit_states,
            },
        }
    }
}

/// `kbmc scale`.
#[derive(Debug)]
pub struct Scale {
    pub inputs: Inputs,
    pub engine: scale::Engine,
    /// One query per topology instead of one per cluster size.
    pub enumerate: bool,
    /// Symbolic engine: `--prove` (never with certificates).
    pub prove: Option<symbolic::Prove>,
    /// `--max-nodes-per-pool`; `None`: the spec's bound.
    pub max_nodes_per_pool: Option<i64>,
    /// `--max-pods-per-node`; `None`: the spec's bound.
    pub max_pods_per_node: Option<i64>,
    pub search: Search,
    pub format: cli::ReportFormat,
    pub no_color: bool,
}

impl Scale {
    /// The scaling loop's options on `ir`. Each size's check holds the event bound as the
    /// spec or `--events` gives it ([`Search::events`], set on the model by the caller): the
    /// sizes are the loop, there is no deepening.
    pub fn scale(&self, ir: &ir::Model) -> scale::Options {
        scale::Options {
            engine: self.engine,
            max_nodes_per_pool: self.max_nodes_per_pool.unwrap_or(ir.bounds.max_nodes_per_pool),
            max_pods_per_node: self.max_pods_per_node.unwrap_or(ir.bounds.max_pods_per_node),
            steps: self.search.steps(ir),
            max_states: self.search.max_states,
            timeout_ms: self.search.timeout_ms,
            budget: self.search.budget(),
            enumerate: self.enumerate,
            prove: self.prove,
            semantics: self.search.semantics,
        }
    }
}

/// `kbmc simulate`.
#[derive(Debug)]
pub struct Simulate {
    pub inputs: Inputs,
    pub seed: u64,
    /// `--steps`; `None`: the spec's bound ([`Simulate::steps`]).
    pub steps: Option<usize>,
    pub limits: Limits,
    pub format: cli::SimulateFormat,
    pub no_color: bool,
}

impl Simulate {
    /// Steps of the run on `ir`.
    pub fn steps(&self, ir: &ir::Model) -> usize {
        self.steps.unwrap_or(ir.bounds.steps.max(0) as usize)
    }
}

/// `kbmc compare`: both engines, every intent decided, nothing proved.
#[derive(Debug)]
pub struct Compare {
    pub inputs: Inputs,
    /// `events` is `None`: compare takes the spec's event bound as it is.
    pub search: Search,
    pub format: cli::ReportFormat,
}

impl Compare {
    /// The explicit engine's options for `steps` steps: every enabled step, no reduction.
    pub fn explicit(&self, steps: usize) -> explicit::Options {
        self.search.explicit(steps, true, false)
    }

    /// The symbolic engine's options for `steps` steps, probes on.
    pub fn symbolic(&self, steps: usize) -> symbolic::Options {
        self.search.symbolic(steps, true, None, true)
    }
}

/// `kbmc dump`.
#[derive(Debug)]
pub struct Dump {
    pub inputs: Inputs,
    pub steps: usize,
    pub start: symbolic::DumpStart,
    pub semantics: symbolic::Semantics,
    pub limits: Limits,
}

impl Options {
    /// The options of the command `cli` asks for, or the usage error that rules it out.
    pub fn from_cli(cli: Cli) -> Result<Options, Error> {
        Ok(match cli.command {
            Command::Init(a) => Options::Init(Init {
                inputs: Inputs { paths: a.paths, allow_unmodeled: a.allow_unmodeled },
                scenario: scenario(a.scenario),
            }),
            Command::Inspect(a) => Options::Inspect(Inspect {
                inputs: Inputs { paths: a.paths, allow_unmodeled: a.allow_unmodeled },
                format: a.format,
            }),
            Command::Check(a) => {
                let engine = engine(a.engine);
                let prove = prove(&a.proof, engine, a.certificate.is_some())?;
                let c = Check {
                    inputs: Inputs { paths: a.paths, allow_unmodeled: a.allow_unmodeled },
                    scenario: scenario(a.scenario),
                    baseline: a.baseline,
                    engine,
                    all: a.all,
                    reduction: a.reduction == cli::Reduction::Por,
                    probe: !a.no_probe,
                    explicit_states: a.explicit_states,
                    prove,
                    certificate: a.certificate,
                    search: search(&a.search),
                    format: check_format(a.output.format),
                    no_color: a.output.no_color,
                    threads: a.threads.map_or_else(cores, |n| n as usize),
                    shard: a.shard.map(|(i, n)| (i as usize, n as usize)),
                };
                if c.shard.is_some() {
                    shard_usage(&c)?;
                }
                Options::Check(c)
            }
            Command::Merge(a) => Options::Merge(Merge {
                reports: a.reports,
                format: check_format(a.output.format),
                no_color: a.output.no_color,
            }),
            Command::Scale(a) => {
                let engine = engine(a.engine);
                let prove = prove(&a.proof, engine, false)?;
                Options::Scale(Scale {
                    inputs: Inputs { paths: a.paths, allow_unmodeled: a.allow_unmodeled },
                    engine: match engine {
                        Engine::Explicit => scale::Engine::Explicit,
                        Engine::Symbolic => scale::Engine::Symbolic,
                    },
                    enumerate: a.enumerate,
                    prove,
                    max_nodes_per_pool: a.max_nodes_per_pool.map(i64::from),
                    max_pods_per_node: a.max_pods_per_node.map(i64::from),
                    search: search(&a.search),
                    format: a.format,
                    no_color: a.no_color,
                })
            }
            Command::Simulate(a) => Options::Simulate(Simulate {
                inputs: Inputs { paths: a.paths, allow_unmodeled: a.allow_unmodeled },
                seed: a.seed,
                steps: a.steps.map(|s| s as usize),
                limits: limits(&a.limits),
                format: a.format,
                no_color: a.no_color,
            }),
            Command::Compare(a) => Options::Compare(Compare {
                inputs: Inputs { paths: a.paths, allow_unmodeled: a.allow_unmodeled },
                search: Search {
                    steps: a.steps.map(|s| s as usize),
                    events: None,
                    timeout_ms: a.timeout.unwrap_or(0) * 1000,
                    max_states: a.max_states,
                    limits: limits(&a.limits),
                    semantics: semantics(a.semantics),
                },
                format: a.format,
            }),
            Command::Dump(a) => Options::Dump(Dump {
                inputs: Inputs { paths: a.paths, allow_unmodeled: a.allow_unmodeled },
                steps: a.steps as usize,
                start: if a.from_any_state { symbolic::DumpStart::Any } else { symbolic::DumpStart::Initial },
                semantics: semantics(a.semantics),
                limits: limits(&a.limits),
            }),
        })
    }

    /// The time and memory limits the command is watched under (`None`: it does not
    /// explore, so nothing to watch).
    pub fn limits(&self) -> Option<Limits> {
        match self {
            Options::Init(_) | Options::Inspect(_) | Options::Merge(_) => None,
            Options::Check(o) => Some(o.search.limits),
            Options::Scale(o) => Some(o.search.limits),
            Options::Simulate(o) => Some(o.limits),
            Options::Compare(o) => Some(o.search.limits),
            Options::Dump(o) => Some(o.limits),
        }
    }
}

/// The machine's cores, the default of `--threads`.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// What `--shard` cannot be combined with: a shard's report is JSON for `kbmc merge`, and
/// the merge writes no certificates.
fn shard_usage(c: &Check) -> Result<(), Error> {
    if c.format != report::Format::Json {
        return Err(Error::Usage(
            "--shard writes a shard's JSON report for kbmc merge: add --format json (merge writes every format)".into(),
        ));
    }
    if c.certificate.is_some() {
        return Err(Error::Usage("--shard with --certificate: certificates are written by an unsharded check".into()));
    }
    Ok(())
}

fn engine(e: cli::Engine) -> Engine {
    match e {
        cli::Engine::Explicit => Engine::Explicit,
        cli::Engine::Symbolic => Engine::Symbolic,
    }
}

fn scenario(s: cli::Scenario) -> spec::infer::Scenario {
    match s {
        cli::Scenario::Node => spec::infer::Scenario::Node,
        cli::Scenario::Zone => spec::infer::Scenario::Zone,
    }
}

fn check_format(f: cli::CheckFormat) -> report::Format {
    use report::Format as F;
    match f {
        cli::CheckFormat::Text => F::Text,
        cli::CheckFormat::Json => F::Json,
        cli::CheckFormat::Itf => F::Itf,
        cli::CheckFormat::Junit => F::Junit,
        cli::CheckFormat::Sarif => F::Sarif,
        cli::CheckFormat::Html => F::Html,
    }
}

/// The proof options of `--prove` (`None` without it), or the usage error for --prove with
/// the explicit engine.
fn prove(a: &cli::ProveArgs, engine: Engine, certificates: bool) -> Result<Option<symbolic::Prove>, Error> {
    if !a.prove {
        return Ok(None);
    }
    if engine == Engine::Explicit {
        return Err(Error::Usage(
            "--prove runs on the symbolic engine (--engine symbolic); the explicit engine already covers every run length when it explores every reachable state (\"holds: every reachable state was explored\")".into(),
        ));
    }
    Ok(Some(symbolic::Prove { certificates, diameter_search: a.diameter_search }))
}

/// `--time-limit` (0: none) and `--max-memory` (0: none; absent: half the machine's memory).
fn limits(a: &cli::LimitArgs) -> Limits {
    Limits {
        time: (a.time_limit > 0).then(|| Duration::from_secs(a.time_limit)),
        memory: match a.max_memory {
            Some(0) => None,
            Some(b) => Some(b),
            None => crate::limits::default_memory(),
        },
    }
}

fn search(a: &cli::SearchArgs) -> Search {
    Search {
        steps: a.steps.map(|s| s as usize),
        events: a.events.map(i64::from),
        timeout_ms: a.timeout.unwrap_or(0) * 1000,
        max_states: a.max_states,
        limits: limits(&a.limits),
        semantics: semantics(a.semantics),
    }
}

fn semantics(s: cli::Semantics) -> symbolic::Semantics {
    match s {
        cli::Semantics::Interleaved => symbolic::Semantics::Interleaved,
        cli::Semantics::Step => symbolic::Semantics::Step,
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn options(args: &[&str]) -> Result<Options, Error> {
        let mut argv = vec!["kbmc"];
        argv.extend_from_slice(args);
        Options::from_cli(Cli::try_parse_from(argv).expect("the arguments parse"))
    }

    fn check(args: &[&str]) -> Check {
        let mut argv = vec!["check"];
        argv.extend_from_slice(args);
        argv.push("cases/c3-conflicting-spread");
        match options(&argv) {
            Ok(Options::Check(c)) => c,
            other => panic!("check {args:?}: {other:?}"),
        }
    }

    fn scale_of(args: &[&str]) -> Scale {
        let mut argv = vec!["scale"];
        argv.extend_from_slice(args);
        argv.push("cases/c3-conflicting-spread");
        match options(&argv) {
            Ok(Options::Scale(s)) => s,
            other => panic!("scale {args:?}: {other:?}"),
        }
    }

    fn model() -> ir::Model {
        crate::load_model(&[PathBuf::from("cases/c3-conflicting-spread")], false).expect("the case loads").0
    }

    #[test]
    fn check_defaults_to_the_portfolio_with_the_explicit_search_first() {
        let c = check(&[]);
        assert!(!c.all && !c.decide_all() && c.baseline.is_none() && c.certificate.is_none());
        assert_eq!(c.scenario, spec::infer::Scenario::Node);
        assert_eq!(c.format, report::Format::Text);
        assert!(!c.no_color);
        assert_eq!((c.search.steps, c.search.events), (None, None));
        assert_eq!(c.search.limits.time, Some(Duration::from_secs(300)));
        assert_eq!(c.search.limits.memory, crate::limits::default_memory());
        let CheckEngine::Portfolio { options: o, explicit_states } = c.engine(7, false) else {
            panic!("the default engine is symbolic");
        };
        assert_eq!(explicit_states, 1_000_000);
        assert_eq!((o.max_depth, o.timeout_ms, o.budget), (7, 0, Some(Duration::from_secs(300))));
        assert!(o.probe && !o.all && o.prove.is_none());
        assert_eq!(o.incremental, Default::default());
        // Steps and events default to the spec's.
        let ir = model();
        assert_eq!(c.search.steps(&ir), ir.bounds.steps as usize);
        assert_eq!(c.event_bound(&ir), ir.bounds.events);
    }

    #[test]
    fn check_flags_reach_the_explicit_engine() {
        let c = check(&["--engine", "explicit", "--reduction", "por", "--max-states", "9", "--all"]);
        assert!(c.decide_all());
        let CheckEngine::Explicit(o) = c.engine(4, c.decide_all()) else { panic!("--engine explicit") };
        assert_eq!((o.max_depth, o.max_states), (4, 9));
        assert!(o.reduction && o.all && o.symmetry);
        let CheckEngine::Explicit(o) = check(&["--engine", "explicit"]).engine(4, false) else { panic!() };
        assert!(!o.reduction && !o.all);
        assert_eq!(o.max_states, 5_000_000);
    }

    #[test]
    fn check_flags_reach_the_symbolic_engine() {
        let c = check(&[
            "--no-probe",
            "--explicit-states",
            "0",
            "--timeout",
            "3",
            "--time-limit",
            "0",
            "--max-memory",
            "1G",
            "--steps",
            "5",
            "--events",
            "2",
            "--format",
            "sarif",
            "--no-color",
        ]);
        let CheckEngine::Portfolio { options: o, explicit_states } = c.engine(5, true) else { panic!() };
        assert_eq!(explicit_states, 0);
        assert_eq!((o.timeout_ms, o.budget), (3000, None));
        assert!(!o.probe && o.all);
        assert_eq!(c.search.limits.memory, Some(1 << 30));
        assert_eq!(check(&["--max-memory", "0"]).search.limits.memory, None);
        let ir = model();
        assert_eq!(c.search.steps(&ir), 5);
        assert_eq!(c.event_bound(&ir), Some(2));
        assert_eq!(c.format, report::Format::Sarif);
        assert!(c.no_color);
        assert_eq!(check(&["--scenario", "zone"]).scenario, spec::infer::Scenario::Zone);
        assert!(check(&["--baseline", "dump.yaml"]).decide_all());
    }

    #[test]
    fn prove_and_certificates_reach_the_symbolic_engine() {
        let c = check(&["--prove"]);
        let p = c.prove.expect("--prove");
        assert_eq!((p.certificates, p.diameter_search), (false, 200_000));
        let c = check(&["--prove", "--diameter-search", "5", "--certificate", "proofs"]);
        let CheckEngine::Portfolio { options: o, .. } = c.engine(3, false) else { panic!() };
        let p = o.prove.expect("--prove");
        assert_eq!((p.certificates, p.diameter_search), (true, 5));
        // Certificates re-check the model as the spec gives it: no deepening of the events.
        assert_eq!(c.event_bound(&model()), Some(i64::MAX));
    }

    #[test]
    fn prove_with_the_explicit_engine_is_a_usage_error() {
        for args in [&["check", "--prove", "--engine", "explicit", "x"][..], &["scale", "--prove", "x"][..]] {
            match options(args) {
                Err(Error::Usage(why)) => assert!(why.contains("--prove runs on the symbolic engine"), "{why}"),
                other => panic!("{args:?}: {other:?}"),
            }
        }
        assert!(options(&["scale", "--prove", "--engine", "symbolic", "x"]).is_ok());
    }

    #[test]
    fn scale_flags_reach_the_scaling_loop() {
        let ir = model();
        let o = scale_of(&[]).scale(&ir);
        assert_eq!(o.engine, scale::Engine::Explicit);
        assert_eq!(
            (o.max_nodes_per_pool, o.max_pods_per_node),
            (ir.bounds.max_nodes_per_pool, ir.bounds.max_pods_per_node)
        );
        assert_eq!((o.steps, o.max_states, o.timeout_ms), (ir.bounds.steps as usize, 5_000_000, 0));
        assert_eq!(o.budget, Some(Duration::from_secs(300)));
        assert!(!o.enumerate && o.prove.is_none());
        let s = scale_of(&[
            "--engine",
            "symbolic",
            "--enumerate",
            "--prove",
            "--diameter-search",
            "0",
            "--max-nodes-per-pool",
            "4",
            "--max-pods-per-node",
            "6",
            "--steps",
            "8",
            "--max-states",
            "10",
            "--timeout",
            "2",
            "--time-limit",
            "9",
            "--events",
            "1",
            "--format",
            "json",
        ]);
        assert_eq!(s.search.events(&ir), Some(1));
        assert_eq!(s.format, cli::ReportFormat::Json);
        let o = s.scale(&ir);
        assert_eq!(o.engine, scale::Engine::Symbolic);
        assert_eq!((o.max_nodes_per_pool, o.max_pods_per_node, o.steps, o.max_states), (4, 6, 8, 10));
        assert_eq!((o.timeout_ms, o.budget), (2000, Some(Duration::from_secs(9))));
        assert!(o.enumerate);
        let p = o.prove.expect("--prove");
        assert_eq!((p.certificates, p.diameter_search), (false, 0));
    }

    #[test]
    fn compare_runs_both_engines_on_every_intent() {
        let Ok(Options::Compare(c)) =
            options(&["compare", "--steps", "3", "--timeout", "4", "--max-states", "11", "--time-limit", "0", "x"])
        else {
            panic!("compare parses")
        };
        assert_eq!(c.search.steps(&model()), 3);
        let e = c.explicit(3);
        assert_eq!((e.max_depth, e.max_states), (3, 11));
        assert!(e.all && e.symmetry && !e.reduction);
        let s = c.symbolic(3);
        assert_eq!((s.max_depth, s.timeout_ms, s.budget), (3, 4000, None));
        assert!(s.all && s.probe && s.prove.is_none());
    }

    #[test]
    fn simulate_dump_and_the_commands_that_do_not_explore() {
        let Ok(Options::Simulate(s)) = options(&["simulate", "--seed", "7", "x"]) else { panic!() };
        assert_eq!((s.seed, s.steps(&model())), (7, model().bounds.steps as usize));
        let Ok(Options::Simulate(s)) = options(&["simulate", "--steps", "2", "x"]) else { panic!() };
        assert_eq!(s.steps(&model()), 2);
        let Ok(Options::Dump(d)) = options(&["dump", "--from-any-state", "--steps", "3", "x"]) else { panic!() };
        assert_eq!((d.steps, d.start), (3, symbolic::DumpStart::Any));
        assert!(options(&["dump", "x"]).unwrap().limits().is_some());
        assert!(options(&["inspect", "x"]).unwrap().limits().is_none());
        let Ok(Options::Init(i)) = options(&["init", "--scenario", "zone", "--allow-unmodeled", "x"]) else { panic!() };
        assert_eq!(i.scenario, spec::infer::Scenario::Zone);
        assert!(i.inputs.allow_unmodeled);
    }
}
