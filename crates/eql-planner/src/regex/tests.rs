//! Translation table and behaviour tests for the Lucene regex dialect.

use super::translate;
use regex_automata::meta::Regex;

fn matches(lucene: &str, text: &str) -> bool {
    let pattern = translate(lucene).unwrap_or_else(|e| panic!("{lucene}: {e:?}"));
    let re = Regex::new(&pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
    re.is_match(text)
}

#[test]
fn translation_table() {
    let table = [
        ("abc", r"^(?s:abc)$"),
        ("a.c", r"^(?s:a.c)$"),
        ("ab*", r"^(?s:a(?:b)*)$"),
        ("a+?", r"^(?s:(?:(?:a)+)?)$"),
        ("a{2,3}", r"^(?s:(?:a){2,3})$"),
        ("a{2,}", r"^(?s:(?:a){2,})$"),
        ("a{2}", r"^(?s:(?:a){2})$"),
        ("a|bc", r"^(?s:a|bc)$"),
        ("(ab)*", r"^(?s:(?:(?:ab))*)$"),
        ("()", r"^(?s:(?:))$"),
        ("[a-c]", r"^(?s:[a-c])$"),
        ("[^a-c.]", r"^(?s:[^a-c\x{2E}])$"),
        (r#""a.b""#, r"^(?s:(?:a\.b))$"),
        (r"\.\@", r"^(?s:\.@)$"),
        ("@", r"^(?s:(?:.*))$"),
        ("#", r"^(?s:[a&&b])$"),
        ("x^y$", r"^(?s:x\^y\$)$"),
        ("<1-3>", r"^(?s:(?:[1-3]))$"),
        ("<1-10>", r"^(?s:0*(?:[1-9]|10))$"),
        ("<01-12>", r"^(?s:(?:(?:0[1-9]|1[0-2])))$"),
        (r"\d\s\w", r"^(?s:[0-9][ \t\n\x0B\f\r][0-9A-Za-z_])$"),
        (r"[\d_]", r"^(?s:[0-9\x{5F}])$"),
        ("*a", r"^(?s:\*a)$"),
    ];
    for (lucene, expected) in table {
        assert_eq!(translate(lucene).as_deref(), Ok(expected), "{lucene}");
    }
}

#[test]
fn anchored_whole_value() {
    assert!(matches("ab.", "abc"));
    assert!(!matches("ab", "xabc"));
    assert!(!matches("ab", "abc"));
    assert!(matches("a.c", "a\nc"), "`.` matches a newline in Lucene");
    assert!(matches("@", "anything\nat all"));
    assert!(matches("@", ""));
    assert!(!matches("#", ""));
    assert!(!matches("#|#", "a"));
    assert!(matches("#|a", "a"));
}

#[test]
fn literals_special_in_rust_but_not_in_lucene() {
    assert!(matches("^a$", "^a$"));
    assert!(matches("a-b", "a-b"));
    assert!(matches(r#""(x)*""#, "(x)*"));
    assert!(matches(r"C:\\Windows\\.*", r"C:\Windows\System32"));
    assert!(matches("[.]", "."));
    assert!(!matches("[.]", "a"));
    assert!(matches("[ ]+", "   "));
}

#[test]
fn numeric_intervals_match_exactly_their_numbers() {
    let cases = [
        ("1", "100"),
        ("0", "9"),
        ("7", "7"),
        ("13", "245"),
        ("0", "1000"),
        ("10", "99"),
        ("005", "120"),
        ("99", "101"),
        ("123", "129"),
    ];
    for (lo, hi) in cases {
        let pat = format!("<{lo}-{hi}>");
        let (min, max): (u64, u64) = (lo.parse().unwrap_or(0), hi.parse().unwrap_or(0));
        let fixed = lo.len() == hi.len();
        for n in 0..=1200u64 {
            let plain = n.to_string();
            let inside = n >= min && n <= max;
            if fixed {
                let padded = format!("{n:0w$}", w = lo.len());
                assert_eq!(
                    matches(&pat, &padded),
                    inside && padded.len() == lo.len(),
                    "{pat} on {padded}"
                );
            } else {
                assert_eq!(matches(&pat, &plain), inside, "{pat} on {plain}");
                assert_eq!(
                    matches(&pat, &format!("00{plain}")),
                    inside,
                    "{pat} on 00{plain}"
                );
            }
        }
    }
}

#[test]
fn errors() {
    let err = |p: &str| translate(p).err().map(|e| (e.message, e.offset));
    assert_eq!(
        err("a~b"),
        Some(("the complement operator `~` is not supported (escape it as `\\~` to match a literal `~`)".into(), 1))
    );
    assert_eq!(
        err("a&b"),
        Some(("the intersection operator `&` is not supported (escape it as `\\&` to match a literal `&`)".into(), 1))
    );
    assert_eq!(err("(ab"), Some(("expected `)`".into(), 3)));
    assert_eq!(err("ab)"), Some(("unexpected `)`".into(), 2)));
    assert_eq!(err("[ab"), Some(("unterminated character class".into(), 0)));
    assert_eq!(
        err("a|"),
        Some(("empty alternative in regular expression".into(), 2))
    );
    assert_eq!(err("\"ab"), Some(("unterminated quoted string".into(), 0)));
    assert_eq!(
        err("<5-1>"),
        Some(("interval `<5-1>` has its bounds out of order".into(), 0))
    );
    assert_eq!(
        err("<abc>"),
        Some((
            "`<abc>` is not supported: only numeric intervals `<n-m>` are".into(),
            0
        ))
    );
    assert_eq!(err("a{x}"), Some(("expected a number after `{`".into(), 2)));
    assert_eq!(
        err("[z-a]"),
        Some(("character range out of order".into(), 4))
    );
    assert!(translate(r"\~\&\<\#\@").is_ok());
}
