//! Import of `aws iam get-account-authorization-details` (GAAD) output.
//!
//! One file describes one account; the account id is read from the ARNs of its users,
//! groups, roles and customer managed policies (or given with `--account` when the file
//! names none, as one made with `--filter AWSManagedPolicy` does). Several files of the
//! same account (pages saved separately) are merged.
//!
//! What is accepted, because tools in the field produce it:
//! * policy documents as JSON objects, JSON text, or URL-encoded JSON text;
//! * files made with `--filter`: any of the four lists may be absent;
//! * pagination artefacts: pages merged into one JSON array, or JSON documents
//!   concatenated in one file, with `IsTruncated` and `Marker` present;
//! * AirIAM's variant: `AccountUsers`, `AccountGroups`, `AccountRoles`,
//!   `AccountPolicies`, extra fields (`LastAccessed`, `RoleLastUsed`,
//!   `LoginProfileExists`) and a `CredentialReport` (used for console passwords and
//!   access key status).
//!
//! What is refused, with the file, the JSON path and what was expected: malformed JSON,
//! a wrong shape, an unknown top-level key (it could hold records that would otherwise
//! be silently dropped), a policy document that is not a policy, a managed policy
//! without its default version, a malformed ARN, and the same ARN twice with different
//! contents. Unknown fields *inside* records are ignored (AWS adds fields over time) and
//! reported as warnings, since a misspelt field could hide a grant.
//!
//! Files are streamed: memory holds the snapshot being built (documents stored once per
//! distinct content) and one record at a time, never a whole file, so files of hundreds
//! of megabytes import without a size limit (reading a file whole and parsing the slice
//! was measured only about 15% faster: not worth holding the file in memory).
//!
//! Coverage: IAM is `Collected` for each imported account, unless the output is
//! incomplete (last page truncated; groups or managed policies referenced but absent, as
//! in files made with `--filter`), which is recorded as a gap with the reason. Every
//! other service is `NotCollected` ("GAAD import holds IAM only"), so queries warn.

pub(crate) mod document;
mod reader;
mod records;
mod state;

pub use document::{check as check_policy_document, DocumentKind};

pub use crate::error::ImportError;
use crate::time::utc_now_rfc3339;
use blastgraph_engine::snapshot::{Coverage, CoverageStatus, Iam, Meta, Origin, Snapshot};
use reader::DocumentSeed;
use serde::de::DeserializeSeed;
use state::FileState;
use std::collections::{BTreeSet, HashMap};
use std::io::{BufReader, Read};
use std::path::Path;

/// The services a GAAD import says nothing about: each gets a `NotCollected` coverage
/// entry per account so that queries warn about them.
pub const NON_IAM_SERVICES: [&str; 11] = [
    "organizations",
    "s3",
    "secretsmanager",
    "kms",
    "rds",
    "lambda",
    "dynamodb",
    "ssm",
    "ec2",
    "ecs",
    "eks",
];

/// The reason recorded for [`NON_IAM_SERVICES`].
pub const NOT_COLLECTED_REASON: &str = "GAAD import holds IAM only";

/// How many unknown-field warnings are listed per file before they are only counted.
const MAX_LISTED_UNKNOWN_FIELDS: usize = 10;

/// The result of an import: the snapshot and what the user should know about it.
#[derive(Debug)]
pub struct GaadImport {
    /// The snapshot (valid: [`Snapshot::validate`] finds nothing).
    pub snapshot: Snapshot,
    /// Things that did not stop the import but may matter: unknown fields, ARNs naming
    /// another account, incomplete output.
    pub warnings: Vec<String>,
}

/// Pagination state of one account over all its files.
#[derive(Debug, Default)]
struct AccountProgress {
    pages: usize,
    truncated_pages: usize,
}

/// Builds one snapshot from any number of GAAD files.
///
/// After an error the importer holds a partly read file and must be dropped.
#[derive(Debug, Default)]
pub struct GaadImporter {
    snapshot: Snapshot,
    sources: Vec<String>,
    progress: HashMap<String, AccountProgress>,
    warnings: Vec<String>,
}

impl GaadImporter {
    /// An importer with an empty snapshot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one file, streaming. `account` overrides the account id read from the ARNs.
    pub fn read_file(&mut self, path: &Path, account: Option<&str>) -> Result<(), ImportError> {
        let source = path.display().to_string();
        let file = std::fs::File::open(path)
            .map_err(|e| ImportError::file(&source, format!("cannot open: {e}")))?;
        self.read(&source, file, account)
    }

    /// Reads one source from a reader, streaming; named `source` in messages.
    pub fn read(
        &mut self,
        source: &str,
        reader: impl Read,
        account: Option<&str>,
    ) -> Result<(), ImportError> {
        let json = serde_json::de::IoRead::new(BufReader::with_capacity(1 << 16, reader));
        self.read_json(source, json, account)
    }

    /// Reads one source held in memory; named `source` in messages.
    pub fn read_bytes(
        &mut self,
        source: &str,
        bytes: &[u8],
        account: Option<&str>,
    ) -> Result<(), ImportError> {
        self.read_json(source, serde_json::de::SliceRead::new(bytes), account)
    }

    fn read_json<'de, R: serde_json::de::Read<'de>>(
        &mut self,
        source: &str,
        json: R,
        account: Option<&str>,
    ) -> Result<(), ImportError> {
        let mut unknown_fields = Vec::new();
        let mut state = FileState::new(&mut self.snapshot.documents);
        read_documents(source, json, &mut state, &mut unknown_fields)?;
        if !state.lists_seen {
            return Err(ImportError::file(
                source,
                format!(
                    "not get-account-authorization-details output: expected at least one of {}",
                    reader::list_key_names()
                ),
            ));
        }
        state.apply_credential_report();
        let account_id = pick_account(source, &state.arn_accounts, account)?;
        let FileState {
            iam,
            pages,
            truncated_pages,
            ..
        } = state;
        self.warn_unknown_fields(source, &unknown_fields);
        self.warn_foreign_arns(source, &account_id, &iam);
        merge_iam(&mut self.snapshot.account_mut(&account_id).iam, iam)
            .map_err(|message| ImportError::file(source, message))?;
        let progress = self.progress.entry(account_id).or_default();
        progress.pages += pages;
        progress.truncated_pages += truncated_pages;
        self.sources.push(source.to_string());
        Ok(())
    }

    fn warn_unknown_fields(&mut self, source: &str, paths: &[String]) {
        for path in paths.iter().take(MAX_LISTED_UNKNOWN_FIELDS) {
            self.warnings.push(format!(
                "{source}: ignored unknown field at JSON path {path} (not a get-account-authorization-details field; a typo could hide a grant)"
            ));
        }
        if paths.len() > MAX_LISTED_UNKNOWN_FIELDS {
            self.warnings.push(format!(
                "{source}: ignored {} more unknown fields",
                paths.len() - MAX_LISTED_UNKNOWN_FIELDS
            ));
        }
    }

    fn warn_foreign_arns(&mut self, source: &str, account_id: &str, iam: &Iam) {
        let arns = iam
            .users
            .iter()
            .map(|u| u.arn.as_str())
            .chain(iam.groups.iter().map(|g| g.arn.as_str()))
            .chain(iam.roles.iter().map(|r| r.arn.as_str()))
            .chain(iam.managed_policies.iter().map(|p| p.arn.as_str()));
        let foreign: Vec<&str> = arns
            .filter(|arn| {
                let account = arn.split(':').nth(4).unwrap_or_default();
                account != account_id && !arn.starts_with("arn:aws:iam::aws:policy/")
            })
            .collect();
        if let Some(example) = foreign.first() {
            self.warnings.push(format!(
                "{source}: {} records name another account than {account_id} in their ARN (e.g. {example}); they are kept in {account_id}, the account the file describes",
                foreign.len()
            ));
        }
    }

    /// Completes the snapshot: coverage (with the gaps found) and metadata.
    /// `created_at` is the RFC 3339 time to record; `None` means now.
    pub fn finish(mut self, created_at: Option<String>) -> Result<GaadImport, ImportError> {
        let mut coverage = Vec::new();
        for account in &mut self.snapshot.accounts {
            let mut gaps = drop_unknown_groups(&mut account.iam);
            gaps.extend(missing_policies(&account.iam));
            let progress = self.progress.get(&account.id);
            let truncated = progress.is_some_and(|p| p.truncated_pages >= p.pages);
            let status = if truncated {
                CoverageStatus::Failed {
                    error: "incomplete: the last page of the output says IsTruncated: true; fetch the remaining pages (aws iam get-account-authorization-details --starting-token MARKER)".into(),
                }
            } else if gaps.is_empty() {
                CoverageStatus::Collected
            } else {
                CoverageStatus::NotCollected {
                    reason: format!("incomplete (made with --filter?): {}", gaps.join("; ")),
                }
            };
            if let CoverageStatus::Failed { error: reason }
            | CoverageStatus::NotCollected { reason } = &status
            {
                self.warnings
                    .push(format!("account {}: IAM {reason}", account.id));
            }
            coverage.push(Coverage {
                account_id: account.id.clone(),
                region: None,
                service: "iam".into(),
                status,
            });
            coverage.extend(NON_IAM_SERVICES.iter().map(|service| Coverage {
                account_id: account.id.clone(),
                region: None,
                service: service.to_string(),
                status: CoverageStatus::NotCollected {
                    reason: NOT_COLLECTED_REASON.into(),
                },
            }));
        }
        self.snapshot.meta = Meta {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at: created_at.unwrap_or_else(utc_now_rfc3339),
            collected_by: None,
            origin: Origin::GaadImport {
                files: self.sources,
            },
            coverage,
        };
        if let Some(first) = self.snapshot.validate().first() {
            return Err(ImportError::file(
                "import",
                format!("the imported snapshot is inconsistent: {first}"),
            ));
        }
        Ok(GaadImport {
            snapshot: self.snapshot,
            warnings: self.warnings,
        })
    }
}

/// Imports one GAAD text (tests, the embedded demo organization).
pub fn import_str(source: &str, text: &str) -> Result<GaadImport, ImportError> {
    let mut importer = GaadImporter::new();
    importer.read_bytes(source, text.as_bytes(), None)?;
    importer.finish(None)
}

/// Reads every JSON document of a source into `state`, collecting the JSON paths of
/// unknown fields.
fn read_documents<'de, R: serde_json::de::Read<'de>>(
    source: &str,
    read: R,
    state: &mut FileState,
    unknown_fields: &mut Vec<String>,
) -> Result<(), ImportError> {
    let mut json = serde_json::Deserializer::new(read);
    let mut document = 0;
    loop {
        let mut track = serde_path_to_error::Track::new();
        let mut on_unknown = |path: serde_ignored::Path| unknown_fields.push(json_path(&path));
        let result = {
            let ignoring = serde_ignored::Deserializer::new(&mut json, &mut on_unknown);
            let tracked = serde_path_to_error::Deserializer::new(ignoring, &mut track);
            DocumentSeed(&mut *state).deserialize(tracked)
        };
        if let Err(error) = result {
            let path = track.path().to_string();
            return Err(ImportError {
                source: source.to_string(),
                document,
                path: (path != ".").then_some(path),
                message: json_error_message(&error),
            });
        }
        document += 1;
        if json.end().is_ok() {
            return Ok(());
        }
    }
}

fn json_error_message(error: &serde_json::Error) -> String {
    match error.classify() {
        serde_json::error::Category::Io => format!("cannot read: {error}"),
        serde_json::error::Category::Eof if error.line() == 1 && error.column() == 0 => {
            "the file is empty: expected get-account-authorization-details JSON".into()
        }
        _ => error.to_string(),
    }
}

/// `RoleDetailList[3].Foo`, in the notation of serde_path_to_error.
pub(crate) fn json_path(path: &serde_ignored::Path) -> String {
    use serde_ignored::Path as P;
    match path {
        P::Root => String::new(),
        P::Seq { parent, index } => format!("{}[{index}]", json_path(parent)),
        P::Map { parent, key } => {
            let parent = json_path(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
            json_path(parent)
        }
    }
}

/// The account a file describes: `given`, else the 12-digit account its ARNs name most.
fn pick_account(
    source: &str,
    arn_accounts: &std::collections::BTreeMap<String, usize>,
    given: Option<&str>,
) -> Result<String, ImportError> {
    if let Some(id) = given {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ImportError::file(
                source,
                format!("--account: expected a 12-digit account id, found {id:?}"),
            ));
        }
        return Ok(id.to_string());
    }
    let mut candidates: Vec<(&String, usize)> = arn_accounts
        .iter()
        .filter(|(id, _)| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()))
        .map(|(id, count)| (id, *count))
        .collect();
    candidates.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    match candidates.as_slice() {
        [] => Err(ImportError::file(
            source,
            "cannot tell which account the file describes: no user, group, role or customer managed policy ARN names a 12-digit account; give it with --account ID",
        )),
        [(a, n), (b, m), ..] if n == m => Err(ImportError::file(
            source,
            format!("cannot tell which account the file describes: its ARNs name {a} and {b} equally often ({n} times); give it with --account ID"),
        )),
        [(id, _), ..] => Ok(id.to_string()),
    }
}

/// Adds a file's IAM to an account's. A record seen before (overlapping pages, the same
/// file given twice) is skipped when identical and refused when different.
fn merge_iam(target: &mut Iam, source: Iam) -> Result<(), String> {
    merge_by_arn(&mut target.users, source.users, |u| &u.arn, "user")?;
    merge_by_arn(&mut target.groups, source.groups, |g| &g.arn, "group")?;
    merge_by_arn(&mut target.roles, source.roles, |r| &r.arn, "role")?;
    merge_by_arn(
        &mut target.managed_policies,
        source.managed_policies,
        |p| &p.arn,
        "managed policy",
    )?;
    merge_by_arn(
        &mut target.instance_profiles,
        source.instance_profiles,
        |p| &p.arn,
        "instance profile",
    )
}

fn merge_by_arn<T: PartialEq>(
    target: &mut Vec<T>,
    items: Vec<T>,
    arn: impl Fn(&T) -> &String,
    what: &str,
) -> Result<(), String> {
    let mut index: HashMap<String, usize> = target
        .iter()
        .enumerate()
        .map(|(i, item)| (arn(item).clone(), i))
        .collect();
    for item in items {
        match index.get(arn(&item)) {
            Some(&i) if target[i] == item => {}
            Some(_) => {
                return Err(format!(
                    "{what} {} appears twice with different contents (pages of two different exports of one account?)",
                    arn(&item)
                ))
            }
            None => {
                index.insert(arn(&item).clone(), target.len());
                target.push(item);
            }
        }
    }
    Ok(())
}

/// Removes memberships in groups the account does not hold (a file made with
/// `--filter User`): the snapshot only names groups it knows. Returns the gap.
fn drop_unknown_groups(iam: &mut Iam) -> Vec<String> {
    let known: BTreeSet<String> = iam.groups.iter().map(|g| g.name.clone()).collect();
    let mut missing = BTreeSet::new();
    for user in &mut iam.users {
        user.groups.retain(|group| {
            let keep = known.contains(group);
            if !keep {
                missing.insert(group.clone());
            }
            keep
        });
    }
    if missing.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "users are members of groups the file does not hold, whose permissions are unknown: {}",
        missing.into_iter().collect::<Vec<_>>().join(", ")
    )]
}

/// Managed policies attached (or used as boundaries) but not in the account's list.
fn missing_policies(iam: &Iam) -> Vec<String> {
    let known: BTreeSet<&str> = iam
        .managed_policies
        .iter()
        .map(|p| p.arn.as_str())
        .collect();
    let referenced = iam
        .users
        .iter()
        .flat_map(|u| u.attached_policies.iter().chain(&u.permissions_boundary))
        .chain(iam.groups.iter().flat_map(|g| g.attached_policies.iter()))
        .chain(
            iam.roles
                .iter()
                .flat_map(|r| r.attached_policies.iter().chain(&r.permissions_boundary)),
        );
    let missing: BTreeSet<&str> = referenced
        .map(String::as_str)
        .filter(|arn| !known.contains(arn))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "{} managed policies are attached but not in the file, their documents are unknown: {}",
        missing.len(),
        missing.into_iter().collect::<Vec<_>>().join(", ")
    )]
}

#[cfg(test)]
mod tests;
