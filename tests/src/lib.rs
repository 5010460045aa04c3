//! Helpers shared by the end-to-end tests.

pub mod demo_org;
pub mod policy_gen;
