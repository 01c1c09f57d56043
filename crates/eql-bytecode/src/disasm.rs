//! The disassembler: a deterministic, diff-friendly listing of a program — field table, queries,
//! each block with its instructions (one per line, a source comment before each spanned run),
//! then the pools.

use crate::operand::Slot;
use crate::program::{KeyDef, KeySource, Pipe, Program, QueryKind, SlotKind, StageDef};
use std::fmt::Write;

/// Renders the listing of a whole program.
pub fn disassemble(p: &Program) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "program format {}: {} quer{}, {} fields, {} blocks, {} instructions",
        p.format,
        p.queries.len(),
        if p.queries.len() == 1 { "y" } else { "ies" },
        p.fields.len(),
        p.blocks.len(),
        p.code.len()
    );
    out.push_str("\nfields\n");
    for (i, f) in p.fields.iter().enumerate() {
        let kind = match f.kind {
            SlotKind::Plain => "",
            SlotKind::Ip => "  (ip)",
            SlotKind::Date => "  (date)",
        };
        let _ = writeln!(out, "  s{i:<4} {}{kind}", f.path);
    }
    for (qi, q) in p.queries.iter().enumerate() {
        let _ = writeln!(out, "\nquery {qi} {:?}", q.name);
        let ts: Vec<String> = q.timestamp.iter().map(|s| s.to_string()).collect();
        let _ = writeln!(
            out,
            "  category {}, timestamp {}, tiebreaker {}",
            q.category,
            ts.join(" | "),
            q.tiebreaker.map_or("-".to_string(), |s| s.to_string())
        );
        match &q.kind {
            QueryKind::Event(s) => write_stage(&mut out, "event", s),
            QueryKind::Sequence {
                stages,
                until,
                maxspan_ns,
            } => {
                let _ = writeln!(
                    out,
                    "  sequence, maxspan {}",
                    maxspan_ns.map_or("-".into(), format_ns)
                );
                for (i, s) in stages.iter().enumerate() {
                    write_stage(&mut out, &format!("stage {i}"), s);
                }
                if let Some(u) = until {
                    write_stage(&mut out, "until", u);
                }
            }
            QueryKind::Sample { stages } => {
                let _ = writeln!(out, "  sample");
                for (i, s) in stages.iter().enumerate() {
                    write_stage(&mut out, &format!("stage {i}"), s);
                }
            }
        }
        for pipe in &q.pipes {
            let _ = match pipe {
                Pipe::Head(n) => writeln!(out, "  | head {n}"),
                Pipe::Tail(n) => writeln!(out, "  | tail {n}"),
            };
        }
    }
    let l = &p.lineage;
    if !l.filters.is_empty() {
        let slot = |s: Option<Slot>| s.map_or("-".to_string(), |s| s.to_string());
        let _ = writeln!(
            out,
            "\nlineage: category {}, entity {}, parent {}",
            slot(l.category),
            slot(l.entity),
            slot(l.parent)
        );
        for (i, f) in l.filters.iter().enumerate() {
            let _ = writeln!(
                out,
                "  filter {i} [{}] predicate {}",
                f.category.as_deref().unwrap_or("any"),
                f.predicate
            );
        }
    }
    for (bi, b) in p.blocks.iter().enumerate() {
        let _ = writeln!(
            out,
            "\nb{bi}: {} of query {} (registers {})",
            b.role, b.query, b.nregs
        );
        let source = p
            .queries
            .get(b.query as usize)
            .map_or("", |q| q.source.as_str());
        let mut last_span = None;
        for pc in b.entry..b.entry.saturating_add(b.len) {
            let Some(inst) = p.code.get(pc as usize) else {
                break;
            };
            if let Some(span) = p.span_at(pc as usize) {
                if last_span != Some(span) {
                    if let Some(text) = source.get(span.start as usize..span.end as usize) {
                        let _ = writeln!(out, "  ; {}", snippet(text));
                    }
                    last_span = Some(span);
                }
            }
            let _ = writeln!(out, "  @{pc:<5} {inst}");
        }
    }
    let pools = &p.pools;
    if !pools.consts.is_empty() {
        out.push_str("\nconstants\n");
        for (i, k) in pools.consts.iter().enumerate() {
            let _ = writeln!(out, "  k{i:<4} {k}");
        }
    }
    if !pools.sets.is_empty() {
        out.push_str("\nsets\n");
        for (i, s) in pools.sets.iter().enumerate() {
            let _ = writeln!(out, "  set{i:<3} {s}");
        }
    }
    if !pools.wildcards.is_empty() {
        out.push_str("\nwildcards\n");
        for (i, s) in pools.wildcards.iter().enumerate() {
            let _ = writeln!(out, "  wc{i:<4} {s}");
        }
    }
    if !pools.regexes.is_empty() {
        out.push_str("\nregexes\n");
        for (i, s) in pools.regexes.iter().enumerate() {
            let _ = writeln!(out, "  re{i:<4} {s}");
        }
    }
    if !pools.cidrs.is_empty() {
        out.push_str("\ncidrs\n");
        for (i, s) in pools.cidrs.iter().enumerate() {
            let _ = writeln!(out, "  cidr{i:<2} {s}");
        }
    }
    out
}

fn write_stage(out: &mut String, what: &str, s: &StageDef) {
    let keys: Vec<String> = s.keys.iter().map(key_text).collect();
    let _ = writeln!(
        out,
        "  {what}{} [{}] predicate {}{}{}{}",
        if s.missing { " (missing)" } else { "" },
        s.category.as_deref().unwrap_or("any"),
        s.predicate,
        s.join.map_or(String::new(), |b| format!(", join {b}")),
        if keys.is_empty() {
            String::new()
        } else {
            format!(", by {}", keys.join(", "))
        },
        s.alias
            .as_ref()
            .map_or(String::new(), |a| format!(" as {a}"))
    );
}

fn key_text(k: &KeyDef) -> String {
    let base = match k.source {
        KeySource::Slot(s) => s.to_string(),
        KeySource::Block(b) => b.to_string(),
    };
    if k.optional {
        format!("?{base}")
    } else {
        base
    }
}

/// A duration in the largest whole unit.
pub fn format_ns(ns: i64) -> String {
    const UNITS: [(i64, &str); 6] = [
        (86_400_000_000_000, "d"),
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "us"),
    ];
    for (n, u) in UNITS {
        if ns != 0 && ns % n == 0 {
            return format!("{}{u}", ns / n);
        }
    }
    format!("{ns}ns")
}

/// One line of source text, whitespace collapsed, at most 100 characters.
fn snippet(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 100 {
        let cut: String = flat.chars().take(97).collect();
        format!("{cut}...")
    } else {
        flat
    }
}
