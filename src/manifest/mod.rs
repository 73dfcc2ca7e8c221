//! Kubernetes YAML -> typed objects. Owns reading files and directories, splitting
//! multi-document YAML, unpacking `kind: List`, and routing each document by apiVersion/kind to
//! its typed decoder (k8s-openapi for core kinds, small serde structs for DeschedulerPolicy and
//! KubeSchedulerConfiguration, `spec::` for kbmc's Verification). It must not interpret
//! objects: validation and meaning belong to `ir/`.

pub mod decode;
pub mod descheduler;
pub mod limits;
pub mod overlay;
pub mod quantity;
mod required;
pub mod scheduler_config;
pub mod vpa;

use std::path::{Path, PathBuf};

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::StorageClass;

use crate::error::{Error, InputClass, InputError, Origin};
use crate::spec::Verification;
use decode::{decode, Document};

/// A decoded object and where it came from.
#[derive(Clone, Debug)]
pub struct Object<T> {
    pub origin: Origin,
    pub value: T,
}

/// Everything read from the paths given on the command line.
#[derive(Debug, Default)]
pub struct Inputs {
    pub verifications: Vec<Object<Verification>>,
    pub deployments: Vec<Object<Deployment>>,
    pub hpas: Vec<Object<HorizontalPodAutoscaler>>,
    pub nodes: Vec<Object<Node>>,
    /// A snapshot's Pods (`kubectl get pods -o yaml`): the initial state of their
    /// Deployments, or fixed load on their node.
    pub pods: Vec<Object<Pod>>,
    /// A snapshot's ReplicaSets: the revisions of their Deployments' rollouts.
    pub replica_sets: Vec<Object<ReplicaSet>>,
    /// PodDisruptionBudgets: what voluntary evictions (a drain, the descheduler) must respect.
    pub pdbs: Vec<Object<PodDisruptionBudget>>,
    /// Namespaces: their labels, which an inter-pod affinity term's `namespaceSelector` reads.
    pub namespaces: Vec<Object<Namespace>>,
    pub descheduler_policies: Vec<Object<descheduler::DeschedulerPolicy>>,
    pub scheduler_configs: Vec<Object<scheduler_config::KubeSchedulerConfiguration>>,
    /// Deployments named by `applyDeployment` events: (the event's `manifest` string, object).
    /// Files named there are new versions to apply later, not part of the initial cluster.
    pub applied: Vec<(String, Object<Deployment>)>,
    /// Non-fatal findings (ignored kinds, unmodelled input demoted by --allow-unmodeled).
    pub warnings: Vec<InputError>,
    /// The files read, in order, for reports.
    pub files: Vec<PathBuf>,
    /// The one Verification was inferred by kbmc (spec::infer), not read.
    pub spec_inferred: bool,
    /// The failure scenario an inferred spec plans for, as the header says it.
    pub scenario: Option<String>,
    /// ResourceQuotas read (origin, `Kind/name`, namespace): whether each is an error or a
    /// note depends on the Deployments of its namespace, known once every file is read.
    pub quotas: Vec<(Origin, String, String)>,
    /// StatefulSets: ordered pods with stable identities and per-ordinal volume claims.
    pub statefulsets: Vec<Object<StatefulSet>>,
    /// StorageClasses: how a StatefulSet's volumeClaimTemplates are provisioned (binding mode,
    /// provisioner: whether the volume is zonal).
    pub storage_classes: Vec<Object<StorageClass>>,
    /// PriorityClasses: the priority and preemption policy of the pods that name them.
    pub priority_classes: Vec<Object<PriorityClass>>,
    /// DaemonSets: one pod per eligible node, bound by the scheduler.
    pub daemon_sets: Vec<Object<DaemonSet>>,
    /// VerticalPodAutoscalers: the recommender, updater and admission controller of their
    /// target Deployment's requests.
    pub vpas: Vec<Object<vpa::VerticalPodAutoscaler>>,
}

/// Options that change how strict loading is.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadOptions {
    /// Turn "changes behaviour but is not modelled" errors into warnings.
    pub allow_unmodeled: bool,
}

/// Kinds that exist in Kubernetes but cannot change what the modelled controllers do.
const IGNORED_KINDS: &[&str] = &[
    "Service",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Endpoints",
    "EndpointSlice",
    "Ingress",
    "IngressClass",
    "NetworkPolicy",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "ControllerRevision",
    "Event",
    "CustomResourceDefinition",
];

/// Kinds that exist in Kubernetes and would change the modelled behaviour, but are not modelled.
const UNMODELED_KINDS: &[(&str, &str)] = &[
    ("Job", "Jobs are not modelled"),
    ("CronJob", "CronJobs are not modelled"),
    ("LimitRange", "LimitRange defaulting of requests is not modelled; write requests in the Deployment"),
];

const KNOWN: &str =
    "apps/v1 Deployment, apps/v1 DaemonSet, apps/v1 ReplicaSet, v1 Pod, autoscaling/v2 HorizontalPodAutoscaler, v1 Node, v1 List, \
policy/v1 PodDisruptionBudget, v1 Namespace, apps/v1 StatefulSet, storage.k8s.io/v1 StorageClass, scheduling.k8s.io/v1 PriorityClass, descheduler/v1alpha2 DeschedulerPolicy, kubescheduler.config.k8s.io/v1 KubeSchedulerConfiguration, \
autoscaling.k8s.io/v1 VerticalPodAutoscaler, kbmc.dev/v1alpha1 Verification";

fn is_yaml_file(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json"))
}

/// Expands the given paths: files as given, directories recursively to their YAML/JSON files
/// in name order (so runs are reproducible). A directory reached again (a symlink to itself or
/// to a parent) is an error, not a second walk; so is a symlink that leads nowhere (dangling,
/// or a loop), given or met in a directory, whatever its name: it may stand for a manifest
/// or a directory of them, and reading past it would check a cluster without them.
fn expand(paths: &[PathBuf], errors: &mut Vec<InputError>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut seen_dirs = std::collections::HashSet::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(meta) if meta.is_dir() => {
                let mut found = Vec::new();
                walk(p, &mut seen_dirs, &mut found, errors);
                found.sort();
                out.extend(found);
            }
            Ok(_) => out.push(p.clone()),
            Err(e) => errors.push(InputError::file(p, InputClass::Syntax, unreadable(p, &e))),
        }
    }
    out
}

/// The YAML/JSON files under directory `root` into `found`, each directory read once.
fn walk(
    root: &Path,
    seen_dirs: &mut std::collections::HashSet<PathBuf>,
    found: &mut Vec<PathBuf>,
    errors: &mut Vec<InputError>,
) {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        match dir.canonicalize() {
            Ok(c) if !seen_dirs.insert(c.clone()) => {
                errors.push(InputError::file(
                    &dir,
                    InputClass::Syntax,
                    format!(
                        "directory {} is reached a second time (a symlink loop?); kbmc reads each directory once",
                        c.display()
                    ),
                ));
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                errors.push(InputError::file(&dir, InputClass::Syntax, format!("cannot read directory: {e}")));
                continue;
            }
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                errors.push(InputError::file(&dir, InputClass::Syntax, format!("cannot read directory: {e}")));
                continue;
            }
        };
        for e in entries {
            let path = match e {
                Ok(e) => e.path(),
                Err(e) => {
                    errors.push(InputError::file(&dir, InputClass::Syntax, format!("cannot read directory: {e}")));
                    continue;
                }
            };
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => stack.push(path),
                Ok(_) if is_yaml_file(&path) => found.push(path),
                Ok(_) => {}
                Err(e) => errors.push(InputError::file(&path, InputClass::Syntax, unreadable(&path, &e))),
            }
        }
    }
}

/// Why `path` cannot be read, as the OS says it (a name too long, no permission), and for a
/// symlink whose target cannot be reached what it is: a dangling link with its target, or a
/// loop.
fn unreadable(path: &Path, e: &std::io::Error) -> String {
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let target = || std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
    if link && link_loop(path) {
        return format!(
            "a symlink loop: following it (-> {}) comes back to a link already followed, never to a file ({e})",
            target()
        );
    }
    match e.kind() {
        std::io::ErrorKind::NotFound if link => format!("a dangling symlink: its target {} does not exist", target()),
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        _ => format!("cannot read: {e}"),
    }
}

/// Whether following the symlink `path` (its last component, link after link) comes back to
/// a link it passed, or goes on past the 40 links Linux follows (`MAXSYMLINKS`).
fn link_loop(path: &Path) -> bool {
    let mut seen = vec![path.to_path_buf()];
    let mut at = path.to_path_buf();
    while let Ok(next) = std::fs::read_link(&at) {
        at = match at.parent() {
            Some(dir) => dir.join(next),
            None => next,
        };
        if seen.contains(&at) || seen.len() > 40 {
            return true;
        }
        seen.push(at.clone());
    }
    false
}

/// Reads every path and decodes every document. All errors are collected and returned at once.
pub fn load(paths: &[PathBuf], opts: LoadOptions) -> Result<Inputs, Error> {
    let mut errors = Vec::new();
    let mut inputs = Inputs::default();
    let mut budget = limits::MAX_TOTAL_BYTES;
    for file in expand(paths, &mut errors) {
        let text = match limits::read(&file, budget) {
            Ok(t) => t,
            Err(e) => {
                errors.push(InputError::file(&file, InputClass::Syntax, e));
                continue;
            }
        };
        budget -= text.len() as u64;
        load_text(&file, &text, opts, &mut inputs, &mut errors);
        inputs.files.push(file);
    }
    if paths.is_empty() {
        return Err(Error::Usage("no input paths given".into()));
    }
    separate_applied(&mut inputs, opts, &mut errors);
    resolve_quotas(&mut inputs, opts, &mut errors);
    if errors.is_empty() {
        Ok(inputs)
    } else {
        Err(Error::Input(errors))
    }
}

/// ResourceQuotas: admission may refuse pods a quota's namespace runs out of room for, which
/// kbmc does not model. In a namespace with a modelled workload — a Deployment, or a
/// snapshot's pod kbmc reads (a Deployment's, or fixed load: terminal pods are left out) —
/// that is an error (a warning with --allow-unmodeled, and the quota is dropped); elsewhere it
/// cannot matter: a note.
fn resolve_quotas(inputs: &mut Inputs, opts: LoadOptions, errors: &mut Vec<InputError>) {
    let in_namespace = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, ns: &str| {
        m.namespace.as_deref().unwrap_or("default") == ns
    };
    for (origin, object, namespace) in std::mem::take(&mut inputs.quotas) {
        let deployments = inputs.deployments.iter().any(|d| in_namespace(&d.value.metadata, &namespace))
            || inputs.statefulsets.iter().any(|d| in_namespace(&d.value.metadata, &namespace));
        let pods = inputs.pods.iter().any(|p| {
            let phase = p.value.status.as_ref().and_then(|s| s.phase.as_deref());
            in_namespace(&p.value.metadata, &namespace) && !matches!(phase, Some("Succeeded" | "Failed"))
        });
        let what = if deployments {
            "has Deployments or StatefulSets, whose pods"
        } else {
            "has snapshot pods kbmc reads as fixed load, whose owners' new pods"
        };
        let e = |class, message: String| InputError::at(&origin, class, "kind", message).with_object(object.clone());
        if !deployments && !pods {
            inputs.warnings.push(e(
                InputClass::Note,
                format!("read past: no modelled workload runs in namespace {namespace:?}, so its quota cannot matter"),
            ));
        } else if opts.allow_unmodeled {
            inputs.warnings.push(e(
                InputClass::Unmodeled,
                format!("ResourceQuotas are not modelled; namespace {namespace:?} {what} it may refuse (ignored: --allow-unmodeled)"),
            ));
        } else {
            errors.push(e(
                InputClass::Unmodeled,
                format!("ResourceQuotas are not modelled, and namespace {namespace:?} {what} admission may refuse under it; remove it, or pass --allow-unmodeled to check as if it were not there"),
            ));
        }
    }
}

/// Moves the Deployments of files named by `applyDeployment` events out of the initial
/// cluster (loading those files when the given paths did not include them).
fn separate_applied(inputs: &mut Inputs, opts: LoadOptions, errors: &mut Vec<InputError>) {
    let [verification] = inputs.verifications.as_slice() else { return };
    let base = verification.origin.file.parent().map(Path::to_path_buf).unwrap_or_default();
    let manifests: Vec<(usize, String)> = verification
        .value
        .spec
        .events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            crate::spec::Event::ApplyDeployment { manifest, .. } => Some((i, manifest.clone())),
            _ => None,
        })
        .collect();
    for (ei, manifest) in manifests {
        let path = base.join(&manifest);
        let Ok(canon) = path.canonicalize() else {
            errors.push(InputError::at(
                &verification.origin.clone(),
                InputClass::DanglingReference,
                format!("spec.events[{ei}].manifest"),
                format!("cannot read {}: no such file", path.display()),
            ));
            continue;
        };
        let same = |o: &Origin| o.file.canonicalize().is_ok_and(|c| c == canon);
        let (moved, kept): (Vec<_>, Vec<_>) =
            std::mem::take(&mut inputs.deployments).into_iter().partition(|d| same(&d.origin));
        inputs.deployments = kept;
        if !moved.is_empty() {
            inputs.applied.extend(moved.into_iter().map(|d| (manifest.clone(), d)));
            continue;
        }
        match limits::read(&path, limits::MAX_FILE_BYTES) {
            Ok(text) => {
                let mut extra = Inputs::default();
                load_text(&path, &text, opts, &mut extra, errors);
                inputs.applied.extend(extra.deployments.into_iter().map(|d| (manifest.clone(), d)));
            }
            Err(e) => errors.push(InputError::file(&path, InputClass::Syntax, e)),
        }
    }
}

/// Decodes all documents of one file's text into `inputs`.
pub fn load_text(file: &Path, text: &str, opts: LoadOptions, inputs: &mut Inputs, errors: &mut Vec<InputError>) {
    // The YAML parser reads a byte-order mark as content and then fails on the first
    // document with a message that does not say why.
    if text.starts_with('\u{feff}') {
        errors.push(InputError::file(
            file,
            InputClass::Syntax,
            "the file starts with a UTF-8 byte-order mark (BOM, bytes EF BB BF); save it as UTF-8 without a BOM",
        ));
        return;
    }
    if let Err(e) = limits::nesting(text) {
        errors.push(InputError::file(file, InputClass::Syntax, e));
        return;
    }
    // Only a text with a core tag (`!!str 1`) needs its documents' values kept for the
    // second, tag-aware read (decode::core_tags).
    let tags = text.contains("!!");
    let lines = document_lines(text);
    // Two parsers in step: one reads each document into a value to route it, the other is
    // handed to the document's typed decode (with line numbers), so loading stays linear.
    let typed = serde_yaml::Deserializer::from_str(text);
    for (index, (de, typed)) in serde_yaml::Deserializer::from_str(text).zip(typed).enumerate() {
        let origin = Origin { line: lines.get(index).copied().unwrap_or(0), ..Origin::new(file, index + 1) };
        if index >= limits::MAX_DOCUMENTS {
            errors.push(InputError::at(
                &origin,
                InputClass::Invalid,
                "",
                format!("more than {} documents in one file; kbmc reads at most that many", limits::MAX_DOCUMENTS),
            ));
            break;
        }
        let value: serde_yaml::Value = match serde::Deserialize::deserialize(de) {
            Ok(v) => v,
            Err(e) => {
                errors.push(InputError::at(&origin, InputClass::Syntax, "", format!("not valid YAML: {e}")));
                // A syntax error ends the stream: the parser cannot find later documents.
                break;
            }
        };
        if value.is_null() {
            continue; // an empty document, e.g. a trailing `---`
        }
        let mut local = Vec::new();
        local_tags(&value, String::new(), &mut local);
        for (field, tag) in local {
            let kind = value.get("kind").and_then(|k| k.as_str()).unwrap_or("<no kind>");
            let name =
                value.get("metadata").and_then(|m| m.get("name")).and_then(|n| n.as_str()).unwrap_or("<unnamed>");
            errors.push(
                InputError::at(
                    &origin,
                    InputClass::Invalid,
                    field,
                    format!("YAML tag {tag} is not one kbmc reads (it reads YAML's core tags, such as !!str); it would take the value as if untagged, which another reader of the file may not: remove the tag"),
                )
                .with_object(format!("{kind}/{name}")),
            );
        }
        let tagged = tags.then(|| value.clone());
        // A List's items each get the line they start at (a `kubectl get -o yaml` dump is one
        // List: without this, every object of the file would point at its first line).
        let items = match value.get("kind").and_then(|k| k.as_str()) {
            Some("List") => list_item_lines(text, origin.line, lines.get(index + 1).copied()),
            _ => Vec::new(),
        };
        let doc = Document { origin, typed: Some(typed), value: None, tagged };
        route(doc, &value, opts, inputs, errors, &items);
    }
}

/// Every value under `value` that carries a tag serde_yaml does not resolve itself (a local
/// tag such as `!foo`, not a core `!!str`): (its field path, the tag). The typed decode reads
/// such a scalar as if it had no tag, so the tag would be silently ignored.
fn local_tags(value: &serde_yaml::Value, path: String, out: &mut Vec<(String, String)>) {
    use serde_yaml::Value;
    match value {
        Value::Tagged(t) => {
            out.push((path.clone(), t.tag.to_string()));
            local_tags(&t.value, path, out);
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                local_tags(v, format!("{path}[{i}]"), out);
            }
        }
        Value::Mapping(m) => {
            for (k, v) in m {
                let key = match k {
                    Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other).map_or_else(|_| "?".into(), |s| s.trim_end().to_string()),
                };
                let field = if path.is_empty() { key } else { format!("{path}.{key}") };
                if let Value::Tagged(t) = k {
                    out.push((field.clone(), t.tag.to_string()));
                }
                local_tags(v, field, out);
            }
        }
        _ => {}
    }
}

/// The 1-based line where each YAML document of `text` starts (its first line that is not
/// blank, a comment or a directive; its `---` line when it has none), in the order a YAML
/// parser yields the documents: a `---` line starts a document, and the text before the
/// first `---` is a document only when it has content.
fn document_lines(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    // The current document: whether a `---` opened it (at which line), and its first content line.
    let mut marker: Option<usize> = None;
    let mut content: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line == "---" || line.starts_with("--- ") || line.starts_with("---\t") {
            if let Some(start) = content.or(marker) {
                starts.push(start);
            }
            marker = Some(n);
            let rest = line[3..].trim();
            content = (!rest.is_empty() && !rest.starts_with('#')).then_some(n);
            continue;
        }
        let t = line.trim();
        if content.is_none() && !t.is_empty() && !t.starts_with('#') && !t.starts_with('%') {
            content = Some(n);
        }
    }
    if let Some(start) = content.or(marker) {
        starts.push(start);
    }
    starts
}

/// The 1-based lines where the items of a List document (lines `from` up to `to`) start, in
/// block style: the `- ` entries of its top-level `items:` at the first entry's indentation.
/// Empty where that reading fails (flow style): the caller then keeps the document's line.
fn list_item_lines(text: &str, from: usize, to: Option<usize>) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut in_items = false;
    let mut indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate().skip(from.saturating_sub(1)) {
        let n = i + 1;
        if to.is_some_and(|t| n >= t) {
            break;
        }
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let at = line.len() - t.len();
        if !in_items {
            in_items = at == 0 && (line.trim_end() == "items:" || line.starts_with("items: #"));
            continue;
        }
        match indent {
            None if t.starts_with("- ") || t == "-" => {
                indent = Some(at);
                starts.push(n);
            }
            Some(d) if at == d && (t.starts_with("- ") || t == "-") => starts.push(n),
            Some(d) if at > d => {}
            _ => break,
        }
    }
    starts
}

fn route(
    mut doc: Document,
    value: &serde_yaml::Value,
    opts: LoadOptions,
    inputs: &mut Inputs,
    errors: &mut Vec<InputError>,
    item_lines: &[usize],
) {
    let origin = doc.origin.clone();
    let Some(map) = value.as_mapping() else {
        errors.push(InputError::at(&origin, InputClass::Syntax, "", "expected a mapping with apiVersion and kind"));
        return;
    };
    let field = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let (Some(api_version), Some(kind)) = (field("apiVersion"), field("kind")) else {
        let missing = if field("apiVersion").is_none() { "apiVersion" } else { "kind" };
        errors.push(InputError::at(
            &origin,
            InputClass::MissingOrMistyped,
            missing,
            format!("missing or not a string; every document needs apiVersion and kind (known: {KNOWN})"),
        ));
        return;
    };
    let name =
        value.get("metadata").and_then(|m| m.get("name")).and_then(|n| n.as_str()).unwrap_or("<unnamed>").to_string();
    let object = format!("{kind}/{name}");
    let located = |mut es: Vec<InputError>| {
        for e in &mut es {
            e.object.get_or_insert_with(|| object.clone());
        }
        es
    };
    let missing = required::check(&kind, value, &origin);
    if !missing.is_empty() {
        errors.extend(located(missing));
        return;
    }
    // A Kubernetes object of its own document is typed as the API server types it (a List's
    // items already are: they are decoded from their value); kbmc's own Verification is not.
    let typed_as_json = (doc.value.is_none() && kind != "Verification").then_some(value);
    macro_rules! take {
        ($vec:expr) => {
            match decode(&mut doc, typed_as_json) {
                Ok(v) => $vec.push(Object { origin: origin.clone(), value: v }),
                Err(es) => errors.extend(located(es)),
            }
        };
    }
    match (api_version.as_str(), kind.as_str()) {
        ("apps/v1", "Deployment") => take!(inputs.deployments),
        ("apps/v1", "DaemonSet") => take!(inputs.daemon_sets),
        ("autoscaling/v2", "HorizontalPodAutoscaler") => take!(inputs.hpas),
        ("v1", "Node") => take!(inputs.nodes),
        ("v1", "Pod") => take!(inputs.pods),
        ("apps/v1", "ReplicaSet") => take!(inputs.replica_sets),
        ("policy/v1", "PodDisruptionBudget") => take!(inputs.pdbs),
        ("v1", "Namespace") => take!(inputs.namespaces),
        ("apps/v1", "StatefulSet") => take!(inputs.statefulsets),
        ("storage.k8s.io/v1", "StorageClass") => take!(inputs.storage_classes),
        ("scheduling.k8s.io/v1", "PriorityClass") => take!(inputs.priority_classes),
        ("descheduler/v1alpha2", "DeschedulerPolicy") => take!(inputs.descheduler_policies),
        ("kubescheduler.config.k8s.io/v1", "KubeSchedulerConfiguration") => take!(inputs.scheduler_configs),
        ("kbmc.dev/v1alpha1", "Verification") => take!(inputs.verifications),
        ("autoscaling.k8s.io/v1", "VerticalPodAutoscaler") => take!(inputs.vpas),
        ("v1", "List") if origin.item.is_none() => route_items(&origin, value, opts, inputs, errors, item_lines),
        // kubectl's Lists hold objects, never Lists: a nested one is read no further (so a
        // List nested deep does not recurse deep either).
        ("v1", "List") => errors.push(
            InputError::at(
                &origin,
                InputClass::Invalid,
                "kind",
                "a List inside a List's items; kbmc reads the objects of a top-level List (as `kubectl get -o yaml` prints it), not Lists nested in one: move the inner List's items into the outer List",
            )
            .with_object(object),
        ),
        ("v1", "ResourceQuota") => {
            let namespace = value
                .get("metadata")
                .and_then(|m| m.get("namespace"))
                .and_then(|n| n.as_str())
                .unwrap_or("default")
                .to_string();
            inputs.quotas.push((origin, object, namespace));
        }
        (_, k) if IGNORED_KINDS.contains(&k) => {
            log::info!("{origin}: {object}: ignored, a {k} cannot change what the modelled controllers do");
        }
        (av, k) => {
            let unmodeled =
                UNMODELED_KINDS.iter().find(|(n, _)| *n == k).map(|(_, why)| why.to_string()).or_else(|| match k {
                    "Deployment"
                    | "DaemonSet"
                    | "ReplicaSet"
                    | "Pod"
                    | "HorizontalPodAutoscaler"
                    | "Node"
                    | "PodDisruptionBudget"
                    | "Namespace"
                    | "StatefulSet"
                    | "StorageClass"
                    | "DeschedulerPolicy"
                    | "KubeSchedulerConfiguration"
                    | "VerticalPodAutoscaler"
                    | "Verification" => Some(format!("apiVersion {av} of {k} is not supported (known: {KNOWN})")),
                    _ => None,
                });
            match unmodeled {
                Some(why) => {
                    let e = InputError::at(&origin, InputClass::Unmodeled, "kind", format!("{av} {k}: {why}"))
                        .with_object(object);
                    if opts.allow_unmodeled
                        && !matches!(k, "Deployment" | "HorizontalPodAutoscaler" | "Node" | "Verification")
                    {
                        inputs.warnings.push(e);
                    } else {
                        errors.push(e);
                    }
                }
                None => errors.push(
                    InputError::at(
                        &origin,
                        InputClass::UnknownKind,
                        "kind",
                        format!("unknown kind {av} {k}; kbmc reads {KNOWN}"),
                    )
                    .with_object(object),
                ),
            }
        }
    }
}

/// The items of a top-level List, each routed as a document of its own at `items[i]`, at the
/// line it starts on where `item_lines` has every item's.
fn route_items(
    origin: &Origin,
    value: &serde_yaml::Value,
    opts: LoadOptions,
    inputs: &mut Inputs,
    errors: &mut Vec<InputError>,
    item_lines: &[usize],
) {
    let Some(items) = value.get("items").and_then(|i| i.as_sequence()) else {
        errors.push(InputError::at(origin, InputClass::MissingOrMistyped, "items", "a List needs a sequence `items`"));
        return;
    };
    if items.len() > limits::MAX_DOCUMENTS {
        errors.push(InputError::at(
            origin,
            InputClass::Invalid,
            "items",
            format!("{} items; kbmc reads at most {} objects from one List", items.len(), limits::MAX_DOCUMENTS),
        ));
        return;
    }
    let lines = if item_lines.len() == items.len() { item_lines } else { &[] };
    for (i, item) in items.iter().enumerate() {
        let mut o = origin.clone();
        o.item = Some(i);
        o.line = lines.get(i).copied().unwrap_or(origin.line);
        let d = Document { origin: o, typed: None, value: Some(item.clone()), tagged: None };
        route(d, item, opts, inputs, errors, &[]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Document start lines follow the parser's documents: a leading `---`, comments and a
    /// trailing `---` do not shift them.
    #[test]
    fn documents_start_where_their_content_starts() {
        assert_eq!(document_lines("a: 1\n---\nb: 2\n"), vec![1, 3]);
        assert_eq!(document_lines("# header\n---\n# about b\nb: 2\n---\nc: 3\n---\n"), vec![4, 6, 7]);
        assert_eq!(document_lines("--- {a: 1}\n"), vec![1]);
        assert_eq!(document_lines(""), Vec::<usize>::new());
        let text = "# two objects\napiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {allocatable: {cpu: \"1\", memory: 1Gi}}\n---\n\napiVersion: v1\nkind: Node\nmetadata: {name: n2}\nstatus: {allocatable: {cpu: \"1\", memory: 1Gi}}\n";
        let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
        load_text(Path::new("nodes.yaml"), text, LoadOptions::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let lines: Vec<usize> = inputs.nodes.iter().map(|n| n.origin.line).collect();
        assert_eq!(lines, vec![2, 8]);
    }

    /// A local YAML tag (`!foo`) anywhere in a document, on a scalar, a mapping or a
    /// sequence item, is an error naming its field; core tags (`!!str`) are read as before.
    #[test]
    fn local_tags_are_refused_with_their_field() {
        let text = "apiVersion: v1\nkind: Node\nmetadata: {name: !foo n1, labels: {a: !!str 1}}\nstatus:\n  allocatable: !bar {cpu: \"1\", memory: 1Gi}\n  conditions: [{type: Ready, status: !baz \"True\"}]\n";
        let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
        load_text(Path::new("tags.yaml"), text, LoadOptions::default(), &mut inputs, &mut errors);
        let found: Vec<&str> =
            errors.iter().filter(|e| e.message.starts_with("YAML tag !")).map(|e| e.field.as_str()).collect();
        assert_eq!(found, ["metadata.name", "status.allocatable", "status.conditions[0].status"], "{errors:?}");
        let core = "apiVersion: v1\nkind: Node\nmetadata: {name: n1, labels: {a: !!str 1}}\nstatus: {allocatable: {cpu: \"1\", memory: 1Gi}}\n";
        let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
        load_text(Path::new("core.yaml"), core, LoadOptions::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
    }

    /// A Kubernetes object in a document of its own is typed as the API server types it,
    /// as a List's items already were: a taint value written as the integer 5 is no string,
    /// and is refused at its field; quoted, or as a Quantity, a number is read as before.
    #[test]
    fn a_number_where_the_api_wants_a_string_is_refused() {
        let node = |value: &str| {
            format!("apiVersion: v1\nkind: Node\nmetadata: {{name: n1}}\nspec:\n  taints: [{{key: k, value: {value}, effect: NoSchedule}}]\nstatus: {{allocatable: {{cpu: 1, memory: 1Gi}}}}\n")
        };
        let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
        load_text(Path::new("node.yaml"), &node("5"), LoadOptions::default(), &mut inputs, &mut errors);
        let found: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(found, ["node.yaml: document 1 (Node/n1): spec.taints[0].value: invalid type: integer `5`, expected a string (the API server reads the value as JSON and refuses it too: quote it)"]);
        let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
        load_text(Path::new("node.yaml"), &node("\"5\""), LoadOptions::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            inputs.nodes[0].value.spec.as_ref().unwrap().taints.as_ref().unwrap()[0].value.as_deref(),
            Some("5")
        );
    }

    /// A List nested in a List's items (here 40 deep, in block style) is refused at the
    /// outer List's item, as a nested List, not as an unknown kind.
    #[test]
    fn a_nested_list_is_refused_as_nested() {
        let mut text = String::new();
        for depth in 0..40 {
            let pad = "  ".repeat(depth);
            let first = if depth == 0 { String::new() } else { format!("{}- ", "  ".repeat(depth - 1)) };
            text.push_str(&format!("{first}apiVersion: v1\n{pad}kind: List\n{pad}items:\n"));
        }
        text.push_str(&format!("{}- {{apiVersion: v1, kind: Namespace, metadata: {{name: a}}}}\n", "  ".repeat(39)));
        let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
        load_text(Path::new("lists.yaml"), &text, LoadOptions::default(), &mut inputs, &mut errors);
        assert_eq!(errors.len(), 1, "{errors:?}");
        let e = errors[0].to_string();
        assert!(
            e.starts_with(
                "lists.yaml: document 1, items[0] (List/<unnamed>): items[0].kind: a List inside a List's items"
            ),
            "{e}"
        );
        assert!(!e.contains("unknown kind"), "{e}");
    }

    /// A List's items (a `kubectl get -o yaml` dump) each start at their own `- ` line, also
    /// in a List after another document; a flow-style List keeps the document's line.
    #[test]
    fn list_items_start_at_their_own_lines() {
        let node = |name: &str| {
            format!("- apiVersion: v1\n  kind: Node\n  metadata:\n    name: {name}\n  status:\n    allocatable: {{cpu: \"1\", memory: 1Gi}}\n")
        };
        let text = format!(
            "apiVersion: v1\nkind: Node\nmetadata: {{name: n0}}\nstatus: {{allocatable: {{cpu: \"1\", memory: 1Gi}}}}\n---\napiVersion: v1\nitems:\n{}{}kind: List\nmetadata:\n  resourceVersion: \"\"\n",
            node("n1"),
            node("n2")
        );
        let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
        load_text(Path::new("dump.yaml"), &text, LoadOptions::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let lines: Vec<usize> = inputs.nodes.iter().map(|n| n.origin.line).collect();
        assert_eq!(lines, vec![1, 8, 14]);
        let flow = "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Node, metadata: {name: a}, status: {allocatable: {cpu: \"1\", memory: 1Gi}}}]\n";
        let (mut inputs, mut errors) = (Inputs::default(), Vec::new());
        load_text(Path::new("flow.yaml"), flow, LoadOptions::default(), &mut inputs, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(inputs.nodes[0].origin.line, 1);
    }
}
