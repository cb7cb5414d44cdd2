"""Endpoint URLs given on the command line (`kg push`, `kg enrich`): one check, one safe form.

A URL may carry secrets: `user:password@` in its authority, tokens in its
query string or fragment. Credentials in the URL are refused outright; the
query and fragment are still sent to the server but never shown in messages
nor stored in the dataset: `display_url` drops them.
"""

from __future__ import annotations

import urllib.parse

from kg.problems import KgError


def check_url(url: str, option: str, credentials_hint: str) -> str:
    """`url` if it is an http(s) URL with a host and no user:password@; else KgError.

    `credentials_hint` says where credentials go instead (or why there are none);
    the refused URL is never echoed, since it holds them."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed [IPv6 bracket
        parts, host = None, None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise KgError(f"{option} {display_url(url)}: not an http(s) URL")
    if "@" in parts.netloc:
        raise KgError(f"{option}: credentials in the URL are not accepted: {credentials_hint}")
    return url


def display_url(url: str) -> str:
    """The URL without user info, query string or fragment: safe to print and to store."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # split by hand, the same way
        scheme, sep, rest = url.partition("?")[0].partition("#")[0].partition("://")
        authority, slash, path = rest.partition("/")
        return scheme + sep + authority.rpartition("@")[2] + slash + path
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
