//! Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/{group}[/{version}]`.

use super::resources::Served;
use serde_json::{Value, json};

pub const SERVER_MAJOR: &str = "1";
pub const SERVER_MINOR: &str = "33";

pub fn version() -> Value {
    json!({
        "major": SERVER_MAJOR, "minor": SERVER_MINOR,
        "emulationMajor": SERVER_MAJOR, "emulationMinor": SERVER_MINOR,
        "minCompatibilityMajor": "1", "minCompatibilityMinor": "32",
        "gitVersion": format!("v{SERVER_MAJOR}.{SERVER_MINOR}.0-testcluster"),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2025-04-23T00:00:00Z",
        "goVersion": "go1.24.2", "compiler": "gc", "platform": "linux/amd64"
    })
}

pub fn api_versions(server_addr: &str) -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_addr}]})
}

fn group_entry(g: &str, v: &str) -> Value {
    let gv = format!("{g}/{v}");
    json!({"name": g, "versions": [{"groupVersion": gv, "version": v}], "preferredVersion": {"groupVersion": gv, "version": v}})
}

pub fn api_group_list(served: Served) -> Value {
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": served.groups().map(|(g, v)| group_entry(g, v)).collect::<Vec<_>>()})
}

pub fn api_group(served: Served, g: &str) -> Option<Value> {
    let (g, v) = served.groups().find(|(x, _)| *x == g)?;
    let mut e = group_entry(g, v);
    e["kind"] = json!("APIGroup");
    e["apiVersion"] = json!("v1");
    Some(e)
}

fn sub_entry(plural: &str, kind: &str, namespaced: bool, sub: &str) -> Value {
    let (kind, verbs, group_version): (&str, Vec<&str>, Option<(&str, &str)>) = match sub {
        "status" => (kind, vec!["get", "patch", "update"], None),
        "scale" => (
            "Scale",
            vec!["get", "patch", "update"],
            Some(("autoscaling", "v1")),
        ),
        "eviction" => ("Eviction", vec!["create"], Some(("policy", "v1"))),
        "exec" => ("PodExecOptions", vec!["create", "get"], None),
        "attach" => ("PodAttachOptions", vec!["create", "get"], None),
        "portforward" => ("PodPortForwardOptions", vec!["create", "get"], None),
        "proxy" => (
            if plural == "nodes" {
                "NodeProxyOptions"
            } else if plural == "services" {
                "ServiceProxyOptions"
            } else {
                "PodProxyOptions"
            },
            vec!["create", "delete", "get", "patch", "update"],
            None,
        ),
        "log" => ("Pod", vec!["get"], None),
        "binding" => ("Binding", vec!["create"], None),
        "finalize" => ("Namespace", vec!["update"], None),
        "token" => (
            "TokenRequest",
            vec!["create"],
            Some(("authentication.k8s.io", "v1")),
        ),
        _ => (kind, vec!["get"], None),
    };
    let mut e = json!({"name": format!("{plural}/{sub}"), "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": verbs});
    if let Some((g, v)) = group_version {
        e["group"] = json!(g);
        e["version"] = json!(v);
    }
    e
}

/// The APIResourceList of one group version, or None when not served.
pub fn resource_list(served: Served, group: &str, version: &str) -> Option<Value> {
    if !served.group_served(group, version) {
        return None;
    }
    let mut out = Vec::new();
    for r in served
        .resources()
        .filter(|r| r.group == group && r.version == version)
    {
        let mut e = json!({"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind, "verbs": super::resources::verbs(r)});
        if !r.short_names.is_empty() {
            e["shortNames"] = json!(r.short_names);
        }
        if !r.categories.is_empty() {
            e["categories"] = json!(r.categories);
        }
        out.push(e);
        for sub in r.subresources {
            out.push(sub_entry(r.plural, r.kind, r.namespaced, sub));
        }
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}),
    )
}
