//! Scenario tests: one per edge kind and per technique, positive and negative.

mod access;
mod action_sets;
mod fixture;
mod hubs;
mod privesc_catalogue;
mod scenarios;
mod search_order;
mod streamed;
