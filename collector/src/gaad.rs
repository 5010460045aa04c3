//! Import of `aws iam get-account-authorization-details` output.
