//! One module per subcommand.

pub mod baseline;
pub mod check;
pub mod ci_common;
pub mod eval_cases;
pub mod demo;
pub mod diff;
pub mod import;
pub mod info;
pub mod simulate;
pub mod simulate_args;
pub mod snapshot;
