//! Where a member keeps its files, read from the pod template: the path of zoo.cfg, the
//! data dir when zoo.cfg names none, and the configuration's source of truth (a mounted
//! ConfigMap, the seeds' `start-zookeeper` flags, or nothing).

use k8s_openapi::api::core::v1::Container;

use super::start_flags::StartFlags;
use crate::cluster::ensemble::Ensemble;
use crate::manifest::options::Flavor;

/// Where zoo.cfg is and where its source of truth is, from the pod template.
#[derive(Debug, Clone)]
pub struct Layout {
    /// zoo.cfg in the container.
    pub conf_path: String,
    /// The data dir when zoo.cfg names none.
    pub default_data_dir: String,
    /// The source.
    pub source: SourceSpec,
}

/// The source of truth as found in the pod template.
#[derive(Debug, Clone)]
pub enum SourceSpec {
    /// ConfigMap `name`, key `key`.
    ConfigMap {
        /// ConfigMap name.
        name: String,
        /// The key holding zoo.cfg.
        key: String,
    },
    /// The `start-zookeeper` flags.
    StartFlags(StartFlags),
    /// Nothing to compare with, and why.
    None(String),
}

/// The ZooKeeper container of the ensemble's pod template.
pub fn container(ensemble: &Ensemble) -> Option<&Container> {
    ensemble
        .stateful_set
        .spec
        .as_ref()?
        .template
        .spec
        .as_ref()?
        .containers
        .iter()
        .find(|c| c.name == ensemble.container)
}

fn env_value<'a>(container: &'a Container, name: &str) -> Option<&'a str> {
    container
        .env
        .as_ref()?
        .iter()
        .find(|e| e.name == name)?
        .value
        .as_deref()
        .filter(|v| !v.is_empty())
}

/// Where zoo.cfg lives and what it comes from, read from the pod template.
pub fn layout(ensemble: &Ensemble) -> Layout {
    let Some(container) = container(ensemble) else {
        return Layout {
            conf_path: "/conf/zoo.cfg".into(),
            default_data_dir: "/data".into(),
            source: SourceSpec::None(format!(
                "StatefulSet {} has no container {}",
                ensemble.name, ensemble.container
            )),
        };
    };
    let command = container.command.clone().unwrap_or_default();
    let args = container.args.clone().unwrap_or_default();
    let flags = StartFlags::from_container(&command, &args);
    if ensemble.flavor == Some(Flavor::K8sTutorial) || flags.is_some() {
        return match flags {
            Some(flags) => Layout {
                conf_path: flags.config_path(),
                default_data_dir: flags.get("data_dir").to_owned(),
                source: SourceSpec::StartFlags(flags),
            },
            None => Layout {
                conf_path: "/opt/zookeeper/conf/zoo.cfg".into(),
                default_data_dir: "/var/lib/zookeeper/data".into(),
                source: SourceSpec::None(format!(
                    "container {} does not run start-zookeeper (command {:?}, args {:?})",
                    container.name, command, args
                )),
            },
        };
    }
    let conf_dir = env_value(container, "ZOO_CONF_DIR")
        .unwrap_or("/conf")
        .trim_end_matches('/')
        .to_owned();
    let conf_path = format!("{conf_dir}/zoo.cfg");
    let default_data_dir = env_value(container, "ZOO_DATA_DIR")
        .unwrap_or("/data")
        .to_owned();
    let volumes = ensemble
        .stateful_set
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|p| p.volumes.as_ref());
    // kubectl-zk's own layout keeps the live files on the volume (ZooKeeper rewrites them on
    // reconfiguration) and makes them from a ConfigMap mounted at /conf.
    let source_dirs = [conf_dir.as_str(), crate::manifest::official::CONF_DIR];
    let source = source_dirs
        .iter()
        .find_map(|dir| config_map_at(container, volumes, dir))
        .unwrap_or_else(|| {
            SourceSpec::None(format!(
                "no ConfigMap is mounted at {conf_dir}: the image's entrypoint wrote {conf_path} from its ZOO_* variables"
            ))
        });
    Layout {
        conf_path,
        default_data_dir,
        source,
    }
}

/// The ConfigMap mounted at `conf_dir` (or as `conf_dir/zoo.cfg`) and its zoo.cfg key.
fn config_map_at(
    container: &Container,
    volumes: Option<&Vec<k8s_openapi::api::core::v1::Volume>>,
    conf_dir: &str,
) -> Option<SourceSpec> {
    let conf_path = format!("{conf_dir}/zoo.cfg");
    container.volume_mounts.iter().flatten().find_map(|mount| {
        let dir_mount = mount.mount_path.trim_end_matches('/') == conf_dir
            && mount.sub_path.as_deref().is_none_or(str::is_empty);
        let file_mount = mount.mount_path == conf_path;
        if !dir_mount && !file_mount {
            return None;
        }
        let cm = volumes?
            .iter()
            .find(|v| v.name == mount.name)?
            .config_map
            .as_ref()?;
        let path = if file_mount {
            mount.sub_path.clone().unwrap_or_else(|| "zoo.cfg".into())
        } else {
            "zoo.cfg".into()
        };
        let key = cm
            .items
            .iter()
            .flatten()
            .find(|i| i.path == path)
            .map_or(path, |i| i.key.clone());
        Some(SourceSpec::ConfigMap {
            name: cm.name.clone(),
            key,
        })
    })
}
