"""Table checksums: any change to a sealed database's content is found and named."""

import sqlite3

import pytest

from geo import integrity


@pytest.fixture
def sealed(tmp_path):
    path = tmp_path / "sealed.gpkg"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE units (adcode TEXT, name TEXT, geom BLOB)")
        db.executemany("INSERT INTO units VALUES (?, ?, ?)",
                       [("511623", "邻水县", b"\x01" * 100), ("500103", "渝中区", None)])
        db.execute("CREATE TABLE adjacency (a TEXT, b TEXT)")
        db.execute("INSERT INTO adjacency VALUES ('511623', '500103')")
    integrity.seal(path)
    return path


def change(path, statement):
    with sqlite3.connect(path) as db:
        db.execute(statement)


def test_an_untouched_database_verifies(sealed):
    integrity.verify(sealed)


@pytest.mark.parametrize("statement, problem", [
    ("UPDATE units SET name = '伪造县' WHERE adcode = '511623'", "table units does not match"),
    ("UPDATE units SET geom = x'02' WHERE adcode = '511623'", "table units does not match"),
    ("DELETE FROM adjacency", "table adjacency does not match"),
    ("DROP TABLE adjacency", "table adjacency is missing"),
    ("CREATE TABLE extra (x)", "table extra is extra"),
    ("ALTER TABLE units ADD COLUMN area REAL", "table sqlite_master does not match"),
    ("UPDATE checksums SET xxh3_128 = 'x' WHERE name = 'units'", "table units does not match"),
    ("DROP TABLE checksums", "it has no checksums"),
])
def test_every_change_is_named(sealed, statement, problem):
    change(sealed, statement)
    with pytest.raises(integrity.Damaged, match=problem):
        integrity.verify(sealed)


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "garbage.gpkg"
    path.write_bytes(b"garbage" * 100)
    with pytest.raises(integrity.Damaged, match=r"cannot be read \(file is not a database\)"):
        integrity.verify(path)


def test_digests_cover_the_schema_and_every_table(sealed):
    with sqlite3.connect(sealed) as db:
        assert set(integrity.digests(db)) == {"sqlite_master", "units", "adjacency"}


def test_the_content_digest_follows_every_table(sealed):
    before = integrity.content(integrity.read_verified(sealed))
    assert integrity.content(integrity.read_verified(sealed)) == before
    change(sealed, "UPDATE units SET name = '伪造县' WHERE adcode = '511623'")
    change(sealed, "DROP TABLE checksums")
    integrity.seal(sealed)  # sealed again, with the change
    assert integrity.content(integrity.read_verified(sealed)) != before
