//! The VM's load-time forms (decision graphs, with their `and` chains reordered or in the
//! written order, fused tests and jumps) against the plain interpreter: every block of the
//! shipped rules and of the detection-rules corpus gives the same value on generated events
//! whichever form runs it.

use super::Generator;
use eqlvm::bytecode::{BlockId, Program};
use eqlvm::pipeline::{compile_rules, CompileOptions};
use eqlvm::vm::decode::{Decoder, Projection};
use eqlvm::vm::event::EventBuf;
use eqlvm::vm::machine::{Loaded, Machine};

/// Runs every block of `program` over `n` generated events with all load-time forms (and
/// again with the graphs' tests in the written order), with fused ops alone and with none;
/// returns how many blocks run as decision graphs and how many block runs came out true.
fn compare_blocks(program: Program, seed: u64, n: usize) -> (usize, usize) {
    let fields: Vec<_> = program
        .fields
        .iter()
        .map(|f| (f.path.clone(), f.kind))
        .collect();
    let projection = Projection::new(&fields);
    let full = Loaded::new(program.clone()).unwrap();
    // The graphs again, with every `and` chain in its written order.
    let mut written = Loaded::new(program.clone()).unwrap();
    for b in 0..program.blocks.len() {
        written.keep_written_order(BlockId(b as u32), true);
    }
    let mut m3 = Machine::new();
    let fused = Loaded::without_graphs(program.clone()).unwrap();
    let plain = Loaded::unfused(program).unwrap();
    assert_eq!(fused.graph_blocks() + plain.graph_blocks(), 0);
    let (mut m0, mut m1, mut m2) = (Machine::new(), Machine::new(), Machine::new());
    let mut decoder = Decoder::new();
    let mut buf = EventBuf::new();
    let mut gen = Generator::new(seed);
    let mut trues = 0;
    for _ in 0..n {
        buf.line.clear();
        buf.line.extend_from_slice(gen.next_event().as_bytes());
        decoder.decode(&projection, &mut buf).unwrap();
        for b in 0..fused.program.blocks.len() {
            let b = BlockId(b as u32);
            let (w, x, y) = (
                m0.run(&full, b, &buf),
                m1.run(&fused, b, &buf),
                m2.run(&plain, b, &buf),
            );
            let (w, x, y) = (
                format!("{:?}", m0.scalar(w, &full, &buf)),
                format!("{:?}", m1.scalar(x, &fused, &buf)),
                format!("{:?}", m2.scalar(y, &plain, &buf)),
            );
            assert_eq!(x, y, "fused, block {b:?} on {}", buf.text());
            assert_eq!(w, y, "graph, block {b:?} on {}", buf.text());
            let v = m3.run(&written, b, &buf);
            let v = format!("{:?}", m3.scalar(v, &written, &buf));
            assert_eq!(
                v,
                y,
                "graph in written order, block {b:?} on {}",
                buf.text()
            );
            trues += usize::from(x == "Bool(true)");
        }
    }
    (full.graph_blocks(), trues)
}

/// How many blocks of `program` get their leading `and` chain reordered when loaded.
fn reordered(program: &Program) -> usize {
    Loaded::new(program.clone()).unwrap().reordered_blocks()
}

fn compile_dir(dir: &std::path::Path) -> Program {
    let set = eqlvm::rules::RuleSet::load_path(dir);
    compile_rules(set.rules, &CompileOptions::default()).program
}

#[test]
fn the_fused_form_gives_the_same_block_values_on_the_shipped_rules() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let program = compile_dir(&root);
    assert!(program.blocks.len() >= 3, "{} blocks", program.blocks.len());
    let blocks = program.blocks.len();
    let (graphs, trues) = compare_blocks(program, 3, 20_000);
    assert!(trues > 50, "{trues} true block runs");
    assert!(
        graphs * 2 > blocks,
        "{graphs} of {blocks} blocks are graphs"
    );
}

#[test]
fn the_fused_form_gives_the_same_block_values_on_mixed_queries() {
    let queries = [
        r#"process where process.name : ("BASH", "sh") and not process.parent.name == "nc""#,
        r#"process where (process.args : ("-i", "-l") or process.parent.name == "socat") and process.name != null"#,
        r#"process where not (process.name == "bash" or user.name == "alice") and event.type != "end""#,
        r#"network where destination.ip != null and not cidrmatch(destination.ip, "127.0.0.0/8", "::1")"#,
        r#"network where destination.port == 443 or destination.port in (22, 4444) or destination.port > 60000"#,
        r#"process where stringContains(process.command_line, "-Enc") or startsWith(process.name, "power")"#,
        r#"process where length(process.name) > 4 and endsWith~(process.executable, "/BASH")"#,
        r#"file where file.path : ("*\\AppData\\*", "/tmp/*") and file.extension in~ ("EXE", "ps1")"#,
        r#"process where process.name regex~ "(ba|z)sh" and process.pid >= 100"#,
        r#"any where event.action == null or event.outcome == "failure""#,
        r#"sequence by host.id [network where process.name : "bash"] by process.entity_id [process where process.args == "-i"] by process.parent.entity_id until [process where event.type == "end"] by process.entity_id"#,
    ];
    let (graphs, trues) = compare_blocks(super::tests::compile_queries(&queries), 5, 20_000);
    assert!(trues > 5_000, "{trues} true block runs");
    assert!(graphs >= 5, "{graphs} blocks are graphs");
}

#[test]
fn reordered_and_chains_give_the_same_block_values() {
    // `and` chains whose tests the graph runs in another order than written: fields of few
    // values before the one of many, negations and matchers among them, an `or` after them.
    let queries = [
        r#"sequence by host.id with maxspan=5s
          [network where event.type == "start" and host.os.type == "linux" and
             event.action in ("connection_attempted", "connection_accepted") and
             process.name : ("bash", "sh", "socat") and destination.ip != null and
             not cidrmatch(destination.ip, "127.0.0.0/8", "::1")] by process.entity_id
          [process where event.type == "start" and host.os.type == "linux" and
             event.action in ("exec", "fork") and process.name in ("bash", "sh") and
             (process.args : ("-i", "-l") or (process.parent.name == "socat" and
              process.parent.args : "*exec*"))] by process.parent.entity_id"#,
        r#"process where event.type != "end" and not process.args : "-x*" and process.name == "bash""#,
        r#"process where event.action == "exec" and process.command_line : "*-i*" and process.parent.name in~ ("SSHD", "nc") and process.pid > 100"#,
        r#"file where event.action in ("creation", "rename") and not file.path : "/tmp/*" and file.extension == "sh" and process.name != "nc""#,
        r#"network where network.direction == "egress" and not destination.ip == null and destination.port in (22, 4444) and network.transport == "tcp""#,
        r#"any where event.outcome == "failure" and user.name == null and process.name == "sshd""#,
    ];
    let program = super::tests::compile_queries(&queries);
    let moved = reordered(&program);
    assert!(moved >= 6, "{moved} blocks reordered");
    let (graphs, trues) = compare_blocks(program, 7, 30_000);
    eprintln!("{moved} blocks reordered, {graphs} graphs, {trues} true block runs");
    assert!(graphs >= 6, "{graphs} blocks are graphs");
    assert!(trues > 1000, "{trues} true block runs");
}

#[test]
fn the_fused_form_gives_the_same_block_values_on_the_corpus() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/detection-rules");
    if !root.is_dir() {
        eprintln!("{} absent; skipped", root.display());
        return;
    }
    let program = compile_dir(&root);
    assert!(
        program.blocks.len() > 1000,
        "{} blocks",
        program.blocks.len()
    );
    let blocks = program.blocks.len();
    let (graphs, trues) = compare_blocks(program, 11, 600);
    assert!(trues > 1000, "{trues} true block runs");
    assert!(
        graphs * 2 > blocks,
        "{graphs} of {blocks} blocks are graphs"
    );
    eprintln!("{graphs} of {blocks} blocks are graphs");
}
