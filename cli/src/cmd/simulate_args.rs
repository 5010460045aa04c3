//! The change options of `blastgraph simulate`, turned into engine changes in the order
//! they were given.
//!
//! Options come in groups (`--detach POLICY --from PRINCIPAL`, `--imds block --instances
//! i-1 i-2`): clap parses each option, and the positions clap records pair every
//! modifier (`--from`, `--to`, `--principal`, `--instances`, `--cluster`) with the change
//! option right before it.

use blastgraph_engine::simulate::{Change, ImdsSetting};
use clap::{ArgMatches, Args, FromArgMatches};
use std::path::PathBuf;

/// The change options, as clap declares and checks them. The values are read back in
/// command-line order from the matches (see [`ChangeArgs`]), not from these fields.
#[derive(Args, Debug, Default, Clone)]
#[allow(dead_code)]
pub struct ChangeFlags {
    /// Detach a managed policy everywhere and drop it.
    #[arg(long = "remove-policy", value_name = "ARN")]
    remove_policy: Vec<String>,
    /// Detach a managed policy (ARN) or delete an inline policy (name) of the principal
    /// given by the following --from.
    #[arg(long, value_name = "POLICY")]
    detach: Vec<String>,
    /// The principal of the preceding --detach.
    #[arg(long, value_name = "PRINCIPAL")]
    from: Vec<String>,
    /// Add the statement(s) or policy in FILE as an inline policy of the principal given
    /// by the following --to.
    #[arg(long = "add-statement", value_name = "FILE")]
    add_statement: Vec<PathBuf>,
    /// Attach the SCP in FILE to the OU or account given by the following --to.
    #[arg(long = "add-scp", value_name = "FILE")]
    add_scp: Vec<PathBuf>,
    /// The principal (--add-statement) or OU/account (--add-scp) before it.
    #[arg(long, value_name = "TARGET")]
    to: Vec<String>,
    /// Remove the trust statements of ROLE (or only the --principal that follows).
    #[arg(long = "remove-trust", value_name = "ROLE")]
    remove_trust: Vec<String>,
    /// The principal to take out of the preceding --remove-trust's trust policy.
    #[arg(long, value_name = "PRINCIPAL")]
    principal: Vec<String>,
    /// Set IMDS to block, v2-hop1, v2-hop2 or v1 (on the following --instances, or on
    /// every instance).
    #[arg(long, value_name = "SETTING")]
    imds: Vec<String>,
    /// Instances, container instances or node groups of the preceding --imds.
    #[arg(long, value_name = "ID", num_args = 1..)]
    instances: Vec<String>,
    /// Move an ECS cluster's services and tasks to Fargate.
    #[arg(long, value_name = "CLUSTER")]
    fargate: Vec<String>,
    /// Turn ECScape on or off (for the following --cluster, or every cluster).
    #[arg(long, value_name = "on|off")]
    ecscape: Vec<String>,
    /// The cluster of the preceding --ecscape.
    #[arg(long, value_name = "CLUSTER")]
    cluster: Vec<String>,
    /// Start from these sources only.
    #[arg(long, value_name = "SOURCE", num_args = 1..)]
    compromise: Vec<String>,
}

/// The change options with the position of every value on the command line.
#[derive(Debug, Default, Clone)]
pub struct ChangeArgs {
    /// (position, option id, value) of every value, by position.
    positions: Vec<(usize, &'static str, String)>,
}

const IDS: [&str; 14] = [
    "remove_policy",
    "detach",
    "from",
    "add_statement",
    "add_scp",
    "to",
    "remove_trust",
    "principal",
    "imds",
    "instances",
    "fargate",
    "ecscape",
    "cluster",
    "compromise",
];

impl FromArgMatches for ChangeArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        // Type-checks every option; the values are taken with their positions below.
        ChangeFlags::from_arg_matches(matches)?;
        let mut positions = Vec::new();
        for id in IDS {
            let (Some(indices), Some(values)) = (matches.indices_of(id), matches.get_raw(id))
            else {
                continue;
            };
            for (index, value) in indices.zip(values) {
                positions.push((index, id, value.to_string_lossy().into_owned()));
            }
        }
        positions.sort();
        Ok(ChangeArgs { positions })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for ChangeArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        ChangeFlags::augment_args(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        ChangeFlags::augment_args_for_update(cmd)
    }
}

/// A change being assembled from its option and modifiers.
enum Pending {
    Detach(String, Option<String>),
    AddStatement(PathBuf, Option<String>),
    AddScp(PathBuf, Option<String>),
    RemoveTrust(String, Option<String>),
    Imds(ImdsSetting, Vec<String>),
    Ecscape(bool, Option<String>),
    Done(Change),
}

impl ChangeArgs {
    /// The changes in command-line order; documents of `--add-statement` and
    /// `--add-scp` are read with `load`. Errors say which option is wrong.
    pub fn changes(
        &self,
        mut load: impl FnMut(&std::path::Path) -> Result<serde_json::Value, String>,
    ) -> Result<Vec<Change>, String> {
        let mut pending: Vec<Pending> = Vec::new();
        let mut compromise = Vec::new();
        for (_, id, value) in &self.positions {
            let value = value.clone();
            match *id {
                "remove_policy" => pending.push(Pending::Done(Change::RemovePolicy { arn: value })),
                "detach" => pending.push(Pending::Detach(value, None)),
                "add_statement" => pending.push(Pending::AddStatement(value.into(), None)),
                "add_scp" => pending.push(Pending::AddScp(value.into(), None)),
                "remove_trust" => pending.push(Pending::RemoveTrust(value, None)),
                "imds" => {
                    let setting = ImdsSetting::parse(&value).ok_or_else(|| {
                        format!("--imds {value}: expected block, v2-hop1, v2-hop2 or v1")
                    })?;
                    pending.push(Pending::Imds(setting, Vec::new()));
                }
                "fargate" => pending.push(Pending::Done(Change::Fargate { cluster: value })),
                "ecscape" => {
                    let enabled = match value.as_str() {
                        "on" => true,
                        "off" => false,
                        _ => return Err(format!("--ecscape {value}: expected on or off")),
                    };
                    pending.push(Pending::Ecscape(enabled, None));
                }
                "compromise" => compromise.push(value),
                modifier => attach(pending.last_mut(), modifier, value)?,
            }
        }
        let mut changes = Vec::new();
        for item in pending {
            changes.push(finish(item, &mut load)?);
        }
        if !compromise.is_empty() {
            changes.push(Change::Compromise {
                sources: compromise,
            });
        }
        Ok(changes)
    }
}

/// Gives a modifier to the change option right before it.
fn attach(last: Option<&mut Pending>, modifier: &str, value: String) -> Result<(), String> {
    let flag = format!("--{}", modifier.replace('_', "-"));
    let slot = match (last, modifier) {
        (Some(Pending::Detach(_, slot)), "from") => slot,
        (Some(Pending::AddStatement(_, slot) | Pending::AddScp(_, slot)), "to") => slot,
        (Some(Pending::RemoveTrust(_, slot)), "principal") => slot,
        (Some(Pending::Ecscape(_, slot)), "cluster") => slot,
        (Some(Pending::Imds(_, instances)), "instances") => {
            instances.push(value);
            return Ok(());
        }
        _ => {
            let owner = match modifier {
                "from" => "--detach",
                "to" => "--add-statement or --add-scp",
                "principal" => "--remove-trust",
                "cluster" => "--ecscape",
                _ => "--imds",
            };
            return Err(format!("{flag} {value} must follow {owner}"));
        }
    };
    if slot.is_some() {
        return Err(format!(
            "{flag} {value}: the change before it already has one"
        ));
    }
    *slot = Some(value);
    Ok(())
}

/// Completes a change, checking its required modifier.
fn finish(
    item: Pending,
    load: &mut impl FnMut(&std::path::Path) -> Result<serde_json::Value, String>,
) -> Result<Change, String> {
    let document =
        |path: &PathBuf,
         load: &mut dyn FnMut(&std::path::Path) -> Result<serde_json::Value, String>| {
            load(path).map_err(|e| format!("{}: {e}", path.display()))
        };
    Ok(match item {
        Pending::Done(change) => change,
        Pending::Detach(policy, Some(from)) => Change::Detach { policy, from },
        Pending::Detach(policy, None) => {
            return Err(format!("--detach {policy} needs --from PRINCIPAL"))
        }
        Pending::AddStatement(path, Some(to)) => Change::AddStatement {
            document: document(&path, load)?,
            to,
        },
        Pending::AddStatement(path, None) => {
            return Err(format!(
                "--add-statement {} needs --to PRINCIPAL",
                path.display()
            ))
        }
        Pending::AddScp(path, Some(to)) => Change::AddScp {
            document: document(&path, load)?,
            to,
        },
        Pending::AddScp(path, None) => {
            return Err(format!(
                "--add-scp {} needs --to OU|ACCOUNT",
                path.display()
            ))
        }
        Pending::RemoveTrust(role, principal) => Change::RemoveTrust { role, principal },
        Pending::Imds(setting, instances) => Change::Imds { setting, instances },
        Pending::Ecscape(enabled, cluster) => Change::Ecscape { enabled, cluster },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use serde_json::json;

    #[derive(Parser)]
    struct Test {
        #[command(flatten)]
        changes: ChangeArgs,
    }

    fn changes(args: &[&str]) -> Result<Vec<Change>, String> {
        let parsed = Test::try_parse_from(std::iter::once("t").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        parsed
            .changes
            .changes(|path| Ok(json!({"file": path.display().to_string()})))
    }

    #[test]
    fn modifiers_pair_with_the_option_before_them_in_order() {
        let got = changes(&[
            "--imds",
            "v2-hop1",
            "--instances",
            "i-1",
            "i-2",
            "--detach",
            "p1",
            "--from",
            "role/a",
            "--add-scp",
            "scp.json",
            "--to",
            "prod",
            "--add-statement",
            "s.json",
            "--to",
            "role/b",
            "--ecscape",
            "off",
            "--cluster",
            "shared",
            "--remove-trust",
            "role/c",
            "--fargate",
            "batch",
            "--compromise",
            "x",
            "y",
        ])
        .unwrap();
        assert_eq!(
            got,
            vec![
                Change::Imds {
                    setting: ImdsSetting::V2Hop1,
                    instances: vec!["i-1".into(), "i-2".into()]
                },
                Change::Detach {
                    policy: "p1".into(),
                    from: "role/a".into()
                },
                Change::AddScp {
                    document: json!({"file": "scp.json"}),
                    to: "prod".into()
                },
                Change::AddStatement {
                    document: json!({"file": "s.json"}),
                    to: "role/b".into()
                },
                Change::Ecscape {
                    enabled: false,
                    cluster: Some("shared".into())
                },
                Change::RemoveTrust {
                    role: "role/c".into(),
                    principal: None
                },
                Change::Fargate {
                    cluster: "batch".into()
                },
                Change::Compromise {
                    sources: vec!["x".into(), "y".into()]
                },
            ]
        );
    }

    #[test]
    fn a_missing_or_misplaced_modifier_is_an_error() {
        let error = changes(&["--detach", "p1"]).unwrap_err();
        assert!(error.contains("needs --from"), "{error}");
        let error = changes(&["--from", "role/a"]).unwrap_err();
        assert!(error.contains("must follow --detach"), "{error}");
        let error = changes(&["--detach", "p", "--from", "a", "--from", "b"]).unwrap_err();
        assert!(error.contains("already has one"), "{error}");
        let error = changes(&["--imds", "v3"]).unwrap_err();
        assert!(error.contains("expected block"), "{error}");
        let error = changes(&["--ecscape", "maybe"]).unwrap_err();
        assert!(error.contains("on or off"), "{error}");
        let error = changes(&["--add-scp", "f.json"]).unwrap_err();
        assert!(error.contains("needs --to"), "{error}");
    }
}
