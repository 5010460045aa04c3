//! Resources of one account: S3 buckets, KMS keys, secrets, RDS, DynamoDB, SSM, SQS,
//! SNS, ECR and Lambda functions, with resource policies of the common shapes.
//!
//! Resources are created before the roles (whose policies name them); the policies that
//! name roles (key users, shared secrets) are added by [`finish_policies`] afterwards.

use super::builder::AccountBuilder;
use super::docs::{self, BucketGrant, FunctionInvoker};
use super::names::{APPS, PARTS, TEAMS};
use super::Misconfiguration;
use crate::snapshot::{BlockPublicAccess, KmsGrant, RdsDatabase, Resource, ResourceKind, Tags};

/// What the roles' policies can point at.
#[derive(Debug, Default)]
pub struct Inventory {
    /// Bucket names.
    pub buckets: Vec<String>,
    /// Table ARNs.
    pub tables: Vec<String>,
    /// Secret ARNs with their customer managed key ARN.
    pub secrets: Vec<(String, Option<String>)>,
    /// Resource indexes of the customer managed keys.
    pub keys: Vec<usize>,
    /// SSM parameter paths `(region, path)`.
    pub parameter_paths: Vec<(&'static str, String)>,
    /// Queue ARNs.
    pub queues: Vec<String>,
    /// Topic ARNs.
    pub topics: Vec<String>,
    /// IAM-auth databases `(region, resource id)`.
    pub iam_databases: Vec<(&'static str, String)>,
    /// Lambda functions: resource index and name.
    pub functions: Vec<(usize, String)>,
    /// Resource indexes of the secrets.
    secret_resources: Vec<usize>,
}

/// How many resources of each kind, for `total` resources of which `functions` are
/// Lambda functions.
struct Mix {
    buckets: usize,
    secrets: usize,
    keys: usize,
    databases: usize,
    tables: usize,
    queues: usize,
    topics: usize,
    repositories: usize,
    parameters: usize,
}

/// AWS managed keys every account has.
const AWS_MANAGED_KEYS: &[&str] = &["secretsmanager", "s3"];

impl Mix {
    fn new(total: usize, functions: usize) -> Self {
        let rest = total.saturating_sub(functions + AWS_MANAGED_KEYS.len());
        let share = |percent: usize| rest * percent / 100;
        let mut mix = Mix {
            buckets: share(18),
            secrets: share(14),
            keys: share(4).max(1),
            databases: share(3),
            tables: share(12),
            queues: share(8),
            topics: share(5).max(1),
            repositories: share(4),
            parameters: 0,
        };
        let used = mix.buckets
            + mix.secrets
            + mix.keys
            + mix.databases
            + mix.tables
            + mix.queues
            + mix.topics
            + mix.repositories;
        mix.parameters = rest.saturating_sub(used);
        mix
    }
}

/// Creates `total` resources (`functions` of them Lambda functions) in the account.
pub fn generate(b: &mut AccountBuilder<'_>, total: usize, functions: usize) -> Inventory {
    let mix = Mix::new(total, functions);
    let mut inventory = Inventory::default();
    for service in AWS_MANAGED_KEYS {
        aws_managed_key(b, service);
    }
    for _ in 0..mix.keys {
        let index = customer_key(b);
        inventory.keys.push(index);
    }
    for _ in 0..mix.topics {
        inventory.topics.push(topic(b));
    }
    for _ in 0..mix.queues {
        let arn = queue(b, &inventory.topics);
        inventory.queues.push(arn);
    }
    for _ in 0..mix.buckets {
        inventory.buckets.push(bucket(b));
    }
    for _ in 0..mix.secrets {
        let key = if b.rng.chance(600) {
            let index = *b.rng.pick(&inventory.keys);
            Some(b.account.resources[index].arn.clone())
        } else {
            None
        };
        let arn = secret(b, key.clone());
        inventory
            .secret_resources
            .push(b.account.resources.len() - 1);
        inventory.secrets.push((arn, key));
    }
    for _ in 0..mix.databases {
        if let Some(db) = database(b) {
            inventory.iam_databases.push(db);
        }
    }
    for _ in 0..mix.tables {
        inventory.tables.push(table(b));
    }
    for _ in 0..mix.repositories {
        repository(b);
    }
    for _ in 0..mix.parameters {
        let path = parameter(b);
        if !inventory.parameter_paths.iter().any(|(_, p)| *p == path.1)
            && inventory.parameter_paths.len() < 64
        {
            inventory.parameter_paths.push(path);
        }
    }
    for _ in 0..functions {
        let (index, name) = function(b);
        inventory.functions.push((index, name));
    }
    inventory
}

fn push(
    b: &mut AccountBuilder<'_>,
    arn: String,
    region: Option<&str>,
    kind: ResourceKind,
    policy: Option<serde_json::Value>,
    tags: Tags,
) -> usize {
    let policy = policy.map(|p| b.doc(&p));
    b.account.resources.push(Resource {
        arn,
        region: region.map(String::from),
        kind,
        policy,
        tags,
    });
    b.account.resources.len() - 1
}

fn app_tags(b: &mut AccountBuilder<'_>) -> (&'static str, Tags) {
    let app = *b.rng.pick(APPS);
    let team = *b.rng.pick(TEAMS);
    (app, b.tags(app, team))
}

/// A role of another account of the organization that data is shared with.
pub fn partner_role(b: &mut AccountBuilder<'_>) -> String {
    let placements = &b.org.placements;
    let other = &placements[b.rng.below(placements.len())].id;
    format!("arn:aws:iam::{other}:role/data-pipeline")
}

fn uuid(b: &mut AccountBuilder<'_>) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        b.rng.hex(8),
        b.rng.hex(4),
        b.rng.hex(4),
        b.rng.hex(4),
        b.rng.hex(12)
    )
}

fn aws_managed_key(b: &mut AccountBuilder<'_>, service: &str) {
    let region = b.home_region();
    let arn = format!("arn:aws:kms:{region}:{}:key/{}", b.id(), uuid(b));
    let policy = docs::aws_managed_key_policy(b.id(), service, region);
    let kind = ResourceKind::KmsKey {
        customer_managed: false,
        aliases: vec![format!("alias/aws/{service}")],
        grants: Vec::new(),
    };
    push(b, arn, Some(region), kind, Some(policy), Tags::new());
}

fn customer_key(b: &mut AccountBuilder<'_>) -> usize {
    let region = b.region();
    let (app, tags) = app_tags(b);
    let arn = format!("arn:aws:kms:{region}:{}:key/{}", b.id(), uuid(b));
    let base = format!(
        "alias/{app}-{}",
        b.rng.pick(&["data", "secrets", "logs", "backup", "app"])
    );
    let alias = b.unique_name(base);
    // Most keys keep the default policy; the rest get key users once roles exist.
    let policy = docs::key_policy_default(b.id());
    let kind = ResourceKind::KmsKey {
        customer_managed: true,
        aliases: vec![alias],
        grants: Vec::new(),
    };
    push(b, arn, Some(region), kind, Some(policy), tags)
}

fn topic(b: &mut AccountBuilder<'_>) -> String {
    let region = b.region();
    let (app, tags) = app_tags(b);
    let base = format!(
        "{app}-{}",
        b.rng
            .pick(&["events", "alerts", "notifications", "updates"])
    );
    let name = b.unique_name(base);
    let arn = format!("arn:aws:sns:{region}:{}:{name}", b.id());
    let policy = b
        .rng
        .chance(500)
        .then(|| docs::topic_policy(&arn, b.org.org_id()));
    push(
        b,
        arn.clone(),
        Some(region),
        ResourceKind::Other,
        policy,
        tags,
    );
    arn
}

fn queue(b: &mut AccountBuilder<'_>, topics: &[String]) -> String {
    let region = b.region();
    let (app, tags) = app_tags(b);
    let base = format!(
        "{app}-{}",
        b.rng.pick(&["jobs", "events", "dlq", "ingest", "tasks"])
    );
    let name = b.unique_name(base);
    let arn = format!("arn:aws:sqs:{region}:{}:{name}", b.id());
    let policy = if b.rng.chance(700) {
        let topic = b.rng.pick(topics).clone();
        Some(docs::queue_policy(&arn, &topic))
    } else {
        None
    };
    push(
        b,
        arn.clone(),
        Some(region),
        ResourceKind::Other,
        policy,
        tags,
    );
    arn
}

fn bucket(b: &mut AccountBuilder<'_>) -> String {
    let (app, tags) = app_tags(b);
    let purpose = *b.rng.pick(&[
        "data",
        "assets",
        "logs",
        "backups",
        "exports",
        "uploads",
        "artifacts",
        "reports",
    ]);
    let base = format!("acme-{app}-{purpose}-{}-{}", b.placement.kind.env(), b.id());
    let name = b.unique_name(base);
    let mut public_access = Some(BlockPublicAccess {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    });
    let policy = if b.misconfigure() {
        public_access = Some(BlockPublicAccess::default());
        b.plant(
            Misconfiguration::PublicBucket,
            &format!("arn:aws:s3:::{name}"),
        );
        Some(docs::bucket_policy(&name, BucketGrant::PublicRead))
    } else if b.rng.chance(550) {
        let partner = partner_role(b);
        let distribution = format!("E{}", b.rng.upper_alnum(13));
        let vpce = format!("vpce-{}", b.rng.hex(17));
        let org = b.org.org_id().to_string();
        let grant = match b.rng.weighted(&[40, 20, 10, 12, 15]) {
            0 => BucketGrant::None,
            1 => BucketGrant::OrgRead(&org),
            2 => BucketGrant::CrossAccountRead(&partner),
            3 => BucketGrant::CloudFront(b.id(), &distribution),
            _ => BucketGrant::VpceOnly(&vpce),
        };
        Some(docs::bucket_policy(&name, grant))
    } else {
        None
    };
    if b.rng.chance(100) {
        public_access = None;
    }
    push(
        b,
        format!("arn:aws:s3:::{name}"),
        None,
        ResourceKind::S3Bucket {
            block_public_access: public_access,
        },
        policy,
        tags,
    );
    name
}

fn secret(b: &mut AccountBuilder<'_>, kms_key_id: Option<String>) -> String {
    let region = b.region();
    let (app, tags) = app_tags(b);
    let what = *b.rng.pick(&[
        "db-credentials",
        "api-key",
        "oauth-client",
        "signing-key",
        "webhook-secret",
        "smtp",
    ]);
    let base = format!("{}/{app}/{what}", b.placement.kind.env());
    let name = b.unique_name(base);
    let arn = format!(
        "arn:aws:secretsmanager:{region}:{}:secret:{name}-{}",
        b.id(),
        b.rng.upper_alnum(6)
    );
    push(
        b,
        arn.clone(),
        Some(region),
        ResourceKind::Secret { kms_key_id },
        None,
        tags,
    );
    arn
}

fn database(b: &mut AccountBuilder<'_>) -> Option<(&'static str, String)> {
    let region = b.region();
    let (app, tags) = app_tags(b);
    let cluster = b.rng.chance(400);
    let base = format!("{app}-{}", if cluster { "cluster" } else { "db" });
    let identifier = b.unique_name(base);
    let engine = if cluster {
        *b.rng.pick(&["aurora-postgresql", "aurora-mysql"])
    } else {
        *b.rng.pick(&["postgres", "mysql", "mariadb"])
    };
    let iam_auth = b.rng.chance(400);
    let (resource_id, arn) = if cluster {
        (
            format!("cluster-{}", b.rng.upper_alnum(26)),
            format!("arn:aws:rds:{region}:{}:cluster:{identifier}", b.id()),
        )
    } else {
        (
            format!("db-{}", b.rng.upper_alnum(26)),
            format!("arn:aws:rds:{region}:{}:db:{identifier}", b.id()),
        )
    };
    let database = RdsDatabase {
        identifier,
        resource_id: resource_id.clone(),
        engine: engine.into(),
        iam_auth,
    };
    let kind = if cluster {
        ResourceKind::RdsCluster(database)
    } else {
        ResourceKind::RdsInstance(database)
    };
    push(b, arn, Some(region), kind, None, tags);
    iam_auth.then_some((region, resource_id))
}

fn table(b: &mut AccountBuilder<'_>) -> String {
    let region = b.region();
    let (app, tags) = app_tags(b);
    let base = format!(
        "{app}-{}",
        b.rng
            .pick(&["items", "sessions", "state", "events", "locks", "index"])
    );
    let name = b.unique_name(base);
    let arn = format!("arn:aws:dynamodb:{region}:{}:table/{name}", b.id());
    let policy = if b.rng.chance(40) {
        let partner = partner_role(b);
        Some(docs::table_policy(&arn, &partner))
    } else {
        None
    };
    push(
        b,
        arn.clone(),
        Some(region),
        ResourceKind::DynamoDbTable,
        policy,
        tags,
    );
    arn
}

fn repository(b: &mut AccountBuilder<'_>) {
    let region = b.region();
    let (app, tags) = app_tags(b);
    let base = format!("{app}/{}", b.rng.pick(PARTS));
    let name = b.unique_name(base);
    let arn = format!("arn:aws:ecr:{region}:{}:repository/{name}", b.id());
    let policy = b.rng.chance(500).then(|| {
        docs::policy(vec![serde_json::json!({
            "Sid": "OrgPull", "Effect": "Allow", "Principal": "*",
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": b.org.org_id()}}
        })])
    });
    push(b, arn, Some(region), ResourceKind::Other, policy, tags);
}

fn parameter(b: &mut AccountBuilder<'_>) -> (&'static str, String) {
    let region = b.region();
    let (app, tags) = app_tags(b);
    let env = b.placement.kind.env();
    let key = *b.rng.pick(&[
        "db/host",
        "db/password",
        "api/url",
        "feature-flags",
        "config",
        "api/token",
        "queue-url",
    ]);
    let base = format!("{env}/{app}/{key}");
    let name = b.unique_name(base);
    let arn = format!("arn:aws:ssm:{region}:{}:parameter/{name}", b.id());
    let secure = key.contains("password") || key.contains("token") || b.rng.chance(300);
    push(
        b,
        arn,
        Some(region),
        ResourceKind::SsmParameter { secure },
        None,
        tags,
    );
    (region, format!("{env}/{app}"))
}

fn function(b: &mut AccountBuilder<'_>) -> (usize, String) {
    let region = b.region();
    let (app, tags) = app_tags(b);
    let base = format!("{app}-{}", b.rng.pick(PARTS));
    let name = b.unique_name(base);
    let arn = format!("arn:aws:lambda:{region}:{}:function:{name}", b.id());
    let policy = if b.misconfigure() {
        b.plant(Misconfiguration::PublicFunction, &arn);
        Some(docs::function_policy(&arn, FunctionInvoker::Anyone))
    } else if b.rng.chance(450) {
        let api = format!(
            "arn:aws:execute-api:{region}:{}:{}/*/*/*",
            b.id(),
            b.rng.lower_alnum(10)
        );
        let rule = format!("arn:aws:events:{region}:{}:rule/{name}-schedule", b.id());
        let account = b.id();
        let invoker = match b.rng.weighted(&[50, 30, 20]) {
            0 => FunctionInvoker::ApiGateway(&api),
            1 => FunctionInvoker::EventRule(&rule),
            _ => FunctionInvoker::S3(account),
        };
        Some(docs::function_policy(&arn, invoker))
    } else {
        None
    };
    let kind = ResourceKind::LambdaFunction {
        execution_role_arn: None,
    };
    let index = push(b, arn, Some(region), kind, policy, tags);
    (index, name)
}

/// Adds the resource policies that name roles: key users and grants, shared secrets.
pub fn finish_policies(
    b: &mut AccountBuilder<'_>,
    inventory: &Inventory,
    workload_roles: &[String],
    admin_role: &str,
) {
    if workload_roles.is_empty() {
        return;
    }
    for &index in &inventory.keys {
        if b.rng.chance(500) {
            let users: Vec<String> = (0..b.rng.between(1, 3))
                .map(|_| b.rng.pick(workload_roles).clone())
                .collect();
            let users: Vec<&str> = users.iter().map(String::as_str).collect();
            let policy = docs::key_policy_with_users(b.id(), admin_role, &users);
            b.account.resources[index].policy = Some(b.doc(&policy));
        }
        if b.rng.chance(100) {
            let grantee = b.rng.pick(workload_roles).clone();
            if let ResourceKind::KmsKey { grants, .. } = &mut b.account.resources[index].kind {
                grants.push(KmsGrant {
                    grantee_principal: grantee,
                    operations: vec!["Decrypt".into(), "GenerateDataKey".into()],
                });
            }
        }
    }
    for &index in &inventory.secret_resources {
        if b.rng.chance(80) {
            let partner = partner_role(b);
            b.account.resources[index].policy = Some(b.doc(&docs::secret_policy(&partner)));
        }
    }
}
