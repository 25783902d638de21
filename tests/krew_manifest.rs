//! The krew manifest obeys every rule krew's validator enforces
//! (see shared notes: name = file name, semver with `v`, one-line shortDescription,
//! selectors on os/arch only and never overlapping, .tar.gz/.zip uris, 64-hex sha256,
//! `bin` present, `files` never an empty list and shipping a LICENSE).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

const OSES: [&str; 3] = ["linux", "darwin", "windows"];
const ARCHES: [&str; 4] = ["amd64", "arm64", "386", "arm"];

fn manifest() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("plugin-manifest/zk.yaml");
    let text = std::fs::read_to_string(&path).expect("plugin-manifest/zk.yaml is readable");
    serde_saphyr::from_str(&text).expect("plugin-manifest/zk.yaml is YAML")
}

fn text<'a>(value: &'a Value, path: &str) -> &'a str {
    value
        .pointer(path)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{path} must be a string"))
}

/// Does a krew selector (matchLabels + matchExpressions) select this platform?
fn selects(selector: &Value, os: &str, arch: &str) -> bool {
    let labels = BTreeMap::from([("os", os), ("arch", arch)]);
    let labels_ok = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .is_none_or(|m| {
            m.iter()
                .all(|(k, v)| labels.get(k.as_str()).copied() == v.as_str())
        });
    let exprs_ok = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .is_none_or(|exprs| {
            exprs.iter().all(|e| {
                let key = e["key"].as_str().unwrap_or_default();
                let value = labels.get(key).copied();
                let values: Vec<&str> = e["values"]
                    .as_array()
                    .map(|v| v.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                match e["operator"].as_str() {
                    Some("In") => value.is_some_and(|v| values.contains(&v)),
                    Some("NotIn") => value.is_none_or(|v| !values.contains(&v)),
                    Some("Exists") => value.is_some(),
                    Some("DoesNotExist") => value.is_none(),
                    other => panic!("unknown selector operator {other:?}"),
                }
            })
        });
    labels_ok && exprs_ok
}

#[test]
fn header_follows_krew_rules() {
    let m = manifest();
    assert_eq!(
        text(&m, "/apiVersion"),
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(text(&m, "/kind"), "Plugin");
    assert_eq!(
        text(&m, "/metadata/name"),
        "zk",
        "name must equal the file name zk.yaml"
    );
    let version = text(&m, "/spec/version");
    let semver = version.strip_prefix('v').expect("version starts with v");
    let parts: Vec<_> = semver
        .split(['-', '+'])
        .next()
        .unwrap_or_default()
        .split('.')
        .collect();
    assert_eq!(parts.len(), 3, "{version} is semver");
    assert!(
        parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())),
        "{version}"
    );
    assert_eq!(
        semver,
        env!("CARGO_PKG_VERSION"),
        "the manifest's version must be the crate's version"
    );
    assert!(text(&m, "/spec/homepage").starts_with("https://"));
    let short = text(&m, "/spec/shortDescription");
    assert!(
        !short.contains('\n') && !short.is_empty() && short.len() <= 50,
        "one short line: {short:?}"
    );
    assert!(
        text(&m, "/spec/description").len() > 100,
        "a real description"
    );
}

#[test]
fn platforms_follow_krew_rules() {
    let m = manifest();
    let platforms = m
        .pointer("/spec/platforms")
        .and_then(Value::as_array)
        .expect("platforms");
    let mut covered = Vec::new();
    for platform in platforms {
        let selector = &platform["selector"];
        for key in selector
            .get("matchLabels")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.keys())
        {
            assert!(
                key == "os" || key == "arch",
                "selector label {key} is not os/arch"
            );
        }
        for expr in selector
            .get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = expr["key"].as_str().unwrap_or_default();
            assert!(key == "os" || key == "arch", "selector expression on {key}");
        }
        let uri = text(platform, "/uri");
        assert!(uri.starts_with("https://"), "{uri}");
        assert!(uri.ends_with(".tar.gz") || uri.ends_with(".zip"), "{uri}");
        let sha = text(platform, "/sha256");
        assert_eq!(sha.len(), 64, "{sha}");
        assert!(
            sha.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "lowercase hex: {sha}"
        );
        let bin = text(platform, "/bin");
        let files = platform
            .get("files")
            .map(|f| f.as_array().expect("files is a list"));
        if let Some(files) = files {
            assert!(!files.is_empty(), "files must not be an empty list");
            let from: Vec<_> = files
                .iter()
                .map(|f| f["from"].as_str().expect("from"))
                .collect();
            assert!(
                files.iter().all(|f| f["to"].is_string()),
                "every file has a to"
            );
            assert!(from.contains(&"LICENSE"), "archives ship a LICENSE");
            assert!(from.contains(&bin), "the bin {bin} is installed");
        }
        let mut selected = Vec::new();
        for os in OSES {
            for arch in ARCHES {
                if selects(selector, os, arch) {
                    assert!(
                        !covered.contains(&(os, arch)),
                        "selectors overlap on {os}/{arch}"
                    );
                    selected.push((os, arch));
                }
            }
        }
        assert!(!selected.is_empty(), "selector {selector} selects nothing");
        if selected.iter().any(|(os, _)| *os == "windows") {
            assert!(bin.ends_with(".exe"), "windows bin {bin} ends with .exe");
        }
        covered.extend(selected);
    }
    for wanted in [
        ("linux", "amd64"),
        ("linux", "arm64"),
        ("darwin", "amd64"),
        ("darwin", "arm64"),
        ("windows", "amd64"),
    ] {
        assert!(covered.contains(&wanted), "{wanted:?} has no archive");
    }
}

#[test]
fn overlap_check_can_fail() {
    let a = serde_json::json!({"matchLabels": {"os": "linux"}});
    let b = serde_json::json!({"matchExpressions": [{"key": "arch", "operator": "In", "values": ["amd64"]}]});
    assert!(
        selects(&a, "linux", "amd64") && selects(&b, "linux", "amd64"),
        "both select linux/amd64"
    );
}

#[test]
fn license_is_apache_2() {
    let license = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("LICENSE"))
        .expect("LICENSE");
    assert!(license.contains("Apache License") && license.contains("Version 2.0"));
}
