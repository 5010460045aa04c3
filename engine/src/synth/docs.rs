//! Builders of policy documents with the shapes seen in real accounts: trust policies,
//! identity policies, resource policies, SCPs and RCPs.
//!
//! They return `serde_json::Value`s (key order is insertion order, so the canonical text
//! is deterministic); the caller interns them.

use serde_json::{json, Value};

/// A policy document from its statements.
pub fn policy(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// One string, or an array when there are several (as people write them).
fn one_or_many(items: &[&str]) -> Value {
    match items {
        [one] => json!(one),
        many => json!(many),
    }
}

// ---- trust policies ----------------------------------------------------------------

/// Trusted by one or more AWS services.
pub fn service_trust(services: &[&str]) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Principal": {"Service": one_or_many(services)},
        "Action": "sts:AssumeRole"
    })])
}

/// Trusted by a service, with the confused-deputy guard AWS recommends.
pub fn service_trust_guarded(service: &str, account: &str, source_arn: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
        "Condition": {
            "ArnLike": {"aws:SourceArn": source_arn},
            "StringEquals": {"aws:SourceAccount": account}
        }
    })])
}

/// Trusted by EKS Pod Identity.
pub fn pod_identity_trust() -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"]
    })])
}

/// Which service accounts an IRSA trust policy admits.
#[derive(Debug, Clone, Copy)]
pub enum IrsaSubject<'a> {
    /// Exactly `system:serviceaccount:NAMESPACE:NAME` (the right way).
    Exact(&'a str, &'a str),
    /// Every service account of a namespace (`StringLike ...:NAMESPACE:*`).
    Namespace(&'a str),
    /// Every service account of the cluster (`system:serviceaccount:*:*`).
    AnyServiceAccount,
    /// No `sub` condition at all, only the audience.
    AudienceOnly,
}

/// Trusted by an EKS cluster's OIDC provider (IRSA).
pub fn irsa_trust(account: &str, issuer: &str, subject: IrsaSubject<'_>) -> Value {
    let provider = format!("arn:aws:iam::{account}:oidc-provider/{issuer}");
    let aud = format!("{issuer}:aud");
    let sub = format!("{issuer}:sub");
    let condition = match subject {
        IrsaSubject::Exact(namespace, name) => json!({"StringEquals": {
            sub: format!("system:serviceaccount:{namespace}:{name}"),
            aud: "sts.amazonaws.com"
        }}),
        IrsaSubject::Namespace(namespace) => json!({
            "StringLike": {sub: format!("system:serviceaccount:{namespace}:*")},
            "StringEquals": {aud: "sts.amazonaws.com"}
        }),
        IrsaSubject::AnyServiceAccount => json!({
            "StringLike": {sub: "system:serviceaccount:*:*"},
            "StringEquals": {aud: "sts.amazonaws.com"}
        }),
        IrsaSubject::AudienceOnly => json!({"StringEquals": {aud: "sts.amazonaws.com"}}),
    };
    policy(vec![json!({
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition
    })])
}

/// Trusted by GitHub Actions through the account's OIDC provider; `subject` is the
/// `StringLike` pattern on `token.actions.githubusercontent.com:sub`.
pub fn github_trust(account: &str, subject: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com")},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": subject}
        }
    })])
}

/// Trusted by IAM principals (account roots or roles), optionally with an external id
/// or an MFA requirement.
pub fn principal_trust(principals: &[&str], external_id: Option<&str>, mfa: bool) -> Value {
    let mut statement = json!({
        "Effect": "Allow",
        "Principal": {"AWS": one_or_many(principals)},
        "Action": "sts:AssumeRole"
    });
    if let Some(id) = external_id {
        statement["Condition"] = json!({"StringEquals": {"sts:ExternalId": id}});
    } else if mfa {
        statement["Condition"] = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
    }
    policy(vec![statement])
}

/// Trusted by everyone (`"AWS": "*"`), fenced by the organization id or not at all.
pub fn wildcard_trust(org_id: Option<&str>) -> Value {
    let mut statement = json!({
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "sts:AssumeRole"
    });
    if let Some(org) = org_id {
        statement["Condition"] = json!({"StringEquals": {"aws:PrincipalOrgID": org}});
    }
    policy(vec![statement])
}

/// Trusted by IAM Identity Center through the account's SAML provider.
pub fn saml_trust(provider_arn: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
    })])
}

// ---- identity policies -------------------------------------------------------------

/// Read (or read-write) one bucket.
pub fn s3_bucket_access(bucket: &str, write: bool) -> Value {
    let object_actions: &[&str] = if write {
        &["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    } else {
        &["s3:GetObject"]
    };
    policy(vec![
        json!({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": format!("arn:aws:s3:::{bucket}")}),
        json!({"Effect": "Allow", "Action": object_actions, "Resource": format!("arn:aws:s3:::{bucket}/*")}),
    ])
}

/// Read or write one DynamoDB table and its indexes.
pub fn dynamodb_table_access(table_arn: &str, write: bool) -> Value {
    let mut actions = vec![
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:BatchGetItem",
    ];
    if write {
        actions.extend([
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
        ]);
    }
    policy(vec![json!({
        "Effect": "Allow",
        "Action": actions,
        "Resource": [table_arn, format!("{table_arn}/index/*")]
    })])
}

/// Read a secret, and decrypt it with its customer managed key when it has one.
pub fn secret_read(secret_arn: &str, key_arn: Option<&str>) -> Value {
    let mut statements = vec![json!({
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        "Resource": secret_arn
    })];
    if let Some(key) = key_arn {
        statements.push(json!({
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key,
            "Condition": {"StringEquals": {"kms:ViaService": format!("secretsmanager.{}.amazonaws.com", region_of(secret_arn))}}
        }));
    }
    policy(statements)
}

/// Read the SSM parameters under a path.
pub fn ssm_path_read(account: &str, region: &str, path: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
        "Resource": format!("arn:aws:ssm:{region}:{account}:parameter/{path}/*")
    })])
}

/// Send to a queue and publish to a topic.
pub fn messaging(queue_arn: &str, topic_arn: &str) -> Value {
    policy(vec![
        json!({"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], "Resource": queue_arn}),
        json!({"Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn}),
    ])
}

/// Connect to a database as a user with IAM authentication.
pub fn rds_connect(account: &str, region: &str, resource_id: &str, db_user: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Action": "rds-db:connect",
        "Resource": format!("arn:aws:rds-db:{region}:{account}:dbuser:{resource_id}/{db_user}")
    })])
}

/// Write a log group (what every function and task has).
pub fn logs_write(account: &str, region: &str, group: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": format!("arn:aws:logs:{region}:{account}:log-group:{group}:*")
    })])
}

/// Everything of some services on everything: the "admin-ish" shape.
pub fn service_wildcards(services: &[&str]) -> Value {
    let actions: Vec<String> = services.iter().map(|s| format!("{s}:*")).collect();
    policy(vec![
        json!({"Effect": "Allow", "Action": actions, "Resource": "*"}),
    ])
}

/// ABAC: start and stop instances whose `team` tag equals the caller's.
pub fn abac_ec2_by_team() -> Value {
    policy(vec![
        json!({
            "Effect": "Allow",
            "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
            "Resource": "arn:aws:ec2:*:*:instance/*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
        }),
        json!({"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}),
    ])
}

/// ABAC on secrets: read the secrets tagged for the caller's team and environment.
pub fn abac_secrets_by_tag(env: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*",
        "Condition": {"StringEquals": {
            "aws:ResourceTag/team": "${aws:PrincipalTag/team}",
            "aws:ResourceTag/env": env
        }}
    })])
}

/// S3 access only from inside one VPC.
pub fn s3_from_vpc(bucket: &str, vpc: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": format!("arn:aws:s3:::{bucket}/*"),
        "Condition": {"StringEquals": {"aws:SourceVpc": vpc}}
    })])
}

/// Read any bucket of the organization's accounts.
pub fn s3_org_read(org_id: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceOrgID": org_id}}
    })])
}

/// Pass a role to a service: scoped to a role path and a service, or (misconfigured)
/// any role to anything.
pub fn pass_role(role_arn_pattern: &str, service: Option<&str>) -> Value {
    let mut statement =
        json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": role_arn_pattern});
    if let Some(service) = service {
        statement["Condition"] = json!({"StringEquals": {"iam:PassedToService": service}});
    }
    policy(vec![statement])
}

/// What a CI pipeline deploying ECS services and Lambda functions needs.
pub fn deployer(account: &str, pass_role_resource: &str) -> Value {
    policy(vec![
        json!({
            "Effect": "Allow",
            "Action": ["ecs:UpdateService", "ecs:RegisterTaskDefinition", "ecs:DescribeServices", "ecs:DescribeTaskDefinition"],
            "Resource": "*"
        }),
        json!({
            "Effect": "Allow",
            "Action": ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PublishVersion"],
            "Resource": format!("arn:aws:lambda:*:{account}:function:*")
        }),
        json!({
            "Effect": "Allow",
            "Action": ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"],
            "Resource": "*"
        }),
        json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": pass_role_resource}),
    ])
}

/// Assume roles of the given pattern (a hub role hopping into spokes).
pub fn assume_roles(pattern: &str) -> Value {
    policy(vec![
        json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": pattern}),
    ])
}

/// Developers' guard rail, attached as a permissions boundary: anything but IAM users,
/// and nothing that removes the boundary.
pub fn developer_boundary(account: &str) -> Value {
    policy(vec![
        json!({"Sid": "AllowMost", "Effect": "Allow", "NotAction": ["iam:CreateUser", "iam:CreateAccessKey", "organizations:*", "account:*"], "Resource": "*"}),
        json!({
            "Sid": "KeepBoundary",
            "Effect": "Deny",
            "Action": ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": format!("arn:aws:iam::{account}:policy/developer-boundary")}}
        }),
        json!({"Sid": "NoBoundaryRemoval", "Effect": "Deny", "Action": "iam:DeleteRolePermissionsBoundary", "Resource": "*"}),
    ])
}

/// The region of a regional ARN.
fn region_of(arn: &str) -> &str {
    arn.split(':').nth(3).unwrap_or("")
}

// ---- resource policies -------------------------------------------------------------

/// The statement every hardened bucket has: no plain HTTP.
fn deny_insecure_transport(bucket: &str) -> Value {
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })
}

/// What a bucket policy adds to the TLS guard.
#[derive(Debug, Clone, Copy)]
pub enum BucketGrant<'a> {
    /// Only the TLS guard.
    None,
    /// Read for the whole organization.
    OrgRead(&'a str),
    /// Read for one role of another account.
    CrossAccountRead(&'a str),
    /// CloudFront origin access control of one distribution.
    CloudFront(&'a str, &'a str),
    /// Deny everything that does not come through one VPC endpoint.
    VpceOnly(&'a str),
    /// Public read: the classic leak.
    PublicRead,
}

/// A bucket policy.
pub fn bucket_policy(bucket: &str, grant: BucketGrant<'_>) -> Value {
    let objects = format!("arn:aws:s3:::{bucket}/*");
    let mut statements = vec![deny_insecure_transport(bucket)];
    match grant {
        BucketGrant::None => {}
        BucketGrant::OrgRead(org) => statements.push(json!({
            "Sid": "OrgRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": objects, "Condition": {"StringEquals": {"aws:PrincipalOrgID": org}}
        })),
        BucketGrant::CrossAccountRead(role) => statements.push(json!({
            "Sid": "PartnerRead", "Effect": "Allow", "Principal": {"AWS": role},
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [format!("arn:aws:s3:::{bucket}"), objects]
        })),
        BucketGrant::CloudFront(account, distribution) => statements.push(json!({
            "Sid": "AllowCloudFrontServicePrincipal", "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
            "Resource": objects,
            "Condition": {"StringEquals": {"AWS:SourceArn": format!("arn:aws:cloudfront::{account}:distribution/{distribution}")}}
        })),
        BucketGrant::VpceOnly(vpce) => statements.push(json!({
            "Sid": "VpceOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [format!("arn:aws:s3:::{bucket}"), objects],
            "Condition": {"StringNotEquals": {"aws:SourceVpce": vpce}}
        })),
        BucketGrant::PublicRead => statements.push(json!({
            "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": objects
        })),
    }
    policy(statements)
}

/// The default key policy: the account (through IAM policies) may use the key.
pub fn key_policy_default(account: &str) -> Value {
    policy(vec![json!({
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
        "Action": "kms:*",
        "Resource": "*"
    })])
}

/// A key policy with key administrators and key users named by role ARN.
pub fn key_policy_with_users(account: &str, admin_role: &str, users: &[&str]) -> Value {
    let Value::Object(mut document) = key_policy_default(account) else {
        unreachable!("policy() builds an object")
    };
    let Some(Value::Array(statements)) = document.get_mut("Statement") else {
        unreachable!("policy() builds a statement array")
    };
    statements.push(json!({
        "Sid": "Allow access for Key Administrators",
        "Effect": "Allow",
        "Principal": {"AWS": admin_role},
        "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
        "Resource": "*"
    }));
    statements.push(json!({
        "Sid": "Allow use of the key",
        "Effect": "Allow",
        "Principal": {"AWS": one_or_many(users)},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        "Resource": "*"
    }));
    Value::Object(document)
}

/// The policy of an AWS managed key (`aws/SERVICE`): usable by the account through the
/// service only.
pub fn aws_managed_key_policy(account: &str, service: &str, region: &str) -> Value {
    policy(vec![json!({
        "Sid": "Allow access through the service for all principals in the account that are authorized to use it",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": account, "kms:ViaService": format!("{service}.{region}.amazonaws.com")}}
    })])
}

/// A secret shared with a role of another account.
pub fn secret_policy(principal: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*"
    })])
}

/// Who may invoke a function.
#[derive(Debug, Clone, Copy)]
pub enum FunctionInvoker<'a> {
    /// API Gateway of this account, with the API's ARN pattern.
    ApiGateway(&'a str),
    /// An EventBridge rule.
    EventRule(&'a str),
    /// S3 notifications from the account's buckets.
    S3(&'a str),
    /// Anyone: a public function URL or a mistaken `*`.
    Anyone,
}

/// A Lambda function policy.
pub fn function_policy(function_arn: &str, invoker: FunctionInvoker<'_>) -> Value {
    let statement = match invoker {
        FunctionInvoker::ApiGateway(api) => json!({
            "Sid": "apigateway-invoke", "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "lambda:InvokeFunction",
            "Resource": function_arn, "Condition": {"ArnLike": {"AWS:SourceArn": api}}
        }),
        FunctionInvoker::EventRule(rule) => json!({
            "Sid": "events-invoke", "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"}, "Action": "lambda:InvokeFunction",
            "Resource": function_arn, "Condition": {"ArnLike": {"AWS:SourceArn": rule}}
        }),
        FunctionInvoker::S3(account) => json!({
            "Sid": "s3-invoke", "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"}, "Action": "lambda:InvokeFunction",
            "Resource": function_arn, "Condition": {"StringEquals": {"AWS:SourceAccount": account}}
        }),
        FunctionInvoker::Anyone => json!({
            "Sid": "public-invoke", "Effect": "Allow", "Principal": "*",
            "Action": "lambda:InvokeFunction", "Resource": function_arn
        }),
    };
    json!({"Version": "2012-10-17", "Id": "default", "Statement": [statement]})
}

/// A queue that a topic of the account may send to.
pub fn queue_policy(queue_arn: &str, topic_arn: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}
    })])
}

/// A topic the whole organization may publish to.
pub fn topic_policy(topic_arn: &str, org_id: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["sns:Publish", "sns:Subscribe"],
        "Resource": topic_arn,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": org_id}}
    })])
}

/// A table shared read-only with a role of another account.
pub fn table_policy(table_arn: &str, principal: &str) -> Value {
    policy(vec![json!({
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": ["dynamodb:GetItem", "dynamodb:Query"],
        "Resource": table_arn
    })])
}

// ---- organization policies ---------------------------------------------------------

/// `FullAWSAccess` and `RCPFullAWSAccess`.
pub fn full_aws_access() -> Value {
    policy(vec![
        json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    ])
}

/// `RCPFullAWSAccess` (it names the principal, as AWS's does).
pub fn rcp_full_aws_access() -> Value {
    policy(vec![
        json!({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
    ])
}

/// Accounts cannot leave the organization or stop the audit trail.
pub fn scp_guardrails() -> Value {
    policy(vec![
        json!({"Sid": "DenyLeaveOrg", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}),
        json!({
            "Sid": "ProtectSecurityServices", "Effect": "Deny",
            "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "guardduty:DeleteDetector", "guardduty:DisassociateFromMasterAccount", "config:DeleteConfigurationRecorder", "config:StopConfigurationRecorder", "securityhub:DisableSecurityHub"],
            "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}}
        }),
        json!({
            "Sid": "DenyRootUser", "Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}
        }),
    ])
}

/// Region lock: global services excepted, and the break-glass role exempt.
pub fn scp_region_lock(regions: &[&str]) -> Value {
    policy(vec![json!({
        "Sid": "DenyOutsideAllowedRegions",
        "Effect": "Deny",
        "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*", "waf:*", "budgets:*", "health:*", "account:*"],
        "Resource": "*",
        "Condition": {
            "StringNotEquals": {"aws:RequestedRegion": regions},
            "ArnNotLike": {"aws:PrincipalARN": ["arn:aws:iam::*:role/OrganizationAccountAccessRole", "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AdministratorAccess*"]}
        }
    })])
}

/// New instances must require IMDSv2.
pub fn scp_require_imdsv2() -> Value {
    policy(vec![
        json!({
            "Sid": "RequireImdsV2", "Effect": "Deny", "Action": "ec2:RunInstances",
            "Resource": "arn:aws:ec2:*:*:instance/*",
            "Condition": {"StringNotEquals": {"ec2:MetadataHttpTokens": "required"}}
        }),
        json!({
            "Sid": "NoImdsDowngrade", "Effect": "Deny", "Action": "ec2:ModifyInstanceMetadataOptions", "Resource": "*",
            "Condition": {"StringNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}}
        }),
    ])
}

/// Sandboxes: no expensive or organization-wide services, small instances only.
pub fn scp_sandbox_denylist() -> Value {
    policy(vec![
        json!({"Sid": "DenyExpensiveServices", "Effect": "Deny", "Action": ["redshift:*", "sagemaker:CreateEndpoint", "directconnect:*", "outposts:*", "savingsplans:*", "route53domains:*"], "Resource": "*"}),
        json!({
            "Sid": "SmallInstancesOnly", "Effect": "Deny", "Action": "ec2:RunInstances",
            "Resource": "arn:aws:ec2:*:*:instance/*",
            "Condition": {"ForAnyValue:StringNotLike": {"ec2:InstanceType": ["t3.*", "t4g.*", "m5.large"]}}
        }),
    ])
}

/// Suspended accounts: nothing at all.
pub fn scp_deny_all() -> Value {
    policy(vec![
        json!({"Effect": "Deny", "Action": "*", "Resource": "*"}),
    ])
}

/// RCP: the data perimeter, only the organization (and AWS services) may touch data.
pub fn rcp_data_perimeter(org_id: &str) -> Value {
    policy(vec![json!({
        "Sid": "EnforceOrgIdentities",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*", "sts:AssumeRole", "kms:*", "secretsmanager:*", "sqs:*"],
        "Resource": "*",
        "Condition": {
            "StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}
        }
    })])
}
