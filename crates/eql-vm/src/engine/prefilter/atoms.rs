//! The atom search of one field: an Aho-Corasick automaton of its atoms with every byte folded
//! (bit 5 set, which lowercases ASCII letters), built case-sensitively and run over the value's
//! bytes folded alike. Built case-insensitively, the crate gives each letter two byte classes
//! (its classes are ranges of bytes), which doubles the DFA's rows. Atoms a value must start
//! (or end) with are found by an anchored walk from the value's first (or last) byte, which
//! stops at the first byte no such atom continues with: a few bytes of most values.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{dfa, nfa::contiguous, Anchored, MatchKind, StartKind};

/// The automaton of one field's atoms: a DFA, or, when that would be too large, an NFA.
#[derive(Debug)]
pub(super) enum Atoms {
    Dfa(dfa::DFA),
    Nfa(contiguous::NFA),
}

/// Where a value must hold an atom for it to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchor {
    /// Anywhere.
    No,
    /// At its start.
    Start,
    /// At its end (the automaton holds the atoms reversed and walks the value backwards).
    End,
}

/// A field's atoms, each found where its patterns need it ([`Anchor`]): one automaton per
/// place that has atoms, and the length of its shortest atom (shorter values hold none), the
/// lengths first and side by side, so that places without atoms cost no read of theirs.
#[derive(Debug)]
#[repr(C)]
pub(super) struct FieldAtoms {
    /// Per place (anywhere, at the start, at the end): the length of its shortest atom
    /// (`usize::MAX` when it has no automaton).
    shortest: [usize; 3],
    anywhere: Option<Atoms>,
    start: Option<Atoms>,
    end: Option<Atoms>,
}

impl FieldAtoms {
    /// The automata of `sets` (the atoms to find anywhere, at the start and at the end), and
    /// for each set whether it has atoms no automaton could be built for.
    pub(super) fn build(sets: [&[Box<str>]; 3]) -> (FieldAtoms, [bool; 3]) {
        let mut lost = [false; 3];
        let mut shortest = [usize::MAX; 3];
        let mut one = |i: usize, anchor| {
            let atoms = sets[i];
            if atoms.is_empty() {
                return None;
            }
            let built = Atoms::build(atoms, anchor);
            lost[i] = built.is_none();
            if built.is_some() {
                shortest[i] = atoms.iter().map(|a| a.len()).min().unwrap_or(0);
            }
            built
        };
        let (anywhere, start, end) = (
            one(0, Anchor::No),
            one(1, Anchor::Start),
            one(2, Anchor::End),
        );
        let field = FieldAtoms {
            shortest,
            anywhere,
            start,
            end,
        };
        (field, lost)
    }

    /// The length of the shortest atom of any place: shorter values hold none.
    pub(super) fn shortest(&self) -> usize {
        self.shortest.iter().copied().min().unwrap_or(usize::MAX)
    }

    /// Calls `found` with the place (as in [`FieldAtoms::build`]: 0 anywhere, 1 at the start,
    /// 2 at the end) and index of every atom `hay` holds there, ignoring ASCII case, and of a
    /// few it does not (see [`fold`]).
    #[inline(always)]
    pub(super) fn find(&self, hay: &[u8], mut found: impl FnMut(usize, usize)) {
        let [anywhere, start, end] = self.shortest;
        if hay.len() >= anywhere {
            if let Some(a) = &self.anywhere {
                a.scan(hay, |i| found(0, i));
            }
        }
        if hay.len() >= start {
            if let Some(a) = &self.start {
                a.prefixes(hay, |i| found(1, i));
            }
        }
        if hay.len() >= end {
            if let Some(a) = &self.end {
                a.suffixes(hay, |i| found(2, i));
            }
        }
    }
}

/// Folds a byte: ASCII letters to lowercase, and a few other pairs of bytes together (`@` and
/// `` ` ``, `[` and `{`, `\\` and `|`, …, control characters with digits and punctuation).
/// Atoms and values folded alike: an atom a value contains is found, and merged pairs only let
/// through a little more, which is sound.
#[inline(always)]
fn fold(b: u8) -> u8 {
    b | 0x20
}

impl Atoms {
    /// The automaton of `atoms`, to find them where `anchor` says.
    pub(super) fn build(atoms: &[Box<str>], anchor: Anchor) -> Option<Atoms> {
        let folded: Vec<Vec<u8>> = atoms
            .iter()
            .map(|a| {
                let mut f: Vec<u8> = a.bytes().map(fold).collect();
                if anchor == Anchor::End {
                    f.reverse();
                }
                f
            })
            .collect();
        let patterns = || folded.iter();
        let start = match anchor {
            Anchor::No => StartKind::Unanchored,
            Anchor::Start | Anchor::End => StartKind::Anchored,
        };
        let dfa = dfa::Builder::new()
            .match_kind(MatchKind::Standard)
            .start_kind(start)
            .prefilter(false)
            .build(patterns());
        match dfa {
            Ok(d) => Some(Atoms::Dfa(d)),
            Err(_) => contiguous::Builder::new()
                .match_kind(MatchKind::Standard)
                .prefilter(false)
                .build(patterns())
                .ok()
                .map(Atoms::Nfa),
        }
    }

    /// Calls `found` with the index of every atom (of an automaton built for
    /// [`Anchor::Start`]) `hay` starts with, ignoring ASCII case, and of a few more (see
    /// [`fold`]).
    #[inline]
    pub(super) fn prefixes(&self, hay: &[u8], found: impl FnMut(usize)) {
        match self {
            Atoms::Dfa(a) => walk(a, hay.iter().copied(), found),
            Atoms::Nfa(a) => walk(a, hay.iter().copied(), found),
        }
    }

    /// Calls `found` with the index of every atom (of an automaton built for [`Anchor::End`])
    /// `hay` ends with, ignoring ASCII case, and of a few more (see [`fold`]).
    #[inline]
    pub(super) fn suffixes(&self, hay: &[u8], found: impl FnMut(usize)) {
        match self {
            Atoms::Dfa(a) => walk(a, hay.iter().rev().copied(), found),
            Atoms::Nfa(a) => walk(a, hay.iter().rev().copied(), found),
        }
    }

    /// Calls `found` with the index of every atom `hay` contains, ignoring ASCII case (once
    /// per occurrence), and of a few it does not (see [`fold`]). Atoms given case-sensitively
    /// thus let through a little more than they must, which is sound.
    #[inline]
    pub(super) fn scan(&self, hay: &[u8], found: impl FnMut(usize)) {
        match self {
            Atoms::Dfa(a) => scan(a, hay, found),
            Atoms::Nfa(a) => scan(a, hay, found),
        }
    }
}

/// An overlapping search of `hay` with `a`, one transition per byte: the automaton's own
/// iterator sets up a search state for every match it returns, which costs more than the
/// scan itself on the short values of events.
#[inline]
fn scan<A: Automaton>(a: &A, hay: &[u8], mut found: impl FnMut(usize)) {
    let Ok(mut sid) = a.start_state(Anchored::No) else {
        return;
    };
    let mut report = |sid| {
        for i in 0..a.match_len(sid) {
            found(a.match_pattern(sid, i).as_usize());
        }
    };
    if a.is_match(sid) {
        report(sid);
    }
    let mut rest = hay;
    while let Some((n, next)) = to_special(a, sid, rest) {
        sid = next;
        if a.is_dead(sid) {
            return;
        }
        if a.is_match(sid) {
            report(sid);
        }
        rest = rest.get(n..).unwrap_or_default();
    }
}

/// An anchored walk of `a` over `bytes` (folded) from its anchored start: reports each atom
/// the bytes walked so far spell (a match state also names the atoms that are suffixes of
/// its path, which are not anchored, so a pattern counts only when its length is the number
/// of bytes walked), and stops at the dead state, where no atom continues the bytes walked.
#[inline]
fn walk<A: Automaton>(a: &A, bytes: impl Iterator<Item = u8>, mut found: impl FnMut(usize)) {
    let Ok(mut sid) = a.start_state(Anchored::Yes) else {
        return;
    };
    for (i, b) in bytes.enumerate() {
        sid = a.next_state(Anchored::Yes, sid, fold(b));
        if a.is_special(sid) {
            if a.is_dead(sid) {
                return;
            }
            if !a.is_match(sid) {
                continue;
            }
            for k in 0..a.match_len(sid) {
                let p = a.match_pattern(sid, k);
                if a.pattern_len(p) == i + 1 {
                    found(p.as_usize());
                }
            }
        }
    }
}

/// Runs `a` from state `sid` over `hay` folded until it enters a special state (a match or
/// the dead state): how many bytes that took, and the state; `None` when `hay` ends first.
/// Matches are rare, so nearly every value is one call; apart from the reporting of matches
/// this loop keeps its few values in registers.
#[inline(never)]
fn to_special<A: Automaton>(a: &A, mut sid: StateID, hay: &[u8]) -> Option<(usize, StateID)> {
    for (i, &b) in hay.iter().enumerate() {
        sid = a.next_state(Anchored::No, sid, fold(b));
        if a.is_special(sid) {
            return Some((i + 1, sid));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    /// Both automata report what the crate's overlapping iterator reports, occurrence by
    /// occurrence, ignoring ASCII case; bytes that fold together only add atoms.
    #[test]
    fn scans_find_every_overlapping_atom() {
        let atoms: Vec<Box<str>> = ["abc", "bcd", "cd", "\\system32\\", "abcabc", "é-x", "[_]"]
            .iter()
            .map(|a| Box::from(*a))
            .collect();
        let reference = match AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(atoms.iter().map(|a| a.as_bytes()))
        {
            Ok(ac) => ac,
            Err(e) => panic!("{e}"),
        };
        let folded: Vec<Vec<u8>> = atoms
            .iter()
            .map(|a| a.bytes().map(fold).collect())
            .collect();
        let nfa = contiguous::Builder::new()
            .match_kind(MatchKind::Standard)
            .build(&folded)
            .map(Atoms::Nfa);
        let dfa = Atoms::build(&atoms, Anchor::No);
        assert!(matches!(dfa, Some(Atoms::Dfa(_))));
        // Whether the hay holds bytes that fold together with others.
        let hays = [
            ("xxABCabcd", true),
            ("C:\\Windows\\SYSTEM32\\cmd.exe", true),
            ("", true),
            ("cd", true),
            ("É-X é-x", false),
            ("abcabcabc", true),
            ("[_] x", true),
            ("{\x7f} [_]", false),
            ("C:|Windows|SYSTEM32|cmd.exe", false),
        ];
        for (hay, exact) in hays {
            let mut want: Vec<usize> = reference
                .find_overlapping_iter(hay)
                .map(|m| m.pattern().as_usize())
                .collect();
            want.sort_unstable();
            assert!(!exact || want.is_empty() == hay.is_empty(), "{hay}");
            for a in [dfa.as_ref(), nfa.as_ref().ok()] {
                let Some(a) = a else { panic!("no automaton") };
                let mut got = Vec::new();
                a.scan(hay.as_bytes(), |i| got.push(i));
                got.sort_unstable();
                if exact {
                    assert_eq!(got, want, "{hay}");
                } else {
                    assert!(got.len() > want.len(), "{hay}: {got:?} {want:?}");
                    assert!(want.iter().all(|w| got.contains(w)), "{hay}");
                }
            }
        }
    }
}
