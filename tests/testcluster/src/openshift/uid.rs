//! Per-namespace UID blocks and SELinux MCS labels, allocated as OpenShift's
//! namespace-security-allocation controller does: blocks of 10000 UIDs from 1000000000–1999999999,
//! the lowest free block first; the MCS label of block `i` is the label at offset `5·i` of the
//! two-category range `s0:/2` (so `1000650000/10000` goes with `s0:c26,c0`).

use serde_json::Value;

/// Namespace annotation: the namespace's UID block, `start/size`.
pub const UID_RANGE: &str = "openshift.io/sa.scc.uid-range";
/// Namespace annotation: the namespace's supplemental group blocks (the UID block).
pub const SUPPLEMENTAL_GROUPS: &str = "openshift.io/sa.scc.supplemental-groups";
/// Namespace annotation: the namespace's SELinux level.
pub const MCS: &str = "openshift.io/sa.scc.mcs";

/// The first UID of the allocatable range.
const RANGE_START: u64 = 1_000_000_000;
/// UIDs per namespace.
const BLOCK_SIZE: u64 = 10_000;
/// Blocks in the range 1000000000–1999999999.
const BLOCKS: u64 = 100_000;
/// MCS labels set aside per block (the controller's `mcs-labels-per-project`).
const MCS_PER_BLOCK: u64 = 5;
/// SELinux categories c0…c1023.
const MAX_CATEGORIES: u64 = 1024;

/// One block of IDs, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    pub start: i64,
    pub end: i64,
}

impl Block {
    /// Parses `start/size` or `start-end` (library-go's `uid.ParseBlock`).
    pub fn parse(s: &str) -> Result<Block, String> {
        let bad = || "block not in the format \"<start>-<end>\" or \"<start>/<size>\"".to_string();
        let num = |x: &str| x.trim().parse::<u32>().map_err(|_| bad());
        if let Some((start, size)) = s.split_once('/') {
            let (start, size) = (num(start)?, num(size)?);
            if size == 0 {
                return Err(bad());
            }
            return Ok(Block {
                start: i64::from(start),
                end: i64::from(start) + i64::from(size) - 1,
            });
        }
        let (start, end) = s.split_once('-').ok_or_else(bad)?;
        let (start, end) = (num(start)?, num(end)?);
        if end < start {
            return Err(bad());
        }
        Ok(Block {
            start: i64::from(start),
            end: i64::from(end),
        })
    }
}

/// The three annotations of a newly allocated block.
#[derive(Debug, PartialEq, Eq)]
pub struct Allocation {
    pub uid_range: String,
    pub supplemental_groups: String,
    pub mcs: String,
}

/// The lowest block no namespace in `namespaces` holds, with its MCS label; None when all
/// 100000 are taken.
pub fn allocate(namespaces: &[Value]) -> Option<Allocation> {
    let taken: std::collections::HashSet<u64> = namespaces
        .iter()
        .filter_map(|ns| {
            let a = ns
                .pointer("/metadata/annotations")?
                .get(UID_RANGE)?
                .as_str()?;
            let b = Block::parse(a).ok()?;
            let start = u64::try_from(b.start).ok()?;
            (start >= RANGE_START).then(|| (start - RANGE_START) / BLOCK_SIZE)
        })
        .collect();
    let index = (0..BLOCKS).find(|i| !taken.contains(i))?;
    let range = format!("{}/{BLOCK_SIZE}", RANGE_START + index * BLOCK_SIZE);
    Some(Allocation {
        uid_range: range.clone(),
        supplemental_groups: range,
        mcs: mcs_label(index * MCS_PER_BLOCK),
    })
}

fn binomial(n: u64, k: u64) -> u64 {
    if n < k {
        return 0;
    }
    let mut r: u64 = 1;
    let mut n = n;
    for d in 1..=k {
        r = r * n / d;
        n -= 1;
    }
    r
}

/// The two-category label at `offset` in co-lexicographic order, highest category first.
fn mcs_label(offset: u64) -> String {
    let (mut n, mut offset) = (MAX_CATEGORIES, offset);
    let mut cats = Vec::new();
    for k in (1..=2u64).rev() {
        let mut current = binomial(n, k);
        while current > offset {
            n -= 1;
            current = binomial(n, k);
        }
        cats.push(n);
        offset -= current;
    }
    cats.sort_unstable_by(|a, b| b.cmp(a));
    let cats: Vec<String> = cats.iter().map(|c| format!("c{c}")).collect();
    format!("s0:{}", cats.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_match_the_ones_openshift_gives_those_blocks() {
        // pairs seen on real clusters
        assert_eq!(mcs_label(65 * 5), "s0:c26,c0");
        assert_eq!(mcs_label(68 * 5), "s0:c26,c15");
        assert_eq!(mcs_label(0), "s0:c1,c0");
        assert_eq!(mcs_label(5), "s0:c3,c2");
    }

    #[test]
    fn lowest_free_block_is_taken() {
        let ns = |r: &str| json!({"metadata": {"annotations": {UID_RANGE: r}}});
        let a = allocate(&[ns("1000000000/10000"), ns("1000020000/10000"), json!({})]).unwrap();
        assert_eq!(a.uid_range, "1000010000/10000");
        assert_eq!(a.supplemental_groups, "1000010000/10000");
        assert_eq!(a.mcs, "s0:c3,c2");
    }

    #[test]
    fn blocks_parse_both_forms() {
        assert_eq!(
            Block::parse("1000650000/10000"),
            Ok(Block {
                start: 1000650000,
                end: 1000659999
            })
        );
        assert_eq!(Block::parse("5-9"), Ok(Block { start: 5, end: 9 }));
        assert!(Block::parse("x/1").is_err());
    }
}
