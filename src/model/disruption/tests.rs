//! Upstream's tests of the disruption controller's status and of the Eviction API's check,
//! translated to kbmc's states: a Deployment's pods on a Ready node are Ready, those on a
//! NotReady node are not.

use super::*;
use crate::model::state::{NOT_READY, READY};
use crate::model::testkit::{deployment, model, node};

const NODES: &str = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n";

/// A model of Deployment `web` (`replicas`) with one PodDisruptionBudget whose spec is `spec`
/// (a flow mapping without the selector, which selects `app: web` unless `selector` says
/// otherwise), and a state with no pod at all.
fn setup(replicas: i64, spec: &str) -> (Model, ClusterState<Concrete>) {
    let pdb =
        format!("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web-pdb}}\nspec: {spec}\n---\n");
    let m = model(&format!("{}{pdb}{NODES}", deployment("web", replicas, "100m", "64Mi", "")));
    let mut st = m.initial_states().remove(0);
    st.running[0] = vec![0; m.nodes()];
    (m, st)
}

/// (disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods), as upstream's
/// `VerifyPdbStatus` lists them.
fn verify(m: &Model, st: &ClusterState<Concrete>) -> (i64, i64, i64, i64) {
    let s = status(&Concrete, m, st, 0);
    (allowed(&Concrete, &s), s.current_healthy, s.desired_healthy, s.expected)
}

/// disruption_test.go `TestUnavailable`: an integer minAvailable of 3 expects the pods that
/// exist; the fourth Ready pod allows one disruption, and one of them becoming unready takes
/// it back.
#[test]
fn unavailable() {
    let (m, mut st) = setup(4, "{minAvailable: 3, selector: {matchLabels: {app: web}}}");
    let a0 = node(&m, "a-0");
    for i in 0..4 {
        assert_eq!(verify(&m, &st), (0, i, 3, i));
        st.running[0][a0] += 1;
    }
    assert_eq!(verify(&m, &st), (1, 4, 3, 4));
    // One pod not Ready: kbmc's pods are not Ready on a NotReady node.
    let a1 = node(&m, "a-1");
    st.running[0][a0] -= 1;
    st.running[0][a1] += 1;
    st.status[a1] = NOT_READY;
    assert_eq!(verify(&m, &st), (0, 3, 3, 4));
}

/// disruption_test.go `TestNoSelector`: an empty selector matches every pod of the namespace.
#[test]
fn no_selector() {
    let (m, mut st) = setup(1, "{minAvailable: 3, selector: {}}");
    assert_eq!(verify(&m, &st), (0, 0, 3, 0));
    st.running[0][0] = 1;
    assert_eq!(verify(&m, &st), (0, 1, 3, 1));
}

/// disruption_test.go `TestIntegerMaxUnavailableWithScaling`: maxUnavailable 2 of the
/// controller's scale 7 desires 5; scaled to 5, it desires 3.
#[test]
fn integer_max_unavailable_with_scaling() {
    let (m, mut st) = setup(7, "{maxUnavailable: 2, selector: {matchLabels: {app: web}}}");
    st.running[0][0] = 1;
    assert_eq!(verify(&m, &st), (0, 1, 5, 7));
    st.desired[0] = 5;
    assert_eq!(verify(&m, &st), (0, 1, 3, 5));
}

/// disruption_test.go `TestPercentageMaxUnavailableWithScaling`: 30% of 7 rounds up to 3
/// unavailable (4 desired); of 3, to 1 (2 desired).
#[test]
fn percentage_max_unavailable_with_scaling() {
    let (m, mut st) = setup(7, "{maxUnavailable: \"30%\", selector: {matchLabels: {app: web}}}");
    st.running[0][0] = 1;
    assert_eq!(verify(&m, &st), (0, 1, 4, 7));
    st.desired[0] = 3;
    assert_eq!(verify(&m, &st), (0, 1, 2, 3));
}

/// disruption_test.go `TestReplicaSet`: minAvailable 20% of a scale of 10 desires 2.
#[test]
fn replica_set() {
    let (m, mut st) = setup(10, "{minAvailable: \"20%\", selector: {matchLabels: {app: web}}}");
    st.running[0][0] = 1;
    assert_eq!(verify(&m, &st), (0, 1, 2, 10));
}

/// disruption_test.go `TestReplicationController`: 34% of 3 rounds up to 2; with no pod the
/// PDB does not know the controller (expects 0); the third Ready pod allows a disruption.
#[test]
fn replication_controller() {
    let (m, mut st) = setup(3, "{minAvailable: \"34%\", selector: {matchLabels: {app: web}}}");
    assert_eq!(verify(&m, &st), (0, 0, 0, 0));
    for i in 1..=3 {
        st.running[0][0] = i;
        let want = if i < 3 { (0, i, 2, 3) } else { (1, 3, 2, 3) };
        assert_eq!(verify(&m, &st), want);
    }
}

/// A pending or terminating pod counts as expected for an integer minAvailable
/// (`len(pods)`), never as healthy (`countHealthyPods` skips pods being deleted).
#[test]
fn pending_and_terminating_pods_are_expected_not_healthy() {
    let (m, mut st) = setup(3, "{minAvailable: 1, selector: {matchLabels: {app: web}}}");
    st.pending[0] = 1;
    st.terminating[0][0] = 1;
    st.running[0][1] = 1;
    assert_eq!(verify(&m, &st), (0, 1, 1, 3));
}

/// eviction_test.go `TestEviction`: "matching pdbs with no disruptions allowed, pod running"
/// is refused, "... pod pending" evicted (`canIgnorePDB`: kbmc's bound pods that have not
/// started are phase Pending and never ask), "matching pdbs with disruptions allowed" and
/// "non-matching pdbs" evicted.
#[test]
fn eviction() {
    // Three Ready pods, minAvailable 3: no disruption allowed.
    let (m, mut st) = setup(3, "{minAvailable: 3, selector: {matchLabels: {app: web}}}");
    st.running[0][0] = 3;
    assert!(!allows(&Concrete, &m, &st, 0, 0), "no disruptions allowed, pod running");
    assert!(refusal(&m, &st, 0, 0).is_some_and(|r| r.contains("web-pdb") && r.contains("allows 0 disruptions")));
    // Disruptions allowed.
    let (m, mut st) = setup(3, "{minAvailable: 2, selector: {matchLabels: {app: web}}}");
    st.running[0][0] = 3;
    assert!(allows(&Concrete, &m, &st, 0, 0));
    assert!(refusal(&m, &st, 0, 0).is_none());
    // Not matching.
    let (m, mut st) = setup(3, "{minAvailable: 3, selector: {matchLabels: {app: db}}}");
    st.running[0][0] = 3;
    assert!(allows(&Concrete, &m, &st, 0, 0));
    assert!(running_cap(&Concrete, &m, &st, 0, 0).is_none());
}

/// eviction_test.go `TestEvictionIngorePDB`: "matching pdbs with no disruptions allowed, pod
/// running, pod healthy, unhealthy pod not ours" is refused; "... pod unhealthy, unhealthy pod
/// ours" is evicted (IfHealthyBudget with currentHealthy 2 >= desiredHealthy 2 > 0). With the
/// application disrupted (1 healthy of 2), an unhealthy pod goes only under AlwaysAllow
/// (`unhealthyPodEvictionPolicy`, KEP-3017).
#[test]
fn eviction_of_unhealthy_pods() {
    for (policy, disrupted_ok) in [
        ("", false),
        (", unhealthyPodEvictionPolicy: IfHealthyBudget", false),
        (", unhealthyPodEvictionPolicy: AlwaysAllow", true),
    ] {
        let (m, mut st) = setup(3, &format!("{{minAvailable: 2, selector: {{matchLabels: {{app: web}}}}{policy}}}"));
        let (a0, a1) = (node(&m, "a-0"), node(&m, "a-1"));
        st.running[0][a0] = 2;
        st.running[0][a1] = 1;
        st.status[a1] = NOT_READY;
        assert!(!allows(&Concrete, &m, &st, 0, a0), "{policy}: healthy pod, unhealthy pod not ours");
        assert!(allows(&Concrete, &m, &st, 0, a1), "{policy}: unhealthy pod ours");
        st.running[0][a0] = 1;
        assert_eq!(allows(&Concrete, &m, &st, 0, a1), disrupted_ok, "{policy}: unhealthy pod, budget not met");
        st.status[a1] = READY;
    }
}

/// eviction.go `Create`: a pod that more than one PodDisruptionBudget selects cannot be
/// evicted ("This pod has more than one PodDisruptionBudget, which the eviction subresource
/// does not support"), however much either allows.
#[test]
fn a_pod_of_two_budgets_is_never_evicted() {
    let two = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: one}\nspec: {maxUnavailable: 3, selector: {matchLabels: {app: web}}}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: two}\nspec: {minAvailable: 0, selector: {}}\n---\n";
    let m = model(&format!("{}{two}{NODES}", deployment("web", 3, "100m", "64Mi", "")));
    let mut st = m.initial_states().remove(0);
    st.running[0][0] = 3;
    assert!(!allows(&Concrete, &m, &st, 0, 0));
    assert_eq!(running_cap(&Concrete, &m, &st, 0, 0), Some(0));
    assert!(refusal(&m, &st, 0, 0).is_some_and(|r| r.contains("more than one") && r.contains("one, two")));
}

/// A PDB with neither minAvailable nor maxUnavailable expects no pod and allows nothing
/// (`updatePdbStatus`: expectedCount 0).
#[test]
fn a_budget_without_numbers_allows_nothing() {
    let (m, mut st) = setup(3, "{selector: {matchLabels: {app: web}}}");
    st.running[0][0] = 3;
    assert_eq!(verify(&m, &st), (0, 3, 0, 0));
    assert!(!allows(&Concrete, &m, &st, 0, 0));
}

/// The status written over the solver's domain is the concrete one: the same formula on a
/// state lifted to constants, evaluated back.
#[test]
fn symbolic_status_agrees() {
    use crate::domain::Symbolic;
    let (m, mut st) = setup(7, "{maxUnavailable: \"30%\", selector: {matchLabels: {app: web}}}");
    st.running[0][0] = 5;
    st.running[0][1] = 1;
    st.status[1] = NOT_READY;
    let lifted = st.map::<Symbolic>(&|v| Symbolic.int(*v), &|b| Symbolic.bool(*b));
    let s = status(&Symbolic, &m, &lifted, 0);
    let a = allowed(&Symbolic, &s);
    assert_eq!(Symbolic.known(&a), Some(verify(&m, &st).0));
    assert_eq!(verify(&m, &st), (1, 5, 4, 7));
}

/// The steps of actor `name` in `m`, and those of them enabled in `st`.
fn steps_of(m: &Model, name: &str, st: &ClusterState<Concrete>) -> (Vec<crate::model::Step>, Vec<crate::model::Step>) {
    let reg = crate::model::registry::<Concrete>();
    let all: Vec<_> =
        crate::model::all_steps(m, &reg).into_iter().filter(|s| reg[s.actor as usize].name() == name).collect();
    let on = all.iter().copied().filter(|s| reg[s.actor as usize].guard(&Concrete, m, s, st)).collect();
    (all, on)
}

fn take(m: &Model, s: &crate::model::Step, st: &ClusterState<Concrete>) -> ClusterState<Concrete> {
    crate::model::registry::<Concrete>()[s.actor as usize].update(&Concrete, m, s, st)
}

/// disruption.go / eviction.go with node lifecycle's grace period: a node that fails keeps
/// its pods Ready until node lifecycle marks them (`MarkPodsNotReady`, after 40 s), and the
/// status counts them until the controller's next sync. A drain of another node in that
/// window is allowed the disruption the failed node's pod still stands for (minAvailable 1 of
/// two Ready pods: `disruptionsAllowed` 1, which `checkAndDecrement` takes), and refused
/// once the status has caught up. Before, kbmc refused it from the failure on.
#[test]
fn a_failed_nodes_pods_count_healthy_until_the_status_catches_up() {
    let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web-pdb}\nspec: {minAvailable: 1, selector: {matchLabels: {app: web}}}\n---\n";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  workloads: [{deployment: web, placement: [{node: a-0, count: 1}, {node: a-1, count: 1}]}]\n  events: [{type: maintenance, budget: 1}, {type: nodeFailure, budget: 1, recovery: true}]\n  intents: [{type: disruptionsWithinBudget}]\n";
    let m = model(&format!("{}{pdb}{spec}", deployment("web", 2, "100m", "64Mi", "")));
    assert!(m.pdb_lag);
    let (a0, a1) = (node(&m, "a-0"), node(&m, "a-1"));
    let st = m.initial_states().remove(0);
    assert_eq!(steps_of(&m, "disruption", &st).1, vec![], "nothing to catch up with");
    let (failures, _) = steps_of(&m, "node-failure", &st);
    let fail = failures.iter().find(|s| s.op == 0 && s.b as usize == a1).unwrap();
    let failed = take(&m, fail, &st);
    assert_eq!(failed.pdb_stale[0][a1], 1);
    // The pod on a-1 is unhealthy now, yet the Eviction API may still count it.
    assert_eq!(verify(&m, &failed), (0, 1, 1, 2), "the current status");
    let s = api_status(&Concrete, &m, &failed, 0);
    assert_eq!((allowed(&Concrete, &s), s.current_healthy), (1, 2), "the status the API may read");
    assert!(allows(&Concrete, &m, &failed, 0, a0), "a drain of a-0 in the window goes through");
    assert!(describe(&m, &failed, 0).contains("counts the pods of a-1 before they are marked not ready (1 now)"));
    // The drain's eviction then takes the budget below its minimum: the intent sees it.
    let (maint, _) = steps_of(&m, "maintenance", &failed);
    let drained = take(&m, maint.iter().find(|s| s.op == 0 && s.b as usize == a0).unwrap(), &failed);
    let (_, evictions) = steps_of(&m, "eviction", &drained);
    assert_eq!(evictions.len(), 1, "{evictions:?}");
    assert!(take(&m, &evictions[0], &drained).monitor[0]);
    // The disruption controller catches up: the same eviction is refused.
    let (_, sync) = steps_of(&m, "disruption", &drained);
    assert_eq!(sync.len(), 1);
    assert_eq!(sync[0].a as usize, a1);
    let synced = take(&m, &sync[0], &drained);
    assert_eq!(synced.pdb_stale[0][a1], 0);
    assert!(!allows(&Concrete, &m, &synced, 0, a0));
    assert!(steps_of(&m, "eviction", &synced).1.is_empty());
    assert!(steps_of(&m, "disruption", &synced).1.is_empty());
    // A recovery before the sync ends the window too.
    let back = take(&m, failures.iter().find(|s| s.op == 1 && s.b as usize == a1).unwrap(), &failed);
    assert_eq!(back.pdb_stale[0][a1], 0);
    assert!(steps_of(&m, "disruption", &back).1.is_empty());
}

/// A pod of the failed node itself, in the window: upstream it may still be Ready (the
/// budget decides) or marked not Ready while the status counts it (IfHealthyBudget lets it go
/// while currentHealthy >= desiredHealthy > 0); kbmc lets it go if either would.
#[test]
fn a_failed_nodes_own_pod_goes_as_either_readiness_allows() {
    let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web-pdb}\nspec: {minAvailable: 2, selector: {matchLabels: {app: web}}}\n---\n";
    let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 2, capacity: {cpu: \"8\", memory: 8Gi}}]\n  events: [{type: maintenance, budget: 1}, {type: kernelPanic, budget: 1, thresholdPercent: 1}]\n";
    let m = model(&format!("{}{pdb}{spec}", deployment("web", 2, "100m", "64Mi", "")));
    assert!(m.pdb_lag);
    let (a0, a1) = (node(&m, "a-0"), node(&m, "a-1"));
    let mut st = m.initial_states().remove(0);
    st.running[0] = vec![0; m.nodes()];
    st.running[0][a0] = 1;
    st.running[0][a1] = 1;
    st.status[a1] = crate::model::state::PANICKED;
    // Current: 1 healthy of 2 required; the unhealthy pod on a-1 may not go (IfHealthyBudget).
    assert!(!allows(&Concrete, &m, &st, 0, a1));
    // Stale: 2 healthy of 2, no disruption allowed for a Ready pod, but a pod already marked
    // not Ready goes without the budget.
    st.pdb_stale[0][a1] = 1;
    assert_eq!(allowed(&Concrete, &api_status(&Concrete, &m, &st, 0)), 0);
    assert!(allows(&Concrete, &m, &st, 0, a1));
    assert!(!allows(&Concrete, &m, &st, 0, a0), "a Ready pod needs the budget");
}

/// The whole search: a drain of a-0 while a-1 fails. With minAvailable 1 of two pods, the
/// drain's eviction in the window before the status catches up takes the last healthy pod
/// (upstream can do this), so `disruptionsWithinBudget` is violated, by a run whose trace has
/// no `disruption` step before the eviction. Without a failure event it holds.
#[test]
fn the_window_is_searched() {
    use crate::engine::explicit::{check, Options};
    use crate::verdict::Verdict;
    let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web-pdb}\nspec: {minAvailable: 1, selector: {matchLabels: {app: web}}}\n---\n";
    let spec = |events: &str| {
        format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: a, count: 2, capacity: {{cpu: \"1\", memory: 1Gi}}}}]\n  workloads: [{{deployment: web, placement: [{{node: a-0, count: 1}}, {{node: a-1, count: 1}}]}}]\n  events: [{events}]\n  intents: [{{type: disruptionsWithinBudget}}]\n")
    };
    let opts = Options { max_depth: 30, max_states: 200_000, symmetry: true, reduction: false, all: true };
    let with = model(&format!(
        "{}{pdb}{}",
        deployment("web", 2, "600m", "64Mi", ""),
        spec("{type: maintenance, budget: 1}, {type: nodeFailure, budget: 1, recovery: false}")
    ));
    assert!(with.pdb_lag);
    let r = check(&with, &opts);
    assert!(matches!(r.results[0].verdict, Verdict::Violated(_)), "{:?}", r.results[0].verdict);
    let without =
        model(&format!("{}{pdb}{}", deployment("web", 2, "600m", "64Mi", ""), spec("{type: maintenance, budget: 1}")));
    assert!(!without.pdb_lag);
    let r = check(&without, &opts);
    assert!(matches!(r.results[0].verdict, Verdict::Holds { exhaustive: true, .. }), "{:?}", r.results[0].verdict);
}
