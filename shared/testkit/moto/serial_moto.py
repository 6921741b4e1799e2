"""Run moto's server with one request at a time.

moto_server always serves requests on threads, and moto's DynamoDB backend
does not make a conditional write atomic against a concurrent one, so racing
creates of one key can both "win" -- something real DynamoDB never allows.
Serving requests one at a time restores DynamoDB's per-item atomicity for
the store contract tests. Usage: serial_moto.py HOST PORT
"""
import os
import sys

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
app = DomainDispatcherApplication(create_backend_app)
run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)
