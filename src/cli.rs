//! Command-line arguments (clap derive), as parsed: the low-level arguments. Doc comments
//! here are the `--help` text. Owns parsing and what clap checks (value ranges, flags that
//! require others); `options` turns the result into what each command runs with and rejects
//! conflicts clap cannot express, and what each command does lives in `lib.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The exit-code table every command's help ends with.
macro_rules! exit_codes {
    () => {
        "\
Exit codes:
  0  every intent holds (within the stated bound, or proved)
  1  some intent is violated (a counterexample is printed)
  2  input or usage error (file, document, field and what was expected are printed),
     or a feature that is not implemented yet
  3  inconclusive (unknown or timeout): never reported as success
  4  internal error (a bug in kbmc)"
    };
}
const EXIT_CODES: &str = exit_codes!();
const CHECK_HELP: &str = concat!(
    "Examples:
  kbmc check cases/c3-conflicting-spread
  kbmc check --engine explicit --steps 20 cases/c8-descheduler-spread-loop
  kbmc check --engine explicit --format sarif my-manifests/ verification.yaml > kbmc.sarif
  kbmc check --format junit my-manifests/ verification.yaml > kbmc-junit.xml
  kbmc check --all --engine explicit cases/c1-hpa-oscillation
  kbmc check --prove --certificate proofs/ tests/fixtures/good/provable

",
    exit_codes!()
);
const SCALE_HELP: &str = concat!(
    "Examples:
  kbmc scale cases/c8-descheduler-spread-loop/manifests scaling/c8-descheduler-spread-loop.yaml
  kbmc scale --enumerate --max-nodes-per-pool 4 my-manifests/ verification.yaml

",
    exit_codes!()
);
const COMPARE_HELP: &str = "Examples:
  kbmc compare --steps 5 cases/c7-taint-nodename-loop

Exit codes:
  0  both engines decided every intent and agree on each
  1  (not used: a violation both engines agree on is agreement, exit 0)
  2  input or usage error
  3  inconclusive: an engine left some intent unknown (a state, time or memory limit, or
     the solver gave up), so nothing is compared for it
  4  the engines disagree on an intent (a bug in kbmc), or another internal error";
const MERGE_HELP: &str = concat!(
    "Examples:
  for i in 0 1 2; do kbmc check --events 1 --shard $i/3 --format json dump/ > shard-$i.json; done
  kbmc merge shard-0.json shard-1.json shard-2.json
  kbmc merge --format sarif shard-*.json > kbmc.sarif

A missing, repeated or foreign shard (other inputs, options or kbmc version) is an error (2).

",
    exit_codes!()
);
const INIT_HELP: &str = "Examples:
  kubectl get nodes,deploy,rs,pods,hpa -A -o yaml > cluster.yaml
  kbmc init cluster.yaml > verification.yaml
  kbmc check cluster.yaml verification.yaml

Exit codes:
  0  the Verification was written
  2  input or usage error (file, document, field and what was expected are printed)
  4  internal error (a bug in kbmc)";
const INSPECT_HELP: &str = concat!(
    "Examples:
  kbmc inspect cases/c1-hpa-oscillation
  kbmc inspect --format json my-manifests/ verification.yaml

",
    exit_codes!()
);

/// A symbolic bounded model checker for Kubernetes clusters: reads Deployments, HPAs, Nodes,
/// scheduler and descheduler configuration plus one kbmc Verification spec, and explores
/// every interleaving of controllers and events up to a bound.
#[derive(Debug, Parser)]
#[command(name = "kbmc", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the Verification kbmc infers for manifests without one (what `kbmc check` checks
    /// when no Verification is given), as commented YAML to edit and pass back to `check`.
    #[command(after_help = INIT_HELP)]
    Init(InitArgs),
    /// Print the resolved model: node pools and nodes, pod groups, Deployments, HPAs,
    /// scheduler and descheduler configuration, events, intents and bounds.
    #[command(after_help = INSPECT_HELP)]
    Inspect(InspectArgs),
    /// Check every intent of the spec.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Cover every topology the spec's ranges allow (node pools' `count: {min, max}`,
    /// workloads' `replicas: {min, max}`), one cluster size at a time, smallest first, up to
    /// the confident size; report the smallest violating topology (fewest nodes, then fewest
    /// pods) with its trace, or exactly what was covered.
    #[command(after_help = SCALE_HELP)]
    Scale(ScaleArgs),
    /// One random run (seeded, so it can be repeated) from one of the spec's topologies, each
    /// step picked among the enabled ones, printed as a trace with every intent evaluated
    /// along it. Exit 1 when the run violates an intent, 0 when it does not (no proof: use
    /// `check` for that).
    #[command(
        after_help = "Examples:\n  kbmc simulate cases/c1-hpa-oscillation --seed 7 --steps 40\n\nExit codes: 0 no violation along this run, 1 a violation along this run, 2 input error, 3 the run was cut short by the time or memory limit, 4 internal error"
    )]
    Simulate(SimulateArgs),
    /// Run both engines and compare their verdicts per intent; exit 0 only when they agree
    /// (4 when they disagree, which is a bug in kbmc; 3 when either is inconclusive).
    #[command(after_help = COMPARE_HELP)]
    Compare(CompareArgs),
    /// Combine the reports of every shard of a check (`check --shard I/N --format json`) into
    /// the report the whole check gives, in any format, with its exit code.
    #[command(after_help = MERGE_HELP)]
    Merge(MergeArgs),
    /// Print the SMT-LIB of the symbolic query: the transition relation unrolled `--steps`
    /// times from the initial state and "some intent is violated at the last step".
    #[command(after_help = EXIT_CODES)]
    Dump(DumpArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Formats of a check result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// For people: header, verdicts, counterexamples with a table per step, summary.
    Text,
    /// One JSON document, schema kbmc.dev/check/v2 (docs/output.md).
    Json,
    /// Apalache's Informal Trace Format: one JSON document per line, one per violated intent.
    Itf,
    /// JUnit XML: one test case per intent (violated: failure; unknown: error).
    Junit,
    /// SARIF 2.1.0: one result per violated intent, at the manifest object involved.
    Sarif,
    /// One self-contained HTML page (no network): the report with each counterexample as a
    /// picture, nodes by steps.
    Html,
}

/// Formats of `scale` and `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people.
    Text,
    /// One JSON document (docs/output.md).
    Json,
    /// One self-contained HTML page (no network), pictures included.
    Html,
}

/// How results are written, shared by `check` and `simulate`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
    /// No colour in text output (colour is used only when stdout is a terminal; NO_COLOR
    /// is honoured too).
    #[arg(long)]
    pub no_color: bool,
}

/// `check --reduction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Reduction {
    Por,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    Explicit,
    Symbolic,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Manifest files or directories (read recursively: *.yaml, *.yml, *.json), with one
    /// `kind: Verification` document or none (kbmc then infers one: `kbmc init` prints it).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Warn instead of failing on fields that change Kubernetes' behaviour but are not
    /// modelled (podAntiAffinity, External metrics, ...). Verdicts then ignore those fields.
    #[arg(long)]
    pub allow_unmodeled: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Manifest files or directories (read recursively: *.yaml, *.yml, *.json), without a
    /// Verification document.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub allow_unmodeled: bool,
    /// The failure scenario of the inferred spec: node (one node fails, any node, and may
    /// recover) or zone (the nodes of one zone fail, whichever zone; needs nodes in two zones
    /// or more). Each is checked on its own.
    #[arg(long, value_enum, default_value = "node")]
    pub scenario: Scenario,
}

/// `--scenario`: which failures an inferred spec plans for (`spec::infer::Scenario`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    Node,
    Zone,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub allow_unmodeled: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub allow_unmodeled: bool,
    /// Without a Verification among the inputs: the failure scenario of the inferred spec,
    /// node (one node fails, any node, and may recover) or zone (the nodes of one zone fail,
    /// whichever zone). Run the check once per scenario; the header says which holds.
    #[arg(long, value_enum, default_value = "node")]
    pub scenario: Scenario,
    /// Which engine explores the state space: symbolic (bounded model checking on Z3) or
    /// explicit (exhaustive breadth-first search; fastest on small clusters).
    #[arg(long, value_enum, default_value = "symbolic")]
    pub engine: Engine,
    /// Decide every intent, each violated one with its own shortest counterexample. Without
    /// it the check stops at the first violation (what a CI gate needs, and faster), and
    /// intents not decided by then are reported unknown with that reason.
    #[arg(long)]
    pub all: bool,
    /// Symbolic engine: do not ask the solver, before each frame, which kinds of step runs of
    /// that length can take, nor check the layer lemmas (frame k is one of the states a
    /// concrete search reaches in k steps) or offer hints; none of these changes a verdict,
    /// they save time, and this is for measuring it.
    #[arg(long)]
    pub no_probe: bool,
    /// Symbolic engine: the explicit search it runs first may expand this many states (and
    /// take half the time limit); its verdicts stand where it finished (a violation, or every
    /// state within the step bound explored), and the symbolic engine decides what it left
    /// open. With --prove its violations stand, and its "holds" where it explored every
    /// reachable state (unless certificates are asked for). 0: the symbolic engine alone.
    #[arg(long, value_name = "STATES", default_value_t = 1_000_000)]
    pub explicit_states: usize,
    /// Explicit engine: partial-order reduction. por: in each state take only an ample set of
    /// the enabled steps, where the others cannot interfere with it nor change what an intent
    /// observes (same verdicts, fewer states; a counterexample may not be the shortest).
    /// none: every enabled step.
    #[arg(long, value_enum, default_value = "none")]
    pub reduction: Reduction,
    #[command(flatten)]
    pub proof: ProveArgs,
    /// With --prove: write the queries of every proof as SMT-LIB files into this directory
    /// (each must be unsatisfiable; re-check them with any SMT solver).
    #[arg(long, value_name = "DIR", requires = "prove")]
    pub certificate: Option<PathBuf>,
    /// Check a change against the live cluster: PATH is the cluster's dump (a file or
    /// directory), and the paths given are the manifests the change brings, applied over it
    /// (an object replaces the dump's of the same kind, namespace and name; others are added).
    /// Both are checked with every intent decided, and each violation is reported as new,
    /// unchanged or fixed by the change; exit 1 only when the change adds one.
    #[arg(long, value_name = "PATH")]
    pub baseline: Option<PathBuf>,
    /// Threads that check the independent parts of a check at once (under an event bound, one
    /// part per set of events; default: the machine's cores). The report is the same whatever
    /// the number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Check only shard I of N of the check's parts (I from 0 to N-1, as a Kubernetes Indexed
    /// Job's JOB_COMPLETION_INDEX gives it), and write them as JSON for `kbmc merge`, which
    /// combines the N shards' reports into the report of the whole check. Needs an event bound
    /// (--events or spec.bounds.events) and --format json; exits 0 once the report is written
    /// (the verdict is the merge's).
    #[arg(long, value_name = "I/N", value_parser = shard)]
    pub shard: Option<(u32, u32)>,
    #[command(flatten)]
    pub search: SearchArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--shard I/N`: `I` below `N`, `N` from 1 to 10000.
fn shard(s: &str) -> Result<(u32, u32), String> {
    let (i, n) = s.split_once('/').ok_or("expected I/N, as 0/4 (shard 0 of 4)")?;
    let i: u32 = i.trim().parse().map_err(|e| format!("I in I/N: expected a whole number: {e}"))?;
    let n: u32 = n.trim().parse().map_err(|e| format!("N in I/N: expected a whole number: {e}"))?;
    if n == 0 || n > 10_000 {
        return Err(format!("N in I/N: expected 1 to 10000 shards, found {n}"));
    }
    if i >= n {
        return Err(format!("I in I/N: shards are numbered 0 to {}, found {i}", n - 1));
    }
    Ok((i, n))
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The JSON reports of every shard of one check (`kbmc check --shard I/N --format json`).
    /// The inputs they name are read again, from the paths the shards were given.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Proofs for every run length, shared by `check` and `scale`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// Symbolic engine: prove intents for every run length, by an inductive invariant made of
    /// the reachable states or k-induction (safety intents), or by completeness at the
    /// recurrence diameter (every intent).
    #[arg(long)]
    pub prove: bool,
    /// With --prove: how many states the concrete searches may expand, for the reachable
    /// states (an invariant candidate Z3 checks) and for the recurrence diameter (the longest
    /// path without a repeated state: when every such path is enumerated, bounded checking one
    /// step beyond it is complete). 0: leave both to the solver alone.
    #[arg(long, value_name = "STATES", default_value_t = 200_000, requires = "prove")]
    pub diameter_search: usize,
}

/// The largest `--steps`, as `spec.bounds.steps` allows.
pub const MAX_STEPS: i64 = 10_000;

/// The time and memory limits every command that explores honours (`limits`).
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Stop after this many seconds in all; what is still open then is reported unknown
    /// (exit 3), with the depth or the sizes reached (0: no limit).
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub time_limit: u64,
    /// Stop when the process's resident memory passes this size (bytes, or with a K, M, G or
    /// T suffix, powers of 1024; a whole number of MiB); what is still open then is reported
    /// "unknown: memory limit" (exit 3). Default: half of the machine's memory; 0: no limit.
    #[arg(long, value_name = "SIZE", value_parser = crate::limits::parse_memory)]
    pub max_memory: Option<u64>,
}

/// The bounds of a search, shared by `check` and `scale`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Bound on the number of steps, 1..10000 (overrides spec.bounds.steps).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_STEPS))]
    pub steps: Option<u32>,
    /// Symbolic engine: per-query timeout in seconds (default: none, only the time limit).
    #[arg(long)]
    pub timeout: Option<u64>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Explicit engine: give up a search after this many states (at least 1); intents not
    /// decided by then are reported unknown (exit 3) with the depth covered.
    #[arg(long, default_value_t = 5_000_000, value_parser = at_least_one)]
    pub max_states: usize,
    /// Events in one run at most, all kinds together, 0..10000 (overrides spec.bounds.events).
    /// Without either, `check` deepens it from 1 while time remains, up to what every event's
    /// own budget allows; `scale` takes the budgets alone.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=MAX_STEPS))]
    pub events: Option<u32>,
    /// Symbolic engine: what one frame of a bounded check is. interleaved: one step, so a
    /// bound of k is k steps; step: a round of steps that are pairwise independent (every
    /// order of them reaches the same state), so a bound of k rounds covers every run of k
    /// steps and more. Safety intents only: cycle intents and proofs keep interleaved
    /// frames, and the verdict says which a bound is in.
    #[arg(long, value_enum, default_value = "interleaved")]
    pub semantics: Semantics,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Semantics {
    Interleaved,
    Step,
}

/// A count that must be positive (`--max-states`).
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("expected at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("expected a whole number: {e}")),
    }
}

#[derive(Debug, Args)]
pub struct ScaleArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub allow_unmodeled: bool,
    /// Which engine answers each size's query. explicit (default): one breadth-first search
    /// from every topology of the size, exhaustive on small clusters; symbolic: one Z3 query
    /// whose first frame is any of the size's topologies (docs/adr/0003 says why explicit is
    /// the default here).
    #[arg(long, value_enum, default_value = "explicit")]
    pub engine: Engine,
    /// One query per topology, run in parallel, instead of one query per cluster size.
    #[arg(long)]
    pub enumerate: bool,
    #[command(flatten)]
    pub proof: ProveArgs,
    /// Largest pool size covered, 1..1000 (overrides spec.bounds.maxNodesPerPool).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_nodes_per_pool: Option<u32>,
    /// Replicas covered up to this many per node, 1..1000 (overrides spec.bounds.maxPodsPerNode).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_pods_per_node: Option<u32>,
    #[command(flatten)]
    pub search: SearchArgs,
    /// No colour in the counterexample (colour only on a terminal; NO_COLOR is honoured too).
    #[arg(long)]
    pub no_color: bool,
    /// Output format: text for people, json (schema kbmc.dev/scale/v2, docs/output.md), or
    /// html (one self-contained page with a chart of the sizes).
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub allow_unmodeled: bool,
    /// Seed of the random choices: the same seed gives the same run.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Steps to take, 1..10000 (default: spec.bounds.steps); the run ends earlier when
    /// nothing can act.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_STEPS))]
    pub steps: Option<u32>,
    /// No colour (colour only on a terminal; NO_COLOR is honoured too).
    #[arg(long)]
    pub no_color: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: SimulateFormat,
}

/// Formats of a simulated run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    /// For people: header, what the run showed per intent, the run with a table per step.
    Text,
    /// One JSON document, schema kbmc.dev/simulate/v1 (docs/output.md).
    Json,
    /// The run as one Apalache ITF document.
    Itf,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub allow_unmodeled: bool,
    /// Bound on the number of steps for both engines, 1..10000 (overrides spec.bounds.steps).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_STEPS))]
    pub steps: Option<u32>,
    /// Per-query timeout of the symbolic engine, in seconds.
    #[arg(long)]
    pub timeout: Option<u64>,
    /// Explicit engine: give up after this many states (at least 1); an engine cut short
    /// makes the comparison inconclusive (exit 3).
    #[arg(long, default_value_t = 5_000_000, value_parser = at_least_one)]
    pub max_states: usize,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// The symbolic engine's frames: interleaved (one step) or step (a round of independent
    /// steps), as `check --semantics`.
    #[arg(long, value_enum, default_value = "interleaved")]
    pub semantics: Semantics,
    /// Output format: text for people, json (schema kbmc.dev/compare/v1, docs/output.md), or
    /// html (one self-contained page).
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub allow_unmodeled: bool,
    /// Steps to unroll, 1..10000.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=MAX_STEPS))]
    pub steps: u32,
    /// Start from any state (free variables) instead of the initial state, so that every
    /// step's guard and update appear in full rather than simplified against the initial state.
    #[arg(long)]
    pub from_any_state: bool,
    /// What one frame is: one step, or a round of independent steps (as `check --semantics`).
    /// Rounds need a spec with safety intents only.
    #[arg(long, value_enum, default_value = "interleaved")]
    pub semantics: Semantics,
    #[command(flatten)]
    pub limits: LimitArgs,
}
