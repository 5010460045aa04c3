#!/usr/bin/env python3
"""Populates a moto server with one account's worth of what blastgraph collects, and
prints a JSON manifest of what it created (the collector tests compare the snapshot
with it).

    populate.py ENDPOINT_URL [--roles N] [--aws-managed K]

Creates: N IAM roles (default 1050: more than one page of every IAM list call), users
with access keys, a group, customer managed policies with several versions, an OIDC
provider and an IRSA role; ECS on EC2 with two tasks co-located on one container
instance, a Fargate service and task; an EKS cluster with a node group and tagged node
instances; EC2 instances with IMDSv1 and IMDSv2-only; S3 buckets (one with a bucket
policy, one with Block Public Access, one in eu-west-1); secrets (one with a customer
managed KMS key and a resource policy); KMS keys with an alias, a grant and tags; an RDS
instance and an Aurora cluster with IAM authentication; a Lambda function with a
resource policy.
"""

import argparse
import io
import json
import sys
import zipfile

import boto3

REGION = "us-east-1"
OTHER_REGION = "eu-west-1"
# Real, large AWS managed policies (moto ships their documents), for --aws-managed.
AWS_MANAGED = [
    "ReadOnlyAccess",
    "AmazonS3FullAccess",
    "AmazonEC2FullAccess",
    "IAMReadOnlyAccess",
    "SecretsManagerReadWrite",
    "AWSLambda_FullAccess",
]


def trust(service=None, principal=None, federated=None, condition=None):
    if service:
        p = {"Service": service}
        action = "sts:AssumeRole"
    elif federated:
        p = {"Federated": federated}
        action = "sts:AssumeRoleWithWebIdentity"
    else:
        p = {"AWS": principal}
        action = "sts:AssumeRole"
    statement = {"Effect": "Allow", "Principal": p, "Action": action}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def policy(actions, resource="*"):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}],
        }
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoint")
    parser.add_argument("--roles", type=int, default=1050)
    parser.add_argument(
        "--aws-managed",
        type=int,
        default=0,
        help="attach this many AWS managed policies (large documents) to every bulk role",
    )
    args = parser.parse_args()

    def client(service, region=REGION):
        return boto3.client(service, endpoint_url=args.endpoint, region_name=region)

    sts = client("sts")
    account = sts.get_caller_identity()["Account"]
    m = {"account": account}

    # ---------------- IAM
    iam = client("iam")
    roles = []
    for i in range(args.roles):
        name = f"bulk-role-{i:04d}"
        r = iam.create_role(
            RoleName=name,
            Path="/bulk/",
            AssumeRolePolicyDocument=trust(service="ec2.amazonaws.com"),
            Tags=[{"Key": "team", "Value": f"t{i % 7}"}],
        )
        roles.append(r["Role"]["Arn"])
        for k in range(args.aws_managed):
            aws_policy = AWS_MANAGED[(i + k) % len(AWS_MANAGED)]
            iam.attach_role_policy(RoleName=name, PolicyArn=f"arn:aws:iam::aws:policy/{aws_policy}")
    ecs_task_role = iam.create_role(RoleName="ecs-task-role", AssumeRolePolicyDocument=trust(service="ecs-tasks.amazonaws.com"))["Role"]["Arn"]
    ecs_other_role = iam.create_role(RoleName="ecs-other-task-role", AssumeRolePolicyDocument=trust(service="ecs-tasks.amazonaws.com"))["Role"]["Arn"]
    fargate_role = iam.create_role(RoleName="fargate-task-role", AssumeRolePolicyDocument=trust(service="ecs-tasks.amazonaws.com"))["Role"]["Arn"]
    execution_role = iam.create_role(RoleName="ecs-execution-role", AssumeRolePolicyDocument=trust(service="ecs-tasks.amazonaws.com"))["Role"]["Arn"]
    node_role = iam.create_role(RoleName="eks-node-role", AssumeRolePolicyDocument=trust(service="ec2.amazonaws.com"))["Role"]["Arn"]
    cluster_role = iam.create_role(RoleName="eks-cluster-role", AssumeRolePolicyDocument=trust(service="eks.amazonaws.com"))["Role"]["Arn"]
    instance_role = iam.create_role(RoleName="web-instance-role", AssumeRolePolicyDocument=trust(service="ec2.amazonaws.com"))["Role"]["Arn"]
    lambda_role = iam.create_role(RoleName="lambda-exec-role", AssumeRolePolicyDocument=trust(service="lambda.amazonaws.com"))["Role"]["Arn"]
    iam.put_role_policy(RoleName="ecs-task-role", PolicyName="read-secrets", PolicyDocument=policy("secretsmanager:GetSecretValue"))
    roles += [ecs_task_role, ecs_other_role, fargate_role, execution_role, node_role, cluster_role, instance_role, lambda_role]

    managed = iam.create_policy(PolicyName="s3-reader", Path="/custom/", PolicyDocument=policy("s3:GetObject"))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=managed, PolicyDocument=policy(["s3:GetObject", "s3:ListBucket"]), SetAsDefault=True)
    iam.attach_role_policy(RoleName="web-instance-role", PolicyArn=managed)

    iam.create_group(GroupName="developers")
    iam.attach_group_policy(GroupName="developers", PolicyArn=managed)
    iam.put_group_policy(GroupName="developers", PolicyName="assume-any", PolicyDocument=policy("sts:AssumeRole"))
    users = []
    for name in ["alice", "bob"]:
        u = iam.create_user(UserName=name, Tags=[{"Key": "owner", "Value": name}])
        users.append(u["User"]["Arn"])
        iam.add_user_to_group(GroupName="developers", UserName=name)
    iam.create_access_key(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="alice", AccessKeyId=key, Status="Inactive")
    iam.put_user_policy(UserName="bob", PolicyName="inline", PolicyDocument=policy("ec2:Describe*"))
    m["users"] = sorted(users)
    m["access_keys"] = {"alice": {"active": 1, "inactive": 1}, "bob": {"active": 0, "inactive": 0}}
    m["managed_policies"] = [managed]

    profile = iam.create_instance_profile(InstanceProfileName="web-profile")["InstanceProfile"]["Arn"]
    iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="web-instance-role")
    node_profile = iam.create_instance_profile(InstanceProfileName="eks-node-profile")["InstanceProfile"]["Arn"]
    iam.add_role_to_instance_profile(InstanceProfileName="eks-node-profile", RoleName="eks-node-role")
    empty_profile = iam.create_instance_profile(InstanceProfileName="empty-profile")["InstanceProfile"]["Arn"]
    m["instance_profiles"] = {profile: [instance_role], node_profile: [node_role], empty_profile: []}

    # ---------------- EKS with IRSA
    eks = client("eks")
    cluster = eks.create_cluster(
        name="prod",
        roleArn=cluster_role,
        resourcesVpcConfig={"subnetIds": []},
    )["cluster"]
    issuer = cluster["identity"]["oidc"]["issuer"].replace("https://", "")
    oidc = iam.create_open_id_connect_provider(
        Url="https://" + issuer, ClientIDList=["sts.amazonaws.com"], ThumbprintList=["9" * 40]
    )["OpenIDConnectProviderArn"]
    irsa_role = iam.create_role(
        RoleName="irsa-payments",
        AssumeRolePolicyDocument=trust(
            federated=oidc,
            condition={"StringEquals": {f"{issuer}:sub": "system:serviceaccount:shop:payments"}},
        ),
    )["Role"]["Arn"]
    roles.append(irsa_role)
    nodegroup = eks.create_nodegroup(
        clusterName="prod", nodegroupName="workers", nodeRole=node_role, subnets=["subnet-1"]
    )["nodegroup"]
    m["roles"] = sorted(roles)
    m["oidc_providers"] = {oidc: issuer}

    # ---------------- EC2
    ec2 = client("ec2")
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]

    def run(name, tokens, hops, profile_name=None, tags=()):
        kwargs = {}
        if profile_name:
            kwargs["IamInstanceProfile"] = {"Name": profile_name}
        tag_list = [{"Key": "Name", "Value": name}] + [{"Key": k, "Value": v} for k, v in tags]
        return ec2.run_instances(
            ImageId=ami,
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            MetadataOptions={"HttpTokens": tokens, "HttpPutResponseHopLimit": hops, "HttpEndpoint": "enabled"},
            TagSpecifications=[{"ResourceType": "instance", "Tags": tag_list}],
            **kwargs,
        )["Instances"][0]["InstanceId"]

    web_v1 = run("web-imdsv1", "optional", 1, "web-profile")
    web_v2 = run("web-imdsv2", "required", 2, "web-profile")
    ecs_host = run("ecs-host", "optional", 2, "web-profile")
    node = run("eks-node", "required", 2, "eks-node-profile", [("eks:cluster-name", "prod"), ("eks:nodegroup-name", "workers")])
    m["instances"] = {
        web_v1: {"profile": profile, "tokens": "optional", "hops": 1},
        web_v2: {"profile": profile, "tokens": "required", "hops": 2},
        ecs_host: {"profile": profile, "tokens": "optional", "hops": 2},
        node: {"profile": node_profile, "tokens": "required", "hops": 2},
    }
    m["eks"] = {
        "arn": cluster["arn"],
        "issuer": issuer,
        "nodegroup": nodegroup["nodegroupArn"],
        "node_role": node_role,
        "node_instances": [node],
    }

    # ---------------- ECS: EC2 with co-located tasks, and Fargate
    ecs = client("ecs")
    ecs_cluster = ecs.create_cluster(clusterName="apps")["cluster"]["clusterArn"]
    document = json.dumps({"instanceId": ecs_host, "region": REGION, "accountId": account})
    ci = ecs.register_container_instance(cluster="apps", instanceIdentityDocument=document)["containerInstance"]["containerInstanceArn"]
    container = [{"name": "app", "image": "nginx", "memory": 128, "essential": True}]
    td_bridge = ecs.register_task_definition(
        family="orders", taskRoleArn=ecs_task_role, executionRoleArn=execution_role, networkMode="bridge", containerDefinitions=container
    )["taskDefinition"]["taskDefinitionArn"]
    td_host = ecs.register_task_definition(
        family="metrics", taskRoleArn=ecs_other_role, networkMode="host", containerDefinitions=container
    )["taskDefinition"]["taskDefinitionArn"]
    td_fargate = ecs.register_task_definition(
        family="api",
        taskRoleArn=fargate_role,
        executionRoleArn=execution_role,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=container,
    )["taskDefinition"]["taskDefinitionArn"]
    # Registered but used by nothing: must not be collected.
    ecs.register_task_definition(family="unused", taskRoleArn=ecs_task_role, containerDefinitions=container)
    colocated = []
    for td in (td_bridge, td_host):
        colocated += [t["taskArn"] for t in ecs.start_task(cluster="apps", taskDefinition=td, containerInstances=[ci])["tasks"]]
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    group = ec2.describe_security_groups()["SecurityGroups"][0]["GroupId"]
    network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group], "assignPublicIp": "DISABLED"}}
    service = ecs.create_service(
        cluster="apps", serviceName="api", taskDefinition=td_fargate, desiredCount=1, launchType="FARGATE", networkConfiguration=network
    )["service"]["serviceArn"]
    fargate_tasks = [
        t["taskArn"]
        for t in ecs.run_task(cluster="apps", taskDefinition=td_fargate, launchType="FARGATE", networkConfiguration=network)["tasks"]
    ]
    m["ecs"] = {
        "cluster": ecs_cluster,
        "container_instance": ci,
        "container_instance_ec2": ecs_host,
        "colocated_tasks": sorted(colocated),
        "fargate_tasks": fargate_tasks,
        "service": service,
        "task_definitions": {
            td_bridge: {"task_role": ecs_task_role, "mode": "bridge"},
            td_host: {"task_role": ecs_other_role, "mode": "host"},
            td_fargate: {"task_role": fargate_role, "mode": "awsvpc"},
        },
    }

    # ---------------- KMS
    kms = client("kms")
    cmk = kms.create_key(Description="secrets key", Tags=[{"TagKey": "env", "TagValue": "prod"}])["KeyMetadata"]
    kms.create_alias(AliasName="alias/secrets", TargetKeyId=cmk["KeyId"])
    kms.create_grant(KeyId=cmk["KeyId"], GranteePrincipal=lambda_role, Operations=["Decrypt"])
    other = kms.create_key(Description="other")["KeyMetadata"]
    m["kms"] = {cmk["Arn"]: {"alias": "alias/secrets", "grantee": lambda_role}, other["Arn"]: {}}

    # ---------------- Secrets Manager
    sm = client("secretsmanager")
    db_secret = sm.create_secret(Name="prod/db", SecretString="not-collected", KmsKeyId=cmk["KeyId"], Tags=[{"Key": "env", "Value": "prod"}])["ARN"]
    secret_policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ecs_task_role}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}],
    }
    sm.put_resource_policy(SecretId=db_secret, ResourcePolicy=json.dumps(secret_policy))
    plain_secret = sm.create_secret(Name="dev/token", SecretString="not-collected")["ARN"]
    m["secrets"] = {db_secret: {"kms": cmk["KeyId"], "policy": True}, plain_secret: {"kms": None, "policy": False}}

    # ---------------- S3
    s3 = client("s3")
    s3.create_bucket(Bucket="bg-public-assets")
    s3.put_bucket_policy(
        Bucket="bg-public-assets",
        Policy=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bg-public-assets/*"}]}
        ),
    )
    s3.create_bucket(Bucket="bg-private-data")
    s3.put_public_access_block(
        Bucket="bg-private-data",
        PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True},
    )
    s3.put_bucket_tagging(Bucket="bg-private-data", Tagging={"TagSet": [{"Key": "data", "Value": "pii"}]})
    client("s3", OTHER_REGION).create_bucket(Bucket="bg-eu-logs", CreateBucketConfiguration={"LocationConstraint": OTHER_REGION})
    m["buckets"] = {
        "bg-public-assets": {"policy": True, "bpa": False, "tags": {}},
        "bg-private-data": {"policy": False, "bpa": True, "tags": {"data": "pii"}},
        "bg-eu-logs": {"policy": False, "bpa": False, "tags": {}},
    }

    # ---------------- RDS
    rds = client("rds")
    db = rds.create_db_instance(
        DBInstanceIdentifier="orders-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="admin_user",
        MasterUserPassword="not-collected-1",
        EnableIAMDatabaseAuthentication=True,
    )["DBInstance"]
    legacy = rds.create_db_instance(
        DBInstanceIdentifier="legacy-db",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        AllocatedStorage=20,
        MasterUsername="admin_user",
        MasterUserPassword="not-collected-1",
    )["DBInstance"]
    aurora = rds.create_db_cluster(
        DBClusterIdentifier="analytics",
        Engine="aurora-postgresql",
        MasterUsername="admin_user",
        MasterUserPassword="not-collected-1",
        EnableIAMDatabaseAuthentication=True,
    )["DBCluster"]
    m["rds"] = {
        db["DBInstanceArn"]: {"iam_auth": True, "resource_id": db["DbiResourceId"]},
        legacy["DBInstanceArn"]: {"iam_auth": False, "resource_id": legacy["DbiResourceId"]},
        aurora["DBClusterArn"]: {"iam_auth": True, "resource_id": aurora["DbClusterResourceId"]},
    }

    # ---------------- Lambda
    lam = client("lambda")
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    fn = lam.create_function(
        FunctionName="resize",
        Runtime="python3.12",
        Role=lambda_role,
        Handler="index.handler",
        Code={"ZipFile": code.getvalue()},
        Tags={"team": "media"},
    )["FunctionArn"]
    lam.add_permission(FunctionName="resize", StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    m["lambda"] = {fn: {"role": lambda_role, "policy": True, "tags": {"team": "media"}}}

    json.dump(m, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
