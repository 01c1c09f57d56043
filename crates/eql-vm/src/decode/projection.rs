//! The projection: dotted field paths mapped onto slots, as a trie whose every node maps each
//! key a JSON object may use to reach a deeper node (one segment or several joined by dots) to
//! that node, so that one hash probe per JSON key suffices whether events nest or dot their keys.

use ahash::AHashMap;

use super::keys::{KeyTable, Target, NO_SLOT};
use crate::event::SlotKind;

/// Index of a trie node.
pub(crate) type NodeId = u32;
/// The node of the top-level object.
pub(crate) const ROOT: NodeId = 0;

/// One trie node: a dotted prefix of at least one projected path.
#[derive(Debug, Default)]
pub(crate) struct Node {
    /// Every key that leads from here to a deeper node: `"a"`, `"a.b"`, `"a.b.c"`, …
    children: KeyTable,
    /// The slot filled by values found at this node, and how to convert them.
    pub(crate) slot: Option<(u32, SlotKind)>,
    /// Where the hints of this node's keys start (see [`Projection::hints_len`]).
    hint_base: u32,
}

/// The fewest slots of a projection whose decoder checks keys against hints first: a
/// projection this large likely covers most keys of the objects it enters (where most keys are
/// unprojected, a failed check for each would cost more than the hits save).
const HINTS_FROM: usize = 64;

impl Node {
    /// Whether some projected path continues below this node.
    #[inline]
    pub(crate) fn has_children(&self) -> bool {
        !self.children.is_empty()
    }

    /// Where a member of this node's object whose key is `key` leads.
    #[inline(always)]
    pub(crate) fn child(&self, key: &[u8]) -> Option<&Target> {
        self.children.get(key)
    }

    /// The table of the keys leading out of this node.
    #[inline(always)]
    pub(crate) fn keys(&self) -> &KeyTable {
        &self.children
    }

    /// The index among a decoder's hints of the hint of entry `i` of [`Node::keys`].
    #[inline(always)]
    pub(crate) fn hint_of(&self, i: u32) -> usize {
        self.hint_base as usize + i as usize
    }
}

/// Which fields to copy out of an event, and into which slots: slot `i` is `fields[i]`.
#[derive(Debug)]
pub struct Projection {
    nodes: Vec<Node>,
    paths: Vec<(Box<str>, SlotKind)>,
    /// `(slot, first)`: slot `slot` repeats the path of slot `first` and gets a copy of its values.
    aliases: Vec<(u32, u32)>,
    /// Whether decoding fills [`EventBuf::filled`](crate::EventBuf::filled), the bitmap of
    /// slots with values (off by default: only a reader of a few slots among many, the
    /// prefilter, gains from it, and every value pays a few instructions for it).
    track_filled: bool,
    /// How many hints a decoder keeps for this projection: one per node, the key its objects
    /// started with last, and one per entry of each node's key table, the key that followed
    /// that entry's last (see `decode/decoder/hints.rs`).
    hints_len: usize,
}

impl Projection {
    /// Builds the projection; slot `i` receives the values of the dotted path `fields[i].0`.
    /// A path listed twice fills both slots (with the first one's kind).
    pub fn new(fields: &[(String, SlotKind)]) -> Projection {
        let mut nodes = vec![Node::default()];
        let mut by_prefix: AHashMap<String, NodeId> = AHashMap::new();
        by_prefix.insert(String::new(), ROOT);
        let mut aliases = Vec::new();
        let mut segs: Vec<&str> = Vec::new();
        for (slot, (path, kind)) in fields.iter().enumerate() {
            let slot = slot as u32;
            segs.clear();
            segs.extend(path.split('.'));
            // ids[d] is the node of the first d segments.
            let mut ids = Vec::with_capacity(segs.len() + 1);
            for d in 0..=segs.len() {
                let prefix = segs[..d].join(".");
                let next = nodes.len() as NodeId;
                let id = *by_prefix.entry(prefix).or_insert(next);
                if id == next {
                    nodes.push(Node::default());
                }
                ids.push(id);
            }
            for from in 0..segs.len() {
                for to in from + 1..=segs.len() {
                    let key = segs[from..to].join(".");
                    nodes[ids[from] as usize]
                        .children
                        .insert(key.as_bytes(), ids[to]);
                }
            }
            let leaf = &mut nodes[ids[segs.len()] as usize];
            match leaf.slot {
                None => leaf.slot = Some((slot, *kind)),
                Some((first, _)) => aliases.push((slot, first)),
            }
        }
        // Each key's target gets its node's slot and whether paths continue below it.
        let info: Vec<(u32, SlotKind, bool)> = nodes
            .iter()
            .map(|n| {
                let (slot, kind) = n.slot.unwrap_or((NO_SLOT, SlotKind::Plain));
                (slot, kind, n.has_children())
            })
            .collect();
        // Hints: one per node (its objects' first key), then one per entry of its key table.
        let mut hints = nodes.len();
        for n in &mut nodes {
            n.children.set_targets(|t| match info.get(t.node as usize) {
                Some(&(slot, kind, children)) => t.with(slot, kind, children),
                None => t,
            });
            n.hint_base = hints as u32;
            hints += n.children.capacity();
        }
        let paths = fields
            .iter()
            .map(|(p, k)| (p.as_str().into(), *k))
            .collect();
        Projection {
            nodes,
            paths,
            aliases,
            track_filled: false,
            hints_len: hints,
        }
    }

    /// Asks decoding to fill (or not) the bitmap of slots with values,
    /// [`EventBuf::filled`](crate::EventBuf::filled).
    pub fn set_track_filled(&mut self, on: bool) {
        self.track_filled = on;
    }

    /// Whether decoding fills the bitmap of slots with values.
    #[inline]
    pub fn tracks_filled(&self) -> bool {
        self.track_filled
    }

    /// Whether a decoder checks keys against hints first (from [`HINTS_FROM`] slots).
    #[inline]
    pub(crate) fn hinted(&self) -> bool {
        self.paths.len() >= HINTS_FROM
    }

    /// How many hints a decoder keeps for this projection: one per node and one per entry of
    /// each node's key table.
    #[inline]
    pub(crate) fn hints_len(&self) -> usize {
        self.hints_len
    }

    /// The number of slots.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether there are no slots.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// The dotted path of a slot.
    pub fn path(&self, slot: usize) -> Option<&str> {
        self.paths.get(slot).map(|(p, _)| &**p)
    }

    /// The kind of a slot.
    pub fn kind(&self, slot: usize) -> Option<SlotKind> {
        self.paths.get(slot).map(|(_, k)| *k)
    }

    /// The first slot of a dotted path.
    pub fn slot_of(&self, path: &str) -> Option<usize> {
        self.paths.iter().position(|(p, _)| &**p == path)
    }

    /// The node reached from `node` by the JSON key `key`.
    #[inline]
    pub(crate) fn lookup(&self, node: NodeId, key: &[u8]) -> Option<NodeId> {
        self.nodes
            .get(node as usize)?
            .children
            .get(key)
            .map(|t| t.node)
    }

    #[inline]
    pub(crate) fn node(&self, node: NodeId) -> &Node {
        // Node ids come from this projection's own maps, so they are always in range.
        &self.nodes[node as usize]
    }

    pub(crate) fn aliases(&self) -> &[(u32, u32)] {
        &self.aliases
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proj(paths: &[&str]) -> Projection {
        let fields: Vec<_> = paths
            .iter()
            .map(|p| (p.to_string(), SlotKind::Plain))
            .collect();
        Projection::new(&fields)
    }

    fn walk(p: &Projection, keys: &[&str]) -> Option<u32> {
        let mut n = ROOT;
        for k in keys {
            n = p.lookup(n, k.as_bytes())?;
        }
        p.node(n).slot.map(|(s, _)| s)
    }

    #[test]
    fn every_split_of_a_path_reaches_its_slot() {
        let p = proj(&["process.parent.name", "host.os.type"]);
        for keys in [
            &["process", "parent", "name"][..],
            &["process.parent.name"],
            &["process", "parent.name"],
            &["process.parent", "name"],
        ] {
            assert_eq!(walk(&p, keys), Some(0), "{keys:?}");
        }
        assert_eq!(walk(&p, &["host", "os.type"]), Some(1));
        assert_eq!(walk(&p, &["process", "parent"]), None);
        assert_eq!(walk(&p, &["process.parent.name.x"]), None);
        assert_eq!(walk(&p, &["parent"]), None);
    }

    #[test]
    fn prefix_paths_share_nodes() {
        let p = proj(&["process.args.x", "process.args"]);
        assert_eq!(walk(&p, &["process", "args"]), Some(1));
        assert_eq!(walk(&p, &["process.args", "x"]), Some(0));
        assert!(p
            .node(p.lookup(ROOT, b"process.args").unwrap())
            .has_children());
        assert_eq!(p.len(), 2);
        assert_eq!(p.slot_of("process.args"), Some(1));
        assert_eq!(p.path(0), Some("process.args.x"));
    }

    #[test]
    fn duplicate_paths_become_aliases() {
        let p = proj(&["a.b", "c", "a.b"]);
        assert_eq!(walk(&p, &["a", "b"]), Some(0));
        assert_eq!(p.aliases(), &[(2, 0)]);
    }
}
