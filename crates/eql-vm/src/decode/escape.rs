//! JSON string unescaping (all escapes, `\uXXXX` with surrogate pairs; lone surrogates → U+FFFD).

use super::lexer::find_quote_or_backslash;
use super::simd::backslashes;

/// The first backslash in `b` from `from` on: 16 bytes at a time, then a byte at a time (the
/// runs between escapes are mostly short, for which a general search costs more to set up).
#[inline]
fn next_backslash(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(block) = b.get(i..).and_then(<[u8]>::first_chunk::<16>) {
        let hits = backslashes(block);
        if hits != 0 {
            return Some(i + hits.trailing_zeros() as usize);
        }
        i += 16;
    }
    let rest = b.get(i..)?;
    rest.iter().position(|&c| c == b'\\').map(|j| i + j)
}

/// What the escape whose backslash is at `b[p]` stands for.
enum Escape {
    /// `\"`, `\\` or `\/`: the byte after the backslash itself, so the next run of text
    /// can start there (Windows paths are mostly `\\` escapes).
    Itself,
    /// Any other escape: this character, and the index just past the escape.
    Char(char, usize),
}

/// Reads the escape whose backslash is at `b[p]`; `None` when it is invalid.
#[inline]
fn escape_at(b: &[u8], p: usize) -> Option<Escape> {
    let ch = match *b.get(p + 1)? {
        b'"' | b'\\' | b'/' => return Some(Escape::Itself),
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hi = hex4(b, p + 2)?;
            let next = p + 6;
            if (0xD800..0xDC00).contains(&hi) {
                return Some(match low_surrogate(b, next) {
                    Some(lo) => {
                        let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                        Escape::Char(char::from_u32(cp).unwrap_or('\u{FFFD}'), next + 6)
                    }
                    None => Escape::Char('\u{FFFD}', next),
                });
            }
            // Lone low surrogates are not chars: they become U+FFFD.
            return Some(Escape::Char(char::from_u32(hi).unwrap_or('\u{FFFD}'), next));
        }
        _ => return None,
    };
    Some(Escape::Char(ch, p + 2))
}

/// Appends the unescaped form of `raw` (the text between a JSON string's quotes) to `out`.
/// On an invalid escape, returns the offset of its backslash within `raw`.
pub(crate) fn unescape_into(raw: &str, out: &mut String) -> Result<(), usize> {
    let b = raw.as_bytes();
    // `raw[i..]` is copied as it is up to the next escape, searched for from `from`.
    let (mut i, mut from) = (0, 0);
    while let Some(p) = next_backslash(b, from) {
        // Backslashes and escape characters are ASCII, so `i` and `p` are char boundaries.
        out.push_str(&raw[i..p]);
        match escape_at(b, p).ok_or(p)? {
            Escape::Itself => (i, from) = (p + 1, p + 2),
            Escape::Char(ch, next) => {
                out.push(ch);
                (i, from) = (next, next);
            }
        }
    }
    out.push_str(&raw[i..]);
    Ok(())
}

/// Appends to `out` the unescaped text of the JSON string of `text` whose text starts at
/// `start` (right after its opening quote) and whose first backslash is at `first`, reading
/// it once (the callers found `first` looking for its end); returns the index of its closing
/// quote. `None` when it has an invalid escape or no end (`out` then holds part of it).
pub(crate) fn unescape_to_quote(
    text: &str,
    start: usize,
    first: usize,
    out: &mut String,
) -> Option<usize> {
    let b = text.as_bytes();
    // `text[run..]` is copied as it is up to the next quote or backslash, `p`.
    let (mut run, mut p) = (start, first);
    loop {
        // Quotes, backslashes and escape characters are ASCII: `run` and `p` are char
        // boundaries.
        out.push_str(text.get(run..p)?);
        if *b.get(p)? == b'"' {
            return Some(p);
        }
        let from = match escape_at(b, p)? {
            Escape::Itself => {
                run = p + 1;
                p + 2
            }
            Escape::Char(ch, next) => {
                out.push(ch);
                run = next;
                next
            }
        };
        p = find_quote_or_backslash(b, from)?;
    }
}

/// The low surrogate of a `\uDC00`..`\uDFFF` escape at `at`, if there is one.
fn low_surrogate(b: &[u8], at: usize) -> Option<u32> {
    if b.get(at) != Some(&b'\\') || b.get(at + 1) != Some(&b'u') {
        return None;
    }
    hex4(b, at + 2).filter(|lo| (0xDC00..0xE000).contains(lo))
}

/// The value of four hex digits at `at`.
pub(crate) fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let digits = b.get(at..at + 4)?;
    let mut v = 0u32;
    for &d in digits {
        v = v * 16 + (d as char).to_digit(16)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn un(raw: &str) -> Result<String, usize> {
        let mut s = String::from("pre:");
        unescape_into(raw, &mut s).map(|()| s[4..].to_string())
    }

    #[test]
    fn simple_escapes() {
        assert_eq!(
            un(r#"a\"b\\c\/d\be\ff\ng\rh\ti"#).unwrap(),
            "a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti"
        );
        assert_eq!(
            un(r"C:\\Windows\\System32").unwrap(),
            r"C:\Windows\System32"
        );
        assert_eq!(un("no escapes é").unwrap(), "no escapes é");
    }

    #[test]
    fn unicode_escapes() {
        assert_eq!(un(r"\u0041\u00e9\u4e2d").unwrap(), "Aé中");
        assert_eq!(un(r"\uD83D\uDE00!").unwrap(), "😀!");
        assert_eq!(un(r"\ud83d\ude00").unwrap(), "😀");
    }

    #[test]
    fn lone_surrogates_become_replacement() {
        assert_eq!(un(r"a\uD83Db").unwrap(), "a\u{FFFD}b");
        assert_eq!(un(r"a\uDE00b").unwrap(), "a\u{FFFD}b");
        assert_eq!(un(r"\uD83D\u0041").unwrap(), "\u{FFFD}A");
        assert_eq!(un(r"\uD83D\uD83D\uDE00").unwrap(), "\u{FFFD}😀");
        assert_eq!(un(r"\uD83D").unwrap(), "\u{FFFD}");
    }

    #[test]
    fn finds_every_backslash_across_blocks() {
        // Escapes at every offset around the 16-byte blocks, among multi-byte characters.
        let pieces = [
            "a",
            "é",
            "\\\\",
            "\\n",
            "\\\"",
            "\\u00e9",
            "\\uD83D\\uDE00",
            "\\x",
            "中",
            "\\uD83D",
            "\\/",
            "\\\\\\\\",
            "\\t",
        ];
        let mut x = 0x2545_F491_4F6C_DD1D_u64;
        let mut checked = 0;
        for _ in 0..20_000 {
            let mut raw = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x % 40) as usize;
            for k in 0..n {
                let y = x.rotate_left(k as u32 * 5);
                raw.push_str(pieces[(y % pieces.len() as u64) as usize]);
            }
            // From every start, the same backslash as a plain search finds.
            let b = raw.as_bytes();
            for i in 0..=b.len() {
                let want = memchr::memchr(b'\\', &b[i..]).map(|j| i + j);
                assert_eq!(next_backslash(b, i), want, "{raw:?} from {i}");
            }
            // The text agrees with serde_json wherever that takes the string (it refuses lone
            // surrogates and invalid escapes).
            if let Ok(want) = serde_json::from_str::<String>(&format!("\"{raw}\"")) {
                assert_eq!(un(&raw), Ok(want), "{raw:?}");
                checked += 1;
            }
            // Read from its first backslash to its closing quote in a line, the same text.
            let line = format!("{{\"k\":\"{raw}\",\"x\":\"\\\\\"}}");
            let open = 6;
            let lb = line.as_bytes();
            if let Some(first) = find_quote_or_backslash(lb, open).filter(|&p| lb[p] == b'\\') {
                let mut out = String::from("pre:");
                let end = unescape_to_quote(&line, open, first, &mut out);
                match un(&raw) {
                    Ok(want) => {
                        assert_eq!(end, Some(open + raw.len()), "{raw:?}");
                        assert_eq!(out.get(4..), Some(want.as_str()), "{raw:?}");
                    }
                    Err(_) => assert_eq!(end, None, "{raw:?}"),
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    /// A string read from its first backslash ends at its closing quote, not at an escaped
    /// one, and an unterminated or badly escaped one gives up.
    #[test]
    fn unescape_to_quote_ends_at_the_closing_quote() {
        let read = |line: &str, first: usize| {
            let mut out = String::new();
            unescape_to_quote(line, 1, first, &mut out).map(|end| (end, out))
        };
        assert_eq!(
            read(r#""C:\\Windows\"x\u00e9","b""#, 3),
            Some((21, "C:\\Windows\"x\u{e9}".to_string()))
        );
        assert_eq!(read(r#""ab\"#, 3), None);
        assert_eq!(read(r#""ab\\cd"#, 3), None);
        assert_eq!(read(r#""ab\q""#, 3), None);
    }

    #[test]
    fn invalid_escapes() {
        assert_eq!(un(r"ab\x"), Err(2));
        assert_eq!(un(r"ab\u12g4"), Err(2));
        assert_eq!(un(r"ab\u12"), Err(2));
        assert_eq!(un(r"ab\"), Err(2));
    }
}
