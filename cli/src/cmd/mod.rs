//! One module per subcommand.

pub mod demo;
pub mod import;
pub mod info;
pub mod simulate_args;
pub mod snapshot;
