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
