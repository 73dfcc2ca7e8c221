//! A cluster snapshot's ReplicaSets and Pods (`kubectl get rs,pods -A -o yaml`) -> the
//! initial state: the revisions of a rollout in progress, each Deployment's pods per node and
//! phase, and the load of pods no modelled controller owns. Owns matching Pods to ReplicaSets
//! to Deployments (ownerReferences, selectors, namespaces kept apart) and refusing what cannot
//! be represented; must not decide how controllers treat that state.
//!
//! Upstream facts it follows:
//! - A Deployment's ReplicaSets are those it controls (ownerReferences with `controller:
//!   true`); the new one is the ReplicaSet whose template equals the Deployment's ignoring
//!   the `pod-template-hash` label (pkg/controller/deployment/util/deployment_util.go,
//!   `FindNewReplicaSet`, `EqualIgnoreHash`), and it carries the Deployment's
//!   `deployment.kubernetes.io/revision` annotation (`SetNewReplicaSetAnnotations`).
//! - A ReplicaSet's pods carry its `pod-template-hash` label (the ReplicaSet's selector has
//!   it, `controller.ComputeHash` in deployment's sync.go), so the label names the revision.
//! - Ownership is claimed by selector (pkg/controller/controller_ref_manager.go, `ClaimObject`
//!   through `ClaimReplicaSets` and `ClaimPods`): an object whose controller reference names
//!   its owner by uid stays owned while the owner's selector matches its labels and is
//!   released otherwise; an orphan (no controller reference) that is not being deleted is
//!   adopted by the owner whose selector matches it; a controller reference whose uid is not
//!   the owner's belongs to someone else (an earlier object of that name, whose dependents
//!   the garbage collector deletes). kbmc adopts as upstream, and refuses a release, an
//!   orphan two owners could adopt, and a stale uid.
//! - kube-scheduler does not cache terminal pods (phase Succeeded or Failed: the pod informer
//!   of pkg/scheduler/scheduler.go selects `status.phase!=Succeeded,status.phase!=Failed`),
//!   and a ReplicaSet does not count them (controller_utils.go `FilterActivePods`): they are
//!   left out. A pod with a `deletionTimestamp` is terminating: not active, still holding
//!   its requests on its node, not counted by topology spread (podtopologyspread/common.go,
//!   `countPodsMatchSelector`).
//! - A pod is its template after admission: DefaultTolerationSeconds appends 300 s
//!   tolerations of the `not-ready` and `unreachable` NoExecute taints
//!   (plugin/pkg/admission/defaulttolerationseconds, `Admit`), Priority sets `spec.priority`
//!   from the class (0 without one), the API server sets `status.qosClass` from the
//!   requests and limits. Any other difference from its ReplicaSet's template in what the
//!   modelled controllers read (labels, requests, node selection, tolerations, spread,
//!   volumes, `controller.kubernetes.io/pod-deletion-cost`, which ranks scale-down victims
//!   before their nodes do in controller_utils.go `ActivePodsWithRanks`) is refused.
//! - A pod's requests for the scheduler and the descheduler are component-helpers resource
//!   `PodRequests`: containers summed, init containers at their maximum, plus
//!   `spec.overhead`; pod-level resources and sidecars replace or add to that and are
//!   refused on fixed pods (as on templates); container statuses that report other requests
//!   (an in-place resize) are refused.
//! - A pod whose controller is a DaemonSet among the inputs is that DaemonSet's
//!   (`ClaimPods` in daemon_controller.go's `getDaemonPods`), not fixed load: it is recorded
//!   (`DaemonPod`) for `daemonsets.rs` to hold to the DaemonSet's start state.
//! - A pending pod's `status.nominatedNodeName` (set by preemption) is the node the
//!   scheduler tries first and holds room on (schedule_one.go `evaluateNominatedNode`): refused.
//! - The descheduler's RemovePodsViolatingTopologySpreadConstraint balances by the constraints
//!   of every pod its evictor lets through, fixed pods' among them (its `Balance`): a fixed
//!   pod's constraint that selects a Deployment's pods is refused when a DeschedulerPolicy is
//!   among the inputs.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment as K8sDeployment;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Pod, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::{Builder, Diag};
use crate::error::{InputClass, InputError, Origin};
use crate::ir::labels::{all_match, Requirement};
use crate::ir::pod::{self, TemplateFacts};
use crate::ir::{DeploymentId, FixedPods, GroupId, InitialPods, NodeId, PodPhase, Resources};
use crate::manifest::quantity::Quantity;
use crate::manifest::Object;

const HASH: &str = "pod-template-hash";
const REVISION: &str = "deployment.kubernetes.io/revision";
const DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

/// The reference of an object's controller (`controller: true`).
fn controller_ref(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references.iter().flatten().find(|o| o.controller == Some(true))
}

/// The owner of an object that `controller: true` names.
fn controller_of(meta: &ObjectMeta) -> Option<(&str, &str)> {
    controller_ref(meta).map(|o| (o.kind.as_str(), o.name.as_str()))
}

/// Whether a controller reference names an earlier object than `owner`: both uids known, and
/// different (ClaimObject: "Owned by someone else").
fn stale(reference: &OwnerReference, owner: &ObjectMeta) -> bool {
    owner.uid.as_deref().is_some_and(|u| !reference.uid.is_empty() && reference.uid != u)
}

/// Whether a terminating pod was deleted by a preemption: its (first) DisruptionTarget
/// condition is True with reason PreemptionByScheduler (kube-scheduler's
/// `podTerminatingByPreemption`; the preemption sets it before it deletes the pod).
fn by_preemption(p: &Pod) -> bool {
    let conditions = p.status.as_ref().and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    conditions
        .iter()
        .find(|c| c.type_ == "DisruptionTarget")
        .is_some_and(|c| c.status == "True" && c.reason.as_deref() == Some("PreemptionByScheduler"))
}

fn namespace(meta: &ObjectMeta) -> String {
    meta.namespace.clone().unwrap_or_else(|| "default".into())
}

/// Whether `labels` satisfy `selector` (a selector with no requirement selects nothing here:
/// the API server rejects one on a Deployment or ReplicaSet).
fn selects(selector: &[Requirement], labels: Option<&BTreeMap<String, String>>) -> bool {
    !selector.is_empty() && all_match(selector, |k| labels.and_then(|l| l.get(k)).map(String::as_str))
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

/// A snapshot's pod whose controller is a DaemonSet among the inputs: not fixed load but one
/// of the DaemonSet's pods, which `daemonsets.rs` holds to the state a run starts the
/// DaemonSet in (its pod running on every node that should run it).
pub(super) struct DaemonPod {
    pub origin: Origin,
    pub namespace: String,
    /// Its DaemonSet's name.
    pub owner: String,
    /// `namespace/name`, for messages.
    pub pod: String,
    pub node: Option<NodeId>,
    /// Running (phase Running, bound) and not terminating.
    pub running: bool,
    pub facts: TemplateFacts,
    /// `spec.priority` as admitted.
    pub priority: Option<i32>,
}

/// A ReplicaSet of a modelled Deployment.
pub(super) struct Owned {
    /// The group its pods belong to.
    group: GroupId,
    /// Its template's `pod-template-hash`.
    hash: Option<String>,
    /// Its selector: which pods it keeps and adopts.
    selector: Vec<Requirement>,
    uid: Option<String>,
    /// Its template's `controller.kubernetes.io/pod-deletion-cost`.
    deletion_cost: Option<String>,
}

/// What the snapshot's ReplicaSets resolved to.
#[derive(Default)]
pub(super) struct ReplicaSets {
    /// (namespace, ReplicaSet name) -> the ReplicaSet of a modelled Deployment.
    groups: BTreeMap<(String, String), Owned>,
    /// (namespace, ReplicaSet name) of ReplicaSets no modelled Deployment controls: their pods
    /// are fixed load (with --allow-unmodeled).
    unowned: Vec<(String, String)>,
}

/// A scratch collector: template_facts' findings on a snapshot object, judged by the caller.
fn scratch() -> Diag {
    Diag::new(Vec::new(), true)
}

/// A finding of `template_facts(.., prefix "", ..)` with its field made the object's own and
/// the note `Diag::unmodeled` added removed (the caller reports it again).
fn own(mut e: InputError) -> InputError {
    e.field = e.field.replacen("..", ".", 1).trim_start_matches('.').to_string();
    if let Some(m) = e.message.strip_suffix(" (ignored: --allow-unmodeled)") {
        e.message = m.to_string();
    }
    e
}

/// A modelled Deployment among the manifests, as a ReplicaSet's owner.
struct Candidate<'a> {
    namespace: String,
    /// Its index among the Builder's Deployments.
    di: usize,
    /// Its selector (its errors are add_group's).
    selector: Vec<Requirement>,
    manifest: &'a Object<K8sDeployment>,
}

/// The modelled Deployments among the manifests.
fn candidates<'a>(inputs: &'a crate::manifest::Inputs, deployments: &[crate::ir::Deployment]) -> Vec<Candidate<'a>> {
    let mut sc = scratch();
    inputs
        .deployments
        .iter()
        .filter_map(|d| {
            let ns = namespace(&d.value.metadata);
            let di = deployments
                .iter()
                .position(|x| Some(x.object_name.as_str()) == d.value.metadata.name.as_deref() && x.namespace == ns)?;
            let selector = pod::label_selector(&d.value.spec.selector, &d.origin, "", &mut sc);
            Some(Candidate { namespace: ns, di, selector, manifest: d })
        })
        .collect()
}

/// A snapshot ReplicaSet being read: where it is, and its namespace and name.
struct SnapshotRs<'a> {
    origin: &'a Origin,
    rs: &'a ReplicaSet,
    ns: String,
    name: String,
}

/// The current ReplicaSet of a Deployment, whose size `check_current_replicas` compares.
struct CurrentRs {
    di: usize,
    origin: Origin,
    /// `namespace/name`.
    name: String,
    replicas: i32,
}

/// A snapshot Pod being read: where it is, its namespace and name (for messages), the node
/// it is bound to, and whether it is terminating.
struct SnapshotPod<'a> {
    origin: &'a Origin,
    pod: &'a Pod,
    spec: &'a PodSpec,
    ns: String,
    name: String,
    node: Option<NodeId>,
    terminating: bool,
}

/// Who a snapshot pod belongs to, as far as the ReplicaSets tell.
enum PodOwner<'a> {
    /// The ReplicaSet of a modelled Deployment, by controller reference or by adoption.
    ReplicaSet(&'a Owned),
    /// A controller reference to a ReplicaSet that is not among the modelled ones.
    UnknownReplicaSet(&'a str),
    /// Another controller, or none.
    Other,
}

/// The Deployments' pods the snapshot starts with, counted as `snapshot_pods` reads them.
struct InitialTally {
    /// (group, node, phase order) -> (phase, count).
    pods: BTreeMap<(GroupId, Option<NodeId>, u8), (PodPhase, i64)>,
    /// Per Deployment: whether the Verification places its pods (spec.workloads[].placement).
    placed: Vec<bool>,
}

/// The phase a Deployment's snapshot pod starts in, or `None` for one deleted before it was
/// bound (gone, no load).
fn initial_phase(pod: &SnapshotPod) -> Option<PodPhase> {
    Some(match (pod.terminating, pod.node, pod.pod.status.as_ref().and_then(|s| s.phase.as_deref())) {
        (true, None, _) => return None,
        (true, Some(_), _) if by_preemption(pod.pod) => PodPhase::Preempted,
        (true, Some(_), _) => PodPhase::Terminating,
        (false, None, _) => PodPhase::Pending,
        (false, Some(_), Some("Running")) => PodPhase::Running,
        (false, Some(_), _) => PodPhase::Bound,
    })
}

impl Builder<'_> {
    /// Reads the snapshot's ReplicaSets: the one matching its Deployment's template is
    /// revision 0 (the Deployment's own), every other one that has pods or replicas becomes
    /// an older revision of the same Deployment (a rollout in progress). A ReplicaSet no
    /// modelled Deployment owns is refused; with --allow-unmodeled its pods are fixed load.
    pub(super) fn snapshot_replica_sets(&mut self) -> ReplicaSets {
        let mut out = ReplicaSets::default();
        let inputs = self.inputs;
        let mut current: Vec<CurrentRs> = Vec::new();
        let deployments = candidates(inputs, &self.deployments);
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
            let at = SnapshotRs { origin, rs, ns, name };
            let owner = match self.replica_set_owner(&at, &deployments) {
                Ok(owner) => owner,
                Err((field, why)) => {
                    self.diag.unmodeled(InputError::at(origin, InputClass::Unmodeled, field, why));
                    out.unowned.push((at.ns, at.name));
                    continue;
                }
            };
            if let Some(owned) = self.owned_replica_set(&at, owner, &mut current) {
                out.groups.insert((at.ns, at.name), owned);
            }
        }
        self.check_current_replicas(current);
        out
    }

    /// The modelled Deployment that owns a ReplicaSet, as its controller claims it; or the
    /// field and reason why none does (being deleted, two could adopt it, no controller
    /// among the inputs, a stale uid, a selector that releases it).
    fn replica_set_owner<'c, 'd>(
        &self,
        at: &SnapshotRs,
        deployments: &'c [Candidate<'d>],
    ) -> Result<&'c Candidate<'d>, (&'static str, String)> {
        let (ns, name, rs) = (&at.ns, &at.name, at.rs);
        if rs.metadata.deletion_timestamp.is_some() {
            return Err(("metadata.deletionTimestamp", format!("ReplicaSet {ns}/{name} is being deleted: the garbage collector deletes its pods, and its Deployment creates another ReplicaSet; not modelled (with --allow-unmodeled its pods are fixed load on their nodes)")));
        }
        let labels = rs.metadata.labels.as_ref();
        // Each modelled Deployment of the namespace with its selector and manifest.
        let candidates: Vec<&Candidate> = deployments.iter().filter(|c| c.namespace == *ns).collect();
        let owner = match controller_ref(&rs.metadata) {
            Some(r) => candidates
                .iter()
                .copied()
                .find(|c| r.kind == "Deployment" && self.deployments[c.di].object_name == r.name),
            None => {
                // An orphan: the Deployment whose selector matches adopts it (ClaimReplicaSets).
                let adopters: Vec<&Candidate> =
                    candidates.iter().copied().filter(|c| selects(&c.selector, labels)).collect();
                if adopters.len() > 1 {
                    let names: Vec<&str> = adopters.iter().map(|c| self.deployments[c.di].name.as_str()).collect();
                    return Err(("metadata.ownerReferences", format!("ReplicaSet {ns}/{name} has no controller, and the selectors of Deployments {names:?} all match its labels: whichever syncs first adopts it (ClaimReplicaSets); not modelled (with --allow-unmodeled its pods are fixed load on their nodes)")));
                }
                adopters.first().copied()
            }
        };
        let Some(owner) = owner else {
            return Err(("metadata.ownerReferences", format!("ReplicaSet {ns}/{name} is controlled by no Deployment among the inputs; only ReplicaSets of Deployments are modelled (with --allow-unmodeled its pods are fixed load on their nodes)")));
        };
        let dname = &self.deployments[owner.di].name;
        let dep = &owner.manifest.value;
        if let Some(r) = controller_ref(&rs.metadata).filter(|r| stale(r, &dep.metadata)) {
            return Err(("metadata.ownerReferences", format!("ReplicaSet {ns}/{name}'s controller reference names Deployment {dname:?} with uid {:?}, but that Deployment's uid is {:?}: the ReplicaSet belonged to an earlier Deployment of that name, and the garbage collector deletes it and its pods; not modelled (with --allow-unmodeled its pods are fixed load on their nodes)", r.uid, dep.metadata.uid.as_deref().unwrap_or_default())));
        }
        if !selects(&owner.selector, labels) {
            return Err(("metadata.labels", format!("Deployment {dname:?}'s selector does not match the labels of its ReplicaSet {ns}/{name}, so the Deployment controller releases the ReplicaSet (ClaimReplicaSets) and creates another; not modelled (with --allow-unmodeled its pods are fixed load on their nodes)")));
        }
        Ok(owner)
    }

    /// Reads a ReplicaSet that `owner` owns: the current one (its template is the
    /// Deployment's, or it carries the Deployment's revision annotation) is the Deployment's
    /// revision 0 and is added to `current`; an older one with pods or replicas becomes a
    /// revision of its own. `None` for a ReplicaSet without template (reported) or an old
    /// one left out.
    fn owned_replica_set(&mut self, at: &SnapshotRs, owner: &Candidate, current: &mut Vec<CurrentRs>) -> Option<Owned> {
        let (origin, spec) = (at.origin, &at.rs.spec);
        let Some(template) = &spec.template else {
            self.diag.error(InputError::at(
                origin,
                InputClass::MissingOrMistyped,
                "spec.template",
                "a ReplicaSet needs a pod template",
            ));
            return None;
        };
        let template_meta = template.metadata.as_ref();
        let hash = template_meta.and_then(|m| m.labels.as_ref()).and_then(|l| l.get(HASH)).cloned();
        let deletion_cost =
            template_meta.and_then(|m| m.annotations.as_ref()).and_then(|a| a.get(DELETION_COST)).cloned();
        let mut sc = scratch();
        let selector = pod::label_selector(&spec.selector, origin, "spec.selector", &mut sc);
        let dep = &owner.manifest.value;
        let annotation = |m: &ObjectMeta| m.annotations.as_ref().and_then(|a| a.get(REVISION)).cloned();
        let equal = without_hash(template) == without_hash(&dep.spec.template);
        let current_rs = equal || annotation(&at.rs.metadata).is_some_and(|r| Some(r) == annotation(&dep.metadata));
        let group = if current_rs {
            // What the API server rejects in a ReplicaSet (ValidateReplicaSetSpec); an
            // older revision's selector is checked as its group's.
            self.diag.errors.append(&mut sc.errors);
            let g = self.current_revision(at, template, &selector, owner.di, equal);
            let name = format!("{}/{}", at.ns, at.name);
            current.push(CurrentRs {
                di: owner.di,
                origin: origin.clone(),
                name,
                replicas: spec.replicas.unwrap_or(1),
            });
            g
        } else {
            self.older_revision(at, template, owner)?
        };
        let uid = at.rs.metadata.uid.clone();
        Some(Owned { group, hash, selector, uid, deletion_cost })
    }

    /// The group of Deployment `di`'s current ReplicaSet: its revision 0. Checks the
    /// ReplicaSet's selector against its template, and, for one that is current only by
    /// its revision annotation (not `equal` to the Deployment's template), that the two
    /// templates agree on what kbmc reads.
    fn current_revision(
        &mut self,
        at: &SnapshotRs,
        template: &PodTemplateSpec,
        selector: &[Requirement],
        di: usize,
        equal: bool,
    ) -> GroupId {
        let origin = at.origin;
        let template_labels = template.metadata.as_ref().and_then(|m| m.labels.as_ref());
        if selector.is_empty() {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.selector",
                "an empty selector is not allowed for apps/v1 ReplicaSets",
            ));
        } else if !selects(selector, template_labels) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.selector",
                "does not match spec.template.metadata.labels (the API server rejects this)",
            ));
        }
        let g = self.deployments[di].revisions[0];
        if equal {
            return g;
        }
        // Current by the revision annotation (a template written by hand beside a dumped
        // ReplicaSet differs in what the API server defaults): its pods are the Deployment's
        // only where the templates agree on what kbmc reads.
        let mut sc = scratch();
        let facts = pod::template_facts(template, origin, "spec.template", &mut self.labels, &mut sc);
        let theirs = &self.facts[g.index()];
        let field = facts.and_then(|f| {
            if f.requests != theirs.requests {
                Some("spec.containers[].resources")
            } else {
                pod::differs(&f, theirs, false)
            }
        });
        if let Some(field) = field {
            let (ns, name, dname) = (&at.ns, &at.name, &self.deployments[di].name);
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                format!("spec.template.{field}"),
                format!("ReplicaSet {ns}/{name} carries Deployment {dname:?}'s revision annotation, but its template's {field} differs from the Deployment's: the Deployment controller would start a rollout to the Deployment's template, and kbmc would give the ReplicaSet's pods the Deployment's; not modelled"),
            ));
        }
        g
    }

    /// An older ReplicaSet of `owner` as a revision of its own: its template, and its
    /// selector (which includes the hash). `None` for one kept for rollback (no pods, no
    /// replicas: nothing to model) or whose group is refused.
    fn older_revision(&mut self, at: &SnapshotRs, template: &PodTemplateSpec, owner: &Candidate) -> Option<GroupId> {
        let (ns, name, spec) = (&at.ns, &at.name, &at.rs.spec);
        let has_pods = self.inputs.pods.iter().any(|p| {
            namespace(&p.value.metadata) == *ns && controller_of(&p.value.metadata) == Some(("ReplicaSet", name))
        });
        if !has_pods && spec.replicas.unwrap_or(1) == 0 {
            return None;
        }
        let di = owner.di;
        let revision = self.deployments[di].revisions.len() as u32;
        let id = DeploymentId(di as u32);
        let mut d = owner.manifest.value.clone();
        d.spec.template = template.clone();
        // The ReplicaSet's selector includes the hash; its template labels match it.
        d.spec.selector = spec.selector.clone();
        let g = self.add_group(id, revision, &d, at.origin)?;
        self.deployments[di].revisions.push(g);
        let sets = self.deployments[di].revision_sets_replicas[0];
        self.deployments[di].revision_sets_replicas.push(sets);
        Some(g)
    }

    /// Outside a rollout the ReplicaSet holds its Deployment's replicas; one that does not
    /// is being resized, and the ReplicaSet controller acts on its own size first.
    fn check_current_replicas(&mut self, current: Vec<CurrentRs>) {
        for CurrentRs { di, origin, name, replicas } in current {
            let d = &self.deployments[di];
            let manifest = self.inputs.deployments.iter().find(|o| {
                o.value.metadata.name.as_deref() == Some(d.object_name.as_str())
                    && namespace(&o.value.metadata) == d.namespace
            });
            let want = manifest.and_then(|o| o.value.spec.replicas).unwrap_or(1);
            if d.revisions.len() == 1 && replicas != want {
                let dname = d.name.clone();
                self.diag.unmodeled(InputError::at(
                    &origin,
                    InputClass::Unmodeled,
                    "spec.replicas",
                    format!("ReplicaSet {name} has {replicas} replicas where Deployment {dname:?} has {want}: the snapshot was taken while the Deployment controller was resizing it, and the ReplicaSet controller first acts on its own size; kbmc starts from a settled ReplicaSet (take the snapshot again)"),
                ));
            }
        }
    }

    /// Reads the snapshot's Pods into `initial_pods` and `fixed_pods`: each pod that is not
    /// terminal is checked, read as a template, and given to its owner (a Deployment's
    /// ReplicaSet, a DaemonSet among the inputs, or none of those: fixed load).
    pub(super) fn snapshot_pods(&mut self, rs: &ReplicaSets) {
        let inputs = self.inputs;
        let placed = self.deployments.iter().map(|d| !d.placement.is_empty()).collect();
        let mut tally = InitialTally { pods: BTreeMap::new(), placed };
        for Object { origin, value: p } in &inputs.pods {
            let Some(pod) = self.snapshot_pod(origin, p) else { continue };
            let Some((facts, findings)) = self.snapshot_pod_facts(&pod) else { continue };
            let Some(owner) = self.pod_owner(&pod, rs) else { continue };
            match owner {
                PodOwner::ReplicaSet(owned) => self.deployment_pod(&pod, owned, &facts, findings, &mut tally),
                PodOwner::UnknownReplicaSet(rs_name)
                    if !rs.unowned.contains(&(pod.ns.clone(), rs_name.to_string()))
                        && self
                            .deployments
                            .iter()
                            .any(|d| d.namespace == pod.ns && rs_name.starts_with(&format!("{}-", d.object_name))) =>
                {
                    let (ns, name) = (&pod.ns, &pod.name);
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::DanglingReference,
                        "metadata.ownerReferences",
                        format!("pod {ns}/{name} belongs to ReplicaSet {rs_name:?}, which is not among the inputs; add the ReplicaSets (kubectl get rs -o yaml) so that kbmc knows the pod's revision"),
                    ));
                }
                _ => match controller_of(&p.metadata) {
                    Some(("DaemonSet", owner)) if self.daemon_set_in_inputs(&pod.ns, owner) => {
                        let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
                        self.daemon_pods.push(DaemonPod {
                            origin: origin.clone(),
                            namespace: pod.ns.clone(),
                            owner: owner.to_string(),
                            pod: format!("{}/{}", pod.ns, pod.name),
                            node: pod.node,
                            running: pod.node.is_some() && !pod.terminating && phase == Some("Running"),
                            priority: pod.spec.priority,
                            facts,
                        })
                    }
                    owner => self.fixed_pod(&pod, owner, facts),
                },
            }
        }
        for ((group, node, _), (phase, count)) in tally.pods {
            self.initial_pods.push(InitialPods { group, node, phase, count });
        }
    }

    /// A snapshot Pod to read, or `None`: a terminal one (no load, no replica), and,
    /// reported, one of an unknown phase, without spec, Running but unbound, or bound to a
    /// node that is not there.
    fn snapshot_pod<'p>(&mut self, origin: &'p Origin, p: &'p Pod) -> Option<SnapshotPod<'p>> {
        let ns = namespace(&p.metadata);
        let name = p.metadata.name.clone().unwrap_or_else(|| "<unnamed>".into());
        let phase = p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
        match phase {
            "Succeeded" | "Failed" => return None, // terminal: no load, no replica
            "Pending" | "Running" => {}
            other => {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "status.phase",
                    format!("pod {ns}/{name}: phase {other:?} is not modelled; expected Pending, Running, Succeeded or Failed"),
                ));
                return None;
            }
        }
        let Some(spec) = &p.spec else {
            self.diag.error(InputError::at(origin, InputClass::MissingOrMistyped, "spec", "a Pod needs a spec"));
            return None;
        };
        if phase == "Running" && spec.node_name.is_none() {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "status.phase",
                format!("pod {ns}/{name} is Running but has no spec.nodeName: a pod runs on the node it is bound to"),
            ));
            return None;
        }
        let terminating = p.metadata.deletion_timestamp.is_some();
        let node = match &spec.node_name {
            None => None,
            Some(n) => Some(self.bound_node(origin, &ns, &name, n)?),
        };
        Some(SnapshotPod { origin, pod: p, spec, ns, name, node, terminating })
    }

    /// The node `n` a pod `ns/name` is bound to, or `None` (reported) when it is not among the
    /// inputs or not present in every topology.
    fn bound_node(&mut self, origin: &Origin, ns: &str, name: &str, n: &str) -> Option<NodeId> {
        let Some(id) = self.node_by_name(n) else {
            self.diag.error(InputError::at(
                origin,
                InputClass::DanglingReference,
                "spec.nodeName",
                format!("pod {ns}/{name} is on node {n:?}, which is not among the inputs; add its v1 Node"),
            ));
            return None;
        };
        let node = &self.nodes[id.index()];
        let pool = &self.pools[node.pool.index()];
        if (node.index_in_pool as i64) >= pool.count.min {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.nodeName",
                format!(
                    "pod {ns}/{name}: node {n:?} is not present in every topology (pool {:?} may have only {} nodes)",
                    pool.name, pool.count.min
                ),
            ));
            return None;
        }
        Some(id)
    }

    /// A pod's own facts, read leniently as a template: its errors are reported, its
    /// unmodelled fields returned as findings for its owner to judge (a Deployment's pods
    /// against their template, fixed pods by what reaches other pods). Then its status is
    /// checked against its spec.
    fn snapshot_pod_facts(&mut self, pod: &SnapshotPod) -> Option<(TemplateFacts, Vec<InputError>)> {
        let template = PodTemplateSpec { metadata: Some(pod.pod.metadata.clone()), spec: Some(pod.spec.clone()) };
        let mut sc = scratch();
        let facts = pod::template_facts(&template, pod.origin, "", &mut self.labels, &mut sc);
        self.diag.errors.extend(sc.errors.into_iter().map(own));
        let findings: Vec<InputError> = sc.warnings.into_iter().map(own).collect();
        let facts = facts?;
        self.check_pod_status(pod, &facts);
        Some((facts, findings))
    }

    /// What a pod's status and admission say that its spec must agree with: its QoS class,
    /// a priority set from its class, requests not resized in place, no resource claims on
    /// its node's cpu or memory.
    fn check_pod_status(&mut self, pod: &SnapshotPod, facts: &TemplateFacts) {
        let (origin, p, ns, name) = (pod.origin, pod.pod, &pod.ns, &pod.name);
        if let Some(q) = p.status.as_ref().and_then(|s| s.qos_class.as_deref()) {
            let computed = pod::qos_name(facts);
            if q != computed {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "status.qosClass",
                    format!("pod {ns}/{name}: {q:?}, but its containers' requests and limits make it {computed} (the API server sets the class from them)"),
                ));
            }
        }
        if let (Some(c), None) = (&pod.spec.priority_class_name, pod.spec.priority) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.priorityClassName",
                format!("pod {ns}/{name} names PriorityClass {c:?} but has no spec.priority: the API server's Priority admission sets the priority from the class, and the scheduler and the descheduler read only spec.priority"),
            ));
        }
        if let Some(field) = pod::status_requests_differ(p) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                field,
                format!("pod {ns}/{name}: its container status reports requests other than its spec's (an in-place resize in progress); the scheduler counts the larger, which is not modelled"),
            ));
        }
        if p.status
            .as_ref()
            .and_then(|s| s.node_allocatable_resource_claim_statuses.as_ref())
            .is_some_and(|c| !c.is_empty())
        {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "status.nodeAllocatableResourceClaimStatuses",
                format!("pod {ns}/{name} holds cpu or memory of its node through resource claims, besides its requests; not modelled"),
            ));
        }
    }

    /// Who owns a pod: the ReplicaSet its controller reference names, or for an orphan that
    /// is not terminating the one whose selector matches (ClaimPods adopts it; a terminating
    /// one it leaves alone). `None` (reported) for an orphan two ReplicaSets could adopt.
    fn pod_owner<'r>(&mut self, pod: &SnapshotPod<'r>, rs: &'r ReplicaSets) -> Option<PodOwner<'r>> {
        let (ns, name) = (&pod.ns, &pod.name);
        let labels = pod.pod.metadata.labels.as_ref();
        Some(match controller_ref(&pod.pod.metadata) {
            Some(r) if r.kind == "ReplicaSet" => match rs.groups.get(&(ns.clone(), r.name.clone())) {
                Some(owned) => PodOwner::ReplicaSet(owned),
                None => PodOwner::UnknownReplicaSet(r.name.as_str()),
            },
            Some(_) => PodOwner::Other,
            None if !pod.terminating => {
                let adopters: Vec<(&(String, String), &Owned)> =
                    rs.groups.iter().filter(|((n, _), o)| n == ns && selects(&o.selector, labels)).collect();
                if adopters.len() > 1 {
                    let names: Vec<&str> = adopters.iter().map(|((_, n), _)| n.as_str()).collect();
                    self.diag.unmodeled(InputError::at(
                        pod.origin,
                        InputClass::Unmodeled,
                        "metadata.ownerReferences",
                        format!("pod {ns}/{name} has no controller, and the selectors of ReplicaSets {names:?} all match its labels: whichever syncs first adopts it (ClaimPods); not modelled"),
                    ));
                    return None;
                }
                adopters.first().map_or(PodOwner::Other, |(_, o)| PodOwner::ReplicaSet(o))
            }
            None => PodOwner::Other,
        })
    }

    /// Reads a pod of a modelled Deployment's ReplicaSet `owned`: checks that the ReplicaSet
    /// keeps it and that it is of its revision, reports what it has that its template does
    /// not, and counts it in `tally` by node and phase.
    fn deployment_pod(
        &mut self,
        pod: &SnapshotPod,
        owned: &Owned,
        facts: &TemplateFacts,
        findings: Vec<InputError>,
        tally: &mut InitialTally,
    ) {
        if !self.pod_kept(pod, owned) || !self.pod_of_revision(pod, owned, &tally.placed) {
            return;
        }
        self.pod_findings(pod, owned.group, findings);
        self.pod_differs_from_template(pod, owned, facts);
        let Some(phase) = initial_phase(pod) else { return };
        let order = match phase {
            PodPhase::Pending => 0,
            PodPhase::Bound => 1,
            PodPhase::Running => 2,
            PodPhase::Terminating => 3,
            PodPhase::Preempted => 4,
        };
        tally.pods.entry((owned.group, pod.node, order)).or_insert((phase, 0)).1 += 1;
    }

    /// Whether ReplicaSet `owned` keeps a pod (ClaimPods): refused as unmodelled when the
    /// pod's controller reference names an earlier ReplicaSet of that name, or the
    /// ReplicaSet's selector releases it.
    fn pod_kept(&mut self, pod: &SnapshotPod, owned: &Owned) -> bool {
        let (origin, ns, name) = (pod.origin, &pod.ns, &pod.name);
        let r = controller_ref(&pod.pod.metadata);
        if let Some(r) = r.filter(|r| owned.uid.as_deref().is_some_and(|u| !r.uid.is_empty() && r.uid != u)) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "metadata.ownerReferences",
                format!("pod {ns}/{name}'s controller reference names ReplicaSet {:?} with uid {:?}, but that ReplicaSet's uid is {:?}: the pod belonged to an earlier ReplicaSet of that name, and the garbage collector deletes it; not modelled", r.name, r.uid, owned.uid.as_deref().unwrap_or_default()),
            ));
            return false;
        }
        if !selects(&owned.selector, pod.pod.metadata.labels.as_ref()) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "metadata.labels",
                format!("pod {ns}/{name}'s labels do not match its ReplicaSet's selector, so the ReplicaSet controller releases the pod (ClaimPods) and creates another; not modelled"),
            ));
            return false;
        }
        true
    }

    /// Whether a pod may start as one of its ReplicaSet's revision: an error when the
    /// Verification places the Deployment's pods too, or when its pod-template-hash is not
    /// its ReplicaSet's.
    fn pod_of_revision(&mut self, pod: &SnapshotPod, owned: &Owned, placed: &[bool]) -> bool {
        let (origin, ns, name) = (pod.origin, &pod.ns, &pod.name);
        let dep = self.owner_deployment(owned.group.index());
        if placed[dep.index()] {
            let dname = &self.deployments[dep.index()].name;
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "metadata.ownerReferences",
                format!("pod {ns}/{name} of Deployment {dname:?}: the Verification places this Deployment's pods (spec.workloads[].placement) and the snapshot has them too; give one or the other"),
            ));
            return false;
        }
        let pod_hash = pod.pod.metadata.labels.as_ref().and_then(|l| l.get(HASH)).map(String::as_str);
        if let (Some(h), Some(ph)) = (owned.hash.as_deref(), pod_hash) {
            if h != ph {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "metadata.labels.pod-template-hash",
                    format!("pod {ns}/{name}: {ph:?} differs from its ReplicaSet's {h:?}"),
                ));
                return false;
            }
        }
        true
    }

    /// Reports what a Deployment's pod has that no template of a modelled Deployment may
    /// have (its template would be refused), a priority other than its template's, and an
    /// active deadline.
    fn pod_findings(&mut self, pod: &SnapshotPod, g: GroupId, findings: Vec<InputError>) {
        let (origin, ns, name) = (pod.origin, &pod.ns, &pod.name);
        // Its priority is judged below.
        for mut e in findings.into_iter().filter(|e| !e.field.ends_with("spec.priorityClassName")) {
            e.message = format!("pod {ns}/{name}: {}", e.message);
            self.diag.unmodeled(e);
        }
        let want = self.group_priority[g.index()].0;
        if let Some(v) = pod.spec.priority.filter(|&v| v as i64 != want) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.priority",
                format!("pod {ns}/{name} has priority {v} (set at admission), but its ReplicaSet's template resolves to {want} against the PriorityClasses among the inputs: kbmc gives every pod of a revision its template's priority (was a class changed or deleted since?)"),
            ));
        }
        if pod.spec.active_deadline_seconds.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.activeDeadlineSeconds",
                format!("pod {ns}/{name}: the kubelet fails the pod once its deadline passes and its ReplicaSet replaces it, which is not modelled"),
            ));
        }
    }

    /// Reports where a Deployment's pod differs from its ReplicaSet's template in what kbmc
    /// reads (requests, then the other facts), in its deletion cost, and a nomination by a
    /// preemption: kbmc gives every pod of a revision its template's.
    fn pod_differs_from_template(&mut self, pod: &SnapshotPod, owned: &Owned, facts: &TemplateFacts) {
        let (origin, ns, name, g) = (pod.origin, &pod.ns, &pod.name, owned.group);
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
        } else if let Some(field) = pod::differs(facts, &self.facts[g.index()], true) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                field,
                format!("pod {ns}/{name}: its {field} differs from its ReplicaSet's template (changed after the pod was created, or by an admission webhook): kbmc gives every pod of a revision its template's"),
            ));
        }
        let cost = pod.pod.metadata.annotations.as_ref().and_then(|a| a.get(DELETION_COST));
        if cost != owned.deletion_cost.as_ref() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                format!("metadata.annotations.{DELETION_COST}"),
                format!("pod {ns}/{name}: a deletion cost other than its template's ranks the ReplicaSet's pods for scale-down before their nodes do (ActivePodsWithRanks); kbmc ranks the pods of a revision alike"),
            ));
        }
        let nominated =
            pod.pod.status.as_ref().and_then(|s| s.nominated_node_name.as_deref()).filter(|n| !n.is_empty());
        if let (None, Some(n)) = (pod.node, nominated) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "status.nominatedNodeName",
                format!("pod {ns}/{name} is nominated to node {n:?} by a preemption: the scheduler tries that node first and holds room on it for the pod, which is not modelled"),
            ));
        }
    }

    /// Whether DaemonSet `ns/name` is among the inputs.
    fn daemon_set_in_inputs(&self, ns: &str, name: &str) -> bool {
        self.inputs.daemon_sets.iter().any(|o| {
            o.value.metadata.name.as_deref() == Some(name)
                && o.value.metadata.namespace.as_deref().unwrap_or("default") == ns
        })
    }

    /// Reads a pod no modelled controller owns (`owner` is its controller, if any) as fixed
    /// load on its node: refuses one that is terminating or pending, and what of it would
    /// act on other pods or on its own requests; adds its overhead to its requests and
    /// records it.
    fn fixed_pod(&mut self, pod: &SnapshotPod, owner: Option<(&str, &str)>, mut facts: TemplateFacts) {
        let Some(node) = self.fixed_pod_node(pod) else { return };
        self.unmodeled_fixed_pod(pod);
        self.fixed_pod_spread(pod, &facts);
        self.add_overhead(pod, &mut facts);
        self.record_fixed_pod(pod, node, owner, &facts);
    }

    /// The node a fixed pod holds its requests on; `None` (unmodelled) for a terminating
    /// pod (its load goes away) or a pending one (kube-scheduler would place it).
    fn fixed_pod_node(&mut self, pod: &SnapshotPod) -> Option<NodeId> {
        let (origin, ns, name) = (pod.origin, &pod.ns, &pod.name);
        if pod.terminating {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "metadata.deletionTimestamp",
                format!("pod {ns}/{name} is terminating and no modelled controller owns it: it holds its requests until its kubelet stops it and then frees them, and topology spread no longer counts it, where kbmc keeps a fixed pod for the whole run; not modelled (with --allow-unmodeled it is left out)"),
            ));
            return None;
        }
        if pod.node.is_none() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.nodeName",
                format!("pod {ns}/{name} is pending and no modelled controller owns it; kube-scheduler would place it, which is not modelled (only bound pods of other owners are read, as fixed load)"),
            ));
        }
        pod.node
    }

    /// Reports what of a fixed pod kbmc does not model: inter-pod (anti-)affinity, which
    /// acts on incoming pods; a priority a preemptor could evict; pod-level resources and
    /// sidecars, which change its requests.
    fn unmodeled_fixed_pod(&mut self, pod: &SnapshotPod) {
        let (origin, ns, name, spec) = (pod.origin, &pod.ns, &pod.name, pod.spec);
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
        let priority = spec.priority.unwrap_or(0) as i64;
        if let Some(p) = self.preemptor_priorities().filter(|&p| p > priority).max() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.priority",
                format!(
                    "pod {ns}/{name}: its priority {priority} is below {p}, a priority of pods that may preempt (PreemptLowerPriority): the scheduler could preempt it, and kbmc keeps a pod no modelled controller owns for the whole run"
                ),
            ));
        }
        if spec.resources.as_ref().is_some_and(|r| r.requests.is_some() || r.limits.is_some()) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.resources",
                format!("pod {ns}/{name}: pod-level resources replace its containers' requests on its node (PodRequests), which is not modelled"),
            ));
        }
        for (i, c) in spec.init_containers.iter().flatten().enumerate() {
            if c.restart_policy.as_deref() == Some("Always") {
                self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    format!("spec.initContainers[{i}].restartPolicy"),
                    format!("pod {ns}/{name}: a sidecar container's requests add to the pod's on its node for as long as it runs (PodRequests), which is not modelled"),
                ));
            }
        }
    }

    /// With a DeschedulerPolicy among the inputs, refuses a fixed pod's spread constraint
    /// that selects a Deployment's pods (the descheduler balances by it; kbmc does not).
    fn fixed_pod_spread(&mut self, pod: &SnapshotPod, facts: &TemplateFacts) {
        if self.inputs.descheduler_policies.is_empty() {
            return;
        }
        let (ns, name) = (&pod.ns, &pod.name);
        for (i, c) in facts.spread.iter().enumerate() {
            let Some(sel) = &c.selector else { continue };
            let selected = (0..self.facts.len()).find(|&g| {
                self.owner_namespace(g) == ns
                    && all_match(sel, |k| self.facts[g].labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str()))
            });
            if let Some(g) = selected {
                let dname = self.owner_name(g).to_string();
                self.diag.unmodeled(InputError::at(
                    pod.origin,
                    InputClass::Unmodeled,
                    format!("spec.topologySpreadConstraints[{i}]"),
                    format!("pod {ns}/{name}'s constraint selects pods of Deployment {dname:?}: the descheduler's RemovePodsViolatingTopologySpreadConstraint balances by the constraints of every pod it may evict, and kbmc's by its Deployments' own; not modelled"),
                ));
            }
        }
    }

    /// Pod overhead counts with the requests wherever they are summed (PodRequests): adds a
    /// fixed pod's to its requests.
    fn add_overhead(&mut self, pod: &SnapshotPod, facts: &mut TemplateFacts) {
        for (resource, q) in pod.spec.overhead.iter().flatten() {
            let field = format!("spec.overhead.{resource}");
            let parsed = match resource.as_str() {
                "cpu" => Quantity::parse(&q.0).and_then(|v| v.milli_value()),
                "memory" => Quantity::parse(&q.0).and_then(|v| v.value()),
                _ => continue, // extended resources: kbmc's pods request none
            };
            match parsed {
                Ok(v) if v >= 0 && resource == "cpu" => {
                    facts.requests.cpu_milli += v;
                    facts.score_requests.cpu_milli += v;
                }
                Ok(v) if v >= 0 => {
                    facts.requests.memory = facts.requests.memory.saturating_add(v);
                    facts.score_requests.memory = facts.score_requests.memory.saturating_add(v);
                }
                Ok(_) => self.diag.error(InputError::at(
                    pod.origin,
                    InputClass::BadQuantity,
                    field,
                    format!("negative quantity {:?}", q.0),
                )),
                Err(e) => self.diag.error(InputError::at(pod.origin, InputClass::BadQuantity, field, e.0)),
            }
        }
    }

    /// Records a fixed pod on `node`: counted with the fixed pods of the same namespace,
    /// labels, requests and priority there, and added to the node's fixed load.
    fn record_fixed_pod(
        &mut self,
        pod: &SnapshotPod,
        node: NodeId,
        owner: Option<(&str, &str)>,
        facts: &TemplateFacts,
    ) {
        let (ns, name) = (pod.ns.as_str(), &pod.name);
        let priority = pod.spec.priority.unwrap_or(0) as i64;
        let owner = match owner {
            Some((k, n)) => format!("{k}/{n}"),
            None => format!("Pod/{name}"),
        };
        let labels = facts.labels.clone();
        match self.fixed_pods.iter_mut().find(|f| {
            f.node == node
                && f.namespace == ns
                && f.labels == labels
                && f.requests == facts.requests
                && f.priority == priority
        }) {
            Some(f) => f.count += 1,
            None => self.fixed_pods.push(FixedPods {
                node,
                namespace: ns.to_string(),
                labels,
                requests: facts.requests,
                count: 1,
                owner,
                priority,
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
    use crate::ir::PodPhase;
    use crate::model::testkit::{model, node};

    const NODES: &str = "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {allocatable: {cpu: \"8\", memory: 8Gi}}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: n2}\nstatus: {allocatable: {cpu: \"8\", memory: 8Gi}}\n---\n";

    fn deployment(ns: &str, image: &str) -> String {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: {ns}}}\nspec:\n  replicas: 3\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: c, image: {image}, resources: {{requests: {{cpu: \"1\", memory: 1Gi}}}}}}]\n      topologySpreadConstraints: [{{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{app: web}}}}}}]\n---\n")
    }

    fn replica_set(hash: &str, image: &str, replicas: i64) -> String {
        format!("apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-{hash}\n  namespace: shop\n  labels: {{app: web, pod-template-hash: {hash}}}\n  ownerReferences: [{{apiVersion: apps/v1, kind: Deployment, name: web, uid: u, controller: true}}]\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web, pod-template-hash: {hash}}}}}\n  template:\n    metadata: {{labels: {{app: web, pod-template-hash: {hash}}}}}\n    spec:\n      containers: [{{name: c, image: {image}, resources: {{requests: {{cpu: \"1\", memory: 1Gi}}}}}}]\n      topologySpreadConstraints: [{{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{app: web}}}}}}]\n---\n")
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
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{app: web{hash}}}{owner}{extra_meta}\nspec:\n  containers: [{{name: c, image: x, resources: {{requests: {{cpu: \"1\", memory: 1Gi}}}}}}]\n  topologySpreadConstraints: [{{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{app: web}}}}}}]{node}\nstatus: {{phase: {phase}}}\n---\n")
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
        assert_eq!(m.ir.initial_pods.iter().map(|p| p.phase).filter(|&p| p == PodPhase::Preempted).count(), 0);
        assert_eq!(st.revision, vec![0]);
        // Fixed load: one pod (1 CPU, 1Gi) on each node.
        assert_eq!((m.ir.nodes[n1].fixed.cpu_milli, m.ir.nodes[n1].fixed.pods), (1000, 1));
        assert_eq!((m.ir.nodes[n2].fixed.cpu_milli, m.ir.nodes[n2].fixed.pods), (1000, 1));
        // web's spread counts the bare pod of its namespace on n1, not the Job's pod on n2.
        assert_eq!(m.ir.groups[new].spread[0].fixed, vec![1, 0]);
        let requested = crate::model::node::requested(&crate::domain::Concrete, &m, &st);
        // n1: the bare pod and a; n2: the Job's pod, c, d (terminating) and e (bound).
        assert_eq!((requested[n1].2, requested[n2].2), (2, 4));
        let ids: Vec<&str> = crate::model::assumptions::of(&m).iter().map(|a| a.id).collect();
        assert!(ids.contains(&"fixed-pods") && ids.contains(&"snapshot-state"), "{ids:?}");
    }

    /// A terminating pod whose DisruptionTarget condition is True with reason
    /// PreemptionByScheduler is one a preemption deleted (`podTerminatingByPreemption`); the
    /// condition with another reason or status, or on a pod not terminating, is not.
    #[test]
    fn a_pod_a_preemption_deleted_is_told_apart() {
        let deleted = "\n  deletionTimestamp: \"2026-01-01T00:00:00Z\"";
        let with = |meta: &str, status: &str, reason: &str| {
            pod("d", "shop", "ReplicaSet/web-new", "new", "n2", "Running", meta).replace(
                "status: {phase: Running}",
                &format!("status: {{phase: Running, conditions: [{{type: DisruptionTarget, status: \"{status}\", reason: {reason}}}]}}"),
            )
        };
        let phase = |p: String| {
            let yaml =
                [NODES.to_string(), deployment("shop", "web:2"), replica_set("new", "web:2", 3), p, SPEC.to_string()]
                    .concat();
            model(&yaml).ir.initial_pods.iter().map(|p| p.phase).collect::<Vec<_>>()
        };
        assert_eq!(phase(with(deleted, "True", "PreemptionByScheduler")), vec![PodPhase::Preempted]);
        assert_eq!(phase(with(deleted, "True", "EvictionByEvictionAPI")), vec![PodPhase::Terminating]);
        assert_eq!(phase(with(deleted, "False", "PreemptionByScheduler")), vec![PodPhase::Terminating]);
        assert_eq!(phase(with("", "True", "PreemptionByScheduler")), vec![PodPhase::Running]);
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
        assert_eq!(crate::model::relation::static_classes(&m), vec![0, 1, 0]);
    }

    // ---- what the snapshot must agree with ----------------------------------------------

    /// Loads and builds `parts`: the model, or the errors.
    fn build(parts: &[String], allow_unmodeled: bool) -> Result<crate::ir::Model, String> {
        let yaml = parts.concat();
        let mut inputs = crate::manifest::Inputs::default();
        let mut errors = Vec::new();
        let opts = crate::manifest::LoadOptions { allow_unmodeled };
        crate::manifest::load_text(std::path::Path::new("t.yaml"), &yaml, opts, &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        crate::ir::build(&inputs, crate::ir::BuildOptions { allow_unmodeled })
            .map(|(m, _)| m)
            .map_err(|e| e.to_string())
    }

    fn refused(parts: &[String]) -> String {
        build(parts, false).err().unwrap_or_else(|| panic!("accepted:\n{}", parts.concat()))
    }

    /// web in shop with uid d-1; its current ReplicaSet web-new (uid r-new, 3 replicas).
    fn web() -> Vec<String> {
        let d = deployment("shop", "web:2").replace("namespace: shop}", "namespace: shop, uid: d-1}");
        let rs = replica_set("new", "web:2", 3).replace("  name: web-new\n", "  name: web-new\n  uid: r-new\n");
        vec![NODES.to_string(), d, rs.replace("uid: u,", "uid: d-1,"), format!("{SPEC}---\n")]
    }

    /// A pod of web-new on n1: its owner reference carries r-new; `meta`, `spec` and `status`
    /// are appended to its metadata, spec and status (YAML lines, two spaces in).
    fn web_pod(name: &str, meta: &str, spec: &str, status: &str) -> String {
        pod(name, "shop", "ReplicaSet/web-new", "new", "n1", "Running", meta)
            .replace("uid: u,", "uid: r-new,")
            .replace("  nodeName: n1\n", &format!("  nodeName: n1{spec}\n"))
            .replace("status: {phase: Running}\n", &format!("status:\n  phase: Running{status}\n"))
    }

    fn with(mut parts: Vec<String>, more: &[String]) -> Vec<String> {
        parts.extend_from_slice(more);
        parts
    }

    /// ClaimReplicaSets: an orphan ReplicaSet whose labels web's selector matches is web's; a
    /// stale controller uid, labels the selector no longer matches, a deletion, or two
    /// adopters are refused.
    #[test]
    fn replica_sets_are_claimed_as_the_deployment_controller_claims_them() {
        let orphan = replica_set("new", "web:2", 3).replace(
            "  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u, controller: true}]\n",
            "",
        );
        assert!(!orphan.contains("ownerReferences"));
        let pods: Vec<String> =
            ["a", "b", "c"].iter().map(|n| pod(n, "shop", "ReplicaSet/web-new", "new", "n1", "Running", "")).collect();
        let parts =
            [vec![NODES.to_string(), deployment("shop", "web:2"), orphan.clone()], pods, vec![format!("{SPEC}---\n")]]
                .concat();
        let m = build(&parts, false).expect("adopted");
        assert_eq!(m.initial_pods.iter().map(|p| p.count).sum::<i64>(), 3, "the orphan's pods are web's");
        let web2 = deployment("shop", "web:3").replace("name: web,", "name: web2,");
        let err = refused(&[NODES.to_string(), deployment("shop", "web:2"), web2, orphan, SPEC.to_string()]);
        assert!(err.contains("whichever syncs first adopts it (ClaimReplicaSets)"), "{err}");

        let stale = web().iter().map(|d| d.replace("uid: d-1,", "uid: d-0,")).collect::<Vec<_>>();
        assert!(refused(&stale).contains("belonged to an earlier Deployment of that name"));
        let released = web()
            .iter()
            .map(|d| {
                d.replace(
                    "labels: {app: web, pod-template-hash: new}\n  ownerReferences",
                    "labels: {app: cart}\n  ownerReferences",
                )
            })
            .collect::<Vec<_>>();
        assert!(refused(&released).contains("the Deployment controller releases the ReplicaSet (ClaimReplicaSets)"));
        let deleted = web()
            .iter()
            .map(|d| d.replace("  uid: r-new\n", "  uid: r-new\n  deletionTimestamp: \"2026-01-01T00:00:00Z\"\n"))
            .collect::<Vec<_>>();
        assert!(refused(&deleted).contains("ReplicaSet shop/web-new is being deleted"));
        assert!(build(&web(), false).is_ok());
    }

    /// The current ReplicaSet is held to what the API server validates and to its
    /// Deployment: its selector matches its template, its size is the Deployment's outside a
    /// rollout, and one current by the revision annotation alone has the Deployment's facts.
    #[test]
    fn a_current_replica_set_agrees_with_its_deployment() {
        let sel = web()
            .iter()
            .map(|d| {
                d.replace(
                    "  selector: {matchLabels: {app: web, pod-template-hash: new}}",
                    "  selector: {matchLabels: {app: web, tier: x}}",
                )
            })
            .collect::<Vec<_>>();
        assert!(refused(&sel).contains("spec.selector: does not match spec.template.metadata.labels"));
        let resized = web()
            .iter()
            .map(|d| {
                d.replace(
                    "  replicas: 3\n  selector: {matchLabels: {app: web, pod-template-hash",
                    "  replicas: 2\n  selector: {matchLabels: {app: web, pod-template-hash",
                )
            })
            .collect::<Vec<_>>();
        let err = refused(&resized);
        assert!(
            err.contains("spec.replicas: ReplicaSet shop/web-new has 2 replicas where Deployment \"web\" has 3"),
            "{err}"
        );
        // During a rollout the sizes follow from the pods (replicaset-targets).
        let rollout = with(
            resized,
            &[
                replica_set("old", "web:1", 1).replace("uid: u,", "uid: d-1,"),
                pod("o", "shop", "ReplicaSet/web-old", "old", "n2", "Running", ""),
            ],
        );
        assert!(build(&rollout, false).is_ok());
        // Current by annotation, with other requests: refused; with another image only: web's.
        let annotated = |image: &str, cpu: &str| -> Vec<String> {
            web()
                .iter()
                .map(|d| {
                    d.replace("metadata: {name: web, namespace: shop, uid: d-1}", "metadata: {name: web, namespace: shop, uid: d-1, annotations: {deployment.kubernetes.io/revision: \"4\"}}")
                        .replace("  uid: r-new\n", "  uid: r-new\n  annotations: {deployment.kubernetes.io/revision: \"4\"}\n")
                })
                .map(|d| if d.contains("kind: ReplicaSet") { d.replace("image: web:2", &format!("image: {image}")).replace("cpu: \"1\"", &format!("cpu: \"{cpu}\"")) } else { d })
                .collect()
        };
        let m = build(&annotated("web:2-dumped", "1"), false).expect("current by annotation");
        assert_eq!(m.deployments[0].revisions.len(), 1);
        let err = refused(&annotated("web:2", "2"));
        assert!(err.contains("carries Deployment \"web\"'s revision annotation, but its template's spec.containers[].resources differs"), "{err}");
    }

    /// ClaimPods: an orphan pod is its ReplicaSet's when the selector matches; a stale uid,
    /// labels the selector no longer matches, or two adopters are refused.
    #[test]
    fn pods_are_claimed_as_the_replica_set_controller_claims_them() {
        let orphan = pod("a", "shop", "", "new", "n1", "Running", "");
        let m = build(&with(web(), std::slice::from_ref(&orphan)), false).expect("adopted");
        assert_eq!(m.initial_pods.len(), 1, "{:?}", m.fixed_pods);
        assert!(m.fixed_pods.is_empty());
        let err = refused(&with(web(), &[web_pod("a", "", "", "").replace("uid: r-new,", "uid: r-0,")]));
        assert!(err.contains("belonged to an earlier ReplicaSet of that name"), "{err}");
        let err = refused(&with(
            web(),
            &[web_pod("a", "", "", "").replace("pod-template-hash: new}", "pod-template-hash: zzz}")],
        ));
        assert!(err.contains("metadata.labels: pod shop/a's labels do not match its ReplicaSet's selector"), "{err}");
        // web-x selects every web pod: an orphan of web-new's revision has two adopters.
        let x = replica_set("x", "web:1", 1).replace("uid: u,", "uid: d-1,").replace(
            "selector: {matchLabels: {app: web, pod-template-hash: x}}",
            "selector: {matchLabels: {app: web}}",
        );
        let err = refused(&with(web(), &[x, orphan]));
        assert!(err.contains("whichever syncs first adopts it (ClaimPods)"), "{err}");
        assert!(build(&with(web(), &[web_pod("a", "", "", "")]), false).is_ok());
    }

    /// A Deployment's pod is its template after admission: the tolerations
    /// DefaultTolerationSeconds adds and priority 0 are accepted; anything else kbmc reads
    /// that differs, and what no template may have, is refused.
    #[test]
    fn a_deployment_pod_is_its_template_after_admission() {
        let admitted = "\n  priority: 0\n  tolerations:\n    - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}\n    - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 300}";
        let ok = build(&with(web(), &[web_pod("a", "", admitted, "\n  qosClass: Burstable")]), false);
        assert!(ok.is_ok(), "{ok:?}");
        for (meta, spec, status, expected) in [
            ("", "\n  nodeSelector: {disk: ssd}", "", "spec.nodeSelector: pod shop/a: its spec.nodeSelector differs from its ReplicaSet's template"),
            ("", "\n  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 60}]", "", "its spec.tolerations differs"),
            ("", "\n  priority: 100", "", "pod shop/a has priority 100"),
            ("", "\n  affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname}]}}", "", "spec.affinity.podAntiAffinity: pod shop/a: its spec.affinity.podAntiAffinity differs from its ReplicaSet's template"),
            ("", "\n  schedulerName: other", "", "spec.schedulerName: pod shop/a: only the default scheduler is modelled"),
            ("\n  finalizers: [example.com/hold]", "", "", "metadata.finalizers: pod shop/a: finalizers"),
            ("\n  annotations: {controller.kubernetes.io/pod-deletion-cost: \"5\"}", "", "", "a deletion cost other than its template's"),
            ("", "", "\n  containerStatuses: [{name: c, ready: true, restartCount: 0, image: x, imageID: x, resources: {requests: {cpu: \"2\"}}}]", "status.containerStatuses[0].resources.requests.cpu: pod shop/a: its container status reports requests other than its spec's"),
            ("", "", "\n  qosClass: Guaranteed", "status.qosClass: pod shop/a: \"Guaranteed\", but its containers' requests and limits make it Burstable"),
            ("", "\n  priorityClassName: high", "", "names PriorityClass \"high\" but has no spec.priority"),
            ("", "\n  activeDeadlineSeconds: 60", "", "spec.activeDeadlineSeconds: pod shop/a: the kubelet fails the pod"),
            ("", "", "\n  nodeAllocatableResourceClaimStatuses: [{resourceClaimName: a-cpu, mapping: [{name: cpu, quantity: \"2\"}]}]", "pod shop/a holds cpu or memory of its node through resource claims"),
        ] {
            let err = refused(&with(web(), &[web_pod("a", meta, spec, status)]));
            assert!(err.contains(expected), "{expected}: {err}");
        }
        // A status that agrees with the spec is the spec.
        let agrees = "\n  containerStatuses: [{name: c, ready: true, restartCount: 0, image: x, imageID: x, resources: {requests: {cpu: 1000m, memory: 1Gi}}, allocatedResources: {cpu: \"1\"}}]";
        assert!(build(&with(web(), &[web_pod("a", "", "", agrees)]), false).is_ok());
        // Pending: no node, and nominated by a preemption.
        let pending = |status: &str| {
            web_pod("a", "", "", status).replace("  nodeName: n1\n", "\n").replace("phase: Running", "phase: Pending")
        };
        assert!(build(&with(web(), &[pending("")]), false).is_ok());
        let err = refused(&with(web(), &[pending("\n  nominatedNodeName: n2")]));
        assert!(err.contains("is nominated to node \"n2\" by a preemption"), "{err}");
        let err = refused(&with(web(), &[web_pod("a", "", "", "").replace("  nodeName: n1\n", "\n")]));
        assert!(err.contains("status.phase: pod shop/a is Running but has no spec.nodeName"), "{err}");
    }

    /// A pod that carries its template's inter-pod (anti-)affinity, required and preferred,
    /// is its template's (CoreDNS's preferred anti-affinity on the hostname among them): the
    /// terms are compared by what they mean, not by the document they were read from. A pod
    /// whose term differs is still refused.
    #[test]
    fn a_pod_with_its_templates_anti_affinity_is_its_template() {
        let affinity = "{podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: topology.kubernetes.io/zone, labelSelector: {matchLabels: {app: web}}}], preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}}}]}, podAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 10, podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: cache}}}}]}}";
        let spread = "labelSelector: {matchLabels: {app: web}}}]\n";
        let templated = |a: &str| -> Vec<String> {
            web().iter().map(|d| d.replace(spread, &format!("{spread}      affinity: {a}\n"))).collect()
        };
        assert_eq!(templated(affinity).iter().filter(|d| d.contains("podAntiAffinity")).count(), 2);
        let carried = web_pod("a", "", &format!("\n  affinity: {affinity}"), "");
        let m = build(&with(templated(affinity), std::slice::from_ref(&carried)), false);
        let m = m.unwrap_or_else(|e| panic!("refused: {e}"));
        assert_eq!(m.initial_pods.len(), 1);
        let pref = &m.groups[0].pod_affinity.preferred_anti;
        assert_eq!((pref.len(), pref[0].weight), (1, 100), "the template's terms are the group's");
        // The pod's preferred term weighs 50 where its template's weighs 100.
        let other =
            web_pod("a", "", &format!("\n  affinity: {}", affinity.replacen("weight: 100", "weight: 50", 1)), "");
        let err = refused(&with(templated(affinity), &[other]));
        assert!(err.contains("spec.affinity.podAntiAffinity: pod shop/a: its spec.affinity.podAntiAffinity differs from its ReplicaSet's template"), "{err}");
        // The same for podAffinity.
        let other = web_pod("a", "", &format!("\n  affinity: {}", affinity.replace("app: cache", "app: db")), "");
        let err = refused(&with(templated(affinity), &[other]));
        assert!(err.contains("its spec.affinity.podAffinity differs"), "{err}");
    }

    /// A snapshot's pods of a DaemonSet among the inputs are its pods when they are the state
    /// a run starts it in (one Running pod of its template on every node that should run it);
    /// a node without its pod, a pending pod or one of other requests is refused; without the
    /// DaemonSet they are fixed load.
    #[test]
    fn a_daemon_sets_pods_are_its_start_state() {
        let ds = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: kube-system, uid: ds-1}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      containers: [{name: c, image: a, resources: {requests: {cpu: 100m, memory: 64Mi}}}]\n---\n".to_string();
        let agent = |name: &str, node: &str, phase: &str, cpu: &str| {
            format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: kube-system\n  labels: {{app: agent, controller-revision-hash: abc, pod-template-generation: \"1\"}}\n  ownerReferences: [{{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: ds-1, controller: true}}]\nspec:\n  nodeName: {node}\n  containers: [{{name: c, image: a, resources: {{requests: {{cpu: {cpu}, memory: 64Mi}}}}}}]\nstatus: {{phase: {phase}}}\n---\n")
        };
        let both = [agent("a1", "n1", "Running", "100m"), agent("a2", "n2", "Running", "100m")];
        let with_ds = |pods: &[String]| with(with(web(), std::slice::from_ref(&ds)), pods);
        let m = build(&with_ds(&both), false).unwrap_or_else(|e| panic!("{e}"));
        assert!(m.fixed_pods.is_empty(), "the DaemonSet's own pods: {:?}", m.fixed_pods);
        assert_eq!(m.daemon_sets.len(), 1);
        let err = refused(&with_ds(&both[..1]));
        assert!(
            err.contains(
                "the snapshot has 0 pod(s) of DaemonSet \"agent\" on node \"n2\", where a run starts it with 1"
            ),
            "{err}"
        );
        let pending = agent("a2", "n2", "Pending", "100m").replace("  nodeName: n2\n", "");
        let err = refused(&with_ds(&[both[0].clone(), pending]));
        assert!(err.contains("pod kube-system/a2 of DaemonSet \"agent\" is not running"), "{err}");
        let err = refused(&with_ds(&[both[0].clone(), agent("a2", "n2", "Running", "200m")]));
        assert!(err.contains("requests other than its DaemonSet's template"), "{err}");
        let m = build(&with(web(), &both), false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.fixed_pods.iter().map(|f| f.count).sum::<i64>(), 2, "without the DaemonSet: fixed load");
    }

    /// A fixed pod's overhead counts with its requests (PodRequests); a terminating one, one
    /// with pod-level resources or a sidecar, and one whose spread constraint selects a
    /// Deployment's pods where the descheduler runs are refused.
    #[test]
    fn fixed_pods_are_what_they_hold_and_nothing_else() {
        let bare = |meta: &str, spec: &str| {
            pod("g", "shop", "", "", "n1", "Running", meta)
                .replace("  nodeName: n1\n", &format!("  nodeName: n1{spec}\n"))
        };
        let m = build(&with(web(), &[bare("", "\n  overhead: {cpu: 250m, memory: 64Mi}")]), false).unwrap();
        assert_eq!(m.nodes[0].fixed.cpu_milli, 1250);
        assert_eq!(m.nodes[0].fixed.memory, (1024 + 64) * 1024 * 1024);
        assert_eq!(m.fixed_pods[0].requests.cpu_milli, 1250);
        let terminating = bare("\n  deletionTimestamp: \"2026-01-01T00:00:00Z\"", "");
        assert!(refused(&with(web(), std::slice::from_ref(&terminating)))
            .contains("pod shop/g is terminating and no modelled controller owns it"));
        let m = build(&with(web(), &[terminating]), true).unwrap();
        assert!(m.fixed_pods.is_empty(), "left out with --allow-unmodeled");
        let err = refused(&with(web(), &[bare("", "\n  resources: {requests: {cpu: \"2\"}}")]));
        assert!(err.contains("spec.resources: pod shop/g: pod-level resources"), "{err}");
        let err =
            refused(&with(web(), &[bare("", "\n  initContainers: [{name: proxy, image: p, restartPolicy: Always}]")]));
        assert!(
            err.contains("spec.initContainers[0].restartPolicy: pod shop/g: a sidecar container's requests"),
            "{err}"
        );
        let policy = "apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig: [{name: RemovePodsViolatingTopologySpreadConstraint}]\n    plugins: {balance: {enabled: [RemovePodsViolatingTopologySpreadConstraint]}}\n---\n";
        // The test pods carry a constraint selecting app=web: web's pods.
        let err = refused(&with(web(), &[bare("", ""), policy.to_string()]));
        assert!(
            err.contains(
                "spec.topologySpreadConstraints[0]: pod shop/g's constraint selects pods of Deployment \"web\""
            ),
            "{err}"
        );
        assert!(build(&with(web(), &[bare("", "")]), false).is_ok(), "without the descheduler");
    }
}
