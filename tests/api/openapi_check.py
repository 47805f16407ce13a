"""Every response of the black-box API tests, checked against docs/openapi.json.

conftest.py calls install(helpers) before anything else imports from helpers:
helpers.request and helpers.raw_request are then wrapped so that every
exchange with verbatimd is checked against the OpenAPI operation that matches
its method and path, and a mismatch fails the test that made the request
(an AssertionError naming the request, the operation and what differs).

What is checked, for each response:
- the status is documented for the operation (methods other than GET, HEAD
  and OPTIONS: the root `x-method-not-allowed` response for 405);
- each documented header that is required is present, and each documented
  header that is present has a value its schema accepts;
- the Content-Type is one documented for that status (HEAD: one the GET
  would send), and a response documented without content has no body;
- the body (gunzipped when Content-Encoding: gzip) validates against the
  schema of its media type: JSON and problem+json with JSON Schema Draft
  2020-12 ($ref resolved in the document, formats date-time, date, uri and
  uri-reference asserted; the Problem schema ties each `type` to its
  `status` and `title`), and a problem's `status` is the HTTP status; text
  must be UTF-8; the Prometheus text of /metrics must only hold families
  documented under the response's `x-metrics`, of the documented type,
  labels and label values; HEAD, 204 and 304 answers have no body;
- a response without Content-Type only where the document says so
  (`x-no-content-type`: libmicrohttpd's own 414 and 431).
A target that matches no path of the document may only answer a problem
(400, 404, 405, 414, 431) or, to OPTIONS, the preflight's 204. A raw request
that is no well-formed HTTP/1.x request (garbage, another version, a broken
header line) never reaches the API: libmicrohttpd answers it, unchecked.

VERBATIM_OPENAPI_CHECK=off turns the checks off (to tell a server bug from a
checker bug), =log only logs; VERBATIM_OPENAPI_LOG=FILE appends one JSON line
per exchange (with its problems).
"""

import datetime
import gzip
import json
import os
import re
import threading
from pathlib import Path

try:
    from jsonschema import Draft202012Validator, FormatChecker, RefResolver
except ImportError as exc:  # pragma: no cover - said once, clearly
    raise ImportError("tests/api needs python3-jsonschema (>= 4, Draft 2020-12): "
                      "apt-get install python3-jsonschema") from exc

REPO = Path(__file__).resolve().parents[2]
DOC_PATH = REPO / "docs" / "openapi.json"
DOC = json.loads(DOC_PATH.read_text(encoding="utf-8"))
MODE = os.environ.get("VERBATIM_OPENAPI_CHECK", "on").lower()
ENABLED = MODE not in ("0", "off", "no", "false")
RAISE = MODE != "log"  # log: only VERBATIM_OPENAPI_LOG, no failure
LOG = os.environ.get("VERBATIM_OPENAPI_LOG")

_lock = threading.Lock()
_check_lock = threading.Lock()
stats = {"checked": 0, "unchecked": 0}


class OpenApiMismatch(AssertionError):
    pass


# ---------------------------------------------------------------- formats

FORMATS = FormatChecker(formats=())

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value):
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


@FORMATS.checks("date", raises=ValueError)
def _is_date(value):
    if not isinstance(value, str):
        return True
    return re.match(r"^\d{4}-\d{2}-\d{2}$", value) and datetime.date.fromisoformat(value)


@FORMATS.checks("uri-reference")
def _is_uri_reference(value):
    """RFC 3986 characters only, every % an escape."""
    if not isinstance(value, str):
        return True
    return bool(_URI_CHARS.match(value)) and not _BAD_ESCAPE.search(value)


@FORMATS.checks("uri")
def _is_uri(value):
    if not isinstance(value, str):
        return True
    return _is_uri_reference(value) and bool(re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", value))


# ---------------------------------------------------------------- the document

_RESOLVER = RefResolver.from_schema(DOC, id_of=lambda _schema: "")
_validators = {}


def _deref(obj):
    """Follows local $refs ("#/components/...") to the object they name."""
    seen = 0
    while isinstance(obj, dict) and "$ref" in obj:
        ref = obj["$ref"]
        assert ref.startswith("#/"), ref
        obj = DOC
        for part in ref[2:].split("/"):
            obj = obj[part.replace("~1", "/").replace("~0", "~")]
        seen += 1
        assert seen < 20, "a $ref loop"
    return obj


def _validator(schema):
    key = id(schema)
    v = _validators.get(key)
    if v is None:
        v = Draft202012Validator(schema, resolver=_RESOLVER, format_checker=FORMATS)
        _validators[key] = (v, schema)  # keep schema alive: its id stays its own
        return v
    return v[0]


def _errors(schema, value):
    v = _validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
            for e in sorted(v.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))[:5]]


def _template_regex(template):
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts if p) + "$")


# Concrete paths first (OpenAPI: they match before templated ones), then
# templates with fewer parameters.
ROUTES = sorted(((t.count("{"), t, _template_regex(t), item) for t, item in DOC["paths"].items()),
                key=lambda r: (r[0], r[1]))


def route_of(path):
    for _, template, regex, item in ROUTES:
        if regex.match(path):
            return template, item
    return None, None


def _path_of(target):
    """The path of a request target (origin or absolute form)."""
    if target.startswith(("http://", "https://")):
        rest = target.split("://", 1)[1]
        slash = rest.find("/")
        target = rest[slash:] if slash >= 0 else "/"
    return target.split("?", 1)[0].split("#", 1)[0]


def _media(value):
    """'Text/Plain; version=0.0.4; charset=UTF-8' -> ('text/plain', {'version': '0.0.4', 'charset': 'utf-8'})."""
    parts = [p.strip() for p in value.split(";")]
    params = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        if k:
            params[k.strip().lower()] = v.strip().strip('"').lower()
    return parts[0].lower(), params


def _media_matches(documented, actual):
    dtype, dparams = _media(documented)
    atype, aparams = _media(actual)
    if dtype != atype:
        if dtype == "*/*" or (dtype.endswith("/*") and atype.startswith(dtype[:-1])):
            pass
        else:
            return False
    return all(aparams.get(k) == v for k, v in dparams.items())


def _is_json(media_type):
    t = _media(media_type)[0]
    return t == "application/json" or t.endswith("+json")


# ---------------------------------------------------------------- Prometheus text

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$')
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


def check_metrics(text, documented):
    """Problems of a Prometheus text exposition against documented families
    [{"name", "type", "labels": [...], "label_values": {label: [...]}}]."""
    problems = []
    families = {m["name"]: m for m in documented}
    types = {}
    for n, line in enumerate(text.split("\n"), 1):
        if not line or line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
            fam = families.get(name)
            if fam is None:
                problems.append(f"metric family {name} ({kind}) is not documented")
            elif fam["type"] != kind:
                problems.append(f"metric {name} is a {kind}, documented as a {fam['type']}")
            continue
        if line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            problems.append(f"line {n} is no Prometheus sample: {line[:120]!r}")
            continue
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        try:
            float(value)
        except ValueError:
            problems.append(f"line {n}: value {value!r} is no number")
        base, extra = name, set()
        for suffix, kinds, more in (("_bucket", ("histogram",), {"le"}), ("_sum", ("histogram", "summary"), set()),
                                    ("_count", ("histogram", "summary"), set())):
            stem = name[: -len(suffix)]
            if name.endswith(suffix) and types.get(stem) in kinds:
                base, extra = stem, more
                break
        if types.get(base) == "summary" and base == name:
            extra = {"quantile"}
        fam = families.get(base)
        if base not in types:
            problems.append(f"line {n}: sample {name} has no # TYPE line")
        if fam is None:
            continue
        pairs = [(lm.group(1), lm.group(2)) for lm in _LABEL.finditer(labels)]
        if {k for k, _ in pairs} != set(fam.get("labels", [])) | extra:
            problems.append(f"line {n}: {name} has labels {sorted(k for k, _ in pairs)}, documented "
                            f"{sorted(set(fam.get('labels', [])) | extra)}")
        for k, v in pairs:
            allowed = fam.get("label_values", {}).get(k)
            if allowed is not None and v not in allowed:
                problems.append(f"line {n}: {name} label {k}={v!r} is not one of the documented {allowed}")
    return problems


# ---------------------------------------------------------------- one exchange

def _header_value(schema, value):
    schema = _deref(schema)
    if schema.get("type") == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _check_headers(response, headers, problems):
    for name, header in (response.get("headers") or {}).items():
        header = _deref(header)
        value = headers.get(name.lower())
        if value is None:
            if header.get("required"):
                problems.append(f"required header {name} is missing")
            continue
        if "schema" in header:
            for e in _errors(header["schema"], _header_value(header["schema"], value)):
                problems.append(f"header {name}: {value!r}: {e}")


def _check_body(method, status, response, content, headers, body, problems, get_response=None):
    ctype = headers.get("content-type")
    if method == "HEAD" or status in (204, 304):
        if body:
            problems.append(f"{method} {status} has a body ({len(body)} bytes)")
        content = (get_response or {}).get("content") if method == "HEAD" else None
        if content and ctype and not any(_media_matches(k, ctype) for k in content):
            problems.append(f"Content-Type {ctype!r} is not one the GET documents: {sorted(content)}")
        return
    if not content:
        if body:
            problems.append(f"a body ({len(body)} bytes, {ctype}) where none is documented")
        return
    if ctype is None:
        # Only where the document says the body comes without one
        # (libmicrohttpd's own 414 and 431).
        media = next((k for k, v in content.items() if v.get("x-no-content-type")), None)
        if media is None:
            problems.append("no Content-Type")
            return
    else:
        media = next((k for k in content if _media_matches(k, ctype)), None)
    if media is None:
        problems.append(f"Content-Type {ctype!r} is not documented: {sorted(content)}")
        return
    if headers.get("content-encoding", "").lower() == "gzip":
        try:
            body = gzip.decompress(body)
        except OSError as exc:
            problems.append(f"Content-Encoding: gzip but the body does not gunzip: {exc}")
            return
    spec = content[media]
    schema = spec.get("schema")
    if _is_json(media):
        try:
            value = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            problems.append(f"body is not UTF-8 JSON: {exc}")
            return
        if schema is not None:
            problems.extend(f"body {e}" for e in _errors(schema, value))
        if _media(media)[0] == "application/problem+json" and isinstance(value, dict) \
                and value.get("status") != status:
            problems.append(f"problem status {value.get('status')!r} is not the HTTP status {status}")
        return
    if _media(media)[0].startswith("text/") or _media(ctype or "")[1].get("charset") == "utf-8":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"body is not UTF-8: {exc}")
            return
        if schema is not None and _deref(schema).get("type") == "string":
            problems.extend(f"body {e}" for e in _errors(schema, text))
        if "x-metrics" in spec:
            problems.extend(check_metrics(text, spec["x-metrics"]))


def check(method, target, status, headers, body):
    """Problems (a list of strings) of one exchange; headers: lower-cased names."""
    problems = []
    method = method.upper()
    path = _path_of(target)
    template, item = route_of(path)
    op = get_op = None
    if item is not None:
        op = item.get(method.lower())
        get_op = item.get("get")
    where = f"{method} {template}" if template else f"{method} (no path of the document)"
    if op is None and method not in ("GET", "HEAD", "OPTIONS"):
        # Every path, and every target, answers other methods alike; the
        # request's own faults (Host, sizes) are found before its method.
        if status == 405:
            response = DOC["x-method-not-allowed"]
            where += " x-method-not-allowed"
        else:
            response = None
            if get_op is not None and status in (400, 414, 431):
                response = get_op["responses"].get(str(status))
            if response is None:
                return [f"{where}: status {status} is not documented (x-method-not-allowed: 405)"], where
        responses = {str(status): response}
    elif op is None:
        # A target that is no path of the document: a problem only.
        if status not in (400, 404, 405, 414, 431) and not (method == "OPTIONS" and status == 204):
            return [f"{where}: status {status} for a target that matches no documented path"], where
        any_op = DOC["paths"]["/v1/articles/{id}"][method.lower()]
        responses = any_op["responses"]
        get_op = DOC["paths"]["/v1/articles/{id}"]["get"]
    else:
        responses = op["responses"]
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    if response is None:
        return [f"{where}: status {status} is not documented ({', '.join(sorted(responses))})"], where
    response = _deref(response)
    get_response = None
    if method == "HEAD" and get_op is not None:
        g = get_op["responses"].get(str(status))
        get_response = _deref(g) if g is not None else None
    _check_headers(response, headers, problems)
    _check_body(method, status, response, response.get("content"), headers, body, problems, get_response)
    return [f"{where} -> {status}: {p}" for p in problems], where


def _note(method, target, status, headers, body, problems, where):
    with _lock:
        stats["checked"] += 1
        if LOG:
            with open(LOG, "a", encoding="utf-8") as f:
                f.write(json.dumps({"method": method, "target": target[:200], "status": status,
                                    "operation": where, "content_type": headers.get("content-type"),
                                    "problems": problems}) + "\n")


def check_exchange(method, target, status, headers, body):
    """Checks one exchange; raises OpenApiMismatch. headers: dict (any case) or list of pairs."""
    if not ENABLED:
        return
    if isinstance(headers, dict):
        pairs = headers.items()
    else:
        pairs = headers
    joined = {}
    for k, v in pairs:
        k = k.lower()
        joined[k] = v if k not in joined else joined[k] + ", " + v
    with _check_lock:  # RefResolver keeps a scope stack: one validation at a time
        problems, where = check(method, target, status, joined, body)
    _note(method, target, status, joined, body, problems, where)
    if problems and RAISE:
        shown = target if len(target) <= 200 else target[:200] + f"... ({len(target)} characters)"
        raise OpenApiMismatch(f"response does not match docs/openapi.json: {method} {shown} -> {status}\n  "
                              + "\n  ".join(problems) + f"\n  headers: {joined}\n  body: {body[:300]!r}")


_REQUEST_LINE = re.compile(rb"^([A-Z]+) (\S+) HTTP/1\.[01]\r?$")


def check_raw(data, resp):
    """A raw request: checked when its head is a well-formed HTTP/1.x request
    (a request line, then header lines), else (garbage, another HTTP version,
    a broken header line) it never reached the API and is left to
    libmicrohttpd."""
    head = data.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    m = _REQUEST_LINE.match(lines[0])
    if not m or not all(re.match(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:", line) for line in lines[1:]):
        with _lock:
            stats["unchecked"] += 1
        return
    check_exchange(m.group(1).decode(), m.group(2).decode("latin-1"), resp.status, resp.header_list, resp.body)


def install(helpers):
    """Wraps helpers.request and helpers.raw_request (call before any
    `from helpers import request`)."""
    if getattr(helpers, "_openapi_checked", False):
        return
    plain_request, plain_raw = helpers.request, helpers.raw_request

    def request(host, port, target, method="GET", headers=None, body=None, timeout=15):
        resp = plain_request(host, port, target, method=method, headers=headers, body=body, timeout=timeout)
        check_exchange(method, target, resp.status, resp.header_list, resp.body)
        return resp

    def raw_request(port, data, timeout=15, host="127.0.0.1"):
        resp = plain_raw(port, data, timeout=timeout, host=host)
        check_raw(data, resp)
        return resp

    request.__doc__, raw_request.__doc__ = plain_request.__doc__, plain_raw.__doc__
    helpers.request, helpers.raw_request = request, raw_request
    helpers._openapi_checked = True
