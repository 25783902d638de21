//! Everything that talks to the API server: the client built from kubeconfig flags, and
//! (as commands are wired) finding an ensemble, transports into pods, apply and evict.

pub mod admin_secret;
pub mod admin_snapshot;
pub mod apply;
pub mod client;
pub mod ensemble;
pub mod error;
pub mod evict;
pub mod forward;
pub mod openshift;
pub mod pod_files;
pub mod zk_cli;
pub mod zk_client;
pub mod zk_shell;
pub mod zookeeper;
