"""The words of a question, by the part they play: what is asked for, the relation, set
operators, counting, superlatives, distances. Each part is found on its own, anywhere in
the question, in Chinese or English (the text is folded and lower-cased first).

>>> kind_asked("与◆接壤的平台有哪些")
'platform'
>>> kind_asked("which platforms does ◆ belong to"), kind_asked("◆有哪些区县")
('platform', 'unit')
>>> relation("units within ◆ of ◆"), relation("◆的邻居"), relation("跨省的平台")
(None, 'touching', 'cross_province')
>>> distance_km("距◆三十公里以内的区县"), distance_km("within 12.5 km of ◆")
(30.0, 12.5)
"""

from __future__ import annotations

import re

# what is asked for; an entity kind (cooperation_platform …) or the level of a place
KINDS = {
    "unit": r"区县|县区|区市县|县市区|县级单位|县级行政区|成员单位|成员|单位|邻居|邻县|区和县|"
            r"counties|county|districts?|units?|members?|neighbou?rs",
    "city": r"地级市|市州|城市|地市|prefectures?|cities|city",
    "province": r"省份|省市|provinces?",
    "platform": r"合作平台|功能平台|平台|(?:cooperation )?platforms?",
    "metropolitan_area": r"都市圈|metropolitan areas?|metro areas?",
    "entity": r"功能区|规划区|实体|区域|地区|zones?|entities|entity|areas?|regions?",
}
ENTITY_KINDS = {"platform": ("cooperation_platform",), "metropolitan_area": ("metropolitan_area",),
                "entity": None}
_ASKING = r"(?:哪些|哪几个|哪个|什么|几个|多少个?|which|what|how many|list(?: the| all)?|" \
          r"number of|count(?: the)?|all(?: the)?|show(?: the)?)\s*$"

RELATIONS = [  # tried in order: the first that occurs is the relation
    ("changes", r"变化|变动|调整|变了|有何不同|增减|新增|chang(?:e|es|ed)\b|differ|"
                r"added|removed"),
    ("cross_province", r"跨省|跨川渝|跨两省|横跨|跨越两省|两省|both provinces|two provinces|"
                       r"cross-?province|cross-?border|川渝两地|sichuan and chongqing"),
    ("one_province", r"(?:只|仅|完全|全部)(?:在|位于|属于)|only (?:in|within)|"
                     r"entirely (?:in|within)|wholly (?:in|within)|solely in|不跨省|"
                     r"(?:a|one) single province|one province|一个省"),
    ("touching", r"接壤|相邻|毗邻|相接|交界|邻接|邻近|周边|周围|邻居|邻县|附近|"
                 r"touch\w*|border\w*|adjacent|next to|neighbou?r\w*|abut\w*|near\b|around\b"),
    ("where", r"在哪(?![些几个])|哪里|哪儿|位于何|在什么地方|的位置|where"),
    ("what", r"是什么|是啥|什么是|介绍|简介|概况|what is|what's|what are|tell me about|describe"
             r"|\binfo\b|面积|多大|how big|how large|area of|size of"),
]
OPERATORS = [("and", r"同时|既|都属于|共同|交集|both|also in|and also|intersect\w*|as well as"),
             ("or", r"或者|或|either|\bor\b|并集|union")]
NEGATION = re.compile(r"(?:不属于|不在|除了|除去|除|不包括|不含|并非|而非|非|"
                      r"not in|not part of|not belonging to|excluding|except(?: for)?|but not|"
                      r"outside(?: of)?|without|minus|other than|not)\s*(?:the\s*)?$")
NEGATION_AFTER = re.compile(r"^\s*(?:以外|之外|除外)")
COUNTING = re.compile(r"多少|几个|几家|几\b|数量|个数|how many|number of|\bcount\b")
LARGEST = re.compile(r"最大|最广|largest|biggest|greatest|most extensive")
SMALLEST = re.compile(r"最小|smallest|tiniest|least extensive")
TOP = re.compile(r"(?:前|top\s*)(\d+|[一二两三四五六七八九十]+)|"
                 r"(\d+|[一二两三四五六七八九十]+)\s*个?\s*(?:最|largest|smallest|biggest)")
MEASURE = re.compile(r"by (?:its |their )?area|in area|面积|by size")

_NUMERALS = "零一二三四五六七八九"
DISTANCE = re.compile(r"(\d+(?:\.\d+)?|[零一二两三四五六七八九十百]+)\s*"
                      r"(?:km\b|公里|千米|kilomet(?:er|re)s?\b)")


def kind_asked(text: str) -> str | None:
    """The kind of thing asked for: the kind word after 哪些 / which, else the head noun
    (the last kind word in Chinese, the first in English)."""
    text = MEASURE.sub(" ", text)
    found = sorted((m.start(), kind, m) for kind, pattern in KINDS.items()
                   for m in re.finditer(pattern, text))
    if not found:
        return None
    for start, kind, _ in found:
        if re.search(_ASKING, text[:start]):
            return kind
    chinese = re.search(r"[\u4e00-\u9fff]", text) is not None
    return found[-1][1] if chinese else found[0][1]


def without_provinces_spanned(text: str) -> str:
    """The text without "both provinces", "不跨省" …: those name no kind asked for."""
    for name, pattern in RELATIONS:
        if name in ("cross_province", "one_province"):
            text = re.sub(pattern, " ", text)
    return text


def relation(text: str) -> str | None:
    """The relation asked about (see :data:`RELATIONS`), or None (membership)."""
    return next((name for name, pattern in RELATIONS if re.search(pattern, text)), None)


def operator(text: str) -> str | None:
    """``and`` (in both), ``or`` (in either), or None."""
    return next((name for name, pattern in OPERATORS if re.search(pattern, text)), None)


def chinese_number(text: str) -> int:
    """A Chinese numeral up to the hundreds (三十 → 30, 一百二十 → 120, 十五 → 15).

    Hand-written: distances in questions need only these dozen characters.

    >>> [chinese_number(t) for t in ("三十", "十五", "一百二十", "两百", "五")]
    [30, 15, 120, 200, 5]
    """
    total, digit = 0, 0
    for char in text.replace("两", "二"):
        if char in _NUMERALS:
            digit = _NUMERALS.index(char)
        else:
            total += (digit or 1) * {"十": 10, "百": 100}[char]
            digit = 0
    return total + digit


def number(text: str) -> float:
    return float(text) if text[0].isdigit() else float(chinese_number(text))


def distance_km(text: str) -> float | None:
    """The distance a question names, in km."""
    found = DISTANCE.search(text)
    return number(found.group(1)) if found else None


def superlative(text: str) -> tuple[str | None, int]:
    """``largest`` / ``smallest`` (or None) and how many are asked for (default 1)."""
    top = TOP.search(text)
    which = "smallest" if SMALLEST.search(text) else \
        "largest" if LARGEST.search(text) or top else None
    return which, int(number(top.group(1) or top.group(2))) if which and top else 1
