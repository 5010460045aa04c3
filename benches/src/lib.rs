//! Shared helpers for the benches.

pub mod policy_fixture;
