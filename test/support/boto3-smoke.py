#!/usr/bin/env python3
"""boto3 smoke test of the segflow emulator: the seed article's calls, as a Python user would write them.

Usage: python3 boto3-smoke.py ENDPOINT   (an emulator started with --lifecycle fast; credentials test/test)
Prints one line per step and exits non-zero on the first failure.
"""
import json
import sys
import time

import boto3

endpoint = sys.argv[1]
session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
s3 = session.client("s3", endpoint_url=endpoint)
iam = session.client("iam", endpoint_url=endpoint)
sts = session.client("sts", endpoint_url=endpoint)
personalize = session.client("personalize", endpoint_url=endpoint)


def wait(describe, key, status="ACTIVE", timeout=60):
    until = time.time() + timeout
    while time.time() < until:
        current = describe()[key]
        if current["status"] in (status, "CREATE FAILED"):
            if current["status"] != status:
                raise SystemExit(f"{key} failed: {current.get('failureReason')}")
            return current
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {key}")


account = sts.get_caller_identity()["Account"]
print("sts ok", account)

bucket = "boto3-smoke-bucket"
s3.create_bucket(Bucket=bucket)
s3.put_public_access_block(
    Bucket=bucket,
    PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True},
)
s3.put_bucket_policy(
    Bucket=bucket,
    Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "PersonalizeS3BucketAccessPolicy", "Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"},
                       "Action": ["s3:GetObject", "s3:ListBucket", "s3:PutObject"],
                       "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}],
    }),
)
rows = ["USER_ID,ITEM_ID,TIMESTAMP"]
t = 1600000000
for u in range(60):
    for k in range(20):
        rows.append(f"u{u},i{(u * 7 + k * 3) % 40},{t}")
        t += 1
s3.put_object(Bucket=bucket, Key="interactions.csv", Body=("\n".join(rows) + "\n").encode())
print("s3 ok", len(s3.list_objects_v2(Bucket=bucket)["Contents"]))

role = iam.create_role(
    RoleName="PersonalizeRoleSmoke",
    AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "personalize.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
)
role_arn = role["Role"]["Arn"]
iam.attach_role_policy(RoleName="PersonalizeRoleSmoke", PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonPersonalizeFullAccess")
iam.attach_role_policy(RoleName="PersonalizeRoleSmoke", PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
document = iam.get_role(RoleName="PersonalizeRoleSmoke")["Role"]["AssumeRolePolicyDocument"]
assert isinstance(document, dict), "boto3 decodes the URL-encoded policy document"
print("iam ok", role_arn)

dsg = personalize.create_dataset_group(name="boto3-smoke")["datasetGroupArn"]
wait(lambda: personalize.describe_dataset_group(datasetGroupArn=dsg), "datasetGroup")
schema = personalize.create_schema(name="boto3-smoke-schema", schema=json.dumps({
    "type": "record", "name": "Interactions", "namespace": "com.amazonaws.personalize.schema",
    "fields": [{"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"}, {"name": "TIMESTAMP", "type": "long"}],
    "version": "1.0"}))["schemaArn"]
dataset = personalize.create_dataset(name="boto3-smoke-interactions", schemaArn=schema, datasetGroupArn=dsg, datasetType="Interactions")["datasetArn"]
wait(lambda: personalize.describe_dataset(datasetArn=dataset), "dataset")
job = personalize.create_dataset_import_job(jobName="boto3-smoke-import", datasetArn=dataset, roleArn=role_arn,
                                            dataSource={"dataLocation": f"s3://{bucket}/interactions.csv"})["datasetImportJobArn"]
wait(lambda: personalize.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob")
print("import ok")

solution = personalize.create_solution(name="boto3-smoke-solution", datasetGroupArn=dsg, performAutoTraining=False,
                                       recipeArn="arn:aws:personalize:::recipe/aws-item-affinity")["solutionArn"]
wait(lambda: personalize.describe_solution(solutionArn=solution), "solution")
version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
wait(lambda: personalize.describe_solution_version(solutionVersionArn=version), "solutionVersion")
metrics = personalize.get_solution_metrics(solutionVersionArn=version)["metrics"]
print("training ok", sorted(metrics))

s3.put_object(Bucket=bucket, Key="batch/input.json", Body=b'{"itemId": "i1"}\n{"itemId": "i2"}\n')
segment = personalize.create_batch_segment_job(
    jobName="boto3-smoke-segments", solutionVersionArn=version, numResults=5, roleArn=role_arn,
    jobInput={"s3DataSource": {"path": f"s3://{bucket}/batch/input.json"}},
    jobOutput={"s3DataDestination": {"path": f"s3://{bucket}/batch/output/"}})["batchSegmentJobArn"]
wait(lambda: personalize.describe_batch_segment_job(batchSegmentJobArn=segment), "batchSegmentJob")
out = s3.get_object(Bucket=bucket, Key="batch/output/input.json.out")["Body"].read().decode().strip().split("\n")
assert len(out) == 2 and json.loads(out[0])["error"] is None, out
print("segments ok", len(json.loads(out[0])["output"]["usersList"]))

try:
    personalize.delete_dataset_group(datasetGroupArn=dsg)
    raise SystemExit("deleting a dataset group with datasets must fail")
except personalize.exceptions.ResourceInUseException:
    print("deletion rules ok")
