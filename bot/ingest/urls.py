"""Canonical URLs, outlet names, and telling a CLI argument's kind (file or URL) apart.

One article is often reachable under many URLs (campaign parameters, default ports, fragments).
Dedup compares canonical URLs, so every URL is canonicalised before it is looked up or stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from bot.errors import UserInputError

# Query parameters that only say where a click came from; they never select content.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "ocid",
        "_ga",
        "_gl",
        "yclid",
        "spm",
        "scm",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mkt_tok",
        "s_cid",
        "icid",
        "ncid",
        "smid",
        "sr_share",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "__twitter_impression",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "vero_conv",
        "vero_id",
        "wt_mc",
        "wt.mc_id",
    }
)
# Whole families: Google Analytics, AT Internet, Piwik/Matomo, HubSpot.
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_", "_hs")
_DEFAULT_PORTS = {"http": 80, "https": 443}

SourceArgKind = Literal["file", "url"]


def _is_tracking(key: str) -> bool:
    name = unquote_plus(key).strip().lower()
    return name in _TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The form of `url` that dedup compares: lower-case scheme and host, no default port,
    no fragment, no tracking parameters, remaining parameters sorted.

    Parameters are compared and kept in their original percent-encoding so that a URL that is
    already canonical comes back unchanged. Raises ValueError for a URL that cannot be parsed.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")  # urlsplit lower-cases it; "a.com." is "a.com"
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port  # ValueError for a malformed port
    netloc = host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if parts.username is not None:
        # Keep credentials as given: they are part of how the user reaches the resource.
        userinfo = parts.netloc.rsplit("@", 1)[0]
        netloc = f"{userinfo}@{netloc}"
    path = parts.path
    if not path and scheme in _DEFAULT_PORTS:
        path = "/"
    pairs = [p for p in parts.query.split("&") if p and not _is_tracking(p.split("=", 1)[0])]
    query = "&".join(sorted(pairs))
    return urlunsplit((scheme, netloc, path, query, ""))


def outlet_from_url(url: str) -> str | None:
    """The site an article came from, as a reader would name it: the host without "www."."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def classify_source(arg: str) -> SourceArgKind:
    """What a CLI source argument is: an existing local file/directory, or an http(s) URL.

    Whether a URL is a feed or an article page is only known after fetching it.
    """
    if is_http_url(arg):
        return "url"
    if arg.strip() and Path(arg).expanduser().exists():
        return "file"
    if "://" in arg:
        scheme = arg.split("://", 1)[0]
        if scheme.strip().lower() in ("http", "https"):
            # The scheme is fine, the rest is not (an unclosed IPv6 bracket, a bad port):
            # "only http:// URLs, not http://" would be nonsense.
            raise UserInputError(f"{arg!r} is not a valid URL: check its host name and port")
        raise UserInputError(
            f"{arg!r}: only http:// and https:// URLs can be ingested, not {scheme}://"
        )
    raise UserInputError(
        f"{arg!r} is neither an existing file or folder nor an http(s):// URL. "
        "Give a feed or article URL (https://...) or a path to .md/.txt/.html files."
    )
