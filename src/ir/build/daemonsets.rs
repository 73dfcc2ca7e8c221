//! DaemonSets: the apps/v1 DaemonSet manifests -> `DaemonSet`s (namespace and name,
//! `updateStrategy` with apps/v1's defaults and the API server's validation) and their
//! revisions' pod groups: the template's, and a `rolloutRestart` event's. Each template gets
//! the tolerations the DaemonSet controller adds to every pod it creates
//! (pkg/controller/daemon/util/daemonset_util.go, `AddOrUpdateDaemonPodTolerations`, through
//! `CreatePodTemplate`). Owns what the API server rejects in a DaemonSet, what of one is
//! unmodelled, references to one from the Verification, the check that the daemon pods the
//! run starts with fit their nodes, and that a snapshot's pods of a DaemonSet are that start
//! state (one running pod of its template per node that should run it); must not read a pod
//! template's fields itself (that
//! is `ir::pod`) or decide what the DaemonSet controller does
//! (`model/controllers/daemonset/`).

use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::DaemonSet as K8sDaemonSet;
use k8s_openapi::api::core::v1::Toleration;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{shared_names, Builder};
use crate::error::{InputClass, InputError, Origin};
use crate::ir::pod;
use crate::ir::{DaemonSet, DaemonSetId, DaemonStrategy, DeploymentId, GroupId, IntOrPercent, Owner, PodPhase};
use crate::manifest::Object;
use crate::spec;

/// The tolerations `AddOrUpdateDaemonPodTolerations` adds to a daemon pod, in its order:
/// (key, effect); all with operator Exists and no `tolerationSeconds`. The last only with
/// `hostNetwork`.
pub(crate) const DAEMON_TOLERATIONS: [(&str, &str); 7] = [
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ("node.kubernetes.io/network-unavailable", "NoSchedule"),
];

/// `v1helper.AddOrUpdateTolerationInPodSpec`: a toleration that matches `t`
/// (`MatchToleration`: same key, operator, value and effect) is replaced by it, else `t` is
/// appended.
fn add_or_update(tolerations: &mut Vec<Toleration>, t: Toleration) {
    let same = |a: &Toleration| {
        a.key == t.key
            && a.operator.as_deref().unwrap_or("Equal") == t.operator.as_deref().unwrap_or("Equal")
            && a.value.as_deref().unwrap_or("") == t.value.as_deref().unwrap_or("")
            && a.effect == t.effect
    };
    match tolerations.iter().position(same) {
        Some(i) => tolerations[i] = t,
        None => tolerations.push(t),
    }
}

/// A daemon pod's tolerations: the template's with [`DAEMON_TOLERATIONS`] added or updated.
pub(super) fn daemon_tolerations(template: &[Toleration], host_network: bool) -> Vec<Toleration> {
    let mut out = template.to_vec();
    let n = if host_network { DAEMON_TOLERATIONS.len() } else { DAEMON_TOLERATIONS.len() - 1 };
    for (key, effect) in &DAEMON_TOLERATIONS[..n] {
        add_or_update(
            &mut out,
            Toleration {
                key: Some(key.to_string()),
                operator: Some("Exists".into()),
                effect: Some(effect.to_string()),
                ..Default::default()
            },
        );
    }
    out
}

impl Builder<'_> {
    /// The namespace of group `g`'s owner.
    pub(super) fn owner_namespace(&self, g: usize) -> &str {
        match self.group_owner[g].0 {
            Owner::Deployment(d) => &self.deployments[d.index()].namespace,
            Owner::DaemonSet(s) => &self.daemon_sets[s.index()].namespace,
        }
    }

    /// How reports name group `g`'s owner.
    pub(super) fn owner_name(&self, g: usize) -> &str {
        match self.group_owner[g].0 {
            Owner::Deployment(d) => &self.deployments[d.index()].name,
            Owner::DaemonSet(s) => &self.daemon_sets[s.index()].name,
        }
    }

    /// The Deployment owning group `g`, which must be a Deployment's (a snapshot's pods and
    /// placements are only ever of Deployments' groups).
    pub(super) fn owner_deployment(&self, g: usize) -> DeploymentId {
        match self.group_owner[g].0 {
            Owner::Deployment(d) => d,
            Owner::DaemonSet(_) => panic!("build bug: a DaemonSet's group where a Deployment's was expected"),
        }
    }

    /// `spec.updateStrategy` with apps/v1's defaults (SetDefaults_DaemonSet: RollingUpdate,
    /// maxUnavailable 1, maxSurge 0) and the API server's validation
    /// (ValidateDaemonSetUpdateStrategy, ValidateRollingUpdateDaemonSet: non-negative
    /// integers or percentages up to 100%, exactly one of them non-zero).
    fn daemon_strategy(&mut self, d: &K8sDaemonSet, origin: &Origin) -> DaemonStrategy {
        let s = d.spec.update_strategy.as_ref();
        let parse = |v: Option<&IntOrString>, default: IntOrPercent, field: &str, diag: &mut super::Diag| {
            let bad = |what: String, diag: &mut super::Diag| {
                diag.error(InputError::at(origin, InputClass::Invalid, field, what));
                default
            };
            match v {
                None => default,
                Some(IntOrString::Int(i)) if *i >= 0 => IntOrPercent::Int(*i as i64),
                Some(IntOrString::String(s)) => match s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) {
                    Some(p) if (0..=100).contains(&p) => IntOrPercent::Percent(p),
                    Some(_) => bad(format!("{s:?} must not be greater than 100%"), diag),
                    None => bad(
                        format!(
                            "{s:?} is not allowed; expected a non-negative integer or a percentage such as \"10%\""
                        ),
                        diag,
                    ),
                },
                Some(IntOrString::Int(i)) => bad(format!("{i} must be greater than or equal to 0"), diag),
            }
        };
        match s.and_then(|s| s.type_.as_deref()) {
            Some("OnDelete") => {
                if s.is_some_and(|s| s.rolling_update.is_some()) {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        "spec.updateStrategy.rollingUpdate",
                        "may not be specified when strategy `type` is 'OnDelete' (the API server rejects it)",
                    ));
                }
                DaemonStrategy::OnDelete
            }
            None | Some("RollingUpdate") => {
                let ru = s.and_then(|s| s.rolling_update.as_ref());
                let max_unavailable = parse(
                    ru.and_then(|r| r.max_unavailable.as_ref()),
                    IntOrPercent::Int(1),
                    "spec.updateStrategy.rollingUpdate.maxUnavailable",
                    &mut self.diag,
                );
                let max_surge = parse(
                    ru.and_then(|r| r.max_surge.as_ref()),
                    IntOrPercent::Int(0),
                    "spec.updateStrategy.rollingUpdate.maxSurge",
                    &mut self.diag,
                );
                let nonzero = |v: IntOrPercent| !matches!(v, IntOrPercent::Int(0) | IntOrPercent::Percent(0));
                match (nonzero(max_unavailable), nonzero(max_surge)) {
                    (true, true) => self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        "spec.updateStrategy.rollingUpdate.maxSurge",
                        "may not be set when maxUnavailable is non-zero (maxUnavailable defaults to 1: set it to 0 to surge)",
                    )),
                    (false, false) => self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        "spec.updateStrategy.rollingUpdate.maxUnavailable",
                        "cannot be 0 when maxSurge is 0",
                    )),
                    _ => {}
                }
                DaemonStrategy::RollingUpdate { max_surge, max_unavailable }
            }
            Some(t) => {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "spec.updateStrategy.type",
                    format!("unknown strategy {t:?}; expected RollingUpdate or OnDelete"),
                ));
                DaemonStrategy::OnDelete
            }
        }
    }

    /// Reads a DaemonSet's template as a new group of DaemonSet `id`: the template's facts
    /// with the daemon tolerations, the selector checked against its labels.
    fn add_daemon_group(
        &mut self,
        id: DaemonSetId,
        revision: u32,
        d: &K8sDaemonSet,
        origin: &Origin,
    ) -> Option<GroupId> {
        let spec = &d.spec;
        let pod_spec = spec.template.spec.as_ref();
        // ValidateDaemonSetSpec.
        self.check_restarting_template(pod_spec, origin, "DaemonSet");
        if pod_spec.is_some_and(|p| p.node_name.is_some()) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.template.spec.nodeName",
                "a DaemonSet whose template names a node (its pods bypass the scheduler) is not modelled",
            ));
        }
        let mut facts = pod::template_facts(&spec.template, origin, "spec.template", &mut self.labels, &mut self.diag)?;
        let host_network = pod_spec.and_then(|p| p.host_network).unwrap_or(false);
        facts.tolerations = daemon_tolerations(&facts.tolerations, host_network);
        self.check_workload_selector(&spec.selector, &facts, origin, "DaemonSet");
        let g = GroupId(self.facts.len() as u32);
        let priority = self.pod_priority(&facts, origin, "spec.template");
        self.facts.push(facts);
        self.group_priority.push(priority);
        self.group_owner.push((Owner::DaemonSet(id), revision));
        Some(g)
    }

    /// Every apps/v1 DaemonSet, its revisions (a `rolloutRestart` with `daemonSet` adds
    /// revision 1), and the check that the daemon pods a run starts with fit.
    pub(super) fn daemon_sets_from_manifests(&mut self, spec: &spec::VerificationSpec) {
        let shared = shared_names(self.inputs.daemon_sets.iter().map(|o| &o.value.metadata));
        for obj in &self.inputs.daemon_sets {
            self.read_daemon_set(obj, &shared);
        }
        // Rollouts: revision 1 of the named DaemonSet, at most one per DaemonSet and run.
        for (ei, e) in spec.events.iter().enumerate() {
            if let spec::Event::RolloutRestart { deployment, daemon_set: Some(reference), budget } = e {
                self.daemon_set_rollout(ei, deployment.is_some(), reference, *budget);
            }
        }
        self.check_daemon_pods_fit();
    }

    /// Reads one DaemonSet manifest with its first revision's group, unless it has no name,
    /// repeats another's namespace and name or a Deployment's name, or its template is
    /// unreadable. `shared` holds the names several namespaces use.
    fn read_daemon_set(&mut self, obj: &Object<K8sDaemonSet>, shared: &BTreeSet<String>) {
        let (origin, d) = (&obj.origin, &obj.value);
        let Some((name, namespace)) = self.workload_name(&d.metadata, origin, "DaemonSet") else { return };
        if let Some(first) = self.daemon_sets.iter().find(|e| e.object_name == name && e.namespace == namespace) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "metadata.name",
                format!(
                    "duplicate DaemonSet {name:?} in namespace {namespace:?} (the first is in {}); the API server keeps one object per namespace and name",
                    first.origin
                ),
            ));
            return;
        }
        // Reports, traces and solver constants name pods by their owner's name.
        if self.deployments.iter().any(|dep| dep.object_name == name) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "metadata.name",
                format!("a Deployment is named {name:?} too; kbmc names pods by their owner's name, so give the DaemonSet and the Deployment different names"),
            ));
            return;
        }
        if d.metadata.deletion_timestamp.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "metadata.deletionTimestamp",
                "a DaemonSet being deleted is not modelled",
            ));
        }
        if d.spec.min_ready_seconds.is_some_and(|s| s > 0) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.minReadySeconds",
                "a DaemonSet's pods are available once running; a delay before that is not modelled",
            ));
        }
        let strategy = self.daemon_strategy(d, origin);
        let id = DaemonSetId(self.daemon_sets.len() as u32);
        self.daemon_sets.push(DaemonSet {
            name: if shared.contains(&name) { format!("{namespace}/{name}") } else { name.clone() },
            object_name: name,
            namespace,
            strategy,
            revisions: Vec::new(),
            origin: origin.clone(),
        });
        match self.add_daemon_group(id, 0, d, origin) {
            Some(g) => {
                self.daemon_sets[id.index()].revisions.push(g);
                self.check_snapshot_daemon_pods(id, g);
            }
            None => {
                self.daemon_sets.pop();
            }
        }
    }

    /// A rolloutRestart (event `ei`) of DaemonSet `reference`: revision 1 of it, unless the
    /// event also names a Deployment (`names_deployment`) or would roll it out more than once.
    fn daemon_set_rollout(&mut self, ei: usize, names_deployment: bool, reference: &str, budget: u32) {
        let f = format!("spec.events[{ei}]");
        if names_deployment {
            self.diag.error(InputError::at(
                &self.spec_origin,
                InputClass::Invalid,
                format!("{f}.daemonSet"),
                "a rolloutRestart names a Deployment or a DaemonSet, not both",
            ));
            return;
        }
        let Some(id) = self.daemon_set_ref(reference, &format!("{f}.daemonSet")) else { return };
        let si = id.index();
        if self.daemon_sets[si].revisions.len() > 1 || budget > 1 {
            self.diag.unmodeled(InputError::at(
                &self.spec_origin,
                InputClass::Unmodeled,
                format!("{f}.budget"),
                format!(
                    "DaemonSet {:?} is rolled out more than once in a run; kbmc models one rollout of a DaemonSet (two revisions)",
                    self.daemon_sets[si].name
                ),
            ));
            return;
        }
        let Some(obj) = self.inputs.daemon_sets.iter().find(|o| {
            o.value.metadata.name.as_deref() == Some(self.daemon_sets[si].object_name.as_str())
                && o.value.metadata.namespace.as_deref().unwrap_or("default") == self.daemon_sets[si].namespace
        }) else {
            return;
        };
        // The restarted template differs only in an annotation nothing modelled reads.
        if let Some(g) = self.add_daemon_group(id, 1, &obj.value, &obj.origin) {
            self.daemon_sets[si].revisions.push(g);
        }
    }

    /// Resolves `reference` (`namespace/name`, or a name one namespace has) to a DaemonSet.
    pub(super) fn daemon_set_ref(&mut self, reference: &str, field: &str) -> Option<DaemonSetId> {
        let found: Vec<usize> = match reference.split_once('/') {
            Some((ns, name)) => (0..self.daemon_sets.len())
                .filter(|&i| self.daemon_sets[i].namespace == ns && self.daemon_sets[i].object_name == name)
                .collect(),
            None => (0..self.daemon_sets.len()).filter(|&i| self.daemon_sets[i].object_name == reference).collect(),
        };
        match found[..] {
            [i] => Some(DaemonSetId(i as u32)),
            [] => {
                self.diag.error(InputError::at(
                    &self.spec_origin,
                    InputClass::DanglingReference,
                    field,
                    format!("no DaemonSet named {reference:?} in the manifests"),
                ));
                None
            }
            _ => {
                self.diag.error(InputError::at(
                    &self.spec_origin,
                    InputClass::Invalid,
                    field,
                    format!("{reference:?} is ambiguous: DaemonSets of that name run in {} namespaces; write namespace/name", found.len()),
                ));
                None
            }
        }
    }

    /// A run starts with each DaemonSet's pod running on every node it should run on (see
    /// `model::Model::topology_state`): with every node slot present, those pods, the placed
    /// and snapshot pods of the Deployments and the fixed pods must fit each node.
    /// Whether a run starts with a pod of the DaemonSet whose template has facts `f` running on
    /// `node`: the node should run it (`NodeShouldRunDaemonPod`: node selector and required
    /// affinity match, every NoSchedule and NoExecute taint tolerated) and is Ready.
    fn starts_on(&self, f: &crate::ir::pod::TemplateFacts, node: &crate::ir::Node) -> bool {
        let p = pod::placement_on(f, node, &self.labels);
        p.affinity_ok && !p.untolerated_no_schedule && !p.untolerated_no_execute && node.ready
    }

    /// A snapshot's pods of DaemonSet `id` (revision 0's group `g`) must be the state a run
    /// starts it in: one running pod on every node it starts on, none elsewhere, each its
    /// template's after admission (requests, labels but the `controller-revision-hash` and
    /// `pod-template-generation` the controller adds, priority). A DaemonSet without pods in
    /// the snapshot starts in that state too. Anything else (a pending or terminating pod, a
    /// node without its pod, a pod of another template) is refused: kbmc does not start a
    /// DaemonSet part way.
    fn check_snapshot_daemon_pods(&mut self, id: DaemonSetId, g: GroupId) {
        let (name, namespace, origin) = {
            let s = &self.daemon_sets[id.index()];
            (s.object_name.clone(), s.namespace.clone(), s.origin.clone())
        };
        let pods: Vec<usize> = (0..self.daemon_pods.len())
            .filter(|&i| self.daemon_pods[i].owner == name && self.daemon_pods[i].namespace == namespace)
            .collect();
        if pods.is_empty() {
            return;
        }
        let template = &self.facts[g.index()];
        let want_priority = self.group_priority[g.index()].0;
        const ADDED: [&str; 2] = ["controller-revision-hash", "pod-template-generation"];
        let labels = |l: &[(String, String)]| -> Vec<(String, String)> {
            let mut l: Vec<(String, String)> =
                l.iter().filter(|(k, _)| !ADDED.contains(&k.as_str())).cloned().collect();
            l.sort();
            l
        };
        let mut errors = Vec::new();
        let mut per_node = vec![0i64; self.nodes.len()];
        for &i in &pods {
            let p = &self.daemon_pods[i];
            let why = if !p.running {
                Some(("status.phase", "is not running (pending, terminating, or not started)".to_string()))
            } else if p.facts.requests != template.requests || p.facts.score_requests != template.score_requests {
                Some(("spec.containers[].resources", "requests other than its DaemonSet's template".to_string()))
            } else if labels(&p.facts.labels) != labels(&template.labels) {
                Some(("metadata.labels", "labels other than its DaemonSet's template".to_string()))
            } else if p.priority.is_some_and(|v| v as i64 != want_priority) {
                Some(("spec.priority", format!("a priority other than {want_priority}, its DaemonSet's template's")))
            } else {
                None
            };
            match (why, p.node) {
                (Some((field, what)), _) => errors.push(InputError::at(
                    &p.origin,
                    InputClass::Unmodeled,
                    field,
                    format!("pod {} of DaemonSet {name:?} {what}: kbmc starts a DaemonSet with its template's pod running on every node that should run it, and does not start one part way (leave the DaemonSet out to keep its pods as fixed load)", p.pod),
                )),
                (None, Some(n)) => per_node[n.index()] += 1,
                (None, None) => {}
            }
        }
        if errors.is_empty() {
            for (ni, node) in self.nodes.iter().enumerate() {
                let want = self.starts_on(template, node) as i64;
                if per_node[ni] != want {
                    errors.push(InputError::at(
                        &origin,
                        InputClass::Unmodeled,
                        "metadata.name",
                        format!(
                            "the snapshot has {} pod(s) of DaemonSet {name:?} on node {:?}, where a run starts it with {want} (one on every Ready node that should run it, none elsewhere): kbmc does not start a DaemonSet part way (leave the DaemonSet out to keep its pods as fixed load)",
                            per_node[ni], node.name
                        ),
                    ));
                }
            }
        }
        for e in errors {
            self.diag.unmodeled(e);
        }
    }

    fn check_daemon_pods_fit(&mut self) {
        for (ni, node) in self.nodes.iter().enumerate() {
            let mut used = node.fixed;
            let mut add = |r: crate::ir::Resources, c: i64| {
                used.cpu_milli = used.cpu_milli.saturating_add(c.saturating_mul(r.cpu_milli));
                used.memory = used.memory.saturating_add(c.saturating_mul(r.memory));
                used.pods = used.pods.saturating_add(c);
            };
            for d in &self.deployments {
                for &(_, c) in d.placement.iter().filter(|(n, _)| n.index() == ni) {
                    add(self.facts[d.revisions[0].index()].requests, c);
                }
            }
            for p in self.initial_pods.iter().filter(|p| p.node.map(|n| n.index()) == Some(ni)) {
                if p.phase != PodPhase::Pending {
                    add(self.facts[p.group.index()].requests, p.count);
                }
            }
            let mut daemons = Vec::new();
            for s in &self.daemon_sets {
                let f = &self.facts[s.revisions[0].index()];
                if self.starts_on(f, node) {
                    add(f.requests, 1);
                    daemons.push(s.name.clone());
                }
            }
            let a = node.allocatable;
            if !daemons.is_empty() && (used.cpu_milli > a.cpu_milli || used.memory > a.memory || used.pods > a.pods) {
                self.diag.error(InputError::at(
                    &self.daemon_sets[0].origin,
                    InputClass::Invalid,
                    "spec.template.spec.containers[].resources.requests",
                    format!(
                        "the pods of DaemonSet(s) {} start on node {:?}, and with the pods placed there their requests exceed its allocatable",
                        daemons.join(", "),
                        node.name
                    ),
                ));
            }
        }
    }
}
