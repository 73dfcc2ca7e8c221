//! Kubernetes semantics written once, generic over a value domain: the cluster state, one
//! controller per file (guarded transitions), one environment event per file, and the named
//! intents. The model does no I/O, no logging on hot paths, no HashMap iteration and no
//! randomness; nondeterminism is in the step labels, which engines enumerate (explicit) or
//! select per frame (symbolic).

pub mod assumptions;
pub mod claims;
pub mod controllers;
pub mod disruption;
pub mod events;
pub mod exposure;
pub mod framework;
pub mod hints;
pub mod intents;
pub mod invariants;
pub mod node;
pub mod nominations;
pub mod ordinals;
pub mod relation;
pub mod state;

use crate::domain::{Concrete, Domain};
use crate::ir::{self, GroupId};
use node::{ready, running_per_node};
pub use state::ClusterState;
use state::READY;

/// When an actor may act under the `urgent` timing policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Reacts within milliseconds: deployment, scheduler, kubelet, taint eviction.
    Fast,
    /// Runs on a period of seconds to minutes: HPA, descheduler; node lifecycle's eviction,
    /// which waits out a 300 s toleration.
    Periodic,
    /// The environment: load changes, failures, users.
    Event,
    /// Finishes what another actor's step started (a ReplicaSet sync's victim choices after
    /// its first): while such a step is enabled, under either timing policy, no other actor
    /// steps.
    Atomic,
}

/// A concrete step label: which actor, which of its operations, and the operation's
/// parameters (node, group, event, value). Labels are fixed by the model's shape; whether a
/// step is enabled is its guard's business.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Step {
    pub actor: u8,
    pub op: u8,
    pub a: u32,
    pub b: u32,
    pub v: i64,
}

impl Step {
    pub fn new(actor: usize, op: u8, a: usize, b: usize, v: i64) -> Self {
        Step { actor: actor as u8, op, a: a as u32, b: b as u32, v }
    }
}

/// A guarded transition system component (a controller, or an event of the environment):
/// what its steps are, when each may be taken and what it does, and the facts about its steps
/// that an engine may not ignore (which nodes' conditions it writes, whether it evicts,
/// whether it reads node indices). Accelerations an engine may use are not part of the
/// semantics: an actor that offers them implements `hints::ExplicitHints` or
/// `hints::SymbolicHints` next to its semantics and returns itself from `explicit_hints` /
/// `symbolic_hints`.
pub trait Controller<D: Domain> {
    /// Short name shown in traces: `[3][scheduler] ...`.
    fn name(&self) -> &'static str;
    fn class(&self) -> Class;
    /// Every step label this actor can ever take in this model.
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>);
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool;
    /// The state after step `s` from `st`, written into `nx`, which holds a copy of `st` on
    /// entry (so a step writes only what it changes, and a search reuses one buffer).
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>);
    /// The state after step `s` from `st`.
    fn update(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> ClusterState<D> {
        let mut nx = st.clone();
        self.update_into(d, m, s, st, &mut nx);
        nx
    }
    /// What the step did, in Kubernetes words, given the concrete states around it.
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String;
    /// The node the step acts on, for symmetry reduction between identical nodes.
    fn node_of(&self, _s: &Step) -> Option<usize> {
        None
    }
    /// Whether a step's outcome can depend on node indices beyond what the nodes' pools,
    /// static facts and states say (e.g. a deterministic run that visits nodes in index order
    /// under an eviction limit). While any actor of a model says so, the explicit engine does
    /// not identify states that differ only by a renaming of identical nodes.
    fn uses_node_order(&self, _m: &Model) -> bool {
        false
    }
    /// Whether a step's outcome can depend on the order of Deployments or of their pod groups
    /// beyond what their static facts and states say (e.g. a run that evicts group by group in
    /// index order under a limit they share). While any actor of a model says so, the explicit
    /// engine does not identify states that differ only by a renaming of interchangeable
    /// Deployments (`engine/explicit/deployments.rs`), except as
    /// [`deployment_order_once_enabled`](Self::deployment_order_once_enabled) allows.
    fn uses_deployment_order(&self, _m: &Model) -> bool {
        false
    }
    /// Where [`uses_deployment_order`](Self::uses_deployment_order) holds: whether the order
    /// can change only what an enabled step of this actor does, never whether one is enabled.
    /// The set of states where some step of it is enabled is then closed under renaming
    /// interchangeable Deployments, so the explicit engine may store states up to such a
    /// renaming until it meets a state where one of its steps is enabled; it then searches
    /// again without that renaming.
    fn deployment_order_once_enabled(&self, _m: &Model) -> bool {
        false
    }
    /// Whether the step evicts pods (descheduler, taint eviction, node lifecycle, drain):
    /// what `noEvictionCycle` watches.
    fn evicts(&self, _s: &Step) -> bool {
        false
    }
    /// Whether the step deletes a preemption victim: what `noPreemptionCycle` watches.
    fn preempts(&self, _s: &Step) -> bool {
        false
    }
    /// The node conditions (presence, status, cordon, drain, maintenance, panics) a step of
    /// this actor can change. The explicit engine leaves those no actor with steps in a model
    /// can change out of the states it stores. Must include every one the actor writes (a
    /// test checks every reachable step of every bundled case).
    fn node_conditions_changed(&self) -> state::Conditions {
        state::Conditions::ALL
    }
    /// The hints this actor offers a search over concrete states (`hints::ExplicitHints`),
    /// declared next to its semantics; `None`: the defaults.
    fn explicit_hints(&self) -> Option<&dyn hints::ExplicitHints> {
        None
    }
    /// The cheaper formulas this actor offers a solver (`hints::SymbolicHints`), declared next
    /// to its semantics; `None`: the defaults.
    fn symbolic_hints(&self) -> Option<&dyn hints::SymbolicHints<D>> {
        None
    }
}

/// A usage kind: running pods of one group at one CPU usage level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kind {
    pub group: GroupId,
    pub cpu_usage: i64,
    pub mem_usage: i64,
    /// Pods of a cpuPattern still warming up, at its bootstrap level: they settle to the
    /// steady level, and cpuChange leaves them alone. A pod a cpuChange brought to the same
    /// usage is of another kind and never settles.
    pub warming: bool,
}

/// One concrete cluster among those a spec's ranges allow: the node count of each pool (in
/// `ir.pools` order) and each Deployment's desired replicas at start (in `ir.deployments` order).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Topology {
    pub sizes: Vec<i64>,
    pub replicas: Vec<i64>,
}

impl Topology {
    /// Nodes in all pools.
    pub fn nodes(&self) -> i64 {
        self.sizes.iter().sum()
    }
    /// Desired replicas of all Deployments at start.
    pub fn pods(&self) -> i64 {
        self.replicas.iter().sum()
    }
}

/// The IR plus what the semantics precompute from it.
#[derive(Clone, Debug)]
pub struct Model {
    pub ir: ir::Model,
    pub kinds: Vec<Kind>,
    /// Per group: its kinds.
    pub kinds_of_group: Vec<Vec<usize>>,
    /// Per group: the kind a pod starts at (bootstrap usage under a cpuPattern, else its usage).
    pub start_kind: Vec<usize>,
    /// Per deployment: its groups.
    pub groups_of: Vec<Vec<usize>>,
    /// The number of pods one (group, node) cell or counter can reach.
    pub max_pods: i64,
    /// PodTopologySpread's score weight per topology size 0..=nodes (computed once: the
    /// scheduler's guard needs it for every node of every state).
    pub spread_weights: Vec<i64>,
    /// Per label key (indexed by `LabelKey`): its distinct values among the nodes, and each
    /// node's value index (`None` without the key). Topology domains, computed once: the
    /// scheduler's guard needs them for every state.
    pub topology: Vec<(usize, Vec<Option<usize>>)>,
    /// Whether the kubelet's one-pod steps are left out where no other step can observe the
    /// intermediate count (kubelet.rs says when). On by default; a test turns it off to
    /// show that verdicts and counterexample lengths stay the same.
    pub reduce_kubelet: bool,
    /// Whether the kubelet stops an evicted pod on a cordoned node before any other step,
    /// where nothing that could act first reads it (`controllers::kubelet::PromptStop` says
    /// when). On by default; a test turns it off to show that verdicts stay the same and
    /// counterexamples grow by at most the stops now taken first.
    pub prompt_stops: bool,
    /// Whether the explicit engine's check may store states up to a renaming of
    /// interchangeable Deployments (`engine/explicit/deployments.rs`). On by default; a test
    /// turns it off to show that verdicts and counterexample lengths stay the same.
    pub symmetric_deployments: bool,
    /// The classes of Deployments that no static fact, intent or controller tells apart,
    /// found once from `ir` (which nothing changes after `Model::new`) and shared by the
    /// model's clones: a check's parts each ask for them (`engine/explicit/deployments.rs`),
    /// and on a large model finding them costs seconds.
    pub deployment_classes: std::sync::Arc<std::sync::OnceLock<Vec<Vec<usize>>>>,
    /// Events in one run at most, all budgeted kinds together (`events::may_fire`); `None`:
    /// each event's own budget alone. From the spec's `bounds.events` or `--events`, and set
    /// level by level when kbmc deepens it (`event_bound.rs`).
    pub events_bound: Option<i64>,
    /// Which events may fire in this check, and on which nodes (`events::may_fire`,
    /// `events::may_fire_on`); `None`: every event, on every node. A check under an event
    /// bound is made of parts (`crate::parts`), each of which lets only its own events fire;
    /// the states are the model's own (a left-out event keeps its budget), so a part's run is a
    /// run of the model.
    pub events_allowed: Option<std::sync::Arc<events::Allowed>>,
    /// Per group: a descheduler run picks which of its pods to evict but leaves each eviction
    /// to a step of its own (`descheduler::Eviction`), as upstream's run calls the Eviction
    /// API pod by pod while other controllers act. True for every Deployment's group where a
    /// descheduler runs; false for a DaemonSet's (never evicted) and without a descheduler.
    pub defers_evictions: Vec<bool>,
    /// Whether a ReplicaSet's scale-down chooses its victims before deleting them
    /// (`ClusterState::deleting`): with two nodes or more, where ranks differ by node and a
    /// deletion would change the ranks the sync goes by. With one node every victim has the
    /// same rank, and each choice deletes its pod.
    pub marks_deletions: bool,
    /// Whether pods are evicted one step each from a queue (`ClusterState::queued`): a drain
    /// requests every eviction of its node at once, and taint eviction queues the pods of a
    /// NotReady node once their toleration runs out, while other controllers act in between.
    pub queues_evictions: bool,
    /// Per Deployment entry that is a StatefulSet: where its values start in
    /// `ClusterState::stateful` (its current revision, then the MaxUnavailableStatefulSet
    /// gate where it matters, `Model::gate_at`, then per ordinal its volume's zone where its
    /// volumes are zonal).
    pub stateful_at: Vec<Option<usize>>,
    /// Whether the scheduler may preempt (`controllers::preemption`): it runs, and some pod
    /// group whose pods may preempt has one of lower priority beside it. The state then has
    /// `nominated`, `preempting` and `preempted` rows.
    pub preempts: bool,
    /// Per group, where the model preempts: the groups its pods may preempt and their
    /// importance orders (`controllers::preemption`), worked out once.
    pub victim_orders: controllers::preemption::VictimOrders,
    /// Per group: its row in `ClusterState::unscheduled` when a DaemonSet owns it.
    pub daemon_row: Vec<Option<usize>>,
    /// The DaemonSets' groups, in row order of `ClusterState::unscheduled`.
    pub daemon_groups: Vec<usize>,
    /// Per Deployment: the VerticalPodAutoscaler (index into `ir.vpas`) that sets its pods'
    /// requests, where its mode changes pods (not Off). Its revisions are then the VPA's
    /// request variants of one ReplicaSet (`controllers::vpa`), not rollouts.
    pub vpa_of: Vec<Option<usize>>,
    /// Whether a PodDisruptionBudget's status can lag behind a node failure where an eviction
    /// asks it (`disruption::StatusSync`, `ClusterState::pdb_stale`): the model has budgets, a
    /// nodeFailure or kernelPanic, and a voluntary eviction (a drain, the descheduler, the
    /// VPA updater, the cluster autoscaler).
    pub pdb_lag: bool,
}

impl Model {
    pub fn new(ir: &ir::Model) -> Model {
        let ng = ir.groups.len();
        let preempts = ir.controllers.scheduler
            && ir.groups.iter().any(|g| g.preempts && ir.groups.iter().any(|h| h.priority < g.priority));
        let mut kinds: Vec<Kind> = Vec::new();
        let mut kinds_of_group = vec![Vec::new(); ng];
        let mut start_kind = vec![0; ng];
        for (g, grp) in ir.groups.iter().enumerate() {
            let Some(dep_id) = grp.deployment() else {
                // A DaemonSet's pods use what they request; no load event names them.
                start_kind[g] = kinds.len();
                kinds_of_group[g].push(kinds.len());
                let (cpu_usage, mem_usage) = (grp.requests.cpu_milli, grp.requests.memory);
                kinds.push(Kind { group: GroupId(g as u32), cpu_usage, mem_usage, warming: false });
                continue;
            };
            let dep = &ir.deployments[dep_id.index()];
            // Every revision's pods use what the workload says they use (default: the
            // manifest's requests); a new template does not change the load.
            let base = dep.initial_usage;
            // A cpuPattern (validation allows one per Deployment): pods start warming up.
            let pattern = ir.events.iter().find_map(|e| match e {
                ir::Event::CpuPattern { deployment, bootstrap_milli, steady_milli } if *deployment == dep_id => {
                    Some((*bootstrap_milli, *steady_milli))
                }
                _ => None,
            });
            let start = match pattern {
                Some((boot, steady)) if boot == steady => steady,
                _ => base.cpu_milli,
            };
            let mut levels: Vec<i64> =
                events::cpu_change::usage_levels(ir, dep_id.index()).0.into_iter().map(|(l, _)| l).collect();
            levels.sort();
            levels.dedup();
            for l in levels {
                if l == start {
                    start_kind[g] = kinds.len();
                }
                kinds_of_group[g].push(kinds.len());
                kinds.push(Kind { group: GroupId(g as u32), cpu_usage: l, mem_usage: base.memory, warming: false });
            }
            if let Some((boot, _)) = pattern.filter(|(b, s)| b != s) {
                start_kind[g] = kinds.len();
                kinds_of_group[g].push(kinds.len());
                kinds.push(Kind { group: GroupId(g as u32), cpu_usage: boot, mem_usage: base.memory, warming: true });
            }
        }
        let mut groups_of = vec![Vec::new(); ir.deployments.len()];
        let mut daemon_row = vec![None; ng];
        let mut daemon_groups = Vec::new();
        for (g, grp) in ir.groups.iter().enumerate() {
            match grp.deployment() {
                Some(d) => groups_of[d.index()].push(g),
                None => {
                    daemon_row[g] = Some(daemon_groups.len());
                    daemon_groups.push(g);
                }
            }
        }
        let descheduler = ir.controllers.descheduler && ir.descheduler.is_some();
        let defers_evictions = daemon_row.iter().map(|r| descheduler && r.is_none()).collect();
        Model {
            ir: ir.clone(),
            defers_evictions,
            marks_deletions: ir.controllers.deployment && ir.nodes.len() > 1,
            queues_evictions: ir.autoscaler.is_some()
                || ir.events.iter().any(|e| matches!(e, ir::Event::Maintenance { .. }))
                || (ir.controllers.node_lifecycle
                    && ir.controllers.taint_eviction
                    && ir.groups.iter().any(|g| g.unreachable_eviction_after.is_some())),
            kinds,
            kinds_of_group,
            start_kind,
            groups_of,
            vpa_of: (0..ir.deployments.len())
                .map(|d| ir.vpas.iter().position(|v| v.target.index() == d && v.mode != ir::VpaMode::Off))
                .collect(),
            // A DaemonSet has at most two pods per node that are not terminating (an old and
            // a surge pod) and one terminating per revision (controllers/daemonset.rs).
            max_pods: (ir.bounds.max_pods_per_deployment * ir.deployments.len().max(1) as i64)
                .max(4 * ir.nodes.len() as i64 * ir.daemon_sets.len() as i64),
            spread_weights: (0..=ir.nodes.len()).map(framework::pod_topology_spread::spread_weight).collect(),
            topology: (0..ir.labels.keys.len() as u32)
                .map(|k| framework::domains_of(ir, crate::ir::LabelKey(k)))
                .collect(),
            reduce_kubelet: true,
            prompt_stops: true,
            stateful_at: {
                let mut at = 0;
                ir.deployments
                    .iter()
                    .map(|d| {
                        let s = d.stateful.as_ref()?;
                        let here = at;
                        at += 1
                            + usize::from(controllers::statefulset::gate_matters(d))
                            + if s.claim_zones.is_empty() { 0 } else { s.ordinals as usize };
                        Some(here)
                    })
                    .collect()
            },
            preempts,
            victim_orders: if preempts { controllers::preemption::VictimOrders::of(ir) } else { Default::default() },
            symmetric_deployments: true,
            deployment_classes: Default::default(),
            events_bound: ir.bounds.events,
            events_allowed: None,
            daemon_row,
            daemon_groups,
            pdb_lag: !ir.pdbs.is_empty()
                && ir.events.iter().any(|e| matches!(e, ir::Event::NodeFailure { .. } | ir::Event::KernelPanic { .. }))
                && (descheduler
                    || ir.autoscaler.is_some()
                    || ir.events.iter().any(|e| matches!(e, ir::Event::Maintenance { .. }))
                    || ir.vpas.iter().any(|v| v.mode.updates())),
        }
    }

    /// Where StatefulSet `dep`'s ordinal `o` keeps the zone of its volume in
    /// `ClusterState::stateful`, if its volumes are zonal.
    pub fn claim_at(&self, dep: usize, o: usize) -> Option<usize> {
        let d = &self.ir.deployments[dep];
        let s = d.stateful.as_ref()?;
        let gate = usize::from(controllers::statefulset::gate_matters(d));
        (!s.claim_zones.is_empty()).then(|| self.stateful_at[dep].expect("a StatefulSet") + 1 + gate + o)
    }

    /// Where StatefulSet `dep` keeps, in `ClusterState::stateful`, whether the cluster runs
    /// with the MaxUnavailableStatefulSet feature gate (-1: not chosen yet, 0: off, 1: on),
    /// if its rolling update is one the gate changes (`statefulset::gate_matters`).
    pub fn gate_at(&self, dep: usize) -> Option<usize> {
        controllers::statefulset::gate_matters(&self.ir.deployments[dep])
            .then(|| self.stateful_at[dep].expect("a StatefulSet") + 1)
    }

    /// Names of the `ClusterState::stateful` values, in order (solver constants, reports).
    pub fn stateful_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        for d in &self.ir.deployments {
            let Some(s) = &d.stateful else { continue };
            out.push(format!("statefulset.{}.currentRevision", d.name));
            if controllers::statefulset::gate_matters(d) {
                out.push(format!("statefulset.{}.maxUnavailableGate", d.name));
            }
            if !s.claim_zones.is_empty() {
                out.extend((0..s.ordinals).map(|o| format!("statefulset.{}.{o}.claimZone", d.name)));
            }
        }
        out
    }

    /// The lowest and highest value of each `ClusterState::stateful` value.
    pub fn stateful_ranges(&self) -> (Vec<i64>, Vec<i64>) {
        let (mut lo, mut hi) = (Vec::new(), Vec::new());
        for d in &self.ir.deployments {
            let Some(s) = &d.stateful else { continue };
            lo.push(0);
            hi.push(d.revisions.len() as i64 - 1);
            if controllers::statefulset::gate_matters(d) {
                lo.push(-1);
                hi.push(1);
            }
            if !s.claim_zones.is_empty() {
                lo.extend((0..s.ordinals).map(|_| -1));
                hi.extend((0..s.ordinals).map(|_| s.claim_zones.len() as i64 - 1));
            }
        }
        (lo, hi)
    }

    pub fn nodes(&self) -> usize {
        self.ir.nodes.len()
    }

    pub fn node_name(&self, n: usize) -> &str {
        &self.ir.nodes[n].name
    }

    /// How a trace names usage kind `k`: "using 250m CPU", with ", warming up" where it is.
    pub fn usage_words(&self, k: usize) -> String {
        let warming = if self.kinds[k].warming { ", warming up" } else { "" };
        format!("using {}m CPU{warming}", self.kinds[k].cpu_usage)
    }

    pub fn group_name(&self, g: usize) -> String {
        let grp = &self.ir.groups[g];
        let (name, revisions) = match grp.owner {
            ir::Owner::Deployment(d) => {
                let dep = &self.ir.deployments[d.index()];
                if let (Some(o), Some(s)) = (grp.ordinal, &dep.stateful) {
                    // A StatefulSet's pod by its name (`db-0`), its revision where there are
                    // several, and the zone its volume is bound in where that keeps it there.
                    let rev = if dep.revisions.len() > 1 { format!("@r{}", grp.revision) } else { String::new() };
                    let zone =
                        o.claim_zone.map(|z| format!("[{}]", self.ir.labels.value_name(s.claim_zones[z as usize])));
                    return format!("{}-{}{rev}{}", dep.name, o.ordinal, zone.unwrap_or_default());
                }
                (&dep.name, dep.revisions.len())
            }
            ir::Owner::DaemonSet(s) => {
                (&self.ir.daemon_sets[s.index()].name, self.ir.daemon_sets[s.index()].revisions.len())
            }
        };
        if revisions > 1 {
            format!("{name}@r{}", grp.revision)
        } else {
            name.clone()
        }
    }

    /// The Deployment of group `g`, which must be a Deployment's (callers that may meet a
    /// DaemonSet's group ask `ir::PodGroup::deployment`).
    pub fn dep_of_group(&self, g: usize) -> usize {
        match self.ir.groups[g].deployment() {
            Some(d) => d.index(),
            None => panic!("model bug: group {g} is a DaemonSet's, not a Deployment's"),
        }
    }

    /// Initial states: one per topology (pool sizes within their count ranges).
    pub fn initial_states(&self) -> Vec<ClusterState<Concrete>> {
        self.topologies().iter().map(|t| self.topology_state(t)).collect()
    }

    /// Every topology the spec's ranges allow: each pool's count from its `min` to its `max`,
    /// each Deployment's replicas from its `min` to its `max` (pools first, in spec order).
    pub fn topologies(&self) -> Vec<Topology> {
        let ir = &self.ir;
        let ranges: Vec<(i64, i64)> = ir
            .pools
            .iter()
            .map(|p| (p.count.min, p.count.max))
            .chain(ir.deployments.iter().map(|d| (d.replicas.min, d.replicas.max)))
            .collect();
        let mut combos: Vec<Vec<i64>> = vec![vec![]];
        for &(lo, hi) in &ranges {
            combos = combos
                .into_iter()
                .flat_map(|prefix| {
                    (lo..=hi).map(move |c| {
                        let mut v = prefix.clone();
                        v.push(c);
                        v
                    })
                })
                .collect();
        }
        let np = ir.pools.len();
        combos.into_iter().map(|v| Topology { sizes: v[..np].to_vec(), replicas: v[np..].to_vec() }).collect()
    }

    /// Whether the spec allows exactly one topology (no count or replicas range).
    pub fn single_topology(&self) -> bool {
        self.ir.pools.iter().all(|p| p.count.min == p.count.max)
            && self.ir.deployments.iter().all(|d| d.replicas.min == d.replicas.max)
    }

    /// `t` in words: "on-demand: 1 node, spot: 2 nodes; web: 6 replicas".
    pub fn describe_topology(&self, t: &Topology) -> String {
        let plural = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let pools: Vec<String> = self
            .ir
            .pools
            .iter()
            .zip(&t.sizes)
            .map(|(p, &n)| format!("{}: {}", p.name, plural(n, "node", "nodes")))
            .collect();
        let deps: Vec<String> = self
            .ir
            .deployments
            .iter()
            .zip(&t.replicas)
            .map(|(d, &r)| format!("{}: {}", d.name, plural(r, "replica", "replicas")))
            .collect();
        format!("{}; {}", pools.join(", "), deps.join(", "))
    }

    /// The topology a run starts from: each pool's present nodes and each Deployment's desired
    /// replicas in its initial state.
    pub fn topology_of(&self, init: &ClusterState<Concrete>) -> Topology {
        let ir = &self.ir;
        let mut sizes = vec![0; ir.pools.len()];
        for (n, node) in ir.nodes.iter().enumerate() {
            if init.present[n] {
                sizes[node.pool.index()] += 1;
            }
        }
        Topology { sizes, replicas: init.desired.clone() }
    }

    /// The initial state of the topology with `sizes[p]` nodes in pool p and every Deployment
    /// at the top of its replicas range.
    pub fn initial_state(&self, sizes: &[i64]) -> ClusterState<Concrete> {
        let replicas = self.ir.deployments.iter().map(|d| d.replicas.max).collect();
        self.topology_state(&Topology { sizes: sizes.to_vec(), replicas })
    }

    /// The initial state of topology `t`.
    pub fn topology_state(&self, t: &Topology) -> ClusterState<Concrete> {
        let sizes = &t.sizes;
        let ir = &self.ir;
        let nn = ir.nodes.len();
        let ng = ir.groups.len();
        let present: Vec<bool> = ir.nodes.iter().map(|n| (n.index_in_pool as i64) < sizes[n.pool.index()]).collect();
        let mut running = vec![vec![0; nn]; self.kinds.len()];
        // Placed pods run at the workload's initial usage, warming up when that is the
        // bootstrap level of a cpuPattern.
        let start_kind = |g: usize| {
            let usage = ir.deployments[self.dep_of_group(g)].initial_usage.cpu_milli;
            if self.kinds[self.start_kind[g]].cpu_usage == usage {
                self.start_kind[g]
            } else {
                self.kinds_of_group[g]
                    .iter()
                    .copied()
                    .find(|&k| self.kinds[k].cpu_usage == usage && !self.kinds[k].warming)
                    .expect("the initial usage is a level of every group")
            }
        };
        for d in &ir.deployments {
            let k = start_kind(d.revisions[0].index());
            for (n, c) in &d.placement {
                running[k][n.index()] += c;
            }
        }
        let mut pending = vec![0; ng];
        let mut bound = vec![vec![0; nn]; ng];
        let mut terminating = vec![vec![0; nn]; ng];
        let mut preempted = vec![vec![0; nn]; ng];
        for p in &ir.initial_pods {
            let g = p.group.index();
            match (p.phase, p.node) {
                (ir::PodPhase::Pending, _) | (_, None) => pending[g] += p.count,
                (ir::PodPhase::Bound, Some(n)) => bound[g][n.index()] += p.count,
                (ir::PodPhase::Running, Some(n)) => running[start_kind(g)][n.index()] += p.count,
                (ir::PodPhase::Terminating, Some(n)) => terminating[g][n.index()] += p.count,
                (ir::PodPhase::Preempted, Some(n)) => {
                    terminating[g][n.index()] += p.count;
                    preempted[g][n.index()] += p.count;
                }
            }
        }
        // Each DaemonSet starts settled: its first revision's pod running on every present
        // node it should run on (controllers/daemonset.rs, `should_run`).
        for s in &ir.daemon_sets {
            let g = s.revisions[0].index();
            for n in (0..nn).filter(|&n| present[n] && ir.nodes[n].ready) {
                if controllers::daemonset::eligible(&ir.groups[g].per_node[n]) {
                    running[self.start_kind[g]][n] += 1;
                }
            }
        }
        // Every other value starts at 0 (or false).
        let zero = ClusterState::zeroed(self);
        let mut st = ClusterState::<Concrete> {
            present,
            status: ir.nodes.iter().map(|n| if n.ready { READY } else { state::DECLARED_NOT_READY }).collect(),
            cordoned: ir.nodes.iter().map(|n| n.unschedulable).collect(),
            pending,
            bound,
            running,
            terminating,
            // Its rows exist only where the scheduler may preempt (state.rs).
            preempted: if self.preempts { preempted } else { zero.preempted.clone() },
            desired: t.replicas.clone(),
            hpa_window_max: vec![-1; ir.hpas.len()],
            hpa_window_min: vec![-1; ir.hpas.len()],
            budget: ir.events.iter().map(events::initial_budget).collect(),
            // Every StatefulSet at revision 0, no volume bound yet.
            stateful: self.stateful_ranges().0.iter().map(|&lo| lo.min(0)).collect(),
            ..zero.clone()
        };
        assert!(st.shaped_as(&zero), "model bug: an initial value of another shape than its field");
        st = intents::observe(&Concrete, self, st);
        st
    }
}

// ---- Derived quantities shared by controllers, events and intents -------------------------

/// Running pods of Deployment `dep` (all revisions) on Ready nodes: what the replica intents
/// count. A pod on a NotReady node keeps its Running phase upstream, but node lifecycle marks
/// it not ready (MarkPodsNotReady) and it serves nothing until the node is back or the pod is
/// evicted, which may be never when it tolerates the taint.
pub fn running_replicas<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, dep: usize) -> D::Int {
    // Per node, the sum over groups of `running_of_group` (the same terms in the same order:
    // a solver is given what it was), from whole per-node vectors: a search sums this after
    // every step.
    let mut on = vec![d.int(0); m.nodes()];
    for &g in &m.groups_of[dep] {
        for (o, x) in on.iter_mut().zip(&running_per_node(d, m, st, g)) {
            *o = d.add(o, x);
        }
    }
    let mut r = d.int(0);
    for (n, on) in on.iter().enumerate() {
        r = d.add(&r, &d.ite(&ready(d, st, n), on, &d.int(0)));
    }
    r
}

/// [`running_replicas`] of a concrete state, kind by kind over whole per-node vectors with no
/// allocation (loops that vectorize): what a search sums after a step. The generic function
/// stays the definition; a test compares the two on every explored state of every bundled
/// case.
pub fn running_replicas_of(m: &Model, st: &ClusterState<Concrete>, dep: usize) -> i64 {
    let mut r = 0;
    for &g in &m.groups_of[dep] {
        for &k in &m.kinds_of_group[g] {
            r += st.running[k]
                .iter()
                .zip(&st.status)
                .zip(&st.present)
                .map(|((&c, &s), &p)| if p && s == READY { c } else { 0 })
                .sum::<i64>();
        }
    }
    r
}

/// Terminating pods of Deployment `dep` (all revisions): an eviction of its pods raises it,
/// which is what `noEvictionCycle` watches.
pub fn terminating_pods(m: &Model, st: &ClusterState<Concrete>, dep: usize) -> i64 {
    m.groups_of[dep].iter().map(|&g| st.terminating[g].iter().sum::<i64>()).sum()
}

/// Pods of group `g` that count as replicas: pending, bound or running (not terminating).
pub fn live_of_group<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> D::Int {
    // `active_on` node by node, with the group's rows looked up once: the same terms made in
    // the same order (a solver is given what it was, down to the order its terms are
    // numbered in), for a fraction of the lookups. The Deployment's guards ask this in
    // nearly every state a search expands.
    let (kinds, bound) = (&m.kinds_of_group[g], &st.bound[g]);
    let mut r = st.pending[g].clone();
    for (n, bound) in bound.iter().enumerate() {
        let running = d.sum(kinds.iter().map(|&k| &st.running[k][n]));
        r = d.add(&r, &d.add(bound, &running));
    }
    r
}

/// [`live_of_group`] of a concrete state, summed over whole per-node vectors (loops that
/// vectorize): what the Deployment's batched guards ask of every expanded state. The generic
/// function stays the definition; a test compares the two on every explored state of every
/// bundled case.
pub fn live_of_group_of(m: &Model, st: &ClusterState<Concrete>, g: usize) -> i64 {
    let mut r = st.pending[g] + st.bound[g].iter().sum::<i64>();
    for &k in &m.kinds_of_group[g] {
        r += st.running[k].iter().sum::<i64>();
    }
    r
}

/// Pods of Deployment `dep` that count as replicas (all revisions).
pub fn live_replicas<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, dep: usize) -> D::Int {
    d.sum_of(m.groups_of[dep].iter().map(|&g| live_of_group(d, m, st, g)))
}

/// Whether `g` is the current revision of its Deployment.
pub fn is_current<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize) -> D::Bool {
    let grp = &m.ir.groups[g];
    let current = match grp.owner {
        ir::Owner::Deployment(dep) => &st.revision[dep.index()],
        ir::Owner::DaemonSet(s) => &st.daemon_revision[s.index()],
    };
    d.eq(current, &d.int(grp.revision as i64))
}

/// The registry: every actor of the model, in a fixed order (the step label's `actor`).
pub fn registry<D: Domain>() -> Vec<Box<dyn Controller<D>>> {
    let mut v: Vec<Box<dyn Controller<D>>> = controllers::all();
    v.extend(events::all());
    // The kubelet's prompt stop after the events: few models have a label of it, and every
    // other actor's labels keep their order.
    v.push(Box::new(controllers::kubelet::PromptStop));
    v
}

/// All step labels of the model, with the actor registry they refer to.
pub fn all_steps<D: Domain>(m: &Model, reg: &[Box<dyn Controller<D>>]) -> Vec<Step> {
    let mut out = Vec::new();
    for (i, c) in reg.iter().enumerate() {
        c.steps(m, i, &mut out);
    }
    out
}

/// Builds models from inline YAML for unit tests.
#[cfg(test)]
pub mod testkit {
    use super::*;
    use crate::manifest::{load_text, Inputs, LoadOptions};

    /// A model from manifests and a Verification spec in one multi-document YAML text.
    pub fn model(yaml: &str) -> Model {
        let mut inputs = Inputs::default();
        let mut errors = Vec::new();
        load_text(std::path::Path::new("test.yaml"), yaml, LoadOptions::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        match crate::ir::build(&inputs, crate::ir::BuildOptions::default()) {
            Ok((ir, _)) => Model::new(&ir),
            Err(e) => panic!("{e}"),
        }
    }

    /// A Deployment manifest with one container.
    pub fn deployment(name: &str, replicas: i64, cpu: &str, mem: &str, extra_pod_spec: &str) -> String {
        let extra: String = extra_pod_spec.lines().map(|l| format!("      {l}\n")).collect();
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers:\n        - name: c\n          image: {name}:1\n          resources: {{requests: {{cpu: \"{cpu}\", memory: {mem}}}}}\n{extra}---\n"
        )
    }

    /// The index of the first node named `name`.
    pub fn node(m: &Model, name: &str) -> usize {
        m.ir.nodes.iter().position(|n| n.name == name).unwrap_or_else(|| panic!("no node {name}"))
    }
}
