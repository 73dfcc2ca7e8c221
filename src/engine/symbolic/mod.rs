//! The symbolic engine: the transition relation unrolled in Z3, frame by frame, on one solver
//! (incremental deepening), a step selector per frame, and for each safety intent the query
//! "is a violating state reachable in exactly k steps". The only engine that drives Z3. Every
//! counterexample is decoded into the same Trace the explicit engine produces and replayed on
//! the concrete semantics by the caller before it is reported.
//!
//! Safety intents: "a violating state is reachable in exactly k steps". Cycle intents: a
//! lasso — some earlier frame l equals frame k (S_l = S_k) and the watched change happens
//! on a step inside the loop (an eviction for noEvictionCycle, waiting pods all along for
//! allPodsEventuallyRun). Both use the urgent or interleaved timing policy and canonical
//! choice among identical nodes, as the explicit engine does.

use std::time::Instant;

use z3::ast::{Bool, Int};
use z3::{Params, SatResult, Solver};

use crate::domain::{Concrete, Symbolic};
use crate::ir::{Intent, Timing};
use crate::model::{all_steps, intents, registry, Class, ClusterState, Controller, Model, Step};
use crate::trace::Trace;
use crate::verdict::{CheckResult, Effort, IntentResult, Verdict};

#[derive(Clone, Debug)]
pub struct Options {
    /// Unroll at most this many steps.
    pub max_depth: usize,
    /// Per-query timeout in milliseconds (0: none).
    pub timeout_ms: u64,
    /// Stop deepening once this much time is spent (intents still open become unknown).
    pub budget: Option<std::time::Duration>,
}

/// Fresh constants for frame `k`, named `<object>.<field>@<k>`.
fn frame(m: &Model, k: usize) -> ClusterState<Symbolic> {
    let ir = &m.ir;
    let node = |n: usize, f: &str| format!("node.{}.{f}@{k}", ir.nodes[n].name);
    let int = |name: String| Int::new_const(name);
    let boolean = |name: String| Bool::new_const(name);
    let nn = ir.nodes.len();
    let per_group = |f: &str| -> Vec<Vec<Int>> {
        (0..ir.groups.len())
            .map(|g| (0..nn).map(|n| int(format!("pod.{}.{}.{f}@{k}", m.group_name(g), ir.nodes[n].name))).collect())
            .collect()
    };
    ClusterState {
        present: (0..nn).map(|n| boolean(node(n, "present"))).collect(),
        status: (0..nn).map(|n| int(node(n, "status"))).collect(),
        cordoned: (0..nn).map(|n| boolean(node(n, "cordoned"))).collect(),
        draining: (0..nn).map(|n| boolean(node(n, "draining"))).collect(),
        maintained: (0..nn).map(|n| boolean(node(n, "maintained"))).collect(),
        panics: (0..nn).map(|n| int(node(n, "panics"))).collect(),
        pending: (0..ir.groups.len()).map(|g| int(format!("pod.{}.pending@{k}", m.group_name(g)))).collect(),
        bound: per_group("bound"),
        running: m
            .kinds
            .iter()
            .map(|kind| {
                (0..nn)
                    .map(|n| {
                        int(format!(
                            "pod.{}:{}m.{}.running@{k}",
                            m.group_name(kind.group.index()),
                            kind.cpu_usage,
                            ir.nodes[n].name
                        ))
                    })
                    .collect()
            })
            .collect(),
        terminating: per_group("terminating"),
        desired: ir.deployments.iter().map(|d| int(format!("deployment.{}.desired@{k}", d.name))).collect(),
        revision: ir.deployments.iter().map(|d| int(format!("deployment.{}.revision@{k}", d.name))).collect(),
        hpa_window_max: ir.hpas.iter().map(|h| int(format!("hpa.{}.windowMax@{k}", h.name))).collect(),
        hpa_window_min: ir.hpas.iter().map(|h| int(format!("hpa.{}.windowMin@{k}", h.name))).collect(),
        budget: ir
            .events
            .iter()
            .enumerate()
            .map(|(e, ev)| int(format!("event.{e}.{}.budget@{k}", ev.name())))
            .collect(),
        monitor: ir
            .intents
            .iter()
            .enumerate()
            .map(|(i, it)| boolean(format!("intent.{i}.{}.monitor@{k}", it.name())))
            .collect(),
    }
}

/// `a == b`, field by field.
fn equal(a: &ClusterState<Symbolic>, b: &ClusterState<Symbolic>) -> Bool {
    let mut parts: Vec<Bool> = Vec::new();
    let ints = |x: &Vec<Int>, y: &Vec<Int>, out: &mut Vec<Bool>| out.extend(x.iter().zip(y).map(|(p, q)| p.eq(q)));
    let bools = |x: &Vec<Bool>, y: &Vec<Bool>, out: &mut Vec<Bool>| out.extend(x.iter().zip(y).map(|(p, q)| p.iff(q)));
    bools(&a.present, &b.present, &mut parts);
    ints(&a.status, &b.status, &mut parts);
    bools(&a.cordoned, &b.cordoned, &mut parts);
    bools(&a.draining, &b.draining, &mut parts);
    bools(&a.maintained, &b.maintained, &mut parts);
    ints(&a.panics, &b.panics, &mut parts);
    ints(&a.pending, &b.pending, &mut parts);
    for (x, y) in a
        .bound
        .iter()
        .zip(&b.bound)
        .chain(a.running.iter().zip(&b.running))
        .chain(a.terminating.iter().zip(&b.terminating))
    {
        ints(x, y, &mut parts);
    }
    ints(&a.desired, &b.desired, &mut parts);
    ints(&a.revision, &b.revision, &mut parts);
    ints(&a.hpa_window_max, &b.hpa_window_max, &mut parts);
    ints(&a.hpa_window_min, &b.hpa_window_min, &mut parts);
    ints(&a.budget, &b.budget, &mut parts);
    bools(&a.monitor, &b.monitor, &mut parts);
    Bool::and(&parts)
}

/// Whether nodes `a` and `b` are in the same per-node state.
fn same_node(st: &ClusterState<Symbolic>, a: usize, b: usize) -> Bool {
    let mut parts = vec![
        st.present[a].iff(&st.present[b]),
        st.status[a].eq(&st.status[b]),
        st.cordoned[a].iff(&st.cordoned[b]),
        st.draining[a].iff(&st.draining[b]),
        st.maintained[a].iff(&st.maintained[b]),
        st.panics[a].eq(&st.panics[b]),
    ];
    for row in st.bound.iter().chain(&st.running).chain(&st.terminating) {
        parts.push(row[a].eq(&row[b]));
    }
    Bool::and(&parts)
}

/// Reads frame `st` back from a model.
fn decode(model: &z3::Model, st: &ClusterState<Symbolic>) -> ClusterState<Concrete> {
    st.map::<Concrete>(
        &|i: &Int| model.eval(i, true).and_then(|v| v.as_i64()).expect("a model assigns every integer"),
        &|b: &Bool| model.eval(b, true).and_then(|v| v.as_bool()).expect("a model assigns every boolean"),
    )
}

/// The unrolling: frames, per-frame selectors and the label table.
struct Unrolling {
    solver: Solver,
    frames: Vec<ClusterState<Symbolic>>,
    selectors: Vec<Int>,
    labels: Vec<Step>,
    /// Per transition k: the selected step is an eviction-class step (descheduler, taint
    /// eviction, node lifecycle, drain).
    evicting: Vec<Bool>,
}

impl Unrolling {
    fn new(m: &Model, opts: &Options, init: &ClusterState<Concrete>) -> Unrolling {
        // Z3's default solver, not one created for QF_LIA: on these queries the default was
        // 10-250x faster (C5: 0.12 s against 30 s; docs/performance.md), unlike the design
        // note's prototype with one variable per pod slot.
        let solver = Solver::new();
        if opts.timeout_ms > 0 {
            let mut p = Params::new();
            p.set_u32("timeout", opts.timeout_ms.min(u32::MAX as u64) as u32);
            solver.set_params(&p);
        }
        let reg = registry::<Symbolic>();
        let labels = all_steps(m, &reg);
        let s0 = frame(m, 0);
        let lifted = init.map::<Symbolic>(&|i: &i64| Int::from_i64(*i), &|b: &bool| Bool::from_bool(*b));
        solver.assert(equal(&s0, &lifted));
        Unrolling { solver, frames: vec![s0], selectors: Vec::new(), labels, evicting: Vec::new() }
    }

    /// Adds frame k+1 and the transition from frame k.
    fn extend(&mut self, m: &Model, reg: &[Box<dyn Controller<Symbolic>>], classes: &[usize]) {
        let d = Symbolic;
        let k = self.frames.len() - 1;
        let cur = self.frames[k].clone();
        let next = frame(m, k + 1);
        let sel = Int::new_const(format!("step@{k}"));
        let stutter = self.labels.len() as i64;
        let nn = m.nodes();
        // Canonical choice among identical nodes: a step on node n needs no lower twin.
        let twin: Vec<Bool> = (0..nn)
            .map(|n| {
                Bool::or(
                    &(0..n).filter(|&j| classes[j] == classes[n]).map(|j| same_node(&cur, j, n)).collect::<Vec<_>>(),
                )
            })
            .collect();
        let guards: Vec<Bool> = self
            .labels
            .iter()
            .map(|s| {
                let c = &reg[s.actor as usize];
                let g = c.guard(&d, m, s, &cur);
                match c.node_of(s) {
                    Some(n) => Bool::and(&[g, twin[n].not()]),
                    None => g,
                }
            })
            .collect();
        let any_fast = Bool::or(
            &self
                .labels
                .iter()
                .zip(&guards)
                .filter(|(s, _)| reg[s.actor as usize].class() == Class::Fast)
                .map(|(_, g)| g.clone())
                .collect::<Vec<_>>(),
        );
        let any = Bool::or(&guards);
        self.solver.assert(Bool::and(&[sel.ge(Int::from_i64(0)), sel.le(Int::from_i64(stutter))]));
        for (i, s) in self.labels.iter().enumerate() {
            let c = &reg[s.actor as usize];
            let mut enabled = guards[i].clone();
            if m.ir.timing == Timing::Urgent && c.class() != Class::Fast {
                enabled = Bool::and(&[enabled, any_fast.not()]);
            }
            let after = intents::observe(&d, m, c.update(&d, m, s, &cur));
            let step = Bool::and(&[enabled, equal(&next, &after)]);
            self.solver.assert(sel.eq(Int::from_i64(i as i64)).implies(&step));
        }
        self.solver.assert(sel.eq(Int::from_i64(stutter)).implies(Bool::and(&[any.not(), equal(&next, &cur)])));
        let evicting: Vec<Bool> = self
            .labels
            .iter()
            .enumerate()
            .filter(|(_, s)| reg[s.actor as usize].evicts(s))
            .map(|(i, _)| sel.eq(Int::from_i64(i as i64)))
            .collect();
        self.evicting.push(Bool::or(&evicting));
        self.frames.push(next);
        self.selectors.push(sel);
    }

    /// A lasso ending at frame k that violates cycle intent `intent`, as one formula per loop
    /// start l (so that the loop start can be read from the model).
    fn lasso(&self, m: &Model, intent: &Intent, k: usize) -> Vec<Bool> {
        let d = Symbolic;
        let term = |f: &ClusterState<Symbolic>, dep: usize| -> Int {
            Int::add(&m.groups_of[dep].iter().flat_map(|&g| f.terminating[g].iter()).collect::<Vec<_>>())
        };
        (0..k)
            .map(|l| {
                let closes = equal(&self.frames[l], &self.frames[k]);
                let watched = match intent {
                    Intent::NoEvictionCycle { deployment } => {
                        let dep = deployment.index();
                        Bool::or(
                            &(l..k)
                                .map(|j| {
                                    Bool::and(&[
                                        self.evicting[j].clone(),
                                        term(&self.frames[j + 1], dep).gt(term(&self.frames[j], dep)),
                                    ])
                                })
                                .collect::<Vec<_>>(),
                        )
                    }
                    Intent::AllPodsEventuallyRun => Bool::and(
                        &(l..=k)
                            .map(|j| intents::waiting(&d, m, &self.frames[j]).gt(Int::from_i64(0)))
                            .collect::<Vec<_>>(),
                    ),
                    _ => Bool::from_bool(false),
                };
                Bool::and(&[closes, watched])
            })
            .collect()
    }
}

/// Checks every intent by bounded model checking from the model's single topology.
pub fn check(m: &Model, opts: &Options) -> CheckResult {
    let start = Instant::now();
    let sreg = registry::<Symbolic>();
    let creg = registry::<Concrete>();
    let inits = m.initial_states();
    let ni = m.ir.intents.len();
    let mut results: Vec<Option<Verdict>> = vec![None; ni];
    let mut depth_reached = 0;
    if inits.len() != 1 {
        for r in results.iter_mut().filter(|r| r.is_none()) {
            *r = Some(Verdict::Unknown {
                reason: "node pools with a count range need symbolic topologies (issue 5); use --engine explicit"
                    .into(),
            });
        }
    } else {
        let classes = crate::engine::explicit::symmetry_classes(m);
        let mut u = Unrolling::new(m, opts, &inits[0]);
        'deepen: for k in 0..=opts.max_depth {
            if k > 0 {
                u.extend(m, &sreg, &classes);
            }
            depth_reached = k;
            if opts.budget.is_some_and(|b| start.elapsed() > b) {
                let spent = start.elapsed().as_secs_f64();
                for r in results.iter_mut().filter(|r| r.is_none()) {
                    *r = Some(Verdict::Unknown {
                        reason: format!("the time budget ran out after {spent:.0} s, at depth {k}"),
                    });
                }
                break 'deepen;
            }
            for i in 0..ni {
                if results[i].is_some() {
                    continue;
                }
                let intent = &m.ir.intents[i];
                let loops = if intent.is_cycle() { u.lasso(m, intent, k) } else { Vec::new() };
                let bad =
                    if intent.is_cycle() { Bool::or(&loops) } else { intents::violated(&Symbolic, m, &u.frames[k], i) };
                u.solver.push();
                u.solver.assert(&bad);
                let answer = u.solver.check();
                match answer {
                    SatResult::Sat => {
                        let model = u.solver.get_model().expect("sat gives a model");
                        let states: Vec<ClusterState<Concrete>> = u.frames.iter().map(|f| decode(&model, f)).collect();
                        let steps: Vec<Step> = u
                            .selectors
                            .iter()
                            .map(|s| {
                                let v = model.eval(s, true).and_then(|v| v.as_i64()).expect("selector value") as usize;
                                u.labels.get(v).copied().unwrap_or(crate::engine::explicit::STUTTER)
                            })
                            .collect();
                        let mut t = Trace::new(m, &creg, states, steps);
                        if intent.is_cycle() {
                            t.loop_start =
                                loops.iter().position(|l| model.eval(l, true).and_then(|v| v.as_bool()) == Some(true));
                        } else {
                            t.violation =
                                Some(intents::explain(m, intent, t.states.last().expect("a trace has states")));
                        }
                        results[i] = Some(Verdict::Violated(t));
                    }
                    SatResult::Unsat => {}
                    SatResult::Unknown => {
                        let reason = u.solver.get_reason_unknown().unwrap_or_else(|| "no reason given".into());
                        results[i] = Some(Verdict::Unknown { reason: format!("Z3 gave up at depth {k}: {reason}") });
                    }
                }
                u.solver.pop(1);
            }
            if results.iter().all(Option::is_some) {
                break 'deepen;
            }
        }
    }
    let results =
        m.ir.intents
            .iter()
            .zip(results)
            .map(|(intent, v)| IntentResult {
                name: intent.name(),
                kivi_name: intent.kivi_name(),
                verdict: v.unwrap_or(Verdict::Holds { steps: depth_reached, exhaustive: false }),
            })
            .collect();
    CheckResult {
        model: m.ir.name.clone(),
        results,
        effort: Effort {
            engine: "symbolic",
            states: 0,
            transitions: 0,
            depth: depth_reached,
            seconds: start.elapsed().as_secs_f64(),
        },
    }
}

/// The SMT-LIB of the query at depth `steps`: the unrolling from the model's single topology
/// and "some intent is violated at the last frame" (for cycle intents, a lasso closing there).
pub fn dump(m: &Model, steps: usize) -> Result<String, String> {
    let inits = m.initial_states();
    if inits.len() != 1 {
        return Err("node pools with a count range need symbolic topologies (issue 5)".into());
    }
    let sreg = registry::<Symbolic>();
    let classes = crate::engine::explicit::symmetry_classes(m);
    let mut u = Unrolling::new(m, &Options { max_depth: steps, timeout_ms: 0, budget: None }, &inits[0]);
    for _ in 0..steps {
        u.extend(m, &sreg, &classes);
    }
    let bad: Vec<Bool> =
        m.ir.intents
            .iter()
            .enumerate()
            .map(|(i, intent)| {
                if intent.is_cycle() {
                    Bool::or(&u.lasso(m, intent, steps))
                } else {
                    intents::violated(&Symbolic, m, &u.frames[steps], i)
                }
            })
            .collect();
    u.solver.assert(Bool::or(&bad));
    Ok(u.solver.to_smt2())
}
