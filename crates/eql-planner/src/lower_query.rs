//! Lowering whole queries: event filters, sequences, samples and pipes.

use crate::codes;
use crate::fold::as_const;
use crate::lower_expr::{condition, lower};
use crate::plan::{
    Const, Filter, KeyPlan, PipeOp, Plan, PlanQuery, SamplePlan, SequencePlan, StagePlan,
};
use crate::{lower_defend, Ctx};
use eql_parser::ast::{
    Category, EventFilter, Expr, ExprKind, Pipe, Query, QueryBody, Sample, Sequence, Stage,
    TimeSpan,
};
use eql_parser::Diagnostic;

const MAX_RUNS: u32 = 100;

pub(crate) fn lower_query(cx: &mut Ctx, q: &Query) -> Option<Plan> {
    let body = match &q.body {
        QueryBody::Event(f) => filter(cx, f).map(PlanQuery::Event),
        QueryBody::Sequence(s) => sequence(cx, s).map(PlanQuery::Sequence),
        QueryBody::Sample(s) => sample(cx, s).map(PlanQuery::Sample),
        QueryBody::Join(j) => cx.fail(
            Diagnostic::error(
                codes::JOIN,
                j.span,
                "join is not supported by Elasticsearch EQL; use sequence",
            )
            .with_label("join query"),
        ),
    };
    let pipes = pipes(cx, &q.pipes);
    Some(Plan {
        query: body?,
        pipes: pipes?,
        span: q.span,
        lineage: std::mem::take(&mut cx.lineage),
    })
}

pub(crate) fn filter(cx: &mut Ctx, f: &EventFilter) -> Option<Filter> {
    let category = match &f.category {
        Category::Any(_) => None,
        Category::Named(id) => Some(id.name.clone()),
    };
    let condition = condition(cx, &f.condition, "the condition")?;
    Some(Filter {
        category,
        condition,
        span: f.span,
    })
}

/// Lowers one stage with the shared keys prepended. `None` after an error.
fn stage(cx: &mut Ctx, shared: &[Expr], s: &Stage) -> Option<StagePlan> {
    let filter = filter(cx, &s.filter);
    let mut keys = Vec::with_capacity(shared.len() + s.by.len());
    let mut ok = true;
    for k in shared.iter().chain(&s.by) {
        match lower(cx, k) {
            Some(expr) => {
                let optional = matches!(&k.kind, ExprKind::Field(f) if f.optional);
                keys.push(KeyPlan { expr, optional });
            }
            None => ok = false,
        }
    }
    if let Some(alias) = &s.alias {
        if !cx.endpoint() || s.missing {
            ok = false;
            let what = if s.missing {
                "a missing-event stage cannot have an alias"
            } else {
                "stage aliases (`as name`) are not supported by Elasticsearch EQL"
            };
            cx.push(Diagnostic::error(codes::NOT_YET, alias.span, what).with_label("stage alias"));
        }
    }
    if keys.iter().any(|k| lower_defend::reads_alias(&k.expr)) {
        ok = false;
        cx.push(
            Diagnostic::error(
                codes::NOT_YET,
                s.span,
                "a join key cannot read a stage alias",
            )
            .with_label("in this stage"),
        );
    }
    let mut filter = filter?;
    let (local, join) = lower_defend::split_join(filter.condition);
    filter.condition = local;
    ok.then_some(StagePlan {
        filter,
        keys,
        missing: s.missing,
        alias: s.alias.as_ref().map(|a| a.name.clone()),
        join,
        span: s.span,
    })
}

/// Every stage must end up with the same number of keys as the first one.
fn check_key_counts(cx: &mut Ctx, shared: usize, stages: &[&Stage]) -> bool {
    let Some(first) = stages.first() else {
        return true;
    };
    let want = first.by.len();
    let mut ok = true;
    for s in &stages[1..] {
        if s.by.len() != want {
            ok = false;
            cx.push(
                Diagnostic::error(
                    codes::KEY_COUNT,
                    s.span,
                    format!(
                        "this stage has {} join key(s) but the first stage has {}",
                        shared + s.by.len(),
                        shared + want
                    ),
                )
                .with_label("wrong number of join keys")
                .with_secondary(first.span, "first stage")
                .with_hint("every stage must list the same number of `by` keys"),
            );
        }
    }
    ok
}

fn sequence(cx: &mut Ctx, s: &Sequence) -> Option<SequencePlan> {
    let mut ok = true;
    let maxspan = match &s.maxspan {
        Some(t) => {
            let ns = maxspan(cx, t);
            ok &= ns.is_some();
            ns
        }
        None => None,
    };
    let all: Vec<&Stage> = s.stages.iter().chain(&s.until).collect();
    ok &= check_key_counts(cx, s.by.len(), &all);
    let mut stages: Vec<StagePlan> = Vec::new();
    cx.aliases = s
        .stages
        .iter()
        .filter_map(|st| st.alias.as_ref().map(|a| (a.name.clone(), u32::MAX, false)))
        .collect();
    for st in &s.stages {
        let runs = match &st.runs {
            None => 1,
            Some(r) if (1..=MAX_RUNS).contains(&r.node) => r.node,
            Some(r) => {
                ok = false;
                cx.push(
                    Diagnostic::error(
                        codes::RUNS,
                        r.span,
                        format!("`runs` must be between 1 and {MAX_RUNS}, found {}", r.node),
                    )
                    .with_label("invalid repeat count"),
                );
                1
            }
        };
        if st.missing && maxspan.is_none() && s.maxspan.is_none() {
            ok = false;
            cx.push(
                Diagnostic::error(
                    codes::MISSING_STAGE,
                    st.span,
                    "a missing-event stage requires `with maxspan`",
                )
                .with_label("missing-event stage")
                .with_hint("add `with maxspan=<time>` after `sequence`"),
            );
        }
        match stage(cx, &s.by, st) {
            Some(p) => {
                for _ in 0..runs {
                    stages.push(p.clone());
                }
            }
            None => ok = false,
        }
        if let Some(a) = &st.alias {
            let at = stages.len().saturating_sub(1) as u32;
            for entry in cx.aliases.iter_mut().filter(|e| e.0 == a.name) {
                *entry = (a.name.clone(), at, true);
            }
        }
    }
    if !s.stages.is_empty() && s.stages.iter().all(|st| st.missing) {
        ok = false;
        cx.push(
            Diagnostic::error(
                codes::MISSING_STAGE,
                s.span,
                "a sequence needs at least one stage that is not a missing event",
            )
            .with_label("only missing-event stages"),
        );
    }
    if ok && stages.len() < 2 {
        ok = false;
        cx.push(
            Diagnostic::error(
                codes::STAGE_COUNT,
                s.span,
                "a sequence needs at least two stages",
            )
            .with_label("too few stages"),
        );
    }
    let until = match &s.until {
        Some(u) if u.missing => {
            cx.push(
                Diagnostic::error(
                    codes::MISSING_STAGE,
                    u.span,
                    "the `until` stage cannot be a missing event",
                )
                .with_label("here"),
            );
            None
        }
        Some(u) if u.runs.is_some() => {
            cx.push(
                Diagnostic::error(codes::RUNS, u.span, "the `until` stage cannot have `runs`")
                    .with_label("here"),
            );
            None
        }
        Some(u) => {
            let p = stage(cx, &s.by, u);
            ok &= p.is_some();
            if p.as_ref()
                .is_some_and(|p| p.join.is_some() || p.alias.is_some())
            {
                ok = false;
                cx.push(
                    Diagnostic::error(
                        codes::NOT_YET,
                        u.span,
                        "the `until` stage cannot have or read stage aliases",
                    )
                    .with_label("here"),
                );
            }
            p
        }
        None => None,
    };
    if s.until
        .as_ref()
        .is_some_and(|u| u.missing || u.runs.is_some())
    {
        ok = false;
    }
    cx.aliases.clear();
    ok.then_some(SequencePlan {
        stages,
        until,
        maxspan_ns: maxspan,
    })
}

fn maxspan(cx: &mut Ctx, t: &TimeSpan) -> Option<i64> {
    let Some(unit) = &t.unit else {
        return cx.fail(
            Diagnostic::error(codes::MAXSPAN, t.span, "`maxspan` needs a time unit")
                .with_label("no unit")
                .with_hint("units: ms, s, m, h, d (also micros, nanos)"),
        );
    };
    let Some(per) = crate::time::unit_ns(&unit.name) else {
        return cx.fail(
            Diagnostic::error(
                codes::MAXSPAN,
                unit.span,
                format!("unknown time unit `{}`", unit.name),
            )
            .with_label("unknown unit")
            .with_hint("units: ms, s, m, h, d (also micros, nanos)"),
        );
    };
    match crate::time::span_ns(t.value, per) {
        Some(ns) => Some(ns),
        None if t.value <= 0.0 => cx.fail(
            Diagnostic::error(codes::MAXSPAN, t.span, "`maxspan` must be positive")
                .with_label("not a positive duration"),
        ),
        None => cx.fail(
            Diagnostic::error(
                codes::MAXSPAN,
                t.span,
                "`maxspan` must be a whole number of nanoseconds and fit in 64 bits",
            )
            .with_label("invalid duration"),
        ),
    }
}

fn sample(cx: &mut Ctx, s: &Sample) -> Option<SamplePlan> {
    let all: Vec<&Stage> = s.stages.iter().collect();
    let mut ok = check_key_counts(cx, s.by.len(), &all);
    let mut stages = Vec::new();
    for st in &s.stages {
        if st.missing {
            ok = false;
            cx.push(
                Diagnostic::error(
                    codes::MISSING_STAGE,
                    st.span,
                    "missing-event stages are only allowed in sequences",
                )
                .with_label("missing-event stage in a sample"),
            );
        }
        if let Some(r) = &st.runs {
            ok = false;
            cx.push(
                Diagnostic::error(codes::RUNS, r.span, "`runs` is not supported in samples")
                    .with_label("here"),
            );
        }
        match stage(cx, &s.by, st) {
            Some(p) => stages.push(p),
            None => ok = false,
        }
    }
    if ok && stages.len() < 2 {
        ok = false;
        cx.push(
            Diagnostic::error(
                codes::STAGE_COUNT,
                s.span,
                "a sample needs at least two stages",
            )
            .with_label("too few stages"),
        );
    }
    ok.then_some(SamplePlan { stages })
}

fn pipes(cx: &mut Ctx, pipes: &[Pipe]) -> Option<Vec<PipeOp>> {
    let mut out = Vec::with_capacity(pipes.len());
    let mut ok = true;
    for p in pipes {
        let name = p.name.name.as_str();
        let make: fn(u64) -> PipeOp = match name {
            "head" => PipeOp::Head,
            "tail" => PipeOp::Tail,
            _ => {
                ok = false;
                cx.push(
                    Diagnostic::error(
                        codes::PIPE,
                        p.name.span,
                        format!("pipe `{name}` is not supported"),
                    )
                    .with_label("unsupported pipe")
                    .with_hint("only `head N` and `tail N` are supported"),
                );
                continue;
            }
        };
        let arg = match p.args.as_slice() {
            [a] => lower(cx, a).map(|t| (as_const(&t).cloned(), t.span)),
            _ => {
                ok = false;
                cx.push(
                    Diagnostic::error(
                        codes::PIPE_ARG,
                        p.span,
                        format!("`{name}` takes one argument, found {}", p.args.len()),
                    )
                    .with_label("expected a count"),
                );
                continue;
            }
        };
        match arg {
            Some((Some(Const::Int(n)), _)) if n >= 0 => out.push(make(n as u64)),
            Some((_, span)) => {
                ok = false;
                cx.push(
                    Diagnostic::error(
                        codes::PIPE_ARG,
                        span,
                        format!("`{name}` needs a non-negative integer constant"),
                    )
                    .with_label("not a count"),
                );
            }
            None => ok = false,
        }
    }
    ok.then_some(out)
}
