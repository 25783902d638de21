//! The resource types this server serves, for discovery and routing.

/// One served resource type.
#[derive(Debug)]
pub struct ResourceDef {
    pub group: &'static str,
    pub version: &'static str,
    /// Plural name as in URLs: `pods`.
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    /// Subresources: `status`, `scale`, `eviction`, …
    pub subresources: &'static [&'static str],
    /// Only listable/gettable (no writes through the API), e.g. nothing yet.
    pub read_only: bool,
}

impl ResourceDef {
    /// `pods`, `statefulsets.apps`: the key of this type in the store.
    pub fn key(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }
}

const ALL: &[&str] = &["all"];
const RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

pub const VERBS: &[&str] = RW;

/// The verbs discovery lists for a resource: only `create` for the review APIs, which are
/// answered, never stored.
pub fn verbs(def: &ResourceDef) -> &'static [&'static str] {
    if super::reviews::is_review(def.group) {
        &["create"]
    } else {
        VERBS
    }
}

macro_rules! res {
    ($g:expr, $v:expr, $p:expr, $s:expr, $k:expr, $ns:expr, $short:expr, $cat:expr, $sub:expr) => {
        ResourceDef {
            group: $g,
            version: $v,
            plural: $p,
            singular: $s,
            kind: $k,
            namespaced: $ns,
            short_names: $short,
            categories: $cat,
            subresources: $sub,
            read_only: false,
        }
    };
}

pub static RESOURCES: &[ResourceDef] = &[
    res!(
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        false,
        &["ns"],
        &[],
        &["status", "finalize"]
    ),
    res!(
        "",
        "v1",
        "nodes",
        "node",
        "Node",
        false,
        &["no"],
        &[],
        &["status", "proxy"]
    ),
    res!(
        "",
        "v1",
        "pods",
        "pod",
        "Pod",
        true,
        &["po"],
        ALL,
        &[
            "status",
            "eviction",
            "exec",
            "log",
            "portforward",
            "proxy",
            "attach",
            "binding"
        ]
    ),
    res!(
        "",
        "v1",
        "services",
        "service",
        "Service",
        true,
        &["svc"],
        ALL,
        &["status", "proxy"]
    ),
    res!(
        "",
        "v1",
        "endpoints",
        "endpoints",
        "Endpoints",
        true,
        &["ep"],
        &[],
        &[]
    ),
    res!(
        "",
        "v1",
        "configmaps",
        "configmap",
        "ConfigMap",
        true,
        &["cm"],
        &[],
        &[]
    ),
    res!("", "v1", "secrets", "secret", "Secret", true, &[], &[], &[]),
    res!(
        "",
        "v1",
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        true,
        &["sa"],
        &[],
        &["token"]
    ),
    res!(
        "",
        "v1",
        "events",
        "event",
        "Event",
        true,
        &["ev"],
        &[],
        &[]
    ),
    res!(
        "",
        "v1",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
        true,
        &["pvc"],
        &[],
        &["status"]
    ),
    res!(
        "",
        "v1",
        "persistentvolumes",
        "persistentvolume",
        "PersistentVolume",
        false,
        &["pv"],
        &[],
        &["status"]
    ),
    res!(
        "apps",
        "v1",
        "statefulsets",
        "statefulset",
        "StatefulSet",
        true,
        &["sts"],
        ALL,
        &["status", "scale"]
    ),
    res!(
        "apps",
        "v1",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        true,
        &["ds"],
        ALL,
        &["status"]
    ),
    res!(
        "apps",
        "v1",
        "controllerrevisions",
        "controllerrevision",
        "ControllerRevision",
        true,
        &[],
        &[],
        &[]
    ),
    res!(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        "PodDisruptionBudget",
        true,
        &["pdb"],
        &[],
        &["status"]
    ),
    res!(
        "storage.k8s.io",
        "v1",
        "storageclasses",
        "storageclass",
        "StorageClass",
        false,
        &["sc"],
        &[],
        &[]
    ),
    res!(
        "rbac.authorization.k8s.io",
        "v1",
        "roles",
        "role",
        "Role",
        true,
        &[],
        &[],
        &[]
    ),
    res!(
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "rolebinding",
        "RoleBinding",
        true,
        &[],
        &[],
        &[]
    ),
    res!(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterroles",
        "clusterrole",
        "ClusterRole",
        false,
        &[],
        &[],
        &[]
    ),
    res!(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "customresourcedefinition",
        "CustomResourceDefinition",
        false,
        &["crd", "crds"],
        &["api-extensions"],
        &["status"]
    ),
    res!(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "clusterrolebinding",
        "ClusterRoleBinding",
        false,
        &[],
        &[],
        &[]
    ),
    res!(
        "authorization.k8s.io",
        "v1",
        "localsubjectaccessreviews",
        "localsubjectaccessreview",
        "LocalSubjectAccessReview",
        true,
        &[],
        &[],
        &[]
    ),
    res!(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        "SelfSubjectAccessReview",
        false,
        &[],
        &[],
        &[]
    ),
    res!(
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        "SelfSubjectRulesReview",
        false,
        &[],
        &[],
        &[]
    ),
    res!(
        "authorization.k8s.io",
        "v1",
        "subjectaccessreviews",
        "subjectaccessreview",
        "SubjectAccessReview",
        false,
        &[],
        &[],
        &[]
    ),
    res!(
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "selfsubjectreview",
        "SelfSubjectReview",
        false,
        &[],
        &[],
        &[]
    ),
];

/// OpenShift's resource types, served only by a cluster in OpenShift mode
/// ([`Served::openshift`]): SecurityContextConstraints (a CRD on OpenShift 4, hence its printer
/// columns and short name), projects (a view of namespaces), routes (stored) and ClusterVersion.
pub static OPENSHIFT_RESOURCES: &[ResourceDef] = &[
    res!(
        "security.openshift.io",
        "v1",
        "securitycontextconstraints",
        "securitycontextconstraints",
        "SecurityContextConstraints",
        false,
        &["scc"],
        &[],
        &[]
    ),
    ResourceDef {
        read_only: true,
        ..res!(
            "project.openshift.io",
            "v1",
            "projects",
            "project",
            "Project",
            false,
            &[],
            &[],
            &[]
        )
    },
    res!(
        "route.openshift.io",
        "v1",
        "routes",
        "route",
        "Route",
        true,
        &[],
        &[],
        &["status"]
    ),
    res!(
        "config.openshift.io",
        "v1",
        "clusterversions",
        "clusterversion",
        "ClusterVersion",
        false,
        &[],
        &[],
        &["status"]
    ),
];

/// The API groups served besides the core group, in discovery order.
pub const GROUPS: &[(&str, &str)] = &[
    ("apps", "v1"),
    ("policy", "v1"),
    ("storage.k8s.io", "v1"),
    ("rbac.authorization.k8s.io", "v1"),
    ("apiextensions.k8s.io", "v1"),
    ("authentication.k8s.io", "v1"),
    ("authorization.k8s.io", "v1"),
];

/// The API groups an OpenShift-mode cluster serves besides [`GROUPS`].
pub const OPENSHIFT_GROUPS: &[(&str, &str)] = &[
    ("security.openshift.io", "v1"),
    ("project.openshift.io", "v1"),
    ("route.openshift.io", "v1"),
    ("config.openshift.io", "v1"),
];

/// What one cluster serves: the Kubernetes types, plus OpenShift's in OpenShift mode.
#[derive(Clone, Copy, Debug, Default)]
pub struct Served {
    /// Serve [`OPENSHIFT_RESOURCES`] and [`OPENSHIFT_GROUPS`] too.
    pub openshift: bool,
}

impl Served {
    /// Every served resource type, Kubernetes' first.
    pub fn resources(self) -> impl Iterator<Item = &'static ResourceDef> {
        let extra: &'static [ResourceDef] = if self.openshift {
            OPENSHIFT_RESOURCES
        } else {
            &[]
        };
        RESOURCES.iter().chain(extra)
    }

    /// The served API groups besides the core group, in discovery order.
    pub fn groups(self) -> impl Iterator<Item = (&'static str, &'static str)> {
        let extra: &'static [(&str, &str)] = if self.openshift {
            OPENSHIFT_GROUPS
        } else {
            &[]
        };
        GROUPS.iter().chain(extra).copied()
    }

    /// The resource type at `/apis/{group}/{version}/{plural}` (`/api/v1/…` for the core group).
    pub fn find(self, group: &str, version: &str, plural: &str) -> Option<&'static ResourceDef> {
        self.resources()
            .find(|r| r.group == group && r.version == version && r.plural == plural)
    }

    /// Whether a group version is served.
    pub fn group_served(self, group: &str, version: &str) -> bool {
        (group.is_empty() && version == "v1")
            || self.groups().any(|(g, v)| g == group && v == version)
    }
}

/// A Kubernetes resource type by URL parts (what a plain cluster serves).
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static ResourceDef> {
    Served::default().find(group, version, plural)
}

/// Any known resource type (OpenShift's included) by store key.
pub fn by_key(key: &str) -> Option<&'static ResourceDef> {
    RESOURCES
        .iter()
        .chain(OPENSHIFT_RESOURCES)
        .find(|r| r.key() == key)
}

/// Any known resource type (OpenShift's included) by apiVersion and kind.
pub fn by_kind(api_version: &str, kind: &str) -> Option<&'static ResourceDef> {
    RESOURCES
        .iter()
        .chain(OPENSHIFT_RESOURCES)
        .find(|r| r.api_version() == api_version && r.kind == kind)
}

/// Whether a plain cluster serves a group version.
pub fn group_served(group: &str, version: &str) -> bool {
    Served::default().group_served(group, version)
}

/// Well-known store keys used by the controllers.
pub mod keys {
    pub const PODS: &str = "pods";
    pub const NODES: &str = "nodes";
    pub const NAMESPACES: &str = "namespaces";
    pub const SERVICES: &str = "services";
    pub const ENDPOINTS: &str = "endpoints";
    pub const EVENTS: &str = "events";
    pub const PVCS: &str = "persistentvolumeclaims";
    pub const PVS: &str = "persistentvolumes";
    pub const CONFIGMAPS: &str = "configmaps";
    pub const SECRETS: &str = "secrets";
    pub const SERVICEACCOUNTS: &str = "serviceaccounts";
    pub const STATEFULSETS: &str = "statefulsets.apps";
    pub const CONTROLLERREVISIONS: &str = "controllerrevisions.apps";
    pub const PDBS: &str = "poddisruptionbudgets.policy";
    pub const STORAGECLASSES: &str = "storageclasses.storage.k8s.io";
}
