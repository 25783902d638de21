//! The `myid` file in a server's `dataDir`: one integer, the server's id in the ensemble.
//!
//! ZooKeeper's administrator guide: the file "consists of a single line
//! containing only the text of that machine's id", which "should have a value
//! between 1 and 255"; with extended features such as TTL nodes the id must be
//! between 1 and 254. Surrounding whitespace (the newline `echo` adds) is
//! accepted here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The smallest valid id.
pub const MIN_ID: u8 = 1;
/// The largest valid id.
pub const MAX_ID: u8 = 255;
/// The largest id that works with TTL nodes (extended types) enabled.
pub const MAX_ID_WITH_TTL: u8 = 254;

/// A server id read from `myid` (1–255).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct MyId(u8);

/// Why a `myid` file's content is not a server id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MyIdError {
    /// Nothing but whitespace.
    #[error("the myid file is empty; it must hold the server id (1-255)")]
    Empty,
    /// Not a whole number.
    #[error(
        "the myid file holds `{found}`, which is not a whole number; it must hold the server id (1-255)"
    )]
    NotANumber {
        /// The content (shortened).
        found: String,
    },
    /// A number outside 1–255.
    #[error("the myid file holds {found}, outside the valid range 1-255")]
    OutOfRange {
        /// The number as written.
        found: String,
    },
}

impl MyId {
    /// Wraps an id, checking the range.
    pub fn new(id: u64) -> Result<Self, MyIdError> {
        u8::try_from(id)
            .ok()
            .filter(|v| *v >= MIN_ID)
            .map(MyId)
            .ok_or_else(|| MyIdError::OutOfRange {
                found: id.to_string(),
            })
    }

    /// The id.
    pub const fn get(self) -> u8 {
        self.0
    }

    /// Whether the id also works with TTL nodes enabled (1–254).
    pub const fn fits_ttl_nodes(self) -> bool {
        self.0 <= MAX_ID_WITH_TTL
    }

    /// The file content ZooKeeper expects: the id and a newline.
    pub fn render(self) -> String {
        format!("{}\n", self.0)
    }

    /// The id of the pod with StatefulSet ordinal `ordinal` under the usual
    /// convention `myid = ordinal + 1`.
    pub fn from_ordinal(ordinal: u32) -> Result<Self, MyIdError> {
        MyId::new(u64::from(ordinal) + 1)
    }
}

impl fmt::Display for MyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<MyId> for u64 {
    fn from(id: MyId) -> u64 {
        u64::from(id.0)
    }
}

impl TryFrom<u64> for MyId {
    type Error = MyIdError;
    fn try_from(id: u64) -> Result<Self, Self::Error> {
        MyId::new(id)
    }
}

impl FromStr for MyId {
    type Err = MyIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_myid(s)
    }
}

/// Parses the content of a `myid` file.
pub fn parse_myid(content: &str) -> Result<MyId, MyIdError> {
    let t = content.trim();
    if t.is_empty() {
        return Err(MyIdError::Empty);
    }
    let digits = t
        .strip_prefix('+')
        .or_else(|| t.strip_prefix('-'))
        .unwrap_or(t);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        let mut found: String = t.chars().take(40).collect();
        if t.chars().count() > 40 {
            found.push('…');
        }
        return Err(MyIdError::NotANumber { found });
    }
    let out_of_range = || MyIdError::OutOfRange {
        found: t.to_owned(),
    };
    if t.starts_with('-') {
        return Err(out_of_range());
    }
    // Any number of digits: too many for u64 is simply out of range.
    let value = digits.parse::<u64>().map_err(|_| out_of_range())?;
    MyId::new(value).map_err(|_| out_of_range())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_valid_range_with_whitespace() {
        assert_eq!(parse_myid("1").map(MyId::get), Ok(1));
        assert_eq!(parse_myid("1\n").map(MyId::get), Ok(1));
        assert_eq!(parse_myid("  3 \r\n").map(MyId::get), Ok(3));
        assert_eq!(parse_myid("255").map(MyId::get), Ok(255));
        assert_eq!(parse_myid("007").map(MyId::get), Ok(7));
        assert_eq!(
            parse_myid("+2").map(MyId::get),
            Ok(2),
            "Java's Long.parseLong takes a plus sign"
        );
        assert_eq!(
            "42".parse::<MyId>().map(|m| m.to_string()),
            Ok("42".to_owned())
        );
    }

    #[test]
    fn seeds_convention_ordinal_plus_one() {
        // The tutorial's zk-0, zk-1, zk-2 hold myid 1, 2, 3.
        for ordinal in 0..3u32 {
            let id = MyId::from_ordinal(ordinal).unwrap();
            assert_eq!(u32::from(id.get()), ordinal + 1);
            assert_eq!(id.render(), format!("{}\n", ordinal + 1));
        }
        assert!(MyId::from_ordinal(254).is_ok());
        assert!(MyId::from_ordinal(255).is_err());
        assert!(MyId::from_ordinal(u32::MAX).is_err());
    }

    #[test]
    fn empty_is_its_own_error() {
        assert_eq!(parse_myid(""), Err(MyIdError::Empty));
        assert_eq!(parse_myid(" \n\t"), Err(MyIdError::Empty));
    }

    #[test]
    fn non_numbers_are_rejected() {
        for bad in [
            "one",
            "1.0",
            "0x1",
            "1 2",
            "1\n2",
            "\u{fffd}",
            "1\u{fffd}",
            "+",
            "-",
            "１",
            "server.1",
        ] {
            assert!(
                matches!(parse_myid(bad), Err(MyIdError::NotANumber { .. })),
                "{bad:?}"
            );
        }
        let long = "x".repeat(1000);
        let Err(MyIdError::NotANumber { found }) = parse_myid(&long) else {
            panic!("expected NotANumber");
        };
        assert!(found.chars().count() <= 41);
    }

    #[test]
    fn out_of_range_is_rejected() {
        for bad in [
            "0",
            "256",
            "-1",
            "1000",
            "18446744073709551616",
            "99999999999999999999999999999",
        ] {
            assert_eq!(
                parse_myid(bad),
                Err(MyIdError::OutOfRange {
                    found: bad.to_owned()
                }),
                "{bad:?}"
            );
        }
        assert!(parse_myid("0").unwrap_err().to_string().contains("1-255"));
        assert!(MyId::new(0).is_err());
        assert!(MyId::new(256).is_err());
    }

    #[test]
    fn ttl_nodes_limit() {
        assert!(MyId::new(254).unwrap().fits_ttl_nodes());
        assert!(!MyId::new(255).unwrap().fits_ttl_nodes());
    }

    #[test]
    fn serde_checks_the_range() {
        assert_eq!(serde_json::to_string(&MyId::new(3).unwrap()).unwrap(), "3");
        assert_eq!(serde_json::from_str::<MyId>("3").unwrap().get(), 3);
        assert!(serde_json::from_str::<MyId>("0").is_err());
        assert!(serde_json::from_str::<MyId>("300").is_err());
    }
}
