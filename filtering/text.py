"""Text operators: LIKE (advanced comparison), CASEI and ACCENTI (insensitive comparison)."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from filtering.errors import FilterError
from filtering.operands import Operand, boolean


def like_pattern(pattern: str) -> re.Pattern:
    """CQL2 LIKE pattern as a regular expression: ``%`` any run, ``_`` one character,
    ``\\`` escapes. Hand-written: ``fnmatch`` and ``glob`` use other wildcards.

    >>> bool(like_pattern("渝_区").fullmatch("渝中区")), bool(like_pattern("100\\\\%").fullmatch("100%"))
    (True, True)
    """
    parts, escaped = [], False
    for character in pattern:
        if escaped:
            parts.append(re.escape(character))
            escaped = False
        elif character == "\\":
            escaped = True
        else:
            parts.append({"%": ".*", "_": "."}.get(character) or re.escape(character))
    return re.compile("".join(parts), re.DOTALL)


def _text(operand: Operand, where: str) -> pd.Series:
    if operand.kind not in ("text", "null"):
        raise FilterError(f"{where} needs text, not the {operand.describe()}")
    return operand.values


def like(frame, op, args, value) -> Operand:
    subject, pattern = (value(frame, arg) for arg in args)
    subjects, patterns = _text(subject, "LIKE"), _text(pattern, "LIKE's pattern")
    known = subjects.notna() & patterns.notna()
    if patterns[known].nunique() <= 1:  # one pattern for every row: one vectorised match
        regex = like_pattern(patterns[known].iloc[0]) if known.any() else None
        result = subjects.where(known, "").astype(object).map(
            lambda s: regex is not None and regex.fullmatch(s) is not None)
    else:
        result = [known_ and like_pattern(p).fullmatch(s) is not None
                  for s, p, known_ in zip(subjects, patterns, known)]
    return boolean(frame, result, ~known, "LIKE")


def casei(frame, op, args, value) -> Operand:
    subject = value(frame, args[0])
    return Operand("text", _fold(_text(subject, "CASEI"), str.casefold), f"CASEI({subject.label})")


def accenti(frame, op, args, value) -> Operand:
    subject = value(frame, args[0])
    return Operand("text", _fold(_text(subject, "ACCENTI"), strip_accents),
                   f"ACCENTI({subject.label})")


def strip_accents(text: str) -> str:
    """``text`` without combining marks; CJK characters are untouched.

    >>> strip_accents("débárquér"), strip_accents("重庆")
    ('debarquer', '重庆')
    """
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed
                                                if not unicodedata.combining(c)))


def _fold(values: pd.Series, fold) -> pd.Series:
    """Apply ``fold`` once per distinct string, keeping NULLs."""
    distinct = {v: fold(v) for v in values.dropna().unique()}
    return values.map(distinct).astype(object).where(values.notna(), None)
