//! Named properties. Each intent is one of two kinds of [`Property`], and the engines handle
//! the kinds, never an intent by name. Safety intents are a `bad` state predicate
//! ([`violated`]), some with a monitor bit in the state for their first stage ("once replicas
//! reached the minimum ..."). Cycle intents (`noEvictionCycle`, `noPreemptionCycle`,
//! `noNodeChurn`, `allPodsEventuallyRun`, `drainCompletes`, `statefulSetAvailable`) are
//! violated by a reachable cycle that their [`Watch`] accepts (a lasso for the symbolic
//! engine): a step of the loop that raises a [`Measure`], or every state of the loop bad
//! ([`loop_state`]).

use super::framework;
use super::{live_replicas, running_replicas, ClusterState, Model};
use crate::domain::{Concrete, Domain};
use crate::ir::{Expected, Intent, PoolId};
use crate::model::node::{pool_size, pool_size_of, ready, running_of_group};
use crate::model::{Controller, Step};

/// What kind of property an intent is, to the engines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Property {
    /// Violated by a reachable state where [`violated`] holds. A violation is shown, where
    /// one exists, as a cycle that `shown_as_cycle` accepts, the stronger evidence, with its
    /// text; a cycle alone does not violate it.
    Safety { shown_as_cycle: Option<(Watch, &'static str)> },
    /// Violated by a reachable cycle that the watch accepts.
    Cycle(Watch),
}

/// What a cycle must show to violate a cycle intent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watch {
    /// Some step of the loop raises the measure; where `by` is given, a step of that kind.
    Rises { measure: Measure, by: Option<StepKind> },
    /// Some step of the loop changes the measure.
    Changes(Measure),
    /// Every state of the loop satisfies the intent's [`loop_state`].
    EveryState,
}

/// A kind of step a [`Watch`] may require.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// A voluntary eviction ([`Controller::evicts`]).
    Evicts,
    /// A preemption victim's deletion ([`Controller::preempts`]).
    Preempts,
}

impl StepKind {
    /// Whether step `s` of actor `c` is of this kind.
    pub fn of<D: Domain>(self, c: &dyn Controller<D>, s: &Step) -> bool {
        match self {
            StepKind::Evicts => c.evicts(s),
            StepKind::Preempts => c.preempts(s),
        }
    }
}

/// An integer of a state that a [`Watch`] compares before and after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Terminating pods of a Deployment (an index into the Deployments).
    TerminatingPods(usize),
    /// Present nodes of a pool, or of every autoscaled pool ([`churn_nodes`]).
    Nodes(Option<PoolId>),
    /// A Deployment's desired replicas.
    Desired(usize),
}

impl Measure {
    /// Its value in `st`.
    pub fn value<D: Domain>(self, d: &D, m: &Model, st: &ClusterState<D>) -> D::Int {
        match self {
            Measure::TerminatingPods(dep) => {
                d.sum_flat(&m.groups_of[dep].iter().flat_map(|&g| st.terminating[g].iter()).collect::<Vec<_>>())
            }
            Measure::Nodes(pool) => churn_nodes(d, m, st, pool),
            Measure::Desired(dep) => st.desired[dep].clone(),
        }
    }

    /// [`value`](Self::value) of a concrete state.
    pub fn value_of(self, m: &Model, st: &ClusterState<Concrete>) -> i64 {
        match self {
            Measure::TerminatingPods(dep) => super::terminating_pods(m, st, dep),
            Measure::Nodes(pool) => churn_nodes_of(m, st, pool),
            Measure::Desired(dep) => st.desired[dep],
        }
    }

    /// The Deployment it reads, if it reads one (a renaming of Deployments moves it).
    pub fn deployment(self) -> Option<usize> {
        match self {
            Measure::TerminatingPods(dep) | Measure::Desired(dep) => Some(dep),
            Measure::Nodes(_) => None,
        }
    }

    /// The same measure of Deployment `dep` instead (for one that reads a Deployment).
    pub fn of_deployment(self, dep: usize) -> Measure {
        match self {
            Measure::TerminatingPods(_) => Measure::TerminatingPods(dep),
            Measure::Desired(_) => Measure::Desired(dep),
            Measure::Nodes(p) => Measure::Nodes(p),
        }
    }
}

/// The kind of property intent `i` is.
pub fn property(i: &Intent) -> Property {
    match i {
        Intent::NoEvictionCycle { deployment } => Property::Cycle(Watch::Rises {
            measure: Measure::TerminatingPods(deployment.index()),
            by: Some(StepKind::Evicts),
        }),
        Intent::NoPreemptionCycle { deployment } => Property::Cycle(Watch::Rises {
            measure: Measure::TerminatingPods(deployment.index()),
            by: Some(StepKind::Preempts),
        }),
        // A cycle with a step that adds a node (the cycle then removes one).
        Intent::NoNodeChurn { pool } => Property::Cycle(Watch::Rises { measure: Measure::Nodes(*pool), by: None }),
        // Every state of the loop bad: a pod waits; a drain is in progress; ordinals are down.
        Intent::AllPodsEventuallyRun | Intent::DrainCompletes | Intent::StatefulSetAvailable { .. } => {
            Property::Cycle(Watch::EveryState)
        }
        // Violated in Kivi's meaning (the verdict both engines decide), and shown as a cycle
        // in which the scale goes up and comes back down forever where one exists.
        Intent::NoReplicaOscillation { deployment, .. } => Property::Safety {
            shown_as_cycle: Some((
                Watch::Changes(Measure::Desired(deployment.index())),
                "the replica count keeps changing along this cycle",
            )),
        },
        Intent::PodAlwaysSchedulable
        | Intent::NoKernelPanicLoop { .. }
        | Intent::ReplicasMeetMin { .. }
        | Intent::ReplicasMeetExpected { .. }
        | Intent::PodsBalanced { .. }
        | Intent::ReplicasWithin { .. }
        | Intent::DisruptionsWithinBudget
        | Intent::NodeCountWithin { .. } => Property::Safety { shown_as_cycle: None },
    }
}

/// The watch of intent `i` where it is a cycle intent or is shown as a cycle.
pub fn watch(i: &Intent) -> Option<Watch> {
    match property(i) {
        Property::Cycle(w) | Property::Safety { shown_as_cycle: Some((w, _)) } => Some(w),
        Property::Safety { shown_as_cycle: None } => None,
    }
}

/// The monitor condition of intent `i` (its first stage), if it has one: its Deployment's
/// running replicas reach [`stage_one_threshold`].
fn stage_one<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, i: &Intent) -> Option<D::Bool> {
    let dep = monitored_deployment(m, i)?;
    // The sum first, then the threshold: the terms a solver is given, in the order it was.
    let running = running_replicas(d, m, st, dep);
    Some(d.ge(&running, &stage_one_threshold(d, m, st, i)))
}

/// Intent `i`'s first stage in `st` (what [`observe`] turns its monitor on by), where it has
/// one: for an engine that must know which steps move it.
pub fn first_stage<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, i: usize) -> Option<D::Bool> {
    stage_one(d, m, st, &m.ir.intents[i])
}

/// The Deployment whose running replicas intent `i`'s first stage counts, if it has a first
/// stage (noReplicaOscillation only where the Deployment has an HPA).
fn monitored_deployment(m: &Model, i: &Intent) -> Option<usize> {
    match i {
        Intent::NoReplicaOscillation { deployment, .. } => {
            m.ir.deployments[deployment.index()].hpa.map(|_| deployment.index())
        }
        Intent::ReplicasMeetMin { deployment, .. } | Intent::ReplicasMeetExpected { deployment, .. } => {
            Some(deployment.index())
        }
        _ => None,
    }
}

/// The running replicas at which intent `i`'s first stage is reached (an intent with a
/// [`monitored_deployment`]): the HPA's maximum, the intent's minimum, or its expected count.
fn stage_one_threshold<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, i: &Intent) -> D::Int {
    match i {
        Intent::NoReplicaOscillation { deployment, .. } => {
            let h = m.ir.deployments[deployment.index()].hpa.expect("a monitored deployment has an HPA");
            d.int(m.ir.hpas[h.index()].max_replicas)
        }
        Intent::ReplicasMeetMin { min, .. } => d.int(*min),
        Intent::ReplicasMeetExpected { deployment, expected } => expected_value(d, st, deployment.index(), expected),
        _ => unreachable!("model bug: a first stage of an intent without a monitor"),
    }
}

/// Whether intent `i` being [`violated`] depends only on what a step that keeps pod
/// placement leaves alone ([`Hints::keeps_pod_placement`]): pending pods, each node's
/// pods per group (bound or running, and terminating) and node conditions. A state such a
/// step reached from one that did not violate `i` does not violate it either.
///
/// [`Hints::keeps_pod_placement`]: crate::model::hints::ExplicitHints::keeps_pod_placement
pub fn reads_only_placement(i: &Intent) -> bool {
    matches!(i, Intent::PodAlwaysSchedulable)
}

/// Whether intent `i` can be [`violated`] only while its monitor is on (its first stage done).
fn needs_monitor(i: &Intent) -> bool {
    matches!(
        i,
        Intent::NoReplicaOscillation { .. } | Intent::ReplicasMeetMin { .. } | Intent::ReplicasMeetExpected { .. }
    )
}

fn expected_value<D: Domain>(d: &D, st: &ClusterState<D>, dep: usize, e: &Expected) -> D::Int {
    match e {
        Expected::Replicas(n) => d.int(*n),
        Expected::DesiredPlus(o) => d.add(&st.desired[dep], &d.int(*o)),
    }
}

/// The intents' monitor bits in a state (what [`observe`] turns on): for an engine that must
/// tell them apart from what actors read and write.
pub fn monitors<D: Domain>(st: &ClusterState<D>) -> &[D::Bool] {
    &st.monitor
}

/// [`monitors`], to write.
pub fn monitors_mut<D: Domain>(st: &mut ClusterState<D>) -> &mut [D::Bool] {
    &mut st.monitor
}

/// Updates every intent's monitor after a step (and at the initial state).
pub fn observe<D: Domain>(d: &D, m: &Model, mut st: ClusterState<D>) -> ClusterState<D> {
    observe_in_place(d, m, &mut st);
    st
}

/// [`observe`], updating `st` where it is.
pub fn observe_in_place<D: Domain>(d: &D, m: &Model, st: &mut ClusterState<D>) {
    for (i, intent) in m.ir.intents.iter().enumerate() {
        // A monitor known to be on stays on: its first stage is not summed again.
        if d.known_bool(&st.monitor[i]) == Some(true) {
            continue;
        }
        if let Some(c) = stage_one(d, m, st, intent) {
            st.monitor[i] = d.or(&st.monitor[i], &c);
        }
    }
}

/// [`observe_in_place`] of a concrete state a step led to from `before`, a state whose
/// monitors were observed. A first stage reads running pods, node presence and status, and
/// desired replicas only: where the step left all of those as they were, each first stage
/// has the value it had in `before`, which `before`'s monitors already include (a monitor
/// only ever turns on), so nothing is summed again. A search observes every successor.
pub fn observe_after(m: &Model, before: &ClusterState<Concrete>, st: &mut ClusterState<Concrete>) {
    let unchanged = st.running == before.running
        && st.present == before.present
        && st.status == before.status
        && st.desired == before.desired
        && st.monitor == before.monitor;
    if unchanged {
        debug_assert!(
            observe(&Concrete, m, st.clone()).monitor == st.monitor,
            "search bug: the state a step came from was not observed"
        );
        return;
    }
    // observe_in_place, with each first stage's sum over whole per-node vectors (no
    // allocation): the search's one observation per changed successor.
    let d = Concrete;
    for (i, intent) in m.ir.intents.iter().enumerate() {
        let Some(dep) = monitored_deployment(m, intent).filter(|_| !st.monitor[i]) else { continue };
        st.monitor[i] = super::running_replicas_of(m, st, dep) >= stage_one_threshold(&d, m, st, intent);
        debug_assert_eq!(
            Some(st.monitor[i]),
            stage_one(&d, m, st, intent),
            "search bug: a first stage summed two ways disagrees"
        );
    }
}

/// Whether the state violates safety intent `i` (always false for cycle intents).
pub fn violated<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, i: usize) -> D::Bool {
    let intent = &m.ir.intents[i];
    // A monitored intent is violated only once its monitor is on: while it is known to be
    // off (a concrete state), nothing is summed.
    if needs_monitor(intent) && d.known_bool(&st.monitor[i]) == Some(false) {
        return d.bool(false);
    }
    match intent {
        Intent::PodAlwaysSchedulable => {
            if !m.ir.controllers.scheduler {
                return d.bool(false);
            }
            let mut bad = d.bool(false);
            // The node loads are summed once for every group, and not at all where no pod is
            // pending for sure (a concrete state without pending pods, the common case).
            let mut loads = None;
            for g in (0..m.ir.groups.len()).filter(|&g| framework::scheduled(m, g)) {
                if let Some(r) = m.daemon_row[g] {
                    // A DaemonSet's pod pending for its node: that node must be feasible.
                    if st.unscheduled[r].iter().all(|u| d.known(u) == Some(0)) {
                        continue;
                    }
                    let loads = loads.get_or_insert_with(|| framework::NodeLoads::for_filters(d, m, st));
                    let feas = framework::feasible_with(d, m, st, loads, g);
                    for (u, f) in st.unscheduled[r].iter().zip(&feas) {
                        bad = d.or(&bad, &d.and(&d.gt(u, &d.int(0)), &d.not(f)));
                    }
                    continue;
                }
                if d.known(&st.pending[g]) == Some(0) {
                    continue;
                }
                let loads = loads.get_or_insert_with(|| framework::NodeLoads::for_filters(d, m, st));
                let feas = framework::feasible_with(d, m, st, loads, g);
                let none = d.not(&d.any(feas.iter()));
                bad = d.or(&bad, &d.and(&d.gt(&st.pending[g], &d.int(0)), &none));
            }
            bad
        }
        Intent::NoKernelPanicLoop { times } => d.any_of(st.panics.iter().map(|p| d.ge(p, &d.int(*times)))),
        Intent::NoReplicaOscillation { deployment, drop } => {
            let Some(h) = m.ir.deployments[deployment.index()].hpa else { return d.bool(false) };
            let max = m.ir.hpas[h.index()].max_replicas;
            d.and(&st.monitor[i], &d.le(&running_replicas(d, m, st, deployment.index()), &d.int(max - drop)))
        }
        Intent::ReplicasMeetMin { deployment, min } => {
            d.and(&st.monitor[i], &d.lt(&running_replicas(d, m, st, deployment.index()), &d.int(*min)))
        }
        Intent::ReplicasMeetExpected { deployment, expected } => {
            let dep = deployment.index();
            d.and(&st.monitor[i], &d.lt(&running_replicas(d, m, st, dep), &expected_value(d, st, dep, expected)))
        }
        Intent::PodsBalanced { deployment, max_skew } => {
            let dep = deployment.index();
            let at_size = d.ge(&running_replicas(d, m, st, dep), &st.desired[dep]);
            let per_node: Vec<D::Int> = (0..m.nodes())
                .map(|n| d.sum_of(m.groups_of[dep].iter().map(|&g| running_of_group(d, m, st, g, n))))
                .collect();
            let readies: Vec<D::Bool> = (0..m.nodes()).map(|n| ready(d, st, n)).collect();
            let mx = d.masked_max(&per_node, &readies, 0);
            let mn = d.masked_min(&per_node, &readies, 0);
            d.and(&at_size, &d.gt(&d.sub(&mx, &mn), &d.int(*max_skew)))
        }
        Intent::ReplicasWithin { deployment, min, max } => {
            let r = running_replicas(d, m, st, deployment.index());
            d.or(&d.lt(&r, &d.int(*min)), &d.gt(&r, &d.int(*max)))
        }
        // Set by the voluntary eviction that broke a budget (`disruption::note_breach`).
        Intent::DisruptionsWithinBudget => st.monitor[i].clone(),
        Intent::NodeCountWithin { pool, min, max } => {
            let n = pool_size(d, m, st, pool.index());
            d.or(&d.lt(&n, &d.int(*min)), &d.gt(&n, &d.int(*max)))
        }
        Intent::NoEvictionCycle { .. }
        | Intent::AllPodsEventuallyRun
        | Intent::DrainCompletes
        | Intent::StatefulSetAvailable { .. }
        | Intent::NoPreemptionCycle { .. }
        | Intent::NoNodeChurn { .. } => d.bool(false),
    }
}

/// For a cycle intent violated by a loop every state of which is bad, that badness:
/// `allPodsEventuallyRun` some pod exists but does not run, `drainCompletes` some drain is in
/// progress, `statefulSetAvailable` more than its `maxUnavailable` ordinals below the
/// StatefulSet's replicas have no Running pod on a Ready node. (In a loop no drain starts or finishes, as a node is maintained once, so a drain
/// in progress in every state of a loop is one drain that never finishes.) `None` for the
/// other intents.
pub fn loop_state<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, intent: &Intent) -> Option<D::Bool> {
    match intent {
        Intent::AllPodsEventuallyRun => Some(d.gt(&waiting(d, m, st), &d.int(0))),
        Intent::DrainCompletes => Some(d.any_of((0..m.nodes()).map(|n| d.and(&st.present[n], &st.draining[n])))),
        Intent::StatefulSetAvailable { statefulset, max_unavailable } => Some(d.gt(
            &super::controllers::statefulset::unavailable(d, m, st, statefulset.index()),
            &d.int(*max_unavailable),
        )),
        _ => None,
    }
}

/// The present nodes `noNodeChurn` counts: of its pool, or of every autoscaled pool. A
/// cycle with a step that raises it is a node added and (to close the cycle) removed.
pub fn churn_nodes<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, pool: Option<crate::ir::PoolId>) -> D::Int {
    d.sum_of(churn_pools(m, pool).map(|p| pool_size(d, m, st, p)))
}

/// [`churn_nodes`] of a concrete state.
pub fn churn_nodes_of(m: &Model, st: &ClusterState<Concrete>, pool: Option<crate::ir::PoolId>) -> i64 {
    churn_pools(m, pool).map(|p| pool_size_of(m, st, p)).sum()
}

fn churn_pools(m: &Model, pool: Option<crate::ir::PoolId>) -> impl Iterator<Item = usize> + '_ {
    (0..m.ir.pools.len()).filter(move |&p| match pool {
        Some(q) => q.index() == p,
        None => m.ir.pools[p].autoscaling.is_some(),
    })
}

/// Pods that exist but do not run: what `allPodsEventuallyRun` watches along a cycle.
pub fn waiting<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>) -> D::Int {
    let mut w = d.int(0);
    for dep in 0..m.ir.deployments.len() {
        w = d.add(&w, &d.sub(&live_replicas(d, m, st, dep), &running_replicas(d, m, st, dep)));
    }
    // A DaemonSet's pods: pending for their node, bound, or running on a NotReady node.
    for &g in &m.daemon_groups {
        let r = m.daemon_row[g].expect("a DaemonSet's group has a row");
        for n in 0..m.nodes() {
            let running = crate::model::node::running_of_group(d, m, st, g, n);
            let idle = d.ite(&crate::model::node::ready(d, st, n), &d.int(0), &running);
            w = d.add(&w, &d.add(&d.add(&st.unscheduled[r][n], &st.bound[g][n]), &idle));
        }
    }
    w
}

/// Why a state violates a safety intent, in Kubernetes words.
pub fn explain(m: &Model, intent: &Intent, st: &ClusterState<Concrete>) -> String {
    let d = Concrete;
    match intent {
        Intent::PodAlwaysSchedulable => {
            let mut parts = Vec::new();
            for &g in &m.daemon_groups {
                let r = m.daemon_row[g].expect("a DaemonSet's group has a row");
                let feas = framework::feasible(&d, m, st, g);
                let why = framework::rejections(m, st, g);
                for n in (0..m.nodes()).filter(|&n| st.unscheduled[r][n] > 0 && !feas[n]) {
                    let filters = why.iter().find(|(name, _)| name == m.node_name(n)).map(|(_, r)| r.join(", "));
                    parts.push(format!(
                        "a pending pod of {} created for {} does not fit there ({})",
                        m.group_name(g),
                        m.node_name(n),
                        filters.unwrap_or_default()
                    ));
                }
            }
            for g in (0..m.ir.groups.len())
                .filter(|&g| framework::scheduled(m, g) && m.daemon_row[g].is_none() && st.pending[g] > 0)
            {
                let feas = framework::feasible(&d, m, st, g);
                if feas.iter().any(|f| *f) {
                    continue;
                }
                let why: Vec<String> = framework::rejections(m, st, g)
                    .into_iter()
                    .map(|(n, r)| format!("{n}: {}", r.join(", ")))
                    .collect();
                parts.push(format!("a pending pod of {} fits no node ({})", m.group_name(g), why.join("; ")));
            }
            parts.join("; ")
        }
        Intent::NoKernelPanicLoop { times } => {
            let n = (0..m.nodes()).find(|&n| st.panics[n] >= *times).unwrap_or(0);
            format!("node {} has panicked {} times", m.node_name(n), st.panics[n])
        }
        Intent::NoReplicaOscillation { deployment, drop } => {
            let dep = deployment.index();
            let max = m.ir.deployments[dep].hpa.map(|h| m.ir.hpas[h.index()].max_replicas).unwrap_or(0);
            format!(
                "{} reached its HPA maximum of {} and is now down to {} running (a drop of {drop} or more)",
                m.ir.deployments[dep].name,
                crate::count(max, "replica", "replicas"),
                running_replicas(&d, m, st, dep)
            )
        }
        Intent::ReplicasMeetMin { deployment, min } => {
            let dep = deployment.index();
            format!(
                "{} has {} running, below its minimum of {min} that it had reached",
                m.ir.deployments[dep].name,
                crate::count(running_replicas(&d, m, st, dep), "replica", "replicas")
            )
        }
        Intent::ReplicasMeetExpected { deployment, expected } => {
            let dep = deployment.index();
            let e = match expected {
                crate::ir::Expected::Replicas(n) => *n,
                crate::ir::Expected::DesiredPlus(o) => st.desired[dep] + o,
            };
            format!(
                "{} has {} running, below the expected {e} that it had reached",
                m.ir.deployments[dep].name,
                crate::count(running_replicas(&d, m, st, dep), "replica", "replicas")
            )
        }
        Intent::PodsBalanced { deployment, max_skew } => format!(
            "running pods of {} per Ready node differ by more than {max_skew}",
            m.ir.deployments[deployment.index()].name
        ),
        Intent::ReplicasWithin { deployment, min, max } => {
            let dep = deployment.index();
            format!(
                "{} has {} running, outside {min}..{max}",
                m.ir.deployments[dep].name,
                crate::count(running_replicas(&d, m, st, dep), "replica", "replicas")
            )
        }
        Intent::DisruptionsWithinBudget => {
            let below: Vec<String> = (0..m.ir.pdbs.len())
                .filter(|&p| {
                    let s = crate::model::disruption::status(&d, m, st, p);
                    s.current_healthy < s.desired_healthy
                })
                .map(|p| crate::model::disruption::describe(m, st, p))
                .collect();
            format!("a voluntary eviction took a budget below its minimum: {}", below.join("; "))
        }
        Intent::DrainCompletes => {
            let nodes: Vec<&str> = (0..m.nodes()).filter(|&n| st.draining[n]).map(|n| m.node_name(n)).collect();
            format!("the drain of {} never finishes", nodes.join(", "))
        }
        Intent::NoEvictionCycle { .. }
        | Intent::NoPreemptionCycle { .. }
        | Intent::AllPodsEventuallyRun
        | Intent::NoNodeChurn { .. } => String::new(),
        Intent::StatefulSetAvailable { statefulset, .. } => {
            let dep = statefulset.index();
            format!(
                "{} has {} of its {} ordinal(s) without a Running pod on a Ready node",
                m.ir.deployments[dep].name,
                super::controllers::statefulset::unavailable(&d, m, st, dep),
                st.desired[dep]
            )
        }
        Intent::NodeCountWithin { pool, min, max } => {
            let p = &m.ir.pools[pool.index()];
            format!(
                "node group {} has {}, outside {min}..{max}",
                p.name,
                crate::count(pool_size(&d, m, st, pool.index()), "node", "nodes")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::explicit::{check, Options};
    use crate::ir::{DeploymentId, PoolId};
    use crate::model::testkit::{deployment, model};
    use crate::verdict::Verdict;

    /// One intent of every kind (a new kind without a row here fails to compile the match).
    fn every_intent() -> Vec<Intent> {
        let dep = DeploymentId(0);
        let all = vec![
            Intent::PodAlwaysSchedulable,
            Intent::NoKernelPanicLoop { times: 2 },
            Intent::NoReplicaOscillation { deployment: dep, drop: 1 },
            Intent::ReplicasMeetMin { deployment: dep, min: 1 },
            Intent::ReplicasMeetExpected { deployment: dep, expected: Expected::Replicas(1) },
            Intent::NoEvictionCycle { deployment: dep },
            Intent::NoPreemptionCycle { deployment: dep },
            Intent::PodsBalanced { deployment: dep, max_skew: 1 },
            Intent::ReplicasWithin { deployment: dep, min: 1, max: 2 },
            Intent::AllPodsEventuallyRun,
            Intent::DrainCompletes,
            Intent::DisruptionsWithinBudget,
            Intent::StatefulSetAvailable { statefulset: dep, max_unavailable: 0 },
            Intent::NodeCountWithin { pool: PoolId(0), min: 1, max: 2 },
            Intent::NoNodeChurn { pool: None },
        ];
        for i in &all {
            match i {
                Intent::PodAlwaysSchedulable
                | Intent::NoKernelPanicLoop { .. }
                | Intent::NoReplicaOscillation { .. }
                | Intent::ReplicasMeetMin { .. }
                | Intent::ReplicasMeetExpected { .. }
                | Intent::NoEvictionCycle { .. }
                | Intent::NoPreemptionCycle { .. }
                | Intent::PodsBalanced { .. }
                | Intent::ReplicasWithin { .. }
                | Intent::AllPodsEventuallyRun
                | Intent::DrainCompletes
                | Intent::DisruptionsWithinBudget
                | Intent::StatefulSetAvailable { .. }
                | Intent::NodeCountWithin { .. }
                | Intent::NoNodeChurn { .. } => {}
            }
        }
        all
    }

    /// The property kinds the engines handle agree with the IR's split into safety and cycle
    /// intents, and the loop predicate exists exactly for the watches that read it.
    #[test]
    fn each_intent_is_one_kind_of_property() {
        let pool = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}]\n";
        let m = model(&format!("{}{pool}", deployment("web", 1, "1", "1Gi", "")));
        let st = m.initial_states().remove(0);
        for i in every_intent() {
            assert_eq!(matches!(property(&i), Property::Cycle(_)), i.is_cycle(), "{i:?}");
            let every_state = watch(&i) == Some(Watch::EveryState);
            if !matches!(i, Intent::StatefulSetAvailable { .. }) {
                assert_eq!(loop_state(&Concrete, &m, &st, &i).is_some(), every_state, "{i:?}");
            }
            if let Some(Watch::Rises { measure, .. } | Watch::Changes(measure)) = watch(&i) {
                assert_eq!(measure.deployment().is_some(), i.deployment().is_some(), "{i:?}");
                assert_eq!(measure.value(&Concrete, &m, &st), measure.value_of(&m, &st), "{i:?}");
            }
        }
    }

    /// Pods on a NotReady node are not running replicas: here they tolerate the unreachable
    /// taint for ever, so nothing evicts them, and the failed node leaves nothing serving.
    /// Counting them would make the intent hold.
    #[test]
    fn pods_on_a_not_ready_node_are_not_running_replicas() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}, {name: b, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: a-0, count: 2}]}]\n  events: [{type: nodeFailure, pool: a, budget: 1, recovery: false}]\n  intents: [{type: replicasWithin, deployment: web, min: 2, max: 2}]\n  bounds: {steps: 6}\n";
        let tolerate = "tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute}]";
        let m = model(&format!("{}{spec}", deployment("web", 2, "1", "1Gi", tolerate)));
        let r = check(&m, &Options { max_depth: 6, max_states: 10_000, symmetry: true, reduction: false, all: true });
        match &r.results[0].verdict {
            Verdict::Violated(t) => assert_eq!(t.steps.len(), 1, "the node fails: {:?}", t.steps),
            v => panic!("expected a violation, got {v:?}"),
        }
    }

    /// `observe_after` turns a monitor on when a step changes what its first stage reads
    /// (running pods, node status, desired replicas) and leaves the monitors as they were
    /// otherwise, as `observe` does.
    #[test]
    fn observing_after_a_step_is_observing() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  intents: [{type: replicasMeetMin, deployment: web}, {type: replicasMeetExpected, deployment: web, offset: 0}]\n  bounds: {steps: 6}\n";
        let m = model(&format!("{}{spec}", deployment("web", 2, "1", "1Gi", "")));
        let before = observe(&Concrete, &m, m.initial_state(&[2]));
        assert_eq!(before.monitor, vec![false, false], "no pod runs yet");
        let after = |change: &dyn Fn(&mut ClusterState<Concrete>)| {
            let mut st = before.clone();
            change(&mut st);
            let mut fast = st.clone();
            observe_after(&m, &before, &mut fast);
            assert_eq!(fast.monitor, observe(&Concrete, &m, st).monitor);
            fast.monitor
        };
        // Two pods start: both first stages hold (2 running, desired 2).
        assert_eq!(after(&|st| st.running[0][0] = 2), vec![true, true]);
        // Desired drops to 0: the expected count is met with none running.
        assert_eq!(after(&|st| st.desired[0] = 0), vec![false, true]);
        // Pods bound, not running: nothing a first stage reads changed.
        assert_eq!(after(&|st| st.bound[0][1] = 2), vec![false, false]);
        // Pods running on a node that then is not Ready do not count; on a Ready one they do.
        let mut ran = before.clone();
        ran.running[0][0] = 2;
        ran.status[0] = crate::model::state::NOT_READY;
        let ran = observe(&Concrete, &m, ran);
        assert_eq!(ran.monitor, vec![false, false]);
        let mut recovered = ran.clone();
        recovered.status[0] = crate::model::state::READY;
        observe_after(&m, &ran, &mut recovered);
        assert_eq!(recovered.monitor, vec![true, true], "the node is Ready again");
    }
}
