//! `liftoff`: parse the command line, set up logging and the runtime, run, exit with a code
//! that says what kind of failure happened. Everything else lives in the library, but for the
//! demo, which runs the service against the Slack emulator the library does not link.

mod demo;

use std::process::ExitCode;

use clap::Parser;
use liftoff::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    liftoff::telemetry::init(cli.log_format, cli.default_log_filter());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("liftoff: cannot start the async runtime: {err}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(cli::run(cli, demo::run)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            for line in failure.lines() {
                eprintln!("liftoff: {line}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
