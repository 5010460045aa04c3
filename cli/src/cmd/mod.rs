//! One module per subcommand.

pub mod simulate_args;
pub mod snapshot;
