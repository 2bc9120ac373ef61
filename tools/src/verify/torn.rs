//! The one torn line a killed writer may leave (guarantee: crash-safe).
//!
//! A writer killed inside the `write(2)` of a record may leave that
//! record's beginning in the file, ended by a newline the next writer adds:
//! a line of its own, never glued to another record. Per killed writer at
//! most one such line is accepted, and only if it is a strict prefix of the
//! line that writer was writing (the one after its last whole line found)
//! followed by `\n`, and comes after that last whole line. Any other line
//! that is not exactly a line some writer wrote is a problem.

/// A line that is not exactly a line some writer wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TornLine {
    /// Its bytes, the newline included.
    pub(crate) bytes: Vec<u8>,
    /// Where it is along the chain (lines counted from the oldest file's
    /// first).
    pub(crate) position: u64,
}

/// A killed writer, and the line it may have been cut inside of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cut {
    /// The whole line it was writing when killed.
    pub(crate) line: Vec<u8>,
    /// Where its last whole line is along the chain, if any was found.
    pub(crate) after: Option<u64>,
}

impl Cut {
    /// Whether `torn` may be the beginning of this writer's line, ended by
    /// the next writer's newline.
    fn explains(&self, torn: &TornLine) -> bool {
        let Some(prefix) = torn.bytes.strip_suffix(b"\n") else {
            return false;
        };
        !prefix.is_empty()
            && prefix.len() < self.line.len()
            && self.line.starts_with(prefix)
            && self.after.is_none_or(|after| torn.position > after)
    }
}

/// Which torn lines the killed writers' cuts explain, each cut explaining
/// one line at most: as many as possible (a maximum matching, since a
/// short prefix may fit several writers' lines).
pub(crate) fn explained(torn: &[TornLine], cuts: &[Cut]) -> Vec<bool> {
    let fits: Vec<Vec<usize>> = torn
        .iter()
        .map(|line| {
            (0..cuts.len())
                .filter(|&c| cuts[c].explains(line))
                .collect()
        })
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; cuts.len()];
    for line in 0..torn.len() {
        let mut visited = vec![false; cuts.len()];
        augment(line, &fits, &mut owner, &mut visited);
    }
    let mut explained = vec![false; torn.len()];
    for line in owner.into_iter().flatten() {
        explained[line] = true;
    }
    explained
}

/// Kuhn's augmenting path: gives `line` a cut, moving earlier lines to
/// other cuts that fit them if need be.
fn augment(
    line: usize,
    fits: &[Vec<usize>],
    owner: &mut [Option<usize>],
    visited: &mut [bool],
) -> bool {
    for &cut in &fits[line] {
        if visited[cut] {
            continue;
        }
        visited[cut] = true;
        if owner[cut].is_none_or(|other| augment(other, fits, owner, visited)) {
            owner[cut] = Some(line);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn torn(text: &str, position: u64) -> TornLine {
        TornLine {
            bytes: text.as_bytes().to_vec(),
            position,
        }
    }

    fn cut(line: &str, after: Option<u64>) -> Cut {
        Cut {
            line: line.as_bytes().to_vec(),
            after,
        }
    }

    #[test]
    fn a_strict_prefix_ended_by_a_newline_after_the_last_whole_line_is_explained() {
        let cuts = [cut("0001-00 7 abcdef\n", Some(10))];
        assert_eq!(explained(&[torn("0001-00 7 ab\n", 11)], &cuts), [true]);
        // Not a prefix, glued to more, or before the writer's last line.
        assert_eq!(explained(&[torn("0001-00 7 ax\n", 11)], &cuts), [false]);
        assert_eq!(explained(&[torn("0001-00 7 ab", 11)], &cuts), [false]);
        assert_eq!(
            explained(&[torn("0001-00 7 ab0002-00\n", 11)], &cuts),
            [false]
        );
        assert_eq!(explained(&[torn("0001-00 7 ab\n", 9)], &cuts), [false]);
        // An empty line explains nothing.
        assert_eq!(explained(&[torn("\n", 11)], &cuts), [false]);
    }

    #[test]
    fn each_killed_writer_explains_one_torn_line_at_most() {
        let cuts = [cut("0001-00 7 abcdef\n", None)];
        let lines = [torn("0001-00 7 a\n", 3), torn("0001-00 7 abc\n", 5)];
        assert_eq!(explained(&lines, &cuts), [true, false]);
    }

    #[test]
    fn short_prefixes_fitting_several_writers_are_shared_out() {
        // "00" fits both cuts and comes first, "0001" fits the first only:
        // both are explained only if "00" moves over to the second.
        let cuts = [cut("0001-00 7 x\n", None), cut("0002-00 9 y\n", None)];
        let lines = [torn("00\n", 1), torn("0001\n", 2)];
        assert_eq!(explained(&lines, &cuts), [true, true]);
    }
}
