"""Seeds a moto server with the accounts the live-collection tests scan.

Usage: seed.py ENDPOINT SCENARIO [ARGS...]
Everything goes through the AWS API (boto3), as a user would create it. Prints a JSON object
with anything the test needs to know (e.g. the keys of a created user).
"""
import concurrent.futures
import io
import json
import os
import sys
import zipfile

import boto3

ENDPOINT = sys.argv[1]
ACCOUNT = "123456789012"


def client(service, region="us-east-1", **credentials):
    credentials.setdefault("aws_access_key_id", "testing")
    credentials.setdefault("aws_secret_access_key", "testing")
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=region, **credentials)


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*"):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def rotation_lambda(region):
    """Secrets Manager rotation needs an existing Lambda function; it is never invoked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    if not rotation_lambda_arns:
        client("iam").create_role(
            RoleName="rotation-lambda",
            AssumeRolePolicyDocument=document(
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ),
        )
    function = client("lambda", region).create_function(
        FunctionName="secrets-rotation",
        Runtime="python3.12",
        Role=f"arn:aws:iam::{ACCOUNT}:role/rotation-lambda",
        Handler="handler.handler",
        Code={"ZipFile": buffer.getvalue()},
    )
    return function["FunctionArn"]


def secret(region, name, tags=None, rotate_days=None, policy=None, description=None):
    sm = client("secretsmanager", region)
    created = sm.create_secret(
        Name=name,
        SecretString="not-a-real-key",
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        **({"Description": description} if description else {}),
    )
    if rotate_days:
        if region not in rotation_lambda_arns:
            rotation_lambda_arns[region] = rotation_lambda(region)
        sm.rotate_secret(
            SecretId=created["ARN"],
            RotationLambdaARN=rotation_lambda_arns[region],
            RotationRules={"AutomaticallyAfterDays": rotate_days},
            RotateImmediately=False,
        )
    if policy:
        sm.put_resource_policy(SecretId=created["ARN"], ResourcePolicy=document(policy))
    return created["ARN"]


rotation_lambda_arns = {}


# The CIS AWS Foundations v3.0 filters (4.1-4.4) and keyward's own on reads of key secrets.
CIS_FILTERS = {
    "RootActivity": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    "UnauthorizedAPICalls": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    "ConsoleSigninWithoutMFA": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    "IAMPolicyChanges": "{($.eventSource=iam.amazonaws.com) && (($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy))}",
    "ThirdPartyKeyReads": '{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") && ($.requestParameters.secretId = "*api-key*") }',
}


def trail(name, multi_region, read_write="All", log_group=None, region="us-east-1", access_logs=False, **options):
    """A trail with its own bucket (and log group, if named), logging, recording management events."""
    bucket = f"{name}-logs"
    s3 = client("s3", region)
    s3.create_bucket(Bucket=bucket, **({} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}))
    if access_logs:
        s3.create_bucket(Bucket=f"{bucket}-access", ACL="log-delivery-write")
        s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": f"{bucket}-access", "TargetPrefix": f"{bucket}/"},
        })
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
    })
    if log_group:
        client("logs", region).create_log_group(logGroupName=log_group)
        options["CloudWatchLogsLogGroupArn"] = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{log_group}:*"
        options["CloudWatchLogsRoleArn"] = f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-logs"
    cloudtrail = client("cloudtrail", region)
    cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region, **options)
    cloudtrail.put_event_selectors(TrailName=name, EventSelectors=[{"ReadWriteType": read_write, "IncludeManagementEvents": True}])
    cloudtrail.start_logging(Name=name)


def watch(regions, organization=False):
    """Every detective control moto implements: a multi-region trail into CloudWatch Logs with
    the CIS filters and alarms that notify a topic, and GuardDuty in every region. (Access
    Analyzer and Cost Explorer are recorded responses: tests/recorded/.) With `organization`,
    the trail is the organization's."""
    trail("management-events", True, log_group="cloudtrail", access_logs=True, EnableLogFileValidation=True,
          KmsKeyId=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
          IsOrganizationTrail=organization)
    logs, cloudwatch = client("logs"), client("cloudwatch")
    topic = client("sns").create_topic(Name="security-alerts")["TopicArn"]
    for metric, pattern in CIS_FILTERS.items():
        logs.put_metric_filter(
            logGroupName="cloudtrail", filterName=metric, filterPattern=pattern,
            metricTransformations=[{"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}],
        )
        cloudwatch.put_metric_alarm(
            AlarmName=metric, MetricName=metric, Namespace="CISBenchmark", Statistic="Sum", Period=300,
            EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[topic],
        )
    for region in regions:
        client("guardduty", region).create_detector(Enable=True)


def incident():
    """Shaped like the May 2026 incident (root rules need fixtures: moto has no root row)."""
    iam = client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=8, RequireNumbers=True)
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Passw0rd!Passw0rd!")
    iam.create_access_key(UserName="alice")
    iam.create_user(UserName="ci-deploy")
    iam.create_access_key(UserName="ci-deploy")
    iam.create_access_key(UserName="ci-deploy")
    deploy = iam.create_policy(
        PolicyName="ci-deploy-policy",
        PolicyDocument=document(allow("s3:PutObject", "arn:aws:s3:::artifacts/*"), allow("secretsmanager:Get*")),
    )
    iam.attach_user_policy(UserName="ci-deploy", PolicyArn=deploy["Policy"]["Arn"])
    admin = iam.create_policy(PolicyName="LegacyAdmin", PolicyDocument=document(allow("*")))
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=admin["Policy"]["Arn"])
    # Administrator through the group: its user is who holds the access in effect.
    iam.create_user(UserName="former-contractor")
    iam.add_user_to_group(UserName="former-contractor", GroupName="admins")
    iam.create_group(GroupName="developers")
    iam.attach_group_policy(GroupName="developers", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.add_user_to_group(UserName="alice", GroupName="developers")
    iam.create_role(
        RoleName="eval-worker",
        AssumeRolePolicyDocument=document(
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
    )
    iam.put_role_policy(
        RoleName="eval-worker",
        PolicyName="read-provider-keys",
        PolicyDocument=document(allow(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"])),
    )
    secret("us-east-1", "prod/openai-api-key", tags={"provider": "openai"})
    secret("eu-west-1", "prod/anthropic-api-key", tags={"provider": "anthropic"}, rotate_days=30)
    secret(
        "eu-west-1",
        "shared/partner-webhook",
        rotate_days=30,
        policy={
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        },
    )
    # Detective controls as the incident found them: one single-region trail of writes only,
    # without validation, encryption or CloudWatch Logs, and GuardDuty in one region only.
    trail("ops-audit", False, read_write="WriteOnly")
    client("guardduty", "us-east-1").create_detector(Enable=True)
    return {}


def clean():
    """Every control in place, as of now."""
    iam = client("iam")
    iam.update_account_password_policy(
        MinimumPasswordLength=16,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        PasswordReusePrevention=24,
    )
    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Passw0rd!Passw0rd!")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="carol")
    iam.enable_mfa_device(
        UserName="carol", SerialNumber=device["VirtualMFADevice"]["SerialNumber"],
        AuthenticationCode1="123456", AuthenticationCode2="654321",
    )
    read = iam.create_policy(PolicyName="engineers-read", PolicyDocument=document(allow("s3:GetObject", "arn:aws:s3:::docs/*")))
    iam.create_group(GroupName="engineers")
    iam.attach_group_policy(GroupName="engineers", PolicyArn=read["Policy"]["Arn"])
    iam.add_user_to_group(UserName="carol", GroupName="engineers")
    secret("us-east-1", "app/db-password", rotate_days=30)
    watch(["us-east-1", "eu-west-1"])
    return {}


def two_regions():
    secret("us-east-1", "east/one")
    secret("us-east-1", "east/two")
    secret("eu-west-1", "west/one")
    return {}


def many_users(count):
    iam = client("iam")
    for i in range(int(count)):
        name = f"user-{i:05d}"
        iam.create_user(UserName=name)
        iam.create_access_key(UserName=name)
    return {}


# moto authorizes two of keyward's calls under other names than AWS does: S3 GetPublicAccessBlock
# as s3:ListBucket (its table of bucket queries lacks ?publicAccessBlock), and CloudWatch under
# its signing name, monitoring:. An auditor gets moto's spelling beside AWS's, so that moto lets
# through what AWS would; docs/iam-policy.json holds AWS's only.
MOTO_SPELLING = {
    "s3:GetBucketPublicAccessBlock": "s3:ListBucket",
    "cloudwatch:DescribeAlarms": "monitoring:DescribeAlarms",
}


def auditor_policy(policy_file, drop_actions):
    """keyward's policy minus the actions named, in moto's spelling too."""
    policy = json.load(open(policy_file))
    for statement in policy["Statement"]:
        kept = [a for a in statement["Action"] if a not in drop_actions]
        statement["Action"] = kept + [MOTO_SPELLING[a] for a in kept if a in MOTO_SPELLING]
    policy["Statement"] = [s for s in policy["Statement"] if s["Action"]]
    return policy


def user_with_policy(name, policy):
    iam = client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="keyward", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}


def auditor(policy_file, *drop_actions):
    """A user holding only keyward's policy (minus the actions named), and its keys."""
    return user_with_policy("keyward-auditor", auditor_policy(policy_file, drop_actions))


def auditors(policy_file, *actions):
    """One auditor per action named, holding keyward's policy without that action: the keys
    of each, by action."""
    return {
        action: user_with_policy(f"keyward-auditor-{i}", auditor_policy(policy_file, [action]))
        for i, action in enumerate(actions)
    }


def watched():
    """The detective controls of `clean` alone, in both regions the tests scan."""
    watch(["us-east-1", "eu-west-1"])
    return {}


def many_secrets(count):
    for i in range(int(count)):
        client("secretsmanager").create_secret(Name=f"app-{i:04d}/token", SecretString="not-a-real-value")
    return {}


def from_snapshot(path):
    """The account a keyward snapshot describes, seeded as the live benchmark seeds its
    accounts (scripts/bench_moto.py, "Seeding", says what moto cannot express: times, the root
    user, AWS-managed attachments)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
    import bench_moto

    with open(path) as f:
        snapshot = json.load(f)
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        bench_moto.seed_account(ENDPOINT, credentials, snapshot, pool)
    # moto picks each secret's random ARN suffix anew.
    secrets = {}
    for region in sorted({secret["region"] for secret in snapshot["secrets"]}):
        for listed in client("secretsmanager", region).list_secrets()["SecretList"]:
            secrets[listed["Name"]] = listed["ARN"]
    return {"secrets": secrets}


SCENARIOS = {
    "incident": incident,
    "from-snapshot": from_snapshot,
    "clean": clean,
    "two-regions": two_regions,
    "many-users": many_users,
    "auditor": auditor,
    "auditors": auditors,
    "watched": watched,
    "many-secrets": many_secrets,
}



def in_account(account_id, service, region="us-east-1"):
    """A client acting inside a member account, through the role keyward will assume."""
    credentials = client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="seed"
    )["Credentials"]
    return client(
        service,
        region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def organization(policy_file):
    """A management account and three members with different problems; the member named
    "no-role" has no OrganizationAccountAccessRole. moto's AssumeRole does not check that the
    role exists, so the scanner's user may assume it only where it does: under moto's IAM
    enforcement that member answers AccessDenied, as AWS would."""
    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    members = {}
    for name in ["old-keys", "open-secret", "no-role"]:
        created = org.create_account(AccountName=name, Email=f"{name}@example.com")
        members[name] = created["CreateAccountStatus"]["AccountId"]
    # Organizations creates the role in each new account, as AWS does; make sure it can read,
    # and remove it from "no-role".
    for name in ["old-keys", "open-secret"]:
        in_account(members[name], "iam").put_role_policy(
            RoleName="OrganizationAccountAccessRole", PolicyName="admin", PolicyDocument=document(allow("*"))
        )
    in_account(members["no-role"], "iam").delete_role(RoleName="OrganizationAccountAccessRole")
    old_keys = in_account(members["old-keys"], "iam")
    old_keys.create_user(UserName="legacy-ci")
    old_keys.create_access_key(UserName="legacy-ci")
    in_account(members["open-secret"], "secretsmanager").put_resource_policy(
        SecretId=in_account(members["open-secret"], "secretsmanager").create_secret(
            Name="prod/openai-api-key", SecretString="not-a-real-key"
        )["ARN"],
        ResourcePolicy=document(
            {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
        ),
    )
    # The scanner: keyward's read-only policy, organizations:ListAccounts, and the member role.
    policy = json.load(open(policy_file))
    policy["Statement"].append(allow("organizations:ListAccounts"))
    policy["Statement"].append(
        allow("sts:AssumeRole", [f"arn:aws:iam::{members[n]}:role/OrganizationAccountAccessRole" for n in ["old-keys", "open-secret"]])
    )
    iam = client("iam")
    iam.create_user(UserName="keyward-auditor")
    iam.put_user_policy(UserName="keyward-auditor", PolicyName="keyward", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="keyward-auditor")["AccessKey"]
    return {
        "members": members,
        "access_key_id": key["AccessKeyId"],
        "secret_access_key": key["SecretAccessKey"],
    }


def watched_organization():
    """An organization watched the way AWS's multi-account guidance has it: the management
    account's organization trail (into CloudWatch Logs, with the CIS filters and alarms) records
    every member; member "security" is the delegated administrator for IAM Access Analyzer (its
    organization analyzer is a recorded response, tests/recorded/org-*); GuardDuty runs in
    every account (a member's detector is its own). Member "workload" keeps a third-party API
    key. Scanned with the default test keys, without moto's IAM enforcement."""
    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    members = {}
    for name in ["security", "workload"]:
        created = org.create_account(AccountName=name, Email=f"{name}@example.com")
        members[name] = created["CreateAccountStatus"]["AccountId"]
    org.register_delegated_administrator(
        AccountId=members["security"], ServicePrincipal="access-analyzer.amazonaws.com"
    )
    watch(["us-east-1"], organization=True)
    for member in members.values():
        in_account(member, "guardduty").create_detector(Enable=True)
    in_account(members["workload"], "secretsmanager").create_secret(
        Name="prod/openai-api-key", SecretString="not-a-real-key"
    )
    return {"members": members}


SCENARIOS["organization"] = organization
SCENARIOS["watched-organization"] = watched_organization


def scp_organization(policy_file):
    """An organization whose SCP denies reading secret values in one member account ("blocked")
    and not in the other ("kept"). Each member has a user allowed to read every secret, and a
    third-party API key. The scanner holds keyward's read-only policy (organizations calls
    included), organizations:ListAccounts and the member roles; IAM enforcement is switched on
    by the test."""
    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    root_id = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    members = {}
    for name in ["kept", "blocked"]:
        created = org.create_account(AccountName=name, Email=f"{name}@example.com")
        account_id = created["CreateAccountStatus"]["AccountId"]
        members[name] = account_id
        in_account(account_id, "iam").put_role_policy(
            RoleName="OrganizationAccountAccessRole", PolicyName="admin", PolicyDocument=document(allow("*"))
        )
        iam = in_account(account_id, "iam")
        iam.create_user(UserName="reader")
        iam.put_user_policy(
            UserName="reader", PolicyName="read-secrets", PolicyDocument=document(allow("secretsmanager:GetSecretValue"))
        )
        in_account(account_id, "secretsmanager").create_secret(Name="prod/openai-api-key", SecretString="not-a-real-key")
    scp = org.create_policy(
        Name="no-secret-values",
        Description="Secret values are read in other accounts",
        Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
        ]}),
    )
    org.attach_policy(PolicyId=scp["Policy"]["PolicySummary"]["Id"], TargetId=members["blocked"])
    policy = json.load(open(policy_file))
    policy["Statement"].append(
        allow("sts:AssumeRole", [f"arn:aws:iam::{a}:role/OrganizationAccountAccessRole" for a in members.values()])
    )
    iam = client("iam")
    iam.create_user(UserName="keyward-auditor")
    iam.put_user_policy(UserName="keyward-auditor", PolicyName="keyward", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="keyward-auditor")["AccessKey"]
    return {"members": members, "access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}


SCENARIOS["scp-organization"] = scp_organization

if __name__ == "__main__":
    print(json.dumps(SCENARIOS[sys.argv[2]](*sys.argv[3:])))
