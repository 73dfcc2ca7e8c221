//! Test-only: the inputs the build's unit tests share (a Deployment, a one-node pool) and
//! the calls that load and build them. Holds no test and nothing the build itself uses.

/// The build's errors for one multi-document YAML text (empty when it builds).
pub(super) fn errors(yaml: &str) -> String {
    let (mut inputs, mut errors) = (crate::manifest::Inputs::default(), Vec::new());
    let opts = crate::manifest::LoadOptions::default();
    crate::manifest::load_text(std::path::Path::new("test.yaml"), yaml, opts, &mut inputs, &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    match super::build(&inputs, super::BuildOptions::default()) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

/// A Deployment `web` of `replicas` pods, each requesting 1 cpu and `memory`.
pub(super) fn web(replicas: i64, memory: &str) -> String {
    format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: c, image: web:1, resources: {{requests: {{cpu: \"1\", memory: {memory}}}}}}}]\n---\n")
}

/// A Verification whose one pool is one node of `cpu` and `memory`.
pub(super) fn pool(cpu: &str, memory: &str) -> String {
    format!("apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nspec:\n  nodePools: [{{name: n, count: 1, capacity: {{cpu: \"{cpu}\", memory: \"{memory}\"}}}}]\n")
}

/// The model one multi-document YAML text builds (the test fails when it does not build).
pub(super) fn model_of(yaml: &str) -> crate::ir::Model {
    let (mut inputs, mut errors) = (crate::manifest::Inputs::default(), Vec::new());
    crate::manifest::load_text(std::path::Path::new("t.yaml"), yaml, Default::default(), &mut inputs, &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    super::build(&inputs, super::BuildOptions::default()).unwrap_or_else(|e| panic!("{e}")).0
}
