//! The emitter: lowers typed plans to bytecode. One [`Emitter`] takes any number of queries and
//! produces one program with a shared field table and shared, deduplicated constant pools.

mod expr;
mod pool_keys;
mod regs;

use ahash::AHashMap;
use eql_bytecode::*;
use eql_planner::{KeyPlan, Plan, PlanQuery, StagePlan, TExpr, TKind, Type};
use pool_keys::{const_key, set_key, ConstKey};
use regs::Frame;

/// How a query reads its events.
#[derive(Debug, Clone)]
pub struct QueryOptions {
    /// A name for listings and alerts (the rule id).
    pub name: String,
    /// The query text the plan's spans point into.
    pub source: String,
    /// The event-category field (`event.category`, or a rule's `event_category_override`).
    pub category_field: String,
    /// Timestamp fields, first present wins (a rule's `timestamp_override`, then `@timestamp`).
    pub timestamp_fields: Vec<String>,
    pub tiebreaker_field: Option<String>,
}

impl QueryOptions {
    /// Defaults: `event.category`, `@timestamp`, no tiebreaker.
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> QueryOptions {
        QueryOptions {
            name: name.into(),
            source: source.into(),
            category_field: "event.category".into(),
            timestamp_fields: vec!["@timestamp".into()],
            tiebreaker_field: None,
        }
    }
}

/// Builds a program from plans.
#[derive(Debug, Default)]
pub struct Emitter {
    program: Program,
    slots: AHashMap<String, Slot>,
    consts: AHashMap<ConstKey, Const>,
    sets: AHashMap<(Vec<ConstKey>, bool), SetId>,
    wildcards: AHashMap<WildcardSet, WildId>,
    regexes: AHashMap<RegexSet, RegexId>,
    cidrs: AHashMap<CidrSet, CidrId>,
    /// Index of the current query's first lineage filter in the program's list.
    lineage_base: u32,
}

/// The field naming an event's process (lineage tracking).
pub(crate) const ENTITY: &str = "process.entity_id";
/// The field naming the parent of an event's process.
pub(crate) const PARENT_ENTITY: &str = "process.parent.entity_id";

impl Emitter {
    pub fn new() -> Emitter {
        Emitter {
            program: Program::new(),
            ..Default::default()
        }
    }

    /// Adds one query; returns its index in the program.
    pub fn add(&mut self, plan: &Plan, opts: &QueryOptions) -> u32 {
        let q = self.program.queries.len() as u32;
        let category = self.slot(&opts.category_field, SlotKind::Plain);
        let timestamp = opts
            .timestamp_fields
            .iter()
            .map(|f| self.slot(f, SlotKind::Date))
            .collect();
        let tiebreaker = opts
            .tiebreaker_field
            .as_deref()
            .map(|f| self.slot(f, SlotKind::Plain));
        // Reserve the query entry first so blocks can name it.
        self.program.queries.push(QueryDef {
            name: opts.name.clone(),
            source: opts.source.clone(),
            kind: QueryKind::Sample { stages: Vec::new() },
            pipes: Vec::new(),
            category,
            timestamp,
            tiebreaker,
        });
        self.lineage_base = self.program.lineage.filters.len() as u32;
        if !plan.lineage.is_empty() {
            let l = LineageDef {
                category: self.program.lineage.category.or(Some(category)),
                entity: Some(self.slot(ENTITY, SlotKind::Plain)),
                parent: Some(self.slot(PARENT_ENTITY, SlotKind::Plain)),
                filters: std::mem::take(&mut self.program.lineage.filters),
            };
            self.program.lineage = l;
        }
        for (i, lf) in plan.lineage.iter().enumerate() {
            let predicate = self.block(q, &format!("lineage filter {i}"), &lf.condition);
            self.program.lineage.filters.push(LineageFilter {
                category: lf.category.clone(),
                predicate,
            });
        }
        let kind = match &plan.query {
            PlanQuery::Event(f) => {
                let predicate = self.block(q, "event predicate", &f.condition);
                QueryKind::Event(StageDef {
                    category: f.category.clone(),
                    predicate,
                    keys: Vec::new(),
                    missing: false,
                    alias: None,
                    join: None,
                })
            }
            PlanQuery::Sequence(s) => {
                let stages = s
                    .stages
                    .iter()
                    .enumerate()
                    .map(|(i, st)| self.stage(q, &format!("stage {i}"), st))
                    .collect();
                let until = s.until.as_ref().map(|u| self.stage(q, "until", u));
                QueryKind::Sequence {
                    stages,
                    until,
                    maxspan_ns: s.maxspan_ns,
                }
            }
            PlanQuery::Sample(s) => QueryKind::Sample {
                stages: s
                    .stages
                    .iter()
                    .enumerate()
                    .map(|(i, st)| self.stage(q, &format!("stage {i}"), st))
                    .collect(),
            },
        };
        let pipes = plan
            .pipes
            .iter()
            .map(|p| match p {
                eql_planner::PipeOp::Head(n) => Pipe::Head(*n),
                eql_planner::PipeOp::Tail(n) => Pipe::Tail(*n),
            })
            .collect();
        if let Some(def) = self.program.queries.get_mut(q as usize) {
            def.kind = kind;
            def.pipes = pipes;
        }
        q
    }

    /// The finished program.
    pub fn finish(self) -> Program {
        self.program
    }

    fn stage(&mut self, q: u32, role: &str, st: &StagePlan) -> StageDef {
        let predicate = self.block(q, role, &st.filter.condition);
        let join = st
            .join
            .as_ref()
            .map(|j| self.block(q, &format!("join of {role}"), j));
        let keys = st
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| self.key(q, &format!("key {i} of {role}"), k))
            .collect();
        StageDef {
            category: st.filter.category.clone(),
            predicate,
            keys,
            missing: st.missing,
            alias: st.alias.clone(),
            join,
        }
    }

    fn key(&mut self, q: u32, role: &str, k: &KeyPlan) -> KeyDef {
        let source = match &k.expr.kind {
            TKind::Field(f) => KeySource::Slot(self.slot(&f.path, slot_kind(f.ty))),
            _ => KeySource::Block(self.block(q, role, &k.expr)),
        };
        KeyDef {
            source,
            optional: k.optional,
        }
    }

    /// Emits a block computing `e` and returning it.
    fn block(&mut self, q: u32, role: &str, e: &TExpr) -> BlockId {
        let entry = self.program.code.len() as u32;
        let mut frame = Frame::default();
        let dst = frame.alloc();
        self.expr(&mut frame, e, dst);
        self.push(Inst::Return { src: dst });
        let id = BlockId(self.program.blocks.len() as u32);
        self.program.blocks.push(Block {
            entry,
            len: self.program.code.len() as u32 - entry,
            nregs: frame.size(),
            query: q,
            role: role.to_string(),
        });
        id
    }

    fn push(&mut self, inst: Inst) -> usize {
        self.program.code.push(inst);
        self.program.code.len() - 1
    }

    fn pc(&self) -> u32 {
        self.program.code.len() as u32
    }

    /// Points the jump at `at` to `to`.
    fn patch(&mut self, at: usize, to: u32) {
        match self.program.code.get_mut(at) {
            Some(Inst::Jump { to: t })
            | Some(Inst::JumpIfFalse { to: t, .. })
            | Some(Inst::JumpIfTrue { to: t, .. }) => *t = Label(to),
            Some(Inst::ElemNext { done, .. })
            | Some(Inst::EachElem { done, .. })
            | Some(Inst::ElemOf { done, .. }) => *done = Label(to),
            _ => {}
        }
    }

    fn mark(&mut self, span: eql_parser::Span) {
        let pc = self.pc();
        let s = SrcSpan {
            start: span.start,
            end: span.end,
        };
        match self.program.spans.last_mut() {
            // The outermost node starting here describes the run best.
            Some((p, _)) if *p == pc => {}
            _ => self.program.spans.push((pc, s)),
        }
    }

    fn slot(&mut self, path: &str, kind: SlotKind) -> Slot {
        if let Some(s) = self.slots.get(path) {
            // A more specific kind wins (a path seen untyped first, then as a date or ip).
            if kind != SlotKind::Plain {
                if let Some(f) = self.program.fields.get_mut(s.index()) {
                    f.kind = kind;
                }
            }
            return *s;
        }
        let s = Slot(self.program.fields.len() as u32);
        self.program.fields.push(FieldDef {
            path: path.to_string(),
            kind,
        });
        self.slots.insert(path.to_string(), s);
        s
    }

    fn constant(&mut self, k: ConstVal) -> Const {
        let key = const_key(&k);
        if let Some(c) = self.consts.get(&key) {
            return *c;
        }
        let c = Const(self.program.pools.consts.len() as u32);
        self.program.pools.consts.push(k);
        self.consts.insert(key, c);
        c
    }

    fn set(&mut self, s: ConstSet) -> SetId {
        let key = set_key(&s);
        if let Some(c) = self.sets.get(&key) {
            return *c;
        }
        let c = SetId(self.program.pools.sets.len() as u32);
        self.program.pools.sets.push(s);
        self.sets.insert(key, c);
        c
    }

    fn wildcard(&mut self, s: WildcardSet) -> WildId {
        if let Some(c) = self.wildcards.get(&s) {
            return *c;
        }
        let c = WildId(self.program.pools.wildcards.len() as u32);
        self.program.pools.wildcards.push(s.clone());
        self.wildcards.insert(s, c);
        c
    }

    fn regex(&mut self, s: RegexSet) -> RegexId {
        if let Some(c) = self.regexes.get(&s) {
            return *c;
        }
        let c = RegexId(self.program.pools.regexes.len() as u32);
        self.program.pools.regexes.push(s.clone());
        self.regexes.insert(s, c);
        c
    }

    fn cidr(&mut self, s: CidrSet) -> CidrId {
        if let Some(c) = self.cidrs.get(&s) {
            return *c;
        }
        let c = CidrId(self.program.pools.cidrs.len() as u32);
        self.program.pools.cidrs.push(s.clone());
        self.cidrs.insert(s, c);
        c
    }
}

/// The decoder treatment a field of type `ty` needs.
fn slot_kind(ty: Type) -> SlotKind {
    match ty {
        Type::Ip => SlotKind::Ip,
        Type::Date => SlotKind::Date,
        _ => SlotKind::Plain,
    }
}

/// Compiles one plan into a program of its own.
pub fn compile(plan: &Plan, opts: &QueryOptions) -> Program {
    let mut e = Emitter::new();
    e.add(plan, opts);
    e.finish()
}
