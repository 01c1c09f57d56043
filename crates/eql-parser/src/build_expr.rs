//! Turns pest's expression pairs into [`ast::Expr`] nodes with exact spans.
//!
//! The fast grammar hands an expression over as one flat list: operands, the infix operators
//! between them (`or`, `and`, comparisons, arithmetic) and the `in`/`:`/`like`/`regex`
//! predicates after an operand. pest's Pratt parser climbs it (`PRATT`). `not` and signs come
//! grouped with their operand (`negated`, `signed`) and are applied one by one, so a long run of
//! them never recurses. Spans are composed from token spans (never from the spans of
//! non-atomic rules, which may include trailing whitespace). A parenthesised expression's span
//! covers its parentheses.

use crate::ast::{ArithOp, CmpOp, Expr, ExprKind, FieldPath, Ident, Literal, MatchOp, Spanned};
use crate::build::{internal_error, span_of, Builder, Cursor};
use crate::diag::{Diagnostic, Span};
use crate::errors::codes;
use crate::fast_grammar::Rule;
use crate::literal;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, ConstPrattParser, Op};
use std::cell::RefCell;

/// Operator precedence, lowest first: `or`, `and`, comparisons, `+ -`, `* / %`, predicates.
/// (`not` binds looser than a comparison and signs tighter than `*`: both are grouped by the
/// grammar.) Left-associative; the grammar allows one comparison per operand.
static PRATT: ConstPrattParser<Rule, 7> = ConstPrattParser::new_const(pest::pratt_precedence![
    Op::infix(Rule::kw_or, Assoc::Left),
    Op::infix(Rule::kw_and, Assoc::Left),
    Op::infix(Rule::cmp_op, Assoc::Left),
    Op::infix(Rule::add_op, Assoc::Left),
    Op::infix(Rule::mul_op, Assoc::Left),
    Op::postfix(Rule::in_pred) | Op::postfix(Rule::match_pred),
]);

type Res<T> = Result<T, Box<Diagnostic>>;

/// An expression with the height of its tree (to refuse trees too deep to process).
pub struct Built {
    pub expr: Expr,
    pub height: usize,
}

fn node(kind: ExprKind, span: Span, height: usize) -> Built {
    Built { expr: Expr { kind, span }, height }
}

impl Builder {
    /// `expr` (or any of the rules that wrap exactly one `expr`).
    pub fn expr(&mut self, pair: Pair<'_, Rule>) -> Res<Expr> {
        let built = self.expr_h(pair)?;
        Ok(built.expr)
    }

    fn expr_h(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        match pair.as_rule() {
            Rule::condition | Rule::join_key | Rule::pipe_arg | Rule::argument => {
                let mut c = Cursor::new(pair);
                let inner = c.next()?;
                self.expr_h(inner)
            }
            Rule::expr | Rule::cmp_group => self.climb(pair),
            _ => self.operand(pair),
        }
    }

    /// An `expr` or `cmp_group`: operands and operators, climbed by precedence.
    fn climb(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let end = span_of(&pair);
        let mut pairs = pair.into_inner().peekable();
        if pairs.peek().is_none() {
            return Err(internal_error(end, "empty expression"));
        }
        let builder = RefCell::new(self);
        let built = PRATT
            .map_primary(|p| builder.borrow_mut().operand(p))
            .map_postfix(|lhs, op| {
                let lhs = lhs?;
                let mut b = builder.borrow_mut();
                if op.as_rule() == Rule::in_pred {
                    b.in_pred(lhs, op)
                } else {
                    b.match_pred(lhs, op)
                }
            })
            .map_infix(infix)
            .parse(pairs);
        built
    }

    /// One operand of the flat list.
    fn operand(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        match pair.as_rule() {
            Rule::negated => self.negated(pair),
            Rule::signed => self.signed(pair),
            Rule::lineage => self.lineage(pair),
            _ => self.primary(pair),
        }
    }

    /// `not not … x`: the `not`s apply from the innermost out.
    fn negated(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut nots = Vec::new();
        let mut c = Cursor::new(pair);
        while let Some(p) = c.take_if(Rule::kw_not) {
            nots.push(span_of(&p));
        }
        let inner = c.next()?;
        let mut acc = if inner.as_rule() == Rule::cmp_group { self.climb(inner)? } else { self.operand(inner)? };
        for s in nots.into_iter().rev() {
            let span = s.to(acc.expr.span);
            check_height(acc.height + 1, span)?;
            acc = node(ExprKind::Not(Box::new(acc.expr)), span, acc.height + 1);
        }
        Ok(acc)
    }

    fn lineage(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let relation = self.ident(Some(c.expect(Rule::lineage_rel)?))?;
        c.expect(Rule::kw_of)?;
        c.expect(Rule::lineage_open)?;
        let filter = self.event_filter(c.expect(Rule::event_filter)?)?;
        let close = span_of(&c.expect(Rule::stage_close)?);
        let span = relation.span.to(close);
        Ok(node(ExprKind::Lineage { relation, filter: Box::new(filter) }, span, 1))
    }

    /// `- + … x`, where `x` may carry a predicate (signs bind looser than predicates).
    fn signed(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut signs = Vec::new();
        let mut c = Cursor::new(pair);
        while let Some(p) = c.take_if(Rule::sign) {
            signs.push((span_of(&p), p.as_str() == "-"));
        }
        let mut acc = self.primary(c.next()?)?;
        match c.take_any() {
            None => {}
            Some(p) if p.as_rule() == Rule::in_pred => acc = self.in_pred(acc, p)?,
            Some(p) => acc = self.match_pred(acc, p)?,
        }
        for (s, minus) in signs.into_iter().rev() {
            let span = s.to(acc.expr.span);
            check_height(acc.height + 1, span)?;
            let inner = Box::new(acc.expr);
            let kind = if minus { ExprKind::Neg(inner) } else { ExprKind::Plus(inner) };
            acc = node(kind, span, acc.height + 1);
        }
        Ok(acc)
    }

    /// `x [not] in (a, b, …)`: the items are the pairs between the parentheses.
    fn in_pred(&mut self, base: Built, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let negated = c.take_if(Rule::kw_not).is_some();
        let case_insensitive = c.expect(Rule::in_op)?.as_str() == "in~";
        c.expect(Rule::lparen)?;
        let mut list = Vec::new();
        let mut height = base.height;
        let close = loop {
            let p = c.next()?;
            if p.as_rule() == Rule::rparen {
                break span_of(&p);
            }
            let item = self.expr_h(p)?;
            height = height.max(item.height);
            list.push(item.expr);
        };
        let span = base.expr.span.to(close);
        let kind = ExprKind::In { expr: Box::new(base.expr), list, case_insensitive, negated };
        Ok(node(kind, span, height + 1))
    }

    fn match_pred(&mut self, base: Built, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let op = match c.expect(Rule::match_op)?.as_str() {
            ":" => MatchOp::Colon,
            "like" => MatchOp::Like,
            "like~" => MatchOp::LikeInsensitive,
            "regex" => MatchOp::Regex,
            _ => MatchOp::RegexInsensitive,
        };
        let rhs = c.next()?;
        let mut patterns = Vec::new();
        let end = if rhs.as_rule() == Rule::pattern_list {
            let mut l = Cursor::new(rhs);
            l.expect(Rule::lparen)?;
            loop {
                let p = l.next()?;
                if p.as_rule() == Rule::rparen {
                    break span_of(&p);
                }
                patterns.push(self.expr(p)?);
            }
        } else {
            let e = self.expr(rhs)?;
            let end = e.span;
            patterns.push(e);
            end
        };
        let span = base.expr.span.to(end);
        let height = base.height + 1;
        Ok(node(ExprKind::Match { expr: Box::new(base.expr), op, patterns }, span, height))
    }

    fn primary(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let span = span_of(&pair);
        let lit = |l: Literal| Ok(node(ExprKind::Literal(l), span, 1));
        match pair.as_rule() {
            Rule::kw_null => lit(Literal::Null),
            Rule::kw_true => lit(Literal::Bool(true)),
            Rule::kw_false => lit(Literal::Bool(false)),
            Rule::integer => lit(literal::integer_value(pair.as_str())),
            Rule::decimal => match literal::decimal_value(pair.as_str()) {
                Some(f) => lit(Literal::Float(f)),
                None => Err(Diagnostic::error(codes::BAD_NUMBER, span, "invalid number").into()),
            },
            Rule::string => lit(Literal::String(self.string_value(&pair)?)),
            Rule::paren => {
                let mut c = Cursor::new(pair);
                let open = span_of(&c.expect(Rule::lparen)?);
                let mut inner = self.expr_h(c.expect(Rule::expr)?)?;
                let close = span_of(&c.expect(Rule::rparen)?);
                inner.expr.span = open.to(close);
                Ok(inner)
            }
            Rule::named | Rule::head_named => self.named(pair),
            Rule::tilde_call => self.tilde_call(pair),
            Rule::variable => {
                let mut c = Cursor::new(pair);
                let v = c.expect(Rule::var_name)?;
                let vspan = span_of(&v);
                let name = Ident { name: v.as_str().get(1..).unwrap_or("").to_string(), span: vspan };
                let mut path = Vec::new();
                while c.skip_if(&[Rule::dot]) {
                    path.push(self.ident(c.next().ok())?);
                }
                let end = path.last().map_or(vspan, |i| i.span);
                Ok(node(ExprKind::Variable { name, path }, vspan.to(end), 1))
            }
            Rule::field => self.field(pair),
            r => Err(self.internal(span, r)),
        }
    }

    /// A name: a call's when arguments follow, else a field's first segment.
    fn named(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let name = self.ident(Some(c.expect(Rule::plain_word)?))?;
        match c.take_if(Rule::call_args) {
            Some(args) => self.call(name, false, args),
            None => self.path(c, None, name),
        }
    }

    /// `name~(…)`: the name's span keeps the `~`.
    fn tilde_call(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let tok = c.expect(Rule::tilde_ident)?;
        let text = tok.as_str();
        let name = Ident { name: text.strip_suffix('~').unwrap_or(text).to_string(), span: span_of(&tok) };
        self.call(name, true, c.expect(Rule::call_args)?)
    }

    fn call(&mut self, name: Ident, case_insensitive: bool, args_pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(args_pair);
        c.expect(Rule::lparen)?;
        let mut args = Vec::new();
        let mut height = 0;
        while let Some(a) = c.take_if(Rule::argument) {
            let a = self.expr_h(a)?;
            height = height.max(a.height);
            args.push(a.expr);
            c.skip_if(&[Rule::comma]);
        }
        let close = span_of(&c.expect(Rule::rparen)?);
        let span = name.span.to(close);
        Ok(node(ExprKind::Call { name, case_insensitive, args }, span, height + 1))
    }

    /// A field that starts with `?` or a back-quoted name.
    fn field(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let start = c.take_if(Rule::optional_mark).map(|q| span_of(&q));
        let first = self.ident(c.next().ok())?;
        self.path(c, start, first)
    }

    /// The rest of a field's path after its first segment (`start`: the `?`, if any).
    fn path(&mut self, mut c: Cursor<'_>, start: Option<Span>, first: Ident) -> Res<Built> {
        let optional = start.is_some();
        let mut segments = vec![first];
        let mut indexes = Vec::new();
        let mut end = segments[0].span;
        while let Some(p) = c.take_any() {
            match p.as_rule() {
                Rule::dot => {
                    let seg = self.ident(c.next().ok())?;
                    end = seg.span;
                    segments.push(seg);
                }
                Rule::index => {
                    end = span_of(&p);
                    for v in p.into_inner().filter(|v| v.as_rule() == Rule::index_value) {
                        let vspan = span_of(&v);
                        let Ok(i) = v.as_str().parse::<i64>() else {
                            return Err(Diagnostic::error(codes::BAD_NUMBER, vspan, "array index is too large").into());
                        };
                        indexes.push(Spanned { node: i, span: vspan });
                    }
                }
                r => return Err(self.internal(span_of(&p), r)),
            }
        }
        let span = start.unwrap_or(segments[0].span).to(end);
        Ok(node(ExprKind::Field(FieldPath { segments, optional, indexes }), span, 1))
    }
}

/// Refuses a tree taller than [`crate::MAX_EXPR_HEIGHT`].
fn check_height(h: usize, span: Span) -> Res<()> {
    if h > crate::MAX_EXPR_HEIGHT {
        let msg = format!("expression is too deeply nested (limit {})", crate::MAX_EXPR_HEIGHT);
        let hint = "split long chains of `and`/`or` with parentheses or `in (…)` lists";
        return Err(Diagnostic::error(codes::TOO_DEEP, span, msg).with_hint(hint).into());
    }
    Ok(())
}

/// An infix operator between two built operands (the left one's error first).
fn infix(lhs: Res<Built>, op: Pair<'_, Rule>, rhs: Res<Built>) -> Res<Built> {
    let (lhs, rhs) = (lhs?, rhs?);
    let span = lhs.expr.span.to(rhs.expr.span);
    let height = lhs.height.max(rhs.height) + 1;
    let (l, r) = (Box::new(lhs.expr), Box::new(rhs.expr));
    let kind = match op.as_rule() {
        Rule::kw_or => ExprKind::Or(l, r),
        Rule::kw_and => ExprKind::And(l, r),
        // A comparison's height is not limited (as before: only chains can grow tall).
        Rule::cmp_op => {
            let op = match op.as_str() {
                "==" => CmpOp::Eq,
                "!=" => CmpOp::Ne,
                "<" => CmpOp::Lt,
                "<=" => CmpOp::Le,
                ">" => CmpOp::Gt,
                _ => CmpOp::Ge,
            };
            return Ok(node(ExprKind::Compare { op, lhs: l, rhs: r }, span, height));
        }
        _ => {
            let op = match op.as_str() {
                "+" => ArithOp::Add,
                "-" => ArithOp::Sub,
                "*" => ArithOp::Mul,
                "/" => ArithOp::Div,
                _ => ArithOp::Mod,
            };
            ExprKind::Arith { op, lhs: l, rhs: r }
        }
    };
    check_height(height, span)?;
    Ok(node(kind, span, height))
}
