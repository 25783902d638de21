//! The quorum: ZooKeeper's majority rule, and the one judgement every command uses for "does
//! the quorum hold, and does it survive if these members go?" ([`judge`]).
//!
//! ZooKeeper (with the default majority verifier) commits a write and elects a
//! leader only when more than half of the **voting** members agree: a quorum of
//! `n` voters is `n / 2 + 1`. Observers don't vote, so they count for neither
//! side. Weighted/hierarchical quorums (`group.N`, `weight.N`) are not modelled.
//!
//! **The rule** (documented in the README, applied by `status`, `drain-safe`, `leader
//! --failover`, `persist-check --restart` and rolling restarts alike): a voter counts toward
//! the quorum that would remain only when ZooKeeper says it leads or follows in sync (no more
//! than [`LAG_THRESHOLD`] transactions behind the leader) **and** its pod is Ready. A member
//! that serves but is not Ready does not count: Kubernetes is failing its probe or about to
//! restart it, so it may be gone at any moment. Followers never count for more than the
//! leader's own count of synced followers. Whether the quorum *holds now* is ZooKeeper's own
//! view: a leader, and a majority of the voters serving.

use serde::Serialize;

use super::Mode;
use super::view::Lag;

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

/// A member more than this many transactions behind the leader is lagging.
pub const LAG_THRESHOLD: u64 = 1000;

/// What a member answered, from ZooKeeper's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// It serves in this mode.
    Serving(Mode),
    /// It is up but not in a quorum that serves.
    NotServing,
    /// It could not be asked: no pod, not running, no answer.
    Down,
}

/// One member as the judgement sees it: ZooKeeper's answer and Kubernetes' readiness.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Pod name.
    pub name: String,
    /// What the server answered.
    pub answer: Answer,
    /// Whether the pod is Ready.
    pub ready: bool,
    /// How far it is behind the leader, when both answered.
    pub lag: Option<Lag>,
    /// Why it is down, worded after its name (`is down (Pending)`, `has no pod`).
    pub down: Option<String>,
}

/// Where a member stands in ZooKeeper's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// The leader (or the standalone server of a one-member ensemble).
    Leading,
    /// Following, at most [`LAG_THRESHOLD`] transactions behind.
    InSync,
    /// Following, further behind.
    Lagging,
    /// An observer: serves, does not vote.
    Observing,
    /// Up but not serving (no quorum, read-only).
    NotServing,
    /// Not reachable at all.
    Down,
}

impl Member {
    /// Its standing.
    pub fn standing(&self) -> Standing {
        match self.answer {
            Answer::Serving(Mode::Leader | Mode::Standalone) => Standing::Leading,
            Answer::Serving(Mode::Follower)
                if self.lag.is_some_and(|l| l.is_lagging(LAG_THRESHOLD)) =>
            {
                Standing::Lagging
            }
            Answer::Serving(Mode::Follower) => Standing::InSync,
            Answer::Serving(Mode::Observer) => Standing::Observing,
            Answer::Serving(Mode::ReadOnly) | Answer::NotServing => Standing::NotServing,
            Answer::Down => Standing::Down,
        }
    }
}

/// Why a voter does not count toward the quorum that would remain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Absence {
    /// The question takes it away (drained, restarted, deleted).
    Going,
    /// It serves, but its pod is not Ready.
    NotReady,
    /// It lags the leader.
    Lagging,
    /// It is up but does not serve.
    NotServing,
    /// It is down.
    Down,
}

/// An absent voter and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Absent {
    /// Pod name.
    pub member: String,
    /// Why, as a word.
    pub reason: Absence,
    /// Why, as a sentence that starts with the member's name.
    pub message: String,
}

/// Where the number of voters comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VotersFrom {
    /// The leader's own count (`quorum_size` in `mntr`, ZooKeeper 3.6+).
    Zookeeper,
    /// The StatefulSet's replicas, less the members that answer as observers.
    Statefulset,
}

/// The answer to "does the quorum hold, and does it survive if these members go?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Judgement {
    /// Voting members.
    pub voters: usize,
    /// Where that number comes from.
    pub voters_from: VotersFrom,
    /// Members that answer as observers (they do not vote).
    pub observers: Vec<String>,
    /// Votes a quorum needs.
    pub needed: usize,
    /// The leader now.
    pub leader: Option<String>,
    /// ZooKeeper's own view now: a leader, and a majority of the voters serving.
    pub holds_now: bool,
    /// The members the question takes away.
    pub going: Vec<String>,
    /// The voters that would count: leading or in sync, Ready, not going.
    pub remaining: Vec<String>,
    /// How many of them count (the followers capped by the leader's synced count).
    pub counted: usize,
    /// The leader's count of synced followers when it caps `counted`.
    pub capped_by_leader: Option<u64>,
    /// Every other voter, with why it does not count.
    pub absent: Vec<Absent>,
    /// Whether the quorum holds now and `counted` reaches `needed`.
    pub survives: bool,
}

impl Judgement {
    /// What would remain without the members going, in one sentence: `without zk-1, 1 of 3
    /// voters would remain in sync and a quorum needs 2 (zk-2 is down (Pending))`.
    pub fn without_text(&self) -> String {
        let absent = self.absent_text(true);
        format!(
            "without {}, {} of {} voters would remain in sync and a quorum needs {}{}",
            self.going.join(", "),
            self.counted,
            self.voters,
            self.needed,
            if absent.is_empty() {
                String::new()
            } else {
                format!(" ({absent})")
            }
        )
    }

    /// The absent voters' sentences, joined with `; `.
    pub fn absent_text(&self, skip_going: bool) -> String {
        self.absent
            .iter()
            .filter(|a| !(skip_going && a.reason == Absence::Going))
            .map(|a| a.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The number of voters: the leader's own count when it reports one, else every member that
/// does not answer as an observer.
pub fn voters(members: &[Member], leader_count: Option<u64>) -> (usize, VotersFrom) {
    match leader_count
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| *n > 0)
    {
        Some(n) => (n, VotersFrom::Zookeeper),
        None => (
            members
                .iter()
                .filter(|m| m.standing() != Standing::Observing)
                .count(),
            VotersFrom::Statefulset,
        ),
    }
}

/// Judges the quorum of `members` if the members named in `going` go (none: the margin now).
/// `leader_voters` is the leader's own count of voters, `synced_followers` its count of
/// followers in sync. Pure; the rule is in the module documentation.
pub fn judge(
    members: &[Member],
    leader_voters: Option<u64>,
    synced_followers: Option<u64>,
    going: &[&str],
) -> Judgement {
    let (voters, voters_from) = voters(members, leader_voters);
    let needed = quorum_size(voters);
    let leader = members
        .iter()
        .find(|m| {
            m.answer == Answer::Serving(Mode::Leader)
                || m.answer == Answer::Serving(Mode::Standalone) && voters == 1
        })
        .map(|m| m.name.clone());
    let voting: Vec<&Member> = members
        .iter()
        .filter(|m| m.standing() != Standing::Observing)
        .collect();
    let serving = voting
        .iter()
        .filter(|m| {
            matches!(
                m.answer,
                Answer::Serving(Mode::Leader | Mode::Follower | Mode::Standalone)
            )
        })
        .count();
    let holds_now = leader.is_some() && has_quorum(voters, serving.min(voters));
    let mut remaining = Vec::new();
    let mut absent = Vec::new();
    for member in voting {
        let name = &member.name;
        let standing = member.standing();
        let (reason, message) = if going.contains(&name.as_str()) {
            (Absence::Going, format!("{name} goes"))
        } else {
            match standing {
                Standing::Leading | Standing::InSync if member.ready => {
                    remaining.push(name.clone());
                    continue;
                }
                Standing::Leading | Standing::InSync => (
                    Absence::NotReady,
                    format!(
                        "{name} serves but is not Ready (its readiness probe fails or Kubernetes is restarting it)"
                    ),
                ),
                Standing::Lagging => (
                    Absence::Lagging,
                    format!(
                        "{name} lags the leader by {} transactions",
                        member.lag.map(|l| l.to_string()).unwrap_or_default()
                    ),
                ),
                Standing::NotServing => (Absence::NotServing, format!("{name} is not serving")),
                Standing::Down | Standing::Observing => (
                    Absence::Down,
                    format!("{name} {}", member.down.as_deref().unwrap_or("is down")),
                ),
            }
        };
        absent.push(Absent {
            member: name.clone(),
            reason,
            message,
        });
    }
    let leader_stays = leader.as_ref().is_some_and(|l| remaining.contains(l));
    let followers = remaining.len() - usize::from(leader_stays);
    let capped_by_leader = synced_followers
        .filter(|synced| usize::try_from(*synced).is_ok_and(|synced| synced < followers));
    let counted = usize::from(leader_stays)
        + capped_by_leader
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(followers);
    Judgement {
        voters,
        voters_from,
        observers: members
            .iter()
            .filter(|m| m.standing() == Standing::Observing)
            .map(|m| m.name.clone())
            .collect(),
        needed,
        leader,
        holds_now,
        going: going.iter().map(|g| (*g).to_owned()).collect(),
        remaining,
        counted,
        capped_by_leader,
        absent,
        survives: holds_now && voters > 0 && counted >= needed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// One ensemble state of the table: (name, answer, Ready, lag).
    type Row = (&'static str, Answer, bool, u64);

    const L: Answer = Answer::Serving(Mode::Leader);
    const F: Answer = Answer::Serving(Mode::Follower);
    const O: Answer = Answer::Serving(Mode::Observer);
    const S: Answer = Answer::Serving(Mode::Standalone);
    const NS: Answer = Answer::NotServing;
    const D: Answer = Answer::Down;

    fn members(rows: &[Row]) -> Vec<Member> {
        rows.iter()
            .map(|(name, answer, ready, lag)| Member {
                name: (*name).to_owned(),
                answer: *answer,
                ready: *ready,
                lag: matches!(answer, Answer::Serving(_)).then_some(Lag::Transactions(*lag)),
                down: (*answer == Answer::Down).then(|| "is down (Pending)".to_owned()),
            })
            .collect()
    }

    /// Ensemble states × questions, one verdict each: (state, leader's voter count, leader's
    /// synced followers, members going, survives, counted, the absent members' reasons).
    #[test]
    fn the_quorum_table() {
        use Absence::*;
        let healthy: &[Row] = &[
            ("zk-0", F, true, 0),
            ("zk-1", L, true, 0),
            ("zk-2", F, true, 0),
        ];
        let not_ready_follower: &[Row] = &[
            ("zk-0", F, true, 0),
            ("zk-1", L, true, 0),
            ("zk-2", F, false, 0),
        ];
        let one_down: &[Row] = &[
            ("zk-0", F, true, 0),
            ("zk-1", L, true, 0),
            ("zk-2", D, false, 0),
        ];
        let lagging: &[Row] = &[
            ("zk-0", F, true, 0),
            ("zk-1", L, true, 0),
            ("zk-2", F, true, LAG_THRESHOLD + 1),
        ];
        let no_leader: &[Row] = &[
            ("zk-0", F, true, 0),
            ("zk-1", NS, false, 0),
            ("zk-2", NS, false, 0),
        ];
        let five: &[Row] = &[
            ("zk-0", F, true, 0),
            ("zk-1", L, true, 0),
            ("zk-2", F, true, 0),
            ("zk-3", F, true, 0),
            ("zk-4", D, false, 0),
        ];
        let observer: &[Row] = &[
            ("zk-0", F, true, 0),
            ("zk-1", L, true, 0),
            ("zk-2", F, true, 0),
            ("zk-3", O, true, 0),
        ];
        let single: &[Row] = &[("zk-0", S, true, 0)];
        type Case = (
            &'static str,
            &'static [Row],
            Option<u64>,
            Option<u64>,
            &'static [&'static str],
            bool,
            usize,
            &'static [Absence],
        );
        let table: &[Case] = &[
            (
                "healthy, nothing goes",
                healthy,
                Some(3),
                Some(2),
                &[],
                true,
                3,
                &[],
            ),
            (
                "healthy, a follower goes",
                healthy,
                Some(3),
                Some(2),
                &["zk-0"],
                true,
                2,
                &[Going],
            ),
            (
                "healthy, the leader goes",
                healthy,
                Some(3),
                Some(2),
                &["zk-1"],
                true,
                2,
                &[Going],
            ),
            (
                "healthy, two go",
                healthy,
                Some(3),
                Some(2),
                &["zk-0", "zk-2"],
                false,
                1,
                &[Going, Going],
            ),
            // The disagreeing case: a follower serves but is not Ready. It does not count.
            (
                "not-Ready follower, another follower goes",
                not_ready_follower,
                Some(3),
                Some(2),
                &["zk-0"],
                false,
                1,
                &[Going, NotReady],
            ),
            (
                "not-Ready follower, the leader goes",
                not_ready_follower,
                Some(3),
                Some(2),
                &["zk-1"],
                false,
                1,
                &[Going, NotReady],
            ),
            (
                "not-Ready follower goes itself",
                not_ready_follower,
                Some(3),
                Some(2),
                &["zk-2"],
                true,
                2,
                &[Going],
            ),
            (
                "not-Ready follower, nothing goes",
                not_ready_follower,
                Some(3),
                Some(2),
                &[],
                true,
                2,
                &[NotReady],
            ),
            (
                "one down, a follower goes",
                one_down,
                None,
                Some(1),
                &["zk-0"],
                false,
                1,
                &[Going, Down],
            ),
            (
                "lagging follower, the leader goes",
                lagging,
                None,
                None,
                &["zk-1"],
                false,
                1,
                &[Going, Lagging],
            ),
            (
                "the leader counts one synced follower",
                healthy,
                Some(3),
                Some(1),
                &["zk-1"],
                false,
                1,
                &[Going],
            ),
            (
                "no leader",
                no_leader,
                None,
                None,
                &[],
                false,
                1,
                &[NotServing, NotServing],
            ),
            (
                "five with one down, one goes",
                five,
                Some(5),
                Some(3),
                &["zk-0"],
                true,
                3,
                &[Going, Down],
            ),
            (
                "five with one down, two go",
                five,
                Some(5),
                Some(3),
                &["zk-0", "zk-2"],
                false,
                2,
                &[Going, Going, Down],
            ),
            (
                "an observer does not count, going or not",
                observer,
                None,
                Some(2),
                &["zk-3", "zk-0"],
                true,
                2,
                &[Going],
            ),
            (
                "single server, nothing goes",
                single,
                None,
                None,
                &[],
                true,
                1,
                &[],
            ),
            (
                "single server goes",
                single,
                None,
                None,
                &["zk-0"],
                false,
                0,
                &[Going],
            ),
        ];
        for (what, rows, voters, synced, going, survives, counted, reasons) in table {
            let j = judge(&members(rows), *voters, *synced, going);
            assert_eq!(j.survives, *survives, "{what}: {j:?}");
            assert_eq!(j.counted, *counted, "{what}: {j:?}");
            let got: Vec<Absence> = j.absent.iter().map(|a| a.reason).collect();
            assert_eq!(got, *reasons, "{what}: {j:?}");
            assert_eq!(
                j.remaining.len() + j.absent.len(),
                j.voters.min(rows.len() - j.observers.len()),
                "{what}"
            );
        }
    }

    #[test]
    fn voters_come_from_the_leader_then_the_members() {
        let rows: &[Row] = &[
            ("zk-0", F, true, 0),
            ("zk-1", L, true, 0),
            ("zk-2", O, true, 0),
        ];
        let j = judge(&members(rows), None, None, &[]);
        assert_eq!((j.voters, j.voters_from), (2, VotersFrom::Statefulset));
        assert_eq!(j.observers, ["zk-2"]);
        assert_eq!(j.needed, 2);
        let j = judge(&members(rows), Some(3), None, &[]);
        assert_eq!((j.voters, j.voters_from), (3, VotersFrom::Zookeeper));
        assert!(j.survives, "3 voters need 2, and 2 count");
        let j = judge(&members(rows), Some(3), None, &["zk-0"]);
        assert!(!j.survives, "the observer does not make up for a voter");
    }

    #[test]
    fn reasons_are_sentences_that_name_the_member() {
        let rows: &[Row] = &[
            ("zk-0", F, false, 0),
            ("zk-1", L, true, 0),
            ("zk-2", D, false, 0),
            ("zk-3", F, true, 5000),
        ];
        let j = judge(&members(rows), None, None, &["zk-1"]);
        assert_eq!(
            j.absent_text(false),
            "zk-0 serves but is not Ready (its readiness probe fails or Kubernetes is restarting it); zk-1 goes; zk-2 is down (Pending); zk-3 lags the leader by 5000 transactions"
        );
        assert_eq!(j.absent_text(true).matches("zk-1").count(), 0);
    }
}
