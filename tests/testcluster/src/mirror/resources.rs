//! The kinds a node agent mirrors from the real API server, by the key its [`super::store`]
//! files them under.

/// One mirrored kind.
#[derive(Debug)]
pub struct ResourceDef {
    pub group: &'static str,
    pub version: &'static str,
    /// Plural name as in URLs: `pods`.
    pub plural: &'static str,
    pub kind: &'static str,
}

const fn core(plural: &'static str, kind: &'static str) -> ResourceDef {
    ResourceDef {
        group: "",
        version: "v1",
        plural,
        kind,
    }
}

static RESOURCES: &[ResourceDef] = &[
    core("pods", "Pod"),
    core("nodes", "Node"),
    core("namespaces", "Namespace"),
    core("services", "Service"),
    core("endpoints", "Endpoints"),
    core("persistentvolumeclaims", "PersistentVolumeClaim"),
    core("persistentvolumes", "PersistentVolume"),
    core("configmaps", "ConfigMap"),
    core("secrets", "Secret"),
];

/// The kind filed under `key` (a plural: the mirrored kinds are all in the core group).
pub fn by_key(key: &str) -> Option<&'static ResourceDef> {
    RESOURCES.iter().find(|r| r.plural == key)
}

/// The store keys of the mirrored kinds.
pub mod keys {
    pub const PODS: &str = "pods";
    pub const NODES: &str = "nodes";
    pub const NAMESPACES: &str = "namespaces";
    pub const SERVICES: &str = "services";
    pub const ENDPOINTS: &str = "endpoints";
    pub const PVCS: &str = "persistentvolumeclaims";
    pub const PVS: &str = "persistentvolumes";
    pub const CONFIGMAPS: &str = "configmaps";
    pub const SECRETS: &str = "secrets";
}
