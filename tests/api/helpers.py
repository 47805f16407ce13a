"""Shared helpers of the black-box API tests (imported by conftest and tests).

Requests go through http.client (or a raw socket) rather than `requests`, so
that the request target reaches the server byte for byte (`requests` rewrites
`%zz` into `%25zz`) and no Accept-Encoding is sent unless a test asks for it.
"""

import gzip
import http.client
import json
import re
import socket
import threading
import unicodedata
import urllib.parse

JSON_CT = "application/json;charset=utf-8"
PROBLEM_CT = "application/problem+json"

# Problem types of docs/api-choices.md.
PROBLEM_TYPES = {
    "invalid-parameter": "/problems/invalid-parameter",
    "unknown-parameter": "/problems/unknown-parameter",
    "duplicate-parameter": "/problems/duplicate-parameter",
    "malformed-request": "/problems/malformed-request",
    "invalid-cursor": "/problems/invalid-cursor",
    "cursor-expired": "/problems/cursor-expired",
    "not-found": "/problems/not-found",
    "method-not-allowed": "/problems/method-not-allowed",
    "not-ready": "/problems/not-ready",
    "uri-too-long": "/problems/uri-too-long",
    "headers-too-large": "/problems/headers-too-large",
}


class Resp:
    """A response: status, lower-cased headers (repeated ones joined), raw body."""

    def __init__(self, status, reason, header_list, body, target=None, method="GET"):
        self.status = status
        self.reason = reason
        self.header_list = header_list
        self.body = body
        self.target = target
        self.method = method
        headers = {}
        for name, value in header_list:
            name = name.lower()
            headers[name] = value if name not in headers else headers[name] + ", " + value
        self.headers = headers

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self):
        return self.body.decode("utf-8")

    def header_items(self, name):
        """The comma-separated items of a header, stripped, as a list."""
        value = self.headers.get(name.lower())
        if value is None:
            return []
        return [item.strip() for item in value.split(",") if item.strip()]

    def __repr__(self):
        body = self.body[:400]
        return f"<Resp {self.method} {self.target!r} -> {self.status} {self.headers!r} {body!r}>"


def request(host, port, target, method="GET", headers=None, body=None, timeout=15):
    """One request on a new connection; the target is sent as given."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return Resp(resp.status, resp.reason, resp.getheaders(), data, target, method)
    finally:
        conn.close()


def raw_get(server, target, extra_headers=b"", timeout=15):
    """GET target over a raw socket (the target sent as given, extra header
    lines as bytes), Connection: close; fails on a dropped connection."""
    data = (b"GET " + target.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1:" + str(server.port).encode()
            + b"\r\n" + extra_headers + b"Connection: close\r\n\r\n")
    return raw_request(server.port, data, timeout=timeout)


def raw_request(port, data, timeout=15, host="127.0.0.1"):
    """Sends raw bytes while reading the answer (so a server that answers
    before reading everything is seen answering). Returns a Resp; fails if the
    connection is dropped before a full status line and headers arrive."""
    sock = socket.create_connection((host, port), timeout=timeout)
    errors = []

    def sender():
        try:
            sock.sendall(data)
        except OSError as exc:  # the server may stop reading once it answered
            errors.append(exc)

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    buf = b""
    try:
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            buf += chunk
            head, sep, rest = buf.partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
                if m and len(rest) >= int(m.group(1)):
                    break
    finally:
        sock.close()
    head, sep, rest = buf.partition(b"\r\n\r\n")
    assert sep, f"connection dropped without a complete response (got {buf[:200]!r}; send errors {errors})"
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3}) ?(.*)", lines[0])
    assert m, f"bad status line {lines[0]!r}"
    header_list = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        header_list.append((name.strip(), value.strip()))
    return Resp(int(m.group(1)), m.group(2), header_list, rest, target="<raw>", method="RAW")


def fold(s):
    """Case- and accent-folded form, for comparisons."""
    s = unicodedata.normalize("NFD", s.casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.replace("\u2019", "'").replace("œ", "oe")


def collapse(s):
    """Runs of white space as one space, trimmed."""
    return " ".join(s.split())


WORD_RE = re.compile(r"[^\W_]+")


def word_count(s):
    return len(WORD_RE.findall(s))


def date_precision(date):
    if date is None:
        return None
    return {4: "year", 7: "month", 10: "day"}[len(date)]


def first_day(date):
    """'2020-06' -> '2020-06-01'; None stays None."""
    if date is None:
        return None
    if len(date) == 4:
        return date + "-01-01"
    if len(date) == 7:
        return date + "-01"
    return date


def parse_link_next(value):
    """The URL of rel="next" in a Link header, or None."""
    if not value:
        return None
    for m in re.finditer(r'<([^>]*)>\s*((?:;\s*[^;,]+)*)', value):
        params = m.group(2)
        if re.search(r'(?i)rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?', params):
            return m.group(1)
    return None


def query_of(url):
    """The query parameters of a URL as a dict of lists."""
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, keep_blank_values=True)


def gunzip(data):
    return gzip.decompress(data)


def is_json_ct(value):
    return value is not None and value.replace(" ", "").lower() == JSON_CT


def assert_problem(resp, status, kind=None, detail_has=(), instance=None):
    """Checks an RFC 9457 problem answer (see docs/api-choices.md)."""
    assert resp.status == status, resp
    ct = resp.headers.get("content-type", "")
    assert ct.lower().startswith(PROBLEM_CT), resp
    assert "no-store" in resp.headers.get("cache-control", ""), resp
    assert "etag" not in resp.headers, resp
    if resp.method == "HEAD":
        assert resp.body == b""
        return None
    body = resp.json()
    assert body.get("status") == status, body
    if kind is not None:
        assert body.get("type") == PROBLEM_TYPES[kind], body
    else:
        assert isinstance(body.get("type"), str) and body["type"].startswith("/problems/"), body
    assert isinstance(body.get("title"), str) and body["title"], body
    assert isinstance(body.get("detail"), str) and body["detail"], body
    assert isinstance(body.get("instance"), str) and body["instance"].startswith("/"), body
    for part in detail_has:
        assert part in body["detail"], (part, body)
    if instance is not None:
        assert body["instance"] == instance, body
    return body
