//! The Vertical Pod Autoscaler: its recommender (which recommendation holds), its updater
//! (which pod is evicted, or resized in place, to apply it) and its admission controller
//! (the requests of pods created from then on). One VPA per Deployment; its recommendations
//! and their pod groups are static facts of the IR (`ir::vpa`, `ir/build/vpa.rs`).
//!
//! Follows kubernetes/autoscaler vertical-pod-autoscaler:
//! - recommender (`pkg/recommender/logic/recommender.go`, `CreatePodResourceRecommender`;
//!   `pkg/recommender/model/aggregate_container_state.go`, decaying histograms of CPU usage
//!   and of memory peaks): the target is the 90th percentile plus 15 %, at least 25m and
//!   250Mi per pod. kbmc keeps no history and no clock, so which of the percentiles a history
//!   of the pods' usage levels can give is current is a choice: any recommendation of the
//!   VPA's levels (one per CPU usage level of the target's pods) may replace the current one
//!   at any recommender step. The values are exact (`ir::vpa`); the choice over-approximates
//!   (a level whose usage no pod has shown for long may still be picked).
//! - admission controller (`pkg/admission-controller/resource/pod/recommendation/
//!   recommendation_provider.go`, `GetContainersResourcesForPod`): a pod created under a
//!   recommendation gets its capped target for the controlled resources. kbmc keeps the
//!   current recommendation as the Deployment's current revision, whose pod group carries
//!   those requests: the ReplicaSet creates its missing pods there
//!   (`deployment::vpa_variant_target`), and the scheduler, the HPA (utilization over the
//!   pods' own requests) and the descheduler see each pod's requests. A scale-down ranks every
//!   size's pods together (`deployment::sync_groups`): the ReplicaSet's rank ignores requests.
//! - updater (`pkg/updater/logic/updater.go` `RunOnce`; `pkg/updater/priority/
//!   update_priority_calculator.go` `AddPod`; `pkg/updater/restriction/
//!   pods_restriction_factory.go` `GetCreatorMaps` and `pods_eviction_restriction.go`
//!   `CanEvict`, `isPodDisruptable`): in modes Recreate (and Auto) and InPlaceOrRecreate, a
//!   pod whose requests are not the recommendation's is updated when they are outside the
//!   recommended range, or differ by 10 % and the pod has lived 12 hours. The bounds depend on
//!   the history's length and the pods' age on a clock, neither of which kbmc has: any pod of
//!   another revision than the current may be updated (a pod of the current one never is: its
//!   requests are the target, inside the range, with no difference). The updater skips the
//!   ReplicaSet while it has fewer live pods than `minReplicas` (default 2); a pending pod
//!   (unscheduled, or bound and not started: phase Pending) may always go; a running one only
//!   while more pods run than `configured − evictionTolerance` (configured: the ReplicaSet's
//!   replicas, the Deployment's `desired`; tolerance: half of it, truncated), or when all
//!   `configured` pods run and the tolerance is 0. Each step evicts one pod: a later pod of
//!   the same upstream loop sees the earlier ones gone, as upstream's `evicted` count has them.
//!   Evictions go through the Eviction API (`model::disruption`: PodDisruptionBudgets; a pod
//!   of phase Pending is deleted without a look at them). Upstream's order among the pods
//!   (scale-ups first, then by relative difference) is not kept: any candidate may go first.
//! - InPlaceOrRecreate (`pkg/updater/restriction/pods_inplace_restriction.go`; the kubelet's
//!   resize admission): a running pod is resized in place, keeping its node and usage, when
//!   its node's allocatable holds the new requests beside every other pod's; the updater
//!   evicts it instead when a resize is infeasible or stays deferred past its timeout, which
//!   without a clock may happen to any resize, so eviction stays a successor too.
//! - Off: recommendations only, no pod changes: no steps. Initial: the recommender and the
//!   admission controller, no updater.
//!
//! Abstracted: no OOM kills (nor the memory bump after one); the recommendation's lower and
//! upper bounds are not values of the state (every bound the history allows is covered by
//! the choice of pods above); the CPU startup boost is not modelled.

use super::super::{disruption, is_current, live_replicas, nominations, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::VpaMode;
use crate::model::node::{requested, running_of_group};
use crate::model::state::Conditions;

/// The VPAs that change pods, with their Deployment.
fn active(m: &Model) -> impl Iterator<Item = (usize, usize)> + '_ {
    (0..m.ir.vpas.len()).filter_map(move |vi| {
        let dep = m.ir.vpas[vi].target.index();
        (m.vpa_of[dep] == Some(vi)).then_some((vi, dep))
    })
}

fn millicores(v: i64) -> String {
    if v % 1000 == 0 {
        format!("{}", v / 1000)
    } else {
        format!("{v}m")
    }
}

fn bytes(v: i64) -> String {
    const MI: i64 = 1024 * 1024;
    if v % (1024 * MI) == 0 {
        format!("{}Gi", v / (1024 * MI))
    } else if v % MI == 0 {
        format!("{}Mi", v / MI)
    } else {
        format!("{v}")
    }
}

/// A pod group's requests in words.
fn requests_of(m: &Model, g: usize) -> String {
    let r = m.ir.groups[g].requests;
    format!("cpu {}, memory {}", millicores(r.cpu_milli), bytes(r.memory))
}

/// The recommender: which of the VPA's recommendations is current.
pub struct Recommender;

impl<D: Domain> Controller<D> for Recommender {
    fn name(&self) -> &'static str {
        "vpa-recommender"
    }
    fn class(&self) -> Class {
        Class::Periodic
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    /// One label per VPA and revision its recommendations give pods (`a`: the VPA, `b`: the
    /// revision).
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (vi, _) in active(m) {
            let mut revs: Vec<u32> = m.ir.vpas[vi].levels.iter().map(|l| l.revision).collect();
            revs.sort();
            revs.dedup();
            for r in revs {
                out.push(Step::new(actor, 0, vi, r as usize, 0));
            }
        }
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let dep = m.ir.vpas[s.a as usize].target.index();
        d.ne(&st.revision[dep], &d.int(s.b as i64))
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, _st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let dep = m.ir.vpas[s.a as usize].target.index();
        nx.revision[dep] = d.int(s.b as i64);
    }
    fn describe(
        &self,
        m: &Model,
        s: &Step,
        _before: &ClusterState<Concrete>,
        _after: &ClusterState<Concrete>,
    ) -> String {
        let v = &m.ir.vpas[s.a as usize];
        let dep = v.target.index();
        let g = m.ir.deployments[dep].revisions[s.b as usize].index();
        let usages: Vec<String> =
            v.levels.iter().filter(|l| l.revision == s.b).map(|l| millicores(l.usage_cpu_milli)).collect();
        format!(
            "VPA {} recommends {} for {} (the 90th percentile of a CPU usage history at {}, plus 15 %, capped): pods created from now on request it",
            v.name,
            requests_of(m, g),
            m.ir.deployments[dep].name,
            usages.join(" or ")
        )
    }
}

/// The updater: evicts (or resizes in place) one pod whose requests are not the current
/// recommendation's.
pub struct Updater;

/// A running pod of usage kind `a` on node `b`.
const EVICT_RUNNING: u8 = 0;
/// A bound pod of group `a` on node `b`, not started (phase Pending).
const EVICT_BOUND: u8 = 1;
/// An unscheduled pod of group `a`: without a nomination (`v` 0), or nominated to node `b`
/// by a preemption (`v` 1; labels only where the scheduler may preempt). Which pending pod
/// the updater takes is upstream's order of the ReplicaSet's pods, not their nominations.
const EVICT_PENDING: u8 = 2;
/// A running pod of usage kind `a` on node `b`, resized in place to group `v`'s requests.
const RESIZE: u8 = 3;

/// The VPA of Deployment `dep` (the Deployment of group `g`).
fn vpa_of_group(m: &Model, g: usize) -> usize {
    m.vpa_of[m.dep_of_group(g)].expect("model bug: an updater label of a Deployment without a VPA")
}

/// `GetCreatorMaps`: the ReplicaSet has at least `minReplicas` live pods and some replicas.
fn enough_replicas<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, vi: usize) -> D::Bool {
    let v = &m.ir.vpas[vi];
    let dep = v.target.index();
    d.and(&d.ge(&live_replicas(d, m, st, dep), &d.int(v.min_replicas)), &d.gt(&st.desired[dep], &d.int(0)))
}

/// `isPodDisruptable` with nothing evicted yet in this step's loop: more pods run than
/// `configured − evictionTolerance`, or all configured pods run and the tolerance is 0.
fn disruptable<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, dep: usize) -> D::Bool {
    let configured = &st.desired[dep];
    let tolerance = d.div_const(configured, 2);
    let running = d.sum_of(
        m.groups_of[dep]
            .iter()
            .flat_map(|&g| (0..m.nodes()).map(move |n| (g, n)))
            .map(|(g, n)| running_of_group(d, m, st, g, n)),
    );
    let should_be_alive = d.sub(configured, &tolerance);
    d.or(&d.gt(&running, &should_be_alive), &d.and(&d.eq(configured, &running), &d.eq(&tolerance, &d.int(0))))
}

/// The usage kind of group `h` with the usage and warm-up of kind `k`.
fn same_usage_kind(m: &Model, k: usize, h: usize) -> Option<usize> {
    let kind = &m.kinds[k];
    m.kinds_of_group[h]
        .iter()
        .copied()
        .find(|&j| m.kinds[j].cpu_usage == kind.cpu_usage && m.kinds[j].warming == kind.warming)
}

impl<D: Domain> Controller<D> for Updater {
    fn name(&self) -> &'static str {
        "vpa-updater"
    }
    fn class(&self) -> Class {
        Class::Periodic
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::NONE
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        for (vi, dep) in active(m) {
            let mode = m.ir.vpas[vi].mode;
            if !mode.updates() {
                continue;
            }
            for &g in &m.groups_of[dep] {
                out.push(Step::new(actor, EVICT_PENDING, g, 0, 0));
                if m.preempts {
                    for n in 0..m.nodes() {
                        out.push(Step::new(actor, EVICT_PENDING, g, n, 1));
                    }
                }
                for n in 0..m.nodes() {
                    out.push(Step::new(actor, EVICT_BOUND, g, n, 0));
                    for &k in &m.kinds_of_group[g] {
                        out.push(Step::new(actor, EVICT_RUNNING, k, n, 0));
                        if mode == VpaMode::InPlaceOrRecreate {
                            for &h in m.groups_of[dep].iter().filter(|&&h| h != g) {
                                if same_usage_kind(m, k, h).is_some() {
                                    out.push(Step::new(actor, RESIZE, k, n, h as i64));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        (s.op != EVICT_PENDING || s.v == 1).then_some(s.b as usize)
    }
    fn evicts(&self, s: &Step) -> bool {
        s.op != RESIZE
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        let (a, n) = (s.a as usize, s.b as usize);
        let g = if matches!(s.op, EVICT_RUNNING | RESIZE) { m.kinds[a].group.index() } else { a };
        let vi = vpa_of_group(m, g);
        let dep = m.ir.vpas[vi].target.index();
        let outdated = d.not(&is_current(d, m, st, g));
        let base = d.and(&outdated, &enough_replicas(d, m, st, vi));
        match s.op {
            EVICT_PENDING if s.v == 1 => d.and(&base, &d.gt(&st.nominated[g][n], &d.int(0))),
            EVICT_PENDING => d.and(&base, &d.gt(&nominations::unnominated(d, m, st, g), &d.int(0))),
            EVICT_BOUND => d.and(&base, &d.gt(&st.bound[g][n], &d.int(0))),
            EVICT_RUNNING => d.all(
                [
                    base,
                    d.gt(&st.running[a][n], &d.int(0)),
                    disruptable(d, m, st, dep),
                    disruption::allows(d, m, st, g, n),
                ]
                .iter(),
            ),
            _ => {
                let h = s.v as usize;
                let (from, to) = (m.ir.groups[g].requests, m.ir.groups[h].requests);
                let alloc = m.ir.nodes[n].allocatable;
                let (cpu, mem, _) = &requested(d, m, st)[n];
                let fits = d.and(
                    &d.le(&d.add(cpu, &d.int(to.cpu_milli - from.cpu_milli)), &d.int(alloc.cpu_milli)),
                    &d.le(&d.add(mem, &d.int(to.memory - from.memory)), &d.int(alloc.memory)),
                );
                d.all(
                    [
                        base,
                        is_current(d, m, st, h),
                        d.gt(&st.running[a][n], &d.int(0)),
                        disruptable(d, m, st, dep),
                        fits,
                    ]
                    .iter(),
                )
            }
        }
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let (a, n) = (s.a as usize, s.b as usize);
        let one = d.int(1);
        match s.op {
            EVICT_PENDING => {
                nx.pending[a] = d.sub(&st.pending[a], &one);
                nominations::forget_deleted(d, m, st, nx, a, (s.v == 1).then_some(n));
            }
            EVICT_BOUND => {
                nx.bound[a][n] = d.sub(&st.bound[a][n], &one);
                nx.terminating[a][n] = d.add(&st.terminating[a][n], &one);
            }
            EVICT_RUNNING => {
                let g = m.kinds[a].group.index();
                nx.running[a][n] = d.sub(&st.running[a][n], &one);
                nx.terminating[g][n] = d.add(&st.terminating[g][n], &one);
                disruption::note_breach(d, m, &d.bool(true), st, nx);
            }
            _ => {
                let to = same_usage_kind(m, a, s.v as usize).expect("model bug: a resize label without its kind");
                nx.running[a][n] = d.sub(&st.running[a][n], &one);
                nx.running[to][n] = d.add(&st.running[to][n], &one);
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
        let (a, n) = (s.a as usize, s.b as usize);
        let g = if matches!(s.op, EVICT_RUNNING | RESIZE) { m.kinds[a].group.index() } else { a };
        let v = &m.ir.vpas[vpa_of_group(m, g)];
        let dep = v.target.index();
        let cur = m.ir.deployments[dep].revisions[before.revision[dep] as usize].index();
        let why = format!(
            "its requests ({}) are not VPA {}'s recommendation ({})",
            requests_of(m, g),
            v.name,
            requests_of(m, cur)
        );
        match s.op {
            EVICT_PENDING if s.v == 1 => {
                format!("evicts an unscheduled pod of {} nominated to {}: {why}", m.group_name(g), m.node_name(n))
            }
            EVICT_PENDING => format!("evicts an unscheduled pod of {}: {why}", m.group_name(g)),
            EVICT_BOUND => {
                format!("evicts a pod of {} bound to {}, not started: {why}", m.group_name(g), m.node_name(n))
            }
            EVICT_RUNNING => {
                format!("evicts a pod of {} {} from {}: {why}", m.group_name(g), m.usage_words(a), m.node_name(n))
            }
            _ => format!(
                "resizes a running pod of {} on {} in place to {}: {why}",
                m.group_name(g),
                m.node_name(n),
                m.group_name(s.v as usize)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{deployment, model};

    /// Deployment `web` (`replicas` pods of 1 core, 1Gi, all running on node n-0 of a
    /// 64-core node pool of `nodes`), its pods using 300m, and a VPA on it with `policy` under
    /// `spec.updatePolicy` and `extra` YAML after the spec.
    fn cluster(replicas: i64, nodes: usize, policy: &str, extra: &str) -> Model {
        let vpa = format!(
            "apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata: {{name: web}}\nspec:\n  targetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  updatePolicy: {policy}\n---\n"
        );
        let spec = format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: {nodes}, capacity: {{cpu: \"64\", memory: 64Gi}}}}]\n  workloads: [{{deployment: web, placement: [{{node: n-0, count: {replicas}}}], usage: {{cpu: 300m}}}}]\n{extra}");
        model(&format!("{}{vpa}{spec}", deployment("web", replicas, "1", "1Gi", "")))
    }

    /// The start state with the recommendation of revision 1 current: every pod is outdated.
    fn recommended(m: &Model) -> ClusterState<Concrete> {
        let mut st = m.initial_state(&[1]);
        st.revision[0] = 1;
        st
    }

    fn enabled(m: &Model, st: &ClusterState<Concrete>, op: u8) -> Vec<Step> {
        let mut labels = Vec::new();
        Controller::<Concrete>::steps(&Updater, m, 0, &mut labels);
        labels
            .into_iter()
            .filter(|s| s.op == op && Controller::<Concrete>::guard(&Updater, &Concrete, m, s, st))
            .collect()
    }

    /// Evicts one running pod of the first enabled label.
    fn evict(m: &Model, st: &ClusterState<Concrete>) -> Option<ClusterState<Concrete>> {
        let s = *enabled(m, st, EVICT_RUNNING).first()?;
        Some(Controller::<Concrete>::update(&Updater, &Concrete, m, &s, st))
    }

    fn evictions_in_a_row(m: &Model, mut st: ClusterState<Concrete>) -> usize {
        let mut n = 0;
        while let Some(next) = evict(m, &st) {
            st = next;
            n += 1;
        }
        n
    }

    /// The recommendation for a 300m usage: a revision of its own, requesting the target.
    #[test]
    fn the_recommendation_is_a_revision_with_its_requests() {
        let m = cluster(2, 1, "{updateMode: Recreate}", "");
        let v = &m.ir.vpas[0];
        assert_eq!(v.levels.len(), 1);
        let g = m.ir.deployments[0].revisions[1].index();
        assert_eq!(m.ir.groups[g].requests.cpu_milli, crate::ir::vpa::cpu_target_milli(300, 1));
        assert_eq!(m.ir.groups[g].requests.memory, v.levels[0].target_memory);
        // The recommender makes it current once; then it is.
        let mut labels = Vec::new();
        Controller::<Concrete>::steps(&Recommender, &m, 0, &mut labels);
        let st = m.initial_state(&[1]);
        assert!(Controller::<Concrete>::guard(&Recommender, &Concrete, &m, &labels[0], &st));
        let after = Controller::<Concrete>::update(&Recommender, &Concrete, &m, &labels[0], &st);
        assert_eq!(after.revision[0], 1);
        assert!(!Controller::<Concrete>::guard(&Recommender, &Concrete, &m, &labels[0], &after));
    }

    /// A pod whose requests are the recommendation's is never updated (inside the recommended
    /// range, no difference: update_priority_calculator.go `AddPod`;
    /// update_priority_calculator_test.go `TestUpdateNotRequired`).
    #[test]
    fn pods_with_the_recommended_requests_stay() {
        let m = cluster(3, 1, "{updateMode: Recreate}", "");
        let mut st = recommended(&m);
        assert!(!enabled(&m, &st, EVICT_RUNNING).is_empty());
        st.revision[0] = 0;
        assert!(enabled(&m, &st, EVICT_RUNNING).is_empty(), "revision 0's pods are current");
    }

    /// update_priority_calculator_test.go `TestSortPriority` and
    /// `TestSortPriorityResourcesDecrease`: upstream evicts outdated pods scale-ups first,
    /// then by their relative difference from the target. kbmc keeps neither the recommended
    /// range nor the pods' ages, so every outdated pod may go first: with pods of two outdated
    /// request sizes running (a cpuPattern gives two recommendations), both are enabled in
    /// one state, and upstream's order is among kbmc's.
    #[test]
    fn every_outdated_size_may_go_first() {
        let m = cluster(
            3,
            1,
            "{updateMode: Recreate}",
            "  events: [{type: cpuPattern, deployment: web, bootstrap: 900m, steady: 300m}]\n",
        );
        let v = &m.ir.vpas[0];
        assert_eq!(v.levels.len(), 2);
        let revs = &m.ir.deployments[0].revisions;
        let (g0, g1) = (revs[0].index(), revs[v.levels[0].revision as usize].index());
        let mut st = m.initial_state(&[1]);
        st.revision[0] = v.levels[1].revision as i64;
        // One of the three template pods becomes a pod of the first recommendation.
        let k0 = (0..m.kinds.len()).find(|&k| m.kinds[k].group.index() == g0 && st.running[k][0] > 0).unwrap();
        let k1 = same_usage_kind(&m, k0, g1).expect("the same usage in the first recommendation's group");
        st.running[k0][0] -= 1;
        st.running[k1][0] += 1;
        let first: Vec<usize> = enabled(&m, &st, EVICT_RUNNING).iter().map(|s| s.a as usize).collect();
        assert!(first.contains(&k0) && first.contains(&k1), "{first:?}");
    }

    /// update_priority_calculator_test.go `TestUpdateLonglivedPods` and
    /// `TestUpdateShortlivedPods`: upstream leaves a pod inside the recommended range alone
    /// while it is younger than 12 hours, or while its requests are within `MinChangePriority`
    /// (10 %) of the target. kbmc keeps no clock: a pod requesting 350m against a target a few
    /// percent away is still one the updater may evict (an over-approximation).
    #[test]
    fn a_pod_near_its_target_may_still_go() {
        let vpa = "apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata: {name: web}\nspec:\n  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  updatePolicy: {updateMode: Recreate}\n---\n";
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: n, count: 1, capacity: {cpu: \"64\", memory: 64Gi}}]\n  workloads: [{deployment: web, placement: [{node: n-0, count: 3}], usage: {cpu: 300m}}]\n";
        let m = model(&format!("{}{vpa}{spec}", deployment("web", 3, "350m", "1Gi", "")));
        let target = crate::ir::vpa::cpu_target_milli(300, 1);
        assert!(target != 350 && (target - 350).abs() * 10 < 350, "target {target}m is within 10 % of 350m");
        assert_eq!(evictions_in_a_row(&m, recommended(&m)), 1);
    }

    /// pods_eviction_restriction_test.go `TestEvictTooFewReplicas`: 5 live pods, minReplicas
    /// 10: none may be evicted.
    #[test]
    fn too_few_replicas_block_every_eviction() {
        let m = cluster(5, 1, "{updateMode: Recreate, minReplicas: 10}", "");
        assert_eq!(evictions_in_a_row(&m, recommended(&m)), 0);
    }

    /// pods_eviction_restriction_test.go `TestEvictionTolerance`, at the updater's default
    /// fraction 0.5: 5 replicas tolerate int(2.5) = 2 pods down, so two evictions in a row go
    /// and the third waits for a replacement to run.
    #[test]
    fn eviction_tolerance_is_half_of_the_replicas() {
        let m = cluster(5, 1, "{updateMode: Recreate}", "");
        assert_eq!(evictions_in_a_row(&m, recommended(&m)), 2);
    }

    /// pods_eviction_restriction_test.go `TestEvictAtLeastOne`: a tolerance that truncates to
    /// 0 still lets one pod go while all configured pods run (here 1 replica, minReplicas 1).
    #[test]
    fn a_zero_tolerance_evicts_one_pod_at_a_time() {
        let m = cluster(1, 1, "{updateMode: Recreate, minReplicas: 1}", "");
        assert_eq!(evictions_in_a_row(&m, recommended(&m)), 1);
    }

    /// pods_eviction_restriction_test.go `TestEvictEmitEvent` "Pods that can be evicted": pods
    /// of phase Pending may always go, whatever the tolerance (here 4 replicas, 2 of them
    /// unscheduled and none running that could be disrupted).
    #[test]
    fn pending_pods_may_always_be_evicted() {
        let m = cluster(4, 1, "{updateMode: Recreate}", "");
        let mut st = recommended(&m);
        let k = m.kinds_of_group[0][0];
        st.running[k][0] = 1;
        st.pending[0] = 2;
        assert!(enabled(&m, &st, EVICT_RUNNING).is_empty(), "1 running of 4 is below 4 - 2");
        assert_eq!(enabled(&m, &st, EVICT_PENDING).len(), 1);
    }

    /// The Eviction API: a PodDisruptionBudget that allows no disruption refuses the
    /// updater's evictions.
    #[test]
    fn a_pod_disruption_budget_refuses_the_eviction() {
        let pdb = "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  minAvailable: 3\n  selector: {matchLabels: {app: web}}\n";
        let m = cluster(3, 1, "{updateMode: Recreate}", pdb);
        assert_eq!(evictions_in_a_row(&m, recommended(&m)), 0);
        let m = cluster(3, 1, "{updateMode: Recreate}", &pdb.replace("minAvailable: 3", "minAvailable: 2"));
        assert_eq!(evictions_in_a_row(&m, recommended(&m)), 1);
    }

    /// Initial and Off: no updater steps (Off has no recommender steps either).
    #[test]
    fn initial_and_off_evict_nothing() {
        let m = cluster(3, 1, "{updateMode: Initial}", "");
        let mut labels = Vec::new();
        Controller::<Concrete>::steps(&Updater, &m, 0, &mut labels);
        assert!(labels.is_empty());
        Controller::<Concrete>::steps(&Recommender, &m, 0, &mut labels);
        assert_eq!(labels.len(), 1);
        let m = cluster(3, 1, "{updateMode: \"Off\"}", "");
        assert_eq!(m.ir.deployments[0].revisions.len(), 1, "Off adds no revision");
        let mut labels = Vec::new();
        Controller::<Concrete>::steps(&Recommender, &m, 0, &mut labels);
        Controller::<Concrete>::steps(&Updater, &m, 0, &mut labels);
        assert!(labels.is_empty());
    }

    /// InPlaceOrRecreate: a running pod is resized where its node has room, keeping its node
    /// and usage; where it has none, only eviction is left.
    #[test]
    fn in_place_resize_needs_room_on_the_node() {
        let m = cluster(3, 1, "{updateMode: InPlaceOrRecreate}", "");
        let st = recommended(&m);
        let resizes = enabled(&m, &st, RESIZE);
        assert_eq!(resizes.len(), 1);
        let after = Controller::<Concrete>::update(&Updater, &Concrete, &m, &resizes[0], &st);
        let new_group = m.ir.deployments[0].revisions[1].index();
        assert_eq!(running_of_group(&Concrete, &m, &after, new_group, 0), 1);
        assert_eq!(after.terminating[0][0], 0, "nothing restarts");
        // Raise the recommendation beyond what the node holds beside the other pods.
        let big = "  bounds: {steps: 10}\n";
        let mut m = cluster(3, 1, "{updateMode: InPlaceOrRecreate}", big);
        let g = m.ir.deployments[0].revisions[1].index();
        m.ir.groups[g].requests.cpu_milli = 63_000;
        assert!(enabled(&m, &st, RESIZE).is_empty());
        assert!(!enabled(&m, &st, EVICT_RUNNING).is_empty());
    }

    /// The ReplicaSet replaces an evicted pod in the current revision: the admission
    /// controller gives it the recommendation's requests.
    #[test]
    fn a_replacement_gets_the_recommended_requests() {
        use crate::model::controllers::deployment::{surplus, DeploymentController};
        let m = cluster(3, 1, "{updateMode: Recreate}", "");
        let st = evict(&m, &recommended(&m)).expect("an eviction");
        let new_group = m.ir.deployments[0].revisions[1].index();
        assert_eq!(surplus(&Concrete, &m, &st, new_group), -1, "the current revision misses one pod");
        assert_eq!(surplus(&Concrete, &m, &st, 0), 0, "the outdated pods are not rolled out");
        let mut labels = Vec::new();
        Controller::<Concrete>::steps(&DeploymentController, &m, 0, &mut labels);
        let create = labels.iter().find(|s| s.a as usize == new_group && s.op == 0).expect("a create label");
        assert!(Controller::<Concrete>::guard(&DeploymentController, &Concrete, &m, create, &st));
        let after = Controller::<Concrete>::update(&DeploymentController, &Concrete, &m, create, &st);
        assert_eq!(after.pending[new_group], 1);
    }
}
