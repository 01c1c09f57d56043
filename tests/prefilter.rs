//! The prefilter's reading of stage requirements off compiled bytecode: equality, set and
//! wildcard-atom guards, `and`/`or`/`not`, and predicates with element loops (functions over
//! fields). Whether skipping changes results is checked on generated events in the CLI's
//! generator tests.

mod common;

use eqlvm::vm::engine::prefilter::{
    anchored_atom, atom, block_requirements, regex_atoms, Guard, Test,
};

/// The requirement clauses of an event query's predicate, each as sorted `(field, test,
/// strings or integers)` alternatives.
fn clauses(query: &str) -> Vec<Vec<(String, Test, Vec<String>)>> {
    let p = common::compile(query);
    let eqlvm::bytecode::QueryKind::Event(stage) = &p.queries[0].kind else {
        panic!("an event query");
    };
    let field = |g: &Guard| p.fields[g.slot].path.clone();
    block_requirements(&p, stage.predicate.index())
        .iter()
        .map(|c| {
            let mut v: Vec<_> = c
                .iter()
                .map(|g| {
                    let ints = g.ints.iter().map(|i| i.to_string());
                    (
                        field(g),
                        g.test,
                        g.strings.iter().cloned().chain(ints).collect(),
                    )
                })
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        })
        .collect()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn atoms_are_the_longest_literal_runs() {
    assert_eq!(atom(r"C:\Users\*.exe"), Some(r"C:\Users\"));
    assert_eq!(atom("*powershell*"), Some("powershell"));
    assert_eq!(
        atom("?:\\windows\\system32\\dns.exe"),
        Some(":\\windows\\system32\\dns.exe")
    );
    assert_eq!(atom("a*b?c"), None);
    assert_eq!(atom("*"), None);
}

#[test]
fn conjuncts_give_one_clause_each() {
    let c = clauses(r#"process where process.name == "bash" and process.args in ("-i", "-c")"#);
    assert!(
        c.contains(&vec![("process.name".into(), Test::Equals, s(&["bash"]))]),
        "{c:?}"
    );
    assert!(
        c.contains(&vec![(
            "process.args".into(),
            Test::Equals,
            s(&["-i", "-c"])
        )]),
        "{c:?}"
    );
}

#[test]
fn atoms_know_where_every_match_holds_them() {
    assert_eq!(anchored_atom("cmd.exe"), Some((Test::Equals, "cmd.exe")));
    assert_eq!(anchored_atom("ab"), Some((Test::Equals, "ab")));
    assert_eq!(
        anchored_atom(r"C:\Users\*.exe"),
        Some((Test::StartsWith, r"C:\Users\"))
    );
    assert_eq!(
        anchored_atom(r"*\dns.exe"),
        Some((Test::EndsWith, r"\dns.exe"))
    );
    assert_eq!(
        anchored_atom("*powershell*"),
        Some((Test::Contains, "powershell"))
    );
    // A leading `?` is a character before the run: not at the start.
    assert_eq!(anchored_atom("?:\\x\\y"), Some((Test::EndsWith, ":\\x\\y")));
    assert_eq!(anchored_atom("?:\\x*"), Some((Test::Contains, ":\\x")));
    assert_eq!(anchored_atom("abc*x?"), Some((Test::StartsWith, "abc")));
    assert_eq!(anchored_atom("a*b?c"), None);
}

#[test]
fn wildcards_give_their_atoms() {
    let c = clauses(r#"file where file.path : ("*\\AppData\\*.exe", "/tmp/*", "*.sh", "/bin/sh")"#);
    assert!(
        c.contains(&vec![
            ("file.path".into(), Test::Equals, s(&["/bin/sh"])),
            ("file.path".into(), Test::StartsWith, s(&["/tmp/"])),
            ("file.path".into(), Test::EndsWith, s(&[".sh"])),
            ("file.path".into(), Test::Contains, s(&["\\AppData\\"])),
        ]),
        "{c:?}"
    );
    // One pattern without a usable atom makes the whole wildcard test no guard.
    assert!(clauses(r#"file where file.path : ("*\\AppData\\*", "a*")"#).is_empty());
}

#[test]
fn or_gives_one_clause_with_both_sides() {
    let c = clauses(r#"process where process.name == "bash" or process.command_line : "*nc -e*""#);
    assert_eq!(
        c,
        vec![vec![
            ("process.command_line".into(), Test::Contains, s(&["nc -e"])),
            ("process.name".into(), Test::Equals, s(&["bash"])),
        ]]
    );
}

#[test]
fn negations_and_unknown_tests_give_nothing() {
    assert!(clauses(r#"process where not process.name == "bash""#).is_empty());
    assert!(clauses(r#"process where process.pid > 4"#).is_empty());
    let c = clauses(r#"process where process.name == "bash" or process.pid > 4"#);
    assert!(c.is_empty(), "{c:?}");
}

#[test]
fn element_loops_keep_the_requirements_around_them() {
    // `stringContains` over a field runs an element loop (a backward jump).
    let q = r#"any where data_stream.dataset == "aws.cloudtrail" and not stringContains(message, "userName=") and event.action == "CreateLoginProfile""#;
    let c = clauses(q);
    assert!(
        c.contains(&vec![(
            "data_stream.dataset".into(),
            Test::Equals,
            s(&["aws.cloudtrail"])
        )]),
        "{c:?}"
    );
    assert!(
        c.contains(&vec![(
            "event.action".into(),
            Test::Equals,
            s(&["CreateLoginProfile"])
        )]),
        "{c:?}"
    );
    // A requirement made inside the loop's alternatives is not kept as a requirement.
    let c =
        clauses(r#"process where startsWith(process.name, "power") or process.name == "cmd.exe""#);
    assert!(c.is_empty(), "{c:?}");
}

#[test]
fn integer_equality_is_a_guard_by_value_only() {
    let c = clauses(r#"process where process.parent.pid == 4 and process.pid in (8, 12)"#);
    assert!(
        c.contains(&vec![(
            "process.parent.pid".into(),
            Test::EqualsInt,
            s(&["4"])
        )]),
        "{c:?}"
    );
    assert!(
        c.contains(&vec![(
            "process.pid".into(),
            Test::EqualsInt,
            s(&["8", "12"])
        )]),
        "{c:?}"
    );
    // Other comparisons rule nothing out by a probe.
    assert!(clauses(r#"process where process.pid > 4"#).is_empty());
    assert!(clauses(r#"process where process.pid != 4"#).is_empty());
}

#[test]
fn regexes_give_the_literals_every_match_contains() {
    let atoms = |p: &str, ci: bool| regex_atoms(p, ci, 3);
    // A counted run of one character is a literal run; `.*` around it is not.
    assert_eq!(atoms(".*[ ]{20,}.*", false), Some(vec![" ".repeat(20)]));
    assert_eq!(atoms("([^ ]+[ ]{3,}[^ ]*){3,}.*", false), Some(s(&["   "])));
    // Alternatives give one atom each; the longest run of a concatenation wins.
    assert_eq!(
        atoms(
            r"(C:\\Program Files \(x86\)\\|C:\\Program Files\\)\w+.exe",
            false
        ),
        Some(s(&["c:\\program files (x86)\\", "c:\\program files\\"]))
    );
    // Case folding: the ASCII letters' two cases stay in the run, but `k` and `s` also fold
    // to non-ASCII characters (U+212A, U+017F) and end it.
    assert_eq!(atoms("/tmp/abc.*", true), Some(s(&["/tmp/abc"])));
    assert_eq!(atoms("disk_topfile", true), Some(s(&["_topfile"])));
    assert_eq!(atoms("disk_topfile", false), Some(s(&["disk_topfile"])));
    // An optional part, a short run or an unknown piece gives nothing.
    assert_eq!(atoms("(abcdef)?x", false), None);
    assert_eq!(atoms("ab.*cd", false), None);
    assert_eq!(atoms("abc|.*", false), None);
    assert_eq!(atoms("[a-z]+", false), None);
}

#[test]
fn regex_tests_are_atom_guards() {
    let c = clauses(r#"process where process.command_line regex ".*[ ]{20,}.*""#);
    assert_eq!(
        c,
        vec![vec![(
            "process.command_line".into(),
            Test::Contains,
            vec![" ".repeat(20)]
        )]]
    );
    // A regex without a usable literal gives no clause; beside an equality it weakens nothing.
    let c = clauses(r#"process where process.name == "a" and process.command_line regex "[a-z]+""#);
    assert_eq!(
        c,
        vec![vec![("process.name".into(), Test::Equals, s(&["a"]))]]
    );
}

#[test]
fn the_stage_profile_counts_runs_and_trues_per_stage() {
    use eqlvm::vm::engine::{Engine, EngineOptions};
    // The process query's stage meets the three process events and is true for two.
    let mut engine = Engine::new(
        common::compile(r#"process where process.name == "bash""#),
        &EngineOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    engine.set_stage_profile(true);
    let lines = [
        r#"{"event":{"category":"process"},"process":{"name":"bash"}}"#,
        r#"{"event":{"category":"process"},"process":{"name":"sh"}}"#,
        r#"{"event":{"category":"network"},"process":{"name":"bash"}}"#,
        r#"{"event":{"category":"process"},"process":{"name":"bash"}}"#,
    ];
    let mut out = Vec::new();
    for l in lines {
        engine.line_mut().clear();
        engine.line_mut().extend_from_slice(l.as_bytes());
        engine
            .process(&mut out)
            .unwrap_or_else(|e| panic!("{l}: {e}"));
    }
    assert_eq!(out.len(), 2);
    let prof = engine.stage_profile();
    assert_eq!(prof.len(), 1, "{prof:?}");
    assert_eq!((prof[0].query, prof[0].stage), (0, 0));
    assert_eq!((prof[0].runs, prof[0].trues), (3, 2));
    // Switched off, the counts are gone.
    engine.set_stage_profile(false);
    assert!(engine.stage_profile().is_empty());
}

#[test]
fn a_stage_guarded_by_categorical_fields_alone_also_indexes_another_field() {
    // Fifty short atoms are estimated to let nearly every value through, too weak to index
    // alone; beside `host.os.type` (a field of few values) the stage is indexed on both.
    let tlds: Vec<String> = (0..50).map(|i| format!("\"*.x{i:02}\"")).collect();
    let q = format!(
        "network where host.os.type == \"linux\" and dns.question.name : ({})",
        tlds.join(", ")
    );
    let p = common::compile(&q);
    let pf = eqlvm::vm::engine::prefilter::Prefilter::new(&p);
    let fields: Vec<Vec<String>> = pf
        .indexed(0)
        .iter()
        .map(|c| c.iter().map(|g| p.fields[g.slot].path.clone()).collect())
        .collect();
    assert_eq!(
        fields,
        vec![
            vec!["host.os.type".to_string()],
            vec!["dns.question.name".to_string()]
        ],
        "{fields:?}"
    );
}
