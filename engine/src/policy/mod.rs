//! The IAM policy language and request evaluation.
//!
//! * [`parse`]: JSON (or URL-encoded JSON) to a typed [`ast::PolicyDocument`], with
//!   errors naming the JSON path;
//! * [`catalog`](mod@catalog): AWS's service authorization reference (actions, access levels,
//!   resource types and ARN templates, condition keys, RCP support), compiled in;
//! * [`compile`]: documents to [`CompiledPolicy`] matchers (action bitmaps, wildcard
//!   patterns, principal matchers, conditions); compile each distinct document once;
//! * [`eval`]: AWS's decision logic over [`Layers`] of policies, in three values
//!   ([`Decision::Conditional`] when unknown context keys matter);
//! * [`explain`](mod@explain): the same evaluation, recording why;
//! * [`cases`]: the oracle case format, used by `blastgraph eval-cases` and tests.
//!
//! ```
//! use blastgraph_engine::policy::*;
//! let p = CompiledPolicy::from_text("p", r#"{"Version":"2012-10-17","Statement":
//!     {"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}}"#,
//!     PolicyKind::Identity).unwrap();
//! let principal = Principal::parse("arn:aws:iam::111111111111:user/alice");
//! let action = Action::new("s3:GetObject");
//! let context = Context::new(Mode::Strict);
//! let layers = Layers { identity: vec![&p], ..Layers::default() };
//! let req = Request { principal: &principal, action: &action, resource: "arn:aws:s3:::b/k",
//!                     resource_account: Some("111111111111"), context: &context };
//! assert_eq!(evaluate(&layers, &req), Decision::Allow);
//! ```

pub mod ast;
pub mod cases;
pub mod catalog;
pub mod compile;
pub mod condition;
pub mod context;
pub mod error;
pub mod eval;
pub mod explain;
pub mod glob;
pub mod parse;
pub mod principal;
pub mod resolve;
pub mod resource;
pub mod tri;
pub mod variables;

pub use ast::{Effect, PolicyDocument, Version};
pub use catalog::{catalog, AccessLevel, ActionId, Catalog};
pub use compile::{
    ActionMatcher, CompiledPolicy, CompiledStatement, ResourceMatcher, StatementMatch,
};
pub use context::{Action, Context, ContextValue, Mode, Principal, PrincipalKind, Request};
pub use error::PolicyError;
pub use eval::{evaluate, Decision, LayerKind, Layers};
pub use explain::{explain, Explanation, Outcome};
pub use parse::{parse_policy, PolicyKind};
pub use principal::PrincipalMatch;
pub use tri::Tri;
