//! The reachable states as an invariant, the solver's part (`check --prove`): the symbolic
//! transition relation encoded once over a free frame 0, then asked state by state with frame
//! 0 pinned to one reached state: no step leads outside the successors the concrete semantics
//! gives, and the state violates none of the intents being proved (`closure_query`). The
//! states come from the explicit engine, handed over by the portfolio
//! (`engine::portfolio`), which also checks concretely that they hold every initial state and
//! every successor up to a renaming of identical nodes. It must not search for states nor
//! claim a proof (the portfolio claims one when every state's query is unsatisfiable).

use z3::ast::{Ast, Bool, Int};
use z3::SatResult;

use super::frame::{equal, fields, lift, Fields};
use super::induction::from_any;
use super::solver::{check, params, set_timeout, Answer, Solver};
use super::unroll::Unrolling;
use super::Query;
use crate::domain::{Concrete, Symbolic};
use crate::model::{intents, ClusterState};

/// The relation over frames 0 and 1, with "frame 0 violates intent i" named once per intent
/// being proved, asked state by state; with certificates, the SMT-LIB script of every
/// state's query so far. Fields are dropped in the order they are declared, the reverse of
/// the order they are made in (when terms are freed changes the ids later terms get: see
/// `Unrolling::extend`).
pub struct Closure {
    pinned: Pinned,
    script: Option<String>,
    violated: Vec<Bool>,
    u: Unrolling,
}

impl Closure {
    /// The relation from any state, and the intents `proving` named on frame 0; with
    /// `certificates`, the script's shared part.
    pub fn new(q: &Query, proving: &[usize], certificates: bool) -> Closure {
        let m = q.m;
        let mut u = from_any(m, q.opts, None);
        q.extend(&mut u);
        // "Frame 0 violates intent i", named once here so that each state's query stays small.
        let violated: Vec<Bool> = proving
            .iter()
            .map(|&i| {
                let v = Bool::new_const(format!("intent.{}.violated@0", m.ir.intents[i].name()));
                u.solver.assert(v.iff(intents::violated(&Symbolic, m, &u.frames[0], i)));
                v
            })
            .collect();
        let mut script = String::new();
        if certificates {
            // Every field of both frames mentioned, so that the script declares each constant
            // the per-state queries use.
            let (a, b) = (fields(&u.frames[0]), fields(&u.frames[1]));
            let mut mention: Vec<Bool> = a.0.iter().chain(&b.0).map(|x| x.eq(x)).collect();
            mention.extend(a.1.iter().chain(&b.1).map(|x| x.iff(x)));
            u.solver.assert(Bool::and(&mention));
            script = u.solver.to_smt2();
            script = script.trim_end().strip_suffix("(check-sat)").unwrap_or(&script).to_string();
        }
        let pinned = Pinned::new(&u);
        Closure { pinned, script: certificates.then_some(script), violated, u }
    }

    /// Reached state `id`, `st`, against `next`, every successor the concrete semantics gives
    /// it: unsatisfiable when no step leads outside them and `st` violates no intent being
    /// proved. The query may take `timeout_ms()`.
    pub fn check(
        &mut self,
        id: u32,
        st: &ClusterState<Concrete>,
        next: &[ClusterState<Concrete>],
        timeout_ms: &dyn Fn() -> Option<u64>,
    ) -> Answer {
        let [pin, bad] = closure_query(&self.u, st, next, &self.violated);
        let answer = self.pinned.check(st, &bad, timeout_ms());
        if let Some(script) = self.script.as_mut().filter(|_| answer == SatResult::Unsat) {
            script.push_str(&format!(
                "\n; reached state {id}: no step leads outside its {} successor(s) and it violates no intent\n(push 1)\n(assert {pin})\n(assert {bad})\n(check-sat)\n(pop 1)\n",
                next.len()
            ));
        }
        answer.into()
    }

    /// Why the last state's query was unknown.
    pub fn reason_unknown(&self) -> String {
        self.pinned.solver.get_reason_unknown().unwrap_or_else(|| "no reason given".into())
    }

    /// The certificate: the shared part and every state's query (`None` without
    /// certificates).
    pub fn script(self) -> Option<String> {
        self.script
    }
}

/// An unrolling's relation (every assertion of its solver) asked with frame 0 fixed to one
/// concrete state after another. Each query is the relation with frame 0's constants replaced
/// by the state's values and simplified (a few kilobytes of terms where the free relation has
/// hundreds), on a QF_LIA solver reset between states. Pinning frame 0 by equalities under
/// push/pop on the relation's own solver took over 80 ms a state on C2-fixed; this about
/// 10 ms (the default solver, faster on deep bounded queries, spends about 25 ms a state here,
/// mostly setting up). A frame-0 constant left unreplaced would only make a query easier to
/// satisfy, never a wrong "unsatisfiable".
struct Pinned {
    relation: Bool,
    frame0: Fields,
    solver: Solver,
}

impl Pinned {
    fn new(u: &Unrolling) -> Pinned {
        let solver = Solver::new_for_logic("QF_LIA");
        Pinned { relation: Bool::and(&u.solver.get_assertions()), frame0: fields(&u.frames[0]), solver }
    }

    /// The relation and `query`, both over frames 0 and 1, with frame 0 equal to `st`.
    fn check(&self, st: &ClusterState<Concrete>, query: &Bool, timeout_ms: Option<u64>) -> SatResult {
        let (ints, bools) = fields(&lift(st));
        let int_pairs: Vec<(&Int, &Int)> = self.frame0.0.iter().zip(&ints).collect();
        let bool_pairs: Vec<(&Bool, &Bool)> = self.frame0.1.iter().zip(&bools).collect();
        let pin = |f: &Bool| f.substitute(&int_pairs).substitute(&bool_pairs).simplify();
        self.solver.reset();
        self.solver.set_params(&params());
        if let Some(ms) = timeout_ms {
            set_timeout(&self.solver, ms);
        }
        self.solver.assert(pin(&self.relation));
        self.solver.assert(pin(query));
        check(&self.solver, &[])
    }
}

/// One state's part of the reachable-set invariant, over frames 0 and 1 of `u`: frame 0 pinned
/// to `st`, and "frame 0 violates an intent (one of `violated`), or frame 1 is none of `next`"
/// (unsatisfiable when `next` holds every successor and `st` no violation).
fn closure_query(
    u: &Unrolling,
    st: &ClusterState<Concrete>,
    next: &[ClusterState<Concrete>],
    violated: &[Bool],
) -> [Bool; 2] {
    let pin = equal(&u.frames[0], &lift(st));
    let mut bad = violated.to_vec();
    bad.push(Bool::and(&next.iter().map(|t| equal(&u.frames[1], &lift(t)).simplify().not()).collect::<Vec<_>>()));
    [pin, Bool::or(&bad)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::symbolic::Options;
    use crate::model::relation;
    use crate::model::testkit::{deployment, model};
    use crate::model::{all_steps, registry, Model, Step};

    /// The per-state closure query is unsatisfiable exactly when the listed successors are all
    /// of them and the state violates nothing: dropping a successor, or a state that violates
    /// the intent, makes it satisfiable (so a wrong reachable set is never taken for an
    /// invariant).
    #[test]
    fn closure_query_fails_on_a_missing_successor_or_a_violation() {
        let spec = |cpu: &str| {
            format!(
                "{}apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: a, count: 1, capacity: {{cpu: \"8\", memory: 8Gi}}}}, {{name: b, count: 1, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n  intents: [{{type: podAlwaysSchedulable}}]\n",
                deployment("web", 2, cpu, "1Gi", "")
            )
        };
        let opts = Options::plain(1);
        let answer = |m: &Model, drop: usize| {
            let inits = m.initial_states();
            let q = Query::new(m, &opts, &inits);
            let (classes, creg) = (&q.classes, registry::<Concrete>());
            let labels = all_steps(m, &creg);
            let step = |s: &Step, st: &ClusterState<Concrete>| {
                intents::observe(&Concrete, m, creg[s.actor as usize].update(&Concrete, m, s, st))
            };
            // The first state, along the first enabled steps, with two or more steps enabled
            // or none (it stutters).
            let mut st = inits[0].clone();
            let mut en = relation::enabled(m, &creg, &labels, classes, true, &st);
            while en.len() == 1 {
                st = step(&en[0], &st);
                en = relation::enabled(m, &creg, &labels, classes, true, &st);
            }
            let mut next = relation::next_states(m, &creg, &labels, classes, &st);
            assert!(next.len() > drop, "{en:?}");
            next.drain(..drop);
            let mut u = from_any(m, &opts, None);
            q.extend(&mut u);
            let violated = vec![intents::violated(&Symbolic, m, &u.frames[0], 0)];
            let [pin, bad] = closure_query(&u, &st, &next, &violated);
            // The query as kbmc asks it, and as its certificate states it: the same answer.
            let asked = Pinned::new(&u).check(&st, &bad, None);
            u.solver.assert(&pin);
            u.solver.assert(&bad);
            assert_eq!(u.solver.check(), asked);
            asked
        };
        let fits = model(&spec("1"));
        assert_eq!(answer(&fits, 0), SatResult::Unsat);
        assert_eq!(answer(&fits, 1), SatResult::Sat);
        let too_big = model(&spec("16"));
        assert_eq!(answer(&too_big, 0), SatResult::Sat);
    }
}
