//! cluster-autoscaler: grows a node group when a pending pod fits no node but would fit a new
//! node of the group, and removes an underutilized node whose pods fit elsewhere, draining it
//! through the Eviction API first. Owns the autoscaler's decisions (which group grows, which
//! node goes, when a drain is given up); the node's arrival after the provisioning delay is
//! the event `events::node_provisioning`, and the drain's evictions are
//! `taint_eviction::QueuedEviction`'s, as a drain's are. Must not evict or move pods itself.
//!
//! Follows kubernetes/autoscaler `cluster-autoscaler/`:
//! - Scale-up, `core/scaleup/orchestrator/orchestrator.go` `ScaleUp`: the unschedulable pods
//!   (pods the scheduler could not place: no node passes its filters) are tried against each
//!   node group's template node (`ComputeExpansionOption`, the scheduler's filters run on the
//!   template); a group below its maximum whose template takes one of them is an option; the
//!   expander (`expander/`) picks one and the group's target size grows. The template is the
//!   pool's node shape (allocatable, labels, taints, never cordoned), and the filters are
//!   kbmc's scheduler's, run on the state with the new node present, Ready and empty.
//!   `balanceSimilarNodeGroups` (`processors/nodegroupset/`
//!   `BalanceScaleUpBetweenGroups`): among similar groups (same allocatable and taints, the same
//!   labels but hostname and zone) that can take the pod, a node goes to one of the smallest.
//! - Template, `processors/nodeinfosprovider/mixed_nodeinfos_processor.go` `Process`: the
//!   template is a node of the group Ready for a minute, else one cached from earlier, else
//!   the cloud provider's template (`Pool::template`, where the spec gives one that differs
//!   from what the nodes register). Which one the autoscaler holds depends on timers and on
//!   the nodes it has seen, so a pod that fits the cloud template is an option too (over).
//! - Expanders: `random` picks uniformly, `priority` by a ConfigMap kbmc does not read: every
//!   option is a successor. `most-pods` and `least-waste` rank the options by the binpacking
//!   estimator's pods and node counts, which kbmc does not estimate: every option is a
//!   successor too (over-approximation: runs upstream's ranking would exclude).
//! - Scale-down eligibility, `core/scaledown/eligibility/eligibility.go`
//!   `unremovableReasonAndNodeUtilization` and `isNodeBelowUtilizationThreshold`: a node is
//!   unneeded when its utilization (`simulator/utilization/info.go` `Calculate`: per resource
//!   the sum of its pods' requests over allocatable, the larger of CPU and memory) is below
//!   `scaleDownUtilizationThreshold`, compared exactly as fractions; the group stays at or
//!   above its minimum (`NodeGroupMinSizeReached`, counting nodes being deleted as gone).
//! - Unneeded time, `core/scaledown/unneeded/nodes.go` `Update` and `RemovableAt`: each loop
//!   the planner (`core/scaledown/planner/planner.go` `UpdateClusterState`) replaces the
//!   unneeded set with the nodes unneeded now, keeping the `since` time of those already in
//!   it; a node goes only once `since + scaleDownUnneededTime` is before now, which takes a
//!   later loop even for a zero time. kbmc has no clock: the check is a step (`MARK`) that sets
//!   the set to the nodes unneeded now, and a removal needs the node in the set and unneeded
//!   still — any positive time may have passed between (over-approximation: checks upstream
//!   would make in between, which could drop the node, may be skipped).
//! - Delay after add, `core/static_autoscaler.go` `RunOnce` and `isScaleDownInCooldown`: a
//!   successful scale-up ends the loop and holds scale-down for `scale-down-delay-after-add`
//!   (the unneeded set is still checked meanwhile). kbmc holds scale-down from a scale-up
//!   until a release step, which may come at any later step (every duration a successor).
//!   The delays after delete and after failure are not held (as if zero: over-approximation).
//! - Upcoming nodes, `clusterstate/clusterstate.go` `GetUpcomingNodes` and `RunOnce`'s
//!   `addUpcomingNodesToClusterSnapshot`: a node asked for and not Ready yet is a template
//!   node in the snapshot before `filterOutSchedulable`, so the pending pods it takes trigger
//!   no second scale-up; registered upcoming nodes are neither scale-down candidates nor pod
//!   destinations. kbmc counts a group's pending pods absorbed when the upcoming nodes whose
//!   template takes them have room for all of them (one in all for pods with topology spread
//!   or required inter-pod (anti-)affinity) and no other group's pending pod could take that
//!   room; otherwise the scale-up stays a successor (upstream packs in an order kbmc does not
//!   track).
//! - Pods that block the removal, `simulator/drainability/rules/` (`GetPodsToMove` in
//!   `simulator/cluster.go`): `safetoevict` (annotation `"true"`: never blocks),
//!   `notsafetoevict` (`"false"`: blocks), `system` (a kube-system pod no
//!   PodDisruptionBudget covers, with `skipNodesWithSystemPods`), `localstorage` (emptyDir or
//!   hostPath, with `skipNodesWithLocalStorage`), `pdb` (a budget that allows fewer
//!   disruptions than the node's pods it covers; a pod two budgets cover cannot be evicted).
//!   Deployment pods always have a controller (`replicated` never blocks them).
//! - Pods can move, `simulator/cluster.go` `SimulateNodeRemoval` and `findPlaceFor`: each pod
//!   must fit some other node (not the removed one, not one being deleted) by the scheduler's
//!   filters. kbmc checks NodeUnschedulable, NodeName, NodeAffinity, VolumeZone (a
//!   StatefulSet's bound volume), TaintToleration and NodeResourcesFit, per pod group (the node's pods of a group fit the others' free room, a
//!   node taking as many as fit) and for all groups together (their requests fit the free room
//!   of the nodes that can take any of them); PodTopologySpread and InterPodAffinity are not
//!   simulated. Upstream places pods one by one in an order kbmc does not track: these are
//!   necessary conditions of some order succeeding (over-approximation: a removal upstream's
//!   simulation would refuse may happen).
//! - Pending pods, `core/podlistprocessor/filter_out_schedulable.go`: before scale-down the
//!   unschedulable pods that fit a node are placed on one in the autoscaler's snapshot, so a
//!   node's removal must find room for those placed on it too. The list holds only pods the
//!   scheduler has marked unschedulable (`utils/kubernetes/listers.go` `isUnschedulable`), and
//!   they are placed with the scheduler's filters. Under the urgent timing the scheduler binds
//!   every pending pod that fits before the autoscaler acts, so none fits an existing node
//!   then (but where a pod placed on an upcoming node raises PodTopologySpread's minimum):
//!   kbmc leaves them out of the removal simulation (over). Under the interleaved timing a
//!   pod that fits may be marked or not yet, which kbmc does not keep: it counts, per group,
//!   as many pending pods as the nodes have room for by resources and static filters, and
//!   asks that they and the node's own pods fit the other nodes (upstream places marked pods
//!   one by one with every filter, pods of several groups competing for room in an order kbmc
//!   does not track: assumption `autoscaler-pending-pods`).
//! - Actuation, `core/scaledown/actuation/actuator.go` `StartDeletion`, `drain.go`: the node is
//!   tainted `ToBeDeletedByClusterAutoscaler:NoSchedule` (`utils/taints/taints.go`
//!   `MarkToBeDeleted`; no cordon, `--cordon-node-before-terminating` being false by default;
//!   kbmc: `cordoned` with the node in the `scaling_down` row). The taint is not
//!   `spec.unschedulable` (`model::node::spec_unschedulable`), and a pod group tolerates it by
//!   its own toleration (`PodGroup::tolerates_to_be_deleted`, read through
//!   `model::node::to_be_deleted_tolerated` by the scheduler's TaintToleration and the
//!   descheduler's taint checks); giving up removes the taint only, a drain's cordon stays.
//!   Its pods are evicted through the Eviction API (`model::disruption`'s check), one step
//!   each; once they are gone the node is deleted. An eviction the API keeps refusing makes
//!   the drain fail after `MaxPodEvictionTime`: the taint is removed (`CleanToBeDeleted`) and
//!   the node stays.
//!   One non-empty node is drained at a time (`--max-drain-parallelism` 1); empty ones go
//!   while another drains.
//!
//! - Multi-zone node groups (`Pool::zones`: one AWS Auto Scaling group over several
//!   Availability Zones): the autoscaler treats a group's nodes as alike, and its template is
//!   a copy of one of them (`MixedTemplateNodeInfoProvider.Process` takes the first good node
//!   of the group in the node lister's order, else a cached node, else the cloud provider's
//!   template, which on AWS is in the group's first zone: `cloudprovider/aws/aws_manager.go`
//!   `getAsgTemplate`, `buildGenericLabels`), so which zone the template is in is not
//!   something kbmc tracks: a scale-up is an option when a pending pod fits a template node in
//!   any zone of the group (over). The cloud picks the new node's zone, not the autoscaler
//!   (`IncreaseSize` only raises the group's desired capacity): `ZoneDistribution::BalancedOnly`
//!   (EC2 Auto Scaling's `balanced-only`) a zone with the fewest nodes of the group, present
//!   or asked for, every tied zone a successor (a failed launch is retried there: the node is
//!   late or never comes); `Balanced` (`balanced-best-effort`, AWS's default) that zone or,
//!   after a failed launch there, another, and launch failures are cloud capacity kbmc does
//!   not track, so every zone is a successor, as under `Any`. The node takes the lowest free
//!   slot of its zone. An upcoming node of such a group is room for
//!   the pods its own zone's template takes (upstream's snapshot copy is the template, in its
//!   zone: where the template takes fewer pods the autoscaler does not plan for them anyway),
//!   and every other group's pending pod may compete for it (over). AWS's AZRebalance is not
//!   modelled (assumption `autoscaler-zone-rebalance`): it terminates an instance with no
//!   drain, a node leaving with its pods, which no kbmc step does, and launches above the
//!   group's maximum.
//!
//! - Unready nodes (`ScaleDownUnreadyEnabled`, upstream's default): a registered node that is
//!   not Ready is a candidate as any other, by the same rules (eligibility.go; only a node the
//!   autoscaler asked for and that has not been Ready yet is not); `RemovableAt` waits
//!   `scaleDownUnreadyTime` for it instead of `scaleDownUnneededTime`, timing either way. Its
//!   evicted pods stay terminating (no kubelet finishes them): the drain may give up
//!   (`waitPodsToDisappear` times out), or the node goes with them, as it does once they are
//!   terminating for longer than their grace period and the planner skips them
//!   (`drain.IsPodLongTerminating`: the node is empty to it); the pod garbage collector
//!   (`gcOrphaned`) removes them with the node. Either at any time (over).
//!
//! - Pods that come after the taint, `actuation/drain.go` `DrainNode`: the drain evicts the pods
//!   the node had when it began and waits for those (`waitPodsToDisappear`); a pod that reaches
//!   the node later (one tolerating the taint, or placed by `spec.nodeName`) goes with the
//!   node (the pod garbage collector's `gcOrphaned`), and may also make the drain give up
//!   (over). kbmc counts pods: the drain's are the queued ones, so where another controller
//!   deleted one of them first, a later pod of the group takes its place in the queue and is
//!   evicted, or held back, through the Eviction API (assumption `autoscaler-drain-held`).
//!
//! Abstracted: new nodes take the lowest free slot of their pool (of their zone), named `<pool>-<i>`.

use super::super::state::{Conditions, JOINING, READY};
use super::super::{disruption, Class, ClusterState, Controller, Model, Step};
use crate::domain::{Concrete, Domain};
use crate::ir::{Range, ZoneDistribution};
use crate::model::framework;
use crate::model::node::{
    active_on, clear_queue_into, disruption_into, pods_on, pool_size_of, queue_into, queued_on, ready,
    running_of_group, scaling_down, slots, upcoming,
};

pub struct ClusterAutoscaler;

/// Grow pool `a` by asking for slot `b`.
const SCALE_UP: u8 = 0;
/// Node `b` is unneeded: taint it and drain it.
const SCALE_DOWN: u8 = 1;
/// Node `b` is drained: delete it.
const DELETE: u8 = 2;
/// The drain of node `b` failed: remove the taint, keep the node.
const ABORT: u8 = 3;
/// The planner's check (`UpdateClusterState`): the unneeded set becomes the nodes unneeded now.
const MARK: u8 = 4;
/// `scale-down-delay-after-add` is over: scale-down may resume.
const RELEASE: u8 = 5;

/// The autoscaled pool of node `n`, with its size range.
fn group_of(m: &Model, n: usize) -> Option<(usize, Range)> {
    let p = m.ir.nodes[n].pool.index();
    m.ir.pools[p].autoscaling.map(|r| (p, r))
}

/// Slot `n` holds no node and none is asked for.
fn free<D: Domain>(d: &D, st: &ClusterState<D>, n: usize) -> D::Bool {
    d.and(&d.not(&st.present[n]), &d.ne(&st.status[n], &d.int(JOINING)))
}

/// Node `n` is in the autoscaler's unneeded set: found unneeded at one of its checks and at
/// every check since (`unneeded.Nodes`, whose `since` time then runs).
pub fn in_unneeded_set<D: Domain>(d: &D, st: &ClusterState<D>, n: usize) -> D::Bool {
    match st.scaling_down.get(1) {
        Some(row) => d.eq(&row[n], &d.int(1)),
        None => d.bool(false),
    }
}

/// Scale-down is held after a scale-up (`scale-down-delay-after-add`).
pub fn held<D: Domain>(d: &D, st: &ClusterState<D>) -> D::Bool {
    match st.scale_up_hold.first() {
        Some(h) => d.eq(h, &d.int(1)),
        None => d.bool(false),
    }
}

/// Slot `n` holds a node asked for and not Ready yet, registered or not (upstream's
/// upcoming nodes, `GetUpcomingNodes`).
fn joining<D: Domain>(d: &D, st: &ClusterState<D>, n: usize) -> D::Bool {
    d.eq(&st.status[n], &d.int(JOINING))
}

/// Node `n` is a scale-down candidate: registered and not a node the autoscaler asked for
/// that has not been Ready yet. Ready or not: with `ScaleDownUnreadyEnabled` (upstream's
/// default) the planner checks an unready node as any other (`unremovableReasonAndNodeUtilization`),
/// and only the time it must stay unneeded differs (`scaleDownUnreadyTime`).
fn candidate<D: Domain>(d: &D, st: &ClusterState<D>, n: usize) -> D::Bool {
    d.and(&st.present[n], &d.not(&joining(d, st, n)))
}

/// Every node slot of an autoscaled pool.
fn autoscaled_slots(m: &Model) -> Vec<usize> {
    (0..m.ir.pools.len()).filter(|&p| m.ir.pools[p].autoscaling.is_some()).flat_map(|p| slots(m, p)).collect()
}

/// Pool `p`'s target size: present nodes and upcoming ones.
fn target_size<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: usize) -> D::Int {
    d.sum_of(slots(m, p).map(|n| d.count(&d.or(&st.present[n], &upcoming(d, st, n)))))
}

/// Pool `p`'s size once the deletions in progress are done.
fn size_after_deletions<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: usize) -> D::Int {
    d.sum_of(slots(m, p).map(|n| {
        let staying = d.and(&st.present[n], &d.not(&scaling_down(d, st, n)));
        d.count(&d.or(&staying, &upcoming(d, st, n)))
    }))
}

/// Pods of group `g` the scheduler has to place: pending, and fitting no node now.
fn unschedulable<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    loads: &framework::NodeLoads<D>,
    g: usize,
) -> D::Bool {
    let feas = framework::feasible_with(d, m, st, loads, g);
    d.and(&d.gt(&st.pending[g], &d.int(0)), &d.not(&d.any(feas.iter())))
}

/// The state with a template node of its pool at free slot `n`: present, Ready, not cordoned,
/// empty (a free slot holds no pods).
fn with_template<D: Domain>(d: &D, st: &ClusterState<D>, n: usize) -> ClusterState<D> {
    let mut t = st.clone();
    t.present[n] = d.bool(true);
    t.status[n] = d.int(READY);
    t.cordoned[n] = d.bool(false);
    t
}

/// Per pod group (scheduled by kbmc's scheduler) and node slot: the slot is upcoming and an
/// empty template node there takes a pod of the group (none: no slot can be upcoming).
fn upcoming_takes<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, groups: &[usize]) -> Option<Vec<Vec<D::Bool>>> {
    let js: Vec<usize> =
        autoscaled_slots(m).into_iter().filter(|&j| d.known_bool(&joining(d, st, j)) != Some(false)).collect();
    if js.is_empty() {
        return None;
    }
    let mut out = vec![vec![d.bool(false); m.nodes()]; m.ir.groups.len()];
    for j in js {
        let t = with_template(d, st, j);
        let tloads = framework::NodeLoads::for_filters(d, m, &t);
        for &g in groups {
            out[g][j] = d.and(&joining(d, st, j), &framework::feasible_with(d, m, &t, &tloads, g)[j]);
        }
    }
    Some(out)
}

/// Group `g`'s pending pods all fit the upcoming nodes for sure, as upstream's snapshot packs
/// them there (`addUpcomingNodesToClusterSnapshot`, then `filterOutSchedulable`): room for
/// all of them on the empty templates that take them (one pod in all where PodTopologySpread
/// or required inter-pod (anti-)affinity could keep a second off), and no pending pod of
/// another group could take that room first (upstream packs pods in an order kbmc does not
/// track). Otherwise a scale-up for them stays possible.
fn absorbed<D: Domain>(
    d: &D,
    m: &Model,
    st: &ClusterState<D>,
    takes: &[Vec<D::Bool>],
    groups: &[usize],
    g: usize,
) -> D::Bool {
    let grp = &m.ir.groups[g];
    let fit_on = framework::filter_on(m, "NodeResourcesFit");
    let room = d.sum_of((0..m.nodes()).map(|j| {
        let a = m.ir.nodes[j].allocatable;
        let r = grp.requests;
        let mut k = if fit_on { a.pods } else { m.max_pods };
        if fit_on && r.cpu_milli > 0 {
            k = k.min(a.cpu_milli / r.cpu_milli);
        }
        if fit_on && r.memory > 0 {
            k = k.min(a.memory / r.memory);
        }
        d.ite(&takes[g][j], &d.int(k), &d.int(0))
    }));
    let complex = grp.spread.iter().any(|c| c.hard)
        || !grp.pod_affinity.required.is_empty()
        || !grp.pod_affinity.required_anti.is_empty();
    let room = if complex { d.min(&room, &d.int(1)) } else { room };
    // A multi-zone group's upcoming node is a copy of the autoscaler's template in the
    // snapshot, whose zone kbmc does not track: any other group's pending pod may take it.
    let zoned = m.ir.pools.iter().any(|p| p.zones.is_some());
    let rival_takes = |h: usize| {
        if !zoned {
            return d.any(takes[h].iter());
        }
        d.any_of((0..m.nodes()).map(|j| {
            if m.ir.zone_of_node(j).is_some() {
                joining(d, st, j)
            } else {
                takes[h][j].clone()
            }
        }))
    };
    let rivals =
        d.any_of(groups.iter().filter(|&&h| h != g).map(|&h| d.and(&d.gt(&st.pending[h], &d.int(0)), &rival_takes(h))));
    d.and(&d.le(&st.pending[g], &room), &d.not(&rivals))
}

/// Whether a new node at free slot `n` would take a pod of some group no node takes now
/// and the upcoming nodes do not absorb (`ComputeExpansionOption`): the groups whose pods it
/// would help.
fn helps<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> D::Bool {
    let groups: Vec<usize> = (0..m.ir.groups.len()).filter(|&g| framework::scheduled(m, g)).collect();
    if groups.iter().all(|&g| d.known(&st.pending[g]) == Some(0)) {
        return d.bool(false);
    }
    let loads = framework::NodeLoads::for_filters(d, m, st);
    let t = with_template(d, st, n);
    let tloads = framework::NodeLoads::for_filters(d, m, &t);
    let takes = upcoming_takes(d, m, st, &groups);
    let p = m.ir.nodes[n].pool.index();
    d.any_of(groups.iter().map(|&g| {
        let mut stuck = unschedulable(d, m, st, &loads, g);
        if let Some(takes) = &takes {
            stuck = d.and(&stuck, &d.not(&absorbed(d, m, st, takes, &groups, g)));
        }
        let mut fits = framework::feasible_with(d, m, &t, &tloads, g)[n].clone();
        if fits_cloud_template(m, p, g) {
            fits = d.bool(true);
        }
        d.and(&stuck, &fits)
    }))
}

/// A pod of group `g` fits an empty node as pool `p`'s cloud provider template describes it
/// (`Pool::template`: its labels and taints, the pool's allocatable), by the scheduler's
/// static filters and resources. The autoscaler builds a group's node from that template only
/// while it has no node of the group to copy (`MixedTemplateNodeInfoProvider.Process`: a
/// node Ready for a minute, else a cached one, else the cloud provider's template); which one
/// it has depends on timers and on nodes seen since it started, which kbmc does not track, so
/// the template is an option beside the real shape whenever the spec gives one (over).
fn fits_cloud_template(m: &Model, p: usize, g: usize) -> bool {
    let (Some(node), Some(Some(facts))) = (m.ir.pools[p].template.as_deref(), m.ir.groups[g].per_template.get(p))
    else {
        return false;
    };
    let r = m.ir.groups[g].requests;
    let a = node.allocatable;
    let fit = !framework::filter_on(m, "NodeResourcesFit")
        || (r.cpu_milli <= a.cpu_milli && r.memory <= a.memory && a.pods >= 1);
    (!framework::filter_on(m, "NodeName") || facts.node_name_ok)
        && (!framework::filter_on(m, "NodeAffinity") || facts.affinity_ok)
        && (!framework::filter_on(m, "TaintToleration")
            || !(facts.untolerated_no_schedule || facts.untolerated_no_execute))
        && fit
}

/// The lowest free slot of pool `p` (of its zone, in a multi-zone group), as a condition on
/// slot `n`.
fn lowest_free<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: usize, n: usize) -> D::Bool {
    let zone = m.ir.zone_of_node(n);
    let below =
        slots(m, p).take_while(|&j| j < n).filter(|&j| m.ir.zone_of_node(j) == zone).map(|j| d.not(&free(d, st, j)));
    d.and(&free(d, st, n), &d.all_of(below))
}

/// Nodes of multi-zone group `p` in zone `z`, present or asked for.
fn zone_size<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: usize, z: usize) -> D::Int {
    d.sum_of(
        slots(m, p)
            .filter(|&j| m.ir.zone_of_node(j) == Some(z))
            .map(|j| d.count(&d.or(&st.present[j], &upcoming(d, st, j)))),
    )
}

/// The cloud may launch pool `p`'s new node in the zone of slot `n`: always outside a
/// multi-zone group, under `ZoneDistribution::Any`, and under `Balanced` (best effort: a
/// launch that fails in the balanced zone goes to another, and kbmc does not track the
/// cloud's capacity); under `BalancedOnly`, when no zone of the group has fewer nodes
/// (present or asked for) than that one.
fn zone_allowed<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: usize, n: usize) -> D::Bool {
    let (Some(zones), Some(z)) = (&m.ir.pools[p].zones, m.ir.zone_of_node(n)) else { return d.bool(true) };
    if zones.distribution != ZoneDistribution::BalancedOnly {
        return d.bool(true);
    }
    fewest_in_zone(d, m, st, p, z)
}

/// No zone of multi-zone pool `p` has fewer nodes (present or asked for) than zone `z`: a
/// zone EC2 Auto Scaling's balancing launches in.
fn fewest_in_zone<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: usize, z: usize) -> D::Bool {
    let k = m.ir.pools[p].zones.as_ref().map_or(0, |zs| zs.names.len());
    let here = zone_size(d, m, st, p, z);
    d.all_of((0..k).filter(|&y| y != z).map(|y| d.le(&here, &zone_size(d, m, st, p, y))))
}

/// Whether a new node of pool `p` would help a pending pod, as the autoscaler plans it: a
/// template node at slot `n`; in a multi-zone group, a template in any of its zones (the
/// template is a copy of one of the group's nodes, `MixedTemplateNodeInfoProvider.Process`
/// taking the first good one in an order kbmc does not track, or a cached or the cloud's one),
/// placed at that zone's lowest free slot.
fn helps_group<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, p: usize, n: usize) -> D::Bool {
    if m.ir.pools[p].zones.is_none() {
        return helps(d, m, st, n);
    }
    d.any_of(slots(m, p).map(|j| {
        let first = lowest_free(d, m, st, p, j);
        if d.known_bool(&first) == Some(false) {
            return first;
        }
        d.and(&first, &helps(d, m, st, j))
    }))
}

/// Pools similar to pool `p` for `balanceSimilarNodeGroups` (`IsCloudProviderNodeInfoSimilar`:
/// the same allocatable and taints, the same labels but hostname and zone).
fn similar(m: &Model, p: usize, q: usize) -> bool {
    let (a, b) = (&m.ir.nodes[m.ir.pools[p].first.index()], &m.ir.nodes[m.ir.pools[q].first.index()]);
    let ignored = |k: &crate::ir::LabelKey| {
        let name = &m.ir.labels.keys[k.0 as usize];
        name == "kubernetes.io/hostname" || name == "topology.kubernetes.io/zone"
    };
    let labels = |n: &crate::ir::Node| n.labels.iter().filter(|(k, _)| !ignored(k)).copied().collect::<Vec<_>>();
    p != q
        && m.ir.pools[q].autoscaling.is_some()
        && a.allocatable == b.allocatable
        && a.taints == b.taints
        && labels(a) == labels(b)
}

/// Requests (cpu, memory) of the pods on node `n` that utilization counts: bound and running
/// (a terminating pod's requests count upstream until it is long terminating, a timer: left
/// out, which only lowers utilization) and the snapshot's fixed pods.
fn requested_on<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> (D::Int, D::Int) {
    let fixed = m.ir.nodes[n].fixed;
    let (mut cpu, mut mem) = (d.int(fixed.cpu_milli), d.int(fixed.memory));
    for (g, grp) in m.ir.groups.iter().enumerate() {
        let c = active_on(d, m, st, g, n);
        cpu = d.add(&cpu, &d.mul_const(&c, grp.requests.cpu_milli));
        mem = d.add(&mem, &d.mul_const(&c, grp.requests.memory));
    }
    (cpu, mem)
}

/// Node `n`'s utilization is below the threshold: cpu and memory both (the larger one is).
pub fn underutilized<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> D::Bool {
    let Some(ca) = &m.ir.autoscaler else { return d.bool(false) };
    let (num, den) = ca.threshold;
    let a = m.ir.nodes[n].allocatable;
    let (cpu, mem) = requested_on(d, m, st, n);
    // requested / allocatable < num / den, exactly; a resource with no allocatable has no
    // utilization upstream (an error): the node is not removed.
    let below = |req: &D::Int, alloc: i64| {
        if alloc <= 0 {
            d.bool(false)
        } else {
            d.lt(&d.mul_const(req, den), &d.int(num * alloc))
        }
    };
    d.and(&below(&cpu, a.cpu_milli), &below(&mem, a.memory))
}

/// Whether the autoscaler's drainability rules let a pod of group `g` go, whatever the
/// state (the PodDisruptionBudget rule is asked of the state in [`removable`]).
fn drainable(m: &Model, g: usize) -> bool {
    let Some(ca) = &m.ir.autoscaler else { return false };
    let grp = &m.ir.groups[g];
    match grp.safe_to_evict {
        Some(true) => return true,
        Some(false) => return false,
        None => {}
    }
    // (A DaemonSet beside the autoscaler is refused on input: every group is a workload's.)
    let system = grp.deployment().is_some_and(|d| m.ir.deployments[d.index()].namespace == "kube-system")
        && m.ir.pdbs_of_group(g).is_empty();
    !(ca.skip_nodes_with_system_pods && system || ca.skip_nodes_with_local_storage && grp.local_storage)
}

/// Whether node `n` may go by every rule but its utilization: in an autoscaled pool, a
/// [`candidate`], not already going or drained by kubectl, no pod of it blocked, every pod fits elsewhere
/// (the planner's simulation, `FindNodesToRemove`); with `actuation`, also its group above its
/// minimum (`RemovableAt`'s `verifyMinSize`) and no other non-empty node draining unless this
/// one is empty (`--max-drain-parallelism` 1).
fn removable<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize, actuation: bool) -> D::Bool {
    let Some((p, range)) = group_of(m, n) else { return d.bool(false) };
    let ng = m.ir.groups.len();
    let nn = m.nodes();
    let mut ok = vec![candidate(d, st, n), d.not(&scaling_down(d, st, n)), d.not(&st.draining[n])];
    if actuation {
        ok.push(d.gt(&size_after_deletions(d, m, st, p), &d.int(range.min)));
    }
    let counts: Vec<D::Int> = (0..ng).map(|g| active_on(d, m, st, g, n)).collect();
    // Drainability: statically blocked groups, and the PodDisruptionBudget rule.
    for g in 0..ng {
        if !drainable(m, g) {
            ok.push(d.eq(&counts[g], &d.int(0)));
        } else if m.ir.pdbs_of_group(g).len() > 1 {
            ok.push(d.eq(&running_of_group(d, m, st, g, n), &d.int(0)));
        }
    }
    for (b, pdb) in m.ir.pdbs.iter().enumerate() {
        let covered: Vec<usize> = (0..ng).filter(|&g| pdb.selects[g] && m.ir.pdbs_of_group(g).len() == 1).collect();
        if covered.is_empty() {
            continue;
        }
        let on = d.sum_of(covered.iter().map(|&g| running_of_group(d, m, st, g, n)));
        let allowed = disruption::allowed(d, &disruption::status(d, m, st, b));
        ok.push(d.le(&on, &allowed));
    }
    // Where the pods could go: free room per node, and per group the nodes that take it.
    let reqs = crate::model::node::requested(d, m, st);
    let room: Vec<[D::Int; 3]> = (0..nn)
        .map(|j| {
            let a = m.ir.nodes[j].allocatable;
            let (cpu, mem, pods) = &reqs[j];
            let zero = d.int(0);
            [
                d.max(&d.sub(&d.int(a.cpu_milli), cpu), &zero),
                d.max(&d.sub(&d.int(a.memory), mem), &zero),
                d.max(&d.sub(&d.int(a.pods), pods), &zero),
            ]
        })
        .collect();
    let usable: Vec<D::Bool> =
        (0..nn).map(|j| d.all([ready(d, st, j), d.not(&scaling_down(d, st, j))].iter())).collect();
    // Where a pod of group g may go: usable, not cordoned unless tolerated, static filters.
    let dest = |g: usize, j: usize| -> D::Bool {
        if !static_ok(m, g, j) {
            return d.bool(false);
        }
        let mut ok = usable[j].clone();
        if framework::filter_on(m, "NodeUnschedulable") && !m.ir.groups[g].tolerates_unschedulable {
            ok = d.and(&ok, &d.not(&st.cordoned[j]));
        }
        ok
    };
    // How many pods of group g (at most `cap`) node j has room for.
    let room_for = |g: usize, j: usize, cap: &D::Int| -> D::Int {
        let r = m.ir.groups[g].requests;
        let mut k = cap.clone();
        if framework::filter_on(m, "NodeResourcesFit") {
            k = d.min(&k, &room[j][2]);
            if r.cpu_milli > 0 {
                k = d.min(&k, &d.div_const(&room[j][0], r.cpu_milli));
            }
            if r.memory > 0 {
                k = d.min(&k, &d.div_const(&room[j][1], r.memory));
            }
        }
        k
    };
    // The pods to move: the node's own, and those of the pending pods `filterOutSchedulable`
    // places on it. It takes only pods the scheduler has marked unschedulable and places them
    // with the scheduler's filters. Under the urgent timing the scheduler has bound every pod
    // that fits before the autoscaler acts, so none lands on an existing node (but one a
    // placement on an upcoming node unblocks, PodTopologySpread's minimum rising): they are
    // left out (over). Under the interleaved timing a pod that fits may be marked or not yet,
    // which kbmc does not keep: per group as many as the nodes have room for by resources and
    // static filters, all of which must fit the other nodes (assumption
    // `autoscaler-pending-pods`).
    let counts: Vec<D::Int> = (0..ng)
        .map(|g| {
            if m.ir.timing != crate::ir::Timing::Interleaved
                || !framework::scheduled(m, g)
                || d.known(&st.pending[g]) == Some(0)
            {
                return counts[g].clone();
            }
            let placed = d.sum_of((0..nn).map(|j| d.ite(&dest(g, j), &room_for(g, j, &st.pending[g]), &d.int(0))));
            d.add(&counts[g], &d.min(&st.pending[g], &placed))
        })
        .collect();
    let mut any_dest = vec![d.bool(false); nn];
    for g in 0..ng {
        if d.known(&counts[g]) == Some(0) {
            continue;
        }
        let mut fits = d.int(0);
        for j in (0..nn).filter(|&j| j != n) {
            let to = dest(g, j);
            fits = d.add(&fits, &d.ite(&to, &room_for(g, j, &counts[g]), &d.int(0)));
            let has = d.gt(&counts[g], &d.int(0));
            any_dest[j] = d.or(&any_dest[j], &d.and(&has, &to));
        }
        ok.push(d.ge(&fits, &counts[g]));
    }
    if framework::filter_on(m, "NodeResourcesFit") {
        // All groups together: their requests fit the room of the nodes that take any of them.
        let total = |f: &dyn Fn(&crate::ir::Resources) -> i64| {
            d.sum_of((0..ng).map(|g| d.mul_const(&counts[g], f(&m.ir.groups[g].requests))))
        };
        let need = [total(&|r| r.cpu_milli), total(&|r| r.memory), d.sum(counts.iter())];
        for (i, need) in need.iter().enumerate() {
            let have = d.sum_of((0..nn).map(|j| d.ite(&any_dest[j], &room[j][i], &d.int(0))));
            ok.push(d.le(need, &have));
        }
    }
    if actuation {
        // One non-empty node drains at a time.
        let empty = d.eq(&d.sum(counts.iter()), &d.int(0));
        let others = d.any_of((0..nn).filter(|&j| j != n).map(|j| scaling_down(d, st, j)));
        ok.push(d.or(&empty, &d.not(&others)));
    }
    d.all(ok.iter())
}

/// Node `n` is unneeded now, as the planner finds it (`UpdateClusterState`): underutilized
/// and its pods can go.
pub fn unneeded_now<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> D::Bool {
    let first = d.and(&candidate(d, st, n), &d.not(&scaling_down(d, st, n)));
    if d.known_bool(&first) == Some(false) {
        return first;
    }
    d.all([first, underutilized(d, m, st, n), removable(d, m, st, n, false)].iter())
}

/// The scheduler's static filters for a pod of group `g` on node `j` (NodeName, NodeAffinity
/// with the configuration's addedAffinity, VolumeZone for a StatefulSet's bound volume,
/// TaintToleration), as configured.
fn static_ok(m: &Model, g: usize, j: usize) -> bool {
    let p = &m.ir.groups[g].per_node[j];
    (!framework::filter_on(m, "NodeName") || p.node_name_ok)
        && (!framework::filter_on(m, "VolumeZone") || p.volume_zone_ok)
        && (!framework::filter_on(m, "NodeAffinity") || (p.affinity_ok && m.ir.scheduler.added_affinity_ok[j]))
        && (!framework::filter_on(m, "TaintToleration") || !(p.untolerated_no_schedule || p.untolerated_no_execute))
}

/// Pods still on node `n`: bound, running or terminating.
fn left_on<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> D::Int {
    d.sum_of((0..m.ir.groups.len()).map(|g| d.add(&active_on(d, m, st, g, n), &st.terminating[g][n])))
}

/// Evicted pods that may stay on node `n` for ever: terminating on a node that is not Ready,
/// whose kubelet does not finish them.
fn stranded<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> D::Bool {
    let terminating = d.sum_of((0..m.ir.groups.len()).map(|g| st.terminating[g][n].clone()));
    d.and(&d.not(&ready(d, st, n)), &d.gt(&terminating, &d.int(0)))
}

/// The drain of node `n` cannot finish: a queued eviction the Eviction API refuses, a pod
/// the drain did not ask to evict (it came after the taint, or its eviction was cancelled),
/// or evicted pods that do not go (terminating on a node that is not Ready: `drain.go`
/// `waitPodsToDisappear` gives up after the grace period and its headroom).
fn stuck<D: Domain>(d: &D, m: &Model, st: &ClusterState<D>, n: usize) -> D::Bool {
    let pods = d.any_of((0..m.ir.groups.len()).map(|g| {
        let queued = queued_on(d, m, st, g, n);
        let refused = d.all(
            [
                d.gt(&queued, &d.int(0)),
                d.gt(&running_of_group(d, m, st, g, n), &d.int(0)),
                d.not(&disruption::allows(d, m, st, g, n)),
            ]
            .iter(),
        );
        let unasked = d.gt(&active_on(d, m, st, g, n), &queued);
        d.or(&refused, &unasked)
    }));
    d.or(&pods, &stranded(d, m, st, n))
}

/// Why node `n` is unneeded in `st`, in the autoscaler's words: its utilization against the
/// threshold, and where its pods go.
fn why_unneeded(m: &Model, st: &ClusterState<Concrete>, n: usize) -> String {
    let d = Concrete;
    let a = m.ir.nodes[n].allocatable;
    let (cpu, mem) = requested_on(&d, m, st, n);
    let (num, den) = m.ir.autoscaler.as_ref().map_or((1, 2), |c| c.threshold);
    let pct = |x: i64, y: i64| if y > 0 { x * 100 / y } else { 0 };
    let pods = pods_on(&d, m, st, n);
    format!(
        "utilization {}% (cpu {}m of {}m, memory {}% of allocatable) is below the threshold of {}%{}",
        pct(cpu, a.cpu_milli).max(pct(mem, a.memory)),
        cpu,
        a.cpu_milli,
        pct(mem, a.memory),
        num * 100 / den,
        if pods > 0 {
            format!(
                " and the {} on it {} on other nodes",
                crate::count(pods, "pod", "pods"),
                if pods == 1 { "fits" } else { "fit" }
            )
        } else {
            ", no pods on it".to_string()
        }
    )
}

impl<D: Domain> Controller<D> for ClusterAutoscaler {
    fn name(&self) -> &'static str {
        "cluster-autoscaler"
    }
    fn class(&self) -> Class {
        Class::Periodic
    }
    fn node_conditions_changed(&self) -> Conditions {
        Conditions::PRESENT
            .with(Conditions::STATUS)
            .with(Conditions::CORDONED)
            .with(Conditions::DRAINING)
            .with(Conditions::MAINTAINED)
            .with(Conditions::PANICS)
    }
    fn steps(&self, m: &Model, actor: usize, out: &mut Vec<Step>) {
        if m.ir.autoscaler.is_none() || !m.ir.controllers.cluster_autoscaler {
            return;
        }
        out.push(Step::new(actor, MARK, 0, 0, 0));
        out.push(Step::new(actor, RELEASE, 0, 0, 0));
        for (p, pool) in m.ir.pools.iter().enumerate() {
            if pool.autoscaling.is_none() {
                continue;
            }
            for n in slots(m, p) {
                out.push(Step::new(actor, SCALE_UP, p, n, 0));
                out.push(Step::new(actor, SCALE_DOWN, p, n, 0));
                out.push(Step::new(actor, DELETE, p, n, 0));
                out.push(Step::new(actor, ABORT, p, n, 0));
            }
        }
    }
    fn node_of(&self, s: &Step) -> Option<usize> {
        (s.op != MARK && s.op != RELEASE).then_some(s.b as usize)
    }
    fn guard(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>) -> D::Bool {
        match s.op {
            // The check changes the unneeded set.
            MARK => {
                return d.any_of(
                    autoscaled_slots(m)
                        .into_iter()
                        .map(|n| d.ne(&d.count(&unneeded_now(d, m, st, n)), &st.scaling_down[1][n])),
                )
            }
            RELEASE => return held(d, st),
            _ => {}
        }
        let (p, n) = (s.a as usize, s.b as usize);
        let Some(range) = m.ir.pools[p].autoscaling else { return d.bool(false) };
        match s.op {
            SCALE_UP => {
                let mut first =
                    d.and(&lowest_free(d, m, st, p, n), &d.lt(&target_size(d, m, st, p), &d.int(range.max)));
                if m.ir.pools[p].zones.is_some() {
                    first = d.and(&first, &zone_allowed(d, m, st, p, n));
                }
                if d.known_bool(&first) == Some(false) {
                    return first;
                }
                let mut ok = d.and(&first, &helps_group(d, m, st, p, n));
                let balance = m.ir.autoscaler.as_ref().is_some_and(|a| a.balance_similar_node_groups);
                if balance {
                    // A similar group that is smaller and can take the pod gets the node.
                    for q in (0..m.ir.pools.len()).filter(|&q| similar(m, p, q)) {
                        let qmax = m.ir.pools[q].autoscaling.map_or(0, |r| r.max);
                        let smaller = d.lt(&target_size(d, m, st, q), &target_size(d, m, st, p));
                        let can = d.any_of(slots(m, q).map(|j| {
                            d.all(
                                [
                                    lowest_free(d, m, st, q, j),
                                    d.lt(&target_size(d, m, st, q), &d.int(qmax)),
                                    helps(d, m, st, j),
                                ]
                                .iter(),
                            )
                        }));
                        ok = d.and(&ok, &d.not(&d.and(&smaller, &can)));
                    }
                }
                ok
            }
            SCALE_DOWN => {
                // Unneeded at an earlier check and now (the unneeded time has passed: any
                // positive time may), not held after a scale-up.
                let first = d.all(
                    [
                        in_unneeded_set(d, st, n),
                        d.not(&held(d, st)),
                        candidate(d, st, n),
                        d.not(&scaling_down(d, st, n)),
                    ]
                    .iter(),
                );
                if d.known_bool(&first) == Some(false) {
                    return first;
                }
                d.all([first, underutilized(d, m, st, n), removable(d, m, st, n, true)].iter())
            }
            DELETE => {
                // The drain waits for the pods it was given when it began (`drain.go`
                // `waitPodsToDisappear`: evicted and gone), not for pods that reach the node
                // after the taint: those go with the node. kbmc counts pods: the drain's are
                // the queued ones (and those it evicted, terminating), the active pods beyond
                // the queue came later. On a node that is not Ready, terminating pods may stay:
                // once they have terminated for longer than their grace period (timing) the
                // planner skips them (`drain.IsPodLongTerminating`) and the node goes.
                let queued = d.sum_of((0..m.ir.groups.len()).map(|g| queued_on(d, m, st, g, n)));
                let terminating = d.sum_of((0..m.ir.groups.len()).map(|g| st.terminating[g][n].clone()));
                let left = d.or(&d.eq(&terminating, &d.int(0)), &stranded(d, m, st, n));
                d.all([st.present[n].clone(), scaling_down(d, st, n), d.eq(&queued, &d.int(0)), left].iter())
            }
            _ => d.all([st.present[n].clone(), scaling_down(d, st, n), stuck(d, m, st, n)].iter()),
        }
    }
    fn update_into(&self, d: &D, m: &Model, s: &Step, st: &ClusterState<D>, nx: &mut ClusterState<D>) {
        let n = s.b as usize;
        match s.op {
            MARK => {
                for j in autoscaled_slots(m) {
                    nx.scaling_down[1][j] = d.count(&unneeded_now(d, m, st, j));
                }
            }
            RELEASE => nx.scale_up_hold[0] = d.int(0),
            SCALE_UP => {
                nx.status[n] = d.int(JOINING);
                nx.scale_up_hold[0] = d.int(1);
            }
            SCALE_DOWN => {
                // The ToBeDeletedByClusterAutoscaler taint, then every pod's eviction; the
                // node leaves the unneeded set (a deletion in progress).
                nx.cordoned[n] = d.bool(true);
                nx.scaling_down[0][n] = d.int(1);
                nx.scaling_down[1][n] = d.int(0);
                queue_into(d, m, st, n, |_| true, nx);
            }
            DELETE => {
                // The node object and its machine are gone; the slot is free for a new node.
                nx.present[n] = d.bool(false);
                nx.status[n] = d.int(READY);
                nx.cordoned[n] = d.bool(false);
                nx.maintained[n] = d.bool(false);
                nx.panics[n] = d.int(0);
                nx.scaling_down[0][n] = d.int(0);
                nx.scaling_down[1][n] = d.int(0);
                // A `kubectl drain` of the node ends with it (its pods are gone).
                nx.draining[n] = d.bool(false);
                // Pods still on it (terminating, or come after the taint) are the pod garbage
                // collector's (`gcOrphaned` deletes the pods of a node that no longer exists);
                // their owners replace them.
                for g in 0..m.ir.groups.len() {
                    nx.terminating[g][n] = d.int(0);
                    nx.bound[g][n] = d.int(0);
                    for &k in &m.kinds_of_group[g] {
                        nx.running[k][n] = d.int(0);
                    }
                }
                for row in nx.deleting.iter_mut().chain(nx.evicting.iter_mut()) {
                    row[n] = d.int(0);
                }
                clear_queue_into(d, m, n, &d.bool(true), nx);
                // The last Ready node gone: node lifecycle's master disruption mode.
                disruption_into(d, m, nx);
            }
            _ => {
                // `CleanToBeDeleted` removes the autoscaler's taint only: a drain's cordon
                // (`spec.unschedulable`) stays.
                nx.cordoned[n] = st.draining[n].clone();
                nx.scaling_down[0][n] = d.int(0);
                clear_queue_into(d, m, n, &d.bool(true), nx);
            }
        }
    }
    fn describe(&self, m: &Model, s: &Step, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
        let (p, n) = (s.a as usize, s.b as usize);
        match s.op {
            MARK => describe_mark(m, before, after),
            RELEASE => "scale-down-delay-after-add is over: the cluster autoscaler may remove nodes again".to_string(),
            SCALE_UP => describe_scale_up(m, p, n, before),
            SCALE_DOWN => describe_scale_down(m, p, n, before),
            DELETE => describe_delete(m, p, n, before),
            _ => describe_failed_drain(m, n, before),
        }
    }
}

/// A check of unneeded nodes: the nodes of autoscaled groups it found unneeded, or needed
/// again.
fn describe_mark(m: &Model, before: &ClusterState<Concrete>, after: &ClusterState<Concrete>) -> String {
    let mut parts = Vec::new();
    for j in autoscaled_slots(m) {
        let (was, is) = (before.scaling_down[1][j], after.scaling_down[1][j]);
        let pool = &m.ir.pools[m.ir.nodes[j].pool.index()].name;
        if was == 0 && is == 1 {
            parts.push(format!(
                "{} of node group {pool} is unneeded ({}); scale-down-unneeded-time starts",
                m.node_name(j),
                why_unneeded(m, before, j)
            ));
        } else if was == 1 && is == 0 {
            parts.push(format!("{} of node group {pool} is needed again", m.node_name(j)));
        }
    }
    format!("cluster-autoscaler's check of unneeded nodes: {}", parts.join("; "))
}

/// A scale-up of pool `p` bringing node `n`: the pending pods a new node takes, and where the
/// cloud launches it.
fn describe_scale_up(m: &Model, p: usize, n: usize, before: &ClusterState<Concrete>) -> String {
    let d = Concrete;
    let pool = &m.ir.pools[p];
    let node = m.node_name(n);
    let loads = framework::NodeLoads::for_filters(&d, m, before);
    let stuck: Vec<usize> = (0..m.ir.groups.len())
        .filter(|&g| framework::scheduled(m, g))
        .filter(|&g| unschedulable(&d, m, before, &loads, g))
        .collect();
    // Where the autoscaler's template is: slot n, or in a multi-zone group the
    // lowest free slot of each zone whose template takes a stuck pod.
    let at: Vec<usize> = match &pool.zones {
        None => vec![n],
        Some(_) => slots(m, p).filter(|&j| lowest_free(&d, m, before, p, j) && helps(&d, m, before, j)).collect(),
    };
    let takes_at = |j: usize| {
        let t = with_template(&d, before, j);
        let tloads = framework::NodeLoads::for_filters(&d, m, &t);
        stuck.iter().copied().filter(|&g| framework::feasible_with(&d, m, &t, &tloads, g)[j]).collect::<Vec<_>>()
    };
    let mut real: Vec<usize> = at.iter().flat_map(|&j| takes_at(j)).collect();
    real.sort_unstable();
    real.dedup();
    let (pods, how) = if real.is_empty() {
        let by_template = stuck.iter().copied().filter(|&g| fits_cloud_template(m, p, g));
        (by_template.map(|g| m.group_name(g)).collect::<Vec<_>>(), " by the cloud provider's node template")
    } else {
        (real.iter().map(|&g| m.group_name(g)).collect(), "")
    };
    let size = target_size(&d, m, before, p);
    let (how, landing) = match &pool.zones {
        None => (how.to_string(), format!("{node} is on its way")),
        Some(z) => {
            let zone = |j: usize| z.names[m.ir.zone_of_node(j).unwrap_or(0)].as_str();
            let mut from: Vec<&str> = at.iter().map(|&j| zone(j)).collect();
            from.dedup();
            let rule = match z.distribution {
                ZoneDistribution::BalancedOnly => "a zone with the fewest nodes of the group",
                ZoneDistribution::Balanced => {
                    if fewest_in_zone(&d, m, before, p, m.ir.zone_of_node(n).unwrap_or(0)) {
                        "a zone with the fewest nodes of the group"
                    } else {
                        "after a failed launch in a zone with fewer nodes of the group"
                    }
                }
                ZoneDistribution::Any => "the zone it chooses",
            };
            (
                format!(" (the autoscaler's template of the group: a copy of its node in zone {})", from.join(" or ")),
                format!("the cloud launches {node} in zone {} ({rule})", zone(n)),
            )
        }
    };
    format!(
        "scale-up of node group {} from {} to {} (max {}): a pending pod of {} fits no node but fits a new {} node{how}; {landing}",
        pool.name,
        size,
        size + 1,
        pool.autoscaling.map_or(0, |r| r.max),
        pods.join(", "),
        pool.name
    )
}

/// A scale-down of pool `p` taking node `n`: how long it was unneeded, and whether it is
/// drained.
fn describe_scale_down(m: &Model, p: usize, n: usize, before: &ClusterState<Concrete>) -> String {
    let d = Concrete;
    let node = m.node_name(n);
    let pods = pods_on(&d, m, before, n);
    let time = if before.status[n] == READY {
        "scale-down-unneeded-time"
    } else {
        "scale-down-unready-time, as it is NotReady"
    };
    format!(
        "scale-down of node group {}: {node} has been unneeded since an earlier check, for longer than {time} ({}); tainted ToBeDeletedByClusterAutoscaler:NoSchedule, {}",
        m.ir.pools[p].name,
        why_unneeded(m, before, n),
        if pods > 0 { "drain requested (evictions through the Eviction API)".to_string() } else { "nothing to drain".to_string() }
    )
}

/// The deletion of node `n` of pool `p`: drained or empty to the planner, with the pods that
/// came after the taint.
fn describe_delete(m: &Model, p: usize, n: usize, before: &ClusterState<Concrete>) -> String {
    let d = Concrete;
    let node = m.node_name(n);
    let late: i64 = (0..m.ir.groups.len()).map(|g| active_on(&d, m, before, g, n)).sum();
    let terminating = left_on(&d, m, before, n) - late;
    let how = if terminating > 0 {
        format!(
            "empty to the planner ({} terminating on the NotReady node past the grace period, skipped)",
            crate::count(terminating, "pod", "pods")
        )
    } else {
        "drained".to_string()
    };
    let with = if late > 0 {
        format!(
            "; the {} that came after the taint {} with it (pod garbage collection)",
            crate::count(late, "pod", "pods"),
            if late == 1 { "goes" } else { "go" }
        )
    } else {
        String::new()
    };
    format!(
        "{node} is {how}: deleted from node group {} (now {}){with}",
        m.ir.pools[p].name,
        crate::count(pool_size_of(m, before, p) - 1, "node", "nodes")
    )
}

/// A failed drain of node `n`: why (the disruption budgets that refused, or pods the drain
/// left), and the taint removed.
fn describe_failed_drain(m: &Model, n: usize, before: &ClusterState<Concrete>) -> String {
    let d = Concrete;
    let node = m.node_name(n);
    let why: Vec<String> = (0..m.ir.groups.len())
        .filter(|&g| queued_on(&d, m, before, g, n) > 0 && running_of_group(&d, m, before, g, n) > 0)
        .filter_map(|g| disruption::refusal(m, before, g, n).map(|w| format!("{}: {w}", m.group_name(g))))
        .collect();
    let why = if !why.is_empty() {
        why.join("; ")
    } else if stranded(&d, m, before, n) {
        "evicted pods stay terminating on the NotReady node past the drain's wait".to_string()
    } else {
        "pods not evicted by the drain are on it".to_string()
    };
    format!("the drain of {node} failed ({why}): ToBeDeletedByClusterAutoscaler taint removed, {node} stays")
}

#[cfg(test)]
mod tests;
