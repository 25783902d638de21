//! OpenShift, against the test cluster's OpenShift mode (`testcluster up --openshift`): SCC
//! admission refuses the seed's pods until the anyuid grant exists; `install` makes that grant
//! as `oc adm policy add-scc-to-user` would (and only when the user may), `--scc restricted`
//! needs none, `status` shows the SCC and explains a FailedCreate, `uninstall` takes the
//! grant back.

mod common;

use std::time::Duration;

use common::cluster::Cluster;
use common::{root, stderr, stdout};
use serde_json::Value;

const DEVELOPER: &str = "testcluster-developer";
const ANYUID_BINDING: &str = "rolebinding.rbac.authorization.k8s.io/system:openshift:scc:anyuid";

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn pods(cluster: &Cluster, ns: &str) -> Vec<Value> {
    json(&cluster.k(&["get", "pods", "-n", ns, "-o", "json"]))["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn seed_manifest_is_refused_and_explained_then_install_grants_anyuid() {
    let cluster = Cluster::start_openshift(4);

    // The seed's way, without the admin's `oc adm policy add-scc-to-user`: nothing starts.
    cluster.k(&["create", "namespace", "statef"]);
    let seed = root().join("tests/fixtures/seeds/zookeeper-pdb-v1.yaml");
    cluster.k(&["apply", "-n", "statef", "-f", seed.to_str().expect("path")]);
    let event = cluster.wait_for("a FailedCreate event", Duration::from_secs(60), || {
        let events = json(&cluster.k(&[
            "get",
            "events",
            "-n",
            "statef",
            "--field-selector",
            "reason=FailedCreate",
            "-o",
            "json",
        ]));
        events["items"]
            .as_array()
            .and_then(|items| items.first())
            .and_then(|e| e["message"].as_str().map(str::to_owned))
    });
    assert!(
        event.contains("unable to validate against any security context constraint"),
        "{event}"
    );
    assert!(pods(&cluster, "statef").is_empty());
    let out = cluster.zk(&["status", "-n", "statef"]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("statefulset zk cannot create pods"), "{text}");
    assert!(
        text.contains("unable to validate against any security context constraint"),
        "{text}"
    );
    assert!(
        text.contains("oc adm policy add-scc-to-user anyuid -z default -n statef"),
        "the fix is named: {text}"
    );

    // kubectl zk install as admin: ServiceAccount, the grant, then the ensemble.
    let out = cluster.kubectl(&[
        "zk",
        "install",
        "-n",
        "zk-os",
        "--create-namespace",
        "--timeout",
        "180s",
    ]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("serviceaccount/zk created"), "{text}");
    assert!(
        text.contains(&format!("{ANYUID_BINDING} created")),
        "{text}"
    );
    assert!(text.contains("3 members Ready, leader zk-"), "{text}");
    let binding = json(&cluster.k(&[
        "get",
        "rolebinding",
        "system:openshift:scc:anyuid",
        "-n",
        "zk-os",
        "-o",
        "json",
    ]));
    assert_eq!(binding["roleRef"]["kind"], "ClusterRole");
    assert_eq!(binding["roleRef"]["name"], "system:openshift:scc:anyuid");
    assert_eq!(binding["subjects"][0]["kind"], "ServiceAccount");
    assert_eq!(binding["subjects"][0]["name"], "zk");
    let members = pods(&cluster, "zk-os");
    assert_eq!(members.len(), 3);
    for pod in &members {
        assert_eq!(pod["spec"]["serviceAccountName"], "zk", "{pod}");
        assert_eq!(
            pod["metadata"]["annotations"]["openshift.io/scc"], "anyuid",
            "{pod}"
        );
    }
    let status = cluster.wait_for("a healthy ensemble", Duration::from_secs(60), || {
        let (status, code) = cluster.zk_json("status", &["-n", "zk-os"]);
        (code == Some(0)).then_some(status)
    });
    assert_eq!(status["openshift"], true);
    for member in status["members"].as_array().expect("members") {
        assert_eq!(member["scc"], "anyuid", "{member}");
    }
    let table = stdout(&cluster.zk(&["status", "-n", "zk-os"]));
    assert!(table.contains("Platform OpenShift"), "{table}");
    assert!(table.contains("SCC"), "{table}");

    // A second run changes nothing, the grant included.
    let uids = |cluster: &Cluster| {
        cluster.k(&[
            "get",
            "pods",
            "-n",
            "zk-os",
            "-o",
            "jsonpath={.items[*].metadata.uid}",
        ])
    };
    let before = uids(&cluster);
    let out = cluster.zk(&["install", "-n", "zk-os", "--timeout", "120s"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(
        text.contains(&format!("{ANYUID_BINDING} unchanged")),
        "{text}"
    );
    assert!(
        !text.contains(" created") && !text.contains(" configured"),
        "{text}"
    );
    assert_eq!(before, uids(&cluster), "a no-op install restarted pods");

    // uninstall takes the grant back with the rest; the data volumes stay.
    let out = cluster.zk(&["uninstall", "-n", "zk-os", "--yes"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{}{err}", stdout(&out));
    assert!(err.contains(&format!("{ANYUID_BINDING} deleted")), "{err}");
    let bindings = cluster.k(&["get", "rolebindings", "-n", "zk-os", "-o", "name"]);
    assert!(!bindings.contains("scc"), "{bindings}");
    let claims = cluster.k(&["get", "pvc", "-n", "zk-os", "-o", "name"]);
    assert_eq!(claims.lines().count(), 3, "{claims}");
}

#[test]
fn a_project_admin_gets_the_admin_command_or_installs_restricted() {
    let cluster = Cluster::start_openshift(4);
    cluster.k(&["create", "namespace", "dev"]);
    cluster.k(&[
        "create",
        "rolebinding",
        "developer-admin",
        "--clusterrole=admin",
        "--user=developer",
        "-n",
        "dev",
    ]);

    // The developer may not grant anyuid: install stops before creating anything.
    let out = cluster.zk(&["--context", DEVELOPER, "install", "-n", "dev"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{}{err}", stdout(&out));
    assert!(
        err.contains("oc adm policy add-scc-to-user anyuid -z zk -n dev"),
        "{err}"
    );
    assert!(err.contains("run this install again"), "{err}");
    assert!(err.contains("--scc restricted"), "{err}");
    let left = cluster.k(&[
        "get",
        "serviceaccounts,statefulsets,services,configmaps,poddisruptionbudgets,rolebindings",
        "-n",
        "dev",
        "-l",
        "app.kubernetes.io/managed-by=kubectl-zk",
        "-o",
        "name",
    ]);
    assert_eq!(left.trim(), "", "install created objects before stopping");
    assert!(
        !cluster
            .k(&["get", "rolebindings", "-n", "dev", "-o", "name"])
            .contains("scc"),
        "no grant was made"
    );

    // The restricted profile needs no grant: restricted-v2 admits the pods with a UID of the
    // namespace's range, and the servers really run as it.
    let out = cluster.zk(&[
        "--context",
        DEVELOPER,
        "install",
        "-n",
        "dev",
        "--scc",
        "restricted",
        "--timeout",
        "180s",
    ]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("3 members Ready, leader zk-"), "{text}");
    assert!(!text.contains("rolebinding"), "{text}");
    let namespace = json(&cluster.k(&["get", "namespace", "dev", "-o", "json"]));
    let range = namespace["metadata"]["annotations"]["openshift.io/sa.scc.uid-range"]
        .as_str()
        .expect("uid range annotation")
        .to_owned();
    let (first, size) = range.split_once('/').expect("FIRST/SIZE");
    let first: u64 = first.parse().expect("first uid");
    let size: u64 = size.parse().expect("range size");
    for pod in pods(&cluster, "dev") {
        let name = pod["metadata"]["name"].as_str().expect("name").to_owned();
        assert_eq!(
            pod["metadata"]["annotations"]["openshift.io/scc"], "restricted-v2",
            "{pod}"
        );
        let uid: u64 = cluster
            .k(&["exec", "-n", "dev", &name, "--", "id", "-u"])
            .trim()
            .parse()
            .expect("a numeric uid");
        assert!(
            (first..first + size).contains(&uid),
            "{name} runs as {uid}, outside {range}"
        );
    }
    let status = cluster.wait_for("a healthy ensemble", Duration::from_secs(60), || {
        let (status, code) = cluster.zk_json("status", &["--context", DEVELOPER, "-n", "dev"]);
        (code == Some(0)).then_some(status)
    });
    for member in status["members"].as_array().expect("members") {
        assert_eq!(member["scc"], "restricted-v2", "{member}");
    }
}

#[test]
fn without_the_scc_cluster_role_the_account_goes_into_the_scc_users() {
    // OpenShift up to 4.4 (and 3.x) has no `system:openshift:scc:*` ClusterRoles; `oc adm
    // policy add-scc-to-user` then appended the account to the SCC's `users`.
    let cluster = Cluster::start_openshift(4);
    cluster.k(&["delete", "clusterrole", "system:openshift:scc:anyuid"]);
    let users = |cluster: &Cluster| cluster.k(&["get", "scc", "anyuid", "-o", "jsonpath={.users}"]);
    assert!(!users(&cluster).contains("system:serviceaccount:old:zk"));

    let out = cluster.zk(&[
        "install",
        "-n",
        "old",
        "--create-namespace",
        "--timeout",
        "180s",
    ]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(
        text.contains("securitycontextconstraints.security.openshift.io/anyuid configured"),
        "{text}"
    );
    assert!(!text.contains("rolebinding"), "{text}");
    assert!(users(&cluster).contains("system:serviceaccount:old:zk"));
    for pod in pods(&cluster, "old") {
        assert_eq!(
            pod["metadata"]["annotations"]["openshift.io/scc"], "anyuid",
            "{pod}"
        );
    }

    let out = cluster.zk(&["uninstall", "-n", "old", "--yes"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        !users(&cluster).contains("system:serviceaccount:old:zk"),
        "uninstall takes the account out of the SCC's users again"
    );
}
