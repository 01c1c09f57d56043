//! Candidates for "did you mean" hints: a schema's fields indexed by parent object and by last
//! segment, so that a hint measures tens of paths rather than every field of a large schema.

use ahash::AHashMap;

/// Field paths by parent (`process.parent` for `process.parent.name`, `""` at the top) and by
/// last segment (`name`).
#[derive(Debug, Clone, Default)]
pub(super) struct HintIndex {
    by_parent: AHashMap<String, Vec<String>>,
    by_leaf: AHashMap<String, Vec<String>>,
}

fn split(path: &str) -> (&str, &str) {
    match path.rfind('.') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

impl HintIndex {
    /// Records a new field path.
    pub(super) fn add(&mut self, path: &str) {
        let (parent, leaf) = split(path);
        self.by_parent
            .entry(parent.to_string())
            .or_default()
            .push(path.to_string());
        self.by_leaf
            .entry(leaf.to_string())
            .or_default()
            .push(path.to_string());
    }

    /// Calls `f` with the paths worth measuring against `path`: its siblings and the paths that
    /// end in the same segment.
    pub(super) fn candidates<'s>(&'s self, path: &str, f: &mut dyn FnMut(&'s str)) {
        let (parent, leaf) = split(path);
        for group in [self.by_parent.get(parent), self.by_leaf.get(leaf)]
            .into_iter()
            .flatten()
        {
            for p in group {
                f(p);
            }
        }
    }
}
