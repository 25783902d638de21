//! `config` against the test cluster, both flavours: the zoo.cfg and myid it shows are what
//! `kubectl exec … cat` shows, the tutorial image's misspelled key is flagged, and a myid
//! edited by hand is flagged with exit code 1.

mod common;

use std::time::Duration;

use common::cluster::Cluster;
use common::{stderr, stdout};
use serde_json::Value;

fn config_json(cluster: &Cluster, args: &[&str]) -> (Value, Option<i32>) {
    cluster.zk_json("config", args)
}

fn cat(cluster: &Cluster, ns: &str, pod: &str, path: &str) -> String {
    cluster.k(&["exec", "-n", ns, pod, "--", "cat", path])
}

fn checks(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["check"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Every member's zoo.cfg and myid in the report are byte for byte what `cat` prints; where
/// zoo.cfg names a dynamic config file (ZooKeeper 3.5+), the membership follows it, as
/// `# membership, from <file>:` and the file's bytes.
fn assert_members_match_exec(cluster: &Cluster, ns: &str, report: &Value, cfg_path: &str) {
    assert_eq!(report["path"], cfg_path, "{report:#}");
    let members = report["members"].as_array().expect("members");
    assert_eq!(members.len(), 3, "{report:#}");
    for member in members {
        let pod = member["pod"].as_str().expect("pod");
        let mut expected = cat(cluster, ns, pod, cfg_path);
        let dynamic = expected
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("dynamicConfigFile="))
            .map(str::to_owned);
        if let Some(dynamic) = dynamic {
            if !expected.ends_with('\n') {
                expected.push('\n');
            }
            expected.push_str(&format!("# membership, from {dynamic}:\n"));
            expected.push_str(&cat(cluster, ns, pod, &dynamic));
        }
        assert_eq!(
            member["zooCfg"].as_str(),
            Some(expected.as_str()),
            "{pod}'s zoo.cfg"
        );
        let myid_path = member["myidPath"].as_str().expect("myid path");
        assert_eq!(
            member["myidFile"].as_str(),
            Some(cat(cluster, ns, pod, myid_path).as_str()),
            "{pod}'s myid"
        );
    }
}

#[test]
fn config_shows_live_files_and_flags_mistakes_in_both_flavours() {
    let cluster = Cluster::start(4);

    // Official flavour: the live zoo.cfg on the volume, made from the ConfigMap at /conf (the
    // static settings, and the membership ZooKeeper keeps in a dynamic file it rewrites).
    let out = cluster.zk(&["install", "--timeout", "180s"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let (report, code) = config_json(&cluster, &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["identical"], true);
    assert_eq!(report["source"]["kind"], "config-map");
    assert_eq!(report["source"]["name"], "ConfigMap zk-config, key zoo.cfg");
    assert_eq!(report["sourceDifferences"], Value::Array(vec![]));
    assert_members_match_exec(&cluster, "default", &report, "/data/conf/zoo.cfg");
    assert_eq!(report["members"][1]["myidPath"], "/data/myid");
    assert_eq!(report["members"][1]["myid"].as_u64(), Some(2));
    let source = report["source"]["zooCfg"].as_str().expect("source text");
    assert!(
        source.contains("# membership, from ConfigMap zk-config, key zoo.cfg.dynamic:\n"),
        "{source}"
    );
    let server_lines = |text: &str| -> Vec<String> {
        let mut lines: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("server."))
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    };
    for member in report["members"].as_array().expect("members") {
        let live = member["zooCfg"].as_str().expect("live text");
        assert_eq!(
            server_lines(live),
            server_lines(source),
            "the members run the ConfigMap's membership"
        );
    }

    let out = cluster.zk(&["config"]);
    let table = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{table}{}", stderr(&out));
    assert!(table.contains("identical on all 3 members"), "{table}");
    assert!(
        table.contains("Differences from the source: none"),
        "{table}"
    );

    // A myid edited by hand.
    cluster.k(&["exec", "zk-1", "--", "sh", "-c", "echo 7 > /data/myid"]);
    let (report, code) = config_json(&cluster, &[]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(report["ok"], false);
    let myid = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["check"] == "myid")
        .unwrap_or_else(|| panic!("no myid finding: {report:#}"));
    assert_eq!(myid["severity"], "error");
    assert_eq!(myid["members"], serde_json::json!(["zk-1"]));
    let message = myid["message"].as_str().unwrap_or_default();
    assert!(message.contains("/data/myid holds 7"), "{message}");
    assert!(
        myid["fix"]
            .as_str()
            .unwrap_or_default()
            .contains("echo 2 > /data/myid"),
        "{myid}"
    );
    assert_eq!(report["members"][1]["myid"], 7);
    let out = cluster.zk(&["config"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("ERROR [myid] zk-1:"),
        "{}",
        stdout(&out)
    );
    cluster.k(&["exec", "zk-1", "--", "sh", "-c", "echo 2 > /data/myid"]);
    let (_, code) = config_json(&cluster, &[]);
    assert_eq!(code, Some(0), "restored");

    // The seeds' image: zoo.cfg written by start-zookeeper from its flags.
    let out = cluster.zk(&[
        "install",
        "--image",
        "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
        "-n",
        "seed",
        "--create-namespace",
        "--timeout",
        "180s",
    ]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let (report, code) = cluster.wait_for(
        "the tutorial flavour's members to be readable",
        Duration::from_secs(60),
        || {
            let (report, code) = config_json(&cluster, &["-n", "seed"]);
            (!checks(&report).iter().any(|c| c == "unreadable")).then_some((report, code))
        },
    );
    assert_members_match_exec(&cluster, "seed", &report, "/opt/zookeeper/conf/zoo.cfg");
    assert_eq!(
        report["members"][0]["myidPath"],
        "/var/lib/zookeeper/data/myid"
    );
    assert_eq!(report["source"]["kind"], "start-flags");
    // The zoo.cfg rendered from the flags is exactly what the image's script wrote.
    assert_eq!(
        report["source"]["zooCfg"], report["members"][0]["zooCfg"],
        "{report:#}"
    );
    assert_eq!(report["sourceDifferences"], Value::Array(vec![]));
    let misspelled = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["check"] == "misspelled-key")
        .unwrap_or_else(|| panic!("misspelling not flagged: {report:#}"));
    assert_eq!(misspelled["severity"], "warning");
    assert!(
        misspelled["message"]
            .as_str()
            .unwrap_or_default()
            .contains("`autopurge.purgeInteval`"),
        "{misspelled}"
    );
    assert_eq!(
        misspelled["members"],
        serde_json::json!(["zk-0", "zk-1", "zk-2"])
    );
    assert_eq!(
        code,
        Some(0),
        "a warning alone is not a failure: {report:#}"
    );

    // Through the real kubectl.
    let out = cluster.kubectl(&["zk", "config", "-n", "seed"]);
    let table = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{table}{}", stderr(&out));
    assert!(
        table.contains("#This file was autogenerated DO NOT EDIT"),
        "{table}"
    );
    assert!(table.contains("WARNING [misspelled-key]"), "{table}");
    let yaml = stdout(&cluster.kubectl(&["zk", "config", "-n", "seed", "-o", "yaml"]));
    assert!(yaml.contains("kind: start-flags"), "{yaml}");
}
