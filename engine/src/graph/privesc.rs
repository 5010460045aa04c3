//! Privilege escalation (privesc.md): the catalogue of techniques as data, and the
//! edges it yields. Adding a technique is one entry in [`CATALOGUE`].
//!
//! Every required permission is evaluated with the [`Authorizer`] (identity policies,
//! boundary, SCPs, resource policies): the edge exists when all are possible, and is
//! conditional when any is conditional.

use super::authz::{any_resource_pattern, Authorizer, Decision, Target};
use super::builder::GraphBuilder;
use super::model::{service_uncollected, Model, PrincipalIdx, PrincipalKind};
use super::node::{NodeId, NodeKind};
use super::{
    status_of, weaker, EdgeKind, Explanation, SelfEscalation, SharedReasons, SharedText, Status,
};
use crate::snapshot::Snapshot;
use rayon::prelude::*;
use std::sync::Arc;

/// The technique codes of privesc.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// Raises the identity's own permissions.
    SelfEscalation,
    /// Becomes another principal.
    PrincipalAccess,
    /// Runs code as a role it passes to a new compute resource.
    NewPassRole,
    /// Runs code as the role of an existing resource.
    ExistingPassRole,
}

impl Code {
    /// `SE`, `PA`, `NP`, `EP`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::SelfEscalation => "SE",
            Code::PrincipalAccess => "PA",
            Code::NewPassRole => "NP",
            Code::ExistingPassRole => "EP",
        }
    }
}

/// Which principals can use a technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// Users, roles and groups (a group stands for a future member).
    Any,
    /// Users only.
    User,
    /// Roles only.
    Role,
}

/// The resource a required action must be allowed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// Some resource of the action's service in the actor's account (the new resource
    /// it creates).
    Anything,
    /// The candidate target (user, role, group, instance, function, task, cluster).
    Target,
    /// One of the customer managed policies attached to the actor (or its groups).
    OwnCustomerPolicy,
    /// One of the groups the actor (a user) is in.
    OwnGroup,
}

/// One required permission.
#[derive(Debug, Clone, Copy)]
pub struct Requirement {
    /// The action, lower case.
    pub action: &'static str,
    /// Where it must be allowed.
    pub on: On,
}

/// What a technique acts on and yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Targets {
    /// The actor itself: it becomes administrator of its account (SE).
    Itself,
    /// Another user of the account: the actor becomes it.
    Users,
    /// Another role of the account: the actor becomes it.
    Roles,
    /// A group of the account the actor is not in: it gains the group's permissions.
    Groups,
    /// A role of the account trusting this service principal, passed with
    /// `iam:PassRole` (NP).
    RolesTrusting(&'static str),
    /// An EC2 instance of the account: the actor runs code on it.
    Instances,
    /// A Lambda function of the account: the actor runs code as it.
    Functions,
    /// A task definition with running tasks in the account: the actor execs into them.
    RunningTasks,
    /// Every service account of an EKS cluster of the account: the actor becomes
    /// cluster administrator.
    ClusterWorkloads,
    /// Another user or role of the account whose policies the actor can write: admin
    /// when the actor can also become it (recorded, not an edge).
    PolicyOf(PrincipalKind),
    /// An existing resource of a service the collector never reads (stacks, build
    /// projects, dev endpoints, notebooks): any of them could run as a role trusting
    /// the service, so each such role is a candidate and the edge is inferred.
    Unseen(&'static Uncollected),
}

/// Extra conditions on a candidate that are not permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// None.
    None,
    /// The passed role is in an instance profile already.
    RoleInInstanceProfile,
    /// The user has no console password (or it is unknown).
    NoConsolePassword,
    /// The user has a console password (or it is unknown).
    HasConsolePassword,
    /// The policy has stored non-default versions.
    PolicyHasOtherVersions,
}

/// A privilege-escalation technique.
#[derive(Debug, Clone, Copy)]
pub struct Technique {
    /// Its stable name (edge kind `privesc:<name>`).
    pub name: &'static str,
    /// SE, PA, NP or EP.
    pub code: Code,
    /// Who can use it.
    pub actor: Actor,
    /// What it needs, all of it.
    pub requires: &'static [Requirement],
    /// What it acts on.
    pub targets: Targets,
    /// A non-permission precondition.
    pub precondition: Precondition,
    /// What the attacker does, in words.
    pub description: &'static str,
}

const fn req(action: &'static str, on: On) -> Requirement {
    Requirement { action, on }
}

const fn np(
    name: &'static str,
    service: &'static str,
    requires: &'static [Requirement],
    description: &'static str,
) -> Technique {
    Technique {
        name,
        code: Code::NewPassRole,
        actor: Actor::Any,
        requires,
        targets: Targets::RolesTrusting(service),
        precondition: Precondition::None,
        description,
    }
}

/// [`np`] for roles that reach an instance only through an instance profile.
const fn np_instance_profile(
    name: &'static str,
    requires: &'static [Requirement],
    description: &'static str,
) -> Technique {
    Technique {
        precondition: Precondition::RoleInInstanceProfile,
        ..np(name, "ec2.amazonaws.com", requires, description)
    }
}

const fn ep(
    name: &'static str,
    targets: Targets,
    requires: &'static [Requirement],
    description: &'static str,
) -> Technique {
    Technique {
        name,
        code: Code::ExistingPassRole,
        actor: Actor::Any,
        requires,
        targets,
        precondition: Precondition::None,
        description,
    }
}

const fn se(
    name: &'static str,
    actor: Actor,
    requires: &'static [Requirement],
    precondition: Precondition,
    description: &'static str,
) -> Technique {
    Technique {
        name,
        code: Code::SelfEscalation,
        actor,
        requires,
        targets: Targets::Itself,
        precondition,
        description,
    }
}

const fn pa(
    name: &'static str,
    actor: Actor,
    targets: Targets,
    requires: &'static [Requirement],
    precondition: Precondition,
    description: &'static str,
) -> Technique {
    Technique {
        name,
        code: Code::PrincipalAccess,
        actor,
        requires,
        targets,
        precondition,
        description,
    }
}

use On::{Anything, OwnCustomerPolicy, OwnGroup, Target as T};

const PASS: Requirement = req("iam:passrole", T);

/// The catalogue.
pub const CATALOGUE: &[Technique] = &[
    // IAM, self (SE).
    se("iam:CreatePolicyVersion", Actor::Any, &[req("iam:createpolicyversion", OwnCustomerPolicy)], Precondition::None,
        "writes a new default version of a customer managed policy attached to itself"),
    se("iam:SetDefaultPolicyVersion", Actor::Any, &[req("iam:setdefaultpolicyversion", OwnCustomerPolicy)], Precondition::PolicyHasOtherVersions,
        "switches a policy attached to itself to another stored version"),
    se("iam:AttachUserPolicy", Actor::User, &[req("iam:attachuserpolicy", T)], Precondition::None,
        "attaches AdministratorAccess to itself"),
    se("iam:AttachRolePolicy", Actor::Role, &[req("iam:attachrolepolicy", T)], Precondition::None,
        "attaches AdministratorAccess to itself"),
    se("iam:AttachGroupPolicy", Actor::User, &[req("iam:attachgrouppolicy", OwnGroup)], Precondition::None,
        "attaches AdministratorAccess to its own group"),
    se("iam:PutUserPolicy", Actor::User, &[req("iam:putuserpolicy", T)], Precondition::None,
        "writes an inline admin policy on itself"),
    se("iam:PutRolePolicy", Actor::Role, &[req("iam:putrolepolicy", T)], Precondition::None,
        "writes an inline admin policy on itself"),
    se("iam:PutGroupPolicy", Actor::User, &[req("iam:putgrouppolicy", OwnGroup)], Precondition::None,
        "writes an inline admin policy on its own group"),
    // IAM, others (PA).
    pa("iam:AddUserToGroup", Actor::User, Targets::Groups, &[req("iam:addusertogroup", T)], Precondition::None,
        "adds itself to the group"),
    pa("iam:CreateAccessKey", Actor::Any, Targets::Users, &[req("iam:createaccesskey", T)], Precondition::None,
        "creates an access key for the user"),
    pa("iam:CreateLoginProfile", Actor::Any, Targets::Users, &[req("iam:createloginprofile", T)], Precondition::NoConsolePassword,
        "gives the user a console password"),
    pa("iam:UpdateLoginProfile", Actor::Any, Targets::Users, &[req("iam:updateloginprofile", T)], Precondition::HasConsolePassword,
        "resets the user's console password"),
    pa("iam:UpdateAssumeRolePolicy", Actor::Any, Targets::Roles, &[req("iam:updateassumerolepolicy", T)], Precondition::None,
        "rewrites the role's trust policy to trust itself, then assumes it"),
    pa("iam:AttachRolePolicy (other role)", Actor::Any, Targets::PolicyOf(PrincipalKind::Role), &[req("iam:attachrolepolicy", T)], Precondition::None,
        "attaches AdministratorAccess to a role it can become"),
    pa("iam:PutRolePolicy (other role)", Actor::Any, Targets::PolicyOf(PrincipalKind::Role), &[req("iam:putrolepolicy", T)], Precondition::None,
        "writes an admin inline policy on a role it can become"),
    pa("iam:AttachUserPolicy (other user)", Actor::Any, Targets::PolicyOf(PrincipalKind::User), &[req("iam:attachuserpolicy", T)], Precondition::None,
        "attaches AdministratorAccess to a user it can become"),
    pa("iam:PutUserPolicy (other user)", Actor::Any, Targets::PolicyOf(PrincipalKind::User), &[req("iam:putuserpolicy", T)], Precondition::None,
        "writes an admin inline policy on a user it can become"),
    // Compute with a passed role (NP).
    np_instance_profile("ec2:RunInstances",
        &[PASS, req("ec2:runinstances", Anything)],
        "launches an instance with the role's instance profile and reads its credentials"),
    np("ec2:RunInstances+CreateInstanceProfile", "ec2.amazonaws.com",
        &[PASS, req("ec2:runinstances", Anything), req("iam:createinstanceprofile", Anything), req("iam:addroletoinstanceprofile", Anything)],
        "creates an instance profile for the role and launches an instance with it"),
    np_instance_profile("autoscaling:CreateLaunchConfiguration",
        &[PASS, req("autoscaling:createlaunchconfiguration", Anything), req("autoscaling:createautoscalinggroup", Anything)],
        "creates a launch configuration with the role's profile and an Auto Scaling group that launches it"),
    np_instance_profile("ec2:RunInstances+AssociateIamInstanceProfile",
        &[PASS, req("ec2:runinstances", Anything), req("ec2:associateiaminstanceprofile", Anything)],
        "launches an instance without a profile, then associates the role's instance profile with it"),
    np_instance_profile("ec2:RunInstances+ReplaceIamInstanceProfileAssociation",
        &[PASS, req("ec2:runinstances", Anything), req("ec2:replaceiaminstanceprofileassociation", Anything)],
        "launches an instance, then replaces its instance profile with the role's"),
    np_instance_profile("ec2:RequestSpotInstances",
        &[PASS, req("ec2:requestspotinstances", Anything)],
        "requests a spot instance with the role's instance profile and reads its credentials"),
    np("lambda:CreateFunction+InvokeFunction", "lambda.amazonaws.com",
        &[PASS, req("lambda:createfunction", Anything), req("lambda:invokefunction", Anything)],
        "creates a function with the role and invokes it"),
    np("lambda:CreateFunction+CreateEventSourceMapping", "lambda.amazonaws.com",
        &[PASS, req("lambda:createfunction", Anything), req("lambda:createeventsourcemapping", Anything)],
        "creates a function with the role, triggered by an event source"),
    np("lambda:CreateFunction+AddPermission", "lambda.amazonaws.com",
        &[PASS, req("lambda:createfunction", Anything), req("lambda:addpermission", Anything)],
        "creates a function with the role and lets itself invoke it"),
    // Needs an existing function to repoint; the snapshot may not hold them all, so the
    // edge does not depend on one being collected.
    np("lambda:UpdateFunctionConfiguration+PassRole", "lambda.amazonaws.com",
        &[PASS, req("lambda:updatefunctionconfiguration", Anything)],
        "gives an existing function the role and a layer of its own in one update"),
    np("cloudformation:CreateStack", "cloudformation.amazonaws.com",
        &[PASS, req("cloudformation:createstack", Anything)],
        "creates a stack that runs with the role"),
    np("cloudformation:UpdateStack+PassRole", "cloudformation.amazonaws.com",
        &[PASS, req("cloudformation:updatestack", Anything)],
        "updates an existing stack with the role as its new service role and a template of its own"),
    np("cloudformation:CreateStackSet+CreateStackInstances", "cloudformation.amazonaws.com",
        &[PASS, req("cloudformation:createstackset", Anything), req("cloudformation:createstackinstances", Anything)],
        "creates a stack set with the role as administration role and deploys an instance of it"),
    np("cloudformation:UpdateStackSet+PassRole", "cloudformation.amazonaws.com",
        &[PASS, req("cloudformation:updatestackset", Anything)],
        "updates an existing stack set with the role as administration role and a template of its own"),
    np("codebuild:CreateProject+StartBuild", "codebuild.amazonaws.com",
        &[PASS, req("codebuild:createproject", Anything), req("codebuild:startbuild", Anything)],
        "creates a build project with the role and runs a build"),
    np("codebuild:CreateProject+StartBuildBatch", "codebuild.amazonaws.com",
        &[PASS, req("codebuild:createproject", Anything), req("codebuild:startbuildbatch", Anything)],
        "creates a build project with the role and runs a batch build"),
    np("codebuild:UpdateProject+StartBuild", "codebuild.amazonaws.com",
        &[PASS, req("codebuild:updateproject", Anything), req("codebuild:startbuild", Anything)],
        "gives an existing build project the role and a buildspec of its own, and runs a build"),
    np("codebuild:UpdateProject+StartBuildBatch", "codebuild.amazonaws.com",
        &[PASS, req("codebuild:updateproject", Anything), req("codebuild:startbuildbatch", Anything)],
        "gives an existing build project the role and a buildspec of its own, and runs a batch build"),
    np("glue:CreateDevEndpoint", "glue.amazonaws.com",
        &[PASS, req("glue:createdevendpoint", Anything)],
        "creates a Glue development endpoint with the role and logs into it"),
    np("glue:CreateJob+StartJobRun", "glue.amazonaws.com",
        &[PASS, req("glue:createjob", Anything), req("glue:startjobrun", Anything)],
        "creates a Glue job with the role and runs it"),
    np("glue:CreateJob+CreateTrigger", "glue.amazonaws.com",
        &[PASS, req("glue:createjob", Anything), req("glue:createtrigger", Anything)],
        "creates a Glue job with the role and a trigger that runs it"),
    np("glue:UpdateJob+StartJobRun", "glue.amazonaws.com",
        &[PASS, req("glue:updatejob", Anything), req("glue:startjobrun", Anything)],
        "gives an existing Glue job the role and a script of its own, and runs it"),
    np("glue:UpdateJob+CreateTrigger", "glue.amazonaws.com",
        &[PASS, req("glue:updatejob", Anything), req("glue:createtrigger", Anything)],
        "gives an existing Glue job the role and a script of its own, and a trigger that runs it"),
    np("sagemaker:CreateNotebookInstance", "sagemaker.amazonaws.com",
        &[PASS, req("sagemaker:createnotebookinstance", Anything), req("sagemaker:createpresignednotebookinstanceurl", Anything)],
        "creates a notebook instance with the role and opens it"),
    np("sagemaker:CreateTrainingJob", "sagemaker.amazonaws.com",
        &[PASS, req("sagemaker:createtrainingjob", Anything)],
        "runs a training job with the role"),
    np("sagemaker:CreateProcessingJob", "sagemaker.amazonaws.com",
        &[PASS, req("sagemaker:createprocessingjob", Anything)],
        "runs a processing job with the role"),
    np("ecs:RegisterTaskDefinition+RunTask", "ecs-tasks.amazonaws.com",
        &[PASS, req("ecs:registertaskdefinition", Anything), req("ecs:runtask", Anything)],
        "registers a task definition with the role as task role and runs it"),
    np("ecs:RegisterTaskDefinition+StartTask", "ecs-tasks.amazonaws.com",
        &[PASS, req("ecs:registertaskdefinition", Anything), req("ecs:starttask", Anything)],
        "registers a task definition with the role and starts it on a container instance"),
    np("ecs:RegisterTaskDefinition+CreateService", "ecs-tasks.amazonaws.com",
        &[PASS, req("ecs:registertaskdefinition", Anything), req("ecs:createservice", Anything)],
        "registers a task definition with the role and creates a service running it"),
    np("ecs:RegisterTaskDefinition+UpdateService", "ecs-tasks.amazonaws.com",
        &[PASS, req("ecs:registertaskdefinition", Anything), req("ecs:updateservice", Anything)],
        "registers a task definition revision with the role as task role and points an existing service at it"),
    np("eks:CreatePodIdentityAssociation", "pods.eks.amazonaws.com",
        &[PASS, req("eks:createpodidentityassociation", Anything)],
        "associates the role with a service account it controls"),
    np("datapipeline:CreatePipeline", "datapipeline.amazonaws.com",
        &[PASS, req("datapipeline:createpipeline", Anything), req("datapipeline:putpipelinedefinition", Anything), req("datapipeline:activatepipeline", Anything)],
        "creates and activates a pipeline running with the role"),
    np("codestar:CreateProject", "codestar.amazonaws.com",
        &[PASS, req("codestar:createproject", Anything)],
        "creates a CodeStar project whose toolchain stack runs as the role"),
    np("apprunner:CreateService", "tasks.apprunner.amazonaws.com",
        &[PASS, req("apprunner:createservice", Anything)],
        "creates an App Runner service with the role as instance role"),
    np("bedrock-agentcore:CreateCodeInterpreter", "bedrock-agentcore.amazonaws.com",
        &[PASS, req("bedrock-agentcore:createcodeinterpreter", Anything), req("bedrock-agentcore:startcodeinterpretersession", Anything), req("bedrock-agentcore:invokecodeinterpreter", Anything)],
        "creates a code interpreter with the role and runs code in it"),
    // Existing resources (EP).
    ep("ssm:SendCommand", Targets::Instances, &[req("ssm:sendcommand", T)],
        "runs a command on the instance through SSM"),
    ep("ssm:StartSession", Targets::Instances, &[req("ssm:startsession", T)],
        "opens a shell on the instance through Session Manager"),
    ep("ec2-instance-connect:SendSSHPublicKey", Targets::Instances, &[req("ec2-instance-connect:sendsshpublickey", T)],
        "pushes an SSH key to the instance and logs in"),
    ep("ec2:ModifyInstanceAttribute", Targets::Instances,
        &[req("ec2:modifyinstanceattribute", T), req("ec2:stopinstances", T), req("ec2:startinstances", T)],
        "replaces the instance's user data and restarts it"),
    ep("ec2:CreateLaunchTemplateVersion+ModifyLaunchTemplate", Targets::Unseen(&LAUNCH_TEMPLATES),
        &[req("ec2:createlaunchtemplateversion", T), req("ec2:modifylaunchtemplate", T)],
        "makes a version of an existing launch template with user data of its own the default; instances launched from it (by Auto Scaling) run as its instance profile's role"),
    // An Auto Scaling group using a launch template with an instance profile also needs
    // iam:PassRole on the role; not required here, so this may over-report, never miss.
    ep("autoscaling:CreateAutoScalingGroup", Targets::Unseen(&LAUNCH_CONFIGURATIONS),
        &[req("autoscaling:createautoscalinggroup", Anything)],
        "creates an Auto Scaling group from an existing launch configuration or template whose instances run as the role of its instance profile"),
    // No lambda:InvokeFunction required: the function's own triggers run the new code.
    ep("lambda:UpdateFunctionCode", Targets::Functions,
        &[req("lambda:updatefunctioncode", T)],
        "replaces the function's code, which runs at its next invocation (by the actor or by the function's triggers)"),
    ep("lambda:UpdateFunctionConfiguration", Targets::Functions,
        &[req("lambda:updatefunctionconfiguration", T)],
        "adds a layer of its own to the function (or repoints its handler), which runs at its next invocation with the function's role"),
    ep("ecs:ExecuteCommand", Targets::RunningTasks, &[req("ecs:executecommand", T)],
        "opens a shell in a running task"),
    ep("cloudformation:UpdateStack", Targets::Unseen(&STACKS),
        &[req("cloudformation:updatestack", T)],
        "updates an existing stack whose service role is the role with a template of its own; CloudFormation creates what it asks for as that role"),
    ep("cloudformation:CreateChangeSet+ExecuteChangeSet", Targets::Unseen(&STACKS),
        &[req("cloudformation:createchangeset", T), req("cloudformation:executechangeset", T)],
        "creates and executes a change set on an existing stack with a template of its own; CloudFormation applies it as the stack's service role"),
    ep("codebuild:StartBuild", Targets::Unseen(&BUILD_PROJECTS),
        &[req("codebuild:startbuild", T)],
        "starts a build of an existing project with a buildspec override; the build runs as the project's service role"),
    ep("codebuild:StartBuildBatch", Targets::Unseen(&BUILD_PROJECTS),
        &[req("codebuild:startbuildbatch", T)],
        "starts a batch build of an existing project with a buildspec override; it runs as the project's service role"),
    ep("glue:UpdateDevEndpoint", Targets::Unseen(&DEV_ENDPOINTS),
        &[req("glue:updatedevendpoint", T)],
        "adds its SSH key to an existing dev endpoint and logs in; the endpoint runs as its role"),
    ep("sagemaker:CreatePresignedNotebookInstanceUrl", Targets::Unseen(&NOTEBOOKS),
        &[req("sagemaker:createpresignednotebookinstanceurl", T)],
        "opens the Jupyter interface of an existing notebook instance, which runs as its role"),
    ep("sagemaker:CreateNotebookInstanceLifecycleConfig", Targets::Unseen(&NOTEBOOKS),
        &[req("sagemaker:createnotebookinstancelifecycleconfig", Anything), req("sagemaker:stopnotebookinstance", T), req("sagemaker:updatenotebookinstance", T), req("sagemaker:startnotebookinstance", T)],
        "gives an existing notebook instance a lifecycle script of its own and restarts it; the script runs as the instance's role"),
    ep("apprunner:UpdateService", Targets::Unseen(&APP_RUNNER_SERVICES),
        &[req("apprunner:updateservice", T)],
        "points an existing App Runner service at code of its own; the service runs as its instance role"),
    ep("bedrock-agentcore:StartCodeInterpreterSession", Targets::Unseen(&CODE_INTERPRETERS),
        &[req("bedrock-agentcore:startcodeinterpretersession", T), req("bedrock-agentcore:invokecodeinterpreter", T)],
        "runs code in an existing code interpreter, which runs as its execution role"),
    ep("eks:CreateAccessEntry", Targets::ClusterWorkloads,
        &[req("eks:createaccessentry", T), req("eks:associateaccesspolicy", T)],
        "makes itself cluster administrator and takes over every workload"),
];

/// A candidate target of a technique.
struct Candidate<'a> {
    /// The node the edge goes to (for `Itself` and `PolicyOf`: the principal's node).
    node: NodeId,
    /// The ARN `On::Target` refers to (borrowed: candidates are many, their ARNs stored).
    arn: std::borrow::Cow<'a, str>,
    /// The principal behind the node, for roles and users.
    principal: Option<PrincipalIdx>,
    /// Set when the target resource was not collected: the candidate is a role such a
    /// resource could run as, and `arn` is the "any resource of the service" pattern.
    assumed: Option<&'static Uncollected>,
}

/// An existing-resource target kind whose resources the snapshot may lack, and the roles
/// such an unseen resource could run as.
#[derive(Debug, PartialEq, Eq)]
pub struct Uncollected {
    /// The service the resources belong to (coverage and ARN prefix).
    pub(crate) service: &'static str,
    /// What the resources are, in words (plural).
    pub(crate) what: &'static str,
    /// The service principal a role must trust to be attached to one.
    pub(crate) trusted: &'static str,
    /// Whether the role must also be in an instance profile of the account.
    pub(crate) needs_instance_profile: bool,
    /// Whether the collector reads these resources: then the roles are candidates only
    /// in accounts where reading them failed; otherwise in every account.
    pub(crate) collected: bool,
}

const UNCOLLECTED_INSTANCES: Uncollected = Uncollected {
    service: "ec2",
    what: "EC2 instances",
    trusted: "ec2.amazonaws.com",
    needs_instance_profile: true,
    collected: true,
};
const UNCOLLECTED_FUNCTIONS: Uncollected = Uncollected {
    service: "lambda",
    what: "Lambda functions",
    trusted: "lambda.amazonaws.com",
    needs_instance_profile: false,
    collected: true,
};
const UNCOLLECTED_TASKS: Uncollected = Uncollected {
    service: "ecs",
    what: "ECS tasks",
    trusted: "ecs-tasks.amazonaws.com",
    needs_instance_profile: false,
    collected: true,
};

/// Defines an [`Uncollected`] kind of a service the collector never reads.
const fn unseen(service: &'static str, what: &'static str, trusted: &'static str) -> Uncollected {
    Uncollected {
        service,
        what,
        trusted,
        needs_instance_profile: false,
        collected: false,
    }
}

const STACKS: Uncollected = unseen(
    "cloudformation",
    "CloudFormation stacks",
    "cloudformation.amazonaws.com",
);
const BUILD_PROJECTS: Uncollected =
    unseen("codebuild", "CodeBuild projects", "codebuild.amazonaws.com");
const DEV_ENDPOINTS: Uncollected = unseen("glue", "Glue dev endpoints", "glue.amazonaws.com");
const NOTEBOOKS: Uncollected = unseen(
    "sagemaker",
    "SageMaker notebook instances",
    "sagemaker.amazonaws.com",
);
const APP_RUNNER_SERVICES: Uncollected = unseen(
    "apprunner",
    "App Runner services",
    "tasks.apprunner.amazonaws.com",
);
const CODE_INTERPRETERS: Uncollected = unseen(
    "bedrock-agentcore",
    "Bedrock AgentCore code interpreters",
    "bedrock-agentcore.amazonaws.com",
);
const LAUNCH_TEMPLATES: Uncollected = Uncollected {
    needs_instance_profile: true,
    ..unseen("ec2", "EC2 launch templates", "ec2.amazonaws.com")
};
const LAUNCH_CONFIGURATIONS: Uncollected = Uncollected {
    needs_instance_profile: true,
    ..unseen(
        "autoscaling",
        "Auto Scaling launch configurations and templates",
        "ec2.amazonaws.com",
    )
};

/// The uncollected-resource description of an existing-resource target kind.
fn uncollected_kind(targets: Targets) -> Option<&'static Uncollected> {
    match targets {
        Targets::Instances => Some(&UNCOLLECTED_INSTANCES),
        Targets::Functions => Some(&UNCOLLECTED_FUNCTIONS),
        Targets::RunningTasks => Some(&UNCOLLECTED_TASKS),
        Targets::Unseen(kind) => Some(kind),
        _ => None,
    }
}

/// Per-account candidates for every kind of target.
#[derive(Default)]
struct AccountTargets {
    users: Vec<PrincipalIdx>,
    roles: Vec<PrincipalIdx>,
    groups: Vec<PrincipalIdx>,
    instances: Vec<(NodeId, String)>,
    functions: Vec<(NodeId, String)>,
    running_tasks: Vec<(NodeId, String)>,
    clusters: Vec<(String, Vec<NodeId>)>,
    /// When the account's EC2 instances may be missing: the roles in one of its
    /// instance profiles (what an unseen instance could run as).
    uncollected_instance_roles: Option<Vec<PrincipalIdx>>,
    /// When the account's Lambda functions may be missing: its roles.
    uncollected_function_roles: Option<Vec<PrincipalIdx>>,
    /// When the account's ECS tasks may be missing: its roles.
    uncollected_task_roles: Option<Vec<PrincipalIdx>>,
    /// The ARNs of the roles in some instance profile of the account.
    instance_profile_roles: rustc_hash::FxHashSet<String>,
    /// The same roles, as principals.
    roles_in_instance_profiles: Vec<PrincipalIdx>,
}

impl AccountTargets {
    fn uncollected_roles(&self, kind: &Uncollected) -> &[PrincipalIdx] {
        if !kind.collected {
            // Never collected: every role of the account that could be attached (those
            // trusting the service are kept by the caller).
            return if kind.needs_instance_profile {
                &self.roles_in_instance_profiles
            } else {
                &self.roles
            };
        }
        let roles = match kind.service {
            "ec2" => &self.uncollected_instance_roles,
            "lambda" => &self.uncollected_function_roles,
            "ecs" => &self.uncollected_task_roles,
            _ => return &[],
        };
        roles.as_deref().unwrap_or(&[])
    }
}

fn account_targets(builder: &GraphBuilder<'_>) -> Vec<AccountTargets> {
    let model = builder.model;
    let graph = &builder.graph;
    let mut targets: Vec<AccountTargets> = (0..model.accounts.len())
        .map(|_| AccountTargets::default())
        .collect();
    for (index, principal) in model.principals.iter().enumerate() {
        let t = &mut targets[principal.account as usize];
        match principal.kind {
            PrincipalKind::User => t.users.push(index as PrincipalIdx),
            PrincipalKind::Role if !principal.service_linked => t.roles.push(index as PrincipalIdx),
            PrincipalKind::Role => {}
            PrincipalKind::Group => t.groups.push(index as PrincipalIdx),
        }
    }
    for (id, node) in graph.nodes.iter().enumerate() {
        let t = &mut targets[node.account as usize];
        match node.kind {
            NodeKind::Ec2Instance => t.instances.push((id as NodeId, node.id.clone())),
            NodeKind::LambdaFunction => t.functions.push((id as NodeId, node.id.clone())),
            _ => {}
        }
    }
    for (a, account) in builder.snapshot.accounts.iter().enumerate() {
        for cluster in &account.compute.ecs_clusters {
            for task in &cluster.tasks {
                if let Some(node) = graph.node_by_id(&task.task_definition_arn) {
                    targets[a].running_tasks.push((node, task.arn.clone()));
                }
            }
        }
        for cluster in &account.compute.eks_clusters {
            let workloads = super::workloads::service_accounts_of(cluster)
                .iter()
                .filter_map(|(ns, sa)| {
                    graph.node_by_id(&super::workloads::service_account_id(&cluster.name, ns, sa))
                })
                .collect();
            targets[a].clusters.push((cluster.arn.clone(), workloads));
        }
    }
    for (a, account) in model.accounts.iter().enumerate() {
        let t = &mut targets[a];
        if let Some(acct) = builder.snapshot.account(&account.id) {
            t.instance_profile_roles = acct
                .iam
                .instance_profiles
                .iter()
                .flat_map(|p| p.roles.iter().cloned())
                .collect();
        }
        let in_profile = |role: &PrincipalIdx| {
            t.instance_profile_roles
                .contains(&model.principal(*role).arn)
        };
        t.roles_in_instance_profiles = t.roles.iter().copied().filter(in_profile).collect();
        let gap =
            |kind: &Uncollected| service_uncollected(builder.snapshot, &account.id, kind.service);
        if gap(&UNCOLLECTED_INSTANCES) {
            t.uncollected_instance_roles = Some(t.roles_in_instance_profiles.clone());
        }
        if gap(&UNCOLLECTED_FUNCTIONS) {
            t.uncollected_function_roles = Some(t.roles.clone());
        }
        if gap(&UNCOLLECTED_TASKS) {
            t.uncollected_task_roles = Some(t.roles.clone());
        }
    }
    targets
}

fn candidates<'a>(
    technique: &Technique,
    actor: PrincipalIdx,
    model: &'a Model,
    targets: &'a AccountTargets,
) -> Vec<Candidate<'a>> {
    let principal_candidate = |p: PrincipalIdx| Candidate {
        node: p,
        arn: model.principal(p).arn.as_str().into(),
        principal: Some(p),
        assumed: None,
    };
    let resource_candidate = |(node, arn): &'a (NodeId, String)| Candidate {
        node: *node,
        arn: arn.as_str().into(),
        principal: None,
        assumed: None,
    };
    let mut found = collected_candidates(
        technique,
        actor,
        model,
        targets,
        principal_candidate,
        resource_candidate,
    );
    // Existing resources the snapshot did not collect: any of them could run as a role
    // that trusts their service, so each such role is a candidate (the edge is inferred).
    if let Some(kind) = uncollected_kind(technique.targets) {
        let pattern = any_resource_pattern(kind.service, model.account_id(actor));
        found.extend(
            targets
                .uncollected_roles(kind)
                .iter()
                .map(|&role| Candidate {
                    node: role,
                    arn: pattern.clone().into(),
                    principal: Some(role),
                    assumed: Some(kind),
                }),
        );
    }
    found
}

/// The candidates among what the snapshot holds.
fn collected_candidates<'a>(
    technique: &Technique,
    actor: PrincipalIdx,
    model: &'a Model,
    targets: &'a AccountTargets,
    principal_candidate: impl Fn(PrincipalIdx) -> Candidate<'a>,
    resource_candidate: impl Fn(&'a (NodeId, String)) -> Candidate<'a>,
) -> Vec<Candidate<'a>> {
    let actor_principal = model.principal(actor);
    match technique.targets {
        Targets::Itself => vec![principal_candidate(actor)],
        // The actor itself stays a candidate: its group's other members may target it
        // (the edge to itself is dropped when added).
        Targets::Users => targets
            .users
            .iter()
            .copied()
            .map(principal_candidate)
            .collect(),
        Targets::Roles | Targets::RolesTrusting(_) => targets
            .roles
            .iter()
            .copied()
            .map(principal_candidate)
            .collect(),
        Targets::PolicyOf(kind) => {
            let list = if kind == PrincipalKind::Role {
                &targets.roles
            } else {
                &targets.users
            };
            list.iter()
                .copied()
                .filter(|&r| r != actor)
                .map(principal_candidate)
                .collect()
        }
        Targets::Groups => targets
            .groups
            .iter()
            .copied()
            .filter(|&g| !actor_principal.groups.contains(&model.principal(g).name))
            .map(principal_candidate)
            .collect(),
        Targets::Instances => targets.instances.iter().map(resource_candidate).collect(),
        Targets::Functions => targets.functions.iter().map(resource_candidate).collect(),
        Targets::RunningTasks => targets
            .running_tasks
            .iter()
            .map(resource_candidate)
            .collect(),
        Targets::ClusterWorkloads => targets
            .clusters
            .iter()
            .flat_map(|(arn, nodes)| {
                nodes.iter().map(move |&node| Candidate {
                    node,
                    arn: arn.as_str().into(),
                    principal: None,
                    assumed: None,
                })
            })
            .collect(),
        // Nothing of these services is collected: only assumed candidates.
        Targets::Unseen(_) => Vec::new(),
    }
}

/// The best of several alternatives (allow, then conditional, then deny).
fn best(decisions: impl Iterator<Item = Decision>) -> Decision {
    let mut result = Decision::Deny(super::authz::Why::NOTHING);
    for decision in decisions {
        match (&result, &decision) {
            (_, Decision::Allow(_)) => return decision,
            (Decision::Deny(_), Decision::Conditional(..)) => result = decision,
            _ => {}
        }
    }
    result
}

/// One found escalation: (actor, technique, candidate node, subject principal, status,
/// explanation).
pub(crate) type Found = (
    PrincipalIdx,
    u16,
    NodeId,
    Option<PrincipalIdx>,
    Status,
    Explanation,
);

struct Evaluator<'a> {
    snapshot: &'a Snapshot,
    model: &'a Model,
    authz: &'a dyn Authorizer,
    /// (role, service) -> whether the role trusts the service (same for every actor of
    /// the role's account).
    trust_cache:
        std::sync::Mutex<rustc_hash::FxHashMap<(PrincipalIdx, &'static str), Option<Status>>>,
}

impl Evaluator<'_> {
    fn trusts(&self, role: PrincipalIdx, service: &'static str, account: &str) -> Option<Status> {
        if let Some(known) = self
            .trust_cache
            .lock()
            .ok()
            .and_then(|c| c.get(&(role, service)).cloned())
        {
            return known;
        }
        let status = status_of(&self.authz.trusts_service(role, service, account));
        if let Ok(mut cache) = self.trust_cache.lock() {
            cache.insert((role, service), status.clone());
        }
        status
    }

    fn requirement(
        &self,
        actor: PrincipalIdx,
        requirement: &Requirement,
        candidate: &Candidate<'_>,
        extra: &[(String, String)],
    ) -> Decision {
        let account = self.model.account_id(actor);
        let action = requirement.action;
        let service = action.split(':').next().unwrap_or("");
        match requirement.on {
            On::Target if candidate.assumed.is_some() => {
                let service = candidate.assumed.map_or("", |kind| kind.service);
                let mut target = Target::any_of_service(&candidate.arn, service, account);
                target.extra = extra;
                self.authz.authorize(actor, action, &target)
            }
            On::Target => {
                let mut target = Target::plain(
                    &candidate.arn,
                    super::model::arn_account(&candidate.arn).or(Some(account)),
                );
                target.extra = extra;
                self.authz.authorize(actor, action, &target)
            }
            On::Anything => {
                let pattern = any_resource_pattern(service, account);
                let target = Target::any_of_service(&pattern, service, account);
                self.authz.authorize(actor, action, &target)
            }
            On::OwnCustomerPolicy => {
                let principal = self.model.principal(actor);
                best(
                    principal
                        .policies
                        .iter()
                        .filter_map(|p| p.managed_arn.as_deref())
                        .filter(|arn| !arn.starts_with("arn:aws:iam::aws:policy/"))
                        .map(|arn| {
                            self.authz
                                .authorize(actor, action, &Target::plain(arn, Some(account)))
                        }),
                )
            }
            On::OwnGroup => {
                let principal = self.model.principal(actor);
                best(principal.groups.iter().map(|g| {
                    let arn = self
                        .model
                        .principals
                        .iter()
                        .find(|p| {
                            p.kind == PrincipalKind::Group
                                && &p.name == g
                                && p.account == principal.account
                        })
                        .map_or_else(
                            || format!("arn:aws:iam::{account}:group/{g}"),
                            |p| p.arn.clone(),
                        );
                    self.authz
                        .authorize(actor, action, &Target::plain(&arn, Some(account)))
                }))
            }
        }
    }

    /// [`Self::requirement`] for an `On::Target` requirement on a collected candidate.
    /// When the actor's decision cannot depend on the candidate's ARN
    /// ([`Authorizer::ignores_resource_arn`]: every statement that may apply names `*` or
    /// no resource), it is computed once per (requirement, target account, service) and
    /// kept in `resource_free` for the technique's other candidates.
    fn target_requirement(
        &self,
        actor: PrincipalIdx,
        index: usize,
        requirement: &Requirement,
        candidate: &Candidate<'_>,
        extra: &[(String, String)],
        resource_free: &mut Vec<ResourceFree>,
    ) -> Decision {
        let account = self.model.account_id(actor);
        let mut target = Target::plain(
            &candidate.arn,
            super::model::arn_account(&candidate.arn).or(Some(account)),
        );
        target.extra = extra;
        let known = resource_free.iter().find(|known| {
            known.requirement == index
                && known.account.as_deref() == target.account
                && known.service == target.service
        });
        match known.map(|known| &known.decision) {
            Some(Some(decision)) => return decision.clone(),
            Some(None) => return self.authz.authorize(actor, requirement.action, &target),
            None => {}
        }
        let decision = self.authz.authorize(actor, requirement.action, &target);
        let free = self
            .authz
            .ignores_resource_arn(actor, requirement.action, &target);
        resource_free.push(ResourceFree {
            requirement: index,
            account: target.account.map(str::to_string),
            service: target.service.to_string(),
            decision: free.then(|| decision.clone()),
        });
        decision
    }

    fn precondition(
        &self,
        technique: &Technique,
        actor: PrincipalIdx,
        account: Option<&crate::snapshot::Account>,
        targets: &AccountTargets,
        candidate: &Candidate<'_>,
    ) -> Option<(Status, Option<String>)> {
        let account = account?;
        let status = match technique.precondition {
            Precondition::None => Some(Status::Certain),
            Precondition::RoleInInstanceProfile => targets
                .instance_profile_roles
                .contains(candidate.arn.as_ref())
                .then_some(Status::Certain),
            Precondition::NoConsolePassword | Precondition::HasConsolePassword => {
                let user = account.iam.users.iter().find(|u| u.arn == candidate.arn)?;
                let wanted = technique.precondition == Precondition::HasConsolePassword;
                match user.has_console_password {
                    None => Some(Status::Inferred),
                    Some(has) => (has == wanted).then_some(Status::Certain),
                }
            }
            Precondition::PolicyHasOtherVersions => {
                let (status, why) = self.switchable_policy(technique, actor)?;
                return Some((status, Some(why)));
            }
        };
        status.map(|s| (s, None))
    }

    /// For `iam:SetDefaultPolicyVersion`: the best status over the actor's customer
    /// managed policies on which the technique's permission is allowed *and* that store a
    /// version other than the default one. Certain when such a version grants every
    /// action on every resource; conditional (`policy-version-content`) when the engine
    /// cannot tell whether it grants more; absent when no such policy exists. With it,
    /// which policy and version, in words.
    fn switchable_policy(
        &self,
        technique: &Technique,
        actor: PrincipalIdx,
    ) -> Option<(Status, String)> {
        let requirement = technique
            .requires
            .iter()
            .find(|r| r.on == On::OwnCustomerPolicy)?;
        let account = self.model.account_id(actor);
        let mut best: Option<(Status, String)> = None;
        for arn in self
            .model
            .principal(actor)
            .policies
            .iter()
            .filter_map(|p| p.managed_arn.as_deref())
        {
            let Some(policy) = self.managed_policy(arn).filter(|m| !m.is_aws_managed()) else {
                continue;
            };
            let Some((gain, version)) = policy
                .other_versions
                .iter()
                .filter(|v| v.document != policy.document)
                .map(|v| {
                    if grants_everything(self.snapshot.documents.get(v.document).as_str()) {
                        (Status::Certain, v)
                    } else {
                        (
                            Status::conditional(vec!["policy-version-content".into()]),
                            v,
                        )
                    }
                })
                .reduce(|a, b| {
                    if stronger(a.0.clone(), b.0.clone()) == a.0 {
                        a
                    } else {
                        b
                    }
                })
            else {
                continue;
            };
            let decision = self.authz.authorize(
                actor,
                requirement.action,
                &Target::plain(arn, Some(account)),
            );
            let Some(allowed) = status_of(&decision) else {
                continue;
            };
            let certain_gain = gain.is_certain();
            let status = weaker(gain, allowed);
            let why = format!(
                "{} stores version {} {}, allowed by {}",
                arn,
                version.version_id,
                if certain_gain {
                    "granting every action on every resource"
                } else {
                    "whose extra permissions are not known to be admin"
                },
                self.authz.explain(Some(actor), decision.why())
            );
            best = match best {
                Some(old) if stronger(old.0.clone(), status.clone()) == old.0 => Some(old),
                _ => Some((status, why)),
            };
        }
        best
    }

    /// The stored customer or AWS managed policy with this ARN.
    fn managed_policy(&self, arn: &str) -> Option<&crate::snapshot::ManagedPolicy> {
        let account = super::model::arn_account(arn)?;
        self.snapshot
            .account(account)?
            .iam
            .managed_policies
            .iter()
            .find(|m| m.arn == arn)
    }
    fn technique(&self, index: usize, actor: PrincipalIdx, targets: &AccountTargets) -> Vec<Found> {
        let technique = &CATALOGUE[index];
        let principal = self.model.principal(actor);
        let actor_ok = match technique.actor {
            Actor::Any => {
                !(principal.kind == PrincipalKind::Group && technique.targets == Targets::Itself)
            }
            Actor::User => principal.kind == PrincipalKind::User,
            Actor::Role => principal.kind == PrincipalKind::Role,
        };
        if !actor_ok
            || !technique
                .requires
                .iter()
                .all(|r| self.authz.may_allow(actor, r.action))
        {
            return Vec::new();
        }
        let account = self.model.account_id(actor);
        // Requirements that do not depend on the candidate are evaluated once.
        let no_candidate = Candidate {
            node: actor,
            arn: "".into(),
            principal: None,
            assumed: None,
        };
        let mut fixed_status = Status::Certain;
        let mut fixed_reasons = Vec::new();
        for requirement in technique.requires.iter().filter(|r| r.on != On::Target) {
            let decision = self.requirement(actor, requirement, &no_candidate, &[]);
            let Some(s) = status_of(&decision) else {
                return Vec::new();
            };
            fixed_status = weaker(fixed_status, s);
            fixed_reasons.push(format!(
                "{} allowed by {}",
                requirement.action,
                self.authz.explain(Some(actor), decision.why())
            ));
        }
        let mut found = Vec::new();
        let snapshot_account = self.snapshot.account(account);
        // Worded once per actor and technique: the head, the candidate-independent
        // reasons, and each (requirement, statement) reason (the same statement allows
        // most candidates).
        let head = technique_head(index);
        let fixed_reasons: Option<Arc<str>> =
            (!fixed_reasons.is_empty()).then(|| fixed_reasons.join("; ").into());
        let mut reasons_by_why: Vec<(usize, super::authz::Why, Arc<str>)> = Vec::new();
        let mut notes = Notes::default();
        let passed_to: Vec<(String, String)> = match technique.targets {
            Targets::RolesTrusting(service) => {
                vec![("iam:passedtoservice".to_string(), service.to_string())]
            }
            _ => Vec::new(),
        };
        let mut resource_free = Vec::new();
        for candidate in candidates(technique, actor, self.model, targets) {
            let Some((mut status, precondition_note)) =
                self.precondition(technique, actor, snapshot_account, targets, &candidate)
            else {
                continue;
            };
            let mut assumption = None;
            if let Some(kind) = candidate.assumed {
                let Some(role) = candidate.principal else {
                    continue;
                };
                let Some(trust) = self.trusts(role, kind.trusted, account) else {
                    continue;
                };
                status = weaker(weaker(status, trust), Status::Inferred);
                assumption = Some(format!(
                    "{} of account {account} were not collected, so one is assumed to run as this role ({}trusts {})",
                    kind.what,
                    if kind.needs_instance_profile { "it is in an instance profile and " } else { "" },
                    kind.trusted
                ));
            }
            if let Targets::RolesTrusting(service) = technique.targets {
                let Some(role) = candidate.principal else {
                    continue;
                };
                let Some(trust) = self.trusts(role, service, account) else {
                    continue;
                };
                status = weaker(status, trust);
            }
            status = weaker(status, fixed_status.clone());
            let mut reasons: Vec<Arc<str>> = assumption
                .into_iter()
                .chain(precondition_note)
                .map(|note| notes.shared(note))
                .chain(fixed_reasons.clone())
                .collect();
            let mut possible = true;
            for (r, requirement) in technique.requires.iter().enumerate() {
                if requirement.on != On::Target {
                    continue;
                }
                let decision = match candidate.assumed {
                    None => self.target_requirement(
                        actor,
                        r,
                        requirement,
                        &candidate,
                        &passed_to,
                        &mut resource_free,
                    ),
                    Some(_) => self.requirement(actor, requirement, &candidate, &passed_to),
                };
                match status_of(&decision) {
                    None => {
                        possible = false;
                        break;
                    }
                    Some(s) => status = weaker(status, s),
                }
                let why = decision.why();
                let known = reasons_by_why
                    .iter()
                    .position(|(known_r, known_why, _)| *known_r == r && *known_why == why);
                let known = known.unwrap_or_else(|| {
                    let reason = format!(
                        "{} allowed by {}",
                        requirement.action,
                        self.authz.explain(Some(actor), why)
                    );
                    reasons_by_why.push((r, why, reason.into()));
                    reasons_by_why.len() - 1
                });
                reasons.push(reasons_by_why[known].2.clone());
            }
            if !possible {
                continue;
            }
            found.push((
                actor,
                index as u16,
                candidate.node,
                candidate.principal,
                status,
                Explanation::new(head.clone(), notes.shared_list(reasons)),
            ));
        }
        found
    }
}

/// Per (requirement, target account, service) of a technique: the decision that holds
/// for every candidate, or `None` when it depends on the candidate's ARN (see
/// [`Evaluator::target_requirement`]).
struct ResourceFree {
    requirement: usize,
    account: Option<String>,
    service: String,
    decision: Option<Decision>,
}

/// The head of a technique's explanations (`NAME (CODE): DESCRIPTION; `), made once
/// per technique and shared by every edge it finds.
fn technique_head(technique: usize) -> SharedText {
    static HEADS: std::sync::LazyLock<Vec<SharedText>> = std::sync::LazyLock::new(|| {
        CATALOGUE
            .iter()
            .map(|t| {
                Arc::new(format!(
                    "{} ({}): {}; ",
                    t.name,
                    t.code.as_str(),
                    t.description
                ))
            })
            .collect()
    });
    HEADS[technique].clone()
}

/// The words of one actor and technique, shared by the candidates they explain: notes
/// (an assumed resource, a policy version) and whole lists of reasons.
#[derive(Default)]
struct Notes {
    notes: rustc_hash::FxHashMap<String, Arc<str>>,
    /// Lists by the addresses of their reasons: every reason of one actor and technique
    /// is itself shared, so equal addresses mean equal lists.
    lists: rustc_hash::FxHashMap<Vec<usize>, SharedReasons>,
}

impl Notes {
    fn shared(&mut self, note: String) -> Arc<str> {
        if let Some(known) = self.notes.get(&note) {
            return known.clone();
        }
        let shared: Arc<str> = note.as_str().into();
        self.notes.insert(note, shared.clone());
        shared
    }

    fn shared_list(&mut self, reasons: Vec<Arc<str>>) -> SharedReasons {
        let key: Vec<usize> = reasons
            .iter()
            .map(|r| r.as_ptr() as *const () as usize)
            .collect();
        self.lists
            .entry(key)
            .or_insert_with(|| Arc::new(reasons))
            .clone()
    }
}

/// The stronger of two statuses (certain beats conditional beats inferred).
fn stronger(a: Status, b: Status) -> Status {
    match (&a, &b) {
        (Status::Certain, _) | (_, Status::Inferred) => a,
        (_, Status::Certain) | (Status::Inferred, _) => b,
        (Status::Conditional(x), Status::Conditional(y)) if y.len() < x.len() => b,
        _ => a,
    }
}

/// Whether a policy document certainly grants every action on every resource: an
/// unconditional `Allow` of `*` on `*` and no `Deny` statement. Anything else may or may
/// not grant more than another version, which the caller treats as unknown.
fn grants_everything(text: &str) -> bool {
    let Ok(document) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let statements = match &document["Statement"] {
        serde_json::Value::Array(list) => list.iter().collect::<Vec<_>>(),
        single @ serde_json::Value::Object(_) => vec![single],
        _ => return false,
    };
    let names = |value: &serde_json::Value, wanted: &[&str]| match value {
        serde_json::Value::String(v) => wanted.contains(&v.as_str()),
        serde_json::Value::Array(list) => list
            .iter()
            .any(|v| v.as_str().is_some_and(|v| wanted.contains(&v))),
        _ => false,
    };
    let effect = |st: &serde_json::Value| st["Effect"].as_str().unwrap_or("").to_string();
    if statements.iter().any(|st| effect(st) != "Allow") {
        return false;
    }
    statements.iter().any(|st| {
        st.get("Condition").is_none()
            && names(&st["Action"], &["*", "*:*"])
            && names(&st["Resource"], &["*"])
    })
}

/// Whether a technique's answer is the same for every actor with the same policies:
/// its targets are other resources and its permissions are not on the actor's own
/// policies or groups.
fn is_shareable(technique: &Technique) -> bool {
    let own = technique
        .requires
        .iter()
        .any(|r| matches!(r.on, On::OwnCustomerPolicy | On::OwnGroup));
    !own && !matches!(
        technique.targets,
        Targets::Itself | Targets::Groups | Targets::PolicyOf(_)
    )
}

/// Finds every escalation.
pub fn find(builder: &GraphBuilder<'_>) -> Escalations {
    let targets = account_targets(builder);
    let evaluator = Evaluator {
        snapshot: builder.snapshot,
        model: builder.model,
        authz: builder.authz,
        trust_cache: Default::default(),
    };
    // Actors with equal evaluation keys (same account, policies, boundary) get equal
    // answers for techniques that do not involve who they are: evaluate those once per
    // key, on a representative.
    let model = builder.model;
    let n = model.principals.len() as PrincipalIdx;
    let mut representative: rustc_hash::FxHashMap<Vec<u32>, PrincipalIdx> = Default::default();
    let reps: Vec<PrincipalIdx> = (0..n)
        .map(|p| {
            *representative
                .entry(builder.authz.equivalence_key(p))
                .or_insert(p)
        })
        .collect();
    let evaluate = |actor: PrincipalIdx, shared: bool| -> Vec<Found> {
        let account = model.principal(actor).account as usize;
        (0..CATALOGUE.len())
            .filter(|&t| is_shareable(&CATALOGUE[t]) == shared)
            .flat_map(|t| evaluator.technique(t, actor, &targets[account]))
            .collect()
    };
    let distinct: Vec<PrincipalIdx> = (0..n).filter(|&p| reps[p as usize] == p).collect();
    let shared: rustc_hash::FxHashMap<PrincipalIdx, Vec<Found>> = distinct
        .par_iter()
        .map(|&rep| (rep, evaluate(rep, true)))
        .collect();
    // Each actor's own findings now; the shared ones stay with the representative and
    // are merged in when added (a copy per actor would hold every finding twice).
    let own: Vec<Vec<Found>> = (0..n)
        .into_par_iter()
        .map(|actor| {
            let mut own = evaluate(actor, false);
            own.sort_by_key(found_order);
            own
        })
        .collect();
    let mut shared = shared;
    shared
        .par_iter_mut()
        .for_each(|(_, found)| found.sort_by_key(found_order));
    Escalations { reps, shared, own }
}

/// The order of one actor's findings: by technique, then target (stable: equal keys
/// keep the order they were found in, the actor's own before its representative's).
fn found_order(found: &Found) -> (u16, NodeId) {
    (found.1, found.2)
}

/// Whether a technique's findings are policy writes ([`SelfEscalation`]s), not edges.
fn escalates(technique: u16) -> bool {
    matches!(
        CATALOGUE[technique as usize].targets,
        Targets::Itself | Targets::PolicyOf(_)
    )
}

/// Every escalation found, not yet added to the graph (see [`super::assume::Assumed`]).
pub struct Escalations {
    /// Per principal, its representative (equal evaluation keys).
    reps: Vec<PrincipalIdx>,
    /// Per representative, the findings of shareable techniques (sorted by
    /// [`found_order`]), which hold for every principal it represents.
    shared: rustc_hash::FxHashMap<PrincipalIdx, Vec<Found>>,
    /// Per principal, the findings of techniques about itself (sorted by
    /// [`found_order`]).
    own: Vec<Vec<Found>>,
}

impl Escalations {
    /// The findings of `actor` (its own, then its representative's shared ones as its
    /// own, merged by [`found_order`]), in order.
    fn of(&self, actor: PrincipalIdx) -> impl Iterator<Item = Found> + '_ {
        let own = &self.own[actor as usize];
        let shared = self
            .shared
            .get(&self.reps[actor as usize])
            .map_or(&[][..], Vec::as_slice);
        let (mut i, mut j) = (0, 0);
        std::iter::from_fn(move || {
            let take_own = match (own.get(i), shared.get(j)) {
                (None, None) => return None,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(a), Some(b)) => found_order(a) <= found_order(b),
            };
            let found = if take_own {
                i += 1;
                own[i - 1].clone()
            } else {
                j += 1;
                let (_, t, node, subject, status, explanation) = &shared[j - 1];
                (
                    actor,
                    *t,
                    *node,
                    *subject,
                    status.clone(),
                    explanation.clone(),
                )
            };
            Some(found)
        })
    }

    /// The findings of `actor` as they were made before the shared ones were merged in
    /// when added: its own and its representative's copied, then sorted (stable).
    #[cfg(test)]
    pub(crate) fn collected(&self, actor: PrincipalIdx) -> Vec<Found> {
        let mut all = self.own[actor as usize].clone();
        if let Some(shared) = self.shared.get(&self.reps[actor as usize]) {
            all.extend(
                shared
                    .iter()
                    .map(|(_, t, node, subject, status, explanation)| {
                        (
                            actor,
                            *t,
                            *node,
                            *subject,
                            status.clone(),
                            explanation.clone(),
                        )
                    }),
            );
        }
        all.sort_by_key(found_order);
        all
    }

    /// The findings of `actor`, in the order they are added.
    #[cfg(test)]
    pub(crate) fn streamed(&self, actor: PrincipalIdx) -> Vec<Found> {
        self.of(actor).collect()
    }

    /// How many edges (findings that are not policy writes).
    pub fn edge_count(&self) -> usize {
        let shared_edges: rustc_hash::FxHashMap<PrincipalIdx, usize> = self
            .shared
            .iter()
            .map(|(&rep, found)| (rep, found.iter().filter(|f| !escalates(f.1)).count()))
            .collect();
        (0..self.own.len())
            .map(|actor| {
                self.own[actor].iter().filter(|f| !escalates(f.1)).count()
                    + shared_edges.get(&self.reps[actor]).copied().unwrap_or(0)
            })
            .sum()
    }

    /// Adds the edges and records the policy writes, actor by actor.
    pub fn add_to(self, builder: &mut GraphBuilder<'_>) {
        for actor in 0..self.own.len() as PrincipalIdx {
            for found in self.of(actor) {
                add_found(builder, found);
            }
        }
    }
}

/// Adds every escalation edge and records self-escalations.
pub fn add_edges(builder: &mut GraphBuilder<'_>) {
    let found = find(builder);
    builder.reserve_edges(found.edge_count());
    found.add_to(builder);
}

fn add_found(builder: &mut GraphBuilder<'_>, found: Found) {
    let (actor, technique, node, subject, status, explanation) = found;
    if escalates(technique) {
        builder.graph.escalations.push(SelfEscalation {
            principal: actor,
            technique,
            subject: subject.unwrap_or(actor),
            status,
            explanation: explanation.to_string(),
        })
    } else {
        builder.add_edge(
            actor,
            node,
            EdgeKind::Privesc(technique),
            status,
            explanation,
        )
    }
}
