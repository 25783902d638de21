//! Small helpers over JSON objects and time.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// RFC 3339 with seconds, as Kubernetes writes `metav1.Time`.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn now_ts() -> String {
    ts(now())
}

pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    get(v, path).and_then(Value::as_str).unwrap_or("")
}

pub fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    Some(cur)
}

pub fn i64_at(v: &Value, path: &[&str]) -> Option<i64> {
    get(v, path).and_then(Value::as_i64)
}

pub fn arr<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    get(v, path)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Mutable access to an object field, creating intermediate objects.
pub fn obj_mut<'a>(v: &'a mut Value, path: &[&str]) -> &'a mut Map<String, Value> {
    let mut cur = v;
    for p in path {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let m = cur.as_object_mut().expect("object ensured above");
        cur = m
            .entry(p.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if !cur.is_object() {
        *cur = Value::Object(Map::new());
    }
    cur.as_object_mut().expect("object ensured above")
}

pub fn set(v: &mut Value, path: &[&str], value: Value) {
    if let Some((last, rest)) = path.split_last() {
        obj_mut(v, rest).insert(last.to_string(), value);
    }
}

pub fn name(v: &Value) -> &str {
    s(v, &["metadata", "name"])
}

pub fn namespace(v: &Value) -> &str {
    s(v, &["metadata", "namespace"])
}

pub fn uid(v: &Value) -> &str {
    s(v, &["metadata", "uid"])
}

pub fn labels(v: &Value) -> Map<String, Value> {
    get(v, &["metadata", "labels"])
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Kubernetes' `duration.HumanDuration`, used for AGE columns.
pub fn human_duration(secs: i64) -> String {
    let d = secs.max(0);
    if d < 60 * 2 {
        return format!("{d}s");
    }
    let minutes = d / 60;
    if minutes < 10 {
        let s = d % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = d / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// Age of an object from its creationTimestamp, or `<unknown>`.
pub fn age(v: &Value) -> String {
    match parse_ts(s(v, &["metadata", "creationTimestamp"])) {
        Some(t) => human_duration((now() - t).num_seconds()),
        None => "<unknown>".into(),
    }
}

pub fn age_of(ts: &str) -> String {
    match parse_ts(ts) {
        Some(t) => human_duration((now() - t).num_seconds()),
        None => "<unknown>".into(),
    }
}

/// Parses a Kubernetes quantity into a number of base units (CPU in millicores when `milli`).
pub fn quantity(q: &Value, milli: bool) -> Option<i128> {
    let text = match q {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let idx = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(text.len());
    let (num, suffix) = text.split_at(idx);
    let n: f64 = num.parse().ok()?;
    let mult: f64 = match suffix {
        "" => 1.0,
        "m" => 0.001,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return None,
    };
    let v = n * mult * if milli { 1000.0 } else { 1.0 };
    Some(v.round() as i128)
}
