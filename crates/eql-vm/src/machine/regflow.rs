//! Register data flow inside a block: the registers an instruction reads and writes, where
//! control can go after it, and whether a block always writes a register before it reads it
//! (so that no value can leak into a run from an earlier run of some block).

use eql_bytecode::inst::OperandVisitor;
use eql_bytecode::{CidrId, Const, Inst, Label, Reg, RegexId, SetId, Slot, WildId};
use smallvec::SmallVec;

/// The register and jump operands of one instruction.
#[derive(Debug, Default)]
pub(super) struct Operands {
    pub reads: SmallVec<[u32; 4]>,
    pub writes: SmallVec<[u32; 2]>,
    /// Jump targets (absolute instruction indices).
    pub labels: SmallVec<[u32; 2]>,
    /// Whether control can continue at the next instruction.
    pub falls_through: bool,
}

impl OperandVisitor for Operands {
    fn reg(&mut self, r: Reg, written: bool) {
        if written {
            self.writes.push(r.0);
        } else {
            self.reads.push(r.0);
        }
    }
    fn slot(&mut self, _: Slot) {}
    fn constant(&mut self, _: Const) {}
    fn set(&mut self, _: SetId) {}
    fn wildcard(&mut self, _: WildId) {}
    fn regex(&mut self, _: RegexId) {}
    fn cidr(&mut self, _: CidrId) {}
    fn label(&mut self, l: Label) {
        self.labels.push(l.0);
    }
}

impl Operands {
    /// The operands of `inst`. Writes are those of `dst` only: an element loop also advances
    /// its index register, which is left out (a write left out only makes the analysis
    /// below stricter). Reads are complete: a call reads its whole argument range.
    pub(super) fn of(inst: &Inst) -> Operands {
        let mut o = Operands::default();
        inst.visit_operands(&mut o);
        if let Inst::Call { args, argc, .. } = *inst {
            o.reads.extend((1..argc).map(|i| args.0.saturating_add(i)));
        }
        o.falls_through = !matches!(inst, Inst::Jump { .. } | Inst::Return { .. });
        o
    }

    /// Where control can go after the instruction at `pc` of a block whose first instruction
    /// is at absolute index `base`, as indices within the block (a jump out of the block gives
    /// an index past its end or, wrapped, a huge one).
    pub(super) fn successors(&self, pc: usize, base: u32) -> impl Iterator<Item = usize> + '_ {
        let next = self.falls_through.then_some(pc + 1);
        let jumps = self
            .labels
            .iter()
            .map(move |&l| (l as usize).wrapping_sub(base as usize));
        next.into_iter().chain(jumps)
    }
}

/// A set of registers as a bit set.
#[derive(Debug, Clone, PartialEq)]
struct Regs(Vec<u64>);

impl Regs {
    fn empty(nregs: usize) -> Regs {
        Regs(vec![0; nregs.div_ceil(64)])
    }
    fn has(&self, r: u32) -> bool {
        self.0
            .get(r as usize / 64)
            .is_some_and(|w| w & (1 << (r % 64)) != 0)
    }
    fn add(&mut self, r: u32) {
        if let Some(w) = self.0.get_mut(r as usize / 64) {
            *w |= 1 << (r % 64);
        }
    }
    fn intersect(&mut self, other: &Regs) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= b;
        }
    }
}

/// Whether every register read in the block whose code is `code` (first index `base`) has
/// been written earlier on every path from the block's entry. False as well when control
/// could leave the block (which the verifier already rules out).
pub(super) fn writes_before_reads(code: &[Inst], base: u32, nregs: u32) -> bool {
    let ops: Vec<Operands> = code.iter().map(Operands::of).collect();
    // Registers surely written on entry to each reachable instruction (`None`: unreached).
    let mut written: Vec<Option<Regs>> = vec![None; code.len()];
    if let Some(first) = written.first_mut() {
        *first = Some(Regs::empty(nregs as usize));
    }
    let mut work = vec![0usize];
    while let Some(pc) = work.pop() {
        let (Some(Some(before)), Some(op)) = (written.get(pc), ops.get(pc)) else {
            continue;
        };
        let mut after: Regs = before.clone();
        for &w in &op.writes {
            after.add(w);
        }
        for to in op.successors(pc, base) {
            let Some(slot) = written.get_mut(to) else {
                return false;
            };
            let merged = match slot.as_ref() {
                None => after.clone(),
                Some(old) => {
                    let mut m = old.clone();
                    m.intersect(&after);
                    m
                }
            };
            if slot.as_ref() != Some(&merged) {
                *slot = Some(merged);
                work.push(to);
            }
        }
    }
    ops.iter().zip(&written).all(|(op, w)| match w {
        Some(w) => op.reads.iter().all(|&r| w.has(r)),
        None => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use eql_bytecode::Slot;

    #[test]
    fn a_read_before_any_write_is_found() {
        let test = |dst| Inst::FieldIsNull { dst, slot: Slot(0) };
        let ok = [
            test(Reg(0)),
            Inst::JumpIfFalse {
                src: Reg(0),
                to: Label(13),
            },
            test(Reg(1)),
            Inst::Return { src: Reg(0) },
        ];
        assert!(writes_before_reads(&ok, 10, 2));
        // r1 is written on one path to the `return` only.
        let bad = [
            test(Reg(0)),
            Inst::JumpIfFalse {
                src: Reg(0),
                to: Label(13),
            },
            test(Reg(1)),
            Inst::Return { src: Reg(1) },
        ];
        assert!(!writes_before_reads(&bad, 10, 2));
        let jump_out = [Inst::Jump { to: Label(3) }];
        assert!(!writes_before_reads(&jump_out, 10, 1));
    }
}
