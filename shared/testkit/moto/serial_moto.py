"""Run moto's server with one request at a time.

moto_server always serves requests on threads, and moto's DynamoDB backend
does not make a conditional write atomic against a concurrent one, so racing
creates of one key can both "win" -- something real DynamoDB never allows.
Serving requests one at a time restores DynamoDB's per-item atomicity for
the store contract tests.

moto also ignores TransactWriteItems' ClientRequestToken. Real DynamoDB
answers a repeat of a successful transaction's token with success and does
nothing, which is what makes the SDK's retry after a lost reply safe; moto
runs the transaction again, so a conditional write fails its own condition.
The single-threaded server does lose a reply now and then under parallel
test load, so the token is honoured here the way DynamoDB honours it.

Usage: serial_moto.py HOST PORT
"""
import io
import json
import os
import sys
import time

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

TOKEN_WINDOW = 600  # DynamoDB keeps a client request token for 10 minutes.


class IdempotentTransactions:
    def __init__(self, app):
        self.app = app
        self.done = {}  # token -> (time, request body, status, headers, body)

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").endswith(".TransactWriteItems"):
            return self.transact(environ, start_response)
        return self.app(environ, start_response)

    def transact(self, environ, start_response):
        size = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(size)
        environ["wsgi.input"] = io.BytesIO(raw)
        try:
            token = json.loads(raw).get("ClientRequestToken")
        except ValueError:
            token = None
        now = time.monotonic()
        self.done = {k: v for k, v in self.done.items() if now - v[0] < TOKEN_WINDOW}
        if token in self.done:
            _, first, status, headers, body = self.done[token]
            if json.loads(first) != json.loads(raw):
                status, body = "400 Bad Request", json.dumps({
                    "__type": "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
                    "message": "the request token was used with other parameters",
                }).encode()
                headers = [("Content-Type", "application/x-amz-json-1.0")]
            start_response(status, headers)
            return [body]
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = b"".join(self.app(environ, capture))
        if token and captured.get("status", "").startswith("200"):
            self.done[token] = (now, raw, captured["status"], captured["headers"], body)
        return [body]


host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
app = IdempotentTransactions(DomainDispatcherApplication(create_backend_app))
run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)
