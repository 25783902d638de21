//! The `kubectl-zk` binary: parse, run, exit. Everything else lives in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    kubectl_zk::run(std::env::args_os())
}
