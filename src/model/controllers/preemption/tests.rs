//! DefaultPreemption on small clusters, translated from upstream's unit tests
//! (`pkg/scheduler/framework/plugins/defaultpreemption/default_preemption_test.go`), with
//! upstream's sizes: nodes of 500m and 500 bytes (`veryLargeRes`), pods of 100/200/300/500
//! (`smallRes`, `mediumRes`, `largeRes`, `veryLargeRes`), priorities -100 (neg), 0 (low), 100
//! (mid), 1000 (high), 10000 (very high). Each upstream pod is a pod of a Deployment of its
//! size and priority; where two such Deployments share a priority, upstream orders their
//! victims by start time and kbmc explores every order of the two (see
//! `equal_priorities_go_in_every_order`).

use super::*;
use crate::model::testkit::deployment;

const CLASSES: &str = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: neg}\nvalue: -100\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: low}\nvalue: 0\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: mid}\nvalue: 100\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: veryhigh}\nvalue: 10000\n---\n";

fn size(s: &str) -> &'static str {
    match s {
        "small" => "100",
        "medium" => "200",
        "large" => "300",
        _ => "500",
    }
}

/// A model built with or without `--allow-unmodeled`, or the build's errors.
fn build(yaml: &str, allow_unmodeled: bool) -> Result<Model, String> {
    let mut inputs = crate::manifest::Inputs::default();
    let mut errors = Vec::new();
    let opts = crate::manifest::LoadOptions { allow_unmodeled };
    crate::manifest::load_text(std::path::Path::new("t.yaml"), yaml, opts, &mut inputs, &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    crate::ir::build(&inputs, crate::ir::BuildOptions { allow_unmodeled })
        .map(|(ir, _)| Model::new(&ir))
        .map_err(|e| e.to_string())
}

/// A cluster of `nodes` nodes of 500m / 500 bytes with, per running workload `(size,
/// priority class, node counts)`, a Deployment placed so, and a preemptor Deployment `p` of
/// `pod = (size, class)` with one pod pending. `extra` is more manifests.
fn cluster(
    nodes: usize,
    pod: (&str, &str),
    running: &[(&str, &str, &[i64])],
    extra: &str,
) -> (Model, ClusterState<Concrete>) {
    let mut yaml = String::from(CLASSES);
    yaml.push_str(extra);
    let r = size(pod.0);
    yaml.push_str(&deployment("p", 1, &format!("{r}m"), r, &format!("priorityClassName: {}", pod.1)));
    let mut workloads = Vec::new();
    for (i, (sz, class, counts)) in running.iter().enumerate() {
        let r = size(sz);
        let name = format!("w{i}-{sz}-{class}");
        yaml.push_str(&deployment(
            &name,
            counts.iter().sum(),
            &format!("{r}m"),
            r,
            &format!("priorityClassName: {class}"),
        ));
        let placed: Vec<String> = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(n, c)| format!("{{node: node-{n}, count: {c}}}"))
            .collect();
        workloads.push(format!("{{deployment: {name}, placement: [{}]}}", placed.join(", ")));
    }
    yaml.push_str(&format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: node, count: {nodes}, capacity: {{cpu: 500m, memory: \"500\"}}}}]\n  workloads: [{}]\n  controllers: {{deployment: false}}\n", workloads.join(", ")));
    let m = build(&yaml, true).unwrap_or_else(|e| panic!("{e}"));
    let mut st = m.initial_state(&[nodes as i64]);
    st.pending[0] = 1;
    (m, st)
}

/// The nodes the pending preemptor (group 0, no nomination) may preempt on.
fn targets(m: &Model, st: &ClusterState<Concrete>) -> Vec<String> {
    enabled(m, st, PREEMPT)
        .into_iter()
        .filter(|s| s.a == 0 && s.v == 0)
        .map(|s| m.node_name(s.b as usize).to_string())
        .collect()
}

fn enabled(m: &Model, st: &ClusterState<Concrete>, op: u8) -> Vec<Step> {
    let reg = crate::model::registry::<Concrete>();
    crate::model::all_steps(m, &reg)
        .into_iter()
        .filter(|s| reg[s.actor as usize].name() == "preemption" && s.op == op)
        .filter(|s| reg[s.actor as usize].guard(&Concrete, m, s, st))
        .collect()
}

/// The scheduler's enabled binds: (group, node name).
fn binds(m: &Model, st: &ClusterState<Concrete>) -> Vec<(usize, String)> {
    let reg = crate::model::registry::<Concrete>();
    crate::model::all_steps(m, &reg)
        .into_iter()
        .filter(|s| reg[s.actor as usize].name() == "scheduler" && reg[s.actor as usize].guard(&Concrete, m, s, st))
        .map(|s| (s.a as usize, m.node_name(s.b as usize).to_string()))
        .collect()
}

/// Victims per Deployment name on `node` for the preemptor.
fn victims(m: &Model, st: &ClusterState<Concrete>, node: usize) -> (Vec<(String, i64)>, i64) {
    let c = &select_victims(&Concrete, m, st, 0, None, lower(m, 0))[node];
    let v = (0..m.ir.groups.len()).filter(|&h| c.victims[h] > 0).map(|h| (m.group_name(h), c.victims[h])).collect();
    (v, c.violations)
}

/// TestPickOneNodeForPreemption "No node needs preemption" and "a pod that fits on a machine
/// with no preemption": a pod that fits is bound, and no preemption is tried.
#[test]
fn a_pod_that_fits_preempts_nothing() {
    let (m, st) = cluster(1, ("large", "high"), &[("small", "mid", &[1])], "");
    assert!(m.preempts);
    assert!(targets(&m, &st).is_empty());
    assert_eq!(binds(&m, &st), vec![(0, "node-0".to_string())]);
    let (m, st) = cluster(3, ("large", "high"), &[("large", "mid", &[1, 1, 0])], "");
    assert!(targets(&m, &st).is_empty());
    assert_eq!(binds(&m, &st), vec![(0, "node-2".to_string())]);
}

/// TestPickOneNodeForPreemption "a pod that fits on both machines when lower priority pods
/// are preempted": either node (upstream's tie goes by start time, then list order).
#[test]
fn ties_are_every_candidate() {
    let (m, st) = cluster(2, ("large", "high"), &[("large", "mid", &[1, 1])], "");
    assert!(binds(&m, &st).is_empty());
    assert_eq!(targets(&m, &st), vec!["node-0", "node-1"]);
}

/// TestPickOneNodeForPreemption "machine with min highest priority pod is picked".
#[test]
fn the_node_with_the_lowest_highest_victim_priority_is_picked() {
    let (m, st) = cluster(
        3,
        ("verylarge", "high"),
        &[("medium", "mid", &[1, 1, 0]), ("large", "mid", &[1, 0, 0]), ("medium", "low", &[0, 1, 2])],
        "",
    );
    assert_eq!(targets(&m, &st), vec!["node-2"]);
}

/// TestPickOneNodeForPreemption "when highest priorities are the same, minimum sum of
/// priorities is picked".
#[test]
fn the_smallest_sum_of_priorities_is_picked() {
    let (m, st) = cluster(
        3,
        ("verylarge", "high"),
        &[("medium", "mid", &[1, 0, 2]), ("large", "mid", &[1, 1, 0]), ("medium", "low", &[0, 1, 0])],
        "",
    );
    assert_eq!(targets(&m, &st), vec!["node-1"]);
}

/// TestPickOneNodeForPreemption "when highest priority and sum are the same, minimum number
/// of pods is picked" and "sum of adjusted priorities is considered": every victim's priority
/// counts 2^31 more, so fewer victims win before their priorities do.
#[test]
fn priorities_are_summed_with_the_offset() {
    let (m, st) = cluster(
        3,
        ("verylarge", "high"),
        &[
            ("small", "mid", &[2, 0, 0]),
            ("small", "neg", &[2, 0, 1]),
            ("large", "mid", &[0, 1, 0]),
            ("medium", "neg", &[0, 1, 0]),
            ("medium", "mid", &[0, 0, 1]),
            ("small", "low", &[0, 0, 1]),
        ],
        "",
    );
    assert_eq!(targets(&m, &st), vec!["node-1"]);
    let (m, st) = cluster(
        3,
        ("verylarge", "high"),
        &[
            ("small", "mid", &[1, 0, 0]),
            ("small", "neg", &[2, 0, 1]),
            ("large", "mid", &[0, 1, 0]),
            ("medium", "neg", &[0, 1, 0]),
            ("medium", "mid", &[0, 0, 1]),
            ("small", "low", &[0, 0, 1]),
        ],
        "",
    );
    assert_eq!(targets(&m, &st), vec!["node-1"]);
}

/// TestSelectCandidate / dry run "a pod that would fit on the nodes, but other pods running
/// are higher priority, no preemption would happen": nothing below the pod.
#[test]
fn no_lower_priority_no_preemption() {
    let (m, st) = cluster(2, ("large", "low"), &[("large", "mid", &[1, 1])], "");
    assert!(targets(&m, &st).is_empty() && binds(&m, &st).is_empty());
}

/// Dry run "medium priority pod is preempted, but lower priority one stays as it is small":
/// on node1 the mid pod goes and the low one is reprieved; node2 loses its mid pod; the two
/// tie.
#[test]
fn a_small_lower_priority_pod_is_reprieved() {
    let (m, st) = cluster(2, ("large", "high"), &[("small", "low", &[1, 0]), ("large", "mid", &[1, 1])], "");
    assert_eq!(victims(&m, &st, 0), (vec![("w1-large-mid".to_string(), 1)], 0));
    assert_eq!(victims(&m, &st, 1), (vec![("w1-large-mid".to_string(), 1)], 0));
    assert_eq!(targets(&m, &st), vec!["node-0", "node-1"]);
}

/// Dry run "mixed priority pods are preempted": the high pod on node1 is no victim (equal
/// priority), the small mid pod is reprieved, the low and the medium mid pod go; node2 holds
/// only a pod of the preemptor's priority and is no candidate.
#[test]
fn mixed_priority_pods_are_preempted() {
    let (m, st) = cluster(
        2,
        ("large", "high"),
        &[
            ("small", "mid", &[1, 0]),
            ("small", "low", &[1, 0]),
            ("medium", "mid", &[1, 0]),
            ("small", "high", &[1, 0]),
            ("large", "high", &[0, 1]),
        ],
        "",
    );
    let (v, _) = victims(&m, &st, 0);
    assert_eq!(v, vec![("w1-small-low".to_string(), 1), ("w2-medium-mid".to_string(), 1)]);
    assert_eq!(targets(&m, &st), vec!["node-0"]);
}

/// Dry run "preemption with violation of same pdb": two mid pods under a budget that allows
/// one disruption both go, one of them violating it.
#[test]
fn a_budget_is_violated_when_it_must_be() {
    let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: pdb}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: w0-medium-mid}}}\n---\n";
    let (m, st) = cluster(1, ("verylarge", "high"), &[("medium", "mid", &[2])], pdb);
    assert_eq!(victims(&m, &st, 0), (vec![("w0-medium-mid".to_string(), 2)], 1));
    assert_eq!(targets(&m, &st), vec!["node-0"]);
}

/// pickOneNodeForPreemption's first criterion: of two nodes that each need one mid victim,
/// the one whose victim its budget lets go is picked.
#[test]
fn fewest_budget_violations_first() {
    let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: pdb}\nspec: {minAvailable: 1, selector: {matchLabels: {app: w0-large-mid}}}\n---\n";
    let (m, st) = cluster(2, ("large", "high"), &[("large", "mid", &[1, 0]), ("large", "low", &[0, 1])], pdb);
    assert_eq!(victims(&m, &st, 0).1, 1, "the budget allows no disruption of the only mid pod");
    assert_eq!(victims(&m, &st, 1).1, 0);
    assert_eq!(targets(&m, &st), vec!["node-1"]);
}

/// After a preemption: the victim is deleted in a step of its own, the preemptor is
/// nominated to the node, a pod of lower priority does not take the room it holds, and the
/// nominated pod is bound there once the victim has stopped. While the victim terminates the
/// nominated pod does not preempt again (PodEligibleToPreemptOthers "preemption victim pod
/// terminating, as indicated by the dedicated DisruptionTarget condition").
#[test]
fn the_nominated_pod_keeps_its_room() {
    let (m, st) = cluster(1, ("large", "high"), &[("large", "mid", &[1]), ("large", "low", &[0])], "");
    let reg = crate::model::registry::<Concrete>();
    let step = |st: &ClusterState<Concrete>, op: u8| -> Step {
        *enabled(&m, st, op).first().unwrap_or_else(|| panic!("no step {op} enabled in {st:?}"))
    };
    let act = |st: &ClusterState<Concrete>, s: Step| reg[s.actor as usize].update(&Concrete, &m, &s, st);
    let st = act(&st, step(&st, PREEMPT));
    assert_eq!((st.nominated[0][0], st.preempting[1][0]), (1, 1));
    // The victim runs: it is deleted as a running pod.
    assert!(enabled(&m, &st, DELETE_BOUND).is_empty());
    let st = act(&st, step(&st, DELETE_RUNNING));
    assert_eq!((st.terminating[1][0], st.preempted[1][0], st.preempting[1][0]), (1, 1, 0));
    assert!(targets(&m, &st).is_empty() && enabled(&m, &st, PREEMPT).is_empty(), "its victim is terminating");
    // The victim stops; a low pod arrives: it must not take the nominated pod's room.
    let mut st = st;
    (st.terminating[1][0], st.preempted[1][0]) = (0, 0);
    st.pending[2] = 1;
    assert!(binds(&m, &st).iter().all(|(g, _)| *g != 2), "the low pod sees the nominated pod's requests");
    let bound = enabled(&m, &st, BIND_NOMINATED);
    assert_eq!(bound.iter().map(|s| (s.a, s.b, s.v)).collect::<Vec<_>>(), vec![(0, 0, 0)]);
    let st = act(&st, bound[0]);
    assert_eq!((st.nominated[0][0], st.pending[0], st.bound[0][0]), (0, 0, 1));
}

/// A preemptor is not tried again while its preemption still has victims to delete: not to
/// preempt on another node, nor to clear or use its nomination (preemption.go
/// `prepareCandidate` deletes them before the post-filter returns; with asynchronous
/// preemption DefaultPreemption's `PreEnqueue` holds the pod while `IsPodRunningPreemption`:
/// "waiting for the preemption for this pod to be finished"). Two
/// nodes, each with one mid pod in the way: the high pod preempts on one of them, and does not
/// move its nomination to the other before its victim is deleted (where the other node's mid
/// pod would die too, and the first victim's replacement could take the room the first
/// preemption freed: a preemption cycle upstream never runs).
#[test]
fn a_preemptor_waits_for_its_victims_deletion() {
    let (m, st) = cluster(2, ("large", "high"), &[("large", "mid", &[1, 1])], "");
    let reg = crate::model::registry::<Concrete>();
    let act = |st: &ClusterState<Concrete>, s: Step| reg[s.actor as usize].update(&Concrete, &m, &s, st);
    assert_eq!(targets(&m, &st), vec!["node-0", "node-1"], "tied");
    let first = *enabled(&m, &st, PREEMPT).iter().find(|s| s.b == 0).expect("a preemption on node-0");
    let st = act(&st, first);
    assert_eq!((st.nominated[0][0], st.preempting[1][0]), (1, 1));
    for op in [PREEMPT, CLEAR, BIND_NOMINATED] {
        let e = enabled(&m, &st, op);
        assert!(e.iter().all(|s| s.a != 0), "op {op} of the preemptor while its victim waits: {e:?}");
    }
    // Its victim deleted, it terminates on the nominated node: still no second preemption.
    let del = *enabled(&m, &st, DELETE_RUNNING).first().expect("the victim's deletion");
    let st = act(&st, del);
    assert_eq!((st.terminating[1][0], st.preempted[1][0], st.preempting[1][0]), (1, 1, 0));
    assert!(enabled(&m, &st, PREEMPT).is_empty(), "its victim is terminating");
    // Once it has stopped the pod is bound where it was nominated.
    let mut st = st;
    (st.terminating[1][0], st.preempted[1][0]) = (0, 0);
    let bound = enabled(&m, &st, BIND_NOMINATED);
    assert_eq!(bound.iter().map(|s| (s.a, s.b, s.v)).collect::<Vec<_>>(), vec![(0, 0, 0)]);
    // With a second pod nominated to the node kbmc cannot tell whose the victims are: both
    // may be tried.
    let mut two = act(&cluster(2, ("large", "high"), &[("large", "mid", &[1, 1])], "").1, first);
    two.pending[0] = 2;
    two.nominated[0][0] = 2;
    assert!(!enabled(&m, &two, PREEMPT).is_empty());
}

/// default_preemption_test.go `TestPodEligibleToPreemptOthers`, on one node of 500m / 500
/// bytes: the high pod (300) is nominated to node-0, where a mid pod (300) runs and a low pod
/// (300) terminates, so it fits nowhere and preempting both would make room. Upstream's
/// `podTerminatingByPreemption` tells the low pod apart by its DisruptionTarget condition;
/// kbmc by `ClusterState::preempted`.
#[test]
fn only_a_pod_a_preemption_deleted_holds_the_nominated_pod() {
    let (m, mut st) = cluster(1, ("large", "high"), &[("large", "mid", &[1]), ("large", "low", &[0])], "");
    st.nominated[0][0] = 1;
    st.terminating[2][0] = 1;
    let again = |st: &ClusterState<Concrete>| enabled(&m, st, PREEMPT).iter().any(|s| s.a == 0 && s.b == 0);
    // "non-victim Pods terminating": the low pod was deleted by something else.
    assert!(eligible(&Concrete, &m, &st, 0, Some(0)));
    assert!(again(&st), "it preempts again on its nominated node");
    // "preemption victim pod terminating, as indicated by the dedicated DisruptionTarget
    // condition": a preemption deleted it.
    st.preempted[2][0] = 1;
    assert!(!eligible(&Concrete, &m, &st, 0, Some(0)));
    assert!(!again(&st) && enabled(&m, &st, CLEAR).is_empty(), "it waits for the victim");
    // "Pod with nominated node": its nominated node UnschedulableAndUnresolvable for it (here
    // cordoned: NodeUnschedulable), it is eligible whatever terminates there.
    let mut cordoned = st.clone();
    cordoned.cordoned[0] = true;
    assert!(eligible(&Concrete, &m, &cordoned, 0, Some(0)));
    // "Pod without nominated node": eligible.
    assert!(eligible(&Concrete, &m, &st, 0, None));
    // A victim of a higher priority than the pod's does not count (`PodPriority(p) <
    // podPriority`): the same low pod, seen from a preemptor below it, holds nothing.
    let (m2, mut st2) = cluster(1, ("large", "low"), &[("large", "veryhigh", &[0]), ("large", "neg", &[1])], "");
    st2.nominated[0][0] = 1;
    (st2.terminating[1][0], st2.preempted[1][0]) = (1, 1);
    assert!(eligible(&Concrete, &m2, &st2, 0, Some(0)));
    st2.preempted[2][0] = 1;
    st2.terminating[2][0] += 1;
    assert!(!eligible(&Concrete, &m2, &st2, 0, Some(0)));
}

/// The kubelet stops a node's terminating pods all at once or one at a time; one at a time,
/// the one that goes is one a preemption deleted or another (grace periods decide upstream):
/// both are successors, and `preempted` never exceeds `terminating`.
#[test]
fn a_stop_takes_a_preempted_pod_or_another() {
    let (m, mut st) = cluster(1, ("large", "high"), &[("small", "mid", &[0]), ("small", "low", &[0])], "");
    st.pending[0] = 1;
    (st.terminating[1][0], st.preempted[1][0]) = (3, 1);
    let reg = crate::model::registry::<Concrete>();
    let stops = |st: &ClusterState<Concrete>| -> std::collections::BTreeSet<(i64, i64)> {
        crate::model::all_steps(&m, &reg)
            .into_iter()
            .filter(|s| reg[s.actor as usize].name() == "kubelet" && s.a == 1 && s.b == 0)
            .filter(|s| reg[s.actor as usize].guard(&Concrete, &m, s, st))
            .map(|s| reg[s.actor as usize].update(&Concrete, &m, &s, st))
            .map(|nx| (nx.terminating[1][0], nx.preempted[1][0]))
            .collect()
    };
    assert_eq!(stops(&st), [(0, 0), (2, 1), (2, 0)].into_iter().collect());
    // Every terminating pod a preemption's: one of them goes.
    st.preempted[1][0] = 3;
    assert_eq!(stops(&st), [(0, 0), (2, 2)].into_iter().collect());
    // None: as without preemption.
    st.preempted[1][0] = 0;
    assert_eq!(stops(&st), [(0, 0), (2, 0)].into_iter().collect());
}

/// A snapshot's terminating pod a preemption deleted (`ir::PodPhase::Preempted`: its
/// DisruptionTarget condition says PreemptionByScheduler) starts among `preempted` and holds a
/// pod nominated to its node; another terminating pod starts only among `terminating`.
#[test]
fn a_snapshot_pod_a_preemption_deleted_starts_preempted() {
    let (m, _) = cluster(1, ("large", "high"), &[("large", "mid", &[1]), ("large", "low", &[0])], "");
    let start = |phase: crate::ir::PodPhase| {
        let mut ir = m.ir.clone();
        let (group, node) = (crate::ir::GroupId(2), Some(crate::ir::NodeId(0)));
        ir.initial_pods.push(crate::ir::InitialPods { group, node, phase, count: 1 });
        let m = Model::new(&ir);
        let mut st = m.initial_state(&[1]);
        (st.pending[0], st.nominated[0][0]) = (1, 1);
        ((st.terminating[2][0], st.preempted[2][0]), eligible(&Concrete, &m, &st, 0, Some(0)))
    };
    assert_eq!(start(crate::ir::PodPhase::Preempted), ((1, 1), false));
    assert_eq!(start(crate::ir::PodPhase::Terminating), ((1, 0), true));
}

/// PodEligibleToPreemptOthers "Pod with 'PreemptNever' preemption policy": a pod whose class
/// says Never stays pending where it would otherwise preempt.
#[test]
fn preemption_policy_never_preempts_nothing() {
    let never = "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high-never}\nvalue: 1000\npreemptionPolicy: Never\n---\n";
    let (m, st) = cluster(1, ("large", "high-never"), &[("large", "mid", &[1])], never);
    assert!(!m.preempts, "nothing may preempt");
    assert!(targets(&m, &st).is_empty() && binds(&m, &st).is_empty());
}

/// A nominated pod that fits nowhere and finds no candidate loses its nomination
/// (`NewPostFilterResultWithNominatedNode("")`).
#[test]
fn no_candidate_clears_the_nomination() {
    let (m, mut st) = cluster(1, ("large", "high"), &[("large", "mid", &[0]), ("large", "veryhigh", &[1])], "");
    st.nominated[0][0] = 1;
    let cleared = enabled(&m, &st, CLEAR);
    assert_eq!(cleared.len(), 1);
    let reg = crate::model::registry::<Concrete>();
    let after = reg[cleared[0].actor as usize].update(&Concrete, &m, &cleared[0], &st);
    assert_eq!((after.nominated[0][0], after.pending[0]), (0, 1));
}

/// What the build refuses where the scheduler may preempt, and what admission refuses.
#[test]
fn what_preemption_does_not_model_is_refused() {
    let base = |extra_pod: &str, more: &str| {
        format!(
            "{CLASSES}{more}{}{}apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 1, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\n",
            deployment("a", 1, "500m", "1Mi", &format!("priorityClassName: high{extra_pod}")),
            deployment("b", 1, "500m", "1Mi", "priorityClassName: low")
        )
    };
    let e = build(&base("\ntopologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: a}}}]", ""), false).expect_err("refused");
    assert!(e.contains("spec.template.spec.topologySpreadConstraints") && e.contains("preempt"), "{e}");
    let e = build(&base("", "").replace("priorityClassName: low", "priorityClassName: lowest"), false)
        .expect_err("refused");
    assert!(
        e.contains("spec.template.spec.priorityClassName") && e.contains("no PriorityClass with name \"lowest\""),
        "{e}"
    );
    assert!(build(&base("", ""), false).is_ok());
}

/// Victims of one priority go by start time upstream ("mixed priority pods are preempted, pick
/// later StartTime one when priorities are equal"): two mid groups on one node, room for the
/// preemptor and one of them; each order reprieves the first group and sacrifices the other,
/// and both are successors.
#[test]
fn equal_priorities_go_in_every_order() {
    let (m, st) = cluster(1, ("large", "high"), &[("small", "mid", &[1]), ("medium", "mid", &[1])], "");
    // 100 + 200 used, 300 wanted on 500: one of the two must go.
    assert_eq!(orders(&m, 0), vec![vec![1, 2], vec![2, 1]]);
    let victims_in = |order: &[usize]| {
        let c = &select_victims(&Concrete, &m, &st, 0, None, order)[0];
        (c.victims[1], c.victims[2])
    };
    assert_eq!(victims_in(&[1, 2]), (0, 1), "the small pod is reprieved first, the medium one goes");
    assert_eq!(victims_in(&[2, 1]), (1, 0), "the medium pod is reprieved first, the small one goes");
    let reg = crate::model::registry::<Concrete>();
    let outcomes: std::collections::BTreeSet<(i64, i64)> = enabled(&m, &st, PREEMPT)
        .into_iter()
        .map(|s| reg[s.actor as usize].update(&Concrete, &m, &s, &st))
        .map(|nx| (nx.preempting[1][0], nx.preempting[2][0]))
        .collect();
    assert_eq!(outcomes, [(0, 1), (1, 0)].into_iter().collect());
    assert!(victim_order_matters(&m));
}

/// A DaemonSet `ds` of `(size, class)` pods, among `cluster`'s inputs.
fn daemon_set(pod: (&str, &str)) -> String {
    let r = size(pod.0);
    format!(
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: ds}}\nspec:\n  selector: {{matchLabels: {{app: ds}}}}\n  template:\n    metadata: {{labels: {{app: ds}}}}\n    spec:\n      priorityClassName: {}\n      containers: [{{name: c, image: ds, resources: {{requests: {{cpu: {r}m, memory: \"{r}\"}}}}}}]\n---\n",
        pod.1
    )
}

/// `cluster` with a DaemonSet of `daemon` pods beside the running Deployments, its pods on no
/// node but one pending for node-0, and `p` (500m, priority -100) with no pod pending.
/// Returns the DaemonSet's group too. The Deployments' pods are put into the state after the
/// build (which starts every DaemonSet with its pod running on each node, and refuses a start
/// where that does not fit beside the placed pods).
fn daemon_cluster(
    nodes: usize,
    daemon: (&str, &str),
    running: &[(&str, &str, &[i64])],
) -> (Model, ClusterState<Concrete>, usize) {
    let none: Vec<Vec<i64>> = running.iter().map(|(_, _, c)| vec![0; c.len()]).collect();
    let empty: Vec<(&str, &str, &[i64])> =
        running.iter().zip(&none).map(|((sz, class, _), z)| (*sz, *class, z.as_slice())).collect();
    let (m, mut st) = cluster(nodes, ("verylarge", "neg"), &empty, &daemon_set(daemon));
    for (i, (sz, class, counts)) in running.iter().enumerate() {
        let name = format!("w{i}-{sz}-{class}");
        let d = m.ir.deployments.iter().position(|d| d.name == name).expect("the workload");
        let h = m.ir.deployments[d].revisions[0].index();
        for (n, &c) in counts.iter().enumerate() {
            st.running[m.start_kind[h]][n] = c;
        }
    }
    let g = (0..m.ir.groups.len()).find(|&g| m.daemon_row[g].is_some()).expect("the DaemonSet's group");
    let r = m.daemon_row[g].unwrap();
    st.pending[0] = 0;
    for n in 0..nodes {
        for &k in &m.kinds_of_group[g] {
            st.running[k][n] = 0;
        }
        st.bound[g][n] = 0;
        st.unscheduled[r][n] = (n == 0) as i64;
    }
    (m, st, g)
}

/// The nodes group `g`'s pending pod without a nomination may preempt on.
fn targets_of(m: &Model, st: &ClusterState<Concrete>, g: usize) -> Vec<String> {
    enabled(m, st, PREEMPT)
        .into_iter()
        .filter(|s| s.a as usize == g && s.v < orders(m, g).len() as i64)
        .map(|s| m.node_name(s.b as usize).to_string())
        .collect()
}

/// TestPostFilter "preemption should respect filteredNodesStatuses" and "pod can be made
/// schedulable on one node", for a daemon pod: the DaemonSet controller binds its pod to
/// node-0 by a required node affinity on `metadata.name`
/// (pkg/controller/daemon/util/daemonset_util.go `ReplaceDaemonSetPodNodeNameNodeAffinity`),
/// so node-1 fails NodeAffinity, UnschedulableAndUnresolvable, and is no candidate though a
/// pod of lower priority is all that fills it. A Deployment's pod of the same size and
/// priority would pick node-1 ("pod can be made schedulable on minHighestPriority node").
#[test]
fn a_daemon_pod_preempts_on_its_own_node_only() {
    let running: &[(&str, &str, &[i64])] = &[("verylarge", "mid", &[1, 0]), ("verylarge", "low", &[0, 1])];
    let (m, st, g) = daemon_cluster(2, ("large", "high"), running);
    assert!(m.preempts);
    assert_eq!(targets_of(&m, &st, g), vec!["node-0"]);
    let c = &select_victims(&Concrete, &m, &st, g, None, lower(&m, g))[0];
    let mid = (0..m.ir.groups.len()).find(|&h| m.group_name(h).contains("mid")).unwrap();
    assert_eq!((c.victims[mid], c.count), (1, 1), "the mid pod on node-0");
    // The Deployment preemptor of the same size and priority takes node-1's low pod.
    let (m2, st2) = cluster(2, ("large", "high"), running, "");
    assert_eq!(targets(&m2, &st2), vec!["node-1"]);
    // Nothing pending for node-1: no preemption there, nothing to bind.
    assert!(binds(&m, &st).is_empty());
}

/// TestPostFilter "pod with tied priority is still unschedulable" and "no candidate nodes
/// found, no enough resource after removing low priority pods", for a daemon pod: pods of its
/// own priority are no victims, and removing every pod of lower priority from its node must
/// make room. A nominated daemon pod that finds no candidate loses its nomination.
#[test]
fn a_daemon_pod_without_a_candidate_on_its_node_stays_pending() {
    let (m, st, g) = daemon_cluster(2, ("large", "mid"), &[("verylarge", "mid", &[1, 0])]);
    assert!(m.preempts, "p's class (neg) is lower than mid: the scheduler may preempt");
    assert!(targets_of(&m, &st, g).is_empty(), "tied priority");
    assert!(binds(&m, &st).is_empty(), "node-0 is full and node-1 is not the pod's");
    // A high pod on node-0 takes 300m: removing the low one leaves 200m for a 300m daemon pod.
    let (m, mut st, g) = daemon_cluster(2, ("large", "mid"), &[("large", "high", &[1, 0]), ("medium", "low", &[1, 0])]);
    assert!(targets_of(&m, &st, g).is_empty(), "not enough room after removing low priority pods");
    st.nominated[g][0] = 1;
    let cleared = enabled(&m, &st, CLEAR);
    assert_eq!(cleared.iter().map(|s| (s.a as usize, s.b)).collect::<Vec<_>>(), vec![(g, 0)]);
    let reg = crate::model::registry::<Concrete>();
    let after = reg[cleared[0].actor as usize].update(&Concrete, &m, &cleared[0], &st);
    let r = m.daemon_row[g].unwrap();
    assert_eq!((after.nominated[g][0], after.unscheduled[r][0]), (0, 1));
}

/// The whole preemption for a daemon pod: nominated to its node, its victim deleted, then
/// bound there (`evaluateNominatedNode`); while nominated it holds its room against pods of
/// lower priority (`addNominatedPods`), and it is never bound to another node.
#[test]
fn a_daemon_pod_is_bound_to_its_node_after_its_preemption() {
    let (m, st, g) = daemon_cluster(2, ("large", "high"), &[("verylarge", "mid", &[1, 0])]);
    let reg = crate::model::registry::<Concrete>();
    let act = |st: &ClusterState<Concrete>, s: Step| reg[s.actor as usize].update(&Concrete, &m, &s, st);
    let r = m.daemon_row[g].unwrap();
    let mid = (0..m.ir.groups.len()).find(|&h| m.group_name(h).contains("mid")).unwrap();
    let pre = *enabled(&m, &st, PREEMPT).iter().find(|s| s.a as usize == g).expect("a preemption");
    let st = act(&st, pre);
    assert_eq!((st.nominated[g][0], st.preempting[mid][0], st.unscheduled[r][0]), (1, 1, 1));
    assert!(binds(&m, &st).is_empty() && enabled(&m, &st, PREEMPT).is_empty(), "waits for its victim");
    let st = act(&st, *enabled(&m, &st, DELETE_RUNNING).first().expect("the victim's deletion"));
    let mut st = st;
    st.terminating[mid][0] = 0;
    // A pending pod of p (500m, priority -100) would fit node-0 but for the nominated daemon
    // pod's room: it may go to node-1 only.
    st.pending[0] = 1;
    assert_eq!(binds(&m, &st), vec![(0, "node-1".to_string())], "the nominated daemon pod holds node-0");
    let bound = enabled(&m, &st, BIND_NOMINATED);
    assert_eq!(bound.iter().map(|s| (s.a as usize, s.b, s.v)).collect::<Vec<_>>(), vec![(g, 0, 0)]);
    let st = act(&st, bound[0]);
    assert_eq!((st.nominated[g][0], st.unscheduled[r][0], st.bound[g][0]), (0, 0, 1));
}

/// Daemon pods are preempted like any pod (`SelectVictimsOnNode` takes every pod of lower
/// priority on the node, reprieving from the most important): a high Deployment pod that fits
/// nowhere preempts a low daemon pod and reprieves the mid pod beside it; a daemon pod of
/// system-node-critical priority is no victim of it.
#[test]
fn daemon_pods_are_victims_like_any_pod() {
    let running: &[(&str, &str, &[i64])] = &[("medium", "mid", &[1])];
    // p (large, high) pending; node-0 holds the mid pod (200) and the daemon pod (300).
    let with_daemon = |p: &str, class: &str| {
        let (m, mut st) = cluster(1, (p, "high"), running, &daemon_set(("large", class)));
        let g = (0..m.ir.groups.len()).find(|&h| m.daemon_row[h].is_some()).expect("the DaemonSet's group");
        st.unscheduled[m.daemon_row[g].unwrap()][0] = 0;
        for &k in &m.kinds_of_group[g] {
            st.running[k][0] = 0;
        }
        st.running[m.start_kind[g]][0] = 1;
        (m, st, g)
    };
    let (m, st, g) = with_daemon("large", "low");
    assert_eq!(targets(&m, &st), vec!["node-0"]);
    assert_eq!(victims(&m, &st, 0), (vec![(m.group_name(g), 1)], 0), "the daemon pod goes, the mid pod stays");
    let (m, st, _) = with_daemon("medium", "system-node-critical");
    let mid = (0..m.ir.groups.len()).find(|&h| m.group_name(h).contains("mid")).unwrap();
    assert_eq!(targets(&m, &st), vec!["node-0"]);
    assert_eq!(victims(&m, &st, 0), (vec![(m.group_name(mid), 1)], 0), "only the mid pod");
}
