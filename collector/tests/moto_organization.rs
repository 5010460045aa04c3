//! Organization mode against moto: the OU tree, SCPs and RCPs with their targets are read
//! from the management account, every member account is collected through the member
//! role (moto's STS maps assumed-role credentials to the role's account), and an excluded
//! account is recorded as not collected.
//!
//! Needs the virtualenv of `tests/moto/setup.sh`.

#![cfg(feature = "aws")]

mod common;

use blastgraph_collector::aws::{collect_blocking, CollectOptions, Progress};
use blastgraph_engine::snapshot::{CoverageStatus, OrgPolicyKind};

/// Creates the organization, an OU with two member accounts, an SCP on the OU, and a
/// role in the first member (through the member role); prints the ids as JSON.
const POPULATE: &str = r#"
import boto3, json, sys
ep = sys.argv[1]
client = lambda s, session=boto3: session.client(s, endpoint_url=ep, region_name="us-east-1")
org = client("organizations")
org.create_organization(FeatureSet="ALL")
root = org.list_roots()["Roots"][0]["Id"]
ou = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
members = []
for name in ["app", "sandbox"]:
    account = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)
    members.append(account)
scp = org.create_policy(
    Content=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}),
    Description="no users", Name="deny-users", Type="SERVICE_CONTROL_POLICY",
)["Policy"]["PolicySummary"]["Id"]
org.attach_policy(PolicyId=scp, TargetId=ou)
creds = client("sts").assume_role(
    RoleArn=f"arn:aws:iam::{members[0]}:role/OrganizationAccountAccessRole", RoleSessionName="setup"
)["Credentials"]
member = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
client("iam", member).create_role(RoleName="member-app", AssumeRolePolicyDocument=trust)
print(json.dumps({"root": root, "ou": ou, "members": members, "scp": scp}))
"#;

#[test]
fn organization_mode_reads_the_tree_and_every_member() {
    let moto = common::Moto::start(&[]);
    let ids: serde_json::Value = serde_json::from_str(&moto.python(POPULATE, &[])).unwrap();
    let (app, sandbox) = (
        ids["members"][0].as_str().unwrap(),
        ids["members"][1].as_str().unwrap(),
    );
    common::use_credentials("testing", "testing");
    let options = CollectOptions {
        endpoint_url: Some(moto.endpoint.clone()),
        region: Some("us-east-1".into()),
        regions: Some(vec!["us-east-1".into()]),
        organization: true,
        exclude_accounts: vec![sandbox.to_string()],
        progress: Progress::Quiet,
        ..CollectOptions::default()
    };
    let snapshot = collect_blocking(&options)
        .expect("collection runs")
        .snapshot;
    assert_eq!(snapshot.validate(), vec![]);

    let org = snapshot.organization.as_ref().expect("organization read");
    assert_eq!(org.management_account_id, "123456789012");
    let root = ids["root"].as_str().unwrap();
    let ou = ids["ou"].as_str().unwrap();
    assert_eq!(org.path_from_root(ou), Some(vec![root, ou]));
    let scp = org
        .policies
        .iter()
        .find(|p| p.id == ids["scp"].as_str().unwrap())
        .expect("the SCP");
    assert_eq!(scp.kind, OrgPolicyKind::Scp);
    assert_eq!(scp.targets, vec![ou.to_string()]);
    assert!(!scp.aws_managed);
    assert!(snapshot.document(scp.document).contains("iam:CreateUser"));
    assert!(org
        .policies
        .iter()
        .any(|p| p.name == "FullAWSAccess" && p.kind == OrgPolicyKind::Scp));
    assert!(org.policies.iter().any(|p| p.kind == OrgPolicyKind::Rcp));

    let ids_in_snapshot: Vec<&str> = snapshot.accounts.iter().map(|a| a.id.as_str()).collect();
    assert!(
        ids_in_snapshot.contains(&"123456789012")
            && ids_in_snapshot.contains(&app)
            && ids_in_snapshot.contains(&sandbox)
    );
    let member = snapshot.account(app).unwrap();
    assert_eq!(member.parent_id.as_deref(), Some(ou));
    assert_eq!(member.name.as_deref(), Some("app"));
    let roles: Vec<&str> = member.iam.roles.iter().map(|r| r.name.as_str()).collect();
    assert!(roles.contains(&"member-app"), "{roles:?}");
    assert!(snapshot
        .account("123456789012")
        .unwrap()
        .iam
        .roles
        .iter()
        .all(|r| r.name != "member-app"));

    let excluded = snapshot
        .meta
        .coverage
        .iter()
        .find(|c| c.account_id == sandbox)
        .expect("excluded account recorded");
    assert!(
        matches!(&excluded.status, CoverageStatus::NotCollected { reason } if reason.contains("exclude"))
    );
    assert!(snapshot.account(sandbox).unwrap().iam.roles.is_empty());
    let org_coverage = snapshot
        .meta
        .coverage
        .iter()
        .find(|c| c.service == "organizations")
        .unwrap();
    assert_eq!(org_coverage.status, CoverageStatus::Collected);
    assert!(snapshot.meta.coverage.iter().any(|c| c.account_id == app
        && c.service == "iam"
        && c.status == CoverageStatus::Collected));
}
