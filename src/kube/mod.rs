//! Kubernetes knowledge with no I/O, like [`crate::zk`] for ZooKeeper: what a pod's status
//! means ([`pod`]), whether a node takes pods ([`node`]: readiness, cordon, effective taints,
//! tolerations), label and node selectors ([`selector`]), which PodDisruptionBudget covers a
//! pod and whether the Eviction API lets it go ([`pdb`]), resource quantities as exact
//! integers ([`quantity`]), where kube-scheduler would put a pod ([`schedule`]) and what a
//! StatefulSet's status says and which pods it would create ([`statefulset`]).
//!
//! Every function takes objects already read (by [`crate::cluster`]) and returns a plain
//! answer, so commands share one reading of each rule and tests hand in fixtures. Upstream
//! keeps the same knowledge in `k8s.io/kubectl/pkg/util/podutils`,
//! `k8s.io/component-helpers/scheduling/corev1` and `k8s.io/kubectl/pkg/drain`.

pub mod node;
pub mod pdb;
pub mod pod;
pub mod quantity;
pub mod schedule;
pub mod selector;
pub mod statefulset;
pub mod volume_pod;
