//! One module per subcommand.

pub mod snapshot;
