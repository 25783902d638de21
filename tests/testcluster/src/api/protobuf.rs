//! Decoding of the Kubernetes protobuf envelope (`k8s\0` + `runtime.Unknown`) for the kinds
//! kubectl's generators send as protobuf (`kubectl create namespace|configmap|secret|
//! serviceaccount|poddisruptionbudget|role|rolebinding|clusterrole|clusterrolebinding`), and the
//! reviews `kubectl auth can-i` and `kubectl auth whoami` send.
//! Only the fields those commands set are decoded.

use base64::Engine;
use serde_json::{Map, Value, json};

#[derive(Clone, Copy)]
enum T {
    Str,
    /// bytes shown as base64 (Secret data)
    B64,
    Int,
    Bool,
    Msg(&'static [(u64, &'static str, T)]),
    MapStr,
    MapB64,
    RepStr,
    RepMsg(&'static [(u64, &'static str, T)]),
    IntOrStr,
}

const OWNER_REF: &[(u64, &str, T)] = &[
    (5, "apiVersion", T::Str),
    (1, "kind", T::Str),
    (3, "name", T::Str),
    (4, "uid", T::Str),
    (6, "controller", T::Bool),
    (7, "blockOwnerDeletion", T::Bool),
];
const META: &[(u64, &str, T)] = &[
    (1, "name", T::Str),
    (2, "generateName", T::Str),
    (3, "namespace", T::Str),
    (6, "resourceVersion", T::Str),
    (11, "labels", T::MapStr),
    (12, "annotations", T::MapStr),
    (13, "ownerReferences", T::RepMsg(OWNER_REF)),
    (14, "finalizers", T::RepStr),
];
const REQ: &[(u64, &str, T)] = &[
    (1, "key", T::Str),
    (2, "operator", T::Str),
    (3, "values", T::RepStr),
];
const SELECTOR: &[(u64, &str, T)] = &[
    (1, "matchLabels", T::MapStr),
    (2, "matchExpressions", T::RepMsg(REQ)),
];
const RULE: &[(u64, &str, T)] = &[
    (1, "verbs", T::RepStr),
    (2, "apiGroups", T::RepStr),
    (3, "resources", T::RepStr),
    (4, "resourceNames", T::RepStr),
    (5, "nonResourceURLs", T::RepStr),
];
const SUBJECT: &[(u64, &str, T)] = &[
    (1, "kind", T::Str),
    (2, "apiGroup", T::Str),
    (3, "name", T::Str),
    (4, "namespace", T::Str),
];
const ROLEREF: &[(u64, &str, T)] = &[
    (1, "apiGroup", T::Str),
    (2, "kind", T::Str),
    (3, "name", T::Str),
];

fn schema(kind: &str) -> Option<&'static [(u64, &'static str, T)]> {
    const NS: &[(u64, &str, T)] = &[
        (1, "metadata", T::Msg(META)),
        (2, "spec", T::Msg(&[(1, "finalizers", T::RepStr)])),
    ];
    const CM: &[(u64, &str, T)] = &[
        (1, "metadata", T::Msg(META)),
        (2, "data", T::MapStr),
        (3, "binaryData", T::MapB64),
        (4, "immutable", T::Bool),
    ];
    const SECRET: &[(u64, &str, T)] = &[
        (1, "metadata", T::Msg(META)),
        (2, "data", T::MapB64),
        (3, "type", T::Str),
        (4, "stringData", T::MapStr),
        (5, "immutable", T::Bool),
    ];
    const SA: &[(u64, &str, T)] = &[
        (1, "metadata", T::Msg(META)),
        (4, "automountServiceAccountToken", T::Bool),
    ];
    const PDB: &[(u64, &str, T)] = &[
        (1, "metadata", T::Msg(META)),
        (
            2,
            "spec",
            T::Msg(&[
                (1, "minAvailable", T::IntOrStr),
                (2, "selector", T::Msg(SELECTOR)),
                (3, "maxUnavailable", T::IntOrStr),
                (4, "unhealthyPodEvictionPolicy", T::Str),
            ]),
        ),
    ];
    const ROLE: &[(u64, &str, T)] = &[(1, "metadata", T::Msg(META)), (2, "rules", T::RepMsg(RULE))];
    const BINDING: &[(u64, &str, T)] = &[
        (1, "metadata", T::Msg(META)),
        (2, "subjects", T::RepMsg(SUBJECT)),
        (3, "roleRef", T::Msg(ROLEREF)),
    ];
    const RESOURCE_ATTRIBUTES: &[(u64, &str, T)] = &[
        (1, "namespace", T::Str),
        (2, "verb", T::Str),
        (3, "group", T::Str),
        (4, "version", T::Str),
        (5, "resource", T::Str),
        (6, "subresource", T::Str),
        (7, "name", T::Str),
    ];
    const NON_RESOURCE_ATTRIBUTES: &[(u64, &str, T)] = &[(1, "path", T::Str), (2, "verb", T::Str)];
    const ACCESS_REVIEW: &[(u64, &str, T)] = &[
        (1, "metadata", T::Msg(META)),
        (
            2,
            "spec",
            T::Msg(&[
                (1, "resourceAttributes", T::Msg(RESOURCE_ATTRIBUTES)),
                (2, "nonResourceAttributes", T::Msg(NON_RESOURCE_ATTRIBUTES)),
                (3, "user", T::Str),
                (4, "groups", T::RepStr),
                (6, "uid", T::Str),
            ]),
        ),
    ];
    const RULES_REVIEW: &[(u64, &str, T)] = &[
        (1, "metadata", T::Msg(META)),
        (2, "spec", T::Msg(&[(1, "namespace", T::Str)])),
    ];
    const SELF_REVIEW: &[(u64, &str, T)] = &[(1, "metadata", T::Msg(META))];
    Some(match kind {
        "SelfSubjectAccessReview" | "SubjectAccessReview" | "LocalSubjectAccessReview" => {
            ACCESS_REVIEW
        }
        "SelfSubjectRulesReview" => RULES_REVIEW,
        "SelfSubjectReview" => SELF_REVIEW,
        "Namespace" => NS,
        "ConfigMap" => CM,
        "Secret" => SECRET,
        "ServiceAccount" => SA,
        "PodDisruptionBudget" => PDB,
        "Role" | "ClusterRole" => ROLE,
        "RoleBinding" | "ClusterRoleBinding" => BINDING,
        _ => return None,
    })
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Option<u64> {
        let mut v: u64 = 0;
        let mut shift = 0;
        loop {
            let byte = *self.b.get(self.i)?;
            self.i += 1;
            v |= ((byte & 0x7f) as u64) << shift;
            if byte & 0x80 == 0 {
                return Some(v);
            }
            shift += 7;
            if shift > 63 {
                return None;
            }
        }
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.varint()? as usize;
        let s = self.b.get(self.i..self.i.checked_add(n)?)?;
        self.i += n;
        Some(s)
    }

    /// (field number, wire type, varint value or bytes)
    fn field(&mut self) -> Option<(u64, u64, u64, &'a [u8])> {
        if self.i >= self.b.len() {
            return None;
        }
        let key = self.varint()?;
        let (num, wt) = (key >> 3, key & 7);
        match wt {
            0 => Some((num, wt, self.varint()?, &[])),
            2 => Some((num, wt, 0, self.bytes()?)),
            1 => {
                self.i += 8;
                Some((num, wt, 0, &[]))
            }
            5 => {
                self.i += 4;
                Some((num, wt, 0, &[]))
            }
            _ => None,
        }
    }
}

fn map_entry(b: &[u8], b64: bool) -> Option<(String, Value)> {
    let mut r = Reader { b, i: 0 };
    let (mut k, mut v) = (String::new(), Value::String(String::new()));
    while let Some((num, _, _, bytes)) = r.field() {
        match num {
            1 => k = String::from_utf8_lossy(bytes).into_owned(),
            2 => {
                v = if b64 {
                    json!(base64::engine::general_purpose::STANDARD.encode(bytes))
                } else {
                    json!(String::from_utf8_lossy(bytes))
                }
            }
            _ => {}
        }
    }
    Some((k, v))
}

fn decode_msg(b: &[u8], fields: &[(u64, &str, T)]) -> Option<Value> {
    let mut r = Reader { b, i: 0 };
    let mut out = Map::new();
    while let Some((num, _wt, int, bytes)) = r.field() {
        let Some((_, name, t)) = fields.iter().find(|(n, _, _)| *n == num) else {
            continue;
        };
        let name = name.to_string();
        match t {
            T::Str => {
                out.insert(name, json!(String::from_utf8_lossy(bytes)));
            }
            T::B64 => {
                out.insert(
                    name,
                    json!(base64::engine::general_purpose::STANDARD.encode(bytes)),
                );
            }
            T::Int => {
                out.insert(name, json!(int as i64));
            }
            T::Bool => {
                out.insert(name, json!(int != 0));
            }
            T::Msg(f) => {
                out.insert(name, decode_msg(bytes, f)?);
            }
            T::MapStr | T::MapB64 => {
                let (k, v) = map_entry(bytes, matches!(t, T::MapB64))?;
                if let Some(m) = out.entry(name).or_insert_with(|| json!({})).as_object_mut() {
                    m.insert(k, v);
                }
            }
            T::RepStr => {
                if let Some(a) = out.entry(name).or_insert_with(|| json!([])).as_array_mut() {
                    a.push(json!(String::from_utf8_lossy(bytes)));
                }
            }
            T::RepMsg(f) => {
                let v = decode_msg(bytes, f)?;
                if let Some(a) = out.entry(name).or_insert_with(|| json!([])).as_array_mut() {
                    a.push(v);
                }
            }
            T::IntOrStr => {
                let v = decode_msg(
                    bytes,
                    &[
                        (1, "type", T::Int),
                        (2, "intVal", T::Int),
                        (3, "strVal", T::Str),
                    ],
                )?;
                let val = if v.get("type").and_then(Value::as_i64) == Some(1) {
                    v.get("strVal").cloned().unwrap_or(json!(""))
                } else {
                    v.get("intVal").cloned().unwrap_or(json!(0))
                };
                out.insert(name, val);
            }
        }
    }
    Some(Value::Object(out))
}

/// Decodes a protobuf request body into JSON; None for an unknown kind or a malformed body.
pub fn decode(body: &[u8]) -> Option<Value> {
    let rest = body.strip_prefix(b"k8s\0")?;
    let unknown = decode_msg(
        rest,
        &[
            (
                1,
                "typeMeta",
                T::Msg(&[(1, "apiVersion", T::Str), (2, "kind", T::Str)]),
            ),
            (2, "raw", T::B64),
        ],
    )?;
    let kind = unknown.pointer("/typeMeta/kind")?.as_str()?.to_string();
    let api_version = unknown
        .pointer("/typeMeta/apiVersion")?
        .as_str()?
        .to_string();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(unknown.get("raw")?.as_str()?)
        .ok()?;
    let mut obj = decode_msg(&raw, schema(&kind)?)?;
    obj["apiVersion"] = json!(api_version);
    obj["kind"] = json!(kind);
    Some(obj)
}
