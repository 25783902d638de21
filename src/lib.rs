//! kubectl-zk: deploy and operate Apache ZooKeeper ensembles on Kubernetes and OpenShift.
//!
//! The binary (`src/main.rs`) only calls [`run`]; the knowledge lives here:
//! [`cli`] parses, [`cluster`] talks to the API server, [`zk`] knows ZooKeeper
//! (pure parsers and quorum arithmetic), [`manifest`] renders the objects
//! `install` creates, [`render`] prints models, and [`cmd`] holds one module
//! per command (gather → decide → render).

pub mod cli;
pub mod cluster;
pub mod cmd;
pub mod manifest;
pub mod names;
pub mod render;
mod run;
pub mod zk;

pub use run::{EXIT_ERROR, run};
