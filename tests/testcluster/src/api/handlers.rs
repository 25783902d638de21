//! Routing and the CRUD verbs.

use super::errors::{ApiError, ApiResult};
use super::resources::{self, ResourceDef, keys};
use super::select::{FieldSelector, LabelSelector};
use super::{ApiContext, Body, defaults, discovery, error_response, json_response, patch, tables};
use crate::util;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// A parsed resource path.
#[derive(Debug)]
pub struct Target {
    pub def: &'static ResourceDef,
    pub ns: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
    pub rest: Vec<String>,
}

pub fn path_has_name(segs: &[&str]) -> bool {
    let rest: &[&str] = match segs {
        ["api", _v, rest @ ..] => rest,
        ["apis", _g, _v, rest @ ..] => rest,
        _ => return true,
    };
    match rest {
        ["namespaces", _ns, _res, _name, ..] => true,
        ["namespaces", _name, "status" | "finalize"] => true,
        ["namespaces", _ns, _res] => false,
        ["namespaces", _name] => true,
        [_res] => false,
        _ => true,
    }
}

fn parse_target(served: resources::Served, segs: &[&str]) -> Option<Result<Target, ApiError>> {
    let (group, version, rest): (&str, &str, &[&str]) = match segs {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return None,
    };
    if rest.is_empty() {
        return None;
    }
    let owned = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let find = |plural: &str| {
        served
            .find(group, version, plural)
            .ok_or_else(ApiError::not_found_path)
    };
    let t = match rest {
        ["namespaces", name] => find("namespaces").map(|def| Target {
            def,
            ns: None,
            name: Some(name.to_string()),
            sub: None,
            rest: vec![],
        }),
        ["namespaces", name, sub] if *sub == "status" || *sub == "finalize" => find("namespaces")
            .map(|def| Target {
                def,
                ns: None,
                name: Some(name.to_string()),
                sub: Some(sub.to_string()),
                rest: vec![],
            }),
        ["namespaces", ns, res, more @ ..] => find(res).and_then(|def| {
            if !def.namespaced {
                return Err(ApiError::not_found_path());
            }
            Ok(Target {
                def,
                ns: Some(ns.to_string()),
                name: more.first().map(|s| s.to_string()),
                sub: more.get(1).map(|s| s.to_string()),
                rest: if more.len() > 2 {
                    owned(&more[2..])
                } else {
                    vec![]
                },
            })
        }),
        [res, more @ ..] => find(res).and_then(|def| {
            if def.namespaced && !more.is_empty() {
                return Err(ApiError::not_found_path());
            }
            Ok(Target {
                def,
                ns: None,
                name: more.first().map(|s| s.to_string()),
                sub: more.get(1).map(|s| s.to_string()),
                rest: if more.len() > 2 {
                    owned(&more[2..])
                } else {
                    vec![]
                },
            })
        }),
        [] => return None,
    };
    Some(t)
}

pub fn query(req: &Request<Incoming>) -> HashMap<String, String> {
    req.uri()
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

fn not_found_text() -> Response<Body> {
    Response::builder()
        .status(404)
        .header("content-type", "text/plain; charset=utf-8")
        .body(super::full("404 page not found\n"))
        .unwrap_or_else(|_| Response::new(super::full(Bytes::new())))
}

pub async fn route(ctx: Arc<ApiContext>, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_string();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["version"] => return json_response(200, &discovery::version()),
        ["healthz"] | ["livez"] | ["readyz"] => {
            return Response::builder()
                .status(200)
                .header("content-type", "text/plain; charset=utf-8")
                .body(super::full("ok"))
                .unwrap_or_else(|_| Response::new(super::full(Bytes::new())));
        }
        ["api"] => return json_response(200, &discovery::api_versions(&ctx.server_addr)),
        ["openapi", "v2"] => {
            // an empty swagger 2.0 document (protobuf: field 1 `swagger` = "2.0"): kubectl's
            // client-side validation then skips kinds it has no schema for
            return Response::builder()
                .status(200)
                .header(
                    "content-type",
                    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
                )
                .body(super::full(&b"\x0a\x032.0"[..]))
                .unwrap_or_else(|_| Response::new(super::full(Bytes::new())));
        }
        ["openapi", "v3"] => return json_response(200, &super::openapi::root(ctx.served)),
        ["openapi", "v3", rest @ ..] => {
            return match super::openapi::group_version(ctx.served, &rest.join("/")) {
                Some(d) => json_response(200, &d),
                None => not_found_text(),
            };
        }
        ["apis"] => return json_response(200, &discovery::api_group_list(ctx.served)),
        ["api", v] => {
            return match discovery::resource_list(ctx.served, "", v) {
                Some(l) => json_response(200, &l),
                None => not_found_text(),
            };
        }
        ["apis", g] => {
            return match discovery::api_group(ctx.served, g) {
                Some(l) => json_response(200, &l),
                None => not_found_text(),
            };
        }
        ["apis", g, v] => {
            return match discovery::resource_list(ctx.served, g, v) {
                Some(l) => json_response(200, &l),
                None => not_found_text(),
            };
        }
        _ => {}
    }
    let target = match parse_target(ctx.served, &segs) {
        None => return not_found_text(),
        Some(Err(e)) => {
            // a group version we do not serve answers like an unknown path
            let served = match segs.as_slice() {
                ["api", v, ..] => ctx.served.group_served("", v),
                ["apis", g, v, ..] => ctx.served.group_served(g, v),
                _ => false,
            };
            return if served {
                error_response(&e)
            } else {
                not_found_text()
            };
        }
        Some(Ok(t)) => t,
    };
    if super::reviews::is_review(target.def.group) {
        return match super::reviews::handle(ctx, req, target).await {
            Ok(r) => r,
            Err(e) => error_response(&e),
        };
    }
    // pod subresources that need the raw request
    if target.def.plural == "pods"
        && matches!(
            target.sub.as_deref(),
            Some("exec" | "attach" | "portforward" | "proxy" | "log")
        )
    {
        let handler = ctx.pod_subresources.lock().ok().and_then(|g| g.clone());
        let ns = target.ns.clone().unwrap_or_default();
        let pod = target.name.clone().unwrap_or_default();
        let sub = target.sub.clone().unwrap_or_default();
        if let Some(h) = handler {
            if let Some(resp) = h
                .handle(
                    ctx.clone(),
                    req,
                    ns.clone(),
                    pod.clone(),
                    sub.clone(),
                    target.rest.clone(),
                )
                .await
            {
                return resp;
            }
            return error_response(&ApiError::method_not_allowed());
        }
        if sub == "log" {
            return match pod_log(&ctx, &ns, &pod, &query(&req)) {
                Ok(r) => r,
                Err(e) => error_response(&e),
            };
        }
        return error_response(&ApiError::method_not_allowed());
    }
    match handle(ctx, req, target).await {
        Ok(r) => r,
        Err(e) => error_response(&e),
    }
}

/// `GET …/pods/NAME/log` without issue 4's handler: the current container's whole log.
fn pod_log(
    ctx: &ApiContext,
    ns: &str,
    name: &str,
    q: &HashMap<String, String>,
) -> ApiResult<Response<Body>> {
    let pod = ctx
        .store
        .get(keys::PODS, ns, name)
        .ok_or_else(|| ApiError::not_found("pods", "", name))?;
    let containers = util::arr(&pod, &["spec", "containers"]);
    let container = match q.get("container") {
        Some(c) => c.clone(),
        None if containers.len() == 1 => util::s(&containers[0], &["name"]).to_string(),
        None => {
            let names: Vec<&str> = containers.iter().map(|c| util::s(c, &["name"])).collect();
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                names.join(" ")
            )));
        }
    };
    let path = crate::kubelet::log_path(
        &ctx.state_dir,
        util::uid(&pod),
        &container,
        q.get("previous").is_some_and(|p| p == "true"),
        &pod,
    );
    let text = std::fs::read(&path).unwrap_or_default();
    Ok(Response::builder()
        .status(200)
        .header("content-type", "text/plain")
        .body(super::full(text))
        .unwrap_or_else(|_| Response::new(super::full(Bytes::new()))))
}

pub(super) async fn read_body(req: Request<Incoming>) -> ApiResult<(String, Bytes)> {
    let ct = req
        .headers()
        .get("content-type")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let body = req
        .into_body()
        .collect()
        .await
        .map_err(|e| ApiError::bad_request(format!("reading the request body: {e}")))?
        .to_bytes();
    if body.len() > 16 * 1024 * 1024 {
        return Err(ApiError::new(
            413,
            "RequestEntityTooLarge",
            "Request entity too large: limit is 3145728",
        ));
    }
    if ct.starts_with("application/vnd.kubernetes.protobuf") {
        let Some(obj) = super::protobuf::decode(&body) else {
            return Err(ApiError::new(
                415,
                "UnsupportedMediaType",
                format!(
                    "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got {ct})"
                ),
            ));
        };
        return Ok((
            "application/json".into(),
            Bytes::from(serde_json::to_vec(&obj).unwrap_or_default()),
        ));
    }
    Ok((ct, body))
}

fn parse_json(body: &[u8]) -> ApiResult<Value> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "the object provided is unrecognized (must be of type JSON): {e}"
        ))
    })
}

pub(super) fn parse_yaml_or_json(body: &[u8]) -> ApiResult<Value> {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return Ok(v);
    }
    serde_yaml_ng::from_slice::<Value>(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))
}

fn wants_table(req: &Request<Incoming>) -> bool {
    req.headers()
        .get_all("accept")
        .iter()
        .filter_map(|h| h.to_str().ok())
        .any(|a| {
            a.split(',')
                .next()
                .is_some_and(|first| first.contains("as=Table"))
        })
}

fn namespace_check(ctx: &ApiContext, ns: &str, creating: bool) -> ApiResult<()> {
    match ctx.store.get(keys::NAMESPACES, "", ns) {
        None => Err(ApiError::not_found("namespaces", "", ns)),
        Some(n) if creating && n.pointer("/metadata/deletionTimestamp").is_some() => {
            Err(ApiError {
                code: 403,
                reason: "Forbidden",
                message: format!(
                    "unable to create new content in namespace {ns} because it is being terminated"
                ),
                details: Some(
                    json!({"name": ns, "kind": "namespaces", "causes": [{"reason": "NamespaceTerminating", "message": format!("namespace {ns} is being terminated"), "field": "metadata.namespace"}]}),
                ),
            })
        }
        Some(_) => Ok(()),
    }
}

const GENERATE_CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

pub fn generate_suffix() -> String {
    let u = uuid::Uuid::new_v4();
    u.as_bytes()[..5]
        .iter()
        .map(|b| GENERATE_CHARS[(*b as usize) % GENERATE_CHARS.len()] as char)
        .collect()
}

fn has_status_subresource(def: &ResourceDef) -> bool {
    def.subresources.contains(&"status")
}

/// Prepares an object for create: kind/apiVersion checks, namespace, name, defaults, validation.
pub fn prepare_create(def: &ResourceDef, ns: Option<&str>, mut obj: Value) -> ApiResult<Value> {
    if !obj.is_object() {
        return Err(ApiError::bad_request(
            "the object provided is unrecognized (must be of type JSON object)",
        ));
    }
    let av = util::s(&obj, &["apiVersion"]).to_string();
    let kind = util::s(&obj, &["kind"]).to_string();
    if !kind.is_empty() && kind != def.kind {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({av}) does not match the expected API version ({})",
            def.api_version()
        )));
    }
    if !av.is_empty() && av != def.api_version() {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({av}) does not match the expected API version ({})",
            def.api_version()
        )));
    }
    obj["apiVersion"] = json!(def.api_version());
    obj["kind"] = json!(def.kind);
    if def.namespaced {
        let want = ns.unwrap_or("default");
        let have = util::namespace(&obj).to_string();
        if !have.is_empty() && have != want {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        util::set(&mut obj, &["metadata", "namespace"], json!(want));
    } else if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("namespace");
    }
    if util::name(&obj).is_empty() {
        let gen_name = util::s(&obj, &["metadata", "generateName"]).to_string();
        if !gen_name.is_empty() {
            util::set(
                &mut obj,
                &["metadata", "name"],
                json!(format!("{gen_name}{}", generate_suffix())),
            );
        }
    }
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        for f in [
            "resourceVersion",
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "selfLink",
        ] {
            m.remove(f);
        }
    }
    if has_status_subresource(def)
        && def.kind != "Node"
        && let Some(m) = obj.as_object_mut()
    {
        m.remove("status");
    }
    defaults::apply_defaults(def.kind, &mut obj);
    if def.kind == "PersistentVolumeClaim" {
        let fins = util::obj_mut(&mut obj, &["metadata"])
            .entry("finalizers")
            .or_insert_with(|| json!([]));
        if let Some(l) = fins.as_array_mut()
            && !l.iter().any(|f| f == "kubernetes.io/pvc-protection")
        {
            l.push(json!("kubernetes.io/pvc-protection"));
        }
    }
    defaults::validate(def.kind, def.group, &obj)?;
    Ok(obj)
}

fn default_storage_class(ctx: &ApiContext, obj: &mut Value) {
    if obj.pointer("/spec/storageClassName").is_none() {
        let default = ctx
            .store
            .items(keys::STORAGECLASSES)
            .into_iter()
            .find(|sc| {
                util::get(
                    sc,
                    &[
                        "metadata",
                        "annotations",
                        "storageclass.kubernetes.io/is-default-class",
                    ],
                )
                .and_then(Value::as_str)
                    == Some("true")
            });
        if let Some(sc) = default {
            util::set(obj, &["spec", "storageClassName"], json!(util::name(&sc)));
        }
    }
}

fn dry_run(q: &HashMap<String, String>) -> bool {
    q.get("dryRun").is_some_and(|d| d == "All")
}

async fn handle(
    ctx: Arc<ApiContext>,
    req: Request<Incoming>,
    t: Target,
) -> ApiResult<Response<Body>> {
    let q = query(&req);
    let method = req.method().clone();
    let def = t.def;
    let key = def.key();
    let ns_str = t.ns.clone().unwrap_or_default();
    if def.kind == "Project" {
        let table = wants_table(&req).then(|| {
            q.get("includeObject")
                .map(String::as_str)
                .unwrap_or("Metadata")
        });
        return crate::openshift::serve_projects(&ctx, &method, t.name.as_deref(), table);
    }
    match (&method, &t.name, t.sub.as_deref()) {
        (&Method::GET, None, _) => {
            let table = wants_table(&req);
            let label =
                LabelSelector::parse(q.get("labelSelector").map(String::as_str).unwrap_or(""))?;
            let field = FieldSelector::parse(
                q.get("fieldSelector").map(String::as_str).unwrap_or(""),
                def.kind,
            )?;
            if q.get("watch").is_some_and(|w| w == "true" || w == "1") {
                return Ok(super::watch::watch(
                    ctx.clone(),
                    def,
                    t.ns.clone(),
                    label,
                    field,
                    &q,
                    table,
                ));
            }
            let (mut items, rv) = ctx.store.list(&key, t.ns.as_deref());
            items.retain(|o| label.matches_obj(o) && field.matches(o));
            if table {
                let inc = q
                    .get("includeObject")
                    .map(String::as_str)
                    .unwrap_or("Metadata");
                return Ok(json_response(
                    200,
                    &tables::table(def.kind, &items, &rv.to_string(), inc, true),
                ));
            }
            Ok(json_response(
                200,
                &json!({"kind": def.list_kind(), "apiVersion": def.api_version(), "metadata": {"resourceVersion": rv.to_string()}, "items": items}),
            ))
        }
        (&Method::GET, Some(name), sub) => {
            let obj = ctx
                .store
                .get(&key, &ns_str, name)
                .ok_or_else(|| ApiError::not_found(def.plural, def.group, name))?;
            match sub {
                None | Some("status") => {}
                Some("scale") if def.kind == "StatefulSet" => {
                    return Ok(json_response(200, &scale_of(&obj)));
                }
                Some(_) => return Err(ApiError::not_found_path()),
            }
            if wants_table(&req) {
                let inc = q
                    .get("includeObject")
                    .map(String::as_str)
                    .unwrap_or("Metadata");
                let rv = util::s(&obj, &["metadata", "resourceVersion"]).to_string();
                return Ok(json_response(
                    200,
                    &tables::table(def.kind, &[obj], &rv, inc, true),
                ));
            }
            Ok(json_response(200, &obj))
        }
        (&Method::POST, None, None) => {
            if def.namespaced && t.ns.is_none() {
                return Err(ApiError::not_found_path());
            }
            let (_, body) = read_body(req).await?;
            let obj = parse_yaml_or_json(&body)?;
            let created = create(&ctx, def, t.ns.as_deref(), obj, dry_run(&q))?;
            Ok(json_response(201, &created))
        }
        (&Method::POST, Some(name), Some("eviction")) if def.kind == "Pod" => {
            let (_, body) = read_body(req).await?;
            let ev = parse_json(&body)?;
            evict(&ctx, &ns_str, name, &ev)?;
            Ok(json_response(
                201,
                &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
            ))
        }
        (&Method::PUT, Some(name), sub) => {
            let (_, body) = read_body(req).await?;
            let obj = parse_json(&body)?;
            if sub == Some("scale") && def.kind == "StatefulSet" {
                let replicas = obj
                    .pointer("/spec/replicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                let rv = util::s(&obj, &["metadata", "resourceVersion"]).to_string();
                let u = ctx.store.update(&key, &ns_str, name, |cur| {
                    if !rv.is_empty() && rv != util::s(cur, &["metadata", "resourceVersion"]) {
                        return Err(ApiError::conflict(def.plural, def.group, name));
                    }
                    let mut n = cur.clone();
                    util::set(&mut n, &["spec", "replicas"], json!(replicas));
                    Ok(n)
                })?;
                return Ok(json_response(200, &scale_of(&u.object)));
            }
            if !matches!(sub, None | Some("status") | Some("finalize")) {
                return Err(ApiError::method_not_allowed());
            }
            if util::name(&obj) != name.as_str() {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({}) does not match the name on the URL ({name})",
                    util::name(&obj)
                )));
            }
            let updated = update(&ctx, def, &ns_str, name, sub, obj, dry_run(&q))?;
            Ok(json_response(200, &updated))
        }
        (&Method::PATCH, Some(name), sub) => {
            let (ct, body) = read_body(req).await?;
            let ct = ct.split(';').next().unwrap_or("").trim().to_string();
            let (obj, created) =
                patch_object(&ctx, def, t.ns.as_deref(), name, sub, &ct, &body, &q)?;
            Ok(json_response(if created { 201 } else { 200 }, &obj))
        }
        (&Method::DELETE, Some(name), None) => {
            let (_, body) = read_body(req).await?;
            let opts = if body.is_empty() {
                json!({})
            } else {
                parse_json(&body)?
            };
            let out = delete(&ctx, def, &ns_str, name, &opts, &q)?;
            Ok(json_response(200, &out))
        }
        (&Method::DELETE, None, None) => {
            let (_, body) = read_body(req).await?;
            let opts = if body.is_empty() {
                json!({})
            } else {
                parse_json(&body)?
            };
            let label =
                LabelSelector::parse(q.get("labelSelector").map(String::as_str).unwrap_or(""))?;
            let field = FieldSelector::parse(
                q.get("fieldSelector").map(String::as_str).unwrap_or(""),
                def.kind,
            )?;
            let (items, _) = ctx.store.list(&key, t.ns.as_deref());
            let mut out = Vec::new();
            for o in items
                .iter()
                .filter(|o| label.matches_obj(o) && field.matches(o))
            {
                if let Ok(d) = delete(&ctx, def, util::namespace(o), util::name(o), &opts, &q) {
                    out.push(d);
                }
            }
            Ok(json_response(
                200,
                &json!({"kind": def.list_kind(), "apiVersion": def.api_version(), "metadata": {}, "items": out}),
            ))
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

fn scale_of(sts: &Value) -> Value {
    let sel = sts
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": util::name(sts), "namespace": util::namespace(sts), "uid": util::uid(sts),
            "resourceVersion": util::s(sts, &["metadata", "resourceVersion"]),
            "creationTimestamp": util::s(sts, &["metadata", "creationTimestamp"]),
        },
        "spec": {"replicas": sts.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1)},
        "status": {"replicas": sts.pointer("/status/replicas").and_then(Value::as_i64).unwrap_or(0), "selector": sel},
    })
}

/// Creates an object as the API would (also used by the controllers for their own writes).
pub fn create(
    ctx: &ApiContext,
    def: &ResourceDef,
    ns: Option<&str>,
    obj: Value,
    dry: bool,
) -> ApiResult<Value> {
    create_as(ctx, def, ns, obj, dry, None)
}

/// [`create`] on behalf of `requester` (None: the user of the request being served), who
/// matters to OpenShift's SCC admission of pods.
pub fn create_as(
    ctx: &ApiContext,
    def: &ResourceDef,
    ns: Option<&str>,
    obj: Value,
    dry: bool,
    requester: Option<&crate::openshift::UserInfo>,
) -> ApiResult<Value> {
    let mut obj = prepare_create(def, ns, obj)?;
    if def.namespaced {
        namespace_check(ctx, util::namespace(&obj), true)?;
    }
    if def.kind == "PersistentVolumeClaim" {
        default_storage_class(ctx, &mut obj);
    }
    if def.kind == "Service"
        && obj
            .pointer("/spec/clusterIP")
            .is_none_or(|c| c.as_str().unwrap_or("").is_empty())
    {
        let ip = allocate_cluster_ip(ctx);
        util::set(&mut obj, &["spec", "clusterIP"], json!(ip));
    }
    if def.kind == "Service" {
        let ip = util::s(&obj, &["spec", "clusterIP"]).to_string();
        util::set(&mut obj, &["spec", "clusterIPs"], json!([ip]));
    }
    super::rbac::WriteGuard::new(&ctx.store, def, util::namespace(&obj)).check(&obj, None, "")?;
    if ctx.served.openshift {
        match def.kind {
            "Namespace" => return crate::openshift::create_namespace(&ctx.store, obj, dry),
            "Pod" => {
                let user = requester
                    .cloned()
                    .or_else(super::rbac::current_user)
                    .unwrap_or_default();
                obj = crate::openshift::admit_pod(&ctx.store, &obj, &user)?;
            }
            _ => {}
        }
    }
    if dry {
        return Ok(obj);
    }
    ctx.store.create(&def.key(), obj)
}

fn allocate_cluster_ip(ctx: &ApiContext) -> String {
    let used: Vec<String> = ctx
        .store
        .items(keys::SERVICES)
        .iter()
        .map(|s| util::s(s, &["spec", "clusterIP"]).to_string())
        .collect();
    for n in 10u32..65000 {
        let ip = format!("10.96.{}.{}", n / 250, n % 250 + 1);
        if !used.contains(&ip) {
            return ip;
        }
    }
    "10.96.255.254".into()
}

fn carry_status(def: &ResourceDef, sub: Option<&str>, cur: &Value, new: &mut Value) {
    if !has_status_subresource(def) {
        return;
    }
    match sub {
        Some("status") => {
            // only status changes
            let st = new.get("status").cloned();
            *new = cur.clone();
            match st {
                Some(s) => new["status"] = s,
                None => {
                    if let Some(m) = new.as_object_mut() {
                        m.remove("status");
                    }
                }
            }
        }
        _ => match cur.get("status") {
            Some(s) => new["status"] = s.clone(),
            None => {
                if let Some(m) = new.as_object_mut() {
                    m.remove("status");
                }
            }
        },
    }
}

fn update(
    ctx: &ApiContext,
    def: &ResourceDef,
    ns: &str,
    name: &str,
    sub: Option<&str>,
    mut obj: Value,
    dry: bool,
) -> ApiResult<Value> {
    obj["apiVersion"] = json!(def.api_version());
    obj["kind"] = json!(def.kind);
    let rv = util::s(&obj, &["metadata", "resourceVersion"]).to_string();
    let key = def.key();
    let guard = super::rbac::WriteGuard::new(&ctx.store, def, ns);
    if dry {
        let cur = ctx
            .store
            .get(&key, ns, name)
            .ok_or_else(|| ApiError::not_found(def.plural, def.group, name))?;
        carry_status(def, sub, &cur, &mut obj);
        guard.check(&obj, Some(&cur), name)?;
        return Ok(obj);
    }
    let u = ctx.store.update(&key, ns, name, |cur| {
        if !rv.is_empty() && rv != util::s(cur, &["metadata", "resourceVersion"]) {
            return Err(ApiError::conflict(def.plural, def.group, name));
        }
        let mut new = obj.clone();
        if def.namespaced {
            util::set(&mut new, &["metadata", "namespace"], json!(ns));
        }
        carry_status(def, sub, cur, &mut new);
        if sub == Some("finalize") {
            let fin = obj
                .pointer("/spec/finalizers")
                .cloned()
                .unwrap_or(json!([]));
            new = cur.clone();
            util::set(&mut new, &["spec", "finalizers"], fin);
        }
        keep_immutable(ctx, def, cur, &mut new);
        defaults::apply_defaults(def.kind, &mut new);
        defaults::validate(def.kind, def.group, &new)?;
        defaults::validate_update(def.kind, def.group, cur, &new)?;
        guard.check(&new, Some(cur), name)?;
        Ok(new)
    })?;
    Ok(u.object)
}

/// Fields the server keeps whatever an update says (a pod's node, a PVC's volume, the SCC that
/// admitted a pod on OpenShift, …).
fn keep_immutable(ctx: &ApiContext, def: &ResourceDef, cur: &Value, new: &mut Value) {
    if ctx.served.openshift && def.kind == "Pod" {
        crate::openshift::keep_admission(cur, new);
    }
    let keep = |new: &mut Value, path: &[&str]| {
        if let Some(v) = util::get(cur, path).cloned() {
            util::set(new, path, v);
        }
    };
    match def.kind {
        "Pod" => {
            keep(new, &["spec", "nodeName"]);
        }
        "PersistentVolumeClaim" => {
            keep(new, &["spec", "volumeName"]);
            keep(new, &["spec", "storageClassName"]);
        }
        "Service" => {
            keep(new, &["spec", "clusterIP"]);
            keep(new, &["spec", "clusterIPs"]);
        }
        _ => {}
    }
}

#[allow(clippy::too_many_arguments)]
fn patch_object(
    ctx: &ApiContext,
    def: &ResourceDef,
    ns: Option<&str>,
    name: &str,
    sub: Option<&str>,
    ct: &str,
    body: &[u8],
    q: &HashMap<String, String>,
) -> ApiResult<(Value, bool)> {
    let key = def.key();
    let ns_s = ns.unwrap_or("");
    if def.namespaced && ns.is_none() {
        return Err(ApiError::not_found_path());
    }
    if !matches!(sub, None | Some("status") | Some("scale"))
        || (sub == Some("scale") && def.kind != "StatefulSet")
    {
        return Err(ApiError::method_not_allowed());
    }
    if ct == "application/apply-patch+yaml" {
        let manager = q.get("fieldManager").cloned().unwrap_or_default();
        if manager.is_empty() {
            return Err(ApiError::invalid(
                "PatchOptions",
                "meta.k8s.io",
                "",
                &[(
                    "fieldManager".into(),
                    "FieldValueRequired",
                    "Required value: is required for apply patch".into(),
                )],
            ));
        }
        let applied = parse_yaml_or_json(body)?;
        if !applied.is_object() {
            return Err(ApiError::bad_request(
                "the object provided is unrecognized (must be of type JSON object)",
            ));
        }
        let an = util::name(&applied);
        if !an.is_empty() && an != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({an}) does not match the name on the URL ({name})"
            )));
        }
        let existing = ctx.store.get(&key, ns_s, name);
        match existing {
            None => {
                let mut obj =
                    patch::server_side_apply(None, &applied, &manager, &def.api_version());
                util::set(&mut obj, &["metadata", "name"], json!(name));
                let created = create(ctx, def, ns, obj, dry_run(q))?;
                return Ok((created, true));
            }
            Some(_) => {
                let applied2 = applied.clone();
                let api_version = def.api_version();
                let guard = super::rbac::WriteGuard::new(&ctx.store, def, ns_s);
                if dry_run(q) {
                    let cur = ctx
                        .store
                        .get(&key, ns_s, name)
                        .ok_or_else(|| ApiError::not_found(def.plural, def.group, name))?;
                    let mut new =
                        patch::server_side_apply(Some(&cur), &applied2, &manager, &api_version);
                    defaults::apply_defaults(def.kind, &mut new);
                    guard.check(&new, Some(&cur), name)?;
                    return Ok((new, false));
                }
                let u = ctx.store.update(&key, ns_s, name, |cur| {
                    let mut new =
                        patch::server_side_apply(Some(cur), &applied2, &manager, &api_version);
                    carry_status(def, sub, cur, &mut new);
                    keep_immutable(ctx, def, cur, &mut new);
                    new["apiVersion"] = json!(def.api_version());
                    new["kind"] = json!(def.kind);
                    defaults::apply_defaults(def.kind, &mut new);
                    defaults::validate(def.kind, def.group, &new)?;
                    defaults::validate_update(def.kind, def.group, cur, &new)?;
                    guard.check(&new, Some(cur), name)?;
                    Ok(new)
                })?;
                return Ok((u.object, false));
            }
        }
    }
    let patch_v: Value = parse_json(body)?;
    let apply = |doc: &mut Value| -> ApiResult<()> {
        match ct {
            "application/json-patch+json" => patch::json_patch(doc, &patch_v),
            "application/merge-patch+json" => {
                patch::json_merge(doc, &patch_v);
                Ok(())
            }
            "application/strategic-merge-patch+json" => {
                patch::strategic(doc, &patch_v);
                Ok(())
            }
            other => Err(ApiError::unsupported_media_type(other)),
        }
    };
    let want_rv = patch_v
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .map(String::from);
    if sub == Some("scale") {
        let u = ctx.store.update(&key, ns_s, name, |cur| {
            let mut scale = scale_of(cur);
            apply(&mut scale)?;
            let mut n = cur.clone();
            util::set(
                &mut n,
                &["spec", "replicas"],
                scale.pointer("/spec/replicas").cloned().unwrap_or(json!(1)),
            );
            Ok(n)
        })?;
        return Ok((scale_of(&u.object), false));
    }
    let guard = super::rbac::WriteGuard::new(&ctx.store, def, ns_s);
    if dry_run(q) {
        let cur = ctx
            .store
            .get(&key, ns_s, name)
            .ok_or_else(|| ApiError::not_found(def.plural, def.group, name))?;
        let mut new = cur.clone();
        apply(&mut new)?;
        guard.check(&new, Some(&cur), name)?;
        return Ok((new, false));
    }
    let u = ctx.store.update(&key, ns_s, name, |cur| {
        if let Some(rv) = &want_rv
            && rv != util::s(cur, &["metadata", "resourceVersion"])
        {
            return Err(ApiError::conflict(def.plural, def.group, name));
        }
        let mut new = cur.clone();
        apply(&mut new)?;
        carry_status(def, sub, cur, &mut new);
        keep_immutable(ctx, def, cur, &mut new);
        new["apiVersion"] = json!(def.api_version());
        new["kind"] = json!(def.kind);
        defaults::apply_defaults(def.kind, &mut new);
        defaults::validate(def.kind, def.group, &new)?;
        defaults::validate_update(def.kind, def.group, cur, &new)?;
        guard.check(&new, Some(cur), name)?;
        Ok(new)
    })?;
    Ok((u.object, false))
}

/// Deletes an object: graceful for scheduled pods, finalizers honoured, propagation policy as
/// finalizers for the garbage collector.
pub fn delete(
    ctx: &ApiContext,
    def: &ResourceDef,
    ns: &str,
    name: &str,
    opts: &Value,
    q: &HashMap<String, String>,
) -> ApiResult<Value> {
    let key = def.key();
    let cur = ctx
        .store
        .get(&key, ns, name)
        .ok_or_else(|| ApiError::not_found(def.plural, def.group, name))?;
    if let Some(u) = opts.pointer("/preconditions/uid").and_then(Value::as_str)
        && u != util::uid(&cur)
    {
        return Err(ApiError {
            code: 409,
            reason: "Conflict",
            message: format!(
                "Operation cannot be fulfilled on {} \"{name}\": Precondition failed: UID in precondition: {u}, UID in object meta: {}",
                if def.group.is_empty() {
                    def.plural.to_string()
                } else {
                    format!("{}.{}", def.plural, def.group)
                },
                util::uid(&cur)
            ),
            details: Some(json!({"name": name, "kind": def.plural})),
        });
    }
    if let Some(rv) = opts
        .pointer("/preconditions/resourceVersion")
        .and_then(Value::as_str)
        && rv != util::s(&cur, &["metadata", "resourceVersion"])
    {
        return Err(ApiError::conflict(def.plural, def.group, name));
    }
    if dry_run(q)
        || opts
            .get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|d| d == "All"))
    {
        return Ok(cur);
    }
    let grace_opt = opts
        .get("gracePeriodSeconds")
        .and_then(Value::as_i64)
        .or_else(|| q.get("gracePeriodSeconds").and_then(|g| g.parse().ok()));
    let policy = opts
        .get("propagationPolicy")
        .and_then(Value::as_str)
        .map(String::from)
        .or_else(|| q.get("propagationPolicy").cloned())
        .unwrap_or_else(|| {
            if opts.get("orphanDependents").and_then(Value::as_bool) == Some(true) {
                "Orphan".into()
            } else {
                "Background".into()
            }
        });
    if def.kind == "Namespace" {
        let u = ctx.store.mark_deleting(&key, ns, name, 0, &[])?;
        let u2 = ctx.store.update(&key, ns, name, |c| {
            let mut n = c.clone();
            util::set(&mut n, &["status", "phase"], json!("Terminating"));
            Ok(n)
        });
        return Ok(u2.map(|x| x.object).unwrap_or(u.object));
    }
    let mut finalizers: Vec<&str> = Vec::new();
    match policy.as_str() {
        "Foreground" => finalizers.push("foregroundDeletion"),
        "Orphan" => finalizers.push("orphan"),
        _ => {}
    }
    if def.kind == "Pod" {
        let scheduled = !util::s(&cur, &["spec", "nodeName"]).is_empty();
        let phase = util::s(&cur, &["status", "phase"]);
        let spec_grace = cur
            .pointer("/spec/terminationGracePeriodSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(30);
        let mut grace = grace_opt.unwrap_or(spec_grace).max(0);
        if !scheduled || phase == "Succeeded" || phase == "Failed" {
            grace = 0;
        }
        let has_fin =
            !util::arr(&cur, &["metadata", "finalizers"]).is_empty() || !finalizers.is_empty();
        if grace == 0 && !has_fin {
            return ctx.store.remove(&key, ns, name, None);
        }
        // the kubelet stops the containers and removes the pod; a zero grace period on a scheduled pod
        // with finalizers still waits for them
        let u = ctx
            .store
            .mark_deleting(&key, ns, name, grace, &finalizers)?;
        return Ok(u.object);
    }
    let has_fin =
        !util::arr(&cur, &["metadata", "finalizers"]).is_empty() || !finalizers.is_empty();
    if has_fin {
        let u = ctx.store.mark_deleting(&key, ns, name, 0, &finalizers)?;
        if u.object.pointer("/metadata/deletionTimestamp").is_some()
            && util::arr(&u.object, &["metadata", "finalizers"]).is_empty()
        {
            return ctx.store.remove(&key, ns, name, None);
        }
        return Ok(u.object);
    }
    let removed = ctx.store.remove(&key, ns, name, None)?;
    Ok(
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": {"name": name, "group": def.group, "kind": def.plural, "uid": util::uid(&removed)}}),
    )
}

fn pod_ready(p: &Value) -> bool {
    util::arr(p, &["status", "conditions"])
        .iter()
        .any(|c| util::s(c, &["type"]) == "Ready" && util::s(c, &["status"]) == "True")
}

/// The eviction subresource (policy/v1).
fn evict(ctx: &ApiContext, ns: &str, name: &str, ev: &Value) -> ApiResult<()> {
    let pods =
        resources::by_key(keys::PODS).ok_or_else(|| ApiError::internal("no pods resource"))?;
    let pdbs_def =
        resources::by_key(keys::PDBS).ok_or_else(|| ApiError::internal("no pdb resource"))?;
    let pod = ctx
        .store
        .get(keys::PODS, ns, name)
        .ok_or_else(|| ApiError::not_found("pods", "", name))?;
    let opts = ev.get("deleteOptions").cloned().unwrap_or(json!({}));
    let phase = util::s(&pod, &["status", "phase"]);
    if pod.pointer("/metadata/deletionTimestamp").is_some()
        || matches!(phase, "Pending" | "Succeeded" | "Failed")
    {
        delete(ctx, pods, ns, name, &opts, &HashMap::new())?;
        return Ok(());
    }
    let labels = util::labels(&pod);
    let matching: Vec<Value> = ctx
        .store
        .list(keys::PDBS, Some(ns))
        .0
        .into_iter()
        .filter(|p| LabelSelector::from_object(p.pointer("/spec/selector")).matches(&labels))
        .collect();
    if matching.len() > 1 {
        return Err(ApiError::internal(
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
        ));
    }
    if let Some(pdb) = matching.first() {
        let pdb_name = util::name(pdb).to_string();
        let refuse = |msg: String| ApiError {
            code: 429,
            reason: "TooManyRequests",
            message: "Cannot evict pod as it would violate the pod's disruption budget.".into(),
            details: Some(json!({"causes": [{"reason": "DisruptionBudget", "message": msg}]})),
        };
        let observed = pdb
            .pointer("/status/observedGeneration")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let generation = pdb
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        if observed < generation {
            return Err(refuse(format!(
                "The disruption budget {pdb_name} is still being processed by the server."
            )));
        }
        let current = pdb
            .pointer("/status/currentHealthy")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let desired = pdb
            .pointer("/status/desiredHealthy")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let policy = util::s(pdb, &["spec", "unhealthyPodEvictionPolicy"]);
        let unhealthy_ok =
            !pod_ready(&pod) && (policy == "AlwaysAllow" || (current >= desired && desired > 0));
        if !unhealthy_ok {
            let pod_name = name.to_string();
            ctx.store.update(keys::PDBS, ns, &pdb_name, |cur| {
                let allowed = cur.pointer("/status/disruptionsAllowed").and_then(Value::as_i64).unwrap_or(0);
                if allowed <= 0 {
                    let c = cur.pointer("/status/currentHealthy").and_then(Value::as_i64).unwrap_or(0);
                    let d = cur.pointer("/status/desiredHealthy").and_then(Value::as_i64).unwrap_or(0);
                    return Err(refuse(format!("The disruption budget {pdb_name} needs {d} healthy pods and has {c} currently")));
                }
                let mut n = cur.clone();
                util::set(&mut n, &["status", "disruptionsAllowed"], json!(allowed - 1));
                util::obj_mut(&mut n, &["status", "disruptedPods"]).insert(pod_name.clone(), json!(util::now_ts()));
                Ok(n)
            })?;
            let _ = pdbs_def;
        }
    }
    delete(ctx, pods, ns, name, &opts, &HashMap::new())?;
    Ok(())
}
