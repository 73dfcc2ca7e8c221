//! StatefulSets: the apps/v1 StatefulSet manifests -> `Deployment` entries whose `stateful`
//! part holds the pod management policy, the update strategy, the number of ordinals
//! modelled, the zones a zonal volume claim can bind in, and one pod group per (revision,
//! ordinal, zone of the ordinal's volume). Also the StorageClasses that say whether a
//! volumeClaimTemplate's volume is zonal and bound where its pod is first scheduled
//! (`volumeBindingMode: WaitForFirstConsumer`), a `rolloutRestart` of a StatefulSet (its
//! template again as the next revision, for every ordinal), and the VolumeZone fact of a
//! group whose volume is bound (`Placement::volume_zone_ok`).
//!
//! Owns what the API server rejects in a StatefulSet (ValidateStatefulSetSpec: selector,
//! template labels, restartPolicy, partition, updateStrategy type) and refusing, with the
//! field path, what kbmc does not model (minReadySeconds, maxUnavailable, ordinals.start,
//! `whenScaled: Delete`, Immediate binding of a zonal volume, allowedTopologies and the
//! in-tree zone parameters, regional disks, a zonal claim bound other than by its pod's
//! first node, a StorageClass being deleted, several default classes); must not read a pod
//! template's fields itself (`ir::pod`) or decide what the StatefulSet controller does
//! (`model/controllers/statefulset/`). A claim's class is resolved as upstream resolves it
//! (component-helpers storage/volume `GetPersistentVolumeClaimClass`: the beta annotation,
//! then `storageClassName`, else the default class).

use k8s_openapi::api::apps::v1::{StatefulSet as K8sStatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{Builder, ZONE};
use crate::error::{InputClass, InputError, Origin};
use crate::ir::pod;
use crate::ir::{
    Deployment, DeploymentId, GroupId, IntOrPercent, LabelValue, Ordinal, PodManagement, Range, StatefulSet,
    StatefulUpdate, Strategy,
};
use crate::manifest::Object;
use crate::spec;

/// The most pod groups one StatefulSet may have (ordinals × volume zones, plus one × every
/// revision): each is a row of every state and of every group's facts, where a Deployment's
/// replicas share one group per revision.
pub(super) const MAX_GROUPS: usize = 512;

/// The default StorageClass annotation.
const DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";

/// The beta annotation naming a claim's StorageClass: it takes precedence over
/// `spec.storageClassName` (component-helpers storage/volume `GetPersistentVolumeClaimClass`).
const BETA_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// The annotation the scheduler's VolumeBinding sets on a claim to have its volume provisioned
/// for a node (`volume.kubernetes.io/selected-node`).
const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";

/// How a volumeClaimTemplate's volume constrains its pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClaimKind {
    /// Provisioned in the zone of the node the pod is first scheduled to, and bound there.
    Zonal,
    /// Not modelled: the claim is taken as reachable from every node (`pvc-unconstrained`).
    Unconstrained,
}

/// Whether `reference` (a Verification's `namespace/name` or `name`) names the object.
fn names(reference: &str, namespace: &str, name: &str) -> bool {
    match reference.split_once('/') {
        Some((ns, n)) => ns == namespace && n == name,
        None => reference == name,
    }
}

fn namespace_of(m: &ObjectMeta) -> &str {
    m.namespace.as_deref().unwrap_or("default")
}

impl<'a> Builder<'a> {
    /// Reads every StatefulSet into `self.deployments` (after the Deployments, before the
    /// Verification's workloads, which may name one), with its pod groups.
    pub(super) fn statefulsets_from_manifests(&mut self, spec: &spec::VerificationSpec, shared: &[String]) {
        for class in &self.inputs.storage_classes {
            if class.value.metadata.deletion_timestamp.is_some() {
                self.diag.unmodeled(InputError::at(
                    &class.origin,
                    InputClass::Unmodeled,
                    "metadata.deletionTimestamp",
                    "a StorageClass being deleted is not modelled (claims made after it is gone cannot be provisioned)",
                ));
            }
        }
        for obj in &self.inputs.statefulsets {
            self.read_statefulset(obj, spec, shared);
        }
        self.snapshot_pods_of_statefulsets();
    }

    /// Reads one StatefulSet manifest, unless it is refused: its name, its policies, its
    /// template, its claims' volume zones, the ordinals the Verification can ask for, and
    /// then its first revision's pod groups. `shared` holds the names several namespaces use.
    fn read_statefulset(&mut self, obj: &Object<K8sStatefulSet>, spec: &spec::VerificationSpec, shared: &[String]) {
        let (origin, s) = (&obj.origin, &obj.value);
        let Some((name, namespace)) = self.workload_name(&s.metadata, origin, "StatefulSet") else { return };
        if !self.statefulset_name_is_free(&name, &namespace, origin) {
            return;
        }
        let Some(policies) = self.statefulset_policies(s, origin) else { return };
        let set = &s.spec;
        let Some(mut facts) = self.statefulset_template(set, origin) else { return };
        let claim_zones = self.claim_zones_of(set, origin, &mut facts);
        // A StatefulSet scaled to zero still gets its first ordinal's pod group (every
        // revision names one), which no run fills while its replicas stay 0.
        let ordinals = self.ordinals(spec, &namespace, &name, policies.replicas).max(1);
        let slots = if claim_zones.is_empty() { 1 } else { claim_zones.len() + 1 };
        if ordinals as usize * slots > MAX_GROUPS {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.replicas",
                format!(
                    "{ordinals} ordinals (the most replicas the spec can ask for) × {slots} volume zone slot(s) make more than {MAX_GROUPS} pod groups, one per StatefulSet pod; kbmc models at most {MAX_GROUPS}"
                ),
            ));
            return;
        }
        let id = DeploymentId(self.deployments.len() as u32);
        let initial_usage = facts.requests;
        let priority = self.pod_priority(&facts, origin, "spec.template");
        let groups = vec![self.ordinal_groups(id, 0, (&facts, priority), ordinals, claim_zones.len())];
        let revisions = vec![groups[0][0][0]];
        let StatefulPolicies { replicas, pod_management, update } = policies;
        self.deployments.push(Deployment {
            name: if shared.contains(&name) { format!("{namespace}/{name}") } else { name.clone() },
            object_name: name,
            namespace,
            replicas: Range::fixed(replicas),
            revision_sets_replicas: vec![set.replicas.is_some()],
            // No surge: at most one pod per ordinal. (The Deployment controller never acts
            // on a StatefulSet; this is what bounds and reports read.)
            strategy: Strategy::RollingUpdate {
                max_surge: IntOrPercent::Int(0),
                max_unavailable: IntOrPercent::Int(1),
            },
            revisions,
            hpa: None,
            placement: Vec::new(),
            initial_usage,
            origin: origin.clone(),
            stateful: Some(StatefulSet { pod_management, update, ordinals, claim_zones, groups }),
        });
    }

    /// Whether no workload read before has this namespace and name; a second StatefulSet is
    /// an error, a Deployment of the same namespace and name unmodelled.
    fn statefulset_name_is_free(&mut self, name: &str, namespace: &str, origin: &Origin) -> bool {
        let Some(first) = self.deployments.iter().find(|e| e.object_name == name && e.namespace == namespace) else {
            return true;
        };
        let what = if first.stateful.is_some() { "StatefulSet" } else { "Deployment" };
        let (class, why) = if first.stateful.is_some() {
            (InputClass::Invalid, "the API server keeps one StatefulSet per namespace and name".to_string())
        } else {
            (
                InputClass::Unmodeled,
                "kbmc names workloads by namespace and name, so a Deployment and a StatefulSet sharing both are not modelled".to_string(),
            )
        };
        let message = format!(
            "duplicate {name:?} in namespace {namespace:?}: a {what} of that name is in {}; {why}",
            first.origin
        );
        let e = InputError::at(origin, class, "metadata.name", message);
        if class == InputClass::Unmodeled {
            self.diag.unmodeled(e)
        } else {
            self.diag.error(e)
        }
        false
    }

    /// A StatefulSet's replicas, pod management policy and update strategy, `None` after an
    /// error in one of them; also refuses its deletion and the spec fields kbmc does not model
    /// (`check_statefulset_fields`).
    fn statefulset_policies(&mut self, s: &K8sStatefulSet, origin: &Origin) -> Option<StatefulPolicies> {
        if s.metadata.deletion_timestamp.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "metadata.deletionTimestamp",
                "a StatefulSet being deleted is not modelled",
            ));
        }
        let set = &s.spec;
        let replicas = set.replicas.unwrap_or(1) as i64;
        if replicas < 0 {
            self.diag.error(InputError::at(origin, InputClass::Invalid, "spec.replicas", "must not be negative"));
            return None;
        }
        let pod_management = self.pod_management(set.pod_management_policy.as_deref(), origin)?;
        let update = self.update_strategy(set.update_strategy.as_ref(), origin)?;
        self.check_statefulset_fields(set, origin);
        Some(StatefulPolicies { replicas, pod_management, update })
    }

    /// What kbmc does not model, or the API server rejects, in a StatefulSet's
    /// minReadySeconds, ordinals and claim retention policy.
    fn check_statefulset_fields(&mut self, set: &StatefulSetSpec, origin: &Origin) {
        if set.min_ready_seconds.is_some_and(|s| s != 0) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.minReadySeconds",
                "a pod is available the moment it is Running and Ready in kbmc; a delay before it counts is not modelled (set 0 or leave it out)",
            ));
        }
        if set.min_ready_seconds.is_some_and(|s| s < 0) {
            self.diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                "spec.minReadySeconds",
                "must not be negative",
            ));
        }
        if set.ordinals.as_ref().and_then(|o| o.start).is_some_and(|s| s != 0) {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.ordinals.start",
                "ordinals that start above 0 are not modelled",
            ));
        }
        if let Some(p) = &set.persistent_volume_claim_retention_policy {
            match p.when_scaled.as_deref() {
                None | Some("Retain") => {}
                Some("Delete") => self.diag.unmodeled(InputError::at(
                    origin,
                    InputClass::Unmodeled,
                    "spec.persistentVolumeClaimRetentionPolicy.whenScaled",
                    "claims deleted on scale-down (their volumes' zones forgotten) are not modelled; Retain is",
                )),
                Some(o) => self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "spec.persistentVolumeClaimRetentionPolicy.whenScaled",
                    format!("{o:?} is not allowed; expected Retain or Delete"),
                )),
            }
            if let Some(o) = p.when_deleted.as_deref().filter(|o| !matches!(*o, "Retain" | "Delete")) {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
                    format!("{o:?} is not allowed; expected Retain or Delete"),
                ));
            }
        }
    }

    /// A StatefulSet's pod template facts (`None` after an error), checked as the API server
    /// checks them, with what kbmc does not model of a StatefulSet's pods refused.
    fn statefulset_template(&mut self, set: &StatefulSetSpec, origin: &Origin) -> Option<pod::TemplateFacts> {
        // ValidatePodTemplateSpecForStatefulSet.
        self.check_restarting_template(set.template.spec.as_ref(), origin, "StatefulSet");
        let facts = pod::template_facts(&set.template, origin, "spec.template", &mut self.labels, &mut self.diag)?;
        if facts.node_name.is_some() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "spec.template.spec.nodeName",
                "a StatefulSet's pods bound by nodeName past the scheduler are not modelled",
            ));
        }
        if !self.inputs.descheduler_policies.is_empty() {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                "kind",
                "the descheduler's plugins over a StatefulSet's pods (one owner across ordinals) are not modelled beside a DeschedulerPolicy",
            ));
        }
        self.check_workload_selector(&set.selector, &facts, origin, "StatefulSet");
        Some(facts)
    }

    /// The zones a StatefulSet's zonal claims can bind in (none without a zonal claim); a
    /// claim kbmc takes as reachable from every node marks `facts` (`pvc`).
    fn claim_zones_of(
        &mut self,
        set: &StatefulSetSpec,
        origin: &Origin,
        facts: &mut pod::TemplateFacts,
    ) -> Vec<LabelValue> {
        let mut zonal = false;
        for (ci, claim) in set.volume_claim_templates.iter().flatten().enumerate() {
            match self.claim_kind(claim, origin, &format!("spec.volumeClaimTemplates[{ci}]")) {
                Some(ClaimKind::Zonal) => zonal = true,
                Some(ClaimKind::Unconstrained) => facts.pvc = true,
                None => {}
            }
        }
        if zonal {
            self.claim_zones(origin)
        } else {
            Vec::new()
        }
    }

    fn pod_management(&mut self, policy: Option<&str>, origin: &Origin) -> Option<PodManagement> {
        match policy {
            None | Some("OrderedReady") => Some(PodManagement::OrderedReady),
            Some("Parallel") => Some(PodManagement::Parallel),
            Some(p) => {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "spec.podManagementPolicy",
                    format!("{p:?} is not allowed; expected OrderedReady or Parallel"),
                ));
                None
            }
        }
    }

    fn update_strategy(
        &mut self,
        s: Option<&k8s_openapi::api::apps::v1::StatefulSetUpdateStrategy>,
        origin: &Origin,
    ) -> Option<StatefulUpdate> {
        let ru = s.and_then(|s| s.rolling_update.as_ref());
        match s.and_then(|s| s.type_.as_deref()) {
            Some("OnDelete") => {
                if ru.is_some() {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        "spec.updateStrategy.rollingUpdate",
                        "only allowed for updateStrategy 'RollingUpdate' (the API server rejects it)",
                    ));
                }
                Some(StatefulUpdate::OnDelete)
            }
            None | Some("RollingUpdate") => {
                let partition = ru.and_then(|r| r.partition).unwrap_or(0) as i64;
                if partition < 0 {
                    self.diag.error(InputError::at(
                        origin,
                        InputClass::Invalid,
                        "spec.updateStrategy.rollingUpdate.partition",
                        "must not be negative",
                    ));
                    return None;
                }
                if ru.is_some_and(|r| r.max_unavailable.is_some()) {
                    self.diag.unmodeled(InputError::at(
                        origin,
                        InputClass::Unmodeled,
                        "spec.updateStrategy.rollingUpdate.maxUnavailable",
                        "maxUnavailable takes effect only under the MaxUnavailableStatefulSet feature gate (default on from Kubernetes 1.35), whose update path kbmc models only with maxUnavailable unset (one pod at a time)",
                    ));
                }
                Some(StatefulUpdate::RollingUpdate { partition })
            }
            Some(t) => {
                self.diag.error(InputError::at(
                    origin,
                    InputClass::Invalid,
                    "spec.updateStrategy.type",
                    format!("unknown strategy {t:?}; expected RollingUpdate or OnDelete"),
                ));
                None
            }
        }
    }

    /// What a volumeClaimTemplate's volume does to its pod's placement, from its
    /// StorageClass (the one it names, else the default one among the inputs); `None` after
    /// an error.
    fn claim_kind(&mut self, claim: &PersistentVolumeClaim, origin: &Origin, field: &str) -> Option<ClaimKind> {
        if claim.metadata.name.as_deref().is_none_or(str::is_empty) {
            self.diag.error(InputError::at(
                origin,
                InputClass::MissingOrMistyped,
                format!("{field}.metadata.name"),
                "a volumeClaimTemplate needs a name",
            ));
            return None;
        }
        let Some(class) = self.claim_class(claim, origin, field).ok()? else { return Some(ClaimKind::Unconstrained) };
        let (c, corigin) = (&class.value, &class.origin);
        if !self.zonal_provisioner(c, corigin)? {
            return Some(ClaimKind::Unconstrained);
        }
        self.zonal_binding(claim, c, corigin, origin, field)
    }

    /// A claim's StorageClass among the inputs: the one it names, else the default one;
    /// `Ok(None)` when it names none there (explicitly no class: a pre-provisioned volume
    /// kbmc knows nothing of), `Err` (reported) when several classes are the default.
    fn claim_class(
        &mut self,
        claim: &PersistentVolumeClaim,
        origin: &Origin,
        field: &str,
    ) -> Result<Option<&'a Object<StorageClass>>, ()> {
        // The beta annotation first, then the field (GetPersistentVolumeClaimClass).
        let beta = claim.metadata.annotations.as_ref().and_then(|a| a.get(BETA_CLASS)).map(String::as_str);
        let named = beta.or(claim.spec.as_ref().and_then(|s| s.storage_class_name.as_deref()));
        if named == Some("") {
            return Ok(None);
        }
        let classes = &self.inputs.storage_classes;
        if let Some(n) = named {
            return Ok(classes.iter().find(|c| c.value.metadata.name.as_deref() == Some(n)));
        }
        let defaults: Vec<_> = classes
            .iter()
            .filter(|c| {
                c.value.metadata.annotations.as_ref().and_then(|a| a.get(DEFAULT_CLASS)).map(String::as_str)
                    == Some("true")
            })
            .collect();
        if defaults.len() > 1 {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                format!("{field}.spec.storageClassName"),
                format!("unset, so the DefaultStorageClass admission plugin gives the claim the newest of the {} StorageClasses marked default (GetDefaultClass), and which is newest is not known from the manifests; name the class", defaults.len()),
            ));
            return Err(());
        }
        Ok(defaults.first().copied())
    }

    /// Whether StorageClass `c`'s provisioner makes zonal volumes; `None` (reported) for the
    /// regional and zone-redundant disks it can make instead, which are not modelled.
    fn zonal_provisioner(&mut self, c: &StorageClass, corigin: &Origin) -> Option<bool> {
        let parameters = c.parameters.clone().unwrap_or_default();
        let param = |k: &str| parameters.iter().find(|(pk, _)| pk.eq_ignore_ascii_case(k)).map(|(_, v)| v.as_str());
        Some(match c.provisioner.as_str() {
            "ebs.csi.aws.com" | "kubernetes.io/aws-ebs" => true,
            "pd.csi.storage.gke.io" | "kubernetes.io/gce-pd" => {
                if param("replication-type").is_some_and(|v| v.eq_ignore_ascii_case("regional-pd")) {
                    self.diag.unmodeled(InputError::at(
                        corigin,
                        InputClass::Unmodeled,
                        "parameters.replication-type",
                        "a regional disk is reachable from two zones chosen at provisioning; not modelled",
                    ));
                    return None;
                }
                true
            }
            "disk.csi.azure.com" | "kubernetes.io/azure-disk" => {
                if param("skuName")
                    .or(param("storageaccounttype"))
                    .is_some_and(|v| v.to_ascii_uppercase().ends_with("_ZRS"))
                {
                    self.diag.unmodeled(InputError::at(
                        corigin,
                        InputClass::Unmodeled,
                        "parameters.skuName",
                        "a zone-redundant disk is reachable from every zone of its region; not modelled",
                    ));
                    return None;
                }
                true
            }
            _ => false,
        })
    }

    /// A zonal claim of class `c`: `Zonal` when its volume is bound in the zone of its pod's
    /// first node (WaitForFirstConsumer, no zones confined by the class, a claim template
    /// `zonal_claim` accepts); `None` (reported) otherwise.
    fn zonal_binding(
        &mut self,
        claim: &PersistentVolumeClaim,
        c: &StorageClass,
        corigin: &Origin,
        origin: &Origin,
        field: &str,
    ) -> Option<ClaimKind> {
        // The in-tree plugins' zone and zones parameters, which the CSI translation turns into
        // allowed topologies (csi-translation-lib plugins/aws_ebs.go, gce_pd.go,
        // azure_disk.go `TranslateInTreeStorageClassToCSI`).
        let parameters = c.parameters.clone().unwrap_or_default();
        if let Some(k) = parameters.keys().find(|k| k.eq_ignore_ascii_case("zone") || k.eq_ignore_ascii_case("zones")) {
            self.diag.unmodeled(InputError::at(
                corigin,
                InputClass::Unmodeled,
                format!("parameters.{k}"),
                "zones a StorageClass confines its volumes to are not modelled (its volumes go to the zone of the pod's first node)",
            ));
            return None;
        }
        if c.allowed_topologies.as_ref().is_some_and(|t| !t.is_empty()) {
            self.diag.unmodeled(InputError::at(
                corigin,
                InputClass::Unmodeled,
                "allowedTopologies",
                "zones a StorageClass allows are not modelled (its volumes go to the zone of the pod's first node)",
            ));
            return None;
        }
        match c.volume_binding_mode.as_deref() {
            Some("WaitForFirstConsumer") => self.zonal_claim(claim, origin, field).then_some(ClaimKind::Zonal),
            None | Some("Immediate") => {
                self.diag.unmodeled(InputError::at(
                    corigin,
                    InputClass::Unmodeled,
                    "volumeBindingMode",
                    format!("a zonal volume ({}) bound Immediately is provisioned in a zone of the provisioner's choosing before the pod is scheduled; not modelled: set WaitForFirstConsumer, which binds it in the zone of the pod's first node", c.provisioner),
                ));
                None
            }
            Some(m) => {
                self.diag.error(InputError::at(
                    corigin,
                    InputClass::Invalid,
                    "volumeBindingMode",
                    format!("{m:?} is not allowed; expected Immediate or WaitForFirstConsumer"),
                ));
                None
            }
        }
    }

    /// Whether a zonal claim template's volume is one provisioned for its pod's first node,
    /// as modelled; refuses, with the field, what binds it otherwise: a volume chosen by a
    /// selector or by name (dynamic provisioning does not serve such a claim), one made from a
    /// data source (a clone is confined to its source's zone), a node selected in advance, and
    /// owners the garbage collector would delete the claim with (the controller copies the
    /// template's metadata to each ordinal's claim: stateful_set_utils.go
    /// `getPersistentVolumeClaims`).
    fn zonal_claim(&mut self, claim: &PersistentVolumeClaim, origin: &Origin, field: &str) -> bool {
        let spec = claim.spec.as_ref();
        let mut refused: Vec<(&str, &str)> = Vec::new();
        if spec.is_some_and(|s| s.selector.is_some()) {
            refused.push((
                "spec.selector",
                "a claim with a selector binds only to an existing volume it selects, whose zone is not modelled",
            ));
        }
        if spec.is_some_and(|s| s.volume_name.is_some()) {
            refused.push((
                "spec.volumeName",
                "a claim bound to a named volume is in that volume's zone, which is not modelled",
            ));
        }
        if spec.is_some_and(|s| s.data_source.is_some()) {
            refused.push((
                "spec.dataSource",
                "a volume made from a data source (a clone is in its source's zone) is not modelled",
            ));
        }
        if spec.is_some_and(|s| s.data_source_ref.is_some()) {
            refused.push((
                "spec.dataSourceRef",
                "a volume made from a data source (a clone is in its source's zone) is not modelled",
            ));
        }
        if let Some(m) = spec
            .and_then(|s| s.access_modes.as_ref())
            .and_then(|m| m.iter().find(|m| !matches!(m.as_str(), "ReadWriteOnce" | "ReadWriteOncePod")))
        {
            refused.push(("spec.accessModes", if m == "ReadOnlyMany" || m == "ReadWriteMany" {
                "a zonal disk shared by several nodes is not modelled (most zonal disk drivers refuse to provision one, and the pod stays pending); ReadWriteOnce and ReadWriteOncePod are"
            } else {
                "an access mode other than ReadWriteOnce, ReadWriteOncePod, ReadOnlyMany or ReadWriteMany is rejected by the API server"
            }));
        }
        if spec.is_some_and(|s| s.volume_attributes_class_name.is_some()) {
            refused.push(("spec.volumeAttributesClassName", "a claim naming a VolumeAttributesClass is provisioned only once that class exists, and kbmc reads no VolumeAttributesClass"));
        }
        if claim.metadata.annotations.as_ref().is_some_and(|a| a.contains_key(SELECTED_NODE)) {
            refused.push(("metadata.annotations", "volume.kubernetes.io/selected-node provisions every ordinal's volume for that node; the scheduler sets it, not a template"));
        }
        if claim.metadata.owner_references.as_ref().is_some_and(|o| !o.is_empty()) {
            refused.push(("metadata.ownerReferences", "copied to each ordinal's claim, which the garbage collector deletes with its owners (its volume's zone forgotten); not modelled"));
        }
        for (f, why) in &refused {
            self.diag.unmodeled(InputError::at(
                origin,
                InputClass::Unmodeled,
                format!("{field}.{f}"),
                format!("a zonal claim: {why}"),
            ));
        }
        refused.is_empty()
    }

    /// The zones a zonal volume can be in: the distinct `topology.kubernetes.io/zone` values
    /// of the nodes, in order. A node without one is refused: where its pods' volumes would go
    /// is not modelled.
    fn claim_zones(&mut self, origin: &Origin) -> Vec<LabelValue> {
        let key = self.labels.key(ZONE);
        let mut zones: Vec<LabelValue> = Vec::new();
        for n in &self.nodes {
            match n.label(key) {
                Some(v) if !zones.contains(&v) => zones.push(v),
                Some(_) => {}
                None => {
                    self.diag.unmodeled(InputError::at(
                        origin,
                        InputClass::Unmodeled,
                        "spec.volumeClaimTemplates",
                        format!("node {:?} has no {ZONE} label: the zone its pods' zonal volumes would be provisioned in is not modelled; label every node with its zone", n.name),
                    ));
                    return Vec::new();
                }
            }
        }
        zones.sort_by(|a, b| self.labels.value_name(*a).cmp(self.labels.value_name(*b)));
        zones
    }

    /// The ordinals to model: the largest replica count the StatefulSet can be asked for (its
    /// manifest, a workload's range, every scaleDeployment naming it at its largest delta).
    fn ordinals(&self, spec: &spec::VerificationSpec, namespace: &str, name: &str, replicas: i64) -> u32 {
        let mut most = replicas;
        for w in &spec.workloads {
            if let Some(r) = w.replicas.filter(|_| names(&w.deployment, namespace, name)) {
                most = most.max(r.max as i64);
            }
        }
        let mut grow = 0i64;
        for e in &spec.events {
            if let spec::Event::ScaleDeployment { deployment, delta, budget } = e {
                let alone = self.inputs.deployments.len() + self.inputs.statefulsets.len() == 1;
                if deployment.as_deref().map_or(alone, |d| names(d, namespace, name)) {
                    grow += delta.max.max(0) * *budget as i64;
                }
            }
        }
        (most + grow).clamp(0, crate::ir::limits::MAX_COUNT) as u32
    }

    /// One revision's pod groups: per ordinal, per volume zone (0: none yet); `template` is
    /// the revision's facts with the priority admission gives its pods.
    fn ordinal_groups(
        &mut self,
        id: DeploymentId,
        revision: u32,
        template: (&pod::TemplateFacts, (i64, bool)),
        ordinals: u32,
        zones: usize,
    ) -> Vec<Vec<GroupId>> {
        let slots = if zones == 0 { 1 } else { zones + 1 };
        (0..ordinals)
            .map(|o| {
                (0..slots)
                    .map(|z| {
                        let g = GroupId(self.facts.len() as u32);
                        self.facts.push(template.0.clone());
                        self.group_priority.push(template.1);
                        self.group_owner.push((crate::ir::Owner::Deployment(id), revision));
                        let claim_zone = if z == 0 { None } else { Some(z as u32 - 1) };
                        self.ordinals.push((g, Ordinal { ordinal: o, claim_zone }));
                        g
                    })
                    .collect()
            })
            .collect()
    }

    /// A `rolloutRestart` of StatefulSet `id`: its template again (the restart annotation
    /// differs, nothing modelled does) as the next revision, with groups for every ordinal.
    /// The first group of the revision.
    pub(super) fn statefulset_restart(&mut self, id: DeploymentId) -> Option<GroupId> {
        let di = id.index();
        let set = self.deployments[di].stateful.as_ref()?;
        let first = set.groups[0][0][0];
        let (ordinals, zones) = (set.ordinals, set.claim_zones.len());
        let slots = if zones == 0 { 1 } else { zones + 1 };
        if (set.groups.len() + 1) * ordinals as usize * slots > MAX_GROUPS {
            let origin = self.deployments[di].origin.clone();
            self.diag.error(InputError::at(
                &origin,
                InputClass::Invalid,
                "spec.template",
                format!("{} revisions of {ordinals} ordinals × {slots} volume zone slot(s) make more than {MAX_GROUPS} pod groups, one per StatefulSet pod; kbmc models at most {MAX_GROUPS} (fewer rolloutRestart budgets)", set.groups.len() + 1),
            ));
            return None;
        }
        let facts = self.facts[first.index()].clone();
        let priority = self.group_priority[first.index()];
        let revision = self.deployments[di].revisions.len() as u32;
        let groups = self.ordinal_groups(id, revision, (&facts, priority), ordinals, zones);
        let g = groups.first().and_then(|z| z.first()).copied()?;
        let d = &mut self.deployments[di];
        d.stateful.as_mut().expect("a StatefulSet").groups.push(groups);
        d.revisions.push(g);
        let sets = *d.revision_sets_replicas.last().expect("revision 0");
        d.revision_sets_replicas.push(sets);
        Some(g)
    }

    /// Resolves a Verification's reference to a StatefulSet at `field`: `namespace/name`, or
    /// `name` where one StatefulSet has it, or nothing where there is one StatefulSet.
    pub(super) fn statefulset_ref(&mut self, reference: &Option<String>, field: &str) -> Option<DeploymentId> {
        let sets: Vec<usize> =
            (0..self.deployments.len()).filter(|&i| self.deployments[i].stateful.is_some()).collect();
        let found: Vec<usize> = match reference {
            None => sets.clone(),
            Some(r) => sets
                .iter()
                .copied()
                .filter(|&i| names(r, &self.deployments[i].namespace, &self.deployments[i].object_name))
                .collect(),
        };
        let message = match (&found[..], reference) {
            ([i], _) => return Some(DeploymentId(*i as u32)),
            ([], None) => "required: no StatefulSet among the inputs to default to".to_string(),
            (_, None) => format!("required: there are {} StatefulSets", sets.len()),
            ([], Some(r)) => {
                let deployment =
                    self.deployments.iter().any(|d| d.stateful.is_none() && names(r, &d.namespace, &d.object_name));
                if deployment {
                    format!("{r:?} is a Deployment; this field names a StatefulSet")
                } else {
                    format!("no StatefulSet named {r:?} in the manifests")
                }
            }
            (_, Some(r)) => {
                let candidates: Vec<String> =
                    found.iter().map(|&i| format!("{:?}", self.deployments[i].name)).collect();
                format!("{r:?} is ambiguous: StatefulSets of that name run in {} namespaces; write one of {} (namespace/name)", found.len(), candidates.join(", "))
            }
        };
        let class =
            if found.is_empty() && reference.is_some() { InputClass::DanglingReference } else { InputClass::Invalid };
        self.diag.error(InputError::at(&self.spec_origin, class, field, message));
        None
    }

    /// The ordinal (and volume zone) of group `g`, if it is a StatefulSet's.
    pub(super) fn ordinal_of(&self, g: usize) -> Option<Ordinal> {
        self.ordinals.iter().find(|(h, _)| h.index() == g).map(|(_, o)| *o)
    }

    /// VolumeZone for group `g` on every node: a bound volume keeps its pod in its zone.
    pub(super) fn volume_zone_facts(&self, g: usize, per_node: &mut [crate::ir::Placement]) {
        let Some(Ordinal { claim_zone: Some(z), .. }) = self.ordinal_of(g) else { return };
        let crate::ir::Owner::Deployment(dep) = self.group_owner[g].0 else { return };
        let dep = dep.index();
        let zone = self.deployments[dep].stateful.as_ref().expect("a StatefulSet").claim_zones[z as usize];
        let key = self.labels.find_key(ZONE).expect("a zonal claim's zones are node labels");
        for (p, n) in per_node.iter_mut().zip(&self.nodes) {
            p.volume_zone_ok = n.label(key) == Some(zone);
        }
    }

    /// A snapshot's pods controlled by a StatefulSet among the inputs: a run starts with none
    /// of a StatefulSet's pods, so they are refused rather than left as fixed load beside the
    /// pods the StatefulSet would create again.
    fn snapshot_pods_of_statefulsets(&mut self) {
        for p in &self.inputs.pods {
            let ns = namespace_of(&p.value.metadata);
            let owner = p.value.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true));
            let Some(r) = owner.filter(|r| r.kind == "StatefulSet") else { continue };
            if self.inputs.statefulsets.iter().any(|s| {
                s.value.metadata.name.as_deref() == Some(r.name.as_str()) && namespace_of(&s.value.metadata) == ns
            }) {
                self.diag.unmodeled(InputError::at(
                    &p.origin,
                    InputClass::Unmodeled,
                    "metadata.ownerReferences",
                    format!("a snapshot's pod of StatefulSet {ns}/{}: a run starts with none of a StatefulSet's pods (it creates them in ordinal order); starting from a snapshot's is not modelled", r.name),
                ));
            }
        }
    }
}

/// What `statefulset_policies` reads of a StatefulSet for `read_statefulset` to build with.
struct StatefulPolicies {
    replicas: i64,
    pod_management: PodManagement,
    update: StatefulUpdate,
}

#[cfg(test)]
mod tests {
    use crate::ir::build::test_inputs::{errors, model_of};
    use crate::ir::{PodManagement, StatefulUpdate};

    /// A StatefulSet `db` of `replicas` pods with `extra` lines under `spec:`.
    pub(crate) fn db(replicas: i64, extra: &str) -> String {
        format!("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: db}}\nspec:\n  replicas: {replicas}\n  serviceName: db\n  selector: {{matchLabels: {{app: db}}}}\n{extra}  template:\n    metadata: {{labels: {{app: db}}}}\n    spec:\n      containers: [{{name: c, image: db:1, resources: {{requests: {{cpu: \"1\", memory: 1Gi}}}}}}]\n---\n")
    }

    /// Two pools in zones a and b.
    fn zones() -> &'static str {
        "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools:\n    - {name: a, count: 1, labels: {topology.kubernetes.io/zone: a}, capacity: {cpu: \"8\", memory: 8Gi}}\n    - {name: b, count: 1, labels: {topology.kubernetes.io/zone: b}, capacity: {cpu: \"8\", memory: 8Gi}}\n"
    }

    fn class(provisioner: &str, extra: &str) -> String {
        format!("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {{name: disk}}\nprovisioner: {provisioner}\n{extra}---\n")
    }

    const CLAIMS: &str = "  volumeClaimTemplates: [{metadata: {name: data}, spec: {storageClassName: disk, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]\n";

    #[test]
    fn a_statefulset_is_read_with_its_policies() {
        let m = model_of(&format!(
            "{}{}",
            db(3, "  podManagementPolicy: Parallel\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}\n"),
            zones()
        ));
        let d = &m.deployments[0];
        let s = d.stateful.as_ref().expect("a StatefulSet");
        assert_eq!(
            (s.pod_management, s.update, s.ordinals),
            (PodManagement::Parallel, StatefulUpdate::RollingUpdate { partition: 1 }, 3)
        );
        assert_eq!(m.groups.len(), 3, "one group per ordinal");
        let ords: Vec<u32> = m.groups.iter().map(|g| g.ordinal.expect("an ordinal").ordinal).collect();
        assert_eq!(ords, [0, 1, 2]);
        let m = model_of(&format!("{}{}", db(2, "  updateStrategy: {type: OnDelete}\n"), zones()));
        let s = m.deployments[0].stateful.as_ref().unwrap();
        assert_eq!((s.pod_management, s.update), (PodManagement::OrderedReady, StatefulUpdate::OnDelete));
    }

    /// A zonal WaitForFirstConsumer class: one group per ordinal and volume zone (none yet, a,
    /// b), each bound group kept in its zone (VolumeZone).
    #[test]
    fn zonal_claims_make_a_group_per_zone() {
        let sc = class("ebs.csi.aws.com", "volumeBindingMode: WaitForFirstConsumer\n");
        let m = model_of(&format!("{sc}{}{}", db(2, CLAIMS), zones()));
        assert_eq!(m.groups.len(), 6);
        let ok: Vec<Vec<bool>> =
            m.groups.iter().map(|g| g.per_node.iter().map(|p| p.volume_zone_ok).collect()).collect();
        assert_eq!(ok[0], [true, true], "not bound yet");
        assert_eq!(ok[1], [true, false], "bound in a");
        assert_eq!(ok[2], [false, true], "bound in b");
        assert!(!m.groups[1].pvc, "a modelled claim needs no assumption");
        // An unknown provisioner places no modelled constraint: the claim is a pvc to assume.
        let m = model_of(&format!("{}{}{}", class("example.com/nfs", ""), db(2, CLAIMS), zones()));
        assert_eq!(m.groups.len(), 2);
        assert!(m.groups[0].pvc);
    }

    #[test]
    fn what_is_not_modelled_is_refused_with_its_field() {
        let e = errors(&format!("{}{}", db(2, "  minReadySeconds: 10\n"), zones()));
        assert!(e.contains("spec.minReadySeconds"), "{e}");
        let e = errors(&format!("{}{}", db(2, "  updateStrategy: {rollingUpdate: {maxUnavailable: 2}}\n"), zones()));
        assert!(
            e.contains("spec.updateStrategy.rollingUpdate.maxUnavailable") && e.contains("MaxUnavailableStatefulSet"),
            "{e}"
        );
        let e = errors(&format!(
            "{}{}",
            db(2, "  updateStrategy: {type: OnDelete, rollingUpdate: {partition: 1}}\n"),
            zones()
        ));
        assert!(e.contains("spec.updateStrategy.rollingUpdate") && e.contains("only allowed"), "{e}");
        let e = errors(&format!("{}{}", db(2, "  updateStrategy: {rollingUpdate: {partition: -1}}\n"), zones()));
        assert!(e.contains("partition") && e.contains("negative"), "{e}");
        let e = errors(&format!("{}{}", db(2, "  podManagementPolicy: Burst\n"), zones()));
        assert!(e.contains("spec.podManagementPolicy") && e.contains("\"Burst\""), "{e}");
        let e = errors(&format!(
            "{}{}",
            db(2, "").replace("      containers:", "      nodeName: a-0\n      containers:"),
            zones()
        ));
        assert!(e.contains("spec.template.spec.nodeName"), "{e}");
        let e = errors(&format!("{}{}", db(2, "  ordinals: {start: 3}\n"), zones()));
        assert!(e.contains("spec.ordinals.start"), "{e}");
        let e =
            errors(&format!("{}{}", db(2, "  persistentVolumeClaimRetentionPolicy: {whenScaled: Delete}\n"), zones()));
        assert!(e.contains("whenScaled"), "{e}");
        let immediate = class("ebs.csi.aws.com", "");
        let e = errors(&format!("{immediate}{}{}", db(2, CLAIMS), zones()));
        assert!(e.contains("volumeBindingMode") && e.contains("WaitForFirstConsumer"), "{e}");
        let regional = class(
            "pd.csi.storage.gke.io",
            "volumeBindingMode: WaitForFirstConsumer\nparameters: {replication-type: regional-pd}\n",
        );
        let e = errors(&format!("{regional}{}{}", db(2, CLAIMS), zones()));
        assert!(e.contains("replication-type"), "{e}");
        let sel = db(2, "").replace("selector: {matchLabels: {app: db}}", "selector: {matchLabels: {app: other}}");
        let e = errors(&format!("{sel}{}", zones()));
        assert!(e.contains("spec.selector") && e.contains("does not match"), "{e}");
        // A zonal claim on a node without a zone.
        let sc = class("ebs.csi.aws.com", "volumeBindingMode: WaitForFirstConsumer\n");
        let e = errors(&format!("{sc}{}{}", db(2, CLAIMS), crate::ir::build::test_inputs::pool("8", "8Gi")));
        assert!(e.contains("topology.kubernetes.io/zone"), "{e}");
    }

    /// The beta storage-class annotation names a claim's class before `storageClassName`
    /// (GetPersistentVolumeClaimClass): here a class that is not zonal, so no zone groups.
    #[test]
    fn the_beta_class_annotation_comes_first() {
        let sc = class("ebs.csi.aws.com", "volumeBindingMode: WaitForFirstConsumer\n");
        let beta = CLAIMS.replace(
            "{metadata: {name: data}",
            "{metadata: {name: data, annotations: {volume.beta.kubernetes.io/storage-class: nfs}}",
        );
        let nfs = class("example.com/nfs", "").replace("name: disk", "name: nfs");
        let m = model_of(&format!("{sc}{nfs}{}{}", db(2, &beta), zones()));
        assert_eq!(m.groups.len(), 2, "the annotated class, not the zonal one");
        assert!(m.groups[0].pvc);
        let beta = CLAIMS.replace(
            "{metadata: {name: data}, spec: {storageClassName: disk,",
            "{metadata: {name: data, annotations: {volume.beta.kubernetes.io/storage-class: disk}}, spec: {",
        );
        let m = model_of(&format!("{sc}{}{}", db(2, &beta), zones()));
        assert_eq!(m.groups.len(), 6, "the annotation alone names the zonal class");
    }

    /// What binds a zonal claim's volume other than its pod's first node is refused with the
    /// claim's field; so are a class's zone parameters, a class being deleted, and several
    /// default classes for a claim that names none.
    #[test]
    fn what_places_a_zonal_volume_otherwise_is_refused() {
        let sc = class("ebs.csi.aws.com", "volumeBindingMode: WaitForFirstConsumer\n");
        for (extra, field) in [
            ("selector: {matchLabels: {tier: x}}, ", "spec.volumeClaimTemplates[0].spec.selector"),
            ("volumeName: pv-1, ", "spec.volumeClaimTemplates[0].spec.volumeName"),
            ("dataSource: {kind: PersistentVolumeClaim, name: src}, ", "spec.volumeClaimTemplates[0].spec.dataSource"),
            (
                "dataSourceRef: {kind: PersistentVolumeClaim, name: src}, ",
                "spec.volumeClaimTemplates[0].spec.dataSourceRef",
            ),
            ("volumeAttributesClassName: fast, ", "spec.volumeClaimTemplates[0].spec.volumeAttributesClassName"),
        ] {
            let claims = CLAIMS.replace("spec: {storageClassName", &format!("spec: {{{extra}storageClassName"));
            let e = errors(&format!("{sc}{}{}", db(2, &claims), zones()));
            assert!(e.contains(field) && e.contains("a zonal claim"), "{field}: {e}");
        }
        for (modes, refused) in [("[ReadWriteMany]", true), ("[ReadOnlyMany]", true), ("[ReadWriteOncePod]", false)] {
            let claims = CLAIMS.replace("accessModes: [ReadWriteOnce]", &format!("accessModes: {modes}"));
            let e = errors(&format!("{sc}{}{}", db(2, &claims), zones()));
            assert_eq!(e.contains("spec.volumeClaimTemplates[0].spec.accessModes"), refused, "{modes}: {e}");
        }
        for (meta, field) in [
            (
                "annotations: {volume.kubernetes.io/selected-node: a-0}",
                "spec.volumeClaimTemplates[0].metadata.annotations",
            ),
            (
                "ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: o, uid: u}]",
                "spec.volumeClaimTemplates[0].metadata.ownerReferences",
            ),
        ] {
            let claims = CLAIMS.replace("{metadata: {name: data}", &format!("{{metadata: {{name: data, {meta}}}"));
            let e = errors(&format!("{sc}{}{}", db(2, &claims), zones()));
            assert!(e.contains(field), "{field}: {e}");
        }
        // Not zonal: the claim assumes pvc-unconstrained, and none of this is refused.
        let nfs = class("example.com/nfs", "");
        let claims = CLAIMS.replace("spec: {storageClassName", "spec: {volumeName: pv-1, storageClassName");
        assert_eq!(model_of(&format!("{nfs}{}{}", db(2, &claims), zones())).groups.len(), 2);
        for k in ["zone", "Zones"] {
            let sc = class(
                "kubernetes.io/aws-ebs",
                &format!("volumeBindingMode: WaitForFirstConsumer\nparameters: {{{k}: a}}\n"),
            );
            let e = errors(&format!("{sc}{}{}", db(2, CLAIMS), zones()));
            assert!(e.contains(&format!("parameters.{k}")), "{e}");
        }
        let gone = class("ebs.csi.aws.com", "volumeBindingMode: WaitForFirstConsumer\n")
            .replace("metadata: {name: disk}", "metadata: {name: disk, deletionTimestamp: \"2020-01-01T00:00:00Z\"}");
        let e = errors(&format!("{gone}{}{}", db(2, CLAIMS), zones()));
        assert!(e.contains("metadata.deletionTimestamp") && e.contains("StorageClass being deleted"), "{e}");
        let default = |name: &str| {
            class("ebs.csi.aws.com", "volumeBindingMode: WaitForFirstConsumer\n").replace(
                "metadata: {name: disk}",
                &format!("metadata: {{name: {name}, annotations: {{storageclass.kubernetes.io/is-default-class: \"true\"}}}}"),
            )
        };
        let unnamed = CLAIMS.replace("storageClassName: disk, ", "");
        let e = errors(&format!("{}{}{}{}", default("a"), default("b"), db(2, &unnamed), zones()));
        assert!(e.contains("spec.volumeClaimTemplates[0].spec.storageClassName") && e.contains("newest"), "{e}");
        assert_eq!(model_of(&format!("{}{}{}", default("a"), db(2, &unnamed), zones())).groups.len(), 6, "one default");
    }

    /// One group per StatefulSet pod: a StatefulSet of more pods than the model holds is
    /// refused, naming the field and the limit, before any group is made.
    #[test]
    fn too_many_ordinals_are_refused() {
        let e = errors(&format!("{}{}", db(32767, ""), zones()));
        assert!(e.contains("spec.replicas") && e.contains("at most 512"), "{e}");
    }

    /// A StatefulSet scaled to zero (a dump of a paused one) builds, with one ordinal's
    /// group that no run fills; it used to index an empty list of groups.
    #[test]
    fn a_statefulset_scaled_to_zero_builds() {
        let m = model_of(&format!("{}{}", db(0, ""), zones()));
        let s = m.deployments[0].stateful.as_ref().unwrap();
        assert_eq!((m.deployments[0].replicas.max, s.ordinals), (0, 1));
    }

    /// A StatefulSet can be scaled: the ordinals modelled cover the largest scale.
    #[test]
    fn ordinals_cover_every_scale() {
        let spec = format!(
            "{}  events: [{{type: scaleDeployment, deployment: db, delta: {{min: -1, max: 2}}, budget: 1}}]\n",
            zones()
        );
        let m = model_of(&format!("{}{spec}", db(2, "")));
        assert_eq!(m.deployments[0].stateful.as_ref().unwrap().ordinals, 4);
    }

    /// A rolloutRestart of a StatefulSet is its next revision, with a group per ordinal; an
    /// applyDeployment cannot name one.
    #[test]
    fn a_restart_is_a_revision_for_every_ordinal() {
        let spec = format!("{}  events: [{{type: rolloutRestart, deployment: db, budget: 1}}]\n", zones());
        let m = model_of(&format!("{}{spec}", db(2, "")));
        let s = m.deployments[0].stateful.as_ref().unwrap();
        assert_eq!(s.groups.len(), 2);
        assert_eq!(m.groups.iter().map(|g| g.revision).collect::<Vec<_>>(), [0, 0, 1, 1]);
        assert_eq!(m.events.len(), 1);
    }
}
