//! Quorum arithmetic for ZooKeeper's majority rule: how many voters make a quorum, how many may fail, and what losing more would do.
//!
//! ZooKeeper (with the default majority verifier) commits a write and elects a
//! leader only when more than half of the **voting** members agree: a quorum of
//! `n` voters is `n / 2 + 1`. Observers don't vote, so they count for neither
//! side. Weighted/hierarchical quorums (`group.N`, `weight.N`) are not modelled.

use serde::{Deserialize, Serialize};

use super::zoo_cfg::ServerRole;

/// Why odd ensemble sizes are recommended, for warnings and `--help`.
pub const ODD_SIZE_RATIONALE: &str = "a quorum is a strict majority of the voting members, so adding one member to an odd-sized ensemble raises the quorum without tolerating one more failure: 4 voters tolerate 1 failure, like 3; 6 tolerate 2, like 5";

/// Voters needed for a quorum among `voters` (`voters / 2 + 1`).
pub const fn quorum_size(voters: usize) -> usize {
    voters / 2 + 1
}

/// Voters that may fail while the rest still form a quorum (`(voters - 1) / 2`; 0 for none).
pub const fn failures_tolerated(voters: usize) -> usize {
    voters.saturating_sub(1) / 2
}

/// Whether `healthy` voters out of `voters` form a quorum.
pub const fn has_quorum(voters: usize, healthy: usize) -> bool {
    voters > 0 && healthy <= voters && healthy >= quorum_size(voters)
}

/// Whether a quorum remains after `k` more of the `healthy` voters go down
/// (a drain, a restart, a node failure).
pub const fn survives_losing(voters: usize, healthy: usize, k: usize) -> bool {
    has_quorum(voters, healthy.saturating_sub(k))
}

/// How many more healthy voters may go down with a quorum remaining (0 when
/// there is no quorum now, or exactly one).
pub const fn spare_voters(voters: usize, healthy: usize) -> usize {
    if has_quorum(voters, healthy) {
        healthy - quorum_size(voters)
    } else {
        0
    }
}

/// A warning for an even number of voters, explaining why it buys nothing;
/// `None` for odd sizes (and for 0).
pub fn even_size_warning(voters: usize) -> Option<String> {
    if voters == 0 || voters % 2 == 1 {
        return None;
    }
    Some(format!(
        "{voters} voting members tolerate {} failure{}, the same as {}: {ODD_SIZE_RATIONALE}",
        failures_tolerated(voters),
        if failures_tolerated(voters) == 1 {
            ""
        } else {
            "s"
        },
        voters - 1,
    ))
}

/// One member as the quorum sees it: does it vote, and is it in good state
/// (running and following or leading).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberVote {
    /// Configured role (observers don't vote).
    pub role: ServerRole,
    /// Whether the member is up and in the quorum (leading or following).
    pub healthy: bool,
}

/// The quorum picture of an ensemble.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumReport {
    /// Voting members configured.
    pub voters: usize,
    /// Voting members in good state.
    pub healthy_voters: usize,
    /// Observers configured (they don't count).
    pub observers: usize,
    /// Voters needed for a quorum.
    pub quorum_size: usize,
    /// Whether the healthy voters form a quorum.
    pub has_quorum: bool,
    /// Failures the configured size tolerates.
    pub failures_tolerated: usize,
    /// Further healthy voters that may go down with a quorum remaining.
    pub spare: usize,
}

impl QuorumReport {
    /// Counts the members.
    pub fn assess(members: impl IntoIterator<Item = MemberVote>) -> Self {
        let (mut voters, mut healthy_voters, mut observers) = (0, 0, 0);
        for m in members {
            match m.role {
                ServerRole::Participant => {
                    voters += 1;
                    if m.healthy {
                        healthy_voters += 1;
                    }
                }
                ServerRole::Observer => observers += 1,
            }
        }
        QuorumReport {
            voters,
            healthy_voters,
            observers,
            quorum_size: quorum_size(voters),
            has_quorum: has_quorum(voters, healthy_voters),
            failures_tolerated: failures_tolerated(voters),
            spare: spare_voters(voters, healthy_voters),
        }
    }

    /// Whether a quorum remains after `k` more healthy voters go down.
    pub fn survives_losing(&self, k: usize) -> bool {
        survives_losing(self.voters, self.healthy_voters, k)
    }

    /// The even-size warning for this ensemble, if any.
    pub fn even_size_warning(&self) -> Option<String> {
        even_size_warning(self.voters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(role: ServerRole, healthy: bool) -> MemberVote {
        MemberVote { role, healthy }
    }

    #[test]
    fn majority_table() {
        // voters → (quorum, tolerated)
        let table = [
            (1, 1, 0),
            (2, 2, 0),
            (3, 2, 1),
            (4, 3, 1),
            (5, 3, 2),
            (6, 4, 2),
            (7, 4, 3),
        ];
        for (n, q, f) in table {
            assert_eq!(quorum_size(n), q, "quorum of {n}");
            assert_eq!(failures_tolerated(n), f, "tolerated by {n}");
            assert!(has_quorum(n, q));
            assert!(!has_quorum(n, q - 1));
            assert_eq!(n - failures_tolerated(n), quorum_size(n), "{n}");
        }
        assert_eq!(failures_tolerated(0), 0);
        assert!(!has_quorum(0, 0));
        assert!(
            !has_quorum(3, 4),
            "more healthy than configured is inconsistent input"
        );
    }

    #[test]
    fn losing_members() {
        assert!(survives_losing(3, 3, 1));
        assert!(!survives_losing(3, 3, 2));
        assert!(
            !survives_losing(3, 2, 1),
            "a degraded 3-ensemble cannot lose another"
        );
        assert!(survives_losing(5, 4, 1));
        assert!(!survives_losing(5, 3, 1));
        assert!(survives_losing(5, 5, 0));
        assert!(!survives_losing(5, 5, usize::MAX));
        assert_eq!(spare_voters(5, 5), 2);
        assert_eq!(spare_voters(5, 3), 0);
        assert_eq!(spare_voters(3, 1), 0);
    }

    #[test]
    fn even_sizes_warn_with_the_odd_neighbour() {
        let w = even_size_warning(4).unwrap();
        assert!(
            w.starts_with("4 voting members tolerate 1 failure, the same as 3"),
            "{w}"
        );
        let w = even_size_warning(6).unwrap();
        assert!(w.contains("tolerate 2 failures, the same as 5"), "{w}");
        assert!(
            even_size_warning(2)
                .unwrap()
                .contains("0 failures, the same as 1")
        );
        assert_eq!(even_size_warning(3), None);
        assert_eq!(even_size_warning(0), None);
    }

    #[test]
    fn observers_do_not_vote() {
        use ServerRole::{Observer, Participant};
        let r = QuorumReport::assess([
            vote(Participant, true),
            vote(Participant, true),
            vote(Participant, false),
            vote(Observer, true),
            vote(Observer, true),
        ]);
        assert_eq!(r.voters, 3);
        assert_eq!(r.observers, 2);
        assert_eq!(r.healthy_voters, 2);
        assert_eq!(r.quorum_size, 2);
        assert!(r.has_quorum);
        assert_eq!(r.spare, 0);
        assert!(!r.survives_losing(1));
        assert_eq!(r.even_size_warning(), None, "observers don't make it even");

        let only_observers = QuorumReport::assess([vote(Observer, true)]);
        assert!(!only_observers.has_quorum);
        assert_eq!(only_observers.quorum_size, 1);

        let four = QuorumReport::assess([vote(Participant, true); 4]);
        assert_eq!(four.failures_tolerated, 1);
        assert_eq!(four.spare, 1);
        assert!(four.even_size_warning().is_some());
        assert!(QuorumReport::assess([]).even_size_warning().is_none());
    }
}
