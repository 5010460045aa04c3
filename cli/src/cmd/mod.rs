//! One module per subcommand.

pub mod import;
pub mod info;
pub mod snapshot;
