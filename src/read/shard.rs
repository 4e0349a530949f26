//! `--shard K/N`: a deterministic split of the documents by id, so that N runs
//! (a Slurm array, GNU parallel) cover every document exactly once, whatever
//! the order or the files the documents come in.
//!
//! Document `id` belongs to shard `1 + FNV-1a-64(id as UTF-8) mod N` (the
//! 64-bit FNV-1a hash: offset basis 0xcbf29ce484222325, prime 0x100000001b3;
//! the same on every machine and version). A document that cannot be read is
//! reported by the shard of its id, or by shard 1 when its id is unknown.

use std::fmt;
use std::hash::Hasher;
use std::str::FromStr;

/// One of N shards, numbered from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 1..=count.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl Shard {
    /// The shard (1..=count) document `id` belongs to.
    pub fn of(id: &str, count: u64) -> u64 {
        let mut hasher = fnv::FnvHasher::default();
        hasher.write(id.as_bytes());
        1 + hasher.finish() % count
    }

    /// True when document `id` is in this shard.
    pub fn holds(&self, id: &str) -> bool {
        Self::of(id, self.count) == self.index
    }

    /// True when a document that could not be read, with `id` when known, is
    /// reported by this shard.
    pub fn reports(&self, id: Option<&str>) -> bool {
        match id {
            Some(id) => self.holds(id),
            None => self.index == 1,
        }
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("{text:?} is not a shard: give K/N with 1 <= K <= N, e.g. 3/8");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses_shards() {
        assert_eq!("2/8".parse::<Shard>().unwrap(), Shard { index: 2, count: 8 });
        for bad in ["0/4", "5/4", "1/0", "x/2", "3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_id_is_in_exactly_one_shard_and_the_hash_is_fnv1a() {
        // FNV-1a 64 test vectors: "" -> 0xcbf29ce484222325, "a" -> 0xaf63dc4c8601ec8c.
        assert_eq!(Shard::of("", u64::MAX), 1 + 0xcbf29ce484222325);
        assert_eq!(Shard::of("a", u64::MAX), 1 + 0xaf63dc4c8601ec8c);
        let shards: Vec<Shard> = (1..=4).map(|index| Shard { index, count: 4 }).collect();
        let mut sizes = [0; 4];
        for i in 0..4000 {
            let id = format!("doc-{i}");
            let holders: Vec<usize> = (0..4).filter(|&s| shards[s].holds(&id)).collect();
            assert_eq!(holders.len(), 1, "{id}");
            sizes[holders[0]] += 1;
        }
        assert!(sizes.iter().all(|&n| n > 850 && n < 1150), "{sizes:?}");
        assert!(shards[0].reports(None) && !shards[1].reports(None));
    }
}
