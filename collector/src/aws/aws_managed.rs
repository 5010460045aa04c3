//! AWS managed policies, read once per collection and only when attached.
//!
//! `GetAccountAuthorizationDetails` can return AWS managed policies, and an account's
//! GAAD pages then carry the full text of every one of them (every version) again in
//! every account of the organization, although AWS managed policies are the same
//! everywhere. Emulators return all of them, attached or not: moto 5.2.5 answers a
//! 200-role account's unfiltered GAAD in about 2 s, against 0.13 s without them.
//!
//! So the collector asks GAAD for users, groups, roles and customer managed policies
//! only, and reads the AWS managed policies the account's principals attach (as a
//! policy or a permissions boundary) with `GetPolicy` and `GetPolicyVersion`, each ARN
//! once for the whole collection. Only the default version is read: AWS managed
//! policies' defaults cannot be changed by a customer, so older versions never take
//! effect.

use super::support::{describe, Limits};
use aws_sdk_iam::types::{ManagedPolicyDetail, PolicyVersion};
use aws_sdk_iam::Client;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

const SERVICE: &str = "iam";

/// Whether `arn` names an AWS managed policy (`arn:PARTITION:iam::aws:policy/...`).
pub fn is_aws_managed(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws") && arn.starts_with("arn:")
}

/// Values computed at most once per key, however many tasks ask at the same time: the
/// first asker runs the computation, the others wait for its result.
#[derive(Debug)]
pub struct OnceMap<V> {
    cells: Mutex<HashMap<String, Arc<OnceCell<V>>>>,
}

impl<V> Default for OnceMap<V> {
    fn default() -> Self {
        OnceMap {
            cells: Mutex::default(),
        }
    }
}

impl<V: Clone> OnceMap<V> {
    /// The value of `key`, computed by `compute` if no one has yet.
    pub async fn get_or_compute<F, Fut>(&self, key: &str, compute: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let cell = {
            // A poisoned lock only means another task panicked while inserting; the
            // map itself is still consistent.
            let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
            cells.entry(key.to_string()).or_default().clone()
        };
        cell.get_or_init(compute).await.clone()
    }
}

/// The AWS managed policies read so far in this collection, by ARN.
pub type AwsManagedCache = OnceMap<Result<AwsManagedPolicy, String>>;

/// What `GetPolicy` and `GetPolicyVersion` say of an AWS managed policy: the same in
/// every account.
#[derive(Debug, Clone)]
pub struct AwsManagedPolicy {
    arn: String,
    name: Option<String>,
    path: Option<String>,
    version_id: String,
    document: String,
}

impl AwsManagedPolicy {
    /// The policy as GAAD would have listed it in an account attaching it `attachments`
    /// times.
    pub fn detail(&self, attachments: i32) -> ManagedPolicyDetail {
        ManagedPolicyDetail::builder()
            .arn(&self.arn)
            .set_policy_name(self.name.clone())
            .set_path(self.path.clone())
            .default_version_id(&self.version_id)
            .attachment_count(attachments)
            .policy_version_list(
                PolicyVersion::builder()
                    .document(&self.document)
                    .version_id(&self.version_id)
                    .is_default_version(true)
                    .build(),
            )
            .build()
    }
}

/// Every AWS managed policy ARN the principals attach or use as a boundary, with how
/// many users, groups and roles attach it (its `AttachmentCount` in this account).
pub fn attached_aws_managed(raw: &super::iam::IamRaw) -> BTreeMap<String, i32> {
    let users = raw.users.iter().map(|u| {
        let boundary = u.permissions_boundary();
        (u.attached_managed_policies(), boundary)
    });
    let roles = raw.roles.iter().map(|r| {
        let boundary = r.permissions_boundary();
        (r.attached_managed_policies(), boundary)
    });
    let groups = raw
        .groups
        .iter()
        .map(|g| (g.attached_managed_policies(), None));
    let mut attached: BTreeMap<String, i32> = BTreeMap::new();
    for (policies, boundary) in users.chain(roles).chain(groups) {
        let arns = policies.iter().map(|p| (p.policy_arn(), true));
        // A boundary is not an attachment (`AttachmentCount` leaves it out).
        let boundary = boundary.map(|b| (b.permissions_boundary_arn(), false));
        for (arn, counts) in arns.chain(boundary) {
            if let Some(arn) = arn.filter(|a| is_aws_managed(a)) {
                *attached.entry(arn.to_string()).or_default() += i32::from(counts);
            }
        }
    }
    attached
}

/// Reads one AWS managed policy (its default version).
pub async fn fetch(
    client: &Client,
    limits: &Limits,
    arn: &str,
) -> Result<AwsManagedPolicy, String> {
    let policy = limits
        .call(SERVICE, client.get_policy().policy_arn(arn).send())
        .await
        .map_err(|e| describe(&format!("iam:GetPolicy {arn}"), &e))?;
    let policy = policy
        .policy()
        .ok_or_else(|| format!("iam:GetPolicy {arn}: the answer has no policy"))?;
    let version_id = policy
        .default_version_id()
        .ok_or_else(|| format!("iam:GetPolicy {arn}: the answer has no default version"))?;
    let version = limits
        .call(
            SERVICE,
            client
                .get_policy_version()
                .policy_arn(arn)
                .version_id(version_id)
                .send(),
        )
        .await
        .map_err(|e| describe(&format!("iam:GetPolicyVersion {arn} {version_id}"), &e))?;
    let document = version
        .policy_version()
        .and_then(|v| v.document())
        .ok_or_else(|| format!("iam:GetPolicyVersion {arn} {version_id}: no document"))?;
    Ok(AwsManagedPolicy {
        arn: arn.to_string(),
        name: policy.policy_name().map(str::to_string),
        path: policy.path().map(str::to_string),
        version_id: version_id.to_string(),
        document: document.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn aws_managed_arns_are_recognised_in_every_partition() {
        assert!(is_aws_managed("arn:aws:iam::aws:policy/ReadOnlyAccess"));
        assert!(is_aws_managed(
            "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        ));
        assert!(!is_aws_managed("arn:aws:iam::123456789012:policy/aws"));
        assert!(!is_aws_managed("aws"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn each_key_is_computed_once_however_many_ask_at_once() {
        let map = Arc::new(OnceMap::<usize>::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..32 {
            let (map, runs) = (map.clone(), runs.clone());
            tasks.spawn(async move {
                let key = if i % 2 == 0 { "even" } else { "odd" };
                map.get_or_compute(key, || async {
                    runs.fetch_add(1, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    key.len()
                })
                .await
            });
        }
        let mut answers = Vec::new();
        while let Some(answer) = tasks.join_next().await {
            answers.push(answer.expect("task ran"));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 2, "one computation per key");
        assert_eq!(answers.iter().filter(|&&a| a == 4).count(), 16);
        assert_eq!(answers.iter().filter(|&&a| a == 3).count(), 16);
    }
}
