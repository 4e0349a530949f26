//! The rule tables the heuristics read: plain-text data files compiled into the
//! binary with `include_str!` and parsed once. Each file starts with a comment
//! saying what it holds and its columns; `#` starts a comment line.

/// The non-blank, non-comment lines of a lexicon file, trimmed.
pub fn lines(data: &str) -> impl Iterator<Item = &str> {
    data.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The rows of a tab-separated lexicon file, each split into its trimmed fields.
pub fn rows(data: &str) -> impl Iterator<Item = Vec<&str>> {
    lines(data).map(|l| l.split('\t').map(str::trim).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_and_blank_lines() {
        let data = "# header\n\nhack\thacked, hacks\n  # indented comment\nbreach\n";
        assert_eq!(lines(data).collect::<Vec<_>>(), ["hack\thacked, hacks", "breach"]);
        assert_eq!(rows(data).next().unwrap(), ["hack", "hacked, hacks"]);
    }
}
