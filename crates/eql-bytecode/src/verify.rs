//! The verifier: checks that every register, slot, constant, pool, block and jump index of a
//! program is in range, that arities hold and that no block can run off its end, so the VM can
//! index without bounds surprises. Every program is verified before it runs.

use crate::inst::{Inst, OperandVisitor};
use crate::operand::*;
use crate::program::{KeySource, Program, QueryKind, StageDef, FORMAT_VERSION};

/// Why a program was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("program format {found} is not supported (this build reads format {expected})")]
    Format { found: u32, expected: u32 },
    #[error("block b{block}: {message}")]
    Block { block: usize, message: String },
    #[error("block b{block}, instruction @{pc} ({inst}): {message}")]
    Inst {
        block: usize,
        pc: usize,
        inst: String,
        message: String,
    },
    #[error("query {query}: {message}")]
    Query { query: usize, message: String },
    #[error("pool: {0}")]
    Pool(String),
}

struct Checker<'p> {
    program: &'p Program,
    nregs: u32,
    start: u32,
    end: u32,
    errors: Vec<String>,
}

impl Checker<'_> {
    fn bound(&mut self, what: &str, index: u32, len: usize) {
        if index as usize >= len {
            self.errors
                .push(format!("{what}{index} is out of range (there are {len})"));
        }
    }
}

impl OperandVisitor for Checker<'_> {
    fn reg(&mut self, r: Reg, _written: bool) {
        let n = self.nregs as usize;
        self.bound("register r", r.0, n);
    }
    fn slot(&mut self, s: Slot) {
        self.bound("slot s", s.0, self.program.fields.len());
    }
    fn constant(&mut self, k: Const) {
        self.bound("constant k", k.0, self.program.pools.consts.len());
    }
    fn set(&mut self, s: SetId) {
        self.bound("set set", s.0, self.program.pools.sets.len());
    }
    fn wildcard(&mut self, w: WildId) {
        self.bound("wildcard set wc", w.0, self.program.pools.wildcards.len());
    }
    fn regex(&mut self, r: RegexId) {
        self.bound("regex set re", r.0, self.program.pools.regexes.len());
    }
    fn cidr(&mut self, c: CidrId) {
        self.bound("cidr set cidr", c.0, self.program.pools.cidrs.len());
    }
    fn label(&mut self, l: Label) {
        // A jump may land on any instruction of its own block.
        if l.0 < self.start || l.0 >= self.end {
            self.errors.push(format!(
                "jump target @{} is outside the block (@{}..@{})",
                l.0, self.start, self.end
            ));
        }
    }
}

/// Checks a whole program. Returns the first problem found.
pub fn verify(p: &Program) -> Result<(), VerifyError> {
    if p.format != FORMAT_VERSION {
        return Err(VerifyError::Format {
            found: p.format,
            expected: FORMAT_VERSION,
        });
    }
    for (b, block) in p.blocks.iter().enumerate() {
        let end = block.entry as u64 + block.len as u64;
        if block.len == 0 || end > p.code.len() as u64 {
            return Err(VerifyError::Block {
                block: b,
                message: format!(
                    "code range @{}+{} is empty or beyond the code ({})",
                    block.entry,
                    block.len,
                    p.code.len()
                ),
            });
        }
        if block.query as usize >= p.queries.len() {
            return Err(VerifyError::Block {
                block: b,
                message: format!("query {} does not exist", block.query),
            });
        }
        if block.nregs > u16::MAX as u32 {
            return Err(VerifyError::Block {
                block: b,
                message: format!("{} registers is too many", block.nregs),
            });
        }
        let end = end as u32;
        for pc in block.entry..end {
            let inst = &p.code[pc as usize];
            let mut c = Checker {
                program: p,
                nregs: block.nregs,
                start: block.entry,
                end,
                errors: Vec::new(),
            };
            inst.visit_operands(&mut c);
            if let Inst::Call {
                func, args, argc, ..
            } = inst
            {
                let (lo, hi) = func.arity();
                if *argc < lo || *argc > hi {
                    c.errors
                        .push(format!("{func} takes {lo}..{hi} arguments, not {argc}"));
                }
                if args.0 as u64 + *argc as u64 > block.nregs as u64 {
                    c.errors.push(format!(
                        "arguments r{}..+{argc} exceed the frame ({})",
                        args.0, block.nregs
                    ));
                }
            }
            if let Inst::InLineage { filter, .. } = inst {
                let n = p.lineage.filters.len();
                c.bound("lineage filter ", *filter, n);
            }
            if let Some(message) = c.errors.into_iter().next() {
                return Err(VerifyError::Inst {
                    block: b,
                    pc: pc as usize,
                    inst: inst.to_string(),
                    message,
                });
            }
        }
        match p.code[(end - 1) as usize] {
            Inst::Return { .. } | Inst::Jump { .. } => {}
            _ => {
                return Err(VerifyError::Block {
                    block: b,
                    message: "the last instruction must be return or jump".into(),
                })
            }
        }
    }
    for (q, query) in p.queries.iter().enumerate() {
        let err = |message: String| VerifyError::Query { query: q, message };
        let slot_ok = |s: Slot| (s.0 as usize) < p.fields.len();
        if !slot_ok(query.category)
            || !query.timestamp.iter().all(|s| slot_ok(*s))
            || !query.tiebreaker.is_none_or(slot_ok)
        {
            return Err(err(
                "category, timestamp or tiebreaker slot out of range".into()
            ));
        }
        let check_stage = |s: &StageDef, what: &str| -> Result<(), VerifyError> {
            let block_ok = |b: BlockId| {
                p.blocks
                    .get(b.index())
                    .is_some_and(|bl| bl.query as usize == q)
            };
            if !block_ok(s.predicate) || !s.join.is_none_or(block_ok) {
                return Err(err(format!(
                    "{what}: predicate block {} is missing",
                    s.predicate
                )));
            }
            for k in &s.keys {
                let ok = match k.source {
                    KeySource::Slot(slot) => slot_ok(slot),
                    KeySource::Block(b) => block_ok(b),
                };
                if !ok {
                    return Err(err(format!("{what}: a join key points out of range")));
                }
            }
            Ok(())
        };
        match &query.kind {
            QueryKind::Event(s) => check_stage(s, "stage 0")?,
            QueryKind::Sequence {
                stages,
                until,
                maxspan_ns,
            } => {
                if stages.len() < 2 {
                    return Err(err("a sequence needs at least two stages".into()));
                }
                if maxspan_ns.is_some_and(|m| m <= 0) {
                    return Err(err("maxspan must be positive".into()));
                }
                for (i, s) in stages.iter().chain(until.iter()).enumerate() {
                    check_stage(s, &format!("stage {i}"))?;
                    if s.keys.len() != stages[0].keys.len() {
                        return Err(err(format!(
                            "stage {i} has {} join keys, stage 0 has {}",
                            s.keys.len(),
                            stages[0].keys.len()
                        )));
                    }
                }
            }
            QueryKind::Sample { stages } => {
                if stages.is_empty() {
                    return Err(err("a sample needs at least one stage".into()));
                }
                for (i, s) in stages.iter().enumerate() {
                    check_stage(s, &format!("stage {i}"))?;
                    if s.keys.len() != stages[0].keys.len() {
                        return Err(err(format!(
                            "stage {i} has a different number of join keys"
                        )));
                    }
                }
            }
        }
    }
    let l = &p.lineage;
    let slot_ok = |s: &Option<Slot>| s.is_none_or(|s| (s.0 as usize) < p.fields.len());
    if !slot_ok(&l.category) || !slot_ok(&l.entity) || !slot_ok(&l.parent) {
        return Err(VerifyError::Pool("a lineage slot is out of range".into()));
    }
    if l.filters
        .iter()
        .any(|f| f.predicate.index() >= p.blocks.len())
    {
        return Err(VerifyError::Pool(
            "a lineage filter block is missing".into(),
        ));
    }
    for set in &p.pools.wildcards {
        if set.patterns.is_empty() {
            return Err(VerifyError::Pool("an empty wildcard set".into()));
        }
    }
    for set in &p.pools.regexes {
        if set.patterns.is_empty() {
            return Err(VerifyError::Pool("an empty regex set".into()));
        }
    }
    Ok(())
}
