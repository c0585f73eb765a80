"""Names of administrative units: their type and the short forms people use.

Examples
--------
>>> unit_type("北川羌族自治县"), unit_type("华蓥市"), unit_type("渝中区"), unit_type("忠县")
('自治县', '县级市', '市辖区', '县')
>>> short_name("广安市"), short_name("北川羌族自治县"), short_name("忠县"), short_name("阿坝藏族羌族自治州")
('广安', '北川', '忠县', '阿坝')
"""

from __future__ import annotations

import re

# The ethnic groups named in the autonomous counties and prefectures of 重庆 and 四川.
_ETHNIC = "(?:土家族|苗族|羌族|彝族|藏族|回族)+"
_SUFFIX = re.compile(rf"(?:{_ETHNIC})?(?:自治县|自治州|地区|市|区|县|省)$")


def unit_type(name: str) -> str:
    """Return the kind of a county-level unit from its name (区/县/自治县/县级市)."""
    if name.endswith("自治县"):
        return "自治县"
    return {"区": "市辖区", "县": "县", "市": "县级市"}[name[-1]]


def short_name(name: str) -> str:
    """Drop the administrative suffix (and ethnic designation) when two characters remain.

    One-character stems keep their suffix, as usage does: 忠县, 高县, 泸县.
    """
    stem = _SUFFIX.sub("", name)
    return stem if len(stem) >= 2 else name
