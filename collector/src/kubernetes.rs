//! Kubernetes placement from `kubectl` JSON: which pod runs as which service account, on
//! which node, and which IAM role the service account's IRSA annotation names.
//!
//! AWS's APIs do not say what runs inside an EKS cluster. `kubectl get
//! pods,serviceaccounts,nodes -A -o json` does (nodes are optional: without them pods are
//! still bound to node names, but not to EC2 instances). [`parse`] reads that output;
//! [`apply`] attaches it to a cluster of a snapshot.

use blastgraph_engine::snapshot::{EksCluster, KubernetesNode, Pod, ServiceAccount, Snapshot};
use serde_json::Value;

/// The IRSA annotation on a service account.
pub const IRSA_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

/// What a `kubectl ... -o json` file says about one cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KubernetesObjects {
    /// Service accounts with their IRSA role.
    pub service_accounts: Vec<ServiceAccount>,
    /// Pods with their service account and node.
    pub pods: Vec<Pod>,
    /// Nodes with their EC2 instance.
    pub nodes: Vec<KubernetesNode>,
}

/// Why a kubectl file could not be read or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KubernetesError {
    /// Not JSON.
    #[error("not JSON: {0}")]
    NotJson(String),
    /// JSON, but not the shape kubectl writes.
    #[error("{path}: expected {expected}")]
    Shape {
        /// Where, as a JSON path (`items[3].metadata.name`).
        path: String,
        /// What was expected there.
        expected: &'static str,
    },
    /// No EKS cluster of the snapshot has this name or ARN.
    #[error("no EKS cluster named {0:?} in the snapshot (known: {1})")]
    UnknownCluster(String, String),
    /// Several clusters (in different accounts or regions) have this name.
    #[error("several EKS clusters are named {0:?}; name it by ARN")]
    AmbiguousCluster(String),
}

/// Parses the output of `kubectl get pods,serviceaccounts[,nodes] -A -o json` (a `List`
/// of items; a single object is accepted too). Other kinds are ignored.
pub fn parse(json: &str) -> Result<KubernetesObjects, KubernetesError> {
    let value: Value =
        serde_json::from_str(json).map_err(|e| KubernetesError::NotJson(e.to_string()))?;
    let mut objects = KubernetesObjects::default();
    match value.get("items") {
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                add_item(&mut objects, item, &format!("items[{i}]"))?;
            }
        }
        Some(_) => return Err(shape("items", "an array")),
        None if value.get("kind").is_some() => add_item(&mut objects, &value, "$")?,
        None => return Err(shape("$", "a kubectl List with `items`")),
    }
    Ok(objects)
}

fn shape(path: &str, expected: &'static str) -> KubernetesError {
    KubernetesError::Shape {
        path: path.to_string(),
        expected,
    }
}

fn add_item(
    objects: &mut KubernetesObjects,
    item: &Value,
    at: &str,
) -> Result<(), KubernetesError> {
    if !item.is_object() {
        return Err(shape(at, "an object"));
    }
    let kind = item.get("kind").and_then(Value::as_str).unwrap_or_default();
    match kind {
        "Pod" => objects.pods.push(pod(item, at)?),
        "ServiceAccount" => objects.service_accounts.push(service_account(item, at)?),
        "Node" => objects.nodes.push(node(item, at)?),
        _ => {}
    }
    Ok(())
}

/// A string field; `Ok(None)` when absent or null.
fn optional_str<'a>(
    value: &'a Value,
    path: &[&str],
    at: &str,
) -> Result<Option<&'a str>, KubernetesError> {
    let mut current = value;
    for (depth, key) in path.iter().enumerate() {
        match current.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(next) => {
                if depth + 1 < path.len() && !next.is_object() {
                    return Err(shape(
                        &format!("{at}.{}", path[..=depth].join(".")),
                        "an object",
                    ));
                }
                current = next;
            }
        }
    }
    match current {
        Value::String(s) => Ok(Some(s)),
        _ => Err(shape(&format!("{at}.{}", path.join(".")), "a string")),
    }
}

fn required_str<'a>(value: &'a Value, path: &[&str], at: &str) -> Result<&'a str, KubernetesError> {
    optional_str(value, path, at)?
        .ok_or_else(|| shape(&format!("{at}.{}", path.join(".")), "a string"))
}

fn pod(item: &Value, at: &str) -> Result<Pod, KubernetesError> {
    let host_network = match item.get("spec").and_then(|s| s.get("hostNetwork")) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(shape(&format!("{at}.spec.hostNetwork"), "a boolean")),
    };
    let service_account = match optional_str(item, &["spec", "serviceAccountName"], at)? {
        Some(name) => name,
        // `serviceAccount` is the deprecated spelling; Kubernetes defaults to `default`.
        None => optional_str(item, &["spec", "serviceAccount"], at)?.unwrap_or("default"),
    };
    Ok(Pod {
        namespace: optional_str(item, &["metadata", "namespace"], at)?
            .unwrap_or("default")
            .to_string(),
        name: required_str(item, &["metadata", "name"], at)?.to_string(),
        service_account: service_account.to_string(),
        node_name: optional_str(item, &["spec", "nodeName"], at)?.map(str::to_string),
        host_network,
    })
}

fn service_account(item: &Value, at: &str) -> Result<ServiceAccount, KubernetesError> {
    let annotations = match item.get("metadata").and_then(|m| m.get("annotations")) {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => return Err(shape(&format!("{at}.metadata.annotations"), "an object")),
    };
    let irsa_role_arn = match annotations.and_then(|a| a.get(IRSA_ANNOTATION)) {
        None | Some(Value::Null) => None,
        Some(Value::String(arn)) => Some(arn.trim().to_string()),
        Some(_) => {
            return Err(shape(
                &format!("{at}.metadata.annotations[\"{IRSA_ANNOTATION}\"]"),
                "a string",
            ))
        }
    };
    Ok(ServiceAccount {
        namespace: optional_str(item, &["metadata", "namespace"], at)?
            .unwrap_or("default")
            .to_string(),
        name: required_str(item, &["metadata", "name"], at)?.to_string(),
        irsa_role_arn,
    })
}

fn node(item: &Value, at: &str) -> Result<KubernetesNode, KubernetesError> {
    let provider_id = optional_str(item, &["spec", "providerID"], at)?;
    Ok(KubernetesNode {
        name: required_str(item, &["metadata", "name"], at)?.to_string(),
        instance_id: provider_id.and_then(instance_id_of),
    })
}

/// The EC2 instance id of an AWS provider id (`aws:///us-east-1a/i-0abc`).
pub fn instance_id_of(provider_id: &str) -> Option<String> {
    let rest = provider_id.strip_prefix("aws://")?;
    let last = rest.rsplit('/').next()?;
    last.starts_with("i-").then(|| last.to_string())
}

/// Attaches `objects` to the EKS cluster named `cluster` (its name, or its ARN when the
/// name is not unique) and marks its Kubernetes objects as collected.
pub fn apply(
    snapshot: &mut Snapshot,
    cluster: &str,
    objects: KubernetesObjects,
) -> Result<(), KubernetesError> {
    let target = find_cluster(snapshot, cluster)?;
    target.kubernetes_collected = true;
    target.service_accounts = objects.service_accounts;
    target.pods = objects.pods;
    target.nodes = objects.nodes;
    Ok(())
}

fn find_cluster<'a>(
    snapshot: &'a mut Snapshot,
    cluster: &str,
) -> Result<&'a mut EksCluster, KubernetesError> {
    let all = || snapshot_clusters(snapshot);
    let by_arn = all().filter(|c| c.arn == cluster).count();
    let by_name = all().filter(|c| c.name == cluster).count();
    if by_arn == 0 && by_name > 1 {
        return Err(KubernetesError::AmbiguousCluster(cluster.to_string()));
    }
    if by_arn == 0 && by_name == 0 {
        let known: Vec<&str> = all().map(|c| c.name.as_str()).collect();
        let known = if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        };
        return Err(KubernetesError::UnknownCluster(cluster.to_string(), known));
    }
    let by_arn = by_arn > 0;
    Ok(snapshot
        .accounts
        .iter_mut()
        .flat_map(|a| a.compute.eks_clusters.iter_mut())
        .find(|c| {
            if by_arn {
                c.arn == cluster
            } else {
                c.name == cluster
            }
        })
        .expect("counted above"))
}

fn snapshot_clusters(snapshot: &Snapshot) -> impl Iterator<Item = &EksCluster> {
    snapshot
        .accounts
        .iter()
        .flat_map(|a| a.compute.eks_clusters.iter())
}

#[cfg(test)]
mod tests {
    use super::*;
    use blastgraph_engine::snapshot::Account;

    const KUBECTL: &str = r#"{
      "apiVersion": "v1", "kind": "List",
      "items": [
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": "payments", "namespace": "shop",
           "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/payments"}}},
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": "default", "namespace": "shop"}},
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "payments-7d9f", "namespace": "shop"},
         "spec": {"serviceAccountName": "payments", "nodeName": "ip-10-0-1-5.ec2.internal"}},
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "node-exporter-x", "namespace": "monitoring"},
         "spec": {"nodeName": "ip-10-0-1-5.ec2.internal", "hostNetwork": true}},
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "pending", "namespace": "shop"},
         "spec": {"serviceAccount": "legacy"}},
        {"apiVersion": "v1", "kind": "Node",
         "metadata": {"name": "ip-10-0-1-5.ec2.internal"},
         "spec": {"providerID": "aws:///us-east-1a/i-0123456789abcdef0"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ignored"}}
      ]
    }"#;

    #[test]
    fn binds_pods_service_accounts_irsa_and_nodes() {
        let objects = parse(KUBECTL).unwrap();
        assert_eq!(
            objects.service_accounts,
            vec![
                ServiceAccount {
                    namespace: "shop".into(),
                    name: "payments".into(),
                    irsa_role_arn: Some("arn:aws:iam::111122223333:role/payments".into()),
                },
                ServiceAccount {
                    namespace: "shop".into(),
                    name: "default".into(),
                    irsa_role_arn: None,
                },
            ]
        );
        assert_eq!(objects.pods.len(), 3);
        assert_eq!(objects.pods[0].service_account, "payments");
        assert_eq!(
            objects.pods[0].node_name.as_deref(),
            Some("ip-10-0-1-5.ec2.internal")
        );
        assert!(!objects.pods[0].host_network);
        // No service account named: Kubernetes runs it as `default`.
        assert_eq!(objects.pods[1].service_account, "default");
        assert!(objects.pods[1].host_network);
        assert_eq!(objects.pods[2].service_account, "legacy");
        assert_eq!(objects.pods[2].node_name, None);
        assert_eq!(
            objects.nodes,
            vec![KubernetesNode {
                name: "ip-10-0-1-5.ec2.internal".into(),
                instance_id: Some("i-0123456789abcdef0".into()),
            }]
        );
    }

    #[test]
    fn malformed_files_name_the_json_path() {
        assert!(matches!(parse("{"), Err(KubernetesError::NotJson(_))));
        assert_eq!(
            parse(r#"{"items": {}}"#).unwrap_err().to_string(),
            "items: expected an array"
        );
        let error =
            parse(r#"{"items": [{"kind": "Pod", "metadata": {"namespace": "a"}}]}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "items[0].metadata.name: expected a string"
        );
        let error = parse(r#"{"items": [{"kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostNetwork": "yes"}}]}"#)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "items[0].spec.hostNetwork: expected a boolean"
        );
        let error = parse(
            r#"{"items": [{"kind": "ServiceAccount", "metadata": {"name": "s", "annotations": {"eks.amazonaws.com/role-arn": 3}}}]}"#,
        )
        .unwrap_err();
        assert!(error.to_string().contains("role-arn"), "{error}");
    }

    #[test]
    fn provider_ids_give_instance_ids_only_for_aws() {
        assert_eq!(
            instance_id_of("aws:///eu-west-1b/i-0abc").as_deref(),
            Some("i-0abc")
        );
        assert_eq!(
            instance_id_of("aws:///eu-west-1b/fargate-ip-10-0-1-1"),
            None
        );
        assert_eq!(instance_id_of("gce://project/zone/node"), None);
    }

    fn snapshot_with_clusters(clusters: &[(&str, &str)]) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for (account, name) in clusters {
            let account: &mut Account = snapshot.account_mut(account);
            account.compute.eks_clusters.push(EksCluster {
                arn: format!("arn:aws:eks:us-east-1:{}:cluster/{name}", account.id),
                name: name.to_string(),
                region: "us-east-1".into(),
                ..EksCluster::default()
            });
        }
        snapshot
    }

    #[test]
    fn apply_finds_the_cluster_by_name_or_arn() {
        let mut snapshot =
            snapshot_with_clusters(&[("111122223333", "prod"), ("444455556666", "dev")]);
        apply(&mut snapshot, "prod", parse(KUBECTL).unwrap()).unwrap();
        let prod = &snapshot.accounts[0].compute.eks_clusters[0];
        assert!(prod.kubernetes_collected);
        assert_eq!(prod.pods.len(), 3);
        let dev = &snapshot.accounts[1].compute.eks_clusters[0];
        assert!(!dev.kubernetes_collected);
        assert!(dev.pods.is_empty());

        apply(
            &mut snapshot,
            "arn:aws:eks:us-east-1:444455556666:cluster/dev",
            KubernetesObjects::default(),
        )
        .unwrap();
        assert!(snapshot.accounts[1].compute.eks_clusters[0].kubernetes_collected);
    }

    #[test]
    fn apply_refuses_unknown_and_ambiguous_names() {
        let mut snapshot =
            snapshot_with_clusters(&[("111122223333", "prod"), ("444455556666", "prod")]);
        assert_eq!(
            apply(&mut snapshot, "prod", KubernetesObjects::default()),
            Err(KubernetesError::AmbiguousCluster("prod".into()))
        );
        let error = apply(&mut snapshot, "staging", KubernetesObjects::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no EKS cluster named \"staging\" in the snapshot (known: prod, prod)"
        );
        apply(
            &mut snapshot,
            "arn:aws:eks:us-east-1:444455556666:cluster/prod",
            KubernetesObjects::default(),
        )
        .unwrap();
    }
}
