//! The `eqlvm` command line: check, compile, run and query EQL rules over NDJSON events.

mod input;
mod rules_cmd;
mod run;
mod spec;

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

#[derive(Subcommand)]
enum Command {
    /// Run rules over events and write one JSON alert per line to stdout.
    Run {
        /// A rule file or a folder of rule files (repeatable).
        #[arg(long = "rules", value_name = "PATH", required = true)]
        rules: Vec<PathBuf>,
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
            schema,
            events,
        } => run::run_rules(&rules, &schema, &events),
        Command::Check {
            paths,
            schema,
            warnings,
            time,
        } => rules_cmd::check(&paths, &schema, warnings, time),
        Command::Compile {
            paths,
            disasm,
            schema,
        } => rules_cmd::compile(&paths, &schema, disasm),
        Command::Query {
            query,
            events,
            schema,
            disasm,
        } => run::query(&query, &events, &schema, disasm),
        Command::Spec { dir } => spec::spec(&dir),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("eqlvm: {e}");
            ExitCode::from(2)
        }
    }
}
