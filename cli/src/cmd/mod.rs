//! One module per subcommand.

pub mod can;
pub mod demo;
pub mod eval_cases;
pub mod import;
pub mod info;
pub mod snapshot;
