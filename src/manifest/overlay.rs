//! A change applied over a live cluster's dump (`kbmc check --baseline DUMP CHANGED`): the
//! objects of the change replace the dump's objects of the same kind, namespace and name, as
//! `kubectl apply` of them would; the others are added. It owns that merge of decoded inputs
//! only: it must not interpret objects (their meaning is `ir/`'s).

use k8s_openapi::Metadata;

use super::{Inputs, Object};

/// The namespace an object is applied to: its own, or `default` when the manifest names none
/// (what `kubectl apply` does in the default context; cluster-scoped kinds have none on
/// either side, so they compare by name).
fn key<T: Metadata<Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>>(
    o: &Object<T>,
) -> (String, String) {
    let meta = o.value.metadata();
    (meta.namespace.clone().unwrap_or_else(|| "default".into()), meta.name.clone().unwrap_or_default())
}

/// `base` without the objects `change` replaces, followed by every object of `change`.
fn replace<T: Metadata<Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>>(
    base: &mut Vec<Object<T>>,
    change: Vec<Object<T>>,
) {
    base.retain(|b| !change.iter().any(|c| key(c) == key(b)));
    base.extend(change);
}

/// `change` applied over `base`. Of the kinds kbmc reads one of (the Verification, a
/// DeschedulerPolicy, a KubeSchedulerConfiguration), a change that brings one replaces the
/// dump's. Objects the change deletes cannot be said this way: a change here only adds or
/// replaces.
pub fn overlay(mut base: Inputs, change: Inputs) -> Inputs {
    replace(&mut base.deployments, change.deployments);
    replace(&mut base.hpas, change.hpas);
    replace(&mut base.nodes, change.nodes);
    replace(&mut base.pods, change.pods);
    replace(&mut base.replica_sets, change.replica_sets);
    replace(&mut base.pdbs, change.pdbs);
    replace(&mut base.namespaces, change.namespaces);
    replace(&mut base.statefulsets, change.statefulsets);
    replace(&mut base.storage_classes, change.storage_classes);
    replace(&mut base.priority_classes, change.priority_classes);
    replace(&mut base.daemon_sets, change.daemon_sets);
    if !change.verifications.is_empty() {
        base.verifications = change.verifications;
    }
    if !change.descheduler_policies.is_empty() {
        base.descheduler_policies = change.descheduler_policies;
    }
    if !change.scheduler_configs.is_empty() {
        base.scheduler_configs = change.scheduler_configs;
    }
    base.applied.extend(change.applied);
    base.quotas.retain(|(_, name, ns)| !change.quotas.iter().any(|(_, n, s)| n == name && s == ns));
    base.quotas.extend(change.quotas);
    base.warnings.extend(change.warnings);
    base.files.extend(change.files);
    base
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{load_text, LoadOptions};

    fn inputs(file: &str, yaml: &str) -> Inputs {
        let mut i = Inputs::default();
        let mut errors = Vec::new();
        load_text(std::path::Path::new(file), yaml, LoadOptions::default(), &mut i, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        i
    }

    fn deployment(name: &str, ns: Option<&str>, image: &str) -> String {
        let ns = ns.map_or(String::new(), |n| format!(", namespace: {n}"));
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}{ns}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec: {{containers: [{{name: c, image: {image}}}]}}\n---\n")
    }

    /// Same kind, namespace and name: replaced (a manifest without a namespace is the default
    /// one's); another namespace or a new name: added.
    #[test]
    fn a_change_replaces_by_kind_namespace_and_name() {
        let base = inputs(
            "dump.yaml",
            &(deployment("web", Some("default"), "web:1") + &deployment("web", Some("shop"), "web:1")),
        );
        let change = inputs("pr.yaml", &(deployment("web", None, "web:2") + &deployment("api", None, "api:1")));
        let merged = overlay(base, change);
        let seen: Vec<(String, String, String)> = merged
            .deployments
            .iter()
            .map(|d| {
                let image = d.value.spec.template.spec.as_ref().unwrap().containers[0].image.clone();
                let (ns, name) = key(d);
                (ns, name, image.unwrap_or_default())
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("shop".into(), "web".into(), "web:1".into()),
                ("default".into(), "web".into(), "web:2".into()),
                ("default".into(), "api".into(), "api:1".into()),
            ]
        );
        assert_eq!(merged.deployments[1].origin.file, std::path::Path::new("pr.yaml"));
    }
}
