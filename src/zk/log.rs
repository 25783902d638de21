//! ZooKeeper's log lines: the timestamp each entry starts with (log4j's and logback's ISO8601,
//! `2026-12-07 23:04:38,123`), and the members' logs merged into one in time order. Pure.
//!
//! An entry is a timestamped line and the lines after it without one (a stack trace, a
//! multi-line message); it moves as one. Lines before a member's first timestamp (what the
//! start script printed) come first, in their order.

/// The timestamp a line starts with, when it starts with one: `YYYY-MM-DD HH:MM:SS,mmm` (or
/// `T` between date and time, `.` before the milliseconds), as written, so that two compare in
/// time order as text.
pub fn timestamp(line: &str) -> Option<&str> {
    let head = line.get(..23)?;
    let b = head.as_bytes();
    let digits = |range: std::ops::Range<usize>| range.into_iter().all(|i| b[i].is_ascii_digit());
    let shape = digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b[10] == b' ' || b[10] == b'T')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && (b[19] == b',' || b[19] == b'.')
        && digits(20..23);
    shape.then_some(head)
}

/// One member's log cut into entries: (timestamp or "" before the first one, lines).
fn entries(lines: &[String]) -> Vec<(String, Vec<&str>)> {
    let mut out: Vec<(String, Vec<&str>)> = Vec::new();
    for line in lines {
        match timestamp(line) {
            Some(ts) => out.push((normalised(ts), vec![line.as_str()])),
            None => match out.last_mut() {
                Some((_, group)) => group.push(line),
                None => out.push((String::new(), vec![line.as_str()])),
            },
        }
    }
    out
}

/// `T` and `.` written as ` ` and `,`, so both spellings order together.
fn normalised(ts: &str) -> String {
    ts.replace('T', " ").replace('.', ",")
}

/// Every member's lines merged in time order, each with its member's index; entries with
/// the same time keep the members' order, and a member's own order is never changed.
pub fn merge(members: &[Vec<String>]) -> Vec<(usize, String)> {
    let cut: Vec<Vec<(String, Vec<&str>)>> = members.iter().map(|m| entries(m)).collect();
    let mut next = vec![0usize; cut.len()];
    let mut merged = Vec::new();
    loop {
        let pick = (0..cut.len())
            .filter(|&m| next[m] < cut[m].len())
            .min_by(|&a, &b| cut[a][next[a]].0.cmp(&cut[b][next[b]].0).then(a.cmp(&b)));
        let Some(member) = pick else {
            return merged;
        };
        for line in &cut[member][next[member]].1 {
            merged.push((member, (*line).to_owned()));
        }
        next[member] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn timestamps_are_found_in_both_spellings_and_nowhere_else() {
        assert_eq!(
            timestamp("2026-12-07 23:04:38,123 [myid:1] - INFO  [main:o.a.z.Foo@1] - hi"),
            Some("2026-12-07 23:04:38,123")
        );
        assert_eq!(
            timestamp("2026-12-07T23:04:38.123Z x"),
            Some("2026-12-07T23:04:38.123")
        );
        assert_eq!(timestamp("\tat org.apache.zookeeper.Foo(Foo.java:1)"), None);
        assert_eq!(timestamp("ZooKeeper JMX enabled by default"), None);
        assert_eq!(timestamp("2026-12-07"), None);
    }

    #[test]
    fn members_merge_in_time_order_with_their_continuation_lines() {
        let zk0 = lines(
            "Using config: /conf/zoo.cfg\n\
             2026-12-07 10:00:00,100 [myid:1] - INFO a\n\
             2026-12-07 10:00:02,000 [myid:1] - WARN b\n\
             java.io.IOException: x\n\
             \tat Foo.bar(Foo.java:1)\n",
        );
        let zk1 = lines(
            "2026-12-07 10:00:01,000 [myid:2] - INFO c\n\
             2026-12-07T10:00:02.000 [myid:2] - INFO d\n",
        );
        let merged: Vec<String> = merge(&[zk0, zk1])
            .into_iter()
            .map(|(m, l)| format!("{m} {l}"))
            .collect();
        assert_eq!(
            merged,
            [
                "0 Using config: /conf/zoo.cfg",
                "0 2026-12-07 10:00:00,100 [myid:1] - INFO a",
                "1 2026-12-07 10:00:01,000 [myid:2] - INFO c",
                "0 2026-12-07 10:00:02,000 [myid:1] - WARN b",
                "0 java.io.IOException: x",
                "0 \tat Foo.bar(Foo.java:1)",
                "1 2026-12-07T10:00:02.000 [myid:2] - INFO d",
            ]
        );
    }
}
