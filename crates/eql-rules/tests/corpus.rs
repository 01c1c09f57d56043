//! The whole shared corpus of upstream rules loads, with layouts detected from content.

use eql_rules::{Layout, Maturity, RuleSet};
use std::path::Path;

const CORPUS: &str = "/work/shared/corpus";

fn count_toml(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            n += count_toml(&p);
        } else if p.extension().is_some_and(|e| e == "toml") {
            n += 1;
        }
    }
    n
}

#[test]
fn whole_corpus_loads() {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        println!("note: {CORPUS} is absent; skipping the corpus check");
        return;
    }
    let expected = count_toml(root);
    assert_eq!(
        expected, 2164,
        "978 detection-rules + 1,186 behaviour rules"
    );
    // each upstream repository is a clean set on its own
    let clean = |sub: &str| {
        let set = RuleSet::load_path(root.join(sub));
        let shown: Vec<String> = set.diagnostics.iter().take(5).map(|d| d.render()).collect();
        assert!(
            set.diagnostics.is_empty(),
            "{sub}: {} diagnostics:\n{}",
            set.diagnostics.len(),
            shown.join("\n")
        );
        assert_eq!(
            set.rules.len(),
            set.files.len(),
            "{sub}: every file gives one rule"
        );
        set
    };
    let dr_set = clean("detection-rules");
    let be_set = clean("protections-artifacts");

    // Together they share one id (a detection rule and a behaviour rule for Deno), which is no
    // clash: the two products keep separate id spaces, so the whole corpus is one clean set.
    let set = RuleSet::load_path(root);
    assert_eq!(set.files.len(), expected);
    assert!(
        set.files.iter().all(|f| f.rule_id.is_some()),
        "every file loads"
    );
    assert!(!set.has_errors(), "{}", set.render_diagnostics());
    assert_eq!(set.rules.len(), expected);
    let deno: Vec<_> = set
        .rules
        .iter()
        .filter(|r| r.id == "ff18d24b-2ba6-4691-a17f-75c4380d0965")
        .map(|r| r.layout)
        .collect();
    assert_eq!(deno.len(), 2, "both Deno rules are kept");
    assert_ne!(deno[0], deno[1]);

    let count = |layout| {
        set.files
            .iter()
            .filter(|f| f.layout == Some(layout))
            .count()
    };
    assert_eq!(count(Layout::DetectionRules), 978);
    assert_eq!(count(Layout::EndpointBehavior), 1186);
    for f in &set.files {
        let is_dr = f.path.starts_with(root.join("detection-rules"));
        let want = if is_dr {
            Layout::DetectionRules
        } else {
            Layout::EndpointBehavior
        };
        assert_eq!(f.layout, Some(want), "{}", f.path.display());
    }

    assert!(set
        .rules
        .iter()
        .all(|r| r.is_eql() && !r.query.trim().is_empty()));
    assert!(
        set.rules.iter().all(|r| r.origin.is_exact()),
        "corpus queries are literal strings"
    );
    // facts counted independently with Python's tomllib over the same files
    assert!(dr_set
        .rules
        .iter()
        .all(|r| r.layout == Layout::DetectionRules));
    assert!(be_set
        .rules
        .iter()
        .all(|r| r.layout == Layout::EndpointBehavior));
    let dr = || dr_set.rules.iter();
    let be = || be_set.rules.iter();
    assert_eq!(
        dr().filter(|r| r.maturity == Some(Maturity::Deprecated))
            .count(),
        53
    );
    assert_eq!(dr().filter(|r| r.is_building_block()).count(), 71);
    assert_eq!(
        dr().filter(|r| r.extra.contains_key("transform")).count(),
        188
    );
    assert_eq!(
        dr().filter(|r| r.extra.contains_key("rule.investigation_fields"))
            .count(),
        151
    );
    assert_eq!(
        dr().filter(|r| r.timestamp_override.as_deref() == Some("event.ingested"))
            .count(),
        832
    );
    assert_eq!(dr().filter(|r| r.max_signals != 100).count(), 9);
    assert_eq!(be().map(|r| r.actions.len()).sum::<usize>(), 1741);
    assert_eq!(be().map(|r| r.optional_actions.len()).sum::<usize>(), 424);
    assert!(be().all(|r| r.internal.contains_key("min_endpoint_version") && !r.os_list.is_empty()));
    let techniques: usize = dr()
        .chain(be())
        .flat_map(|r| &r.threat)
        .map(|t| t.techniques.len())
        .sum();
    assert_eq!(techniques, 2302 + 1913);
}
