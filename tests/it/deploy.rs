//! docs/deploy: the Kubernetes Indexed Job and the CI workflow that run a check in shards and
//! merge them parse (the Jobs through k8s-openapi's types), agree with themselves (as many
//! shards as the Job's completions and the workflow's matrix, each merged), and their
//! commands, run as written on a live fixture (paths mapped to a scratch folder), give the
//! exit code of the unsharded check. docs/cli.md walks through them.

use std::path::{Path, PathBuf};

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use serde::Deserialize;

use super::*;

const DUMP: &str = "tests/fixtures/live/bookinfo-4n2z/cluster.yaml";

/// A scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("deploy").join(name);
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Runs a shell command as a container's shell would, with the built kbmc first on PATH.
fn sh(cmd: &str, cwd: &Path, env: &[(&str, &str)]) -> Run {
    let bin = Path::new(env!("CARGO_BIN_EXE_kbmc")).parent().expect("the binary's folder");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(cwd)
        .env("PATH", path)
        .envs(env.iter().copied())
        .output()
        .expect("sh runs");
    Run {
        code: out.status.code().expect("an exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The unsharded check the deploy files run in shards, on the fixture: its exit code.
fn unsharded() -> i32 {
    let r = kbmc(&["check", "--events", "1", "--all", DUMP]);
    assert!(matches!(r.code, 0 | 1 | 3), "{}", r.stderr);
    r.code
}

/// The one container's shell command of a Job.
fn command(job: &Job) -> String {
    let spec = job.spec.as_ref().and_then(|s| s.template.spec.as_ref()).expect("a pod spec");
    assert_eq!(spec.containers.len(), 1);
    let c = &spec.containers[0];
    assert_eq!(c.command.as_deref(), Some(&["sh".to_string(), "-c".to_string()][..]));
    let args = c.args.as_ref().expect("args");
    assert_eq!(args.len(), 1, "{args:?}");
    args[0].clone()
}

#[test]
fn the_indexed_job_checks_in_shards_and_merges() {
    let deploy = root().join("docs/deploy");
    let text = std::fs::read_to_string(deploy.join("job.yaml")).expect("job.yaml");
    let mut docs = serde_yaml::Deserializer::from_str(&text);
    let pvc = PersistentVolumeClaim::deserialize(docs.next().expect("the claim")).expect("a PersistentVolumeClaim");
    let shards = Job::deserialize(docs.next().expect("the shards' Job")).expect("an Indexed Job");
    assert!(docs.next().is_none(), "job.yaml holds the claim and the shards' Job");
    let text = std::fs::read_to_string(deploy.join("merge-job.yaml")).expect("merge-job.yaml");
    let merge: Job = serde_yaml::from_str(&text).expect("the merge's Job");

    let spec = shards.spec.as_ref().expect("spec");
    assert_eq!(spec.completion_mode.as_deref(), Some("Indexed"));
    let n = spec.completions.expect("completions");
    assert_eq!(spec.parallelism, Some(n));
    let claim = pvc.metadata.name.clone().expect("a name");
    for job in [&shards, &merge] {
        let pod = job.spec.as_ref().and_then(|s| s.template.spec.as_ref()).expect("a pod spec");
        let volumes = pod.volumes.as_ref().expect("volumes");
        assert!(volumes.iter().any(|v| v.config_map.as_ref().is_some_and(|c| c.name == "kbmc-dump")));
        assert!(volumes.iter().any(|v| v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == claim)));
    }
    let check = command(&shards);
    assert!(check.contains(&format!("--shard \"$JOB_COMPLETION_INDEX/{n}\"")), "{check}");
    let merged = command(&merge);
    for i in 0..n {
        assert!(merged.contains(&format!("/reports/shard-{i}.json")), "{merged}");
    }

    // The commands as written, the volumes' paths mapped into a scratch folder.
    let dir = scratch("job");
    for sub in ["inputs", "reports"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::copy(root().join(DUMP), dir.join("inputs/cluster.yaml")).unwrap();
    let mapped = |cmd: &str| {
        cmd.replace("/inputs", &dir.join("inputs").to_string_lossy())
            .replace("/reports", &dir.join("reports").to_string_lossy())
    };
    for i in 0..n {
        let r = sh(&mapped(&check), &dir, &[("JOB_COMPLETION_INDEX", &i.to_string())]);
        assert_eq!(r.code, 0, "shard {i}: {}", r.stderr);
    }
    let r = sh(&mapped(&merged), &dir, &[]);
    assert_eq!(r.code, unsharded(), "the merge: {}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("replicasMeetExpected"), "{}", r.stdout);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_ci_workflow_checks_in_shards_and_merges() {
    let text = std::fs::read_to_string(root().join("docs/deploy/workflow.yaml")).expect("workflow.yaml");
    let w: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let jobs = &w["jobs"];
    let matrix = jobs["shard"]["strategy"]["matrix"]["index"].as_sequence().expect("a matrix of indices");
    let n = matrix.len();
    let indices: Vec<u64> = matrix.iter().map(|i| i.as_u64().expect("an index")).collect();
    assert_eq!(indices, (0..n as u64).collect::<Vec<_>>());
    assert_eq!(jobs["merge"]["needs"], "shard");
    let runs = |job: &str| -> Vec<String> {
        jobs[job]["steps"]
            .as_sequence()
            .expect("steps")
            .iter()
            .filter_map(|s| s["run"].as_str().map(str::to_string))
            .collect()
    };
    let check = runs("shard");
    assert_eq!(check.len(), 1, "{check:?}");
    assert!(check[0].contains(&format!("--shard ${{{{ matrix.index }}}}/{n}")), "{}", check[0]);

    // The steps as written, in a checkout holding the fixture as cluster/.
    let dir = scratch("workflow");
    std::fs::create_dir_all(dir.join("cluster")).unwrap();
    std::fs::copy(root().join(DUMP), dir.join("cluster/cluster.yaml")).unwrap();
    for i in 0..n {
        let r = sh(&check[0].replace("${{ matrix.index }}", &i.to_string()), &dir, &[]);
        assert_eq!(r.code, 0, "shard {i}: {}", r.stderr);
    }
    let merge = runs("merge");
    assert_eq!(merge.len(), 2, "{merge:?}");
    let sarif = sh(&merge[0], &dir, &[]);
    assert_eq!(sarif.code, 0, "the SARIF step goes on whatever the verdict: {}", sarif.stderr);
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("kbmc.sarif")).expect("kbmc.sarif")).expect("SARIF JSON");
    assert_eq!(v["version"], "2.1.0");
    let last = sh(&merge[1], &dir, &[]);
    assert_eq!(last.code, unsharded(), "{}{}", last.stdout, last.stderr);
    std::fs::remove_dir_all(&dir).ok();
}

/// docs/cli.md walks through both, and the container build they run.
#[test]
fn the_cli_page_walks_through_the_deploy_files() {
    let cli = std::fs::read_to_string(root().join("docs/cli.md")).expect("docs/cli.md");
    for f in
        ["docs/deploy/Dockerfile", "docs/deploy/job.yaml", "docs/deploy/merge-job.yaml", "docs/deploy/workflow.yaml"]
    {
        assert!(root().join(f).exists(), "{f}");
        assert!(cli.contains(f), "docs/cli.md does not name {f}");
    }
}
