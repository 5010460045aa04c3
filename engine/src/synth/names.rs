//! Word lists that make generated names read like a real organization's.

/// Application names: services, pipelines, jobs.
pub const APPS: &[&str] = &[
    "orders",
    "payments",
    "billing",
    "catalog",
    "search",
    "auth",
    "users",
    "inventory",
    "shipping",
    "notifications",
    "analytics",
    "reports",
    "ingest",
    "etl",
    "features",
    "recommendations",
    "checkout",
    "cart",
    "pricing",
    "ledger",
    "invoices",
    "fraud",
    "identity",
    "profile",
    "media",
    "thumbnails",
    "exports",
    "imports",
    "webhooks",
    "gateway",
    "scheduler",
    "audit",
    "metrics",
    "events",
    "streams",
    "crm",
    "support",
    "chat",
    "email",
    "sms",
    "geo",
    "routing",
    "quotes",
    "claims",
    "underwriting",
    "documents",
    "archive",
    "backup",
    "sync",
    "tenant",
    "admin",
    "portal",
    "mobile-api",
    "partner-api",
    "kyc",
    "risk",
    "forecast",
    "warehouse",
    "loyalty",
    "coupons",
];

/// Short suffixes for a second word in names.
pub const PARTS: &[&str] = &[
    "api",
    "worker",
    "consumer",
    "processor",
    "sync",
    "job",
    "service",
    "handler",
    "cron",
    "backfill",
    "indexer",
    "publisher",
    "listener",
    "reconciler",
    "exporter",
];

/// Teams, used in tags and ABAC conditions.
pub const TEAMS: &[&str] = &[
    "platform", "payments", "data", "growth", "identity", "search", "mobile", "risk", "infra",
    "ml", "finance", "support",
];

/// Kubernetes namespaces of workload service accounts.
pub const NAMESPACES: &[&str] = &[
    "default",
    "apps",
    "payments",
    "data",
    "monitoring",
    "ingress",
    "platform",
    "ml",
    "batch",
    "search",
    "identity",
    "checkout",
];

/// Cluster add-ons that run with their own IRSA role in `kube-system`.
pub const SYSTEM_SERVICE_ACCOUNTS: &[&str] = &[
    "aws-load-balancer-controller",
    "external-dns",
    "cluster-autoscaler",
    "ebs-csi-controller-sa",
    "aws-node",
    "external-secrets",
    "karpenter",
    "fluent-bit",
];

/// Regions a synthetic account can use.
pub const REGIONS: &[&str] = &[
    "us-east-1",
    "eu-west-1",
    "us-west-2",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
];

/// The GitHub organization behind the CI roles.
pub const GITHUB_ORG: &str = "acme-corp";
