//! One module per subcommand.

#[cfg(feature = "collect")]
pub mod collect;
pub mod snapshot;
