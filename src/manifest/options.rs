//! The validated choices `install` renders from: flavours, quantities, heap sizes and modes.
//!
//! Every parser here is used by clap, so a bad value fails with a message that names
//! the accepted form before anything touches the cluster.

use std::fmt;

use clap::ValueEnum;
use serde::Serialize;

/// The most servers an ensemble can have: ZooKeeper's server ids (`myid`) are 1-255.
pub const MAX_REPLICAS: u32 = 255;

/// Parses `--replicas`.
pub fn parse_replicas(text: &str) -> Result<u32, String> {
    let hint = format!("use a whole number from 1 to {MAX_REPLICAS}, e.g. 3 or 5");
    let n: u32 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a whole number; {hint}"))?;
    if n == 0 || n > MAX_REPLICAS {
        return Err(format!("{n} members cannot form an ensemble; {hint}"));
    }
    Ok(n)
}

/// Why an odd number of members is better, for the warning on even `--replicas`.
pub fn even_replicas_warning(replicas: u32) -> Option<String> {
    if replicas % 2 == 1 {
        return None;
    }
    let tolerated = crate::zk::quorum::failures_tolerated(replicas as usize);
    Some(format!(
        "{replicas} members tolerate {tolerated} failure(s), no more than {} would: an even member adds load and \
a way to fail but no fault tolerance; use --replicas {} or {}",
        replicas - 1,
        replicas - 1,
        replicas + 1
    ))
}

/// Which published image an ensemble runs, and so how it is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flavor {
    /// The Docker library `zookeeper` image (3.9), configured by a ConfigMap zoo.cfg, AdminServer on 8080.
    Official,
    /// The Kubernetes tutorial image `kubernetes-zookeeper:1.0-3.4.10`, driven by start-zookeeper flags.
    #[value(name = "k8s-tutorial")]
    K8sTutorial,
}

/// The official flavour's default image: the newest 3.9 patch that both the Docker library
/// publishes and Maven Central serves with every runtime dependency (the test cluster runs the
/// release from Maven Central, so it runs exactly what users get). 3.9.6 is the newest tag, but its
/// parent pom is not served; 3.9.5 lacks the Prometheus metrics provider. A bump is this line; the
/// test command fetches the release it names (`scripts/lib/zookeeper.sh`).
pub const OFFICIAL_IMAGE: &str = "docker.io/library/zookeeper:3.9.4";

impl Flavor {
    /// The image installed when `--image` is not given.
    pub fn default_image(self) -> &'static str {
        match self {
            Flavor::Official => OFFICIAL_IMAGE,
            Flavor::K8sTutorial => "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
        }
    }

    /// Infers the flavour from an image reference, if it is one of the known images.
    pub fn infer(image: &str) -> Option<Flavor> {
        let without_digest = image.split('@').next().unwrap_or(image);
        let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
        let repository = last.split(':').next().unwrap_or(last);
        match repository {
            "kubernetes-zookeeper" => Some(Flavor::K8sTutorial),
            "zookeeper" => Some(Flavor::Official),
            _ => None,
        }
    }

    /// The pod management that fits the flavour's readiness probe: the official flavour's
    /// probe is quorum-aware, which would deadlock OrderedReady start-up, so its members
    /// start in parallel; the tutorial image's `ruok` probe is not, so it keeps the seeds' order.
    pub fn default_pod_management(self) -> PodManagement {
        match self {
            Flavor::Official => PodManagement::Parallel,
            Flavor::K8sTutorial => PodManagement::OrderedReady,
        }
    }

    /// The data directory inside the container (holds `myid`).
    pub fn data_dir(self) -> &'static str {
        match self {
            Flavor::Official => crate::manifest::official::DATA_DIR,
            Flavor::K8sTutorial => crate::manifest::tutorial::DATA_DIR,
        }
    }

    /// The name users type.
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::Official => "official",
            Flavor::K8sTutorial => "k8s-tutorial",
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Pod anti-affinity between members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AntiAffinity {
    /// Never two members on one node (a member stays Pending rather than share).
    Required,
    /// Spread members over nodes when possible.
    Preferred,
    /// No rule.
    None,
}

/// StatefulSet `podManagementPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
pub enum PodManagement {
    /// Create pods one at a time, each after the previous is Ready.
    #[value(name = "OrderedReady")]
    OrderedReady,
    /// Create all pods at once.
    #[value(name = "Parallel")]
    Parallel,
}

impl PodManagement {
    /// The value Kubernetes uses.
    pub fn as_str(self) -> &'static str {
        match self {
            PodManagement::OrderedReady => "OrderedReady",
            PodManagement::Parallel => "Parallel",
        }
    }
}

/// ZooKeeper's log level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LogLevel {
    /// Errors only.
    #[value(name = "ERROR")]
    Error,
    /// Warnings and errors.
    #[value(name = "WARN")]
    Warn,
    /// The usual.
    #[value(name = "INFO")]
    Info,
    /// Verbose.
    #[value(name = "DEBUG")]
    Debug,
    /// Very verbose.
    #[value(name = "TRACE")]
    Trace,
}

impl LogLevel {
    /// The level as ZooKeeper spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "ERROR",
            LogLevel::Warn => "WARN",
            LogLevel::Info => "INFO",
            LogLevel::Debug => "DEBUG",
            LogLevel::Trace => "TRACE",
        }
    }
}

/// Which OpenShift SecurityContextConstraints the members are made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SccProfile {
    /// Run as the image's user 1000 with fsGroup 1000 (what the seeds do); on OpenShift the
    /// ServiceAccount is granted the `anyuid` SCC.
    Anyuid,
    /// No fixed user or group: OpenShift's restricted-v2 gives a UID from the namespace's
    /// range, and no grant is needed (official flavour only).
    Restricted,
}

/// Whether to treat the cluster as OpenShift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpenShiftMode {
    /// Detect OpenShift from the API groups the server offers.
    Auto,
    /// Treat the cluster as OpenShift (fails when it is not).
    Always,
    /// Never do anything OpenShift-specific.
    Never,
}

/// A Kubernetes resource quantity (`10Gi`, `500m`, `1.5`), kept as typed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Quantity(String);

impl Quantity {
    /// Parses a quantity for `--storage-size`.
    pub fn parse_storage(text: &str) -> Result<Self, String> {
        Self::parse_positive(text, "a size such as 10Gi, 500Mi or 1Ti")
    }

    /// Parses a quantity for `--memory`.
    pub fn parse_memory(text: &str) -> Result<Self, String> {
        Self::parse_positive(text, "a size such as 1Gi or 512Mi")
    }

    /// Parses a quantity for `--cpu`.
    pub fn parse_cpu(text: &str) -> Result<Self, String> {
        Self::parse_positive(text, "a number of cores such as 500m, 1 or 0.5")
    }

    fn parse_positive(text: &str, example: &str) -> Result<Self, String> {
        match quantity_value(text) {
            Some(value) if value > 0.0 => Ok(Self(text.to_owned())),
            Some(_) => Err(format!("'{text}' must be more than zero; use {example}")),
            None => Err(format!(
                "'{text}' is not a Kubernetes quantity (a number with one of the suffixes Ki Mi Gi Ti Pi Ei, k M G T P E or m); use {example}"
            )),
        }
    }

    /// The quantity as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value in base units (bytes, cores).
    pub fn value(&self) -> f64 {
        quantity_value(&self.0).unwrap_or(0.0)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The value of a Kubernetes quantity in base units, or `None` when it is not one.
/// Grammar: a decimal number, then a binary suffix (Ki..Ei), a decimal suffix
/// (n u m k M G T P E) or an exponent (`e3`, `E-2`).
pub fn quantity_value(text: &str) -> Option<f64> {
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(number_end);
    let digits = number.trim_start_matches(['+', '-']);
    if digits.is_empty()
        || digits.starts_with('.') && digits.len() == 1
        || digits.matches('.').count() > 1
        || digits.contains(['+', '-'])
    {
        return None;
    }
    let base: f64 = number.parse().ok()?;
    let multiplier = match suffix {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        exponent if exponent.starts_with(['e', 'E']) => {
            let power: i32 = exponent[1..].parse().ok()?;
            10f64.powi(power)
        }
        _ => return None,
    };
    Some(base * multiplier)
}

/// A JVM heap size as `start-zookeeper --heap` and `-Xmx` take it: a number and an
/// optional unit k, m or g (either case), e.g. `512M`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct HeapSize(String);

impl HeapSize {
    /// Parses `--heap`.
    pub fn parse_arg(text: &str) -> Result<Self, String> {
        let hint = "use a number with the unit M or G, e.g. 512M or 2G";
        let digits_end = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at(digits_end);
        let number: u64 = digits
            .parse()
            .map_err(|_| format!("'{text}' is not a heap size; {hint}"))?;
        if !matches!(unit, "" | "k" | "K" | "m" | "M" | "g" | "G") {
            return Err(format!("'{text}' has an unknown unit '{unit}'; {hint}"));
        }
        let heap = Self(text.to_owned());
        if number == 0 || heap.megabytes() < 32 {
            return Err(format!(
                "'{text}' is too small for a ZooKeeper server (at least 32M); {hint}"
            ));
        }
        Ok(heap)
    }

    /// The size as typed (for `--heap` and `-Xmx`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The size in MiB (as `ZK_SERVER_HEAP` takes it).
    pub fn megabytes(&self) -> u64 {
        let digits_end = self
            .0
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(self.0.len());
        let (digits, unit) = self.0.split_at(digits_end);
        let number: u64 = digits.parse().unwrap_or(0);
        match unit {
            "" => number / (1024 * 1024),
            "k" | "K" => number / 1024,
            "g" | "G" => number.saturating_mul(1024),
            _ => number,
        }
    }

    /// The size in bytes.
    pub fn bytes(&self) -> u64 {
        self.megabytes().saturating_mul(1024 * 1024)
    }
}

impl fmt::Display for HeapSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_must_form_an_ensemble() {
        assert_eq!(parse_replicas("3"), Ok(3));
        assert_eq!(parse_replicas("255"), Ok(255));
        for bad in ["0", "abc", "-1", "256", "", "3.5"] {
            let err = parse_replicas(bad).expect_err(bad);
            assert!(err.contains("1 to 255"), "{err}");
        }
    }

    #[test]
    fn even_replicas_warn_with_the_reason() {
        assert_eq!(even_replicas_warning(3), None);
        let warning = even_replicas_warning(4).expect("warns");
        assert!(warning.contains("tolerate 1 failure"), "{warning}");
        assert!(warning.contains("--replicas 3 or 5"), "{warning}");
    }

    #[test]
    fn flavours_are_inferred_from_the_image() {
        assert_eq!(Flavor::infer("zookeeper:3.9.3"), Some(Flavor::Official));
        assert_eq!(
            Flavor::infer("docker.io/library/zookeeper:3.8.4"),
            Some(Flavor::Official)
        );
        assert_eq!(
            Flavor::infer("registry.example.com:5000/zookeeper"),
            Some(Flavor::Official)
        );
        assert_eq!(
            Flavor::infer("k8s.gcr.io/kubernetes-zookeeper:1.0-3.4.10"),
            Some(Flavor::K8sTutorial)
        );
        assert_eq!(
            Flavor::infer("registry.k8s.io/kubernetes-zookeeper@sha256:abc"),
            Some(Flavor::K8sTutorial)
        );
        assert_eq!(Flavor::infer("bitnami/zookeeper-ish:1"), None);
        for flavor in [Flavor::Official, Flavor::K8sTutorial] {
            assert_eq!(Flavor::infer(flavor.default_image()), Some(flavor));
        }
    }

    #[test]
    fn quantities_follow_kubernetes_grammar() {
        assert_eq!(quantity_value("10Gi"), Some(10.0 * 1024f64.powi(3)));
        assert_eq!(quantity_value("500m"), Some(0.5));
        assert_eq!(quantity_value("0.5"), Some(0.5));
        assert_eq!(quantity_value("1e3"), Some(1000.0));
        assert_eq!(quantity_value("2k"), Some(2000.0));
        for bad in ["10Zz", "", "Gi", "1..5", "ten", "5 Gi", "1.2.3Gi"] {
            assert_eq!(quantity_value(bad), None, "{bad}");
        }
        assert!(Quantity::parse_storage("0Gi").is_err());
        let err = Quantity::parse_storage("10Zz").expect_err("bad suffix");
        assert!(err.contains("10Gi"), "{err}");
    }

    #[test]
    fn heap_sizes() {
        assert_eq!(HeapSize::parse_arg("512M").map(|h| h.megabytes()), Ok(512));
        assert_eq!(HeapSize::parse_arg("2g").map(|h| h.megabytes()), Ok(2048));
        assert!(HeapSize::parse_arg("512X").is_err());
        assert!(HeapSize::parse_arg("1M").is_err());
        assert!(HeapSize::parse_arg("M").is_err());
    }
}
