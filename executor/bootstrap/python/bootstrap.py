"""Tally's Python runtime: loads the handler and loops over the Lambda Runtime API.

Standard library only: it runs inside every function instance.
"""
import http.client
import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback

API = os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
HANDLER = os.environ.get("_HANDLER", "")
PREFIX = "/2018-06-01/runtime"
# Inside Tally's sandbox the same Runtime API is also a unix socket: one hop less per invocation
# than the TCP forwarder that AWS_LAMBDA_RUNTIME_API names (which any other runtime uses).
SOCKET = "/run/tally/runtime-api.sock"

# _X_AMZN_TRACE_ID changes with every invocation. os.environ[...] = ... would call setenv(3), and
# glibc keeps every string setenv was ever given (another thread may still hold the old one): about
# 145 bytes a distinct trace id, for the instance's whole life, so a warm instance would grow by
# 145 MB per million invocations until the kernel killed it for memory. The id is kept in
# os.environ's own mapping only (what os.environ and os.getenv read); a child process started with
# the default environment does not see it (pass env=os.environ for that).
TRACE_VAR = "_X_AMZN_TRACE_ID"
os.environ.pop(TRACE_VAR, None)
_TRACE_KEY = os.environ.encodekey(TRACE_VAR)


def set_trace_id(trace):
    if trace:
        os.environ._data[_TRACE_KEY] = os.environ.encodevalue(trace)
    else:
        os.environ._data.pop(_TRACE_KEY, None)


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


class RuntimeClient:
    """One keep-alive connection to the Runtime API, reopened if it drops."""

    def __init__(self, address):
        host, _, port = address.partition(":")
        self.host, self.port = host, int(port or 80)
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self.conn is None:
                if os.path.exists(SOCKET):
                    self.conn = UnixConnection(SOCKET)
                else:
                    self.conn = http.client.HTTPConnection(self.host, self.port)
            try:
                self.conn.request(method, PREFIX + path, body=body, headers=headers or {})
                res = self.conn.getresponse()
                return res.status, res.headers, res.read()
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def post(self, path, payload, error_type=None, then_next=False):
        headers = {"Content-Type": "application/json"}
        if error_type:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        if then_next:
            # Tally's Runtime API then answers with the next event: one round trip per invocation.
            headers["X-Tally-Then-Next"] = "1"
        return self.request("POST", path, payload, headers)


class _Fields:
    """An object with the given fields, each None unless the JSON gave it (Lambda's context sub-objects)."""

    __slots__ = ()

    def __init__(self, values):
        for field in self.__slots__:
            setattr(self, field, values.get(field))

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join("%s=%r" % (f, getattr(self, f)) for f in self.__slots__))


class CognitoIdentity(_Fields):
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")


class Client(_Fields):
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")


class ClientContext(_Fields):
    __slots__ = ("custom", "env", "client")


class LambdaContext:
    """Lambda's context for Python (awslambdaric's lambda_context.py): identity is always an object,
    client_context an object (with .custom, .env, .client) or None."""

    def __init__(self, request_id, headers):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        identity = headers.get("Lambda-Runtime-Cognito-Identity")
        identity = json.loads(identity) if identity else {}
        self.identity = CognitoIdentity(
            {"cognito_identity_id": identity.get("cognitoIdentityId"), "cognito_identity_pool_id": identity.get("cognitoIdentityPoolId")}
        )
        client_context = headers.get("Lambda-Runtime-Client-Context")
        self.client_context = None
        if client_context:
            self.client_context = ClientContext(json.loads(client_context))
            if self.client_context.client is not None:
                self.client_context.client = Client(self.client_context.client)
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, msg):
        sys.stdout.write(str(msg))


# The invocation a log record belongs to, for the root logger's handler below.
_request_id = None


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        return True


class _StdoutHandler(logging.Handler):
    def emit(self, record):
        sys.stdout.write(self.format(record))


def setup_logging():
    """As Lambda's runtime does: a handler on the root logger, so that logger.info(...) is written once
    the function sets the level (without a handler Python drops everything under WARNING)."""
    logging.Formatter.converter = time.gmtime
    handler = _StdoutHandler()
    handler.setFormatter(
        logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S")
    )
    handler.addFilter(_RequestIdFilter())
    logging.getLogger().addHandler(handler)


def _json_default(value):
    # boto3 reads DynamoDB numbers as decimal.Decimal, which Lambda's runtime writes as numbers.
    import decimal

    if isinstance(value, decimal.Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else float(value)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def marshal(result):
    """The response body, as Lambda's runtime makes it: bytes as they are, anything else as JSON."""
    if isinstance(result, (bytes, bytearray)):
        return bytes(result)
    return json.dumps(result, default=_json_default).encode()


def error_payload(exc, error_type=None, request_id=None):
    frames = traceback.extract_tb(exc.__traceback__)
    # The runtime's own frames lead every trace: left out, as Lambda's runtime does.
    while frames and frames[0].filename == __file__:
        frames.pop(0)
    payload = {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_list(frames),
    }
    if request_id is not None:
        payload["requestId"] = request_id
    return payload


def init_error(client, error_type, message):
    payload = {"errorMessage": message, "errorType": error_type, "stackTrace": []}
    print("[ERROR] %s: %s" % (error_type, message), file=sys.stderr)
    try:
        client.post("/init/error", json.dumps(payload).encode(), error_type)
    finally:
        sys.exit(1)


def load_handler(client):
    module_name, _, function_name = HANDLER.rpartition(".")
    if not module_name or not function_name:
        init_error(client, "Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack" % HANDLER)
    module_name = module_name.replace("/", ".")
    sys.path.insert(0, TASK_ROOT)
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        init_error(client, "Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, exc))
    except Exception as exc:  # noqa: BLE001 - any import failure is the user's
        init_error(client, "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, exc))
    handler = getattr(module, function_name, None)
    if not callable(handler):
        init_error(client, "Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return handler


def post_then_next(client, path, payload, error_type=None):
    """Posts an outcome; the answer is the next invocation (or a 202, then /next is asked)."""
    try:
        return client.post(path, payload, error_type, then_next=True)
    except OSError:
        sys.exit(1)  # the executor is gone


def main():
    global _request_id
    client = RuntimeClient(API)
    setup_logging()
    handler = load_handler(client)
    answer = None
    while True:
        try:
            if answer is None or answer[0] != 200:
                answer = client.request("GET", "/invocation/next")
            status, headers, body = answer
            answer = None
        except OSError:
            sys.exit(1)  # the executor is gone
        if status != 200:
            continue
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        _request_id = request_id
        set_trace_id(headers.get("Lambda-Runtime-Trace-Id"))
        try:
            event = json.loads(body) if body else {}
            result = handler(event, LambdaContext(request_id, headers))
        except Exception as exc:  # noqa: BLE001 - reported to the caller as the function's error
            payload = error_payload(exc, request_id=request_id)
            print("[ERROR] %s: %s" % (payload["errorType"], payload["errorMessage"]), file=sys.stderr)
            answer = post_then_next(client, "/invocation/%s/error" % request_id, json.dumps(payload).encode(), payload["errorType"])
            continue
        try:
            response = marshal(result)
        except (TypeError, ValueError) as exc:
            payload = error_payload(exc, "Runtime.MarshalError", request_id)
            payload["errorMessage"] = "Unable to marshal response: %s" % exc
            answer = post_then_next(client, "/invocation/%s/error" % request_id, json.dumps(payload).encode(), "Runtime.MarshalError")
            continue
        answer = post_then_next(client, "/invocation/%s/response" % request_id, response)


if __name__ == "__main__":
    main()
