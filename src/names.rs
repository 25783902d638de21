//! Validated names of Kubernetes objects the user types: ensembles, namespaces, nodes.
//!
//! Each parser returns a message that names the rule and an example, so a bad name
//! fails before anything is sent to the cluster.

use std::fmt;

use serde::Serialize;

/// The longest ensemble name: pods are named `<name>-<ordinal>` and carry the label
/// `controller-revision-hash: <name>-<10 characters>`, which must fit in 63 characters.
pub const MAX_ENSEMBLE_NAME: usize = 52;

/// The name of an ensemble: the name of its StatefulSet (a DNS-1035 label).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EnsembleName(String);

impl EnsembleName {
    /// Validates an ensemble name.
    pub fn parse_arg(text: &str) -> Result<Self, String> {
        dns_label(text, MAX_ENSEMBLE_NAME, true)?;
        Ok(Self(text.to_owned()))
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The headless Service that gives members their DNS names.
    pub fn headless_service(&self) -> String {
        format!("{}-hs", self.0)
    }

    /// The client Service.
    pub fn client_service(&self) -> String {
        format!("{}-cs", self.0)
    }

    /// The PodDisruptionBudget.
    pub fn pdb(&self) -> String {
        format!("{}-pdb", self.0)
    }

    /// The name of the pod with this ordinal.
    pub fn pod(&self, ordinal: u32) -> String {
        format!("{}-{ordinal}", self.0)
    }
}

impl Default for EnsembleName {
    fn default() -> Self {
        Self("zk".to_owned())
    }
}

impl fmt::Display for EnsembleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of a node (a DNS-1123 subdomain).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct NodeName(String);

impl NodeName {
    /// Validates a node name.
    pub fn parse_arg(text: &str) -> Result<Self, String> {
        dns_subdomain(text)?;
        Ok(Self(text.to_owned()))
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Validates a namespace name (a DNS-1123 label).
pub fn parse_namespace(text: &str) -> Result<String, String> {
    dns_label(text, 63, false)?;
    Ok(text.to_owned())
}

/// Validates a StorageClass name (a DNS-1123 subdomain).
pub fn parse_storage_class(text: &str) -> Result<String, String> {
    dns_subdomain(text)?;
    Ok(text.to_owned())
}

fn dns_label(text: &str, max: usize, must_start_with_letter: bool) -> Result<(), String> {
    let rule = if must_start_with_letter {
        format!(
            "lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, at most {max} characters (e.g. zk)"
        )
    } else {
        format!(
            "lowercase letters, digits and '-', starting and ending with a letter or digit, at most {max} characters (e.g. kafka)"
        )
    };
    let valid_chars = text
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let first_ok = text
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || (!must_start_with_letter && b.is_ascii_digit()));
    let last_ok = text
        .bytes()
        .last()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if text.is_empty() || text.len() > max || !valid_chars || !first_ok || !last_ok {
        return Err(format!("use {rule}"));
    }
    Ok(())
}

fn dns_subdomain(text: &str) -> Result<(), String> {
    const RULE: &str = "use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters";
    if text.is_empty() || text.len() > 253 {
        return Err(RULE.to_owned());
    }
    for label in text.split('.') {
        dns_label(label, 63, false).map_err(|_| RULE.to_owned())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensemble_names_follow_dns_1035() {
        for good in ["zk", "zk-prod", "a1", "kafka-zookeeper"] {
            assert!(EnsembleName::parse_arg(good).is_ok(), "{good}");
        }
        for bad in ["", "Zk", "1zk", "zk-", "zk_1", "zk.a", &"a".repeat(53)] {
            assert!(EnsembleName::parse_arg(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn derived_names_match_the_seeds() {
        let name = EnsembleName::default();
        assert_eq!(name.headless_service(), "zk-hs");
        assert_eq!(name.client_service(), "zk-cs");
        assert_eq!(name.pdb(), "zk-pdb");
        assert_eq!(name.pod(2), "zk-2");
    }

    #[test]
    fn namespaces_and_nodes() {
        assert!(parse_namespace("kube-system").is_ok());
        assert!(parse_namespace("0abc").is_ok());
        assert!(parse_namespace("Kafka").is_err());
        assert!(NodeName::parse_arg("ip-10-0-0-1.ec2.internal").is_ok());
        assert!(NodeName::parse_arg("node_1").is_err());
    }
}
