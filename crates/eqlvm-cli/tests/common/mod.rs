//! Helpers shared by the `eqlvm` binary tests: run the binary from the workspace root, read its
//! output, and make scratch files.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The sample events every test runs over.
pub const EVENTS: &str = "examples/data/reverse_shell_events.ndjson";

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `eqlvm` with `args` from the workspace root.
pub fn eqlvm(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_eqlvm"))
        .current_dir(root())
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot start eqlvm: {e}"),
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A scratch folder private to one test; it and everything in it are removed when it is dropped.
pub struct Scratch(tempfile::TempDir);

impl Scratch {
    pub fn new() -> Scratch {
        match tempfile::Builder::new().prefix("eqlvm-test-").tempdir() {
            Ok(dir) => Scratch(dir),
            Err(e) => panic!("cannot make a scratch folder: {e}"),
        }
    }

    /// `name` inside the scratch folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

/// Runs `eqlvm` with `args`, reads the first line of its output and then closes the pipe, as
/// `| head -1` does; returns that line and how the process ended.
pub fn first_line_then_close(args: &[&str]) -> (String, Output) {
    let mut child = match Command::new(env!("CARGO_BIN_EXE_eqlvm"))
        .current_dir(root())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!("cannot start eqlvm: {e}"),
    };
    let mut first = String::new();
    if let Some(out) = child.stdout.take() {
        let mut r = BufReader::new(out);
        let _ = r.read_line(&mut first);
        // Dropping the reader closes the pipe.
    }
    match child.wait_with_output() {
        Ok(o) => (first, o),
        Err(e) => panic!("{e}"),
    }
}
