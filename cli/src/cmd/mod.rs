//! One module per subcommand.

pub mod eval_cases;
pub mod snapshot;
