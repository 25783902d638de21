//! `uninstall` against the test cluster: it asks first, stops the members in reverse ordinal
//! order (each after the previous is gone, as seen by a real `kubectl get pods -w`), removes
//! every object `install` made, keeps the data volumes for a new `install` that finds the
//! old znodes, and deletes them only with `--delete-data`.

mod common;

use std::collections::BTreeMap;
use std::io::BufReader;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::cluster::Cluster;
use common::{assert_exit, kubectl, stderr, stdout};

/// `datadir-zk-N` → UID of the ensemble's claims.
fn claim_uids(cluster: &Cluster) -> BTreeMap<String, String> {
    let list: serde_json::Value =
        serde_json::from_str(&cluster.k(&["get", "pvc", "-l", "app=zk", "-o", "json"]))
            .expect("json");
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|pvc| {
            (
                pvc["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                pvc["metadata"]["uid"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

/// Every object of the ensemble kubectl still finds by the seeds' label, as `kind/name`.
fn labelled_objects(cluster: &Cluster) -> Vec<String> {
    cluster
        .k(&[
            "get",
            "statefulsets,pods,services,poddisruptionbudgets,configmaps,serviceaccounts",
            "-l",
            "app=zk",
            "-o",
            "name",
        ])
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A background `kubectl get pods -w --output-watch-events -o json`: its events as
/// (type, pod, terminating) in the order kubectl printed them.
struct PodWatch {
    child: std::process::Child,
    rx: mpsc::Receiver<(String, String, bool)>,
    events: Vec<(String, String, bool)>,
}

impl PodWatch {
    fn start(cluster: &Cluster) -> PodWatch {
        let mut child = Command::new(kubectl(33))
            .arg("--kubeconfig")
            .arg(&cluster.kubeconfig)
            .args([
                "get",
                "pods",
                "-l",
                "app=zk",
                "-w",
                "--output-watch-events",
                "-o",
                "json",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kubectl get pods -w");
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let stream = serde_json::Deserializer::from_reader(BufReader::new(out))
                .into_iter::<serde_json::Value>();
            for event in stream.map_while(Result::ok) {
                let object = &event["object"];
                let item = (
                    event["type"].as_str().unwrap_or_default().to_owned(),
                    object["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    !object["metadata"]["deletionTimestamp"].is_null(),
                );
                if tx.send(item).is_err() {
                    break;
                }
            }
        });
        PodWatch {
            child,
            rx,
            events: Vec::new(),
        }
    }

    /// Collects events until `done` holds for what was seen, at most 60 s.
    fn wait_until(&mut self, what: &str, done: impl Fn(&[(String, String, bool)]) -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !done(&self.events) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(event) => self.events.push(event),
                Err(_) => panic!("the pod watch never showed {what}: {:#?}", self.events),
            }
        }
    }
}

impl Drop for PodWatch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn zkcli(cluster: &Cluster, pod: &str, args: &[&str]) -> (String, String) {
    let mut argv = vec!["exec", pod, "--", "zkCli.sh"];
    argv.extend_from_slice(args);
    let out = cluster.kubectl(&argv);
    assert!(
        out.status.success(),
        "zkCli.sh {args:?} in {pod}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    (stdout(&out), stderr(&out))
}

#[test]
fn uninstall_stops_members_in_reverse_order_keeps_the_data_and_deletes_it_only_when_asked() {
    let cluster = Cluster::start(4);
    let out = cluster.zk(&["install", "--timeout", "180s"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let (_, err) = zkcli(
        &cluster,
        "zk-0",
        &["create", "/kept-by-uninstall", "survives"],
    );
    assert!(
        err.lines().any(|l| l == "Created /kept-by-uninstall"),
        "{err}"
    );
    let claims = claim_uids(&cluster);
    assert_eq!(claims.len(), 3, "{claims:?}");
    let before = labelled_objects(&cluster);

    // Not a terminal and no --yes: refused, nothing changed.
    let out = cluster.zk(&["uninstall"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.lines()
            .last()
            .is_some_and(|l| l.starts_with("kubectl-zk: ")
                && l.contains("stdin is not a terminal")
                && l.contains("--yes")),
        "{err}"
    );
    assert_eq!(labelled_objects(&cluster), before);
    assert_eq!(
        cluster.k(&["get", "sts", "zk", "-o", "jsonpath={.spec.replicas}"]),
        "3"
    );

    // An ensemble that does not exist: one line, exit 2.
    let out = cluster.zk(&["uninstall", "--name", "nope", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no ensemble nope"),
        "{}",
        stderr(&out)
    );

    // --yes: members stop highest ordinal first, each after the previous is gone.
    let mut watch = PodWatch::start(&cluster);
    watch.wait_until("the three members", |events| {
        events.iter().filter(|(kind, _, _)| kind == "ADDED").count() == 3
    });
    let out = cluster.zk(&["uninstall", "--yes"]);
    assert_exit(&out, 0);
    watch.wait_until("every member deleted", |events| {
        events
            .iter()
            .filter(|(kind, _, _)| kind == "DELETED")
            .count()
            == 3
    });
    let events = watch.events.clone();
    let first_terminating = |pod: &str| {
        events
            .iter()
            .position(|(kind, name, terminating)| kind != "DELETED" && name == pod && *terminating)
            .unwrap_or_else(|| panic!("{pod} never seen terminating: {events:#?}"))
    };
    let deleted = |pod: &str| {
        events
            .iter()
            .position(|(kind, name, _)| kind == "DELETED" && name == pod)
            .unwrap_or_else(|| panic!("{pod} never deleted: {events:#?}"))
    };
    assert!(deleted("zk-2") < first_terminating("zk-1"), "{events:#?}");
    assert!(deleted("zk-1") < first_terminating("zk-0"), "{events:#?}");
    assert!(deleted("zk-1") < deleted("zk-0"), "{events:#?}");

    // Nothing left but the claims, which are the same objects, printed with the command.
    assert_eq!(labelled_objects(&cluster), Vec::<String>::new());
    assert_eq!(claim_uids(&cluster), claims);
    let text = stdout(&out);
    for name in claims.keys() {
        assert!(text.contains(name.as_str()), "{text}");
    }
    assert!(
        text.contains("kubectl delete pvc -n default datadir-zk-0 datadir-zk-1 datadir-zk-2"),
        "{text}"
    );
    let err = stderr(&out);
    for line in [
        "service/zk-hs deleted",
        "service/zk-cs deleted",
        "poddisruptionbudget.policy/zk-pdb deleted",
        "configmap/zk-config deleted",
        "serviceaccount/zk deleted",
        "statefulset.apps/zk deleted",
    ] {
        assert!(err.lines().any(|l| l == line), "{line} missing: {err}");
    }

    // A new install of the same name finds the old data.
    let out = cluster.zk(&["install", "--timeout", "180s"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(claim_uids(&cluster), claims);
    let (text, _) = zkcli(&cluster, "zk-2", &["get", "/kept-by-uninstall"]);
    assert!(text.lines().any(|l| l == "survives"), "{text}");

    // --delete-data --yes removes the claims too.
    let out = cluster.zk(&["uninstall", "--delete-data", "--yes"]);
    assert_exit(&out, 0);
    assert_eq!(labelled_objects(&cluster), Vec::<String>::new());
    assert_eq!(
        cluster.k(&["get", "pvc", "-l", "app=zk", "-o", "name"]),
        "",
        "claims left"
    );
    assert!(
        stdout(&out).contains("deleted 3 data volume(s)"),
        "{}",
        stdout(&out)
    );
    // Nothing is left to uninstall.
    let out = cluster.zk(&["uninstall", "--name", "zk", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    // The seed's own manifest (not made by kubectl-zk): refused unless --unmanaged, which
    // removes the StatefulSet only and leaves the user's Services and PDB alone.
    let seed = common::root().join("tests/fixtures/seeds/zookeeper-pdb-v1.yaml");
    cluster.k(&["apply", "-f", &seed.to_string_lossy()]);
    cluster.k(&["rollout", "status", "sts/zk", "--timeout=180s"]);
    let user_objects = [
        "service/zk-cs",
        "service/zk-hs",
        "poddisruptionbudget.policy/zk-pdb",
    ];
    let out = cluster.zk(&["uninstall", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("  delete statefulset.apps/zk\n")
            && err.contains("not installed by kubectl-zk")
            && err.contains("--unmanaged"),
        "{err}"
    );
    let seed_objects = || -> Vec<String> {
        cluster
            .k(&[
                "get",
                "statefulsets,pods,services,poddisruptionbudgets",
                "-o",
                "name",
            ])
            .lines()
            .filter(|l| l.contains("/zk"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        seed_objects().len(),
        1 + 3 + user_objects.len(),
        "{:?}",
        seed_objects()
    );
    let out = cluster.zk(&["uninstall", "--unmanaged", "--yes"]);
    assert_exit(&out, 0);
    assert_eq!(seed_objects(), user_objects);
}
