//! The generator: determinism, the shape of its events, and that the seed rules find matches.

use super::Generator;
use serde_json::Value;
use std::collections::BTreeSet;

fn lines(seed: u64, n: usize) -> Vec<String> {
    let mut g = Generator::new(seed);
    (0..n).map(|_| g.next_event()).collect()
}

#[test]
fn same_seed_same_stream_other_seed_other_stream() {
    assert_eq!(lines(7, 3000), lines(7, 3000));
    assert_ne!(lines(7, 3000), lines(8, 3000));
}

#[test]
fn events_are_elastic_defend_shaped_and_in_time_order() {
    let mut categories = BTreeSet::new();
    let mut hosts = BTreeSet::new();
    let mut last_ts = String::new();
    let (mut v6, mut windows_paths, mut args) = (0, 0, 0);
    for line in lines(3, 20_000) {
        let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let ts = v["@timestamp"].as_str().unwrap_or_default().to_string();
        assert_eq!(ts.len(), 24, "{ts}");
        assert!(ts >= last_ts, "{ts} after {last_ts}");
        last_ts = ts;
        let cat = v["event"]["category"][0].as_str().unwrap_or_default();
        categories.insert(cat.to_string());
        assert!(v["event"]["type"][0].is_string(), "{line}");
        assert!(v["event"]["action"].is_string(), "{line}");
        hosts.insert(v["host"]["id"].as_str().unwrap_or_default().to_string());
        assert!(v["host"]["os"]["type"].is_string());
        if v["destination"]["ip"]
            .as_str()
            .is_some_and(|ip| ip.contains(':'))
        {
            v6 += 1;
        }
        if v["process"]["executable"]
            .as_str()
            .is_some_and(|p| p.starts_with("C:\\"))
        {
            windows_paths += 1;
        }
        if v["process"]["args"].as_array().is_some_and(|a| a.len() > 1) {
            args += 1;
            assert!(v["process"]["parent"]["entity_id"].is_string(), "{line}");
        }
    }
    let want = [
        "authentication",
        "file",
        "library",
        "network",
        "process",
        "registry",
    ];
    assert_eq!(categories, want.iter().map(|s| s.to_string()).collect());
    assert!(hosts.len() > 200, "{} hosts", hosts.len());
    assert!(v6 > 100 && windows_paths > 1000 && args > 3000);
}

#[test]
fn the_seed_rules_match_a_small_share() {
    use eqlvm::pipeline::{compile_rules, CompileOptions};
    use eqlvm::vm::engine::{Engine, EngineOptions};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let set = eqlvm::rules::RuleSet::load_path(&root);
    let compiled = compile_rules(set.rules, &CompileOptions::default());
    assert_eq!(compiled.rules.len(), 2);
    let mut engine = Engine::new(compiled.program, &EngineOptions::default()).unwrap();
    let mut out = Vec::new();
    let mut per_query = [0u32; 2];
    let n = 50_000;
    for line in lines(11, n) {
        *engine.line_mut() = line.into_bytes();
        engine.process(&mut out).unwrap();
        for m in out.drain(..) {
            per_query[m.query as usize] += 1;
        }
    }
    engine.finish(&mut out);
    for m in out.drain(..) {
        per_query[m.query as usize] += 1;
    }
    for (q, &c) in per_query.iter().enumerate() {
        assert!(c > 5 && (c as usize) < n / 100, "query {q}: {c} matches");
    }
}

/// Runs `engine` over `lines`; every match as (query, its events' lines).
fn run_all(engine: &mut eqlvm::vm::engine::Engine, lines: &[String]) -> Vec<(u32, Vec<String>)> {
    let mut out = Vec::new();
    let mut got = Vec::new();
    let mut take = |out: &mut Vec<eqlvm::vm::engine::Match>| {
        for m in out.drain(..) {
            let evs = m
                .events
                .iter()
                .map(|e| e.as_ref().map_or(String::new(), |e| e.line.to_string()))
                .collect();
            got.push((m.query, evs));
        }
    };
    for l in lines {
        *engine.line_mut() = l.clone().into_bytes();
        engine.process(&mut out).unwrap();
        take(&mut out);
    }
    engine.finish(&mut out);
    take(&mut out);
    got
}

#[test]
fn the_prefilter_changes_no_result() {
    use eqlvm::vm::engine::{Engine, EngineOptions};
    let queries = [
        r#"process where process.name == "bash" and process.args : "-i""#,
        r#"process where process.name : ("BASH", "sh") and not process.parent.name == "nc""#,
        r#"process where event.action in ("exec", "fork") and process.name in ("certutil.exe", "chmod", "crontab")"#,
        r#"process where process.name : "powershell.exe" and process.command_line : "*-EncodedCommand*""#,
        r#"process where not process.name == "bash" and user.name == "alice""#,
        r#"network where event.action == "connection_attempted" and process.name in ("bash", "sh", "zsh") and destination.ip != null and not cidrmatch(destination.ip, "127.0.0.0/8")"#,
        r#"network where process.name == "curl" or process.name == "nginx""#,
        r#"file where file.extension : ("PS1", "exe") and file.path : "*Temp*""#,
        r#"registry where registry.value == "Shell""#,
        r#"library where dll.name : "AMSI.DLL""#,
        r#"any where event.action == "log_on_failure""#,
        r#"sequence by host.id with maxspan=5s [network where process.name : "bash"] by process.entity_id [process where process.name : "bash" and process.args == "-i"] by process.parent.entity_id"#,
        r#"sequence by host.id [process where process.name == "cmd.exe"] [process where process.name == "certutil.exe"] until [process where process.name == "explorer.exe"]"#,
        // Wildcard atoms, case-insensitive and not, on their own and beside an equality.
        r#"process where process.command_line : ("*-enc*", "*FromBase64String*")"#,
        r#"process where process.executable like "C:\\Windows\\System32\\*.exe" and process.name : "cmd.exe""#,
        r#"file where file.path : "*\\AppData\\*" or file.path : "/tmp/*""#,
        // Element loops (functions over fields) beside the literals.
        r#"process where event.type == "start" and stringContains(process.command_line, "-Enc") and startsWith(process.name, "power")"#,
        r#"process where process.name == "bash" and endsWith(process.executable, "/bash") and not startsWith(process.executable, "/bin/")"#,
        r#"network where process.name in ("bash", "sh") and length(process.name) > 1 and destination.ip != null"#,
        r#"network where destination.port == 443 or destination.port in (22, 4444)"#,
        // Categorical requirements checked as filters beside a stronger index key: folded,
        // negated, in an `or`, on multi-valued fields.
        r#"process where host.os.type : "LINUX" and event.type == "start" and process.name : "bash""#,
        r#"process where (event.type == "start" or event.action == "exec") and not host.os.type == "windows" and process.name == "sh""#,
        r#"any where event.category in ("process", "network") and event.type : "START" and process.name in ("bash", "sh")"#,
        // Regex literals, case-sensitive and folded.
        r#"process where process.command_line regex ".*/dev/tcp/.*" or process.executable regex~ "/BIN/[a-z]+""#,
    ];
    let program = compile_queries(&queries);
    let events = lines(5, 40_000);
    let mut with = Engine::new(program.clone(), &EngineOptions::default()).unwrap();
    let guarded = with.prefilter().map_or(0, |p| p.guarded_stages());
    assert!(guarded >= 18, "{guarded} guarded stages");
    let mut without = Engine::new(program, &EngineOptions::default()).unwrap();
    without.set_prefilter(false);
    assert!(without.prefilter().is_none());
    let a = run_all(&mut with, &events);
    let b = run_all(&mut without, &events);
    assert!(a.len() > 100, "{} matches", a.len());
    for q in 0..queries.len() as u32 {
        assert!(a.iter().any(|m| m.0 == q), "query {q} never matched");
    }
    assert_eq!(a, b);
}

/// The whole detection-rules corpus (when ../shared is there) gives the same matches with and
/// without the prefilter on generated events, and the prefilter guards most of its stages;
/// and the same matches with every sequence stage run as with idle ones left unrun.
#[test]
fn the_prefilter_changes_no_result_on_the_corpus() {
    use eqlvm::pipeline::{compile_rules, CompileOptions};
    use eqlvm::vm::engine::{Engine, EngineOptions};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/detection-rules");
    if !root.is_dir() {
        eprintln!("{} absent; skipped", root.display());
        return;
    }
    let set = eqlvm::rules::RuleSet::load_path(&root);
    let compiled = compile_rules(set.rules, &CompileOptions::default());
    assert!(compiled.rules.len() > 900, "{} rules", compiled.rules.len());
    let mut with = Engine::new(compiled.program.clone(), &EngineOptions::default()).unwrap();
    let stages = compiled.program.stage_count();
    let guarded = with.prefilter().map_or(0, |p| p.guarded_stages());
    assert!(
        guarded * 10 >= stages * 9,
        "{guarded} of {stages} stages guarded"
    );
    let mut without = Engine::new(compiled.program.clone(), &EngineOptions::default()).unwrap();
    without.set_prefilter(false);
    // Every sequence stage run, even those whose hits could change no state.
    let mut ungated = Engine::new(compiled.program, &EngineOptions::default()).unwrap();
    ungated.set_stage_gating(false);
    let events = lines(17, 4_000);
    let a = run_all(&mut with, &events);
    let b = run_all(&mut without, &events);
    assert!(a.len() > 100, "{} matches", a.len());
    assert_eq!(a, b);
    assert!(with.stats.stages_run * 4 < without.stats.stages_run);
    assert_eq!(a, run_all(&mut ungated, &events));
    assert!(with.stats.stages_skipped > 0);
    assert_eq!(ungated.stats.stages_skipped, 0);
    assert_eq!(
        with.stats.stages_run + with.stats.stages_skipped,
        ungated.stats.stages_run
    );
}

/// One program of `queries` (query `i` named `q{i}`), planned against the built-in schema.
pub(super) fn compile_queries(queries: &[&str]) -> eqlvm::bytecode::Program {
    use eqlvm::emit::{Emitter, QueryOptions};
    use eqlvm::planner::{plan_text, PlanOptions, Schema};
    let schema = Schema::builtin();
    let mut emitter = Emitter::new();
    for (i, q) in queries.iter().enumerate() {
        let planned =
            plan_text(q, &schema, &PlanOptions::default()).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        emitter.add(
            &planned.plan,
            &QueryOptions::new(format!("q{i}"), q.to_string()),
        );
    }
    emitter.finish()
}
