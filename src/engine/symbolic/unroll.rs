//! The unroller: frame 0 (one initial state as constants, any of several through a
//! `topology` selector, or free), then frame by frame the transition relation on one solver,
//! with a step selector per frame, canonical choice among identical nodes and the timing
//! policy as constraints, and constants propagated so that only fields that differ between
//! the possible steps get a fresh constant (docs/encoding.md). Probing (`probe/`) may leave
//! out labels it has refuted before each frame. The run's limits (`crate::limits`) are polled
//! inside a frame's encoding, actor by actor, label by label and field by field: a frame cut
//! short is a frame of fresh constants that only some of the transition's constraints (or
//! none) define, which allows every run the full frame allows, and callers ask nothing of it
//! (they read `crate::limits::stopped`). It owns what a frame means; it must not pose a query
//! about an intent.

use z3::ast::{Ast, Bool, Int};

use super::frame::{fields, frame, lift, same_state, twins, with_fields, Fields};
use super::solver::{params, set_timeout, Solver};
use super::{hints, probe, round, Options, Semantics};
use crate::domain::{Concrete, Domain, Symbolic};
use crate::engine::por::{Rounds, Unworked};
use crate::ir::{Intent, Timing};
use crate::model::intents::StepKind;
use crate::model::{all_steps, intents, registry, Class, ClusterState, Controller, Model, Step};

/// How many fields `Unrolling::define` works out between two looks at the run's limit.
const POLL_FIELDS: usize = 64;

/// One step frame k + 1 may follow by: its selector value, its enabling condition and the
/// fields of the state after it.
pub(super) type Choice = (i64, Bool, Fields);

/// The steps frame k + 1 may follow by (`list`), with the terms they were worked out from,
/// which `extend` holds until the frame is added: fields are dropped in the order they are
/// declared.
struct Choices {
    /// The stutter's enabling condition, where the stutter is not one of `list`.
    _stutter_ok: Option<Bool>,
    list: Vec<Choice>,
    /// The labels left out as steps that change nothing (where those are no choices).
    idle: Vec<i64>,
    _now: Fields,
    _any: Option<Bool>,
    _any_fast: Bool,
    _any_atomic: Bool,
    _per_actor: Vec<(Class, Vec<Bool>)>,
}

/// The unrolling: frames, per-frame selectors and the label table.
pub(super) struct Unrolling {
    pub(super) solver: Solver,
    pub(super) frames: Vec<ClusterState<Symbolic>>,
    pub(super) selectors: Vec<Int>,
    pub(super) labels: Vec<Step>,
    /// Per transition k: the selected step is an eviction-class step (descheduler, taint
    /// eviction, node lifecycle, drain).
    pub(super) evicts_at: Vec<Bool>,
    /// Per transition k: the selected step deletes a preemption victim.
    pub(super) preempts_at: Vec<Bool>,
    /// Per transition k: the values of its selector that `evicts_at` and `preempts_at` are
    /// the disjunctions of (what a lasso's refutation by the steps between layer lemmas reads:
    /// `Prober::no_loop_through`).
    pub(super) evicting_choices: Vec<Vec<i64>>,
    pub(super) preempting_choices: Vec<Vec<i64>>,
    /// Whether a step that leaves the state as it was (the stutter, a sync that changes
    /// nothing) is a choice. Only lassos need them (a deadlock with waiting pods is a stutter
    /// loop); for safety intents every state a path with such a step reaches, the path without
    /// it reaches one step earlier, at a depth checked before (`Bmc` asks every depth in turn).
    pub(super) self_loops: bool,
    /// Probing of kinds of step before each frame (`probe/`), with its witness runs; only
    /// for bounded checking from the initial states.
    pub(super) prober: Option<probe::Prober>,
    /// What one probe may take (set before each extension).
    pub(super) probe_budget: probe::Budget,
    /// The solver's timeout outside probes (`Options::timeout_ms`; 0: none).
    pub(super) timeout_ms: u64,
    /// Whether a frame was cut short by the run's limit (`Unrolling::extend`).
    pub(super) cut: bool,
    /// Every run has ended: no step changes the state of the last frame before it, and the
    /// unrolling asserts so (`false`), so every query from that frame on is unsatisfiable.
    pub(super) ended: bool,
    /// Step semantics (`Semantics::Step`): which labels may fire in one round. `None`: one
    /// step per frame, chosen by the frame's selector.
    pub(super) rounds: Option<Rounds>,
    /// Under step semantics, per transition k: each label that may fire, with its firing
    /// literal (the selector of such a frame is unconstrained).
    pub(super) fired: Vec<Vec<(usize, Bool)>>,
    /// "Frame l equals frame k", per pair asked (`Unrolling::closes`): every cycle intent's
    /// lasso asks the same pairs, and each is an equality per field.
    pub(super) closes: std::cell::RefCell<rustc_hash::FxHashMap<(usize, usize), Bool>>,
}

/// Each of `terms` simplified by Z3, in one call: as the arguments of one application of an
/// uninterpreted predicate, so that a subterm they share (a disjunction of every pre-empting
/// guard) is rewritten once, not once per term. The rewriter works bottom-up on each argument
/// and leaves an uninterpreted application's own shape alone.
fn simplify_each(terms: Vec<Bool>) -> Vec<Bool> {
    if terms.len() < 2 {
        return terms.into_iter().map(|t| t.simplify()).collect();
    }
    let sort = z3::Sort::bool();
    let domain = vec![&sort; terms.len()];
    let each = z3::FuncDecl::new("kbmc.each", &domain, &sort);
    let args: Vec<&dyn Ast> = terms.iter().map(|t| t as &dyn Ast).collect();
    let simplified = each.apply(&args).simplify();
    let out: Vec<Bool> = simplified.children().iter().filter_map(|c| c.as_bool()).collect();
    if out.len() != terms.len() {
        // Not what Z3's rewriter does; one call per term is the same question.
        log::debug!("simplify_each: Z3 changed the shape of {simplified}");
        return terms.into_iter().map(|t| t.simplify()).collect();
    }
    out
}

/// Whether the run's time or memory limit has passed (`crate::limits`).
fn stopped() -> bool {
    crate::limits::stopped().is_some()
}

impl Unrolling {
    /// An unrolling whose frame 0 is `s0`: the initial state's constants, or free variables.
    pub(super) fn new(m: &Model, opts: &Options, s0: ClusterState<Symbolic>) -> Unrolling {
        // Z3's default solver, not one created for QF_LIA: on these queries the default was
        // 10-250x faster (C5: 0.12 s against 30 s; docs/performance.md), unlike the design
        // note's prototype with one variable per pod slot.
        let solver = Solver::new();
        solver.set_params(&params());
        // Under a run's time limit every check has a timeout, the time it leaves at most.
        if opts.timeout_ms > 0 || crate::limits::left().is_some() {
            set_timeout(&solver, if opts.timeout_ms > 0 { opts.timeout_ms } else { u32::MAX as u64 });
        }
        let reg = registry::<Symbolic>();
        let labels = all_steps(m, &reg);
        Unrolling {
            solver,
            frames: vec![s0],
            selectors: Vec::new(),
            labels,
            evicts_at: Vec::new(),
            preempts_at: Vec::new(),
            evicting_choices: Vec::new(),
            preempting_choices: Vec::new(),
            self_loops: true,
            prober: None,
            probe_budget: probe::Budget::default(),
            timeout_ms: opts.timeout_ms,
            cut: false,
            ended: false,
            rounds: None,
            fired: Vec::new(),
            closes: Default::default(),
        }
    }

    /// What the frames of a bounded check of `m`'s intents are: a step that changes nothing
    /// is a choice only where a cycle intent's lasso needs it (`self_loops`), and under
    /// `Semantics::Step` each frame is a round (`rounds`, from the footprints of the labels
    /// over `shape`'s dimensions), but only where every intent is a safety intent (a lasso is
    /// a loop of single steps) and no step touches a monitor. Where rounds were asked for and
    /// do not apply, the frames stay single steps and the error says why.
    pub(super) fn choose_frames(
        &mut self,
        m: &Model,
        semantics: Semantics,
        shape: Option<&ClusterState<Concrete>>,
    ) -> Result<(), &'static str> {
        self.self_loops = m.ir.intents.iter().any(Intent::is_cycle);
        if semantics == Semantics::Interleaved {
            return Ok(());
        }
        if self.self_loops {
            return Err("the spec has a cycle intent, whose lasso is a loop of single steps, so the bounded check keeps one step per frame");
        }
        match shape.map(|shape| Rounds::new(m, &self.labels, shape)) {
            Some(Ok(rounds)) => {
                self.rounds = Some(rounds);
                Ok(())
            }
            Some(Err(Unworked::TooLarge)) => Err("the model has too many steps over too large a state to work out which steps are independent (docs/encoding.md), so the bounded check keeps one step per frame"),
            Some(Err(Unworked::Monitor)) | None => {
                Err("a step reads or writes an intent's monitor, so the bounded check keeps one step per frame")
            }
        }
    }

    /// An unrolling whose frame 0 is any one of `inits` (the topologies of a scaling query):
    /// an integer `topology` selects one, and each field of frame 0 is an `ite` over it,
    /// simplified like the fields of later frames, so that what all topologies share stays a
    /// constant and only what differs (present bits, replicas, placements) gets a variable.
    pub(super) fn from_inits(m: &Model, opts: &Options, inits: &[ClusterState<Concrete>]) -> Unrolling {
        assert!(!inits.is_empty(), "a query needs at least one initial state");
        if inits.len() == 1 {
            return Unrolling::new(m, opts, lift(&inits[0]));
        }
        let mut u = Unrolling::new(m, opts, frame(m, 0));
        let sel = Int::new_const("topology");
        let options: Vec<Bool> = (0..inits.len()).map(|i| sel.eq(Int::from_i64(i as i64))).collect();
        u.solver.assert(Bool::or(&options));
        let lifted: Vec<ClusterState<Symbolic>> = inits.iter().map(lift).collect();
        let ints: Vec<Vec<Int>> = lifted.iter().map(|st| fields(st).0).collect();
        let bools: Vec<Vec<Bool>> = lifted.iter().map(|st| fields(st).1).collect();
        let (free_ints, free_bools) = fields(&u.frames[0]);
        let mut defs = Vec::new();
        let s0_ints = u.define(&options, &ints, &free_ints, |v| v.as_i64().is_some(), |a, b| a.eq(b), &mut defs);
        let s0_bools = u.define(&options, &bools, &free_bools, |v| v.as_bool().is_some(), |a, b| a.iff(b), &mut defs);
        // Cut short by the run's limit, frame 0 stays free (it allows every topology).
        if let (Some(s0_ints), Some(s0_bools)) = (s0_ints, s0_bools) {
            u.frames[0] = with_fields(&u.frames[0], s0_ints, s0_bools);
        } else {
            u.cut = true;
        }
        u
    }

    /// Adds frame k+1 and the transition from frame k.
    ///
    /// Constant propagation: frame 0 is concrete, and under the urgent policy most steps are
    /// forced, so many guards and next values simplify to constants. A label whose guard
    /// simplifies to false is not encoded at all; a field whose next value is the same
    /// constant under every remaining choice becomes that constant instead of a variable.
    /// Only fields that differ between the possible steps get a fresh `<object>.<field>@k`
    /// constant, defined by an `ite` over the selector. (C8 to depth 7: 11 s with a fresh
    /// variable per field and an equality per label, see docs/encoding.md.)
    ///
    /// The run's limit is polled throughout (a frame of a large pool can take many seconds):
    /// once it has passed, frame k + 1 is `fresh`, defined by whatever part of the transition
    /// was asserted by then, and `cut` is set (`cut_short`).
    pub(super) fn extend(&mut self, m: &Model, reg: &[Box<dyn Controller<Symbolic>>], classes: &[usize]) {
        let k = self.frames.len() - 1;
        let cur = self.frames[k].clone();
        let fresh = frame(m, k + 1);
        let sel = Int::new_const(format!("step@{k}"));
        if stopped() {
            return self.cut_short(fresh, sel);
        }
        // Every term handle of this step is held until the frame is added, and dropped in
        // the order of its declaration here and in `Choices`: Z3 frees a term with its last
        // handle and reuses its id, so when terms are freed changes what later terms share and
        // the ids they get, and with them the formulas (the dumped encodings are compared byte
        // for byte, tests/it/cross.rs).
        let started = std::time::Instant::now();
        let Some((_twin, mut guards)) = self.guards(m, reg, classes, &cur) else {
            return self.cut_short(fresh, sel);
        };
        let guarded = started.elapsed().as_secs_f64();
        if let Some(p) = self.prober.as_mut() {
            if k == 0 {
                p.first_lemma(&self.solver, &cur);
            } else {
                p.prune(&self.solver, m, reg, &self.labels, classes, &cur, &mut guards, k, self.probe_budget);
            }
            if p.take_asked() {
                set_timeout(&self.solver, if self.timeout_ms > 0 { self.timeout_ms } else { u32::MAX as u64 });
            }
        }
        let probed = started.elapsed().as_secs_f64();
        let Some(choices) = self.choices(m, reg, &cur, &guards).filter(|_| !stopped()) else {
            return self.cut_short(fresh, sel);
        };
        let chosen = started.elapsed().as_secs_f64();
        if choices.list.is_empty() {
            // Only steps that change nothing were left, and they are dropped: no run goes on
            // from frame k, so every query beyond it is unsatisfiable (frame k + 1 is frame k,
            // constrained by nothing else).
            log::debug!("frame {}: no step changes the state: every run has ended", k + 1);
            self.solver.assert(Bool::from_bool(false));
            self.ended = true;
            if let Some(p) = &mut self.prober {
                p.end_lemmas();
            }
            self.no_kinds_of_step();
            self.frames.push(cur);
            self.selectors.push(sel);
            return;
        }
        if self.rounds.is_some() {
            self.add_round(m, reg, &cur, &fresh, sel, &choices.list);
        } else {
            self.add_frame(m, reg, classes, &fresh, sel, &choices.list, &choices.idle);
        }
        log::debug!(
            "frame {}: encoded in {:.3} s (guards {guarded:.3} s, probes {:.3} s, next states {:.3} s, definitions and lemma {:.3} s)",
            k + 1,
            started.elapsed().as_secs_f64(),
            probed - guarded,
            chosen - probed,
            started.elapsed().as_secs_f64() - chosen
        );
    }

    /// Asserts the layer lemmas not asserted yet (`Prober::assert_lemmas`): called before
    /// the solver is asked anything of the frames.
    pub(super) fn assert_lemmas(&mut self) {
        if let Some(p) = &mut self.prober {
            p.assert_lemmas(&self.solver);
        }
    }

    /// Records that the step into the next frame is of no kind a watch names (no step is
    /// taken, or none is known).
    fn no_kinds_of_step(&mut self) {
        if self.rounds.is_some() {
            self.fired.push(Vec::new());
        }
        self.evicts_at.push(Bool::from_bool(false));
        self.preempts_at.push(Bool::from_bool(false));
        self.evicting_choices.push(Vec::new());
        self.preempting_choices.push(Vec::new());
    }

    /// Records which of `choices` (each taken where its literal of `taken` holds: the frame's
    /// selector value, or a round's firing literal) evicts or deletes a preemption victim.
    fn kinds_of_step(&mut self, reg: &[Box<dyn Controller<Symbolic>>], choices: &[Choice], taken: &[Bool]) {
        let of_kind = |kind: StepKind| -> (Vec<i64>, Bool) {
            let (values, picks): (Vec<i64>, Vec<Bool>) = choices
                .iter()
                .zip(taken)
                .filter(|((v, _, _), _)| {
                    self.labels.get(*v as usize).is_some_and(|s| kind.of(&*reg[s.actor as usize], s))
                })
                .map(|((v, _, _), o)| (*v, o.clone()))
                .unzip();
            (values, Bool::or(&picks))
        };
        let (evicting, evicts) = of_kind(StepKind::Evicts);
        let (preempting, preempts) = of_kind(StepKind::Preempts);
        self.evicts_at.push(evicts);
        self.preempts_at.push(preempts);
        self.evicting_choices.push(evicting);
        self.preempting_choices.push(preempting);
    }

    /// Ends a frame the run's limit cut short: frame k + 1 is `fresh`, constrained only by
    /// what was asserted of it so far (a part of the transition, so every run of the full
    /// unrolling is still a run of this one, and an unsatisfiable query stays so), and no
    /// probe or lemma follows.
    fn cut_short(&mut self, fresh: ClusterState<Symbolic>, sel: Int) {
        log::debug!(
            "frame {}: cut short by {}",
            self.frames.len(),
            crate::limits::stopped().map_or_else(String::new, |s| s.to_string())
        );
        self.cut = true;
        if let Some(p) = &mut self.prober {
            p.end_lemmas();
        }
        self.no_kinds_of_step();
        self.frames.push(fresh);
        self.selectors.push(sel);
    }

    /// Per node, whether a lower-index identical node is in the same state in `cur`; per label,
    /// its guard in `cur` and, on a node, that the node has no such twin (canonical choice
    /// among identical nodes), simplified. `None` once the run's limit has passed.
    fn guards(
        &self,
        m: &Model,
        reg: &[Box<dyn Controller<Symbolic>>],
        classes: &[usize],
        cur: &ClusterState<Symbolic>,
    ) -> Option<(Vec<Bool>, Vec<Bool>)> {
        let d = Symbolic;
        // Canonical choice among identical nodes: a step on node n needs no lower twin.
        let twin = twins(cur, classes);
        // Guards actor by actor, at once where the actor can share the work
        // (`Hints::batch_guard`); a label on a node with a lower twin is off without asking.
        let mut guards: Vec<Bool> = vec![Bool::from_bool(false); self.labels.len()];
        for (a, c) in reg.iter().enumerate() {
            if stopped() {
                return None;
            }
            let mine: Vec<usize> = (0..self.labels.len())
                .filter(|&i| {
                    let s = &self.labels[i];
                    s.actor as usize == a && c.node_of(s).is_none_or(|n| twin[n].as_bool() != Some(true))
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            let steps: Vec<Step> = mine.iter().map(|&i| self.labels[i]).collect();
            let asked = std::time::Instant::now();
            let batch = match hints::of(&**c).batch_guard(&d, m, &steps, cur) {
                Some(b) => b,
                None => steps.iter().map(|s| (!stopped()).then(|| c.guard(&d, m, s, cur))).collect::<Option<_>>()?,
            };
            if asked.elapsed().as_millis() >= 100 {
                log::debug!("guards of {} ({} labels): {:.3} s", c.name(), steps.len(), asked.elapsed().as_secs_f64());
            }
            // No simplifier here: the domain folds what the frame's constants decide, so a
            // guard false by them alone is already `false`, and the solver rewrites what it is
            // given anyway.
            for ((&i, s), g) in mine.iter().zip(&steps).zip(batch) {
                guards[i] = match c.node_of(s) {
                    Some(n) => d.and(&g, &d.not(&twin[n])),
                    None => g,
                };
            }
        }
        Some((twin, guards))
    }

    /// The steps frame k + 1 may follow from `cur` by: per label whose guard is not false, its
    /// selector value, its enabling condition under the timing policy (atomic steps pre-empt
    /// every other actor; under urgent timing fast ones pre-empt the rest) and the fields of
    /// the state after; the stutter last, where it is a choice. Steps that change nothing are
    /// left out unless `self_loops`. `None` once the run's limit has passed.
    fn choices(
        &self,
        m: &Model,
        reg: &[Box<dyn Controller<Symbolic>>],
        cur: &ClusterState<Symbolic>,
        guards: &[Bool],
    ) -> Option<Choices> {
        let d = Symbolic;
        let stutter = self.labels.len() as i64;
        let possible: Vec<usize> = (0..self.labels.len()).filter(|&i| guards[i].as_bool() != Some(false)).collect();
        // "Some step of this actor is enabled", once per actor with a possible step that
        // pre-empts others or, where the stutter is a choice, every actor: its cheaper
        // equivalent where it has one (`Hints::any_enabled`), else the disjunction of its
        // possible guards.
        let urgent = m.ir.timing == Timing::Urgent;
        let wanted = |c: Class| self.self_loops || c == Class::Atomic || (urgent && c == Class::Fast);
        let per_actor: Vec<(Class, Vec<Bool>)> = reg
            .iter()
            .enumerate()
            .filter(|(_, c)| wanted(c.class()))
            .filter_map(|(a, c)| {
                let mine: Vec<usize> =
                    possible.iter().copied().filter(|&i| self.labels[i].actor as usize == a).collect();
                if mine.is_empty() {
                    return None;
                }
                let parts = match hints::of(&**c).any_enabled(&d, m, cur) {
                    Some(f) => vec![f],
                    None => mine.iter().map(|&i| guards[i].clone()).collect(),
                };
                Some((c.class(), parts))
            })
            .collect();
        let some_enabled = |which: &dyn Fn(Class) -> bool| -> Bool {
            let parts: Vec<Bool> =
                per_actor.iter().filter(|(c, _)| which(*c)).flat_map(|(_, p)| p.iter().cloned()).collect();
            Bool::or(&parts).simplify()
        };
        let any_atomic = some_enabled(&|c| c == Class::Atomic);
        let any_fast = some_enabled(&|c| c == Class::Fast);
        // "Some step is enabled" is the stutter's condition, so only where it is a choice.
        let any = self.self_loops.then(|| some_enabled(&|_| true));
        // The choices: (selector value, enabling condition, fields of the state after), stutter
        // last.
        let now = fields(cur);
        // Atomic steps pre-empt every other actor; under urgent timing fast ones pre-empt the
        // rest (as the explicit engine's `enabled_into`). Each label's condition is simplified
        // with the others (`simplify_each`): they share the pre-empting disjunctions.
        let class = |i: usize| reg[self.labels[i].actor as usize].class();
        let mut enabled: Vec<Bool> = possible.iter().map(|&i| guards[i].clone()).collect();
        let atomic_ok = any_atomic.not();
        let fast_ok = any_fast.not();
        let pre_empted: [(&dyn Fn(Class) -> bool, &Bool); 2] = [
            (&|c| c != Class::Atomic && any_atomic.as_bool() != Some(false), &atomic_ok),
            (&|c| urgent && !matches!(c, Class::Fast | Class::Atomic), &fast_ok),
        ];
        for (by, ok) in pre_empted {
            let which: Vec<usize> = (0..possible.len()).filter(|&j| by(class(possible[j]))).collect();
            let raw: Vec<Bool> = which.iter().map(|&j| Bool::and(&[&enabled[j], ok])).collect();
            for (j, e) in which.into_iter().zip(simplify_each(raw)) {
                enabled[j] = e;
            }
        }
        if stopped() {
            return None;
        }
        let mut choices: Vec<Choice> = Vec::new();
        let mut idle = Vec::new();
        for (&i, enabled) in possible.iter().zip(enabled) {
            if stopped() {
                return None;
            }
            let s = &self.labels[i];
            let c = &reg[s.actor as usize];
            if enabled.as_bool() == Some(false) {
                continue;
            }
            // Under step semantics the monitors observe the round's state, not each step's.
            let after = c.update(&d, m, s, cur);
            let next = fields(&if self.rounds.is_some() { after } else { intents::observe(&d, m, after) });
            if !self.self_loops && same_state(&now, &next) {
                idle.push(i as i64);
                continue;
            }
            choices.push((i as i64, enabled, next));
        }
        let mut stutter_ok = any.as_ref().map(|any| any.not().simplify());
        if stutter_ok.as_ref().is_some_and(|ok| ok.as_bool() != Some(false)) {
            choices.push((stutter, stutter_ok.take().expect("just checked"), now.clone()));
        }
        Some(Choices {
            _stutter_ok: stutter_ok,
            list: choices,
            idle,
            _now: now,
            _any: any,
            _any_fast: any_fast,
            _any_atomic: any_atomic,
            _per_actor: per_actor,
        })
    }

    /// Asserts the transition from the last frame by `choices` (selected by `sel`) and adds
    /// the frame after it: each field a constant where every choice agrees on it, else its
    /// `fresh` constant defined by an `ite` over the selector; then the layer lemma of the new
    /// frame, where probing keeps them (`idle`: the labels left out as changing nothing).
    #[allow(clippy::too_many_arguments)]
    fn add_frame(
        &mut self,
        m: &Model,
        reg: &[Box<dyn Controller<Symbolic>>],
        classes: &[usize],
        fresh: &ClusterState<Symbolic>,
        sel: Int,
        choices: &[Choice],
        idle: &[i64],
    ) {
        let k = self.frames.len() - 1;
        // The selector takes one of the possible values, each only when enabled.
        let options: Vec<Bool> = choices.iter().map(|(v, _, _)| sel.eq(Int::from_i64(*v))).collect();
        // What defines frame k + 1 from frame k, also kept for the layer lemma's one-step
        // check (`Prober::lemma`).
        let mut step = vec![Bool::or(&options)];
        for ((_, enabled, _), pick) in choices.iter().zip(&options) {
            if enabled.as_bool() != Some(true) {
                step.push(pick.implies(enabled));
            }
        }
        for a in &step {
            self.solver.assert(a);
        }
        // Per field: the value after the chosen step.
        let (ints, bools): (Vec<Vec<Int>>, Vec<Vec<Bool>>) = choices.iter().map(|(_, _, f)| f.clone()).unzip();
        let Some((next_ints, next_bools)) = self.define_fields(&options, &ints, &bools, fresh, &mut step) else {
            return self.cut_short(fresh.clone(), sel);
        };
        log::debug!(
            "frame {}: {} possible step(s) [{}], {} variable field(s)",
            k + 1,
            choices.len(),
            choices.iter().map(|(v, _, _)| v.to_string()).collect::<Vec<_>>().join(","),
            next_ints.iter().filter(|v| v.as_i64().is_none()).count()
                + next_bools.iter().filter(|v| v.as_bool().is_none()).count()
        );
        let next = with_fields(fresh, next_ints, next_bools);
        self.kinds_of_step(reg, choices, &options);
        self.frames.push(next);
        self.selectors.push(sel);
        if let Some(p) = &mut self.prober {
            p.witnesses.advance(m, &self.labels, classes, self.self_loops);
            let values: Vec<i64> = choices.iter().map(|(v, _, _)| *v).collect();
            p.lemma(&step, (&self.selectors[k], &values), idle, &self.frames[k + 1], k + 1, self.probe_budget);
        }
    }

    /// Step semantics: asserts the transition from the last frame, `cur`, by a round of the
    /// steps `choices` offers (each fires only when enabled, at least one fires, two
    /// dependent ones never, one that must act alone only alone, and at most one per
    /// monitor's first stage), and adds the frame after it: each integer field the value
    /// before plus every fired step's change to it, each boolean the value the one step that
    /// changes it gives (two steps that change one field are dependent), then the monitors
    /// observed on the result. Independent steps' changes are functions of what the others
    /// leave alone (`engine::por::Rounds`), so this is the state every order of the fired steps
    /// reaches (docs/encoding.md).
    fn add_round(
        &mut self,
        m: &Model,
        reg: &[Box<dyn Controller<Symbolic>>],
        cur: &ClusterState<Symbolic>,
        fresh: &ClusterState<Symbolic>,
        sel: Int,
        choices: &[Choice],
    ) {
        let k = self.frames.len() - 1;
        let rounds = self.rounds.as_mut().expect("step semantics");
        let fire: Vec<Bool> = choices.iter().map(|(v, _, _)| Bool::new_const(format!("fire.{v}@{k}"))).collect();
        let mut step = vec![Bool::or(&fire)];
        for ((_, enabled, _), f) in choices.iter().zip(&fire) {
            if enabled.as_bool() != Some(true) {
                step.push(f.implies(enabled));
            }
        }
        let labels: Vec<u32> = choices.iter().map(|(v, _, _)| *v as u32).collect();
        let Some(lonely) = round::constrain(rounds, self.labels.len(), cur, &labels, &fire, &mut step) else {
            return self.cut_short(fresh.clone(), sel);
        };
        for a in &step {
            self.solver.assert(a);
        }
        let Some(after) = round::state(m, cur, choices, &fire) else {
            return self.cut_short(fresh.clone(), sel);
        };
        // Each field a constant where it simplifies to one, else its fresh constant, defined:
        // `define` with the one choice every round's fields are.
        let (ints, bools) = fields(&after);
        let only = [Bool::from_bool(true)];
        let Some((next_ints, next_bools)) = self.define_fields(&only, &[ints], &[bools], fresh, &mut step) else {
            return self.cut_short(fresh.clone(), sel);
        };
        log::debug!(
            "frame {}: a round of {} possible step(s) ({} only alone), {} variable field(s)",
            k + 1,
            choices.len(),
            lonely,
            next_ints.iter().filter(|v| v.as_i64().is_none()).count()
                + next_bools.iter().filter(|v| v.as_bool().is_none()).count()
        );
        self.kinds_of_step(reg, choices, &fire);
        self.frames.push(with_fields(fresh, next_ints, next_bools));
        self.selectors.push(sel);
        if let Some(p) = &mut self.prober {
            p.round_lemma(&step, &fire, &self.frames[k + 1], k + 1, self.probe_budget);
        }
        self.fired.push(labels.iter().map(|&l| l as usize).zip(fire).collect());
    }

    /// Extends the unrolling until it has frames 0..=k. Once the run's limit has passed the
    /// frames left are free (`cut_short`): callers see the limit in `crate::limits::stopped`
    /// and use nothing of an unrolling cut short, but may index every frame up to k.
    pub(super) fn extend_to(&mut self, m: &Model, reg: &[Box<dyn Controller<Symbolic>>], classes: &[usize], k: usize) {
        while self.frames.len() <= k {
            self.extend(m, reg, classes);
        }
    }

    /// [`define`](Self::define) of every integer and every boolean field, named by `fresh`'s
    /// constants; `None` once the run's limit has passed.
    fn define_fields(
        &self,
        options: &[Bool],
        ints: &[Vec<Int>],
        bools: &[Vec<Bool>],
        fresh: &ClusterState<Symbolic>,
        defs: &mut Vec<Bool>,
    ) -> Option<Fields> {
        let (fresh_ints, fresh_bools) = fields(fresh);
        let next_ints = self.define(options, ints, &fresh_ints, |v| v.as_i64().is_some(), |a, b| a.eq(b), defs)?;
        let next_bools = self.define(options, bools, &fresh_bools, |v| v.as_bool().is_some(), |a, b| a.iff(b), defs)?;
        Some((next_ints, next_bools))
    }

    /// Per field f: `ite(options[0], values[0][f], ite(options[1], …, values[last][f]))`,
    /// simplified; a constant is kept as it is, anything else is named by `fresh[f]`, which is
    /// defined to equal it (asserted, and added to `defs`). `None` once the run's limit has
    /// passed (looked at every [`POLL_FIELDS`] fields; the definitions asserted by then stay).
    fn define<A: Ast + Clone + std::hash::Hash + Eq>(
        &self,
        options: &[Bool],
        values: &[Vec<A>],
        fresh: &[A],
        constant: impl Fn(&A) -> bool,
        equal: impl Fn(&A, &A) -> Bool,
        defs: &mut Vec<Bool>,
    ) -> Option<Vec<A>> {
        (0..fresh.len())
            .map(|f| {
                if f % POLL_FIELDS == 0 && stopped() {
                    return None;
                }
                // The value most choices share (usually the field left as it was) closes the
                // chain, and only the choices that differ from it get an `ite`: with hundreds
                // of labels (events on every node) a field changed by two of them costs two
                // `ite`, not hundreds.
                let mut count: std::collections::HashMap<&A, usize> = std::collections::HashMap::new();
                for vals in values {
                    *count.entry(&vals[f]).or_default() += 1;
                }
                let base =
                    values.iter().map(|vals| &vals[f]).max_by_key(|v| count[v]).expect("at least one choice").clone();
                let mut v = base.clone();
                for c in (0..values.len()).rev() {
                    if values[c][f] != base {
                        v = options[c].ite(&values[c][f], &v);
                    }
                }
                let v = v.simplify();
                if constant(&v) {
                    Some(v)
                } else {
                    let def = equal(&fresh[f], &v);
                    self.solver.assert(&def);
                    defs.push(def);
                    Some(fresh[f].clone())
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One call of the simplifier gives each term what a call of its own gives it, a shared
    /// subterm, a term that folds to false and a lone term included.
    #[test]
    fn simplifying_terms_together_is_simplifying_each() {
        let (x, y) = (Int::new_const("x"), Int::new_const("y"));
        let p = Bool::new_const("p");
        let shared = Bool::or(&[x.gt(Int::from_i64(3)), Bool::and(&[p.clone(), Bool::from_bool(true)])]).not();
        let terms = vec![
            Bool::and(&[x.le(Int::from_i64(1)), shared.clone()]),
            Bool::and(&[y.eq(Int::add(&[&x, &Int::from_i64(0)])), shared.clone()]),
            Bool::and(&[p.clone(), shared.clone(), p.not()]),
            Bool::or(&[p.not(), Bool::from_bool(false), y.ge(&y)]),
        ];
        let together = simplify_each(terms.clone());
        let alone: Vec<Bool> = terms.iter().map(|t| t.simplify()).collect();
        assert_eq!(together, alone);
        assert_eq!(together[2].as_bool(), Some(false), "{}", together[2]);
        assert_eq!(simplify_each(vec![terms[0].clone()]), vec![alone[0].clone()]);
    }
}
