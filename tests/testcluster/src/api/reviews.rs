//! The review APIs, answered from the RBAC authorizer and never stored:
//! `authorization.k8s.io/v1` SelfSubjectAccessReview (what `kubectl auth can-i` asks),
//! SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview (`kubectl auth can-i
//! --list`), and `authentication.k8s.io/v1` SelfSubjectReview (`kubectl auth whoami`).

use super::errors::{ApiError, ApiResult};
use super::handlers::{Target, parse_yaml_or_json, read_body};
use super::rbac::{self, Access, Attributes, Rule, UserInfo};
use super::store::Store;
use super::{ApiContext, Body, json_response};
use crate::util;
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// Whether a served resource is one of the review APIs.
pub fn is_review(group: &str) -> bool {
    matches!(group, "authorization.k8s.io" | "authentication.k8s.io")
}

fn invalid(kind: &str, field: &str, value: &str, msg: &str) -> ApiError {
    ApiError::invalid(
        kind,
        "authorization.k8s.io",
        "",
        &[(
            field.into(),
            "FieldValueInvalid",
            format!("Invalid value: {value}: {msg}"),
        )],
    )
}

/// The access a review's spec asks about (exactly one of `resourceAttributes` and
/// `nonResourceAttributes`).
fn spec_access(kind: &str, spec: &Value) -> ApiResult<Access> {
    let present = |f: &str| spec.get(f).filter(|v| !v.is_null());
    match (
        present("resourceAttributes"),
        present("nonResourceAttributes"),
    ) {
        (Some(ra), None) => {
            let s = |f: &str| util::s(ra, &[f]).to_string();
            Ok(Access::Resource(Attributes {
                verb: s("verb"),
                api_group: s("group"),
                resource: s("resource"),
                subresource: s("subresource"),
                namespace: s("namespace"),
                name: s("name"),
            }))
        }
        (None, Some(nra)) => Ok(Access::NonResource {
            verb: util::s(nra, &["verb"]).to_string(),
            path: util::s(nra, &["path"]).to_string(),
        }),
        (Some(_), Some(_)) => Err(invalid(
            kind,
            "spec.nonResourceAttributes",
            "{...}",
            "cannot be specified in combination with resourceAttributes",
        )),
        (None, None) => Err(invalid(
            kind,
            "spec.resourceAttributes",
            "\"null\"",
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )),
    }
}

/// `status` of an access review: `allowed`, and `reason` when the authorizer gave one (RBAC never
/// denies outright, so `denied` is never set).
fn access_status(store: &Store, user: &UserInfo, access: &Access) -> Value {
    let d = access.authorize(store, user);
    let mut status = json!({"allowed": d.allowed});
    if !d.reason.is_empty() {
        status["reason"] = json!(d.reason);
    }
    status
}

fn rules_status(store: &Store, user: &UserInfo, namespace: &str) -> Value {
    let (rules, errors) = rbac::rules_of(store, user, namespace);
    let (non_resource, resource): (Vec<Rule>, Vec<Rule>) = rules
        .into_iter()
        .partition(|r| !r.non_resource_urls.is_empty());
    let resource: Vec<Value> = resource
        .iter()
        .map(|r| {
            let mut v =
                json!({"verbs": r.verbs, "apiGroups": r.api_groups, "resources": r.resources});
            if !r.resource_names.is_empty() {
                v["resourceNames"] = json!(r.resource_names);
            }
            v
        })
        .collect();
    let non_resource: Vec<Value> = non_resource
        .iter()
        .map(|r| json!({"verbs": r.verbs, "nonResourceURLs": r.non_resource_urls}))
        .collect();
    let mut status = json!({"resourceRules": resource, "nonResourceRules": non_resource, "incomplete": !errors.is_empty()});
    if !errors.is_empty() {
        status["evaluationError"] = json!(rbac::errors_text(&errors));
    }
    status
}

/// Answers a POST to one of the review APIs with the review and its `status` (201).
pub async fn handle(
    ctx: Arc<ApiContext>,
    req: Request<Incoming>,
    t: Target,
) -> ApiResult<Response<Body>> {
    let def = t.def;
    if req.method() != Method::POST || t.name.is_some() {
        return Err(ApiError::method_not_allowed());
    }
    let (_, body) = read_body(req).await?;
    let mut review = parse_yaml_or_json(&body)?;
    if !review.is_object() {
        return Err(ApiError::bad_request(
            "the object provided is unrecognized (must be of type JSON object)",
        ));
    }
    let kind = util::s(&review, &["kind"]);
    if !kind.is_empty() && kind != def.kind {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({}) does not match the expected API version ({})",
            util::s(&review, &["apiVersion"]),
            def.api_version()
        )));
    }
    review["apiVersion"] = json!(def.api_version());
    review["kind"] = json!(def.kind);
    let user = rbac::current_user().unwrap_or_default();
    let spec = review.get("spec").cloned().unwrap_or(json!({}));
    let store = &ctx.store;
    let status = match def.kind {
        "SelfSubjectAccessReview" => access_status(store, &user, &spec_access(def.kind, &spec)?),
        "SubjectAccessReview" | "LocalSubjectAccessReview" => {
            let subject = UserInfo {
                name: util::s(&spec, &["user"]).to_string(),
                groups: util::arr(&spec, &["groups"])
                    .iter()
                    .filter_map(|g| g.as_str().map(String::from))
                    .collect(),
            };
            if subject.name.is_empty() && subject.groups.is_empty() {
                return Err(invalid(
                    def.kind,
                    "spec.user",
                    "\"\"",
                    "at least one of user or group must be specified",
                ));
            }
            let mut access = spec_access(def.kind, &spec)?;
            if let (Some(ns), Access::Resource(a)) = (t.ns.as_deref(), &mut access) {
                // a LocalSubjectAccessReview asks about its own namespace
                let md_ns = util::namespace(&review).to_string();
                if (!md_ns.is_empty() && md_ns != ns)
                    || (!a.namespace.is_empty() && a.namespace != ns)
                {
                    return Err(ApiError::bad_request(format!(
                        "spec.resourceAttributes.namespace must match namespace: {ns}"
                    )));
                }
                a.namespace = ns.to_string();
                util::set(&mut review, &["metadata", "namespace"], json!(ns));
            }
            access_status(store, &subject, &access)
        }
        "SelfSubjectRulesReview" => {
            let ns = util::s(&spec, &["namespace"]);
            if ns.is_empty() {
                return Err(ApiError::bad_request("no namespace on request"));
            }
            rules_status(store, &user, ns)
        }
        "SelfSubjectReview" => json!({"userInfo": {"username": user.name, "groups": user.groups}}),
        _ => return Err(ApiError::method_not_allowed()),
    };
    util::obj_mut(&mut review, &["metadata"])
        .entry("creationTimestamp")
        .or_insert(Value::Null);
    review["status"] = status;
    Ok(json_response(201, &review))
}
