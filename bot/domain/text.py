"""Free text from members (notes, references, reasons, file names, names): one rule for what
is kept, used where text comes in and again where it is shown (rows written before this rule
are cleaned on the way out).

Pure: imports neither telegram nor aiosqlite.
"""

from __future__ import annotations

import unicodedata

# Kept although they are format characters (Cf): Urdu and Persian spelling needs the
# zero-width non-joiner between letters. It neither reorders text nor breaks lines.
_KEPT_FORMAT = frozenset({"\u200c"})
_LINE_BREAKS = frozenset({"\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"})


def _is_hidden(char: str) -> bool:
    """Control (Cc: NUL, BEL, ESC ...), format (Cf: bidi overrides and isolates U+202A-202E,
    U+2066-2069, marks U+200E/F and U+061C, zero-width space U+200B, joiner U+200D, word
    joiner U+2060, BOM U+FEFF ...), surrogates (Cs) and unassigned code points (Cn: what a
    later Unicode makes of them is unknown)."""
    category = unicodedata.category(char)
    return category in ("Cc", "Cf", "Cs", "Cn") and char not in _KEPT_FORMAT


def clean(text: str, *, keep_lines: bool = False) -> str:
    """`text` without control, bidirectional and zero-width characters. Tabs become spaces;
    line breaks become spaces too unless `keep_lines` (a note keeps its line breaks in the
    database; it is still shown on one line, see one_line)."""
    if text.isascii() and text.isprintable():
        return text  # nothing to drop (most text: an /import's every note goes through here)
    out = []
    for char in text:
        if char in _LINE_BREAKS:
            if keep_lines and char == "\n":
                out.append("\n")
            elif char == "\r" and keep_lines:
                continue  # \r\n -> \n
            else:
                out.append(" ")
        elif char == "\t":
            out.append(" ")
        elif not _is_hidden(char):
            out.append(char)
    return "".join(out)


def one_line(text: str) -> str:
    """`text` as shown anywhere: cleaned, every run of white space one space, so no member's
    text can start a line of its own (a forged /audit entry or card line)."""
    return " ".join(clean(text).split())
