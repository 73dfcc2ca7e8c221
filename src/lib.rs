//! kbmc: a symbolic bounded model checker for Kubernetes clusters.
//!
//! Data flows one way:
//!
//! ```text
//! manifest::load ─┐
//!                 ├─> ir::build ─> ir::Model ─┬─> engine::explicit (model over Concrete) ─┐
//! spec (Verification document) ┘               └─> engine::symbolic (model over Symbolic) ─┴─> Verdict + Trace ─> report
//!                                  scale drives either engine over topologies, size by size
//! ```
//!
//! Modules: `cli` (arguments as parsed), `options` (the arguments turned once into what each
//! command runs with, and each engine's options derived from them), `error` (the one error
//! type and exit codes), `manifest` and `spec` (the only modules that know YAML), `ir` (the
//! validated model), `domain` (value domains), `model` (controllers, events and intents,
//! written once over a domain), `engine::explicit` (exhaustive search), `trace`
//! (counterexamples and their replay), `engine::symbolic` (bounded model checking on Z3),
//! `engine::portfolio` (the order, time shares and hand-over of the engines in one check with
//! the symbolic engine), `event_bound` (how many events one run holds, deepened level by
//! level), `scale` (the scaling loop over topologies, driving either engine), `verdict`,
//! `report` (the only code that writes to stdout).

// The model indexes many parallel arrays (per node, per group) by the same id; an index loop
// says that more plainly than zipped iterators.
#![allow(clippy::needless_range_loop)]

pub mod cli;
pub mod domain;
pub mod engine;
pub mod error;
pub mod event_bound;
pub mod ir;
pub mod limits;
pub mod manifest;
pub mod model;
pub mod options;
pub mod parts;
pub mod report;
pub mod scale;
pub mod shard;
pub mod spec;
pub mod trace;
pub mod verdict;

use std::path::PathBuf;

use cli::{Cli, Format, ReportFormat};
use error::{Error, InputError};
use options::Options;

/// `n` and its noun, singular for one: `1 replica`, `3 replicas`.
pub fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Exit codes, as documented in `kbmc --help`.
pub mod exit {
    pub const HOLDS: i32 = 0;
    pub const VIOLATED: i32 = 1;
    pub const INPUT: i32 = 2;
    pub const INCONCLUSIVE: i32 = 3;
    pub const INTERNAL: i32 = 4;
}

/// Loads manifests and spec from `paths` and builds the validated model. With no
/// Verification among the inputs, the one `spec::infer` gives is checked (and the model says
/// so).
pub fn load_model(paths: &[PathBuf], allow_unmodeled: bool) -> Result<(ir::Model, Vec<InputError>), Error> {
    load_model_with(paths, allow_unmodeled, spec::infer::Scenario::Node)
}

/// [`load_model`], an inferred spec planning for the failures of `scenario`. A scenario
/// other than the default with a Verification among the inputs is a usage error: the
/// Verification's events say what fails.
pub fn load_model_with(
    paths: &[PathBuf],
    allow_unmodeled: bool,
    scenario: spec::infer::Scenario,
) -> Result<(ir::Model, Vec<InputError>), Error> {
    let inputs = manifest::load(paths, manifest::LoadOptions { allow_unmodeled })?;
    build_with_spec(inputs, paths, allow_unmodeled, scenario)
}

/// `kbmc check --baseline BASE CHANGED`: the manifests of `change` applied over the live
/// dump `base` (manifest::overlay), built into one model as [`load_model_with`] does.
pub fn load_change(
    base: &std::path::Path,
    change: &[PathBuf],
    allow_unmodeled: bool,
    scenario: spec::infer::Scenario,
) -> Result<(ir::Model, Vec<InputError>), Error> {
    let opts = manifest::LoadOptions { allow_unmodeled };
    let before = manifest::load(&[base.to_path_buf()], opts)?;
    let inputs = manifest::overlay::overlay(before, manifest::load(change, opts)?);
    let mut paths = vec![base.to_path_buf()];
    paths.extend(change.iter().cloned());
    build_with_spec(inputs, &paths, allow_unmodeled, scenario)
}

/// Builds `inputs` (read from `paths`) into the validated model, with the spec kbmc infers for
/// `scenario` where they hold no Verification.
fn build_with_spec(
    mut inputs: manifest::Inputs,
    paths: &[PathBuf],
    allow_unmodeled: bool,
    scenario: spec::infer::Scenario,
) -> Result<(ir::Model, Vec<InputError>), Error> {
    if inputs.verifications.is_empty() {
        let inferred = infer_spec(&mut inputs, paths, allow_unmodeled, scenario)?;
        inputs.scenario = Some(inferred.scenario.clone());
        inputs.verifications.push(manifest::Object { origin: inferred_origin(), value: inferred.verification });
        inputs.spec_inferred = true;
    } else if scenario != spec::infer::Scenario::Node {
        return Err(Error::Usage(
            "--scenario applies to the spec kbmc infers; the inputs hold a Verification, whose events say what fails"
                .into(),
        ));
    }
    ir::build(&inputs, ir::BuildOptions { allow_unmodeled })
}

/// One check of `m` with the engine and limits `o` asks for (`all`: decide every intent),
/// every counterexample replayed.
fn check_model(m: &model::Model, o: &options::Check, steps: usize, all: bool) -> Result<verdict::CheckResult, Error> {
    prepare(m, o);
    event_bound::check(m, o.event_bound(&m.ir), !all, o.threads, |part| check_level(part, o, steps, all))
}

/// Works out, before the parts of a check of `m` start, what the explicit searches of all of
/// them share (the interchangeable Deployments' classes): on a large cluster that takes
/// seconds, which the parts that start first would otherwise spend of their own shares of the
/// time limit.
fn prepare(m: &model::Model, o: &options::Check) {
    let opts = match o.engine(0, false) {
        options::CheckEngine::Explicit(opts) => opts,
        options::CheckEngine::Portfolio { explicit_states: 0, .. } => return,
        options::CheckEngine::Portfolio { options, explicit_states } => {
            engine::portfolio::explicit_options(&options, explicit_states)
        }
    };
    engine::explicit::prepare(m, &opts);
}

/// One check of `m` (a part of one event bound's level: `parts`) by the engine asked for,
/// its counterexamples replayed.
fn check_level(m: &model::Model, o: &options::Check, steps: usize, all: bool) -> Result<verdict::CheckResult, Error> {
    let result = match o.engine(steps, all) {
        options::CheckEngine::Explicit(opts) => engine::explicit::check(m, &opts),
        // The explicit search first, its verdicts standing where it finished (ADR 0006);
        // none asked for, the symbolic engine alone.
        options::CheckEngine::Portfolio { options: opts, explicit_states: 0 } => engine::portfolio::check(m, &opts),
        options::CheckEngine::Portfolio { options: opts, explicit_states } => {
            engine::portfolio::check_explicit_first(m, &opts, explicit_states)
        }
    };
    verify_traces(m, &result)?;
    Ok(result)
}

/// Where errors about an inferred Verification point.
fn inferred_origin() -> error::Origin {
    error::Origin::new(std::path::Path::new("<inferred spec: kbmc init prints it>"), 1)
}

/// The Verification kbmc infers for `inputs`, which hold none: the manifests are built into a
/// model with an empty spec first, and the spec inferred from that model.
fn infer_spec(
    inputs: &mut manifest::Inputs,
    paths: &[PathBuf],
    allow_unmodeled: bool,
    scenario: spec::infer::Scenario,
) -> Result<spec::infer::Inferred, Error> {
    if inputs.files.is_empty() {
        return Err(Error::Usage(
            "no YAML or JSON file (*.yaml, *.yml, *.json) among the paths given: kbmc needs the manifests (and a Verification, or the Nodes to infer one from; see docs/spec.md)".into(),
        ));
    }
    if inputs.nodes.is_empty() {
        let file = inputs.files.first().cloned().unwrap_or_default();
        return Err(Error::input(error::InputError::file(
            &file,
            error::InputClass::MissingOrMistyped,
            "no Verification and no v1 Node among the inputs, so kbmc knows neither what to verify nor the cluster: add the Nodes (kubectl get nodes -o yaml) to infer a spec, or write a Verification with spec.nodePools (docs/spec.md)",
        )));
    }
    let name = paths
        .first()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cluster".into());
    let bare = spec::Verification {
        api_version: "kbmc.dev/v1alpha1".into(),
        kind: "Verification".into(),
        metadata: spec::Metadata { name: Some(name.clone()), labels: None, annotations: None },
        spec: Default::default(),
    };
    inputs.verifications.push(manifest::Object { origin: inferred_origin(), value: bare });
    let built = ir::build(inputs, ir::BuildOptions { allow_unmodeled });
    inputs.verifications.clear();
    let (model, _) = built?;
    spec::infer::infer(&model, &name, scenario).map_err(Error::Usage)
}

/// `kbmc init`: the Verification kbmc would infer for the manifests, as commented YAML.
pub fn init(
    paths: &[PathBuf],
    allow_unmodeled: bool,
    scenario: spec::infer::Scenario,
) -> Result<(String, Vec<InputError>), Error> {
    let mut inputs = manifest::load(paths, manifest::LoadOptions { allow_unmodeled })?;
    if let Some(v) = inputs.verifications.first() {
        return Err(Error::input(error::InputError::at(
            &v.origin,
            error::InputClass::Invalid,
            "kind",
            "the inputs already hold a Verification; kbmc init writes one for manifests without it",
        )));
    }
    let warnings = inputs.warnings.clone();
    let inferred = infer_spec(&mut inputs, paths, allow_unmodeled, scenario)?;
    let sources: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    Ok((spec::infer::render(&inferred, &sources.join(" ")), warnings))
}

/// Replays every counterexample on the concrete semantics before it is reported: a trace that
/// does not replay is a bug, never a violation.
fn verify_traces(m: &model::Model, r: &verdict::CheckResult) -> Result<(), Error> {
    let reg = model::registry::<domain::Concrete>();
    let mut replay = trace::Replay::new(m, &reg);
    for ir in &r.results {
        if let verdict::Verdict::Violated(t) = &ir.verdict {
            replay
                .check(t)
                .map_err(|e| Error::Internal(format!("the counterexample for {} does not replay: {e}", ir.name)))?;
        }
    }
    Ok(())
}

/// The log target of progress lines (depth reached, states, topologies), which the binary
/// shows on stderr when stderr is a terminal. Engines log progress only after a second.
pub const PROGRESS: &str = "kbmc::progress";

/// Runs one command and returns the process exit code.
pub fn run(cli: Cli) -> Result<i32, Error> {
    run_options(Options::from_cli(cli)?)
}

/// Runs one command as `options` has it.
fn run_options(options: Options) -> Result<i32, Error> {
    // Every command that explores is bounded by its time and memory limits, watched from
    // here on (`limits`).
    let _watch = options.limits().map(limits::watch);
    match options {
        Options::Init(o) => {
            let (yaml, warnings) = init(&o.inputs.paths, o.inputs.allow_unmodeled, o.scenario)?;
            report::warnings(&warnings);
            report::raw(&yaml)?;
            Ok(exit::HOLDS)
        }
        Options::Inspect(o) => {
            let (model, warnings) = load_model(&o.inputs.paths, o.inputs.allow_unmodeled)?;
            report::warnings(&warnings);
            match o.format {
                Format::Text => report::raw(&report::inspect::render(&model))?,
                Format::Json => report::raw(&report::inspect::json(&model)?)?,
            }
            Ok(exit::HOLDS)
        }
        Options::Check(o) => run_check(o),
        Options::Scale(o) => run_scale(o),
        Options::Simulate(o) => run_simulate(o),
        Options::Compare(o) => run_compare(o),
        Options::Dump(o) => run_dump(o),
        Options::Merge(o) => run_merge(o),
    }
}

/// `kbmc check`: the verdict of every intent, against a baseline where one is given.
fn run_check(o: options::Check) -> Result<i32, Error> {
    let inputs = &o.inputs;
    let (ir, warnings) = load_checked(&inputs.paths, o.baseline.as_deref(), inputs.allow_unmodeled, o.scenario)?;
    let m = model::Model::new(&ir);
    let steps = o.search.steps(&ir);
    if let Some((index, count)) = o.shard {
        return run_shard(&o, (&m, &warnings), steps, index, count);
    }
    // Against a baseline, the change and the baseline share the time limit equally: the
    // change is checked in its first half, the baseline in the rest (so at least the other
    // half, its loading included).
    let share = o.baseline.as_ref().and_then(|_| limits::share("the change", 2));
    let result = check_model(&m, &o, steps, o.decide_all())?;
    drop(share);
    if let Some(dir) = &o.certificate {
        report::certificates(dir, &result.certificates)?;
    }
    let mut h = report::view::header(&m, result.effort.engine, steps);
    if o.baseline.is_some() {
        h.time = o.search.budget().map(report::view::time_shares);
    }
    let color = report::color(o.no_color);
    let Some(base) = &o.baseline else {
        report::write_out(&report::check_output(&m, &h, &result, o.format, color)?, color)?;
        return Ok(result.exit_code());
    };
    let bir = load_baseline(base, inputs.allow_unmodeled, o.scenario, &warnings)?;
    let bm = model::Model::new(&bir);
    let before = check_model(&bm, &o, o.search.steps(&bir), true)?;
    against_baseline(&m, &h, &result, (&bm, &before, base), o.format, color)
}

/// `check --shard I/N`: the parts of the check shard `index` of `count` holds, written as the
/// JSON report of those parts with the shard's identity and every part's result for `merge`.
/// Against a baseline, the baseline's parts are dealt with the change's, and the shard checks
/// its parts of the change in the first half of the time limit, as an unsharded check does
/// (`said`: the warnings the change's inputs gave).
fn run_shard(
    o: &options::Check,
    (m, said): (&model::Model, &[InputError]),
    steps: usize,
    index: usize,
    count: usize,
) -> Result<i32, Error> {
    let b = shard_bound(o, m, "")?;
    let start = std::time::Instant::now();
    let parts = event_bound::level_parts(m, b);
    let base = o.baseline.as_ref().map(|path| ShardBaseline::load(o, path, said)).transpose()?;
    let mut costs = parts::costs(m, &parts);
    // A part that renames another's interchangeable nodes goes to the shard its first part is
    // dealt to, where it costs nothing more (`event_bound::run_parts` runs the first only).
    let first = parts::renamings(m, &parts);
    for (i, &f) in first.iter().enumerate() {
        if f != i {
            costs[i] = 0;
        }
    }
    if let Some(s) = &base {
        costs.extend(parts::costs(&s.model, &s.parts));
    }
    let (dealt, theirs): (Vec<usize>, Vec<usize>) =
        parts::deal(&costs, index, count).into_iter().partition(|&i| i < parts.len());
    let mine: Vec<usize> = (0..parts.len()).filter(|&i| dealt.binary_search(&first[i]).is_ok()).collect();
    let all = o.decide_all();
    prepare(m, o);
    let share = base.as_ref().and_then(|_| limits::share("the change", 2));
    let results =
        event_bound::run_parts(m, b, &mine, o.threads, &|part: &model::Model| check_level(part, o, steps, all))?;
    drop(share);
    let before = match &base {
        Some(s) => {
            let theirs: Vec<usize> = theirs.iter().map(|i| i - parts.len()).collect();
            prepare(&s.model, o);
            let run = |part: &model::Model| check_level(part, o, s.steps, true);
            event_bound::run_parts(&s.model, s.bound, &theirs, o.threads, &run)?
        }
        None => Vec::new(),
    };
    let recipe = shard_recipe(o, steps, b, base.as_ref());
    let mut models = vec![m];
    models.extend(base.as_ref().map(|s| &s.model));
    let id = shard::Identity {
        digest: shard::digest(&models, &recipe)?,
        index,
        count,
        parts: parts.len(),
        baseline_parts: base.as_ref().map(|s| s.parts.len()),
    };
    let mut v = shard_report(m, b, steps, (index, count), &parts, &results, start);
    v["shard"] = shard::json(m, &id, &recipe, &results, base.as_ref().map(|s| (&s.model, before.as_slice())));
    report::raw(&format!(
        "{}\n",
        serde_json::to_string_pretty(&v)
            .map_err(|e| Error::Internal(format!("the shard's report does not serialize: {e}")))?
    ))?;
    Ok(exit::HOLDS)
}

/// The fixed event bound a shard of `m`'s check needs (`of`: whose check, for the message).
fn shard_bound(o: &options::Check, m: &model::Model, of: &str) -> Result<i64, Error> {
    let total = model::events::total_budget(m);
    match o.event_bound(&m.ir) {
        Some(b) => Ok(b),
        None if total <= 1 => Ok(total),
        None => Err(Error::Usage(format!(
            "--shard needs an event bound: give --events N (or spec.bounds.events); without one kbmc deepens the bound level by level, each level depending on the last, which shards cannot share ({of}this spec's events allow {total} in one run)"
        ))),
    }
}

/// The baseline's side of a sharded check against a baseline: its model, steps, event bound
/// and parts.
struct ShardBaseline {
    path: PathBuf,
    model: model::Model,
    steps: usize,
    bound: i64,
    parts: Vec<parts::Part>,
}

impl ShardBaseline {
    /// The baseline at `path`, its warnings said where the change's (`said`) did not.
    fn load(o: &options::Check, path: &std::path::Path, said: &[InputError]) -> Result<ShardBaseline, Error> {
        let ir = load_baseline(path, o.inputs.allow_unmodeled, o.scenario, said)?;
        let model = model::Model::new(&ir);
        let bound = shard_bound(o, &model, "the baseline's check: ")?;
        let parts = event_bound::level_parts(&model, bound);
        Ok(ShardBaseline { path: path.to_path_buf(), steps: o.search.steps(&ir), bound, parts, model })
    }
}

/// The model `kbmc check` checks: the inputs at `paths`, or, against a baseline, those
/// inputs applied over it ([`load_change`]); its warnings said.
fn load_checked(
    paths: &[PathBuf],
    baseline: Option<&std::path::Path>,
    allow_unmodeled: bool,
    scenario: spec::infer::Scenario,
) -> Result<(ir::Model, Vec<InputError>), Error> {
    let (ir, warnings) = match baseline {
        None => load_model_with(paths, allow_unmodeled, scenario)?,
        Some(base) => load_change(base, paths, allow_unmodeled, scenario)?,
    };
    report::warnings(&warnings);
    Ok((ir, warnings))
}

/// The baseline at `base`, checked alone against a change; its warnings said but those the
/// change's inputs (`said`) already said: the dump's own warnings come with the change's.
fn load_baseline(
    base: &std::path::Path,
    allow_unmodeled: bool,
    scenario: spec::infer::Scenario,
    said: &[InputError],
) -> Result<ir::Model, Error> {
    let (ir, warnings) = load_model_with(&[base.to_path_buf()], allow_unmodeled, scenario)?;
    let said: Vec<String> = said.iter().map(|w| w.to_string()).collect();
    report::warnings(&warnings.into_iter().filter(|w| !said.contains(&w.to_string())).collect::<Vec<_>>());
    Ok(ir)
}

/// The JSON report of a shard's own parts of the check (`results`, of the check's `parts` at
/// event bound `b`), which hold for those parts alone.
fn shard_report(
    m: &model::Model,
    b: i64,
    steps: usize,
    (index, count): (usize, usize),
    parts: &[parts::Part],
    results: &[(usize, verdict::CheckResult)],
    start: std::time::Instant,
) -> serde_json::Value {
    let total = model::events::total_budget(m);
    let mut mine_only = match results.is_empty() {
        true => {
            let why = format!("shard {index} of {count} holds none of the check's {} part(s)", parts.len());
            parts::unknown(m, (b < total).then_some(b), &why)
        }
        false => {
            let own: Vec<parts::Part> = results.iter().map(|(i, _)| parts[*i].clone()).collect();
            parts::combine(m, &own, results.iter().map(|(_, r)| r.clone()).collect())
        }
    };
    mine_only.events = (b < total).then_some(verdict::EventBound { reached: b, total, deepened: false });
    mine_only.effort.seconds = start.elapsed().as_secs_f64();
    let h = report::view::header(m, mine_only.effort.engine, steps);
    report::machine::json(m, &h, &mine_only)
}

/// What a shard records of its check for `merge` (and its digest).
fn shard_recipe(o: &options::Check, steps: usize, events: i64, base: Option<&ShardBaseline>) -> shard::Recipe {
    shard::Recipe {
        paths: o.inputs.paths.clone(),
        allow_unmodeled: o.inputs.allow_unmodeled,
        scenario: match o.scenario {
            spec::infer::Scenario::Node => "node".into(),
            spec::infer::Scenario::Zone => "zone".into(),
        },
        steps,
        events,
        options: format!(
            "engine {:?}, all {}, reduction {}, probe {}, explicit states {}, prove {:?}, max states {}, query timeout {} ms",
            o.engine,
            o.decide_all(),
            o.reduction,
            o.probe,
            o.explicit_states,
            o.prove,
            o.search.max_states,
            o.search.timeout_ms
        ),
        baseline: base.map(|s| shard::BaselineRecipe { path: s.path.clone(), steps: s.steps, events: s.bound }),
        time_limit_ms: o.search.budget().map(|t| t.as_millis() as u64),
    }
}

/// `kbmc merge`: the shards' parts combined into the report of the whole check, as the check
/// unsharded gives it (against its baseline, where the shards were of a check against one).
fn run_merge(o: options::Merge) -> Result<i32, Error> {
    let shards: Vec<shard::Shard> = o.reports.iter().map(|p| shard::read(p)).collect::<Result<_, _>>()?;
    let recipe =
        shards.first().map(|s| s.recipe.clone()).ok_or_else(|| Error::Usage("no shard report given".into()))?;
    let scenario = match recipe.scenario.as_str() {
        "zone" => spec::infer::Scenario::Zone,
        _ => spec::infer::Scenario::Node,
    };
    let base = recipe.baseline.as_ref().map(|b| b.path.as_path());
    let (ir, warnings) = load_checked(&recipe.paths, base, recipe.allow_unmodeled, scenario)?;
    let m = model::Model::new(&ir);
    let bm = match base {
        Some(b) => Some(model::Model::new(&load_baseline(b, recipe.allow_unmodeled, scenario, &warnings)?)),
        None => None,
    };
    let mut models = vec![&m];
    models.extend(bm.as_ref());
    shard::one_check(&shard::digest(&models, &recipe)?, &shards)?;
    // The shards ran side by side: the check took as long as the slowest.
    let seconds = shards.iter().map(|s| s.seconds).fold(0.0, f64::max);
    let merged = |m: &model::Model, side: shard::Side, events: i64| -> Result<verdict::CheckResult, Error> {
        let results = shard::gather(m, &shards, side)?;
        for r in &results {
            verify_traces(m, r)?;
        }
        let mut result = event_bound::at_bound(m, events, results);
        result.effort.seconds = seconds;
        Ok(result)
    };
    let result = merged(&m, shard::Side::Change, recipe.events)?;
    let mut h = report::view::header(&m, result.effort.engine, recipe.steps);
    let color = report::color(o.no_color);
    let (Some(b), Some(bm)) = (&recipe.baseline, &bm) else {
        report::write_out(&report::check_output(&m, &h, &result, o.format, color)?, color)?;
        return Ok(result.exit_code());
    };
    h.time = recipe.time_limit_ms.map(|ms| report::view::time_shares(std::time::Duration::from_millis(ms)));
    let before = merged(bm, shard::Side::Baseline, b.events)?;
    against_baseline(&m, &h, &result, (bm, &before, &b.path), o.format, color)
}

/// The report of the check of `m` (`result`) against its baseline's (`bm`, `before`, read
/// from `base`), written out; its exit code.
fn against_baseline(
    m: &model::Model,
    h: &report::view::Header,
    result: &verdict::CheckResult,
    (bm, before, base): (&model::Model, &verdict::CheckResult, &std::path::Path),
    format: report::Format,
    color: bool,
) -> Result<i32, Error> {
    let fired = |m: &model::Model, t: &trace::Trace| {
        t.states.last().map_or(0, |s| model::events::fired(&domain::Concrete, m, s))
    };
    let cmp = verdict::Baseline::compare(
        verdict::Side { result: before, fired: &|t| fired(bm, t) },
        verdict::Side { result, fired: &|t| fired(m, t) },
    );
    let b = report::Before { model: bm, result: before, path: base, comparison: &cmp };
    let text = report::baseline_output(m, h, result, &b, format, color)?;
    report::write_out(&text, color)?;
    Ok(cmp.exit_code(result))
}

/// `kbmc scale`: the check over every topology the spec's ranges allow, one cluster size at a
/// time, smallest first.
fn run_scale(o: options::Scale) -> Result<i32, Error> {
    let (mut ir, warnings) = load_model(&o.inputs.paths, o.inputs.allow_unmodeled)?;
    report::warnings(&warnings);
    // Each size's check holds the bound as the spec or --events gives it (no deepening:
    // the sizes are the loop).
    ir.bounds.events = o.search.events(&ir);
    let m = model::Model::new(&ir);
    let opts = o.scale(&ir);
    let start = std::time::Instant::now();
    let result = scale::run(&m, &opts, |level| {
        // Progress for runs longer than a second, on stderr (stdout gets the report).
        if start.elapsed().as_secs_f64() > 1.0 {
            log::info!(target: PROGRESS, "{}", report::scale::progress(opts.engine.name(), level));
        }
    });
    if let scale::Conclusion::Violated { result: r, .. } = &result.conclusion {
        verify_traces(&m, r)?;
    }
    match o.format {
        ReportFormat::Text => {
            let color = report::color(o.no_color);
            report::write_out(&report::scale::render(&m, &result, opts.steps, color), color)?
        }
        ReportFormat::Html => report::raw(&report::html::scale(&report::scale::json(&m, &result, opts.steps)))?,
        ReportFormat::Json => report::raw(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report::scale::json(&m, &result, opts.steps))
                .map_err(|e| Error::Internal(format!("the scale result does not serialize: {e}")))?
        ))?,
    }
    Ok(result.exit_code())
}

/// `kbmc simulate`: one seeded random run, replayed before it is shown.
fn run_simulate(o: options::Simulate) -> Result<i32, Error> {
    let (ir, warnings) = load_model(&o.inputs.paths, o.inputs.allow_unmodeled)?;
    report::warnings(&warnings);
    let m = model::Model::new(&ir);
    let steps = o.steps(&ir);
    let sim = engine::simulate::simulate(&m, o.seed, steps);
    let reg = model::registry::<domain::Concrete>();
    trace::Replay::new(&m, &reg)
        .check_along(&sim.trace, &sim.allowed)
        .map_err(|e| Error::Internal(format!("the simulated run does not replay: {e}")))?;
    let h = report::view::header(&m, "simulation", steps);
    let json = |v: serde_json::Value| {
        serde_json::to_string(&v).map_err(|e| Error::Internal(format!("the simulated run does not serialize: {e}")))
    };
    match o.format {
        cli::SimulateFormat::Text => {
            let color = report::color(o.no_color);
            report::write_out(&report::simulate::render(&m, &h, o.seed, &sim, color), color)?
        }
        cli::SimulateFormat::Json => {
            let v = report::simulate::json(&m, &h, o.seed, &sim);
            report::raw(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v)
                    .map_err(|e| Error::Internal(format!("the simulated run does not serialize: {e}")))?
            ))?
        }
        cli::SimulateFormat::Itf => report::raw(&format!("{}\n", json(report::simulate::itf(&m, &sim))?))?,
    }
    Ok(report::simulate::exit_code(&sim))
}

/// `kbmc compare`: the explicit and the symbolic engine on the same check, side by side.
fn run_compare(o: options::Compare) -> Result<i32, Error> {
    let (ir, warnings) = load_model(&o.inputs.paths, o.inputs.allow_unmodeled)?;
    report::warnings(&warnings);
    let m = model::Model::new(&ir);
    let steps = o.search.steps(&ir);
    let explicit = engine::explicit::check(&m, &o.explicit(steps));
    verify_traces(&m, &explicit)?;
    let symbolic = engine::portfolio::check(&m, &o.symbolic(steps));
    verify_traces(&m, &symbolic)?;
    let comparison = report::compare::compare(&explicit, &symbolic);
    match o.format {
        ReportFormat::Text => report::raw(&report::compare::render(&comparison))?,
        ReportFormat::Html => report::raw(&report::html::compare(&report::compare::json(&comparison)))?,
        ReportFormat::Json => report::raw(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report::compare::json(&comparison))
                .map_err(|e| Error::Internal(format!("the comparison does not serialize: {e}")))?
        ))?,
    }
    Ok(comparison.exit_code())
}

/// `kbmc dump`: the SMT-LIB of the symbolic query, or why it was not built.
fn run_dump(o: options::Dump) -> Result<i32, Error> {
    let (ir, warnings) = load_model(&o.inputs.paths, o.inputs.allow_unmodeled)?;
    report::warnings(&warnings);
    let m = model::Model::new(&ir);
    match engine::symbolic::dump(&m, o.steps, o.start, o.semantics) {
        Ok(smt) => {
            report::raw(&smt)?;
            Ok(exit::HOLDS)
        }
        Err(engine::symbolic::Unbuilt::Stopped(why)) => {
            eprintln!("unknown: {}: {why} was reached before the query was built; nothing was written", why.kind());
            Ok(exit::INCONCLUSIVE)
        }
        Err(engine::symbolic::Unbuilt::NoRounds(why)) => {
            Err(Error::Usage(format!("--semantics step: {why}; dump it without --semantics step")))
        }
    }
}
