"""pygeoapi as the peer of the API benchmark: version 0.21 (the newest release for Python
3.11) with its GeoJSON provider under gunicorn (one worker), serving the same units, installed
into a private virtual environment under the bench work directory on first use."""

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the test harness
from support import loopback  # noqa: E402
from formats.geojson import collection, features  # noqa: E402

PYGEOAPI = "pygeoapi==0.21.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def pygeoapi_python(workdir: Path) -> Path:
    """A virtual environment with pygeoapi and gunicorn, made once."""
    venv = workdir / "pygeoapi-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"installing {PYGEOAPI} into {venv} (once) …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PYGEOAPI, "gunicorn"],
                       check=True)
    return python


def write_units(boundaries, resolution: str, path: Path) -> None:
    units = boundaries.units
    shown = boundaries.geometry("units", resolution)
    frame = units.assign(id=units.adcode)
    path.write_bytes(collection(features(frame, "id", shown, ["adcode", "name", "city"])))


def pygeoapi_config(workdir: Path, port: int) -> Path:
    """A minimal pygeoapi configuration: the two unit files as GeoJSON collections."""
    none = "none"
    contact = dict.fromkeys(["name", "position", "address", "city", "stateorprovince",
                             "postalcode", "country", "phone", "fax", "email", "url",
                             "hours", "instructions", "role"], none)

    def resource(name, title):
        return {"type": "collection", "title": title, "description": title,
                "keywords": ["units"],
                "extents": {"spatial": {"bbox": [97.3, 26.0, 110.2, 34.4], "crs": CRS84}},
                "providers": [{"type": "feature", "name": "GeoJSON", "id_field": "adcode",
                               "data": str(workdir / f"{name}.geojson")}]}

    config = {
        "server": {"bind": {"host": "127.0.0.1", "port": port},
                   "url": f"http://127.0.0.1:{port}", "mimetype": "application/json",
                   "encoding": "utf-8", "language": "en-US", "cors": False,
                   "pretty_print": False,
                   "limits": {"default_items": 10, "max_items": 10000},
                   "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                           "attribution": "OpenStreetMap"}},
        "logging": {"level": "ERROR"},
        "metadata": {"identification": {"title": "units", "description": "units",
                                        "keywords": ["units"], "keywords_type": "theme",
                                        "terms_of_service": none, "url": none},
                     "license": {"name": none, "url": none},
                     "provider": {"name": none, "url": none}, "contact": contact},
        "resources": {"units": resource("units", "County-level units"),
                      "units_overview": resource("units_overview", "Units, overview")},
    }
    path = workdir / "pygeoapi.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def start_pygeoapi(workdir: Path, boundaries) -> tuple[subprocess.Popen, str]:
    python = pygeoapi_python(workdir)
    write_units(boundaries, "full", workdir / "units.geojson")
    write_units(boundaries, "overview", workdir / "units_overview.geojson")
    port = loopback.free_port()
    config = pygeoapi_config(workdir, port)
    openapi = workdir / "openapi.yml"
    env = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    subprocess.run([str(python.parent / "pygeoapi"), "openapi", "generate", str(config),
                    "--output-file", str(openapi)], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    process = subprocess.Popen([str(python), "-m", "gunicorn", "-w", "1", "-b",
                                f"127.0.0.1:{port}", "pygeoapi.flask_app:APP"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:  # its first answer reads the files: seconds, longer than loopback's 2 s per try
        loopback.wait_until_up(f"{base}/conformance?f=json", process)
        with urllib.request.urlopen(f"{base}/collections/units/items?f=json&limit=1",
                                    timeout=300):
            pass
    except BaseException:
        loopback.stop(process)
        raise
    return process, base
