//! Acceptance tests of the API server with the real kubectl: discovery, CRUD and errors, watch,
//! tables, server-side apply, the policy/v1beta1 refusal, authentication and the request log.

mod common;

use common::{TestCluster, rows, wait_for};

const BB: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: zk-hs
  labels: {app: zk}
spec:
  clusterIP: None
  selector: {app: zk}
  ports: [{port: 2888, name: server}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: zk-pdb
spec:
  selector:
    matchLabels: {app: zk}
  maxUnavailable: 1
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: zk-config
data:
  a: "1"
"#;

#[test]
fn nodes_version_discovery() {
    let c = TestCluster::start_builtin();
    for v in ["1.33", "1.30"] {
        let out = c.kubectl_v(v, &["get", "nodes"]);
        assert!(out.ok, "{out:?}");
        let r = rows(&out.stdout);
        assert_eq!(r.len(), 4, "{}", out.stdout);
        for (i, row) in r.iter().enumerate() {
            assert_eq!(row["NAME"], format!("node-{}", i + 1));
            assert_eq!(row["STATUS"], "Ready");
        }
        let ver = c.kubectl_v(v, &["version"]);
        assert!(ver.stdout.contains("Server Version: v1.33.0"), "{ver:?}");
    }
    let res = c.k(&["api-resources"]);
    for want in [
        "statefulsets",
        "poddisruptionbudgets",
        "persistentvolumeclaims",
        "storageclasses",
        "clusterrolebindings",
    ] {
        assert!(res.contains(want), "api-resources lacks {want}: {res}");
    }
    assert!(!c.k(&["api-versions"]).contains("policy/v1beta1"));
    let wide = rows(&c.k(&["get", "nodes", "-o", "wide"]));
    assert!(wide[0]["INTERNAL-IP"].starts_with("10.213."), "{wide:?}");
    assert_eq!(
        c.k(&[
            "get",
            "node",
            "node-2",
            "-o",
            "jsonpath={.metadata.labels.kubernetes\\.io/hostname}"
        ]),
        "node-2"
    );
}

#[test]
fn crud_errors_and_tables() {
    let c = TestCluster::start_builtin();
    let f = c.file("m.yaml", BB);
    let out = c.k(&["create", "-f", &f]);
    assert!(
        out.contains("service/zk-hs created")
            && out.contains("poddisruptionbudget.policy/zk-pdb created")
            && out.contains("configmap/zk-config created"),
        "{out}"
    );
    // AlreadyExists
    let again = c.kubectl(&["create", "-f", &f]);
    assert!(!again.ok);
    assert!(
        again
            .stderr
            .contains(r#"Error from server (AlreadyExists): error when creating "#)
            && again.stderr.contains(r#"services "zk-hs" already exists"#),
        "{again:?}"
    );
    let sts = c.file("sts.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: zk}\nspec:\n  replicas: 0\n  serviceName: zk-hs\n  selector: {matchLabels: {app: zk}}\n  template:\n    metadata: {labels: {app: zk}}\n    spec:\n      containers: [{name: c, image: busybox}]\n");
    c.k(&["create", "-f", &sts]);
    let dup = c.kubectl(&["create", "-f", &sts]);
    assert!(
        dup.stderr
            .contains(r#"statefulsets.apps "zk" already exists"#),
        "{dup:?}"
    );
    // NotFound
    let nf = c.kubectl(&["get", "pod", "zk-5"]);
    assert_eq!(
        nf.stderr.trim(),
        r#"Error from server (NotFound): pods "zk-5" not found"#
    );
    let nf2 = c.kubectl(&["get", "sts", "nope"]);
    assert_eq!(
        nf2.stderr.trim(),
        r#"Error from server (NotFound): statefulsets.apps "nope" not found"#
    );
    // Invalid
    let bad = c.file(
        "bad.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: []}\n",
    );
    let inv = c.kubectl(&["create", "-f", &bad]);
    assert!(
        inv.stderr
            .contains(r#"The Pod "bad" is invalid: spec.containers: Required value"#),
        "{inv:?}"
    );
    // Conflict on a stale resourceVersion
    let cm = c.k(&["get", "cm", "zk-config", "-o", "yaml"]);
    c.k(&["label", "cm", "zk-config", "x=y"]);
    let stale = c.file("stale.yaml", &cm);
    let conflict = c.kubectl(&["replace", "-f", &stale]);
    assert!(
        conflict.stderr.contains(r#"Operation cannot be fulfilled on configmaps "zk-config": the object has been modified; please apply your changes to the latest version and try again"#),
        "{conflict:?}"
    );
    // label selectors, set-based too
    c.k(&["label", "cm", "zk-config", "tier=db"]);
    assert!(
        c.k(&["get", "cm", "-l", "tier in (db,web)", "-o", "name"])
            .contains("configmap/zk-config")
    );
    assert!(
        !c.k(&["get", "cm", "-l", "tier notin (db)", "-o", "name"])
            .contains("zk-config")
    );
    assert!(
        c.k(&[
            "get",
            "cm",
            "--field-selector",
            "metadata.name=zk-config",
            "-o",
            "name"
        ])
        .contains("zk-config")
    );
    // scale subresource and strategic merge patch
    c.k(&["scale", "sts", "zk", "--replicas", "0"]);
    c.k(&[
        "patch",
        "sts",
        "zk",
        "-p",
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox:1.36"}]}}}}"#,
    ]);
    assert_eq!(
        c.k(&[
            "get",
            "sts",
            "zk",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}"
        ]),
        "busybox:1.36"
    );
    c.k(&[
        "patch",
        "cm",
        "zk-config",
        "--type",
        "json",
        "-p",
        r#"[{"op":"add","path":"/data/b","value":"2"}]"#,
    ]);
    c.k(&[
        "patch",
        "cm",
        "zk-config",
        "--type",
        "merge",
        "-p",
        r#"{"data":{"c":"3"}}"#,
    ]);
    assert_eq!(
        c.k(&["get", "cm", "zk-config", "-o", "jsonpath={.data}"]),
        r#"{"a":"1","b":"2","c":"3"}"#
    );
    // tables with kubectl's usual columns
    let pdb = c.k(&["get", "pdb"]);
    assert!(
        pdb.starts_with("NAME     MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE"),
        "{pdb}"
    );
    let svc = rows(&c.k(&["get", "svc", "zk-hs"]));
    assert_eq!(svc[0]["CLUSTER-IP"], "None");
    assert_eq!(svc[0]["PORT(S)"], "2888/TCP");
    let sc = c.k(&["get", "sc"]);
    assert!(
        sc.contains("standard (default)") && sc.contains("VOLUMEBINDINGMODE"),
        "{sc}"
    );
    let cmt = rows(&c.k(&["get", "cm", "zk-config"]));
    assert_eq!(cmt[0]["DATA"], "3");
    assert!(c.k(&["get", "sts"]).starts_with("NAME   READY   AGE"));
    let pvc = c.file("pvc.yaml", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: lonely}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: missing\n  resources: {requests: {storage: 1Gi}}\n");
    c.k(&["create", "-f", &pvc]);
    let p = wait_for(10, "the pvc event", || {
        let ev = c.k(&["get", "events"]);
        ev.contains("ProvisioningFailed").then_some(ev)
    });
    assert!(
        p.starts_with("LAST SEEN   TYPE      REASON")
            && p.contains(r#"storageclass.storage.k8s.io "missing" not found"#),
        "{p}"
    );
    let pvct = rows(&c.k(&["get", "pvc"]));
    assert_eq!(pvct[0]["STATUS"], "Pending");
    assert!(
        c.k(&["get", "pvc"])
            .starts_with("NAME     STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS")
    );
    // delete
    assert!(
        c.k(&["delete", "cm", "zk-config"])
            .contains(r#"configmap "zk-config" deleted"#)
    );
    let gone = c.kubectl(&["delete", "cm", "zk-config"]);
    assert!(gone.stderr.contains(r#"configmaps "zk-config" not found"#));
    // namespaces
    c.k(&["create", "namespace", "other"]);
    c.k(&[
        "-n",
        "other",
        "create",
        "configmap",
        "x",
        "--from-literal",
        "a=b",
    ]);
    wait_for(10, "default service account", || {
        c.kubectl(&["-n", "other", "get", "sa", "default"])
            .ok
            .then_some(())
    });
    c.k(&["delete", "namespace", "other"]);
    wait_for(20, "namespace gone", || {
        (!c.kubectl(&["get", "ns", "other"]).ok).then_some(())
    });
}

#[test]
fn watch_streams_and_expires() {
    let c = TestCluster::start_builtin();
    let mut child = std::process::Command::new(common::kubectl_dir().join("kubectl.1.33"))
        .arg("--kubeconfig")
        .arg(&c.kubeconfig)
        .args(["get", "configmaps", "-w", "--output-watch-events"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl watch");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for l in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(l);
        }
    });
    let mut lines = Vec::new();
    let next = |what: &str| -> String {
        loop {
            let l = rx
                .recv_timeout(std::time::Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("no watch line for {what}"));
            if !l.starts_with("EVENT") {
                return l;
            }
        }
    };
    c.k(&["create", "configmap", "w1", "--from-literal", "a=b"]);
    lines.push(next("w1 added"));
    c.k(&["create", "configmap", "w2"]);
    lines.push(next("w2 added"));
    c.k(&["delete", "configmap", "w1"]);
    lines.push(next("w1 deleted"));
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        lines[0].starts_with("ADDED") && lines[0].contains("w1"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("ADDED") && lines[1].contains("w2"),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("DELETED") && lines[2].contains("w1"),
        "{lines:?}"
    );
    // resuming from a resourceVersion older than the history: 410 Expired in an ERROR event
    let raw = c.k(&[
        "get",
        "--raw",
        "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=5&timeoutSeconds=2",
    ]);
    let ev: serde_json::Value =
        serde_json::from_str(raw.lines().next().unwrap_or("{}")).expect("watch event json");
    assert_eq!(ev["type"], "ERROR");
    assert_eq!(ev["object"]["code"], 410);
    assert_eq!(ev["object"]["reason"], "Expired");
    assert!(
        ev["object"]["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("too old resource version: 5 ("),
        "{raw}"
    );
    // resuming from a recent one replays what came after it
    let rv = c.k(&[
        "get",
        "configmap",
        "w2",
        "-o",
        "jsonpath={.metadata.resourceVersion}",
    ]);
    c.k(&["label", "configmap", "w2", "x=1"]);
    let raw = c.k(&[
        "get",
        "--raw",
        &format!(
            "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=1"
        ),
    ]);
    let events: Vec<serde_json::Value> = raw
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "DELETED" && e["object"]["metadata"]["name"] == "w1"),
        "{raw}"
    );
    let last = events.last().expect("events after the resourceVersion");
    assert_eq!(last["type"], "MODIFIED");
    assert_eq!(last["object"]["metadata"]["labels"]["x"], "1");
}

#[test]
fn server_side_apply_pdb_v1beta1_and_auth() {
    let c = TestCluster::start_builtin();
    let f = c.file("m.yaml", BB);
    let first = c.k(&["apply", "--server-side", "-f", &f]);
    assert!(
        first.contains("service/zk-hs serverside-applied"),
        "{first}"
    );
    let rv1 = c.k(&[
        "get",
        "svc,pdb,cm",
        "-o",
        "jsonpath={.items[*].metadata.resourceVersion}",
    ]);
    let second = c.k(&["apply", "--server-side", "-f", &f]);
    assert!(
        second.contains("service/zk-hs serverside-applied"),
        "{second}"
    );
    let rv2 = c.k(&[
        "get",
        "svc,pdb,cm",
        "-o",
        "jsonpath={.items[*].metadata.resourceVersion}",
    ]);
    assert_eq!(rv1, rv2, "a second identical apply changes nothing");
    // a changed apply drops what the manager no longer applies
    let changed = BB.replace("  a: \"1\"\n", "  b: \"2\"\n");
    let f2 = c.file("m2.yaml", &changed);
    c.k(&["apply", "--server-side", "-f", &f2]);
    assert_eq!(
        c.k(&["get", "cm", "zk-config", "-o", "jsonpath={.data}"]),
        r#"{"b":"2"}"#
    );
    // client-side apply works too
    let diff = c.kubectl(&["apply", "-f", &f2]);
    assert!(diff.ok, "{diff:?}");
    // policy/v1beta1 is not served, as in Kubernetes >= 1.25
    let old = c.file(
        "old.yaml",
        &BB.replace("policy/v1", "policy/v1beta1")
            .replace("name: zk-pdb", "name: zk-pdb2"),
    );
    for v in ["1.33", "1.30"] {
        let r = c.kubectl_v(v, &["create", "-f", &old]);
        assert!(!r.ok);
        assert!(
            r.stderr
                .contains(r#"resource mapping not found for name: "zk-pdb2" namespace: "" from ""#)
                && r.stderr.contains(
                    r#"no matches for kind "PodDisruptionBudget" in version "policy/v1beta1""#
                )
                && r.stderr.contains("ensure CRDs are installed first"),
            "{r:?}"
        );
    }
    // a wrong token is 401
    let bad = c.kubectl(&["--token", "wrong", "get", "pods"]);
    assert!(!bad.ok);
    assert!(
        bad.stderr
            .contains("error: You must be logged in to the server (Unauthorized)"),
        "{bad:?}"
    );
    let body = c.kubectl(&["--token", "wrong", "get", "--raw", "/api/v1/pods"]);
    assert!(body.stderr.contains("Unauthorized"), "{body:?}");
    // the request log names user, verb, path, status
    let log = std::fs::read_to_string(c.state_dir.join("requests.log")).expect("request log");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["status"] == 401 && l["user"] == "system:anonymous")
    );
    assert!(lines.iter().any(|l| {
        l["verb"] == "patch"
            && l["path"]
                .as_str()
                .unwrap_or("")
                .starts_with("/api/v1/namespaces/default/configmaps/zk-config")
            && l["status"] == 200
    }));
    assert!(
        lines
            .iter()
            .all(|l| l.get("time").is_some() && l.get("durationMs").is_some())
    );
}
