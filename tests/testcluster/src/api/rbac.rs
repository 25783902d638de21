//! RBAC authorization as the Kubernetes API server does it: users and groups, the rules of the
//! Roles, ClusterRoles and their bindings in the store, the `system:masters` superuser group,
//! Forbidden bodies worded as the real server words them, and the escalation check that keeps a
//! user from granting (through a role or a binding) rights it does not hold.
//!
//! Every request is checked by scanning the store's bindings: no cache, so a new binding takes
//! effect on the next request.

use super::errors::{ApiError, ApiResult};
use super::resources::ResourceDef;
use super::store::Store;
use crate::util;
use serde_json::{Value, json};

/// The API group of Roles, ClusterRoles and their bindings.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
/// The group whose members may do anything (the real server's privileged-group authorizer).
pub const MASTERS_GROUP: &str = "system:masters";
/// The group of every authenticated user.
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";

pub(crate) const ROLES: &str = "roles.rbac.authorization.k8s.io";
pub(crate) const CLUSTERROLES: &str = "clusterroles.rbac.authorization.k8s.io";
pub(crate) const ROLEBINDINGS: &str = "rolebindings.rbac.authorization.k8s.io";
pub(crate) const CLUSTERROLEBINDINGS: &str = "clusterrolebindings.rbac.authorization.k8s.io";

/// Who makes a request: a user name and its groups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    /// `system:serviceaccount:NS:NAME` with groups `system:serviceaccounts`,
    /// `system:serviceaccounts:NS`, `system:authenticated`.
    pub fn service_account(namespace: &str, name: &str) -> UserInfo {
        UserInfo {
            name: format!("system:serviceaccount:{namespace}:{name}"),
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{namespace}"),
                AUTHENTICATED_GROUP.into(),
            ],
        }
    }

    fn is_master(&self) -> bool {
        self.groups.iter().any(|g| g == MASTERS_GROUP)
    }
}

/// What a resource request asks to do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes {
    pub verb: String,
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    /// "" = cluster scope
    pub namespace: String,
    /// "" = none
    pub name: String,
}

/// The answer of the authorizer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// `RBAC: allowed by …` when allowed by a binding; empty for `system:masters` and for a plain
    /// denial; `RBAC: <errors>` when a binding that applies refers to a missing role.
    pub reason: String,
}

/// A request as the authorizer sees it: on a resource, or on a plain path (discovery, health,
/// OpenAPI).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    Resource(Attributes),
    NonResource { verb: String, path: String },
}

tokio::task_local! {
    /// The authenticated user of the request being served (absent for the controllers' writes).
    pub static REQUEST_USER: UserInfo;
}

/// The user of the request being served, if the current task serves one.
pub fn current_user() -> Option<UserInfo> {
    REQUEST_USER.try_with(Clone::clone).ok()
}

/// Whether `user` may do what `attrs` describe.
pub fn authorize(store: &Store, user: &UserInfo, attrs: &Attributes) -> Decision {
    decide(store, user, &Access::Resource(attrs.clone()))
}

/// Whether `user` may send `verb` (the lower-case HTTP method) to a non-resource `path`.
pub fn authorize_non_resource(store: &Store, user: &UserInfo, verb: &str, path: &str) -> Decision {
    decide(
        store,
        user,
        &Access::NonResource {
            verb: verb.into(),
            path: path.into(),
        },
    )
}

/// Authorizes any access.
pub fn decide(store: &Store, user: &UserInfo, access: &Access) -> Decision {
    if user.is_master() {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    let namespace = match access {
        Access::Resource(a) => a.namespace.as_str(),
        Access::NonResource { .. } => "",
    };
    let resolved = rules_for(store, user, namespace);
    for grant in &resolved.grants {
        if grant.rules.iter().any(|r| r.allows(access)) {
            return Decision {
                allowed: true,
                reason: format!("RBAC: allowed by {}", grant.source),
            };
        }
    }
    Decision {
        allowed: false,
        reason: if resolved.errors.is_empty() {
            String::new()
        } else {
            format!("RBAC: {}", aggregate(&resolved.errors))
        },
    }
}

/// One policy rule of a Role or ClusterRole.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn strings(v: &Value, field: &str) -> Vec<String> {
    util::arr(v, &[field])
        .iter()
        .filter_map(|s| s.as_str().map(String::from))
        .collect()
}

fn has(set: &[String], x: &str) -> bool {
    set.iter().any(|s| s == x)
}

fn has_all(set: &[String], wanted: &[String]) -> bool {
    wanted.iter().all(|w| has(set, w))
}

fn url_matches(rule_url: &str, path: &str) -> bool {
    rule_url == "*"
        || rule_url == path
        || (rule_url.ends_with('*') && path.starts_with(rule_url.trim_end_matches('*')))
}

impl Rule {
    /// A rule from its JSON form (`verbs`, `apiGroups`, `resources`, `resourceNames`,
    /// `nonResourceURLs`).
    pub fn from_json(v: &Value) -> Rule {
        Rule {
            verbs: strings(v, "verbs"),
            api_groups: strings(v, "apiGroups"),
            resources: strings(v, "resources"),
            resource_names: strings(v, "resourceNames"),
            non_resource_urls: strings(v, "nonResourceURLs"),
        }
    }

    /// Whether this rule allows the access (RBAC's `RuleAllows`).
    pub fn allows(&self, access: &Access) -> bool {
        let verb_ok = |verb: &str| has(&self.verbs, "*") || has(&self.verbs, verb);
        match access {
            Access::Resource(a) => {
                let combined = if a.subresource.is_empty() {
                    a.resource.clone()
                } else {
                    format!("{}/{}", a.resource, a.subresource)
                };
                let resource_ok = self.resources.iter().any(|r| {
                    r == "*"
                        || *r == combined
                        || (!a.subresource.is_empty()
                            && r.strip_prefix("*/") == Some(a.subresource.as_str()))
                });
                let name_ok = self.resource_names.is_empty() || has(&self.resource_names, &a.name);
                verb_ok(&a.verb)
                    && (has(&self.api_groups, "*") || has(&self.api_groups, &a.api_group))
                    && resource_ok
                    && name_ok
            }
            Access::NonResource { verb, path } => {
                verb_ok(verb) && self.non_resource_urls.iter().any(|u| url_matches(u, path))
            }
        }
    }

    /// The rule in the form of RBAC's escalation messages:
    /// `{APIGroups:["apps"], Resources:["statefulsets"], Verbs:["get" "list"]}`.
    pub fn compact_string(&self) -> String {
        let mut parts = Vec::new();
        for (label, list) in [
            ("APIGroups", &self.api_groups),
            ("Resources", &self.resources),
            ("NonResourceURLs", &self.non_resource_urls),
            ("ResourceNames", &self.resource_names),
            ("Verbs", &self.verbs),
        ] {
            if !list.is_empty() {
                parts.push(format!("{label}:{}", go_quote_list(list)));
            }
        }
        format!("{{{}}}", parts.join(", "))
    }

    /// The rule split into rules of one group, resource, verb and name (or one URL and verb).
    fn breakdown(&self) -> Vec<Rule> {
        let mut out = Vec::new();
        let one = |s: &String| vec![s.clone()];
        for g in &self.api_groups {
            for r in &self.resources {
                for v in &self.verbs {
                    let base = Rule {
                        api_groups: one(g),
                        resources: one(r),
                        verbs: one(v),
                        ..Rule::default()
                    };
                    if self.resource_names.is_empty() {
                        out.push(base);
                    } else {
                        for n in &self.resource_names {
                            out.push(Rule {
                                resource_names: one(n),
                                ..base.clone()
                            });
                        }
                    }
                }
            }
        }
        for u in &self.non_resource_urls {
            for v in &self.verbs {
                out.push(Rule {
                    non_resource_urls: one(u),
                    verbs: one(v),
                    ..Rule::default()
                });
            }
        }
        out
    }

    /// Whether this rule covers `sub`, a rule from [`Rule::breakdown`].
    fn covers(&self, sub: &Rule) -> bool {
        let verbs = has(&self.verbs, "*") || has_all(&self.verbs, &sub.verbs);
        let groups = has(&self.api_groups, "*") || has_all(&self.api_groups, &sub.api_groups);
        let resources = has(&self.resources, "*")
            || sub.resources.iter().all(|r| {
                has(&self.resources, r)
                    || r.split_once('/')
                        .is_some_and(|(_, s)| has(&self.resources, &format!("*/{s}")))
            });
        let urls = sub
            .non_resource_urls
            .iter()
            .all(|p| self.non_resource_urls.iter().any(|o| url_covers(o, p)));
        let names = if sub.resource_names.is_empty() {
            self.resource_names.is_empty()
        } else {
            self.resource_names.is_empty() || has_all(&self.resource_names, &sub.resource_names)
        };
        verbs && groups && resources && urls && names
    }
}

fn url_covers(owner: &str, sub: &str) -> bool {
    owner == sub || (owner.ends_with('*') && sub.starts_with(owner.trim_end_matches('*')))
}

/// Go's `%q` of a string.
fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Go's `%q` of a string slice: `["a" "b"]`.
fn go_quote_list(list: &[String]) -> String {
    let quoted: Vec<String> = list.iter().map(|s| go_quote(s)).collect();
    format!("[{}]", quoted.join(" "))
}

/// Like Kubernetes' `utilerrors.NewAggregate(errs).Error()`.
fn aggregate(errors: &[String]) -> String {
    let mut seen: Vec<&String> = Vec::new();
    for e in errors {
        if !seen.contains(&e) {
            seen.push(e);
        }
    }
    if seen.len() == 1 {
        return seen[0].clone();
    }
    let joined: Vec<&str> = seen.iter().map(|s| s.as_str()).collect();
    format!("[{}]", joined.join(", "))
}

/// Rules granted to a user by one binding, and how RBAC describes that binding.
struct Grant {
    source: String,
    rules: Vec<Rule>,
}

/// Every rule that applies to a user in a namespace, and the errors met resolving them.
struct Resolved {
    grants: Vec<Grant>,
    errors: Vec<String>,
}

fn describe_subject(subject: &Value, binding_ns: &str) -> String {
    let kind = util::s(subject, &["kind"]);
    let name = util::s(subject, &["name"]);
    if kind == "ServiceAccount" {
        let ns = match util::s(subject, &["namespace"]) {
            "" => binding_ns,
            ns => ns,
        };
        format!("{kind} {}", go_quote(&format!("{name}/{ns}")))
    } else {
        format!("{kind} {}", go_quote(name))
    }
}

fn subject_applies(user: &UserInfo, subject: &Value, binding_ns: &str) -> bool {
    let name = util::s(subject, &["name"]);
    match util::s(subject, &["kind"]) {
        "User" => user.name == name,
        "Group" => has(&user.groups, name),
        "ServiceAccount" => {
            let ns = match util::s(subject, &["namespace"]) {
                "" => binding_ns,
                ns => ns,
            };
            !ns.is_empty() && user.name == format!("system:serviceaccount:{ns}:{name}")
        }
        _ => false,
    }
}

/// The rules a binding's `roleRef` points at (`binding_ns` is "" for a ClusterRoleBinding), or
/// the error the real resolver reports.
fn role_ref_rules(store: &Store, role_ref: &Value, binding_ns: &str) -> Result<Vec<Rule>, String> {
    let name = util::s(role_ref, &["name"]);
    let (key, ns, singular) = match util::s(role_ref, &["kind"]) {
        "ClusterRole" => (CLUSTERROLES, "", "clusterrole"),
        "Role" => (ROLES, binding_ns, "role"),
        other => {
            return Err(format!(
                "unsupported role reference kind: {}",
                go_quote(other)
            ));
        }
    };
    let role = store
        .get(key, ns, name)
        .ok_or_else(|| format!("{singular}.{RBAC_GROUP} {} not found", go_quote(name)))?;
    Ok(util::arr(&role, &["rules"])
        .iter()
        .map(Rule::from_json)
        .collect())
}

/// RBAC's `VisitRulesFor`: ClusterRoleBindings first, then the RoleBindings of `namespace`.
fn rules_for(store: &Store, user: &UserInfo, namespace: &str) -> Resolved {
    let mut out = Resolved {
        grants: Vec::new(),
        errors: Vec::new(),
    };
    let mut visit = |binding: &Value, binding_ns: &str| {
        let Some(subject) = util::arr(binding, &["subjects"])
            .iter()
            .find(|s| subject_applies(user, s, binding_ns))
        else {
            return;
        };
        let role_ref = binding.get("roleRef").cloned().unwrap_or(Value::Null);
        match role_ref_rules(store, &role_ref, binding_ns) {
            Err(e) => out.errors.push(e),
            Ok(rules) => {
                let (kind, name) = if binding_ns.is_empty() {
                    ("ClusterRoleBinding", util::name(binding).to_string())
                } else {
                    (
                        "RoleBinding",
                        format!("{}/{binding_ns}", util::name(binding)),
                    )
                };
                out.grants.push(Grant {
                    source: format!(
                        "{kind} {} of {} {} to {}",
                        go_quote(&name),
                        util::s(&role_ref, &["kind"]),
                        go_quote(util::s(&role_ref, &["name"])),
                        describe_subject(subject, binding_ns)
                    ),
                    rules,
                });
            }
        }
    };
    for b in store.items(CLUSTERROLEBINDINGS) {
        visit(&b, "");
    }
    if !namespace.is_empty() {
        for b in store.list(ROLEBINDINGS, Some(namespace)).0 {
            visit(&b, namespace);
        }
    }
    out
}

/// Every rule that applies to `user` in `namespace` ("" = cluster scope), in the order RBAC visits
/// them, and the errors met (bindings to missing roles), for SelfSubjectRulesReview.
pub fn rules_of(store: &Store, user: &UserInfo, namespace: &str) -> (Vec<Rule>, Vec<String>) {
    let r = rules_for(store, user, namespace);
    (
        r.grants.into_iter().flat_map(|g| g.rules).collect(),
        r.errors,
    )
}

/// The aggregated resolution errors as RBAC words them (for a rules review's evaluationError).
pub fn errors_text(errors: &[String]) -> String {
    aggregate(errors)
}

impl Access {
    /// The authorization attributes of an HTTP request, as the API server's request-info
    /// resolver derives them: resource requests under `/api/v1/…` and `/apis/G/V/…` (the verb
    /// from the method, `list`/`watch` for reads without a name, `deletecollection`; namespace
    /// and name from the path, the name from a `metadata.name` field selector of a list or watch),
    /// any other path a non-resource request with the lower-case method as verb.
    pub fn from_request(method: &str, path: &str, query: Option<&str>) -> Access {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let (group, mut parts): (&str, &[&str]) = match segs.as_slice() {
            ["api", _v, rest @ ..] if !rest.is_empty() => ("", rest),
            ["apis", g, _v, rest @ ..] if !rest.is_empty() => (g, rest),
            _ => {
                return Access::NonResource {
                    verb: method.to_ascii_lowercase(),
                    path: path.to_string(),
                };
            }
        };
        let mut verb = match method {
            "POST" => "create",
            "GET" | "HEAD" => "get",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => "",
        }
        .to_string();
        if let [special @ ("watch" | "proxy"), rest @ ..] = parts
            && !rest.is_empty()
        {
            verb = special.to_string();
            parts = rest;
        }
        let mut namespace = String::new();
        if parts.first() == Some(&"namespaces")
            && let Some(ns) = parts.get(1)
        {
            namespace = ns.to_string();
            if parts.len() > 2 && !matches!(parts[2], "status" | "finalize") {
                parts = &parts[2..];
            }
        }
        let mut a = Attributes {
            verb,
            api_group: group.to_string(),
            resource: parts.first().unwrap_or(&"").to_string(),
            name: parts.get(1).unwrap_or(&"").to_string(),
            subresource: parts.get(2).unwrap_or(&"").to_string(),
            namespace,
        };
        if a.name.is_empty() && a.verb == "get" {
            let params: Vec<(String, String)> = query
                .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default();
            let watch = params.iter().any(|(k, v)| {
                k == "watch" && matches!(v.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True")
            });
            a.verb = if watch { "watch" } else { "list" }.into();
            if let Some((_, sel)) = params.iter().find(|(k, _)| k == "fieldSelector")
                && let Some(name) = exact_name(sel)
            {
                a.name = name;
            }
        }
        if a.name.is_empty() && a.verb == "delete" {
            a.verb = "deletecollection".into();
        }
        Access::Resource(a)
    }

    /// Whether `user` may do this.
    pub fn authorize(&self, store: &Store, user: &UserInfo) -> Decision {
        decide(store, user, self)
    }

    /// The 403 the API server answers when this access is denied (`reason` is the authorizer's).
    pub fn forbidden(&self, user: &UserInfo, reason: &str) -> ApiError {
        let with_reason = |msg: String| {
            if reason.is_empty() {
                msg
            } else {
                format!("{msg}: {reason}")
            }
        };
        match self {
            Access::NonResource { verb, path } => ApiError {
                code: 403,
                reason: "Forbidden",
                message: format!(
                    "forbidden: {}",
                    with_reason(format!(
                        "User {} cannot {verb} path {}",
                        go_quote(&user.name),
                        go_quote(path)
                    ))
                ),
                details: Some(json!({})),
            },
            Access::Resource(a) => {
                let resource = if a.subresource.is_empty() {
                    a.resource.clone()
                } else {
                    format!("{}/{}", a.resource, a.subresource)
                };
                let scope = if a.namespace.is_empty() {
                    "at the cluster scope".to_string()
                } else {
                    format!("in the namespace {}", go_quote(&a.namespace))
                };
                let msg = with_reason(format!(
                    "User {} cannot {} resource {} in API group {} {scope}",
                    go_quote(&user.name),
                    a.verb,
                    go_quote(&resource),
                    go_quote(&a.api_group),
                ));
                ApiError::forbidden(&a.resource, &a.api_group, &a.name, &msg)
            }
        }
    }
}

/// The name a field selector pins (`metadata.name=NAME` or `==`), when it is a valid path segment.
fn exact_name(selector: &str) -> Option<String> {
    selector.split(',').find_map(|term| {
        let (k, v) = term
            .split_once("==")
            .or_else(|| term.split_once('='))
            .filter(|(k, _)| !k.ends_with('!'))?;
        (k.trim() == "metadata.name"
            && !v.is_empty()
            && v != "."
            && v != ".."
            && !v.contains('/')
            && !v.contains('%'))
        .then(|| v.to_string())
    })
}

/// RBAC's `ConfirmNoEscalation`: Ok when the rules `user` holds in `namespace` cover `rules`,
/// otherwise the message naming the rights it lacks.
pub fn confirm_no_escalation(
    store: &Store,
    user: &UserInfo,
    namespace: &str,
    rules: &[Rule],
) -> Result<(), String> {
    missing_rights(user, &rules_for(store, user, namespace), rules)
}

fn missing_rights(user: &UserInfo, held: &Resolved, rules: &[Rule]) -> Result<(), String> {
    let owner: Vec<&Rule> = held.grants.iter().flat_map(|g| &g.rules).collect();
    let missing: Vec<Rule> = rules
        .iter()
        .flat_map(Rule::breakdown)
        .filter(|sub| !owner.iter().any(|o| o.covers(sub)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut lines: Vec<String> = compact(missing).iter().map(Rule::compact_string).collect();
    lines.sort();
    lines.dedup();
    let mut msg = format!(
        "user {} (groups={}) is attempting to grant RBAC permissions not currently held:\n{}",
        go_quote(&user.name),
        go_quote_list(&user.groups),
        lines.join("\n")
    );
    if !held.errors.is_empty() {
        // Go's %v of a one-element []error holding the aggregate
        msg.push_str(&format!(
            "; resolution errors: [{}]",
            aggregate(&held.errors)
        ));
    }
    Err(msg)
}

/// RBAC's `CompactRules`: rules of one group and one resource (nothing else) merged, verbs
/// appended in order.
fn compact(rules: Vec<Rule>) -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::new();
    let mut simple: Vec<Rule> = Vec::new();
    for r in rules {
        let is_simple = r.resource_names.is_empty()
            && r.non_resource_urls.is_empty()
            && r.api_groups.len() == 1
            && r.resources.len() == 1;
        if !is_simple {
            out.push(r);
            continue;
        }
        match simple
            .iter_mut()
            .find(|s| s.api_groups == r.api_groups && s.resources == r.resources)
        {
            Some(s) => s.verbs.extend(r.verbs),
            None => simple.push(r),
        }
    }
    out.extend(simple);
    out
}

/// Writes that only touch what the garbage collector changes (owner references, finalizers)
/// are not checked for escalation.
fn only_gc_fields_changed(old: &Value, new: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            for f in [
                "ownerReferences",
                "finalizers",
                "resourceVersion",
                "managedFields",
                "generation",
            ] {
                m.remove(f);
            }
        }
        v
    };
    strip(old) == strip(new)
}

/// What the escalation check of one write needs, read from the store before the write (the
/// store's update runs its closure under the store lock, so the check itself reads nothing).
struct Snapshot {
    user: UserInfo,
    /// The kind, plural and group written.
    kind: &'static str,
    plural: &'static str,
    group: &'static str,
    namespace: String,
    /// The user's rules in the write's scope.
    held: Resolved,
    /// The rules of every ClusterRole, and of every Role in the namespace: (kind, name, rules).
    roles: Vec<(&'static str, String, Vec<Rule>)>,
}

/// The escalation check of RBAC's storage for one write of a Role, ClusterRole, RoleBinding or
/// ClusterRoleBinding by a request's user; inert for other kinds, for the server's own writes
/// (controllers, bootstrap) and for `system:masters`:
/// - a role may only hold rules its author holds (or the author may `escalate` roles);
/// - a binding may only point at a role whose rules its author holds in the binding's scope (or
///   the author may `bind` that role).
///
/// Make it with [`WriteGuard::new`] before the write, then [`WriteGuard::check`] the final object
/// of the create, update, patch or server-side apply.
pub struct WriteGuard(Option<Snapshot>);

impl WriteGuard {
    /// Reads what checking a write of `def` in `namespace` ("" for cluster-scoped kinds) needs.
    pub fn new(store: &Store, def: &ResourceDef, namespace: &str) -> WriteGuard {
        let user = match current_user() {
            Some(u) if def.group == RBAC_GROUP && !u.is_master() => u,
            _ => return WriteGuard(None),
        };
        let namespace = if def.namespaced { namespace } else { "" };
        let rules_of_role = |o: &Value| {
            util::arr(o, &["rules"])
                .iter()
                .map(Rule::from_json)
                .collect()
        };
        let mut roles: Vec<(&'static str, String, Vec<Rule>)> = store
            .items(CLUSTERROLES)
            .iter()
            .map(|o| ("ClusterRole", util::name(o).to_string(), rules_of_role(o)))
            .collect();
        if !namespace.is_empty() {
            roles.extend(
                store
                    .list(ROLES, Some(namespace))
                    .0
                    .iter()
                    .map(|o| ("Role", util::name(o).to_string(), rules_of_role(o))),
            );
        }
        WriteGuard(Some(Snapshot {
            held: rules_for(store, &user, namespace),
            user,
            kind: def.kind,
            plural: def.plural,
            group: def.group,
            namespace: namespace.to_string(),
            roles,
        }))
    }

    /// Ok, or the 403 (404 for a binding to a missing role) the real server answers. `old` is
    /// the current object of an update; `request_name` the name in the URL ("" for a POST).
    pub fn check(&self, obj: &Value, old: Option<&Value>, request_name: &str) -> ApiResult<()> {
        let Some(s) = &self.0 else {
            return Ok(());
        };
        if old.is_some_and(|o| only_gc_fields_changed(o, obj)) {
            return Ok(());
        }
        let name = util::name(obj);
        let may = |attrs: Attributes| {
            let access = Access::Resource(attrs);
            s.held
                .grants
                .iter()
                .any(|g| g.rules.iter().any(|r| r.allows(&access)))
        };
        let deny = |msg: String| Err(ApiError::forbidden(s.plural, s.group, name, &msg));
        match s.kind {
            "Role" | "ClusterRole" => {
                if may(Attributes {
                    verb: "escalate".into(),
                    api_group: RBAC_GROUP.into(),
                    resource: s.plural.into(),
                    namespace: s.namespace.clone(),
                    name: request_name.into(),
                    ..Attributes::default()
                }) {
                    return Ok(());
                }
                let rules: Vec<Rule> = util::arr(obj, &["rules"])
                    .iter()
                    .map(Rule::from_json)
                    .collect();
                if let Err(msg) = missing_rights(&s.user, &s.held, &rules) {
                    return deny(msg);
                }
                if obj.get("aggregationRule").is_some_and(|a| !a.is_null()) {
                    let everything = [
                        Rule::from_json(
                            &json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}),
                        ),
                        Rule::from_json(&json!({"verbs": ["*"], "nonResourceURLs": ["*"]})),
                    ];
                    if missing_rights(&s.user, &s.held, &everything).is_err() {
                        return deny(
                            "must have cluster-admin privileges to use the aggregationRule".into(),
                        );
                    }
                }
                Ok(())
            }
            "RoleBinding" | "ClusterRoleBinding" => {
                let role_kind = util::s(obj, &["roleRef", "kind"]);
                let role_name = util::s(obj, &["roleRef", "name"]);
                let role_resource = match role_kind {
                    "ClusterRole" => "clusterroles",
                    "Role" => "roles",
                    other => {
                        return Err(ApiError::invalid(
                            s.kind,
                            s.group,
                            name,
                            &[(
                                "roleRef.kind".into(),
                                "FieldValueNotSupported",
                                format!(
                                    "Unsupported value: {}: supported values: \"Role\", \"ClusterRole\"",
                                    go_quote(other)
                                ),
                            )],
                        ));
                    }
                };
                if may(Attributes {
                    verb: "bind".into(),
                    api_group: util::s(obj, &["roleRef", "apiGroup"]).into(),
                    resource: role_resource.into(),
                    namespace: s.namespace.clone(),
                    name: role_name.into(),
                    ..Attributes::default()
                }) {
                    return Ok(());
                }
                let rules = s
                    .roles
                    .iter()
                    .find(|(k, n, _)| *k == role_kind && n == role_name)
                    .map(|(_, _, r)| r)
                    .ok_or_else(|| ApiError::not_found(role_resource, RBAC_GROUP, role_name))?;
                match missing_rights(&s.user, &s.held, rules) {
                    Ok(()) => Ok(()),
                    Err(msg) => deny(msg),
                }
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(v: Value) -> Rule {
        Rule::from_json(&v)
    }

    fn res(verb: &str, group: &str, resource: &str, sub: &str, ns: &str, name: &str) -> Access {
        Access::Resource(Attributes {
            verb: verb.into(),
            api_group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            namespace: ns.into(),
            name: name.into(),
        })
    }

    #[test]
    fn rule_matching_follows_rbac() {
        let r = rule(json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods", "*/exec"]}));
        assert!(r.allows(&res("get", "", "pods", "", "a", "p")));
        assert!(r.allows(&res("get", "", "pods", "exec", "a", "p")));
        assert!(r.allows(&res("get", "", "services", "exec", "a", "p")));
        assert!(!r.allows(&res("get", "", "pods", "log", "a", "p")));
        assert!(!r.allows(&res("list", "", "pods", "", "a", "")));
        assert!(!r.allows(&res("get", "apps", "pods", "", "a", "p")));
        let named = rule(
            json!({"verbs": ["use"], "apiGroups": ["security.openshift.io"], "resources": ["securitycontextconstraints"], "resourceNames": ["anyuid"]}),
        );
        assert!(named.allows(&res(
            "use",
            "security.openshift.io",
            "securitycontextconstraints",
            "",
            "",
            "anyuid"
        )));
        assert!(!named.allows(&res(
            "use",
            "security.openshift.io",
            "securitycontextconstraints",
            "",
            "",
            ""
        )));
        let urls = rule(json!({"verbs": ["get"], "nonResourceURLs": ["/api", "/apis/*"]}));
        let path = |p: &str| Access::NonResource {
            verb: "get".into(),
            path: p.into(),
        };
        assert!(urls.allows(&path("/api")));
        assert!(urls.allows(&path("/apis/apps/v1")));
        assert!(!urls.allows(&path("/api/v1")));
        assert!(!urls.allows(&res("get", "", "pods", "", "", "")));
    }

    #[test]
    fn request_attributes_like_the_request_info_resolver() {
        let a = Access::from_request("GET", "/api/v1/namespaces/default/pods", None);
        assert_eq!(a, res("list", "", "pods", "", "default", ""));
        let a = Access::from_request(
            "GET",
            "/api/v1/namespaces/default/pods",
            Some("watch=true&fieldSelector=metadata.name%3Dzk-0"),
        );
        assert_eq!(a, res("watch", "", "pods", "", "default", "zk-0"));
        let a = Access::from_request("POST", "/api/v1/namespaces/dev/pods/zk-0/exec", None);
        assert_eq!(a, res("create", "", "pods", "exec", "dev", "zk-0"));
        let a = Access::from_request("GET", "/api/v1/namespaces/dev", None);
        assert_eq!(a, res("get", "", "namespaces", "", "dev", "dev"));
        let a = Access::from_request("PUT", "/api/v1/namespaces/dev/finalize", None);
        assert_eq!(a, res("update", "", "namespaces", "finalize", "dev", "dev"));
        let a = Access::from_request("DELETE", "/apis/apps/v1/namespaces/a/statefulsets", None);
        assert_eq!(
            a,
            res("deletecollection", "apps", "statefulsets", "", "a", "")
        );
        let a = Access::from_request("GET", "/api/v1/nodes", None);
        assert_eq!(a, res("list", "", "nodes", "", "", ""));
        assert_eq!(
            Access::from_request("GET", "/apis/apps/v1", None),
            Access::NonResource {
                verb: "get".into(),
                path: "/apis/apps/v1".into()
            }
        );
    }

    #[test]
    fn forbidden_messages_as_the_api_server_writes_them() {
        let dev = UserInfo {
            name: "developer".into(),
            groups: vec![AUTHENTICATED_GROUP.into()],
        };
        let e = res("list", "", "pods", "", "default", "").forbidden(&dev, "");
        assert_eq!(
            e.message,
            r#"pods is forbidden: User "developer" cannot list resource "pods" in API group "" in the namespace "default""#
        );
        assert_eq!(e.status()["details"], json!({"kind": "pods"}));
        let e = res("create", "", "pods", "exec", "dev", "zk-0").forbidden(&dev, "");
        assert_eq!(
            e.message,
            r#"pods "zk-0" is forbidden: User "developer" cannot create resource "pods/exec" in API group "" in the namespace "dev""#
        );
        let e = res("get", "apps", "statefulsets", "", "", "").forbidden(&dev, "");
        assert_eq!(
            e.message,
            r#"statefulsets.apps is forbidden: User "developer" cannot get resource "statefulsets" in API group "apps" at the cluster scope"#
        );
        let e = Access::NonResource {
            verb: "get".into(),
            path: "/foo".into(),
        }
        .forbidden(&dev, "");
        assert_eq!(
            e.message,
            r#"forbidden: User "developer" cannot get path "/foo""#
        );
    }

    #[test]
    fn escalation_lists_missing_rights_compactly() {
        let owner = [rule(
            json!({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods", "*/log"]}),
        )];
        let wanted = rule(
            json!({"verbs": ["get", "list", "delete", "watch"], "apiGroups": ["", "apps"], "resources": ["pods", "pods/log"]}),
        );
        let missing: Vec<Rule> = wanted
            .breakdown()
            .into_iter()
            .filter(|s| !owner.iter().any(|o| o.covers(s)))
            .collect();
        let mut lines: Vec<String> = compact(missing).iter().map(Rule::compact_string).collect();
        lines.sort();
        assert_eq!(
            lines,
            vec![
                r#"{APIGroups:[""], Resources:["pods"], Verbs:["delete" "watch"]}"#,
                r#"{APIGroups:[""], Resources:["pods/log"], Verbs:["delete" "watch"]}"#,
                r#"{APIGroups:["apps"], Resources:["pods"], Verbs:["get" "list" "delete" "watch"]}"#,
                r#"{APIGroups:["apps"], Resources:["pods/log"], Verbs:["get" "list" "delete" "watch"]}"#,
            ]
        );
        let named = rule(
            json!({"verbs": ["use"], "apiGroups": ["security.openshift.io"], "resources": ["securitycontextconstraints"], "resourceNames": ["anyuid"]}),
        );
        assert_eq!(
            named.breakdown()[0].compact_string(),
            r#"{APIGroups:["security.openshift.io"], Resources:["securitycontextconstraints"], ResourceNames:["anyuid"], Verbs:["use"]}"#
        );
        let star = rule(json!({"verbs": ["*"], "resources": ["*"], "apiGroups": ["*"]}));
        assert!(star.covers(&named.breakdown()[0]));
        let urls = rule(json!({"verbs": ["get"], "nonResourceURLs": ["/apis/*"]}));
        assert!(urls.covers(&rule(
            json!({"verbs": ["get"], "nonResourceURLs": ["/apis/apps"]})
        )));
        assert!(!urls.covers(&rule(
            json!({"verbs": ["get"], "nonResourceURLs": ["/api"]})
        )));
    }

    #[test]
    fn authorize_from_the_store() {
        let store = Store::new();
        for (key, obj) in crate::api::bootstrap_policy::objects() {
            store.create(key, obj).expect("bootstrap object");
        }
        let put = |key: &str, obj: Value| {
            store.create(key, obj).expect("object");
        };
        put(
            CLUSTERROLES,
            json!({"metadata": {"name": "system:openshift:scc:anyuid"}, "rules": [{"apiGroups": ["security.openshift.io"], "resources": ["securitycontextconstraints"], "resourceNames": ["anyuid"], "verbs": ["use"]}]}),
        );
        put(
            ROLEBINDINGS,
            json!({"metadata": {"name": "system:openshift:scc:anyuid", "namespace": "zk"},
                "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "system:openshift:scc:anyuid"},
                "subjects": [{"kind": "ServiceAccount", "name": "zk"}]}),
        );
        put(
            ROLEBINDINGS,
            json!({"metadata": {"name": "broken", "namespace": "zk"},
                "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "nosuch"},
                "subjects": [{"kind": "Group", "name": "system:serviceaccounts:zk"}]}),
        );
        let use_anyuid = |ns: &str| Attributes {
            verb: "use".into(),
            api_group: "security.openshift.io".into(),
            resource: "securitycontextconstraints".into(),
            namespace: ns.into(),
            name: "anyuid".into(),
            ..Attributes::default()
        };
        let sa = UserInfo::service_account("zk", "zk");
        assert_eq!(
            authorize(&store, &sa, &use_anyuid("zk")),
            Decision {
                allowed: true,
                reason: r#"RBAC: allowed by RoleBinding "system:openshift:scc:anyuid/zk" of ClusterRole "system:openshift:scc:anyuid" to ServiceAccount "zk/zk""#.into()
            }
        );
        // the binding grants only in its namespace; the broken binding shows in the reason
        assert_eq!(authorize(&store, &sa, &use_anyuid("")), Decision::default());
        let other = UserInfo::service_account("zk", "other");
        assert_eq!(
            authorize(&store, &other, &use_anyuid("zk")),
            Decision {
                allowed: false,
                reason: r#"RBAC: clusterrole.rbac.authorization.k8s.io "nosuch" not found"#.into()
            }
        );
        let admin = UserInfo {
            name: "admin".into(),
            groups: vec![MASTERS_GROUP.into()],
        };
        assert!(authorize(&store, &admin, &use_anyuid("")).allowed);
        assert_eq!(
            authorize_non_resource(&store, &sa, "get", "/apis/apps/v1"),
            Decision {
                allowed: true,
                reason: r#"RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated""#.into()
            }
        );
        assert!(!authorize_non_resource(&store, &sa, "get", "/logs").allowed);
    }

    #[test]
    fn service_account_user() {
        let sa = UserInfo::service_account("zk", "zk");
        assert_eq!(sa.name, "system:serviceaccount:zk:zk");
        assert_eq!(
            sa.groups,
            vec![
                "system:serviceaccounts",
                "system:serviceaccounts:zk",
                "system:authenticated"
            ]
        );
        let b = json!({"kind": "ServiceAccount", "name": "zk"});
        assert!(subject_applies(&sa, &b, "zk"));
        assert!(!subject_applies(&sa, &b, "other"));
        assert!(!subject_applies(&sa, &b, ""));
        assert_eq!(describe_subject(&b, "zk"), r#"ServiceAccount "zk/zk""#);
    }
}
