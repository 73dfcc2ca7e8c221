//! Namespace objects' labels, as an inter-pod affinity term's `namespaceSelector` reads them,
//! and the evaluation of such a selector against one namespace. Owns what kbmc knows of a
//! namespace's labels: those of its v1 Namespace manifest, and, for every namespace, the label
//! `kubernetes.io/metadata.name: <name>` the API server sets. It must not guess the labels of a
//! namespace whose manifest is not among the inputs: a selector whose outcome depends on them
//! is the caller's to refuse.
//!
//! Upstream: kubernetes `pkg/apis/core/v1/defaults.go` (`SetDefaults_Namespace`) sets
//! `kubernetes.io/metadata.name` (`v1.LabelMetadataName`) to the namespace's name on every
//! Namespace with a name, over any value the manifest gives; the scheduler reads namespace
//! labels from its Namespace lister (`pkg/scheduler/framework/plugins/interpodaffinity/plugin.go`,
//! `mergeAffinityTermNamespacesIfNotEmpty`, `GetNamespaceLabelsSnapshot`).

use std::collections::BTreeMap;

use super::diag::Diag;
use super::labels::{all_match, Requirement};
use crate::error::{InputClass, InputError};
use crate::manifest::Inputs;

/// The label the API server gives every namespace: its name.
pub(super) const METADATA_NAME: &str = "kubernetes.io/metadata.name";

/// The labels of the namespaces given as v1 Namespace manifests, by name.
#[derive(Clone, Debug, Default)]
pub(super) struct NamespaceLabels {
    known: BTreeMap<String, Vec<(String, String)>>,
}

/// A selector's outcome on one namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Selected {
    Yes,
    No,
    /// The namespace has no manifest and the outcome depends on its label with this key.
    Unknown(String),
}

impl NamespaceLabels {
    /// Reads the Namespace manifests; a second manifest of one name is an error, a terminating
    /// Namespace unmodelled.
    pub fn read(inputs: &Inputs, diag: &mut Diag) -> NamespaceLabels {
        let mut known = BTreeMap::new();
        for (i, o) in inputs.namespaces.iter().enumerate() {
            let name = o.value.metadata.name.clone().unwrap_or_default();
            if let Some(first) = inputs.namespaces[..i].iter().find(|p| p.value.metadata.name.as_deref() == Some(&name))
            {
                diag.error(
                    InputError::at(
                        &o.origin,
                        InputClass::Invalid,
                        "metadata.name",
                        format!("a second Namespace named {name:?}; the first is in {}", first.origin),
                    )
                    .with_object(format!("Namespace/{name}")),
                );
                continue;
            }
            // NamespaceLifecycle admission refuses new pods in a terminating namespace.
            let phase = o.value.status.as_ref().and_then(|st| st.phase.as_deref());
            let terminating = if o.value.metadata.deletion_timestamp.is_some() {
                Some("metadata.deletionTimestamp")
            } else {
                (phase == Some("Terminating")).then_some("status.phase")
            };
            if let Some(field) = terminating {
                diag.unmodeled(
                    InputError::at(
                        &o.origin,
                        InputClass::Unmodeled,
                        field,
                        "a terminating namespace, where admission refuses new pods, is not modelled",
                    )
                    .with_object(format!("Namespace/{name}")),
                );
            }
            let labels = o.value.metadata.labels.iter().flatten().map(|(k, v)| (k.clone(), v.clone()));
            known.insert(name.clone(), labels_of(&name, labels));
        }
        NamespaceLabels { known }
    }

    /// From (name, labels) pairs, as if read from manifests.
    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &[(&str, &str)])]) -> NamespaceLabels {
        let known = pairs
            .iter()
            .map(|(n, ls)| (n.to_string(), labels_of(n, ls.iter().map(|(k, v)| (k.to_string(), v.to_string())))))
            .collect();
        NamespaceLabels { known }
    }

    /// Whether selector `sel` selects namespace `ns`. Without a manifest for `ns` only its
    /// name label is known: the outcome is `Unknown` when a requirement on another key decides
    /// it (no requirement on the name label already fails).
    pub fn selects(&self, sel: &[Requirement], ns: &str) -> Selected {
        let yes_no = |b: bool| if b { Selected::Yes } else { Selected::No };
        if let Some(labels) = self.known.get(ns) {
            return yes_no(all_match(sel, |k| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str())));
        }
        let name_only = |k: &str| (k == METADATA_NAME).then_some(ns);
        let (on_name, others): (Vec<&Requirement>, Vec<&Requirement>) =
            sel.iter().partition(|r| r.key == METADATA_NAME);
        if !on_name.iter().all(|r| r.matches(name_only)) {
            return Selected::No;
        }
        match others.first() {
            Some(r) => Selected::Unknown(r.key.clone()),
            None => Selected::Yes,
        }
    }
}

/// A namespace's labels: its manifest's, with `kubernetes.io/metadata.name` set to its name.
fn labels_of(name: &str, labels: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = labels.filter(|(k, _)| k != METADATA_NAME).collect();
    out.push((METADATA_NAME.to_string(), name.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::super::labels::Op;
    use super::*;

    fn req(key: &str, op: Op, values: &[&str]) -> Requirement {
        Requirement { key: key.into(), op, values: values.iter().map(|v| v.to_string()).collect() }
    }

    /// Upstream's test namespaces (interpodaffinity scoring_test.go `namespaces`): two teams
    /// of two subteams, labelled `team`.
    fn teams() -> NamespaceLabels {
        NamespaceLabels::from_pairs(&[
            ("subteam1.team1", &[("team", "team1")]),
            ("subteam2.team1", &[("team", "team1")]),
            ("subteam1.team2", &[("team", "team2")]),
            ("subteam2.team2", &[("team", "team2")]),
        ])
    }

    #[test]
    fn a_selector_matches_a_manifest_labels() {
        let ns = teams();
        let team1 = [req("team", Op::In, &["team1"])];
        assert_eq!(ns.selects(&team1, "subteam1.team1"), Selected::Yes);
        assert_eq!(ns.selects(&team1, "subteam2.team1"), Selected::Yes);
        assert_eq!(ns.selects(&team1, "subteam1.team2"), Selected::No);
        let not_team1 = [req("team", Op::NotIn, &["team1"])];
        assert_eq!(ns.selects(&not_team1, "subteam2.team2"), Selected::Yes);
        assert_eq!(ns.selects(&[req("team", Op::DoesNotExist, &[])], "subteam2.team2"), Selected::No);
        // Requirements are ANDed; the empty selector selects every namespace with a manifest.
        let both = [req("team", Op::In, &["team1"]), req(METADATA_NAME, Op::In, &["subteam2.team1"])];
        assert_eq!(ns.selects(&both, "subteam1.team1"), Selected::No);
        assert_eq!(ns.selects(&both, "subteam2.team1"), Selected::Yes);
        assert_eq!(ns.selects(&[], "subteam1.team2"), Selected::Yes);
    }

    /// Every namespace carries `kubernetes.io/metadata.name: <name>`, with or without a
    /// manifest, and a manifest cannot give it another value.
    #[test]
    fn the_name_label_is_automatic() {
        let ns = NamespaceLabels::from_pairs(&[("shop", &[(METADATA_NAME, "other"), ("tier", "web")])]);
        let shop = [req(METADATA_NAME, Op::In, &["shop"])];
        assert_eq!(ns.selects(&shop, "shop"), Selected::Yes);
        assert_eq!(ns.selects(&[req(METADATA_NAME, Op::In, &["other"])], "shop"), Selected::No);
        // Without a manifest: the name label alone decides.
        assert_eq!(ns.selects(&shop, "default"), Selected::No);
        assert_eq!(ns.selects(&[req(METADATA_NAME, Op::In, &["default"])], "default"), Selected::Yes);
        assert_eq!(ns.selects(&[req(METADATA_NAME, Op::NotIn, &["shop"])], "default"), Selected::Yes);
        assert_eq!(ns.selects(&[req(METADATA_NAME, Op::Exists, &[])], "default"), Selected::Yes);
        assert_eq!(ns.selects(&[], "default"), Selected::Yes);
    }

    /// Without a manifest, a requirement on another key makes the outcome unknown, unless a
    /// requirement on the name label already fails.
    #[test]
    fn other_labels_of_a_namespace_without_manifest_are_unknown() {
        let ns = teams();
        let team1 = [req("team", Op::In, &["team1"])];
        assert_eq!(ns.selects(&team1, "default"), Selected::Unknown("team".into()));
        assert_eq!(ns.selects(&[req("team", Op::DoesNotExist, &[])], "default"), Selected::Unknown("team".into()));
        let named = [req(METADATA_NAME, Op::In, &["shop"]), req("team", Op::In, &["team1"])];
        assert_eq!(ns.selects(&named, "default"), Selected::No);
        assert_eq!(ns.selects(&named, "shop"), Selected::Unknown("team".into()));
    }
}
