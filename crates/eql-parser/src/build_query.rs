//! Builds the query level of the AST: event filters, sequences, samples, joins, stages, pipes.

use crate::ast::{
    Category, EventFilter, Expr, Join, Pipe, Query, QueryBody, Sample, Sequence, Spanned, Stage, TimeSpan,
};
use crate::build::{span_of, Builder, Cursor};
use crate::diag::{Diagnostic, Span};
use crate::errors::codes;
use crate::fast_grammar::Rule;
use crate::literal;
use pest::iterators::Pair;

type Res<T> = Result<T, Box<Diagnostic>>;

/// Stages, `until` and keys shared by sequences, samples and joins.
struct Multi {
    keyword: Span,
    by: Vec<Expr>,
    maxspan: Option<TimeSpan>,
    stages: Vec<Stage>,
    until: Option<Stage>,
    end: Span,
}

impl Builder {
    /// `query_main`: body, pipes, end of input.
    pub fn query(&mut self, pair: Pair<'_, Rule>) -> Res<Query> {
        let mut c = Cursor::new(pair);
        let body_pair = c.next()?;
        let (body, body_span) = match body_pair.as_rule() {
            Rule::event_query => {
                let f = self.event_filter(Cursor::new(body_pair).expect(Rule::event_filter)?)?;
                let span = f.span;
                (QueryBody::Event(f), span)
            }
            Rule::sequence => self.sequence(body_pair)?,
            Rule::sample => {
                let m = self.multi(body_pair, "sample")?;
                let span = m.keyword.to(m.end);
                (QueryBody::Sample(Sample { by: m.by, stages: m.stages, span }), span)
            }
            Rule::join => {
                let m = self.multi(body_pair, "join")?;
                let span = m.keyword.to(m.end);
                self.need_two_stages(&m, "join");
                (QueryBody::Join(Join { by: m.by, stages: m.stages, until: m.until, span }), span)
            }
            r => return Err(self.internal(span_of(&body_pair), r)),
        };
        let mut pipes = Vec::new();
        while let Some(p) = c.take_if(Rule::pipe) {
            pipes.push(self.pipe(p)?);
        }
        let end = pipes.last().map_or(body_span, |p: &Pipe| p.span);
        Ok(Query { body, pipes, span: body_span.to(end) })
    }

    /// `category where condition`.
    pub fn event_filter(&mut self, pair: Pair<'_, Rule>) -> Res<EventFilter> {
        let mut c = Cursor::new(pair);
        let cat = c.expect(Rule::category)?;
        let category = match cat.clone().into_inner().next() {
            Some(p) if p.as_rule() == Rule::kw_any => Category::Any(span_of(&p)),
            _ => Category::Named(self.ident(Some(cat))?),
        };
        c.expect(Rule::kw_where)?;
        let condition = self.expr(c.expect(Rule::condition)?)?;
        let span = category.span().to(condition.span);
        Ok(EventFilter { category, condition, span })
    }

    fn sequence(&mut self, pair: Pair<'_, Rule>) -> Res<(QueryBody, Span)> {
        let m = self.multi(pair, "sequence")?;
        let span = m.keyword.to(m.end);
        self.need_two_stages(&m, "sequence");
        let seq = Sequence { by: m.by, maxspan: m.maxspan, stages: m.stages, until: m.until, span };
        Ok((QueryBody::Sequence(seq), span))
    }

    fn need_two_stages(&mut self, m: &Multi, what: &str) {
        // `with runs=N` stands for N stages.
        let count: u64 = m.stages.iter().map(|s| s.runs.as_ref().map_or(1, |r| u64::from(r.node))).sum();
        if count < 2 {
            let msg = format!("a {what} needs at least two stages");
            let plural = if count == 1 { "" } else { "s" };
            self.errors.push(
                Diagnostic::error(codes::STAGES, m.keyword, msg)
                    .with_label(format!("this {what} has {count} stage{plural}"))
                    .with_hint("add another `[category where condition]` stage"),
            );
        }
    }

    /// The common shape of `sequence`, `sample` and `join`.
    fn multi(&mut self, pair: Pair<'_, Rule>, what: &str) -> Res<Multi> {
        let mut c = Cursor::new(pair);
        let keyword = span_of(&c.next()?);
        let mut by = Vec::new();
        let mut end = keyword;
        let mut stages = Vec::new();
        let mut until = None;
        let mut maxspan = None;
        while let Some(p) = c.take_any() {
            match p.as_rule() {
                Rule::join_keys => by = self.join_keys(p)?,
                Rule::maxspan => maxspan = Some(self.maxspan(p)?),
                Rule::late_keys => {
                    let keys = self.join_keys(Cursor::new(p).expect(Rule::join_keys)?)?;
                    let span = keys.first().map_or(end, |k| k.span);
                    self.errors.push(
                        Diagnostic::error(codes::ORDER, span, "`by` must come before `with maxspan`")
                            .with_hint("write `sequence by key with maxspan=…`"),
                    );
                    by = keys;
                }
                Rule::stage => {
                    let s = self.stage(p, what)?;
                    end = s.span;
                    stages.push(s);
                }
                Rule::until_clause => {
                    let mut u = Cursor::new(p);
                    u.expect(Rule::kw_until)?;
                    let s = self.stage(u.expect(Rule::stage)?, what)?;
                    end = s.span;
                    until = Some(s);
                }
                r => return Err(self.internal(span_of(&p), r)),
            }
        }
        Ok(Multi { keyword, by, maxspan, stages, until, end })
    }

    fn maxspan(&mut self, pair: Pair<'_, Rule>) -> Res<TimeSpan> {
        let mut c = Cursor::new(pair);
        c.expect(Rule::kw_with)?;
        c.expect(Rule::kw_maxspan)?;
        c.expect(Rule::assign)?;
        let mut t = Cursor::new(c.expect(Rule::time_value)?);
        let num = t.next()?;
        let nspan = span_of(&num);
        let value = match num.as_rule() {
            Rule::integer => match literal::integer_value(num.as_str()) {
                crate::ast::Literal::Int(i) => i as f64,
                crate::ast::Literal::Float(f) => f,
                _ => 0.0,
            },
            _ => literal::decimal_value(num.as_str())
                .ok_or_else(|| Box::new(Diagnostic::error(codes::BAD_NUMBER, nspan, "invalid number")))?,
        };
        let unit = match t.take_if(Rule::time_unit) {
            Some(u) => Some(self.ident(Some(u))?),
            None => None,
        };
        let span = nspan.to(unit.as_ref().map_or(nspan, |u| u.span));
        Ok(TimeSpan { value, unit, span })
    }

    fn join_keys(&mut self, pair: Pair<'_, Rule>) -> Res<Vec<Expr>> {
        let mut c = Cursor::new(pair);
        c.expect(Rule::kw_by)?;
        let mut keys = Vec::new();
        while let Some(k) = c.take_if(Rule::join_key) {
            keys.push(self.expr(k)?);
            c.skip_if(&[Rule::comma]);
        }
        Ok(keys)
    }

    fn stage(&mut self, pair: Pair<'_, Rule>, what: &str) -> Res<Stage> {
        let mut c = Cursor::new(pair);
        let open = c.expect(Rule::stage_open)?;
        let start = span_of(&open);
        let missing = open.as_str() == "![";
        let filter = self.event_filter(c.expect(Rule::event_filter)?)?;
        let mut end = span_of(&c.expect(Rule::stage_close)?);
        let mut by = Vec::new();
        if let Some(k) = c.take_if(Rule::join_keys) {
            by = self.join_keys(k)?;
            end = by.last().map_or(end, |k| k.span);
        }
        let mut runs = None;
        if let Some(o) = c.take_if(Rule::stage_option) {
            let (r, span) = self.stage_option(o, what)?;
            end = span;
            runs = r;
        }
        let mut alias = None;
        if let Some(a) = c.take_if(Rule::stage_alias) {
            let mut a = Cursor::new(a);
            a.expect(Rule::kw_as)?;
            let name = self.ident(Some(a.expect(Rule::alias_name)?))?;
            end = name.span;
            alias = Some(name);
        }
        Ok(Stage { filter, missing, by, runs, alias, span: start.to(end) })
    }

    /// `with runs=N`: the value, and the span of the whole option.
    fn stage_option(&mut self, pair: Pair<'_, Rule>, what: &str) -> Res<(Option<Spanned<u32>>, Span)> {
        let mut c = Cursor::new(pair);
        let with = span_of(&c.expect(Rule::kw_with)?);
        let name = self.ident(Some(c.expect(Rule::option_name)?))?;
        c.expect(Rule::assign)?;
        let num = c.next()?;
        let nspan = span_of(&num);
        let span = with.to(nspan);
        if name.name != "runs" {
            let msg = format!("unknown stage option `{}`", name.name);
            self.errors.push(
                Diagnostic::error(codes::STAGE_OPTION, name.span, msg)
                    .with_hint("the only stage option is `with runs=N`"),
            );
            return Ok((None, span));
        }
        if what != "sequence" {
            let msg = format!("`with runs` is only allowed in a sequence, not in a {what}");
            self.errors.push(Diagnostic::error(codes::STAGE_OPTION, span, msg));
            return Ok((None, span));
        }
        match num.as_str().parse::<u32>() {
            Ok(n) if num.as_rule() == Rule::integer => Ok((Some(Spanned { node: n, span: nspan }), span)),
            _ => {
                self.errors.push(
                    Diagnostic::error(codes::STAGE_OPTION, nspan, "`runs` must be a whole number")
                        .with_hint("write `with runs=N` with N between 1 and 100"),
                );
                Ok((None, span))
            }
        }
    }

    fn pipe(&mut self, pair: Pair<'_, Rule>) -> Res<Pipe> {
        let mut c = Cursor::new(pair);
        let bar = span_of(&c.expect(Rule::pipe_bar)?);
        let name = self.ident(Some(c.expect(Rule::pipe_name)?))?;
        let mut args = Vec::new();
        while let Some(a) = c.take_if(Rule::pipe_arg) {
            args.push(self.expr(a)?);
            c.skip_if(&[Rule::comma]);
        }
        let end = args.last().map_or(name.span, |a| a.span);
        Ok(Pipe { name, args, span: bar.to(end) })
    }
}
