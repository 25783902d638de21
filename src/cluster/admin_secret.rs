//! The ensemble's ZooKeeper superuser: a Secret `<name>-admin` with a random password (which
//! kubectl-zk authenticates with to reconfigure the membership) and the digest the servers are
//! started with. Created once, when absent; never rewritten (the running servers know its
//! digest), never printed.

use std::collections::BTreeMap;

use anyhow::{Context as _, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::{Api, PostParams};

use crate::cluster::apply::{Action, Applied};
use crate::manifest::EnsembleSpec;
use crate::manifest::official::{DIGEST_KEY, PASSWORD_KEY, admin_secret_name};

/// The superuser's name in ZooKeeper's digest scheme.
pub const SUPER_USER: &str = "super";

/// ZooKeeper's digest of `user:password`: base64 of its SHA-1 (`DigestAuthenticationProvider`).
fn digest(user: &str, password: &str) -> String {
    let hash = ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        format!("{user}:{password}").as_bytes(),
    );
    STANDARD.encode(hash.as_ref())
}

/// A new random password (24 bytes from the system's generator, base64url).
fn new_password() -> anyhow::Result<String> {
    let mut bytes = [0u8; 24];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| anyhow!("the system's random number generator failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Creates the Secret when it does not exist; leaves an existing one as it is.
pub async fn ensure(
    client: &Client,
    spec: &EnsembleSpec,
    dry_run: bool,
) -> anyhow::Result<Applied> {
    let name = admin_secret_name(spec);
    let ns = &spec.namespace;
    let api: Api<Secret> = Api::namespaced(client.clone(), ns);
    let object = format!("secret/{name}");
    let existing = api
        .get_opt(&name)
        .await
        .with_context(|| format!("cannot read Secret {name} in namespace {ns}"))?;
    if existing.is_some() {
        return Ok(Applied {
            object,
            action: Action::Unchanged,
            changes: Vec::new(),
            taken_back: Vec::new(),
        });
    }
    let password = new_password()?;
    let secret = Secret {
        metadata: spec.meta(name.clone()),
        type_: Some("Opaque".into()),
        string_data: Some(BTreeMap::from([
            (PASSWORD_KEY.to_owned(), password.clone()),
            (
                DIGEST_KEY.to_owned(),
                format!("{SUPER_USER}:{}", digest(SUPER_USER, &password)),
            ),
        ])),
        ..Secret::default()
    };
    let params = PostParams {
        dry_run,
        field_manager: Some(crate::manifest::MANAGER.into()),
    };
    api.create(&params, &secret)
        .await
        .with_context(|| format!("cannot create Secret {name} in namespace {ns}"))?;
    Ok(Applied {
        object,
        action: Action::Created,
        changes: Vec::new(),
        taken_back: Vec::new(),
    })
}

/// The superuser's password, to authenticate with as `super`.
pub async fn password(client: &Client, namespace: &str, ensemble: &str) -> anyhow::Result<String> {
    let name = format!("{ensemble}-admin");
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let secret = api
        .get_opt(&name)
        .await
        .with_context(|| format!("cannot read Secret {name} in namespace {namespace}"))?;
    let Some(secret) = secret else {
        bail!(
            "Secret {name} in namespace {namespace} does not exist, so kubectl-zk cannot authenticate to reconfigure ensemble {ensemble}; run `kubectl zk install --name {ensemble} -n {namespace}` (it creates the Secret and restarts the members with its digest)"
        );
    };
    let bytes = secret
        .data
        .as_ref()
        .and_then(|d| d.get(PASSWORD_KEY))
        .map(|b| b.0.clone())
        .ok_or_else(|| anyhow!("Secret {name} in namespace {namespace} has no key {PASSWORD_KEY}; delete it and run `kubectl zk install --name {ensemble} -n {namespace}` to make a new one"))?;
    String::from_utf8(bytes).map_err(|_| {
        anyhow!("Secret {name} in namespace {namespace}: key {PASSWORD_KEY} is not text")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_what_zookeeper_computes() {
        // base64(SHA-1("super:secret")), as DigestAuthenticationProvider.generateDigest makes it.
        assert_eq!(digest("super", "secret"), "lK75jTNcA+U9vtVEw5vB51mj/w4=");
    }

    #[test]
    fn passwords_are_random_and_printable() {
        let a = new_password().expect("random");
        let b = new_password().expect("random");
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
