//! The output contract, against the test cluster: every command's `-o json` is a document
//! with `apiVersion: kubectl-zk.io/v1alpha1` and a `kind`, valid against its JSON Schema in
//! `docs/schema/` (checked by `tests/support/validate_output.py` with the `jsonschema`
//! package); `leader --watch -o json` prints one document per line; `-o yaml` carries the
//! same header; and `status -o json | jq -r '.members[] | select(.mode=="leader") | .pod'`
//! prints the leader.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::cluster::Cluster;
use common::{assert_valid, plugin, stderr, stdout, which};

/// Runs `kubectl-zk ARGS… -o json`, expects one of `codes`, validates the document as `kind`.
fn valid(cluster: &Cluster, kind: &str, args: &[&str], codes: &[i32]) -> serde_json::Value {
    let mut argv = args.to_vec();
    argv.extend(["-o", "json"]);
    let out: Output = cluster.zk(&argv);
    let code = out.status.code().unwrap_or(-1);
    assert!(
        codes.contains(&code),
        "{args:?} exited {code}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert_valid(kind, &text);
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["apiVersion"], "kubectl-zk.io/v1alpha1", "{json:#}");
    assert_eq!(json["kind"], kind, "{json:#}");
    json
}

#[test]
fn every_command_prints_a_versioned_document_valid_against_its_schema() {
    let cluster = Cluster::start(4);
    let install = valid(
        &cluster,
        "InstallReport",
        &["install", "--timeout", "180s"],
        &[0],
    );
    assert_eq!(install["ready"], 3, "{install:#}");

    let status = valid(&cluster, "EnsembleStatus", &["status"], &[0]);
    let leader = status["leader"].as_str().expect("a leader").to_owned();
    let modes: Vec<&str> = status["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["mode"].as_str())
        .collect();
    assert_eq!(
        modes.iter().filter(|m| **m == "leader").count(),
        1,
        "{modes:?}"
    );
    assert!(
        modes.iter().all(|m| ["leader", "follower"].contains(m)),
        "{modes:?}"
    );

    // The jq line of the README.
    if which("jq").is_some() {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "'{}' --kubeconfig '{}' status -o json | jq -r '.members[] | select(.mode==\"leader\") | .pod'",
                plugin().display(),
                cluster.kubeconfig.display()
            ))
            .output()
            .expect("sh runs");
        assert_eq!(stdout(&out).trim(), leader, "{}", stderr(&out));
    } else {
        // The same filter without jq.
        let picked: Vec<&str> = status["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["mode"] == "leader")
            .filter_map(|m| m["pod"].as_str())
            .collect();
        assert_eq!(picked, [leader.as_str()]);
    }
    let yaml = stdout(&cluster.zk(&["status", "-o", "yaml"]));
    assert!(
        yaml.starts_with("apiVersion: kubectl-zk.io/v1alpha1\nkind: EnsembleStatus\n"),
        "{yaml}"
    );

    let all = valid(&cluster, "EnsembleStatusList", &["status", "-A"], &[0]);
    assert_eq!(all["items"][0]["leader"], leader.as_str(), "{all:#}");
    let myid = valid(&cluster, "MyidReport", &["myid"], &[0]);
    assert!(myid["members"][0]["myid"].is_u64(), "{myid:#}");
    let config = valid(&cluster, "ConfigReport", &["config"], &[0]);
    assert!(config["members"][0]["myid"].is_u64(), "{config:#}");
    let report = valid(&cluster, "Leader", &["leader"], &[0]);
    assert_eq!(report["leader"], leader.as_str());
    let node = status["members"][0]["node"]
        .as_str()
        .expect("a node")
        .to_owned();
    let drain = valid(&cluster, "DrainJudgement", &["drain-safe", &node], &[0, 1]);
    assert!(["safe", "unsafe"].contains(&drain["verdict"].as_str().unwrap_or_default()));
    valid(
        &cluster,
        "DrainJudgementList",
        &["drain-safe", "--all-nodes"],
        &[0, 1],
    );
    let persist = valid(&cluster, "PersistReport", &["persist-check"], &[0]);
    assert_eq!(persist["pass"], true, "{persist:#}");
    valid(&cluster, "Version", &["version"], &[0]);
    let plan = valid(
        &cluster,
        "ScaleReport",
        &["scale", "--replicas", "4", "--dry-run"],
        &[0],
    );
    assert_eq!(plan["dryRun"], true, "{plan:#}");

    // leader --watch -o json: one document per line, as they come.
    let mut watch = Command::new(plugin())
        .arg("--kubeconfig")
        .arg(&cluster.kubeconfig)
        .args(["leader", "--watch", "-o", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the watch starts");
    let lines: Vec<String> = BufReader::new(watch.stdout.take().expect("stdout"))
        .lines()
        .map_while(Result::ok)
        .take(3)
        .collect();
    let _ = watch.kill();
    let _ = watch.wait();
    assert_eq!(lines.len(), 3, "one line per member: {lines:?}");
    assert_valid("LeaderChange", &lines.join("\n"));

    // Last, as it changes the ensemble: the failover report.
    let failover = valid(
        &cluster,
        "Failover",
        &["leader", "--failover", "--yes"],
        &[0, 1],
    );
    assert_eq!(failover["check"]["leader"], leader.as_str(), "{failover:#}");
    cluster.wait_for("a healthy ensemble", Duration::from_secs(120), || {
        (cluster.zk(&["status"]).status.code() == Some(0)).then_some(())
    });
}
