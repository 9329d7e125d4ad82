"""Live-collection benchmark: keyward against moto (the AWS API emulator), size by size.

Run by scripts/bench.sh (which installs moto and builds keyward and the generator); on its own:
    cargo build --release --bin keyward --example synthetic_account
    .tools/moto/bin/python scripts/bench_moto.py [--quick] [--profile mostly-compliant]

For each size it starts moto_server on a free loopback port and seeds synthetic accounts through
the AWS API (boto3, in parallel threads). The accounts are not made up here: each is the snapshot
of keyward's own generator (keyward::synthetic, printed by examples/synthetic_account.rs), the
generator whose accounts `cargo bench --bench policy_eval` evaluates, seeded with whatever moto
can express (see "Seeding" below). For several accounts, an AWS Organization whose members are
seeded through an assumed role, each from a snapshot of its own account id. It then runs

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
import re
import shutil
import socket
import statistics
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
    # Organizations of many accounts (issue 14): the same small account shape at 20 and 200
    # accounts, so that peak memory can be compared across the number of accounts (seeding 200
    # accounts of 50 users took over an hour on a loaded 2-core machine).
    ("20 accts (org), 5 users + 2 secrets each", 20, 5, 2, False),
    ("200 accts (org), 5 users + 2 secrets each", 200, 5, 2, False),
]

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


# --- The synthetic accounts ----------------------------------------------------------------

def synthetic_account(generator, account_id, users, secrets, profile):
    """The snapshot of a synthetic account of `account_id`, from keyward's generator."""
    args = [os.path.abspath(generator), "--account", account_id, "--users", str(users),
            "--secrets", str(secrets), "--profile", profile]
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)


def shape(snapshot):
    """What was seeded of a snapshot, for the results and the request floor."""
    per_region = {region: 0 for region in snapshot["collector"]["regions"]}
    for secret in snapshot["secrets"]:
        per_region[secret["region"]] += 1
    return {
        "users": len(snapshot["users"]),
        "groups": len(snapshot["groups"]),
        # + the role of the rotation functions, which the snapshot does not have.
        "roles": len(snapshot["roles"]) + (1 if rotation_functions(snapshot) else 0),
        "policies": sum(not p["aws_managed"] for p in snapshot["policies"]),
        "mfa_devices": sum(d["kind"] == "virtual" for u in snapshot["users"] for d in u["mfa_devices"]),
        "secrets": len(snapshot["secrets"]),
        "per_region": per_region,
        "regions": snapshot["collector"]["regions"],
    }


# --- Seeding -------------------------------------------------------------------------------
#
# An account is seeded from its snapshot through the AWS API, with all moto can express: the
# password policy and the alias; customer-managed policies; groups, roles and users with their
# customer-managed and inline policies and tags; group memberships; console passwords (login
# profiles), MFA devices, access keys (the inactive ones deactivated); secrets with their
# description, KMS key, tags, rotation and resource policy.
#
# What moto cannot express, so that the account keyward collects differs from its snapshot:
#   - time: moto stamps what it creates with the current time, and nothing is ever used. Users,
#     keys, passwords and secrets are new, never used and never accessed, and a secret with
#     rotation on was last rotated now; the ages, last uses and overdue rotations of the
#     snapshot are lost, and with them most of the findings that depend on them;
#   - the root user: moto's credential report has no root row (no root MFA, keys or sign-ins);
#   - a role's last use; a secret's owning service (no service manages a secret in moto);
#   - rotation on a schedule expression: moto keeps only AutomaticallyAfterDays, and reports
#     the rotation of such a secret as off;
#   - hardware MFA: the device is enabled under its serial without being a virtual device, so
#     keyward sees an MFA user without a listed device, as with a real hardware key;
#   - AWS-managed policies: moto attaches one only with all of AWS's loaded
#     (MOTO_IAM_LOAD_MANAGED_POLICIES, about 1,300), whose collection then dominates the
#     measurement (10 users + 100 secrets: 1.4 s and 39 MB instead of 0.6 s and 25 MB), so
#     attachments of AWS-managed policies are left out.
# And the rotation Lambda functions and their role exist only here: moto checks that a secret's
# rotation function exists (and invokes it) when rotation is set.

_local = threading.local()
CLIENT_CONFIG = botocore.config.Config(retries={"max_attempts": 10, "mode": "standard"}, max_pool_connections=32)
USERS_PER_CHUNK = 100
ROLES_PER_CHUNK = 100
SECRETS_PER_CHUNK = 50


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


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def in_chunks(pool, seed_chunk, endpoint, credentials, items, size):
    """Seeds items in chunks on the pool's threads, and waits for all of them."""
    futures = [pool.submit(seed_chunk, endpoint, credentials, items[start:start + size])
               for start in range(0, len(items), size)]
    for future in futures:
        future.result()


def seed_account(endpoint, credentials, snapshot, pool):
    """Policies and groups first (they are few, and the rest refers to them), then roles and
    users in parallel chunks, then secrets."""
    iam = client(endpoint, credentials, "iam")
    seed_account_settings(iam, snapshot)
    for policy in snapshot["policies"]:
        if not policy["aws_managed"]:
            iam.create_policy(PolicyName=policy["name"], PolicyDocument=json.dumps(policy["document"]))
    for group in snapshot["groups"]:
        iam.create_group(GroupName=group["name"])
        give_policies(iam, "group", group)
    in_chunks(pool, seed_roles, endpoint, credentials, snapshot["roles"], ROLES_PER_CHUNK)
    in_chunks(pool, seed_users, endpoint, credentials, snapshot["users"], USERS_PER_CHUNK)
    create_rotation_functions(endpoint, credentials, snapshot)
    in_chunks(pool, seed_secrets, endpoint, credentials, snapshot["secrets"], SECRETS_PER_CHUNK)


def seed_account_settings(iam, snapshot):
    policy = snapshot["password_policy"]
    if policy:
        optional = {"MaxPasswordAge": policy["max_age_days"], "PasswordReusePrevention": policy["reuse_prevention"]}
        iam.update_account_password_policy(
            MinimumPasswordLength=policy["minimum_length"],
            RequireSymbols=policy["require_symbols"],
            RequireNumbers=policy["require_numbers"],
            RequireUppercaseCharacters=policy["require_uppercase"],
            RequireLowercaseCharacters=policy["require_lowercase"],
            AllowUsersToChangePassword=policy["allow_users_to_change"],
            HardExpiry=policy["hard_expiry"],
            **{k: v for k, v in optional.items() if v is not None},
        )
    if snapshot["account"]["alias"]:
        iam.create_account_alias(AccountAlias=snapshot["account"]["alias"])


def give_policies(iam, kind, principal):
    """The customer-managed and inline policies of a user, group or role (`kind`)."""
    name = {f"{kind.capitalize()}Name": principal["name"]}
    attach, put = getattr(iam, f"attach_{kind}_policy"), getattr(iam, f"put_{kind}_policy")
    for policy in principal["attached_policies"]:
        if not policy["arn"].startswith("arn:aws:iam::aws:policy/"):
            attach(PolicyArn=policy["arn"], **name)
    for policy in principal["inline_policies"]:
        put(PolicyName=policy["name"], PolicyDocument=json.dumps(policy["document"]), **name)


def seed_roles(endpoint, credentials, roles):
    iam = client(endpoint, credentials, "iam")
    for role in roles:
        iam.create_role(RoleName=role["name"], AssumeRolePolicyDocument=json.dumps(role["assume_role_policy"]),
                        Tags=tag_list(role["tags"]))
        give_policies(iam, "role", role)


def seed_users(endpoint, credentials, users):
    iam = client(endpoint, credentials, "iam")
    for user in users:
        name = user["name"]
        iam.create_user(UserName=name, Tags=tag_list(user["tags"]))
        if user["password"]:
            iam.create_login_profile(UserName=name, Password="Synthetic-Passw0rd!")
        for device in user["mfa_devices"]:
            enable_mfa_device(iam, name, device)
        for key in user["access_keys"]:
            created = iam.create_access_key(UserName=name)["AccessKey"]
            if key["status"] == "inactive":
                iam.update_access_key(UserName=name, AccessKeyId=created["AccessKeyId"], Status="Inactive")
        for group in user["groups"]:
            iam.add_user_to_group(UserName=name, GroupName=group)
        give_policies(iam, "user", user)


def enable_mfa_device(iam, user, device):
    """A virtual device is created, then enabled; a hardware one is enabled under its serial."""
    serial = device["serial"]
    if device["kind"] == "virtual":
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName=user, SerialNumber=serial,
                          AuthenticationCode1="123456", AuthenticationCode2="654321")


def rotation_functions(snapshot):
    """The ARNs of the Lambda functions the snapshot's secrets rotate with."""
    return sorted({s["rotation"]["lambda_arn"] for s in snapshot["secrets"] if s["rotation"]["enabled"]})


def create_rotation_functions(endpoint, credentials, snapshot):
    """Each rotation function, under the name and in the region of its ARN (never run)."""
    functions = rotation_functions(snapshot)
    if not functions:
        return
    account = snapshot["account"]["id"]
    # A snapshot of a real account may list the functions' role itself; it is seeded with the roles.
    if not any(role["name"] == "rotation-lambda" for role in snapshot["roles"]):
        client(endpoint, credentials, "iam").create_role(
            RoleName="rotation-lambda",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    for arn in functions:
        _, _, _, region, _, _, name = arn.split(":")
        client(endpoint, credentials, "lambda", region).create_function(
            FunctionName=name, Runtime="python3.12", Role=f"arn:aws:iam::{account}:role/rotation-lambda",
            Handler="handler.handler", Code={"ZipFile": buffer.getvalue()},
        )


def rotation_rules(rules):
    names = {"automatically_after_days": "AutomaticallyAfterDays", "schedule_expression": "ScheduleExpression",
             "duration": "Duration"}
    return {names[k]: v for k, v in rules.items() if v is not None}


def seed_secrets(endpoint, credentials, secrets):
    for secret in secrets:
        sm = client(endpoint, credentials, "secretsmanager", secret["region"])
        optional = {"Description": secret["description"], "KmsKeyId": secret["kms_key_id"]}
        arn = sm.create_secret(Name=secret["name"], SecretString="not-a-real-value", Tags=tag_list(secret["tags"]),
                               **{k: v for k, v in optional.items() if v is not None})["ARN"]
        rotation = secret["rotation"]
        if rotation["enabled"]:
            sm.rotate_secret(SecretId=arn, RotationLambdaARN=rotation["lambda_arn"],
                             RotationRules=rotation_rules(rotation["rules"]), RotateImmediately=False)
        if secret["resource_policy"]:
            # The policy names the secret by the snapshot's ARN, whose random suffix is not moto's.
            policy = json.dumps(secret["resource_policy"]).replace(secret["arn"], arn)
            sm.put_resource_policy(SecretId=arn, ResourcePolicy=policy)


def seed(moto, accounts, users, secrets, args):
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
    shapes = {}
    # Two pools: accounts in one, their chunks in the other (a chunk never waits for a chunk).
    with concurrent.futures.ThreadPoolExecutor(args.workers) as chunks, \
            concurrent.futures.ThreadPoolExecutor(min(accounts, 4)) as per_account:
        def one(target):
            account_id, credentials = target
            snapshot = synthetic_account(args.synthetic_account, account_id, users, secrets, args.profile)
            seed_account(moto.endpoint, credentials, snapshot, chunks)
            return account_id, shape(snapshot)
        for account_id, seeded in per_account.map(one, targets):
            shapes[account_id] = seeded
    return shapes


# --- The request floor ---------------------------------------------------------------------

def principals(s):
    """What GetAccountAuthorizationDetails lists of an account."""
    return s["users"] + s["groups"] + s["roles"] + s["policies"]


def account_floor(s):
    """The fewest requests that collect one account, from pages (README "What it calls")."""
    account_wide = {
        "GetCallerIdentity": 1,
        "ListAccountAliases": 1,
        "GetAccountSummary": 1,
        "GenerateCredentialReport": 1,
        "GetCredentialReport": 1,
        "ListVirtualMFADevices": max(1, math.ceil(s["mfa_devices"] / 1000)),
        "GetAccountPasswordPolicy": 1,
    }
    per_region = s["per_region"]
    floor = {
        "account_wide": sum(account_wide.values()),
        "authorization_pages": max(1, math.ceil(principals(s) / 1000)),
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


# --- Throttling ----------------------------------------------------------------------------
#
# Real accounts throttle: request quotas are shared with every other tool in the account. The
# scan is repeated through scripts/throttle_proxy.py, which answers a share of the requests with
# the throttling error of their protocol, at 0% (the proxy's own cost) and at each --throttle
# rate; the findings must be the same as the direct scan's, and nothing may be left not
# evaluated.

class ThrottleProxy:
    """scripts/throttle_proxy.py in front of moto, throttling `rate` of the AWS requests."""

    def __init__(self, upstream, rate, workdir):
        self.log = open(os.path.join(workdir, f"proxy-{rate}.log"), "w")
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "scripts/throttle_proxy.py"), "--upstream", upstream,
             "--rate", str(rate)],
            stdout=subprocess.PIPE, stderr=self.log, text=True,
        )
        line = self.process.stdout.readline().strip()
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"the throttling proxy did not start: {line!r}")
        self.endpoint = line.split()[1]

    def stats(self):
        return json.loads(urllib.request.urlopen(self.endpoint + "/throttle-proxy/stats", timeout=10).read())

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


def throttle_rates(args, name, rates=None):
    """The rates the size is scanned at through the proxy: 0 (the proxy alone) and `rates`
    (default --throttle), for the sizes --throttle-sizes names."""
    rates = args.throttle if rates is None else rates
    if not rates or name not in args.throttle_sizes:
        return []
    return [0.0] + [float(r) for r in rates.split(",")]


def run_throttled(keyward, label, moto, accounts, regions, workdir, rate, direct, repeat=1):
    """The scan through a fresh proxy at `rate`, `repeat` times: wall time and peak memory are
    the median of the runs (with their minimum and every run), the counts those of the first
    run, and the findings must be the direct scan's in every run."""
    runs = []
    for _ in range(repeat):
        proxy = ThrottleProxy(moto.endpoint, rate, workdir)
        try:
            scan = run_keyward(keyward, proxy.endpoint, accounts, regions, workdir)
            scan["proxy"] = proxy.stats()
        finally:
            proxy.stop()
        runs.append(scan)
    first = runs[0]
    return {
        "binary": label,
        "rate": rate,
        **repeated(runs),
        "requests_keyward": first["requests_stderr"],
        "requests_proxy": first["proxy"]["requests"],
        "throttled": first["proxy"]["throttled"],
        "throttled_runs": [r["proxy"]["throttled"] for r in runs],
        "open_findings": first["open_findings"],
        "not_evaluated": first["not_evaluated"],
        "same_findings_as_direct": all(r["fingerprints"] == direct["fingerprints"] for r in runs),
    }


def repeated(runs):
    """Wall time and peak memory of repeated runs of one scan: the median, the minimum and every
    run (the machine may be shared: the minimum is the run least slowed by others)."""
    walls = [r["wall_s"] for r in runs]
    peaks = [r["peak_rss_mb"] for r in runs]
    return {
        "wall_s": statistics.median(walls), "wall_s_min": min(walls), "wall_s_runs": walls,
        "peak_rss_mb": statistics.median(peaks), "peak_rss_mb_min": min(peaks), "peak_rss_mb_runs": peaks,
        "runs": len(runs),
    }


def print_throttled(results):
    rows = [(r["name"], t) for r in results for t in r["throttled"]]
    if not rows:
        return
    print("\nThrottling (the same scan through scripts/throttle_proxy.py; x: wall time relative to the "
          "same binary through the proxy at 0%; same: the findings of the direct scan):")
    print(f'{"size":<34} {"binary":<8} {"throttled":>9} {"wall s":>7} {"min s":>7} {"x":>5} {"requests":>9} '
          f'{"throttles":>9} {"findings":>8} {"not eval":>8} {"same":>5}')
    for name, t in rows:
        clean = next(x for n, x in rows if n == name and x["binary"] == t["binary"] and x["rate"] == 0.0)
        print(f'{name:<34} {t["binary"]:<8} {t["rate"]:>8.0%} {t["wall_s"]:>7.2f} {t.get("wall_s_min", t["wall_s"]):>7.2f} '
              f'{t["wall_s"] / clean["wall_s"]:>5.1f} '
              f'{t["requests_keyward"]:>9} {t["throttled"]:>9} {t["open_findings"]:>8} '
              f'{t["not_evaluated"]:>8} {"yes" if t["same_findings_as_direct"] else "NO":>5}')


def print_baseline(results):
    """This build against --baseline-keyward on the same seeded accounts, same run."""
    rows = [r for r in results if r.get("baseline")]
    if not rows:
        return
    print("\nAgainst the baseline binary (same moto, same run; peak: peak RSS):")
    print(f'{"size":<44} {"scan s":>7} {"base s":>7} {"peak MB":>8} {"base MB":>8} {"requests":>9} {"base req":>9} '
          f'{"same":>5}')
    for r in rows:
        b = r["baseline"]
        print(f'{r["name"]:<44} {r["scan"]["wall_s"]:>7.2f} {b["wall_s"]:>7.2f} {r["scan"]["peak_rss_mb"]:>8.0f} '
              f'{b["peak_rss_mb"]:>8.0f} {r["requests"]["keyward_total"]:>9} {b["requests_stderr"]:>9} '
              f'{"yes" if b["same_findings"] else "NO":>5}')


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


def keyward_env(endpoint, workdir):
    home = os.path.join(workdir, "home")
    os.makedirs(home, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": home,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return env


def run_keyward(keyward, endpoint, accounts, regions, workdir):
    """The measured run: `keyward scan` of the live (emulated) account(s) at `endpoint` (moto,
    or the throttling proxy in front of it), JSON report."""
    report_path = os.path.join(workdir, "report.json")
    keyward = os.path.abspath(keyward)
    args = [keyward, "scan"]
    for region in regions:
        args += ["--region", region]
    args += ["--format", "json", "-o", report_path, "--fail-on", "none"]
    if accounts > 1:
        args.append("--org")
    env = keyward_env(endpoint, workdir)
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
        "not_evaluated": report["summary"]["not_evaluated"],
        "fingerprints": sorted(f["fingerprint"] for a in report["accounts"] for f in a["findings"]),
    }


def run_phases(keyward, moto, accounts, regions, workdir):
    """Where the scan's time goes: collection alone (`keyward snapshot`, a second collection of
    the same accounts) and evaluation alone (`keyward scan --snapshot` of what it wrote)."""
    keyward = os.path.abspath(keyward)
    env = keyward_env(moto.endpoint, workdir)
    target = os.path.join(workdir, "snapshots" if accounts > 1 else "snapshot.json")
    collect = [keyward, "snapshot", "-o", target]
    for region in regions:
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
        shape = seed(moto, accounts, users, secrets, args)
        regions = shape[MANAGEMENT]["regions"]
        seed_s = time.monotonic() - started
        moto.control("/moto-api/recorder/reset-recording")
        moto.control("/moto-api/recorder/start-recording")
        scan = run_keyward(args.keyward, moto.endpoint, accounts, regions, workdir)
        moto.control("/moto-api/recorder/stop-recording")
        # Repeated runs: the same scan again (moto's request recorder counted the first only).
        runs = [scan] + [run_keyward(args.keyward, moto.endpoint, accounts, regions, workdir)
                         for _ in range(args.repeat - 1)]
        scan["same_findings_every_run"] = all(r["fingerprints"] == scan["fingerprints"] for r in runs)
        scan.update(repeated(runs))
        recorded = recorded_actions(moto.recording)
        phases = run_phases(args.keyward, moto, accounts, regions, workdir)
        throttled = [run_throttled(args.keyward, "this", moto, accounts, regions, workdir, rate, scan,
                                   args.repeat)
                     for rate in throttle_rates(args, name)]
        baseline = None
        if args.baseline_keyward:
            baseline = run_keyward(args.baseline_keyward, moto.endpoint, accounts, regions, workdir)
            baseline["same_findings"] = baseline.pop("fingerprints") == scan["fingerprints"]
            throttled += [run_throttled(args.baseline_keyward, "baseline", moto, accounts, regions, workdir,
                                        rate, scan)
                          for rate in throttle_rates(args, name, args.baseline_throttle)]
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
        "principals_total": sum(principals(s) for s in shape.values()),
        "seed_s": seed_s,
        "scan": {k: v for k, v in scan.items() if k != "fingerprints"},
        "phases": phases,
        "throttled": throttled,
        "baseline": baseline,
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
    header = ["size", "seed s", "scan s", "min s", "collect s", "eval s", "peak MB", "min MB", "requests",
              "recorded", "floor", "GetResPol", "other", "findings"]
    rows = []
    for r in results:
        req = r["requests"]
        grp = req["recorded_by_action"].get("GetResourcePolicy", 0)
        rows.append([
            r["name"], f'{r["seed_s"]:.0f}', f'{r["scan"]["wall_s"]:.2f}', f'{r["scan"]["wall_s_min"]:.2f}',
            f'{r["phases"]["collect"]["wall_s"]:.2f}', f'{r["phases"]["evaluate"]["wall_s"]:.2f}',
            f'{r["scan"]["peak_rss_mb"]:.0f}', f'{r["scan"]["peak_rss_mb_min"]:.0f}',
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
          "snapshot` of the same accounts, eval s: `keyward scan --snapshot` of that snapshot; scan s, peak MB: "
          "the median of --repeat scans, min s, min MB: their minimum)")


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
    parser.add_argument("--synthetic-account", default=os.path.join(ROOT, "target/release/examples/synthetic_account"),
                        help="keyward's generator of synthetic accounts (examples/synthetic_account.rs, built)")
    parser.add_argument("--profile", choices=["finding-heavy", "mostly-compliant"], default="finding-heavy",
                        help="the synthetic accounts' profile")
    parser.add_argument("--quick", action="store_true", help="only the smallest single account and organization")
    parser.add_argument("--sizes", help="comma-separated indexes into the size list (0-based)")
    parser.add_argument("--workers", type=int, default=8, help="seeding threads")
    parser.add_argument("--repeat", type=int, default=1,
                        help="scan each size (and each throttling rate) this many times on the same seeded "
                             "accounts; wall time and peak memory are then the median, with the minimum beside")
    parser.add_argument("--throttle", default="0.05,0.3",
                        help="comma-separated shares of requests throttled by scripts/throttle_proxy.py "
                             "('' for none)")
    parser.add_argument("--throttle-sizes", default=None,
                        help="comma-separated size names scanned through the proxy (default: 500 users + "
                             "500 secrets; with --quick, the smallest)")
    parser.add_argument("--baseline-keyward", help="another keyward binary (e.g. a build of main) scanned on the same "
                        "seeded accounts in the same run, for comparison")
    parser.add_argument("--baseline-throttle", default="0.05",
                        help="the --throttle rates the baseline binary is scanned at (its adaptive retries can "
                             "take many minutes at 30%%)")
    parser.add_argument("--out", default=os.path.join(ROOT, "target/bench/results.json"))
    parser.add_argument("--policy-json", default=os.path.join(ROOT, "target/bench/policy_eval.json"))
    parser.add_argument("--command", default="scripts/bench.sh", help="the command recorded in the results")
    args = parser.parse_args()

    if args.throttle_sizes is None:
        args.throttle_sizes = [SIZES[0][0]] if args.quick else [SIZES[2][0]]
    else:
        args.throttle_sizes = args.throttle_sizes.split(",")
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

    print(f"\nLive collection against moto (keyward scan, 3 regions, {args.profile} synthetic accounts):")
    print_table(results)
    print_throttled(results)
    print_baseline(results)
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
        "profile": args.profile,
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
