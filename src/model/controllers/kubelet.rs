//! kubelet: starts the pods bound to its node and stops the ones being deleted.
//!
//! Follows kubernetes `pkg/kubelet` at the level of pod phases: a bound pod becomes Running
//! (at its start usage: the cpuPattern's bootstrap level, else the Deployment's usage), a
//! terminating pod disappears. Requests (what the scheduler counts) and usage (what metrics
//! and kernel panics see) are kept apart: a pod's usage lives in its usage kind.
//! Each pod starts and stops on its own upstream, so another controller may act while some of a
//! node's pods have started: a step starts (stops) either one pod of a group on a node, or all
//! of them at once. The second is a shortcut through the first's intermediate states; it keeps
//! counterexamples short, and the first makes every intermediate count reachable. Where the
//! scheduler may preempt, a one-pod stop also says which kind of terminating pod goes, one a
//! preemption deleted or another (`ClusterState::preempted`, which preemption's eligibility
//! reads): grace periods decide upstream, so both are successors.
//! Under the urgent policy only fast controllers act between two pods, so the one-pod steps
//! exist only where one of them can tell the intermediate count apart (`Model::reduce_kubelet`):
//! a start, where the Deployment has more than one revision (a RollingUpdate counts the new
//! revision's running pods; nothing else fast tells bound from running, and intents on running
//! counts are monotone across a start); a stop, while some pod is pending (the scheduler counts
//! terminating pods' requests, and nothing else fast reads terminating counts short of zero).
//! A one-pod stop done earlier commutes with every step up to the next bind, so no state the
//! scheduler sees is lost. Under the interleaved policy they always exist.
//! An evicted pod's stop on a cordoned node is taken before any other step (`PromptStop`, an
//! atomic step) where nothing that could act before it reads it: the kubelet's stop would come
//! anywhere in the replacement's chain (created, bound, started elsewhere), and a drain's pods
//! would multiply those orders. docs/architecture.md argues it per reader and per intent.
//! Admission (`pkg/kubelet/lifecycle/predicate.go`, `generalFilter`): a pod that does not
//! tolerate a NoExecute taint of its node, or whose node selector or required node affinity
//! its node does not match, is rejected, so it never starts there; where `spec.nodeName`
//! pods exist, so may be one that does not fit beside the pods the kubelet admitted. A
//! rejected pod turns Failed: kbmc drops it (terminal pods are left out) and its owner
//! replaces it.
//! A deleted pod's deletion waits for its kubelet, so on a NotReady node it stays terminating,
//! holding its requests, until the node is Ready again (or, a StatefulSet's, until it is
//! force-deleted by `forceDeletePods`), as upstream; its ReplicaSet does not count it and
//! replaces it meanwhile.
//! Abstracted: start and stop are instantaneous (no image pulls, probes, grace periods). The
//! start does not check resources, so a pod that does not fit may start too (an
//! over-approximation), and which bound pod is admitted first (upstream: creation order) is
//! a choice.

use super::super::{Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::Timing;
use crate::model::node::{ready, running_of_group};
use crate::model::state::Conditions;

pub struct Kubelet;

const START: u8 = 0;
const STOP: u8 = 1;
/// Admission rejects one bound pod: it turns Failed (a terminal pod, which kbmc leaves out as
/// the ReplicaSet and the scheduler do), and its owner replaces it.
const REJECT: u8 = 2;

/// A rejection's `v`: the pod is not among those a ReplicaSet sync chose to delete, or it is
/// (`ClusterState::deleting`).
const UNCHOSEN: i64 = 0;
const CHOSEN: i64 = 1;

/// Bound pods of group `g` on node `n` that a ReplicaSet sync chose to delete.
fn chosen_bound<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Int {
    if m.marks_deletions {
        d.min(&st.deleting[g][n], &st.bound[g][n])
    } else {
        d.int(0)
    }
}

/// Whether a pod of group `g` fits on node `n` by the kubelet's admission
/// (`noderesources.Fits` in `generalFilter`): against the node's allocatable, the requests of
/// the pods it has admitted (running, terminating, and the snapshot's fixed pods), not of the
/// bound pods it has not started. CPU and memory only where the pod requests some; the pod
/// count always.
fn fits<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, g: usize, n: usize) -> D::Bool {
    let node = &m.ir.nodes[n];
    let (mut cpu, mut mem, mut pods) = (d.int(node.fixed.cpu_milli), d.int(node.fixed.memory), d.int(node.fixed.pods));
    for (h, grp) in m.ir.groups.iter().enumerate() {
        let admitted = d.add(&running_of_group(d, m, st, h, n), &st.terminating[h][n]);
        cpu = d.add(&cpu, &d.mul_const(&admitted, grp.requests.cpu_milli));
        mem = d.add(&mem, &d.mul_const(&admitted, grp.requests.memory));
        pods = d.add(&pods, &admitted);
    }
    let (r, a) = (m.ir.groups[g].requests, node.allocatable);
    let mut ok = vec![d.le(&pods, &d.int(a.pods - 1))];
    if r.cpu_milli > 0 {
        ok.push(d.le(&cpu, &d.int(a.cpu_milli - r.cpu_milli)));
    }
    if r.memory > 0 {
        ok.push(d.le(&mem, &d.int(a.memory - r.memory)));
    }
    d.all(ok.iter())
}

/// Whether the model has pods the kubelet may reject for lack of room: only a pod placed by
/// `spec.nodeName` reaches a node without the scheduler's NodeResourcesFit, and once it runs
/// there it may leave too little room for a pod the scheduler bound before it.
fn rejects_on_resources(m: &Model) -> bool {
    m.ir.groups.iter().any(|g| g.node_name.is_some())
}

/// The step's `v`: every pod of the group on the node, or exactly one of several.
const ALL: i64 = 0;
const ONE: i64 = 1;
/// A stop's `v` where the scheduler may preempt: exactly one of several terminating pods, one
/// that a preemption deleted (`ClusterState::preempted`); `ONE` is then one that something
/// else deleted. Which of a node's terminating pods stops first goes by grace periods
/// upstream, which kbmc does not keep: both are successors.
const ONE_PREEMPTED: i64 = 2;

/// Whether one-pod steps are limited to where another fast step can observe them.
fn reduced(m: &Model) -> bool {
    m.reduce_kubelet && m.ir.timing == Timing::Urgent
}

/// How many pods the step moves out of `waiting` (bound or terminating pods).
fn moved<D: Domain>(d: &D, s: &Step, waiting: &D::Int) -> D::Int {
    if s.v != ALL {
        d.int(1)
    } else {
        waiting.clone()
    }
}

impl<D: Domain> Controller<D> for Kubelet {
    fn explicit_hints(&self) -> Option<&dyn crate::model::hints::ExplicitHints> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        "kubelet"
    }
    fn class(&self) -> Class {
        Class::Fast
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if !m.ir.controllers.kubelet {
            return;
        }
        for g in 0..m.ir.groups.len() {
            for n in 0..m.nodes() {
                // Admission: the kubelet rejects a pod that does not tolerate one of its
                // node's NoExecute taints, or that its node's labels do not match (node
                // selector, required affinity); such a pod arrives only by spec.nodeName, and
                // never starts there. Nor does one that does not fit.
                let p = &m.ir.groups[g].per_node[n];
                let admitted = p.affinity_ok && !p.untolerated_no_execute;
                if admitted {
                    out.push(Step::new(actor, START, g, n, ALL));
                }
                if !admitted || rejects_on_resources(m) {
                    out.push(Step::new(actor, REJECT, g, n, UNCHOSEN));
                    // The rejected pod may be one its ReplicaSet's sync chose to delete.
                    if m.marks_deletions {
                        out.push(Step::new(actor, REJECT, g, n, CHOSEN));
                    }
                }
                out.push(Step::new(actor, STOP, g, n, ALL));
                // A DaemonSet has at most one bound pod per group and node: starting one is
                // starting all.
                let revisions = m.ir.groups[g].deployment().map_or(1, |dep| m.groups_of[dep.index()].len());
                if admitted && (!reduced(m) || revisions > 1) {
                    out.push(Step::new(actor, START, g, n, ONE));
                }
                out.push(Step::new(actor, STOP, g, n, ONE));
                if m.preempts {
                    out.push(Step::new(actor, STOP, g, n, ONE_PREEMPTED));
                }
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (g, n) = (s.a as usize, s.b as usize);
        // Starting one of a single pod is starting all: one label for that successor.
        let least = d.int(if s.v == ALL { 0 } else { 1 });
        // No pod of the label's kind on its node: off, without a look at the rest (in a
        // concrete state most labels stop here).
        let on_node = match s.op {
            START | REJECT => &st.bound[g][n],
            _ => &st.terminating[g][n],
        };
        if d.known(on_node).is_some_and(|x| x <= 0) {
            return d.bool(false);
        }
        match s.op {
            START => d.and(&ready(d, st, n), &d.gt(&st.bound[g][n], &least)),
            REJECT => {
                let p = &m.ir.groups[g].per_node[n];
                let refused = if p.affinity_ok && !p.untolerated_no_execute {
                    d.not(&fits(d, m, st, g, n))
                } else {
                    d.bool(true)
                };
                let chosen = chosen_bound(d, m, st, g, n);
                let which = if s.v == CHOSEN { chosen } else { d.sub(&st.bound[g][n], &chosen) };
                d.all([ready(d, st, n), d.gt(&which, &d.int(0)), refused].iter())
            }
            // A deleted pod is gone only once its kubelet confirms: never while its node is
            // NotReady (the kubelet is down). It stays terminating, holding its requests (and a
            // StatefulSet's ordinal), until the node is back or the pod is force-deleted.
            _ => {
                let c = if m.ir.groups[g].ordinal.is_none() && s.v != ALL && reduced(m) {
                    // Pending pods, a DaemonSet's unscheduled ones too: the scheduler counts
                    // the terminating pods' requests for them (and preemption's eligibility
                    // reads the preempted ones for a nominated pod).
                    let unscheduled = st.unscheduled.iter().flatten();
                    let pending = d.any_of(st.pending.iter().chain(unscheduled).map(|p| d.gt(p, &d.int(0))));
                    d.all([ready(d, st, n), d.gt(&st.terminating[g][n], &least), pending].iter())
                } else {
                    d.and(&ready(d, st, n), &d.gt(&st.terminating[g][n], &least))
                };
                // Which kind of terminating pod one pod's stop takes: one a preemption
                // deleted, or another.
                if !m.preempts || s.v == ALL {
                    return c;
                }
                let which = match s.v {
                    ONE_PREEMPTED => st.preempted[g][n].clone(),
                    _ => d.sub(&st.terminating[g][n], &st.preempted[g][n]),
                };
                d.and(&c, &d.gt(&which, &d.int(0)))
            }
        }
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (g, n) = (s.a as usize, s.b as usize);
        match s.op {
            START => {
                let k = m.start_kind[g];
                let c = moved(d, s, &st.bound[g][n]);
                nx.running[k][n] = d.add(&st.running[k][n], &c);
                nx.bound[g][n] = d.sub(&st.bound[g][n], &c);
                // A pod its ReplicaSet chose to delete and has not deleted yet is still
                // chosen once it runs (upstream's delete names the pod, whatever its phase).
                if m.marks_deletions {
                    let ng = m.ir.groups.len();
                    let started_chosen = d.max(&d.int(0), &d.sub(&st.deleting[g][n], &nx.bound[g][n]));
                    nx.deleting[g][n] = d.sub(&st.deleting[g][n], &started_chosen);
                    nx.deleting[ng + k][n] = d.add(&st.deleting[ng + k][n], &started_chosen);
                }
            }
            REJECT => {
                nx.bound[g][n] = d.sub(&st.bound[g][n], &d.int(1));
                if s.v == CHOSEN {
                    nx.deleting[g][n] = d.sub(&chosen_bound(d, m, st, g, n), &d.int(1));
                }
            }
            _ => {
                nx.terminating[g][n] = d.sub(&st.terminating[g][n], &moved(d, s, &st.terminating[g][n]));
                if m.preempts {
                    match s.v {
                        ALL => nx.preempted[g][n] = d.int(0),
                        ONE_PREEMPTED => nx.preempted[g][n] = d.sub(&st.preempted[g][n], &d.int(1)),
                        _ => {}
                    }
                }
            }
        }
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let (g, n) = (s.a as usize, s.b as usize);
        if s.op == REJECT {
            let p = &m.ir.groups[g].per_node[n];
            let why = if !p.affinity_ok {
                "its node affinity does not match the node".to_string()
            } else if p.untolerated_no_execute {
                "it does not tolerate a NoExecute taint of the node".to_string()
            } else {
                let r = m.ir.groups[g].requests;
                let a = m.ir.nodes[n].allocatable;
                let used = |f: fn(&crate::ir::Resources) -> i64| {
                    f(&m.ir.nodes[n].fixed)
                        + (0..m.ir.groups.len())
                            .map(|h| {
                                (running_of_group(&Concrete, m, before, h, n) + before.terminating[h][n])
                                    * f(&m.ir.groups[h].requests)
                            })
                            .sum::<i64>()
                };
                let mut out = Vec::new();
                if used(|x| x.pods) + 1 > a.pods {
                    out.push("OutOfpods");
                }
                if r.cpu_milli > 0 && used(|x| x.cpu_milli) + r.cpu_milli > a.cpu_milli {
                    out.push("OutOfcpu");
                }
                if r.memory > 0 && used(|x| x.memory) + r.memory > a.memory {
                    out.push("OutOfmemory");
                }
                out.join(", ")
            };
            return format!(
                "the kubelet on {} rejects a pod of {} ({why}): the pod fails and its owner replaces it",
                m.node_name(n),
                m.group_name(g)
            );
        }
        let (what, waiting) = match s.op {
            START => ("starts", before.bound[g][n]),
            _ => ("stops", before.terminating[g][n]),
        };
        let state = if s.op == START { "" } else { "terminating " };
        if s.v == ONE_PREEMPTED {
            format!(
                "on {} {what} 1 of {waiting} {state}pod(s) of {}, one a preemption deleted",
                m.node_name(n),
                m.group_name(g)
            )
        } else if s.op == STOP && s.v == ONE && m.preempts && before.preempted[g][n] > 0 {
            format!(
                "on {} {what} 1 of {waiting} {state}pod(s) of {}, one no preemption deleted",
                m.node_name(n),
                m.group_name(g)
            )
        } else if s.v == ONE {
            format!("on {} {what} 1 of {waiting} {state}pod(s) of {}", m.node_name(n), m.group_name(g))
        } else {
            format!("on {} {what} {waiting} {state}pod(s) of {}", m.node_name(n), m.group_name(g))
        }
    }
}

/// The kubelet's stop of a terminating pod of group `g` on a cordoned node `n`, taken before
/// any other step (`Class::Atomic`) where it is independent of every step that could come
/// first and no intent can tell when it came. Under urgent timing only fast steps may come
/// before a fast stop, and on a cordoned node none of them reads `terminating[g][n]` once:
/// - no pod may go to `n`: no group but a DaemonSet's tolerates the cordon, no pod is bound by
///   `spec.nodeName` (the kubelet's admission would read the node's pods), and every
///   DaemonSet is settled on `n` (`node::daemon_pods_settled`), so the scheduler's and
///   preemption's loads of `n` are read for no pod; nor is a preemption under way or a pod
///   nominated there;
/// - `g` is a Deployment's group that no PodDisruptionBudget selects (a budget's status counts
///   terminating pods), that no inter-pod (anti-)affinity term selects and that has none (the
///   InterPodAffinity filter counts terminating pods), and whose Deployment rolls out by
///   RollingUpdate (a Recreate rollout waits for old revisions' terminating pods);
/// - no pod of `g` on `n` is one a preemption deleted (preemption's eligibility reads those).
///
/// Steps that add terminating pods of `g` on `n` (evictions, deletions) commute with a stop of
/// one pod, and nothing that could come first disables it (`n` stays Ready and cordoned until
/// an event). So taking it first loses no state any other step or intent can tell apart.
pub struct PromptStop;

/// Whether the kubelet's prompt stops exist in model `m`: urgent timing, the kubelet on, a
/// node that may be cordoned, no pod bound by `spec.nodeName`, and no group but a DaemonSet's
/// that tolerates the cordon.
fn prompt_stops(m: &Model) -> bool {
    let ir = &m.ir;
    m.prompt_stops
        && ir.timing == Timing::Urgent
        && ir.controllers.kubelet
        && (ir.nodes.iter().any(|n| n.unschedulable)
            || ir.events.iter().any(|e| matches!(e, crate::ir::Event::Maintenance { .. })))
        && !rejects_on_resources(m)
        && !ir.groups.iter().any(|g| g.daemon_set().is_none() && g.tolerates_unschedulable)
}

/// Whether group `g`'s pods stop promptly on a cordoned node ([`PromptStop`]'s static half).
fn promptly_stopped(m: &Model, g: usize) -> bool {
    let ir = &m.ir;
    let grp = &ir.groups[g];
    let Some(dep) = grp.deployment() else { return false };
    let dep = &ir.deployments[dep.index()];
    let selected = |t: &crate::ir::PodAffinityTerm| t.selects[g];
    let terms = |h: &crate::ir::PodGroup| {
        let a = &h.pod_affinity;
        a.required.iter().chain(&a.required_anti).chain(&a.preferred).chain(&a.preferred_anti).any(selected)
    };
    dep.stateful.is_none()
        && matches!(dep.strategy, crate::ir::Strategy::RollingUpdate { .. })
        && !ir.pdbs.iter().any(|p| p.selects[g])
        && grp.pod_affinity.is_empty()
        && !ir.groups.iter().any(terms)
}

impl<D: Domain> Controller<D> for PromptStop {
    fn explicit_hints(&self) -> Option<&dyn crate::model::hints::ExplicitHints> {
        Some(self)
    }
    fn name(&self) -> &'static str {
        "kubelet"
    }
    fn class(&self) -> Class {
        Class::Atomic
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if !prompt_stops(m) {
            return;
        }
        for g in (0..m.ir.groups.len()).filter(|&g| promptly_stopped(m, g)) {
            for n in 0..m.nodes() {
                out.push(Step::new(actor, STOP, g, n, ONE));
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        Some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (g, n) = (s.a as usize, s.b as usize);
        if d.known(&st.terminating[g][n]).is_some_and(|x| x <= 0) {
            return d.bool(false);
        }
        let mut ok = vec![
            d.gt(&st.terminating[g][n], &d.int(0)),
            ready(d, st, n),
            crate::model::node::spec_unschedulable(d, m, st, n),
        ];
        if m.preempts {
            ok.push(d.eq(&st.preempted[g][n], &d.int(0)));
            for h in 0..m.ir.groups.len() {
                ok.push(d.eq(&st.preempting[h][n], &d.int(0)));
                ok.push(d.eq(&st.nominated[h][n], &d.int(0)));
            }
        }
        ok.push(crate::model::node::daemon_pods_settled(d, m, st, n));
        d.all(ok.iter())
    }
    fn update_into(&self, d: &D, _m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (g, n) = (s.a as usize, s.b as usize);
        nx.terminating[g][n] = d.sub(&st.terminating[g][n], &d.int(1));
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let (g, n) = (s.a as usize, s.b as usize);
        format!(
            "on cordoned {} stops 1 of {} terminating pod(s) of {}",
            m.node_name(n),
            before.terminating[g][n],
            m.group_name(g)
        )
    }
}

impl crate::model::hints::ExplicitHints for PromptStop {
    fn changes_only_its_node(&self) -> bool {
        true
    }
}

impl crate::model::hints::ExplicitHints for Kubelet {
    /// A bind, start, deletion, eviction or usage change on a node changes that node's pods
    /// (and pending pods or budgets, which are not per node).
    fn changes_only_its_node(&self) -> bool {
        true
    }
    /// A start keeps the pod bound to its node with its requests; a stop removes a
    /// terminating pod, whose requests the scheduler still counted.
    fn keeps_pod_placement(&self, s: &Step) -> bool {
        s.op == START
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model};
    use crate::model::{all_steps, registry};

    /// The kubelet's successors of `st` on node 0, as (bound, running, terminating) there.
    fn successors(m: &Model, st: &ClusterState<Concrete>) -> Vec<(i64, i64, i64)> {
        let reg = registry::<Concrete>();
        let mut out: Vec<_> = all_steps(m, &reg)
            .into_iter()
            .filter(|s| reg[s.actor as usize].name() == "kubelet" && s.b == 0)
            .filter(|s| reg[s.actor as usize].guard(&Concrete, m, s, st))
            .map(|s| {
                let nx = reg[s.actor as usize].update(&Concrete, m, &s, st);
                (nx.bound[0][0], nx.running[m.start_kind[0]][0], nx.terminating[0][0])
            })
            .collect();
        out.sort();
        out
    }

    /// The kubelet's admission rejects a pod that does not tolerate a NoExecute taint of its
    /// node (`spec.nodeName` put it there past the scheduler): it never starts, and the taint
    /// eviction deletes it; on an untainted node the same pod starts.
    #[test]
    fn a_pod_not_tolerating_a_no_execute_taint_never_starts() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: t, count: 1, capacity: {cpu: \"8\", memory: 8Gi}, taints: [{key: k, value: v, effect: NoExecute}]}\n    - {name: p, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}\n  workloads: [{deployment: web}, {deployment: db}]\n";
        let m = model(&format!(
            "{}{}{spec}",
            deployment("web", 1, "1", "1Gi", "nodeName: t-0"),
            deployment("db", 1, "1", "1Gi", "nodeName: p-0")
        ));
        let reg = registry::<Concrete>();
        let starts: Vec<(String, String)> = all_steps(&m, &reg)
            .into_iter()
            .filter(|s| reg[s.actor as usize].name() == "kubelet" && s.op == START)
            .map(|s| (m.group_name(s.a as usize).to_string(), m.node_name(s.b as usize).to_string()))
            .collect();
        assert!(starts.iter().all(|(g, n)| !(g.starts_with("web") && n == "t-0")), "{starts:?}");
        assert!(starts.iter().any(|(g, n)| g.starts_with("db") && n == "p-0"), "{starts:?}");
        // The same model, explored: web's pod is bound to t-0 and evicted, never running.
        let t0 = crate::model::testkit::node(&m, "t-0");
        let opts = crate::engine::explicit::Options {
            max_depth: 50,
            max_states: 100_000,
            symmetry: false,
            reduction: false,
            all: true,
        };
        let mut ran = false;
        let g = crate::engine::explicit::explore(&m, &opts, |_, st| {
            ran |= st.running.iter().any(|k| k[t0] > 0);
            true
        });
        assert!(g.states.len() > 1);
        assert!(!ran, "a pod ran on t-0");
    }

    /// Admission also rejects a pod whose node selector its node does not match (upstream
    /// `AdmissionCheck` runs NodeAffinity): `spec.nodeName` puts it there, and it never runs.
    #[test]
    fn a_pod_its_node_does_not_match_never_starts() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 1, capacity: {cpu: \"8\", memory: 8Gi}, labels: {disk: hdd}}\n  workloads: [{deployment: web}]\n";
        let m =
            model(&format!("{}{spec}", deployment("web", 1, "1", "1Gi", "nodeName: a-0\nnodeSelector: {disk: ssd}")));
        let opts = crate::engine::explicit::Options {
            max_depth: 20,
            max_states: 10_000,
            symmetry: false,
            reduction: false,
            all: true,
        };
        let (mut bound, mut ran) = (false, false);
        crate::engine::explicit::explore(&m, &opts, |_, st| {
            bound |= st.bound[0][0] > 0;
            ran |= st.running.iter().any(|k| k[0] > 0);
            true
        });
        assert!(bound, "the pod is bound to a-0 by spec.nodeName");
        assert!(!ran, "a pod its node does not match ran");
    }

    /// Pods start and stop one at a time upstream, so every intermediate count is a state
    /// (another controller may act in it); all at once remains a single step.
    #[test]
    fn pods_start_and_stop_one_at_a_time_or_all_at_once() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web}]\n";
        let mut m = model(&format!("{}{spec}", deployment("web", 3, "1", "1Gi", "")));
        m.reduce_kubelet = false;
        let k = m.start_kind[0];
        let mut st = m.initial_state(&[1]);
        st.pending[0] = 0;
        st.bound[0][0] = 3;
        assert_eq!(successors(&m, &st), vec![(0, 3, 0), (2, 1, 0)]);
        // One pod left: one step, not two labels for the same successor.
        st.bound[0][0] = 1;
        assert_eq!(successors(&m, &st), vec![(0, 1, 0)]);
        st.bound[0][0] = 0;
        st.running[k][0] = 1;
        st.terminating[0][0] = 2;
        assert_eq!(successors(&m, &st), vec![(0, 1, 0), (0, 1, 1)]);

        // Reduced (the default, urgent policy): one revision, so no fast step tells bound from
        // running, and a one-pod stop only while a pod is pending (the scheduler reads it).
        m.reduce_kubelet = true;
        assert_eq!(successors(&m, &st), vec![(0, 1, 0)]);
        st.pending[0] = 1;
        assert_eq!(successors(&m, &st), vec![(0, 1, 0), (0, 1, 1)]);
        st.terminating[0][0] = 0;
        st.bound[0][0] = 3;
        assert_eq!(successors(&m, &st), vec![(0, 4, 0)]);
    }

    /// A pod deleted on a NotReady node stays Terminating until its kubelet is back
    /// (kubernetes/kubernetes#74689), for a Deployment's pods as for a StatefulSet's: the
    /// kubelet cannot stop it while the node is NotReady, its ReplicaSet no longer counts it and
    /// creates a replacement, and the kubelet stops it once the node is Ready again.
    #[test]
    fn a_not_ready_node_keeps_its_terminating_pods() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 2}]}]\n  events: [{type: nodeFailure, budget: 1, recovery: true}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 2, "1", "1Gi", "")));
        let n0 = crate::model::testkit::node(&m, "n-0");
        let k = m.start_kind[0];
        let mut st = m.initial_states().remove(0);
        st.running[k][n0] = 1;
        st.terminating[0][n0] = 1;
        st.status[n0] = crate::model::state::NOT_READY;
        let reg = registry::<Concrete>();
        let labels = all_steps(&m, &reg);
        let enabled = |name: &str, st: &ClusterState<Concrete>| -> Vec<Step> {
            labels
                .iter()
                .filter(|s| reg[s.actor as usize].name() == name && reg[s.actor as usize].guard(&Concrete, &m, s, st))
                .copied()
                .collect()
        };
        assert!(enabled("kubelet", &st).is_empty(), "the kubelet is down: the pod stays terminating");
        let create = enabled("deployment", &st);
        assert!(!create.is_empty(), "the ReplicaSet replaces the terminating pod");
        let replaced = reg[create[0].actor as usize].update(&Concrete, &m, &create[0], &st);
        assert_eq!((replaced.pending[0], replaced.terminating[0][n0]), (1, 1));
        st.status[n0] = crate::model::state::READY;
        let stop = enabled("kubelet", &st);
        assert_eq!(stop.len(), 1, "{stop:?}");
        assert_eq!(Kubelet.update(&Concrete, &m, &stop[0], &st).terminating[0][n0], 0);
    }

    /// Upstream's TestHandleMemExceeded (pkg/kubelet/kubelet_test.go): of two `spec.nodeName`
    /// pods that do not both fit, the kubelet admits one and the other turns Failed
    /// (`OutOfmemory` there, `OutOfcpu` here); its ReplicaSet no longer counts it and creates a
    /// replacement. While both still fit against what the kubelet has admitted, neither is
    /// rejected.
    #[test]
    fn a_pod_its_node_has_no_room_for_fails_and_is_replaced() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"4\", memory: 8Gi}}]\n  workloads: [{deployment: web}]\n";
        let m = model(&format!("{}{spec}", deployment("web", 2, "3", "1Gi", "nodeName: n-0")));
        let reg = registry::<Concrete>();
        let labels = all_steps(&m, &reg);
        let rejects = |st: &ClusterState<Concrete>| -> Vec<Step> {
            labels
                .iter()
                .filter(|s| reg[s.actor as usize].name() == "kubelet" && s.op == REJECT)
                .filter(|s| Kubelet.guard(&Concrete, &m, s, st))
                .copied()
                .collect()
        };
        let mut st = m.initial_state(&[2]);
        st.pending[0] = 0;
        st.bound[0][0] = 2;
        assert!(rejects(&st).is_empty(), "nothing admitted yet: each fits");
        st.bound[0][0] = 1;
        st.running[m.start_kind[0]][0] = 1;
        let r = rejects(&st);
        assert_eq!(r.len(), 1, "{r:?}");
        let failed = Kubelet.update(&Concrete, &m, &r[0], &st);
        assert_eq!((failed.bound[0][0], failed.running[m.start_kind[0]][0]), (0, 1));
        let replace: Vec<Step> = labels
            .iter()
            .filter(|s| reg[s.actor as usize].name() == "deployment")
            .filter(|s| reg[s.actor as usize].guard(&Concrete, &m, s, &failed))
            .copied()
            .collect();
        assert!(!replace.is_empty(), "the ReplicaSet replaces the failed pod");
        // Created with spec.nodeName, the replacement is bound to n-0 at once.
        let next = reg[replace[0].actor as usize].update(&Concrete, &m, &replace[0], &failed);
        assert_eq!((next.pending[0], next.bound[0][0]), (0, 1));
    }

    /// A drain of `a-0` holding two pods of web (and `extra`, manifests), its first eviction
    /// taken: one pod of web terminating on the cordoned node, its replacement pending.
    fn drained(extra: &str, pod_spec: &str) -> (Model, ClusterState<Concrete>) {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: a-0, count: 2}]}]\n  events: [{type: maintenance, budget: 1}]\n";
        let m = model(&format!("{}{extra}{spec}", deployment("web", 2, "1", "1Gi", pod_spec)));
        let a0 = crate::model::testkit::node(&m, "a-0");
        let reg = registry::<Concrete>();
        let labels = all_steps(&m, &reg);
        let mut st = m.initial_states().remove(0);
        for actor in ["maintenance", "eviction"] {
            let s = labels
                .iter()
                .find(|s| {
                    reg[s.actor as usize].name() == actor
                        && s.b as usize == a0
                        && reg[s.actor as usize].guard(&Concrete, &m, s, &st)
                })
                .unwrap_or_else(|| panic!("no {actor} step"));
            st = reg[s.actor as usize].update(&Concrete, &m, s, &st);
        }
        assert_eq!(st.terminating[0][a0], 1);
        (m, st)
    }

    /// Whether `s` is a label of the kubelet's prompt stop.
    fn prompt(reg: &[Box<dyn Controller<Concrete>>], s: &Step) -> bool {
        reg[s.actor as usize].name() == "kubelet" && reg[s.actor as usize].class() == Class::Atomic
    }

    /// The steps the model allows in `st`, as "actor op group node".
    fn allowed(m: &Model, st: &ClusterState<Concrete>) -> Vec<String> {
        let reg = registry::<Concrete>();
        let labels = all_steps(m, &reg);
        crate::model::relation::enabled(m, &reg, &labels, &[], false, st)
            .iter()
            .map(|s| format!("{} {} {} {}", reg[s.actor as usize].name(), s.op, s.a, s.b))
            .collect()
    }

    /// The evicted pod's stop on the cordoned node comes before anything else: the
    /// ReplicaSet's replacement, the next eviction. Without the prompt stop, those come in
    /// every order with it.
    #[test]
    fn an_evicted_pods_stop_on_a_cordoned_node_comes_first() {
        let (mut m, st) = drained("", "");
        let a0 = crate::model::testkit::node(&m, "a-0");
        assert_eq!(allowed(&m, &st), vec![format!("kubelet {STOP} 0 {a0}")]);
        let reg = registry::<Concrete>();
        let stop = all_steps(&m, &reg).into_iter().find(|s| prompt(&reg, s) && s.b as usize == a0).unwrap();
        let after = reg[stop.actor as usize].update(&Concrete, &m, &stop, &st);
        assert_eq!((after.terminating[0][a0], after.running[m.start_kind[0]][a0]), (0, 1));
        m.prompt_stops = false;
        let all = allowed(&m, &st);
        assert!(all.len() > 2 && all.contains(&format!("kubelet {STOP} 0 {a0}")), "{all:?}");
    }

    /// Where something that may act first reads the terminating pod, its stop waits its turn:
    /// a PodDisruptionBudget over web (its status counts terminating pods), anti-affinity
    /// between web's pods (the filter counts them), a Deployment that tolerates the cordon
    /// (its pods may go to the node, whose load counts them), a DaemonSet pod pending for the
    /// node.
    #[test]
    fn the_stop_waits_where_something_reads_the_terminating_pod() {
        let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}\n---\n";
        let anti = "affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}}]}}";
        let tolerant = deployment(
            "db",
            0,
            "1",
            "1Gi",
            "tolerations: [{key: node.kubernetes.io/unschedulable, operator: Exists, effect: NoSchedule}]",
        );
        for (what, extra, pod_spec) in
            [("a budget", pdb, ""), ("anti-affinity", "", anti), ("a tolerant Deployment", &tolerant, "")]
        {
            let (m, st) = drained(extra, pod_spec);
            let reg = registry::<Concrete>();
            assert!(!all_steps(&m, &reg).iter().any(|s| prompt(&reg, s)), "{what}");
            assert!(allowed(&m, &st).len() > 1, "{what}");
        }
        let ds = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      containers: [{name: c, image: agent, resources: {requests: {cpu: 100m, memory: 100Mi}}}]\n---\n";
        let (m, mut st) = drained(ds, "");
        let a0 = crate::model::testkit::node(&m, "a-0");
        let row = m.daemon_row[m.daemon_groups[0]].unwrap();
        st.unscheduled[row][a0] = 1;
        assert!(allowed(&m, &st).len() > 1, "a daemon pod pending for the node");
        st.unscheduled[row][a0] = 0;
        st.running[m.start_kind[m.daemon_groups[0]]][a0] = 1;
        assert_eq!(allowed(&m, &st), vec![format!("kubelet {STOP} 0 {a0}")], "the node's daemon pod runs");
    }
}
