//! The explicit-state engine: breadth-first search over concrete states (so counterexamples
//! are shortest), a visited set of packed states, the timing policy, symmetry reduction over
//! identical nodes, and cycle detection on the explored graph for cycle intents. It is the
//! reference the symbolic engine is cross-checked against. It must not know any controller:
//! it sees only guards, updates, classes and the step labels of the registry.

mod cycles;

use std::collections::VecDeque;

use rustc_hash::FxHashMap;
use std::time::Instant;

use crate::domain::Concrete;
use crate::ir::{Intent, Timing};
use crate::model::{all_steps, intents, registry, Class, ClusterState, Controller, Model, Step};
use crate::trace::Trace;
use crate::verdict::{CheckResult, Effort, IntentResult, Verdict};

/// The label of a stutter step (nothing else can happen; time passes).
pub const STUTTER: Step = Step { actor: u8::MAX, op: 0, a: 0, b: 0, v: 0 };

#[derive(Clone, Debug)]
pub struct Options {
    /// Steps from an initial state beyond which states are not expanded.
    pub max_depth: usize,
    /// States beyond which the search gives up (verdicts then say unknown where unproven).
    pub max_states: usize,
    /// Explore only the lowest-index node among identical ones (same pool, same static facts,
    /// same state) for a step.
    pub symmetry: bool,
}

/// The explored state graph.
pub struct Graph {
    pub states: Vec<ClusterState<Concrete>>,
    pub parent: Vec<Option<(u32, Step)>>,
    pub depth: Vec<u32>,
    pub succ: Vec<Vec<(u32, Step)>>,
    /// Per state: the enabled steps (after the timing policy) are none, so it stutters.
    pub stutters: Vec<bool>,
    /// Some state at the depth bound still had enabled steps.
    pub truncated: bool,
    /// The state limit stopped the search while expanding a state at this depth: every state
    /// within this many steps was reached, not every transition beyond.
    pub state_limit_at: Option<usize>,
    pub transitions: usize,
}

/// Nodes that no static fact tells apart: same pool and same per-group placement facts.
pub fn symmetry_classes(m: &Model) -> Vec<usize> {
    let nn = m.nodes();
    (0..nn)
        .map(|n| {
            (0..n)
                .find(|&j| {
                    m.ir.nodes[j].pool == m.ir.nodes[n].pool
                        && m.ir.groups.iter().all(|g| {
                            let (a, b) = (&g.per_node[j], &g.per_node[n]);
                            a.node_name_ok == b.node_name_ok
                                && a.affinity_ok == b.affinity_ok
                                && a.preferred_weight == b.preferred_weight
                                && a.untolerated_no_schedule == b.untolerated_no_schedule
                                && a.untolerated_no_execute == b.untolerated_no_execute
                                && a.untolerated_prefer_no_schedule == b.untolerated_prefer_no_schedule
                        })
                })
                .unwrap_or(n)
        })
        .collect()
}

/// The steps enabled in `st` under the timing policy, with symmetric duplicates removed.
pub fn enabled(
    m: &Model,
    reg: &[Box<dyn Controller<Concrete>>],
    labels: &[Step],
    classes: &[usize],
    symmetry: bool,
    st: &ClusterState<Concrete>,
) -> Vec<Step> {
    let d = Concrete;
    // Per node: a lower-index twin (same static facts, same state) exists.
    let nn = m.nodes();
    let twin: Vec<bool> =
        (0..nn).map(|n| symmetry && (0..n).any(|j| classes[j] == classes[n] && st.same_node_state(j, n))).collect();
    let mut out: Vec<Step> = Vec::new();
    // Under `urgent` timing the fast actors go first, and the others' guards (the HPA's and
    // the descheduler's are costly) are not even evaluated while a fast step is enabled.
    for fast_pass in [true, false] {
        // Labels are grouped by actor (all_steps emits them so): one batch per actor.
        let mut start = 0;
        while start < labels.len() {
            let actor = labels[start].actor;
            let end = start + labels[start..].iter().take_while(|s| s.actor == actor).count();
            let c = &reg[actor as usize];
            if (c.class() == Class::Fast) == fast_pass {
                let batch: Vec<Step> = labels[start..end]
                    .iter()
                    .copied()
                    // Canonical choice: a lower-index twin in the same state takes this step instead.
                    .filter(|s| !c.node_of(s).is_some_and(|n| twin[n]))
                    .collect();
                let ok = c
                    .batch_guard(m, &batch, st)
                    .unwrap_or_else(|| batch.iter().map(|s| c.guard(&d, m, s, st)).collect());
                out.extend(batch.into_iter().zip(ok).filter(|(_, ok)| *ok).map(|(s, _)| s));
            }
            start = end;
        }
        if fast_pass && m.ir.timing == Timing::Urgent && !out.is_empty() {
            break;
        }
    }
    out
}

/// Explores the state graph breadth-first from every initial state.
pub fn explore(m: &Model, opts: &Options, on_state: impl FnMut(u32, &ClusterState<Concrete>) -> bool) -> Graph {
    explore_from(m, opts, &m.initial_states(), on_state)
}

/// Explores the state graph breadth-first from `inits`.
pub fn explore_from(
    m: &Model,
    opts: &Options,
    inits: &[ClusterState<Concrete>],
    mut on_state: impl FnMut(u32, &ClusterState<Concrete>) -> bool,
) -> Graph {
    let reg = registry::<Concrete>();
    let labels = all_steps(m, &reg);
    let classes = symmetry_classes(m);
    let d = Concrete;
    let mut index: FxHashMap<Vec<i16>, u32> = FxHashMap::default();
    let mut g = Graph {
        states: Vec::new(),
        parent: Vec::new(),
        depth: Vec::new(),
        succ: Vec::new(),
        stutters: Vec::new(),
        truncated: false,
        state_limit_at: None,
        transitions: 0,
    };
    let mut queue = VecDeque::new();
    let mut stop = false;
    let mut key_buf: Vec<i16> = Vec::with_capacity(128);
    for init in inits.iter().cloned() {
        let key = init.pack();
        if index.contains_key(&key) {
            continue;
        }
        let id = g.states.len() as u32;
        index.insert(key, id);
        stop |= !on_state(id, &init);
        g.states.push(init);
        g.parent.push(None);
        g.depth.push(0);
        g.succ.push(Vec::new());
        g.stutters.push(false);
        queue.push_back(id);
    }
    while let Some(u) = queue.pop_front() {
        if stop {
            g.truncated = true;
            break;
        }
        let en = enabled(m, &reg, &labels, &classes, opts.symmetry, &g.states[u as usize]);
        if en.is_empty() {
            g.stutters[u as usize] = true;
            continue;
        }
        if g.depth[u as usize] as usize >= opts.max_depth {
            g.truncated = true;
            continue;
        }
        for s in en {
            let st = &g.states[u as usize];
            let next = intents::observe(&d, m, reg[s.actor as usize].update(&d, m, &s, st));
            g.transitions += 1;
            // Look up with a reused buffer; allocate a key only for a new state.
            next.pack_into(&mut key_buf);
            let v = match index.get(key_buf.as_slice()) {
                Some(&v) => v,
                None => {
                    if g.states.len() >= opts.max_states {
                        g.truncated = true;
                        g.state_limit_at = Some(g.depth[u as usize] as usize);
                        stop = true;
                        break;
                    }
                    let v = g.states.len() as u32;
                    index.insert(key_buf.clone(), v);
                    stop |= !on_state(v, &next);
                    g.states.push(next);
                    g.parent.push(Some((u, s)));
                    g.depth.push(g.depth[u as usize] + 1);
                    g.succ.push(Vec::new());
                    g.stutters.push(false);
                    queue.push_back(v);
                    v
                }
            };
            g.succ[u as usize].push((v, s));
        }
    }
    g
}

/// The path of states and steps from an initial state to `v`.
pub fn path_to(g: &Graph, v: u32) -> (Vec<u32>, Vec<Step>) {
    let mut ids = vec![v];
    let mut steps = Vec::new();
    let mut cur = v;
    while let Some((p, s)) = g.parent[cur as usize] {
        ids.push(p);
        steps.push(s);
        cur = p;
    }
    ids.reverse();
    steps.reverse();
    (ids, steps)
}

fn trace_of(m: &Model, reg: &[Box<dyn Controller<Concrete>>], g: &Graph, ids: &[u32], steps: Vec<Step>) -> Trace {
    let states = ids.iter().map(|&i| g.states[i as usize].clone()).collect();
    crate::trace::Trace::new(m, reg, states, steps)
}

/// Checks every intent of the model.
pub fn check(m: &Model, opts: &Options) -> CheckResult {
    check_from(m, opts, &m.initial_states())
}

/// Checks every intent on the runs from `inits` (one search covers all of them).
pub fn check_from(m: &Model, opts: &Options, inits: &[ClusterState<Concrete>]) -> CheckResult {
    let start = Instant::now();
    let d = Concrete;
    let reg = registry::<Concrete>();
    let ni = m.ir.intents.len();
    let mut first_bad: Vec<Option<u32>> = vec![None; ni];
    let safety: Vec<usize> = (0..ni).filter(|&i| !m.ir.intents[i].is_cycle()).collect();
    let all_safety = safety.len() == ni;
    let g = explore_from(m, opts, inits, |id, st| {
        for &i in &safety {
            if first_bad[i].is_none() && intents::violated(&d, m, st, i) {
                first_bad[i] = Some(id);
            }
        }
        // Stop early only when every intent is a safety intent and all are violated.
        !(all_safety && first_bad.iter().all(Option::is_some))
    });
    let max_depth = g.depth.iter().copied().max().unwrap_or(0) as usize;
    let bound = max_depth.min(opts.max_depth);
    let holds = match g.state_limit_at {
        // Every state within `d` steps was reached and checked, nothing more is claimed.
        Some(d) => Verdict::Holds { steps: d, exhaustive: false },
        None => Verdict::Holds { steps: if g.truncated { opts.max_depth } else { bound }, exhaustive: !g.truncated },
    };
    let cycle_unknown = g.state_limit_at.map(|d| Verdict::Unknown {
        reason: format!("the state limit of {} states was reached at depth {d} before every cycle could be looked for (raise --max-states)", opts.max_states),
    });
    let results =
        m.ir.intents
            .iter()
            .enumerate()
            .map(|(i, intent)| {
                // Replica oscillation is also reported as a cycle, the stronger evidence, where one exists.
                let cycle = if matches!(intent, Intent::NoReplicaOscillation { .. }) {
                    cycles::find(m, &reg, &g, intent)
                } else {
                    None
                };
                let verdict = if let Some((ids, steps, loop_start)) = cycle {
                    let mut t = trace_of(m, &reg, &g, &ids, steps);
                    t.loop_start = Some(loop_start);
                    t.violation = Some("the replica count keeps changing along this cycle".into());
                    Verdict::Violated(t)
                } else if let Some(v) = first_bad[i] {
                    let (ids, steps) = path_to(&g, v);
                    let mut t = trace_of(m, &reg, &g, &ids, steps);
                    t.violation = Some(intents::explain(m, intent, &g.states[v as usize]));
                    Verdict::Violated(t)
                } else if intent.is_cycle() {
                    match cycles::find(m, &reg, &g, intent) {
                        Some((ids, steps, loop_start)) => {
                            let mut t = trace_of(m, &reg, &g, &ids, steps);
                            t.loop_start = Some(loop_start);
                            Verdict::Violated(t)
                        }
                        None => cycle_unknown.clone().unwrap_or_else(|| holds.clone()),
                    }
                } else {
                    holds.clone()
                };
                IntentResult { name: intent.name(), kivi_name: intent.kivi_name(), verdict }
            })
            .collect();
    CheckResult {
        model: m.ir.name.clone(),
        results,
        effort: Effort {
            engine: "explicit",
            states: g.states.len(),
            transitions: g.transitions,
            depth: max_depth,
            seconds: start.elapsed().as_secs_f64(),
        },
    }
}
