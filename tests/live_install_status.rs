//! `install` and `status` against the test cluster (real ZooKeeper servers in real
//! processes), through the real kubectl at least once: what a user would run and check.

mod common;

use std::time::{Duration, Instant};

use common::cluster::Cluster;
use common::{assert_exit, plugin, stderr, stdout};
use kubectl_zk::manifest::options::OFFICIAL_IMAGE;
use serde_json::Value;

/// The newest ZooKeeper 3.8 the test command fetches (scripts/lib/zookeeper.sh).
const NEWEST_3_8: &str = "3.8.3";

fn status_json(cluster: &Cluster, args: &[&str]) -> (Value, Option<i32>) {
    cluster.zk_json("status", args)
}

fn leaders(status: &Value) -> Vec<String> {
    status["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["mode"] == "leader")
        .map(|m| m["pod"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The tag of an image reference (`docker.io/library/zookeeper:3.9.4` → `3.9.4`).
fn tag(image: &str) -> &str {
    image.rsplit_once(':').map_or("", |(_, tag)| tag)
}

/// The version `srvr` reports inside each of the three pods (`3.9.4` of `Zookeeper version:
/// 3.9.4-7246…, built on …`).
fn versions_by_exec(cluster: &Cluster, ns: &str) -> Vec<String> {
    (0..3)
        .map(|i| {
            let srvr = cluster.k(&[
                "exec",
                "-n",
                ns,
                &format!("zk-{i}"),
                "--",
                "sh",
                "-c",
                "printf srvr | nc 127.0.0.1 2181",
            ]);
            srvr.lines()
                .find_map(|l| l.strip_prefix("Zookeeper version: "))
                .and_then(|v| v.split(['-', ',']).next())
                .unwrap_or("none")
                .to_owned()
        })
        .collect()
}

/// The UIDs of the ensemble's pods, space separated.
fn pod_uids(cluster: &Cluster) -> String {
    cluster.k(&[
        "get",
        "pods",
        "-l",
        "app=zk",
        "-o",
        "jsonpath={.items[*].metadata.uid}",
    ])
}

/// `srvr` inside the pod, as the seeds check it.
fn mode_by_exec(cluster: &Cluster, ns: &str, pod: &str) -> String {
    let out = cluster.k(&[
        "exec",
        "-n",
        ns,
        pod,
        "--",
        "sh",
        "-c",
        "printf srvr | nc 127.0.0.1 2181",
    ]);
    out.lines()
        .find_map(|l| l.strip_prefix("Mode: "))
        .unwrap_or("none")
        .to_owned()
}

#[test]
fn official_flavour_installs_reports_and_survives_a_leader_kill() {
    let cluster = Cluster::start(4);

    // Through the real kubectl: `kubectl zk install`.
    let out = cluster.kubectl(&["zk", "install", "--timeout", "180s"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    for object in [
        "serviceaccount/zk created",
        "configmap/zk-config created",
        "service/zk-hs created",
        "service/zk-cs created",
        "poddisruptionbudget.policy/zk-pdb created",
        "statefulset.apps/zk created",
    ] {
        assert!(text.contains(object), "{object} missing:\n{text}");
    }
    assert!(text.contains("3 members Ready, leader zk-"), "{text}");
    // Not OpenShift: no SCC grant, no RoleBinding, nothing recorded on the ServiceAccount.
    assert!(!text.contains("rolebinding"), "{text}");
    assert_eq!(
        cluster
            .k(&["get", "rolebindings", "-n", "default", "-o", "name"])
            .trim(),
        ""
    );
    let account = cluster.k(&["get", "serviceaccount", "zk", "-o", "json"]);
    assert!(!account.contains("scc-grant"), "{account}");

    // status names exactly one leader, the one ZooKeeper itself reports. (Ready members serve
    // — the readiness probe is quorum-aware — but a follower may still be finishing its sync.)
    let status = cluster.wait_for("a healthy ensemble", Duration::from_secs(60), || {
        let (status, code) = status_json(&cluster, &[]);
        (code == Some(0)).then_some(status)
    });
    assert_eq!(status["health"], "healthy");
    assert_eq!(status["quorumHolds"], true);
    assert_eq!(status["openshift"], false);
    let leader = leaders(&status);
    assert_eq!(leader.len(), 1, "{status}");
    assert_eq!(status["leader"], leader[0].as_str());
    assert_eq!(mode_by_exec(&cluster, "default", &leader[0]), "leader");
    // Every member runs the pinned release, and status says so beside the image.
    let pinned = tag(OFFICIAL_IMAGE);
    assert_eq!(versions_by_exec(&cluster, "default"), [pinned; 3]);
    assert_eq!(status["zookeeperVersion"], pinned, "{status}");
    let text = stdout(&cluster.zk(&["status"]));
    assert!(
        text.contains(&format!("Image {OFFICIAL_IMAGE} (ZooKeeper {pinned})")),
        "{text}"
    );
    for member in status["members"].as_array().expect("members") {
        let zxid = member["server"]["zxid"].as_str().expect("zxid");
        assert!(zxid.starts_with("0x"), "{zxid}");
        assert_eq!(member["pvcBound"], true, "{member}");
        let pod = member["pod"].as_str().expect("pod");
        let myid = cluster.k(&["exec", pod, "--", "cat", "/data/myid"]);
        assert_eq!(
            member["myid"].as_u64().map(|n| n.to_string()),
            Some(myid.trim().to_owned())
        );
    }

    // The same install again changes nothing and restarts nothing.
    let uids_before = pod_uids(&cluster);
    let out = cluster.zk(&["install", "--timeout", "120s"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert_eq!(text.matches(" unchanged").count(), 7, "{text}");
    let uids_after = pod_uids(&cluster);
    assert_eq!(uids_before, uids_after, "a no-op install restarted pods");

    // A changed option says what changes; the StatefulSet controller then rolls the members (a
    // new config hash in the pod template), and install waits for that rollout.
    let out = cluster.zk(&["install", "--tick-time", "2500"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("configmap/zk-config configured"), "{text}");
    assert!(text.contains("data.zoo.cfg"), "{text}");
    // The members roll to the new config; wait until every one is new and the ensemble is
    // healthy again, so that killing the leader below takes exactly one member away.
    let status = cluster.wait_for(
        "the roll to the new config",
        Duration::from_secs(180),
        || {
            let uids = pod_uids(&cluster);
            let all_new = uids.split_whitespace().count() == 3
                && uids.split_whitespace().all(|uid| !uids_after.contains(uid));
            let (status, code) = status_json(&cluster, &[]);
            (all_new && code == Some(0)).then_some(status)
        },
    );
    let leader = leaders(&status);
    assert_eq!(leader.len(), 1, "{status}");

    // Killing the leader: status answers within the per-member timeout, naming the member.
    let old_leader = leader[0].clone();
    cluster.k(&["delete", "pod", &old_leader, "--wait=false"]);
    let started = Instant::now();
    let (status, code) = status_json(&cluster, &["--member-timeout", "3s"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "status took {:?}",
        started.elapsed()
    );
    assert_ne!(code, Some(0), "{status}");
    let member = status["members"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["pod"] == old_leader.as_str()))
        .expect("the old leader is listed");
    let answered: Vec<&Value> = status["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["pod"] != old_leader.as_str())
        .collect();
    assert!(
        member["mode"] != "leader" || member["ready"] == false,
        "the killed leader still shows as a ready leader: {member}"
    );
    assert!(
        answered
            .iter()
            .all(|m| m["server"].is_object() || m["mode"] == "not-serving"),
        "{status}"
    );

    // A new leader is elected and everyone is back.
    let status = cluster.wait_for(
        "a healthy ensemble after the leader kill",
        Duration::from_secs(90),
        || {
            let (status, code) = status_json(&cluster, &[]);
            (code == Some(0)).then_some(status)
        },
    );
    assert_eq!(leaders(&status).len(), 1);
}

#[test]
fn seeds_image_works_without_an_admin_server() {
    let cluster = Cluster::start(4);
    let out = cluster.zk(&[
        "install",
        "--image",
        "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
        "--name",
        "zk",
        "-n",
        "seed",
        "--create-namespace",
        "--timeout",
        "180s",
    ]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("leader zk-"), "{}", stdout(&out));
    // The seeds' checks still hold.
    let cfg = cluster.k(&[
        "exec",
        "-n",
        "seed",
        "zk-0",
        "--",
        "cat",
        "/opt/zookeeper/conf/zoo.cfg",
    ]);
    assert!(
        cfg.contains("server.1=zk-0.zk-hs.seed.svc.cluster.local:2888:3888"),
        "{cfg}"
    );
    let status = cluster.wait_for("every member serving", Duration::from_secs(90), || {
        let (status, code) = status_json(&cluster, &["-n", "seed"]);
        (code == Some(0)).then_some(status)
    });
    assert_eq!(leaders(&status).len(), 1, "{status}");
    for member in status["members"].as_array().expect("members") {
        assert_ne!(member["via"], "proxy", "3.4 has no AdminServer: {member}");
    }
    // Real ZooKeeper 3.4.10, as the image's tag says.
    assert_eq!(versions_by_exec(&cluster, "seed"), ["3.4.10"; 3]);
    assert_eq!(status["zookeeperVersion"], "3.4.10", "{status}");
    // myid and leader work on this flavour too: its data dir and zoo.cfg path.
    let (myid, code) = cluster.zk_json("myid", &["-n", "seed"]);
    assert_eq!(code, Some(0), "{myid}");
    for (ordinal, member) in myid["members"]
        .as_array()
        .expect("members")
        .iter()
        .enumerate()
    {
        let pod = format!("zk-{ordinal}");
        let file = cluster.k(&[
            "exec",
            "-n",
            "seed",
            &pod,
            "--",
            "cat",
            "/var/lib/zookeeper/data/myid",
        ]);
        assert_eq!(
            member["myid"].as_u64().map(|n| n.to_string()),
            Some(file.trim().to_owned())
        );
    }
    let (leader, code) = cluster.zk_json("leader", &["-n", "seed"]);
    assert_eq!(code, Some(0), "{leader}");
    assert_eq!(leader["leader"], status["leader"]);

    // leader --watch: its first round lists every member, the leader as leader.
    let mut watch = std::process::Command::new(plugin())
        .arg("--kubeconfig")
        .arg(&cluster.kubeconfig)
        .args(["leader", "--watch", "-n", "seed"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("leader --watch runs");
    let reader = std::io::BufReader::new(watch.stdout.take().expect("stdout"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in reader.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first_round: Vec<String> = (0..3)
        .map(|_| {
            rx.recv_timeout(Duration::from_secs(20))
                .expect("the first round")
        })
        .collect();
    let _ = watch.kill();
    let _ = watch.wait();
    let leader_pod = leader["leader"].as_str().expect("a leader");
    assert!(
        first_round
            .iter()
            .any(|l| l.ends_with(&format!("{leader_pod} leader"))),
        "{first_round:?}"
    );
}

#[test]
fn the_newest_3_8_runs_when_asked_for() {
    let cluster = Cluster::start(4);
    let image = format!("docker.io/library/zookeeper:{NEWEST_3_8}");
    let out = cluster.zk(&["install", "--image", &image, "--dry-run=server"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("statefulset.apps/zk created (server dry run)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        cluster.k(&["get", "statefulsets", "-o", "name"]),
        "",
        "nothing persisted"
    );
    cluster.install(&["--image", &image]);
    let status = cluster.wait_for("a healthy ensemble", Duration::from_secs(90), || {
        let (status, code) = status_json(&cluster, &[]);
        (code == Some(0)).then_some(status)
    });
    assert_eq!(versions_by_exec(&cluster, "default"), [NEWEST_3_8; 3]);
    assert_eq!(status["zookeeperVersion"], NEWEST_3_8, "{status}");
    assert_eq!(status["image"], image.as_str(), "{status}");
}

/// The objects kubectl-zk made, by name, in every namespace.
fn managed_objects(cluster: &Cluster) -> String {
    cluster.k(&[
        "get",
        "statefulsets,services,configmaps,pdb,serviceaccounts",
        "-A",
        "-l",
        "app.kubernetes.io/managed-by=kubectl-zk",
        "-o",
        "name",
    ])
}

#[test]
fn preflight_failures_create_nothing() {
    let cluster = Cluster::start(2);
    let out = cluster.zk(&["install"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("only 2 of 2 nodes are schedulable")
            && err.contains("--anti-affinity preferred"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let out = cluster.zk(&[
        "install",
        "--anti-affinity",
        "preferred",
        "--storage-class",
        "fast",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("StorageClass fast does not exist") && err.contains("standard"),
        "{err}"
    );

    let out = cluster.zk(&["install", "-n", "nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--create-namespace"),
        "{}",
        stderr(&out)
    );

    let left = managed_objects(&cluster);
    assert!(left.trim().is_empty(), "preflight created objects: {left}");

    let out = cluster.zk(&[
        "install",
        "--openshift",
        "always",
        "--anti-affinity",
        "none",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not OpenShift"), "{}", stderr(&out));

    // Only tainted nodes: refused with the scheduler's words, as drain-safe judges them.
    cluster.k(&["taint", "nodes", "--all", "dedicated=kafka:NoSchedule"]);
    let out = cluster.zk(&["install", "--anti-affinity", "none", "--replicas", "1"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("zk-0 would stay Pending: 0/2 nodes are available: 2 node(s) had untolerated taint {dedicated: kafka}."),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let out = cluster.zk(&["install"]);
    assert!(
        stderr(&out).contains("only 0 of 2 nodes are schedulable (node-1 had untolerated taint {dedicated: kafka}, node-2 had untolerated taint {dedicated: kafka})"),
        "{}",
        stderr(&out)
    );
    let left = managed_objects(&cluster);
    assert!(left.trim().is_empty(), "preflight created objects: {left}");
}

#[test]
fn status_finds_the_ensemble_or_says_why() {
    let cluster = Cluster::start(1);
    let out = cluster.zk(&["status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no ZooKeeper ensemble in namespace default"),
        "{}",
        stderr(&out)
    );
    let out = cluster.zk(&["status", "--name", "zk"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("there is no StatefulSet zk in namespace default"),
        "{}",
        stderr(&out)
    );
    let out = cluster.zk(&["status", "-A"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("No ZooKeeper ensembles found."));
}

#[test]
fn default_whitelist_of_the_docker_image_is_enough() {
    let cluster = Cluster::start(4);
    let manifest = common::root().join("tests/fixtures/docker-library-zookeeper.yaml");
    cluster.k(&["create", "-f", manifest.to_str().expect("utf-8 path")]);
    // Every member serving, seen through port-forward with `srvr` alone.
    let status = cluster.wait_for("a healthy ensemble", Duration::from_secs(120), || {
        let (status, code) = status_json(&cluster, &["--via", "port-forward"]);
        (code == Some(0) && leaders(&status).len() == 1).then_some(status)
    });
    let refused = status["problems"].to_string();
    assert!(refused.contains("whitelist refuses conf"), "{refused}");
    let (via_proxy, code) = status_json(&cluster, &["--via", "proxy"]);
    assert_eq!(code, Some(0), "{via_proxy}");
    assert_eq!(leaders(&via_proxy), leaders(&status));
    assert_eq!(
        via_proxy["members"][0]["myid"], 1,
        "the AdminServer is not limited by the whitelist"
    );
    // Without --via the best transport wins; the ensemble is found without --name.
    let out = cluster.zk(&["status"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("HEALTHY"), "{}", stdout(&out));
}

#[test]
fn a_stuck_rollout_says_why() {
    let cluster = Cluster::start(4);
    // The Docker library's newest tag, whose release Maven Central does not serve in full: the
    // test cluster cannot "pull" it, as a node cannot pull a tag that does not exist.
    let out = cluster.zk(&[
        "install",
        "--image",
        "docker.io/library/zookeeper:3.9.6",
        "--timeout",
        "20s",
    ]);
    assert_exit(&out, 1);
    let progress = stderr(&out);
    assert!(
        progress.contains("ErrImagePull") || progress.contains("ImagePullBackOff"),
        "the rollout does not say why it is stuck:\n{progress}"
    );
    let summary = stdout(&out);
    assert!(
        summary.contains("is not ready yet") && summary.contains("zk-0: "),
        "{summary}"
    );
    // The pull error names the releases there are, the pinned one among them.
    let events = cluster.k(&[
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=zk-0",
    ]);
    assert!(
        events.contains("releases available:") && events.contains(tag(OFFICIAL_IMAGE)),
        "{events}"
    );
}
