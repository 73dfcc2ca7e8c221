//! A cluster snapshot's ReplicaSets and Pods (`kubectl get rs,pods -A -o yaml`) -> the
//! initial state: the revisions of a rollout in progress, each Deployment's pods per node and
//! phase, and the load of pods no modelled controller owns. Owns matching Pods to ReplicaSets
//! to Deployments (ownerReferences, namespaces kept apart) and refusing what cannot be
//! represented; must not decide how controllers treat that state.
//!
//! Upstream facts it follows:
//! - A Deployment's ReplicaSets are those it controls (ownerReferences with `controller:
//!   true`); the new one is the ReplicaSet whose template equals the Deployment's ignoring
//!   the `pod-template-hash` label (pkg/controller/deployment/util/deployment_util.go,
//!   `FindNewReplicaSet`, `EqualIgnoreHash`), and it carries the Deployment's
//!   `deployment.kubernetes.io/revision` annotation (`SetNewReplicaSetAnnotations`).
//! - A ReplicaSet's pods carry its `pod-template-hash` label (the ReplicaSet's selector has
//!   it, `controller.ComputeHash` in deployment's sync.go), so the label names the revision.
//! - kube-scheduler does not cache terminal pods (phase Succeeded or Failed: the pod informer
//!   of pkg/scheduler/scheduler.go selects `status.phase!=Succeeded,status.phase!=Failed`),
//!   and a ReplicaSet does not count them (controller_utils.go `FilterActivePods`): they are
//!   left out. A pod with a `deletionTimestamp` is terminating: not active, still holding
//!   its requests on its node.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{Builder, Diag};
use crate::error::{InputClass, InputError, Origin};
use crate::ir::pod::{self, TemplateFacts};
use crate::ir::{DeploymentId, FixedPods, GroupId, InitialPods, NodeId, PodPhase, Resources};
use crate::manifest::Object;

const HASH: &str = "pod-template-hash";
const REVISION: &str = "deployment.kubernetes.io/revision";

/// The owner of an object that `controller: true` names.
fn controller_of(meta: &ObjectMeta) -> Option<(&str, &str)> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .map(|o| (o.kind.as_str(), o.name.as_str()))
}

fn namespace(meta: &ObjectMeta) -> String {
    meta.namespace.clone().unwrap_or_else(|| "default".into())
}

/// A template with its `pod-template-hash` label removed (what `EqualIgnoreHash` compares).
fn without_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(labels) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(HASH);
        if labels.is_empty() {
            t.metadata.as_mut().unwrap().labels = None;
        }
    }
    if t.metadata.as_ref().is_some_and(|m| m == &ObjectMeta::default()) {
        t.metadata = None;
    }
    t
}

/// What the snapshot's ReplicaSets resolved to.
#[derive(Default)]
pub(super) struct ReplicaSets {
    /// (namespace, ReplicaSet name) -> the group its pods belong to, and its pod-template-hash.
    groups: BTreeMap<(String, String), (GroupId, Option<String>)>,
    /// (namespace, ReplicaSet name) of ReplicaSets no modelled Deployment controls: their pods
    /// are fixed load (with --allow-unmodeled).
    unowned: Vec<(String, String)>,
}

impl Builder<'_> {
    /// Reads the snapshot's ReplicaSets: the one matching its Deployment's template is
    /// revision 0 (the Deployment's own), every other one that has pods or replicas becomes
    /// an older revision of the same Deployment (a rollout in progress).
    pub(super) fn snapshot_replica_sets(&mut self) -> ReplicaSets {
        let mut out = ReplicaSets::default();
        let inputs = self.inputs;
        for Object { origin, value: rs } in &inputs.replica_sets {
            let ns = namespace(&rs.metadata);
            let Some(name) = rs.metadata.name.clone() else {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::MissingOrMistyped,
                    "metadata.name",
                    "a ReplicaSet needs a name",
                ));
                continue;
            };
            let owner = controller_of(&rs.metadata)
                .filter(|(k, _)| *k == "Deployment")
                .and_then(|(_, d)| self.deployments.iter().position(|x| x.object_name == d && x.namespace == ns));
            let Some(di) = owner else {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    "metadata.ownerReferences",
                    format!("ReplicaSet {ns}/{name} is controlled by no Deployment among the inputs; only ReplicaSets of Deployments are modelled (with --allow-unmodeled its pods are fixed load on their nodes)"),
                ));
                out.unowned.push((ns, name));
                continue;
            };
            let spec = &rs.spec;
            let Some(template) = &spec.template else {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::MissingOrMistyped,
                    "spec.template",
                    "a ReplicaSet needs a pod template",
                ));
                continue;
            };
            let hash = template.metadata.as_ref().and_then(|m| m.labels.as_ref()).and_then(|l| l.get(HASH)).cloned();
            let dep = inputs.deployments.iter().find(|d| {
                d.value.metadata.name.as_deref() == Some(self.deployments[di].object_name.as_str())
                    && namespace(&d.value.metadata) == ns
            });
            let Some(dep) = dep else { continue };
            let annotation = |m: &ObjectMeta| m.annotations.as_ref().and_then(|a| a.get(REVISION)).cloned();
            let current = without_hash(template) == without_hash(&dep.value.spec.template)
                || annotation(&rs.metadata).is_some_and(|r| Some(r) == annotation(&dep.value.metadata));
            let g = if current {
                self.deployments[di].revisions[0]
            } else {
                let has_pods = inputs.pods.iter().any(|p| {
                    namespace(&p.value.metadata) == ns
                        && controller_of(&p.value.metadata) == Some(("ReplicaSet", &name))
                });
                if !has_pods && spec.replicas.unwrap_or(1) == 0 {
                    continue; // an old revision kept for rollback: no pods, nothing to model
                }
                let revision = self.deployments[di].revisions.len() as u32;
                let id = DeploymentId(di as u32);
                let mut d = dep.value.clone();
                d.spec.template = template.clone();
                // The ReplicaSet's selector includes the hash; its template labels match it.
                d.spec.selector = spec.selector.clone();
                let Some(g) = self.add_group(id, revision, &d, origin) else { continue };
                self.deployments[di].revisions.push(g);
                let sets = self.deployments[di].revision_sets_replicas[0];
                self.deployments[di].revision_sets_replicas.push(sets);
                g
            };
            out.groups.insert((ns, name), (g, hash));
        }
        out
    }

    /// Reads the snapshot's Pods into `initial_pods` and `fixed_pods`.
    pub(super) fn snapshot_pods(&mut self, rs: &ReplicaSets) {
        let inputs = self.inputs;
        let mut initial: BTreeMap<(GroupId, Option<NodeId>, u8), (PodPhase, i64)> = BTreeMap::new();
        let placed: Vec<bool> = self.deployments.iter().map(|d| !d.placement.is_empty()).collect();
        for Object { origin, value: p } in &inputs.pods {
            let ns = namespace(&p.metadata);
            let name = p.metadata.name.clone().unwrap_or_else(|| "<unnamed>".into());
            let phase = p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
            match phase {
                "Succeeded" | "Failed" => continue, // terminal: no load, no replica
                "Pending" | "Running" => {}
                other => {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        "status.phase",
                        format!("pod {ns}/{name}: phase {other:?} is not modelled; expected Pending, Running, Succeeded or Failed"),
                    ));
                    continue;
                }
            }
            let Some(spec) = &p.spec else {
                self.diag.error(InputError::at(origin, InputClass::MissingOrMistyped, "spec", "a Pod needs a spec"));
                continue;
            };
            let terminating = p.metadata.deletion_timestamp.is_some();
            let node = match &spec.node_name {
                None => None,
                Some(n) => match self.node_by_name(n) {
                    Some(id) => {
                        let node = &self.nodes[id.index()];
                        let pool = &self.pools[node.pool.index()];
                        if (node.index_in_pool as i64) >= pool.count.min {
                            self.diag.error(InputError::at(
                                origin,
                                InputClass::Invalid,
                                "spec.nodeName",
                                format!("pod {ns}/{name}: node {n:?} is not present in every topology (pool {:?} may have only {} nodes)", pool.name, pool.count.min),
                            ));
                            continue;
                        }
                        Some(id)
                    }
                    None => {
                        self.diag.error(InputError::at(
                            origin,
                            InputClass::DanglingReference,
                            "spec.nodeName",
                            format!("pod {ns}/{name} is on node {n:?}, which is not among the inputs; add its v1 Node"),
                        ));
                        continue;
                    }
                },
            };
            let template = PodTemplateSpec { metadata: Some(p.metadata.clone()), spec: Some(spec.clone()) };
            // The pod's own facts, read leniently: its unmodelled fields are judged below (a
            // Deployment's pods by their template, fixed pods by what reaches other pods).
            let mut scratch = Diag { errors: Vec::new(), warnings: Vec::new(), allow_unmodeled: true };
            let facts = pod::template_facts(&template, origin, "", &mut self.labels, &mut scratch);
            self.diag.errors.extend(scratch.errors.into_iter().map(|mut e| {
                e.field = e.field.replacen("..", ".", 1).trim_start_matches('.').to_string();
                e
            }));
            let Some(facts) = facts else { continue };
            let owner = controller_of(&p.metadata);
            match owner {
                Some(("ReplicaSet", rs_name)) if rs.groups.contains_key(&(ns.clone(), rs_name.to_string())) => {
                    let (g, hash) = &rs.groups[&(ns.clone(), rs_name.to_string())];
                    self.deployment_pod(
                        origin,
                        &ns,
                        &name,
                        p,
                        *g,
                        hash.as_deref(),
                        &facts,
                        node,
                        terminating,
                        &mut initial,
                        &placed,
                    );
                }
                Some(("ReplicaSet", rs_name))
                    if !rs.unowned.contains(&(ns.clone(), rs_name.to_string()))
                        && self
                            .deployments
                            .iter()
                            .any(|d| d.namespace == ns && rs_name.starts_with(&format!("{}-", d.object_name))) =>
                {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::DanglingReference,
                        "metadata.ownerReferences",
                        format!("pod {ns}/{name} belongs to ReplicaSet {rs_name:?}, which is not among the inputs; add the ReplicaSets (kubectl get rs -o yaml) so that kbmc knows the pod's revision"),
                    ));
                }
                _ => self.fixed_pod(origin, &ns, &name, p, owner, &facts, node, terminating),
            }
        }
        for ((group, node, _), (phase, count)) in initial {
            self.initial_pods.push(InitialPods { group, node, phase, count });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn deployment_pod(
        &mut self,
        origin: &Origin,
        ns: &str,
        name: &str,
        p: &Pod,
        g: GroupId,
        hash: Option<&str>,
        facts: &TemplateFacts,
        node: Option<NodeId>,
        terminating: bool,
        initial: &mut BTreeMap<(GroupId, Option<NodeId>, u8), (PodPhase, i64)>,
        placed: &[bool],
    ) {
        let (dep, _) = self.group_owner[g.index()];
        let dname = self.deployments[dep.index()].name.clone();
        if placed[dep.index()] {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "metadata.ownerReferences",
                format!("pod {ns}/{name} of Deployment {dname:?}: the Verification places this Deployment's pods (spec.workloads[].placement) and the snapshot has them too; give one or the other"),
            ));
            return;
        }
        let pod_hash = p.metadata.labels.as_ref().and_then(|l| l.get(HASH)).map(String::as_str);
        if let (Some(h), Some(ph)) = (hash, pod_hash) {
            if h != ph {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "metadata.labels.pod-template-hash",
                    format!("pod {ns}/{name}: {ph:?} differs from its ReplicaSet's {h:?}"),
                ));
                return;
            }
        }
        let want = self.facts[g.index()].requests;
        if facts.requests != want {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.containers[].resources",
                format!(
                    "pod {ns}/{name} requests {} but its ReplicaSet's template {}: kbmc gives every pod of a revision its template's requests (set by an admission webhook, a LimitRange or in-place resize?)",
                    show(facts.requests),
                    show(want)
                ),
            ));
        }
        let phase = match (terminating, node, p.status.as_ref().and_then(|s| s.phase.as_deref())) {
            (true, None, _) => return, // deleted before it was bound: gone, no load
            (true, Some(_), _) => PodPhase::Terminating,
            (false, None, _) => PodPhase::Pending,
            (false, Some(_), Some("Running")) => PodPhase::Running,
            (false, Some(_), _) => PodPhase::Bound,
        };
        let order = match phase {
            PodPhase::Pending => 0,
            PodPhase::Bound => 1,
            PodPhase::Running => 2,
            PodPhase::Terminating => 3,
        };
        initial.entry((g, node, order)).or_insert((phase, 0)).1 += 1;
    }

    #[allow(clippy::too_many_arguments)]
    fn fixed_pod(
        &mut self,
        origin: &Origin,
        ns: &str,
        name: &str,
        p: &Pod,
        owner: Option<(&str, &str)>,
        facts: &TemplateFacts,
        node: Option<NodeId>,
        _terminating: bool,
    ) {
        let Some(node) = node else {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.nodeName",
                format!("pod {ns}/{name} is pending and no modelled controller owns it; kube-scheduler would place it, which is not modelled (only bound pods of other owners are read, as fixed load)"),
            ));
            return;
        };
        let spec = p.spec.as_ref().expect("checked by the caller");
        if let Some(a) = &spec.affinity {
            if a.pod_affinity.is_some() || a.pod_anti_affinity.is_some() {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    "spec.affinity",
                    format!("pod {ns}/{name}: an existing pod's inter-pod (anti-)affinity filters and scores the nodes of incoming pods (InterPodAffinity), which is not modelled"),
                ));
            }
        }
        if spec.priority.is_some_and(|v| v < 0) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.priority",
                format!(
                    "pod {ns}/{name}: a negative priority lets pods of priority 0 preempt it, which is not modelled"
                ),
            ));
        }
        let owner = match owner {
            Some((k, n)) => format!("{k}/{n}"),
            None => format!("Pod/{name}"),
        };
        let labels = facts.labels.clone();
        match self
            .fixed_pods
            .iter_mut()
            .find(|f| f.node == node && f.namespace == ns && f.labels == labels && f.requests == facts.requests)
        {
            Some(f) => f.count += 1,
            None => self.fixed_pods.push(FixedPods {
                node,
                namespace: ns.to_string(),
                labels,
                requests: facts.requests,
                count: 1,
                owner,
            }),
        }
        let n = &mut self.nodes[node.index()];
        add(&mut n.fixed, facts.requests);
        add(&mut n.fixed_score, facts.score_requests);
    }

    /// Each node's fixed load and the pods placed on it at start must fit its allocatable,
    /// as the scheduler keeps it.
    pub(super) fn check_snapshot_fits(&mut self) {
        if self.initial_pods.is_empty() && self.fixed_pods.is_empty() {
            return;
        }
        for (ni, node) in self.nodes.iter().enumerate() {
            let mut used = node.fixed;
            for ip in &self.initial_pods {
                if ip.node.is_some_and(|n| n.index() == ni) && ip.phase != PodPhase::Pending {
                    let r = self.facts[ip.group.index()].requests;
                    add(
                        &mut used,
                        Resources {
                            cpu_milli: r.cpu_milli * ip.count,
                            memory: r.memory.saturating_mul(ip.count),
                            pods: ip.count,
                        },
                    );
                }
            }
            for d in &self.deployments {
                for &(n, c) in &d.placement {
                    if n.index() == ni {
                        let r = self.facts[d.revisions[0].index()].requests;
                        add(
                            &mut used,
                            Resources { cpu_milli: r.cpu_milli * c, memory: r.memory.saturating_mul(c), pods: c },
                        );
                    }
                }
            }
            let a = node.allocatable;
            if used.cpu_milli > a.cpu_milli || used.memory > a.memory || used.pods > a.pods {
                let origin = self.pools[node.pool.index()].origin.clone();
                self.diag.error(InputError::at(
                    &origin,
                    InputClass::Invalid,
                    "status.allocatable",
                    format!(
                        "the snapshot's pods on node {:?} request {}, more than its allocatable {}",
                        node.name,
                        show(used),
                        show(a)
                    ),
                ));
            }
        }
    }
}

fn add(a: &mut Resources, b: Resources) {
    a.cpu_milli += b.cpu_milli;
    a.memory = a.memory.saturating_add(b.memory);
    a.pods += b.pods;
}

fn show(r: Resources) -> String {
    format!("cpu {}m, memory {} bytes", r.cpu_milli, r.memory)
}

#[cfg(test)]
mod tests {
    use crate::model::testkit::{model, node};

    const NODES: &str = "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {allocatable: {cpu: \"8\", memory: 8Gi}}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: n2}\nstatus: {allocatable: {cpu: \"8\", memory: 8Gi}}\n---\n";

    fn deployment(ns: &str, image: &str) -> String {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: {ns}}}\nspec:\n  replicas: 3\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: c, image: {image}, resources: {{requests: {{cpu: \"1\", memory: 1Gi}}}}}}]\n      topologySpreadConstraints: [{{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{app: web}}}}}}]\n---\n")
    }

    fn replica_set(hash: &str, image: &str, replicas: i64) -> String {
        format!("apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-{hash}\n  namespace: shop\n  ownerReferences: [{{apiVersion: apps/v1, kind: Deployment, name: web, uid: u, controller: true}}]\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web, pod-template-hash: {hash}}}}}\n  template:\n    metadata: {{labels: {{app: web, pod-template-hash: {hash}}}}}\n    spec:\n      containers: [{{name: c, image: {image}, resources: {{requests: {{cpu: \"1\", memory: 1Gi}}}}}}]\n      topologySpreadConstraints: [{{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{app: web}}}}}}]\n---\n")
    }

    fn pod(name: &str, ns: &str, owner: &str, hash: &str, node: &str, phase: &str, extra_meta: &str) -> String {
        let owner = match owner.split_once('/') {
            Some((k, n)) => format!(
                "\n  ownerReferences: [{{apiVersion: apps/v1, kind: {k}, name: {n}, uid: u, controller: true}}]"
            ),
            None => String::new(),
        };
        let hash = if hash.is_empty() { String::new() } else { format!(", pod-template-hash: {hash}") };
        let node = if node.is_empty() { String::new() } else { format!("\n  nodeName: {node}") };
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{app: web{hash}}}{owner}{extra_meta}\nspec:\n  containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\", memory: 1Gi}}}}}}]{node}\nstatus: {{phase: {phase}}}\n---\n")
    }

    const SPEC: &str =
        "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  intents: [{type: podAlwaysSchedulable}]\n";

    /// A rollout half done: the new ReplicaSet is revision 0, the old one revision 1, each
    /// pod in the row its phase says; a pod of another namespace's ReplicaSet of the same
    /// name is not web's, and counts in web's spread only in its own namespace.
    #[test]
    fn pods_start_where_the_snapshot_has_them() {
        let yaml = [
            NODES.to_string(),
            deployment("shop", "web:2"),
            replica_set("new", "web:2", 2),
            replica_set("old", "web:1", 2),
            replica_set("older", "web:0", 0),
            pod("a", "shop", "ReplicaSet/web-new", "new", "n1", "Running", ""),
            pod("b", "shop", "ReplicaSet/web-new", "new", "", "Pending", ""),
            pod("c", "shop", "ReplicaSet/web-old", "old", "n2", "Running", ""),
            pod(
                "d",
                "shop",
                "ReplicaSet/web-old",
                "old",
                "n2",
                "Running",
                "\n  deletionTimestamp: \"2026-01-01T00:00:00Z\"",
            ),
            pod("e", "shop", "ReplicaSet/web-new", "new", "n2", "Pending", ""),
            pod("f", "shop", "ReplicaSet/web-new", "new", "n1", "Failed", ""),
            // Fixed load: a bare pod in web's namespace, a Job's pod in another one.
            pod("g", "shop", "", "", "n1", "Running", ""),
            pod("h", "batch", "Job/report", "", "n2", "Running", ""),
            SPEC.to_string(),
        ]
        .concat();
        let m = model(&yaml);
        let (n1, n2) = (node(&m, "n1"), node(&m, "n2"));
        assert_eq!(m.ir.deployments[0].revisions.len(), 2, "the old ReplicaSet at 0 replicas is no revision");
        let (new, old) = (0, 1);
        assert_eq!(
            m.ir.groups[old].labels,
            vec![("app".into(), "web".into()), ("pod-template-hash".into(), "old".into())]
        );
        let st = m.initial_states().remove(0);
        assert_eq!(st.pending, vec![1, 0]);
        assert_eq!(st.bound[new][n2], 1);
        let running = |g: usize, n: usize| m.kinds_of_group[g].iter().map(|&k| st.running[k][n]).sum::<i64>();
        assert_eq!((running(new, n1), running(new, n2), running(old, n1), running(old, n2)), (1, 0, 0, 1));
        assert_eq!(st.terminating[old], vec![0, 1]);
        assert_eq!(st.revision, vec![0]);
        // Fixed load: one pod (1 CPU, 1Gi) on each node.
        assert_eq!((m.ir.nodes[n1].fixed.cpu_milli, m.ir.nodes[n1].fixed.pods), (1000, 1));
        assert_eq!((m.ir.nodes[n2].fixed.cpu_milli, m.ir.nodes[n2].fixed.pods), (1000, 1));
        // web's spread counts the bare pod of its namespace on n1, not the Job's pod on n2.
        assert_eq!(m.ir.groups[new].spread[0].fixed, vec![1, 0]);
        let requested = crate::model::requested(&crate::domain::Concrete, &m, &st);
        // n1: the bare pod and a; n2: the Job's pod, c, d (terminating) and e (bound).
        assert_eq!((requested[n1].2, requested[n2].2), (2, 4));
        let ids: Vec<&str> = crate::model::assumptions::of(&m).iter().map(|a| a.id).collect();
        assert!(ids.contains(&"fixed-pods") && ids.contains(&"snapshot-state"), "{ids:?}");
    }

    /// Pods are matched to their Deployment within its namespace: a ReplicaSet controlled by
    /// a Deployment of the same name in another namespace is not web's.
    #[test]
    fn namespaces_are_kept_apart() {
        let other = replica_set("new", "web:2", 1).replace("namespace: shop", "namespace: other");
        let yaml = [NODES.to_string(), deployment("shop", "web:2"), other, SPEC.to_string()].concat();
        let mut inputs = crate::manifest::Inputs::default();
        let mut errors = Vec::new();
        crate::manifest::load_text(std::path::Path::new("t.yaml"), &yaml, Default::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let err = crate::ir::build(&inputs, Default::default()).expect_err("refused").to_string();
        assert!(err.contains("ReplicaSet other/web-new is controlled by no Deployment among the inputs"), "{err}");
    }

    /// Fixed load tells two nodes of one pool apart: the explicit engine's symmetry must not
    /// rename a node with fixed pods into one without.
    #[test]
    fn fixed_load_breaks_symmetry() {
        let spec = "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{name: a, count: 3, capacity: {cpu: \"8\", memory: 8Gi}}]\n";
        let yaml =
            [deployment("shop", "web:2"), pod("g", "shop", "", "", "a-1", "Running", ""), spec.to_string()].concat();
        let m = model(&yaml);
        assert_eq!(crate::engine::explicit::static_classes(&m), vec![0, 1, 0]);
    }
}
