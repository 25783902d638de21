//! The pod runtime: the OS-level layer the kubelet calls.
//!
//! A cluster gets one [`ClusterNet`]: a private /24 and a Linux bridge on the host. Each pod gets a
//! [`Sandbox`]: a network namespace with its own IP on that bridge and its own `/etc/hosts`,
//! `/etc/hostname` and `/etc/resolv.conf`. Each container start ([`Sandbox::start`]) is a real
//! process in the pod's network namespace plus a new mount, UTS and IPC namespace, whose root is an
//! overlay of the host's root file system (read-only lower layer) with a fresh writable layer, the
//! [image profile](ImageProfile)'s files, and the pod's volumes bound at their mount paths.
//!
//! Every process of a container lives in its own cgroup (cgroup v2, under
//! `<cgroup2 mount>/testcluster/<cluster id>/…`) and its own process group, so stopping a container,
//! destroying a sandbox or a cluster, or cleaning up after a crashed run kills every process it
//! started, daemons included.
//!
//! Everything here needs root: network namespaces, bridges, mounts and cgroups.
//!
//! Names: the cluster id is `tc<X>` where `10.213.X.0/24` is its subnet; bridge `tcbr<X>`, network
//! namespaces `tc<X>-<last octet>`, host-side veths `tcv<X>-<last octet>`. Holding the lock file
//! `/run/testcluster/subnets/<X>.lock` owns every object so named.

mod cgroup;
mod container;
mod image;
mod net;
mod probe;
mod rootfs;
mod sandbox;
mod sys;
mod zookeeper;

pub use container::{
    Container, ContainerSpec, ExecOutput, ExecProcess, ExitInfo, Mount, SpawnError,
};
pub use image::{ImageFile, ImageFileKind, ImageProfile, ImageRef, profile_for, pull_failure};
pub use net::{ClusterNet, Ipv4Subnet, cleanup_leftovers};
pub use probe::{ProbeResult, probe_exec, probe_http, probe_tcp};
pub use sandbox::{Sandbox, SandboxSpec};
