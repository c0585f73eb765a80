"""Text too long for dBase: clipped at a character boundary, visibly, and kept whole aside."""

import io

import pandas as pd

from formats.shapefile import DBF_TEXT_BYTES, clip, fit_dbf


def test_clip_never_splits_a_character_and_shows_the_cut():
    for text in ("甲" * 200, "a" + "乙" * 200, "x" * 300):
        clipped = clip(text)
        assert len(clipped.encode()) <= DBF_TEXT_BYTES and clipped.endswith("…")
        assert text.startswith(clipped[:-1])
    assert clip("甲" * 84) == "甲" * 84  # 252 bytes: fits, untouched


def test_fit_dbf_moves_whole_columns_with_long_values_to_a_side_table():
    long = "名" * 100
    frame = pd.DataFrame({"id": ["a", "b"], "short": ["x", "y"], "text": [long, "z"],
                          "count": [1, 2]})
    fitted, side, clipped = fit_dbf(frame, "layer")
    assert clipped == ["text"] and list(side) == ["layer_full_values.csv"]
    table = pd.read_csv(io.BytesIO(side["layer_full_values.csv"]), encoding="utf-8-sig")
    assert list(table.columns) == ["id", "text"] and list(table.text) == [long, "z"]
    assert fitted.text[0] == clip(long) and fitted.text[1] == "z"
    assert frame.text[0] == long  # the caller's frame is left as it was


def test_fit_dbf_leaves_a_frame_that_fits_alone():
    frame = pd.DataFrame({"id": ["a"], "text": ["short"]})
    fitted, side, clipped = fit_dbf(frame, "layer")
    assert fitted is frame and side == {} and clipped == []
