//! autoscaling.k8s.io/v1 VerticalPodAutoscalers -> `ir::Vpa`: the target Deployment (looked up
//! in the VPA's own namespace, one VPA per Deployment), the update mode, `minReplicas`, the
//! container policy (`minAllowed`, `maxAllowed`, `controlledResources`, `controlledValues`,
//! `mode`), and the recommendations the recommender can give (`ir::vpa`, one per CPU usage
//! level of the target's pods). Each recommendation whose requests differ from the
//! template's becomes a revision of the Deployment: its pod group is the template with the
//! admission controller's requests, so the scheduler, the HPA and the descheduler read the
//! requests of the pods as they are. Owns refusing the VPAs kbmc cannot represent, with file
//! and field; must not decide when the recommendation changes or which pod the updater
//! evicts (`model/controllers/vpa.rs`).
//!
//! Upstream facts (kubernetes/autoscaler vertical-pod-autoscaler): the API types
//! (`pkg/apis/autoscaling.k8s.io/v1/types.go`: update modes Off, Initial, Recreate,
//! InPlaceOrRecreate and the deprecated Auto, which runs as Recreate; controlled values
//! RequestsAndLimits by default; a container policy named `*` applies to every container
//! without its own); the updater's `--min-replicas` default 2
//! (`pkg/updater/main.go`); the admission controller's requests
//! (`pkg/admission-controller/resource/pod/recommendation/recommendation_provider.go`:
//! the capped target for each controlled resource, the template's value for the others).

use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;

use super::{shared_names, Builder};
use crate::error::{InputClass, InputError, Origin};
use crate::ir::{vpa, DeploymentId, GroupId, Qos, Vpa, VpaLevel, VpaMode};
use crate::manifest::quantity::{Quantity, Round};
use crate::manifest::vpa::{ContainerPolicy, VerticalPodAutoscaler};
use crate::spec;

/// The updater's `--min-replicas` default.
const DEFAULT_MIN_REPLICAS: i64 = 2;

/// A resource list of a container policy (`minAllowed`, `maxAllowed`): CPU millicores and
/// memory bytes, rounded up as kbmc reads every quantity.
fn allowed(
    list: Option<&std::collections::BTreeMap<String, K8sQuantity>>,
    origin: &Origin,
    field: &str,
    errors: &mut Vec<InputError>,
) -> (Option<i64>, Option<i64>) {
    let mut out = (None, None);
    for (name, q) in list.into_iter().flatten() {
        let f = format!("{field}.{name}");
        let parsed = Quantity::parse(&q.0).map_err(|e| e.0).and_then(|p| {
            if p.is_negative() {
                return Err(format!("negative quantity {:?}", q.0));
            }
            match name.as_str() {
                "cpu" => p.millis(Round::Up).map_err(|e| e.0),
                _ => p.units(Round::Up).map_err(|e| e.0),
            }
        });
        match (name.as_str(), parsed) {
            (_, Err(e)) => errors.push(InputError::at(origin, InputClass::BadQuantity, f, e)),
            ("cpu", Ok(v)) => out.0 = Some(v),
            ("memory", Ok(v)) => out.1 = Some(v),
            (other, Ok(_)) => errors.push(InputError::at(
                origin,
                InputClass::Unmodeled,
                f,
                format!("resource {other:?} is not modelled; a VPA controls cpu and memory"),
            )),
        }
    }
    out
}

/// What reading one VPA found, reported together once it is read (errors first, then the
/// dropped fields, then the unmodelled facts of the target).
#[derive(Default)]
struct Findings {
    errors: Vec<InputError>,
    /// Fields --allow-unmodeled drops (the VPA stays, as if they were absent).
    dropped: Vec<InputError>,
    /// Facts of the target that leave the VPA out of the model when allowed.
    unmodeled: Vec<InputError>,
}

/// Where a VPA's findings are: its origin, and the object they name.
struct VpaAt<'a> {
    origin: &'a Origin,
    object: String,
}

impl VpaAt<'_> {
    fn error(&self, class: InputClass, field: &str, msg: String) -> InputError {
        InputError::at(self.origin, class, field, msg).with_object(self.object.clone())
    }
}

/// The container policy that applies to the target's container, as the recommender and the
/// admission controller read it.
struct PolicyFacts {
    controls_cpu: bool,
    controls_memory: bool,
    requests_only: bool,
    /// `minAllowed` and `maxAllowed`: CPU millicores and memory bytes.
    min_allowed: (Option<i64>, Option<i64>),
    max_allowed: (Option<i64>, Option<i64>),
}

/// Reads what of a VPA's spec and metadata does not depend on its target: the fields
/// --allow-unmodeled drops, the update mode and the updater's `minReplicas`.
fn update_policy(v: &VerticalPodAutoscaler, at: &VpaAt, found: &mut Findings) -> (VpaMode, i64) {
    if v.spec.recommenders.is_some() {
        found.dropped.push(at.error(
            InputClass::Unmodeled,
            "spec.recommenders",
            "alternative recommenders are not modelled; kbmc models the default recommender".into(),
        ));
    }
    if v.metadata.deletion_timestamp.is_some() {
        found.dropped.push(at.error(
            InputClass::Unmodeled,
            "metadata.deletionTimestamp",
            "a VerticalPodAutoscaler being deleted is not modelled".into(),
        ));
    }
    let policy = v.spec.update_policy.clone().unwrap_or_default();
    let mode = match policy.update_mode.as_deref() {
        None | Some("Auto") | Some("Recreate") => VpaMode::Recreate,
        Some("Off") => VpaMode::Off,
        Some("Initial") => VpaMode::Initial,
        Some("InPlaceOrRecreate") => VpaMode::InPlaceOrRecreate,
        Some(other) => {
            found.errors.push(at.error(
                InputClass::Invalid,
                "spec.updatePolicy.updateMode",
                format!(
                    "unsupported value {other:?}; expected \"Off\", \"Initial\", \"Recreate\", \"InPlaceOrRecreate\" or \"Auto\""
                ),
            ));
            VpaMode::Off
        }
    };
    let min_replicas = match policy.min_replicas {
        None => DEFAULT_MIN_REPLICAS,
        Some(m) if m > 0 => m as i64,
        Some(m) => {
            found.errors.push(at.error(
                InputClass::Invalid,
                "spec.updatePolicy.minReplicas",
                format!("{m} must be greater than 0 (the API server's validation)"),
            ));
            DEFAULT_MIN_REPLICAS
        }
    };
    if policy.eviction_requirements.is_some() {
        found.dropped.push(at.error(
            InputClass::Unmodeled,
            "spec.updatePolicy.evictionRequirements",
            "eviction requirements (evict only to scale up or down) are not modelled".into(),
        ));
    }
    if policy.evict_after_oom_seconds.is_some() {
        found.dropped.push(at.error(
            InputClass::Unmodeled,
            "spec.updatePolicy.evictAfterOOMSeconds",
            "OOM kills are not modelled, nor the updater's reaction to them".into(),
        ));
    }
    (mode, min_replicas)
}

impl Builder<'_> {
    /// Reads every VerticalPodAutoscaler and adds, to its target Deployment, a revision per
    /// recommendation whose requests the template does not already have.
    pub(super) fn vpas(&mut self, spec: &spec::VerificationSpec) -> Vec<Vpa> {
        let inputs = self.inputs;
        let shared = shared_names(inputs.vpas.iter().map(|o| &o.value.metadata));
        let mut out: Vec<Vpa> = Vec::new();
        for o in &inputs.vpas {
            if let Some(v) = self.vpa(&o.value, &o.origin, &shared, &out, spec) {
                out.push(v);
            }
        }
        out
    }

    /// Reads one VPA: its own fields, its target Deployment and what of the target kbmc
    /// cannot pair with a VPA, the container policy; then, when nothing was refused, the
    /// recommendation per usage level (and the revisions they add).
    fn vpa(
        &mut self,
        v: &VerticalPodAutoscaler,
        origin: &Origin,
        shared: &std::collections::BTreeSet<String>,
        earlier: &[Vpa],
        spec: &spec::VerificationSpec,
    ) -> Option<Vpa> {
        let object_name = v.metadata.name.clone().unwrap_or_default();
        let namespace = v.metadata.namespace.clone().unwrap_or_else(|| "default".into());
        let at = VpaAt { origin, object: format!("VerticalPodAutoscaler/{object_name}") };
        let mut found = Findings::default();
        let (mode, min_replicas) = update_policy(v, &at, &mut found);
        let di = self.vpa_target(v, &at, &namespace, earlier)?;
        let container = self.check_vpa_target(di, mode, &namespace, &at, &mut found)?;
        let policy = self.container_policy(v, &container, &at, &mut found);
        self.check_cpu_changes(di, spec, &at, &mut found);
        if !self.report_vpa_findings(found) {
            return None;
        }
        let levels = self.vpa_levels(di, spec, mode, &policy);
        let name = if shared.contains(&object_name) { format!("{namespace}/{object_name}") } else { object_name };
        Some(Vpa {
            name,
            target: DeploymentId(di as u32),
            mode,
            min_replicas,
            controls_cpu: policy.controls_cpu,
            controls_memory: policy.controls_memory,
            requests_only: policy.requests_only,
            min_allowed: policy.min_allowed,
            max_allowed: policy.max_allowed,
            levels,
            origin: origin.clone(),
        })
    }

    /// The index of a VPA's target: an apps/v1 Deployment of the VPA's namespace that no
    /// earlier VPA targets; else `None`, reported at once.
    fn vpa_target(&mut self, v: &VerticalPodAutoscaler, at: &VpaAt, namespace: &str, earlier: &[Vpa]) -> Option<usize> {
        let Some(r) = &v.spec.target_ref else {
            self.diag.error(at.error(InputClass::MissingOrMistyped, "spec.targetRef", "missing required field".into()));
            return None;
        };
        if r.kind != "Deployment" || r.api_version.as_deref().is_some_and(|a| a != "apps/v1") {
            self.diag.unmodeled(at.error(
                InputClass::Unmodeled,
                "spec.targetRef",
                format!(
                    "target {} {} is not modelled; only apps/v1 Deployments",
                    r.api_version.clone().unwrap_or_default(),
                    r.kind
                ),
            ));
            return None;
        }
        let Some(di) = self
            .deployments
            .iter()
            .position(|d| d.object_name == r.name && d.namespace == namespace && d.stateful.is_none())
        else {
            self.diag.error(at.error(
                InputClass::DanglingReference,
                "spec.targetRef.name",
                format!("no Deployment named {:?} in the VPA's namespace {namespace:?} in the manifests", r.name),
            ));
            return None;
        };
        let dep_id = DeploymentId(di as u32);
        if let Some(first) = earlier.iter().find(|e| e.target == dep_id) {
            self.diag.error(at.error(
                InputClass::Invalid,
                "spec.targetRef.name",
                format!(
                    "Deployment {:?} already has a VerticalPodAutoscaler ({}); upstream's updater and admission controller pick one of two matching VPAs, which is not modelled",
                    self.deployments[di].name, first.origin
                ),
            ));
            return None;
        }
        Some(di)
    }

    /// Finds what of target Deployment `di` kbmc cannot pair with a VPA (template revisions,
    /// more than one container, limits, pod-template-hash in inter-pod terms) and returns the
    /// template's container, or `None` when the Deployment's manifest is not found. Template
    /// revisions matter only where the VPA changes pods: in mode Off nothing is applied (every
    /// level is the template's revision, `vpa_levels`), so its target may roll out, as the
    /// inferred spec's `rolloutRestart` has it (`spec::infer`).
    fn check_vpa_target(
        &self,
        di: usize,
        mode: VpaMode,
        namespace: &str,
        at: &VpaAt,
        found: &mut Findings,
    ) -> Option<k8s_openapi::api::core::v1::Container> {
        let dep_name = &self.deployments[di].name;
        if mode != VpaMode::Off && self.deployments[di].revisions.len() > 1 {
            found.unmodeled.push(at.error(
                InputClass::Unmodeled,
                "spec.targetRef.name",
                format!(
                    "Deployment {dep_name:?} also has template revisions (applyDeployment, rolloutRestart or a snapshot's rollout); a VPA on a Deployment that rolls out is not modelled"
                ),
            ));
        }
        // The template: kbmc's usage is per pod, so the VPA's container is the pod's only one.
        let dep_obj = inputs_deployment(self.inputs, &self.deployments[di].object_name, namespace)?;
        let pod = dep_obj.value.spec.template.spec.clone().unwrap_or_default();
        let dep_origin = dep_obj.origin.clone();
        if pod.containers.len() != 1 || pod.init_containers.as_ref().is_some_and(|c| !c.is_empty()) {
            found.unmodeled.push(at.error(
                InputClass::Unmodeled,
                "spec.targetRef.name",
                format!(
                    "Deployment {dep_name:?} ({dep_origin}) has {} containers and {} init containers; kbmc's usage is per pod, so a VPA is modelled on pods of one container and no init container",
                    pod.containers.len(),
                    pod.init_containers.as_ref().map_or(0, |c| c.len())
                ),
            ));
        }
        let container = pod.containers.first().cloned().unwrap_or_default();
        if container.resources.as_ref().and_then(|r| r.limits.as_ref()).is_some_and(|l| !l.is_empty()) {
            found.unmodeled.push(at.error(
                InputClass::Unmodeled,
                "spec.targetRef.name",
                format!(
                    "container {:?} of Deployment {dep_name:?} sets limits; the limits a VPA keeps in proportion are not modelled (remove them, or use --allow-unmodeled)",
                    container.name
                ),
            ));
        }
        // pod-template-hash in an inter-pod term's matchLabelKeys tells revisions apart;
        // upstream, a VPA's resized pods are one ReplicaSet's and share the hash.
        let base_facts = &self.facts[self.deployments[di].revisions[0].index()];
        let a = &base_facts.pod_affinity;
        if a.required
            .iter()
            .chain(&a.required_anti)
            .chain(&a.preferred)
            .chain(&a.preferred_anti)
            .any(|t| t.revision.is_some())
        {
            found.unmodeled.push(at.error(
                InputClass::Unmodeled,
                "spec.targetRef.name",
                format!(
                    "Deployment {dep_name:?} has an inter-pod (anti-)affinity term with pod-template-hash in matchLabelKeys or mismatchLabelKeys; with a VPA this is not modelled"
                ),
            ));
        }
        Some(container)
    }

    /// Reads the container policy of `container`: its own by name, else the `*` one. Every
    /// policy's fields are checked, the one that applies or not.
    fn container_policy(
        &self,
        v: &VerticalPodAutoscaler,
        container: &k8s_openapi::api::core::v1::Container,
        at: &VpaAt,
        found: &mut Findings,
    ) -> PolicyFacts {
        let policies = v.spec.resource_policy.as_ref().map(|p| p.container_policies.clone()).unwrap_or_default();
        let pick = policies
            .iter()
            .position(|p| p.container_name.as_deref() == Some(container.name.as_str()))
            .or_else(|| policies.iter().position(|p| matches!(p.container_name.as_deref(), Some("*") | None)));
        let cp = pick.map(|i| policies[i].clone()).unwrap_or_default();
        let f = |rest: &str| format!("spec.resourcePolicy.containerPolicies[{}].{rest}", pick.unwrap_or(0));
        for (i, p) in policies.iter().enumerate() {
            self.check_policy(p, at.origin, &at.object, i, &mut found.errors);
        }
        let off = cp.mode.as_deref() == Some("Off");
        let (mut controls_cpu, mut controls_memory) = (true, true);
        if let Some(list) = &cp.controlled_resources {
            controls_cpu = list.iter().any(|r| r == "cpu");
            controls_memory = list.iter().any(|r| r == "memory");
        }
        if off {
            (controls_cpu, controls_memory) = (false, false);
        }
        PolicyFacts {
            controls_cpu,
            controls_memory,
            requests_only: cp.controlled_values.as_deref() == Some("RequestsOnly"),
            min_allowed: allowed(cp.min_allowed.as_ref(), at.origin, &f("minAllowed"), &mut found.errors),
            max_allowed: allowed(cp.max_allowed.as_ref(), at.origin, &f("maxAllowed"), &mut found.errors),
        }
    }

    /// Whether an event's `deployment` (none: the only Deployment) names Deployment `di`.
    fn event_names(&self, di: usize, deployment: &Option<String>) -> bool {
        match deployment {
            Some(n) => n == &self.deployments[di].name || n == &self.deployments[di].object_name,
            None => self.deployments.len() == 1,
        }
    }

    /// cpuChange events on target `di` would give the recommender one level per reachable
    /// usage: unmodelled.
    fn check_cpu_changes(&self, di: usize, spec: &spec::VerificationSpec, at: &VpaAt, found: &mut Findings) {
        let dep_name = &self.deployments[di].name;
        for (ei, e) in spec.events.iter().enumerate() {
            if let spec::Event::CpuChange { deployment, .. } = e {
                if self.event_names(di, deployment) {
                    found.unmodeled.push(at.error(
                        InputClass::Unmodeled,
                        "spec.targetRef.name",
                        format!(
                            "spec.events[{ei}] (cpuChange) moves the usage of Deployment {dep_name:?}; a VPA over usage levels reached by cpuChange events is not modelled (use a cpuPattern)"
                        ),
                    ));
                }
            }
        }
    }

    /// Reports a VPA's findings; whether it stays in the model (none was an error or an
    /// unmodelled fact of its target).
    fn report_vpa_findings(&mut self, found: Findings) -> bool {
        let had_errors = !found.errors.is_empty();
        for e in found.errors {
            self.diag.error(e);
        }
        for e in found.dropped {
            self.diag.unmodeled(e);
        }
        let had_unmodeled = !found.unmodeled.is_empty();
        for mut e in found.unmodeled {
            e.message.push_str(" (allowed, the VerticalPodAutoscaler is left out of the model)");
            self.diag.unmodeled(e);
        }
        !(had_errors || had_unmodeled)
    }

    /// The CPU usage levels (millicores) a pod of target `di` can have, sorted: the
    /// workload's usage, or under a cpuPattern its bootstrap and steady levels.
    fn usage_levels(&self, di: usize, spec: &spec::VerificationSpec) -> Vec<i64> {
        let mut levels_milli = vec![self.deployments[di].initial_usage.cpu_milli];
        for e in &spec.events {
            if let spec::Event::CpuPattern { deployment, bootstrap, steady } = e {
                if self.event_names(di, deployment) {
                    // Unparsable quantities are the events' builder's to report.
                    for q in [bootstrap, steady] {
                        if let Ok(m) = Quantity::parse(&q.0).and_then(|p| p.millis(Round::Up)) {
                            levels_milli.push(m);
                        }
                    }
                    // The workload's own level is not a level a pod has under a pattern.
                    levels_milli.remove(0);
                }
            }
        }
        levels_milli.sort();
        levels_milli.dedup();
        levels_milli
    }

    /// The recommendation at each usage level of target `di`, capped by the policy, and the
    /// revision whose pods request it (the template's in mode Off, where nothing is applied).
    fn vpa_levels(
        &mut self,
        di: usize,
        spec: &spec::VerificationSpec,
        mode: VpaMode,
        p: &PolicyFacts,
    ) -> Vec<VpaLevel> {
        let dep_id = DeploymentId(di as u32);
        let usage = self.deployments[di].initial_usage;
        let base_group = self.deployments[di].revisions[0];
        let base = self.facts[base_group.index()].requests;
        let memory_target = vpa::cap(vpa::memory_target(usage.memory, 1), p.min_allowed.1, p.max_allowed.1);
        let mut levels = Vec::new();
        for u in self.usage_levels(di, spec) {
            let cpu_target = vpa::cap(vpa::cpu_target_milli(u, 1), p.min_allowed.0, p.max_allowed.0);
            let cpu = if p.controls_cpu { cpu_target } else { base.cpu_milli };
            let memory = if p.controls_memory { memory_target } else { base.memory };
            let revision = if mode == VpaMode::Off {
                0
            } else {
                self.vpa_revision(dep_id, base_group, cpu, memory, p.controls_cpu, p.controls_memory)
            };
            levels.push(VpaLevel {
                usage_cpu_milli: u,
                target_cpu_milli: cpu_target,
                target_memory: memory_target,
                revision,
            });
        }
        levels
    }

    /// The revision of Deployment `dep` whose pods request `cpu` and `memory`: the template's,
    /// one added earlier for another level, or a new one (the template with the admission
    /// controller's requests).
    fn vpa_revision(
        &mut self,
        dep: DeploymentId,
        base: GroupId,
        cpu: i64,
        memory: i64,
        sets_cpu: bool,
        sets_memory: bool,
    ) -> u32 {
        let di = dep.index();
        for (rev, g) in self.deployments[di].revisions.iter().enumerate() {
            let r = self.facts[g.index()].requests;
            if r.cpu_milli == cpu && r.memory == memory {
                return rev as u32;
            }
        }
        let mut facts = self.facts[base.index()].clone();
        facts.requests.cpu_milli = cpu;
        facts.requests.memory = memory;
        if sets_cpu {
            facts.score_requests.cpu_milli = cpu;
            facts.metric_requests.cpu_milli = Some(cpu);
        }
        if sets_memory {
            facts.score_requests.memory = memory;
            facts.metric_requests.memory = Some(memory);
        }
        // Requests without limits: Burstable (no limit is set, the builder refuses them).
        facts.qos = if cpu > 0 || memory > 0 { Qos::Burstable } else { Qos::BestEffort };
        let revision = self.deployments[di].revisions.len() as u32;
        let id = GroupId(self.facts.len() as u32);
        let priority = self.group_priority[base.index()];
        self.facts.push(facts);
        self.group_priority.push(priority);
        self.group_owner.push((crate::ir::Owner::Deployment(dep), revision));
        self.deployments[di].revisions.push(id);
        if !self.vpa_targets.contains(&dep) {
            self.vpa_targets.push(dep);
        }
        let sets = self.deployments[di].revision_sets_replicas[0];
        self.deployments[di].revision_sets_replicas.push(sets);
        revision
    }

    fn check_policy(&self, p: &ContainerPolicy, origin: &Origin, object: &str, i: usize, errors: &mut Vec<InputError>) {
        let f = |rest: &str| format!("spec.resourcePolicy.containerPolicies[{i}].{rest}");
        let bad =
            |field: String, msg: String| InputError::at(origin, InputClass::Invalid, field, msg).with_object(object);
        if let Some(m) = p.mode.as_deref().filter(|m| !matches!(*m, "Auto" | "Off")) {
            errors.push(bad(f("mode"), format!("unsupported value {m:?}; expected \"Auto\" or \"Off\"")));
        }
        for r in p.controlled_resources.iter().flatten() {
            if r != "cpu" && r != "memory" {
                errors.push(bad(
                    f("controlledResources"),
                    format!("unsupported resource {r:?}; expected \"cpu\" or \"memory\""),
                ));
            }
        }
        if let Some(c) = p.controlled_values.as_deref().filter(|c| !matches!(*c, "RequestsAndLimits" | "RequestsOnly"))
        {
            errors.push(bad(
                f("controlledValues"),
                format!("unsupported value {c:?}; expected \"RequestsAndLimits\" or \"RequestsOnly\""),
            ));
        }
    }
}

/// The Deployment manifest named `name` in `namespace`.
fn inputs_deployment<'a>(
    inputs: &'a crate::manifest::Inputs,
    name: &str,
    namespace: &str,
) -> Option<&'a crate::manifest::Object<k8s_openapi::api::apps::v1::Deployment>> {
    inputs.deployments.iter().find(|o| {
        o.value.metadata.name.as_deref() == Some(name)
            && o.value.metadata.namespace.as_deref().unwrap_or("default") == namespace
    })
}
