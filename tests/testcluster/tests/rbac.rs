//! RBAC with the real kubectl 1.33 and kube-rs (needs root): the `developer` context is refused
//! everywhere with the API server's Forbidden messages until a RoleBinding to ClusterRole `admin`
//! makes it a namespace admin; it then works there (pods, exec) and nowhere else; it cannot grant
//! rights it lacks (escalation check) unless it may `bind` the role; `kubectl auth can-i` and
//! SelfSubjectAccessReviews answer truthfully; the admin is unaffected.

mod common;

use common::{Run, TestCluster, wait_for};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec, SubjectAccessReview,
    SubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

const DEV: &str = "testcluster-developer";

/// kubectl 1.33 as user `developer`.
fn dev(c: &TestCluster, args: &[&str]) -> Run {
    let mut all = vec!["--context", DEV];
    all.extend_from_slice(args);
    c.kubectl(&all)
}

/// kubectl as `developer` that must succeed; its stdout.
fn dev_ok(c: &TestCluster, args: &[&str]) -> String {
    let r = dev(c, args);
    assert!(r.ok, "kubectl --context {DEV} {args:?} failed: {r:?}");
    r.stdout
}

/// A refusal: exit 1, nothing on stdout, exactly `stderr` (one line).
fn assert_refused(r: &Run, stderr: &str) {
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{r:?}");
    assert_eq!(r.stderr, format!("{stderr}\n"), "{r:?}");
}

/// The admin makes namespace `dev` and binds `developer` to ClusterRole `admin` there.
fn make_developer_admin_of_dev(c: &TestCluster) {
    c.k(&["create", "namespace", "dev"]);
    c.k(&[
        "create",
        "rolebinding",
        "developer-admin",
        "-n",
        "dev",
        "--clusterrole=admin",
        "--user=developer",
    ]);
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers: [{name: c, image: busybox:1.36, command: [sleep, \"3600\"]}]\n";

#[test]
fn developer_is_confined_to_the_namespace_it_administers() {
    let c = TestCluster::start_builtin();
    // no rights beyond discovery: every refusal worded as the API server words it
    assert_refused(
        &dev(&c, &["get", "pods"]),
        r#"Error from server (Forbidden): pods is forbidden: User "developer" cannot list resource "pods" in API group "" in the namespace "default""#,
    );
    assert_refused(
        &dev(&c, &["get", "pod", "zk-0"]),
        r#"Error from server (Forbidden): pods "zk-0" is forbidden: User "developer" cannot get resource "pods" in API group "" in the namespace "default""#,
    );
    assert_refused(
        &dev(&c, &["get", "nodes"]),
        r#"Error from server (Forbidden): nodes is forbidden: User "developer" cannot list resource "nodes" in API group "" at the cluster scope"#,
    );
    assert_refused(
        &dev(&c, &["get", "statefulsets", "-A"]),
        r#"Error from server (Forbidden): statefulsets.apps is forbidden: User "developer" cannot list resource "statefulsets" in API group "apps" at the cluster scope"#,
    );
    assert_refused(
        &dev(&c, &["get", "--raw", "/foo"]),
        r#"Error from server (Forbidden): forbidden: User "developer" cannot get path "/foo""#,
    );
    // discovery is open to every authenticated user
    assert!(dev_ok(&c, &["api-resources"]).contains("selfsubjectaccessreviews"));
    let who = dev_ok(&c, &["auth", "whoami"]);
    assert!(
        who.contains("developer") && who.contains("[system:authenticated]"),
        "{who}"
    );
    let who = c.k(&["auth", "whoami"]);
    assert!(
        who.contains("admin") && who.contains("system:masters"),
        "{who}"
    );

    make_developer_admin_of_dev(&c);
    let f = c.file("pod.yaml", POD);
    assert_eq!(
        dev_ok(&c, &["-n", "dev", "create", "-f", &f]),
        "pod/p created\n"
    );
    wait_for(60, "pod dev/p Ready", || {
        let r = dev(
            &c,
            &[
                "-n",
                "dev",
                "get",
                "pod",
                "p",
                "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}",
            ],
        );
        (r.ok && r.stdout == "True").then_some(())
    });
    assert_eq!(
        dev_ok(&c, &["-n", "dev", "exec", "p", "--", "hostname"]),
        "p\n"
    );
    assert!(dev_ok(&c, &["-n", "dev", "get", "pods"]).contains("Running"));
    assert!(dev_ok(&c, &["get", "namespace", "dev"]).contains("Active"));
    // still nothing outside dev
    assert_refused(
        &dev(&c, &["get", "nodes"]),
        r#"Error from server (Forbidden): nodes is forbidden: User "developer" cannot list resource "nodes" in API group "" at the cluster scope"#,
    );
    assert_refused(
        &dev(&c, &["-n", "default", "create", "-f", &f]),
        r#"Error from server (Forbidden): error when creating "PATH": pods is forbidden: User "developer" cannot create resource "pods" in API group "" in the namespace "default""#
            .replace("PATH", &f)
            .as_str(),
    );
    assert_refused(
        &dev(&c, &["delete", "namespace", "dev"]),
        r#"Error from server (Forbidden): namespaces "dev" is forbidden: User "developer" cannot delete resource "namespaces" in API group "" in the namespace "dev""#,
    );
    // the admin is unaffected; the request log names the real users
    c.k(&["-n", "dev", "delete", "pod", "p", "--wait=false"]);
    assert!(c.k(&["get", "nodes"]).contains("node-1"));
    let log = std::fs::read_to_string(c.state_dir.join("requests.log")).expect("request log");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(lines.iter().any(|l| l["user"] == "developer"
        && l["status"] == 403
        && l["path"] == "/api/v1/nodes?limit=500"));
    assert!(
        lines
            .iter()
            .any(|l| l["user"] == "developer" && l["status"] == 201 && l["verb"] == "create")
    );
    assert!(
        lines
            .iter()
            .any(|l| l["user"] == "admin" && l["path"] == "/api/v1/nodes?limit=500")
    );
}

#[test]
fn developer_cannot_grant_rights_it_lacks() {
    let c = TestCluster::start_builtin();
    make_developer_admin_of_dev(&c);
    let escalation = |kind: &str, name: &str, rules: &[&str]| {
        format!(
            "{kind}.rbac.authorization.k8s.io \"{name}\" is forbidden: user \"developer\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{}",
            rules.join("\n")
        )
    };
    // binding cluster-admin, even only in dev
    let cluster_admin_refused = || {
        assert_refused(
            &dev(
                &c,
                &[
                    "-n",
                    "dev",
                    "create",
                    "rolebinding",
                    "root",
                    "--clusterrole=cluster-admin",
                    "--user=developer",
                ],
            ),
            &format!(
                "error: failed to create rolebinding: {}",
                escalation(
                    "rolebindings",
                    "root",
                    &[
                        r#"{APIGroups:["*"], Resources:["*"], Verbs:["*"]}"#,
                        r#"{NonResourceURLs:["*"], Verbs:["*"]}"#
                    ]
                )
            ),
        )
    };
    cluster_admin_refused();
    // binding a role that grants an SCC (what `oc adm policy add-scc-to-user` creates), also
    // through server-side apply
    c.file(
        "scc-role.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: \"system:openshift:scc:anyuid\"}\nrules:\n- {apiGroups: [security.openshift.io], resources: [securitycontextconstraints], resourceNames: [anyuid], verbs: [use]}\n",
    );
    c.k(&[
        "apply",
        "-f",
        &c.dir.join("scc-role.yaml").to_string_lossy(),
    ]);
    let binding = c.file(
        "scc-binding.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: \"system:openshift:scc:anyuid\", namespace: dev}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: \"system:openshift:scc:anyuid\"}\nsubjects:\n- {kind: ServiceAccount, name: zk, namespace: dev}\n",
    );
    let scc_refusal = escalation(
        "rolebindings",
        "system:openshift:scc:anyuid",
        &[
            r#"{APIGroups:["security.openshift.io"], Resources:["securitycontextconstraints"], ResourceNames:["anyuid"], Verbs:["use"]}"#,
        ],
    );
    assert_refused(
        &dev(&c, &["create", "-f", &binding]),
        &format!("Error from server (Forbidden): error when creating \"{binding}\": {scc_refusal}"),
    );
    assert_refused(
        &dev(&c, &["apply", "--server-side", "-f", &binding]),
        &format!("Error from server (Forbidden): {scc_refusal}"),
    );
    // a role with a right it lacks; one with rights it holds
    let r = dev(
        &c,
        &[
            "-n",
            "dev",
            "create",
            "role",
            "nodes",
            "--verb=get",
            "--resource=nodes",
        ],
    );
    assert_refused(
        &r,
        &format!(
            "Error from server (Forbidden): {}",
            escalation(
                "roles",
                "nodes",
                &[r#"{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}"#]
            )
        ),
    );
    dev_ok(
        &c,
        &[
            "-n",
            "dev",
            "create",
            "role",
            "pod-reader",
            "--verb=get,list",
            "--resource=pods",
        ],
    );
    // binding what it holds itself is fine
    assert_eq!(
        dev_ok(
            &c,
            &[
                "-n",
                "dev",
                "create",
                "rolebinding",
                "alice-admin",
                "--clusterrole=admin",
                "--user=alice",
            ],
        ),
        "rolebinding.rbac.authorization.k8s.io/alice-admin created\n"
    );
    // a binding to a role that does not exist is a 404
    assert_refused(
        &dev(
            &c,
            &[
                "-n",
                "dev",
                "create",
                "rolebinding",
                "x",
                "--clusterrole=nosuch",
                "--user=alice",
            ],
        ),
        r#"error: failed to create rolebinding: clusterroles.rbac.authorization.k8s.io "nosuch" not found"#,
    );
    // once the admin lets it `bind` that role in dev, the grant goes through
    c.k(&[
        "-n",
        "dev",
        "create",
        "role",
        "bind-anyuid",
        "--verb=bind",
        "--resource=clusterroles.rbac.authorization.k8s.io",
        "--resource-name=system:openshift:scc:anyuid",
    ]);
    c.k(&[
        "-n",
        "dev",
        "create",
        "rolebinding",
        "developer-bind-anyuid",
        "--role=bind-anyuid",
        "--user=developer",
    ]);
    assert_eq!(
        dev_ok(&c, &["create", "-f", &binding]),
        "rolebinding.rbac.authorization.k8s.io/system:openshift:scc:anyuid created\n"
    );
    // ...but only that role
    cluster_admin_refused();
    // the admin grants anything
    assert_eq!(
        c.k(&[
            "-n",
            "dev",
            "create",
            "rolebinding",
            "root",
            "--clusterrole=cluster-admin",
            "--user=bob",
        ]),
        "rolebinding.rbac.authorization.k8s.io/root created\n"
    );
    // A binding's roleRef never changes, not even for the admin.
    let r = c.kubectl(&[
        "-n",
        "dev",
        "patch",
        "rolebinding",
        "root",
        "--type=merge",
        "-p",
        r#"{"roleRef":{"name":"view"}}"#,
    ]);
    assert_refused(
        &r,
        r#"The RoleBinding "root" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"view"}: cannot change roleRef"#,
    );
}

#[test]
fn access_reviews_answer_truthfully() {
    let c = TestCluster::start_builtin();
    let can = |ctx: &str, args: &[&str]| {
        let mut all = vec!["--context", ctx, "auth", "can-i"];
        all.extend_from_slice(args);
        let r = c.kubectl(&all);
        (r.code, r.stdout)
    };
    let no = (1, "no\n".to_string());
    let yes = (0, "yes\n".to_string());
    assert_eq!(can(DEV, &["list", "pods"]), no);
    assert_eq!(can("testcluster", &["list", "pods"]), yes);
    assert_eq!(can("testcluster", &["delete", "nodes"]), yes);
    assert_eq!(can(DEV, &["create", "pods", "-n", "dev"]), no);
    make_developer_admin_of_dev(&c);
    assert_eq!(can(DEV, &["create", "pods", "-n", "dev"]), yes);
    assert_eq!(
        can(DEV, &["create", "pods", "--subresource=exec", "-n", "dev"]),
        yes
    );
    assert_eq!(
        can(DEV, &["get", "pods", "--subresource=log", "-n", "dev"]),
        yes
    );
    assert_eq!(can(DEV, &["update", "statefulsets.apps", "-n", "dev"]), yes);
    assert_eq!(can(DEV, &["create", "pods", "-n", "default"]), no);
    assert_eq!(can(DEV, &["list", "nodes"]), no);
    assert_eq!(can(DEV, &["get", "/api"]), yes);
    assert_eq!(can(DEV, &["get", "/logs"]), no);
    let list = dev_ok(&c, &["auth", "can-i", "--list", "-n", "dev"]);
    assert!(
        list.lines()
            .any(|l| l.starts_with("pods/exec ") && l.contains(" create ")),
        "{list}"
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let client = |ctx: &str| {
            let ctx = ctx.to_string();
            let path = c.kubeconfig.clone();
            async move {
                let kc = kube::config::Kubeconfig::read_from(&path).expect("kubeconfig");
                let opts = kube::config::KubeConfigOptions {
                    context: Some(ctx),
                    ..Default::default()
                };
                let config = kube::Config::from_custom_kubeconfig(kc, &opts)
                    .await
                    .expect("config");
                kube::Client::try_from(config).expect("client")
            }
        };
        let developer = client(DEV).await;
        let attrs = |ns: &str, verb: &str, resource: &str| ResourceAttributes {
            namespace: Some(ns.into()),
            verb: Some(verb.into()),
            resource: Some(resource.into()),
            ..Default::default()
        };
        let ssar = |a: ResourceAttributes| SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(a),
                ..Default::default()
            },
            ..Default::default()
        };
        let reviews: Api<SelfSubjectAccessReview> = Api::all(developer.clone());
        let st = reviews
            .create(&PostParams::default(), &ssar(attrs("dev", "delete", "pods")))
            .await
            .expect("SelfSubjectAccessReview")
            .status
            .expect("status");
        assert!(st.allowed, "{st:?}");
        assert_eq!(
            st.reason.as_deref(),
            Some(
                r#"RBAC: allowed by RoleBinding "developer-admin/dev" of ClusterRole "admin" to User "developer""#
            )
        );
        assert_eq!(st.denied, None);
        let st = reviews
            .create(
                &PostParams::default(),
                &ssar(attrs("default", "get", "secrets")),
            )
            .await
            .expect("SelfSubjectAccessReview")
            .status
            .expect("status");
        assert!(!st.allowed && st.reason.is_none(), "{st:?}");
        // a SubjectAccessReview is for those who may create one: the admin, not the developer
        let sar = SubjectAccessReview {
            spec: SubjectAccessReviewSpec {
                user: Some("developer".into()),
                groups: Some(vec!["system:authenticated".into()]),
                resource_attributes: Some(attrs("dev", "list", "pods")),
                ..Default::default()
            },
            ..Default::default()
        };
        let admin: Api<SubjectAccessReview> = Api::all(client("testcluster").await);
        let st = admin
            .create(&PostParams::default(), &sar)
            .await
            .expect("SubjectAccessReview")
            .status
            .expect("status");
        assert!(st.allowed, "{st:?}");
        let err = Api::<SubjectAccessReview>::all(developer)
            .create(&PostParams::default(), &sar)
            .await
            .expect_err("the developer may not create SubjectAccessReviews");
        match err {
            kube::Error::Api(s) => {
                assert_eq!(s.code, 403);
                assert_eq!(
                    s.message,
                    r#"subjectaccessreviews.authorization.k8s.io is forbidden: User "developer" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope"#
                );
            }
            other => panic!("expected a 403, got {other:?}"),
        }
    });
}
