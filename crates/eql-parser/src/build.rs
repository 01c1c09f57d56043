//! Shared machinery of the AST builder: a checked cursor over pest pairs and token helpers.
//!
//! The grammar guarantees the shape of every pair, but the builder still never panics: a
//! surprise becomes an internal-error diagnostic instead.

use crate::ast::Ident;
use crate::diag::{Diagnostic, Span};
use crate::errors::codes;
use crate::fast_grammar::Rule;
use crate::literal;
use pest::iterators::{Pair, Pairs};

type Res<T> = Result<T, Box<Diagnostic>>;

/// The exact span of a pair (only used on token rules, whose spans have no trailing space).
pub fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

/// Walks the children of one pair, checking each against what the grammar promises.
pub struct Cursor<'i> {
    pairs: std::iter::Peekable<Pairs<'i, Rule>>,
    parent: Rule,
    end: Span,
}

impl<'i> Cursor<'i> {
    pub fn new(pair: Pair<'i, Rule>) -> Cursor<'i> {
        let s = pair.as_span();
        Cursor { parent: pair.as_rule(), end: Span::new(s.end(), s.end()), pairs: pair.into_inner().peekable() }
    }

    fn missing(&self, wanted: &str) -> Box<Diagnostic> {
        internal_error(self.end, &format!("{wanted} missing in {:?}", self.parent))
    }

    /// The next child, whatever it is.
    pub fn next(&mut self) -> Res<Pair<'i, Rule>> {
        self.pairs.next().ok_or_else(|| self.missing("a child"))
    }

    /// The next child if there is one.
    pub fn take_any(&mut self) -> Option<Pair<'i, Rule>> {
        self.pairs.next()
    }

    /// The next child, which must be a `rule`.
    pub fn expect(&mut self, rule: Rule) -> Res<Pair<'i, Rule>> {
        match self.pairs.next() {
            Some(p) if p.as_rule() == rule => Ok(p),
            Some(p) => Err(internal_error(span_of(&p), &format!("{rule:?} expected, found {:?}", p.as_rule()))),
            None => Err(self.missing(&format!("{rule:?}"))),
        }
    }

    /// Takes the next child if it is a `rule`.
    pub fn take_if(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        self.take_if_any(&[rule])
    }

    /// Takes the next child if it is one of `rules`.
    pub fn take_if_any(&mut self, rules: &[Rule]) -> Option<Pair<'i, Rule>> {
        match self.pairs.peek() {
            Some(p) if rules.contains(&p.as_rule()) => self.pairs.next(),
            _ => None,
        }
    }

    /// Skips the next child if it is one of `rules`; tells whether it did.
    pub fn skip_if(&mut self, rules: &[Rule]) -> bool {
        self.take_if_any(rules).is_some()
    }
}

/// An error that means the builder and the grammar disagree (a bug, reported, never a panic).
pub fn internal_error(span: Span, detail: &str) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(codes::INTERNAL, span, "internal parser error").with_hint(detail.to_string()))
}

/// Builds AST nodes from pest pairs; collects the errors that do not stop the build.
#[derive(Default)]
pub struct Builder {
    pub errors: Vec<Diagnostic>,
}

impl Builder {
    pub fn internal(&self, span: Span, rule: Rule) -> Box<Diagnostic> {
        internal_error(span, &format!("unexpected {rule:?}"))
    }

    /// An identifier from a `plain_ident`, `quoted_ident`, `string` (categories) or a rule
    /// wrapping one of them.
    pub fn ident(&mut self, pair: Option<Pair<'_, Rule>>) -> Res<Ident> {
        let Some(pair) = pair else {
            return Err(internal_error(Span::default(), "identifier missing"));
        };
        let span = span_of(&pair);
        match pair.as_rule() {
            Rule::plain_ident
            | Rule::plain_word
            | Rule::kw_any
            | Rule::lineage_rel
            | Rule::option_name
            | Rule::alias_name
            | Rule::pipe_name
            | Rule::time_unit => Ok(Ident { name: pair.as_str().to_string(), span }),
            Rule::quoted_ident => Ok(Ident { name: literal::quoted_ident_value(pair.as_str()), span }),
            Rule::string => Ok(Ident { name: self.string_value(&pair)?, span }),
            Rule::category => self.ident(pair.into_inner().next()),
            r => Err(self.internal(span, r)),
        }
    }

    /// The value of a `string` token.
    pub fn string_value(&self, pair: &Pair<'_, Rule>) -> Res<String> {
        literal::string_value(pair.as_str()).ok_or_else(|| {
            Diagnostic::error(codes::BAD_ESCAPE, span_of(pair), "invalid escape sequence in string").into()
        })
    }
}
