//! Server-side table columns of OpenShift's kinds, as `oc get` shows them: the CRD printer
//! columns of SecurityContextConstraints and ClusterVersion, and openshift-apiserver's printers
//! of projects and routes.

use crate::util::{self, age_of, arr, s};
use serde_json::{Value, json};

fn col(name: &str, ty: &str, format: &str, description: &str) -> Value {
    json!({"name": name, "type": ty, "format": format, "description": description, "priority": 0})
}

/// Whether this module has the columns of `kind`.
pub fn has(kind: &str) -> bool {
    matches!(
        kind,
        "SecurityContextConstraints" | "ClusterVersion" | "Project" | "Route"
    )
}

/// Column definitions of `kind` (one of [`has`]'s).
pub fn columns(kind: &str) -> Vec<Value> {
    let name = col(
        "Name",
        "string",
        "name",
        "Name must be unique within a namespace.",
    );
    match kind {
        "SecurityContextConstraints" => vec![
            name,
            col(
                "Priv",
                "string",
                "",
                "Determines if a container can request to be run as privileged",
            ),
            col(
                "Caps",
                "string",
                "",
                "A list of capabilities that can be requested to add to the container",
            ),
            col(
                "SELinux",
                "string",
                "",
                "Strategy that will dictate what labels will be set in the SecurityContext",
            ),
            col(
                "RunAsUser",
                "string",
                "",
                "Strategy that will dictate what RunAsUser is used in the SecurityContext",
            ),
            col(
                "FSGroup",
                "string",
                "",
                "Strategy that will dictate what fs group is used by the SecurityContext",
            ),
            col(
                "SupGroup",
                "string",
                "",
                "Strategy that will dictate what supplemental groups are used by the SecurityContext",
            ),
            col("Priority", "string", "", "Sort order of SCCs"),
            col(
                "ReadOnlyRootFS",
                "string",
                "",
                "Force containers to run with a read only root file system",
            ),
            col(
                "Volumes",
                "string",
                "",
                "White list of allowed volume plugins",
            ),
        ],
        "ClusterVersion" => vec![
            name,
            col("Version", "string", "", ""),
            col("Available", "string", "", ""),
            col("Progressing", "string", "", ""),
            col("Since", "date", "", ""),
            col("Status", "string", "", ""),
        ],
        "Project" => vec![
            name,
            col(
                "Display Name",
                "string",
                "",
                "The user-friendly display name of the project",
            ),
            col("Status", "string", "", "The project status"),
        ],
        _ => vec![
            name,
            col(
                "Host/Port",
                "string",
                "",
                "The host name and port of the route",
            ),
            col("Path", "string", "", "The path the route matches"),
            col(
                "Services",
                "string",
                "",
                "The services the route sends traffic to",
            ),
            col("Port", "string", "", "The target port"),
            col("Termination", "string", "", "The TLS termination"),
            col("Wildcard", "string", "", "The wildcard policy"),
        ],
    }
}

/// A CRD printer column cell of type string, as the API server prints a JSONPath result: a
/// missing field is no cell, null is `<no value>`, lists and objects are JSON.
fn jsonpath_cell(v: Option<&Value>) -> Value {
    match v {
        None => Value::Null,
        Some(Value::Null) => json!("<no value>"),
        Some(Value::String(x)) => json!(x),
        Some(other) => json!(other.to_string()),
    }
}

/// The condition of `type` in `status.conditions`.
fn condition<'a>(o: &'a Value, ctype: &str) -> Option<&'a Value> {
    arr(o, &["status", "conditions"])
        .iter()
        .find(|c| s(c, &["type"]) == ctype)
}

/// The cells of one row of `kind`.
pub fn cells(kind: &str, o: &Value) -> Vec<Value> {
    let name = json!(util::name(o));
    match kind {
        "SecurityContextConstraints" => {
            let mut row = vec![name];
            for path in [
                &["allowPrivilegedContainer"][..],
                &["allowedCapabilities"],
                &["seLinuxContext", "type"],
                &["runAsUser", "type"],
                &["fsGroup", "type"],
                &["supplementalGroups", "type"],
                &["priority"],
                &["readOnlyRootFilesystem"],
                &["volumes"],
            ] {
                row.push(jsonpath_cell(util::get(o, path)));
            }
            row
        }
        "ClusterVersion" => {
            let version = arr(o, &["status", "history"])
                .iter()
                .find(|h| s(h, &["state"]) == "Completed")
                .map(|h| json!(s(h, &["version"])))
                .unwrap_or(Value::Null);
            let progressing = condition(o, "Progressing");
            vec![
                name,
                version,
                jsonpath_cell(condition(o, "Available").and_then(|c| c.get("status"))),
                jsonpath_cell(progressing.and_then(|c| c.get("status"))),
                progressing
                    .and_then(|c| c.get("lastTransitionTime"))
                    .and_then(Value::as_str)
                    .map(|t| json!(age_of(t)))
                    .unwrap_or(Value::Null),
                jsonpath_cell(progressing.and_then(|c| c.get("message"))),
            ]
        }
        "Project" => vec![
            name,
            json!(s(
                o,
                &["metadata", "annotations", "openshift.io/display-name"]
            )),
            json!(s(o, &["status", "phase"])),
        ],
        _ => {
            let spec = o.get("spec").cloned().unwrap_or(json!({}));
            let mut backends = vec![spec.get("to").cloned().unwrap_or(json!({}))];
            backends.extend(arr(&spec, &["alternateBackends"]).iter().cloned());
            let weight = |b: &Value| b.get("weight").and_then(Value::as_i64);
            let total: i64 = backends.iter().filter_map(weight).sum();
            let services: Vec<String> = backends
                .iter()
                .map(|b| {
                    let n = s(b, &["name"]);
                    match weight(b) {
                        None => n.to_string(),
                        Some(_) if backends.len() == 1 && total != 0 => n.to_string(),
                        Some(_) if total == 0 => format!("{n}(0%)"),
                        Some(w) => format!("{n}({}%)", w * 100 / total),
                    }
                })
                .collect();
            let port = match spec.pointer("/port/targetPort") {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::String(p)) => p.clone(),
                _ => "<all>".into(),
            };
            let term = s(&spec, &["tls", "termination"]);
            let insecure = s(&spec, &["tls", "insecureEdgeTerminationPolicy"]);
            let policy = match (term.is_empty(), insecure.is_empty()) {
                (false, false) => format!("{term}/{insecure}"),
                (false, true) => term.to_string(),
                _ => String::new(),
            };
            vec![
                name,
                json!(s(&spec, &["host"])),
                json!(s(&spec, &["path"])),
                json!(services.join(",")),
                json!(port),
                json!(policy),
                json!(s(&spec, &["wildcardPolicy"])),
            ]
        }
    }
}
