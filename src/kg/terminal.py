"""Text from data or from a server, made safe to print on a terminal.

Printed raw, control characters in a label or a server's error page would move
the cursor, recolour or retitle the terminal, or hide text (ESC, OSC and CSI
sequences; bidirectional overrides reorder what is shown). They are shown as
escapes instead: \\n, \\t, \\r, else \\xNN or \\uNNNN.
"""

from __future__ import annotations

import re

_NAMED = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}
# C0 controls, DEL, C1 controls; bidirectional embeddings, overrides and isolates; line and
# paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_UNSAFE_KEEP_NEWLINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def safe(text: str, keep_newlines: bool = False) -> str:
    """`text` with every control character visible; with `keep_newlines`, line breaks stay."""
    return (_UNSAFE_KEEP_NEWLINES if keep_newlines else _UNSAFE).sub(_escape, text)
