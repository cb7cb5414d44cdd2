"""The one HTTP client of `kg push` and `kg enrich` (requests, with urllib3's Retry).

Every exchange is bounded:
- a total time limit per request, answer included: urllib3's timeouts count
  per socket operation, so a server that drips one byte a second never trips
  them; here a timer shuts the request's socket down when its time is up;
- a size cap on the answer (default 5 MB), checked while reading; compressed
  answers are not asked for, and refused;
- redirects are not followed: the message names where the server pointed, so
  the user can give that URL (a redirect could take a POST, or credentials,
  to another host or scheme);
- a User-Agent naming the project.

Transient failures (connection errors, HTTP 429 and 5xx, a read that timed out)
are retried with exponential backoff by urllib3's Retry, for the methods the
caller allows, honouring Retry-After up to a minute. Failures come back as
HttpError (exit 2) naming the URL without its query string (kg.urls.display_url).
"""

from __future__ import annotations

import contextvars
import socket
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import requests
import requests.adapters
import urllib3
import urllib3.connection
from urllib3.util.retry import Retry

from kg import __version__
from kg.problems import KgError
from kg.urls import display_url

USER_AGENT = f"peace-talks-kg/{__version__} (https://w3id.org/peace-talks-kg)"
DEFAULT_MAX_BYTES = 5_000_000
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60  # seconds: a Retry-After beyond this is cut to it
CONNECT_TIMEOUT = 10.0  # seconds, within the request's total limit
CHUNK = 64 * 1024


class HttpError(KgError):
    """A request that got no usable answer: `reason` says why, `attempts` how often it was tried."""

    def __init__(self, url: str, reason: str, attempts: int = 1, transient: bool = False):
        self.url, self.reason, self.attempts, self.transient = display_url(url), reason, attempts, transient
        super().__init__(f"{self.url}: {reason}")


@dataclass(frozen=True)
class Answer:
    """A complete answer: status, headers and the whole body (within the size cap)."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def status_line(self) -> str:
        return f"HTTP {self.status} {self.reason}".rstrip()

    @property
    def media_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()


# --------------------------------------------------------------------------
# The total time limit: a timer per attempt that shuts its socket down


class _Watch:
    """The time limit of one request. Each attempt (a retry, the second leg of digest
    authentication) gets the whole limit; at its end the attempt's socket is shut down,
    which ends any read blocked on it at once."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._timer: threading.Timer | None = None
        self._sock: socket.socket | None = None

    def arm(self, connection: urllib3.connection.HTTPConnection) -> None:
        self.cancel()
        self.expired = False
        self._sock = connection.sock  # None until connected: see connected()
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def connected(self, sock: socket.socket) -> None:
        # Kept here because http.client hands a response that ends the connection its socket
        # and forgets it (connection.sock = None) while the body is still being read.
        self._sock = sock

    def _expire(self) -> None:
        self.expired = True
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed already

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


_WATCH: contextvars.ContextVar[_Watch | None] = contextvars.ContextVar("kg_http_watch", default=None)


class _Watched:
    """Arms the request's time limit on the connection and hands it the socket once connected."""

    sock: socket.socket | None

    def request(self, *args, **kwargs):
        if (watch := _WATCH.get()) is not None:
            watch.arm(self)
        return super().request(*args, **kwargs)

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        if (watch := _WATCH.get()) is not None and self.sock is not None:
            watch.connected(self.sock)


class _WatchedHTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _Adapter(requests.adapters.HTTPAdapter):
    """requests' adapter, with pools whose connections are watched by the time limit."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


# --------------------------------------------------------------------------
# The client


class Client:
    """HTTP with the limits above. `retries` and `retry_methods`: which requests urllib3's Retry
    may repeat (only idempotent ones: a SPARQL query by POST is; an update is not)."""

    def __init__(self, *, timeout: float, max_bytes: int = DEFAULT_MAX_BYTES, retries: int = 0,
                 backoff: float = 1.0, retry_methods: Iterable[str] = ("GET", "HEAD"),
                 user_agent: str = USER_AGENT):
        self.timeout, self.max_bytes, self.retries = timeout, max_bytes, retries
        self.session = requests.Session()
        self.session.trust_env = False  # no ~/.netrc credentials, no proxy settings that bypass the limits
        retry = Retry(total=retries, connect=retries, read=retries, status=retries, other=0, redirect=0,
                      status_forcelist=RETRY_STATUS, allowed_methods=frozenset(retry_methods),
                      backoff_factor=backoff, raise_on_status=False, raise_on_redirect=False,
                      respect_retry_after_header=True, retry_after_max=MAX_RETRY_AFTER)
        adapter = _Adapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"User-Agent": user_agent, "Accept-Encoding": "identity"})

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, url: str, *, data: bytes | Mapping | list | None = None,
                headers: Mapping[str, str] | None = None, auth: requests.auth.AuthBase | None = None) -> Answer:
        """The complete answer to one request (any status); HttpError when there is none."""
        watch = _Watch(self.timeout)
        token = _WATCH.set(watch)
        try:
            try:
                response = self.session.request(method, url, data=data, headers=headers, auth=auth, stream=True,
                                                allow_redirects=False,
                                                timeout=(min(CONNECT_TIMEOUT, self.timeout), self.timeout + 1))
                try:
                    return self._answer(response, url, watch)
                finally:
                    response.close()
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as error:
                raise self._failure(error, watch, url) from None
        finally:
            watch.cancel()
            _WATCH.reset(token)

    def _answer(self, response: requests.Response, url: str, watch: _Watch) -> Answer:
        if response.is_redirect or 300 <= response.status_code < 400:
            target = display_url(response.headers.get("Location", "")) or "nowhere"
            raise HttpError(url, f"HTTP {response.status_code}: the server redirects to {target}; redirects "
                                 "are not followed: give that URL if you trust it")
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise HttpError(url, f"the answer is compressed ({encoding}), which was not asked for: refused")
        declared = response.headers.get("Content-Length", "").strip()
        if response.request.method == "HEAD" or response.status_code in (204, 304):
            declared = ""  # no body follows, whatever Content-Length says
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise HttpError(url, self._too_large(f"{int(declared):,} bytes announced"))
        chunks, size = [], 0
        for chunk in response.raw.stream(CHUNK, decode_content=False):
            size += len(chunk)
            if size > self.max_bytes:
                raise HttpError(url, self._too_large(f"more than {self.max_bytes:,} bytes"))
            chunks.append(chunk)
        if watch.expired:  # the socket was shut down at the limit: what came is not the whole answer
            raise HttpError(url, f"no complete answer within {self.timeout:g} s", transient=True)
        if declared.isdigit() and size < int(declared):
            raise HttpError(url, f"the answer ended after {size:,} of {int(declared):,} bytes", transient=True)
        retries = getattr(response.raw, "retries", None)
        attempts = len(retries.history) + 1 if retries is not None else 1
        return Answer(response.status_code, response.reason or "", response.headers, b"".join(chunks), attempts)

    def _too_large(self, what: str) -> str:
        return f"the answer is too large ({what}; the limit is {self.max_bytes / 1e6:g} MB): refused"

    def _failure(self, error: Exception, watch: _Watch, url: str) -> HttpError:
        reason = error.args[0] if isinstance(error, requests.exceptions.RequestException) and error.args else error
        attempts = 1
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            attempts, reason = self.retries + 1, reason.reason
        if isinstance(reason, urllib3.exceptions.NameResolutionError):
            return HttpError(url, "unreachable: cannot resolve the host name", attempts, transient=True)
        if isinstance(reason, urllib3.exceptions.NewConnectionError):  # a subclass of ConnectTimeoutError
            cause = reason.__cause__ or reason.__context__
            if isinstance(cause, ConnectionRefusedError) or "refused" in str(reason).lower():
                return HttpError(url, "connection refused", attempts, transient=True)
            if not isinstance(cause, TimeoutError):
                return HttpError(url, f"unreachable: {_plain(cause or reason)}", attempts, transient=True)
        if watch.expired or isinstance(error, requests.exceptions.Timeout) or \
                isinstance(reason, urllib3.exceptions.TimeoutError):
            return HttpError(url, f"no complete answer within {self.timeout:g} s", attempts, transient=True)
        return HttpError(url, f"connection failed: {_plain(reason)}", attempts, transient=True)


def _plain(error: object) -> str:
    """An exception as a short message, without urllib3's object addresses."""
    text = str(error) or type(error).__name__
    if isinstance(error, OSError) and error.strerror:
        text = error.strerror
    return text.split(": ", 1)[-1] if text.startswith("<") else text
