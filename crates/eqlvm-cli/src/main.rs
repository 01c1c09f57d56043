//! The `eqlvm` command line: check, compile, run and query EQL rules over NDJSON events.

mod alloc;
mod bench;
mod gen;
mod input;
mod parallel;
mod rules_cmd;
mod run;
mod spec;

/// mimalloc rather than the system allocator: each event a sequence or sample keeps is a copy of
/// its line (~1.2 kB), which glibc serves from its large-chunk path, sorting its freed small
/// blocks first on every such request; mimalloc serves it from a size class. Built without its
/// transparent huge pages (the `no_thp` feature), which would add ~30 MB of resident memory;
/// plain blocks where their alignment allows (see `alloc.rs`).
#[global_allocator]
static GLOBAL: alloc::Alloc = alloc::Alloc;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "eqlvm",
    version,
    about = "Compile EQL detection rules to bytecode and run them over NDJSON events"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options shared by the commands that compile rules.
#[derive(clap::Args, Clone)]
pub struct SchemaArgs {
    /// A schema to check fields against: ECS's flat YAML (ecs_flat.yml) or a folder holding
    /// ecs/ecs_flat.yml. The built-in schema is always included.
    #[arg(long, value_name = "PATH")]
    pub schema: Option<PathBuf>,
    /// Treat fields no schema knows as errors instead of warnings.
    #[arg(long)]
    pub strict: bool,
}

/// `--dialect` values.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum DialectArg {
    Elasticsearch,
    Endpoint,
}

impl From<DialectArg> for eqlvm::planner::Dialect {
    fn from(d: DialectArg) -> Self {
        match d {
            DialectArg::Elasticsearch => eqlvm::planner::Dialect::Elasticsearch,
            DialectArg::Endpoint => eqlvm::planner::Dialect::Endpoint,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run rules over events and write one JSON alert per line to stdout.
    Run {
        /// A rule file or a folder of rule files (repeatable).
        #[arg(long = "rules", value_name = "PATH", required_unless_present = "pack")]
        rules: Vec<PathBuf>,
        /// A compiled rule pack (`eqlvm compile -o`) to run instead of rule files.
        #[arg(long, value_name = "PACK", conflicts_with = "rules")]
        pack: Option<PathBuf>,
        /// Most join keys each sequence or sample query keeps state for, most completed
        /// sequences held back by a trailing missing stage (the oldest is released early), and
        /// most processes the lineage of `descendant of` remembers; the oldest are evicted
        /// first, and everything is counted in the summary.
        #[arg(long, value_name = "N", default_value_t = eqlvm::vm::engine::DEFAULT_MAX_STATE)]
        max_state: usize,
        /// Buffer events and run them in timestamp order, waiting this long (e.g. 30s, 5m) for
        /// late ones; later arrivals are counted as late and still evaluated.
        #[arg(long, value_name = "DURATION", value_parser = run::parse_duration)]
        reorder_window: Option<i64>,
        /// Split the events by host (`host.id`) among N engines on their own threads; the
        /// alerts, their order and the counts are those of one thread. The state cap applies
        /// per engine.
        #[arg(long, value_name = "N", default_value_t = 1,
              value_parser = clap::value_parser!(u16).range(1..=parallel::MAX_THREADS as i64))]
        threads: u16,
        #[command(flatten)]
        schema: SchemaArgs,
        /// NDJSON event files; `-` reads standard input.
        #[arg(value_name = "EVENTS", default_value = "-")]
        events: Vec<PathBuf>,
    },
    /// Load and type-check rules; exits non-zero on any error.
    Check {
        /// Rule files or folders.
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        schema: SchemaArgs,
        /// Also print every warning in full (by default only counted).
        #[arg(long)]
        warnings: bool,
        /// Print how long loading schemas, loading rule files and compiling took.
        #[arg(long)]
        time: bool,
    },
    /// Compile rules and print their bytecode.
    Compile {
        /// Rule files or folders.
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
        /// Print the disassembly.
        #[arg(long)]
        disasm: bool,
        /// Write a rule pack (program, rule metadata, checksum) for `eqlvm run --pack`.
        #[arg(short = 'o', long = "output", value_name = "PACK")]
        output: Option<PathBuf>,
        #[command(flatten)]
        schema: SchemaArgs,
    },
    /// Run one EQL query over events; prints each result as a JSON line.
    Query {
        /// The EQL query.
        query: String,
        /// NDJSON event files; `-` reads standard input.
        #[arg(value_name = "EVENTS", default_value = "-")]
        events: Vec<PathBuf>,
        #[command(flatten)]
        schema: SchemaArgs,
        /// Print the query's bytecode to stderr before running it.
        #[arg(long)]
        disasm: bool,
        /// The EQL dialect: Elasticsearch's, or Elastic Defend's endpoint engine (which adds
        /// `_arraysearch`, stage aliases, `descendant of`/`child of` and field comparisons).
        #[arg(long, value_enum, default_value_t = DialectArg::Elasticsearch)]
        dialect: DialectArg,
    },
    /// Write deterministic Elastic Defend-shaped NDJSON events (a few of them rule matches).
    Gen {
        /// How many events.
        #[arg(long, default_value_t = 100_000)]
        events: u64,
        /// The seed; the same seed gives the same events.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// Measure decode-only and full-evaluation throughput of rules over an NDJSON file.
    Bench {
        /// A rule file or a folder of rule files (repeatable).
        #[arg(long = "rules", value_name = "PATH", required_unless_present = "query")]
        rules: Vec<PathBuf>,
        /// One EQL query to measure instead of rule files.
        #[arg(long, value_name = "TEXT", conflicts_with = "rules")]
        query: Option<String>,
        #[command(flatten)]
        schema: SchemaArgs,
        /// Timed passes of each kind; medians are reported.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// After the timed passes, print the N stages whose predicates ran most often (with
        /// how often they were true and what the literal prefilter indexed for them).
        #[arg(long, value_name = "N", default_value_t = 0)]
        stage_stats: usize,
        /// The NDJSON event file (read into memory first).
        #[arg(value_name = "EVENTS")]
        events: PathBuf,
    },
    /// Replay Elasticsearch's EQL QA specs (TOML files and datasets laid out as upstream).
    Spec {
        /// The folder holding the spec files and `data/`.
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            rules,
            pack,
            max_state,
            reorder_window,
            threads,
            schema,
            events,
        } => {
            let source = match &pack {
                Some(p) => run::RuleSource::Pack(p),
                None => run::RuleSource::Rules(&rules),
            };
            let opts = run::RunOptions {
                stream: run::StreamOptions {
                    reorder_window_ns: reorder_window,
                },
                max_state: Some(max_state),
                threads: usize::from(threads),
            };
            run::run_rules(source, &schema, &events, &opts)
        }
        Command::Check {
            paths,
            schema,
            warnings,
            time,
        } => rules_cmd::check(&paths, &schema, warnings, time),
        Command::Compile {
            paths,
            disasm,
            output: Some(out),
            schema,
        } if !disasm => run::compile_pack(&paths, &schema, &out),
        Command::Compile {
            paths,
            disasm,
            schema,
            ..
        } => rules_cmd::compile(&paths, &schema, disasm),
        Command::Query {
            query,
            events,
            schema,
            disasm,
            dialect,
        } => run::query(&query, &events, &schema, disasm, dialect.into()),
        Command::Spec { dir } => spec::spec(&dir),
        Command::Gen { events, seed, out } => gen::gen(events, seed, out.as_deref()),
        Command::Bench {
            rules,
            query,
            schema,
            runs,
            stage_stats,
            events,
        } => {
            let subject = match &query {
                Some(q) => bench::Subject::Query(q),
                None => bench::Subject::Rules(&rules),
            };
            input::compile_options(&schema)
                .and_then(|opts| bench::bench(&subject, &opts, &events, runs, stage_stats))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("eqlvm: {e}");
            ExitCode::from(2)
        }
    }
}
