//! Partial-order reduction (`--reduction por`): in a state, the search may take only an
//! *ample* set of its enabled steps, a stubborn set, instead of all of them, where the others
//! are independent of it and invisible to the intents under check. It owns the footprints of
//! the steps, the dependency relation they give, the visibility of steps and the choice of an
//! ample set in a state; it must not store states or decide verdicts (the search applies the
//! cycle proviso, `explicit/check.rs` what a cut-short reduced search may claim). The symbolic
//! engine's step semantics reads the same dependency through [`Rounds`], evaluated in any
//! value domain, so that this module names no solver.
//!
//! Footprints are derived from the model, not listed per controller: every step label's guard
//! and update are run once over [`Track`], a value domain whose values are linear forms over
//! the state's variables (every integer and boolean of a [`ClusterState`], booleans as 0/1) and
//! fresh atoms (the result of anything non-linear: a comparison, a division, an `ite`). Each
//! non-linear operation records the variable part of the linear forms it consumes, its
//! *observations*; the atoms are functions of those. The model's code takes no branch on a
//! value but through [`Domain::known`], which answers only for constants here, so the forms a
//! label observes bound what its guard and update read in every state. An update's effect is,
//! per variable it writes, its change `δ = new - old` as a form. A step `b` leaves a form `L`
//! alone when `L · δ_b` is identically zero (all coefficients, the constant too): a kubelet
//! start moves a pod from bound to running and leaves the scheduler's per-node requests, which
//! sum both, as they were.
//!
//! - Dependency: `a` and `b` are dependent when one changes a form the other observes (in its
//!   guard, its update, or its own changes' variable parts). Independent steps neither enable
//!   nor disable each other, and commute: each one's change is a function of forms the other
//!   leaves alone.
//! - Priorities (the timing policy's passes) are part of what is enabled: a step of a lower
//!   pass than the enabled ones is blocked while an enabled step of the ample set stays
//!   enabled, so it is left out; a step of a higher pass is disabled and must stay so.
//! - C0: the ample set is empty only when nothing is enabled (it always holds a seed step).
//! - C1 (persistence, the stubborn-set closure): an enabled step of the set brings in every
//!   step of its pass or a higher one it depends on; a disabled one (every step of a higher
//!   pass is one) brings in the steps that can enable it: those that change the form of a
//!   conjunct of its guard that is false in the state (a linear comparison evaluated there),
//!   else every step that changes what its guard observes. No step outside the set can then
//!   run before one inside and interfere with it.
//! - C2 (visibility): a step is visible when it changes a form that a safety intent, a
//!   monitor's first stage or `allPodsEventuallyRun`'s waiting count observes, or a
//!   Deployment's desired replicas under `noReplicaOscillation`, or when it evicts pods of a
//!   Deployment under `noEvictionCycle`. A set with a visible enabled step is not used.
//! - C3 (cycle proviso) is the search's: a state whose ample set reaches a state discovered no
//!   later than itself is expanded fully, so every cycle of the reduced graph has a fully
//!   expanded state.
//!
//! Under C0–C3 every run of the full graph has a run of the reduced one with the same visible
//! steps in the same order, stutter-equivalent for the intents, and every deadlock is kept;
//! the reduced graph's runs are runs of the model. The reduction is skipped in states with
//! twin nodes (symmetry's canonical choice then stays as it is) and wherever a guard or an
//! update reads or writes a monitor bit (none does).

use rustc_hash::FxHashMap;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::domain::{Concrete, Domain};
use crate::ir::Timing;
use crate::model::intents::{self, StepKind, Watch};
use crate::model::state::{Slot, SlotMut};
use crate::model::{Class, ClusterState, Controller, Model, Step};

/// Variables that must move for a conjunct to turn true, each with its direction (+1 or -1).
type Directions = Rc<[(u32, i128)]>;

/// The steps that can enable a disabled step, with the variables that must move for it, if
/// known ([`Reduction::enablers_of`]).
type Enablers = (Rc<[u32]>, Option<Directions>);

/// A linear form over symbols (state variables below [`Track::vars`], atoms above), with a
/// constant; terms sorted by symbol, no zero coefficient.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Lin {
    c: i128,
    t: Vec<(u32, i128)>,
}

impl Lin {
    fn constant(c: i128) -> Lin {
        Lin { c, t: Vec::new() }
    }
    fn symbol(s: u32) -> Lin {
        Lin { c: 0, t: vec![(s, 1)] }
    }
    fn known(&self) -> Option<i128> {
        self.t.is_empty().then_some(self.c)
    }
    /// `self + k * o`, `None` on overflow.
    fn add_scaled(&self, o: &Lin, k: i128) -> Option<Lin> {
        let mut t = Vec::with_capacity(self.t.len() + o.t.len());
        let (mut i, mut j) = (0, 0);
        while i < self.t.len() || j < o.t.len() {
            let take_a = j >= o.t.len() || (i < self.t.len() && self.t[i].0 < o.t[j].0);
            let take_b = i >= self.t.len() || (j < o.t.len() && o.t[j].0 < self.t[i].0);
            if take_a {
                t.push(self.t[i]);
                i += 1;
            } else if take_b {
                t.push((o.t[j].0, o.t[j].1.checked_mul(k)?));
                j += 1;
            } else {
                let x = self.t[i].1.checked_add(o.t[j].1.checked_mul(k)?)?;
                if x != 0 {
                    t.push((self.t[i].0, x));
                }
                i += 1;
                j += 1;
            }
        }
        Some(Lin { c: self.c.checked_add(o.c.checked_mul(k)?)?, t })
    }
    fn scaled(&self, k: i128) -> Option<Lin> {
        if k == 0 {
            return Some(Lin::default());
        }
        let t = self.t.iter().map(|&(s, x)| x.checked_mul(k).map(|x| (s, x))).collect::<Option<Vec<_>>>()?;
        Some(Lin { c: self.c.checked_mul(k)?, t })
    }
    /// The part over state variables (symbols below `vars`), without the constant.
    fn vars_part(&self, vars: u32) -> Form {
        self.t.iter().copied().filter(|&(s, _)| s < vars).collect()
    }
}

/// The variable part of a linear form: what an operation observes.
type Form = Vec<(u32, i128)>;

/// A comparison of a linear form with zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Le,
    Lt,
    Eq,
}

impl Cmp {
    fn holds(self, x: i128) -> bool {
        match self {
            Cmp::Le => x <= 0,
            Cmp::Lt => x < 0,
            Cmp::Eq => x == 0,
        }
    }
}

/// A value of [`Track`].
#[derive(Debug)]
enum V {
    /// An integer, or a boolean as 0/1.
    Lin(Lin),
    /// A boolean: the form compared with zero (its variable part observed when made).
    Test(Cmp, Lin),
    /// A boolean: the conjunction of these (each a `Lin` boolean or a `Test`).
    All(Vec<Val>),
}

type Val = Rc<V>;

/// What an atom stands for: a non-linear operation on values (so that it can be evaluated
/// in a concrete state, and what it reads found again).
#[derive(Debug)]
enum Def {
    /// A boolean `Test` or `All` as 0/1.
    Bool(Val),
    Or(Val, Val),
    Not(Val),
    Ite(Val, Val, Val),
    Div(Val, i64),
    DivBy(Val, Val),
    DivCapped(Val, Val, i64),
    MulTable(Val, Val, Rc<[i64]>),
    /// An arithmetic overflow of the forms (never evaluated).
    Opaque(Vec<Val>),
}

impl Def {
    fn inputs(&self) -> Vec<&Val> {
        match self {
            Def::Bool(a) | Def::Not(a) | Def::Div(a, _) => vec![a],
            Def::Or(a, b) | Def::DivBy(a, b) | Def::DivCapped(a, b, _) | Def::MulTable(a, b, _) => vec![a, b],
            Def::Ite(c, t, e) => vec![c, t, e],
            Def::Opaque(xs) => xs.iter().collect(),
        }
    }
}

/// The footprint domain (see the module's doc): values are linear forms over the state's
/// variables and atoms, and every non-linear operation records what it observes.
struct Track {
    /// Symbols below this are state variables.
    vars: u32,
    /// Per atom (symbol `vars + i`): what it stands for.
    defs: RefCell<Vec<Def>>,
    observed: RefCell<Vec<Form>>,
    /// Operations so far; past [`WORK`], every operation gives [`Track::top`] and the
    /// footprint is given up (the step then depends on every other).
    work: Cell<usize>,
    limit: usize,
}

/// Operations one label's guard and update may take over [`Track`] before its footprint is
/// given up.
const WORK: usize = 20_000;

/// Label and state-variable pairs working out every label's footprint may go through: each
/// label's update is compared with the whole state as variables, and its change with what the
/// intents observe, so the set-up grows as labels times variables. Past it (about three and a
/// half times `snapshot-k4`'s 9,916 labels over 5,796 variables, set up in under two seconds;
/// `snapshot-k16`'s would take minutes) neither the reduction nor rounds are applied, rather
/// than the set-up taking minutes before the search or the unrolling begins.
const SETUP_WORK: u64 = 200_000_000;

/// Operations all the labels of one actor may take over [`Track`]: past it, the footprints of
/// its other labels are given up without being worked out (a descheduler run per node order:
/// 720 labels of some 9,000 operations each on 6 nodes).
const ACTOR_WORK: usize = 200_000;

impl Track {
    fn new(vars: u32) -> Track {
        Track::limited(vars, WORK)
    }
    fn limited(vars: u32, limit: usize) -> Track {
        Track { vars, defs: RefCell::default(), observed: RefCell::default(), work: Cell::new(0), limit }
    }
    /// Counts an operation; whether the footprint is given up.
    fn over(&self) -> bool {
        let w = self.work.get() + 1;
        self.work.set(w);
        w > self.limit
    }
    /// What every operation gives once the footprint is given up: no constant, so the
    /// model takes its general path, and nothing recorded.
    fn top() -> Val {
        Rc::new(V::Lin(Lin::symbol(u32::MAX)))
    }
    fn observe(&self, l: &Lin) {
        let f = l.vars_part(self.vars);
        if !f.is_empty() {
            self.observed.borrow_mut().push(f);
        }
    }
    /// Records what `v` reads (a conjunction's parts: a comparison recorded itself when made).
    fn observe_val(&self, v: &Val) {
        match &**v {
            V::Lin(l) => self.observe(l),
            V::Test(..) => {}
            V::All(xs) => xs.iter().for_each(|x| self.observe_val(x)),
        }
    }
    /// A fresh atom standing for `def` (its inputs observed).
    fn atom(&self, def: Def) -> Lin {
        for v in def.inputs() {
            self.observe_val(v);
        }
        let mut defs = self.defs.borrow_mut();
        defs.push(def);
        Lin::symbol(self.vars + defs.len() as u32 - 1)
    }
    fn opaque(&self, def: Def) -> Val {
        Rc::new(V::Lin(self.atom(def)))
    }
    /// `v` as a linear form: itself, or an atom standing for the boolean.
    fn lin(&self, v: &Val) -> Lin {
        match &**v {
            V::Lin(l) => l.clone(),
            _ => self.atom(Def::Bool(v.clone())),
        }
    }
    fn konst(v: &Val) -> Option<i128> {
        match &**v {
            V::Lin(l) => l.known(),
            _ => None,
        }
    }
    fn cmp(&self, op: Cmp, a: &Val, b: &Val) -> Val {
        let (la, lb) = (self.lin(a), self.lin(b));
        match la.add_scaled(&lb, -1) {
            Some(diff) => match diff.known() {
                Some(x) => Rc::new(V::Lin(Lin::constant(op.holds(x) as i128))),
                None => {
                    self.observe(&diff);
                    Rc::new(V::Test(op, diff))
                }
            },
            None => self.opaque(Def::Opaque(vec![a.clone(), b.clone()])),
        }
    }
    fn parts(v: &Val) -> Vec<Val> {
        match &**v {
            V::All(xs) => xs.clone(),
            _ => vec![v.clone()],
        }
    }
    fn linear(&self, l: Option<Lin>, inputs: &[&Val]) -> Val {
        match l {
            Some(l) => Rc::new(V::Lin(l)),
            None => self.opaque(Def::Opaque(inputs.iter().map(|&v| v.clone()).collect())),
        }
    }

    /// The value of `v` in the state whose variables have `vals` (`None` where an atom
    /// cannot be evaluated); `memo` per atom.
    fn eval(&self, v: &Val, vals: &[i64], memo: &mut Vec<Option<Option<i128>>>) -> Option<i128> {
        match &**v {
            V::Lin(l) => self.eval_lin(l, vals, memo),
            V::Test(op, l) => Some(op.holds(self.eval_lin(l, vals, memo)?) as i128),
            V::All(xs) => {
                for x in xs {
                    if self.eval(x, vals, memo)? == 0 {
                        return Some(0);
                    }
                }
                Some(1)
            }
        }
    }

    fn eval_lin(&self, l: &Lin, vals: &[i64], memo: &mut Vec<Option<Option<i128>>>) -> Option<i128> {
        let mut r = l.c;
        for &(s, x) in &l.t {
            let v = if s < self.vars { vals[s as usize] as i128 } else { self.eval_atom(s - self.vars, vals, memo)? };
            r = r.checked_add(x.checked_mul(v)?)?;
        }
        Some(r)
    }

    fn eval_atom(&self, a: u32, vals: &[i64], memo: &mut Vec<Option<Option<i128>>>) -> Option<i128> {
        if memo.len() <= a as usize {
            memo.resize(a as usize + 1, None);
        }
        if let Some(x) = memo[a as usize] {
            return x;
        }
        let defs = self.defs.borrow();
        let x = match &defs[a as usize] {
            Def::Bool(v) => self.eval(v, vals, memo),
            Def::Or(p, q) => Some((self.eval(p, vals, memo)? != 0 || self.eval(q, vals, memo)? != 0) as i128),
            Def::Not(p) => Some((self.eval(p, vals, memo)? == 0) as i128),
            Def::Ite(c, t, e) => {
                if self.eval(c, vals, memo)? != 0 {
                    self.eval(t, vals, memo)
                } else {
                    self.eval(e, vals, memo)
                }
            }
            Def::Div(p, k) => Some(self.eval(p, vals, memo)?.div_euclid(*k as i128)),
            Def::DivBy(p, q) => {
                let q = self.eval(q, vals, memo)?;
                (q >= 1).then_some(())?;
                Some(self.eval(p, vals, memo)?.div_euclid(q))
            }
            Def::DivCapped(p, q, cap) => {
                let q = self.eval(q, vals, memo)?;
                (q >= 1).then_some(())?;
                Some(self.eval(p, vals, memo)?.div_euclid(q).clamp(0, *cap as i128))
            }
            Def::MulTable(p, k, table) => {
                let k = usize::try_from(self.eval(k, vals, memo)?).ok()?;
                Some(self.eval(p, vals, memo)?.checked_mul(*table.get(k)? as i128)?)
            }
            Def::Opaque(_) => None,
        };
        drop(defs);
        memo[a as usize] = Some(x);
        x
    }

    /// Whether `l` can move in direction `sign` (+1 up, -1 down) from its value in the state
    /// whose variables are `vals` only by one of the variables pushed onto `out` moving in the
    /// direction pushed with it:
    /// each term moves its way, a min up only by the argument that is the min here, a max
    /// down only by the one that is the max. `false` where an atom is of another kind.
    fn moves(
        &self,
        l: &Lin,
        sign: i128,
        vals: &[i64],
        memo: &mut Vec<Option<Option<i128>>>,
        out: &mut Vec<(u32, i128)>,
    ) -> bool {
        for &(s, c) in &l.t {
            let sign = if c > 0 { sign } else { -sign };
            if s < self.vars {
                out.push((s, sign));
                continue;
            }
            let (t, e, d) = match &self.defs.borrow()[(s - self.vars) as usize] {
                Def::Ite(c, t, e) => match (&**c, &**t, &**e) {
                    (V::Test(Cmp::Le, d), V::Lin(t), V::Lin(e)) => (t.clone(), e.clone(), d.clone()),
                    _ => return false,
                },
                _ => return false,
            };
            // min(t, e) is ite(t <= e, t, e); max(t, e) is ite(e <= t, t, e).
            let is_min = t.add_scaled(&e, -1).as_ref() == Some(&d);
            let is_max = e.add_scaled(&t, -1).as_ref() == Some(&d);
            if !is_min && !is_max {
                return false;
            }
            if (is_min && sign > 0) || (is_max && sign < 0) {
                let (Some(tv), Some(ev)) = (self.eval_lin(&t, vals, memo), self.eval_lin(&e, vals, memo)) else {
                    return false;
                };
                let bound_by_t = if is_min { tv <= ev } else { tv >= ev };
                if !self.moves(if bound_by_t { &t } else { &e }, sign, vals, memo, out) {
                    return false;
                }
            } else if !self.moves(&t, sign, vals, memo, out) || !self.moves(&e, sign, vals, memo, out) {
                return false;
            }
        }
        true
    }

    /// Every form `v` reads: its own variable part, and through its atoms what they read.
    fn reads(&self, v: &Val, seen: &mut Vec<bool>, out: &mut Vec<Form>) {
        match &**v {
            V::Lin(l) | V::Test(_, l) => {
                let f = l.vars_part(self.vars);
                if !f.is_empty() {
                    out.push(f);
                }
                for &(s, _) in l.t.iter().filter(|&&(s, _)| s >= self.vars) {
                    let a = (s - self.vars) as usize;
                    if seen.len() <= a {
                        seen.resize(a + 1, false);
                    }
                    if !seen[a] {
                        seen[a] = true;
                        let inputs: Vec<Val> = self.defs.borrow()[a].inputs().into_iter().cloned().collect();
                        for x in &inputs {
                            self.reads(x, seen, out);
                        }
                    }
                }
            }
            V::All(xs) => xs.iter().for_each(|x| self.reads(x, seen, out)),
        }
    }
}

impl std::fmt::Debug for Track {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Track({} variables)", self.vars)
    }
}

impl Domain for Track {
    type Int = Val;
    type Bool = Val;

    fn int(&self, v: i64) -> Val {
        Rc::new(V::Lin(Lin::constant(v as i128)))
    }
    fn bool(&self, v: bool) -> Val {
        self.int(v as i64)
    }
    fn add(&self, a: &Val, b: &Val) -> Val {
        if self.over() {
            return Track::top();
        }
        self.linear(self.lin(a).add_scaled(&self.lin(b), 1), &[a, b])
    }
    fn sub(&self, a: &Val, b: &Val) -> Val {
        if self.over() {
            return Track::top();
        }
        self.linear(self.lin(a).add_scaled(&self.lin(b), -1), &[a, b])
    }
    fn mul_const(&self, a: &Val, k: i64) -> Val {
        if self.over() {
            return Track::top();
        }
        self.linear(self.lin(a).scaled(k as i128), &[a])
    }
    fn div_const(&self, a: &Val, k: i64) -> Val {
        if self.over() {
            return Track::top();
        }
        match Track::konst(a) {
            Some(x) if k > 0 => Rc::new(V::Lin(Lin::constant(x.div_euclid(k as i128)))),
            _ => self.opaque(Def::Div(a.clone(), k)),
        }
    }
    fn le(&self, a: &Val, b: &Val) -> Val {
        if self.over() {
            return Track::top();
        }
        self.cmp(Cmp::Le, a, b)
    }
    fn lt(&self, a: &Val, b: &Val) -> Val {
        if self.over() {
            return Track::top();
        }
        self.cmp(Cmp::Lt, a, b)
    }
    fn eq(&self, a: &Val, b: &Val) -> Val {
        if self.over() {
            return Track::top();
        }
        self.cmp(Cmp::Eq, a, b)
    }
    fn and(&self, a: &Val, b: &Val) -> Val {
        if self.over() {
            return Track::top();
        }
        match (Track::konst(a), Track::konst(b)) {
            (Some(0), _) | (_, Some(0)) => self.bool(false),
            (Some(_), _) => b.clone(),
            (_, Some(_)) => a.clone(),
            _ => {
                let mut xs = Track::parts(a);
                xs.extend(Track::parts(b));
                Rc::new(V::All(xs))
            }
        }
    }
    fn or(&self, a: &Val, b: &Val) -> Val {
        if self.over() {
            return Track::top();
        }
        match (Track::konst(a), Track::konst(b)) {
            (Some(x), _) if x != 0 => self.bool(true),
            (_, Some(x)) if x != 0 => self.bool(true),
            (Some(_), _) => b.clone(),
            (_, Some(_)) => a.clone(),
            _ => self.opaque(Def::Or(a.clone(), b.clone())),
        }
    }
    fn not(&self, a: &Val) -> Val {
        if self.over() {
            return Track::top();
        }
        let flipped = match &**a {
            V::Lin(l) => Lin::constant(1).add_scaled(l, -1).map(V::Lin),
            // not (d <= 0) is -d < 0; not (d < 0) is -d <= 0.
            V::Test(Cmp::Le, d) => d.scaled(-1).map(|n| V::Test(Cmp::Lt, n)),
            V::Test(Cmp::Lt, d) => d.scaled(-1).map(|n| V::Test(Cmp::Le, n)),
            _ => None,
        };
        match flipped {
            Some(v) => Rc::new(v),
            None => self.opaque(Def::Not(a.clone())),
        }
    }
    fn ite(&self, c: &Val, t: &Val, e: &Val) -> Val {
        if self.over() {
            return Track::top();
        }
        match Track::konst(c) {
            Some(x) => (if x != 0 { t } else { e }).clone(),
            None if Rc::ptr_eq(t, e) => t.clone(),
            None => self.opaque(Def::Ite(c.clone(), t.clone(), e.clone())),
        }
    }
    fn ite_bool(&self, c: &Val, t: &Val, e: &Val) -> Val {
        self.ite(c, t, e)
    }
    fn known(&self, a: &Val) -> Option<i64> {
        Track::konst(a).and_then(|x| i64::try_from(x).ok())
    }
    fn known_bool(&self, a: &Val) -> Option<bool> {
        Track::konst(a).map(|x| x != 0)
    }
    fn div_bounded(&self, a: &Val, b: &Val, _lo: i64, _hi: i64) -> Val {
        if self.over() {
            return Track::top();
        }
        match (Track::konst(a), Track::konst(b)) {
            (Some(x), Some(y)) if y > 0 => Rc::new(V::Lin(Lin::constant(x.div_euclid(y)))),
            _ => self.opaque(Def::DivBy(a.clone(), b.clone())),
        }
    }
    fn div_capped(&self, a: &Val, b: &Val, qmax: i64) -> Val {
        if self.over() {
            return Track::top();
        }
        match (Track::konst(a), Track::konst(b)) {
            (Some(x), Some(y)) if y > 0 => Rc::new(V::Lin(Lin::constant(x.div_euclid(y).clamp(0, qmax as i128)))),
            _ => self.opaque(Def::DivCapped(a.clone(), b.clone(), qmax)),
        }
    }
    fn mul_table(&self, a: &Val, key: &Val, table: &[i64]) -> Val {
        if self.over() {
            return Track::top();
        }
        match (Track::konst(a), Track::konst(key)) {
            (Some(x), Some(k)) if (0..table.len() as i128).contains(&k) => {
                Rc::new(V::Lin(Lin::constant(x * table[k as usize] as i128)))
            }
            _ => self.opaque(Def::MulTable(a.clone(), key.clone(), table.into())),
        }
    }
}

/// The state as variables of [`Track`] (numbered in the order [`ClusterState::map`] visits
/// them), and their count.
fn variables(shape: &ClusterState<Concrete>) -> (ClusterState<Track>, u32) {
    let n = Cell::new(0u32);
    let next = || {
        let s = n.get();
        n.set(s + 1);
        Rc::new(V::Lin(Lin::symbol(s)))
    };
    let st = shape.map::<Track>(&|_| next(), &|_| next());
    (st, n.get())
}

/// The values of a concrete state's variables, numbered as [`variables`] numbers them.
fn values(st: &ClusterState<Concrete>, out: &mut Vec<i64>) {
    out.clear();
    let out = RefCell::new(out);
    let _ = st.map::<Concrete>(
        &|&x| {
            out.borrow_mut().push(x);
            x
        },
        &|&b| {
            out.borrow_mut().push(b as i64);
            b
        },
    );
}

/// The variables of a [`Track`] state, in [`variables`] order.
fn flat(st: &ClusterState<Track>) -> Vec<Val> {
    let out = RefCell::new(Vec::new());
    let _ = st.map::<Track>(
        &|x| {
            out.borrow_mut().push(x.clone());
            x.clone()
        },
        &|x| {
            out.borrow_mut().push(x.clone());
            x.clone()
        },
    );
    out.into_inner()
}

/// Enabled steps tried as the seed of an ample set in one state.
const SEEDS: usize = 16;

/// What one step label reads and writes, and how it is ranked.
#[derive(Debug)]
struct Footprint {
    /// Forms its guard observes.
    guard: Vec<Form>,
    /// Forms its guard and its update observe, with its changes' variable parts.
    all: Vec<Form>,
    /// The conjuncts of its guard (values of `track`, evaluable in a state) with the forms
    /// each reads.
    conjuncts: Vec<(Val, Vec<Form>)>,
    /// The domain its guard and update were run over (the atoms' definitions).
    track: Track,
    /// Per variable it writes: the change.
    delta: Vec<(u32, Lin)>,
    /// Its timing pass: 0 pre-empts 1, which pre-empts 2.
    level: u8,
    visible: bool,
    /// Its footprint was given up ([`WORK`]): it reads and writes every variable.
    top: bool,
}

/// Whether the change `delta` leaves form `f` as it was in every state: `f · delta` is zero.
/// Both are sorted by variable; the shorter is gone through and the other searched (a form
/// may cover every node of a large cluster, a step's change a few variables).
fn leaves(delta: &[(u32, Lin)], f: &[(u32, i128)]) -> bool {
    debug_assert!(f.windows(2).all(|w| w[0].0 < w[1].0), "a form's variables out of order");
    debug_assert!(delta.windows(2).all(|w| w[0].0 < w[1].0), "a change's variables out of order");
    let mut acc = Lin::default();
    let mut touched = false;
    let mut add = |change: &Lin, x: i128| match acc.add_scaled(change, x) {
        Some(a) => {
            acc = a;
            touched = true;
            true
        }
        None => false,
    };
    if f.len() <= delta.len() {
        for &(v, x) in f {
            if let Ok(i) = delta.binary_search_by_key(&v, |d| d.0) {
                if !add(&delta[i].1, x) {
                    return false;
                }
            }
        }
    } else {
        for (v, change) in delta {
            if let Ok(i) = f.binary_search_by_key(v, |t| t.0) {
                if !add(change, f[i].1) {
                    return false;
                }
            }
        }
    }
    !touched || (acc.c == 0 && acc.t.is_empty())
}

/// The state variables that hold a monitor bit: a label that reads or writes one leaves the
/// reduction out.
fn monitor_vars(x: &ClusterState<Track>) -> Vec<u32> {
    let mut st = x.clone();
    for v in intents::monitors_mut(&mut st) {
        *v = Rc::new(V::Lin(Lin::constant(-1)));
    }
    flat(&st)
        .iter()
        .enumerate()
        .filter(|(_, v)| matches!(&***v, V::Lin(l) if l.c == -1))
        .map(|(i, _)| i as u32)
        .collect()
}

/// What the intents under check observe, against which a label's changes are visible.
struct Observed {
    /// Forms an intent, a monitor or a watch on every state observes.
    forms: Vec<Form>,
    /// Per watch on a measure only a step of a kind may raise: the kind and the measure.
    watched_by: Vec<(StepKind, Form)>,
    /// The intents were too costly to follow: every step is visible (no reduction).
    over: bool,
    /// `forms` by the variables they read ([`FormIndex`]).
    index: FormIndex,
}

/// Per variable, the forms of a list that read it: a change is checked against the forms its
/// variables are in, not against every form (a large cluster's intents and guards observe a
/// form per node, and thousands of labels change them).
struct FormIndex(FxHashMap<u32, Vec<u32>>);

impl FormIndex {
    fn of(forms: &[Form]) -> FormIndex {
        let mut by_var: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        for (i, f) in forms.iter().enumerate() {
            for &(v, _) in f {
                by_var.entry(v).or_default().push(i as u32);
            }
        }
        FormIndex(by_var)
    }

    /// Whether `delta` changes some form of `forms` (the list this indexes): [`leaves`] is
    /// true of every form that reads no variable `delta` changes, so only the others are
    /// asked. `reached` is a buffer.
    fn moved(&self, forms: &[Form], delta: &[(u32, Lin)], reached: &mut Vec<u32>) -> bool {
        reached.clear();
        reached.extend(delta.iter().filter_map(|(v, _)| self.0.get(v)).flatten().copied());
        reached.sort_unstable();
        reached.dedup();
        reached.iter().any(|&i| !leaves(delta, &forms[i as usize]))
    }
}

/// What the intents of `m` observe over the state `x` of `vars` variables.
fn observed(m: &Model, x: &ClusterState<Track>, vars: u32) -> Observed {
    let d = Track::limited(vars, WORK * 50);
    for i in 0..m.ir.intents.len() {
        let bad = intents::violated(&d, m, x, i);
        d.observe_val(&bad);
    }
    let mut watched = x.clone();
    intents::observe_in_place(&d, m, &mut watched);
    for v in intents::monitors(&watched) {
        d.observe_val(v);
    }
    // What each watch sees: a measure any step may change, or one only a step of a kind
    // may raise (per kind), or the loop predicate.
    let mut watched_by: Vec<(StepKind, Form)> = Vec::new();
    for intent in &m.ir.intents {
        match intents::watch(intent) {
            Some(Watch::EveryState) => {
                if let Some(b) = intents::loop_state(&d, m, x, intent) {
                    d.observe_val(&b);
                }
            }
            Some(Watch::Rises { measure, by: Some(kind) }) => {
                let t = measure.value(&d, m, x);
                watched_by.push((kind, d.lin(&t).vars_part(vars)));
            }
            Some(Watch::Rises { measure, by: None } | Watch::Changes(measure)) => {
                d.observe_val(&measure.value(&d, m, x))
            }
            None => {}
        }
    }
    let over = d.work.get() > d.limit;
    let forms = d.observed.take();
    let index = FormIndex::of(&forms);
    Observed { forms, watched_by, over, index }
}

/// What every label's footprint is worked out against: the model, its controllers, the
/// state as variables and what the intents observe.
struct Setting<'a> {
    m: &'a Model,
    reg: &'a [Box<dyn Controller<Concrete>>],
    /// The state as variables.
    x: ClusterState<Track>,
    vars: u32,
    /// The variables that hold a monitor bit ([`monitor_vars`]), in increasing order.
    monitor_vars: Vec<u32>,
    observed: Observed,
}

impl Footprint {
    /// The footprint of label `s`, whose guard and update over [`Track`] are `c`'s; `spent`
    /// is the work its actor's labels took so far. `nx` holds the state as variables (a copy
    /// of `set.x`), and holds it again on return: the update writes into it and
    /// [`changes`] puts back what it wrote, so no label copies the whole state. `None` where
    /// it reads or writes a monitor bit.
    fn of(
        set: &Setting,
        c: &dyn Controller<Track>,
        s: &Step,
        spent: &mut usize,
        nx: &mut ClusterState<Track>,
    ) -> Option<Footprint> {
        let (m, x) = (set.m, &set.x);
        let d = Track::new(set.vars);
        if *spent > ACTOR_WORK {
            d.work.set(WORK + 1);
        }
        let g = if d.work.get() > WORK {
            Track::top()
        } else {
            let g = c.guard(&d, m, s, x);
            c.update_into(&d, m, s, x, nx);
            g
        };
        *spent += d.work.get();
        d.observe_val(&g);
        let mut guard = d.observed.take();
        guard.sort();
        guard.dedup();
        let actor = set.reg[s.actor as usize].as_ref();
        let level = match actor.class() {
            Class::Atomic => 0,
            Class::Fast => 1,
            Class::Periodic | Class::Event => {
                if m.ir.timing == Timing::Urgent {
                    2
                } else {
                    1
                }
            }
        };
        if d.work.get() > WORK {
            // Given up: it reads and writes everything, and is visible. What the update wrote
            // is put back (its changes, and `d`, are not used).
            let _ = changes(&d, nx, x);
            return Some(Footprint {
                guard: Vec::new(),
                all: Vec::new(),
                conjuncts: Vec::new(),
                track: Track::new(set.vars),
                delta: Vec::new(),
                level,
                visible: true,
                top: true,
            });
        }
        let conjuncts = Track::parts(&g)
            .into_iter()
            .map(|p| {
                let mut forms = Vec::new();
                d.reads(&p, &mut Vec::new(), &mut forms);
                forms.sort();
                forms.dedup();
                (p, forms)
            })
            .collect();
        let delta = changes(&d, nx, x)?;
        let mut all = d.observed.take();
        all.extend(guard.iter().cloned());
        all.sort();
        all.dedup();
        let reads_monitor = all.iter().flatten().any(|(v, _)| set.monitor_vars.binary_search(v).is_ok());
        let writes_monitor = delta.iter().any(|(v, _)| set.monitor_vars.binary_search(v).is_ok());
        if reads_monitor || writes_monitor {
            return None;
        }
        let o = &set.observed;
        let visible = o.over
            || o.index.moved(&o.forms, &delta, &mut Vec::new())
            || o.watched_by.iter().any(|(kind, f)| kind.of(actor, s) && !leaves(&delta, f));
        Some(Footprint { guard, all, conjuncts, track: d, delta, level, visible, top: false })
    }
}

/// Per variable an update wrote into `nx` over the state as variables `x` (what `nx` held
/// before it): its change as a form (observed in `d`), in [`variables`] order. `nx` holds `x`
/// again afterwards. `None` where a change is not a linear form.
fn changes(d: &Track, nx: &mut ClusterState<Track>, x: &ClusterState<Track>) -> Option<Vec<(u32, Lin)>> {
    let mut delta = Vec::new();
    let mut linear = true;
    let mut v = 0u32;
    let mut values = |after: &mut Vec<Val>, before: &Vec<Val>| {
        debug_assert_eq!(after.len(), before.len(), "an update changed the state's shape");
        for (a, b) in after.iter_mut().zip(before) {
            if !Rc::ptr_eq(a, b) {
                let l = d.lin(a);
                if linear && l != Lin::symbol(v) {
                    match l.add_scaled(&Lin::symbol(v), -1) {
                        Some(change) => {
                            d.observe(&change);
                            delta.push((v, change));
                        }
                        None => linear = false,
                    }
                }
                *a = b.clone();
            }
            v += 1;
        }
    };
    for (after, before) in nx.slots_mut().into_iter().zip(x.slots()) {
        match (after, before) {
            (SlotMut::Ints(a), Slot::Ints(b)) | (SlotMut::Bools(a), Slot::Bools(b)) => values(a, b),
            (SlotMut::Grid(a), Slot::Grid(b)) => {
                debug_assert_eq!(a.len(), b.len(), "an update changed the state's shape");
                for (ra, rb) in a.iter_mut().zip(b) {
                    values(ra, rb);
                }
            }
            _ => unreachable!("a field is of the same kind in two states"),
        }
    }
    linear.then_some(delta)
}

/// The reduction for one search: every label's footprint, and what is worked out from them
/// as states ask (dependents, enablers), remembered.
pub(crate) struct Reduction {
    foot: Vec<Footprint>,
    /// Per variable: the labels whose changes write it.
    writers: Vec<Vec<u32>>,
    /// The labels whose footprint was given up: they read and write every variable.
    tops: Vec<u32>,
    /// Per variable: the labels that observe a form with it.
    readers: Vec<Vec<u32>>,
    /// Per label, once asked: the labels dependent on it.
    dependents: Vec<Option<Rc<[u32]>>>,
    /// Per label, once asked: the labels that change a form its guard observes.
    enablers: Vec<Option<Rc<[u32]>>>,
    /// Per (label, conjunct), once asked: the labels that change that conjunct's form.
    conjunct_enablers: Vec<Vec<Option<Rc<[u32]>>>>,
    /// Labels with a higher pass than some other (candidates to watch), by level.
    by_level: [Vec<u32>; 3],
    // Buffers reused from one state to the next.
    vals: Vec<i64>,
    /// The state `vals` holds, counted: what is remembered per label below is for it.
    state_stamp: u32,
    /// Per label: its atoms' values in the state (valid where `memo_stamp` is the state's).
    memo: Vec<Vec<Option<Option<i128>>>>,
    memo_stamp: Vec<u32>,
    /// Per label: its enablers in the state (valid where the stamp is the state's): every
    /// seed's closure asks again for the disabled steps the first one met.
    enablers_now: Vec<(u32, Option<Enablers>)>,
    /// The labels that change some of these variables, once asked.
    moving_enablers: FxHashMap<Vec<u32>, Rc<[u32]>>,
    mark: Vec<u32>,
    stamp: u32,
    enabled: Vec<u32>,
    enabled_stamp: u32,
    work: Vec<u32>,
    set: Vec<u32>,
    base: Vec<u32>,
    /// States expanded with a smaller ample set than their enabled steps.
    pub(crate) reduced: u64,
}

/// Why the footprints of a model's labels were not worked out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unworked {
    /// A guard or an update reads or writes a monitor bit.
    Monitor,
    /// Working them out would take more than [`SETUP_WORK`].
    TooLarge,
}

impl Reduction {
    /// Whether working out the footprints of `labels` over states shaped as `shape` would
    /// take more than [`SETUP_WORK`].
    fn too_large(labels: &[Step], shape: &ClusterState<Concrete>) -> bool {
        let vars: usize = shape
            .slots()
            .iter()
            .map(|s| match s {
                Slot::Ints(v) => v.len(),
                Slot::Bools(v) => v.len(),
                Slot::Grid(rows) => rows.iter().map(Vec::len).sum(),
            })
            .sum();
        labels.len() as u64 * vars as u64 > SETUP_WORK
    }

    /// The footprints of `labels` in `m`, or why the reduction cannot be applied.
    pub(crate) fn new(
        m: &Model,
        reg: &[Box<dyn Controller<Concrete>>],
        labels: &[Step],
        shape: &ClusterState<Concrete>,
    ) -> Result<Reduction, Unworked> {
        if Self::too_large(labels, shape) {
            return Err(Unworked::TooLarge);
        }
        let started = std::time::Instant::now();
        let treg = crate::model::registry::<Track>();
        let (x, vars) = variables(shape);
        let mut nx = x.clone();
        // Fields in this order: the state as variables moves in after the others read it.
        let set = Setting { m, reg, monitor_vars: monitor_vars(&x), observed: observed(m, &x, vars), x, vars };
        let mut foot = Vec::with_capacity(labels.len());
        let mut spent = vec![0usize; treg.len()];
        for s in labels {
            let a = s.actor as usize;
            foot.push(Footprint::of(&set, treg[a].as_ref(), s, &mut spent[a], &mut nx).ok_or(Unworked::Monitor)?);
        }
        log::debug!(
            "footprints of {} labels over {vars} state variables in {:.2} s",
            labels.len(),
            started.elapsed().as_secs_f64()
        );
        let mut writers = vec![Vec::new(); vars as usize];
        let mut readers = vec![Vec::new(); vars as usize];
        for (l, f) in foot.iter().enumerate() {
            for &(v, _) in &f.delta {
                writers[v as usize].push(l as u32);
            }
            let mut seen: Vec<u32> = f.all.iter().flatten().map(|&(v, _)| v).collect();
            seen.sort_unstable();
            seen.dedup();
            for v in seen {
                readers[v as usize].push(l as u32);
            }
        }
        let mut by_level: [Vec<u32>; 3] = Default::default();
        for (l, f) in foot.iter().enumerate() {
            by_level[f.level as usize].push(l as u32);
        }
        let n = labels.len();
        let tops = (0..n as u32).filter(|&l| foot[l as usize].top).collect();
        Ok(Reduction {
            tops,
            conjunct_enablers: foot.iter().map(|f| vec![None; f.conjuncts.len()]).collect(),
            foot,
            writers,
            readers,
            dependents: vec![None; n],
            enablers: vec![None; n],
            by_level,
            vals: Vec::new(),
            state_stamp: 0,
            memo: vec![Vec::new(); n],
            memo_stamp: vec![0; n],
            enablers_now: vec![(0, None); n],
            moving_enablers: Default::default(),
            mark: vec![0; n],
            stamp: 0,
            enabled: vec![0; n],
            enabled_stamp: 0,
            work: Vec::new(),
            set: Vec::new(),
            base: Vec::new(),
            reduced: 0,
        })
    }

    /// The labels that change some form of `forms`.
    fn changers(&self, forms: &[Form]) -> Rc<[u32]> {
        let mut cand: Vec<u32> =
            forms.iter().flatten().flat_map(|&(v, _)| self.writers[v as usize].iter().copied()).collect();
        cand.sort_unstable();
        cand.dedup();
        let index = FormIndex::of(forms);
        let mut reached = Vec::new();
        cand.retain(|&b| index.moved(forms, &self.foot[b as usize].delta, &mut reached));
        // A step whose footprint was given up writes everything.
        cand.extend(&self.tops);
        cand.into()
    }

    fn dependents_of(&mut self, a: u32) -> Rc<[u32]> {
        if let Some(d) = &self.dependents[a as usize] {
            return d.clone();
        }
        if self.foot[a as usize].top {
            let d: Rc<[u32]> = (0..self.foot.len() as u32).filter(|&b| b != a).collect();
            self.dependents[a as usize] = Some(d.clone());
            return d;
        }
        let fa = &self.foot[a as usize];
        let mut cand: Vec<u32> =
            fa.all.iter().flatten().flat_map(|&(v, _)| self.writers[v as usize].iter().copied()).collect();
        cand.extend(fa.delta.iter().flat_map(|&(v, _)| self.readers[v as usize].iter().copied()));
        cand.sort_unstable();
        cand.dedup();
        cand.retain(|&b| {
            let fb = &self.foot[b as usize];
            b != a && (fa.all.iter().any(|f| !leaves(&fb.delta, f)) || fb.all.iter().any(|f| !leaves(&fa.delta, f)))
        });
        cand.extend(self.tops.iter().filter(|&&b| b != a));
        cand.sort_unstable();
        cand.dedup();
        let d: Rc<[u32]> = cand.into();
        self.dependents[a as usize] = Some(d.clone());
        d
    }

    /// Label `l`'s atom values in the current state, emptied when they were another state's:
    /// its conjuncts and its changes share atoms.
    fn memo_of<'a>(
        memo: &'a mut [Vec<Option<Option<i128>>>],
        stamps: &mut [u32],
        now: u32,
        l: u32,
    ) -> &'a mut Vec<Option<Option<i128>>> {
        if stamps[l as usize] != now {
            stamps[l as usize] = now;
            memo[l as usize].clear();
        }
        &mut memo[l as usize]
    }

    /// Whether enabled step `b` moves some variable of `moving` its way, in the state whose
    /// values are `self.vals` and in every state a path of steps independent of `b` leads to
    /// from there: its change is a function of forms those steps leave alone.
    fn pushes(&mut self, b: u32, moving: &[(u32, i128)]) -> bool {
        let f = &self.foot[b as usize];
        if f.top {
            return true;
        }
        let memo = Self::memo_of(&mut self.memo, &mut self.memo_stamp, self.state_stamp, b);
        moving.iter().any(|&(v, dir)| match f.delta.binary_search_by_key(&v, |d| d.0) {
            Ok(i) => f.track.eval_lin(&f.delta[i].1, &self.vals, memo).is_none_or(|x| x * dir > 0),
            Err(_) => false,
        })
    }

    /// Steps that can enable `h`, disabled in the state whose values are `self.vals`: those
    /// that change a conjunct of its guard false there, else any form its guard observes;
    /// with, where the conjunct turns true only by variables moving one way, those variables
    /// and their directions.
    fn enablers_of(&mut self, h: u32) -> Enablers {
        if let (stamp, Some(known)) = &self.enablers_now[h as usize] {
            if *stamp == self.state_stamp {
                return known.clone();
            }
        }
        let e = self.enablers_in_state(h);
        self.enablers_now[h as usize] = (self.state_stamp, Some(e.clone()));
        e
    }

    /// [`Reduction::enablers_of`], worked out.
    fn enablers_in_state(&mut self, h: u32) -> Enablers {
        if self.foot[h as usize].top {
            let every: Rc<[u32]> = (0..self.foot.len() as u32).collect();
            return (every, None);
        }
        // The false conjunct with the fewest enablers enabled now that can turn it true, then
        // the fewest enablers; the first with none enabled ends the search.
        let mut best: Option<(usize, Rc<[u32]>, Option<Directions>)> = None;
        for j in 0..self.foot[h as usize].conjuncts.len() {
            let f = &self.foot[h as usize];
            let memo = Self::memo_of(&mut self.memo, &mut self.memo_stamp, self.state_stamp, h);
            if f.track.eval(&f.conjuncts[j].0, &self.vals, memo) != Some(0) {
                continue;
            }
            // Where the conjunct can only turn true by some term moving one way (past mins
            // and maxes, the argument that bounds them here), the variables that must move.
            let mut moving = Vec::new();
            let dir = match &*f.conjuncts[j].0 {
                V::Test(Cmp::Lt | Cmp::Le, l) => Some((l, -1)),
                V::Lin(l) => Some((l, 1)),
                _ => None,
            };
            let narrowed = dir.is_some_and(|(l, sign)| f.track.moves(l, sign, &self.vals, memo, &mut moving));
            let (e, mv) = if narrowed {
                moving.sort_unstable();
                moving.dedup();
                let vars: Vec<u32> = moving.iter().map(|m| m.0).collect();
                let e = match self.moving_enablers.get(&vars) {
                    Some(e) => e.clone(),
                    None => {
                        let forms: Vec<Form> = vars.iter().map(|&v| vec![(v, 1)]).collect();
                        let e = self.changers(&forms);
                        self.moving_enablers.insert(vars, e.clone());
                        e
                    }
                };
                (e, Some(Rc::from(moving)))
            } else {
                let e = match &self.conjunct_enablers[h as usize][j] {
                    Some(e) => e.clone(),
                    None => {
                        let e = self.changers(&self.foot[h as usize].conjuncts[j].1);
                        self.conjunct_enablers[h as usize][j] = Some(e.clone());
                        e
                    }
                };
                (e, None)
            };
            let mut now = 0;
            for &x in e.iter() {
                if self.enabled[x as usize] == self.enabled_stamp && mv.as_ref().is_none_or(|mv| self.pushes(x, mv)) {
                    now += 1;
                }
            }
            if best.as_ref().is_none_or(|(n, b, _)| (now, e.len()) < (*n, b.len())) {
                best = Some((now, e, mv));
            }
            // No enabler enabled now: no other conjunct keeps the set smaller where it
            // matters, and the conjuncts after it (a guard's costly filters, past "such a pod
            // exists") are not evaluated.
            if now == 0 {
                break;
            }
        }
        if let Some((_, b, mv)) = best {
            return (b, mv);
        }
        if let Some(e) = &self.enablers[h as usize] {
            return (e.clone(), None);
        }
        let e = self.changers(&self.foot[h as usize].guard);
        self.enablers[h as usize] = Some(e.clone());
        (e, None)
    }

    /// Adds `x` to the set being closed (marked with the current stamp) if it is new.
    fn push(&mut self, x: u32) {
        if self.mark[x as usize] != self.stamp {
            self.mark[x as usize] = self.stamp;
            self.work.push(x);
            self.set.push(x);
        }
    }

    /// Closes the set (its work list) at pass `level`; `false` as soon as an enabled visible
    /// step, more than `limit` enabled steps, or an enabled step that can enable a step of a
    /// higher pass (which would then pre-empt the others) are in it.
    fn close(&mut self, level: u8, limit: usize, in_ample: &mut usize) -> bool {
        while let Some(x) = self.work.pop() {
            let enabled = self.enabled[x as usize] == self.enabled_stamp;
            let (next, moving) = if enabled {
                if self.foot[x as usize].visible {
                    return false;
                }
                *in_ample += 1;
                if *in_ample > limit {
                    return false;
                }
                (self.dependents_of(x), None)
            } else {
                self.enablers_of(x)
            };
            // A step of a higher pass, disabled: no enabled step of the set may enable it.
            let raises = !enabled && self.foot[x as usize].level < level;
            for &b in next.iter() {
                if self.foot[b as usize].level <= level {
                    if raises
                        && self.enabled[b as usize] == self.enabled_stamp
                        && moving.as_ref().is_none_or(|mv| self.pushes(b, mv))
                    {
                        return false;
                    }
                    self.push(b);
                }
            }
        }
        true
    }

    /// An ample set of the steps `enabled` (label indices, one timing pass, no twin nodes) in
    /// `st`, into `out`; `false` (and `out` untouched) where it is all of them.
    pub(crate) fn ample(&mut self, st: &ClusterState<Concrete>, enabled: &[u32], out: &mut Vec<u32>) -> bool {
        if enabled.len() < 2 {
            return false;
        }
        self.enabled_stamp += 1;
        for &e in enabled {
            self.enabled[e as usize] = self.enabled_stamp;
        }
        values(st, &mut self.vals);
        self.state_stamp = self.state_stamp.wrapping_add(1);
        if self.state_stamp == 0 {
            // Wrapped: no stamp left over may match a state again.
            self.memo_stamp.fill(0);
            self.enablers_now.fill((0, None));
            self.state_stamp = 1;
        }
        let level = self.foot[enabled[0] as usize].level;
        // Steps of a higher pass must stay disabled: their enablers are in every ample set.
        self.stamp += 1;
        self.work.clear();
        self.set.clear();
        for l in 0..level as usize {
            for i in 0..self.by_level[l].len() {
                let h = self.by_level[l][i];
                self.push(h);
            }
        }
        let mut forced = 0;
        if !self.close(level, enabled.len() - 1, &mut forced) {
            return false;
        }
        // Every ample set holds the steps forced so far: with some, they are the smallest.
        let mut best: Option<Vec<u32>> = (forced > 0)
            .then(|| self.set.iter().copied().filter(|&x| self.enabled[x as usize] == self.enabled_stamp).collect());
        self.base.clone_from(&self.set);
        // Seeds: each enabled invisible step, a few at most; the smallest set wins.
        let mut tried = 0;
        for &t in enabled {
            if forced > 0 || tried >= SEEDS || best.as_ref().is_some_and(|b| b.len() == 1) {
                break;
            }
            if self.foot[t as usize].visible {
                continue;
            }
            tried += 1;
            self.stamp += 1;
            self.work.clear();
            self.set.clear();
            for i in 0..self.base.len() {
                let b = self.base[i];
                self.mark[b as usize] = self.stamp;
                self.set.push(b);
            }
            let limit = best.as_ref().map_or(enabled.len(), |b| b.len()) - 1;
            let mut n = 0;
            self.push(t);
            if self.close(level, limit, &mut n) {
                best = Some(
                    self.set.iter().copied().filter(|&x| self.enabled[x as usize] == self.enabled_stamp).collect(),
                );
            }
        }
        match best {
            Some(b) if b.len() < enabled.len() => {
                out.clear();
                // In label order, as the search takes enabled steps.
                out.extend(enabled.iter().copied().filter(|e| b.contains(e)));
                self.reduced += 1;
                true
            }
            _ => false,
        }
    }
}

/// `v` as an integer of domain `d` (booleans 0/1), over variables with values `var`; atoms
/// of `t` remembered in `memo`. `None` where an atom is not evaluated exactly.
fn in_domain_int<D: Domain>(
    t: &Track,
    d: &D,
    v: &Val,
    var: &[D::Int],
    memo: &mut FxHashMap<u32, Option<D::Int>>,
) -> Option<D::Int> {
    match &**v {
        V::Lin(l) => in_domain_lin(t, d, l, var, memo),
        V::Test(..) | V::All(_) => Some(d.ite(&in_domain_bool(t, d, v, var, memo)?, &d.int(1), &d.int(0))),
    }
}

/// `v` as a boolean of domain `d` (an integer is true where it is not 0); see [`in_domain_int`].
fn in_domain_bool<D: Domain>(
    t: &Track,
    d: &D,
    v: &Val,
    var: &[D::Int],
    memo: &mut FxHashMap<u32, Option<D::Int>>,
) -> Option<D::Bool> {
    match &**v {
        V::Lin(l) => Some(d.ne(&in_domain_lin(t, d, l, var, memo)?, &d.int(0))),
        V::Test(op, l) => {
            let x = in_domain_lin(t, d, l, var, memo)?;
            let zero = d.int(0);
            Some(match op {
                Cmp::Le => d.le(&x, &zero),
                Cmp::Lt => d.lt(&x, &zero),
                Cmp::Eq => d.eq(&x, &zero),
            })
        }
        V::All(xs) => {
            let parts = xs.iter().map(|x| in_domain_bool(t, d, x, var, memo)).collect::<Option<Vec<_>>>()?;
            Some(d.all_of(parts))
        }
    }
}

fn in_domain_lin<D: Domain>(
    t: &Track,
    d: &D,
    l: &Lin,
    var: &[D::Int],
    memo: &mut FxHashMap<u32, Option<D::Int>>,
) -> Option<D::Int> {
    let mut sum = d.int(i64::try_from(l.c).ok()?);
    for &(s, x) in &l.t {
        let value = if s < t.vars { var[s as usize].clone() } else { in_domain_atom(t, d, s - t.vars, var, memo)? };
        sum = d.add(&sum, &d.mul_const(&value, i64::try_from(x).ok()?));
    }
    Some(sum)
}

fn in_domain_atom<D: Domain>(
    t: &Track,
    d: &D,
    a: u32,
    var: &[D::Int],
    memo: &mut FxHashMap<u32, Option<D::Int>>,
) -> Option<D::Int> {
    if let Some(known) = memo.get(&a) {
        return known.clone();
    }
    // The atom's definition, its values cloned out: evaluating them borrows the definitions
    // again.
    let def = match &t.defs.borrow()[a as usize] {
        Def::Bool(v) => Some(Def::Bool(v.clone())),
        Def::Or(p, q) => Some(Def::Or(p.clone(), q.clone())),
        Def::Not(p) => Some(Def::Not(p.clone())),
        Def::Ite(c, x, y) => Some(Def::Ite(c.clone(), x.clone(), y.clone())),
        Def::Div(p, k) => Some(Def::Div(p.clone(), *k)),
        _ => None,
    };
    let (one, zero) = (d.int(1), d.int(0));
    let value = def.and_then(|def| match def {
        Def::Bool(v) => Some(d.ite(&in_domain_bool(t, d, &v, var, memo)?, &one, &zero)),
        Def::Or(p, q) => {
            let (p, q) = (in_domain_bool(t, d, &p, var, memo)?, in_domain_bool(t, d, &q, var, memo)?);
            Some(d.ite(&d.or(&p, &q), &one, &zero))
        }
        Def::Not(p) => Some(d.ite(&d.not(&in_domain_bool(t, d, &p, var, memo)?), &one, &zero)),
        Def::Ite(c, x, y) => {
            let c = in_domain_bool(t, d, &c, var, memo)?;
            Some(d.ite(&c, &in_domain_int(t, d, &x, var, memo)?, &in_domain_int(t, d, &y, var, memo)?))
        }
        Def::Div(p, k) => Some(d.div_const(&in_domain_int(t, d, &p, var, memo)?, k)),
        // Divisions by a variable, tables and overflows: not evaluated.
        _ => None,
    });
    memo.insert(a, value.clone());
    value
}

/// Which step labels may act together in one round of the symbolic engine's step semantics
/// (docs/encoding.md, "Step semantics"), from the same footprints: two labels may share a
/// round where they are independent; a label whose footprint was given up acts alone; a
/// label of a higher pass that a step of the round may enable must stay disabled through the
/// round, by a conjunct of its guard false before it that no fired step changes
/// ([`Rounds::conjuncts`]); and per intent with a first stage (a monitor), at most one step of
/// a round changes what that stage observes, so that every state between the round's steps
/// has the first stage of the state before the round or after it. It poses no constraint:
/// the unroller does.
pub(crate) struct Rounds {
    red: Reduction,
    /// Per label: the labels of a lower pass that change what its guard observes (which may
    /// enable it).
    enablers: Vec<Vec<u32>>,
    /// Per intent with a first stage: the labels that change a form it observes.
    monitor_movers: Vec<Vec<u32>>,
}

impl Rounds {
    /// The footprints of `labels` in `m` over states shaped as `shape`, or why they were not
    /// worked out.
    pub(crate) fn new(m: &Model, labels: &[Step], shape: &ClusterState<Concrete>) -> Result<Rounds, Unworked> {
        let reg = crate::model::registry::<Concrete>();
        let red = Reduction::new(m, &reg, labels, shape)?;
        let (x, vars) = variables(shape);
        let monitor_movers = (0..m.ir.intents.len())
            .filter_map(|i| {
                let d = Track::limited(vars, WORK * 50);
                let stage = intents::first_stage(&d, m, &x, i)?;
                d.observe_val(&stage);
                let forms = d.observed.take();
                let over = d.work.get() > d.limit;
                Some(
                    (0..labels.len() as u32)
                        .filter(|&l| {
                            let f = &red.foot[l as usize];
                            over || f.top || forms.iter().any(|form| !leaves(&f.delta, form))
                        })
                        .collect(),
                )
            })
            .collect();
        let mut enablers = vec![Vec::new(); labels.len()];
        for (b, e) in enablers.iter_mut().enumerate() {
            let level = red.foot[b].level;
            if level < 2 {
                *e = red
                    .changers(&red.foot[b].guard)
                    .iter()
                    .copied()
                    .filter(|&a| red.foot[a as usize].level > level)
                    .collect();
            }
        }
        Ok(Rounds { enablers, red, monitor_movers })
    }

    /// The labels dependent on `a`, sorted.
    pub(crate) fn dependents(&mut self, a: u32) -> Rc<[u32]> {
        self.red.dependents_of(a)
    }

    /// Whether label `a`'s footprint was given up: it acts alone.
    pub(crate) fn top(&self, a: u32) -> bool {
        self.red.foot[a as usize].top
    }

    /// The labels that may enable label `b` (those of a lower pass that change what its
    /// guard observes) among `possible` (sorted), as indices into it.
    pub(crate) fn enablers_among(&self, b: u32, possible: &[u32]) -> Vec<usize> {
        self.enablers[b as usize].iter().filter_map(|&a| possible.binary_search(&a).ok()).collect()
    }

    /// Label `b`'s guard, conjunct by conjunct, in domain `d` over a state whose variables
    /// (in [`variables`] order, booleans as 0/1) have the values `var`, each with the labels
    /// of `possible` (sorted; as indices into it) of a lower pass than `b` that change it. A
    /// label of a higher pass stays disabled through any set of steps that leaves a conjunct
    /// false before them alone. `None` for a conjunct this cannot evaluate exactly (an atom
    /// other than a boolean operation, an `ite` or a division by a constant).
    pub(crate) fn conjuncts<D: Domain>(
        &self,
        d: &D,
        b: u32,
        var: &[D::Int],
        possible: &[u32],
    ) -> Vec<(Option<D::Bool>, Vec<usize>)> {
        let f = &self.red.foot[b as usize];
        let mut memo = FxHashMap::default();
        f.conjuncts
            .iter()
            .map(|(c, forms)| {
                let movers = self
                    .red
                    .changers(forms)
                    .iter()
                    .filter(|&&a| self.red.foot[a as usize].level > f.level)
                    .filter_map(|&a| possible.binary_search(&a).ok())
                    .collect();
                (in_domain_bool(&f.track, d, c, var, &mut memo), movers)
            })
            .collect()
    }

    /// Per intent with a first stage: the labels that change what it observes.
    pub(crate) fn monitor_movers(&self) -> &[Vec<u32>] {
        &self.monitor_movers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::explicit::{explore, Options};
    use crate::model::{all_steps, registry};

    /// On (up to 300) reachable states of every bundled case: each label's guard, evaluated
    /// from its conjuncts over the footprint domain, is the concrete guard; its update changes
    /// no variable outside its changes, and each change evaluates to what the concrete update
    /// did; and two enabled labels the reduction calls independent leave each other's guards
    /// as they were and commute.
    #[test]
    fn footprints_agree_with_the_concrete_semantics() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
        let mut dirs: Vec<_> = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).collect();
        dirs.sort();
        let reg = registry::<Concrete>();
        let (mut guards, mut changes, mut pairs) = (0, 0, 0);
        for dir in &dirs {
            let (ir, _) = crate::load_model(std::slice::from_ref(dir), false).unwrap();
            let m = Model::new(&ir);
            let labels = all_steps(&m, &reg);
            let opts = Options {
                max_depth: ir.bounds.steps as usize,
                max_states: 300,
                symmetry: false,
                reduction: false,
                all: true,
            };
            let g = explore(&m, &opts, |_, _| true);
            let first = g.states.get(0);
            let Ok(mut r) = Reduction::new(&m, &reg, &labels, &first) else { continue };
            let what = dir.display();
            for u in 0..g.states.len() as u32 {
                let st = g.states.get(u);
                values(&st, &mut r.vals);
                let mut on = Vec::new();
                for (l, s) in labels.iter().enumerate() {
                    let c = &reg[s.actor as usize];
                    let f = &r.foot[l];
                    let want = c.guard(&Concrete, &m, s, &st);
                    if f.top {
                        on.extend(want.then_some(l));
                        continue;
                    }
                    let mut memo = Vec::new();
                    let got: Option<bool> = f
                        .conjuncts
                        .iter()
                        .map(|(v, _)| f.track.eval(v, &r.vals, &mut memo).map(|x| x != 0))
                        .try_fold(true, |acc, x| x.map(|x| acc && x));
                    if let Some(got) = got {
                        assert_eq!(got, want, "{what}: state {u}, {s:?}");
                        guards += 1;
                    }
                    if !want {
                        continue;
                    }
                    on.push(l);
                    let nx = c.update(&Concrete, &m, s, &st);
                    let mut after = Vec::new();
                    values(&nx, &mut after);
                    for (v, (&a, &b)) in after.iter().zip(&r.vals).enumerate() {
                        match f.delta.binary_search_by_key(&(v as u32), |d| d.0) {
                            Ok(i) => {
                                if let Some(x) = f.track.eval_lin(&f.delta[i].1, &r.vals, &mut memo) {
                                    assert_eq!(x, (a - b) as i128, "{what}: state {u}, {s:?}, variable {v}");
                                    changes += 1;
                                }
                            }
                            Err(_) => {
                                assert_eq!(a, b, "{what}: state {u}, {s:?} changes variable {v} outside its footprint")
                            }
                        }
                    }
                }
                for (i, &a) in on.iter().enumerate() {
                    let deps = r.dependents_of(a as u32);
                    for &b in &on[i + 1..] {
                        if deps.contains(&(b as u32)) {
                            continue;
                        }
                        let (sa, sb) = (labels[a], labels[b]);
                        let (ca, cb) = (&reg[sa.actor as usize], &reg[sb.actor as usize]);
                        let after_a = ca.update(&Concrete, &m, &sa, &st);
                        let after_b = cb.update(&Concrete, &m, &sb, &st);
                        assert!(cb.guard(&Concrete, &m, &sb, &after_a), "{what}: state {u}: {sa:?} disables {sb:?}");
                        assert!(ca.guard(&Concrete, &m, &sa, &after_b), "{what}: state {u}: {sb:?} disables {sa:?}");
                        let ab = cb.update(&Concrete, &m, &sb, &after_a);
                        let ba = ca.update(&Concrete, &m, &sa, &after_b);
                        assert!(ab.pack() == ba.pack(), "{what}: state {u}: {sa:?} and {sb:?} do not commute");
                        pairs += 1;
                    }
                }
            }
        }
        assert!(guards > 10_000 && changes > 1_000 && pairs > 10, "{guards} {changes} {pairs}");
    }
}
