"""Live-collection benchmark: keyward against moto (the AWS API emulator), size by size.

Run by scripts/bench.sh (which installs moto and builds keyward); on its own:
    .tools/moto/bin/python scripts/bench_moto.py --keyward target/release/keyward [--quick]

For each size it starts moto_server on a free loopback port, seeds synthetic accounts through
the AWS API (boto3, in parallel threads): users with console passwords, MFA, access keys,
groups, roles and managed policies; secrets over us-east-1, eu-west-1 and ap-southeast-2 with
rotation on or off, tags and some resource policies; for several accounts an AWS Organization
whose members are seeded through an assumed role. It then runs

    keyward scan --region us-east-1 --region eu-west-1 --region ap-southeast-2 --format json
                 [--org] --fail-on none

with AWS_ENDPOINT_URL pointing at moto and moto's request recorder on, and records the wall
time, keyward's peak RSS (GNU time's %M, else its VmHWM polled from /proc), the API requests keyward
counted (stderr and `api_requests` per account in the JSON report), the requests moto recorded,
and the request floor expected from pages. Prints a table and writes target/bench/results.json
(merging target/bench/policy_eval.json, written by `cargo bench --bench policy_eval`, when
present).
"""

import argparse
import base64
import concurrent.futures
import datetime
import json
import math
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zipfile
import io

import boto3
import botocore.config

MANAGEMENT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
ROLE = "OrganizationAccountAccessRole"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (name, accounts, users per account, secrets per account over the three regions, in --quick).
# The 50 + 50 and 500 + 500 accounts have the size of the Prowler and ScoutSuite measurements in
# docs/testing.md ("The peer-scanner figures in the README").
SIZES = [
    ("1 acct, 10 users, 100 secrets", 1, 10, 100, True),
    ("1 acct, 50 users, 50 secrets", 1, 50, 50, False),
    ("1 acct, 500 users, 500 secrets", 1, 500, 500, False),
    ("1 acct, 1,000 users, 100 secrets", 1, 1000, 100, False),
    ("1 acct, 5,000 users, 100 secrets", 1, 5000, 100, False),
    ("1 acct, 1,000 users, 2,000 secrets", 1, 1000, 2000, False),
    ("1 acct, 5,000 users, 2,000 secrets", 1, 5000, 2000, False),
    ("20 accts (org), 10 users + 100 secrets each", 20, 10, 100, True),
    ("20 accts (org), 100 users + 100 secrets each", 20, 100, 100, False),
]

TEAMS = ["payments", "search", "ml", "platform", "data", "web", "mobile", "billing"]


# --- moto ----------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    """moto_server on a free loopback port, with the request recorder writing to a temp file."""

    def __init__(self, server, workdir):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.recording = os.path.join(workdir, "recording.jsonl")
        self.log = open(os.path.join(workdir, "moto.log"), "w")
        env = dict(os.environ, MOTO_RECORDER_FILEPATH=self.recording)
        self.process = subprocess.Popen(
            [os.path.abspath(server), "-H", "127.0.0.1", "-p", str(self.port)],
            cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=2).read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto did not answer on port {self.port} within 60 s")

    def control(self, path):
        request = urllib.request.Request(self.endpoint + path, data=b"", method="POST")
        return urllib.request.urlopen(request, timeout=60).read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# --- Seeding -------------------------------------------------------------------------------

_local = threading.local()
CLIENT_CONFIG = botocore.config.Config(retries={"max_attempts": 10, "mode": "standard"}, max_pool_connections=32)


def client(endpoint, credentials, service, region="us-east-1"):
    """A boto3 client per thread, account, service and region (sessions are not thread-safe)."""
    cache = getattr(_local, "clients", None)
    if cache is None:
        cache = _local.clients = {}
    key = (endpoint, credentials.get("aws_access_key_id"), service, region)
    if key not in cache:
        session = boto3.session.Session()
        cache[key] = session.client(
            service, endpoint_url=endpoint, region_name=region, config=CLIENT_CONFIG, **credentials
        )
    return cache[key]


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra):
    return dict({"Effect": "Allow", "Action": action, "Resource": resource}, **extra)


def policy_document(i, account):
    team = TEAMS[i % len(TEAMS)]
    shapes = [
        lambda: document(allow("*")),  # full admin
        lambda: document(allow("secretsmanager:Get*")),  # reads every secret
        lambda: document({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}),
        lambda: document(allow("secretsmanager:*", f"arn:aws:secretsmanager:*:{account}:secret:*",
                               Condition={"StringEquals": {"aws:ResourceTag/team": team}})),
        lambda: document(allow(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                               f"arn:aws:secretsmanager:us-east-1:{account}:secret:{team}/app-{i}/*"),
                         allow("kms:Decrypt", f"arn:aws:kms:us-east-1:{account}:key/{i:08}")),
        lambda: document(allow(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{team}-artifacts-{i}/*"),
                         allow(["logs:CreateLogStream", "logs:PutLogEvents"],
                               f"arn:aws:logs:*:{account}:log-group:/{team}/*")),
        lambda: document(allow(["ec2:Describe*", "cloudwatch:Get*", "cloudwatch:List*"]),
                         allow("dynamodb:Query", f"arn:aws:dynamodb:us-east-1:{account}:table/{team}-{i}")),
    ]
    # The first three shapes once each, then scoped grants.
    return shapes[i]() if i < 3 else shapes[3 + i % 4]()


def seed_account_iam(endpoint, credentials, account, users, pool):
    """Policies, groups and roles first (they are few), then users in parallel chunks."""
    iam = client(endpoint, credentials, "iam")
    iam.update_account_password_policy(MinimumPasswordLength=8, RequireNumbers=True)
    n_policies = max(5, users // 100)
    n_groups = max(3, users // 200)
    n_roles = max(3, users // 50)
    policy_arns = []
    for i in range(n_policies):
        created = iam.create_policy(PolicyName=f"{TEAMS[i % 8]}-policy-{i:04d}",
                                    PolicyDocument=policy_document(i, account))
        policy_arns.append(created["Policy"]["Arn"])
    groups = []
    for i in range(n_groups):
        name = f"{TEAMS[i % 8]}-group-{i:03d}"
        iam.create_group(GroupName=name)
        iam.attach_group_policy(GroupName=name, PolicyArn=policy_arns[(i + 3) % n_policies])
        if i == 0:
            iam.attach_group_policy(GroupName=name, PolicyArn=policy_arns[0])  # admins
        groups.append(name)
    trust = document({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                      "Action": "sts:AssumeRole"})
    for i in range(n_roles):
        name = f"{TEAMS[i % 8]}-role-{i:05d}"
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arns[(i * 7 + 1) % n_policies])
        if i % 3 == 0:
            iam.put_role_policy(RoleName=name, PolicyName="task", PolicyDocument=policy_document(3 + i, account))
    chunk = 100
    futures = [pool.submit(seed_users, endpoint, credentials, start, min(users, start + chunk), groups, policy_arns)
               for start in range(0, users, chunk)]
    mfa = sum(f.result() for f in futures)
    return {"users": users, "groups": n_groups, "roles": n_roles, "policies": n_policies, "mfa_devices": mfa}


def seed_users(endpoint, credentials, start, end, groups, policy_arns):
    """Users start..end: 60% console password (70% of those with virtual MFA), 75% one or two
    access keys, a group each, 5% a policy attached directly. Returns the MFA devices made."""
    iam = client(endpoint, credentials, "iam")
    rng = random.Random(start)
    mfa = 0
    for i in range(start, end):
        name = f"user-{i:05d}"
        iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": TEAMS[i % 8]}])
        keys = rng.choices([0, 1, 2], weights=[25, 50, 25])[0]
        for _ in range(keys):
            iam.create_access_key(UserName=name)
        if rng.random() < 0.6:
            iam.create_login_profile(UserName=name, Password="Bench-Passw0rd!")
            if rng.random() < 0.7:
                serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
                iam.enable_mfa_device(UserName=name, SerialNumber=serial,
                                      AuthenticationCode1="123456", AuthenticationCode2="654321")
                mfa += 1
        iam.add_user_to_group(UserName=name, GroupName=groups[i % len(groups)])
        if rng.random() < 0.05:
            iam.attach_user_policy(UserName=name, PolicyArn=policy_arns[rng.randrange(len(policy_arns))])
    return mfa


def rotation_lambda(endpoint, credentials, account, region):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    function = client(endpoint, credentials, "lambda", region).create_function(
        FunctionName="secrets-rotation", Runtime="python3.12",
        Role=f"arn:aws:iam::{account}:role/rotation-lambda", Handler="handler.handler",
        Code={"ZipFile": buffer.getvalue()},
    )
    return function["FunctionArn"]


def seed_account_secrets(endpoint, credentials, account, secrets, pool):
    """Secrets round-robin over the three regions, in parallel chunks."""
    if secrets == 0:
        return {"secrets": 0}
    client(endpoint, credentials, "iam").create_role(
        RoleName="rotation-lambda",
        AssumeRolePolicyDocument=document({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                           "Action": "sts:AssumeRole"}),
    )
    lambdas = {r: rotation_lambda(endpoint, credentials, account, r) for r in REGIONS}
    chunk = 50
    futures = [pool.submit(seed_secrets, endpoint, credentials, account, start, min(secrets, start + chunk), lambdas)
               for start in range(0, secrets, chunk)]
    per_region = {r: 0 for r in REGIONS}
    for f in futures:
        for region, n in f.result().items():
            per_region[region] += n
    return {"secrets": secrets, "per_region": per_region}


def seed_secrets(endpoint, credentials, account, start, end, lambdas):
    """Secrets start..end: 5% AI-provider keys, 40% with rotation, 10% a resource policy
    (most for a role of the account, some for another account, a few public)."""
    rng = random.Random(10_000 + start)
    per_region = {}
    for i in range(start, end):
        region = REGIONS[i % 3]
        sm = client(endpoint, credentials, "secretsmanager", region)
        team = TEAMS[i % 8]
        kind = rng.choices(["openai-api-key", "anthropic-api-key", "db-password", "signing-key", "service-token"],
                           weights=[3, 2, 35, 25, 35])[0]
        tags = [{"Key": "team", "Value": team}, {"Key": "env", "Value": rng.choice(["prod", "staging", "dev"])}]
        if "api-key" in kind:
            tags.append({"Key": "provider", "Value": kind.split("-")[0]})
        arn = sm.create_secret(Name=f"{team}/app-{i % 400}/{kind}-{i}", SecretString="not-a-real-value",
                               Description=f"{kind} for {team}", Tags=tags)["ARN"]
        if rng.random() < 0.4:
            sm.rotate_secret(SecretId=arn, RotationLambdaARN=lambdas[region],
                             RotationRules={"AutomaticallyAfterDays": rng.choice([30, 30, 90, 365])},
                             RotateImmediately=False)
        if rng.random() < 0.1:
            roll = rng.random()
            principal = ({"AWS": f"arn:aws:iam::{account}:role/reader"} if roll < 0.6
                         else {"AWS": "arn:aws:iam::210987654321:root"} if roll < 0.9 else "*")
            sm.put_resource_policy(SecretId=arn, ResourcePolicy=document(
                {"Effect": "Allow", "Principal": principal, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}))
        per_region[region] = per_region.get(region, 0) + 1
    return per_region


def seed(moto, accounts, users, secrets, workers):
    """Seeds the management account (and, for several accounts, an organization of members
    seeded through the assumed role). Returns the seeded shape per account id."""
    base = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    targets = [(MANAGEMENT, base)]
    if accounts > 1:
        org = client(moto.endpoint, base, "organizations")
        org.create_organization(FeatureSet="ALL")
        sts = client(moto.endpoint, base, "sts")
        for n in range(accounts - 1):
            account_id = org.create_account(AccountName=f"member-{n:02d}", Email=f"member-{n:02d}@example.com")[
                "CreateAccountStatus"]["AccountId"]
            assumed = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}", RoleSessionName="seed")[
                "Credentials"]
            targets.append((account_id, {
                "aws_access_key_id": assumed["AccessKeyId"],
                "aws_secret_access_key": assumed["SecretAccessKey"],
                "aws_session_token": assumed["SessionToken"],
            }))
    shape = {}
    # Two pools: accounts in one, their chunks in the other (a chunk never waits for a chunk).
    with concurrent.futures.ThreadPoolExecutor(workers) as chunks, \
            concurrent.futures.ThreadPoolExecutor(min(accounts, 4)) as per_account:
        def one(target):
            account_id, credentials = target
            iam = seed_account_iam(moto.endpoint, credentials, account_id, users, chunks)
            sm = seed_account_secrets(moto.endpoint, credentials, account_id, secrets, chunks)
            return account_id, dict(iam, **sm)
        for account_id, result in per_account.map(one, targets):
            shape[account_id] = result
    return shape


# --- The request floor ---------------------------------------------------------------------

def account_floor(s):
    """The fewest requests that collect one account, from pages (README "What it calls")."""
    principals = s["users"] + s["groups"] + s["roles"] + s["policies"] + 1  # + rotation-lambda role
    account_wide = {
        "GetCallerIdentity": 1,
        "ListAccountAliases": 1,
        "GetAccountSummary": 1,
        "GenerateCredentialReport": 1,
        "GetCredentialReport": 1,
        "ListVirtualMFADevices": max(1, math.ceil(s["mfa_devices"] / 1000)),
        "GetAccountPasswordPolicy": 1,
    }
    per_region = s.get("per_region", {r: 0 for r in REGIONS})
    floor = {
        "account_wide": sum(account_wide.values()),
        "authorization_pages": max(1, math.ceil(principals / 1000)),
        "list_secrets_pages": sum(max(1, math.ceil(n / 100)) for n in per_region.values()),
        "get_resource_policy": sum(per_region.values()),
    }
    floor["total"] = sum(floor.values())
    return floor


def caller_floor(accounts):
    """With --org, the caller's own calls: who am I, ListAccounts pages, one AssumeRole per member."""
    if accounts == 1:
        return 0
    return 1 + max(1, math.ceil(accounts / 20)) + (accounts - 1)


# --- The recorder --------------------------------------------------------------------------

def recorded_actions(path):
    """Counts the requests moto recorded, by service action."""
    counts = {}
    if not os.path.exists(path):
        return counts
    with open(path) as f:
        for line in f:
            entry = json.loads(line)
            headers = {k.lower(): v for k, v in entry.get("headers", {}).items()}
            action = None
            target = headers.get("x-amz-target")
            if target:
                action = target.rsplit(".", 1)[-1]
            else:
                body = entry.get("body") or ""
                if entry.get("body_encoded"):
                    body = base64.b64decode(body).decode("utf-8", "replace")
                query = urllib.parse.parse_qs(body) if isinstance(body, str) else {}
                query.update(urllib.parse.parse_qs(urllib.parse.urlparse(entry.get("url", "")).query))
                action = (query.get("Action") or [None])[0]
            if not action:
                action = entry.get("method", "?") + " " + urllib.parse.urlparse(entry.get("url", "")).path
            counts[action] = counts.get(action, 0) + 1
    return counts


# --- One size ------------------------------------------------------------------------------

TIME = "/usr/bin/time"


def measured_run(args, workdir, env, out, err):
    """Runs a command; returns (exit code, wall seconds, {peak_rss_kb, user/system CPU, method}).

    The peak RSS must be keyward's alone. rusage from wait4 or RUSAGE_CHILDREN is not: Linux
    folds the high-water mark of the memory a child had before exec (a copy of this Python
    process, over 100 MB after seeding) into the child's ru_maxrss. GNU time forks keyward from
    a small process, so its %M is keyward's own; without it, keyward's VmHWM (the high-water mark
    of its own address space) is polled from /proc until it exits."""
    if os.access(TIME, os.X_OK):
        time_file = os.path.join(workdir, "time.txt")
        start = time.monotonic()
        code = subprocess.run([TIME, "-f", "%M %U %S", "-o", time_file] + args,
                              cwd=workdir, env=env, stdout=out, stderr=err).returncode
        wall = time.monotonic() - start
        rss_kb, user, system = open(time_file).read().split()[-3:]
        return code, wall, {"peak_rss_kb": int(rss_kb), "user_cpu_s": float(user),
                            "system_cpu_s": float(system), "method": "GNU time %M"}
    start = time.monotonic()
    process = subprocess.Popen(args, cwd=workdir, env=env, stdout=out, stderr=err)
    peak = 0
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.005)
    wall = time.monotonic() - start
    return process.returncode, wall, {"peak_rss_kb": peak, "user_cpu_s": None, "system_cpu_s": None,
                                      "method": "VmHWM polled every 5 ms"}


def keyward_env(moto, workdir):
    home = os.path.join(workdir, "home")
    os.makedirs(home, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": home,
        "AWS_ENDPOINT_URL": moto.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return env


def run_keyward(keyward, moto, accounts, workdir):
    """The measured run: `keyward scan` of the live (emulated) account(s), JSON report."""
    report_path = os.path.join(workdir, "report.json")
    keyward = os.path.abspath(keyward)
    args = [keyward, "scan"]
    for region in REGIONS:
        args += ["--region", region]
    args += ["--format", "json", "-o", report_path, "--fail-on", "none"]
    if accounts > 1:
        args.append("--org")
    env = keyward_env(moto, workdir)
    stdout_path, stderr_path = os.path.join(workdir, "keyward.out"), os.path.join(workdir, "keyward.err")
    with open(stdout_path, "w") as out, open(stderr_path, "w") as err:
        returncode, wall, usage = measured_run(args, workdir, env, out, err)
    stderr = open(stderr_path).read()
    if returncode not in (0, 3):
        raise RuntimeError(f"keyward exited {returncode}:\n{stderr}")
    report = json.load(open(report_path))
    match = re.search(r"keyward: (\d+) AWS API requests", stderr)
    return {
        "command": " ".join(["keyward"] + ["report.json" if a == report_path else a for a in args[1:]]),
        "exit_code": returncode,
        "wall_s": wall,
        "user_cpu_s": usage["user_cpu_s"],
        "system_cpu_s": usage["system_cpu_s"],
        "peak_rss_mb": usage["peak_rss_kb"] / 1024.0,
        "peak_rss_method": usage["method"],
        "requests_stderr": int(match.group(1)) if match else None,
        "requests_line": next((l for l in stderr.splitlines() if "AWS API requests" in l), None),
        "accounts": [
            {
                "id": a["account"]["id"],
                "api_requests": a.get("api_requests"),
                "findings": len(a.get("findings", [])),
                "not_evaluated": len(a.get("not_evaluated", [])),
                "collection_errors": [f'{e["service"]} {e["operation"]}: {e["kind"]}' for e in a.get("collection_errors", [])],
            }
            for a in report["accounts"]
        ],
        "open_findings": report["summary"]["open_total"],
    }


def run_phases(keyward, moto, accounts, workdir):
    """Where the scan's time goes: collection alone (`keyward snapshot`, a second collection of
    the same accounts) and evaluation alone (`keyward scan --snapshot` of what it wrote)."""
    keyward = os.path.abspath(keyward)
    env = keyward_env(moto, workdir)
    target = os.path.join(workdir, "snapshots" if accounts > 1 else "snapshot.json")
    collect = [keyward, "snapshot", "-o", target]
    for region in REGIONS:
        collect += ["--region", region]
    if accounts > 1:
        collect.append("--org")
    phases = {}
    with open(os.devnull, "w") as out, open(os.path.join(workdir, "phases.err"), "w") as err:
        code, wall, usage = measured_run(collect, workdir, env, out, err)
        phases["collect"] = {"exit_code": code, "wall_s": wall, "peak_rss_mb": usage["peak_rss_kb"] / 1024.0}
        files = ([os.path.join(target, f) for f in sorted(os.listdir(target))] if accounts > 1 else [target])
        evaluate = [keyward, "scan", "--format", "json", "-o", os.path.join(workdir, "eval.json"),
                    "--fail-on", "none", "--as-of", "snapshot"]
        for f in files:
            evaluate += ["--snapshot", f]
        code, wall, usage = measured_run(evaluate, workdir, env, out, err)
        phases["evaluate"] = {"exit_code": code, "wall_s": wall, "peak_rss_mb": usage["peak_rss_kb"] / 1024.0}
    return phases


def run_size(name, accounts, users, secrets, args):
    workdir = tempfile.mkdtemp(prefix="keyward-bench-")
    moto = Moto(args.moto_server, workdir)
    try:
        started = time.monotonic()
        shape = seed(moto, accounts, users, secrets, args.workers)
        seed_s = time.monotonic() - started
        moto.control("/moto-api/recorder/reset-recording")
        moto.control("/moto-api/recorder/start-recording")
        scan = run_keyward(args.keyward, moto, accounts, workdir)
        moto.control("/moto-api/recorder/stop-recording")
        recorded = recorded_actions(moto.recording)
        phases = run_phases(args.keyward, moto, accounts, workdir)
    finally:
        moto.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    floors = {account: account_floor(s) for account, s in shape.items()}
    floor_total = sum(f["total"] for f in floors.values()) + caller_floor(accounts)
    per_account = sum(a["api_requests"] or 0 for a in scan["accounts"])
    return {
        "name": name,
        "accounts": accounts,
        "users_per_account": users,
        "secrets_per_account": secrets,
        "users_total": sum(s["users"] for s in shape.values()),
        "secrets_total": sum(s["secrets"] for s in shape.values()),
        "principals_total": sum(s["users"] + s["groups"] + s["roles"] + s["policies"] for s in shape.values()),
        "seed_s": seed_s,
        "scan": scan,
        "phases": phases,
        "requests": {
            "keyward_total": scan["requests_stderr"],
            "keyward_per_account_sum": per_account,
            "recorded_total": sum(recorded.values()),
            "recorded_by_action": dict(sorted(recorded.items(), key=lambda kv: -kv[1])),
            "floor_total": floor_total,
            "floor_caller": caller_floor(accounts),
            "floor_per_account": floors,
        },
    }


# --- Output --------------------------------------------------------------------------------

def print_table(results):
    header = ["size", "seed s", "scan s", "collect s", "eval s", "peak MB", "requests", "recorded", "floor",
              "GetResPol", "other", "findings"]
    rows = []
    for r in results:
        req = r["requests"]
        grp = req["recorded_by_action"].get("GetResourcePolicy", 0)
        rows.append([
            r["name"], f'{r["seed_s"]:.0f}', f'{r["scan"]["wall_s"]:.2f}',
            f'{r["phases"]["collect"]["wall_s"]:.2f}', f'{r["phases"]["evaluate"]["wall_s"]:.2f}',
            f'{r["scan"]["peak_rss_mb"]:.0f}',
            str(req["keyward_total"]), str(req["recorded_total"]), str(req["floor_total"]),
            str(grp), str(req["recorded_total"] - grp), str(r["scan"]["open_findings"]),
        ])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells))
    print(line(header))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))
    print("(requests: keyward's own count, stderr; recorded: moto's request recorder; floor: account-wide "
          "calls + ceil(principals/1000) authorization pages + per region ceil(secrets/100) ListSecrets "
          "pages + one GetResourcePolicy per secret, + ListAccounts and AssumeRole with --org; "
          "GetResPol: GetResourcePolicy calls recorded; other: every other call; collect s: `keyward "
          "snapshot` of the same accounts, eval s: `keyward scan --snapshot` of that snapshot; peak MB: "
          "of the scan)")


def memory_slope(results):
    """MB of peak RSS per 1,000 users, single account, secrets held constant (least squares)."""
    slopes = {}
    for secrets in sorted({r["secrets_per_account"] for r in results if r["accounts"] == 1}):
        points = [(r["users_total"], r["scan"]["peak_rss_mb"]) for r in results
                  if r["accounts"] == 1 and r["secrets_per_account"] == secrets]
        if len({x for x, _ in points}) < 2:
            continue
        n = len(points)
        mx = sum(x for x, _ in points) / n
        my = sum(y for _, y in points) / n
        slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
        slopes[str(secrets)] = {"mb_per_1000_users": slope * 1000, "intercept_mb": my - slope * mx,
                                "points": [{"users": x, "peak_rss_mb": y} for x, y in points]}
    return slopes


def loadavg():
    try:
        return open("/proc/loadavg").read().split()[:3]
    except OSError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keyward", default=os.path.join(ROOT, "target/release/keyward"))
    parser.add_argument("--moto-server", default=os.path.join(ROOT, ".tools/moto/bin/moto_server"))
    parser.add_argument("--quick", action="store_true", help="only the smallest single account and organization")
    parser.add_argument("--sizes", help="comma-separated indexes into the size list (0-based)")
    parser.add_argument("--workers", type=int, default=8, help="seeding threads")
    parser.add_argument("--out", default=os.path.join(ROOT, "target/bench/results.json"))
    parser.add_argument("--policy-json", default=os.path.join(ROOT, "target/bench/policy_eval.json"))
    parser.add_argument("--command", default="scripts/bench.sh", help="the command recorded in the results")
    args = parser.parse_args()

    load_at_start = loadavg()
    chosen = (set(int(i) for i in args.sizes.split(",")) if args.sizes
              else {i for i, size in enumerate(SIZES) if size[4] or not args.quick})
    results = []
    for index, (name, accounts, users, secrets, _) in enumerate(SIZES):
        if index not in chosen:
            continue
        print(f"bench: {name}: seeding and scanning ...", file=sys.stderr, flush=True)
        result = run_size(name, accounts, users, secrets, args)
        print(f"bench: {name}: seeded in {result['seed_s']:.0f} s, scan {result['scan']['wall_s']:.2f} s, "
              f"{result['requests']['keyward_total']} requests (floor {result['requests']['floor_total']}), "
              f"peak {result['scan']['peak_rss_mb']:.0f} MB", file=sys.stderr, flush=True)
        results.append(result)

    print("\nLive collection against moto (keyward scan, 3 regions):")
    print_table(results)
    slopes = memory_slope(results)
    for secrets, s in slopes.items():
        print(f"peak RSS: {s['mb_per_1000_users']:.1f} MB per 1,000 users (single account, {secrets} secrets, "
              f"intercept {s['intercept_mb']:.0f} MB)")

    policy = None
    if os.path.exists(args.policy_json):
        policy = json.load(open(args.policy_json))
    document_out = {
        "benchmark": "keyward",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": args.command + (" --quick" if args.quick else ""),
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(),
                    "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), None)
                    if os.path.exists("/proc/cpuinfo") else None},
        "load_average": {"start": load_at_start, "end": loadavg(),
                         "note": "1/5/15-minute load of the machine; others may share its 2 cores"},
        "moto": __import__("moto").__version__,
        "keyward": subprocess.run([args.keyward, "--version"], capture_output=True, text=True).stdout.strip(),
        "policy_eval": policy,
        "live": results,
        "memory": slopes,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(document_out, f, indent=2)
        f.write("\n")
    print(f"results: {os.path.relpath(args.out, ROOT)}")


if __name__ == "__main__":
    main()
