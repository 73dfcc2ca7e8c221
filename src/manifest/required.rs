//! Required fields of the Kubernetes kinds kbmc reads. k8s-openapi 0.29 fills an absent
//! required field with its default (a Deployment without containers decodes to zero
//! containers, an HPA without maxReplicas to 0), so kbmc checks the API's required fields on
//! the YAML itself before decoding. Paths follow the OpenAPI schema of Kubernetes 1.37.

use crate::error::{InputClass, InputError, Origin};

/// A path's segments are field names; `[*]` applies the rest to every item of a sequence; a
/// segment ending in `?` is optional (when absent, the rest of the path does not apply).
const DEPLOYMENT: &[&str] = &[
    "spec",
    "spec.selector",
    "spec.template",
    "spec.template.spec",
    "spec.template.spec.containers",
    "spec.template.spec.containers[*].name",
    "spec.template.spec.initContainers?[*].name",
    "spec.template.spec.tolerations?[*]",
    "spec.template.spec.topologySpreadConstraints?[*].maxSkew",
    "spec.template.spec.topologySpreadConstraints?[*].topologyKey",
    "spec.template.spec.topologySpreadConstraints?[*].whenUnsatisfiable",
    "spec.template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms",
    "spec.template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[*].matchExpressions?[*].key",
    "spec.template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[*].matchExpressions?[*].operator",
    "spec.template.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?[*].weight",
    "spec.template.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?[*].preference",
    "spec.template.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?[*].preference.matchExpressions?[*].key",
    "spec.template.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?[*].preference.matchExpressions?[*].operator",
    "spec.selector.matchExpressions?[*].key",
    "spec.selector.matchExpressions?[*].operator",
];

const HPA: &[&str] = &[
    "spec",
    "spec.scaleTargetRef",
    "spec.scaleTargetRef.kind",
    "spec.scaleTargetRef.name",
    "spec.maxReplicas",
    "spec.metrics?[*].type",
    "spec.metrics?[*].resource?.name",
    "spec.metrics?[*].resource?.target",
    "spec.metrics?[*].resource?.target.type",
    "spec.behavior?.scaleUp?.policies?[*].type",
    "spec.behavior?.scaleUp?.policies?[*].value",
    "spec.behavior?.scaleUp?.policies?[*].periodSeconds",
    "spec.behavior?.scaleDown?.policies?[*].type",
    "spec.behavior?.scaleDown?.policies?[*].value",
    "spec.behavior?.scaleDown?.policies?[*].periodSeconds",
];

const VPA: &[&str] = &["spec", "spec.targetRef", "spec.targetRef.kind", "spec.targetRef.name"];

const NODE: &[&str] = &["metadata", "metadata.name", "spec?.taints?[*].key", "spec?.taints?[*].effect"];

const NAMESPACE: &[&str] = &["metadata", "metadata.name"];

const PRIORITY_CLASS: &[&str] = &["metadata", "metadata.name", "value"];

/// The required paths of a kind, if kbmc checks them.
pub fn for_kind(kind: &str) -> &'static [&'static str] {
    match kind {
        // A StatefulSet's spec requires what a Deployment's does (selector, template and its
        // pod spec's required fields), at the same paths; a DaemonSet's the same (selector,
        // template) without replicas.
        "Deployment" | "StatefulSet" | "DaemonSet" => DEPLOYMENT,
        "HorizontalPodAutoscaler" => HPA,
        "VerticalPodAutoscaler" => VPA,
        "Node" => NODE,
        "Namespace" => NAMESPACE,
        "PriorityClass" => PRIORITY_CLASS,
        _ => &[],
    }
}

#[derive(Debug, PartialEq)]
enum Seg<'a> {
    Field(&'a str, bool),
    Each,
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, each) = match part.strip_suffix("[*]") {
            Some(n) => (n, true),
            None => (part, false),
        };
        let (name, optional) = match name.strip_suffix('?') {
            Some(n) => (n, true),
            None => (name, false),
        };
        out.push(Seg::Field(name, optional));
        if each {
            out.push(Seg::Each);
        }
    }
    out
}

fn walk(v: &serde_yaml::Value, segs: &[Seg], here: String, missing: &mut Vec<String>) {
    let Some((first, rest)) = segs.split_first() else { return };
    match first {
        Seg::Field(name, optional) => {
            let child = v.as_mapping().and_then(|m| m.get(*name)).filter(|c| !c.is_null());
            let path = if here.is_empty() { name.to_string() } else { format!("{here}.{name}") };
            match child {
                Some(c) => walk(c, rest, path, missing),
                None if *optional => {}
                None => missing.push(path),
            }
        }
        Seg::Each => {
            if let Some(items) = v.as_sequence() {
                for (i, item) in items.iter().enumerate() {
                    walk(item, rest, format!("{here}[{i}]"), missing);
                }
            }
        }
    }
}

/// Errors for every required field of `kind` absent from `value`.
pub fn check(kind: &str, value: &serde_yaml::Value, origin: &Origin) -> Vec<InputError> {
    let mut missing = Vec::new();
    for path in for_kind(kind) {
        walk(value, &segments(path), String::new(), &mut missing);
    }
    missing.dedup();
    let mut out: Vec<InputError> = Vec::new();
    for m in missing {
        // Report the outermost missing field only (spec, not also spec.selector).
        if out.iter().any(|e| m.starts_with(&format!("{}.", e.field.trim_start_matches(&origin.field_prefix())))) {
            continue;
        }
        out.push(InputError::at(
            origin,
            InputClass::MissingOrMistyped,
            m,
            format!("missing required field (the Kubernetes API requires it for a {kind})"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_missing_fields_and_skips_absent_optional_parents() {
        let v: serde_yaml::Value = serde_yaml::from_str(
            "spec:\n  scaleTargetRef: {kind: Deployment}\n  metrics:\n    - type: Resource\n      resource: {name: cpu}\n",
        )
        .unwrap();
        let o = Origin::new(std::path::Path::new("hpa.yaml"), 1);
        let fields: Vec<String> = check("HorizontalPodAutoscaler", &v, &o).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["spec.scaleTargetRef.name", "spec.maxReplicas", "spec.metrics[0].resource.target"]);
        let v: serde_yaml::Value = serde_yaml::from_str("metadata: {name: x}\n").unwrap();
        let fields: Vec<String> = check("Deployment", &v, &o).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["spec"], "only the outermost missing field is reported");
    }
}
