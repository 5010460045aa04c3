//! One module per subcommand.

pub mod demo;
pub mod eval_cases;
pub mod gen;
pub mod import;
pub mod info;
pub mod snapshot;
