//! The upstream control plane as users see it: the real server version, health, Ready nodes
//! with the node agent's version, and the real RBAC — through kubectl 1.33, 1.30 and the 1.37
//! built with the control plane.

mod common;

use common::{TestCluster, rows};

#[test]
fn kubectl_sees_a_real_v1_37_control_plane_with_ready_nodes_and_real_rbac() {
    let c = TestCluster::start();
    let version: serde_json::Value =
        serde_json::from_str(&c.k(&["version", "-o", "json"])).expect("kubectl version -o json");
    let server = version["serverVersion"]["gitVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(server.starts_with("v1.37."), "{version}");
    assert_eq!(c.k(&["get", "--raw", "/livez"]).trim(), "ok");

    for kubectl in ["1.33", "1.30", "1.37"] {
        let r = c.kubectl_v(kubectl, &["get", "nodes"]);
        assert!(r.ok, "kubectl {kubectl}: {}", r.stderr);
        let nodes = rows(&r.stdout);
        assert_eq!(nodes.len(), 4, "{}", r.stdout);
        for n in &nodes {
            assert_eq!(n["STATUS"], "Ready", "kubectl {kubectl}: {}", r.stdout);
            assert_eq!(
                n["VERSION"],
                format!("{server}-testcluster"),
                "{}",
                r.stdout
            );
        }
    }
    let internal_ips = c.k(&[
        "get",
        "nodes",
        "-o",
        "jsonpath={.items[*].status.addresses[?(@.type==\"InternalIP\")].address}",
    ]);
    let ips: std::collections::BTreeSet<&str> = internal_ips.split_whitespace().collect();
    assert_eq!(
        ips.len(),
        4,
        "each node has its own InternalIP: {internal_ips}"
    );

    // RBAC is the real authorizer's: the developer may do nothing until bound.
    let can = |ns: &str| {
        c.kubectl(&[
            "auth",
            "can-i",
            "list",
            "pods",
            "-n",
            ns,
            "--context",
            "testcluster-developer",
        ])
        .stdout
        .trim()
        .to_string()
    };
    assert_eq!(can("default"), "no");
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
    assert_eq!(can("dev"), "yes");
    assert_eq!(can("default"), "no");
    let denied = c.kubectl(&[
        "get",
        "pods",
        "-n",
        "default",
        "--context",
        "testcluster-developer",
    ]);
    assert!(!denied.ok);
    assert!(
        denied.stderr.contains(
            "pods is forbidden: User \"developer\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
        ),
        "{}",
        denied.stderr
    );
}
