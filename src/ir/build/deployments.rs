//! Deployments: the apps/v1 Deployment manifests and the Verification's `spec.workloads` ->
//! `Deployment`s (namespace and name, replicas, strategy with RollingUpdate's defaults,
//! placement and usage) and their revisions' pod groups, one per template: the initial one,
//! each applyDeployment manifest's, each rolloutRestart's. `resolve_groups` resolves each
//! group's facts against the nodes and the other groups (placement per node, spread
//! constraints with their selectors resolved to groups, the system default constraints).
//! Owns what the API server rejects in a Deployment and resolving the Verification's
//! references to one (`namespace/name`, or a name no other namespace shares); must not read
//! a pod template's fields itself (that is `ir::pod`) or decide what the Deployment
//! controller does (`model/controllers/deployment.rs`).

use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::Deployment as K8sDeployment;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{convert, quantity, shared_names, Builder, Diag, HOSTNAME, ZONE};
use crate::error::{InputClass, InputError, Origin};
use crate::ir::labels::all_match;
use crate::ir::pod;
use crate::ir::{
    ApplyReplicas, Deployment, DeploymentId, GroupId, IntOrPercent, InterPodAffinity, LabelKey, NodeId, Owner,
    PodGroup, Range, Resources, SpreadConstraint, Strategy,
};
use crate::manifest::Object;
use crate::spec;

impl Builder<'_> {
    /// A workload `kind`'s `metadata.name` (required: an error naming the field without it)
    /// and its namespace (`default` when unset).
    pub(super) fn workload_name(
        &mut self,
        meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
        origin: &Origin,
        kind: &str,
    ) -> Option<(String, String)> {
        let Some(name) = meta.name.clone() else {
            self.diag.error(InputError::at(
                origin,
                InputClass::MissingOrMistyped,
                "metadata.name",
                format!("a {kind} needs a name"),
            ));
            return None;
        };
        Some((name, meta.namespace.clone().unwrap_or_else(|| "default".into())))
    }

    /// What the API server requires of a workload `kind`'s selector (ValidateDeploymentSpec,
    /// ValidateStatefulSetSpec, ValidateDaemonSetSpec): not empty, and matching the template's
    /// labels.
    pub(super) fn check_workload_selector(
        &mut self,
        selector: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
        facts: &pod::TemplateFacts,
        origin: &Origin,
        kind: &str,
    ) {
        let sel = pod::label_selector(selector, origin, "spec.selector", &mut self.diag);
        if sel.is_empty() {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.selector",
                format!("an empty selector is not allowed for apps/v1 {kind}s"),
            ));
        } else if !all_match(&sel, |k| facts.labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str())) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.selector",
                "does not match spec.template.metadata.labels (the API server rejects this)",
            ));
        }
    }

    /// What the API server rejects in the pod template of a workload `kind` whose pods run
    /// for good (Deployment, StatefulSet, DaemonSet: ValidatePodTemplateSpecForReplicaSet,
    /// ...ForStatefulSet, ValidateDaemonSetSpec): a restartPolicy other than Always, and an
    /// activeDeadlineSeconds.
    pub(super) fn check_restarting_template(
        &mut self,
        pod_spec: Option<&k8s_openapi::api::core::v1::PodSpec>,
        origin: &Origin,
        kind: &str,
    ) {
        if let Some(p) = pod_spec.and_then(|p| p.restart_policy.as_deref()).filter(|p| *p != "Always") {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.template.spec.restartPolicy",
                format!("{p:?} is not allowed; a {kind}'s pods restart Always"),
            ));
        }
        if pod_spec.is_some_and(|p| p.active_deadline_seconds.is_some()) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.template.spec.activeDeadlineSeconds",
                format!("not allowed in a {kind}'s template (the API server rejects it)"),
            ));
        }
    }

    fn strategy(&mut self, d: &K8sDeployment, origin: &Origin) -> Strategy {
        let s = d.spec.strategy.as_ref();
        let parse = |v: Option<&IntOrString>, field: &str, diag: &mut Diag| -> IntOrPercent {
            match v {
                None => IntOrPercent::Percent(25),
                Some(IntOrString::Int(i)) if *i >= 0 => IntOrPercent::Int(*i as i64),
                Some(IntOrString::String(s)) if s.ends_with('%') && s[..s.len() - 1].parse::<u32>().is_ok() => {
                    IntOrPercent::Percent(s[..s.len() - 1].parse::<i64>().unwrap())
                }
                Some(other) => {
                    diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        field,
                        format!(
                            "{} is not allowed; expected a non-negative integer or a percentage such as \"25%\"",
                            match other {
                                IntOrString::Int(i) => i.to_string(),
                                IntOrString::String(s) => format!("{s:?}"),
                            }
                        ),
                    ));
                    IntOrPercent::Percent(25)
                }
            }
        };
        match s.and_then(|s| s.type_.as_deref()) {
            Some("Recreate") => {
                // ValidateDeploymentStrategy: "may not be specified when strategy `type` is 'Recreate'".
                if s.is_some_and(|s| s.rolling_update.is_some()) {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        "spec.strategy.rollingUpdate",
                        "may not be specified when strategy `type` is 'Recreate' (the API server rejects it)",
                    ));
                }
                Strategy::Recreate
            }
            None | Some("RollingUpdate") => {
                let ru = s.and_then(|s| s.rolling_update.as_ref());
                let max_surge = parse(
                    ru.and_then(|r| r.max_surge.as_ref()),
                    "spec.strategy.rollingUpdate.maxSurge",
                    &mut self.diag,
                );
                let max_unavailable = parse(
                    ru.and_then(|r| r.max_unavailable.as_ref()),
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    &mut self.diag,
                );
                let zero = |v: IntOrPercent| matches!(v, IntOrPercent::Int(0) | IntOrPercent::Percent(0));
                if zero(max_surge) && zero(max_unavailable) {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        "spec.strategy.rollingUpdate",
                        "maxSurge and maxUnavailable may not both be zero",
                    ));
                }
                Strategy::RollingUpdate { max_surge, max_unavailable }
            }
            Some(t) => {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "spec.strategy.type",
                    format!("unknown strategy {t:?}; expected RollingUpdate or Recreate"),
                ));
                Strategy::Recreate
            }
        }
    }

    /// Reads a Deployment's template as a new group of deployment `d`; checks selector and
    /// unmodelled Deployment fields.
    pub(super) fn add_group(
        &mut self,
        dep: DeploymentId,
        revision: u32,
        d: &K8sDeployment,
        origin: &Origin,
    ) -> Option<GroupId> {
        let spec = &d.spec;
        if spec.paused == Some(true) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.paused",
                "paused Deployments are not modelled",
            ));
        }
        // ValidatePodTemplateSpecForReplicaSet.
        self.check_restarting_template(spec.template.spec.as_ref(), origin, "Deployment");
        if d.metadata.deletion_timestamp.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "metadata.deletionTimestamp",
                "a Deployment being deleted is not modelled",
            ));
        }
        let facts = pod::template_facts(&spec.template, origin, "spec.template", &mut self.labels, &mut self.diag)?;
        self.check_workload_selector(&spec.selector, &facts, origin, "Deployment");
        let id = GroupId(self.facts.len() as u32);
        let priority = self.pod_priority(&facts, origin, "spec.template");
        self.facts.push(facts);
        self.group_priority.push(priority);
        self.group_owner.push((Owner::Deployment(dep), revision));
        Some(id)
    }

    /// Reads the Deployment manifests, then the StatefulSets (named from the same list of
    /// names), checks that there is some workload to verify, and applies the Verification's
    /// `spec.workloads` to the Deployments they name.
    pub(super) fn deployments_from_manifests(&mut self, spec: &spec::VerificationSpec) {
        // A name that two namespaces share is shown with its namespace.
        // StatefulSets are named as Deployments are, from one list of names.
        let shared = shared_names(
            self.inputs
                .deployments
                .iter()
                .map(|o| &o.value.metadata)
                .chain(self.inputs.statefulsets.iter().map(|o| &o.value.metadata)),
        );
        for obj in &self.inputs.deployments {
            self.read_deployment(obj, &shared);
        }
        let shared: Vec<String> = shared.into_iter().collect();
        self.statefulsets_from_manifests(spec, &shared);
        self.check_some_workload();
        let mut described: Vec<(DeploymentId, usize)> = Vec::new();
        for (wi, w) in spec.workloads.iter().enumerate() {
            self.apply_workload(wi, w, &mut described);
        }
        self.check_placements_fit_together();
    }

    /// Reads one Deployment manifest into a `Deployment` with its initial revision's group,
    /// unless it has no name, repeats another's namespace and name, or its template is
    /// unreadable. `shared` holds the names that several namespaces use.
    fn read_deployment(&mut self, obj: &Object<K8sDeployment>, shared: &BTreeSet<String>) {
        let (origin, d) = (&obj.origin, &obj.value);
        let Some((name, namespace)) = self.workload_name(&d.metadata, origin, "Deployment") else { return };
        if let Some(first) = self.deployments.iter().find(|e| e.object_name == name && e.namespace == namespace) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "metadata.name",
                format!(
                    "duplicate Deployment {name:?} in namespace {namespace:?} (the first is in {}); the API server keeps one object per namespace and name",
                    first.origin
                ),
            ));
            return;
        }
        let id = DeploymentId(self.deployments.len() as u32);
        let replicas_set = d.spec.replicas;
        let replicas = replicas_set.unwrap_or(1) as i64;
        if replicas < 0 {
            self.diag.error(InputError::at(origin, InputClass::Invalid, "spec.replicas", "must not be negative"));
        }
        let strategy = self.strategy(d, origin);
        let Some(g) = self.add_group(id, 0, d, origin) else { return };
        self.deployments.push(Deployment {
            name: if shared.contains(&name) { format!("{namespace}/{name}") } else { name.clone() },
            object_name: name,
            namespace,
            replicas: Range::fixed(replicas),
            revision_sets_replicas: vec![replicas_set.is_some()],
            strategy,
            revisions: vec![g],
            hpa: None,
            placement: Vec::new(),
            initial_usage: self.facts[g.index()].requests,
            origin: origin.clone(),
            stateful: None,
        });
    }

    /// An error on the Verification when the inputs hold no workload at all.
    fn check_some_workload(&mut self) {
        if self.inputs.deployments.is_empty()
            && self.inputs.statefulsets.is_empty()
            && self.inputs.daemon_sets.is_empty()
        {
            self.diag.error(InputError::at(
                &self.spec_origin,
                InputClass::Invalid,
                "spec",
                "no apps/v1 Deployment, StatefulSet or DaemonSet among the inputs: there is nothing to verify",
            ));
        }
    }

    /// Applies `spec.workloads[wi]` to the Deployment it names: its replica range, its pods'
    /// placement at start and their usage. `described` holds the Deployments earlier entries
    /// named, with their indices: a second entry for one is an error.
    fn apply_workload(&mut self, wi: usize, w: &spec::Workload, described: &mut Vec<(DeploymentId, usize)>) {
        let spec_origin = self.spec_origin.clone();
        let f = format!("spec.workloads[{wi}]");
        let Some(did) = self.resolve_deployment(&w.deployment, &format!("{f}.deployment")) else { return };
        if let Some((_, j)) = described.iter().find(|(d, _)| *d == did) {
            self.diag.error(InputError::at(
                &spec_origin,
                InputClass::Invalid,
                format!("{f}.deployment"),
                format!(
                    "{:?} is already described by spec.workloads[{j}]; give each Deployment one entry",
                    w.deployment
                ),
            ));
            return;
        }
        described.push((did, wi));
        let id = did.index();
        if let Some(r) = w.replicas {
            if r.min > r.max {
                self.diag.error(InputError::at(
                    &spec_origin,
                    InputClass::Invalid,
                    format!("{f}.replicas"),
                    format!("min {} is greater than max {}", r.min, r.max),
                ));
            }
            self.deployments[id].replicas = Range { min: r.min as i64, max: r.max as i64 };
        }
        if self.deployments[id].stateful.is_some() && !w.placement.is_empty() {
            self.diag.error(InputError::at(
                &spec_origin,
                InputClass::Invalid,
                format!("{f}.placement"),
                "a StatefulSet's pods are created by its controller in ordinal order; placing them at start is not modelled (leave placement out)",
            ));
            return;
        }
        let placement = self.workload_placement(&f, w);
        let g = self.deployments[id].revisions[0];
        let req = self.facts[g.index()].requests;
        self.check_placement_fits(&f, w, &placement, req);
        self.deployments[id].placement = placement;
        if let Some(u) = &w.usage {
            self.deployments[id].initial_usage = self.workload_usage(&f, u, req);
        }
    }

    /// Reads a workload's placement (at field `f`) as (node, pod count) pairs: each entry's
    /// node must exist in every topology and be placed once.
    fn workload_placement(&mut self, f: &str, w: &spec::Workload) -> Vec<(NodeId, i64)> {
        let spec_origin = &self.spec_origin;
        let mut placement: Vec<(NodeId, i64)> = Vec::new();
        for (pi, p) in w.placement.iter().enumerate() {
            let pf = format!("{f}.placement[{pi}]");
            match self.node_by_name(&p.node) {
                None => self.diag.error(InputError::at(
                    spec_origin,
                    InputClass::DanglingReference,
                    format!("{pf}.node"),
                    format!("no node named {:?} (pool nodes are named <pool>-<i>, from 0)", p.node),
                )),
                Some(n) => {
                    let node = &self.nodes[n.index()];
                    let pool = &self.pools[node.pool.index()];
                    if (node.index_in_pool as i64) >= pool.count.min {
                        self.diag.error(InputError::at(
                            spec_origin,
                            InputClass::Invalid,
                            format!("{pf}.node"),
                            format!(
                                "node {:?} is not present in every topology (pool {:?} may have only {} nodes)",
                                p.node, pool.name, pool.count.min
                            ),
                        ));
                    }
                    // One entry per node: a second would be summed with the first, which
                    // hides a typo for another node.
                    match w.placement[..pi].iter().position(|q| q.node == p.node) {
                        Some(first) => self.diag.error(InputError::at(
                            spec_origin,
                            InputClass::Invalid,
                            format!("{pf}.node"),
                            format!(
                                "node {:?} is also {f}.placement[{first}]; place each node once, with the count of pods it runs",
                                p.node
                            ),
                        )),
                        None => placement.push((n, p.count as i64)),
                    }
                }
            }
        }
        placement
    }

    /// An error at `f.placement` for each node where the pods placed there (of requests
    /// `req`) exceed its allocatable.
    fn check_placement_fits(&mut self, f: &str, w: &spec::Workload, placement: &[(NodeId, i64)], req: Resources) {
        for &(n, c) in placement {
            let node = &self.nodes[n.index()];
            if c * req.cpu_milli > node.allocatable.cpu_milli
                || c.saturating_mul(req.memory) > node.allocatable.memory
                || c > node.allocatable.pods
            {
                self.diag.error(InputError::at(
                    &self.spec_origin,
                    InputClass::Invalid,
                    format!("{f}.placement"),
                    format!(
                        "{c} pods of {:?} do not fit on node {:?} (requests exceed allocatable)",
                        w.deployment, node.name
                    ),
                ));
            }
        }
    }

    /// A workload's pods' usage at start (at field `f`): `req`, the requests, with the
    /// quantities `u` gives in their place.
    fn workload_usage(&mut self, f: &str, u: &spec::Usage, req: Resources) -> Resources {
        let spec_origin = &self.spec_origin;
        let mut usage = req;
        if let Some(q) = &u.cpu {
            let uf = format!("{f}.usage.cpu");
            let p = quantity(q, spec_origin, &uf, &mut self.diag);
            usage.cpu_milli = convert(p, |q| q.milli_value(), spec_origin, &uf, &mut self.diag);
        }
        if let Some(q) = &u.memory {
            let uf = format!("{f}.usage.memory");
            let p = quantity(q, spec_origin, &uf, &mut self.diag);
            usage.memory = convert(p, |q| q.value(), spec_origin, &uf, &mut self.diag);
        }
        usage
    }

    /// Placements of different deployments on one node must fit together: an error for each
    /// node whose placed pods' requests exceed its allocatable.
    fn check_placements_fit_together(&mut self) {
        for (ni, node) in self.nodes.iter().enumerate() {
            let mut used = Resources::default();
            for d in &self.deployments {
                for &(n, c) in &d.placement {
                    if n.index() == ni {
                        let r = self.facts[d.revisions[0].index()].requests;
                        used.cpu_milli += c * r.cpu_milli;
                        used.memory = used.memory.saturating_add(c.saturating_mul(r.memory));
                        used.pods += c;
                    }
                }
            }
            if used.cpu_milli > node.allocatable.cpu_milli
                || used.memory > node.allocatable.memory
                || used.pods > node.allocatable.pods
            {
                self.diag.error(InputError::at(
                    &self.spec_origin,
                    InputClass::Invalid,
                    "spec.workloads",
                    format!("the placed pods' requests exceed node {:?}'s allocatable", node.name),
                ));
            }
        }
    }

    /// New revisions from applyDeployment events: (event index, deployment, group, replicas, strategy).
    pub(super) fn applied_revisions(
        &mut self,
        spec: &spec::VerificationSpec,
    ) -> Vec<(usize, DeploymentId, GroupId, ApplyReplicas, Strategy)> {
        let mut out = Vec::new();
        for (ei, e) in spec.events.iter().enumerate() {
            if let spec::Event::RolloutRestart { deployment, daemon_set: None, .. } = e {
                let f = format!("spec.events[{ei}].deployment");
                let Some(id) = self.deployment_ref(deployment, &f) else { continue };
                let di = id.index();
                if self.deployments[di].stateful.is_some() {
                    let strategy = self.deployments[di].strategy;
                    if let Some(g) = self.statefulset_restart(id) {
                        out.push((ei, id, g, ApplyReplicas::Kept, strategy));
                    }
                    continue;
                }
                let (name, namespace) = (&self.deployments[di].object_name, &self.deployments[di].namespace);
                let Some(obj) = self.inputs.deployments.iter().find(|o| {
                    o.value.metadata.name.as_ref() == Some(name)
                        && o.value.metadata.namespace.as_deref().unwrap_or("default") == namespace
                }) else {
                    continue;
                };
                // The restarted template differs from the running one only in an annotation,
                // which nothing modelled reads: the same facts under a new revision.
                let revision = self.deployments[di].revisions.len() as u32;
                let strategy = self.deployments[di].strategy;
                let Some(g) = self.add_group(id, revision, &obj.value, &obj.origin) else { continue };
                self.deployments[di].revisions.push(g);
                // The last applied manifest stays the one of the revision before.
                let sets = *self.deployments[di].revision_sets_replicas.last().expect("revision 0");
                self.deployments[di].revision_sets_replicas.push(sets);
                out.push((ei, id, g, ApplyReplicas::Kept, strategy));
                continue;
            }
            let spec::Event::ApplyDeployment { manifest, .. } = e else { continue };
            let f = format!("spec.events[{ei}].manifest");
            let found: Vec<&Object<K8sDeployment>> =
                self.inputs.applied.iter().filter(|(m, _)| m == manifest).map(|(_, o)| o).collect();
            let obj = match found.as_slice() {
                [o] => *o,
                [] => {
                    self.diag.error(InputError::at(
                        &self.spec_origin,
                        InputClass::DanglingReference,
                        f,
                        format!("{manifest:?} holds no apps/v1 Deployment"),
                    ));
                    continue;
                }
                _ => {
                    self.diag.error(InputError::at(
                        &self.spec_origin,
                        InputClass::Invalid,
                        f,
                        format!("{manifest:?} holds more than one Deployment; apply one at a time"),
                    ));
                    continue;
                }
            };
            let name = obj.value.metadata.name.clone().unwrap_or_default();
            // Another namespace's Deployment of the same name is another Deployment.
            let namespace = obj.value.metadata.namespace.as_deref().unwrap_or("default");
            let Some(di) = self.deployments.iter().position(|d| d.object_name == name && d.namespace == namespace)
            else {
                self.diag.error(InputError::at(&obj.origin, InputClass::DanglingReference, "metadata.name", format!("applyDeployment of {name:?} in namespace {namespace:?}, which is not among the initial Deployments; creating Deployments by apply is not modelled")));
                continue;
            };
            let id = DeploymentId(di as u32);
            if self.deployments[di].stateful.is_some() {
                self.diag.error(InputError::at(&obj.origin, InputClass::Invalid, "kind", format!("applyDeployment of a Deployment named {name:?}, which is a StatefulSet in namespace {namespace:?}; a StatefulSet's new revision is a rolloutRestart")));
                continue;
            }
            let revision = self.deployments[di].revisions.len() as u32;
            let strategy = self.strategy(&obj.value, &obj.origin);
            let Some(g) = self.add_group(id, revision, &obj.value, &obj.origin) else { continue };
            self.deployments[di].revisions.push(g);
            self.deployments[di].revision_sets_replicas.push(obj.value.spec.replicas.is_some());
            let replicas = match obj.value.spec.replicas {
                Some(r) => ApplyReplicas::Set(r as i64),
                None => ApplyReplicas::Omitted,
            };
            out.push((ei, id, g, replicas, strategy));
        }
        out
    }

    /// Resolves every group's static facts against the nodes and the other groups: first its
    /// inter-pod affinity, the one step that reports what it cannot resolve, then the rest.
    pub(super) fn resolve_groups(&mut self) -> Vec<PodGroup> {
        let n_groups = self.facts.len();
        let zone = self.labels.key(ZONE);
        let hostname = self.labels.key(HOSTNAME);
        let mut groups = Vec::with_capacity(n_groups);
        let namespace_labels = super::namespaces::NamespaceLabels::read(self.inputs, &mut self.diag);
        let namespaces: Vec<String> = (0..n_groups).map(|h| self.owner_namespace(h).to_string()).collect();
        let views: Vec<super::affinity::GroupView> = (0..n_groups)
            .map(|h| super::affinity::GroupView { namespace: &namespaces[h], labels: &self.facts[h].labels })
            .collect();
        let resolving = Resolving { namespaces: &namespaces, hostname, zone };
        for gi in 0..n_groups {
            let pod_affinity = super::affinity::resolve(
                &self.facts[gi].pod_affinity,
                gi,
                &namespaces[gi],
                &views,
                &self.fixed_pods,
                self.nodes.len(),
                &namespace_labels,
                &mut self.diag,
            );
            groups.push(self.resolve_group(gi, &resolving, pod_affinity));
        }
        groups
    }

    /// A Node whose Ready condition is False carries upstream's `not-ready` NoExecute taint,
    /// and kbmc models every NotReady node with the `unreachable` one (`nodes.rs`,
    /// `ready_condition`): exact while every pod template tolerates both alike (as the
    /// DefaultTolerationSeconds admission plugin's two 300 s tolerations do), not modelled
    /// where one does not.
    pub(super) fn check_not_ready_tolerations(&mut self) {
        let differs = (0..self.facts.len()).find(|&g| {
            pod::not_ready_eviction_after(&self.facts[g]) != pod::unreachable_eviction_after(&self.facts[g])
        });
        let Some(g) = differs else { return };
        let secs = |s: Option<i64>| s.map_or("for ever".to_string(), |s| format!("{s} s"));
        let (not_ready, unreachable) =
            (pod::not_ready_eviction_after(&self.facts[g]), pod::unreachable_eviction_after(&self.facts[g]));
        for node in &self.inputs.nodes {
            let conditions = node.value.status.as_ref().and_then(|s| s.conditions.as_deref()).unwrap_or_default();
            let Some(i) = conditions.iter().position(|c| c.type_ == "Ready" && c.status == "False") else { continue };
            self.diag.unmodeled(InputError::at(
                &node.origin,
                InputClass::Unmodeled,
                format!("status.conditions[{i}].status"),
                format!(
                    "a node whose Ready condition is False gets the node.kubernetes.io/not-ready NoExecute taint, which the pods of {} tolerate {}, but kbmc models every NotReady node with the node.kubernetes.io/unreachable taint, which they tolerate {}",
                    self.owner_name(g),
                    secs(not_ready),
                    secs(unreachable)
                ),
            ));
        }
    }

    /// Group `gi` with its facts resolved: placement per node (and per node group template),
    /// spread constraints (its own, or the system defaults), priority, ordinal.
    fn resolve_group(&self, gi: usize, resolving: &Resolving, pod_affinity: InterPodAffinity) -> PodGroup {
        let f = &self.facts[gi];
        let (owner, revision) = self.group_owner[gi];
        let mut per_node: Vec<_> = self.nodes.iter().map(|n| pod::placement_on(f, n, &self.labels)).collect();
        self.volume_zone_facts(gi, &mut per_node);
        let mut spread = self.user_spread(gi, resolving.namespaces);
        if spread.is_empty() && matches!(owner, Owner::Deployment(_)) {
            spread = self.system_default_spread(gi, resolving);
        }
        PodGroup {
            owner,
            revision,
            labels: f.labels.clone(),
            requests: f.requests,
            score_requests: f.score_requests,
            metric_requests: f.metric_requests,
            node_name: f.node_name.clone(),
            tolerates_unschedulable: pod::tolerates_unschedulable(f),
            tolerates_to_be_deleted: pod::tolerates_to_be_deleted(f),
            unreachable_eviction_after: pod::unreachable_eviction_after(f),
            per_node,
            spread,
            pod_affinity,
            local_storage: f.local_storage,
            pvc: f.pvc,
            has_required_affinity: f.required_terms.is_some(),
            selector_or_affinity: f.selector_or_affinity,
            request_names: f.request_names,
            qos: f.qos,
            ordinal: self.ordinal_of(gi),
            priority: self.group_priority[gi].0,
            preempts: self.group_priority[gi].1,
            safe_to_evict: f.safe_to_evict,
            per_template: self
                .pools
                .iter()
                .map(|p| p.template.as_ref().map(|n| pod::placement_on(f, n, &self.labels)))
                .collect(),
        }
    }

    /// Group `gi`'s own topology spread constraints, each with the groups and the snapshot's
    /// fixed pods its selector matches in the group's namespace (`namespaces`, per group).
    fn user_spread(&self, gi: usize, namespaces: &[String]) -> Vec<SpreadConstraint> {
        let f = &self.facts[gi];
        let namespace = &namespaces[gi];
        let n_groups = self.facts.len();
        // The selector matches group `h`'s pods in this namespace (an empty selector
        // matches every pod: labels.Everything).
        let desched_match = |c: &pod::RawSpread, h: usize| {
            let sel = c.selector.as_ref().expect("user constraints carry a selector");
            &namespaces[h] == namespace
                && all_match(sel, |k| self.facts[h].labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str()))
        };
        let empty_selector =
            |c: &pod::RawSpread| c.selector.as_ref().expect("user constraints carry a selector").is_empty();
        // The snapshot's fixed pods per node that the selector matches in this namespace.
        let fixed = |c: &pod::RawSpread| {
            let sel = c.selector.as_ref().expect("user constraints carry a selector");
            let mut per_node = vec![0; self.nodes.len()];
            if sel.is_empty() {
                return per_node;
            }
            for fp in self.fixed_pods.iter().filter(|fp| &fp.namespace == namespace) {
                if all_match(sel, |k| fp.labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str())) {
                    per_node[fp.node.index()] += fp.count;
                }
            }
            per_node
        };
        f.spread
            .iter()
            .map(|c| SpreadConstraint {
                max_skew: c.max_skew,
                topology_key: c.key,
                hard: c.hard,
                min_domains: c.min_domains,
                honor_node_affinity: c.honor_node_affinity,
                honor_node_taints: c.honor_node_taints,
                selects: (0..n_groups).map(|h| !empty_selector(c) && desched_match(c, h)).collect(),
                desched_selects: (0..n_groups).map(|h| desched_match(c, h)).collect(),
                self_match: all_match(c.selector.as_ref().expect("user constraints carry a selector"), |k| {
                    f.labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str())
                }),
                system_default: false,
                fixed: fixed(c),
            })
            .collect()
    }

    /// kube-scheduler's system default constraints (PodTopologySpread defaultingType System)
    /// for group `gi`, a Deployment's or StatefulSet's without constraints of its own.
    fn system_default_spread(&self, gi: usize, resolving: &Resolving) -> Vec<SpreadConstraint> {
        let (owner, revision) = self.group_owner[gi];
        // The system defaults' selector: a Deployment's pod's ReplicaSet (its revision), a
        // StatefulSet's pod's StatefulSet (every revision and ordinal), as DefaultSelector
        // finds the owners selecting the pod. A DaemonSet's pods get none: DefaultSelector
        // gathers the selectors of the Services, ReplicationControllers, ReplicaSets and
        // StatefulSets that select the pod, and an empty one gives no constraint
        // (buildDefaultConstraints).
        let stateful = match owner {
            Owner::Deployment(dep) => self.deployments[dep.index()].stateful.is_some(),
            Owner::DaemonSet(_) => false,
        };
        // A VPA's request variants are pods of one ReplicaSet (`vpa.rs`).
        let one_replica_set = matches!(owner, Owner::Deployment(d) if self.vpa_targets.contains(&d));
        let same_owner = |h: usize| {
            if stateful || one_replica_set {
                self.group_owner[h].0 == owner
            } else {
                self.group_owner[h] == (owner, revision)
            }
        };
        let n_groups = self.facts.len();
        [(resolving.hostname, 3), (resolving.zone, 5)]
            .into_iter()
            .map(|(key, skew)| SpreadConstraint {
                max_skew: skew,
                topology_key: key,
                hard: false,
                min_domains: None,
                honor_node_affinity: true,
                honor_node_taints: false,
                selects: (0..n_groups).map(&same_owner).collect(),
                desched_selects: (0..n_groups).map(&same_owner).collect(),
                self_match: true,
                system_default: true,
                // The system defaults select the pods of the same ReplicaSet.
                fixed: vec![0; self.nodes.len()],
            })
            .collect()
    }

    /// Resolves a Verification's reference to a Deployment at `field`: `namespace/name`, or
    /// `name` alone when one Deployment among the inputs has that name (in any namespace).
    fn resolve_deployment(&mut self, reference: &str, field: &str) -> Option<DeploymentId> {
        let found: Vec<usize> = match reference.split_once('/') {
            Some((ns, name)) => (0..self.deployments.len())
                .filter(|&i| self.deployments[i].namespace == ns && self.deployments[i].object_name == name)
                .collect(),
            None => (0..self.deployments.len()).filter(|&i| self.deployments[i].object_name == reference).collect(),
        };
        match found[..] {
            [i] => Some(DeploymentId(i as u32)),
            [] => {
                let message = match reference.split_once('/') {
                    Some((ns, name)) => format!("no Deployment named {name:?} in namespace {ns:?} in the manifests"),
                    None => format!("no Deployment named {reference:?} in the manifests"),
                };
                self.diag.error(InputError::at(&self.spec_origin, InputClass::DanglingReference, field, message));
                None
            }
            _ => {
                let candidates: Vec<String> =
                    found.iter().map(|&i| format!("{:?}", self.deployments[i].name)).collect();
                self.diag.error(InputError::at(
                    &self.spec_origin,
                    InputClass::Invalid,
                    field,
                    format!(
                        "{reference:?} is ambiguous: Deployments of that name run in {} namespaces; write one of {} (namespace/name)",
                        found.len(),
                        candidates.join(", ")
                    ),
                ));
                None
            }
        }
    }

    /// Resolves an optional deployment reference: the only Deployment when omitted.
    pub(super) fn deployment_ref(&mut self, name: &Option<String>, field: &str) -> Option<DeploymentId> {
        match name {
            Some(n) => self.resolve_deployment(n, field),
            None if self.deployments.len() == 1 => Some(DeploymentId(0)),
            None => {
                if !self.deployments.is_empty() {
                    self.diag.error(InputError::at(
                        &self.spec_origin,
                        InputClass::MissingOrMistyped,
                        field,
                        "required: there is more than one Deployment",
                    ));
                }
                None
            }
        }
    }
}

/// What resolving one group needs besides the builder: every group's namespace, and the
/// topology keys of the system default spread constraints.
struct Resolving<'a> {
    namespaces: &'a [String],
    hostname: LabelKey,
    zone: LabelKey,
}

#[cfg(test)]
mod tests {
    use crate::ir::build::test_inputs::{errors, model_of, pool, web};
    use crate::ir::{DeploymentId, Event, Intent};

    /// What the API server rejects in a Deployment's pod template
    /// (ValidatePodTemplateSpecForReplicaSet): a restartPolicy other than Always, and
    /// activeDeadlineSeconds.
    #[test]
    fn a_deployments_template_restarts_always_and_has_no_deadline() {
        let with = |field: &str| {
            let d = web(1, "1Gi").replace("      containers:", &format!("      {field}\n      containers:"));
            errors(&format!("{d}{}", pool("8", "8Gi")))
        };
        assert_eq!(with("restartPolicy: Always"), "");
        assert!(with("restartPolicy: OnFailure").contains("spec.template.spec.restartPolicy"));
        assert!(with("activeDeadlineSeconds: 30").contains("spec.template.spec.activeDeadlineSeconds"));
    }

    /// An applied manifest is a new version of the initial Deployment of the same name and
    /// namespace; of another namespace it would be a new Deployment, which is refused.
    #[test]
    fn an_applied_deployment_keeps_its_namespace() {
        let dir = std::env::temp_dir().join(format!("kbmc-apply-namespace-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("apply")).unwrap();
        std::fs::write(dir.join("deployment.yaml"), web(1, "1Gi")).unwrap();
        let verification =
            format!("{}  events: [{{type: applyDeployment, manifest: apply/v2.yaml, budget: 1}}]\n", pool("8", "8Gi"));
        std::fs::write(dir.join("verification.yaml"), verification).unwrap();
        let apply = |namespace: &str| {
            let v2 = web(1, "1Gi").replace("web:1", "web:2");
            let v2 = v2.replace("{name: web}", &format!("{{name: web, namespace: {namespace}}}"));
            std::fs::write(dir.join("apply/v2.yaml"), v2).unwrap();
            crate::load_model(std::slice::from_ref(&dir), false).map(|_| ()).map_err(|e| e.to_string())
        };
        let (same, other) = (apply("default"), apply("prod"));
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(same, Ok(()));
        let e = other.expect_err("another namespace");
        assert!(e.contains("namespace \"prod\", which is not among the initial Deployments"), "{e}");
    }

    /// `web` in namespaces prod and staging, each with an HPA named web, and `spec` (YAML
    /// lines under `spec:`, after the pool).
    fn two_webs(spec: &str) -> String {
        let hpa = |ns: &str| {
            format!("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web, namespace: {ns}}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  maxReplicas: 3\n---\n")
        };
        let in_ns = |ns: &str| web(1, "1Gi").replace("{name: web}", &format!("{{name: web, namespace: {ns}}}"));
        format!("{}{}{}{}{}{spec}", in_ns("prod"), hpa("prod"), in_ns("staging"), hpa("staging"), pool("8", "8Gi"))
    }

    /// A Deployment is identified by namespace and name: `web` in prod and staging are two,
    /// shown as `prod/web` and `staging/web` (their HPAs likewise), each HPA scaling the one of
    /// its own namespace; the same name twice in one namespace is a duplicate.
    #[test]
    fn deployments_of_one_name_in_two_namespaces_are_two() {
        let m = model_of(&two_webs(""));
        let names: Vec<(&str, &str, &str)> =
            m.deployments.iter().map(|d| (d.name.as_str(), d.object_name.as_str(), d.namespace.as_str())).collect();
        assert_eq!(names, [("prod/web", "web", "prod"), ("staging/web", "web", "staging")]);
        let hpas: Vec<(&str, usize)> = m.hpas.iter().map(|h| (h.name.as_str(), h.target.index())).collect();
        assert_eq!(hpas, [("prod/web", 0), ("staging/web", 1)]);
        // A unique name keeps its plain form, whatever its namespace.
        let alone = model_of(&format!(
            "{}{}",
            web(1, "1Gi").replace("{name: web}", "{name: web, namespace: prod}"),
            pool("8", "8Gi")
        ));
        assert_eq!(alone.deployments[0].name, "web");
        let twice = format!(
            "{}{}{}",
            web(1, "1Gi"),
            web(2, "1Gi").replace("{name: web}", "{name: web, namespace: default}"),
            pool("8", "8Gi")
        );
        let e = errors(&twice);
        assert!(
            e.contains("metadata.name") && e.contains("duplicate Deployment \"web\" in namespace \"default\""),
            "{e}"
        );
    }

    /// A reference in the Verification is `namespace/name`, or `name` where that name is
    /// unique; an ambiguous plain name is an error naming the field and the candidates.
    #[test]
    fn references_to_deployments_of_a_shared_name_need_the_namespace() {
        let ok = model_of(&two_webs("  intents: [{type: noEvictionCycle, deployment: staging/web}]\n  events: [{type: rolloutRestart, deployment: prod/web}]\n"));
        assert_eq!(ok.intents, [Intent::NoEvictionCycle { deployment: DeploymentId(1) }]);
        assert!(matches!(ok.events[..], [Event::ApplyDeployment { deployment: DeploymentId(0), .. }]));
        assert_eq!(ok.deployments[0].revisions.len(), 2);
        assert_eq!(ok.intent_label(&ok.intents[0]), "noEvictionCycle(staging/web)");
        let e = errors(&two_webs("  intents: [{type: noEvictionCycle, deployment: web}]\n"));
        assert!(
            e.contains("spec.intents[0].deployment")
                && e.contains("\"web\" is ambiguous")
                && e.contains("\"prod/web\", \"staging/web\""),
            "{e}"
        );
        let e = errors(&two_webs("  workloads: [{deployment: web, replicas: 2}]\n"));
        assert!(e.contains("spec.workloads[0].deployment") && e.contains("ambiguous"), "{e}");
        let e =
            errors(&two_webs("  events: [{type: scaleDeployment, deployment: dev/web, delta: {min: 1, max: 1}}]\n"));
        assert!(
            e.contains("spec.events[0].deployment") && e.contains("no Deployment named \"web\" in namespace \"dev\""),
            "{e}"
        );
        // Two workloads naming one Deployment, once plainly and once with its namespace.
        let e = errors(&format!(
            "{}{}  workloads: [{{deployment: web}}, {{deployment: default/web}}]\n",
            web(1, "1Gi"),
            pool("8", "8Gi")
        ));
        assert!(
            e.contains("spec.workloads[1].deployment") && e.contains("already described by spec.workloads[0]"),
            "{e}"
        );
    }

    /// `web` in namespace prod, whose pods keep away from pods labelled `app: web` in the
    /// namespaces `selector` (a namespaceSelector) selects, and `db` in namespace data; then
    /// `extra` documents and the pool.
    fn web_and_db(selector: &str, extra: &str) -> String {
        let anti = format!("      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution: [{{topologyKey: kubernetes.io/hostname, labelSelector: {{matchLabels: {{app: web}}}}, namespaceSelector: {selector}}}]\n      containers:");
        let front =
            web(1, "1Gi").replace("{name: web}", "{name: web, namespace: prod}").replace("      containers:", &anti);
        let db = web(1, "1Gi").replace("{name: web}", "{name: db, namespace: data}");
        format!("{front}{db}{extra}{}", pool("8", "8Gi"))
    }

    fn namespace(name: &str, labels: &str) -> String {
        format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}, labels: {labels}}}\n---\n")
    }

    /// A namespaceSelector selects by the Namespace manifests' labels; per group (web, db).
    #[test]
    fn a_namespace_selector_reads_namespace_labels() {
        let selects = |yaml: &str| model_of(yaml).groups[0].pod_affinity.required_anti[0].selects.clone();
        let both = format!("{}{}", namespace("prod", "{team: a}"), namespace("data", "{team: b}"));
        assert_eq!(selects(&web_and_db("{matchLabels: {team: a}}", &both)), [true, false]);
        assert_eq!(selects(&web_and_db("{matchLabels: {team: b}}", &both)), [false, true]);
        assert_eq!(selects(&web_and_db("{matchExpressions: [{key: team, operator: Exists}]}", &both)), [true, true]);
        assert_eq!(selects(&web_and_db("{}", "")), [true, true]);
        // The name label needs no manifest.
        let by_name = "{matchLabels: {kubernetes.io/metadata.name: data}}";
        assert_eq!(selects(&web_and_db(by_name, "")), [false, true]);
    }

    /// A requirement on another label of a modelled namespace without a Namespace manifest is
    /// refused, naming the field and the namespace; one the name label already decides is not.
    #[test]
    fn a_namespace_selector_on_unknown_labels_asks_for_the_manifest() {
        let e = errors(&web_and_db("{matchLabels: {team: a}}", &namespace("prod", "{team: a}")));
        assert!(e.contains("spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].namespaceSelector"), "{e}");
        assert!(e.contains("namespace \"data\""), "{e}");
        assert!(!e.contains("\"prod\""), "{e}");
        assert!(e.contains("include its v1 Namespace manifest"), "{e}");
        let e = errors(&web_and_db("{matchLabels: {team: a}}", ""));
        assert!(e.contains("namespaces \"data\", \"prod\""), "{e}");
        let decided = "{matchLabels: {kubernetes.io/metadata.name: prod, team: a}}";
        let m = model_of(&web_and_db(decided, &namespace("prod", "{team: a}")));
        assert_eq!(m.groups[0].pod_affinity.required_anti[0].selects, [true, false]);
        // Two manifests of one namespace are refused.
        let e = errors(&web_and_db("{}", &format!("{}{}", namespace("prod", "{}"), namespace("prod", "{}"))));
        assert!(e.contains("a second Namespace named \"prod\""), "{e}");
    }
}
