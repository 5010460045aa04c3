//! Behaviour of the importer on the layouts and mistakes found in the field.

use super::*;

const ROLE: &str = r#"{"Arn":"arn:aws:iam::111111111111:role/app","RoleName":"app","RoleId":"AROA1","Path":"/",
  "AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]},
  "InstanceProfileList":[{"Arn":"arn:aws:iam::111111111111:instance-profile/app","InstanceProfileName":"app","Path":"/","Roles":[{"Arn":"arn:aws:iam::111111111111:role/app","RoleName":"app"}]}],
  "RolePolicyList":[],"AttachedManagedPolicies":[{"PolicyName":"p","PolicyArn":"arn:aws:iam::111111111111:policy/p"}],"Tags":[{"Key":"team","Value":"web"}]}"#;

const POLICY: &str = r#"{"Arn":"arn:aws:iam::111111111111:policy/p","PolicyName":"p","DefaultVersionId":"v2","PolicyVersionList":[
  {"VersionId":"v1","IsDefaultVersion":false,"Document":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}},
  {"VersionId":"v2","IsDefaultVersion":true,"Document":"%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"}]}"#;

const USER: &str = r#"{"Arn":"arn:aws:iam::111111111111:user/alice","UserName":"alice","GroupList":["devs"],"AttachedManagedPolicies":[]}"#;

const GROUP: &str = r#"{"Arn":"arn:aws:iam::111111111111:group/devs","GroupName":"devs","GroupPolicyList":[{"PolicyName":"i","PolicyDocument":"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}}"}]}"#;

fn page(extra: &str) -> String {
    format!(
        r#"{{"UserDetailList":[{USER}],"GroupDetailList":[{GROUP}],"RoleDetailList":[{ROLE}],"Policies":[{POLICY}]{extra}}}"#
    )
}

fn import(text: &str) -> Result<GaadImport, ImportError> {
    let mut importer = GaadImporter::new();
    importer.read("f.json", text.as_bytes(), None)?;
    importer.finish(Some("2026-01-01T00:00:00Z".into()))
}

fn iam_status(import: &GaadImport) -> &CoverageStatus {
    &import
        .snapshot
        .meta
        .coverage
        .iter()
        .find(|c| c.service == "iam")
        .unwrap()
        .status
}

#[test]
fn a_complete_page_becomes_one_account() {
    let import = import(&page("")).unwrap();
    assert!(import.warnings.is_empty(), "{:?}", import.warnings);
    let snapshot = &import.snapshot;
    assert_eq!(snapshot.accounts.len(), 1);
    let iam = &snapshot.accounts[0].iam;
    assert_eq!(snapshot.accounts[0].id, "111111111111");
    assert_eq!(
        (iam.users.len(), iam.groups.len(), iam.roles.len()),
        (1, 1, 1)
    );
    assert_eq!(iam.roles[0].tags["team"], "web");
    assert_eq!(iam.instance_profiles[0].roles, [iam.roles[0].arn.clone()]);
    let policy = &iam.managed_policies[0];
    assert!(snapshot.document(policy.document).contains("s3:GetObject"));
    assert_eq!(policy.other_versions.len(), 1);
    assert_eq!(policy.other_versions[0].version_id, "v1");
    assert!(snapshot
        .document(iam.groups[0].inline_policies[0].document)
        .contains("ec2:*"));
    assert_eq!(iam_status(&import), &CoverageStatus::Collected);
    assert_eq!(
        snapshot.meta.origin,
        Origin::GaadImport {
            files: vec!["f.json".into()]
        }
    );
}

#[test]
fn pages_merged_into_an_array_or_concatenated_are_one_account() {
    let users = format!(r#"{{"UserDetailList":[{USER}],"IsTruncated":true,"Marker":"abc"}}"#);
    let rest = format!(
        r#"{{"GroupDetailList":[{GROUP}],"RoleDetailList":[{ROLE}],"Policies":[{POLICY}],"IsTruncated":false}}"#
    );
    for text in [format!("[{users},{rest}]"), format!("{users}\n{rest}\n")] {
        let import = import(&text).unwrap();
        let iam = &import.snapshot.accounts[0].iam;
        assert_eq!((iam.users.len(), iam.roles.len()), (1, 1));
        assert_eq!(iam_status(&import), &CoverageStatus::Collected);
    }
}

#[test]
fn a_truncated_last_page_is_a_coverage_gap() {
    let import = import(&page(r#","IsTruncated":true,"Marker":"next""#)).unwrap();
    assert!(
        matches!(iam_status(&import), CoverageStatus::Failed { error } if error.contains("IsTruncated"))
    );
    assert!(import.warnings.iter().any(|w| w.contains("IsTruncated")));
}

#[test]
fn filtered_files_import_and_record_what_is_missing() {
    let roles_only = format!(r#"{{"RoleDetailList":[{ROLE}]}}"#);
    let import = import(&roles_only).unwrap();
    assert!(
        matches!(iam_status(&import), CoverageStatus::NotCollected { reason }
        if reason.contains("arn:aws:iam::111111111111:policy/p"))
    );
    let users_only = format!(r#"{{"UserDetailList":[{USER}]}}"#);
    let import = super::tests::import(&users_only).unwrap();
    assert!(import.snapshot.accounts[0].iam.users[0].groups.is_empty());
    assert!(
        matches!(iam_status(&import), CoverageStatus::NotCollected { reason } if reason.contains("devs"))
    );
}

#[test]
fn airiam_keys_are_the_same_lists() {
    let text = format!(
        r#"{{"AccountUsers":[{USER}],"AccountGroups":[{GROUP}],"AccountRoles":[{ROLE}],"AccountPolicies":[{POLICY}],"CredentialReport":[]}}"#
    );
    let airiam = import(&text).unwrap().snapshot;
    let aws = import(&page("")).unwrap().snapshot;
    assert_eq!(airiam.accounts, aws.accounts);
    assert_eq!(airiam.documents, aws.documents);
}

#[test]
fn unknown_top_level_keys_are_errors_naming_the_key() {
    let error = import(&page(r#","RoleDetailsList":[]"#)).unwrap_err();
    assert_eq!(error.path.as_deref(), Some("RoleDetailsList"));
    assert!(error
        .message
        .contains("unknown top-level key `RoleDetailsList`"));
    assert!(error
        .to_string()
        .starts_with("f.json: at JSON path RoleDetailsList: "));
}

#[test]
fn unknown_fields_inside_records_are_warnings_with_their_path() {
    let text = page("").replace(
        r#""RoleName":"app","#,
        r#""RoleName":"app","AttachedManagedPolicy":[],"#,
    );
    let import = import(&text).unwrap();
    assert_eq!(import.warnings.len(), 1, "{:?}", import.warnings);
    assert!(import.warnings[0].contains("RoleDetailList[0].AttachedManagedPolicy"));
}

#[test]
fn wrong_shapes_name_the_json_path_and_the_expectation() {
    let cases = [
        (
            page("").replace(
                r#""Tags":[{"Key":"team","Value":"web"}]"#,
                r#""Tags":{"team":"web"}"#,
            ),
            "RoleDetailList[0].Tags",
            "expected a sequence",
        ),
        (
            page("").replace(r#""UserName":"alice","#, ""),
            "UserDetailList[0]",
            "missing field `UserName`",
        ),
        (
            r#"{"UserDetailList":{}}"#.to_string(),
            "UserDetailList",
            "expected an array of records",
        ),
        (
            "[1]".to_string(),
            "[0]",
            "expected a page of get-account-authorization-details output",
        ),
        (
            "\"text\"".to_string(),
            "",
            "expected get-account-authorization-details output",
        ),
        (
            page("").replace(
                "arn:aws:iam::111111111111:role/app\",\"RoleName",
                "arn:aws:iam::111111111111:user/app\",\"RoleName",
            ),
            "RoleDetailList[0]",
            "expected an IAM role ARN",
        ),
    ];
    for (text, path, expected) in cases {
        let error = import(&text).unwrap_err();
        assert_eq!(error.path.as_deref().unwrap_or(""), path, "{error}");
        assert!(error.message.contains(expected), "{error}");
    }
}

#[test]
fn invalid_policy_documents_are_refused_at_their_path() {
    let text = page("").replace(
        r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17"}"#,
    );
    let error = import(&text).unwrap_err();
    assert_eq!(
        error.path.as_deref(),
        Some("Policies[0].PolicyVersionList[0].Document")
    );
    assert!(error.message.contains("Statement"));
    let text = page("").replace(r#"\"Action\":\"ec2:*\""#, r#"\"Action\":"#);
    let error = import(&text).unwrap_err();
    assert_eq!(
        error.path.as_deref(),
        Some("GroupDetailList[0].GroupPolicyList[0].PolicyDocument")
    );
    assert!(error.message.contains("not JSON"));
}

#[test]
fn a_managed_policy_without_its_default_version_is_refused() {
    let text = page("")
        .replace(r#""DefaultVersionId":"v2""#, r#""DefaultVersionId":"v9""#)
        .replace(r#""IsDefaultVersion":true"#, r#""IsDefaultVersion":false"#);
    let error = import(&text).unwrap_err();
    assert_eq!(error.path.as_deref(), Some("Policies[0]"));
    assert!(error.message.contains("none of the 2 versions"));
}

#[test]
fn malformed_json_names_line_and_column() {
    let error = import(r#"{"UserDetailList": [}"#).unwrap_err();
    assert!(error.message.contains("line 1 column"), "{error}");
    let error = import("").unwrap_err();
    assert!(error.message.contains("the file is empty"), "{error}");
    let error = import(&format!("{}\n{{", page(""))).unwrap_err();
    assert_eq!(error.document, 1);
    assert!(error.to_string().contains("JSON document 2"), "{error}");
}

#[test]
fn files_must_say_which_account_they_describe() {
    let error = import(r#"{"UserDetailList":[]}"#).unwrap_err();
    assert!(error.message.contains("--account"), "{error}");
    let error = import("{}").unwrap_err();
    assert!(
        error.message.contains("expected at least one of"),
        "{error}"
    );
    let mut importer = GaadImporter::new();
    importer
        .read("f", r#"{"Policies":[]}"#.as_bytes(), Some("222222222222"))
        .unwrap();
    let snapshot = importer.finish(None).unwrap().snapshot;
    assert_eq!(snapshot.accounts[0].id, "222222222222");
}

#[test]
fn the_same_file_twice_is_merged_and_conflicts_are_refused() {
    let mut importer = GaadImporter::new();
    importer.read("a", page("").as_bytes(), None).unwrap();
    importer.read("b", page("").as_bytes(), None).unwrap();
    let snapshot = importer.finish(None).unwrap().snapshot;
    assert_eq!(snapshot.accounts.len(), 1);
    assert_eq!(snapshot.accounts[0].iam.roles.len(), 1);
    let mut importer = GaadImporter::new();
    importer.read("a", page("").as_bytes(), None).unwrap();
    let changed = page("").replace(r#""Value":"web""#, r#""Value":"api""#);
    let error = importer.read("b", changed.as_bytes(), None).unwrap_err();
    assert_eq!(error.source, "b");
    assert!(error
        .message
        .contains("role arn:aws:iam::111111111111:role/app appears twice"));
}
