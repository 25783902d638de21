//! Builds the kube client from kubectl-style options.
//!
//! Order as kubectl: `--kubeconfig FILE`, else `$KUBECONFIG` (a list of files, merged),
//! else `~/.kube/config`, else the in-cluster service account. `--context`, `--cluster` and
//! `--user` pick from the kubeconfig; `-n` overrides the context's namespace. kube's
//! automatic retry is turned off: it retries 429 for minutes, and a PodDisruptionBudget
//! refusal is a 429 the user must see at once.

use anyhow::{Context as _, anyhow};
use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};

use crate::cli::GlobalOptions;

/// A connected client and the namespace commands work in.
#[derive(Clone)]
pub struct Connection {
    /// The API client.
    pub client: Client,
    /// `-n`, else the context's namespace, else `default`.
    pub namespace: String,
}

/// Loads the configuration the options describe, without connecting.
pub async fn load_config(options: &GlobalOptions) -> anyhow::Result<Config> {
    let kube_options = KubeConfigOptions {
        context: options.context.clone(),
        cluster: options.cluster.clone(),
        user: options.user.clone(),
    };
    let mut config = match &options.kubeconfig {
        Some(path) => {
            let kubeconfig = Kubeconfig::read_from(path)
                .with_context(|| format!("cannot read kubeconfig {}", path.display()))?;
            Config::from_custom_kubeconfig(kubeconfig, &kube_options)
                .await
                .with_context(|| format!("cannot use kubeconfig {}", path.display()))?
        }
        None => match Config::from_kubeconfig(&kube_options).await {
            Ok(config) => config,
            Err(KubeconfigError::FindPath | KubeconfigError::ReadConfig(..))
                if kube_options.context.is_none()
                    && kube_options.cluster.is_none()
                    && kube_options.user.is_none() =>
            {
                Config::incluster().map_err(|err| {
                    anyhow!(
                        "no kubeconfig found and not running in a cluster ({err}); set KUBECONFIG or pass --kubeconfig FILE"
                    )
                })?
            }
            Err(err) => {
                return Err(anyhow!(err).context("cannot load the kubeconfig (KUBECONFIG or ~/.kube/config)"));
            }
        },
    };
    config.default_retry = false;
    if !options.request_timeout.is_zero() {
        config.connect_timeout = Some(options.request_timeout);
        config.read_timeout = Some(options.request_timeout);
        config.write_timeout = Some(options.request_timeout);
    }
    if let Some(namespace) = &options.namespace {
        config.default_namespace = namespace.clone();
    }
    Ok(config)
}

/// Connects (lazily: no request is made until a command needs one).
pub async fn connect(options: &GlobalOptions) -> anyhow::Result<Connection> {
    let config = load_config(options).await?;
    if options.verbose > 0 {
        eprintln!("{}", describe(&config));
    }
    let namespace = config.default_namespace.clone();
    crate::cluster::error::remember_server(
        &config.cluster_url.to_string(),
        options.request_timeout,
    );
    let client = Client::try_from(config).context("cannot build the Kubernetes client")?;
    Ok(Connection { client, namespace })
}

/// The namespace the options select and where it came from, reading the kubeconfig only
/// when `-n` is absent. Used by commands that render without a cluster (`install --dry-run`).
pub async fn namespace_without_connecting(options: &GlobalOptions) -> (String, &'static str) {
    if let Some(namespace) = &options.namespace {
        return (namespace.clone(), "from --namespace");
    }
    match load_config(options).await {
        Ok(config) => (config.default_namespace, "from the kubeconfig context"),
        Err(_) => ("default".to_owned(), "no kubeconfig found"),
    }
}

/// A line for `-v` about where requests go. Never includes credentials.
pub fn describe(config: &Config) -> String {
    format!(
        "API server {} (namespace {}, TLS verification {})",
        config.cluster_url,
        config.default_namespace,
        if config.accept_invalid_certs {
            "OFF in the kubeconfig"
        } else {
            "on"
        }
    )
}

/// Whether the server serves an API group: one discovery request, made once per process (a run
/// talks to one cluster; `status` asks again and again while commands wait, and `install` asks
/// for OpenShift's group and the Prometheus operator's).
pub async fn serves_group(client: &Client, group: &str) -> anyhow::Result<bool> {
    static GROUPS: tokio::sync::OnceCell<Vec<String>> = tokio::sync::OnceCell::const_new();
    let groups = GROUPS
        .get_or_try_init(|| async {
            let list = client
                .list_api_groups()
                .await
                .context("cannot list the API groups")?;
            Ok::<_, anyhow::Error>(list.groups.into_iter().map(|g| g.name).collect())
        })
        .await?;
    Ok(groups.iter().any(|g| g == group))
}

/// Whether the API server answered with this HTTP status (403 Forbidden, 404 Not Found…).
pub fn has_status(err: &kube::Error, code: u16) -> bool {
    matches!(err, kube::Error::Api(status) if status.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;
    use std::io::Write;

    const KUBECONFIG: &str = "apiVersion: v1
kind: Config
current-context: one
clusters:
- name: c1
  cluster: {server: 'https://127.0.0.1:6443'}
- name: c2
  cluster: {server: 'https://127.0.0.2:6443'}
users:
- name: u1
  user: {token: secret-token-never-printed}
contexts:
- name: one
  context: {cluster: c1, user: u1, namespace: kafka}
- name: two
  context: {cluster: c2, user: u1}
";

    fn global(args: &[&str]) -> GlobalOptions {
        let mut argv = vec!["kubectl-zk"];
        argv.extend_from_slice(args);
        argv.push("version");
        Cli::try_parse_from(argv).expect("parses").global
    }

    #[tokio::test]
    async fn contexts_and_namespaces_follow_kubectl() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(KUBECONFIG.as_bytes()).expect("write");
        let path = file.path().to_str().expect("utf-8 path").to_owned();

        let config = load_config(&global(&["--kubeconfig", &path]))
            .await
            .expect("loads");
        assert_eq!(config.cluster_url.to_string(), "https://127.0.0.1:6443/");
        assert_eq!(config.default_namespace, "kafka");
        assert!(!config.default_retry, "kube's 429 retry must be off");

        let config = load_config(&global(&["--kubeconfig", &path, "--context", "two"]))
            .await
            .expect("loads");
        assert_eq!(config.cluster_url.to_string(), "https://127.0.0.2:6443/");
        assert_eq!(config.default_namespace, "default");

        let config = load_config(&global(&[
            "--kubeconfig",
            &path,
            "-n",
            "other",
            "--request-timeout",
            "7s",
        ]))
        .await
        .expect("loads");
        assert_eq!(config.default_namespace, "other");
        assert_eq!(config.read_timeout, Some(std::time::Duration::from_secs(7)));

        let Err(err) = load_config(&global(&["--kubeconfig", &path, "--context", "nope"])).await
        else {
            panic!("an unknown context must fail");
        };
        let text = format!("{err:#}");
        assert!(text.contains("nope"), "{text}");
        assert!(!text.contains("secret-token"), "{text}");
    }
}
