//! Label selectors (query string and `LabelSelector` objects) and field selectors.

use super::errors::{ApiError, ApiResult};
use crate::util;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum Req {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed label selector: every requirement must hold. An empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector {
    pub reqs: Vec<Req>,
    /// A `LabelSelector` object that selects nothing (nil selector semantics where required).
    pub nothing: bool,
}

fn split_top(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c)
            }
            ')' => {
                depth -= 1;
                cur.push(c)
            }
            ',' if depth == 0 => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

fn values(list: &str) -> Vec<String> {
    list.trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

impl LabelSelector {
    /// Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
    pub fn parse(text: &str) -> ApiResult<LabelSelector> {
        let mut reqs = Vec::new();
        for part in split_top(text) {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            let bad = || {
                ApiError::bad_request(format!(
                    "unable to parse requirement: found '{p}', expected: in, notin, =, ==, !=, gt, lt"
                ))
            };
            if let Some(k) = p.strip_prefix('!') {
                reqs.push(Req::NotExists(k.trim().to_string()));
            } else if let Some((k, v)) = p.split_once("!=") {
                reqs.push(Req::NotEq(k.trim().into(), v.trim().into()));
            } else if let Some((k, v)) = p.split_once("==") {
                reqs.push(Req::Eq(k.trim().into(), v.trim().into()));
            } else if let Some((k, v)) = p.split_once('=') {
                reqs.push(Req::Eq(k.trim().into(), v.trim().into()));
            } else if let Some(i) = p.find(" notin ") {
                reqs.push(Req::NotIn(p[..i].trim().into(), values(&p[i + 7..])));
            } else if let Some(i) = p.find(" in ") {
                reqs.push(Req::In(p[..i].trim().into(), values(&p[i + 4..])));
            } else if p.contains('(') || p.contains(' ') {
                return Err(bad());
            } else {
                reqs.push(Req::Exists(p.to_string()));
            }
        }
        Ok(LabelSelector {
            reqs,
            nothing: false,
        })
    }

    /// From a `metav1.LabelSelector` object; `None`/null selects nothing.
    pub fn from_object(sel: Option<&Value>) -> LabelSelector {
        let Some(sel) = sel.filter(|s| s.is_object()) else {
            return LabelSelector {
                reqs: vec![],
                nothing: true,
            };
        };
        let mut reqs = Vec::new();
        if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
            for (k, v) in m {
                reqs.push(Req::Eq(k.clone(), v.as_str().unwrap_or("").to_string()));
            }
        }
        for e in util::arr(sel, &["matchExpressions"]) {
            let key = util::s(e, &["key"]).to_string();
            let vals: Vec<String> = util::arr(e, &["values"])
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            match util::s(e, &["operator"]) {
                "In" => reqs.push(Req::In(key, vals)),
                "NotIn" => reqs.push(Req::NotIn(key, vals)),
                "Exists" => reqs.push(Req::Exists(key)),
                "DoesNotExist" => reqs.push(Req::NotExists(key)),
                _ => {
                    return LabelSelector {
                        reqs: vec![],
                        nothing: true,
                    };
                }
            }
        }
        LabelSelector {
            reqs,
            nothing: false,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty() && !self.nothing
    }

    pub fn matches(&self, labels: &Map<String, Value>) -> bool {
        if self.nothing {
            return false;
        }
        let get = |k: &str| labels.get(k).and_then(Value::as_str);
        self.reqs.iter().all(|r| match r {
            Req::Eq(k, v) => get(k) == Some(v.as_str()),
            Req::NotEq(k, v) => get(k) != Some(v.as_str()),
            Req::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Req::Exists(k) => labels.contains_key(k),
            Req::NotExists(k) => !labels.contains_key(k),
        })
    }

    pub fn matches_obj(&self, obj: &Value) -> bool {
        self.matches(&util::labels(obj))
    }
}

/// A parsed field selector: (field, value, equal?) requirements.
#[derive(Debug, Clone, Default)]
pub struct FieldSelector {
    reqs: Vec<(String, String, bool)>,
}

impl FieldSelector {
    pub fn parse(text: &str, kind: &str) -> ApiResult<FieldSelector> {
        let mut reqs = Vec::new();
        for p in text.split(',') {
            let p = p.trim();
            if p.is_empty() {
                continue;
            }
            let (f, v, eq) = if let Some((f, v)) = p.split_once("!=") {
                (f, v, false)
            } else if let Some((f, v)) = p.split_once("==") {
                (f, v, true)
            } else if let Some((f, v)) = p.split_once('=') {
                (f, v, true)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{text}'; can't understand '{p}'"
                )));
            };
            let f = f.trim();
            let supported = matches!(f, "metadata.name" | "metadata.namespace")
                || (kind == "Pod"
                    && matches!(
                        f,
                        "spec.nodeName"
                            | "status.phase"
                            | "spec.restartPolicy"
                            | "spec.schedulerName"
                            | "spec.serviceAccountName"
                            | "status.podIP"
                            | "status.nominatedNodeName"
                    ))
                || (kind == "Event"
                    && (f.starts_with("involvedObject.")
                        || matches!(f, "reason" | "type" | "source" | "reportingComponent")))
                || (kind == "Node" && f == "spec.unschedulable")
                || (kind == "Namespace" && f == "status.phase")
                || (kind == "Secret" && f == "type");
            if !supported {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {f}"
                )));
            }
            reqs.push((f.to_string(), v.trim().to_string(), eq));
        }
        Ok(FieldSelector { reqs })
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.reqs.iter().all(|(f, v, eq)| {
            let path: Vec<&str> = f.split('.').collect();
            let actual = match util::get(obj, &path) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Number(n)) => n.to_string(),
                Some(_) => String::new(),
                None if f == "spec.unschedulable" => "false".into(),
                None => String::new(),
            };
            (actual == *v) == *eq
        })
    }
}
