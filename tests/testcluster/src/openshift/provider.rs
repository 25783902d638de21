//! One SecurityContextConstraints object applied to a pod, as OpenShift's SCC provider does it
//! (apiserver-library-go `sccmatching`): the SCC's strategies resolved against the namespace's
//! allocations, defaults filled into the pod and its containers, then every field checked, each
//! failure a field error worded as Kubernetes' `field.Error`.

use super::uid::{Block, MCS, SUPPLEMENTAL_GROUPS, UID_RANGE};
use crate::util;
use serde_json::{Map, Value, json};

/// The pod annotation that carries the pod's seccomp profile (still written by SCC admission).
const SECCOMP_POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
/// The prefix of the per-container seccomp annotations.
const SECCOMP_CONTAINER: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// A field path printed as `k8s.io/apimachinery`'s `field.Path`.
#[derive(Clone, Debug)]
pub struct Path(String);

impl Path {
    /// A root element (`provider restricted-v2: `, `spec`).
    pub fn root(name: &str) -> Path {
        Path(name.to_string())
    }

    fn child(&self, name: &str) -> Path {
        Path(format!("{}.{name}", self.0))
    }

    fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }

    fn key(&self, k: &str) -> Path {
        Path(format!("{}[{k}]", self.0))
    }
}

/// One field error: `<path>: <type>[: <value>][: <detail>]`.
#[derive(Clone, Debug)]
pub struct FieldError(String);

impl FieldError {
    /// `Invalid value: <value>: <detail>`; `value` is already printed as Go prints it.
    fn invalid(p: &Path, value: &str, detail: &str) -> FieldError {
        let mut s = format!("{}: Invalid value: {value}", p.0);
        if !detail.is_empty() {
            s.push_str(": ");
            s.push_str(detail);
        }
        FieldError(s)
    }

    fn required(p: &Path, detail: &str) -> FieldError {
        FieldError(if detail.is_empty() {
            format!("{}: Required value", p.0)
        } else {
            format!("{}: Required value: {detail}", p.0)
        })
    }

    /// `Forbidden: <detail>`.
    pub fn forbidden(p: &Path, detail: &str) -> FieldError {
        FieldError(format!("{}: Forbidden: {detail}", p.0))
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Go's `%#v` of a `[]int64` (nil when the field is unset).
fn go_int64s(v: Option<&[i64]>) -> String {
    match v {
        None => "[]int64(nil)".into(),
        Some(v) => format!(
            "[]int64{{{}}}",
            v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Go's `%#v` of a `[]core.Capability`.
fn go_caps(v: &[String]) -> String {
    if v.is_empty() {
        return "[]core.Capability(nil)".into();
    }
    format!(
        "[]core.Capability{{{}}}",
        v.iter()
            .map(|c| format!("{c:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The RunAsUser strategy.
#[derive(Clone, Debug)]
enum UserStrategy {
    MustRunAs(i64),
    MustRunAsRange(i64, i64),
    MustRunAsNonRoot,
    RunAsAny,
}

impl UserStrategy {
    fn generate(&self) -> Option<i64> {
        match self {
            UserStrategy::MustRunAs(uid) => Some(*uid),
            UserStrategy::MustRunAsRange(min, _) => Some(*min),
            _ => None,
        }
    }

    fn validate(
        &self,
        p: &Path,
        non_root: Option<bool>,
        run_as_user: Option<i64>,
    ) -> Vec<FieldError> {
        let field = p.child("runAsUser");
        match (self, run_as_user) {
            (UserStrategy::MustRunAs(_) | UserStrategy::MustRunAsRange(..), None) => {
                vec![FieldError::required(&field, "")]
            }
            (UserStrategy::MustRunAs(uid), Some(u)) if u != *uid => vec![FieldError::invalid(
                &field,
                &u.to_string(),
                &format!("must be: {uid}"),
            )],
            (UserStrategy::MustRunAsRange(min, max), Some(u)) if u < *min || u > *max => {
                vec![FieldError::invalid(
                    &field,
                    &u.to_string(),
                    &format!("must be in the ranges: [{min}, {max}]"),
                )]
            }
            (UserStrategy::MustRunAsNonRoot, _) => {
                if non_root.is_none() && run_as_user.is_none() {
                    vec![FieldError::required(
                        &p.child("runAsNonRoot"),
                        "must be true",
                    )]
                } else if non_root == Some(false) {
                    vec![FieldError::invalid(
                        &p.child("runAsNonRoot"),
                        "false",
                        "must be true",
                    )]
                } else if run_as_user == Some(0) {
                    vec![FieldError::invalid(
                        &field,
                        "0",
                        "running with the root UID is forbidden",
                    )]
                } else {
                    vec![]
                }
            }
            _ => vec![],
        }
    }
}

/// The FSGroup or SupplementalGroups strategy.
#[derive(Clone, Debug)]
enum GroupStrategy {
    MustRunAs(Vec<Block>),
    RunAsAny,
}

impl GroupStrategy {
    fn first(&self) -> Option<i64> {
        match self {
            GroupStrategy::MustRunAs(r) => r.first().map(|b| b.start),
            GroupStrategy::RunAsAny => None,
        }
    }

    fn validate(&self, p: &Path, field: &str, groups: Option<&[i64]>) -> Vec<FieldError> {
        let GroupStrategy::MustRunAs(ranges) = self else {
            return vec![];
        };
        let list = groups.unwrap_or(&[]);
        let mut errs = Vec::new();
        if list.is_empty() && !ranges.is_empty() {
            errs.push(FieldError::invalid(
                &p.child(field),
                &go_int64s(groups),
                "unable to validate empty groups against required ranges",
            ));
        }
        for g in list {
            if !ranges.iter().any(|r| *g >= r.start && *g <= r.end) {
                errs.push(FieldError::invalid(
                    &p.child(field),
                    &go_int64s(groups),
                    &format!("{g} is not an allowed group"),
                ));
            }
        }
        errs
    }
}

/// The SELinuxContext strategy: MustRunAs carries the options every pod must have.
#[derive(Clone, Debug)]
enum SeLinuxStrategy {
    MustRunAs(Map<String, Value>),
    RunAsAny,
}

/// SELinux levels are equal when their sensitivity and their set of categories are.
fn equal_levels(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (Some((sa, ca)), Some((sb, cb))) = (a.split_once(':'), b.split_once(':')) else {
        return false;
    };
    fn sorted(c: &str) -> Vec<&str> {
        let mut v: Vec<&str> = c.split(',').collect();
        v.sort_unstable();
        v
    }
    sa == sb && sorted(ca) == sorted(cb)
}

impl SeLinuxStrategy {
    fn generate(&self) -> Option<Value> {
        match self {
            SeLinuxStrategy::MustRunAs(o) => Some(Value::Object(o.clone())),
            SeLinuxStrategy::RunAsAny => None,
        }
    }

    fn validate(&self, p: &Path, options: Option<&Value>) -> Vec<FieldError> {
        let SeLinuxStrategy::MustRunAs(want) = self else {
            return vec![];
        };
        let Some(have) = options.filter(|o| o.is_object()) else {
            return vec![FieldError::required(p, "")];
        };
        let get = |m: &Map<String, Value>, k: &str| {
            m.get(k).and_then(Value::as_str).unwrap_or("").to_string()
        };
        let have_map = have.as_object().cloned().unwrap_or_default();
        let mut errs = Vec::new();
        let (wl, hl) = (get(want, "level"), get(&have_map, "level"));
        if !equal_levels(&wl, &hl) {
            errs.push(FieldError::invalid(
                &p.child("level"),
                &format!("{hl:?}"),
                &format!("must be {wl}"),
            ));
        }
        for f in ["role", "type", "user"] {
            let (w, h) = (get(want, f), get(&have_map, f));
            if w != h {
                errs.push(FieldError::invalid(
                    &p.child(f),
                    &format!("{h:?}"),
                    &format!("must be {w}"),
                ));
            }
        }
        errs
    }
}

/// The seccomp strategy over the SCC's `seccompProfiles`.
#[derive(Clone, Debug)]
struct Seccomp {
    allowed: Vec<String>,
    any: bool,
    runtime_default: bool,
}

/// The annotation form of a `seccompProfile` field.
fn seccomp_annotation(field: &Value) -> String {
    match util::s(field, &["type"]) {
        "Unconfined" => "unconfined".into(),
        "RuntimeDefault" => "runtime/default".into(),
        "Localhost" => match field.get("localhostProfile").and_then(Value::as_str) {
            Some(p) => format!("localhost/{p}"),
            None => String::new(),
        },
        _ => String::new(),
    }
}

/// The field form of a seccomp annotation (None for unknown values).
fn seccomp_field(annotation: &str) -> Option<Value> {
    match annotation {
        "unconfined" => Some(json!({"type": "Unconfined"})),
        "runtime/default" | "docker/default" => Some(json!({"type": "RuntimeDefault"})),
        a => a
            .strip_prefix("localhost/")
            .filter(|p| !p.is_empty())
            .map(|p| json!({"type": "Localhost", "localhostProfile": p})),
    }
}

impl Seccomp {
    fn new(profiles: &[Value]) -> Seccomp {
        let mut s = Seccomp {
            allowed: vec![],
            any: false,
            runtime_default: false,
        };
        for p in profiles.iter().filter_map(Value::as_str) {
            if p == "*" {
                s.any = true;
                continue;
            }
            if p == "docker/default" || p == "runtime/default" {
                s.runtime_default = true;
            }
            s.allowed.push(p.to_string());
        }
        s
    }

    fn check(&self, p: &Path, profile: &str) -> Option<FieldError> {
        if !self.any && self.allowed.is_empty() && !profile.is_empty() {
            return Some(FieldError::forbidden(p, "seccomp may not be set"));
        }
        if (self.allowed.is_empty() && profile.is_empty()) || self.any {
            return None;
        }
        let ok = self.allowed.iter().any(|a| {
            a == profile
                || (self.runtime_default
                    && (profile == "docker/default" || profile == "runtime/default"))
        });
        if ok {
            return None;
        }
        Some(FieldError::forbidden(
            p,
            &format!(
                "{profile} is not an allowed seccomp profile. Valid values are [{}]",
                self.allowed.join(" ")
            ),
        ))
    }
}

/// One SCC resolved for one namespace.
#[derive(Clone, Debug)]
pub struct Provider {
    /// The SCC as stored.
    pub scc: Value,
    pub name: String,
    run_as_user: UserStrategy,
    se_linux: SeLinuxStrategy,
    fs_group: GroupStrategy,
    supplemental_groups: GroupStrategy,
    seccomp: Seccomp,
}

fn strs(v: &Value, key: &str) -> Vec<String> {
    util::arr(v, &[key])
        .iter()
        .filter_map(Value::as_str)
        .map(String::from)
        .collect()
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool) == Some(true)
}

fn ranges(v: &Value) -> Vec<Block> {
    util::arr(v, &["ranges"])
        .iter()
        .map(|r| Block {
            start: r.get("min").and_then(Value::as_i64).unwrap_or(0),
            end: r.get("max").and_then(Value::as_i64).unwrap_or(0),
        })
        .collect()
}

/// A namespace annotation, with the error OpenShift gives when it is missing or empty.
fn annotation<'a>(ns: &'a Value, key: &str) -> Result<&'a str, String> {
    match util::get(ns, &["metadata", "annotations", key]).and_then(Value::as_str) {
        None => Err(format!("unable to find annotation {key}")),
        Some("") => Err(format!("found annotation {key} but it was empty")),
        Some(v) => Ok(v),
    }
}

/// The namespace's group blocks: `supplemental-groups`, else its UID block.
fn group_blocks(ns: &Value) -> Result<Vec<Block>, String> {
    let groups = annotation(ns, SUPPLEMENTAL_GROUPS)
        .or_else(|_| annotation(ns, UID_RANGE))
        .map_err(|_| {
            format!(
                "unable to find supplemental group or uid annotation for namespace {}",
                util::name(ns)
            )
        })?;
    groups.split(',').map(Block::parse).collect()
}

impl Provider {
    /// Resolves an SCC for a namespace: a MustRunAsRange without a range takes the namespace's
    /// UID block, MustRunAs SELinux without a level its MCS label, MustRunAs groups without
    /// ranges its group blocks (FSGroup: the first ID only).
    pub fn new(scc: &Value, ns: &Value) -> Result<Provider, String> {
        let name = util::name(scc).to_string();
        let ns_name = util::name(ns);
        let pre = |what: &str, e: String| {
            format!(
                "unable to find pre-allocated {what} annotation for namespace {ns_name} while trying to configure SCC {name}: {e}"
            )
        };
        let creating =
            |e: &str| format!("error creating provider for SCC {name} in namespace {ns_name}: {e}");
        let rau = scc.get("runAsUser").cloned().unwrap_or(json!({}));
        let run_as_user = match util::s(&rau, &["type"]) {
            "MustRunAs" => UserStrategy::MustRunAs(
                rau.get("uid")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| creating("MustRunAs requires a UID"))?,
            ),
            "MustRunAsRange" => {
                let (min, max) = (
                    rau.get("uidRangeMin").and_then(Value::as_i64),
                    rau.get("uidRangeMax").and_then(Value::as_i64),
                );
                match (min, max) {
                    (None, None) => {
                        let block = annotation(ns, UID_RANGE)
                            .and_then(Block::parse)
                            .map_err(|e| pre("uid", e))?;
                        UserStrategy::MustRunAsRange(block.start, block.end)
                    }
                    (Some(min), Some(max)) => UserStrategy::MustRunAsRange(min, max),
                    (None, _) => return Err(creating("MustRunAsRange requires a UIDRangeMin")),
                    (_, None) => return Err(creating("MustRunAsRange requires a UIDRangeMax")),
                }
            }
            "MustRunAsNonRoot" => UserStrategy::MustRunAsNonRoot,
            "RunAsAny" => UserStrategy::RunAsAny,
            t => {
                return Err(creating(&format!(
                    "Unrecognized RunAsUser strategy type {t}"
                )));
            }
        };
        let se = scc.get("seLinuxContext").cloned().unwrap_or(json!({}));
        let se_linux = match util::s(&se, &["type"]) {
            "MustRunAs" => {
                let mut opts = se
                    .get("seLinuxOptions")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                if opts
                    .get("level")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .is_empty()
                {
                    let level = annotation(ns, MCS).map_err(|e| pre("mcs", e))?;
                    opts.insert("level".into(), json!(level));
                }
                SeLinuxStrategy::MustRunAs(opts)
            }
            "RunAsAny" => SeLinuxStrategy::RunAsAny,
            t => {
                return Err(creating(&format!(
                    "Unrecognized SELinuxContext strategy type {t}"
                )));
            }
        };
        let group = |key: &str, single: bool| -> Result<GroupStrategy, String> {
            let g = scc.get(key).cloned().unwrap_or(json!({}));
            let label = if key == "fsGroup" {
                "FSGroup"
            } else {
                "SupplementalGroups"
            };
            match util::s(&g, &["type"]) {
                "MustRunAs" => {
                    let mut r = ranges(&g);
                    if r.is_empty() {
                        r = group_blocks(ns).map_err(|e| pre("group", e))?;
                        if single {
                            r.truncate(1);
                            r[0].end = r[0].start;
                        }
                    }
                    Ok(GroupStrategy::MustRunAs(r))
                }
                "RunAsAny" | "" => Ok(GroupStrategy::RunAsAny),
                t => Err(creating(&format!("Unrecognized {label} strategy type {t}"))),
            }
        };
        Ok(Provider {
            fs_group: group("fsGroup", true)?,
            supplemental_groups: group("supplementalGroups", false)?,
            seccomp: Seccomp::new(util::arr(scc, &["seccompProfiles"])),
            scc: scc.clone(),
            name,
            run_as_user,
            se_linux,
        })
    }

    /// The SCC's `users`.
    pub fn users(&self) -> Vec<String> {
        strs(&self.scc, "users")
    }

    /// The SCC's `groups`.
    pub fn groups(&self) -> Vec<String> {
        strs(&self.scc, "groups")
    }

    /// Fills the pod's and its containers' security contexts with this SCC's defaults and
    /// validates them: the admitted pod, or every field error (prefixed `provider NAME: `).
    pub fn assign(&self, pod: &Value) -> Result<Value, Vec<FieldError>> {
        let root = Path::root(&format!("provider {}: ", self.name));
        let mut pod = pod.clone();
        self.default_pod(&mut pod);
        let mut errs = self.validate_pod(&pod, &root.child("spec").child("securityContext"));
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            let count = util::arr(&pod, &["spec", list]).len();
            for i in 0..count {
                let path = root.child(list).index(i);
                let mut c = pod["spec"][list][i].clone();
                self.default_container(&pod, &mut c);
                errs.extend(self.validate_container(&pod, &c, &path));
                pod["spec"][list][i] = c;
            }
        }
        if errs.is_empty() { Ok(pod) } else { Err(errs) }
    }

    fn default_pod(&self, pod: &mut Value) {
        let sc = util::obj_mut(pod, &["spec", "securityContext"]);
        let unset = |sc: &Map<String, Value>, k: &str| sc.get(k).is_none_or(Value::is_null);
        if unset(sc, "supplementalGroups")
            && let Some(g) = self.supplemental_groups.first()
        {
            sc.insert("supplementalGroups".into(), json!([g]));
        }
        if unset(sc, "fsGroup")
            && let Some(g) = self.fs_group.first()
        {
            sc.insert("fsGroup".into(), json!(g));
        }
        if unset(sc, "seLinuxOptions")
            && let Some(o) = self.se_linux.generate()
        {
            sc.insert("seLinuxOptions".into(), o);
        }
        let field_profile = sc.get("seccompProfile").map(seccomp_annotation);
        let annotated = util::s(pod, &["metadata", "annotations", SECCOMP_POD]).to_string();
        let profile = if !annotated.is_empty() {
            annotated
        } else if let Some(p) = field_profile {
            p
        } else {
            self.seccomp.allowed.first().cloned().unwrap_or_default()
        };
        if !profile.is_empty() {
            util::obj_mut(pod, &["metadata", "annotations"])
                .insert(SECCOMP_POD.into(), json!(profile));
            let sc = util::obj_mut(pod, &["spec", "securityContext"]);
            match seccomp_field(&profile) {
                Some(f) => sc.insert("seccompProfile".into(), f),
                None => sc.remove("seccompProfile"),
            };
        }
    }

    fn validate_pod(&self, pod: &Value, p: &Path) -> Vec<FieldError> {
        let sc = pod
            .pointer("/spec/securityContext")
            .cloned()
            .unwrap_or(json!({}));
        let ints = |k: &str| -> Option<Vec<i64>> {
            sc.get(k).filter(|v| !v.is_null()).map(|v| match v {
                Value::Array(a) => a.iter().filter_map(Value::as_i64).collect(),
                other => other.as_i64().into_iter().collect(),
            })
        };
        let mut errs = Vec::new();
        let fs = ints("fsGroup").unwrap_or_default();
        errs.extend(self.fs_group.validate(p, "fsGroup", Some(&fs)));
        let sup = ints("supplementalGroups");
        errs.extend(
            self.supplemental_groups
                .validate(p, "supplementalGroups", sup.as_deref()),
        );
        let mut profile = util::s(pod, &["metadata", "annotations", SECCOMP_POD]).to_string();
        if profile.is_empty()
            && let Some(f) = sc.get("seccompProfile")
        {
            profile = seccomp_annotation(f);
        }
        let ann = Path::root("pod").child("metadata").child("annotations");
        errs.extend(self.seccomp.check(&ann.key(SECCOMP_POD), &profile));
        errs.extend(
            self.se_linux
                .validate(&p.child("seLinuxOptions"), sc.get("seLinuxOptions")),
        );
        for (field, allowed, what) in [
            ("hostNetwork", "allowHostNetwork", "Host network"),
            ("hostPID", "allowHostPID", "Host PID"),
            ("hostIPC", "allowHostIPC", "Host IPC"),
        ] {
            if !flag(&self.scc, allowed) && flag(&pod["spec"], field) {
                errs.push(FieldError::invalid(
                    &p.child(field),
                    "true",
                    &format!("{what} is not allowed to be used"),
                ));
            }
        }
        errs.extend(self.validate_volumes(pod));
        errs
    }

    fn validate_volumes(&self, pod: &Value) -> Vec<FieldError> {
        let allowed = strs(&self.scc, "volumes");
        if allowed.iter().any(|v| v == "*") {
            return vec![];
        }
        let mut errs = Vec::new();
        for (i, v) in util::arr(pod, &["spec", "volumes"]).iter().enumerate() {
            let path = Path::root("spec").child("volumes").index(i);
            let Some(fs_type) = volume_type(v) else {
                errs.push(FieldError::invalid(
                    &path,
                    "\"\"",
                    &format!("unknown volume type for volume: {v}"),
                ));
                continue;
            };
            let token_only = fs_type == "projected"
                && util::arr(v, &["projected", "sources"]).iter().all(|s| {
                    s.get("serviceAccountToken").is_some()
                        || s.get("downwardAPI").is_some()
                        || util::s(s, &["configMap", "name"]) == "kube-root-ca.crt"
                        || util::s(s, &["configMap", "name"]) == "openshift-service-ca.crt"
                });
            let ok = allowed.iter().any(|a| a == fs_type)
                || (token_only && allowed.iter().any(|a| a == "secret"));
            if !ok {
                errs.push(FieldError::invalid(
                    &path,
                    &format!("{fs_type:?}"),
                    &format!("{fs_type} volumes are not allowed to be used"),
                ));
            }
        }
        errs
    }

    fn default_container(&self, pod: &Value, c: &mut Value) {
        let psc = pod
            .pointer("/spec/securityContext")
            .cloned()
            .unwrap_or(json!({}));
        let eff = |c: &Value, k: &str| -> Option<Value> {
            c.pointer(&format!("/securityContext/{k}"))
                .filter(|v| !v.is_null())
                .or_else(|| psc.get(k).filter(|v| !v.is_null()))
                .cloned()
        };
        let set = |c: &mut Value, k: &str, v: Value| {
            util::obj_mut(c, &["securityContext"]).insert(k.into(), v);
        };
        if eff(c, "runAsUser").is_none()
            && let Some(uid) = self.run_as_user.generate()
        {
            set(c, "runAsUser", json!(uid));
        }
        if eff(c, "seLinuxOptions").is_none()
            && let Some(o) = self.se_linux.generate()
        {
            set(c, "seLinuxOptions", o);
        }
        if eff(c, "runAsNonRoot").is_none() {
            let non_root = match eff(c, "runAsUser").and_then(|v| v.as_i64()) {
                None => matches!(self.run_as_user, UserStrategy::MustRunAsNonRoot),
                Some(u) => u > 0,
            };
            if non_root {
                set(c, "runAsNonRoot", json!(true));
            }
        }
        if let Some(caps) = self.generate_caps(c) {
            set(c, "capabilities", caps);
        }
        if flag(&self.scc, "readOnlyRootFilesystem")
            && c.pointer("/securityContext/readOnlyRootFilesystem")
                .is_none_or(Value::is_null)
        {
            set(c, "readOnlyRootFilesystem", json!(true));
        }
        let privileged = c
            .pointer("/securityContext/privileged")
            .and_then(Value::as_bool)
            == Some(true);
        let sys_admin = c
            .pointer("/securityContext/capabilities/add")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|x| x == "CAP_SYS_ADMIN"));
        let annotation = format!("{SECCOMP_CONTAINER}{}", util::s(c, &["name"]));
        if let Some(a) =
            util::get(pod, &["metadata", "annotations", &annotation]).and_then(Value::as_str)
        {
            match seccomp_field(a) {
                Some(f) => set(c, "seccompProfile", f),
                None => {
                    util::obj_mut(c, &["securityContext"]).remove("seccompProfile");
                }
            }
        }
        let ape_unset = |c: &Value| {
            c.pointer("/securityContext/allowPrivilegeEscalation")
                .is_none_or(Value::is_null)
        };
        if let Some(d) = self
            .scc
            .get("defaultAllowPrivilegeEscalation")
            .and_then(Value::as_bool)
            && ape_unset(c)
            && !privileged
            && !sys_admin
        {
            set(c, "allowPrivilegeEscalation", json!(d));
        }
        if self
            .scc
            .get("allowPrivilegeEscalation")
            .and_then(Value::as_bool)
            == Some(false)
            && ape_unset(c)
        {
            set(c, "allowPrivilegeEscalation", json!(false));
        }
    }

    /// The capabilities the SCC gives a container, or None when they stay as they are.
    fn generate_caps(&self, c: &Value) -> Option<Value> {
        let set_of = |v: Option<&Value>| -> std::collections::BTreeSet<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        let caps = c.pointer("/securityContext/capabilities");
        let c_add = set_of(caps.and_then(|x| x.get("add")));
        let c_drop = set_of(caps.and_then(|x| x.get("drop")));
        let default_add: std::collections::BTreeSet<String> =
            strs(&self.scc, "defaultAddCapabilities")
                .into_iter()
                .filter(|x| !c_drop.contains(x))
                .collect();
        let add: std::collections::BTreeSet<String> = default_add.union(&c_add).cloned().collect();
        let drop: std::collections::BTreeSet<String> = strs(&self.scc, "requiredDropCapabilities")
            .into_iter()
            .chain(c_drop.iter().cloned())
            .collect();
        if add.len() == c_add.len() && drop.len() == c_drop.len() {
            return None;
        }
        let mut out = Map::new();
        if !add.is_empty() {
            out.insert("add".into(), json!(add));
        }
        if !drop.is_empty() {
            out.insert("drop".into(), json!(drop));
        }
        Some(Value::Object(out))
    }

    fn validate_container(&self, pod: &Value, c: &Value, p: &Path) -> Vec<FieldError> {
        let psc = pod
            .pointer("/spec/securityContext")
            .cloned()
            .unwrap_or(json!({}));
        let eff = |k: &str| -> Option<Value> {
            c.pointer(&format!("/securityContext/{k}"))
                .filter(|v| !v.is_null())
                .or_else(|| psc.get(k).filter(|v| !v.is_null()))
                .cloned()
        };
        let own = |k: &str| {
            c.pointer(&format!("/securityContext/{k}"))
                .filter(|v| !v.is_null())
        };
        let mut errs = self.run_as_user.validate(
            p,
            eff("runAsNonRoot").and_then(|v| v.as_bool()),
            eff("runAsUser").and_then(|v| v.as_i64()),
        );
        errs.extend(
            self.se_linux
                .validate(&p.child("seLinuxOptions"), eff("seLinuxOptions").as_ref()),
        );
        let name = util::s(c, &["name"]);
        let annotation = format!("{SECCOMP_CONTAINER}{name}");
        let profile = if let Some(f) = own("seccompProfile") {
            seccomp_annotation(f)
        } else if let Some(a) =
            util::get(pod, &["metadata", "annotations", &annotation]).and_then(Value::as_str)
        {
            a.to_string()
        } else if let Some(f) = psc.get("seccompProfile").filter(|v| !v.is_null()) {
            seccomp_annotation(f)
        } else {
            util::s(pod, &["metadata", "annotations", SECCOMP_POD]).to_string()
        };
        let ann = Path::root("pod").child("metadata").child("annotations");
        errs.extend(self.seccomp.check(&ann.key(&annotation), &profile));
        if !flag(&self.scc, "allowPrivilegedContainer")
            && own("privileged").and_then(Value::as_bool) == Some(true)
        {
            errs.push(FieldError::invalid(
                &p.child("privileged"),
                "true",
                "Privileged containers are not allowed",
            ));
        }
        errs.extend(self.validate_caps(p, own("capabilities")));
        let spec = &pod["spec"];
        if !flag(&self.scc, "allowHostNetwork") && flag(spec, "hostNetwork") {
            errs.push(FieldError::invalid(
                &p.child("hostNetwork"),
                "true",
                "Host network is not allowed to be used",
            ));
        }
        if !flag(&self.scc, "allowHostPorts") {
            for list in ["initContainers", "containers", "ephemeralContainers"] {
                for (i, other) in util::arr(spec, &[list]).iter().enumerate() {
                    for port in util::arr(other, &["ports"]) {
                        let hp = port.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
                        if hp > 0 {
                            errs.push(FieldError::invalid(
                                &p.child(list).index(i).child("hostPort"),
                                &hp.to_string(),
                                "Host ports are not allowed to be used",
                            ));
                        }
                    }
                }
            }
        }
        if !flag(&self.scc, "allowHostPID") && flag(spec, "hostPID") {
            errs.push(FieldError::invalid(
                &p.child("hostPID"),
                "true",
                "Host PID is not allowed to be used",
            ));
        }
        if !flag(&self.scc, "allowHostIPC") && flag(spec, "hostIPC") {
            errs.push(FieldError::invalid(
                &p.child("hostIPC"),
                "true",
                "Host IPC is not allowed to be used",
            ));
        }
        if flag(&self.scc, "readOnlyRootFilesystem") {
            match own("readOnlyRootFilesystem").and_then(Value::as_bool) {
                None => errs.push(FieldError::invalid(
                    &p.child("readOnlyRootFilesystem"),
                    "null",
                    "ReadOnlyRootFilesystem may not be nil and must be set to true",
                )),
                Some(false) => errs.push(FieldError::invalid(
                    &p.child("readOnlyRootFilesystem"),
                    "false",
                    "ReadOnlyRootFilesystem must be set to true",
                )),
                Some(true) => {}
            }
        }
        if self
            .scc
            .get("allowPrivilegeEscalation")
            .and_then(Value::as_bool)
            == Some(false)
        {
            let ape = own("allowPrivilegeEscalation").and_then(Value::as_bool);
            if ape != Some(false) {
                errs.push(FieldError::invalid(
                    &p.child("allowPrivilegeEscalation"),
                    if ape.is_none() { "null" } else { "true" },
                    "Allowing privilege escalation for containers is not allowed",
                ));
            }
        }
        errs
    }

    fn validate_caps(&self, p: &Path, caps: Option<&Value>) -> Vec<FieldError> {
        let default_add = strs(&self.scc, "defaultAddCapabilities");
        let required_drop = strs(&self.scc, "requiredDropCapabilities");
        let allowed = strs(&self.scc, "allowedCapabilities");
        let Some(caps) = caps else {
            if default_add.is_empty() && required_drop.is_empty() {
                return vec![];
            }
            return vec![FieldError::invalid(
                &p.child("capabilities"),
                "null",
                "required capabilities are not set on the securityContext",
            )];
        };
        if allowed.iter().any(|a| a == "*") {
            return vec![];
        }
        let list = |k: &str| -> Vec<String> { strs(caps, k) };
        let mut errs = Vec::new();
        for add in list("add") {
            if !default_add.contains(&add) && !allowed.contains(&add) {
                errs.push(FieldError::invalid(
                    &p.child("capabilities").child("add"),
                    &format!("{add:?}"),
                    "capability may not be added",
                ));
            }
        }
        let drops = list("drop");
        for d in &required_drop {
            if !drops.contains(d) {
                errs.push(FieldError::invalid(
                    &p.child("capabilities").child("drop"),
                    &go_caps(&drops),
                    &format!("{d} is required to be dropped but was not found"),
                ));
            }
        }
        errs
    }

    /// Restrictiveness points (fewer = more restrictive), as OpenShift sorts SCCs of equal
    /// priority.
    pub fn points(&self) -> i64 {
        let scc = &self.scc;
        let mut total = 0;
        if flag(scc, "allowPrivilegedContainer") {
            total += 1_600_000;
        }
        let volumes = strs(scc, "volumes");
        let trivial = [
            "secret",
            "configMap",
            "emptyDir",
            "downwardAPI",
            "projected",
            "none",
        ];
        if volumes.iter().any(|v| v == "hostPath" || v == "*") {
            total += 200_000;
        } else if volumes.iter().any(|v| !trivial.contains(&v.as_str())) {
            total += 100_000;
        }
        if flag(scc, "allowHostNetwork") {
            total += 400_000;
        }
        if flag(scc, "allowHostPorts") {
            total += 800_000;
        }
        let has = |list: &[String], cap: &str| list.iter().any(|c| c.to_uppercase() == cap);
        let allowed = strs(scc, "allowedCapabilities");
        let drop = strs(scc, "requiredDropCapabilities");
        let mut caps: i64 = 5000 + 300 * strs(scc, "defaultAddCapabilities").len() as i64;
        caps += if has(&allowed, "*") || has(&allowed, "ALL") {
            4000
        } else {
            10 * allowed.len() as i64
        };
        caps += if has(&drop, "ALL") {
            -3000
        } else {
            -50 * drop.len() as i64
        };
        total += caps.clamp(0, 9999);
        let strategy = |t: &str| match t {
            "RunAsAny" => 40_000,
            "MustRunAsNonRoot" => 30_000,
            "MustRunAsRange" => 20_000,
            "MustRunAs" => 10_000,
            _ => 0,
        };
        total += strategy(util::s(scc, &["seLinuxContext", "type"]));
        total += strategy(util::s(scc, &["runAsUser", "type"]));
        total
    }

    /// The SCC's priority (unset = 0).
    pub fn priority(&self) -> i64 {
        self.scc
            .get("priority")
            .and_then(Value::as_i64)
            .unwrap_or(0)
    }
}

/// The volume plugin of a pod volume, named as SCCs name it (None: no known source).
fn volume_type(v: &Value) -> Option<&'static str> {
    const TYPES: &[(&str, &str)] = &[
        ("hostPath", "hostPath"),
        ("emptyDir", "emptyDir"),
        ("gcePersistentDisk", "gcePersistentDisk"),
        ("awsElasticBlockStore", "awsElasticBlockStore"),
        ("gitRepo", "gitRepo"),
        ("secret", "secret"),
        ("nfs", "nfs"),
        ("iscsi", "iscsi"),
        ("glusterfs", "glusterfs"),
        ("persistentVolumeClaim", "persistentVolumeClaim"),
        ("rbd", "rbd"),
        ("flexVolume", "flexVolume"),
        ("cinder", "cinder"),
        ("cephfs", "cephFS"),
        ("flocker", "flocker"),
        ("downwardAPI", "downwardAPI"),
        ("fc", "fc"),
        ("azureFile", "azureFile"),
        ("configMap", "configMap"),
        ("vsphereVolume", "vsphere"),
        ("quobyte", "quobyte"),
        ("azureDisk", "azureDisk"),
        ("photonPersistentDisk", "photonPersistentDisk"),
        ("projected", "projected"),
        ("portworxVolume", "portworxVolume"),
        ("scaleIO", "scaleIO"),
        ("storageos", "storageOS"),
        ("csi", "csi"),
        ("ephemeral", "ephemeral"),
        ("image", "image"),
    ];
    TYPES
        .iter()
        .find(|(key, _)| v.get(*key).is_some_and(|x| !x.is_null()))
        .map(|(_, t)| *t)
}
