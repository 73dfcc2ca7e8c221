//! The DaemonSet controller against upstream's unit tests
//! (pkg/controller/daemon/daemon_controller_test.go, update_test.go): which nodes get a pod,
//! and how many pods each sync of a rollout creates and deletes. Upstream's `expectSyncDaemonSets`
//! counts one sync's creations and deletions; here a sync is the controller's steps taken until
//! none is enabled (each pod one step), `markPodsReady` is the scheduler binding and the kubelet
//! starting every pod, and a deleted pod is gone once the kubelet has stopped it.

use super::*;
use crate::model::testkit::{deployment, model};
use crate::model::{all_steps, registry};

fn daemon_set(strategy: &str, extra_pod_spec: &str, cpu: &str) -> String {
    let extra: String = extra_pod_spec.lines().map(|l| format!("      {l}\n")).collect();
    format!(
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: foo}}\nspec:\n  selector: {{matchLabels: {{app: foo}}}}\n{strategy}  template:\n    metadata: {{labels: {{app: foo}}}}\n    spec:\n      containers: [{{name: c, image: foo/bar, resources: {{requests: {{cpu: \"{cpu}\", memory: 100Mi}}}}}}]\n{extra}---\n"
    )
}

/// Five 4-core nodes (`nodes` lines of pools), a Deployment of no replicas, the DaemonSet, and
/// a rollout of it.
fn cluster(ds: &str, pools: &str) -> Model {
    let spec = format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n{pools}  events: [{{type: rolloutRestart, daemonSet: foo}}]\n");
    model(&format!("{}{ds}{spec}", deployment("web", 0, "1", "1Gi", "")))
}

fn five_nodes() -> &'static str {
    "    - {name: node, count: 5, capacity: {cpu: \"4\", memory: 8Gi}}\n"
}

fn surge(n: &str) -> String {
    format!("  updateStrategy: {{type: RollingUpdate, rollingUpdate: {{maxSurge: {n}, maxUnavailable: 0}}}}\n")
}

fn unavailable(n: &str) -> String {
    format!("  updateStrategy: {{type: RollingUpdate, rollingUpdate: {{maxUnavailable: {n}}}}}\n")
}

/// Takes the enabled steps of the actor named `actor` until none is; returns how many of each
/// op it took.
fn run(m: &Model, st: &mut ClusterState<Concrete>, actor: &str) -> (usize, usize) {
    let reg = registry::<Concrete>();
    let steps: Vec<Step> = all_steps(m, &reg).into_iter().filter(|s| reg[s.actor as usize].name() == actor).collect();
    let (mut ops0, mut ops1) = (0, 0);
    while let Some(s) = steps.iter().find(|s| reg[s.actor as usize].guard(&Concrete, m, s, st)) {
        *st = reg[s.actor as usize].update(&Concrete, m, s, st);
        if s.op == 0 {
            ops0 += 1;
        } else {
            ops1 += 1;
        }
        assert!(ops0 + ops1 < 1000, "{actor} never settles");
    }
    (ops0, ops1)
}

/// One sync: (creations, deletions).
fn sync(m: &Model, st: &mut ClusterState<Concrete>) -> (usize, usize) {
    run(m, st, "daemonset")
}

/// `markPodsReady`: every pending daemon pod bound (where it fits) and every bound pod started.
fn mark_ready(m: &Model, st: &mut ClusterState<Concrete>) {
    run(m, st, "scheduler");
    let k = crate::model::state::READY;
    assert_eq!(st.status.iter().filter(|s| **s != k).count(), 0);
    for g in 0..m.ir.groups.len() {
        for n in 0..m.nodes() {
            let b = std::mem::take(&mut st.bound[g][n]);
            st.running[m.start_kind[g]][n] += b;
        }
    }
}

/// Deleted pods gone: the kubelet has stopped every terminating pod.
fn gone(st: &mut ClusterState<Concrete>) {
    st.terminating.iter_mut().flatten().for_each(|t| *t = 0);
}

fn rolled_out(m: &Model) -> ClusterState<Concrete> {
    let mut st = m.initial_state(&[5]);
    st.daemon_revision[0] = 1;
    st
}

fn pods_of(m: &Model, st: &ClusterState<Concrete>, revision: usize) -> Vec<i64> {
    let g = m.ir.daemon_sets[0].revisions[revision].index();
    let r = m.daemon_row[g].unwrap();
    (0..m.nodes()).map(|n| st.unscheduled[r][n] + st.bound[g][n] + st.running[m.start_kind[g]][n]).collect()
}

/// TestSimpleDaemonSetLaunchesPods / TestOneNodeDaemonLaunchesPod: a pod on every node. kbmc
/// starts a run with them running; taken away, the controller creates one per node.
#[test]
fn simple_daemon_set_launches_pods() {
    let m = cluster(&daemon_set("", "", "100m"), five_nodes());
    let mut st = m.initial_state(&[5]);
    assert_eq!(pods_of(&m, &st, 0), [1; 5]);
    assert_eq!(sync(&m, &mut st), (0, 0));
    let k = m.start_kind[m.ir.daemon_sets[0].revisions[0].index()];
    st.running[k] = vec![0; 5];
    assert_eq!(sync(&m, &mut st), (5, 0));
    assert_eq!(pods_of(&m, &st, 0), [1; 5]);
}

/// TestSelectorDaemonLaunchesPods and TestSelectorDaemonDeletesUnselectedPods: a nodeSelector
/// picks the nodes; TestTaintedNodeDaemonDoesNotLaunchIntolerantPod and
/// TestTaintedNodeDaemonLaunchesToleratePod: a NoSchedule taint keeps the pod off unless
/// tolerated; TestTaintPressureNodeDaemonLaunchPod and TestUnschedulableNodeDaemonDoesLaunchPod:
/// the pressure and unschedulable taints are tolerated by every daemon pod.
#[test]
fn which_nodes_get_a_daemon_pod() {
    let pools = "    - {name: sel, count: 2, labels: {color: blue}, capacity: {cpu: \"4\", memory: 8Gi}}\n    - {name: other, count: 1, capacity: {cpu: \"4\", memory: 8Gi}}\n    - {name: tainted, count: 1, labels: {color: blue}, capacity: {cpu: \"4\", memory: 8Gi}, taints: [{key: dedicated, value: x, effect: NoSchedule}]}\n    - {name: pressure, count: 1, labels: {color: blue}, capacity: {cpu: \"4\", memory: 8Gi}, taints: [{key: node.kubernetes.io/memory-pressure, effect: NoSchedule}, {key: node.kubernetes.io/disk-pressure, effect: NoSchedule}, {key: node.kubernetes.io/pid-pressure, effect: NoSchedule}, {key: node.kubernetes.io/unschedulable, effect: NoSchedule}]}\n";
    let m = cluster(&daemon_set("", "nodeSelector: {color: blue}", "100m"), pools);
    let st = m.initial_state(&[2, 1, 1, 1]);
    assert_eq!(pods_of(&m, &st, 0), [1, 1, 0, 0, 1]);
    let tolerant = daemon_set(
        "",
        "nodeSelector: {color: blue}\ntolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}]",
        "100m",
    );
    let m = cluster(&tolerant, pools);
    let st = m.initial_state(&[2, 1, 1, 1]);
    assert_eq!(pods_of(&m, &st, 0), [1, 1, 0, 1, 1]);
    // A node it should not continue on (an untolerated NoExecute taint): its pod is deleted.
    let m = cluster(
        &daemon_set("", "", "100m"),
        "    - {name: node, count: 1, capacity: {cpu: \"4\", memory: 8Gi}, taints: [{key: k, effect: NoExecute}]}\n",
    );
    let mut st = m.initial_state(&[1]);
    assert_eq!(pods_of(&m, &st, 0), [0]);
    st.running[m.start_kind[m.ir.daemon_sets[0].revisions[0].index()]][0] = 1;
    assert_eq!(sync(&m, &mut st), (0, 1));
}

/// A cordoned node runs its daemon pod (TestUnschedulableNodeDaemonDoesLaunchPod); a NotReady
/// node carries the node lifecycle's not-ready NoSchedule taint, which no daemon pod
/// tolerates: no new pod there, and the one it has continues (the NoExecute taints are
/// tolerated for ever). (Upstream's TestNotReadyNodeDaemonDoesLaunchPod has a NotReady node
/// without that taint, which a cluster with its node lifecycle controller does not have.)
#[test]
fn cordoned_and_not_ready_nodes() {
    let m = cluster(&daemon_set("", "", "100m"), five_nodes());
    let mut st = m.initial_state(&[5]);
    let k = m.start_kind[m.ir.daemon_sets[0].revisions[0].index()];
    st.cordoned[0] = true;
    st.running[k][0] = 0;
    st.status[1] = crate::model::state::NOT_READY;
    st.running[k][1] = 0;
    st.status[2] = crate::model::state::NOT_READY;
    assert_eq!(sync(&m, &mut st), (1, 0));
    assert_eq!(pods_of(&m, &st, 0), [1, 0, 1, 1, 1]);
    // The daemon tolerations: unreachable for ever (no taint eviction), unschedulable.
    let daemon = &m.ir.groups[m.ir.daemon_sets[0].revisions[0].index()];
    assert_eq!((daemon.unreachable_eviction_after, daemon.tolerates_unschedulable), (None, true));
    assert_eq!(m.ir.groups[0].unreachable_eviction_after, Some(300), "the web Deployment's default");
}

/// TestInsufficientCapacityNodeDaemonLaunchPod: the controller creates the pod whatever the
/// room; the scheduler leaves it pending on a full node, which podAlwaysSchedulable sees.
#[test]
fn a_daemon_pod_stays_pending_on_a_full_node() {
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: node, count: 1, capacity: {cpu: \"4\", memory: 8Gi}}\n  workloads: [{deployment: web, placement: [{node: node-0, count: 3}]}]\n  events: [{type: rolloutRestart, daemonSet: foo}]\n";
    let m = model(&format!("{}{}{spec}", deployment("web", 3, "1", "1Gi", ""), daemon_set(&surge("1"), "", "1")));
    let mut st = m.initial_state(&[1]);
    st.daemon_revision[0] = 1;
    assert_eq!(sync(&m, &mut st), (1, 0), "the surge pod is created");
    assert_eq!(run(&m, &mut st, "scheduler"), (0, 0), "and cannot be bound");
    assert_eq!(pods_of(&m, &st, 1), [1]);
    let i = m.ir.intents.iter().position(|i| *i == crate::ir::Intent::PodAlwaysSchedulable).unwrap();
    assert!(crate::model::intents::violated(&Concrete, &m, &st, i));
    let why = crate::model::intents::explain(&m, &m.ir.intents[i], &st);
    assert!(why.contains("created for node-0 does not fit there (Insufficient cpu"), "{why}");
}

/// TestDaemonSetUpdatesPods: five nodes, maxUnavailable 2: two old pods go, then their
/// nodes get new ones, and so on, 2 + 2 + 1.
#[test]
fn daemon_set_updates_pods() {
    let m = cluster(&daemon_set(&unavailable("2"), "", "100m"), five_nodes());
    let mut st = rolled_out(&m);
    for expected in [2, 2, 1] {
        assert_eq!(sync(&m, &mut st), (0, expected));
        gone(&mut st);
        assert_eq!(sync(&m, &mut st), (expected, 0));
        mark_ready(&m, &mut st);
    }
    assert_eq!(sync(&m, &mut st), (0, 0));
    assert_eq!(pods_of(&m, &st, 1), [1; 5]);
}

/// TestDaemonSetUpdatesPodsWithMaxSurge: maxSurge 2: two new pods beside old ones; once ready
/// their old pods go and two more are created; then one (5 % 2); then the last old pods go.
#[test]
fn daemon_set_updates_pods_with_max_surge() {
    let m = cluster(&daemon_set(&surge("2"), "", "100m"), five_nodes());
    let mut st = rolled_out(&m);
    assert_eq!(sync(&m, &mut st), (2, 0));
    assert_eq!(sync(&m, &mut st), (0, 0));
    mark_ready(&m, &mut st);
    assert_eq!(sync(&m, &mut st), (2, 2));
    gone(&mut st);
    assert_eq!(sync(&m, &mut st), (0, 0));
    mark_ready(&m, &mut st);
    assert_eq!(sync(&m, &mut st), (1, 2));
    gone(&mut st);
    mark_ready(&m, &mut st);
    assert_eq!(sync(&m, &mut st), (0, 1));
    gone(&mut st);
    assert_eq!(sync(&m, &mut st), (0, 0));
    assert_eq!((pods_of(&m, &st, 0), pods_of(&m, &st, 1)), (vec![0; 5], vec![1; 5]));
}

/// TestDaemonSetUpdatesWhenNewPosIsNotReady: maxUnavailable 3; while the three new pods are
/// not ready, nothing more happens.
#[test]
fn daemon_set_updates_when_new_pod_is_not_ready() {
    let m = cluster(&daemon_set(&unavailable("3"), "", "100m"), five_nodes());
    let mut st = rolled_out(&m);
    assert_eq!(sync(&m, &mut st), (0, 3));
    gone(&mut st);
    assert_eq!(sync(&m, &mut st), (3, 0));
    assert_eq!(sync(&m, &mut st), (0, 0));
}

/// TestDaemonSetUpdatesAllOldPodsNotReady: old pods that are not available (here: bound, not
/// started) all go at once, whatever maxUnavailable; TestDaemonSetUpdatesAllOldPodsNotReadyMaxSurge:
/// with surge, each gets its new pod at once.
#[test]
fn daemon_set_updates_all_old_pods_not_ready() {
    let not_ready = |m: &Model| {
        let mut st = rolled_out(m);
        let g = m.ir.daemon_sets[0].revisions[0].index();
        st.bound[g] = std::mem::take(&mut st.running[m.start_kind[g]]);
        st.running[m.start_kind[g]] = vec![0; 5];
        st
    };
    let m = cluster(&daemon_set(&unavailable("3"), "", "100m"), five_nodes());
    let mut st = not_ready(&m);
    assert_eq!(sync(&m, &mut st), (0, 5));
    gone(&mut st);
    assert_eq!(sync(&m, &mut st), (5, 0));
    let m = cluster(&daemon_set(&surge("3"), "", "100m"), five_nodes());
    let mut st = not_ready(&m);
    // The new pods are created beside the old ones, which (not ready beside a new pod) go.
    assert_eq!(sync(&m, &mut st), (5, 5));
}

/// TestDaemonSetUpdatesNoTemplateChanged: no rollout, no deletion; OnDelete never deletes.
#[test]
fn daemon_set_updates_no_template_changed() {
    let m = cluster(&daemon_set(&unavailable("3"), "", "100m"), five_nodes());
    let mut st = m.initial_state(&[5]);
    assert_eq!(sync(&m, &mut st), (0, 0));
    let m = cluster(&daemon_set("  updateStrategy: {type: OnDelete}\n", "", "100m"), five_nodes());
    let mut st = rolled_out(&m);
    assert_eq!(sync(&m, &mut st), (0, 0));
}

/// TestGetUnavailableNumbers: maxUnavailable scaled from the nodes that should run the pod,
/// rounding up ("50%" of 5 is 3), and 1 when both it and maxSurge come to 0 ("No nodes" aside).
#[test]
fn get_unavailable_numbers() {
    let numbers = |strategy: &str, count: i64| {
        let pools = "    - {name: node, count: {min: 0, max: 5}, capacity: {cpu: \"4\", memory: 8Gi}}\n";
        let m = cluster(&daemon_set(strategy, "", "100m"), pools);
        let st = m.initial_state(&[count]);
        let v = view(&Concrete, &m, &st, 0);
        (v.desired, v.max_unavailable, v.max_surge)
    };
    assert_eq!(numbers(&unavailable("50%"), 5), (5, 3, 0));
    assert_eq!(numbers(&unavailable("1"), 2), (2, 1, 0));
    assert_eq!(numbers(&surge("20%"), 5), (5, 0, 1));
    assert_eq!(numbers(&surge("1"), 0), (0, 0, 1));
}

/// The API server's defaults and validation of updateStrategy.
#[test]
fn update_strategy_defaults_and_validation() {
    let m = cluster(&daemon_set("", "", "100m"), five_nodes());
    assert_eq!(
        m.ir.daemon_sets[0].strategy,
        DaemonStrategy::RollingUpdate { max_surge: IntOrPercent::Int(0), max_unavailable: IntOrPercent::Int(1) }
    );
    let build = |ds: &str| {
        let yaml = format!(
            "{}{}apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n{}",
            deployment("web", 0, "1", "1Gi", ""),
            ds,
            five_nodes()
        );
        let mut inputs = crate::manifest::Inputs::default();
        let mut errs = Vec::new();
        crate::manifest::load_text(std::path::Path::new("t.yaml"), &yaml, Default::default(), &mut inputs, &mut errs);
        assert!(errs.is_empty(), "{errs:?}");
        crate::ir::build(&inputs, Default::default()).map(|_| ()).map_err(|e| e.to_string())
    };
    let errors = |strategy: &str| build(&daemon_set(strategy, "", "100m"));
    // maxSurge alone keeps the default maxUnavailable of 1: both non-zero.
    let e = errors("  updateStrategy: {rollingUpdate: {maxSurge: 1}}\n").unwrap_err();
    assert!(
        e.contains("spec.updateStrategy.rollingUpdate.maxSurge")
            && e.contains("may not be set when maxUnavailable is non-zero"),
        "{e}"
    );
    let e = errors(&unavailable("0")).unwrap_err();
    assert!(e.contains("cannot be 0 when maxSurge is 0"), "{e}");
    let e = errors(&unavailable("150%")).unwrap_err();
    assert!(e.contains("must not be greater than 100%"), "{e}");
    let e = errors("  updateStrategy: {type: OnDelete, rollingUpdate: {maxUnavailable: 1}}\n").unwrap_err();
    assert!(e.contains("'OnDelete'"), "{e}");
    let e = build(&daemon_set("", "", "100m").replace("name: foo}", "name: web}")).unwrap_err();
    assert!(e.contains("a Deployment is named \"web\" too"), "{e}");
    let e = errors("  minReadySeconds: 10\n").unwrap_err();
    assert!(e.contains("spec.minReadySeconds"), "{e}");
    assert_eq!(errors(&surge("10%")), Ok(()));
}

/// `kubectl drain --ignore-daemonsets`: the drain evicts the Deployment's pods and leaves the
/// daemon pod, and is done without waiting for it.
#[test]
fn a_drain_leaves_daemon_pods() {
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: node, count: 2, capacity: {cpu: \"4\", memory: 8Gi}}\n  workloads: [{deployment: web, placement: [{node: node-0, count: 1}]}]\n  events: [{type: maintenance, budget: 1}]\n";
    let m = model(&format!("{}{}{spec}", deployment("web", 1, "1", "1Gi", ""), daemon_set("", "", "100m")));
    let st = m.initial_state(&[2]);
    let reg = registry::<Concrete>();
    let drain = all_steps(&m, &reg)
        .into_iter()
        .find(|s| reg[s.actor as usize].name() == "maintenance" && s.b == 0 && s.op == 0)
        .expect("a drain of node-0");
    assert!(reg[drain.actor as usize].guard(&Concrete, &m, &drain, &st));
    let nx = reg[drain.actor as usize].update(&Concrete, &m, &drain, &st);
    let daemon = m.ir.daemon_sets[0].revisions[0].index();
    assert_eq!((nx.queued[0][0], nx.queued[daemon][0]), (1, 0));
}

/// The descheduler's DefaultEvictor never evicts a DaemonSet's pods, and a budget that selects
/// them under a percentage (no scale for a DaemonSet: upstream's failSafe) is refused.
#[test]
fn the_descheduler_and_budgets_on_daemon_pods() {
    let policy = "apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    plugins: {deschedule: {enabled: [RemovePodsViolatingNodeTaints]}}\n    pluginConfig: [{name: RemovePodsViolatingNodeTaints}]\n---\n";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: node, count: 1, capacity: {cpu: \"4\", memory: 8Gi}}\n";
    let m = model(&format!("{}{}{policy}{spec}", deployment("web", 0, "1", "1Gi", ""), daemon_set("", "", "100m")));
    let st = m.initial_state(&[1]);
    let p = &m.ir.descheduler.as_ref().unwrap().profiles[0];
    let daemon = m.ir.daemon_sets[0].revisions[0].index();
    assert!(!super::super::descheduler::evictor_admits(&Concrete, &m, &st, p, daemon));
    assert!(super::super::descheduler::evictor_admits(&Concrete, &m, &st, p, 0));
    let pdb = |budget: &str| {
        format!("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: b}}\nspec: {{{budget}, selector: {{matchLabels: {{app: foo}}}}}}\n---\n")
    };
    let build = |extra: String| {
        let yaml = format!("{}{}{extra}{spec}", deployment("web", 0, "1", "1Gi", ""), daemon_set("", "", "100m"));
        let mut inputs = crate::manifest::Inputs::default();
        let mut errs = Vec::new();
        crate::manifest::load_text(std::path::Path::new("t.yaml"), &yaml, Default::default(), &mut inputs, &mut errs);
        assert!(errs.is_empty(), "{errs:?}");
        crate::ir::build(&inputs, Default::default()).map(|_| ()).map_err(|e| e.to_string())
    };
    assert_eq!(build(pdb("minAvailable: 1")), Ok(()));
    let e = build(pdb("maxUnavailable: 1")).unwrap_err();
    assert!(e.contains("selects pods of DaemonSet \"foo\"") && e.contains("spec.selector"), "{e}");
}
