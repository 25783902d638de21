//! kubectl-zk: deploy and operate Apache ZooKeeper ensembles on Kubernetes and OpenShift.
//!
//! The binary (`src/main.rs`) only calls [`run`]; the knowledge lives here:
//! [`cli`] parses, [`cluster`] talks to the API server, [`zk`] knows ZooKeeper
//! (pure parsers and quorum arithmetic), [`manifest`] renders the objects
//! `install` creates, [`render`] prints models, [`kube`] knows Kubernetes (pure: pod and
//! node state, taints, budgets, the scheduler), [`ensemble`] is the one model of an
//! ensemble every command shares, and [`cmd`] holds one module per command (wire, decide,
//! render); no command imports another.

pub mod cli;
pub mod cluster;
pub mod cmd;
pub mod confirm;
pub mod ensemble;
pub mod kube;
pub mod manifest;
pub mod names;
pub mod render;
mod run;
pub mod zk;

pub use run::{EXIT_ERROR, run};
