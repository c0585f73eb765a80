"""The page's search index: every place and entity with every name a user may type."""

from __future__ import annotations

from geo.gazetteer import normalise, pinyin
from layers import Layers


def normalised_keys(names) -> list[str]:
    """Distinct search keys of ``names``, normalised as the page normalises a query.

    >>> normalised_keys(["荣昌区", "荣昌", None, "Rong Chang"])
    ['荣昌区', '荣昌', 'rongchang']
    """
    return list(dict.fromkeys(normalise(name, remember=True) for name in names if name))


def _place_entries(frame, kind: str, parent_column: str | None) -> list[dict]:
    return [{"kind": kind, "id": row.adcode, "zh": row.name,
             "in": getattr(row, parent_column) if parent_column else None,
             "keys": normalised_keys([row.name, row.short_name, pinyin(row.name),
                                      pinyin(row.short_name)])}
            for row in frame.itertuples()]


def search_index(atlas: Layers) -> list[dict]:
    """Units, prefectures, provinces and entities with every name a user may type."""
    boundaries = atlas.boundaries
    provinces = set(boundaries.provinces.adcode)
    cities = boundaries.cities[~boundaries.cities.adcode.isin(provinces)]  # 重庆市 once
    entities = [{"kind": "entity", "id": e.id,  # names: in the entity catalogue
                 "keys": normalised_keys([e.id, e.name_zh, e.name_en, *e.aliases,
                                          *map(pinyin, [e.name_zh, *e.aliases])])}
                for e in atlas.registry.entities.values()]
    return [*_place_entries(boundaries.provinces, "provinces", None),
            *_place_entries(cities, "cities", "province"),
            *_place_entries(boundaries.units, "units", "city"), *entities]
