"""A loopback proxy in front of moto that throttles a share of the AWS requests, as AWS does.

Usage: throttle_proxy.py --upstream http://127.0.0.1:PORT --rate 0.05 [--seed N] [--port P]

Prints `listening http://127.0.0.1:PORT` on standard output once it accepts connections, then
serves until it is terminated. Each request to an AWS API is answered, with probability --rate,
by the throttling error of its protocol instead of being forwarded:

  - query protocol (IAM, STS: form-encoded POST): HTTP 400, text/xml,
    <ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>...;
  - JSON protocol (Secrets Manager, Organizations: an X-Amz-Target header): HTTP 400,
    application/x-amz-json-1.1, {"__type": "ThrottlingException", ...} (Organizations names it
    TooManyRequestsException);
  - S3 (REST-XML): HTTP 503, <Error><Code>SlowDown</Code>..., as S3 answers;
  - REST-JSON protocol (Account, GuardDuty, Access Analyzer: none of the above): HTTP 429 with
    the error type in the x-amzn-ErrorType header, as API Gateway-fronted services answer.

Everything else is forwarded unchanged. moto's own API (/moto-api/...) is never throttled, and
GET /throttle-proxy/stats answers with the counts so far (JSON: requests, throttled, per service).
The draws come from one seeded generator: the same --seed throttles the same share, though not
the same requests when several run at once. Loopback only: it binds 127.0.0.1.

Used by scripts/bench_moto.py (`--throttle`) and by the throttling integration test.
"""

import argparse
import http.client
import http.server
import json
import random
import re
import sys
import threading
import urllib.parse
import uuid

# Headers that belong to one connection, not to the request (RFC 9110, 7.6.1).
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}

# The namespace of a query-protocol service's error document.
QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}

# JSON-protocol services whose throttling error has another name than ThrottlingException.
JSON_THROTTLING_TYPES = {"organizations": "TooManyRequestsException"}


class Throttler:
    """Decides which requests are throttled, and counts."""

    def __init__(self, rate, seed):
        self.rate = rate
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.requests = 0
        self.throttled = 0
        self.by_service = {}

    def draw(self, service):
        with self.lock:
            self.requests += 1
            counts = self.by_service.setdefault(service, {"requests": 0, "throttled": 0})
            counts["requests"] += 1
            throttle = self.random.random() < self.rate
            if throttle:
                self.throttled += 1
                counts["throttled"] += 1
            return throttle

    def stats(self):
        with self.lock:
            return {"rate": self.rate, "requests": self.requests, "throttled": self.throttled,
                    "by_service": self.by_service}


def service_of(headers):
    """The service a signed request is for: the SigV4 credential scope names it."""
    match = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", headers.get("Authorization", ""))
    return match.group(1) if match else "unknown"


def throttling_response(headers, service):
    """(status, headers, body) of the throttling error in the request's protocol."""
    request_id = str(uuid.uuid4())
    if headers.get("X-Amz-Target"):
        error_type = JSON_THROTTLING_TYPES.get(service, "ThrottlingException")
        body = json.dumps({"__type": error_type, "message": "Rate exceeded"})
        return 400, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": request_id}, body
    if headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        namespace = QUERY_NAMESPACES.get(service, f"https://{service}.amazonaws.com/doc/")
        body = (f'<ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type><Code>Throttling</Code>'
                f"<Message>Rate exceeded</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return 400, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body
    if service == "s3":
        body = (f"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
                f"<RequestId>{request_id}</RequestId></Error>")
        return 503, {"Content-Type": "application/xml", "x-amz-request-id": request_id}, body
    body = json.dumps({"message": "Rate exceeded"})
    return 429, {"Content-Type": "application/json", "x-amzn-ErrorType": "TooManyRequestsException",
                 "x-amzn-RequestId": request_id}, body


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's connection pool expects

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/throttle-proxy/stats":
            self.respond(200, {"Content-Type": "application/json"}, json.dumps(self.server.throttler.stats()))
        else:
            self.handle_any()

    def do_POST(self):
        self.handle_any()

    do_PUT = do_DELETE = do_HEAD = do_PATCH = do_POST

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if not self.path.startswith("/moto-api"):
            service = service_of(self.headers)
            if self.server.throttler.draw(service):
                self.respond(*throttling_response(self.headers, service))
                return
        self.forward(body)

    def forward(self, body):
        upstream = self.upstream_connection()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            # A dropped keep-alive connection to moto: once more on a fresh one.
            upstream.close()
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        out = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}}
        self.respond(response.status, out, data)

    def upstream_connection(self):
        """One connection to moto per client connection (this handler), reused."""
        if getattr(self, "upstream", None) is None:
            self.upstream = http.client.HTTPConnection(self.server.upstream_host, self.server.upstream_port,
                                                      timeout=120)
        return self.upstream

    def respond(self, status, headers, body):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--upstream", required=True, help="moto's endpoint, http://127.0.0.1:PORT")
    parser.add_argument("--rate", type=float, required=True, help="share of AWS requests throttled, 0 to 1")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()
    upstream = urllib.parse.urlparse(args.upstream)
    if upstream.hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--upstream must be a loopback address")
    server = Server(("127.0.0.1", args.port), Handler)
    server.throttler = Throttler(args.rate, args.seed)
    server.upstream_host, server.upstream_port = upstream.hostname, upstream.port
    print(f"listening http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
