//! One account: the fixed platform roles every landing zone has, then resources,
//! compute with its roles, cross-account and miscellaneous roles, users and groups.

use super::builder::AccountBuilder;
use super::catalog::catalog;
use super::compute;
use super::docs::{self, IrsaSubject};
use super::names::{APPS, GITHUB_ORG, PARTS, TEAMS};
use super::org::{AccountKind, OrgPlan};
use super::permissions::Workloads;
use super::resources;
use super::{Misconfiguration, Planted, SynthConfig};
use crate::snapshot::{AccessKey, Account, Documents, Group, InlinePolicy, User};

/// Roles every account has whatever its size (service-linked roles, the organization
/// access role, three Identity Center roles, audit, deploy, CI, admin, data pipeline).
pub const FIXED_ROLES: usize = 14;

/// The smallest `roles_per_account` the generator accepts: the fixed roles plus room
/// for at least one workload of every kind.
pub const MIN_ROLES_PER_ACCOUNT: usize = 40;

/// How the non-fixed roles of an account are split.
#[derive(Debug, Clone, Copy)]
pub struct RoleMix {
    /// ECS task roles (one task definition and service each).
    pub ecs_task: usize,
    /// Shared ECS execution roles.
    pub ecs_execution: usize,
    /// Lambda execution roles (one function each).
    pub lambda: usize,
    /// IRSA roles.
    pub irsa: usize,
    /// Pod Identity roles.
    pub pod_identity: usize,
    /// Standalone EC2 instance roles.
    pub ec2: usize,
    /// Roles assumed from other accounts of the organization or by vendors.
    pub cross_account: usize,
    /// Roles of the clusters themselves (ECS container instances, EKS cluster and nodes).
    pub infrastructure: usize,
    /// Everything else: people, automation, legacy.
    pub misc: usize,
}

impl RoleMix {
    /// The split of `roles` roles for an account with `special` kind-specific roles.
    pub fn new(roles: usize, special: usize) -> Self {
        let w = roles.saturating_sub(FIXED_ROLES + special);
        let share = |percent: usize| w * percent / 100;
        let ecs_task = share(22).max(1);
        let irsa = share(10).max(1);
        let pod_identity = share(6).max(1);
        let ecs_clusters = compute::ecs_cluster_count(ecs_task);
        let infrastructure = compute::ec2_backed_count(ecs_clusters)
            + 2 * compute::eks_cluster_count(irsa + pod_identity);
        let mut mix = RoleMix {
            ecs_task,
            ecs_execution: share(2).max(1),
            lambda: share(20).max(1),
            irsa,
            pod_identity,
            ec2: share(6).max(1),
            cross_account: share(4).max(1),
            infrastructure,
            misc: 0,
        };
        mix.misc = w.saturating_sub(mix.total());
        mix
    }

    fn total(&self) -> usize {
        self.ecs_task
            + self.ecs_execution
            + self.lambda
            + self.irsa
            + self.pod_identity
            + self.ec2
            + self.cross_account
            + self.infrastructure
            + self.misc
    }
}

/// One generated account with its local documents.
pub struct BuiltAccount {
    /// The account (document ids local to `documents`).
    pub account: Account,
    /// Its documents.
    pub documents: Documents,
    /// The misconfigurations planted in it.
    pub planted: Vec<Planted>,
}

/// Generates account number `index` of the plan.
pub fn build(config: &SynthConfig, org: &OrgPlan, index: usize) -> BuiltAccount {
    let mut b = AccountBuilder::new(config, org, index);
    let kind = b.placement.kind;
    let special = usize::from(matches!(
        kind,
        AccountKind::SharedServices | AccountKind::Security
    ));
    let mix = RoleMix::new(config.roles_per_account, special);

    let inventory = resources::generate(&mut b, config.resources_per_account, mix.lambda);
    let mut w = Workloads::new(&mut b, inventory, config.roles_per_account / 15);
    let admin_role = fixed_roles(&mut b, &mut w);
    special_roles(&mut b, kind);
    compute::ecs(&mut b, &mut w, mix.ecs_task, mix.ecs_execution);
    compute::lambda(&mut b, &mut w);
    compute::eks(&mut b, &mut w, mix.irsa, mix.pod_identity);
    compute::ec2(&mut b, &mut w, mix.ec2);
    for _ in 0..mix.cross_account {
        cross_account_role(&mut b, &mut w);
    }
    for _ in 0..mix.misc {
        misc_role(&mut b, &mut w);
    }
    users_and_groups(&mut b, &mut w);
    let roles = std::mem::take(&mut w.roles);
    resources::finish_policies(&mut b, &w.inventory, &roles, &admin_role);
    debug_assert_eq!(b.account.iam.roles.len(), config.roles_per_account);
    debug_assert_eq!(b.account.resources.len(), config.resources_per_account);
    BuiltAccount {
        account: b.account,
        documents: b.documents,
        planted: b.planted,
    }
}

/// The landing-zone roles; returns the ARN of the key administrator role.
fn fixed_roles(b: &mut AccountBuilder<'_>, w: &mut Workloads) -> String {
    let account = b.id();
    let linked = [
        (
            "AWSServiceRoleForECS",
            "ecs.amazonaws.com",
            "AmazonECSServiceRolePolicy",
        ),
        (
            "AWSServiceRoleForElasticLoadBalancing",
            "elasticloadbalancing.amazonaws.com",
            "AWSElasticLoadBalancingServiceRolePolicy",
        ),
        (
            "AWSServiceRoleForAutoScaling",
            "autoscaling.amazonaws.com",
            "AutoScalingServiceRolePolicy",
        ),
        (
            "AWSServiceRoleForSupport",
            "support.amazonaws.com",
            "AWSSupportServiceRolePolicy",
        ),
        (
            "AWSServiceRoleForAmazonEKS",
            "eks.amazonaws.com",
            "AmazonEKSServiceRolePolicy",
        ),
    ];
    for (name, service, policy) in linked {
        let role = b.role(
            name,
            &format!("/aws-service-role/{service}/"),
            &docs::service_trust(&[service]),
        );
        b.attach_aws(role, policy);
    }
    if b.placement.kind == AccountKind::Management {
        let role = b.role(
            "AWSServiceRoleForOrganizations",
            "/aws-service-role/organizations.amazonaws.com/",
            &docs::service_trust(&["organizations.amazonaws.com"]),
        );
        b.attach_aws(role, "AWSOrganizationsServiceTrustPolicy");
    } else {
        let management_root = format!("arn:aws:iam::{}:root", b.org.management());
        let role = b.role(
            "OrganizationAccountAccessRole",
            "/",
            &docs::principal_trust(&[&management_root], None, false),
        );
        b.attach_aws(role, "AdministratorAccess");
    }

    let provider = format!(
        "arn:aws:iam::{account}:saml-provider/AWSSSO_{}_DO_NOT_DELETE",
        b.rng.hex(16)
    );
    b.account.iam.saml_providers.push(provider.clone());
    for permission_set in ["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess"] {
        let name = format!("AWSReservedSSO_{permission_set}_{}", b.rng.hex(16));
        let role = b.role(
            &name,
            "/aws-reserved/sso.amazonaws.com/",
            &docs::saml_trust(&provider),
        );
        b.attach_aws(role, permission_set);
    }

    let scanner = format!("arn:aws:iam::{}:role/security-scanner", b.org.security);
    let role = b.role(
        "security-audit",
        "/",
        &docs::principal_trust(&[&scanner], None, false),
    );
    b.attach_aws(role, "SecurityAudit");
    b.attach_aws(role, "ViewOnlyAccess");

    // Deploy role, assumed by the CI hub; its PassRole is scoped to task roles unless
    // someone took a shortcut.
    let pass_any = b.misconfigure();
    let pass_resource = if pass_any {
        "*".to_string()
    } else {
        format!("arn:aws:iam::{account}:role/*-task")
    };
    let deployer_policy =
        b.customer_policy("deployer", &docs::deployer(account, &pass_resource), None);
    let ci_hub = format!("arn:aws:iam::{}:role/ci-deployer", b.org.shared_services);
    let deploy = b.role(
        "deploy",
        "/",
        &docs::principal_trust(&[&ci_hub], None, false),
    );
    b.attach_customer(deploy, &deployer_policy);
    b.attach_aws(deploy, "AmazonEC2ContainerRegistryPowerUser");
    if pass_any {
        let arn = b.role_arn(deploy).to_string();
        b.plant(Misconfiguration::PassRoleToAny, &arn);
    }

    // GitHub Actions through OIDC.
    b.account
        .iam
        .oidc_providers
        .push(crate::snapshot::OidcProvider {
            arn: format!(
                "arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"
            ),
            url: "token.actions.githubusercontent.com".into(),
            client_ids: vec!["sts.amazonaws.com".into()],
        });
    let repo = *b.rng.pick(APPS);
    let broad_subject = b.misconfigure();
    let subject = if broad_subject {
        format!("repo:{GITHUB_ORG}/*")
    } else {
        format!("repo:{GITHUB_ORG}/{repo}:ref:refs/heads/main")
    };
    let ci = b.role(
        "github-actions",
        "/",
        &docs::github_trust(account, &subject),
    );
    let ci_arn = b.role_arn(ci).to_string();
    if broad_subject {
        b.plant(Misconfiguration::BroadGithubSubject, &ci_arn);
    }
    if b.misconfigure() {
        b.attach_aws(ci, "AdministratorAccess");
        b.plant(Misconfiguration::AdminCiRole, &ci_arn);
    } else {
        b.attach_customer(ci, &deployer_policy);
    }

    let root = format!("arn:aws:iam::{account}:root");
    let admin = b.role(
        "platform-admin",
        "/",
        &docs::principal_trust(&[&root], None, true),
    );
    b.attach_aws(admin, "AdministratorAccess");
    let admin_arn = b.role_arn(admin).to_string();

    // Every account has a data pipeline role, which other accounts share data with.
    let pipeline = b.role(
        "data-pipeline",
        "/",
        &docs::service_trust(&["glue.amazonaws.com", "states.amazonaws.com"]),
    );
    w.grant(b, pipeline, "data-pipeline");
    admin_arn
}

/// The hub roles of the shared-services and security accounts.
fn special_roles(b: &mut AccountBuilder<'_>, kind: AccountKind) {
    match kind {
        AccountKind::SharedServices => {
            let role = b.role(
                "ci-deployer",
                "/",
                &docs::service_trust(&["codebuild.amazonaws.com", "codepipeline.amazonaws.com"]),
            );
            b.inline(
                role,
                "assume-deploy",
                &docs::assume_roles("arn:aws:iam::*:role/deploy"),
            );
        }
        AccountKind::Security => {
            let role = b.role(
                "security-scanner",
                "/",
                &docs::service_trust(&["ecs-tasks.amazonaws.com"]),
            );
            b.inline(
                role,
                "assume-audit",
                &docs::assume_roles("arn:aws:iam::*:role/security-audit"),
            );
            b.attach_aws(role, "SecurityAudit");
        }
        _ => {}
    }
}

/// A role another account's data pipeline (or a vendor) assumes.
fn cross_account_role(b: &mut AccountBuilder<'_>, w: &mut Workloads) {
    let app = *b.rng.pick(APPS);
    let trust = if b.rng.chance(250) {
        let vendor = format!("{:012}", 100_000_000_000 + b.rng.below(900_000_000_000));
        let external_id = b.rng.hex(24);
        docs::principal_trust(
            &[&format!("arn:aws:iam::{vendor}:root")],
            Some(&external_id),
            false,
        )
    } else {
        let partner = resources::partner_role(b);
        docs::principal_trust(&[&partner], None, false)
    };
    let role = b.role(&format!("{app}-partner-access"), "/", &trust);
    w.grant(b, role, app);
}

/// Service pairs that share one role (a shortcut people take).
const MULTI_SERVICE: &[&[&str]] = &[
    &["ec2.amazonaws.com", "lambda.amazonaws.com"],
    &["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"],
    &["states.amazonaws.com", "events.amazonaws.com"],
];

/// Job-function policies people get.
const JOB_FUNCTIONS: &[&str] = &[
    "DataScientist",
    "DatabaseAdministrator",
    "NetworkAdministrator",
    "SystemAdministrator",
    "ViewOnlyAccess",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "SupportUser",
    "Billing",
    "SecurityAudit",
];

/// Everything else: people's roles, automation, legacy, with trusts of every shape.
fn misc_role(b: &mut AccountBuilder<'_>, w: &mut Workloads) {
    let account = b.id();
    let app = *b.rng.pick(APPS);
    let part = *b.rng.pick(PARTS);
    let root = format!("arn:aws:iam::{account}:root");
    let admin = format!("arn:aws:iam::{account}:role/platform-admin");
    let wildcard = b.misconfigure();
    let trust = if wildcard {
        docs::wildcard_trust(None)
    } else {
        match b.rng.weighted(&[25, 20, 15, 10, 12, 8, 10]) {
            0 => docs::principal_trust(&[&root], None, true),
            1 => docs::service_trust(b.rng.pick::<&[&str]>(MULTI_SERVICE)),
            2 => docs::principal_trust(&[&admin], None, false),
            3 => docs::principal_trust(&[&resources::partner_role(b)], None, false),
            4 => docs::service_trust(&[*b.rng.pick::<&str>(&[
                "glue.amazonaws.com",
                "states.amazonaws.com",
                "codebuild.amazonaws.com",
                "sagemaker.amazonaws.com",
                "scheduler.amazonaws.com",
                "backup.amazonaws.com",
            ])]),
            5 => docs::wildcard_trust(Some(b.org.org_id())),
            _ => match b
                .account
                .iam
                .oidc_providers
                .iter()
                .find(|p| p.url.starts_with("oidc.eks."))
            {
                Some(provider) => {
                    let issuer = provider.url.clone();
                    docs::irsa_trust(
                        account,
                        &issuer,
                        IrsaSubject::Exact("batch", &format!("{app}-{part}")),
                    )
                }
                None => docs::principal_trust(&[&root], None, false),
            },
        }
    };
    let role = b.role(&format!("{app}-{part}"), "/", &trust);
    if wildcard {
        let arn = b.role_arn(role).to_string();
        b.plant(Misconfiguration::WildcardTrust, &arn);
    }
    let team = *b.rng.pick(TEAMS);
    let tags = b.tags(app, team);
    b.tag_role(role, tags);
    match b.rng.weighted(&[30, 25, 45]) {
        0 => {
            let all = catalog().all();
            let name = all[b.rng.below(all.len())].name.clone();
            b.attach_aws(role, &name);
        }
        1 => {
            let name = *b.rng.pick(JOB_FUNCTIONS);
            b.attach_aws(role, name);
        }
        _ => w.grant(b, role, app),
    }
    if matches!(b.placement.kind, AccountKind::Dev | AccountKind::Sandbox) && b.rng.chance(300) {
        let boundary = developer_boundary(b);
        b.count_attachment(&boundary);
        b.account.iam.roles[role].permissions_boundary = Some(boundary);
    }
}

/// The account's developer boundary policy, created on first use.
fn developer_boundary(b: &mut AccountBuilder<'_>) -> String {
    let arn = format!("arn:aws:iam::{}:policy/developer-boundary", b.id());
    if !b.account.iam.managed_policies.iter().any(|p| p.arn == arn) {
        let document = docs::developer_boundary(b.id());
        b.customer_policy("developer-boundary", &document, None);
    }
    arn
}

const FIRST_NAMES: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yuki",
];
const LAST_NAMES: &[&str] = &[
    "nguyen", "smith", "garcia", "muller", "rossi", "kowalski", "tanaka", "okafor", "silva",
    "dubois", "larsen", "novak", "haddad", "kim", "patel",
];

/// Groups for people, human users in them, and service users with access keys.
fn users_and_groups(b: &mut AccountBuilder<'_>, w: &mut Workloads) {
    let account = b.id();
    let groups = [
        ("Admins", "AdministratorAccess"),
        ("Developers", "PowerUserAccess"),
        ("ReadOnly", "ReadOnlyAccess"),
    ];
    for (name, policy) in groups {
        let arn = b.aws_managed(policy);
        let mut group = Group {
            arn: format!("arn:aws:iam::{account}:group/{name}"),
            name: name.into(),
            id: format!("AGPA{}", b.rng.upper_alnum(17)),
            path: "/".into(),
            attached_policies: vec![arn],
            inline_policies: Vec::new(),
        };
        if name == "Developers" {
            let guard = docs::policy(vec![
                serde_json::json!({"Effect": "Deny", "Action": ["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachUserPolicy"], "Resource": "*"}),
            ]);
            group.inline_policies.push(InlinePolicy {
                name: "no-iam-users".into(),
                document: b.doc(&guard),
            });
        }
        b.account.iam.groups.push(group);
    }
    let users = (b.config.roles_per_account / 25).max(3);
    for i in 0..users {
        // Seven people in ten; the last user is always a service user.
        let human = i % 10 < 7 && i + 1 < users;
        let mut user = if human {
            let base = format!("{}.{}", b.rng.pick(FIRST_NAMES), b.rng.pick(LAST_NAMES));
            let name = b.unique_name(base);
            let group = ["Admins", "Developers", "ReadOnly"][b.rng.weighted(&[10, 60, 30])];
            let mut tags = crate::snapshot::Tags::new();
            tags.insert("team".into(), (*b.rng.pick(TEAMS)).into());
            User {
                name,
                groups: vec![group.into()],
                tags,
                has_console_password: Some(true),
                ..User::default()
            }
        } else {
            let base = format!("svc-{}-{}", b.rng.pick(APPS), b.rng.pick(PARTS));
            let name = b.unique_name(base);
            User {
                name,
                has_console_password: Some(false),
                ..User::default()
            }
        };
        user.arn = format!("arn:aws:iam::{account}:user/{}", user.name);
        user.id = format!("AIDA{}", b.rng.upper_alnum(17));
        user.path = "/".into();
        let keys = if human {
            b.rng.weighted(&[60, 35, 5])
        } else {
            b.rng.between(1, 2)
        };
        for _ in 0..keys {
            let created = Some(b.rng.timestamp());
            let last_used = b.rng.chance(700).then(|| b.rng.timestamp());
            user.access_keys.push(AccessKey {
                active: b.rng.chance(850),
                created,
                last_used,
            });
        }
        if !human {
            if b.misconfigure() {
                user.attached_policies
                    .push(b.aws_managed("AdministratorAccess"));
                b.plant(Misconfiguration::AdminUserWithKeys, &user.arn);
            } else {
                // Service users get what a workload role would: borrow the grant logic
                // through a scratch role-free document.
                let arn = b.rng.pick(&w.shared_policies).clone();
                b.count_attachment(&arn);
                user.attached_policies.push(arn);
            }
        }
        b.account.iam.users.push(user);
    }
}
