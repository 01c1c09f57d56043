//! Turns pest's expression pairs into [`ast::Expr`] nodes with exact spans.
//!
//! Spans are composed from token spans (never from the spans of non-atomic rules, which may
//! include trailing whitespace). A parenthesised expression's span covers its parentheses.

use crate::ast::{ArithOp, CmpOp, Expr, ExprKind, FieldPath, Ident, Literal, MatchOp, Spanned};
use crate::build::{span_of, Builder, Cursor};
use crate::diag::{Diagnostic, Span};
use crate::errors::codes;
use crate::grammar::Rule;
use crate::literal;
use pest::iterators::Pair;

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
            Rule::expr
            | Rule::condition
            | Rule::join_key
            | Rule::pipe_arg
            | Rule::argument
            | Rule::list_item
            | Rule::pattern => {
                let mut c = Cursor::new(pair);
                let inner = c.next()?;
                self.expr_h(inner)
            }
            Rule::or_expr => self.binary_chain(pair, ExprKind::Or),
            Rule::and_expr => self.binary_chain(pair, ExprKind::And),
            Rule::not_expr => self.not_expr(pair),
            Rule::lineage => self.lineage(pair),
            Rule::comparison => self.comparison(pair),
            Rule::arith | Rule::term => self.arith(pair),
            Rule::unary => self.unary(pair),
            Rule::postfix => self.postfix(pair),
            _ => self.primary(pair),
        }
    }

    fn check_height(&self, h: usize, span: Span) -> Res<()> {
        if h > crate::MAX_EXPR_HEIGHT {
            let msg = format!("expression is too deeply nested (limit {})", crate::MAX_EXPR_HEIGHT);
            let hint = "split long chains of `and`/`or` with parentheses or `in (…)` lists";
            return Err(Diagnostic::error(codes::TOO_DEEP, span, msg).with_hint(hint).into());
        }
        Ok(())
    }

    fn binary_chain(&mut self, pair: Pair<'_, Rule>, make: fn(Box<Expr>, Box<Expr>) -> ExprKind) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let mut acc = self.expr_h(c.next()?)?;
        while c.skip_if(&[Rule::kw_or, Rule::kw_and]) {
            let rhs = self.expr_h(c.next()?)?;
            let span = acc.expr.span.to(rhs.expr.span);
            let height = acc.height.max(rhs.height) + 1;
            self.check_height(height, span)?;
            acc = node(make(Box::new(acc.expr), Box::new(rhs.expr)), span, height);
        }
        Ok(acc)
    }

    fn not_expr(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut nots = Vec::new();
        let mut c = Cursor::new(pair);
        while let Some(p) = c.take_if(Rule::kw_not) {
            nots.push(span_of(&p));
        }
        let mut acc = self.expr_h(c.next()?)?;
        for s in nots.into_iter().rev() {
            let span = s.to(acc.expr.span);
            self.check_height(acc.height + 1, span)?;
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

    fn comparison(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let lhs = self.expr_h(c.next()?)?;
        let Some(op) = c.take_if(Rule::cmp_op) else {
            return Ok(lhs);
        };
        let op = match op.as_str() {
            "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        let rhs = self.expr_h(c.next()?)?;
        let span = lhs.expr.span.to(rhs.expr.span);
        let height = lhs.height.max(rhs.height) + 1;
        Ok(node(ExprKind::Compare { op, lhs: Box::new(lhs.expr), rhs: Box::new(rhs.expr) }, span, height))
    }

    fn arith(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let mut acc = self.expr_h(c.next()?)?;
        while let Some(op) = c.take_if_any(&[Rule::add_op, Rule::mul_op]) {
            let op = match op.as_str() {
                "+" => ArithOp::Add,
                "-" => ArithOp::Sub,
                "*" => ArithOp::Mul,
                "/" => ArithOp::Div,
                _ => ArithOp::Mod,
            };
            let rhs = self.expr_h(c.next()?)?;
            let span = acc.expr.span.to(rhs.expr.span);
            let height = acc.height.max(rhs.height) + 1;
            self.check_height(height, span)?;
            acc = node(ExprKind::Arith { op, lhs: Box::new(acc.expr), rhs: Box::new(rhs.expr) }, span, height);
        }
        Ok(acc)
    }

    fn unary(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut signs = Vec::new();
        let mut c = Cursor::new(pair);
        while let Some(p) = c.take_if(Rule::sign) {
            signs.push((span_of(&p), p.as_str() == "-"));
        }
        let mut acc = self.expr_h(c.next()?)?;
        for (s, minus) in signs.into_iter().rev() {
            let span = s.to(acc.expr.span);
            self.check_height(acc.height + 1, span)?;
            let inner = Box::new(acc.expr);
            let kind = if minus { ExprKind::Neg(inner) } else { ExprKind::Plus(inner) };
            acc = node(kind, span, acc.height + 1);
        }
        Ok(acc)
    }

    fn postfix(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let base = self.expr_h(c.next()?)?;
        match c.take_any() {
            None => Ok(base),
            Some(p) if p.as_rule() == Rule::in_pred => self.in_pred(base, p),
            Some(p) => self.match_pred(base, p),
        }
    }

    fn in_pred(&mut self, base: Built, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let negated = c.take_if(Rule::kw_not).is_some();
        let case_insensitive = c.expect(Rule::in_op)?.as_str() == "in~";
        c.expect(Rule::lparen)?;
        let mut list = Vec::new();
        let mut height = base.height;
        loop {
            let item = self.expr_h(c.expect(Rule::list_item)?)?;
            height = height.max(item.height);
            list.push(item.expr);
            if !c.skip_if(&[Rule::comma]) {
                break;
            }
        }
        let span = base.expr.span.to(span_of(&c.expect(Rule::rparen)?));
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
                patterns.push(self.expr(l.expect(Rule::pattern)?)?);
                if !l.skip_if(&[Rule::comma]) {
                    break;
                }
            }
            span_of(&l.expect(Rule::rparen)?)
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
            Rule::call => self.call(pair),
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

    fn call(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let fname = c.expect(Rule::func_name)?;
        let Some(tok) = fname.into_inner().next() else {
            return Err(self.internal(Span::default(), Rule::func_name));
        };
        let case_insensitive = tok.as_rule() == Rule::tilde_ident;
        let text = tok.as_str();
        let name = Ident { name: text.strip_suffix('~').unwrap_or(text).to_string(), span: span_of(&tok) };
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

    fn field(&mut self, pair: Pair<'_, Rule>) -> Res<Built> {
        let mut c = Cursor::new(pair);
        let mut start = None;
        let mut optional = false;
        if let Some(q) = c.take_if(Rule::optional_mark) {
            optional = true;
            start = Some(span_of(&q));
        }
        let mut segments = vec![self.ident(c.next().ok())?];
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
