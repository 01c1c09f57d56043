//! The program format: a field table, constant pools, code blocks and the queries (rules) that
//! use them. A program holds one query or a whole rule set; it (de)serialises with serde.

use crate::inst::Inst;
use crate::operand::{BlockId, Slot};
use crate::pool::Pools;
use serde::{Deserialize, Serialize};

/// The format version written into every program; loaders reject others.
pub const FORMAT_VERSION: u32 = 1;

/// How the decoder should treat a projected field's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SlotKind {
    /// Keep JSON's own types.
    Plain,
    /// Strings that parse as IP addresses become IPs; others stay strings.
    Ip,
    /// ISO-8601 / epoch-millisecond strings and numbers (epoch ms) become epoch nanoseconds.
    Date,
}

/// One entry of the field table: the event field a slot holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    pub path: String,
    pub kind: SlotKind,
}

/// A byte range in a query's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SrcSpan {
    pub start: u32,
    pub end: u32,
}

/// A straight run of code with its own register frame: a stage predicate or a key expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// Index of the first instruction in [`Program::code`].
    pub entry: u32,
    /// Number of instructions.
    pub len: u32,
    /// Number of registers the block uses.
    pub nregs: u32,
    /// The query this block belongs to.
    pub query: u32,
    /// What the block computes, for listings (`stage 0`, `key 1 of stage 0`).
    pub role: String,
}

/// Where a join-key value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeySource {
    /// All values of a field (a multi-valued field gives one key per value).
    Slot(Slot),
    /// The value a block returns.
    Block(BlockId),
}

/// One join key of a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyDef {
    pub source: KeySource,
    /// A null value may join (null joins null).
    pub optional: bool,
}

/// One stage: a category, a predicate block and the stage's join keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageDef {
    /// `None` matches every category (`any`).
    pub category: Option<String>,
    pub predicate: BlockId,
    pub keys: Vec<KeyDef>,
    /// A missing-event stage `![…]`.
    pub missing: bool,
    pub alias: Option<String>,
    /// Elastic Defend stage aliases: the part of the condition that reads earlier stages'
    /// events (`load.field_of`), run when this stage's event would extend a partial sequence.
    #[serde(default)]
    pub join: Option<BlockId>,
}

/// The shape of a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueryKind {
    Event(StageDef),
    Sequence {
        stages: Vec<StageDef>,
        until: Option<StageDef>,
        maxspan_ns: Option<i64>,
    },
    Sample {
        stages: Vec<StageDef>,
    },
}

/// A result limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pipe {
    Head(u64),
    Tail(u64),
}

/// A compiled query (a rule's query).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryDef {
    /// The rule id or another name for listings.
    pub name: String,
    /// The query text (for listings and runtime messages).
    pub source: String,
    pub kind: QueryKind,
    pub pipes: Vec<Pipe>,
    /// The event-category field.
    pub category: Slot,
    /// Timestamp fields, first present wins (`timestamp_override`, then `@timestamp`).
    pub timestamp: Vec<Slot>,
    /// The tiebreaker field, when the query has one.
    pub tiebreaker: Option<Slot>,
}

/// One `descendant of [filter]` / `child of [filter]` filter (Elastic Defend).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageFilter {
    /// `None` matches every category.
    pub category: Option<String>,
    pub predicate: BlockId,
}

/// What the engine needs to track process lineage: the slots naming a process and its parent,
/// the category slot, and the filters it runs on every event of their category.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LineageDef {
    pub category: Option<Slot>,
    pub entity: Option<Slot>,
    pub parent: Option<Slot>,
    pub filters: Vec<LineageFilter>,
}

/// A compiled program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Program {
    pub format: u32,
    pub fields: Vec<FieldDef>,
    pub pools: Pools,
    pub code: Vec<Inst>,
    pub blocks: Vec<Block>,
    pub queries: Vec<QueryDef>,
    /// Source spans of instructions, sorted by pc: the instruction at `pc` and those after it
    /// (up to the next entry) came from `span` of the block's query.
    pub spans: Vec<(u32, SrcSpan)>,
    /// Lineage filters (`descendant of`), empty for Elasticsearch queries.
    #[serde(default)]
    pub lineage: LineageDef,
}

impl Program {
    /// How many stages the queries have, until stages included.
    pub fn stage_count(&self) -> usize {
        self.queries
            .iter()
            .map(|q| match &q.kind {
                QueryKind::Event(_) => 1,
                QueryKind::Sequence { stages, until, .. } => {
                    stages.len() + usize::from(until.is_some())
                }
                QueryKind::Sample { stages } => stages.len(),
            })
            .sum()
    }

    pub fn new() -> Program {
        Program {
            format: FORMAT_VERSION,
            fields: Vec::new(),
            pools: Pools::default(),
            code: Vec::new(),
            blocks: Vec::new(),
            queries: Vec::new(),
            spans: Vec::new(),
            lineage: LineageDef::default(),
        }
    }

    /// The source span recorded for instruction `pc`, if any.
    pub fn span_at(&self, pc: usize) -> Option<SrcSpan> {
        let i = self.spans.partition_point(|(p, _)| *p as usize <= pc);
        i.checked_sub(1).map(|i| self.spans[i].1)
    }
}

impl Default for Program {
    fn default() -> Self {
        Program::new()
    }
}
