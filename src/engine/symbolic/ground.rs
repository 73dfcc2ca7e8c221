//! Ground evaluation: the value of a quantifier-free Int/Bool term once each constant in it
//! has a value, computed from the term's DAG without the solver. The layer lemmas ask this
//! of one step's assertions for every state of a layer, where Z3's substitute and simplify
//! took about 1 ms per state on C8's 2,800-node steps (a quarter of its time).
//!
//! Owns the compiled DAG and its evaluation: whole, of chosen nodes, or from the last
//! evaluation's values where only a few inputs changed ([`Incremental`]). Must not guess: it
//! knows the operators the encoding builds (Boolean connectives, `ite`, `=`, `distinct`,
//! comparisons, `+`, `-`, `*`, integer `div` and `mod`), each with its SMT-LIB meaning; any
//! other operator, a constant without a value, a division by zero or an overflow makes a value
//! unknown (`None`), and the caller then asks Z3 instead.

// Keys are Z3 terms (hashed by their id) and numerals: no adversary, and FxHash is several
// times cheaper than SipHash on them.
use rustc_hash::FxHashMap as HashMap;

use z3::ast::{Ast, Dynamic};
use z3::DeclKind;

/// One node of the DAG: its operator and the indices of its arguments (all lower than its
/// own: children come first).
#[derive(Clone, Copy, Debug)]
enum Op {
    /// An Int numeral, or a Bool constant as 0/1. Every Bool value is 0 or 1 (constants,
    /// inputs from a state's values, and each Boolean operator's result), so `Eq` on Bools
    /// compares them as numbers.
    Value(i64),
    /// A constant (input `slot`).
    Input(usize),
    And,
    Or,
    Not,
    Implies,
    Xor,
    Ite,
    Eq,
    Distinct,
    Le,
    Lt,
    Ge,
    Gt,
    Add,
    Sub,
    Neg,
    Mul,
    Div,
    Mod,
    /// An operator this evaluator does not know: its value is unknown.
    Other,
}

pub(super) struct Dag {
    ops: Vec<Op>,
    /// Node i's arguments: `args[spans[i].0 .. spans[i].1]`.
    spans: Vec<(u32, u32)>,
    args: Vec<u32>,
    /// The node of each root passed to `new`.
    roots: Vec<u32>,
    /// Each constant (uninterpreted, no arguments) and its input slot.
    inputs: HashMap<Dynamic, usize>,
}

impl Dag {
    /// Compiles `roots` (shared subterms once).
    pub(super) fn new(roots: &[Dynamic]) -> Dag {
        let mut dag =
            Dag { ops: Vec::new(), spans: Vec::new(), args: Vec::new(), roots: Vec::new(), inputs: HashMap::default() };
        let mut index: HashMap<Dynamic, u32> = HashMap::default();
        for r in roots {
            let n = dag.compile(r, &mut index);
            dag.roots.push(n);
        }
        dag
    }

    /// Adds `term` and what it needs, children first (an explicit stack: terms can be deep).
    fn compile(&mut self, term: &Dynamic, index: &mut HashMap<Dynamic, u32>) -> u32 {
        let mut stack: Vec<(Dynamic, bool)> = vec![(term.clone(), false)];
        while let Some((t, expanded)) = stack.pop() {
            if index.contains_key(&t) {
                continue;
            }
            let children = if t.is_app() { t.children() } else { Vec::new() };
            if !expanded && children.iter().any(|c| !index.contains_key(c)) {
                stack.push((t, true));
                stack.extend(children.into_iter().filter(|c| !index.contains_key(c)).map(|c| (c, false)));
                continue;
            }
            let op = self.op_of(&t, children.len());
            let start = self.args.len() as u32;
            self.args.extend(children.iter().map(|c| index[c]));
            self.ops.push(op);
            self.spans.push((start, self.args.len() as u32));
            index.insert(t, (self.ops.len() - 1) as u32);
        }
        index[term]
    }

    fn op_of(&mut self, t: &Dynamic, arity: usize) -> Op {
        if !t.is_app() {
            return Op::Other;
        }
        let kind = t.decl().kind();
        match (kind, arity) {
            (DeclKind::TRUE, 0) => Op::Value(1),
            (DeclKind::FALSE, 0) => Op::Value(0),
            (DeclKind::ANUM, 0) => t.as_int().and_then(|i| i.as_i64()).map_or(Op::Other, Op::Value),
            (DeclKind::UNINTERPRETED, 0) if t.as_int().is_some() || t.as_bool().is_some() => {
                let n = self.inputs.len();
                Op::Input(*self.inputs.entry(t.clone()).or_insert(n))
            }
            (DeclKind::AND, _) => Op::And,
            (DeclKind::OR, _) => Op::Or,
            (DeclKind::NOT, 1) => Op::Not,
            (DeclKind::IMPLIES, 2) => Op::Implies,
            (DeclKind::XOR, 2) => Op::Xor,
            (DeclKind::ITE, 3) => Op::Ite,
            (DeclKind::EQ | DeclKind::IFF, 2) => Op::Eq,
            (DeclKind::DISTINCT, _) => Op::Distinct,
            (DeclKind::LE, 2) => Op::Le,
            (DeclKind::LT, 2) => Op::Lt,
            (DeclKind::GE, 2) => Op::Ge,
            (DeclKind::GT, 2) => Op::Gt,
            (DeclKind::ADD, n) if n > 0 => Op::Add,
            // `(- x)` is negation; Z3 4.8.12 builds no such `-` (`Z3_mk_sub` of one term is
            // the term), but the meaning is fixed.
            (DeclKind::SUB, 1) => Op::Neg,
            (DeclKind::SUB, n) if n > 1 => Op::Sub,
            (DeclKind::UMINUS, 1) => Op::Neg,
            (DeclKind::MUL, n) if n > 0 => Op::Mul,
            (DeclKind::IDIV, 2) => Op::Div,
            (DeclKind::MOD, 2) => Op::Mod,
            _ => Op::Other,
        }
    }

    /// The input slot of constant `c`, if the DAG has it.
    pub(super) fn slot(&self, c: &Dynamic) -> Option<usize> {
        self.inputs.get(c).copied()
    }

    /// How many input slots there are.
    pub(super) fn slots(&self) -> usize {
        self.inputs.len()
    }

    /// The node of the i-th root passed to `new`.
    pub(super) fn root(&self, i: usize) -> usize {
        self.roots[i] as usize
    }

    /// The i-th node's arguments as node indices.
    pub(super) fn args_of(&self, node: usize) -> &[u32] {
        let (a, b) = self.spans[node];
        &self.args[a as usize..b as usize]
    }

    /// Whether `node` is a constant, and its slot.
    pub(super) fn input_of(&self, node: usize) -> Option<usize> {
        match self.ops[node] {
            Op::Input(s) => Some(s),
            _ => None,
        }
    }

    /// Where `node` is an implication: its antecedent and consequent.
    pub(super) fn implication(&self, node: usize) -> Option<(usize, usize)> {
        match (self.ops[node], self.args_of(node)) {
            (Op::Implies, &[a, b]) => Some((a as usize, b as usize)),
            _ => None,
        }
    }

    /// Per node: whether its value depends on one of `slots`.
    pub(super) fn depends(&self, slots: &[usize]) -> Vec<bool> {
        self.depends_on(&[], slots)
    }

    /// Per node: whether it is one of `nodes`, or its value depends on one of them or on one of
    /// `slots`.
    pub(super) fn depends_on(&self, nodes: &[usize], slots: &[usize]) -> Vec<bool> {
        let mut dep = vec![false; self.ops.len()];
        for i in 0..self.ops.len() {
            dep[i] = nodes.contains(&i)
                || match self.ops[i] {
                    Op::Input(s) => slots.contains(&s),
                    _ => self.args_of(i).iter().any(|&a| dep[a as usize]),
                };
        }
        dep
    }

    /// Where the constant of `slot` is only ever compared for equality with numerals: its
    /// node, and per numeral `v` the nodes `(= c v)` (either way round). `None` where some
    /// other node takes the constant as an argument, or the DAG does not have it.
    pub(super) fn equalities_of(&self, slot: usize) -> Option<(usize, HashMap<i64, Vec<usize>>)> {
        let input = self.ops.iter().position(|op| matches!(op, Op::Input(s) if *s == slot))? as u32;
        let mut eqs: HashMap<i64, Vec<usize>> = HashMap::default();
        for i in 0..self.ops.len() {
            let args = self.args_of(i);
            if !args.contains(&input) {
                continue;
            }
            let (Op::Eq, [a, b]) = (self.ops[i], args) else { return None };
            let other = if *a == input { *b } else { *a };
            let Op::Value(v) = self.ops[other as usize] else { return None };
            eqs.entry(v).or_default().push(i);
        }
        Some((input as usize, eqs))
    }

    /// Evaluates every node (or, with `only`, the nodes it lists, in increasing order, the
    /// others keeping their values in `out`) under `inputs` (per slot; `None`: no value).
    pub(super) fn eval(&self, inputs: &[Option<i64>], out: &mut Vec<Option<i64>>, only: Option<&[usize]>) {
        out.resize(self.ops.len(), None);
        match only {
            Some(nodes) => {
                for &i in nodes {
                    out[i] = self.value(i, inputs, out);
                }
            }
            None => {
                for i in 0..self.ops.len() {
                    out[i] = self.value(i, inputs, out);
                }
            }
        }
    }

    /// Per node: whether it is one of the roots passed to `new`.
    pub(super) fn root_flags(&self) -> Vec<bool> {
        let mut flags = vec![false; self.ops.len()];
        for &r in &self.roots {
            flags[r as usize] = true;
        }
        flags
    }

    /// [`eval`](Self::eval) of `nodes` (in increasing order), stopping at the first of them
    /// that is a root (per node, as [`root_flags`](Self::root_flags) gives) and false; whether
    /// one was. Its value is right (every node of `nodes` below it was evaluated first, and
    /// any other keeps a value that `nodes` do not change); the nodes after it are left as
    /// they were.
    pub(super) fn eval_until_false_root(
        &self,
        inputs: &[Option<i64>],
        out: &mut [Option<i64>],
        nodes: &[usize],
        roots: &[bool],
    ) -> bool {
        for &i in nodes {
            let v = self.value(i, inputs, out);
            out[i] = v;
            if v == Some(0) && roots[i] {
                return true;
            }
        }
        false
    }

    fn value(&self, i: usize, inputs: &[Option<i64>], out: &[Option<i64>]) -> Option<i64> {
        let args = self.args_of(i);
        let arg = |j: usize| out[args[j] as usize];
        let all = || args.iter().map(|&a| out[a as usize]);
        let b = |x: bool| Some(x as i64);
        match self.ops[i] {
            Op::Value(v) => Some(v),
            Op::Input(s) => inputs.get(s).copied().flatten(),
            // A false argument decides a conjunction even when another is unknown.
            Op::And => {
                let mut unknown = false;
                for v in all() {
                    match v {
                        Some(0) => return b(false),
                        None => unknown = true,
                        _ => {}
                    }
                }
                if unknown {
                    None
                } else {
                    b(true)
                }
            }
            Op::Or => {
                let mut unknown = false;
                for v in all() {
                    match v {
                        Some(0) => {}
                        None => unknown = true,
                        _ => return b(true),
                    }
                }
                if unknown {
                    None
                } else {
                    b(false)
                }
            }
            Op::Not => arg(0).map(|v| (v == 0) as i64),
            Op::Implies => match (arg(0), arg(1)) {
                (Some(0), _) => b(true),
                (_, Some(v)) if v != 0 => b(true),
                (Some(_), Some(_)) => b(false),
                _ => None,
            },
            Op::Xor => Some(((arg(0)? != 0) != (arg(1)? != 0)) as i64),
            // Only the branch taken matters.
            Op::Ite => match arg(0)? {
                0 => arg(2),
                _ => arg(1),
            },
            Op::Eq => b(arg(0)? == arg(1)?),
            Op::Distinct => {
                let vs: Option<Vec<i64>> = all().collect();
                let vs = vs?;
                b((0..vs.len()).all(|x| (x + 1..vs.len()).all(|y| vs[x] != vs[y])))
            }
            Op::Le => b(arg(0)? <= arg(1)?),
            Op::Lt => b(arg(0)? < arg(1)?),
            Op::Ge => b(arg(0)? >= arg(1)?),
            Op::Gt => b(arg(0)? > arg(1)?),
            Op::Add => all().try_fold(0i64, |s, v| s.checked_add(v?)),
            Op::Sub => {
                let mut it = all();
                let first = it.next()??;
                it.try_fold(first, |s, v| s.checked_sub(v?))
            }
            Op::Neg => arg(0)?.checked_neg(),
            Op::Mul => all().try_fold(1i64, |s, v| s.checked_mul(v?)),
            // SMT-LIB: x = y * (x div y) + (x mod y) with 0 <= x mod y < |y|; by zero, Z3
            // leaves it uninterpreted.
            Op::Div => {
                let (x, y) = (arg(0)?, arg(1)?);
                if y == 0 {
                    return None;
                }
                let r = x.checked_rem_euclid(y)?;
                x.checked_sub(r)?.checked_div(y)
            }
            Op::Mod => {
                let (x, y) = (arg(0)?, arg(1)?);
                if y == 0 {
                    return None;
                }
                x.checked_rem_euclid(y)
            }
            Op::Other => None,
        }
    }
}

/// The most words (64 nodes each) the dependency masks of one [`Incremental`] may hold, 8 MiB:
/// beyond, every evaluation is a whole one.
const MASK_WORDS: usize = 1 << 20;

/// Evaluation of one DAG under inputs that change a few at a time: after the first, each
/// evaluation recomputes only the nodes that depend on an input that changed since the last
/// (their values in `out` must be the last evaluation's), in DAG order.
pub(super) struct Incremental {
    /// Per input slot: the nodes that depend on it, as a bit set (none where too large).
    masks: Option<Vec<Vec<u64>>>,
    /// The inputs of the last evaluation (`None` before the first).
    last: Option<Vec<Option<i64>>>,
    mask: Vec<u64>,
}

impl Incremental {
    pub(super) fn new(dag: &Dag) -> Incremental {
        let words = dag.ops.len().div_ceil(64);
        let slot_words = dag.slots().div_ceil(64);
        let fits =
            words.saturating_mul(dag.slots()) <= MASK_WORDS && dag.ops.len().saturating_mul(slot_words) <= MASK_WORDS;
        let masks = fits.then(|| {
            // Per node, the slots it depends on (a bit set over slots), children first; then
            // the same relation per slot.
            let mut support = vec![0u64; dag.ops.len() * slot_words];
            for i in 0..dag.ops.len() {
                let (done, rest) = support.split_at_mut(i * slot_words);
                let mine = &mut rest[..slot_words];
                match dag.ops[i] {
                    Op::Input(s) => mine[s / 64] |= 1 << (s % 64),
                    _ => {
                        for &a in dag.args_of(i) {
                            let theirs = &done[a as usize * slot_words..][..slot_words];
                            mine.iter_mut().zip(theirs).for_each(|(m, t)| *m |= t);
                        }
                    }
                }
            }
            let mut masks = vec![vec![0u64; words]; dag.slots()];
            for i in 0..dag.ops.len() {
                for (w, &bits) in support[i * slot_words..][..slot_words].iter().enumerate() {
                    let mut bits = bits;
                    while bits != 0 {
                        let s = w * 64 + bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        masks[s][i / 64] |= 1 << (i % 64);
                    }
                }
            }
            masks
        });
        Incremental { masks, last: None, mask: vec![0; words] }
    }

    /// Evaluates every node of `dag` under `inputs` into `out`, as [`Dag::eval`] does.
    pub(super) fn eval(&mut self, dag: &Dag, inputs: &[Option<i64>], out: &mut Vec<Option<i64>>) {
        let (Some(masks), Some(last)) = (&self.masks, &mut self.last) else {
            dag.eval(inputs, out, None);
            self.last = Some(inputs.to_vec());
            return;
        };
        self.mask.fill(0);
        for (s, (new, old)) in inputs.iter().zip(last.iter_mut()).enumerate() {
            if new != old {
                *old = *new;
                self.mask.iter_mut().zip(&masks[s]).for_each(|(m, d)| *m |= d);
            }
        }
        for (w, &bits) in self.mask.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                out[i] = dag.value(i, inputs, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use z3::ast::{Bool, Int};

    /// The evaluator against Z3's simplifier on terms with every operator it knows, the
    /// divisions of negative numbers and the cases where an unknown argument does not matter.
    #[test]
    fn ground_values_are_the_simplifiers() {
        let x = Int::new_const("x");
        let y = Int::new_const("y");
        let p = Bool::new_const("p");
        let free = Int::new_const("free");
        let terms: Vec<Dynamic> = vec![
            Dynamic::from_ast(&Int::add(&[&x, &y, &Int::from_i64(3)])),
            Dynamic::from_ast(&Int::sub(&[&x, &y, &Int::from_i64(2)])),
            Dynamic::from_ast(&x.unary_minus()),
            Dynamic::from_ast(&Int::mul(&[&x, &Int::from_i64(-4)])),
            Dynamic::from_ast(&x.div(&y)),
            Dynamic::from_ast(&x.modulo(&y)),
            Dynamic::from_ast(&p.ite(&x, &free)),
            Dynamic::from_ast(&Bool::and(&[&x.le(&y), &p])),
            Dynamic::from_ast(&Bool::and(&[&x.lt(&y), &free.eq(&x)])),
            Dynamic::from_ast(&Bool::or(&[&x.ge(&y), &free.gt(&x)])),
            Dynamic::from_ast(&p.implies(x.eq(&y))),
            Dynamic::from_ast(&p.xor(x.gt(&y))),
            Dynamic::from_ast(&Int::distinct(&[&x, &y, &Int::from_i64(1)])),
            Dynamic::from_ast(&p.iff(x.le(Int::from_i64(0)))),
            Dynamic::from_ast(&p.not()),
        ];
        let dag = Dag::new(&terms);
        let mut out = Vec::new();
        for (xv, yv, pv) in [(7, 3, true), (-7, 3, false), (7, -3, true), (-7, -3, false), (0, 5, true), (4, 4, false)]
        {
            let mut inputs = vec![None; dag.slots()];
            inputs[dag.slot(&Dynamic::from_ast(&x)).unwrap()] = Some(xv);
            inputs[dag.slot(&Dynamic::from_ast(&y)).unwrap()] = Some(yv);
            inputs[dag.slot(&Dynamic::from_ast(&p)).unwrap()] = Some(pv as i64);
            dag.eval(&inputs, &mut out, None);
            let pins = [
                (Dynamic::from_ast(&x), Dynamic::from_ast(&Int::from_i64(xv))),
                (Dynamic::from_ast(&y), Dynamic::from_ast(&Int::from_i64(yv))),
                (Dynamic::from_ast(&p), Dynamic::from_ast(&Bool::from_bool(pv))),
            ];
            let pairs: Vec<(&Dynamic, &Dynamic)> = pins.iter().map(|(a, b)| (a, b)).collect();
            for (i, t) in terms.iter().enumerate() {
                let s = t.substitute(&pairs).simplify();
                let want = s
                    .as_int()
                    .and_then(|v| v.as_i64())
                    .or_else(|| s.as_bool().and_then(|v| v.as_bool()).map(i64::from));
                assert_eq!(out[dag.root(i)], want, "term {t} at x={xv} y={yv} p={pv}: simplifier says {s}");
            }
        }
    }

    /// What has no i64 value, or needs a value nobody gave, is unknown: a division by zero
    /// (uninterpreted in Z3), an overflow, an unknown operator, an `ite` whose condition is
    /// unknown, a constant without a value.
    #[test]
    fn division_by_zero_and_unknown_operators_are_unknown() {
        let x = Int::new_const("x");
        let free = Bool::new_const("free");
        let f = z3::FuncDecl::new("f", &[&z3::Sort::int()], &z3::Sort::int());
        let (max, min) = (Int::from_i64(i64::MAX), Int::from_i64(i64::MIN));
        let terms = vec![
            Dynamic::from_ast(&x.div(Int::from_i64(0))),
            Dynamic::from_ast(&x.modulo(Int::from_i64(0))),
            Dynamic::from_ast(&f.apply(&[&x])),
            Dynamic::from_ast(&Int::add(&[&max, &x])),
            Dynamic::from_ast(&Int::mul(&[&max, &x])),
            Dynamic::from_ast(&Int::sub(&[&min, &x])),
            Dynamic::from_ast(&min.div(Int::from_i64(-1))),
            Dynamic::from_ast(&min.unary_minus()),
            Dynamic::from_ast(&free.ite(&x, &Int::from_i64(1))),
            Dynamic::from_ast(&Bool::and(&[&free, &x.gt(Int::from_i64(0))])),
        ];
        let dag = Dag::new(&terms);
        let mut out = Vec::new();
        let mut inputs = vec![None; dag.slots()];
        inputs[dag.slot(&Dynamic::from_ast(&x)).unwrap()] = Some(5);
        dag.eval(&inputs, &mut out, None);
        for i in 0..terms.len() {
            assert_eq!(out[dag.root(i)], None, "{}", terms[i]);
        }
    }

    /// Evaluating the nodes a choice changes stops at the first root that is false, with the
    /// value a whole evaluation gives it, and goes through every node when none is.
    #[test]
    fn evaluation_stops_at_a_false_root() {
        let (x, sel) = (Int::new_const("x"), Int::new_const("sel"));
        let terms = vec![
            Dynamic::from_ast(&sel.eq(Int::from_i64(1)).implies(x.gt(Int::from_i64(2)))),
            Dynamic::from_ast(
                &sel.eq(Int::from_i64(1)).ite(&Int::add(&[&x, &Int::from_i64(1)]), &x).le(Int::from_i64(9)),
            ),
        ];
        let dag = Dag::new(&terms);
        let roots = dag.root_flags();
        let moving: Vec<usize> = dag
            .depends(&[dag.slot(&Dynamic::from_ast(&sel)).unwrap()])
            .iter()
            .enumerate()
            .filter(|(_, &d)| d)
            .map(|(i, _)| i)
            .collect();
        let mut inputs = vec![None; dag.slots()];
        inputs[dag.slot(&Dynamic::from_ast(&x)).unwrap()] = Some(1);
        inputs[dag.slot(&Dynamic::from_ast(&sel)).unwrap()] = Some(0);
        let (mut out, mut whole) = (Vec::new(), Vec::new());
        dag.eval(&inputs, &mut out, None);
        inputs[dag.slot(&Dynamic::from_ast(&sel)).unwrap()] = Some(1);
        dag.eval(&inputs, &mut whole, None);
        assert!(dag.eval_until_false_root(&inputs, &mut out, &moving, &roots));
        assert_eq!((out[dag.root(0)], whole[dag.root(0)]), (Some(0), Some(0)));
        // The second root was not reached: it keeps its value under the selector before.
        assert_eq!(out[dag.root(1)], Some(1));
        // From a state's evaluation with the selector at 0: with x = 5 both hold and every
        // node is evaluated; with x = 9 the second is false.
        for (xv, stops, second) in [(5, false, Some(1)), (9, true, Some(0))] {
            inputs[dag.slot(&Dynamic::from_ast(&x)).unwrap()] = Some(xv);
            inputs[dag.slot(&Dynamic::from_ast(&sel)).unwrap()] = Some(0);
            dag.eval(&inputs, &mut out, None);
            inputs[dag.slot(&Dynamic::from_ast(&sel)).unwrap()] = Some(1);
            dag.eval(&inputs, &mut whole, None);
            assert_eq!(dag.eval_until_false_root(&inputs, &mut out, &moving, &roots), stops, "x = {xv}");
            assert_eq!((out[dag.root(0)], out[dag.root(1)]), (whole[dag.root(0)], second), "x = {xv}");
        }
    }

    /// Incremental evaluation gives what a whole evaluation gives, inputs changing a few at a
    /// time (some back to no value); a constant compared only with numerals has its
    /// equalities found, and one used otherwise has none.
    #[test]
    fn incremental_evaluation_is_whole_evaluation() {
        let (x, y, sel) = (Int::new_const("x"), Int::new_const("y"), Int::new_const("sel"));
        let terms = vec![
            Dynamic::from_ast(&sel.eq(Int::from_i64(1)).ite(&Int::add(&[&x, &y]), &x)),
            Dynamic::from_ast(&Bool::and(&[&sel.eq(Int::from_i64(2)), &x.gt(&y)])),
            Dynamic::from_ast(&y.le(Int::from_i64(3))),
        ];
        let dag = Dag::new(&terms);
        let slot = |c: &Int| dag.slot(&Dynamic::from_ast(c)).unwrap();
        let (node, eqs) = dag.equalities_of(slot(&sel)).unwrap();
        assert_eq!(dag.input_of(node), Some(slot(&sel)));
        let mut numerals: Vec<i64> = eqs.keys().copied().collect();
        numerals.sort_unstable();
        assert_eq!(numerals, [1, 2]);
        assert!(dag.equalities_of(slot(&x)).is_none());
        let mut incremental = Incremental::new(&dag);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let runs = [
            [Some(1), Some(2), Some(1)],
            [Some(1), Some(5), Some(1)],
            [None, Some(5), Some(2)],
            [Some(7), Some(0), Some(2)],
            [Some(7), Some(0), None],
            [Some(7), Some(4), Some(1)],
        ];
        for values in runs {
            let mut inputs = vec![None; dag.slots()];
            for (c, v) in [&x, &y, &sel].into_iter().zip(values) {
                inputs[slot(c)] = v;
            }
            incremental.eval(&dag, &inputs, &mut a);
            dag.eval(&inputs, &mut b, None);
            assert_eq!(a, b, "{values:?}");
        }
    }
}
