//! One translation of API and transport errors into one line a person can act on: forbidden
//! (who may not do what, where, and the `kubectl auth can-i` line to check), unauthorized,
//! unreachable (the server and the cause: refused, timed out, name not found), TLS (not
//! trusted, wrong host), timeouts, kubeconfig trouble. Every error printed — at the top as
//! `kubectl-zk: …`, and in a member's `error` — goes through [`one_line`], so kube's
//! `Status { … }` Debug dump and the causes that libraries repeat in their own messages never
//! reach the user.

use std::error::Error as StdError;
use std::sync::OnceLock;
use std::time::Duration;

use kube::config::KubeconfigError;

/// The API server and request timeout in use, set once the kubeconfig is loaded, so that
/// an unreachable server can be named.
static SERVER: OnceLock<(String, Duration)> = OnceLock::new();

/// Remembers the API server URL and the request timeout (`0` = none) for error messages.
pub fn remember_server(url: &str, timeout: Duration) {
    let _ = SERVER.set((url.trim_end_matches('/').to_owned(), timeout));
}

fn server() -> String {
    SERVER
        .get()
        .map(|(url, _)| format!("the API server {url}"))
        .unwrap_or_else(|| "the API server".to_owned())
}

/// The error as one line: the context that was added on the way up (what was being done, on
/// which object), then the translated cause, each said once.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        if let Some(translated) = translate(cause) {
            parts.push(translated);
            break;
        }
        parts.push(cause.to_string());
    }
    join_unrepeated(parts)
}

/// A kube error as one line (for places that hold a `kube::Error`, not an `anyhow::Error`).
pub fn kube_line(err: &kube::Error) -> String {
    translate(err).unwrap_or_else(|| join_unrepeated(chain_of(err)))
}

/// The displays of an error and its sources.
fn chain_of(err: &(dyn StdError + 'static)) -> Vec<String> {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    parts
}

/// Joins with `: `, saying each thing once: a part already said by an earlier one is dropped
/// (libraries put their source's message into their own), and a part that repeats an earlier
/// one and says more replaces it.
fn join_unrepeated(parts: Vec<String>) -> String {
    let mut kept: Vec<String> = Vec::new();
    for part in parts {
        let part = part.trim().to_owned();
        if part.is_empty() || kept.iter().any(|k| k.contains(&part)) {
            continue;
        }
        kept.retain(|k| !part.contains(k.as_str()));
        kept.push(part);
    }
    kept.join(": ")
}

/// The translation of a known error type, or `None` to keep its own message.
fn translate(cause: &(dyn StdError + 'static)) -> Option<String> {
    if let Some(err) = cause.downcast_ref::<kube::Error>() {
        return Some(match err {
            kube::Error::Api(status) => api_status(status),
            kube::Error::InferKubeconfig(err) => kubeconfig(err),
            other => transport(other),
        });
    }
    if let Some(err) = cause.downcast_ref::<KubeconfigError>() {
        return Some(kubeconfig(err));
    }
    if cause.downcast_ref::<std::io::Error>().is_some() {
        return Some(transport(cause));
    }
    None
}

/// An answer of the API server (`Status`), by its code.
fn api_status(status: &kube::core::Status) -> String {
    match status.code {
        401 => format!(
            "unauthorized: {} did not accept the credentials (expired, or the wrong context); log in again or pick another --context",
            server()
        ),
        403 => forbidden(&status.message),
        _ if status.message.is_empty() => format!("{} ({})", status.reason, status.code),
        _ => status.message.clone(),
    }
}

/// A 403 as who may not do what, where, and how to check:
/// `pods "zk-0" is forbidden: User "u" cannot create resource "pods/exec" in API group "" in
/// the namespace "ns"` → `forbidden: user u may not create pods/exec in namespace ns; check
/// with `kubectl auth can-i create pods/exec -n ns``.
pub fn forbidden(message: &str) -> String {
    let between = |start: &str, end: &str| -> Option<String> {
        let from = message.find(start)? + start.len();
        let len = message[from..].find(end)?;
        Some(message[from..from + len].to_owned())
    };
    let (Some(user), Some(verb), Some(resource)) = (
        between("User \"", "\""),
        between("\" cannot ", " resource"),
        between("resource \"", "\""),
    ) else {
        return format!("forbidden: {message}");
    };
    let group = between("in API group \"", "\"").unwrap_or_default();
    let qualified = if group.is_empty() {
        resource
    } else {
        match resource.split_once('/') {
            Some((plural, sub)) => format!("{plural}.{group}/{sub}"),
            None => format!("{resource}.{group}"),
        }
    };
    match between("in the namespace \"", "\"") {
        Some(ns) => format!(
            "forbidden: user {user} may not {verb} {qualified} in namespace {ns}; check with `kubectl auth can-i {verb} {qualified} -n {ns}`"
        ),
        None => format!(
            "forbidden: user {user} may not {verb} {qualified} at cluster scope; check with `kubectl auth can-i {verb} {qualified}`"
        ),
    }
}

/// A denied or failed optional read, named: `not checked: forbidden to list
/// persistentvolumeclaims in namespace kafka (check with `kubectl auth can-i list
/// persistentvolumeclaims -n kafka`)`. The caller then claims nothing about what it would
/// have read.
pub fn not_checked(err: &kube::Error, resource: &str, namespace: &str) -> String {
    match err {
        kube::Error::Api(status) if status.code == 403 => format!(
            "not checked: forbidden to list {resource} in namespace {namespace} (check with `kubectl auth can-i list {resource} -n {namespace}`)"
        ),
        other => format!(
            "not checked: cannot list {resource} in namespace {namespace}: {}",
            kube_line(other)
        ),
    }
}

/// The kubeconfig could not be used.
fn kubeconfig(err: &KubeconfigError) -> String {
    match err {
        KubeconfigError::LoadContext(name) => format!(
            "context {name} is not in the kubeconfig; list the contexts with `kubectl config get-contexts`"
        ),
        KubeconfigError::LoadClusterOfContext(name) => format!(
            "cluster {name} is not in the kubeconfig; list them with `kubectl config get-clusters`"
        ),
        KubeconfigError::CurrentContextNotSet => {
            "the kubeconfig sets no current context; pick one with --context".to_owned()
        }
        KubeconfigError::ReadConfig(io, path) => {
            format!("cannot read kubeconfig {}: {}", path.display(), io_kind(io))
        }
        KubeconfigError::Parse(err) => format!("the kubeconfig is not valid YAML: {err}"),
        other => join_unrepeated(chain_of(other)),
    }
}

/// A connection that failed below HTTP: refused, timed out, name not found, TLS.
fn transport(err: &(dyn StdError + 'static)) -> String {
    let chain = chain_of(err);
    let text = chain.join(" | ");
    let io = io_error(err);
    let timeout = SERVER
        .get()
        .map(|(_, t)| *t)
        .filter(|t| !t.is_zero())
        .map(|t| format!(" within {}s (--request-timeout)", t.as_secs_f64()))
        .unwrap_or_default();
    if text.contains("UnknownIssuer") || text.contains("certificate not trusted") {
        return format!(
            "TLS: the certificate of {} is not trusted (signed by an unknown authority); check certificate-authority-data in the kubeconfig",
            server()
        );
    }
    if text.contains("NotValidForName") || text.contains("not valid for name") {
        return format!(
            "TLS: the certificate of {} is not valid for its host name; check the server address in the kubeconfig",
            server()
        );
    }
    if text.contains("invalid peer certificate") || text.contains("InvalidCertificate") {
        let detail = chain
            .iter()
            .find(|c| c.contains("invalid peer certificate"))
            .cloned()
            .unwrap_or_default();
        return format!(
            "TLS: {} presented a certificate that is rejected ({detail})",
            server()
        );
    }
    if text.contains("dns error") || text.contains("failed to lookup address") {
        return format!(
            "unreachable: the name of {} is not found (DNS); check the server address in the kubeconfig",
            server()
        );
    }
    match io.map(std::io::Error::kind) {
        Some(std::io::ErrorKind::ConnectionRefused) => {
            return format!(
                "unreachable: {} refused the connection (nothing listens there; is the cluster up, the context right?)",
                server()
            );
        }
        Some(std::io::ErrorKind::TimedOut) => {
            return format!("timeout: {} did not answer{timeout}", server());
        }
        _ => {}
    }
    if text.contains("elapsed") || text.contains("timed out") || text.contains("deadline") {
        return format!("timeout: {} did not answer{timeout}", server());
    }
    if text.contains("connection reset") || text.contains("Connection reset") {
        return format!("unreachable: {} reset the connection", server());
    }
    join_unrepeated(chain)
}

/// The innermost `io::Error` of a chain.
fn io_error<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a std::io::Error> {
    let mut found = None;
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(cause) = current {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            found = Some(io);
        }
        current = cause.source();
    }
    found
}

/// An I/O error's message without its OS error number.
fn io_kind(io: &std::io::Error) -> String {
    let text = io.to_string();
    match text.find(" (os error") {
        Some(end) => text[..end].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, reason: &str, message: &str) -> kube::Error {
        kube::Error::Api(Box::new(
            serde_json::from_value(serde_json::json!({
                "status": "Failure", "code": code, "reason": reason, "message": message
            }))
            .expect("status"),
        ))
    }

    #[test]
    fn a_forbidden_list_names_user_verb_resource_namespace_and_the_check() {
        let err = anyhow::Error::new(status(
            403,
            "Forbidden",
            r#"statefulsets.apps is forbidden: User "developer" cannot list resource "statefulsets" in API group "apps" in the namespace "default""#,
        ))
        .context("cannot list StatefulSets in namespace default");
        let line = one_line(&err);
        assert_eq!(
            line,
            "cannot list StatefulSets in namespace default: forbidden: user developer may not list statefulsets.apps in namespace default; check with `kubectl auth can-i list statefulsets.apps -n default`"
        );
        assert!(!line.contains("Status {") && !line.contains("ApiError"));
    }

    #[test]
    fn subresources_and_cluster_scope() {
        assert_eq!(
            forbidden(
                r#"pods "zk-0" is forbidden: User "developer" cannot create resource "pods/exec" in API group "" in the namespace "dev""#
            ),
            "forbidden: user developer may not create pods/exec in namespace dev; check with `kubectl auth can-i create pods/exec -n dev`"
        );
        assert_eq!(
            forbidden(
                r#"nodes is forbidden: User "developer" cannot list resource "nodes" in API group "" at the cluster scope"#
            ),
            "forbidden: user developer may not list nodes at cluster scope; check with `kubectl auth can-i list nodes`"
        );
        assert_eq!(forbidden("no"), "forbidden: no");
    }

    #[test]
    fn unauthorized_and_other_answers() {
        let line = kube_line(&status(401, "Unauthorized", "Unauthorized"));
        assert!(line.starts_with("unauthorized: "), "{line}");
        assert!(line.contains("--context"), "{line}");
        assert_eq!(
            kube_line(&status(404, "NotFound", r#"pods "zk-9" not found"#)),
            r#"pods "zk-9" not found"#
        );
    }

    #[test]
    fn a_missing_context_and_an_unreadable_kubeconfig() {
        let err = anyhow::Error::new(KubeconfigError::LoadContext("nope".into()))
            .context("cannot use kubeconfig /tmp/kc");
        assert_eq!(
            one_line(&err),
            "cannot use kubeconfig /tmp/kc: context nope is not in the kubeconfig; list the contexts with `kubectl config get-contexts`"
        );
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let err = anyhow::Error::new(KubeconfigError::ReadConfig(io, "/nonexistent".into()));
        let line = one_line(&err);
        assert_eq!(
            line,
            "cannot read kubeconfig /nonexistent: entity not found"
        );
    }

    #[test]
    fn refused_connections_say_it_once() {
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let err = anyhow::Error::new(io).context("cannot list pods");
        let line = one_line(&err);
        assert!(
            line.starts_with("cannot list pods: unreachable: the API server")
                && line.contains("refused"),
            "{line}"
        );
        assert_eq!(
            join_unrepeated(vec![
                "client error (Connect)".into(),
                "client error (Connect)".into(),
                "tcp connect error".into()
            ]),
            "client error (Connect): tcp connect error"
        );
    }
}
