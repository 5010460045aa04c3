#!/usr/bin/env python3
"""Makes moto create its per-region backends before a timed run: moto builds a service's
backend for a region on the first request there (for EC2: default VPC, subnets, AMIs),
which costs seconds that real AWS never charges and that would fall on whichever tool
runs first. One cheap read per service either tool uses, in every region.

    warm_up.py ENDPOINT_URL
"""

import sys

import boto3
import botocore.session

CALLS = {
    "ec2": "describe_instances",
    "ecs": "list_clusters",
    "eks": "list_clusters",
    "secretsmanager": "list_secrets",
    "kms": "list_keys",
    "rds": "describe_db_instances",
    "lambda": "list_functions",
    "sns": "list_topics",
    "sqs": "list_queues",
    "codebuild": "list_projects",
    "cloudformation": "describe_stacks",
    "autoscaling": "describe_auto_scaling_groups",
}


def main():
    endpoint = sys.argv[1]
    session = botocore.session.get_session()
    for service, call in CALLS.items():
        for partition in ("aws", "aws-cn", "aws-us-gov"):
            for region in session.get_available_regions(service, partition):
                client = boto3.client(service, endpoint_url=endpoint, region_name=region)
                try:
                    getattr(client, call)()
                except Exception:  # noqa: BLE001  (a region moto lacks: nothing to warm)
                    pass


if __name__ == "__main__":
    main()
