"""Who is asking and what they may see (rules.md R-SEC: identity comes from a trusted proxy or nowhere).

    TrustedProxy   WSGI middleware: forwarded headers are believed from a configured proxy only
    decide         the Access of one request: who, from where, and the unit whose subtree it may see
    current        the current request's Access (set by dashboards.app before each request)
    bound          the unit whose subtree the current request may see
    unmask_allowed whether the current request may see party names
    Refused        what a request is refused with: a bad parameter (400), a unit outside its scope (403),
                   no access at all (403); each says why in Chinese and English, and each is logged

Without a trusted proxy configured, nobody is named: every request is served the scope the server was
started with and logged by its peer address. With one, the proxy names the user, the access map in
the settings file (access_users, access_groups) gives the user's unit, and a user it does not know,
or a request that did not come through the proxy, gets nothing.
"""

from __future__ import annotations

import getpass
import ipaddress
import logging
from dataclasses import dataclass

import flask
from werkzeug.middleware.proxy_fix import ProxyFix

from core.output import one_line
from core.settings import Settings

from .labels import t

log = logging.getLogger("recwatch.access")

ALL = "*"  # in the access map and --scope: every unit

# WSGI environ keys this module sets: the trusted proxy's address (absent when the peer is not
# one) and the groups it names; the user it names is REMOTE_USER, the WSGI way
PROXY_KEY = "recwatch.proxy"
GROUPS_KEY = "recwatch.groups"


# --- refusals --------------------------------------------------------------------------------

class Refused(Exception):
    """A request the dashboard will not answer as asked: `status` for HTTP, and why in both languages."""

    status = 400

    def __init__(self, key: str, **args: str) -> None:
        super().__init__(key)
        self.key, self.fields = key, args

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.fields)

    def both(self) -> str:
        return f"{self.message('zh')}\n{self.message('en')}"


def _shown(value) -> str:
    """A value as a refusal repeats it: short, on one line."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class BadParameter(Refused):
    status = 400

    def __init__(self, name: str, value) -> None:
        super().__init__("bad_parameter", name=name, value=_shown(value))


MAX_PAGE = 1_000  # rows a table's page may ask for: more is what the downloads are for


def check_paging(page_current, page_size) -> None:
    """A table page's number and size as DataTable sends them, refused unless whole numbers in range."""
    for name, value, low, high in (("page_current", page_current, 0, 10**9), ("page_size", page_size, 1, MAX_PAGE)):
        if not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
            raise BadParameter(name, value)


class OutOfScope(Refused):
    """A unit the requester may not see. An unknown unit is refused in the same words, so that
    refusals do not tell which unit ids exist elsewhere."""

    status = 403

    def __init__(self, unit) -> None:
        super().__init__("out_of_scope", unit=_shown(unit))


class NoAccess(Refused):
    status = 403


class TooSlow(Refused):
    """A query that ran past dashboard_query_timeout and was stopped."""

    status = 503

    def __init__(self, seconds: float) -> None:
        super().__init__("query_timeout", seconds=f"{seconds:g}")


def log_refusal(refused: Refused, what: str) -> None:
    """One line for each refusal: who, what was asked, and why (rules.md R-SEC's audit line)."""
    log.warning("refused %s: %s: %s", who(), one_line(what), one_line(refused.message("en")))


# --- the trusted proxy -----------------------------------------------------------------------

# Headers that say where a request came from, which only a proxy may set. X-Forwarded-Host and
# -Prefix are not believed even from the proxy: the app builds no absolute URLs, and a prefix
# would need Dash's own settings.
_FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT",
              "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _environ_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def _text(value: str) -> str:
    """A header value as text: WSGI hands headers over as Latin-1, and a proxy sends a Chinese
    user name as UTF-8."""
    try:
        return value.encode("latin-1").decode("utf-8").strip()
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value.strip()


class TrustedProxy:
    """WSGI middleware in front of the app. From a peer whose address is among `proxies`, Werkzeug's
    ProxyFix takes the client's address and scheme from the last X-Forwarded-For / -Proto (what that
    one proxy appended: whatever the client sent before it is not believed), and the user and groups
    the proxy names become REMOTE_USER and recwatch.groups. From any other peer, the forwarded headers
    and the user headers are removed before the app sees the request, so nothing can read them by
    mistake; a REMOTE_USER the server set is removed too, since only the proxy names users here."""

    def __init__(self, app, proxies: tuple[str, ...], user_header: str, groups_header: str) -> None:
        self.app, self.fixed = app, ProxyFix(app, x_for=1, x_proto=1)
        try:
            self.networks = tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies)
        except ValueError as exc:
            raise ValueError(f"trusted_proxies: {exc}") from None
        self.user_key, self.groups_key = _environ_key(user_header), _environ_key(groups_header)

    def trusts(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped:  # a dual-stack socket's IPv4 client
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR") or ""
        user, groups = environ.pop(self.user_key, ""), environ.pop(self.groups_key, "")
        environ.pop("REMOTE_USER", None)
        environ.pop(PROXY_KEY, None)
        environ.pop(GROUPS_KEY, None)
        if not self.trusts(peer):
            for key in _FORWARDED:
                environ.pop(key, None)
            return self.app(environ, start_response)
        environ[PROXY_KEY] = peer
        if _text(user):
            environ["REMOTE_USER"] = _text(user)
        environ[GROUPS_KEY] = tuple(g for g in (_text(g) for g in groups.split(",")) if g)
        return self.fixed(environ, start_response)


# --- what a request may see ------------------------------------------------------------------

@dataclass(frozen=True)
class Access:
    """One request's identity and scope. `user` is named by a trusted proxy or is None; `peer` is
    the client's address (as the trusted proxy gives it, else the connection's); `unit` is the root
    of the subtree it may see, None for every unit."""

    user: str | None
    peer: str
    unit: str | None

    def who(self) -> str:
        if self.user:
            return one_line(f"{self.user}@{self.peer}")
        return f"(server account {getpass.getuser()})@{one_line(self.peer)}"


def mapped_unit(user: str, groups: tuple[str, ...], settings: Settings) -> str | None:
    """The unit the access map gives a user ("*" for every unit), or None when it gives none: the
    user's own entry, else the one unit all of the user's mapped groups lead to."""
    if user in settings.access_users:
        return settings.access_users[user]
    units = {settings.access_groups[g] for g in groups if g in settings.access_groups}
    return units.pop() if len(units) == 1 else None


def within(unit: str, root: str | None, parents: dict[str, str | None]) -> bool:
    """Whether `unit` is `root` or below it (root None: every known unit)."""
    seen: set[str] = set()
    while unit in parents and unit not in seen:
        if root is None or unit == root:
            return True
        seen.add(unit)
        unit = parents[unit]
    return False


def decide(environ: dict, settings: Settings, server_scope: str | None,
           parents: dict[str, str | None]) -> Access:
    """The Access of the request `environ` (after TrustedProxy), or NoAccess. `server_scope` is the
    unit the server was started for (None: every unit): no user sees beyond it. `parents` is the
    unit tree, unit id -> parent id."""
    peer = environ.get("REMOTE_ADDR") or "-"
    if not settings.trusted_proxies:
        return Access(None, peer, server_scope)
    user = environ.get("REMOTE_USER")
    if environ.get(PROXY_KEY) is None:
        raise NoAccess("not_via_proxy", peer=peer)
    if not user:
        raise NoAccess("no_proxy_user", peer=peer)
    unit = mapped_unit(user, environ.get(GROUPS_KEY, ()), settings)
    if unit is None:
        raise NoAccess("unknown_user", user=user)
    unit = None if unit == ALL else unit
    if unit is not None and unit not in parents:
        raise NoAccess("unknown_mapped_unit", user=user, unit=unit)
    met, root = meet(unit, server_scope, parents)
    if not met:
        raise NoAccess("outside_server_scope", user=user, unit=unit or ALL)
    return Access(user, peer, root)


def meet(a: str | None, b: str | None, parents: dict[str, str | None]) -> tuple[bool, str | None]:
    """Where the subtrees under units a and b (None: the whole tree) overlap: (True, the deeper of
    the two), as two subtrees of a tree meet in one of their roots or not at all (False, None)."""
    if a is None or b is None:
        return True, b if a is None else a
    if within(a, b, parents):
        return True, a
    if within(b, a, parents):
        return True, b
    return False, None


def current() -> Access | None:
    """The current request's Access; None outside a request (the CLI and tests calling the data
    layer directly see every unit). A request dashboards.app did not admit is refused: nothing is
    served to a request whose scope was never decided."""
    if not flask.has_request_context():
        return None
    access = flask.g.get("recwatch_access")
    if access is None:
        raise NoAccess("not_admitted", peer=flask.request.remote_addr or "-")
    return access


def bound() -> str | None:
    """The unit whose subtree the current request may see (None: every unit)."""
    access = current()
    return access.unit if access is not None else None


def unmask_allowed(filters: dict | None) -> bool:
    """Whether the current request may see party names: the user asked (the filters' switch) and the
    server was started with --allow-unmask. The switch alone is browser state and proves nothing."""
    return bool((filters or {}).get("unmask")) and bool(flask.current_app.config.get("RECWATCH_ALLOW_UNMASK"))


def who() -> str:
    """Who is asking, for the logs: the request's Access, or before one was decided, the user a
    trusted proxy named (if any) and the address."""
    if not flask.has_request_context():
        return f"(server account {getpass.getuser()})"
    access = flask.g.get("recwatch_access")
    if access is not None:
        return access.who()
    environ = flask.request.environ
    return Access(environ.get("REMOTE_USER"), environ.get("REMOTE_ADDR") or "-", None).who()
