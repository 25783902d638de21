//! `install --dry-run` renders objects that pass strict schema validation for the oldest
//! supported Kubernetes (1.25) and the newest schema kubernetes-validate bundles, for both
//! flavours; the seeds' policy/v1beta1 PodDisruptionBudget fails the same check.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{python, root, stderr, stdout, zk};

/// Runs the strict validator on a YAML stream; returns (success, report).
fn validate(yaml: &[u8]) -> (bool, String) {
    let mut child = Command::new(python())
        .arg(root().join("tests/support/validate_manifests.py"))
        .args(["1.25.0", "latest"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(yaml)
        .expect("write");
    let output = child.wait_with_output().expect("validator finishes");
    (
        output.status.success(),
        format!("{}{}", stdout(&output), stderr(&output)),
    )
}

fn render(args: &[&str]) -> Vec<u8> {
    let mut argv = vec!["install", "--dry-run", "-n", "kafka"];
    argv.extend_from_slice(args);
    let output = zk(&argv);
    assert!(output.status.success(), "{argv:?}: {}", stderr(&output));
    output.stdout
}

fn assert_valid(args: &[&str], expected_kinds: &[&str]) {
    let yaml = render(args);
    let (ok, report) = validate(&yaml);
    assert!(ok, "{args:?} does not validate:\n{report}");
    for kind in expected_kinds {
        for version in ["1.25.0", "1.37.0"] {
            assert!(
                report.contains(&format!("OK {version} {kind}")),
                "{kind} not validated for {version}:\n{report}"
            );
        }
    }
}

#[test]
fn official_flavour_validates() {
    assert_valid(
        &["-o", "yaml"],
        &[
            "ServiceAccount/zk",
            "ConfigMap/zk-config",
            "Service/zk-hs",
            "Service/zk-cs",
            "PodDisruptionBudget/zk-pdb",
            "StatefulSet/zk",
        ],
    );
}

#[test]
fn restricted_scc_validates_and_fixes_no_user() {
    let yaml = String::from_utf8(render(&["--scc", "restricted", "-o", "yaml"])).expect("utf-8");
    assert_valid(
        &["--scc", "restricted", "-o", "yaml"],
        &[
            "ServiceAccount/zk",
            "ConfigMap/zk-config",
            "Service/zk-hs",
            "Service/zk-cs",
            "PodDisruptionBudget/zk-pdb",
            "StatefulSet/zk",
        ],
    );
    assert!(!yaml.contains("runAsUser"), "{yaml}");
    assert!(!yaml.contains("fsGroup"), "{yaml}");
    assert!(yaml.contains("allowPrivilegeEscalation: false"), "{yaml}");
}

#[test]
fn tutorial_flavour_validates() {
    assert_valid(
        &[
            "--image",
            "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
            "-o",
            "yaml",
        ],
        &[
            "ServiceAccount/zk",
            "Service/zk-hs",
            "Service/zk-cs",
            "PodDisruptionBudget/zk-pdb",
            "StatefulSet/zk",
        ],
    );
}

#[test]
fn json_list_and_every_option_validate() {
    assert_valid(
        &[
            "-o",
            "json",
            "--name",
            "zk-prod",
            "--replicas",
            "5",
            "--storage-class",
            "fast",
            "--storage-size",
            "20Gi",
            "--heap",
            "1G",
            "--cpu",
            "1",
            "--memory",
            "2Gi",
            "--anti-affinity",
            "preferred",
            "--metrics",
            "--tick-time",
            "3000",
            "--init-limit",
            "20",
            "--sync-limit",
            "10",
            "--max-client-cnxns",
            "0",
            "--snap-retain-count",
            "5",
            "--purge-interval",
            "1",
            "--min-session-timeout",
            "6000",
            "--max-session-timeout",
            "60000",
            "--log-level",
            "WARN",
            "--pod-management-policy",
            "OrderedReady",
        ],
        &["StatefulSet/zk-prod", "PodDisruptionBudget/zk-prod-pdb"],
    );
    assert_valid(
        &["--anti-affinity", "none", "--flavor", "k8s-tutorial"],
        &["StatefulSet/zk"],
    );
}

#[test]
fn seeds_v1beta1_pdb_fails_the_same_check() {
    let seed =
        std::fs::read(root().join("tests/fixtures/seeds/zookeeper.yaml")).expect("seed manifest");
    let (ok, report) = validate(&seed);
    assert!(!ok, "the seeds' policy/v1beta1 PDB must fail:\n{report}");
    assert!(
        report.contains("FAIL 1.25.0 PodDisruptionBudget/zk-pdb"),
        "{report}"
    );
    let fixed = std::fs::read(root().join("tests/fixtures/seeds/zookeeper-pdb-v1.yaml"))
        .expect("fixed seed");
    let (ok, report) = validate(&fixed);
    assert!(
        ok,
        "with policy/v1 the seeds' manifest validates:\n{report}"
    );
}

#[test]
fn tutorial_flavour_runs_the_seeds_start_command() {
    let yaml = String::from_utf8(render(&["--flavor", "k8s-tutorial"])).expect("utf-8");
    for flag in [
        "--servers=3",
        "--data_dir=/var/lib/zookeeper/data",
        "--conf_dir=/opt/zookeeper/conf",
        "--heap=512M",
        "--log_level=INFO",
    ] {
        assert!(yaml.contains(flag), "{flag} missing");
    }
    assert!(yaml.contains("registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10"));
    assert!(yaml.contains("podManagementPolicy: OrderedReady"));
    assert!(yaml.contains("zookeeper-ready 2181"));
    assert!(!yaml.contains("kind: ConfigMap"));
}
