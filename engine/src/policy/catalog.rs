//! The action catalogue: AWS's service authorization reference (services, actions with
//! access levels and resource types, ARN templates, condition keys, RCP support),
//! compiled into the binary from `datasets/iam-actions/iam-actions.json` and loaded once.
//!
//! Actions get dense ids ([`ActionId`]) sorted by service prefix and lowercase name, so
//! the actions of one service, and those sharing a name prefix (`s3:Get*`), are
//! contiguous id ranges.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::glob::Glob;

static CATALOG_JSON: &str = include_str!("../../../datasets/iam-actions/iam-actions.json");

/// Dense id of a catalogue action (index into [`Catalog::actions`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionId(pub u32);

/// Dense id of a service (index into [`Catalog::services`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceId(pub u32);

/// AWS access level of an action ("Actions, resources, and condition keys" pages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessLevel {
    /// List.
    List,
    /// Read.
    Read,
    /// Write.
    Write,
    /// Permissions management (may also be listed as Write).
    PermissionsManagement,
    /// Tagging (may also be listed as Write).
    Tagging,
}

impl AccessLevel {
    fn parse(s: &str) -> AccessLevel {
        if s.starts_with("Permissions management") {
            AccessLevel::PermissionsManagement
        } else if s.starts_with("Tagging") {
            AccessLevel::Tagging
        } else if s == "List" {
            AccessLevel::List
        } else if s == "Read" {
            AccessLevel::Read
        } else {
            AccessLevel::Write
        }
    }
}

/// A resource type of a service, with its ARN template.
#[derive(Debug)]
pub struct ResourceTypeInfo {
    /// Name as AWS spells it (`object`, `bucket`, `role`, `Secret`).
    pub name: String,
    /// ARN template, e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    pub arn_template: String,
    /// Condition keys that apply to this resource type.
    pub condition_keys: Vec<String>,
    template: ArnTemplate,
}

impl ResourceTypeInfo {
    /// Whether a concrete ARN has the shape of this resource type.
    pub fn matches_arn(&self, arn: &str) -> bool {
        self.template.matches(arn)
    }
}

/// One resource type an action applies to.
#[derive(Debug, Clone)]
pub struct ActionResource {
    /// Index into the service's [`ServiceInfo::resource_types`].
    pub resource_type: usize,
    /// Whether AWS marks this resource type as required.
    pub required: bool,
}

/// A service of the catalogue.
#[derive(Debug)]
pub struct ServiceInfo {
    /// Service prefix (`s3`, `iam`, `secretsmanager`).
    pub prefix: String,
    /// Human-readable name (`Amazon S3`).
    pub name: String,
    /// Its actions: the id range `first..end`.
    pub actions: std::ops::Range<u32>,
    /// Its resource types.
    pub resource_types: Vec<ResourceTypeInfo>,
    /// Its condition keys with their types (`String`, `ARN`, `ArrayOfString` ...).
    pub condition_keys: Vec<(String, String)>,
    /// Whether resource control policies apply to this service.
    pub rcp_supported: bool,
}

/// An action of the catalogue.
#[derive(Debug)]
pub struct ActionInfo {
    /// Owning service.
    pub service: ServiceId,
    /// Action name as AWS spells it (`GetObject`).
    pub name: String,
    /// `service:name`, lowercased (the interned form used for matching).
    pub key: String,
    /// Access level.
    pub access_level: AccessLevel,
    /// Resource types the action applies to; empty means it only supports `Resource: "*"`.
    pub resource_types: Vec<ActionResource>,
    /// Condition keys specific to the action.
    pub condition_keys: Vec<String>,
}

/// The loaded catalogue. Obtain it with [`catalog()`].
#[derive(Debug)]
pub struct Catalog {
    services: Vec<ServiceInfo>,
    actions: Vec<ActionInfo>,
    by_key: FxHashMap<String, ActionId>,
    service_by_prefix: FxHashMap<String, ServiceId>,
    global_condition_keys: Vec<(String, String)>,
    /// Version of the source data.
    pub source_version: String,
}

/// The process-wide catalogue, parsed on first use.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        Catalog::from_json(CATALOG_JSON).expect("the embedded action catalogue is valid")
    })
}

#[derive(Deserialize)]
struct RawCatalog {
    source: RawSource,
    #[serde(rename = "globalConditionKeys")]
    global_condition_keys: Vec<RawGlobalKey>,
    #[serde(rename = "rcpSupportedServices")]
    rcp_supported_services: Vec<String>,
    services: BTreeMap<String, RawService>,
}

#[derive(Deserialize)]
struct RawSource {
    version: String,
}

#[derive(Deserialize)]
struct RawGlobalKey {
    key: String,
    #[serde(rename = "type")]
    ty: String,
}

#[derive(Deserialize)]
struct RawService {
    name: String,
    actions: BTreeMap<String, RawAction>,
    #[serde(rename = "resourceTypes")]
    resource_types: BTreeMap<String, RawResourceType>,
    #[serde(rename = "conditionKeys")]
    condition_keys: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawAction {
    #[serde(rename = "accessLevel")]
    access_level: String,
    #[serde(rename = "resourceTypes")]
    resource_types: Vec<RawActionResource>,
    #[serde(rename = "conditionKeys", default)]
    condition_keys: Vec<String>,
}

#[derive(Deserialize)]
struct RawActionResource {
    name: String,
    required: bool,
}

#[derive(Deserialize)]
struct RawResourceType {
    arn: String,
    #[serde(rename = "conditionKeys", default)]
    condition_keys: Vec<String>,
}

impl Catalog {
    /// Builds a catalogue from the JSON export (shape in `datasets/iam-actions/SOURCES.md`).
    pub fn from_json(text: &str) -> Result<Catalog, serde_json::Error> {
        let raw: RawCatalog = serde_json::from_str(text)?;
        let mut services = Vec::new();
        let mut actions = Vec::new();
        let mut prefixes: Vec<(&String, &RawService)> = raw.services.iter().collect();
        prefixes.sort_by_key(|(p, _)| p.to_ascii_lowercase());
        for (prefix, svc) in prefixes {
            let service = ServiceId(services.len() as u32);
            let type_names: Vec<&String> = svc.resource_types.keys().collect();
            let resource_types = svc
                .resource_types
                .iter()
                .map(|(name, rt)| ResourceTypeInfo {
                    name: name.clone(),
                    arn_template: rt.arn.clone(),
                    condition_keys: rt.condition_keys.clone(),
                    template: ArnTemplate::parse(&rt.arn),
                })
                .collect();
            let mut names: Vec<(&String, &RawAction)> = svc.actions.iter().collect();
            names.sort_by_key(|(n, _)| n.to_ascii_lowercase());
            let first = actions.len() as u32;
            for (name, a) in names {
                actions.push(ActionInfo {
                    service,
                    name: name.clone(),
                    key: format!("{prefix}:{name}").to_ascii_lowercase(),
                    access_level: AccessLevel::parse(&a.access_level),
                    resource_types: a
                        .resource_types
                        .iter()
                        .filter_map(|r| {
                            let idx = type_names.iter().position(|n| **n == r.name)?;
                            Some(ActionResource {
                                resource_type: idx,
                                required: r.required,
                            })
                        })
                        .collect(),
                    condition_keys: a.condition_keys.clone(),
                });
            }
            services.push(ServiceInfo {
                prefix: prefix.clone(),
                name: svc.name.clone(),
                actions: first..actions.len() as u32,
                resource_types,
                condition_keys: svc
                    .condition_keys
                    .iter()
                    .map(|(k, t)| (k.clone(), t.clone()))
                    .collect(),
                rcp_supported: raw.rcp_supported_services.iter().any(|s| s == prefix),
            });
        }
        let by_key = actions
            .iter()
            .enumerate()
            .map(|(i, a)| (a.key.clone(), ActionId(i as u32)))
            .collect();
        let service_by_prefix = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.prefix.to_ascii_lowercase(), ServiceId(i as u32)))
            .collect();
        Ok(Catalog {
            services,
            actions,
            by_key,
            service_by_prefix,
            global_condition_keys: raw
                .global_condition_keys
                .into_iter()
                .map(|k| (k.key, k.ty))
                .collect(),
            source_version: raw.source.version,
        })
    }

    /// All services, sorted by prefix.
    pub fn services(&self) -> &[ServiceInfo] {
        &self.services
    }

    /// All actions; `ActionId(i)` is `actions()[i]`.
    pub fn actions(&self) -> &[ActionInfo] {
        &self.actions
    }

    /// Number of actions (ids are `0..len`).
    pub fn len(&self) -> u32 {
        self.actions.len() as u32
    }

    /// Whether the catalogue is empty (never, for the embedded one).
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Details of an action.
    pub fn action(&self, id: ActionId) -> &ActionInfo {
        &self.actions[id.0 as usize]
    }

    /// Details of a service.
    pub fn service(&self, id: ServiceId) -> &ServiceInfo {
        &self.services[id.0 as usize]
    }

    /// The service of an action.
    pub fn service_of(&self, id: ActionId) -> &ServiceInfo {
        self.service(self.action(id).service)
    }

    /// Looks up an exact action (`s3:GetObject`, any case).
    pub fn lookup(&self, action: &str) -> Option<ActionId> {
        if action.bytes().any(|b| b.is_ascii_uppercase()) {
            self.by_key.get(&action.to_ascii_lowercase()).copied()
        } else {
            self.by_key.get(action).copied()
        }
    }

    /// Looks up a service by prefix (any case).
    pub fn service_by_prefix(&self, prefix: &str) -> Option<ServiceId> {
        self.service_by_prefix
            .get(&prefix.to_ascii_lowercase())
            .copied()
    }

    /// Global condition keys (`aws:*`) with their types.
    pub fn global_condition_keys(&self) -> &[(String, String)] {
        &self.global_condition_keys
    }

    /// `service:Name` as AWS spells it.
    pub fn action_name(&self, id: ActionId) -> String {
        let a = self.action(id);
        format!("{}:{}", self.service(a.service).prefix, a.name)
    }

    /// Calls `f` for every catalogue action matched by an action pattern such as
    /// `s3:Get*`, `*`, `iam:?etRole` (case-insensitive).
    pub fn for_each_match(&self, pattern: &str, mut f: impl FnMut(ActionId)) {
        let lower = pattern.to_ascii_lowercase();
        if lower == "*" {
            (0..self.len()).for_each(|i| f(ActionId(i)));
            return;
        }
        let Some((svc, name)) = lower.split_once(':') else {
            return;
        };
        let name_glob = Glob::new(name, true);
        let services: Vec<&ServiceInfo> = if svc.contains(['*', '?']) {
            let g = Glob::new(svc, true);
            self.services
                .iter()
                .filter(|s| g.matches(&s.prefix))
                .collect()
        } else {
            match self.service_by_prefix(svc) {
                Some(s) => vec![self.service(s)],
                None => return,
            }
        };
        for service in services {
            if !name_glob.has_wildcards() {
                let key = format!("{}:{name}", service.prefix.to_ascii_lowercase());
                if let Some(id) = self.by_key.get(&key) {
                    f(*id);
                }
                continue;
            }
            let range = service.actions.clone();
            let prefix = name_glob.literal_prefix();
            let names = &self.actions[range.start as usize..range.end as usize];
            let lo = names.partition_point(|a| short_name(a) < prefix.as_str());
            for (off, a) in names[lo..].iter().enumerate() {
                let n = short_name(a);
                if !n.starts_with(prefix.as_str()) {
                    break;
                }
                if name_glob.matches(n) {
                    f(ActionId(range.start + (lo + off) as u32));
                }
            }
        }
    }

    /// All catalogue actions matched by an action pattern.
    pub fn expand(&self, pattern: &str) -> Vec<ActionId> {
        let mut out = Vec::new();
        self.for_each_match(pattern, |id| out.push(id));
        out
    }

    /// The resource types of `action` whose ARN template matches `arn`.
    pub fn resource_types_for(&self, action: ActionId, arn: &str) -> Vec<&ResourceTypeInfo> {
        let a = self.action(action);
        let svc = self.service(a.service);
        a.resource_types
            .iter()
            .map(|r| &svc.resource_types[r.resource_type])
            .filter(|rt| rt.matches_arn(arn))
            .collect()
    }

    /// The resource types (of any service) whose ARN template matches `arn`, with their
    /// service. Services whose prefix equals the ARN's service field are tried first.
    pub fn resource_types_of_arn(&self, arn: &str) -> Vec<(&ServiceInfo, &ResourceTypeInfo)> {
        let field = arn.split(':').nth(2).unwrap_or("");
        let mut out: Vec<(&ServiceInfo, &ResourceTypeInfo)> = Vec::new();
        for s in &self.services {
            for rt in &s.resource_types {
                if rt.arn_template.split(':').nth(2) == Some(field) && rt.matches_arn(arn) {
                    out.push((s, rt));
                }
            }
        }
        out.sort_by_key(|(s, rt)| {
            (
                s.prefix != field,
                std::cmp::Reverse(rt.template.literal_len),
            )
        });
        out
    }
}

/// The lowercase action name without its service prefix.
fn short_name(a: &ActionInfo) -> &str {
    a.key.split_once(':').map_or("", |(_, n)| n)
}

/// An ARN template of the service reference, e.g.
/// `arn:${Partition}:s3:::${BucketName}/${ObjectName}`. A `${...}` placeholder matches
/// one or more characters without `:`; the last placeholder may also contain `:`.
#[derive(Debug)]
struct ArnTemplate {
    parts: Vec<TemplatePart>,
    literal_len: usize,
}

#[derive(Debug)]
enum TemplatePart {
    Lit(String),
    Var { last: bool },
}

impl ArnTemplate {
    fn parse(t: &str) -> ArnTemplate {
        let mut parts = Vec::new();
        let mut rest = t;
        while let Some(start) = rest.find("${") {
            if start > 0 {
                parts.push(TemplatePart::Lit(rest[..start].to_owned()));
            }
            match rest[start..].find('}') {
                Some(end) => {
                    parts.push(TemplatePart::Var { last: false });
                    rest = &rest[start + end + 1..];
                }
                None => {
                    parts.push(TemplatePart::Lit(rest[start..].to_owned()));
                    rest = "";
                }
            }
        }
        if !rest.is_empty() {
            parts.push(TemplatePart::Lit(rest.to_owned()));
        }
        if let Some(TemplatePart::Var { last }) = parts.last_mut() {
            *last = true;
        }
        let literal_len = parts
            .iter()
            .map(|p| {
                if let TemplatePart::Lit(l) = p {
                    l.len()
                } else {
                    0
                }
            })
            .sum();
        ArnTemplate { parts, literal_len }
    }

    fn matches(&self, arn: &str) -> bool {
        match_parts(&self.parts, arn.as_bytes())
    }
}

fn match_parts(parts: &[TemplatePart], s: &[u8]) -> bool {
    match parts.split_first() {
        None => s.is_empty(),
        Some((TemplatePart::Lit(l), rest)) => {
            s.starts_with(l.as_bytes()) && match_parts(rest, &s[l.len()..])
        }
        Some((TemplatePart::Var { last }, rest)) => {
            // Try every non-empty extent; templates have at most a handful of variables.
            let limit = if *last {
                s.len()
            } else {
                s.iter().position(|&b| b == b':').unwrap_or(s.len())
            };
            (1..=limit).any(|n| match_parts(rest, &s[n..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Service Authorization Reference, "Actions, resources, and condition keys for
    // Amazon S3": s3:Get* expands to real actions; ListAllMyBuckets supports only "*".
    #[test]
    fn expansion_and_lookup() {
        let c = catalog();
        assert!(c.len() > 20_000);
        let get = c.expand("s3:Get*");
        assert!(get.len() > 30);
        assert!(get
            .iter()
            .all(|id| c.action_name(*id).starts_with("s3:Get")));
        let obj = c.lookup("S3:getobject").unwrap();
        assert!(get.contains(&obj));
        assert_eq!(c.action_name(obj), "s3:GetObject");
        assert_eq!(c.action(obj).access_level, AccessLevel::Read);
        assert_eq!(c.expand("s3:GetObjec?"), vec![obj]);
        assert_eq!(c.expand("*").len() as u32, c.len());
        assert!(c.expand("*:GetObject").contains(&obj));
        assert!(c.expand("nosuch:Get*").is_empty());
        let list_all = c.lookup("s3:ListAllMyBuckets").unwrap();
        assert!(c.action(list_all).resource_types.is_empty());
        assert!(c.lookup("deepracer:GetTrack").is_none());
    }

    #[test]
    fn arn_to_resource_type() {
        let c = catalog();
        let obj = c.lookup("s3:GetObject").unwrap();
        let names: Vec<&str> = c
            .resource_types_for(obj, "arn:aws:s3:::b/k/x")
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(names, vec!["object"]);
        assert!(c.resource_types_for(obj, "arn:aws:s3:::b").is_empty());
        let of = c.resource_types_of_arn(
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf",
        );
        assert_eq!(of[0].1.name, "Secret");
        let role = c.resource_types_of_arn("arn:aws:iam::111111111111:role/path/x");
        assert!(role
            .iter()
            .any(|(s, rt)| s.prefix == "iam" && rt.name == "role"));
        let kms = c.service(c.service_by_prefix("kms").unwrap());
        assert!(kms.rcp_supported);
        assert!(!c.service(c.service_by_prefix("ec2").unwrap()).rcp_supported);
    }
}
