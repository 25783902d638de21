//! The OpenShift mode (`testcluster up --openshift`) with the real `kubectl.1.33`: discovery and
//! the seeded objects, namespace UID ranges, SCC admission of the seeds' manifest (refused, then
//! admitted by `anyuid` once granted as `oc adm policy add-scc-to-user anyuid -z default` does it
//! on OpenShift 4.5+), `restricted-v2` running pods with the namespace's UID, and the older
//! grant through the SCC's `users`. The API server is the real one: the OpenShift APIs are
//! CustomResourceDefinitions and SCC admission is a webhook, so a refusal reads as the API server
//! words a webhook's (`admission webhook "…" denied the request: `) before OpenShift's message.
//! Needs root, Java and the ZooKeeper release cache (`scripts/lib/zookeeper.sh`).

mod common;

use common::{Run, TestCluster, rows, wait_for};
use serde_json::Value;

/// The seeds' manifest with its PodDisruptionBudget moved to policy/v1.
const SEED_MANIFEST: &str = include_str!("../../fixtures/seeds/zookeeper-pdb-v1.yaml");
/// The Docker library image configured from a ConfigMap, no runAsUser (namespace zk-restricted).
const RESTRICTED_MANIFEST: &str = include_str!("fixtures/zookeeper-library-restricted.yaml");

/// What the API server puts before a refusal of the SCC admission webhook.
const DENIED: &str = r#"admission webhook "scc.admission.testcluster" denied the request: "#;

/// The SCCs in the order admission tries them (priority, then restrictiveness, then name).
const SCC_ORDER: &[&str] = &[
    "anyuid",
    "restricted-v2",
    "restricted",
    "nonroot-v2",
    "nonroot",
    "hostmount-anyuid",
    "hostnetwork-v2",
    "hostnetwork",
    "hostaccess",
    "privileged",
];

fn json(c: &TestCluster, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend_from_slice(&["-o", "json"]);
    serde_json::from_str(&c.k(&a)).expect("kubectl -o json prints JSON")
}

fn yaml(c: &TestCluster, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend_from_slice(&["-o", "yaml"]);
    serde_yaml_ng::from_str(&c.k(&a)).expect("kubectl -o yaml prints YAML")
}

fn exec(c: &TestCluster, ns: &str, pod: &str, cmd: &[&str]) -> Run {
    let mut args = vec!["-n", ns, "exec", pod, "--"];
    args.extend_from_slice(cmd);
    c.kubectl(&args)
}

/// The namespace's UID block from its annotation: (first, last). The test cluster's namespace
/// controller annotates a new namespace a moment after it is created, as OpenShift's does.
fn uid_range(c: &TestCluster, ns: &str) -> (i64, i64) {
    let range = wait_for(
        30,
        &format!("namespace {ns}'s uid-range annotation"),
        || {
            let n = json(c, &["get", "namespace", ns]);
            n["metadata"]["annotations"]["openshift.io/sa.scc.uid-range"]
                .as_str()
                .map(str::to_owned)
        },
    );
    let (start, size) = range.split_once('/').expect("start/size");
    let start: i64 = start.parse().expect("number");
    (start, start + size.parse::<i64>().expect("number") - 1)
}

/// The pods of a namespace that are Ready.
fn ready_pods(c: &TestCluster, ns: &str) -> Vec<Value> {
    json(c, &["-n", ns, "get", "pods"])["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| {
            p["status"]["conditions"].as_array().is_some_and(|cs| {
                cs.iter()
                    .any(|x| x["type"] == "Ready" && x["status"] == "True")
            })
        })
        .collect()
}

/// Waits until the three members answer `srvr` with one leader and two followers.
fn wait_leader(c: &TestCluster, ns: &str) {
    wait_for(120, "a leader and two followers", || {
        let modes: Vec<String> = (0..3)
            .map(|i| {
                let r = exec(
                    c,
                    ns,
                    &format!("zk-{i}"),
                    &["sh", "-c", "printf srvr | nc localhost 2181"],
                );
                r.stdout
                    .lines()
                    .find_map(|l| l.strip_prefix("Mode: "))
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        let leaders = modes.iter().filter(|m| *m == "leader").count();
        let followers = modes.iter().filter(|m| *m == "follower").count();
        (leaders == 1 && followers == 2).then_some(())
    });
}

#[test]
fn discovery_and_seeded_objects() {
    let c = TestCluster::start_openshift();

    // discovery: the three OpenShift groups, SCCs cluster-scoped with short name scc
    let resources = c.k(&["api-resources"]);
    let table = rows(&resources);
    let scc = table
        .iter()
        .find(|r| r["NAME"] == "securitycontextconstraints")
        .unwrap_or_else(|| panic!("no securitycontextconstraints in\n{resources}"));
    assert_eq!(scc["SHORTNAMES"], "scc");
    assert_eq!(scc["APIVERSION"], "security.openshift.io/v1");
    assert_eq!(scc["NAMESPACED"], "false");
    for (name, version, namespaced) in [
        ("routes", "route.openshift.io/v1", "true"),
        ("clusterversions", "config.openshift.io/v1", "false"),
    ] {
        let r = table
            .iter()
            .find(|r| r["NAME"] == name)
            .unwrap_or_else(|| panic!("no {name} in\n{resources}"));
        assert_eq!(
            (r["APIVERSION"].as_str(), r["NAMESPACED"].as_str()),
            (version, namespaced)
        );
    }
    // projects are not served: nothing the plugin does needs them
    assert!(!resources.contains("project.openshift.io"), "{resources}");

    // `kubectl get scc`: the CRD's printer columns
    let out = c.k(&["get", "scc"]);
    let sccs = rows(&out);
    let names: Vec<&str> = sccs.iter().map(|r| r["NAME"].as_str()).collect();
    let mut want = SCC_ORDER.to_vec();
    want.sort_unstable();
    assert_eq!(names, want, "{out}");
    let anyuid = &sccs[0];
    assert_eq!(
        [
            &anyuid["PRIV"],
            &anyuid["CAPS"],
            &anyuid["SELINUX"],
            &anyuid["RUNASUSER"],
            &anyuid["FSGROUP"],
            &anyuid["PRIORITY"]
        ],
        [
            "false",
            "<no value>",
            "MustRunAs",
            "RunAsAny",
            "RunAsAny",
            "10"
        ],
        "{out}"
    );
    let v2 = sccs
        .iter()
        .find(|r| r["NAME"] == "restricted-v2")
        .expect("restricted-v2");
    assert_eq!(
        [
            &v2["CAPS"],
            &v2["RUNASUSER"],
            &v2["FSGROUP"],
            &v2["SUPGROUP"],
            &v2["PRIORITY"]
        ],
        [
            "[\"NET_BIND_SERVICE\"]",
            "MustRunAsRange",
            "MustRunAs",
            "RunAsAny",
            "<no value>"
        ],
        "{out}"
    );

    // the objects themselves
    let a = yaml(&c, &["get", "scc", "anyuid"]);
    assert_eq!(a["runAsUser"]["type"], "RunAsAny");
    assert_eq!(a["fsGroup"]["type"], "RunAsAny");
    assert_eq!(a["seLinuxContext"]["type"], "MustRunAs");
    assert_eq!(a["priority"], 10);
    assert_eq!(a["groups"], serde_json::json!(["system:cluster-admins"]));
    let r = yaml(&c, &["get", "scc", "restricted-v2"]);
    assert_eq!(r["runAsUser"]["type"], "MustRunAsRange");
    assert_eq!(r["fsGroup"]["type"], "MustRunAs");
    assert_eq!(r["supplementalGroups"]["type"], "RunAsAny");
    assert_eq!(r["seLinuxContext"]["type"], "MustRunAs");
    assert_eq!(r["allowPrivilegeEscalation"], false);
    assert_eq!(r["requiredDropCapabilities"], serde_json::json!(["ALL"]));
    assert!(r["priority"].is_null(), "{r:?}");
    assert!(
        r["volumes"]
            .as_array()
            .is_some_and(|v| v.iter().any(|x| x == "persistentVolumeClaim")
                && !v.iter().any(|x| x == "hostPath")),
        "{r:?}"
    );
    let p = yaml(&c, &["get", "scc", "privileged"]);
    assert_eq!(p["allowPrivilegedContainer"], true);
    assert_eq!(p["volumes"], serde_json::json!(["*"]));

    // the `use` roles, and restricted-v2 for every authenticated user
    let role = json(&c, &["get", "clusterrole", "system:openshift:scc:anyuid"]);
    assert_eq!(
        role["rules"],
        serde_json::json!([{"apiGroups": ["security.openshift.io"], "resources": ["securitycontextconstraints"], "resourceNames": ["anyuid"], "verbs": ["use"]}])
    );
    let binding = json(
        &c,
        &[
            "get",
            "clusterrolebinding",
            "system:openshift:scc:restricted-v2",
        ],
    );
    assert_eq!(
        binding["roleRef"]["name"],
        "system:openshift:scc:restricted-v2"
    );
    assert_eq!(binding["subjects"][0]["kind"], "Group");
    assert_eq!(binding["subjects"][0]["name"], "system:authenticated");

    // ClusterVersion
    let cv = json(&c, &["get", "clusterversion", "version"]);
    assert_eq!(cv["status"]["desired"]["version"], "4.16.0");
    let out = c.k(&["get", "clusterversion"]);
    let cvs = rows(&out);
    assert_eq!(
        [
            &cvs[0]["NAME"],
            &cvs[0]["VERSION"],
            &cvs[0]["AVAILABLE"],
            &cvs[0]["PROGRESSING"],
            &cvs[0]["STATUS"]
        ],
        [
            "version",
            "4.16.0",
            "True",
            "False",
            "Cluster version is 4.16.0"
        ],
        "{out}"
    );

    // namespaces: a distinct UID block each, its supplemental groups and MCS label
    c.k(&["create", "namespace", "team-a"]);
    c.k(&["create", "namespace", "team-b"]);
    let mut blocks = Vec::new();
    for ns in ["default", "kube-system", "team-a", "team-b"] {
        let n = json(&c, &["get", "namespace", ns]);
        let ann = &n["metadata"]["annotations"];
        let range = ann["openshift.io/sa.scc.uid-range"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(range.ends_with("/10000"), "{ns}: {ann}");
        assert_eq!(
            ann["openshift.io/sa.scc.supplemental-groups"],
            range.as_str(),
            "{ns}"
        );
        let mcs = ann["openshift.io/sa.scc.mcs"].as_str().unwrap_or_default();
        assert!(mcs.starts_with("s0:c") && mcs.contains(",c"), "{ns}: {mcs}");
        let start: i64 = range.trim_end_matches("/10000").parse().expect("a number");
        assert!(
            (1_000_000_000..2_000_000_000).contains(&start) && start % 10_000 == 0,
            "{range}"
        );
        blocks.push(start);
    }
    let mut distinct = blocks.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), blocks.len(), "{blocks:?}");

    // routes are stored, with the host the API server gives them
    let route = c.file(
        "route.yaml",
        "apiVersion: route.openshift.io/v1\nkind: Route\nmetadata:\n  name: zk-admin\nspec:\n  to:\n    kind: Service\n    name: zk-cs\n",
    );
    c.k(&["-n", "team-a", "apply", "-f", &route]);
    let r = json(&c, &["-n", "team-a", "get", "route", "zk-admin"]);
    assert_eq!(r["spec"]["host"], "zk-admin-team-a.apps.testcluster.local");
    assert_eq!(r["spec"]["to"]["weight"], 100);
    let out = c.k(&["-n", "team-a", "get", "routes"]);
    let routes = rows(&out);
    assert_eq!(routes[0]["SERVICES"], "zk-cs", "{out}");
}

#[test]
fn plain_mode_serves_no_openshift_api() {
    let c = TestCluster::start();
    let resources = c.k(&["api-resources"]);
    assert!(!resources.contains("openshift.io"), "{resources}");
    let groups = c.k(&["api-versions"]);
    assert!(!groups.contains("openshift.io"), "{groups}");
    let r = c.kubectl(&["get", "scc"]);
    assert!(!r.ok);
    assert!(
        r.stderr
            .contains(r#"the server doesn't have a resource type "scc""#),
        "{r:?}"
    );
    let n = json(&c, &["get", "namespace", "default"]);
    assert!(
        n["metadata"]["annotations"]
            .get("openshift.io/sa.scc.uid-range")
            .is_none(),
        "{n}"
    );
}

#[test]
fn seed_manifest_needs_the_anyuid_grant() {
    let c = TestCluster::start_openshift();
    let ns = "statef";
    c.k(&["create", "namespace", ns]);
    let manifest = c.file("zookeeper.yaml", SEED_MANIFEST);
    c.k(&["-n", ns, "apply", "-f", &manifest]);

    // no grant: the StatefulSet says why it makes no pod, in OpenShift's words
    let (first, last) = uid_range(&c, ns);
    let mut attempts = vec![format!(
        r#"provider "anyuid": Forbidden: not usable by user or serviceaccount"#
    )];
    attempts.push(
        "provider restricted-v2: .spec.securityContext.fsGroup: Invalid value: []int64{1000}: 1000 is not an allowed group".into(),
    );
    attempts.push(format!(
        "provider restricted-v2: .containers[0].runAsUser: Invalid value: 1000: must be in the ranges: [{first}, {last}]"
    ));
    for scc in &SCC_ORDER[2..] {
        attempts.push(format!(
            r#"provider "{scc}": Forbidden: not usable by user or serviceaccount"#
        ));
    }
    let want = format!(
        r#"Create Pod zk-0 in StatefulSet zk failed error: {DENIED}pods "zk-0" is forbidden: unable to validate against any security context constraint: [{}]"#,
        attempts.join(", ")
    );
    let event = wait_for(30, "a FailedCreate event", || {
        let events = json(
            &c,
            &[
                "-n",
                ns,
                "get",
                "events",
                "--field-selector",
                "reason=FailedCreate",
            ],
        );
        events["items"].as_array().and_then(|e| e.first().cloned())
    });
    assert_eq!(event["message"], want.as_str());
    assert_eq!(event["type"], "Warning");
    assert_eq!(event["involvedObject"]["kind"], "StatefulSet");
    assert_eq!(event["involvedObject"]["name"], "zk");
    let out = c.k(&["-n", ns, "get", "events"]);
    assert!(
        out.contains("FailedCreate") && out.contains("statefulset/zk"),
        "{out}"
    );
    let pods = c.kubectl(&["-n", ns, "get", "pods"]);
    assert!(pods.stderr.contains("No resources found"), "{pods:?}");

    // retries are counted into the one event, not one event each
    wait_for(30, "the refusal counted twice", || {
        let events = json(
            &c,
            &[
                "-n",
                ns,
                "get",
                "events",
                "--field-selector",
                "reason=FailedCreate",
            ],
        );
        let items = events["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 1, "{events}");
        (items[0]["count"].as_i64().unwrap_or(0) >= 2).then_some(())
    });

    // `oc adm policy add-scc-to-user anyuid -z default -n statef` on OpenShift ≥ 4.5
    c.k(&[
        "-n",
        ns,
        "create",
        "rolebinding",
        "system:openshift:scc:anyuid",
        "--clusterrole=system:openshift:scc:anyuid",
        &format!("--serviceaccount={ns}:default"),
    ]);
    let pods = wait_for(180, "three Ready pods", || {
        let p = ready_pods(&c, ns);
        (p.len() == 3).then_some(p)
    });
    for p in &pods {
        let name = p["metadata"]["name"].as_str().unwrap_or_default();
        assert_eq!(
            p["metadata"]["annotations"]["openshift.io/scc"], "anyuid",
            "{name}"
        );
        assert_eq!(
            p["metadata"]["annotations"]["security.openshift.io/validated-scc-subject-type"],
            "serviceaccount",
            "{name}"
        );
        // anyuid keeps the manifest's ids
        assert_eq!(p["spec"]["securityContext"]["runAsUser"], 1000);
        assert_eq!(p["spec"]["securityContext"]["fsGroup"], 1000);
        let id = exec(&c, ns, name, &["id", "-u"]);
        assert_eq!(id.stdout.trim(), "1000", "{id:?}");
    }
    wait_leader(&c, ns);
}

#[test]
fn restricted_v2_runs_pods_with_the_namespace_uid() {
    let c = TestCluster::start_openshift();
    let ns = "zk-restricted";
    c.k(&["create", "namespace", ns]);
    let (first, _) = uid_range(&c, ns);
    let manifest = c.file("restricted.yaml", RESTRICTED_MANIFEST);
    c.k(&["-n", ns, "apply", "-f", &manifest]);
    let pods = wait_for(180, "three Ready pods", || {
        let p = ready_pods(&c, ns);
        (p.len() == 3).then_some(p)
    });
    for p in &pods {
        let name = p["metadata"]["name"].as_str().unwrap_or_default();
        assert_eq!(
            p["metadata"]["annotations"]["openshift.io/scc"], "restricted-v2",
            "{name}"
        );
        assert_eq!(p["spec"]["securityContext"]["fsGroup"], first, "{name}");
        let sc = &p["spec"]["containers"][0]["securityContext"];
        assert_eq!(sc["runAsUser"], first, "{name}");
        assert_eq!(sc["allowPrivilegeEscalation"], false, "{name}");
        assert_eq!(
            sc["capabilities"]["drop"],
            serde_json::json!(["ALL"]),
            "{name}"
        );
        // the processes run as that UID, group root, with the fsGroup
        let id = exec(&c, ns, name, &["id"]);
        assert_eq!(
            id.stdout.trim(),
            format!("uid={first} gid=0(root) groups=0(root),{first}"),
            "{id:?}"
        );
        // the entrypoint and the server wrote the volume (writable through the fsGroup) as it
        let owners = exec(
            &c,
            ns,
            name,
            &["stat", "-c", "%u", "/data/myid", "/data/version-2"],
        );
        assert_eq!(owners.stdout, format!("{first}\n{first}\n"), "{owners:?}");
        let ordinal: i64 = name.trim_start_matches("zk-").parse().expect("ordinal");
        let myid = exec(&c, ns, name, &["cat", "/data/myid"]);
        assert_eq!(myid.stdout.trim(), (ordinal + 1).to_string(), "{myid:?}");
    }
    wait_leader(&c, ns);

    // the seeds' image needs its uid 1000: under the namespace's UID it cannot write its config
    let seed = SEED_MANIFEST
        .replace("  replicas: 3", "  replicas: 1")
        .replace("  name: zk\n", "  name: kz\n")
        .replace(
            "      securityContext:\n        runAsUser: 1000\n        fsGroup: 1000\n",
            "",
        );
    assert!(!seed.contains("runAsUser"), "{seed}");
    let seed = seed
        .split("---")
        .filter(|doc| doc.contains("kind: StatefulSet"))
        .collect::<String>()
        .replace("app: zk", "app: kz")
        .replace("- zk\n", "- kz\n");
    let path = c.file("seed-no-uid.yaml", &seed);
    c.k(&["-n", ns, "apply", "-f", &path]);
    let log = wait_for(120, "kz-0 failing to write its configuration", || {
        let pod = c.kubectl(&["-n", ns, "get", "pod", "kz-0", "-o", "json"]);
        let p: Value = serde_json::from_str(&pod.stdout).ok()?;
        if p["status"]["containerStatuses"][0]["restartCount"]
            .as_i64()
            .unwrap_or(0)
            < 1
        {
            return None;
        }
        let log = c.kubectl(&["-n", ns, "logs", "kz-0", "--previous"]);
        log.stdout
            .contains("Permission denied")
            .then_some((p, log.stdout))
    });
    assert_eq!(
        log.0["metadata"]["annotations"]["openshift.io/scc"],
        "restricted-v2"
    );
    assert!(
        log.1
            .contains("/opt/zookeeper/conf/zoo.cfg: Permission denied"),
        "{}",
        log.1
    );
}

#[test]
fn scc_users_and_api_pods() {
    let c = TestCluster::start_openshift();
    let ns = "legacy";
    c.k(&["create", "namespace", ns]);
    let (first, last) = uid_range(&c, ns);

    // OpenShift ≤ 4.4 and 3.x: `oc adm policy add-scc-to-user` added the ServiceAccount to `users`
    c.k(&["-n", ns, "create", "serviceaccount", "useroot"]);
    c.k(&[
        "patch",
        "scc",
        "anyuid",
        "--type=json",
        &format!(
            r#"-p=[{{"op":"add","path":"/users/-","value":"system:serviceaccount:{ns}:useroot"}}]"#
        ),
    ]);
    let sts = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: root\nspec:\n  selector:\n    matchLabels: {app: root}\n  serviceName: root\n  replicas: 1\n  template:\n    metadata:\n      labels: {app: root}\n    spec:\n      serviceAccountName: useroot\n      securityContext: {runAsUser: 1000, fsGroup: 1000}\n      containers:\n      - name: main\n        image: busybox\n        command: [sleep, '3600']\n";
    let path = c.file("root.yaml", sts);
    c.k(&["-n", ns, "apply", "-f", &path]);
    let p = wait_for(60, "root-0 created", || {
        let r = c.kubectl(&["-n", ns, "get", "pod", "root-0", "-o", "json"]);
        serde_json::from_str::<Value>(&r.stdout).ok()
    });
    assert_eq!(p["metadata"]["annotations"]["openshift.io/scc"], "anyuid");

    // a developer who administers the namespace: pods go through restricted-v2 as that user
    c.k(&[
        "-n",
        ns,
        "create",
        "rolebinding",
        "dev-admin",
        "--clusterrole=admin",
        "--user=developer",
    ]);
    let dev = |args: &[&str]| {
        let mut a = vec!["--context", "testcluster-developer", "-n", ns];
        a.extend_from_slice(args);
        c.kubectl(&a)
    };
    let r = dev(&[
        "run",
        "plain",
        "--image=busybox",
        "--restart=Never",
        "--",
        "sleep",
        "3600",
    ]);
    assert!(r.ok, "{r:?}");
    let p = json(&c, &["-n", ns, "get", "pod", "plain"]);
    assert_eq!(
        p["metadata"]["annotations"]["openshift.io/scc"],
        "restricted-v2"
    );
    assert_eq!(
        p["metadata"]["annotations"]["security.openshift.io/validated-scc-subject-type"],
        "user"
    );
    assert_eq!(
        p["spec"]["containers"][0]["securityContext"]["runAsUser"],
        first
    );
    wait_for(60, "plain running", || {
        let r = exec(&c, ns, "plain", &["id", "-u"]);
        (r.ok && r.stdout.trim() == first.to_string()).then_some(())
    });

    // asking for root is refused with every SCC's reason
    let r = dev(&[
        "run",
        "root",
        "--image=busybox",
        "--restart=Never",
        r#"--overrides={"spec":{"securityContext":{"runAsUser":0}}}"#,
        "--",
        "sleep",
        "3600",
    ]);
    assert!(!r.ok);
    let mut attempts =
        vec![r#"provider "anyuid": Forbidden: not usable by user or serviceaccount"#.to_string()];
    attempts.push(format!(
        "provider restricted-v2: .containers[0].runAsUser: Invalid value: 0: must be in the ranges: [{first}, {last}]"
    ));
    for scc in &SCC_ORDER[2..] {
        attempts.push(format!(
            r#"provider "{scc}": Forbidden: not usable by user or serviceaccount"#
        ));
    }
    assert_eq!(
        r.stderr.trim(),
        format!(
            r#"Error from server (Forbidden): {DENIED}pods "root" is forbidden: unable to validate against any security context constraint: [{}]"#,
            attempts.join(", ")
        )
    );

    // `openshift.io/scc` says what admitted the pod, whatever the pod asks for or is patched with
    let lie = c.file(
        "lie.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: lie\n  annotations:\n    openshift.io/scc: privileged\nspec:\n  containers:\n  - name: main\n    image: busybox\n    command: [sleep, '3600']\n",
    );
    let r = dev(&["apply", "-f", &lie]);
    assert!(r.ok, "{r:?}");
    let scc_of = |pod: &str| {
        json(&c, &["-n", ns, "get", "pod", pod])["metadata"]["annotations"]["openshift.io/scc"]
            .clone()
    };
    assert_eq!(scc_of("lie"), "restricted-v2");
    c.k(&[
        "-n",
        ns,
        "annotate",
        "pod",
        "lie",
        "--overwrite",
        "openshift.io/scc=privileged",
    ]);
    assert_eq!(scc_of("lie"), "restricted-v2");
}
