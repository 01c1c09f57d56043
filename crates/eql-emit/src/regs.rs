//! Register allocation for one block: scoped temporaries on a stack discipline; the frame size
//! falls out of the high-water mark.

use eql_bytecode::Reg;

#[derive(Debug, Default)]
pub(crate) struct Frame {
    next: u32,
    high: u32,
    /// Fields bound to a register by an enclosing element loop: (path, register).
    pub(crate) bound: Vec<(String, Reg)>,
    /// Arrays searched by enclosing `_arraysearch` loops: (array path, its slot, the register
    /// holding the current element's index).
    pub(crate) elems: Vec<(String, eql_bytecode::Slot, Reg)>,
}

impl Frame {
    /// A fresh register above every live one.
    pub(crate) fn alloc(&mut self) -> Reg {
        let r = Reg(self.next);
        self.next += 1;
        self.high = self.high.max(self.next);
        r
    }

    /// `n` consecutive fresh registers; returns the first.
    pub(crate) fn alloc_n(&mut self, n: u32) -> Reg {
        let r = Reg(self.next);
        self.next += n;
        self.high = self.high.max(self.next);
        r
    }

    /// Frees every register from `r` up (temporaries die in reverse order of allocation).
    pub(crate) fn release_to(&mut self, r: Reg) {
        self.next = self.next.min(r.0);
    }

    /// The watermark: the next register `alloc` would hand out.
    pub(crate) fn mark(&self) -> Reg {
        Reg(self.next)
    }

    pub(crate) fn size(&self) -> u32 {
        self.high.max(1)
    }

    pub(crate) fn bound(&self, path: &str) -> Option<Reg> {
        self.bound
            .iter()
            .rev()
            .find(|(p, _)| p == path)
            .map(|(_, r)| *r)
    }
}
