//! Reading inputs: rule sets and schemas from paths, NDJSON events line by line from files or
//! standard input.

use crate::SchemaArgs;
use eqlvm::pipeline::CompileOptions;
use eqlvm::planner::schema::SchemaSet;
use eqlvm::planner::Schema;
use eqlvm::rules::RuleSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A command's failure, said in words.
pub type CmdResult<T> = Result<T, String>;

/// Compile options from the command-line schema flags. `--schema` may name ECS's
/// `ecs_flat.yml`, a folder holding it, or a schema folder laid out as `../shared/schema`
/// (`ecs/`, `integrations/`, `detection-rules/`), whose pieces are then chosen per rule by its
/// index patterns.
pub fn compile_options(args: &SchemaArgs) -> CmdResult<CompileOptions> {
    let mut opts = CompileOptions {
        strict: args.strict,
        ..CompileOptions::default()
    };
    let Some(path) = &args.schema else {
        return Ok(opts);
    };
    if path.is_dir()
        && ["integrations", "detection-rules"]
            .iter()
            .any(|d| path.join(d).is_dir())
    {
        let set = SchemaSet::load_dir(path, Schema::builtin())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        // Queries that name no index (`eqlvm query`) see the built-in table and ECS.
        opts.schema = set.common();
        opts.schemas = Some(Arc::new(set));
        return Ok(opts);
    }
    let file = if path.is_dir() {
        [path.join("ecs/ecs_flat.yml"), path.join("ecs_flat.yml")]
            .into_iter()
            .find(|p| p.is_file())
    } else {
        Some(path.clone())
    };
    let Some(file) = file else {
        return Err(format!(
            "{}: no ecs_flat.yml found in this folder",
            path.display()
        ));
    };
    let ecs = Schema::load_ecs_flat(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    opts.schema.merge(&ecs);
    Ok(opts)
}

/// Loads every rule under the paths into one set (ids must be unique across all of them).
pub fn load_rules(paths: &[PathBuf]) -> RuleSet {
    if let [one] = paths {
        return RuleSet::load_path(one);
    }
    let mut files = Vec::new();
    for p in paths {
        collect_files(p, &mut files);
    }
    RuleSet::from_loaded(files.iter().map(|f| eqlvm::rules::load_file(f)))
}

fn collect_files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                collect_files(&e, out);
            } else if eqlvm::rules::is_rule_file(&e) {
                out.push(e);
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
}

/// An NDJSON source: a named reader (buffered, so a caller can see when a read may wait).
pub struct EventSource {
    pub name: String,
    pub reader: BufReader<Box<dyn Read>>,
}

/// Opens the event inputs (`-` is standard input).
pub fn open_events(paths: &[PathBuf]) -> CmdResult<Vec<EventSource>> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(EventSource {
                name: "<stdin>".into(),
                reader: BufReader::with_capacity(1 << 16, Box::new(std::io::stdin())),
            });
        } else {
            let f = std::fs::File::open(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let r: Box<dyn Read> = Box::new(f);
            out.push(EventSource {
                name: p.display().to_string(),
                reader: BufReader::with_capacity(1 << 16, r),
            });
        }
    }
    Ok(out)
}

/// Reads the next line into `buf` without its line ending. Returns false at the end.
/// `BufRead::read_until` does the same, but finds the newline with the standard library's
/// word-at-a-time search; `memchr`'s SIMD search costs a tenth of its instructions a byte.
pub fn next_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    buf.clear();
    let mut read = false;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        read = true;
        let (ended, used) = match memchr::memchr(b'\n', chunk) {
            Some(at) => {
                buf.extend_from_slice(chunk.get(..at).unwrap_or(chunk));
                (true, at + 1)
            }
            None => {
                buf.extend_from_slice(chunk);
                (false, chunk.len())
            }
        };
        reader.consume(used);
        if ended {
            break;
        }
    }
    while matches!(buf.last(), Some(b'\r')) {
        buf.pop();
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::next_line;
    use std::io::BufReader;

    /// Every line comes out whole and without its ending, whatever the reader's buffer size
    /// cuts it into: CRLF endings, blank lines, a last line without a newline.
    #[test]
    fn next_line_reads_each_line_across_buffer_edges() {
        let text = b"{\"a\":1}\r\n\n{\"b\":\"two\"}\nthree\r\r\nlast-without-newline";
        let want: Vec<&[u8]> = vec![
            b"{\"a\":1}",
            b"",
            b"{\"b\":\"two\"}",
            b"three",
            b"last-without-newline",
        ];
        for cap in [1, 2, 3, 7, 8, 64] {
            let mut reader = BufReader::with_capacity(cap, &text[..]);
            let mut buf = Vec::new();
            let mut got = Vec::new();
            while next_line(&mut reader, &mut buf).unwrap_or(false) {
                got.push(buf.clone());
            }
            assert_eq!(got, want, "buffer of {cap}");
        }
        let mut empty = BufReader::new(&b""[..]);
        assert!(!next_line(&mut empty, &mut Vec::new()).unwrap_or(true));
    }
}
