//! The symbolic engine's access to the hints an actor offers (`model::hints::SymbolicHints`,
//! declared by the model next to each controller's semantics): [`of`] gives an actor's, or
//! the defaults. The tests below check them equivalent to the guards on the reachable states
//! of every bundled case. Must not change what a step does.

use crate::domain::Domain;
use crate::model::hints::NoHints;
pub use crate::model::hints::SymbolicHints as Hints;
use crate::model::Controller;

/// The hints of actor `c`: its own, or the defaults.
pub fn of<D: Domain>(c: &dyn Controller<D>) -> &dyn Hints<D> {
    c.symbolic_hints().unwrap_or(&NoHints)
}

#[cfg(test)]
mod tests {
    use z3::ast::{Ast, Bool, Int};
    use z3::{SatResult, Solver};

    use super::Hints;
    use crate::domain::Symbolic;
    use crate::model::controllers::deployment::{DeploymentController, Victims};
    use crate::model::controllers::scheduler::Scheduler;
    use crate::model::testkit::{deployment, model};
    use crate::model::Controller;

    /// Past the small-cluster size the scheduler's batch guard writes its formulas otherwise
    /// (top score against the maximum, spread weights split over the sizes still possible);
    /// they must say what `guard` says. On a 70-node pool with soft hostname and zone spread,
    /// in a state where five nodes' cordons and five nodes' pod counts are unknown, each
    /// label's two formulas are proved equivalent.
    #[test]
    fn scheduler_batch_guard_is_the_guard_past_the_small_cluster_size() {
        let spread = "topologySpreadConstraints:\n  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}\n  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 40, labels: {topology.kubernetes.io/zone: zone-a}, capacity: {cpu: \"4\", memory: 16Gi}}\n    - {name: b, count: 30, labels: {topology.kubernetes.io/zone: zone-b}, capacity: {cpu: \"4\", memory: 16Gi}}\n  workloads:\n    - deployment: web\n      placement: [{node: a-0, count: 2}, {node: b-0, count: 1}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 6, "1", "1Gi", spread)));
        assert!(m.nodes() > 64, "the test needs a cluster past the small size");
        let mut conc = m.initial_state(&[40, 30]);
        conc.pending[0] = 1;
        let mut st = conc.map::<Symbolic>(&|i: &i64| Int::from_i64(*i), &|b: &bool| Bool::from_bool(*b));
        let solver = Solver::new();
        for n in 0..5 {
            st.cordoned[n] = Bool::new_const(format!("cordoned{n}"));
            let b = Int::new_const(format!("bound{n}"));
            solver.assert(b.ge(Int::from_i64(0)));
            solver.assert(b.le(Int::from_i64(3)));
            st.bound[0][40 + n] = b;
        }
        let mut labels = Vec::new();
        Controller::<Symbolic>::steps(&Scheduler, &m, 0, &mut labels);
        let batch = Hints::<Symbolic>::batch_guard(&Scheduler, &Symbolic, &m, &labels, &st).expect("a batch guard");
        assert_eq!(batch.len(), labels.len());
        for (s, b) in labels.iter().zip(&batch).step_by(7) {
            let g = Controller::<Symbolic>::guard(&Scheduler, &Symbolic, &m, s, &st);
            solver.push();
            solver.assert(g.iff(b).not());
            assert_eq!(solver.check(), SatResult::Unsat, "label on node {}", s.b);
            solver.pop(1);
        }
    }

    /// Past the pairwise size the Deployment controller's and the sync's victim guards rank
    /// the nodes once per group (lowest class, then highest rank) instead of comparing every
    /// pair; they must say what `guard` says. On a 70-node pool with more pods than desired,
    /// in states where some nodes' bound, running and chosen counts are unknown (so that every
    /// class and rank is possible), each label's two formulas are proved equivalent, for a
    /// sync's first choice and for the choices after it.
    #[test]
    fn deployment_batch_guards_are_the_guards_past_the_pairwise_size() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 70, capacity: {cpu: \"8\", memory: 32Gi}}\n  workloads:\n    - deployment: web\n      placement: [{node: a-0, count: 2}, {node: a-1, count: 1}, {node: a-2, count: 1}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 2, "1", "1Gi", "")));
        assert!(m.nodes() > 64 && m.marks_deletions, "the test needs a cluster past the pairwise size");
        let conc = m.initial_state(&[70]);
        let mut st = conc.map::<Symbolic>(&|i: &i64| Int::from_i64(*i), &|b: &bool| Bool::from_bool(*b));
        let solver = Solver::new();
        let unknown = |name: String, hi: i64| {
            let v = Int::new_const(name);
            solver.assert(v.ge(Int::from_i64(0)));
            solver.assert(v.le(Int::from_i64(hi)));
            v
        };
        let ng = m.ir.groups.len();
        let k = m.kinds_of_group[0][0];
        for n in 0..6 {
            st.bound[0][n] = unknown(format!("bound{n}"), 2);
            st.running[k][n] = unknown(format!("running{n}"), 3);
            st.deleting[0][n] = unknown(format!("chosenBound{n}"), 1);
            st.deleting[ng + k][n] = unknown(format!("chosenRunning{n}"), 1);
            st.present[n] = Bool::new_const(format!("present{n}"));
        }
        st.desired[0] = unknown("desired".into(), 4);
        for n in 0..6 {
            solver.assert(st.deleting[0][n].le(&st.bound[0][n]));
            solver.assert(st.deleting[ng + k][n].le(&st.running[k][n]));
        }
        let actors: [(&dyn Controller<Symbolic>, &dyn Hints<Symbolic>); 2] =
            [(&DeploymentController, &DeploymentController), (&Victims, &Victims)];
        for (c, h) in actors {
            let mut labels = Vec::new();
            c.steps(&m, 0, &mut labels);
            let batch = h.batch_guard(&Symbolic, &m, &labels, &st).expect("a batch guard");
            assert_eq!(batch.len(), labels.len());
            let open = batch.iter().filter(|b| b.simplify().as_bool().is_none()).count();
            assert!(open > 0, "{}: every guard is a constant, the test proves nothing", c.name());
            // Every label on the nodes with unknown counts, and some of the others.
            for (i, (s, b)) in labels.iter().zip(&batch).enumerate() {
                if c.node_of(s).is_some_and(|n| n >= 6) && i % 9 != 0 {
                    continue;
                }
                let g = c.guard(&Symbolic, &m, s, &st);
                solver.push();
                solver.assert(g.iff(b).not());
                assert_eq!(solver.check(), SatResult::Unsat, "{} label {s:?}", c.name());
                solver.pop(1);
            }
        }
    }
}
