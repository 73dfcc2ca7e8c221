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
}

impl Point {
    /// "The frame is this state".
    pub(super) fn formula(&self) -> Bool {
        Bool::and(&self.pins.iter().map(|(v, c)| v.eq(c)).collect::<Vec<_>>())
    }

    /// The values of the pinned fields, Bool as 0/1 (as `ground` reads them).
    pub(super) fn values(&self) -> Option<Vec<i64>> {
        self.pins
            .iter()
            .map(|(_, c)| c.as_int().and_then(|i| i.as_i64()).or_else(|| c.as_bool()?.as_bool().map(i64::from)))
            .collect()
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
    let states: std::collections::HashSet<Vec<i64>> = layer.iter().map(Point::values).collect::<Option<_>>()?;
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
    let mut moving: Vec<usize> = defined.iter().map(|&(s, _)| s).collect();
    moving.push(sel_slot);
    // The nodes whose values a step's selector or new values can change, in DAG order.
    let changes: Vec<usize> = dag.depends(&moving).iter().enumerate().filter(|(_, &d)| d).map(|(i, _)| i).collect();
    let mut inputs = vec![None; dag.slots()];
    let mut out = Vec::new();
    for p in before {
        inputs.iter_mut().for_each(|i| *i = None);
        for ((v, _), x) in p.pins.iter().zip(p.values()?) {
            // A field the step does not mention does not matter to it.
            if let Some(s) = dag.slot(v) {
                inputs[s] = Some(x);
            }
        }
        dag.eval(&inputs, &mut out, None);
        for &c in choices {
            inputs[sel_slot] = Some(c);
            for &(s, _) in &defined {
                inputs[s] = None;
            }
            dag.eval(&inputs, &mut out, Some(&changes));
            // An assertion false whatever frame k is (an enabling condition, most often):
            // no step with this selector value, even where a definition is unknown.
            if (0..roots.len()).any(|r| out[dag.root(r)] == Some(0)) {
                continue;
            }
            let next: Vec<i64> = defined.iter().map(|&(_, def)| out[def]).collect::<Option<_>>()?;
            for (&(s, _), &x) in defined.iter().zip(&next) {
                inputs[s] = Some(x);
            }
            dag.eval(&inputs, &mut out, Some(&changes));
            let mut taken = true;
            for r in 0..roots.len() {
                if out[dag.root(r)]? == 0 {
                    taken = false;
                }
            }
            if taken && !states.contains(&next) {
                return Some(false);
            }
        }
    }
    Some(true)
}

/// Whether `cond`, over a frame's fields, is false in every state of `points`, by ground
/// evaluation; None when some state's value of it could not be evaluated.
pub(super) fn holds_in_none(points: &[Point], cond: &Bool) -> Option<bool> {
    let dag = Dag::new(&[Dynamic::from_ast(cond)]);
    let mut inputs = vec![None; dag.slots()];
    let mut out = Vec::new();
    for p in points {
        for ((v, _), x) in p.pins.iter().zip(p.values()?) {
            if let Some(s) = dag.slot(v) {
                inputs[s] = Some(x);
            }
        }
        dag.eval(&inputs, &mut out, None);
        if out[dag.root(0)]? != 0 {
            return Some(false);
        }
    }
    Some(true)
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
    let points: Vec<Point> = w
        .states()
        .filter_map(|st| {
            let (vi, vb) = values(st);
            let mut p = Point::default();
            for (f, v) in ints.iter().zip(&vi) {
                let v = v.expect("a concrete state's values are constants");
                match f.as_i64() {
                    Some(c) if c != v => return None,
                    Some(_) => {}
                    None => p.pins.push((Dynamic::from_ast(f), Dynamic::from_ast(&Int::from_i64(v)))),
                }
            }
            for (f, v) in bools.iter().zip(&vb) {
                let v = v.expect("a concrete state's values are constants");
                match f.as_bool() {
                    Some(c) if c != v => return None,
                    Some(_) => {}
                    None => p.pins.push((Dynamic::from_ast(f), Dynamic::from_ast(&Bool::from_bool(v)))),
                }
            }
            Some(p)
        })
        .collect();
    Some(points)
}
