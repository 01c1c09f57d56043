//! Process lineage for Elastic Defend's `descendant of [filter]` / `child of [filter]`: from
//! every process event the engine records the process (`process.entity_id`), its parent
//! (`process.parent.entity_id`) and which lineage filters the event matched. A lineage test
//! walks up from the event's parent. Memory is bounded: past `cap` processes the oldest
//! recorded one is forgotten (and counted).

use crate::machine::LineageView;
use ahash::AHashMap;
use smallvec::SmallVec;
use std::collections::VecDeque;

/// How many processes are remembered by default.
pub const DEFAULT_MAX_PROCESSES: usize = 262_144;

#[derive(Debug, Default)]
struct Proc {
    parent: Option<Box<str>>,
    /// Lineage filters the process's own events matched.
    matched: SmallVec<[u32; 2]>,
}

/// The process tree seen so far.
#[derive(Debug)]
pub struct Lineage {
    procs: AHashMap<Box<str>, Proc>,
    /// Recorded processes, oldest first (each once).
    order: VecDeque<Box<str>>,
    cap: usize,
    /// Processes forgotten to stay within `cap`.
    pub evictions: u64,
}

impl Lineage {
    /// A tracker remembering at most `cap` processes (at least one).
    pub fn new(cap: usize) -> Lineage {
        Lineage {
            procs: AHashMap::new(),
            order: VecDeque::new(),
            cap: cap.max(1),
            evictions: 0,
        }
    }

    /// Number of processes remembered.
    pub fn len(&self) -> usize {
        self.procs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.procs.is_empty()
    }

    /// Records a process event: `entity`'s parent (when known) and the filters it matched.
    pub fn record(&mut self, entity: &str, parent: Option<&str>, matched: &[u32]) {
        if let Some(p) = self.procs.get_mut(entity) {
            if let Some(par) = parent {
                if p.parent.as_deref() != Some(par) {
                    p.parent = Some(par.into());
                }
            }
            for f in matched {
                if !p.matched.contains(f) {
                    p.matched.push(*f);
                }
            }
            return;
        }
        if self.procs.len() >= self.cap {
            if let Some(old) = self.order.pop_front() {
                self.procs.remove(&old);
                self.evictions += 1;
            }
        }
        let key: Box<str> = entity.into();
        self.order.push_back(key.clone());
        self.procs.insert(
            key,
            Proc {
                parent: parent.map(Into::into),
                matched: matched.iter().copied().collect(),
            },
        );
    }
}

impl LineageView for Lineage {
    fn matched(&self, start: &str, filter: u32, depth: u32) -> bool {
        let mut cur = start;
        for _ in 0..depth {
            let Some(p) = self.procs.get(cur) else {
                return false;
            };
            if p.matched.contains(&filter) {
                return true;
            }
            match p.parent.as_deref() {
                Some(next) if next != cur => cur = next,
                _ => return false,
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_up_to_the_depth_and_forgets_the_oldest() {
        let mut l = Lineage::new(3);
        l.record("a", None, &[0]);
        l.record("b", Some("a"), &[]);
        l.record("c", Some("b"), &[]);
        assert!(l.matched("c", 0, 3));
        assert!(!l.matched("c", 0, 2));
        assert!(!l.matched("c", 1, 64));
        l.record("d", Some("c"), &[]);
        assert_eq!(l.evictions, 1);
        assert_eq!(l.len(), 3);
        assert!(!l.matched("c", 0, 64));
    }
}
