//! The under-approximations a model still makes: where kbmc's runs may miss a run of real
//! Kubernetes, each one's condition on the model and the intents whose "holds" or "proved" it
//! qualifies. Reports print them with those verdicts ("holds ..., assuming A1, A3"), so that a
//! verdict never claims more than the model covers. docs/modeling/soundness.md
//! lists every deviation with its class; this module names the under-approximations (and the
//! deviations that go both ways) among them. Describes; decides nothing, changes nothing.

use super::controllers::descheduler;
use super::Model;
use crate::ir::{Event, Intent};

/// The assumption of a check made with `--allow-unmodeled`: what it dropped has no effect.
/// Text reports spell it out on every verdict it qualifies.
pub const DROPPED: &str = "dropped-inputs";

/// One assumption a verdict rests on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assumption {
    /// Stable name, also an anchor of docs/modeling/soundness.md: its row's in the table there
    /// (the cluster autoscaler's point on to the table of docs/modeling/cluster-autoscaler.md).
    pub id: &'static str,
    /// What is assumed, in Kubernetes words.
    pub text: &'static str,
    /// Indices (into `ir.intents`) of the intents whose verdicts rest on it.
    pub intents: Vec<usize>,
}

/// Which intents a deviation can mislead.
#[derive(Clone, Copy)]
enum Affects {
    /// Every intent.
    All,
    /// Intents that read how pods are spread or whether pods can be placed, and cycle
    /// intents; not the replica-count intents, for which the missed states lie between two
    /// states kbmc has and are no worse than either (counts move one way along them).
    Placement,
}

impl Affects {
    fn covers(self, i: &Intent) -> bool {
        match self {
            Affects::All => true,
            Affects::Placement => matches!(
                i,
                Intent::PodsBalanced { .. }
                    | Intent::PodAlwaysSchedulable
                    | Intent::NoEvictionCycle { .. }
                    | Intent::NoPreemptionCycle { .. }
                    | Intent::AllPodsEventuallyRun
                    | Intent::DrainCompletes
            ),
        }
    }
}

/// The assumptions `m`'s verdicts rest on, in a fixed order.
pub fn of(m: &Model) -> Vec<Assumption> {
    let ir = &m.ir;
    let c = &ir.controllers;
    let any_event = |f: fn(&Event) -> bool| ir.events.iter().any(f);
    let failures = any_event(|e| matches!(e, Event::NodeFailure { .. } | Event::KernelPanic { .. }));
    // Deployments (not StatefulSets, whose pods kbmc keeps as upstream does on both counts).
    let deployments = ir.deployments.iter().any(|d| d.stateful.is_none());
    // A VerticalPodAutoscaler's request variants are revisions of one ReplicaSet, not a rollout.
    let rollouts = ir
        .deployments
        .iter()
        .enumerate()
        .any(|(i, d)| d.stateful.is_none() && d.revisions.len() > 1 && m.vpa_of[i].is_none());
    let vpa_evicts = ir.vpas.iter().any(|v| v.mode.updates());
    let deschedules = c.descheduler && ir.descheduler.is_some();
    let evictors = deschedules
        || vpa_evicts
        || failures
        || any_event(|e| matches!(e, Event::Maintenance { .. }))
        || (c.taint_eviction && ir.groups.iter().any(|g| g.per_node.iter().any(|p| p.evicted_no_execute)));
    let interleaved = ir.timing == crate::ir::Timing::Interleaved;
    let usage_events = any_event(|e| matches!(e, Event::CpuChange { .. } | Event::CpuPattern { .. }));
    let daemon_rollouts = ir.daemon_sets.iter().any(|s| s.revisions.len() > 1);
    let autoscales = c.cluster_autoscaler && ir.autoscaler.is_some();
    let candidates: [(&'static str, &'static str, bool, Affects); 15] = [
        (
            DROPPED,
            "the objects and fields --allow-unmodeled dropped (the header lists them) have no effect",
            !ir.dropped.is_empty(),
            Affects::All,
        ),
        (
            "replicaset-chosen-evicted",
            "a pod a ReplicaSet sync chose to delete that another controller evicts first (or, under interleaved timing, whose usage changes first) counts as an unchosen pod of its node",
            c.deployment && deployments && m.marks_deletions && (evictors || (interleaved && usage_events)),
            Affects::All,
        ),
        (
            "daemonset-sync",
            "a DaemonSet's rolling update re-counts its allowance before each deletion or creation: a node failing between two steps of one upstream sync keeps the steps that sync had already chosen from happening",
            interleaved && daemon_rollouts && failures,
            Affects::All,
        ),
        (
            "replicaset-targets",
            "during a rollout each ReplicaSet's size follows from live pods, not from its spec.replicas",
            c.deployment && rollouts,
            Affects::All,
        ),
        (
            "descheduler-order",
            "the descheduler breaks ties between nodes and domains in one order per run (index order above 6 nodes), takes tied pod groups group by group (every group order where it matters, up to 720 choices, one per spread constraint for all its domains; index order beyond), counts a pod two spread constraints mark once, and tries no pod past its run's picks after a refusal it did not foresee",
            deschedules
                && (descheduler::order_matters(m)
                    || descheduler::group_order_matters(m)
                    || ir.descheduler.as_ref().is_some_and(|d| d.max_per_node.is_some())
                    || descheduler::unforeseen_refusals_redirect(m)),
            Affects::All,
        ),
        (
            "image-locality",
            "every node holds the same container images (the scheduler's ImageLocality score adds the same to every node)",
            c.scheduler,
            Affects::Placement,
        ),
        (
            "score-precision",
            "the scheduler's scores in exact integer arithmetic where upstream uses floating point (PodTopologySpread's ln(size + 2) weights in thousandths, BalancedAllocation's deviation) make and break the same exact ties",
            c.scheduler && (ir.scheduler.weight_pod_topology_spread > 0 || ir.scheduler.weight_balanced_allocation > 0),
            Affects::Placement,
        ),
        (
            "hpa",
            "an HPA's stabilization window expires whole, its rate policies are measured from the current count, a started pod is ready at once (no CPU initialization period), and its ratios are integer arithmetic",
            c.hpa && !ir.hpas.is_empty(),
            Affects::All,
        ),
        (
            "preemption-victim-order",
            "preemption victims of one priority on a node are reprieved group by group, in every order of their groups up to 24 orders (index order beyond); upstream goes pod by pod in start-time order, which can interleave two groups",
            super::controllers::preemption::victim_order_matters(m),
            Affects::All,
        ),
        (
            "fixed-pods",
            "the snapshot's pods no modelled controller owns (bare pods, pods of Jobs, DaemonSets, StatefulSets ...) stay on their node for the whole run, using what they request: nothing finishes, evicts, deletes or recreates them, and the descheduler neither counts nor evicts them",
            !ir.fixed_pods.is_empty(),
            Affects::All,
        ),
        // The scheduler's volume filters confine a pod with a claim to the nodes its volume
        // can reach (VolumeBinding: a bound PersistentVolume's node affinity, or a
        // WaitForFirstConsumer class's topology; VolumeZone: the volume's zone labels;
        // NodeVolumeLimits: each node's attach limit; VolumeRestrictions: a ReadWriteOncePod
        // claim another pod uses). kbmc takes every claim as bound to a volume any node can
        // reach, so it offers such a pod more nodes than upstream: upstream may place it on a
        // node kbmc's larger feasible set never makes a top scorer, or keep it pending where
        // kbmc places it. Those runs change where pods are (spread, eviction cycles,
        // schedulability), how many run (replica counts, HPA ratios) and what each node
        // carries (kernel panics, the descheduler's utilization): every intent can be misled.
        // Only the scheduler runs these filters (the descheduler's NodeFit checks no volumes).
        // The groups are every template kbmc schedules pods of (Deployments, a snapshot's
        // older ReplicaSets, applyDeployment's revisions); a snapshot's pods of a Deployment
        // have their template's volumes (a pod whose volumes differ is refused). A snapshot's
        // fixed pods with claims never move, and their volumes only constrain pods that have
        // volumes of the filtered kinds themselves: pods with claims, which this names, or
        // with the other such volume sources, which are refused.
        (
            "pvc-unconstrained",
            "a pod's PersistentVolumeClaims leave it free to run on any node: the scheduler's VolumeBinding, VolumeZone, NodeVolumeLimits and VolumeRestrictions filters are not modelled (each claim is taken as bound to a volume every node can reach, with no limit on volumes per node)",
            c.scheduler && ir.groups.iter().any(|g| g.pvc),
            Affects::All,
        ),
        (
            "snapshot-state",
            "the snapshot's Running pods are ready, and each HPA's stabilization window starts empty (as after a controller restart)",
            !ir.initial_pods.is_empty(),
            Affects::All,
        ),
        (
            "autoscaler-drain-held",
            "a pod that reaches a node after the cluster autoscaler tainted it (one tolerating the taint, or placed by spec.nodeName), where another controller deleted a pod of its group the drain was to evict, takes that pod's place in the drain (evicted through the Eviction API, a refusal holding the node's deletion back; upstream deletes the node with it)",
            autoscales && ir.groups.iter().any(|g| g.tolerates_to_be_deleted || g.node_name.is_some()),
            Affects::All,
        ),
        (
            "autoscaler-zone-rebalance",
            "a node of a multi-zone node group stays in the zone the cloud launched it in (AWS's AZRebalance, which launches and terminates instances to even the group's zones out behind the cluster autoscaler, is not modelled)",
            autoscales && ir.pools.iter().any(|p| p.zones.is_some()),
            Affects::All,
        ),
        (
            "autoscaler-pending-pods",
            "under the interleaved timing, the pending pods the cluster autoscaler's snapshot places before a scale-down are, per group, as many as the nodes have room for by resources and static filters (upstream places those the scheduler has marked unschedulable, which kbmc does not keep, one by one with every scheduler filter, groups competing for room in an order kbmc does not track)",
            autoscales && interleaved,
            Affects::All,
        ),
    ];
    candidates
        .into_iter()
        .filter(|&(_, _, applies, _)| applies)
        .map(|(id, text, _, affects)| Assumption {
            id,
            text,
            intents: ir.intents.iter().enumerate().filter(|(_, i)| affects.covers(i)).map(|(k, _)| k).collect(),
        })
        .filter(|a| !a.intents.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::model::testkit::{deployment, model};

    /// A model names only the assumptions its controllers and events make, and each only for
    /// the intents it can mislead.
    #[test]
    fn assumptions_follow_the_model() {
        let spec = |events: &str, intents: &str| {
            format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: a, count: 2, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n  workloads: [{{deployment: web, placement: [{{node: a-0, count: 2}}]}}]\n  events: [{events}]\n  intents: [{intents}]\n")
        };
        let ids = |yaml: &str| -> Vec<(&'static str, Vec<usize>)> {
            let m = model(&format!("{}{yaml}", deployment("web", 2, "1", "1Gi", "")));
            super::of(&m).into_iter().map(|a| (a.id, a.intents)).collect()
        };
        let got = ids(&spec("", "{type: podsBalanced, deployment: web}, {type: replicasMeetMin, deployment: web}"));
        assert_eq!(got, vec![("image-locality", vec![0]), ("score-precision", vec![0])]);
        let got =
            ids(&spec("{type: nodeFailure, budget: 1}", "{type: replicasWithin, deployment: web, min: 1, max: 2}"));
        assert_eq!(got, vec![("replicaset-chosen-evicted", vec![0])]);
    }

    /// A Deployment whose pods mount a PersistentVolumeClaim makes every verdict rest on
    /// `pvc-unconstrained`; one whose pods mount none, or a model without the scheduler, does
    /// not.
    #[test]
    fn claims_qualify_every_intent_where_the_scheduler_places_pods() {
        let spec = |controllers: &str| {
            format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: a, count: 2, capacity: {{cpu: \"8\", memory: 8Gi}}}}]\n{controllers}  intents: [{{type: podsBalanced, deployment: web}}, {{type: replicasMeetMin, deployment: web}}]\n")
        };
        let pvc = "volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]";
        let with = |volumes: &str, controllers: &str| -> Option<Vec<usize>> {
            let m = model(&format!("{}{}", deployment("web", 2, "1", "1Gi", volumes), spec(controllers)));
            super::of(&m).into_iter().find(|a| a.id == "pvc-unconstrained").map(|a| a.intents)
        };
        assert_eq!(with(pvc, ""), Some(vec![0, 1]), "every intent, replica counts included");
        assert_eq!(with("volumes: [{name: scratch, emptyDir: {}}]", ""), None);
        assert_eq!(with("", ""), None);
        assert_eq!(with(pvc, "  controllers: {scheduler: false}\n"), None, "no scheduler, no volume filters");
    }
}
