//! The StatefulSet controller's orders of creation, deletion and update, translated from
//! kubernetes `pkg/controller/statefulset/stateful_set_control_test.go` and
//! `stateful_set_test.go` (each test names the upstream one it follows), on small concrete
//! states.

use super::*;
use crate::model::state::NOT_READY;
use crate::model::testkit::model;
use crate::model::{all_steps, registry};

/// StatefulSet `db` of `replicas` on two 8-core nodes in zones a and b, `extra` under its
/// spec (before the template) and `spec` lines under the Verification's spec.
fn db(replicas: i64, extra: &str, spec: &str) -> Model {
    let sts = format!("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: db}}\nspec:\n  replicas: {replicas}\n  serviceName: db\n  selector: {{matchLabels: {{app: db}}}}\n{extra}  template:\n    metadata: {{labels: {{app: db}}}}\n    spec:\n      containers: [{{name: c, image: db:1, resources: {{requests: {{cpu: \"1\", memory: 1Gi}}}}}}]\n---\n");
    let v = format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {{name: a, count: 1, labels: {{topology.kubernetes.io/zone: a}}, capacity: {{cpu: \"8\", memory: 8Gi}}}}\n    - {{name: b, count: 1, labels: {{topology.kubernetes.io/zone: b}}, capacity: {{cpu: \"8\", memory: 8Gi}}}}\n{spec}");
    model(&format!("{sts}{v}"))
}

/// The group of (revision, ordinal, volume zone slot).
fn group(m: &Model, r: usize, o: usize, z: usize) -> usize {
    m.ir.deployments[0].stateful.as_ref().unwrap().groups[r][o][z].index()
}

/// The StatefulSet controller's enabled steps in `st`, as (op, ordinal).
fn enabled(m: &Model, st: &ClusterState<Concrete>) -> Vec<(u8, usize)> {
    let reg = registry::<Concrete>();
    let mut v: Vec<(u8, usize)> = all_steps(m, &reg)
        .into_iter()
        .filter(|s| reg[s.actor as usize].name() == "statefulset" && reg[s.actor as usize].guard(&Concrete, m, s, st))
        .map(|s| (s.op, s.b as usize))
        .collect();
    v.sort();
    v
}

/// Takes the StatefulSet controller's step (op, ordinal).
fn take(m: &Model, st: &ClusterState<Concrete>, op: u8, o: usize) -> ClusterState<Concrete> {
    let reg = registry::<Concrete>();
    let s = all_steps(m, &reg)
        .into_iter()
        .find(|s| reg[s.actor as usize].name() == "statefulset" && s.op == op && s.b as usize == o)
        .expect("a label");
    assert!(reg[s.actor as usize].guard(&Concrete, m, &s, st), "step ({op}, {o}) not enabled");
    reg[s.actor as usize].update(&Concrete, m, &s, st)
}

/// Makes group `g`'s pending pod run on node `n` (scheduler and kubelet).
fn run(m: &Model, st: &mut ClusterState<Concrete>, g: usize, n: usize) {
    assert_eq!(st.pending[g], 1, "a pending pod of {}", m.group_name(g));
    st.pending[g] = 0;
    st.running[m.start_kind[g]][n] += 1;
}

/// `n` running pods of ordinals 0..n at revision 0, ordinal o on node o % 2.
fn running(m: &Model, n: usize) -> ClusterState<Concrete> {
    let mut st = m.initial_states().remove(0);
    for o in 0..n {
        st.running[m.start_kind[group(m, 0, o, 0)]][o % 2] += 1;
    }
    st
}

/// stateful_set_control_test.go `TestStatefulSetControl` "CreatesPods" under
/// `assertMonotonicInvariants`: OrderedReady creates ordinal 0 first, and each next ordinal only
/// once every predecessor is Running and Ready.
#[test]
fn ordered_ready_creates_in_ordinal_order_each_after_its_predecessors_are_ready() {
    let m = db(3, "", "");
    let st = m.initial_states().remove(0);
    assert_eq!(enabled(&m, &st), [(CREATE, 0)]);
    let mut st = take(&m, &st, CREATE, 0);
    assert_eq!(enabled(&m, &st), [], "db-0 pending: the sync waits");
    run(&m, &mut st, group(&m, 0, 0, 0), 0);
    assert_eq!(enabled(&m, &st), [(CREATE, 1)]);
    // db-0 on a NotReady node is not Ready: the sync waits again.
    st.status[0] = NOT_READY;
    assert_eq!(enabled(&m, &st), []);
}

/// stateful_set_test.go `TestStatefulSetControllerBlocksScaling`: a scale-up while a pod is
/// not ready creates no pod beyond it.
#[test]
fn ordered_ready_blocks_scaling_while_a_pod_is_not_ready() {
    let m = db(1, "", "  events: [{type: scaleDeployment, deployment: db, delta: {min: 2, max: 2}, budget: 1}]\n");
    let st = take(&m, &m.initial_states().remove(0), CREATE, 0);
    let mut scaled = st.clone();
    scaled.desired[0] = 3;
    assert_eq!(enabled(&m, &scaled), [], "db-0 is pending: db-1 and db-2 wait");
}

/// stateful_set_control_test.go `TestStatefulSetControl` "CreatesPods" under
/// `assertBurstInvariants` (`burst(newStatefulSet(3))`): Parallel creates every missing ordinal
/// without waiting, and goes on while a pod is not ready.
#[test]
fn parallel_creates_every_missing_ordinal_at_once() {
    let m = db(3, "  podManagementPolicy: Parallel\n", "");
    let st = m.initial_states().remove(0);
    assert_eq!(enabled(&m, &st), [(CREATE, 0), (CREATE, 1), (CREATE, 2)]);
    let st = take(&m, &st, CREATE, 1);
    assert_eq!(enabled(&m, &st), [(CREATE, 0), (CREATE, 2)], "db-1 pending does not hold the others back");
}

/// stateful_set_control_test.go `TestStatefulSetControl` "ScalesDown" under
/// `assertMonotonicInvariants`: condemned pods go from the highest ordinal down, one at a time,
/// each once the one above has terminated.
#[test]
fn ordered_ready_scales_down_from_the_highest_ordinal_one_at_a_time() {
    let m = db(3, "", "  events: [{type: scaleDeployment, deployment: db, delta: {min: -2, max: -2}, budget: 1}]\n");
    let mut st = running(&m, 3);
    st.desired[0] = 1;
    assert_eq!(enabled(&m, &st), [(DELETE_CONDEMNED, 2)]);
    let mut st = take(&m, &st, DELETE_CONDEMNED, 2);
    let g2 = group(&m, 0, 2, 0);
    assert_eq!(st.terminating[g2][0], 1);
    assert_eq!(enabled(&m, &st), [], "db-2 is terminating: the sync waits");
    st.terminating[g2][0] = 0;
    assert_eq!(enabled(&m, &st), [(DELETE_CONDEMNED, 1)]);
}

/// stateful_set_control_test.go `TestStatefulSetControl` "ScalesDown" under
/// `assertBurstInvariants`: Parallel deletes every condemned pod without waiting.
#[test]
fn parallel_deletes_every_condemned_pod() {
    let m = db(
        3,
        "  podManagementPolicy: Parallel\n",
        "  events: [{type: scaleDeployment, deployment: db, delta: {min: -2, max: -2}, budget: 1}]\n",
    );
    let mut st = running(&m, 3);
    st.desired[0] = 1;
    assert_eq!(enabled(&m, &st), [(DELETE_CONDEMNED, 1), (DELETE_CONDEMNED, 2)]);
}

/// stateful_set_control_test.go `TestStatefulSetControlRollingUpdateWithPartition`
/// ("monotonic image update" with partition 1): the update replaces pods from the highest
/// ordinal down to the partition, one at a time, each once the one above is updated and
/// ready; ordinals below the partition keep the current revision, also when created again.
#[test]
fn a_rolling_update_with_a_partition_goes_from_the_highest_ordinal_down() {
    let m = db(
        3,
        "  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}\n",
        "  events: [{type: rolloutRestart, deployment: db, budget: 1}]\n",
    );
    let mut st = running(&m, 3);
    st.revision[0] = 1;
    assert_eq!(enabled(&m, &st), [(DELETE_UPDATE, 2)]);
    let mut st = take(&m, &st, DELETE_UPDATE, 2);
    assert_eq!(enabled(&m, &st), [], "db-2 terminating: the sync waits");
    st.terminating[group(&m, 0, 2, 0)][0] = 0;
    assert_eq!(enabled(&m, &st), [(CREATE, 2)]);
    let mut st = take(&m, &st, CREATE, 2);
    assert_eq!(st.pending[group(&m, 1, 2, 0)], 1, "db-2 comes back at the update revision");
    assert_eq!(enabled(&m, &st), []);
    run(&m, &mut st, group(&m, 1, 2, 0), 0);
    assert_eq!(enabled(&m, &st), [(DELETE_UPDATE, 1)]);
    let mut st = take(&m, &st, DELETE_UPDATE, 1);
    st.terminating[group(&m, 0, 1, 0)][1] = 0;
    let mut st = take(&m, &st, CREATE, 1);
    run(&m, &mut st, group(&m, 1, 1, 0), 1);
    // db-0 is below the partition: never replaced, and the update never completes.
    assert_eq!(enabled(&m, &st), []);
    // Created again, db-0 gets the current revision.
    let g0 = group(&m, 0, 0, 0);
    st.running[m.start_kind[g0]][0] = 0;
    let st = take(&m, &st, CREATE, 0);
    assert_eq!(st.pending[g0], 1, "below the partition: the current revision");
}

/// A Parallel StatefulSet's rolling update with a lower replica unavailable (db-1 on a
/// NotReady node): without the MaxUnavailableStatefulSet gate (`updateStatefulSet`'s loop,
/// up to 1.34) it deletes db-2, the highest pod not updated; with it
/// (`updateStatefulSetAfterInvariantEstablished`, maxUnavailable 1, the default from 1.35)
/// it waits while any replica is unavailable. The gate is chosen first, both ways.
#[test]
fn a_parallel_rolling_update_follows_either_gate() {
    let m =
        db(3, "  podManagementPolicy: Parallel\n", "  events: [{type: rolloutRestart, deployment: db, budget: 1}]\n");
    let at = m.gate_at(0).expect("a Parallel rolling update has a gate");
    let mut st = running(&m, 3);
    st.revision[0] = 1;
    st.status[1] = NOT_READY;
    assert_eq!(st.stateful[at], -1, "not chosen yet");
    assert_eq!(enabled(&m, &st), [(GATE, 0), (GATE, 0)], "nothing is deleted before the gate is chosen");
    let reg = registry::<Concrete>();
    let gate = |on: i64| {
        let s = all_steps(&m, &reg).into_iter().find(|s| s.op == GATE && s.v == on).expect("a gate label");
        reg[s.actor as usize].update(&Concrete, &m, &s, &st)
    };
    let off = gate(0);
    assert_eq!(off.stateful[at], 0);
    assert_eq!(enabled(&m, &off), [(DELETE_UPDATE, 2)]);
    let on = gate(1);
    assert_eq!(on.stateful[at], 1);
    assert_eq!(enabled(&m, &on), [], "db-1 is unavailable: the update waits");
    let mut on = on;
    on.status[1] = crate::model::state::READY;
    assert_eq!(enabled(&m, &on), [(DELETE_UPDATE, 2)], "every replica available: the update goes on");
    // OrderedReady reaches the update only with every replica healthy: no gate to choose.
    let ordered = db(3, "", "  events: [{type: rolloutRestart, deployment: db, budget: 1}]\n");
    assert_eq!(ordered.gate_at(0), None);
}

/// stateful_set_control_test.go `TestStatefulSetControlOnDeleteUpdate`: with OnDelete the
/// controller replaces no pod itself; a pod deleted by someone else comes back at the update
/// revision.
#[test]
fn on_delete_replaces_only_pods_deleted_by_others() {
    let m = db(
        2,
        "  updateStrategy: {type: OnDelete}\n",
        "  events: [{type: rolloutRestart, deployment: db, budget: 1}]\n",
    );
    let mut st = running(&m, 2);
    st.revision[0] = 1;
    assert_eq!(enabled(&m, &st), []);
    st.running[m.start_kind[group(&m, 0, 1, 0)]][1] = 0;
    let st = take(&m, &st, CREATE, 1);
    assert_eq!(st.pending[group(&m, 1, 1, 0)], 1);
}

/// A StatefulSet's pod terminating on a NotReady node keeps its ordinal: the kubelet is down
/// and never confirms, so the pod is not gone and no replacement is created; a force delete
/// frees the ordinal (the stateful_set_control.go "waiting for Pod to Terminate" rule with a
/// kubelet that never answers).
#[test]
fn a_pod_on_a_not_ready_node_holds_its_ordinal_until_force_deleted() {
    let m = db(1, "", "  events: [{type: forceDeletePods, statefulSet: db, budget: 1}]\n");
    let g = group(&m, 0, 0, 0);
    let mut st = m.initial_states().remove(0);
    st.terminating[g][0] = 1;
    st.status[0] = NOT_READY;
    assert_eq!(enabled(&m, &st), []);
    let reg = registry::<Concrete>();
    let labels = all_steps(&m, &reg);
    let can = |st: &ClusterState<Concrete>, actor: &str| {
        labels
            .iter()
            .filter(|s| reg[s.actor as usize].name() == actor && reg[s.actor as usize].guard(&Concrete, &m, s, st))
            .copied()
            .collect::<Vec<_>>()
    };
    assert!(can(&st, "kubelet").is_empty(), "the kubelet of a NotReady node stops nothing");
    let force = can(&st, "force-delete");
    assert_eq!(force.len(), 1);
    let after = reg[force[0].actor as usize].update(&Concrete, &m, &force[0], &st);
    assert_eq!(after.terminating[g][0], 0);
    assert_eq!(enabled(&m, &after), [(CREATE, 0)]);
    // Back Ready, the kubelet confirms the deletion.
    let mut back = st.clone();
    back.status[0] = crate::model::state::READY;
    assert!(!can(&back, "kubelet").is_empty());
}

/// VolumeBinding (pkg/scheduler/framework/plugins/volumebinding) binds a WaitForFirstConsumer
/// claim in the zone of the node the pod is bound to; from then on the ordinal's pods are of
/// that zone's group, which VolumeZone keeps there.
#[test]
fn a_zonal_volume_binds_where_its_pod_is_first_scheduled() {
    let claims = "  volumeClaimTemplates: [{metadata: {name: data}, spec: {storageClassName: disk, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]\n";
    let class = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: disk}\nprovisioner: ebs.csi.aws.com\nvolumeBindingMode: WaitForFirstConsumer\n---\n";
    let sts = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  replicas: 1\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n";
    let tail = "  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers: [{name: c, image: db:1, resources: {requests: {cpu: \"1\", memory: 1Gi}}}]\n---\n";
    let v = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 1, labels: {topology.kubernetes.io/zone: a}, capacity: {cpu: \"8\", memory: 8Gi}}\n    - {name: b, count: 1, labels: {topology.kubernetes.io/zone: b}, capacity: {cpu: \"8\", memory: 8Gi}}\n";
    let m = model(&format!("{class}{sts}{claims}{tail}{v}"));
    let st = take(&m, &m.initial_states().remove(0), CREATE, 0);
    let unbound = group(&m, 0, 0, 0);
    assert_eq!(st.pending[unbound], 1);
    let reg = registry::<Concrete>();
    let bind = all_steps(&m, &reg)
        .into_iter()
        .find(|s| reg[s.actor as usize].name() == "scheduler" && s.a as usize == unbound && s.b == 1)
        .expect("a bind to b-0");
    assert!(reg[bind.actor as usize].guard(&Concrete, &m, &bind, &st), "both zones are free");
    let mut st = reg[bind.actor as usize].update(&Concrete, &m, &bind, &st);
    let at = m.claim_at(0, 0).unwrap();
    assert_eq!(st.stateful[at], 1, "the volume is in zone b");
    // The pod goes; its successor is of zone b's group, feasible on b-0 only.
    st.bound[unbound][1] = 0;
    let st = take(&m, &st, CREATE, 0);
    let in_b = group(&m, 0, 0, 2);
    assert_eq!(m.group_name(in_b), "db-0[b]");
    assert_eq!(st.pending[in_b], 1);
    let feasible = crate::model::framework::feasible(&Concrete, &m, &st, in_b);
    assert_eq!(feasible, [false, true]);
}
