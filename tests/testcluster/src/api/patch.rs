//! Patches: JSON merge patch, JSON patch, strategic merge patch (the subset kubectl sends) and
//! server-side apply for whole-object applies with field ownership tracked in `managedFields`.

use super::errors::{ApiError, ApiResult};
use crate::util;
use serde_json::{Map, Value, json};

/// The merge key of a list field in strategic merge patch and server-side apply.
fn merge_key(field: &str, sample: Option<&Value>) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "resourceClaims" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "conditions" => "type",
        "ownerReferences" => "uid",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        "ports" => {
            if sample.is_some_and(|s| s.get("containerPort").is_some()) {
                "containerPort"
            } else {
                "port"
            }
        }
        _ => return None,
    })
}

/// Primitive lists whose strategic patch strategy is `merge`.
fn primitive_merge(field: &str) -> bool {
    field == "finalizers"
}

pub fn json_merge(doc: &mut Value, patch: &Value) {
    json_patch::merge(doc, patch);
}

pub fn json_patch(doc: &mut Value, patch: &Value) -> ApiResult<()> {
    let p: json_patch::Patch = serde_json::from_value(patch.clone())
        .map_err(|e| ApiError::bad_request(format!("json: cannot unmarshal patch: {e}")))?;
    json_patch::patch(doc, &p.0).map_err(|e| {
        ApiError::new(
            422,
            "Invalid",
            format!("the server rejected our request due to an error in our request: {e}"),
        )
    })
}

/// Applies a strategic merge patch.
pub fn strategic(target: &mut Value, patch: &Value) {
    smp(target, patch, "");
}

fn smp(target: &mut Value, patch: &Value, _field: &str) {
    let Some(pm) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if pm.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut p = patch.clone();
        if let Some(m) = p.as_object_mut() {
            m.remove("$patch");
        }
        *target = p;
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let retain: Option<Vec<String>> = pm.get("$retainKeys").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    });
    for (k, v) in pm {
        if k.starts_with("$setElementOrder/") || k == "$retainKeys" || k == "$patch" {
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(list), Some(del)) = (
                target.get_mut(field).and_then(Value::as_array_mut),
                v.as_array(),
            ) {
                list.retain(|x| !del.contains(x));
            }
            continue;
        }
        let Some(tm) = target.as_object_mut() else {
            return;
        };
        if v.is_null() {
            tm.remove(k);
            continue;
        }
        match (tm.get_mut(k), v) {
            (Some(t @ Value::Object(_)), Value::Object(_)) => {
                if v.get("$patch").and_then(Value::as_str) == Some("delete") {
                    tm.remove(k);
                } else {
                    smp(t, v, k);
                }
            }
            (Some(Value::Array(tl)), Value::Array(pl)) => {
                if let Some(key) = merge_key(k, pl.first().or(tl.first())) {
                    merge_list_by_key(tl, pl, key, true);
                } else if primitive_merge(k) {
                    for x in pl {
                        if !tl.contains(x) {
                            tl.push(x.clone());
                        }
                    }
                } else {
                    tm.insert(k.clone(), strip_directives(v));
                }
            }
            _ => {
                tm.insert(k.clone(), strip_directives(v));
            }
        }
    }
    if let (Some(keep), Some(tm)) = (retain, target.as_object_mut()) {
        tm.retain(|k, _| keep.contains(k));
    }
}

fn strip_directives(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_directives).collect()),
        _ => v.clone(),
    }
}

fn merge_list_by_key(tl: &mut Vec<Value>, pl: &[Value], key: &str, directives: bool) {
    for p in pl {
        let kv = p.get(key).cloned();
        let pos = kv
            .as_ref()
            .and_then(|kv| tl.iter().position(|t| t.get(key) == Some(kv)));
        if directives && p.get("$patch").and_then(Value::as_str) == Some("delete") {
            if let Some(i) = pos {
                tl.remove(i);
            }
            continue;
        }
        match pos {
            Some(i) => {
                if directives {
                    smp(&mut tl[i], p, "")
                } else {
                    apply_merge(&mut tl[i], p, "")
                }
            }
            None => tl.push(strip_directives(p)),
        }
    }
}

/// Server-side apply merge: maps merge, keyed lists merge by key, other lists are atomic.
fn apply_merge(target: &mut Value, applied: &Value, _field: &str) {
    let Some(am) = applied.as_object() else {
        *target = applied.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Some(tm) = target.as_object_mut() else {
        return;
    };
    for (k, v) in am {
        match (tm.get_mut(k), v) {
            (Some(t @ Value::Object(_)), Value::Object(_)) => apply_merge(t, v, k),
            (Some(Value::Array(tl)), Value::Array(pl))
                if merge_key(k, pl.first().or(tl.first())).is_some() =>
            {
                let key = merge_key(k, pl.first().or(tl.first())).unwrap_or("name");
                // order follows the applied list; elements only in the target stay after them
                let mut out: Vec<Value> = Vec::new();
                for p in pl {
                    let mut el = tl
                        .iter()
                        .find(|t| t.get(key) == p.get(key))
                        .cloned()
                        .unwrap_or(json!({}));
                    apply_merge(&mut el, p, "");
                    out.push(el);
                }
                for t in tl.iter() {
                    if !pl.iter().any(|p| p.get(key) == t.get(key)) {
                        out.push(t.clone());
                    }
                }
                *tl = out;
            }
            _ => {
                tm.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The `fieldsV1` set of an applied configuration, in the real server's format
/// (`f:<field>`, `k:{"name":"x"}` for keyed list elements).
pub fn fieldset(v: &Value, field: &str) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                if field.is_empty() && (k == "apiVersion" || k == "kind" || k == "status") {
                    continue;
                }
                if field.is_empty() && k == "metadata" {
                    // only labels, annotations and the like are owned
                    let mut md = Map::new();
                    if let Some(mm) = x.as_object() {
                        for (mk, mv) in mm {
                            if matches!(
                                mk.as_str(),
                                "labels" | "annotations" | "finalizers" | "ownerReferences"
                            ) {
                                md.insert(format!("f:{mk}"), fieldset(mv, mk));
                            }
                        }
                    }
                    if !md.is_empty() {
                        out.insert("f:metadata".into(), Value::Object(md));
                    }
                    continue;
                }
                out.insert(format!("f:{k}"), fieldset(x, k));
            }
            Value::Object(out)
        }
        Value::Array(a) => {
            let mut out = Map::new();
            if let Some(key) = merge_key(field, a.first()) {
                for el in a {
                    if let Some(kv) = el.get(key) {
                        let mut sub = fieldset(el, "");
                        if let Some(m) = sub.as_object_mut() {
                            m.insert(".".into(), json!({}));
                        }
                        out.insert(format!("k:{}", json!({ key: kv })), sub);
                    }
                }
            }
            Value::Object(out)
        }
        _ => json!({}),
    }
}

/// Removes from `target` what `old` owned and `new` no longer does.
fn remove_dropped(target: &mut Value, old: &Value, new: &Value, field: &str) {
    let (Some(om), Some(tm)) = (old.as_object(), target.as_object_mut()) else {
        return;
    };
    let empty = Map::new();
    let nm = new.as_object().unwrap_or(&empty);
    for (k, ov) in om {
        if k == "." {
            continue;
        }
        if let Some(f) = k.strip_prefix("f:") {
            match nm.get(k) {
                None => {
                    tm.remove(f);
                }
                Some(nv) => {
                    if let Some(t) = tm.get_mut(f) {
                        if t.is_array() {
                            remove_dropped_list(t, ov, nv, f);
                        } else {
                            remove_dropped(t, ov, nv, f);
                        }
                    }
                }
            }
        }
    }
    let _ = field;
}

fn remove_dropped_list(target: &mut Value, old: &Value, new: &Value, field: &str) {
    let (Some(om), Some(tl)) = (old.as_object(), target.as_array_mut()) else {
        return;
    };
    let empty = Map::new();
    let nm = new.as_object().unwrap_or(&empty);
    for (k, ov) in om {
        let Some(kj) = k.strip_prefix("k:") else {
            continue;
        };
        let Ok(Value::Object(kv)) = serde_json::from_str::<Value>(kj) else {
            continue;
        };
        let Some((key, val)) = kv.iter().next() else {
            continue;
        };
        let pos = tl.iter().position(|t| t.get(key) == Some(val));
        match (nm.get(k), pos) {
            (None, Some(i)) => {
                tl.remove(i);
            }
            (Some(nv), Some(i)) => remove_dropped(&mut tl[i], ov, nv, field),
            _ => {}
        }
    }
}

/// Server-side apply of `applied` by `manager` onto `current` (None: create).
pub fn server_side_apply(
    current: Option<&Value>,
    applied: &Value,
    manager: &str,
    api_version: &str,
) -> Value {
    let new_fs = fieldset(applied, "");
    let mut out = match current {
        None => applied.clone(),
        Some(cur) => {
            let mut merged = cur.clone();
            let old_fs = util::arr(cur, &["metadata", "managedFields"])
                .iter()
                .find(|e| {
                    util::s(e, &["manager"]) == manager && util::s(e, &["operation"]) == "Apply"
                })
                .and_then(|e| e.get("fieldsV1"))
                .cloned();
            if let Some(old) = old_fs {
                remove_dropped(&mut merged, &old, &new_fs, "");
            }
            let mut a = applied.clone();
            if let Some(m) = a.as_object_mut() {
                m.remove("status");
            }
            apply_merge(&mut merged, &a, "");
            merged
        }
    };
    let mut entries: Vec<Value> = util::arr(&out, &["metadata", "managedFields"]).to_vec();
    entries.retain(|e| {
        !(util::s(e, &["manager"]) == manager && util::s(e, &["operation"]) == "Apply")
    });
    entries.insert(0, json!({"manager": manager, "operation": "Apply", "apiVersion": api_version, "time": util::now_ts(), "fieldsType": "FieldsV1", "fieldsV1": new_fs}));
    util::set(
        &mut out,
        &["metadata", "managedFields"],
        Value::Array(entries),
    );
    out
}
