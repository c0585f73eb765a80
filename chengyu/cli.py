"""chengyu: build the data, serve the app, ask questions, export and inspect, from a shell.

Exit codes: 0 success; 1 the data cannot be loaded (boundary package, cache, registry);
2 a usage error or a name, question or format that is not understood. Errors go to
standard error, results to standard output.
"""

import argparse
import datetime as dt
import signal
import sys
import unicodedata
from pathlib import Path

import geo
import layers
from geo.cache import CacheError
from formats.exports import FORMATS, export
from formats.geojson import dumps
from geo.source import SourceError
from layers.catalogue import COLLECTIONS, Catalogue
from layers.memberships import in_force
from layers.questions import QuestionError, Questions

DATA_ERRORS = (CacheError, SourceError, layers.RegistryError)


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
    import uvicorn

    from api import Settings, create_app

    given = {"host": args.host, "port": args.port, "cache_dir": args.cache_dir}
    settings = Settings(**{name: value for name, value in given.items() if value is not None})
    app = create_app(settings)
    print(f"serving on http://{settings.host}:{settings.port}/", file=sys.stderr)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")


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


def query(args) -> None:
    """Answer a plain-language question, as a table or JSON."""
    try:
        answer = Questions(_atlas(args)).ask(args.question, args.date)
    except QuestionError as error:
        raise UsageError(str(error)) from None
    if args.json:
        sys.stdout.buffer.write(dumps(answer) + b"\n")
        return
    if answer.get("ambiguity"):
        others = ", ".join(a["name"] for a in answer["ambiguity"]["alternatives"])
        print(f"note: '{answer['ambiguity']['text']}' read as "
              f"{answer['ambiguity']['chosen']}; also: {others}")
    hits = answer["hits"]
    columns = [c for c in ("id", "adcode", "name", "city", "relation", "kind", "part",
                           "shared_km") if any(c in h for h in hits)]
    print(_table(hits, columns) if hits else "no results")
    print(f"\n{answer['count']} result(s); as CQL2 on /collections/"
          f"{answer['cql2']['collection']}/items: {answer['cql2']['filter'][:120]}"
          f"{'…' if len(answer['cql2']['filter']) > 120 else ''}")


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
    data = export(frame.reset_index(drop=True), args.format, name, args.datum)
    Path(args.output).write_bytes(data)
    print(f"wrote {len(frame)} features to {args.output} ({args.format}, {len(data):,} bytes)",
          file=sys.stderr)


def info(args) -> None:
    """Show a unit with the entities it belongs to, or an entity with its members."""
    atlas = _atlas(args)
    questions = Questions(atlas)
    try:
        subject, ambiguity = questions.resolve(args.name, args.date, prefer="entity")
    except QuestionError as error:
        raise UsageError(str(error)) from None
    if ambiguity:
        print(f"note: read as {ambiguity['chosen']}; also: "
              f"{', '.join(a['name'] for a in ambiguity['alternatives'])}")
    rows = in_force(atlas.memberships, args.date)
    if subject.kind == "entity":
        entity = atlas.registry.entities[subject.id]
        rows = rows[rows.entity == subject.id]
        print(f"{entity.name_zh} ({entity.id}) — {entity.name_en}\nkind: {entity.kind}")
    else:
        rows = rows[rows.adcode.isin(subject.adcodes)]
        print(f"{subject.name} ({subject.id}, {subject.level})")
    units = atlas.boundaries.units.name
    print(_table([{"entity": r.entity, "unit": units[r.adcode], "kind": r.kind,
                   "part": r.part, "document": r.document_title,
                   "source": f"{r.evidence_file}:{r.evidence_lines}", "quote": r.quote}
                  for r in rows.itertuples()],
                 ["entity", "unit", "kind", "part", "document", "source", "quote"]))


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
    sub.add_argument("--port", type=int, help="port (default: $CHENGYU_PORT or 8000)")
    sub = command("query", query, "ask a question, e.g. 'platforms touching 广安'")
    sub.add_argument("question")
    sub.add_argument("--json", action="store_true", help="print the full answer as JSON")
    sub.add_argument("--date", type=_date, help="membership as of YYYY-MM-DD")
    sub = command("export", export_command, "export a collection or an entity to a file")
    sub.add_argument("what", help=f"a collection ({', '.join(COLLECTIONS)}) or an entity id")
    sub.add_argument("--format", "-f", choices=sorted(FORMATS), default="geojson")
    sub.add_argument("--output", "-o", required=True, help="file to write")
    sub.add_argument("--date", type=_date, help="membership as of YYYY-MM-DD")
    sub.add_argument("--datum", choices=["wgs84", "gcj02"], default="wgs84")
    sub = command("info", info, "a unit's entities or an entity's members, with evidence")
    sub.add_argument("name", help="a unit, city, province or entity (name, alias or id)")
    sub.add_argument("--date", type=_date, help="membership as of YYYY-MM-DD")
    return main


def main(argv=None) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `chengyu … | head` ends quietly
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except UsageError as error:
        print(f"chengyu {args.command}: {error}", file=sys.stderr)
        return 2
    except DATA_ERRORS as error:
        print(f"chengyu {args.command}: cannot load the data: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
