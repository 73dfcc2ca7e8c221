//! Layer lemmas: "frame k is one of these states", its one-step check by ground evaluation
//! (`ground`) or a side solver, and refutations state by state. Owns the states of a lemma as
//! solver values; must not assert anything unchecked (the parent module asserts a lemma only
//! after its check).

use super::*;

/// One state of a layer lemma: the values of a frame's variable fields.
#[derive(Clone, Default)]
pub(in crate::engine::symbolic) struct Point {
    /// Per variable field: the field, and its value in this state.
    pub(super) pins: Vec<(Dynamic, Dynamic)>,
    /// The values of `pins`, Bool as 0/1 (as `ground` reads them).
    vals: Vec<i64>,
}

impl Point {
    /// "The frame is this state".
    pub(super) fn formula(&self) -> Bool {
        Bool::and(&self.pins.iter().map(|(v, c)| v.eq(c)).collect::<Vec<_>>())
    }

    /// The values of the pinned fields, Bool as 0/1 (as `ground` reads them).
    pub(super) fn values(&self) -> &[i64] {
        &self.vals
    }

    /// `a` with the frame's fields replaced by this state's values, simplified.
    pub(super) fn apply(&self, a: &Bool) -> Bool {
        let pairs: Vec<(&Dynamic, &Dynamic)> = self.pins.iter().map(|(v, c)| (v, c)).collect();
        a.substitute(&pairs).simplify()
    }
}

pub(super) fn side_solver() -> Solver {
    let s = Solver::new();
    s.set_params(&params());
    s
}

/// A frame's layer lemma: its states, as solver values and as one formula, and their packed
/// keys (to see without a solver that two layers share a state).
pub(super) struct Lemma {
    pub(super) points: Vec<Point>,
    pub(super) formula: Bool,
    pub(super) keys: std::collections::HashSet<Vec<i16>>,
}

impl Lemma {
    pub(super) fn new(points: Vec<Point>, formula: Bool, w: &Witnesses) -> Lemma {
        Lemma { points, formula, keys: w.states().map(|st| st.pack()).collect() }
    }
}

/// A layer lemma's one-step check by ground evaluation (`ground`), without the solver: for
/// each state of the previous layer (`before`) and each value of the step's selector, the
/// step's assertions evaluated with that state's values. Each definition `field = value` of
/// the new frame gives that field its value (the assertions force it); the step is taken
/// when every assertion then holds, and its state must be one of `layer`. Some(true): every
/// step from `before` ends in `layer` (what the solver would show by "unsatisfiable");
/// Some(false): one does not; None: something could not be evaluated (an operator the
/// evaluator does not know, a constant without a value), and the solver must be asked.
pub(super) fn successors_within(
    before: &[Point],
    layer: &[Point],
    step: &[Bool],
    (sel, choices): (&Int, &[i64]),
) -> Option<bool> {
    let roots: Vec<Dynamic> = step.iter().map(|a| Dynamic::from_ast(a)).collect();
    let dag = Dag::new(&roots);
    // The new frame's variable fields (every point of a layer pins the same ones, in order).
    let vars: Vec<&Dynamic> = layer.first()?.pins.iter().map(|(v, _)| v).collect();
    let states: std::collections::HashSet<&[i64]> = layer.iter().map(Point::values).collect();
    // Per new field: its slot, and the node of the value its definition gives it.
    let mut defined = Vec::with_capacity(vars.len());
    for v in &vars {
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
        defined.push((slot, def));
    }
    let sel_slot = dag.slot(&Dynamic::from_ast(sel))?;
    let slots: Vec<usize> = defined.iter().map(|&(s, _)| s).collect();
    // Where the selector is only compared with numerals (as the unrolling builds it): with
    // the selector at a value no comparison holds for (`off`), every node has the value it
    // has under any choice except the selector itself and the nodes that depend on that
    // choice's comparisons or on the new values. Those few are evaluated per choice, and put
    // back after it.
    let per_choice: Option<(i64, Vec<Vec<usize>>)> = dag.equalities_of(sel_slot).map(|(node, eqs)| {
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
        None => {
            let mut moving = slots.clone();
            moving.push(sel_slot);
            dag.depends(&moving).iter().enumerate().filter(|(_, &d)| d).map(|(i, _)| i).collect()
        }
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
    let mut order: Vec<&Point> = before.iter().collect();
    order.sort_by(|a, b| a.values().cmp(b.values()));
    for p in order {
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
            if next.is_some_and(|next| !states.contains(next.as_slice())) {
                return Some(false);
            }
        }
    }
    Some(true)
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
    let dag = Dag::new(&[Dynamic::from_ast(cond)]);
    let mut inputs = vec![None; dag.slots()];
    let mut out = Vec::new();
    let pinned = pinned_slots(&dag, points);
    let mut incremental = Incremental::new(&dag);
    for p in points {
        for (&s, &x) in pinned.iter().zip(p.values()) {
            if let Some(s) = s {
                inputs[s] = Some(x);
            }
        }
        incremental.eval(&dag, &inputs, &mut out);
        if out[dag.root(0)]? != 0 {
            return Some(false);
        }
    }
    Some(true)
}

/// Per field the states of `points` pin (every point of a layer pins the same ones, in
/// order): its input slot in `dag`, if `dag` has it.
fn pinned_slots(dag: &Dag, points: &[Point]) -> Vec<Option<usize>> {
    points.first().map_or(Vec::new(), |p| p.pins.iter().map(|(v, _)| dag.slot(v)).collect())
}

/// The states of a layer lemma as one formula: the frame is one of them.
pub(super) fn one_of(points: &[Point]) -> Bool {
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
    let (ints, bools) = fields(frame);
    let vars =
        ints.iter().filter(|v| v.as_i64().is_none()).count() + bools.iter().filter(|v| v.as_bool().is_none()).count();
    if w.states().count() * vars.max(1) > LEMMA_TERMS {
        return None;
    }
    // Each field and numeral made once: a layer of thousands of states repeats a few values.
    let int_fields: Vec<Dynamic> = ints.iter().map(|f| Dynamic::from_ast(f)).collect();
    let bool_fields: Vec<Dynamic> = bools.iter().map(|f| Dynamic::from_ast(f)).collect();
    let mut numerals: std::collections::HashMap<i64, Dynamic> = std::collections::HashMap::new();
    let truth = [Dynamic::from_ast(&Bool::from_bool(false)), Dynamic::from_ast(&Bool::from_bool(true))];
    let points: Vec<Point> = w
        .states()
        .filter_map(|st| {
            let (vi, vb) = values(st);
            let mut p = Point::default();
            for ((f, field), v) in ints.iter().zip(&int_fields).zip(&vi) {
                let v = v.expect("a concrete state's values are constants");
                match f.as_i64() {
                    Some(c) if c != v => return None,
                    Some(_) => {}
                    None => {
                        let n = numerals.entry(v).or_insert_with(|| Dynamic::from_ast(&Int::from_i64(v)));
                        p.pins.push((field.clone(), n.clone()));
                        p.vals.push(v);
                    }
                }
            }
            for ((f, field), v) in bools.iter().zip(&bool_fields).zip(&vb) {
                let v = v.expect("a concrete state's values are constants");
                match f.as_bool() {
                    Some(c) if c != v => return None,
                    Some(_) => {}
                    None => {
                        p.pins.push((field.clone(), truth[usize::from(v)].clone()));
                        p.vals.push(i64::from(v));
                    }
                }
            }
            Some(p)
        })
        .collect();
    Some(points)
}
