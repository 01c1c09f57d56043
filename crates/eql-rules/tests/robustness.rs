//! No input makes the loader panic: every prefix of real rule files, and odd documents.

use eql_rules::load_str;
use std::path::Path;

fn every_prefix(name: &str, text: &str, step: usize) {
    let mut n = 0;
    while n <= text.len() {
        if text.is_char_boundary(n) {
            let loaded = load_str(Path::new(name), &text[..n]);
            // each prefix either loads or says why not
            assert!(
                loaded.rule.is_some() || loaded.has_errors(),
                "{name}[..{n}]"
            );
            for d in &loaded.diagnostics {
                let _ = d.render();
            }
        }
        n += step;
    }
}

#[test]
fn prefixes_of_shipped_rules_never_panic() {
    let root = Path::new("../../rules/linux");
    for (name, step) in [
        ("potential_reverse_shell.toml", 3),
        ("reverse_shell_activity_via_terminal.yaml", 3),
    ] {
        let text = std::fs::read_to_string(root.join(name)).unwrap_or_default();
        assert!(!text.is_empty(), "{name} is shipped");
        every_prefix(name, &text, step);
    }
}

#[test]
fn prefixes_of_upstream_rules_never_panic() {
    let seeds = Path::new("/work/shared/seeds");
    if !seeds.is_dir() {
        println!("note: {} is absent; skipping", seeds.display());
        return;
    }
    let text = std::fs::read_to_string(seeds.join("potential_reverse_shell.v9.upstream.toml"))
        .unwrap_or_default();
    every_prefix("up.toml", &text, 5);
}

#[test]
fn odd_documents() {
    let cases = [
        ("a.toml", ""),
        ("a.toml", "rule = 5"),
        ("a.toml", "[rule]\nid = 1"),
        ("a.toml", "[metadata]\n"),
        ("a.toml", "[rule]\nos_list = \"linux\""),
        ("a.toml", "query = '''\n'''"),
        ("a.yaml", "- 1\n- 2\n"),
        ("a.yaml", "query: |\n"),
        ("a.yaml", "query: >\n  a\n  b\n"),
        ("a.yaml", "é: ü\n"),
        ("a.yaml", "\u{feff}id: x"),
        ("a.yml", "---\n---\n"),
    ];
    for (name, text) in cases {
        let loaded = load_str(Path::new(name), text);
        assert!(loaded.rule.is_none(), "{name}: {text:?}");
        assert!(loaded.has_errors(), "{name}: {text:?}");
        for d in &loaded.diagnostics {
            let _ = d.render();
        }
    }
}
