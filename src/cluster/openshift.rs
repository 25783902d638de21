//! OpenShift: detect it with one discovery request, and give an ensemble's ServiceAccount the
//! `anyuid` SecurityContextConstraints the way `oc adm policy add-scc-to-user anyuid -z SA -n NS`
//! does — a RoleBinding `system:openshift:scc:anyuid` in the namespace to the ClusterRole of the
//! same name (OpenShift ≥ 4.5), or the account added to the SCC's `users` where that ClusterRole
//! does not exist (older clusters). SelfSubjectAccessReviews decide beforehand whether the user
//! may make the grant, so nothing is created when an admin has to do it. The ServiceAccount
//! records the grant kubectl-zk made, so `uninstall` takes back that grant and only that.

use std::collections::BTreeMap;

use crate::cluster::apply::{Action, Applied};
use crate::cluster::client::has_status;
use crate::manifest::MANAGER;
use anyhow::{Context, anyhow};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{ClusterRole, RoleBinding, RoleRef, Subject};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, PostParams};
use kube::{Client, ResourceExt};

/// The API group that only OpenShift serves.
pub const SECURITY_GROUP: &str = "security.openshift.io";
/// The annotation OpenShift puts on a pod: the SCC that admitted it.
pub const SCC_ANNOTATION: &str = "openshift.io/scc";
/// On the ensemble's ServiceAccount: the SCC grant kubectl-zk made for it
/// (`rolebinding/<scc>`, `subject/<scc>` or `users/<scc>`).
pub const GRANT_ANNOTATION: &str = "kubectl-zk.io/scc-grant";
/// The SCC the seeds grant: the image runs as a fixed user.
pub const ANYUID: &str = "anyuid";

/// Whether the server is OpenShift (it serves `security.openshift.io`).
pub async fn detect(client: &Client) -> anyhow::Result<bool> {
    crate::cluster::client::serves_group(client, SECURITY_GROUP).await
}

/// The name of the RoleBinding and ClusterRole that grant `use` of an SCC.
pub fn scc_role(scc: &str) -> String {
    format!("system:openshift:scc:{scc}")
}

/// The user name of a ServiceAccount, as SCC `users` lists it.
pub fn service_account_user(namespace: &str, account: &str) -> String {
    format!("system:serviceaccount:{namespace}:{account}")
}

/// What an admin runs to make the grant by hand.
pub fn admin_command(scc: &str, namespace: &str, account: &str) -> String {
    format!("oc adm policy add-scc-to-user {scc} -z {account} -n {namespace}")
}

/// How the grant stands before `install` makes it.
#[derive(Debug, Clone, PartialEq)]
pub enum GrantPlan {
    /// The account may already use the SCC (how, in words); nothing to do.
    Present(String),
    /// Create the RoleBinding (OpenShift ≥ 4.5).
    CreateBinding,
    /// Add the account to the existing RoleBinding's subjects.
    AddSubject(Box<RoleBinding>),
    /// Add the account to the SCC's `users` (no `system:openshift:scc:*` ClusterRole).
    AddUser,
}

impl GrantPlan {
    /// The annotation value recording a grant made this way.
    pub fn record(&self, scc: &str) -> Option<String> {
        match self {
            GrantPlan::Present(_) => None,
            GrantPlan::CreateBinding => Some(format!("rolebinding/{scc}")),
            GrantPlan::AddSubject(_) => Some(format!("subject/{scc}")),
            GrantPlan::AddUser => Some(format!("users/{scc}")),
        }
    }
}

/// The SCC as a dynamic object (k8s-openapi has no OpenShift types).
fn scc_api(client: &Client) -> Api<DynamicObject> {
    let resource = ApiResource {
        group: SECURITY_GROUP.into(),
        version: "v1".into(),
        api_version: format!("{SECURITY_GROUP}/v1"),
        kind: "SecurityContextConstraints".into(),
        plural: "securitycontextconstraints".into(),
    };
    Api::all_with(client.clone(), &resource)
}

fn binding_names_account(binding: &RoleBinding, namespace: &str, account: &str) -> bool {
    binding.subjects.iter().flatten().any(|s| {
        (s.kind == "ServiceAccount"
            && s.name == account
            && s.namespace.as_deref().unwrap_or(namespace) == namespace)
            || (s.kind == "User" && s.name == service_account_user(namespace, account))
            || (s.kind == "Group"
                && (s.name == format!("system:serviceaccounts:{namespace}")
                    || s.name == "system:serviceaccounts"))
    })
}

/// Finds out whether the account may already use the SCC and, if not, how the grant would be
/// made.
pub async fn plan(
    client: &Client,
    namespace: &str,
    account: &str,
    scc: &str,
) -> anyhow::Result<GrantPlan> {
    let role = scc_role(scc);
    let bindings: Api<RoleBinding> = Api::namespaced(client.clone(), namespace);
    let roles: Api<ClusterRole> = Api::all(client.clone());
    let sccs = scc_api(client);
    let (binding, cluster_role, constraints) = futures::join!(
        bindings.get_opt(&role),
        roles.get_opt(&role),
        sccs.get_opt(scc)
    );
    let binding = match binding {
        Ok(found) => found,
        Err(err) if has_status(&err, 403) => None,
        Err(err) => {
            return Err(anyhow!(err).context(format!(
                "cannot read RoleBinding {role} in namespace {namespace}"
            )));
        }
    };
    if let Some(binding) = &binding
        && binding.role_ref.name == role
        && binding_names_account(binding, namespace, account)
    {
        return Ok(GrantPlan::Present(format!(
            "RoleBinding {role} in namespace {namespace} already grants it"
        )));
    }
    // The SCC itself may list the account (older clusters, or an admin's hand).
    let user = service_account_user(namespace, account);
    let constraints = match constraints {
        Ok(Some(found)) => Some(found),
        Ok(None) => anyhow::bail!(
            "this OpenShift cluster has no SecurityContextConstraints {scc}; use --scc restricted, or ask an admin which SCC lets a pod run as a fixed user"
        ),
        // A project admin may not read SCCs: the access review below decides.
        Err(err) if has_status(&err, 403) => None,
        Err(err) => {
            return Err(
                anyhow!(err).context(format!("cannot read SecurityContextConstraints {scc}"))
            );
        }
    };
    let listed = |field: &str, wanted: &[&str]| {
        constraints
            .as_ref()
            .and_then(|c| c.data[field].as_array())
            .is_some_and(|list| {
                list.iter()
                    .any(|v| v.as_str().is_some_and(|s| wanted.contains(&s)))
            })
    };
    if listed("users", &[user.as_str()])
        || listed(
            "groups",
            &[
                "system:serviceaccounts",
                &format!("system:serviceaccounts:{namespace}"),
            ],
        )
    {
        return Ok(GrantPlan::Present(format!(
            "SecurityContextConstraints {scc} already lists it"
        )));
    }
    let has_cluster_role = match cluster_role {
        Ok(found) => found.is_some(),
        // Not allowed to look: OpenShift ≥ 4.5 has the role.
        Err(err) if has_status(&err, 403) => true,
        Err(err) => return Err(anyhow!(err).context(format!("cannot read ClusterRole {role}"))),
    };
    Ok(match (has_cluster_role, binding) {
        (false, _) => GrantPlan::AddUser,
        (true, Some(existing)) => GrantPlan::AddSubject(Box::new(existing)),
        (true, None) => GrantPlan::CreateBinding,
    })
}

/// One question to the API server: may I do this?
#[derive(Debug, Clone)]
struct Question {
    verb: &'static str,
    group: &'static str,
    resource: &'static str,
    namespace: Option<String>,
    name: Option<String>,
}

impl Question {
    fn words(&self) -> String {
        let mut text = format!("{} {}", self.verb, self.resource);
        if !self.group.is_empty() {
            text.push('.');
            text.push_str(self.group);
        }
        if let Some(name) = &self.name {
            text.push_str(&format!(" {name}"));
        }
        if let Some(ns) = &self.namespace {
            text.push_str(&format!(" in namespace {ns}"));
        }
        text
    }
}

async fn may(client: &Client, question: &Question) -> anyhow::Result<bool> {
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(question.verb.into()),
                group: Some(question.group.into()),
                resource: Some(question.resource.into()),
                namespace: question.namespace.clone(),
                name: question.name.clone(),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let answer = reviews
        .create(&PostParams::default(), &review)
        .await
        .with_context(|| {
            format!(
                "cannot ask the API server whether you may {}",
                question.words()
            )
        })?;
    Ok(answer.status.is_some_and(|s| s.allowed))
}

/// Checks with SelfSubjectAccessReviews that the user may make the grant; if not, fails with the
/// command an admin must run. Nothing is created either way.
pub async fn check_may_grant(
    client: &Client,
    plan: &GrantPlan,
    namespace: &str,
    account: &str,
    scc: &str,
) -> anyhow::Result<()> {
    let role = scc_role(scc);
    let ns = Some(namespace.to_owned());
    // Every alternative list must hold in full; within a step, one of the alternatives.
    let steps: Vec<Vec<Question>> = match plan {
        GrantPlan::Present(_) => return Ok(()),
        GrantPlan::CreateBinding | GrantPlan::AddSubject(_) => {
            let write = Question {
                verb: if matches!(plan, GrantPlan::CreateBinding) {
                    "create"
                } else {
                    "update"
                },
                group: "rbac.authorization.k8s.io",
                resource: "rolebindings",
                namespace: ns.clone(),
                name: matches!(plan, GrantPlan::AddSubject(_)).then(|| role.clone()),
            };
            // RBAC lets a user bind a role it holds, or one it may `bind`.
            let hold = Question {
                verb: "use",
                group: SECURITY_GROUP,
                resource: "securitycontextconstraints",
                namespace: ns.clone(),
                name: Some(scc.to_owned()),
            };
            let bind = Question {
                verb: "bind",
                group: "rbac.authorization.k8s.io",
                resource: "clusterroles",
                namespace: ns.clone(),
                name: Some(role.clone()),
            };
            vec![vec![write], vec![hold, bind]]
        }
        GrantPlan::AddUser => vec![vec![Question {
            verb: "update",
            group: SECURITY_GROUP,
            resource: "securitycontextconstraints",
            namespace: None,
            name: Some(scc.to_owned()),
        }]],
    };
    let answers =
        futures::future::try_join_all(steps.iter().flatten().map(|question| async move {
            Ok::<_, anyhow::Error>((question, may(client, question).await?))
        }))
        .await?;
    let allowed = |q: &Question| {
        answers
            .iter()
            .any(|(asked, yes)| *yes && asked.words() == q.words())
    };
    let missing: Vec<String> = steps
        .iter()
        .filter(|step| !step.iter().any(allowed))
        .map(|step| {
            step.iter()
                .map(Question::words)
                .collect::<Vec<_>>()
                .join(" or ")
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "ServiceAccount {account} needs the {scc} SCC, and you may not grant it (you may not {}); nothing was created.\n\
Ask a cluster admin to run:\n\n    {}\n\nthen run this install again. Or install with --scc restricted, which needs no grant.",
        missing.join("; nor "),
        admin_command(scc, namespace, account)
    )
}

/// Makes the grant the plan describes (or reports it present), as one more object line of
/// `install`. `recorded` is the grant kubectl-zk made (now or in an earlier run), if any.
pub async fn grant(
    client: &Client,
    plan: GrantPlan,
    namespace: &str,
    account: &str,
    scc: &str,
    recorded: Option<String>,
    dry_run: bool,
) -> anyhow::Result<Applied> {
    let role = scc_role(scc);
    let record = recorded;
    let subject = Subject {
        kind: "ServiceAccount".into(),
        name: account.into(),
        namespace: Some(namespace.into()),
        api_group: None,
    };
    let binding_object = format!("rolebinding.rbac.authorization.k8s.io/{role}");
    let bindings: Api<RoleBinding> = Api::namespaced(client.clone(), namespace);
    let post = PostParams {
        dry_run,
        field_manager: Some(MANAGER.into()),
    };
    let (object, action) = match plan {
        GrantPlan::Present(_) => {
            let object = if record.as_deref().is_some_and(|r| r.starts_with("users/")) {
                format!("securitycontextconstraints.security.openshift.io/{scc}")
            } else {
                binding_object
            };
            (object, Action::Unchanged)
        }
        GrantPlan::CreateBinding => {
            let binding = RoleBinding {
                metadata: kube::api::ObjectMeta {
                    name: Some(role.clone()),
                    namespace: Some(namespace.into()),
                    labels: Some(BTreeMap::from([(
                        "app.kubernetes.io/managed-by".to_owned(),
                        MANAGER.to_owned(),
                    )])),
                    ..Default::default()
                },
                role_ref: RoleRef {
                    api_group: "rbac.authorization.k8s.io".into(),
                    kind: "ClusterRole".into(),
                    name: role.clone(),
                },
                subjects: Some(vec![subject]),
            };
            bindings.create(&post, &binding).await.map_err(|e| {
                anyhow!(e).context(format!(
                    "cannot create RoleBinding {role} in namespace {namespace}"
                ))
            })?;
            (binding_object, Action::Created)
        }
        GrantPlan::AddSubject(existing) => {
            let mut binding = *existing;
            binding.subjects.get_or_insert_with(Vec::new).push(subject);
            // `replace` carries the resourceVersion read: a concurrent change fails instead of
            // being overwritten.
            bindings
                .replace(&role, &post, &binding)
                .await
                .map_err(|e| anyhow!(e).context(format!("cannot add ServiceAccount {account} to RoleBinding {role} in namespace {namespace}")))?;
            (binding_object, Action::Configured)
        }
        GrantPlan::AddUser => {
            let sccs = scc_api(client);
            let mut constraints = sccs.get(scc).await.map_err(|e| {
                anyhow!(e).context(format!("cannot read SecurityContextConstraints {scc}"))
            })?;
            let user = service_account_user(namespace, account);
            match constraints.data["users"].as_array_mut() {
                Some(users) => users.push(user.into()),
                None => constraints.data["users"] = serde_json::json!([user]),
            }
            sccs.replace(scc, &post, &constraints).await.map_err(|e| {
                anyhow!(e).context(format!(
                    "cannot add {account} to SecurityContextConstraints {scc}"
                ))
            })?;
            (
                format!("securitycontextconstraints.security.openshift.io/{scc}"),
                Action::Configured,
            )
        }
    };
    let changes = match action {
        Action::Configured => vec![format!("grants SCC {scc} to ServiceAccount {account}")],
        _ => Vec::new(),
    };
    Ok(Applied {
        object,
        action,
        changes,
        taken_back: Vec::new(),
    })
}

/// Takes back the grant kubectl-zk recorded on the ServiceAccount (`recorded`, the annotation's
/// value) and nothing else: the subject it added, the RoleBinding it created (only when no
/// other subject was added since), or the user it added to the SCC. Returns what it changed.
pub async fn revoke(
    client: &Client,
    namespace: &str,
    account: &str,
    recorded: &str,
) -> anyhow::Result<Option<String>> {
    let Some((how, scc)) = recorded.split_once('/') else {
        return Ok(None);
    };
    let role = scc_role(scc);
    match how {
        "rolebinding" | "subject" => {
            let bindings: Api<RoleBinding> = Api::namespaced(client.clone(), namespace);
            let Some(mut binding) = bindings.get_opt(&role).await.map_err(|e| {
                anyhow!(e).context(format!(
                    "cannot read RoleBinding {role} in namespace {namespace}"
                ))
            })?
            else {
                return Ok(None);
            };
            let ours = |s: &Subject| {
                s.kind == "ServiceAccount"
                    && s.name == account
                    && s.namespace.as_deref().unwrap_or(namespace) == namespace
            };
            let subjects = binding.subjects.take().unwrap_or_default();
            let before = subjects.len();
            let rest: Vec<Subject> = subjects.into_iter().filter(|s| !ours(s)).collect();
            if rest.len() == before {
                return Ok(None);
            }
            let made_by_us = binding
                .labels()
                .get("app.kubernetes.io/managed-by")
                .is_some_and(|m| m == MANAGER);
            if rest.is_empty() && how == "rolebinding" && made_by_us {
                bindings
                    .delete(&role, &DeleteParams::default())
                    .await
                    .map_err(|e| {
                        anyhow!(e).context(format!(
                            "cannot delete RoleBinding {role} in namespace {namespace}"
                        ))
                    })?;
                return Ok(Some(format!(
                    "rolebinding.rbac.authorization.k8s.io/{role} deleted"
                )));
            }
            binding.subjects = Some(rest);
            bindings
                .replace(&role, &PostParams::default(), &binding)
                .await
                .map_err(|e| anyhow!(e).context(format!("cannot remove ServiceAccount {account} from RoleBinding {role} in namespace {namespace}")))?;
            Ok(Some(format!(
                "rolebinding.rbac.authorization.k8s.io/{role} no longer names ServiceAccount {account}"
            )))
        }
        "users" => {
            let sccs = scc_api(client);
            let mut constraints = sccs.get(scc).await.map_err(|e| {
                anyhow!(e).context(format!("cannot read SecurityContextConstraints {scc}"))
            })?;
            let user = service_account_user(namespace, account);
            let Some(users) = constraints.data["users"].as_array_mut() else {
                return Ok(None);
            };
            let before = users.len();
            users.retain(|u| u.as_str() != Some(user.as_str()));
            if users.len() == before {
                return Ok(None);
            }
            sccs.replace(scc, &PostParams::default(), &constraints)
                .await
                .map_err(|e| {
                    anyhow!(e).context(format!(
                        "cannot remove {user} from SecurityContextConstraints {scc}"
                    ))
                })?;
            Ok(Some(format!(
                "securitycontextconstraints.security.openshift.io/{scc} no longer lists {user}"
            )))
        }
        _ => Ok(None),
    }
}

/// The grant an earlier `install` recorded on the ensemble's ServiceAccount.
pub async fn recorded_grant(
    client: &Client,
    namespace: &str,
    account: &str,
) -> anyhow::Result<Option<String>> {
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    let found = accounts.get_opt(account).await.map_err(|e| {
        anyhow!(e).context(format!(
            "cannot read ServiceAccount {account} in namespace {namespace}"
        ))
    })?;
    Ok(found.and_then(|sa| sa.annotations().get(GRANT_ANNOTATION).cloned()))
}

/// The ServiceAccount annotations that record a grant.
pub fn grant_annotations(record: Option<&str>) -> Option<BTreeMap<String, String>> {
    record.map(|r| BTreeMap::from([(GRANT_ANNOTATION.to_owned(), r.to_owned())]))
}

/// With the anyuid profile: whether the ensemble's ServiceAccount may already use `anyuid` and,
/// if not, how to grant it — checked with access reviews before anything is created (an error
/// naming the admin's command when the user may not). The spec records the grant kubectl-zk
/// makes (or made before) on the ServiceAccount. `install` and `migrate` on OpenShift.
pub async fn plan_for_ensemble(
    client: &Client,
    spec: &mut crate::manifest::EnsembleSpec,
) -> anyhow::Result<Option<GrantPlan>> {
    let account = spec.name.to_string();
    let namespace = spec.namespace.clone();
    let recorded = recorded_grant(client, &namespace, &account).await?;
    if spec.scc != crate::manifest::options::SccProfile::Anyuid {
        spec.scc_grant = recorded;
        return Ok(None);
    }
    let plan = plan(client, &namespace, &account, ANYUID).await?;
    check_may_grant(client, &plan, &namespace, &account, ANYUID).await?;
    spec.scc_grant = plan.record(ANYUID).or(recorded);
    Ok(Some(plan))
}

/// Makes the grant [`plan_for_ensemble`] planned for the ensemble's ServiceAccount.
pub async fn grant_for_ensemble(
    client: &Client,
    spec: &crate::manifest::EnsembleSpec,
    plan: GrantPlan,
    dry_run: bool,
) -> anyhow::Result<Applied> {
    grant(
        client,
        plan,
        &spec.namespace,
        spec.name.as_str(),
        ANYUID,
        spec.scc_grant.clone(),
        dry_run,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(subjects: Vec<Subject>) -> RoleBinding {
        RoleBinding {
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: "ClusterRole".into(),
                name: scc_role("anyuid"),
            },
            subjects: Some(subjects),
            ..RoleBinding::default()
        }
    }

    fn subject(kind: &str, name: &str, namespace: Option<&str>) -> Subject {
        Subject {
            kind: kind.into(),
            name: name.into(),
            namespace: namespace.map(Into::into),
            api_group: None,
        }
    }

    #[test]
    fn a_binding_names_the_account_directly_as_user_or_through_its_groups() {
        let direct = binding(vec![subject("ServiceAccount", "zk", Some("dev"))]);
        assert!(binding_names_account(&direct, "dev", "zk"));
        assert!(!binding_names_account(&direct, "prod", "zk"));
        assert!(!binding_names_account(&direct, "dev", "other"));
        let user = binding(vec![subject("User", "system:serviceaccount:dev:zk", None)]);
        assert!(binding_names_account(&user, "dev", "zk"));
        let group = binding(vec![subject("Group", "system:serviceaccounts:dev", None)]);
        assert!(binding_names_account(&group, "dev", "zk"));
    }

    #[test]
    fn the_admin_command_is_the_one_oc_offers() {
        assert_eq!(
            admin_command("anyuid", "statef", "useroot"),
            "oc adm policy add-scc-to-user anyuid -z useroot -n statef"
        );
        assert_eq!(scc_role("anyuid"), "system:openshift:scc:anyuid");
    }

    #[test]
    fn each_plan_records_how_the_grant_was_made() {
        assert_eq!(
            GrantPlan::CreateBinding.record("anyuid").as_deref(),
            Some("rolebinding/anyuid")
        );
        assert_eq!(
            GrantPlan::AddUser.record("anyuid").as_deref(),
            Some("users/anyuid")
        );
        assert_eq!(GrantPlan::Present("x".into()).record("anyuid"), None);
    }
}
