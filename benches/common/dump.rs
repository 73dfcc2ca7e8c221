//! A generated cluster dump of the size a real cluster gives `kubectl get -o yaml`: `nodes`
//! Node manifests (one document each, in one file) and a `kind: List` of `deployments`
//! Deployments, with a Verification that names no pools. Shared by the load bench and the
//! integration tests (through `#[path]`), so both read the same shape.

use std::path::Path;

/// Writes the dump into `dir` (created): nodes.yaml, deployments.yaml, verification.yaml.
pub fn write(dir: &Path, nodes: usize, deployments: usize) {
    std::fs::create_dir_all(dir).expect("dump directory");
    let mut n = String::new();
    for i in 0..nodes {
        n.push_str(&format!(
            "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: node-{i}\n  labels:\n    kubernetes.io/hostname: node-{i}\n    topology.kubernetes.io/zone: zone-{}\nstatus:\n  allocatable: {{cpu: \"32\", memory: 128Gi, pods: \"110\"}}\n  capacity: {{cpu: \"32\", memory: 128Gi, pods: \"110\"}}\n",
            i % 3
        ));
    }
    std::fs::write(dir.join("nodes.yaml"), n).expect("nodes.yaml");
    let mut d = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for i in 0..deployments {
        d.push_str(&format!(
            "- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {{name: app-{i}, namespace: ns-{}}}\n  spec:\n    replicas: 2\n    selector: {{matchLabels: {{app: app-{i}}}}}\n    template:\n      metadata: {{labels: {{app: app-{i}}}}}\n      spec:\n        containers:\n        - name: c\n          image: registry.example.com/app:1\n          resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}\n",
            i % 10
        ));
    }
    std::fs::write(dir.join("deployments.yaml"), d).expect("deployments.yaml");
    std::fs::write(
        dir.join("verification.yaml"),
        "apiVersion: kbmc.dev/v1alpha1\nkind: Verification\nmetadata: {name: dump}\nspec:\n  intents:\n    - type: podAlwaysSchedulable\n  bounds: {steps: 4}\n",
    )
    .expect("verification.yaml");
}
