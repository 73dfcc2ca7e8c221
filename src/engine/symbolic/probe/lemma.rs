//! Layer lemmas: "frame k is one of these states", its one-step check by ground evaluation
//! (`ground`) or a side solver, and refutations state by state. Owns the states of a lemma as
//! solver values; must not assert anything unchecked (the parent module asserts a lemma only
//! after its check).

use super::*;

/// The variable fields of a frame, which each state of its layer lemma pins, in order: the
/// Int fields, then from `bools` on the Bool ones. Made once per layer and shared by its states.
#[derive(Default)]
pub(in crate::engine::symbolic) struct Pinned {
    fields: Vec<Dynamic>,
    bools: usize,
}

/// One state of a layer lemma: the values of a frame's variable fields.
#[derive(Clone, Default)]
pub(in crate::engine::symbolic) struct Point {
    /// The fields it pins (every state of a layer pins the same ones).
    pinned: std::rc::Rc<Pinned>,
    /// The value of each pinned field, Bool as 0/1 (as `ground` reads them).
    vals: Vec<i64>,
    /// The packed key of the whole state (every field, the frame's constants too).
    pub(super) key: Vec<i16>,
}

impl Point {
    /// The fields it pins, in the order of `values`.
    pub(super) fn fields(&self) -> &[Dynamic] {
        &self.pinned.fields
    }

    /// Per pinned field: the field, and its value in this state as a numeral.
    fn pins(&self) -> Vec<(Dynamic, Dynamic)> {
        let bools = self.pinned.bools;
        self.fields()
            .iter()
            .zip(&self.vals)
            .enumerate()
            .map(|(i, (f, &v))| {
                let c = if i < bools {
                    Dynamic::from_ast(&Int::from_i64(v))
                } else {
                    Dynamic::from_ast(&Bool::from_bool(v != 0))
                };
                (f.clone(), c)
            })
            .collect()
    }

    /// "The frame is this state".
    pub(super) fn formula(&self) -> Bool {
        Bool::and(&self.pins().iter().map(|(v, c)| v.eq(c)).collect::<Vec<_>>())
    }

    /// The values of the pinned fields, Bool as 0/1 (as `ground` reads them).
    pub(super) fn values(&self) -> &[i64] {
        &self.vals
    }

    /// `a` with the frame's fields replaced by this state's values, simplified.
    pub(super) fn apply(&self, a: &Bool) -> Bool {
        let pins = self.pins();
        let pairs: Vec<(&Dynamic, &Dynamic)> = pins.iter().map(|(v, c)| (v, c)).collect();
        a.substitute(&pairs).simplify()
    }
}

pub(super) fn side_solver() -> Solver {
    let s = Solver::new();
    s.set_params(&params());
    s
}

/// A step between two layer lemmas: the index of its state in the layer before, the index of
/// the state it takes to in this one, and the value of the step's selector.
pub(super) type Edge = (u32, u32, i64);

/// A frame's layer lemma: its states, as solver values and as one formula (made when first
/// asked for: a lemma checked and used by evaluation alone never needs it), their packed keys
/// (to see without a solver that two layers share a state, and which), and where the step
/// into it was evaluated, that step's edges.
pub(super) struct Lemma {
    pub(super) points: Vec<Point>,
    formula: std::cell::OnceCell<Bool>,
    /// Each state's key, and its index in `points`.
    pub(super) keys: rustc_hash::FxHashMap<Vec<i16>, u32>,
    /// Every step from a state of the previous layer to a state of this one that the step's
    /// assertions allow, where `successors_within` evaluated them and a lasso may read them
    /// (`None`: the side solver confirmed the lemma, no intent is a cycle, or this is frame 0).
    pub(super) edges: Option<Vec<Edge>>,
}

impl Lemma {
    pub(super) fn new(points: Vec<Point>, edges: Option<Vec<Edge>>) -> Lemma {
        let keys = points.iter().enumerate().map(|(i, p)| (p.key.clone(), i as u32)).collect();
        Lemma { points, formula: std::cell::OnceCell::new(), keys, edges }
    }

    /// "The frame is one of these states".
    pub(super) fn formula(&self) -> &Bool {
        self.formula.get_or_init(|| one_of(&self.points))
    }
}

/// A layer lemma's one-step check by ground evaluation (`ground`), without the solver: for
/// each state `from` names of the previous layer (`before`) and each value of the step's
/// selector, the step's assertions evaluated with that state's values. Each definition
/// `field = value` of the new frame gives that field its value (the assertions force it);
/// the step is taken when every assertion then holds, and its state must be one of `layer`.
/// Some(Some(edges)): every step from those states ends in `layer` (what the solver would
/// show by "unsatisfiable"), and these are the steps; Some(None): one does not; None:
/// something could not be evaluated (an operator the evaluator does not know, a constant
/// without a value), and the solver must be asked.
pub(super) fn successors_within(
    before: &[Point],
    from: &[usize],
    layer: &[Point],
    step: &[Bool],
    (sel, choices): (&Int, &[i64]),
) -> Option<Option<Vec<Edge>>> {
    if from.is_empty() {
        return Some(Some(Vec::new()));
    }
    let roots: Vec<Dynamic> = step.iter().map(|a| Dynamic::from_ast(a)).collect();
    let dag = Dag::new(&roots);
    // The new frame's variable fields (every point of a layer pins the same ones, in order).
    let vars: &[Dynamic] = layer.first()?.fields();
    let states: rustc_hash::FxHashMap<&[i64], u32> =
        layer.iter().enumerate().map(|(i, p)| (p.values(), i as u32)).collect();
    let mut edges = Vec::new();
    let defined = definitions(&dag, &roots, vars)?;
    let sel_slot = dag.slot(&Dynamic::from_ast(sel))?;
    let slots: Vec<usize> = defined.iter().map(|&(s, _)| s).collect();
    // Where the selector is only compared with numerals (as the unrolling builds it): with
    // the selector at a value no comparison holds for (`off`), every node has the value it
    // has under any choice except the selector itself and the nodes that depend on that
    // choice's comparisons or on the new values. Those few are evaluated per choice, and put
    // back after it.
    let mut moving = slots.clone();
    moving.push(sel_slot);
    let moves = dag.depends(&moving);
    let mut implied: Vec<Vec<usize>> = Vec::new();
    let per_choice: Option<(i64, Vec<Vec<usize>>)> = dag.equalities_of(sel_slot).map(|(node, eqs)| {
        implied = implied_by(&dag, roots.len(), &eqs, choices, &moves);
        let off = eqs.keys().chain(choices).copied().max().unwrap_or(0).saturating_add(1);
        let lists = choices
            .iter()
            .map(|c| {
                let seeds = eqs.get(c).map_or(&[][..], Vec::as_slice);
                let mut dep = dag.depends_on(seeds, &slots);
                // The selector's own node, which the comparisons read (not what depends on it).
                dep[node] = true;
                dep.iter().enumerate().filter(|(_, &d)| d).map(|(i, _)| i).collect()
            })
            .collect();
        (off, lists)
    });
    // Otherwise every choice re-evaluates the nodes the selector or the new values can change,
    // in DAG order.
    let changes: Vec<usize> = match per_choice {
        Some(_) => Vec::new(),
        None => moves.iter().enumerate().filter(|(_, &d)| d).map(|(i, _)| i).collect(),
    };
    let is_root = dag.root_flags();
    let mut inputs = vec![None; dag.slots()];
    let mut out = Vec::new();
    let mut saved: Vec<Option<i64>> = Vec::new();
    // A field the step does not mention does not matter to it.
    let pinned = pinned_slots(&dag, before);
    let mut incremental = Incremental::new(&dag);
    // States in the order of their values: neighbours share most of them, so each
    // incremental evaluation has little to redo.
    let mut order: Vec<usize> = from.to_vec();
    order.sort_by(|&a, &b| before[a].values().cmp(before[b].values()));
    for from in order {
        let p = &before[from];
        inputs.iter_mut().for_each(|i| *i = None);
        for (&s, &x) in pinned.iter().zip(p.values()) {
            if let Some(s) = s {
                inputs[s] = Some(x);
            }
        }
        match &per_choice {
            // Each state's values are evaluated from the last one's: the choices below put
            // back every node they change.
            Some((off, _)) => {
                inputs[sel_slot] = Some(*off);
                incremental.eval(&dag, &inputs, &mut out);
            }
            None => dag.eval(&inputs, &mut out, None),
        }
        for (ci, &c) in choices.iter().enumerate() {
            if implied.get(ci).is_some_and(|i| i.iter().any(|&e| out[e] == Some(0))) {
                continue;
            }
            let nodes = match &per_choice {
                Some((_, lists)) => &lists[ci][..],
                None => &changes[..],
            };
            if per_choice.is_some() {
                saved.clear();
                saved.extend(nodes.iter().map(|&i| out[i]));
            }
            inputs[sel_slot] = Some(c);
            for &(s, _) in &defined {
                inputs[s] = None;
            }
            // A step whose enabling condition is false (most choices in most states) is seen
            // at its implication, before the new fields' `ite` chains after it.
            let next = if dag.eval_until_false_root(&inputs, &mut out, nodes, &is_root) {
                None
            } else {
                taken_to(&dag, &roots, &defined, &mut inputs, &mut out, nodes)?
            };
            if let Some((off, _)) = &per_choice {
                for (&i, &v) in nodes.iter().zip(&saved) {
                    out[i] = v;
                }
                inputs[sel_slot] = Some(*off);
                for &(s, _) in &defined {
                    inputs[s] = None;
                }
            }
            if let Some(next) = next {
                match states.get(next.as_slice()) {
                    Some(&to) => edges.push((from as u32, to, c)),
                    None => return Some(None),
                }
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    Some(Some(edges))
}

/// Per choice (`choices`, the selector's values; `eqs`, its comparisons with each), the enabling
/// conditions it implies (`(= sel c) => enabled` among the DAG's `roots` first roots, as the
/// unrolling asserts them) that no choice changes (`moves`: the nodes that depend on the
/// selector or the new fields). Where one is false in a state, the choice is not taken there,
/// which the state's own evaluation shows without evaluating the choice.
fn implied_by(
    dag: &Dag,
    roots: usize,
    eqs: &rustc_hash::FxHashMap<i64, Vec<usize>>,
    choices: &[i64],
    moves: &[bool],
) -> Vec<Vec<usize>> {
    let implications: Vec<(usize, usize)> =
        (0..roots).filter_map(|r| dag.implication(dag.root(r))).filter(|&(_, enabled)| !moves[enabled]).collect();
    choices
        .iter()
        .map(|c| {
            let picks = eqs.get(c).map_or(&[][..], Vec::as_slice);
            implications.iter().filter(|(pick, _)| picks.contains(pick)).map(|&(_, enabled)| enabled).collect()
        })
        .collect()
}

/// Up to how many steps taken alone debug builds go through every set of, from each state
/// of a round lemma's check (`round_successors`), and compare with the sets it grows.
const DEBUG_EVERY_SET: usize = 6;

/// Up to how many sets of steps one round lemma evaluates, from every state of the layer
/// before together; past it, the lemmas end there.
const ROUND_SETS: usize = 1 << 19;

/// Under step semantics, the states of `layer` a round reaches from a state of `before`:
/// per state, the round's assertions (`step`, with its firing literals `fire`) evaluated for
/// every set of steps that may fire together, each definition `field = value` of the new
/// frame giving that field its value, as `successors_within` does for one step. A set is
/// taken when every assertion then holds. The sets are found by size: first each step
/// alone, then each set taken extended by a step after its last that was taken alone and
/// beside each of its steps. That is every set taken, because what a round asserts of the
/// steps that fire (at least one; each enabled; two dependent ones, or two that change what
/// a monitor's first stage observes, not together; one that must act alone only alone; a
/// higher pass left alone where two or more fire: `round::constrain`) holds of every
/// non-empty part of a set of which it holds; debug builds go through every set of the steps
/// taken alone as well, where they are few, and compare. The rounds, sorted: per round the
/// index of its state in `before` and of the state it reaches in `layer`; `None` where
/// something could not be evaluated, a round reaches a state outside `layer`, or the sets
/// are more than [`ROUND_SETS`].
pub(super) fn round_successors(
    before: &[Point],
    layer: &[Point],
    step: &[Bool],
    fire: &[Bool],
) -> Option<Vec<(u32, u32)>> {
    let roots: Vec<Dynamic> = step.iter().map(|a| Dynamic::from_ast(a)).collect();
    let dag = Dag::new(&roots);
    let vars: &[Dynamic] = match layer.first() {
        Some(p) => p.fields(),
        None => return before.is_empty().then(Vec::new),
    };
    let states: rustc_hash::FxHashMap<&[i64], u32> =
        layer.iter().enumerate().map(|(i, p)| (p.values(), i as u32)).collect();
    let defined = definitions(&dag, &roots, vars)?;
    // A firing literal the assertions do not mention changes nothing they say.
    let fires: Vec<usize> = fire.iter().filter_map(|f| dag.slot(&Dynamic::from_ast(f))).collect();
    let pinned = pinned_slots(&dag, before);
    let mut inputs = vec![None; dag.slots()];
    let mut out = Vec::new();
    // Per state, every node is evaluated once with no step fired and the new fields unknown;
    // a set then evaluates only the nodes its firing literals or the new fields can change
    // (in DAG order), and puts them back after it.
    let moving: Vec<usize> = fires.iter().copied().chain(defined.iter().map(|&(s, _)| s)).collect();
    let nodes: Vec<usize> = dag.depends(&moving).iter().enumerate().filter(|(_, &d)| d).map(|(i, _)| i).collect();
    let is_root = dag.root_flags();
    let mut saved: Vec<Option<i64>> = Vec::with_capacity(nodes.len());
    let mut work = 0usize;
    // The state the steps of `set` (indices into `fires`) take the pinned state to, from its
    // evaluation with none fired in `out`: Some(None) where not taken, None where something
    // could not be evaluated.
    let mut taken = |set: &[usize], inputs: &mut Vec<Option<i64>>, out: &mut Vec<Option<i64>>| {
        saved.clear();
        saved.extend(nodes.iter().map(|&i| out[i]));
        for &i in set {
            inputs[fires[i]] = Some(1);
        }
        // Most sets are not taken (two dependent steps, a step not enabled): seen at the
        // first assertion that fails, before the new fields' values.
        let next = if dag.eval_until_false_root(inputs, out, &nodes, &is_root) {
            Some(None)
        } else {
            taken_to(&dag, &roots, &defined, inputs, out, &nodes)
        };
        for &i in set {
            inputs[fires[i]] = Some(0);
        }
        for &(s, _) in &defined {
            inputs[s] = None;
        }
        for (&i, &v) in nodes.iter().zip(&saved) {
            out[i] = v;
        }
        next
    };
    let mut reached: Vec<(u32, u32)> = Vec::new();
    for (from, p) in before.iter().enumerate() {
        inputs.iter_mut().for_each(|i| *i = None);
        for (&s, &x) in pinned.iter().zip(p.values()) {
            if let Some(s) = s {
                inputs[s] = Some(x);
            }
        }
        for &f in &fires {
            inputs[f] = Some(0);
        }
        dag.eval(&inputs, &mut out, None);
        let mut nexts: Vec<Vec<i64>> = Vec::new();
        // The sets taken, by size, each in increasing order of its steps.
        let mut level: Vec<Vec<usize>> = Vec::new();
        for i in 0..fires.len() {
            work += 1;
            if let Some(next) = taken(&[i], &mut inputs, &mut out)? {
                nexts.push(next);
                level.push(vec![i]);
            }
        }
        let alone: Vec<usize> = level.iter().map(|s| s[0]).collect();
        let mut pairs = rustc_hash::FxHashSet::default();
        while !level.is_empty() {
            let mut longer = Vec::new();
            for set in &level {
                let last = *set.last().expect("non-empty");
                for &j in alone.iter().filter(|&&j| j > last) {
                    if set.len() > 1 && !set.iter().all(|&i| pairs.contains(&(i, j))) {
                        continue;
                    }
                    work += 1;
                    if work > ROUND_SETS {
                        return None;
                    }
                    let mut bigger = set.clone();
                    bigger.push(j);
                    if let Some(next) = taken(&bigger, &mut inputs, &mut out)? {
                        if set.len() == 1 {
                            pairs.insert((last, j));
                        }
                        nexts.push(next);
                        longer.push(bigger);
                    }
                }
            }
            level = longer;
        }
        if cfg!(debug_assertions) && alone.len() <= DEBUG_EVERY_SET {
            let mut every: Vec<Vec<i64>> = Vec::new();
            for bits in 1u32..(1 << alone.len()) {
                let set: Vec<usize> = (0..alone.len()).filter(|b| bits >> b & 1 == 1).map(|b| alone[b]).collect();
                if let Some(next) = taken(&set, &mut inputs, &mut out)? {
                    every.push(next);
                }
            }
            let (mut a, mut b) = (every, nexts.clone());
            for v in [&mut a, &mut b] {
                v.sort_unstable();
                v.dedup();
            }
            assert_eq!(a, b, "a round's sets of steps are closed under taking parts");
        }
        for next in nexts {
            reached.push((from as u32, *states.get(next.as_slice())?));
        }
    }
    reached.sort_unstable();
    reached.dedup();
    Some(reached)
}

/// Per new field of `vars`: its slot in `dag` (of the assertions `roots`), and the node of the
/// value its definition `field = value` gives it; `None` where a field has no slot or no
/// definition.
fn definitions(dag: &Dag, roots: &[Dynamic], vars: &[Dynamic]) -> Option<Vec<(usize, usize)>> {
    vars.iter()
        .map(|v| {
            let slot = dag.slot(v)?;
            let def = (0..roots.len()).find_map(|r| {
                let args = dag.args_of(dag.root(r));
                match roots[r].decl().kind() {
                    z3::DeclKind::EQ | z3::DeclKind::IFF if args.len() == 2 => {
                        if dag.input_of(args[0] as usize) == Some(slot) {
                            Some(args[1] as usize)
                        } else if dag.input_of(args[1] as usize) == Some(slot) {
                            Some(args[0] as usize)
                        } else {
                            None
                        }
                    }
                    _ => None,
                }
            })?;
            Some((slot, def))
        })
        .collect()
}

/// The state the step with the selector's value in `inputs` takes (its nodes evaluated with
/// the new fields unknown in `out`) to: `Some(None)` where the step is not taken, `None` where
/// something could not be evaluated. `nodes` are the nodes the new values can change.
fn taken_to(
    dag: &Dag,
    roots: &[Dynamic],
    defined: &[(usize, usize)],
    inputs: &mut [Option<i64>],
    out: &mut Vec<Option<i64>>,
    nodes: &[usize],
) -> Option<Option<Vec<i64>>> {
    // An assertion false whatever frame k is (an enabling condition, most often): no step
    // with this selector value, even where a definition is unknown.
    if (0..roots.len()).any(|r| out[dag.root(r)] == Some(0)) {
        return Some(None);
    }
    let next: Vec<i64> = defined.iter().map(|&(_, def)| out[def]).collect::<Option<_>>()?;
    for (&(s, _), &x) in defined.iter().zip(&next) {
        inputs[s] = Some(x);
    }
    dag.eval(inputs, out, Some(nodes));
    let mut taken = true;
    for r in 0..roots.len() {
        if out[dag.root(r)]? == 0 {
            taken = false;
        }
    }
    Some(taken.then_some(next))
}

/// Whether `cond`, over a frame's fields, is false in every state of `points`, by ground
/// evaluation; None when some state's value of it could not be evaluated.
pub(super) fn holds_in_none(points: &[Point], cond: &Bool) -> Option<bool> {
    first_holding(points, cond).map(|first| first.is_none())
}

/// The first of `points` in which `cond`, over a frame's fields, holds, by ground
/// evaluation: `Some(None)` where it holds in none, `None` where some state's value of it
/// could not be evaluated.
pub(super) fn first_holding(points: &[Point], cond: &Bool) -> Option<Option<usize>> {
    let dag = Dag::new(&[Dynamic::from_ast(cond)]);
    let mut inputs = vec![None; dag.slots()];
    let mut out = Vec::new();
    let pinned = pinned_slots(&dag, points);
    let mut incremental = Incremental::new(&dag);
    for (i, p) in points.iter().enumerate() {
        for (&s, &x) in pinned.iter().zip(p.values()) {
            if let Some(s) = s {
                inputs[s] = Some(x);
            }
        }
        incremental.eval(&dag, &inputs, &mut out);
        if out[dag.root(0)]? != 0 {
            return Some(Some(i));
        }
    }
    Some(None)
}

/// Per state `from` names of `points`, which of the labels `asked` have a guard (`guards`, per
/// label, over a frame's fields) that is false there: a bit per label, by ground evaluation
/// of those guards at once; a guard whose value there could not be evaluated has none.
pub(super) fn disabled_in(points: &[Point], from: &[usize], guards: &[Bool], asked: &[usize]) -> Vec<Box<[u64]>> {
    let mut base = vec![0u64; guards.len().div_ceil(64)].into_boxed_slice();
    let mut open = Vec::new();
    for &i in asked {
        match guards[i].as_bool() {
            Some(false) => base[i / 64] |= 1 << (i % 64),
            Some(true) => {}
            None => open.push(i),
        }
    }
    let mut masks = vec![base; from.len()];
    if open.is_empty() || from.is_empty() {
        return masks;
    }
    let roots: Vec<Dynamic> = open.iter().map(|&i| Dynamic::from_ast(&guards[i])).collect();
    let dag = Dag::new(&roots);
    let mut inputs = vec![None; dag.slots()];
    let mut out = Vec::new();
    let pinned = pinned_slots(&dag, points);
    let mut incremental = Incremental::new(&dag);
    // States in the order of their values: neighbours share most of them, so each
    // incremental evaluation has little to redo.
    let mut order: Vec<usize> = (0..from.len()).collect();
    order.sort_by(|&a, &b| points[from[a]].values().cmp(points[from[b]].values()));
    for j in order {
        for (&s, &x) in pinned.iter().zip(points[from[j]].values()) {
            if let Some(s) = s {
                inputs[s] = Some(x);
            }
        }
        incremental.eval(&dag, &inputs, &mut out);
        for (r, &l) in open.iter().enumerate() {
            if out[dag.root(r)] == Some(0) {
                masks[j][l / 64] |= 1 << (l % 64);
            }
        }
    }
    masks
}

/// Per state of `points`, the value of `term` (Bool as 0/1), over a frame's fields, there, by
/// ground evaluation; None when some state's value of it could not be evaluated.
pub(super) fn values_at(points: &[Point], term: &Dynamic) -> Option<Vec<i64>> {
    let dag = Dag::new(std::slice::from_ref(term));
    let mut inputs = vec![None; dag.slots()];
    let mut out = Vec::new();
    let pinned = pinned_slots(&dag, points);
    let mut incremental = Incremental::new(&dag);
    points
        .iter()
        .map(|p| {
            for (&s, &x) in pinned.iter().zip(p.values()) {
                if let Some(s) = s {
                    inputs[s] = Some(x);
                }
            }
            incremental.eval(&dag, &inputs, &mut out);
            out[dag.root(0)]
        })
        .collect()
}

/// What a loop must do to be a lasso of a cycle intent (its `Watch`, as `Unrolling::lasso`
/// encodes it), over per-state values of a measure or a condition.
pub(in crate::engine::symbolic) enum Accepts<'a> {
    /// Pass through states of nonzero value only (`Watch::EveryState`: the loop state, 0/1).
    EveryState,
    /// Take, somewhere, a step to a state of greater value than the state it leaves
    /// (`Watch::Rises`: the measure), with a selector's value in `by[j]` for the step out of
    /// the j-th layer (any value where `None`).
    Rises(&'a [Option<&'a [i64]>]),
}

/// Edges a search of [`loops_back`] may visit, over all its loop starts: past them it says a
/// loop may exist (the solver is asked) rather than search on.
const LOOP_WORK: usize = 20_000_000;

/// Whether some path of `layers`' edges (each layer's from the one before) goes from a state
/// of the first layer back to the same state (by key) in the last, and is accepted by
/// `accepts` on `values` (per layer, per state). Every layer after the first must have edges.
/// True also where the search would pass [`LOOP_WORK`] edges.
pub(super) fn loops_back(layers: &[Lemma], values: &[&[i64]], accepts: &Accepts) -> bool {
    let (Some(first), Some(last)) = (layers.first(), layers.last()) else { return false };
    let every_state = matches!(accepts, Accepts::EveryState);
    // Each loop start on its own: the state it must come back to is its own.
    let starts: Vec<(usize, usize)> = first
        .points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let back = *last.keys.get(&p.key)? as usize;
            (!every_state || (values[0][i] != 0 && values[values.len() - 1][back] != 0)).then_some((i, back))
        })
        .collect();
    let edges: usize = layers[1..].iter().map(|x| x.edges.as_ref().map_or(0, Vec::len)).sum();
    if starts.len().saturating_mul(edges) > LOOP_WORK {
        return true;
    }
    // Per state: 1 where a path reaches it, 2 where one that already rose does.
    const REACHED: u8 = 1;
    const ROSE: u8 = 2;
    let mut reach: Vec<u8> = Vec::new();
    let mut next: Vec<u8> = Vec::new();
    for (start, back) in starts {
        reach.clear();
        reach.resize(first.points.len(), 0);
        reach[start] = REACHED;
        for (j, layer) in layers.iter().enumerate().skip(1) {
            next.clear();
            next.resize(layer.points.len(), 0);
            for &(a, b, c) in layer.edges.as_deref().unwrap_or_default() {
                let (a, b) = (a as usize, b as usize);
                let from = reach[a];
                if from == 0 {
                    continue;
                }
                match accepts {
                    Accepts::EveryState if values[j][b] == 0 => {}
                    Accepts::EveryState => next[b] |= from,
                    Accepts::Rises(by) => {
                        let rises = values[j][b] > values[j - 1][a] && by[j - 1].is_none_or(|v| v.contains(&c));
                        next[b] |= if rises { ROSE } else { from };
                    }
                }
            }
            std::mem::swap(&mut reach, &mut next);
        }
        let closes = if every_state { reach[back] != 0 } else { reach[back] & ROSE != 0 };
        if closes {
            return true;
        }
    }
    false
}

/// Per field the states of `points` pin (every point of a layer pins the same ones, in
/// order): its input slot in `dag`, if `dag` has it.
fn pinned_slots(dag: &Dag, points: &[Point]) -> Vec<Option<usize>> {
    points.first().map_or(Vec::new(), |p| p.fields().iter().map(|v| dag.slot(v)).collect())
}

/// The states of a layer lemma as one formula: the frame is one of them.
fn one_of(points: &[Point]) -> Bool {
    Bool::or(&points.iter().map(Point::formula).collect::<Vec<_>>())
}

/// "Frame `frame` is one of the states of `w`", while they are every state of their
/// depth and at most [`LEMMA_TERMS`] values in all (per state, its values of the frame's
/// variable fields): a candidate lemma, which the solver must confirm ([`Prober::lemma`]).
/// `None` when the witnesses are samples or too many.
pub(super) fn layer(w: &Witnesses, frame: &ClusterState<Symbolic>) -> Option<Vec<Point>> {
    if !w.exact() {
        return None;
    }
    points(w.packed_states(), w.states().count(), frame)
}

/// `states` (`count` of them, each with its packing) as the states of a lemma about `frame`:
/// each state's values of the frame's variable fields, where it agrees with the frame's
/// constants. `None` past [`LEMMA_TERMS`] values in all.
pub(super) fn points<'s>(
    states: impl Iterator<Item = (&'s ClusterState<Concrete>, &'s [i16])>,
    count: usize,
    frame: &ClusterState<Symbolic>,
) -> Option<Vec<Point>> {
    let (ints, bools) = fields(frame);
    let vars =
        ints.iter().filter(|v| v.as_i64().is_none()).count() + bools.iter().filter(|v| v.as_bool().is_none()).count();
    if count * vars.max(1) > LEMMA_TERMS {
        return None;
    }
    // Which fields the frame has as constants, asked of Z3 once per layer, not per state; the
    // others, made once and shared by every state.
    // Per field in `fields` order (booleans as 0 and 1): its constant, if the frame has one.
    let constants: Vec<Option<i64>> =
        ints.iter().map(|f| f.as_i64()).chain(bools.iter().map(|f| f.as_bool().map(i64::from))).collect();
    let mut fields: Vec<Dynamic> =
        ints.iter().zip(&constants).filter(|(_, c)| c.is_none()).map(|(f, _)| Dynamic::from_ast(f)).collect();
    let int_vars = fields.len();
    fields.extend(
        bools.iter().zip(&constants[ints.len()..]).filter(|(_, c)| c.is_none()).map(|(f, _)| Dynamic::from_ast(f)),
    );
    let pinned = std::rc::Rc::new(Pinned { fields, bools: int_vars });
    let points: Vec<Point> = states
        .filter_map(|(st, key)| {
            let mut vals = Vec::with_capacity(vars);
            let mut constant = constants.iter();
            // A state off a field the frame has as a constant is in no run to the frame.
            let on_frame = each_value(st, |v| match constant.next().expect("one value per field") {
                Some(c) => *c == v,
                None => {
                    vals.push(v);
                    true
                }
            });
            on_frame.then(|| Point { pinned: pinned.clone(), vals, key: key.to_vec() })
        })
        .collect();
    Some(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layer of states named by one number each, with the steps into it (all of selector
    /// value 0).
    fn layer(states: &[i16], edges: &[(u32, u32)]) -> Lemma {
        let points = states.iter().map(|&v| Point { key: vec![v], ..Point::default() }).collect();
        let edges = edges.iter().map(|&(a, b)| (a, b, 0)).collect();
        Lemma::new(points, Some(edges))
    }

    /// A loop from state 1 back to state 1 through state 2 is found where every state on it
    /// is bad, and not where state 2 is not bad, where the path leads to another state only, or
    /// where the last layer does not hold the start.
    #[test]
    fn loops_back_only_through_bad_states_to_the_same_state() {
        let every = Accepts::EveryState;
        let layers = [layer(&[1, 3], &[]), layer(&[2, 4], &[(0, 0), (1, 1)]), layer(&[5, 1], &[(0, 1), (1, 0)])];
        let all = [&[1, 1][..], &[1, 1][..], &[1, 1][..]];
        assert!(loops_back(&layers, &all, &every));
        assert!(!loops_back(&layers, &[&[1, 1][..], &[0, 1][..], &[1, 1][..]], &every));
        assert!(!loops_back(&layers, &[&[1, 1][..], &[1, 1][..], &[1, 0][..]], &every));
        // State 1 leads to state 5 only: no way back.
        let elsewhere = [layer(&[1, 3], &[]), layer(&[2, 4], &[(0, 0), (1, 1)]), layer(&[5, 1], &[(0, 0), (1, 0)])];
        assert!(!loops_back(&elsewhere, &all, &every));
        // State 3 comes back to state 3 only if the last layer holds it.
        let three = [layer(&[3], &[]), layer(&[4], &[(0, 0)]), layer(&[3], &[(0, 0)])];
        assert!(loops_back(&three, &[&[1][..], &[1][..], &[1][..]], &every));
        let gone = [layer(&[3], &[]), layer(&[4], &[(0, 0)]), layer(&[6], &[(0, 0)])];
        assert!(!loops_back(&gone, &[&[1][..], &[1][..], &[1][..]], &every));
    }

    /// A loop from state 1 back to state 1 is a lasso of a rising measure only where one of its
    /// steps raises the measure, and, where a kind of step is named, that step is of the kind;
    /// a rise on a path that does not come back does not count.
    #[test]
    fn loops_back_only_where_a_step_of_the_loop_raises_the_measure() {
        let layers = [layer(&[1, 3], &[]), layer(&[2, 4], &[(0, 0), (1, 1)]), layer(&[5, 1], &[(0, 1), (1, 0)])];
        let any = [None, None];
        let rises = Accepts::Rises(&any);
        // 1 -> 2 raises the measure from 1 to 2, 2 -> 1 lowers it back.
        assert!(loops_back(&layers, &[&[1, 0][..], &[2, 0][..], &[0, 1][..]], &rises));
        // Flat along 1 -> 2 -> 1; the rise on 3 -> 4 -> 5 is on a path that does not close.
        assert!(!loops_back(&layers, &[&[1, 0][..], &[1, 5][..], &[9, 1][..]], &rises));
        // The rise is the step out of layer 0, of selector value 0: counted only where that
        // value is of the kind named.
        let measure = [&[1, 0][..], &[2, 0][..], &[0, 1][..]];
        let evicting: [&[i64]; 1] = [&[0]];
        assert!(loops_back(&layers, &measure, &Accepts::Rises(&[Some(evicting[0]), Some(&[])])));
        assert!(!loops_back(&layers, &measure, &Accepts::Rises(&[Some(&[7]), None])));
    }
}
