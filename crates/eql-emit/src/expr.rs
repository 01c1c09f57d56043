//! Expression lowering: boolean structure becomes short-circuit jumps, field-versus-constant
//! tests become single typed field instructions, and other predicates over multi-valued fields
//! run in element loops so that they hold when any element satisfies them.

use crate::regs::Frame;
use crate::{slot_kind, Emitter};
use eql_bytecode::*;
use eql_planner::{Const as PConst, FieldRef, Func, TExpr, TKind, Type};

impl Emitter {
    /// Emits code leaving the value of `e` in `dst`.
    pub(crate) fn expr(&mut self, f: &mut Frame, e: &TExpr, dst: Reg) {
        match &e.kind {
            TKind::Const(c) => {
                let k = self.constant(const_val(c, Type::Unknown, false));
                self.push(Inst::LoadConst { dst, k });
            }
            TKind::Field(fr) => match f.bound(&fr.path) {
                Some(src) => {
                    self.push(Inst::Move { dst, src });
                }
                None => {
                    let slot = self.slot(&fr.path, slot_kind(fr.ty));
                    self.push(Inst::LoadField { dst, slot });
                }
            },
            TKind::ElemField { field, .. } => match f.bound(&elem_key(&field.path)) {
                Some(src) => {
                    self.push(Inst::Move { dst, src });
                }
                None => {
                    // Only reachable outside an element loop, which the planner never builds.
                    let k = self.constant(ConstVal::Null);
                    self.push(Inst::LoadConst { dst, k });
                }
            },
            TKind::AliasField { stage, field } => {
                let slot = self.field_slot(field);
                self.push(Inst::LoadFieldOf {
                    dst,
                    ctx: *stage,
                    slot,
                });
            }
            TKind::Lineage { filter, depth } => {
                self.mark(e.span);
                let slot = self.slot(crate::PARENT_ENTITY, SlotKind::Plain);
                let filter = self.lineage_base + filter;
                self.push(Inst::InLineage {
                    dst,
                    slot,
                    filter,
                    depth: *depth,
                });
            }
            TKind::ArraySearch { array, cond } => {
                self.mark(e.span);
                self.array_search(f, &array.path, cond, dst);
            }
            TKind::Not(x) => {
                self.expr(f, x, dst);
                self.push(Inst::Not { dst, src: dst });
            }
            TKind::And(xs) => self.logic(f, xs, dst, true),
            TKind::Or(xs) => self.logic(f, xs, dst, false),
            _ => self.atom(f, e, dst),
        }
    }

    /// `and` / `or` with short-circuit jumps; Kleene logic on the way.
    fn logic(&mut self, f: &mut Frame, xs: &[TExpr], dst: Reg, and: bool) {
        let mut exits = Vec::new();
        for (i, x) in xs.iter().enumerate() {
            if i == 0 {
                self.expr(f, x, dst);
            } else {
                let mark = f.mark();
                let t = f.alloc();
                self.expr(f, x, t);
                self.push(if and {
                    Inst::And { dst, a: dst, b: t }
                } else {
                    Inst::Or { dst, a: dst, b: t }
                });
                f.release_to(mark);
            }
            if i + 1 < xs.len() {
                let to = Label(0);
                exits.push(self.push(if and {
                    Inst::JumpIfFalse { src: dst, to }
                } else {
                    Inst::JumpIfTrue { src: dst, to }
                }));
            }
        }
        let end = self.pc();
        for j in exits {
            self.patch(j, end);
        }
    }

    /// A predicate or value that is not boolean structure.
    fn atom(&mut self, f: &mut Frame, e: &TExpr, dst: Reg) {
        self.mark(e.span);
        if self.field_test(f, e, dst) {
            return;
        }
        let mut arrays = Vec::new();
        if e.ty == Type::Bool {
            collect_array_fields(e, f, &mut arrays);
        }
        if arrays.is_empty() {
            self.atom_direct(f, e, dst);
        } else {
            let fields: Vec<Looped> = arrays
                .iter()
                .map(|(fr, elem)| {
                    let slot = self.slot(&fr.path, slot_kind(fr.ty));
                    let arr = elem.as_ref().and_then(|a| {
                        f.elems
                            .iter()
                            .rev()
                            .find(|(p, _, _)| p == a)
                            .map(|(_, s, r)| (*s, *r))
                    });
                    match (elem, arr) {
                        (Some(_), Some((arr, reg))) => (elem_key(&fr.path), slot, Some((arr, reg))),
                        _ => (fr.path.clone(), slot, None),
                    }
                })
                .collect();
            self.elem_loop(f, e, &fields, dst);
        }
    }

    /// `_arraysearch`: `dst = some element of the array makes cond true` (false when the
    /// array is missing or empty).
    fn array_search(&mut self, f: &mut Frame, array: &str, cond: &TExpr, dst: Reg) {
        let arr = self.slot(array, SlotKind::Plain);
        let head = self.open_loop(f, dst);
        let (idx, el) = (head.idx, head.el);
        let next = self.push(Inst::EachElem {
            dst: el,
            slot: arr,
            idx,
            done: Label(0),
        });
        f.elems.push((array.to_string(), arr, el));
        let t = f.alloc();
        self.expr(f, cond, t);
        f.elems.pop();
        self.close_loop(f, dst, t, &head, next);
    }

    /// Starts an element loop: `dst = false`, an index register at 0 and a register for the
    /// element; the loop's first instruction goes at `head.top`.
    fn open_loop(&mut self, f: &mut Frame, dst: Reg) -> LoopHead {
        let mark = f.mark();
        let zero = self.constant(ConstVal::Int(0));
        let no = self.constant(ConstVal::Bool(false));
        self.push(Inst::LoadConst { dst, k: no });
        let idx = f.alloc();
        self.push(Inst::LoadConst { dst: idx, k: zero });
        let el = f.alloc();
        LoopHead {
            mark,
            idx,
            el,
            top: self.pc(),
        }
    }

    /// Ends an element loop whose body left its verdict in `t`: `dst = dst or t`, out when true,
    /// else round again; the loop's step instruction `next` leaves to the same place.
    fn close_loop(&mut self, f: &mut Frame, dst: Reg, t: Reg, head: &LoopHead, next: usize) {
        self.push(Inst::Or { dst, a: dst, b: t });
        let found = self.push(Inst::JumpIfTrue {
            src: dst,
            to: Label(0),
        });
        self.push(Inst::Jump {
            to: Label(head.top),
        });
        let done = self.pc();
        self.patch(next, done);
        self.patch(found, done);
        f.release_to(head.mark);
    }

    /// `dst = any element of fields[0] (and, nested, of the others) makes e true`. A field
    /// inside an `_arraysearch` element loops over that element's values only, and yields
    /// nothing when the element lacks it (the test is then false).
    fn elem_loop(&mut self, f: &mut Frame, e: &TExpr, fields: &[Looped], dst: Reg) {
        let Some(((path, slot, within), rest)) = fields.split_first() else {
            self.atom_direct(f, e, dst);
            return;
        };
        let head = self.open_loop(f, dst);
        let (idx, el) = (head.idx, head.el);
        let next = self.push(match within {
            Some((arr, elem)) => Inst::ElemOf {
                dst: el,
                arr: *arr,
                elem: *elem,
                slot: *slot,
                idx,
                done: Label(0),
            },
            None => Inst::ElemNext {
                dst: el,
                slot: *slot,
                idx,
                done: Label(0),
            },
        });
        f.bound.push((path.clone(), el));
        let t = f.alloc();
        if rest.is_empty() {
            self.atom_direct(f, e, t);
        } else {
            self.elem_loop(f, e, rest, t);
        }
        f.bound.pop();
        self.close_loop(f, dst, t, &head, next);
    }

    /// A field compared with constants: one typed field instruction. Returns false when `e`
    /// is not of that shape.
    fn field_test(&mut self, f: &mut Frame, e: &TExpr, dst: Reg) -> bool {
        // The field a single field instruction would test (not an `_arraysearch` variable).
        let tested = match &e.kind {
            TKind::IsNull(x)
            | TKind::InSet { expr: x, .. }
            | TKind::Wildcard { expr: x, .. }
            | TKind::Regex { expr: x, .. }
            | TKind::Cidr { expr: x, .. } => x,
            TKind::Compare { lhs, rhs, .. } if matches!(rhs.kind, TKind::Const(_)) => lhs,
            _ => return false,
        };
        let fr = match &tested.kind {
            TKind::Field(fr) if f.bound(&fr.path).is_none() => fr.clone(),
            _ => return false,
        };
        let slot = self.field_slot(&fr);
        let inst = match &e.kind {
            TKind::IsNull(_) => Inst::FieldIsNull { dst, slot },
            TKind::Compare { op, rhs, .. } => {
                let TKind::Const(c) = &rhs.kind else {
                    return false;
                };
                let value = const_val(c, fr.ty, false);
                let plain_string =
                    matches!(value, ConstVal::Str(_)) && !matches!(fr.ty, Type::Version | Type::Ip);
                if *op == eql_parser::ast::CmpOp::Eq && plain_string {
                    Inst::FieldEqStr {
                        dst,
                        slot,
                        k: self.constant(value),
                    }
                } else {
                    Inst::FieldCmp {
                        dst,
                        op: cmp_op(*op),
                        mode: if string_number(fr.ty, rhs.ty) {
                            CmpMode::Number
                        } else {
                            cmp_mode(fr.ty)
                        },
                        slot,
                        k: self.constant(value),
                    }
                }
            }
            TKind::InSet {
                set,
                case_insensitive,
                ..
            } => match set.as_slice() {
                [PConst::Str(s)] if fr.ty != Type::Ip => {
                    let s = if *case_insensitive {
                        s.to_ascii_lowercase()
                    } else {
                        s.clone()
                    };
                    let k = self.constant(ConstVal::Str(s));
                    if *case_insensitive {
                        Inst::FieldEqStrCi { dst, slot, k }
                    } else {
                        Inst::FieldEqStr { dst, slot, k }
                    }
                }
                _ => Inst::FieldInSet {
                    dst,
                    slot,
                    set: self.const_set(set, fr.ty, *case_insensitive),
                },
            },
            TKind::Wildcard {
                patterns,
                case_insensitive,
                ..
            } => Inst::FieldWildcard {
                dst,
                slot,
                wc: self.wildcard(WildcardSet {
                    patterns: patterns.clone(),
                    case_insensitive: *case_insensitive,
                }),
            },
            TKind::Regex {
                patterns,
                case_insensitive,
                ..
            } => Inst::FieldRegex {
                dst,
                slot,
                re: self.regex(RegexSet {
                    patterns: patterns.clone(),
                    case_insensitive: *case_insensitive,
                }),
            },
            TKind::Cidr { nets, .. } => Inst::FieldCidr {
                dst,
                slot,
                cidr: self.cidr(CidrSet { nets: nets.clone() }),
            },
            _ => return false,
        };
        self.push(inst);
        true
    }

    fn field_slot(&mut self, fr: &FieldRef) -> Slot {
        self.slot(&fr.path, slot_kind(fr.ty))
    }

    fn const_set(&mut self, set: &[PConst], ty: Type, ci: bool) -> SetId {
        let items = set.iter().map(|c| const_val(c, ty, ci)).collect();
        self.set(ConstSet {
            items,
            case_insensitive: ci,
        })
    }

    /// Register-level evaluation of a non-boolean-structure node (three-valued).
    fn atom_direct(&mut self, f: &mut Frame, e: &TExpr, dst: Reg) {
        match &e.kind {
            TKind::IsNull(x) => {
                self.value(f, x, dst);
                self.push(Inst::IsNull { dst, src: dst });
            }
            TKind::Compare { op, lhs, rhs } => {
                let mark = f.mark();
                let t = f.alloc();
                self.operand(f, lhs, rhs.ty, dst);
                self.operand(f, rhs, lhs.ty, t);
                let mode = if lhs.ty == Type::Version || rhs.ty == Type::Version {
                    CmpMode::Version
                } else if string_number(lhs.ty, rhs.ty) {
                    CmpMode::Number
                } else {
                    CmpMode::Value
                };
                self.push(Inst::Cmp {
                    dst,
                    op: cmp_op(*op),
                    mode,
                    a: dst,
                    b: t,
                });
                f.release_to(mark);
            }
            TKind::InSet {
                expr,
                set,
                case_insensitive,
            } => {
                self.expr(f, expr, dst);
                let set = self.const_set(set, expr.ty, *case_insensitive);
                self.push(Inst::InSet { dst, src: dst, set });
            }
            TKind::InList {
                expr,
                list,
                case_insensitive,
            } => {
                let mark = f.mark();
                let x = f.alloc();
                let t = f.alloc();
                self.expr(f, expr, x);
                let no = self.constant(ConstVal::Bool(false));
                self.push(Inst::LoadConst { dst, k: no });
                for m in list {
                    self.operand(f, m, expr.ty, t);
                    self.push(if *case_insensitive {
                        Inst::EqCi { dst: t, a: x, b: t }
                    } else {
                        Inst::Cmp {
                            dst: t,
                            op: CmpOp::Eq,
                            mode: cmp_mode(expr.ty),
                            a: x,
                            b: t,
                        }
                    });
                    self.push(Inst::Or { dst, a: dst, b: t });
                }
                f.release_to(mark);
            }
            TKind::Wildcard {
                expr,
                patterns,
                case_insensitive,
            } => {
                self.expr(f, expr, dst);
                let wc = self.wildcard(WildcardSet {
                    patterns: patterns.clone(),
                    case_insensitive: *case_insensitive,
                });
                self.push(Inst::Wildcard { dst, src: dst, wc });
            }
            TKind::Regex {
                expr,
                patterns,
                case_insensitive,
            } => {
                self.expr(f, expr, dst);
                let re = self.regex(RegexSet {
                    patterns: patterns.clone(),
                    case_insensitive: *case_insensitive,
                });
                self.push(Inst::Regex { dst, src: dst, re });
            }
            TKind::Cidr { expr, nets } => {
                self.expr(f, expr, dst);
                let cidr = self.cidr(CidrSet { nets: nets.clone() });
                self.push(Inst::Cidr {
                    dst,
                    src: dst,
                    cidr,
                });
            }
            TKind::Arith { op, lhs, rhs } => self.arith(f, arith_op(*op), lhs, rhs, dst),
            TKind::Neg(x) => {
                self.expr(f, x, dst);
                self.push(Inst::Neg { dst, src: dst });
            }
            TKind::Call {
                func,
                case_insensitive,
                args,
            } => self.call(f, *func, *case_insensitive, args, dst),
            TKind::Const(_)
            | TKind::Field(_)
            | TKind::Not(_)
            | TKind::And(_)
            | TKind::Or(_)
            | TKind::ElemField { .. }
            | TKind::AliasField { .. }
            | TKind::Lineage { .. }
            | TKind::ArraySearch { .. } => self.expr(f, e, dst),
        }
    }

    /// Emits an operand of a comparison; a constant is converted to the other side's type.
    fn operand(&mut self, f: &mut Frame, e: &TExpr, other: Type, dst: Reg) {
        match &e.kind {
            TKind::Const(c) => {
                let k = self.constant(const_val(c, other, false));
                self.push(Inst::LoadConst { dst, k });
            }
            _ => self.value(f, e, dst),
        }
    }

    /// Emits `e` used as a value (the operand of `== null` or of a comparison). A field
    /// predicate there is three-valued — null when its field is missing or null — because
    /// Elasticsearch evaluates such a nested predicate as a script with null propagation, not
    /// as a query: `null == (exit_code > -1)` holds exactly when `exit_code` is missing.
    fn value(&mut self, f: &mut Frame, e: &TExpr, dst: Reg) {
        match &e.kind {
            TKind::Compare { .. }
            | TKind::InSet { .. }
            | TKind::Wildcard { .. }
            | TKind::Regex { .. }
            | TKind::Cidr { .. } => {
                self.mark(e.span);
                self.atom_direct(f, e, dst);
            }
            TKind::Not(x) => {
                self.value(f, x, dst);
                self.push(Inst::Not { dst, src: dst });
            }
            _ => self.expr(f, e, dst),
        }
    }

    fn arith(&mut self, f: &mut Frame, op: ArithOp, lhs: &TExpr, rhs: &TExpr, dst: Reg) {
        let mark = f.mark();
        let t = f.alloc();
        self.expr(f, lhs, dst);
        self.expr(f, rhs, t);
        self.push(Inst::Arith {
            dst,
            op,
            a: dst,
            b: t,
        });
        f.release_to(mark);
    }

    fn call(&mut self, f: &mut Frame, func: Func, ci: bool, args: &[TExpr], dst: Reg) {
        let arith = match func {
            Func::Add => Some(ArithOp::Add),
            Func::Subtract => Some(ArithOp::Sub),
            Func::Multiply => Some(ArithOp::Mul),
            Func::Divide => Some(ArithOp::Div),
            Func::Modulo => Some(ArithOp::Mod),
            _ => None,
        };
        if let (Some(op), [a, b]) = (arith, args) {
            self.arith(f, op, a, b, dst);
            return;
        }
        let builtin = match (func, ci) {
            (Func::Between, false) => Builtin::Between,
            (Func::Between, true) => Builtin::BetweenCi,
            (Func::EndsWith, false) => Builtin::EndsWith,
            (Func::EndsWith, true) => Builtin::EndsWithCi,
            (Func::IndexOf, false) => Builtin::IndexOf,
            (Func::IndexOf, true) => Builtin::IndexOfCi,
            (Func::StartsWith, false) => Builtin::StartsWith,
            (Func::StartsWith, true) => Builtin::StartsWithCi,
            (Func::StringContains, false) => Builtin::StringContains,
            (Func::StringContains, true) => Builtin::StringContainsCi,
            (Func::Concat, _) => Builtin::Concat,
            (Func::Length, _) => Builtin::Length,
            (Func::Number, _) => Builtin::Number,
            (Func::String, _) => Builtin::String,
            (Func::Substring, _) => Builtin::Substring,
            // Arithmetic functions with a wrong argument count never pass the planner; emit a
            // null so the verifier still sees a well-formed block.
            (Func::Add | Func::Subtract | Func::Multiply | Func::Divide | Func::Modulo, _) => {
                let k = self.constant(ConstVal::Null);
                self.push(Inst::LoadConst { dst, k });
                return;
            }
        };
        let mark = f.mark();
        let base = f.alloc_n(args.len() as u32);
        for (i, a) in args.iter().enumerate() {
            self.expr(f, a, Reg(base.0 + i as u32));
        }
        self.push(Inst::Call {
            dst,
            func: builtin,
            args: base,
            argc: args.len() as u32,
        });
        f.release_to(mark);
    }
}

/// A field an element loop binds: (binding key, slot, `Some((array slot, element register))`
/// for a sub-field of an `_arraysearch` element).
type Looped = (String, Slot, Option<(Slot, Reg)>);

/// The binding key of an `_arraysearch` element field (distinct from the plain field's).
fn elem_key(path: &str) -> String {
    format!("$elem:{path}")
}

/// A keyword compared with a number (Elastic Defend): compared as numbers.
fn string_number(a: Type, b: Type) -> bool {
    (a.is_string() && b.is_numeric()) || (a.is_numeric() && b.is_string())
}

/// The multi-valued fields `e` reads that no enclosing loop has bound yet (deduplicated), each
/// with the array it lies in when it is an `_arraysearch` element field.
fn collect_array_fields(e: &TExpr, f: &Frame, out: &mut Vec<(FieldRef, Option<String>)>) {
    let mut visit = |x: &TExpr| collect_array_fields(x, f, out);
    match &e.kind {
        TKind::Field(fr) => {
            if fr.array
                && f.bound(&fr.path).is_none()
                && !out.iter().any(|(o, a)| a.is_none() && o.path == fr.path)
            {
                out.push((fr.clone(), None));
            }
        }
        TKind::ElemField { array, field } => {
            if f.bound(&elem_key(&field.path)).is_none()
                && !out.iter().any(|(o, a)| a.is_some() && o.path == field.path)
            {
                out.push((field.clone(), Some(array.clone())));
            }
        }
        // An `_arraysearch` loops on its own; aliases and lineage read single values.
        TKind::ArraySearch { .. } | TKind::AliasField { .. } | TKind::Lineage { .. } => {}
        TKind::Const(_) => {}
        TKind::Not(x) | TKind::IsNull(x) | TKind::Neg(x) => visit(x),
        TKind::And(xs) | TKind::Or(xs) => xs.iter().for_each(visit),
        TKind::Compare { lhs, rhs, .. } | TKind::Arith { lhs, rhs, .. } => {
            visit(lhs);
            visit(rhs);
        }
        TKind::InSet { expr, .. }
        | TKind::Wildcard { expr, .. }
        | TKind::Regex { expr, .. }
        | TKind::Cidr { expr, .. } => visit(expr),
        TKind::InList { expr, list, .. } => {
            visit(expr);
            list.iter().for_each(visit);
        }
        TKind::Call { args, .. } => args.iter().for_each(visit),
    }
}

/// A plan constant as a pool constant, converted for a field of type `ty` (IP strings become
/// IPs) and ASCII-lowercased for case-insensitive sets.
fn const_val(c: &PConst, ty: Type, lower: bool) -> ConstVal {
    match c {
        PConst::Null => ConstVal::Null,
        PConst::Bool(b) => ConstVal::Bool(*b),
        PConst::Int(i) => ConstVal::Int(*i),
        PConst::Float(x) => ConstVal::Float(*x),
        PConst::Str(s) => {
            if ty == Type::Ip {
                if let Ok(ip) = s.parse() {
                    return ConstVal::Ip(ip);
                }
            }
            ConstVal::Str(if lower {
                s.to_ascii_lowercase()
            } else {
                s.clone()
            })
        }
    }
}

fn cmp_op(op: eql_parser::ast::CmpOp) -> CmpOp {
    use eql_parser::ast::CmpOp as P;
    match op {
        P::Eq => CmpOp::Eq,
        P::Ne => CmpOp::Ne,
        P::Lt => CmpOp::Lt,
        P::Le => CmpOp::Le,
        P::Gt => CmpOp::Gt,
        P::Ge => CmpOp::Ge,
    }
}

fn cmp_mode(ty: Type) -> CmpMode {
    if ty == Type::Version {
        CmpMode::Version
    } else {
        CmpMode::Value
    }
}

fn arith_op(op: eql_parser::ast::ArithOp) -> ArithOp {
    use eql_parser::ast::ArithOp as P;
    match op {
        P::Add => ArithOp::Add,
        P::Sub => ArithOp::Sub,
        P::Mul => ArithOp::Mul,
        P::Div => ArithOp::Div,
        P::Mod => ArithOp::Mod,
    }
}

/// The registers and head of an element loop being emitted.
struct LoopHead {
    /// Registers allocated from here on are released when the loop ends.
    mark: Reg,
    /// The element index.
    idx: Reg,
    /// The current element.
    el: Reg,
    /// The loop's first instruction (its step), where each round starts.
    top: u32,
}
