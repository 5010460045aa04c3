//! IAM policy language and evaluation (filled in by the policy-engine work).
