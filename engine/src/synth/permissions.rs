//! What workload roles are allowed: drawn from the shapes seen in real accounts.

use super::builder::AccountBuilder;
use super::docs;
use super::resources::Inventory;
use super::Misconfiguration;

/// AWS managed policies that teams attach to application roles.
const WORKLOAD_MANAGED: &[&str] = &[
    "AmazonS3ReadOnlyAccess",
    "AmazonDynamoDBReadOnlyAccess",
    "AmazonSQSFullAccess",
    "AmazonSNSFullAccess",
    "CloudWatchAgentServerPolicy",
    "AWSXRayDaemonWriteAccess",
    "SecretsManagerReadWrite",
    "AmazonS3FullAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonKinesisFullAccess",
    "AmazonSSMReadOnlyAccess",
    "CloudWatchLogsFullAccess",
    "AmazonAthenaFullAccess",
    "AmazonSESFullAccess",
    "AmazonEventBridgeFullAccess",
    "AmazonBedrockReadOnly",
    "AmazonTextractFullAccess",
    "AmazonRekognitionFullAccess",
];

/// Services granted wholesale by "admin-ish" customer policies.
const WILDCARD_SERVICES: &[&str] = &[
    "s3",
    "dynamodb",
    "sqs",
    "sns",
    "secretsmanager",
    "kms",
    "lambda",
    "ec2",
    "logs",
    "ssm",
    "kinesis",
];

/// The account's workload context: what policies can name, and the customer managed
/// policies shared by several roles.
pub struct Workloads {
    /// The account's resources.
    pub inventory: Inventory,
    /// Customer managed policies reused across roles.
    pub shared_policies: Vec<String>,
    /// ARNs of the workload roles created so far (key users, grantees).
    pub roles: Vec<String>,
}

impl Workloads {
    /// The context, with a pool of shared customer managed policies.
    pub fn new(b: &mut AccountBuilder<'_>, inventory: Inventory, pool_size: usize) -> Self {
        let mut workloads = Workloads {
            inventory,
            shared_policies: Vec::new(),
            roles: Vec::new(),
        };
        for _ in 0..pool_size.max(2) {
            let app = *b.rng.pick(super::names::APPS);
            let statements = workloads.narrow_document(b, 2);
            // Some policies were broader in an earlier version that is still stored: a
            // principal allowed iam:SetDefaultPolicyVersion can switch back to it.
            let older = b
                .rng
                .chance(50)
                .then(|| docs::service_wildcards(&["s3", "dynamodb", "iam"]));
            let arn = b.customer_policy(&format!("{app}-data-access"), &statements, older.as_ref());
            workloads.shared_policies.push(arn);
        }
        workloads
    }

    /// Grants a workload role its permissions; `app` names its inline policies.
    pub fn grant(&mut self, b: &mut AccountBuilder<'_>, role: usize, app: &str) {
        self.roles.push(b.role_arn(role).to_string());
        if b.misconfigure() {
            self.plant_escalation(b, role);
        }
        match b.rng.weighted(&[55, 15, 10, 8, 6, 4]) {
            0 => {
                let parts = b.rng.between(1, 3);
                let document = self.narrow_document(b, parts);
                b.inline(role, &format!("{app}-access"), &document);
            }
            1 => {
                let arn = b.rng.pick(&self.shared_policies).clone();
                b.attach_customer(role, &arn);
            }
            2 => {
                let name = *b.rng.pick(WORKLOAD_MANAGED);
                b.attach_aws(role, name);
            }
            3 => {
                let count = b.rng.between(1, 3);
                let services: Vec<&str> =
                    (0..count).map(|_| *b.rng.pick(WILDCARD_SERVICES)).collect();
                b.inline(
                    role,
                    &format!("{app}-full-access"),
                    &docs::service_wildcards(&services),
                );
            }
            4 => {
                let document = if b.rng.chance(500) {
                    docs::abac_ec2_by_team()
                } else {
                    docs::abac_secrets_by_tag(b.placement.kind.env())
                };
                b.inline(role, &format!("{app}-abac"), &document);
            }
            _ => {
                let document = match self.inventory.buckets.first() {
                    Some(bucket) if b.rng.chance(600) => {
                        let vpc = format!("vpc-{}", b.rng.hex(17));
                        docs::s3_from_vpc(bucket, &vpc)
                    }
                    _ => docs::s3_org_read(b.org.org_id()),
                };
                b.inline(role, &format!("{app}-s3"), &document);
            }
        }
    }

    /// The classic escalation ingredients on an application role: pass any role, and
    /// create compute to pass it to.
    fn plant_escalation(&mut self, b: &mut AccountBuilder<'_>, role: usize) {
        let arn = b.role_arn(role).to_string();
        b.plant(Misconfiguration::PassRoleToAny, &arn);
        let mut document = docs::pass_role("*", None);
        document["Statement"]
            .as_array_mut()
            .expect("policy() builds a statement array")
            .push(serde_json::json!({"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction", "ecs:RunTask", "ec2:RunInstances"], "Resource": "*"}));
        b.inline(role, "deploy-helpers", &document);
    }

    /// A policy of `parts` narrow per-service statements on the account's resources.
    fn narrow_document(&self, b: &mut AccountBuilder<'_>, parts: usize) -> serde_json::Value {
        let inventory = &self.inventory;
        let mut statements = Vec::new();
        for _ in 0..parts {
            let part = match b.rng.below(7) {
                0 if !inventory.buckets.is_empty() => docs::s3_bucket_access(
                    b.rng.pick::<String>(&inventory.buckets),
                    b.rng.chance(500),
                ),
                1 if !inventory.tables.is_empty() => docs::dynamodb_table_access(
                    b.rng.pick::<String>(&inventory.tables),
                    b.rng.chance(500),
                ),
                2 if !inventory.secrets.is_empty() => {
                    let (secret, key) = b.rng.pick(&inventory.secrets);
                    docs::secret_read(secret, key.as_deref())
                }
                3 if !inventory.parameter_paths.is_empty() => {
                    let (region, path) = b.rng.pick(&inventory.parameter_paths);
                    docs::ssm_path_read(b.id(), region, path)
                }
                4 if !inventory.queues.is_empty() => {
                    let queue = b.rng.pick(&inventory.queues);
                    docs::messaging(queue, b.rng.pick::<String>(&inventory.topics))
                }
                5 if !inventory.iam_databases.is_empty() => {
                    let (region, id) = b.rng.pick(&inventory.iam_databases);
                    docs::rds_connect(b.id(), region, id, "app_user")
                }
                _ => {
                    let region = b.home_region();
                    let group = format!("/aws/app/{}", b.rng.pick(super::names::APPS));
                    docs::logs_write(b.id(), region, &group)
                }
            };
            if let Some(serde_json::Value::Array(more)) = part.get("Statement") {
                statements.extend(more.iter().cloned());
            }
        }
        docs::policy(statements)
    }
}
