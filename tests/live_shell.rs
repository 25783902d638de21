//! `kubectl zk cli` against real ZooKeeper, judged by an independent client (kazoo): the seeds'
//! create-on-one-member, read-on-another check as two commands; what `cli` writes kazoo reads and
//! what kazoo writes `cli` reads (a sequential and an ephemeral znode included); ZooKeeper's
//! refusals exit 1 with its reason, bad syntax exits 2 with the usage; an interactive session in
//! a pseudo-terminal (tmux) lists, completes a path, gets, holds an ephemeral znode while it
//! lives, and quits. And `logs`: the members' logs merged in time order, and `logs -f` started
//! before a member is deleted shows its replacement's lines without being restarted, then ends
//! cleanly on Ctrl-C.

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::cluster::Cluster;
use common::{assert_exit, assert_valid, plugin, python, stderr, stdout};
use serde_json::Value;

/// kazoo at one member's pod address: runs `ops` (one JSON list of [op, path, data]) and prints
/// one JSON object of results; with `hold`, keeps its session (and its ephemeral znodes) until a
/// line arrives on stdin.
const KAZOO: &str = r#"
import json, sys
from kazoo.client import KazooClient
address, ops, hold = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "hold"
zk = KazooClient(hosts=address, timeout=10)
zk.start(timeout=20)
out = {}
for op, path, data in ops:
    if op == "get":
        out[path] = zk.get(path)[0].decode() if zk.exists(path) else None
    elif op == "create":
        out[path] = zk.create(path, data.encode(), makepath=True)
    elif op == "create-seq":
        out[path] = zk.create(path, data.encode(), sequence=True)
    elif op == "create-eph":
        out[path] = zk.create(path, data.encode(), ephemeral=True)
print(json.dumps(out), flush=True)
if hold:
    sys.stdin.readline()
zk.stop()
"#;

fn kazoo(cluster: &Cluster, pod: &str, ops: Value) -> Value {
    let out = Command::new(python())
        .args([
            "-c",
            KAZOO,
            &cluster.client_address("default", pod),
            &ops.to_string(),
            "-",
        ])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "kazoo: {}{}",
        stdout(&out),
        stderr(&out)
    );
    serde_json::from_str(stdout(&out).trim()).expect("kazoo JSON")
}

#[test]
fn cli_speaks_zookeeper_one_shot_and_interactively_and_kazoo_agrees() {
    let cluster = Cluster::start(3);
    cluster.install(&["--metrics"]);

    // The seeds' check: create on zk-0, read on zk-1.
    let out = cluster.zk(&["cli", "--member", "zk-0", "create", "/hello", "world"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "Created /hello\n");
    let out = cluster.zk(&["cli", "--member", "zk-1", "get", "/hello"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "world\n");

    // What cli writes, kazoo reads on another member (a sequential znode included).
    // (ZooKeeper creates no parents: without /jobs it answers NoNode.)
    let create_job = [
        "cli",
        "--member",
        "zk-2",
        "create",
        "-s",
        "/jobs/job-",
        "first",
    ];
    let out = cluster.zk(&create_job);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("NoNode"), "{}", stderr(&out));
    let out = cluster.zk(&["cli", "create", "/jobs", ""]);
    assert_exit(&out, 0);
    let out = cluster.zk(&create_job);
    assert_exit(&out, 0);
    let created = stdout(&out)
        .strip_prefix("Created ")
        .expect("Created PATH")
        .trim()
        .to_owned();
    assert!(
        created.starts_with("/jobs/job-") && created.len() == "/jobs/job-".len() + 10,
        "{created}"
    );
    let read = kazoo(
        &cluster,
        "zk-0",
        serde_json::json!([["get", created, ""], ["get", "/hello", ""]]),
    );
    assert_eq!(read[&created], "first");
    assert_eq!(read["/hello"], "world");

    // What kazoo writes, cli reads: persistent, sequential, and ephemeral while its session lives.
    let mut holder = Command::new(python())
        .args([
            "-c",
            KAZOO,
            &cluster.client_address("default", "zk-1"),
            &serde_json::json!([
                ["create", "/from/kazoo", "k"],
                ["create-seq", "/from/seq-", "s"],
                ["create-eph", "/from/eph", "e"]
            ])
            .to_string(),
            "hold",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    let mut first = String::new();
    BufReader::new(holder.stdout.as_mut().expect("stdout"))
        .read_line(&mut first)
        .expect("kazoo reports");
    let made: Value = serde_json::from_str(first.trim()).expect("kazoo JSON");
    let seq = made["/from/seq-"]
        .as_str()
        .expect("sequential path")
        .to_owned();
    for (path, data) in [
        ("/from/kazoo", "k"),
        (seq.as_str(), "s"),
        ("/from/eph", "e"),
    ] {
        let out = cluster.zk(&["cli", "--member", "zk-2", "get", path]);
        assert_exit(&out, 0);
        assert_eq!(stdout(&out), format!("{data}\n"), "{path}");
    }
    let out = cluster.zk(&["cli", "-o", "json", "stat", "/from/eph"]);
    assert_exit(&out, 0);
    assert_valid("Znode", &stdout(&out));
    let stat: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_ne!(stat["stat"]["ephemeralOwner"], 0, "{stat:#}");
    writeln!(holder.stdin.as_mut().expect("stdin")).expect("release kazoo");
    assert!(holder.wait().expect("kazoo ends").success());

    // ZooKeeper's refusals: exit 1 with its reason; bad syntax: exit 2 with the usage.
    let out = cluster.zk(&["cli", "get", "/missing"]);
    assert_exit(&out, 1);
    assert_eq!(
        stderr(&out),
        "kubectl-zk: get /missing: NoNode (the znode does not exist)\n"
    );
    let out = cluster.zk(&["cli", "delete", "/from"]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("NotEmpty"), "{}", stderr(&out));
    for bad in [
        &["get"][..],
        &["get", "hello"],
        &["ls", "-x", "/"],
        &["frobnicate"],
    ] {
        let mut argv = vec!["cli"];
        argv.extend_from_slice(bad);
        let out = cluster.zk(&argv);
        assert_exit(&out, 2);
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    }
    // A recursive delete asks; without a terminal it needs --yes.
    let out = cluster.zk(&["cli", "delete", "-r", "/from"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    let out = cluster.zk(&["cli", "--yes", "delete", "-r", "/from"]);
    assert_exit(&out, 0);
    assert_eq!(
        kazoo(&cluster, "zk-0", serde_json::json!([["get", "/from", ""]]))["/from"],
        Value::Null
    );

    interactive(&cluster);
    logs(&cluster);
    // logs re-created zk-2: the report below expects every member to answer again.
    cluster.wait_for("a healthy ensemble", Duration::from_secs(120), || {
        (cluster.zk(&["status"]).status.code() == Some(0)).then_some(())
    });
    report(&cluster);
    metrics(&cluster);
}

/// `report`: the archive holds the objects, the three models, every member's answers and logs;
/// no file holds a Secret value or a token of the kubeconfig; with only `view` rights it still
/// writes an archive and lists what was forbidden.
fn report(cluster: &Cluster) {
    let dir = cluster.dir.path();
    let archive = dir.join("report.tar.gz");
    let out = cluster.zk(&["report", "-f", &archive.display().to_string()]);
    assert_exit(&out, 0);
    let listed = Command::new("tar")
        .arg("tzf")
        .arg(&archive)
        .output()
        .expect("tar runs");
    let files: Vec<String> = stdout(&listed)
        .lines()
        .filter_map(|l| l.split_once('/').map(|(_, rest)| rest.to_owned()))
        .collect();
    let mut expected = vec![
        "objects/statefulset.yaml".to_owned(),
        "objects/pods.yaml".into(),
        "objects/services.yaml".into(),
        "objects/poddisruptionbudgets.yaml".into(),
        "objects/configmaps.yaml".into(),
        "objects/secrets.yaml".into(),
        "objects/persistentvolumeclaims.yaml".into(),
        "objects/persistentvolumes.yaml".into(),
        "objects/events.yaml".into(),
        "objects/nodes.yaml".into(),
        "status.yaml".into(),
        "config.yaml".into(),
        "myid.yaml".into(),
        "version.txt".into(),
        "MISSING.txt".into(),
    ];
    for pod in ["zk-0", "zk-1", "zk-2"] {
        for file in [
            "srvr.txt",
            "mntr.txt",
            "conf.txt",
            "monitor.json",
            "voting_view.json",
        ] {
            expected.push(format!("members/{pod}/{file}"));
        }
        expected.push(format!("logs/{pod}.current.log"));
    }
    for file in &expected {
        assert!(files.contains(file), "{file} missing from {files:?}");
    }
    // No Secret value, no kubeconfig token, in any file.
    let unpacked = dir.join("report");
    std::fs::create_dir_all(&unpacked).expect("mkdir");
    assert!(
        Command::new("tar")
            .arg("xzf")
            .arg(&archive)
            .arg("-C")
            .arg(&unpacked)
            .status()
            .expect("tar")
            .success()
    );
    let mut secrets: Vec<String> = ["password", "superDigest"]
        .iter()
        .map(|key| {
            cluster.k(&[
                "get",
                "secret",
                "zk-admin",
                "-o",
                &format!("jsonpath={{.data.{key}}}"),
            ])
        })
        .collect();
    let decoded: Vec<String> = secrets
        .iter()
        .map(|b64| {
            let out = Command::new("base64")
                .arg("-d")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .and_then(|mut child| {
                    child
                        .stdin
                        .take()
                        .expect("stdin")
                        .write_all(b64.as_bytes())?;
                    child.wait_with_output()
                })
                .expect("base64 runs");
            stdout(&out)
        })
        .collect();
    secrets.extend(decoded);
    let kubeconfig = std::fs::read_to_string(&cluster.kubeconfig).expect("kubeconfig");
    secrets.extend(
        kubeconfig
            .lines()
            .filter_map(|l| l.trim().strip_prefix("token: "))
            .map(str::to_owned),
    );
    assert!(secrets.len() >= 5, "{secrets:?}");
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        let found = Command::new("grep")
            .args(["-rlF", secret])
            .arg(&unpacked)
            .output()
            .expect("grep runs");
        assert_eq!(stdout(&found), "", "a secret value is in the report");
    }
    // The developer with `view` only: an archive still, and what was forbidden listed.
    cluster.k(&[
        "create",
        "rolebinding",
        "dev-view",
        "--clusterrole=view",
        "--user=developer",
        "-n",
        "default",
    ]);
    let limited = dir.join("limited.tar.gz");
    let out = cluster.zk(&[
        "--context",
        "testcluster-developer",
        "report",
        "-f",
        &limited.display().to_string(),
    ]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("could not be collected"),
        "{}",
        stderr(&out)
    );
    let missing = Command::new("tar")
        .arg("xzf")
        .arg(&limited)
        .arg("-O")
        .arg("--wildcards")
        .arg("*/MISSING.txt")
        .output()
        .expect("tar");
    let missing = stdout(&missing);
    for forbidden in [
        "may not list secrets",
        "may not get nodes",
        "may not get pods/portforward",
    ] {
        assert!(missing.contains(forbidden), "{forbidden}: {missing}");
    }
    // Never overwritten.
    let out = cluster.zk(&["report", "-f", &archive.display().to_string()]);
    assert_exit(&out, 2);
}

/// `install --metrics`: ZooKeeper's Prometheus text on each member's port 7000 through the pod
/// proxy, found by the scrape annotations; where the cluster serves monitoring.coreos.com, a
/// PodMonitor instead. The seeds' 3.4 image is refused.
fn metrics(cluster: &Cluster) {
    for pod in ["zk-0", "zk-1", "zk-2"] {
        let text = cluster.k(&[
            "get",
            "--raw",
            &format!("/api/v1/namespaces/default/pods/{pod}:7000/proxy/metrics"),
        ]);
        for metric in ["znode_count", "quorum_size", "# TYPE"] {
            assert!(
                text.lines().any(|l| l.starts_with(metric)),
                "{pod} lacks {metric}"
            );
        }
    }
    let annotations = cluster.k(&[
        "get",
        "pod",
        "zk-0",
        "-o",
        "jsonpath={.metadata.annotations}",
    ]);
    assert!(
        annotations.contains("\"prometheus.io/port\":\"7000\""),
        "{annotations}"
    );
    let out = cluster.zk(&[
        "install",
        "--name",
        "seeds",
        "--metrics",
        "--image",
        "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
    ]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("3.6+"), "{}", stderr(&out));

    let crd = common::root().join("tests/fixtures/podmonitor-crd.yaml");
    cluster.k(&["apply", "-f", &crd.display().to_string()]);
    cluster.wait_for("the PodMonitor API", Duration::from_secs(30), || {
        cluster
            .kubectl(&["get", "podmonitors"])
            .status
            .success()
            .then_some(())
    });
    cluster.install(&["--metrics"]);
    let endpoints = cluster.k(&[
        "get",
        "podmonitor",
        "zk",
        "-o",
        "jsonpath={.spec.podMetricsEndpoints}",
    ]);
    assert!(endpoints.contains("\"port\":\"metrics\""), "{endpoints}");
}

/// `logs`: merged in time order with a prefix per member; `-f` follows a re-created member.
fn logs(cluster: &Cluster) {
    let out = cluster.zk(&["logs", "--tail", "20"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let mut stamps = Vec::new();
    for pod in ["zk-0", "zk-1", "zk-2"] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{pod} | "))),
            "{pod}: {text}"
        );
    }
    for line in text.lines() {
        let (_, rest) = line.split_once(" | ").expect("member prefix");
        if let Some(stamp) = rest
            .get(..23)
            .filter(|s| s.as_bytes()[4] == b'-' && s.as_bytes()[19] == b',')
        {
            stamps.push(stamp.to_owned());
        }
    }
    assert!(stamps.len() > 10, "{text}");
    assert!(
        stamps.windows(2).all(|w| w[0] <= w[1]),
        "not in time order: {text}"
    );

    let mut follower = Command::new(plugin())
        .args(["--kubeconfig"])
        .arg(&cluster.kubeconfig)
        .args(["logs", "-f", "--tail", "1"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the plugin runs");
    let stdout = follower.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Following: a line from every member before anything is deleted.
    let mut heard = std::collections::BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while heard.len() < 3 {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("a line from every member");
        heard.insert(line.split(" | ").next().unwrap_or_default().to_owned());
    }
    let old = cluster.uids("default", "pod")["zk-2"].clone();
    cluster.k(&["delete", "pod", "zk-2", "--wait=false"]);
    // Only a new container prints the server's environment (--tail 1 left the old one's out).
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the replacement's start in the followed stream");
        if line.starts_with("zk-2 | ") && line.contains("Server environment:zookeeper.version") {
            break;
        }
    }
    assert_ne!(
        cluster.uids("default", "pod").get("zk-2"),
        Some(&old),
        "zk-2 was re-created"
    );
    assert_eq!(
        follower.try_wait().expect("wait"),
        None,
        "logs -f stopped by itself"
    );
    // Ctrl-C ends it cleanly.
    let pid = follower.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = follower.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "logs -f did not end on SIGINT");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status.code(), Some(0), "{status:?}");
}

/// Drives `kubectl zk cli --member zk-1` in tmux: ls, a path completed with Tab, get, an
/// ephemeral znode kazoo sees while the session lives and not after quit.
fn interactive(cluster: &Cluster) {
    let session = format!("kzk-{}", std::process::id());
    let tmux = |args: &[&str]| {
        let out = Command::new("tmux").args(args).output().expect("tmux runs");
        assert!(out.status.success(), "tmux {args:?}: {}", stderr(&out));
        stdout(&out)
    };
    let screen = || tmux(&["capture-pane", "-t", &session, "-p"]);
    let wait_for = |text: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let shown = screen();
            if shown.contains(text) {
                return shown;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} never appeared:\n{shown}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let command = format!(
        "env NO_COLOR=1 XDG_STATE_HOME={state} {plugin} --kubeconfig {kubeconfig} cli --member zk-1; echo EXITED $?; sleep 60",
        state = cluster.dir.path().display(),
        plugin = plugin().display(),
        kubeconfig = cluster.kubeconfig.display(),
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "150",
        "-y",
        "40",
        &command,
    ]);
    wait_for("[zk: zk-1(CONNECTED) 0]");
    tmux(&["send-keys", "-t", &session, "ls /", "Enter"]);
    wait_for("hello, jobs, zookeeper]");
    tmux(&["send-keys", "-t", &session, "get /hel", "Tab"]);
    wait_for("get /hello");
    tmux(&["send-keys", "-t", &session, "Enter"]);
    wait_for("[zk: zk-1(CONNECTED) 2]");
    assert!(screen().contains("\nworld\n"), "{}", screen());
    tmux(&[
        "send-keys",
        "-t",
        &session,
        "create -e /session-lock held",
        "Enter",
    ]);
    wait_for("Created /session-lock");
    let seen = kazoo(
        cluster,
        "zk-0",
        serde_json::json!([["get", "/session-lock", ""]]),
    );
    assert_eq!(seen["/session-lock"], "held");
    tmux(&["send-keys", "-t", &session, "quit", "Enter"]);
    wait_for("EXITED 0");
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &session])
        .output();
    let gone = kazoo(
        cluster,
        "zk-0",
        serde_json::json!([["get", "/session-lock", ""]]),
    );
    assert_eq!(
        gone["/session-lock"],
        Value::Null,
        "the ephemeral outlived its session"
    );
}
