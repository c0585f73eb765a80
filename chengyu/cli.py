"""chengyu: build the data, serve the app, ask questions, export and inspect, from a shell.

Exit codes: 0 success; 1 the data cannot be loaded (boundary package, cache, registry) or,
for a map, no Chinese font is installed; 2 a usage error or a name, question or format that
is not understood. Errors go to standard error, results to standard output.
"""

import argparse
import datetime as dt
import io
import signal
import sys
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import geo
import layers
from chengyu.serving import ListenError, WorkersFailed
from formats.exports import FORMATS, export
from formats.fonts import CJKFontMissing
from formats.geojson import dumps
from formats.pictures import PictureError, answer_picture, entity_picture
from formats.render import LIMITS, MEDIA_TYPES, RenderError, render
from layers import DATA_ERRORS
from layers.catalogue import COLLECTIONS, Catalogue
from layers.memberships import in_force
from layers.panel import STEPS, PanelError, panel, to_csv_bytes, to_parquet_bytes
from layers.questions import QuestionError, Questions

class UsageError(Exception):
    """Input the command cannot act on (exit code 2)."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _atlas(args) -> layers.Layers:
    return layers.load(geo.load(args.cache_dir))


def build(args) -> None:
    """Rebuild the boundary cache (with progress on standard error) and check the registry."""
    boundaries = geo.load(args.cache_dir, rebuild=True)
    atlas = layers.load(boundaries)
    print(f"{len(boundaries.units)} units, {len(atlas.registry.entities)} entities, "
          f"{len(atlas.memberships)} memberships; cache in {args.cache_dir or geo.cache_dir()}; "
          f"registry {layers.registry_dir()}")


def serve(args) -> None:
    """Serve the API and the map with uvicorn (settings: ``CHENGYU_*``, see the README)."""
    from api.settings import SettingsError, read_settings
    from chengyu.serving import serve as run

    given = {"host": args.host, "port": args.port, "cache_dir": args.cache_dir,
             "workers": args.workers}
    try:
        settings = read_settings(**{name: value for name, value in given.items()
                                    if value is not None})
    except SettingsError as error:
        raise UsageError(f"invalid setting: {error}") from None
    run(settings)


def _port(text: str) -> int:
    """A TCP port number, 0 to 65535 (0: any free port)."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535, got {text!r}")
    return int(text)


def _workers(text: str) -> int:
    """A number of worker processes, 1 to 64."""
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"expected a number of workers 1-64, got {text!r}")
    return int(text)


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[dict], columns: list[str]) -> str:
    """Rows as aligned text columns; missing values (None, NaN) shown empty."""
    shown = [["" if r.get(c) is None or r.get(c) != r.get(c) else str(r.get(c))
              for c in columns] for r in rows]
    widths = [max([_width(c), *(_width(s[i]) for s in shown)]) for i, c in enumerate(columns)]
    return "\n".join("  ".join(v + " " * (w - _width(v)) for v, w in zip(line, widths)).rstrip()
                     for line in [columns, *shown])


def _ask(questions: Questions, question: str, on) -> dict:
    try:
        return questions.ask(question, on)
    except QuestionError as error:
        raise UsageError(str(error)) from None


ANSWER_COLUMNS = ["name", "city", "entity_name", "relation_zh", "kind", "change",
                  "shared_km", "distance_km", "area_km2", "units", "certainty"]


def _print_answer(answer: dict) -> None:
    """The reading, the notes, the hits as a narrow table, the reasons for 'possible'."""
    print(f"{answer['reading']['zh']} · {answer['reading']['en']}"
          + (f" · as of {answer['as_of']}" if answer["as_of"] else ""))
    for note in ([answer["ambiguity"]] if answer["ambiguity"] else []) + answer["notes"]:
        print(f"note: {note.get('zh') or note['note_zh']} · {note.get('en') or note['note']}")
    hits = answer["hits"]
    columns = [c for c in ANSWER_COLUMNS if any(h.get(c) not in (None, [], "") for h in hits)]
    rows = [{**h, "units": "、".join(h["units"]) if h.get("units") else None} for h in hits]
    print(_table(rows, columns) if hits else "no results")
    for hit in hits:
        if hit.get("reason"):
            print(f"  possible · {hit['name']}: {hit['reason']}")
    print(f"\n{answer['answer']['zh']}\nCQL2 on /collections/{answer['cql2']['collection']}"
          f"/items: {answer['cql2']['filter'][:100]}"
          f"{'…' if len(answer['cql2']['filter']) > 100 else ''}")


def query(args) -> None:
    """Answer a plain-language question, as a table or JSON."""
    answer = _ask(Questions(_atlas(args)), args.question, args.date)
    if args.json:
        sys.stdout.buffer.write(dumps(answer) + b"\n")
        return
    _print_answer(answer)


def export_command(args) -> None:
    """Write a collection, or an entity with its member units, to a file."""
    atlas = _atlas(args)
    catalogue = Catalogue(atlas)
    if args.what in COLLECTIONS:
        frame, name = catalogue.frame(args.what, args.date), args.what
    elif args.what in atlas.registry.entities:
        members = catalogue.frame("memberships", args.date)
        frame, name = members[members.entity == args.what], f"platforms_{args.what}"
    else:
        raise UsageError(f"unknown collection or entity {args.what!r}; collections: "
                         f"{', '.join(COLLECTIONS)}; entities: see 'chengyu info'")
    output = Path(args.output)
    as_files = args.format == "shp" and output.suffix.lower() == ".shp"
    made = export(frame.reset_index(drop=True), args.format,
                  output.stem if as_files else name, args.datum)
    written = _unzip(made.data, output.parent) if as_files else [_write(output, made.data)]
    print(f"wrote {len(frame)} features to {', '.join(map(str, written))} ({args.format}, "
          f"{len(made.data):,} bytes)", file=sys.stderr)
    for note in made.notes:
        print(f"note: {note}", file=sys.stderr)


def _write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file renamed into place."""
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    temporary.replace(path)
    return path


def _unzip(data: bytes, directory: Path) -> list[Path]:
    """A zipped Shapefile's files (.shp and its sidecars), written into ``directory``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [_write(directory / name, archive.read(name)) for name in archive.namelist()]


def _entity_id(atlas: layers.Layers, text: str) -> str | None:
    """The entity ``text`` names by id, Chinese name or alias; None if it names none."""
    return next((e.id for e in atlas.registry.entities.values()
                 if text in (e.id, e.name_zh, *(e.aliases or []))), None)


def render_command(args) -> None:
    """Draw an entity with its member units, or the answer to a question, as a map to
    publish; the output file's extension (.png, .svg, .pdf) sets the format."""
    fmt = Path(args.output).suffix.lower().removeprefix(".")
    if fmt not in MEDIA_TYPES:
        raise UsageError(f"--output {args.output}: the extension sets the format; expected "
                         f"{', '.join('.' + name for name in MEDIA_TYPES)}")
    atlas = _atlas(args)
    entity = _entity_id(atlas, args.what)
    size = {name: value for name in LIMITS if (value := getattr(args, name)) is not None}
    try:
        picture = entity_picture(atlas, entity, args.date) if entity else \
            answer_picture(atlas, _ask(Questions(atlas), args.what, args.date))
        data = render(atlas, picture, fmt, **size)
    except (PictureError, RenderError) as error:
        raise UsageError(str(error)) from None
    Path(args.output).write_bytes(data)
    print(f"wrote {picture.title} to {args.output} ({fmt}, {len(data):,} bytes)",
          file=sys.stderr)


def panel_command(args) -> None:
    """The research panel: each unit's membership kind in force at the end of each period,
    with its document and since when; CSV (to standard output without -o) or Parquet."""
    entities = [e.strip() for e in args.entities.split(",")] if args.entities else None
    if args.format == "parquet" and args.output is None:
        raise UsageError("-f parquet writes a file: give -o FILE")
    try:
        frame = panel(_atlas(args), args.start, args.end, args.every, entities, args.wide)
    except PanelError as error:
        raise UsageError(str(error)) from None
    data = (to_parquet_bytes if args.format == "parquet" else to_csv_bytes)(frame)
    if args.output is None:
        sys.stdout.buffer.write(data)
        return
    Path(args.output).write_bytes(data)
    print(f"wrote {len(frame):,} rows to {args.output} ({args.format}, {len(data):,} bytes)",
          file=sys.stderr)


def _formats(text: str) -> tuple[str, ...]:
    """Download formats, comma-separated (``none``: no downloads)."""
    chosen = tuple(f.strip() for f in text.split(",") if f.strip() and f.strip() != "none")
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown)}; expected some "
                                         f"of {', '.join(FORMATS)}, or none")
    return chosen


def _api_url(text: str) -> str:
    """The API's base address: an http(s) URL."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise argparse.ArgumentTypeError(f"expected the API's address, http(s)://host[/path], "
                                         f"got {text!r}")
    return text.rstrip("/")


def publish_command(args) -> None:
    """Write the static edition: the map page, every layer at every resolution, entity
    pages, the search index and the downloads, as files any static host serves."""
    from chengyu.publishing import PublishError, check, publish

    try:
        check(Path(args.directory))  # before the data load, to refuse at once
        done = publish(_atlas(args), Path(args.directory), api_url=args.api_url,
                       formats=args.formats)
    except PublishError as error:
        raise UsageError(str(error)) from None
    manifest = done.manifest
    print(f"published {manifest['file_count']:,} files, {manifest['total_bytes']:,} bytes, to "
          f"{args.directory} in {done.seconds:.1f} s (data version {manifest['data_version']}, "
          f"memberships as of {manifest['memberships_as_of']}"
          f"{', questions: ' + args.api_url if args.api_url else ', no API for questions'})",
          file=sys.stderr)


def info(args) -> None:
    """Show what a name is, with its members (an entity) or its entities (a place)."""
    questions = Questions(_atlas(args))
    about = _ask(questions, f"what is {args.name}", args.date)
    block = about["about"]
    if about["entity"]:
        print(f"{block['name_zh']} ({about['entity']['id']}, {block['kind']})\n"
              f"{block['name_en']}")
        for document in block["documents"]:
            print(f"  {document['date'] or '—'}  {document['title']}"
                  f"  ({document['members_as_written']} members as written)")
        asked = f"members of {about['entity']['id']}"
    else:
        print(f"{about['place']['name']} ({about['place']['adcode']}, "
              f"{about['place']['level']}) · {'、'.join(block['cities'] or block['provinces'])}")
        asked = f"entities of {about['place']['adcode']}"
    _print_answer(_ask(questions, asked, args.date))


def entities(args) -> None:
    """List every entity of the registry: id, Chinese name, kind, units, since when."""
    atlas = _atlas(args)
    rows = in_force(atlas.memberships, args.date)
    counts = rows.groupby("entity").size()
    starts = atlas.memberships.groupby("entity").in_force_from.min()
    listed = [{"id": e.id, "名称": e.name_zh, "kind": e.kind, "units": counts.get(e.id, 0),
               "since": starts.get(e.id)} for e in sorted(atlas.registry.entities.values(),
                                                           key=lambda e: (e.kind, e.id))]
    print(_table(listed, ["id", "名称", "kind", "units", "since"]))


def parser() -> argparse.ArgumentParser:
    """The command line, with one subcommand per job."""
    main = argparse.ArgumentParser(prog="chengyu", description=__doc__.splitlines()[0],
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    main.add_argument("--cache-dir", help="boundary cache directory (default: "
                      "$CHENGYU_CACHE_DIR or ~/.cache/chengyu-atlas)")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, function, help_):
        sub = commands.add_parser(name, help=help_, description=function.__doc__)
        sub.set_defaults(run=function)
        return sub

    command("build", build, "build the boundary cache, with progress")
    sub = command("serve", serve, "serve the map and the API")
    sub.add_argument("--host", help="address to listen on (default: $CHENGYU_HOST or 127.0.0.1)")
    sub.add_argument("--port", type=_port, help="port (default: $CHENGYU_PORT or 8000)")
    sub.add_argument("--workers", type=_workers, help="processes answering requests, forked "
                     "once the data is loaded (default: $CHENGYU_WORKERS or 1)")
    sub = command("query", query, "ask a question, e.g. 'platforms touching 广安'")
    sub.add_argument("question")
    sub.add_argument("--json", action="store_true", help="print the full answer as JSON")
    sub.add_argument("--date", type=_date, help="membership as of YYYY-MM-DD")
    sub = command("export", export_command, "export a collection or an entity to a file")
    sub.add_argument("what", help=f"a collection ({', '.join(COLLECTIONS)}) or an entity id")
    sub.add_argument("--format", "-f", choices=sorted(FORMATS), default="geojson")
    sub.add_argument("--output", "-o", required=True, help="file to write (shp: a name ending "
                     "in .shp writes the .shp and its sidecars, any other the zip of them)")
    sub.add_argument("--date", type=_date, help="membership as of YYYY-MM-DD")
    sub.add_argument("--datum", choices=["wgs84", "gcj02"], default="wgs84")
    sub = command("render", render_command, "draw an entity or a question's answer as a map")
    sub.add_argument("what", help="an entity (id, name or alias) or a question")
    sub.add_argument("--output", "-o", required=True, help="file to write: .png, .svg or .pdf")
    sub.add_argument("--date", type=_date, help="membership as of YYYY-MM-DD")
    for name, (low, high) in LIMITS.items():
        sub.add_argument(f"--{name}", type=int, help=f"{name}, {low} to {high}")
    sub = command("panel", panel_command, "each unit's memberships, period by period")
    sub.add_argument("--start", type=_date, required=True, help="first day, YYYY-MM-DD")
    sub.add_argument("--end", type=_date, required=True, help="last day, YYYY-MM-DD")
    sub.add_argument("--every", choices=list(STEPS), default="year", help="the step")
    sub.add_argument("--entities", help="entity ids, comma-separated (default: all)")
    sub.add_argument("--wide", action="store_true", help="one column per entity")
    sub.add_argument("--format", "-f", choices=["csv", "parquet"], default="csv")
    sub.add_argument("--output", "-o", help="file to write (default: CSV to standard output)")
    sub = command("publish", publish_command, "write the static edition of the map to a folder")
    sub.add_argument("directory", help="folder to write (new, empty or a previous edition)")
    sub.add_argument("--api-url", type=_api_url, help="the API the page asks questions of "
                     "(default: none; the question box says so)")
    sub.add_argument("--formats", type=_formats, default=tuple(FORMATS),
                     help=f"download formats, comma-separated (default: {','.join(FORMATS)}; "
                     "none: no downloads)")
    sub = command("entities", entities, "list every entity of the registry")
    sub.add_argument("--date", type=_date, help="membership as of YYYY-MM-DD")
    sub = command("info", info, "what a name is: an entity's members or a unit's entities")
    sub.add_argument("name", help="a unit, city, province or entity (name, alias or id)")
    sub.add_argument("--date", type=_date, help="membership as of YYYY-MM-DD")
    return main


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if args.run is not serve:  # `chengyu … | head` ends quietly; a server ignores SIGPIPE
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        args.run(args)
        geo.memo.save()  # the names spelled and folded: read next time
    except UsageError as error:
        print(f"chengyu {args.command}: {error}", file=sys.stderr)
        return 2
    except DATA_ERRORS as error:
        print(f"chengyu {args.command}: cannot load the data: {error}", file=sys.stderr)
        return 1
    except (CJKFontMissing, ListenError, WorkersFailed) as error:
        print(f"chengyu {args.command}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
