#!/usr/bin/env python3
"""Translate template.yaml with the SAM translator (as `sam deploy` would) and check the IAM it
generates: every function role carries only AWSLambdaBasicExecutionRole as a managed policy, and
no inline statement grants anything on Resource "*". SAM adds managed policies of its own for
some event sources (AWSLambdaDynamoDBExecutionRole for a DynamoDB event, with stream actions on
"*"), which is why the stream mappings are declared as AWS::Lambda::EventSourceMapping."""
import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


class Policies:
    """The managed policies SAM may add, by name, as the real loader would resolve them."""

    def load(self):
        names = ["AWSLambdaBasicExecutionRole", "AWSLambdaDynamoDBExecutionRole",
                 "AWSLambdaSQSQueueExecutionRole", "AWSLambdaKinesisExecutionRole"]
        return {n: "arn:aws:iam::aws:policy/service-role/" + n for n in names}


def main(path):
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(path) as f:
        text = f.read()
    # The translator wants S3 code locations; `sam build` would put them there.
    doc = yaml_parse(text.replace("CodeUri: .", "CodeUri: s3://bucket/key"))
    out = transform(doc, {}, Policies())
    problems = []
    for rid, res in out["Resources"].items():
        if res["Type"] != "AWS::IAM::Role":
            continue
        props = res["Properties"]
        for arn in props.get("ManagedPolicyArns", []):
            if arn != BASIC:
                problems.append(f"{rid}: managed policy {arn}")
        for pol in props.get("Policies", []):
            for st in pol["PolicyDocument"]["Statement"]:
                resources = st.get("Resource")
                resources = resources if isinstance(resources, list) else [resources]
                if "*" in resources:
                    problems.append(f"{rid}: {st.get('Action')} on Resource \"*\"")
    for p in problems:
        print(f"check-iam: {p}")
    roles = sum(1 for r in out["Resources"].values() if r["Type"] == "AWS::IAM::Role")
    print(f"check-iam: {roles} roles checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "template.yaml"))
