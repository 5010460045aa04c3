//! One module per subcommand.

pub mod eval_cases;
pub mod demo;
pub mod import;
pub mod info;
pub mod gen;
pub mod snapshot;
