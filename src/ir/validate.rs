//! Object-name and label validation as the Kubernetes API server does it, so that input the
//! API server would reject never reaches a verdict. Owns the syntax rules only (DNS-1123
//! subdomains and labels, qualified names, label values) and where they apply to decoded
//! manifests and the spec; references between objects and numeric ranges stay in `build.rs`
//! and its parts under `build/`.
//!
//! Upstream: k8s.io/apimachinery/pkg/util/validation/validation.go (`IsDNS1123Subdomain`,
//! `IsDNS1123Label`, `IsQualifiedName`, `IsValidLabelValue`: lengths 253, 63, 63 and the
//! character classes below), k8s.io/apimachinery/pkg/api/validation/objectmeta.go
//! (`ValidateObjectMeta`: a name is required; the namespace is a DNS-1123 label),
//! pkg/apis/apps/validation (`ValidateDeploymentName` = `NameIsDNSSubdomain`),
//! pkg/apis/core/validation (`ValidateNodeName`, container names as DNS-1123 labels,
//! `ValidateLabels` for labels and nodeSelector, taint keys as qualified names,
//! `topologyKey` required and a qualified name).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::diag::Diag;
use crate::error::{InputClass, InputError, Origin};
use crate::manifest::Inputs;
use crate::spec;

fn alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `IsDNS1123Label`: at most 63 lowercase alphanumerics or '-', starting and ending with an
/// alphanumeric.
pub fn dns1123_label(s: &str) -> Result<(), String> {
    if s.len() > 63 {
        return Err(format!("must be no more than 63 characters (it has {})", s.len()));
    }
    let ok = !s.is_empty() && s.chars().all(|c| alnum(c) || c == '-') && s.starts_with(alnum) && s.ends_with(alnum);
    if ok {
        Ok(())
    } else {
        Err("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')".into())
    }
}

/// `IsDNS1123Subdomain`: at most 253 characters, dot-separated DNS-1123 labels.
pub fn dns1123_subdomain(s: &str) -> Result<(), String> {
    if s.len() > 253 {
        return Err(format!("must be no more than 253 characters (it has {})", s.len()));
    }
    let ok = !s.is_empty()
        && s.chars().all(|c| alnum(c) || c == '-' || c == '.')
        && s.split('.').all(|l| !l.is_empty() && l.starts_with(alnum) && l.ends_with(alnum));
    if ok {
        Ok(())
    } else {
        Err("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')".into())
    }
}

/// The name part of a qualified name or a non-empty label value: at most 63 characters,
/// alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric.
fn name_part(s: &str) -> bool {
    let an = |c: char| c.is_ascii_alphanumeric();
    s.len() <= 63
        && !s.is_empty()
        && s.chars().all(|c| an(c) || "-_.".contains(c))
        && s.starts_with(an)
        && s.ends_with(an)
}

/// `IsQualifiedName`: an optional DNS-1123 subdomain prefix and '/', then a name part.
pub fn qualified_name(s: &str) -> Result<(), String> {
    let (prefix, name) = match s.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    if let Some(p) = prefix {
        if p.is_empty() {
            return Err("the prefix part must be non-empty".into());
        }
        dns1123_subdomain(p).map_err(|e| format!("the prefix part {e}"))?;
    }
    if name_part(name) {
        Ok(())
    } else if name.is_empty() {
        Err("the name part must be non-empty".into())
    } else if name.len() > 63 {
        Err(format!("the name part must be no more than 63 characters (it has {})", name.len()))
    } else {
        Err("the name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc'), with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')".into())
    }
}

/// `IsValidLabelValue`: empty, or a name part.
pub fn label_value(s: &str) -> Result<(), String> {
    if s.is_empty() || name_part(s) {
        Ok(())
    } else if s.len() > 63 {
        Err(format!("must be no more than 63 characters (it has {})", s.len()))
    } else {
        Err("a valid label value must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')".into())
    }
}

/// A name or value as a message shows it: quoted, with control characters escaped.
fn shown(s: &str) -> String {
    format!("{s:?}")
}

struct Check<'a> {
    origin: &'a Origin,
    object: Option<String>,
    diag: &'a mut Diag,
}

impl Check<'_> {
    fn fail(&mut self, field: String, what: &str, value: &str, why: String) {
        let mut e = InputError::at(
            self.origin,
            InputClass::Invalid,
            field,
            format!("{what} {} is invalid: {why}", shown(value)),
        );
        if let Some(o) = &self.object {
            e = e.with_object(o.clone());
        }
        self.diag.error(e);
    }

    fn rule(&mut self, field: String, what: &str, value: &str, rule: fn(&str) -> Result<(), String>) {
        if let Err(why) = rule(value) {
            self.fail(field, what, value, why);
        }
    }

    /// `ValidateLabels`: every key a qualified name, every value a label value.
    fn labels(&mut self, field: &str, labels: Option<&BTreeMap<String, String>>) {
        for (k, v) in labels.into_iter().flatten() {
            self.rule(field.to_string(), "the label key", k, qualified_name);
            if let Err(why) = label_value(v) {
                self.fail(field.to_string(), &format!("the value of label {}", shown(k)), v, why);
            }
        }
    }

    fn selector(&mut self, field: &str, sel: Option<&LabelSelector>) {
        let Some(sel) = sel else { return };
        self.labels(&format!("{field}.matchLabels"), sel.match_labels.as_ref());
        for (i, e) in sel.match_expressions.iter().flatten().enumerate() {
            self.rule(format!("{field}.matchExpressions[{i}].key"), "the key", &e.key, qualified_name);
            if matches!(e.operator.as_str(), "In" | "NotIn") {
                for (j, v) in e.values.iter().flatten().enumerate() {
                    self.rule(format!("{field}.matchExpressions[{i}].values[{j}]"), "the value", v, label_value);
                }
            }
        }
    }

    fn meta(&mut self, meta: &ObjectMeta, name_rule: fn(&str) -> Result<(), String>) {
        if let Some(n) = meta.name.as_deref() {
            self.rule("metadata.name".into(), "the name", n, name_rule);
        }
        if let Some(ns) = meta.namespace.as_deref() {
            self.rule("metadata.namespace".into(), "the namespace", ns, dns1123_label);
        }
        self.labels("metadata.labels", meta.labels.as_ref());
    }

    fn pod(&mut self, field: &str, pod: &PodSpec) {
        for (i, c) in pod.containers.iter().enumerate() {
            self.rule(format!("{field}.containers[{i}].name"), "the container name", &c.name, dns1123_label);
        }
        for (i, c) in pod.init_containers.iter().flatten().enumerate() {
            self.rule(format!("{field}.initContainers[{i}].name"), "the container name", &c.name, dns1123_label);
        }
        self.labels(&format!("{field}.nodeSelector"), pod.node_selector.as_ref());
        if let Some(n) = pod.node_name.as_deref() {
            self.rule(format!("{field}.nodeName"), "the node name", n, dns1123_subdomain);
        }
        for (i, t) in pod.topology_spread_constraints.iter().flatten().enumerate() {
            let f = format!("{field}.topologySpreadConstraints[{i}]");
            if t.topology_key.is_empty() {
                self.fail(
                    format!("{f}.topologyKey"),
                    "the topology key",
                    "",
                    "is required (it may not be empty)".into(),
                );
            } else {
                self.rule(format!("{f}.topologyKey"), "the topology key", &t.topology_key, qualified_name);
            }
            self.selector(&format!("{f}.labelSelector"), t.label_selector.as_ref());
        }
        for (i, t) in pod.tolerations.iter().flatten().enumerate() {
            if let Some(k) = t.key.as_deref().filter(|k| !k.is_empty()) {
                self.rule(format!("{field}.tolerations[{i}].key"), "the toleration key", k, qualified_name);
            }
        }
    }

    fn deployment(&mut self, d: &Deployment) {
        self.meta(&d.metadata, dns1123_subdomain);
        let s = &d.spec;
        self.selector("spec.selector", Some(&s.selector));
        if let Some(m) = &s.template.metadata {
            self.labels("spec.template.metadata.labels", m.labels.as_ref());
        }
        if let Some(p) = &s.template.spec {
            self.pod("spec.template.spec", p);
        }
    }
}

/// Checks names and labels of every object of `inputs` and of the spec's node pools.
pub(super) fn names_and_labels(
    inputs: &Inputs,
    verification: &spec::Verification,
    spec_origin: &Origin,
    diag: &mut Diag,
) {
    let spec = &verification.spec;
    for o in &inputs.deployments {
        let object = o.value.metadata.name.as_ref().map(|n| format!("Deployment/{n}"));
        Check { origin: &o.origin, object, diag }.deployment(&o.value);
    }
    for (_, o) in &inputs.applied {
        let object = o.value.metadata.name.as_ref().map(|n| format!("Deployment/{n}"));
        Check { origin: &o.origin, object, diag }.deployment(&o.value);
    }
    for o in &inputs.hpas {
        let object = o.value.metadata.name.as_ref().map(|n| format!("HorizontalPodAutoscaler/{n}"));
        Check { origin: &o.origin, object, diag }.meta(&o.value.metadata, dns1123_subdomain);
    }
    for o in &inputs.pdbs {
        let object = o.value.metadata.name.as_ref().map(|n| format!("PodDisruptionBudget/{n}"));
        let mut c = Check { origin: &o.origin, object, diag };
        c.meta(&o.value.metadata, dns1123_subdomain);
        c.selector("spec.selector", o.value.spec.as_ref().and_then(|s| s.selector.as_ref()));
    }
    for o in &inputs.namespaces {
        // ValidateNamespace: the name is a DNS label.
        let object = o.value.metadata.name.as_ref().map(|n| format!("Namespace/{n}"));
        Check { origin: &o.origin, object, diag }.meta(&o.value.metadata, dns1123_label);
    }
    for o in &inputs.nodes {
        let object = o.value.metadata.name.as_ref().map(|n| format!("Node/{n}"));
        let mut c = Check { origin: &o.origin, object, diag };
        c.meta(&o.value.metadata, dns1123_subdomain);
        for (i, t) in o.value.spec.iter().flat_map(|s| s.taints.iter().flatten()).enumerate() {
            c.rule(format!("spec.taints[{i}].key"), "the taint key", &t.key, qualified_name);
            if let Some(v) = t.value.as_deref() {
                c.rule(format!("spec.taints[{i}].value"), "the taint value", v, label_value);
            }
        }
    }
    let mut c = Check { origin: spec_origin, object: None, diag };
    // kbmc's own object, named as Kubernetes objects are (the name heads every report).
    if let Some(n) = verification.metadata.name.as_deref() {
        c.rule("metadata.name".into(), "the name", n, dns1123_subdomain);
    }
    for (i, p) in spec.node_pools.iter().enumerate() {
        // A pool's nodes are named <pool>-<i>: the pool name must make valid node names.
        c.rule(format!("spec.nodePools[{i}].name"), "the pool name", &p.name, |n| {
            dns1123_subdomain(&format!("{n}-0")).and_then(|()| dns1123_label(n))
        });
        c.labels(&format!("spec.nodePools[{i}].labels"), Some(&p.labels));
        for (j, t) in p.taints.iter().enumerate() {
            c.rule(format!("spec.nodePools[{i}].taints[{j}].key"), "the taint key", &t.key, qualified_name);
            if let Some(v) = t.value.as_deref() {
                c.rule(format!("spec.nodePools[{i}].taints[{j}].value"), "the taint value", v, label_value);
            }
        }
    }
}

/// Numeric ranges and immutable fields the API server enforces on the manifests:
/// `validateScalingRules` and `validateScalingPolicy` of HPA behaviour
/// (pkg/apis/autoscaling/validation: stabilizationWindowSeconds 0..3600, a policy's value
/// above 0 and periodSeconds 1..1800, at least one policy where policies are given), and a
/// Deployment's `spec.selector`, immutable in apps/v1 (`ValidateDeploymentUpdate`), which an
/// applied manifest may not change.
pub(super) fn api_ranges(inputs: &Inputs, diag: &mut Diag) {
    for o in &inputs.hpas {
        let object = o.value.metadata.name.as_ref().map(|n| format!("HorizontalPodAutoscaler/{n}"));
        let err = |field: String, msg: String| {
            let e = InputError::at(&o.origin, InputClass::Invalid, field, msg);
            match &object {
                Some(ob) => e.with_object(ob.clone()),
                None => e,
            }
        };
        let Some(b) = o.value.spec.behavior.as_ref() else { continue };
        for (dir, rules) in [("scaleUp", &b.scale_up), ("scaleDown", &b.scale_down)] {
            let Some(r) = rules else { continue };
            let f = format!("spec.behavior.{dir}");
            if let Some(w) = r.stabilization_window_seconds.filter(|w| !(0..=3600).contains(w)) {
                diag.error(err(
                    format!("{f}.stabilizationWindowSeconds"),
                    format!("{w} is out of range: must be greater than or equal to 0 and less than or equal to 3600"),
                ));
            }
            if r.policies.as_ref().is_some_and(|p| p.is_empty()) {
                diag.error(err(format!("{f}.policies"), "must specify at least one Policy".into()));
            }
            for (i, p) in r.policies.iter().flatten().enumerate() {
                if p.value <= 0 {
                    diag.error(err(
                        format!("{f}.policies[{i}].value"),
                        format!("{} is out of range: must be greater than zero", p.value),
                    ));
                }
                if !(1..=1800).contains(&p.period_seconds) {
                    diag.error(err(
                        format!("{f}.policies[{i}].periodSeconds"),
                        format!(
                            "{} is out of range: must be greater than zero and less than or equal to 1800",
                            p.period_seconds
                        ),
                    ));
                }
            }
        }
    }
    let namespace = |d: &Deployment| d.metadata.namespace.clone().unwrap_or_else(|| "default".into());
    for (_, a) in &inputs.applied {
        let name = a.value.metadata.name.as_deref();
        // The Deployment of that name in the applied manifest's namespace (another namespace's
        // is another Deployment).
        let Some(first) = inputs
            .deployments
            .iter()
            .find(|d| d.value.metadata.name.as_deref() == name && namespace(&d.value) == namespace(&a.value))
        else {
            continue;
        };
        if a.value.spec.selector != first.value.spec.selector {
            let mut e = InputError::at(
                &a.origin,
                InputClass::Invalid,
                "spec.selector",
                format!(
                    "field is immutable: the applied manifest changes the selector of the Deployment in {} (the API server rejects the update)",
                    first.origin
                ),
            );
            if let Some(n) = name {
                e = e.with_object(format!("Deployment/{n}"));
            }
            diag.error(e);
        }
    }
}

/// Every `nodeName` of a pod template names a node of the cluster (a pool node `<pool>-<i>`
/// or a Node manifest): pods bound to a node that does not exist never run, which would
/// turn most intents into "holds" for a reason that is a typo.
pub(super) fn node_names(inputs: &Inputs, nodes: &[&str], diag: &mut Diag) {
    let templates = inputs.deployments.iter().chain(inputs.applied.iter().map(|(_, o)| o));
    for o in templates {
        let name = o.value.spec.template.spec.as_ref().and_then(|p| p.node_name.as_deref());
        if let Some(n) = name.filter(|n| !nodes.contains(n)) {
            let mut e = InputError::at(
                &o.origin,
                InputClass::DanglingReference,
                "spec.template.spec.nodeName",
                format!("no node named {} (pool nodes are named <pool>-<i>, from 0)", shown(n)),
            );
            if let Some(d) = o.value.metadata.name.as_deref() {
                e = e.with_object(format!("Deployment/{d}"));
            }
            diag.error(e);
        }
    }
}

/// Values of the spec that parse but mean nothing: an intent parameter of 0 where the intent
/// needs at least 1 (`times`, `drop`). (A Deployment described by two workloads is found
/// where references are resolved: `web` and `prod/web` may name the same one.)
pub(super) fn spec_values(spec: &spec::VerificationSpec, origin: &Origin, diag: &mut Diag) {
    for (i, intent) in spec.intents.iter().enumerate() {
        let zero = match intent {
            spec::Intent::NoKernelPanicLoop { times: 0 } => Some(("times", "a node panicking 0 times")),
            spec::Intent::NoReplicaOscillation { drop: 0, .. } => Some(("drop", "a drop of 0 replicas")),
            _ => None,
        };
        if let Some((field, what)) = zero {
            diag.error(InputError::at(
                origin,
                InputClass::Invalid,
                format!("spec.intents[{i}].{field}"),
                format!("0 is out of range: expected at least 1 ({what} is no event at all)"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_api_server() {
        assert!(dns1123_subdomain("web").is_ok());
        assert!(dns1123_subdomain("web.example-1").is_ok());
        for bad in ["", "Web", "a/b", "-a", "a-", "a..b", &"a".repeat(254), "red\u{1b}[31m"] {
            assert!(dns1123_subdomain(bad).is_err(), "{bad:?}");
        }
        assert!(dns1123_label("a-1").is_ok());
        assert!(dns1123_label("a.b").is_err());
        assert!(dns1123_label(&"a".repeat(64)).is_err());
    }

    #[test]
    fn labels_follow_the_api_server() {
        for ok in ["app", "App_1", "example.com/app", "kubernetes.io/hostname", "a.b-c"] {
            assert!(qualified_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "/app", "Example.com/app", "a/b/c", "-app", "app-", "a b", &"a".repeat(64)] {
            assert!(qualified_name(bad).is_err(), "{bad:?}");
        }
        assert!(label_value("").is_ok());
        assert!(label_value("v1.2_3").is_ok());
        assert!(label_value("a b").is_err());
        assert!(label_value(&"v".repeat(64)).is_err());
    }
}
