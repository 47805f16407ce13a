"""A small HTTP/1.1 client on raw sockets for the robustness tests: requests
are sent byte for byte (any method, target, header or invalid byte), several
may be pipelined in one write, and responses are read back in order with
their framing checked (Content-Length or chunked; no body for HEAD, 204,
304)."""

import json
import re
import socket
import threading
import time

STATUS_RE = re.compile(rb"^HTTP/1\.([01]) (\d{3})(?: (.*))?$")


class Closed(Exception):
    """The server closed (or reset) the connection before a full response."""

    def __init__(self, msg, partial=b""):
        super().__init__(msg)
        self.partial = partial


class Response:
    def __init__(self, status, version, headers, body):
        self.status = status
        self.version = version
        self.header_list = headers
        self.headers = {}
        for k, v in headers:
            k = k.lower()
            self.headers[k] = v if k not in self.headers else self.headers[k] + ", " + v
        self.body = body

    @property
    def closes(self):
        conn = self.headers.get("connection", "").lower()
        return "close" in conn or (self.version == 0 and "keep-alive" not in conn)

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def is_json(self):
        ct = self.headers.get("content-type", "")
        return "json" in ct

    def __repr__(self):
        return f"<Response {self.status} {self.headers!r} {self.body[:300]!r}>"


class Conn:
    def __init__(self, port, host="127.0.0.1", timeout=10.0, source=None, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if source:
            self.sock.bind((source, 0))
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.buf = b""
        self.eof = False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        if self.eof:
            return False
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def _read_until(self, sep):
        while sep not in self.buf:
            if not self._fill():
                raise Closed(f"closed before {sep!r}", self.buf)
        head, _, self.buf = self.buf.partition(sep)
        return head

    def _read_exact(self, n):
        while len(self.buf) < n:
            if not self._fill():
                raise Closed(f"closed after {len(self.buf)} of {n} body bytes", self.buf)
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response(self, method="GET"):
        """The next response; raises Closed when the connection ends first."""
        while True:
            head = self._read_until(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            m = STATUS_RE.match(lines[0])
            if not m:
                raise AssertionError(f"bad status line {lines[0][:200]!r}")
            status = int(m.group(2))
            headers = []
            for line in lines[1:]:
                name, sep, value = line.partition(b":")
                assert sep, f"bad header line {line!r}"
                headers.append((name.strip().decode("latin-1"), value.strip().decode("latin-1")))
            resp = Response(status, int(m.group(1)), headers, b"")
            if 100 <= status < 200:
                continue  # 100 Continue: the real answer follows
            break
        if method == "HEAD" or status in (204, 304):
            return resp
        te = resp.headers.get("transfer-encoding", "").lower()
        if "chunked" in te:
            body = b""
            while True:
                size_line = self._read_until(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                if size == 0:
                    self._read_until(b"\r\n")  # no trailers expected
                    break
                body += self._read_exact(size)
                self._read_exact(2)
            resp.body = body
        elif "content-length" in resp.headers:
            resp.body = self._read_exact(int(resp.headers["content-length"]))
        else:
            while self._fill():
                pass
            resp.body, self.buf = self.buf, b""
        return resp

    def at_eof(self, wait=0.0):
        """True when the server has closed the connection (within wait s)."""
        old = self.sock.gettimeout()
        self.sock.settimeout(max(wait, 0.001))
        try:
            return not self._fill()
        except (socket.timeout, BlockingIOError):
            return False
        finally:
            self.sock.settimeout(old)


def request_bytes(method, target, host="127.0.0.1", headers=(), version="HTTP/1.1", body=None):
    """A request as bytes; target, method and header values may be bytes."""
    def b(x):
        return x if isinstance(x, bytes) else x.encode("utf-8")
    out = b(method) + b" " + b(target) + b" " + b(version) + b"\r\n"
    if host is not None:
        out += b"Host: " + b(host) + b"\r\n"
    for k, v in headers:
        out += b(k) + b": " + b(v) + b"\r\n"
    if body is not None:
        out += b"Content-Length: " + str(len(body)).encode() + b"\r\n"
    out += b"\r\n"
    if body is not None:
        out += body
    return out


def get(port, target, headers=(), timeout=10.0, method="GET"):
    """One request on a new connection (Connection: close)."""
    with Conn(port, timeout=timeout) as c:
        c.send(request_bytes(method, target, headers=list(headers) + [("Connection", "close")]))
        return c.read_response(method)


def timed_get(port, target, timeout=10.0):
    t = time.monotonic()
    r = get(port, target, timeout=timeout)
    return r, time.monotonic() - t


def sanitize_target(raw):
    """What the server puts in a problem's "instance": vb_target_sanitize
    (query.c): bytes outside 0x21-0x7E, '"', '\\' and a '%' not followed by
    two hex digits become %XX."""
    out = []
    hexd = b"0123456789abcdefABCDEF"
    for i, c in enumerate(raw):
        ok_escape = c == 0x25 and i + 2 < len(raw) and raw[i + 1] in hexd and raw[i + 2] in hexd
        if 0x20 < c < 0x7F and c not in (0x22, 0x5C) and (c != 0x25 or ok_escape):
            out.append(chr(c))
        else:
            out.append("%%%02X" % c)
    return "".join(out)


def exchange(port, data, timeout=10.0, method="GET", host="127.0.0.1"):
    """Sends data on a new connection while reading the answer (the server
    may answer before it has read everything: 414, 431). Returns the first
    Response, or None when the connection ends without one."""
    c = Conn(port, host=host, timeout=timeout)

    def sender():
        try:
            c.sock.sendall(data)
        except OSError:
            pass

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    try:
        return c.read_response(method)
    except Closed:
        return None
    finally:
        c.close()
        t.join(timeout)
