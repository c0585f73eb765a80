"""The app's settings: one object, read from ``CHENGYU_*`` environment variables.

>>> Settings(page_limit=500).page_limit
500
>>> Settings.model_config["env_prefix"]
'CHENGYU_'
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """What can be configured; each field is the environment variable ``CHENGYU_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CHENGYU_", frozen=True)

    cache_dir: Path | None = Field(None, description=(
        "Boundary cache directory (default: $XDG_CACHE_HOME/chengyu-atlas or "
        "~/.cache/chengyu-atlas)"))
    registry_dir: Path | None = Field(None, description=(
        "Registry of entities and documents (default: layers/registry of the package)"))
    page_limit: int = Field(10_000, ge=1, description=(
        "Most features per page of /items (a larger limit is capped); the map asks for "
        "pages this size"))
    default_limit: int = Field(10, ge=1, description="Features per page when no limit is given")
    cors_origins: list[str] = Field(["*"], description=(
        "Origins other sites' scripts may read the API from, as a JSON list"))
    host: str = Field("127.0.0.1", description="Address `chengyu serve` listens on")
    port: int = Field(8000, ge=0, le=65535, description="Port `chengyu serve` listens on")
    cache_bytes: int = Field(64 * 2**20, ge=0, description=(
        "Memory for every cache together (views of other dates and resolutions, outlines, "
        "answers, finished responses and files), bytes; the least recently used goes first"))
    public_url: str | None = Field(None, description=(
        "Base URL of the links the API writes (e.g. https://atlas.example.org behind a proxy); "
        "unset: the request's Host if it is among allowed_hosts, else the address reached"))
    allowed_hosts: list[str] = Field(["localhost", "127.0.0.1", "[::1]"], description=(
        "Host names (without port) trusted for links when public_url is unset, as a JSON "
        "list; \"*\" trusts any"))
    time_limit: float = Field(30.0, gt=0, description=(
        "Seconds a request's heavy work (filters, exports, questions, new views) may take "
        "before a 503"))
    work_threads: int | None = Field(None, ge=1, description=(
        "Threads doing heavy work off the event loop (default: the cores, at most 4)"))
    workers: int = Field(1, ge=1, le=64, description=(
        "Processes `chengyu serve` answers with, forked after loading the data once"))
    shutdown_timeout: float = Field(10.0, ge=0, description=(
        "Seconds `chengyu serve` waits for open requests on SIGTERM before closing them"))
    max_url_bytes: int = Field(8_388_608, ge=1024, description=(
        "Longest request target (path and query) accepted; longer gets a 414 (a filter may "
        "hold 2 million characters: a province's outline, percent-encoded)"))


class SettingsError(ValueError):
    """Settings that do not validate; the message names each variable and what it wants."""


def read_settings(**given) -> Settings:
    """:class:`Settings` from the environment and ``given``, or :class:`SettingsError`.

    >>> try:
    ...     read_settings(port=70000)
    ... except SettingsError as error:
    ...     print(error)
    CHENGYU_PORT: Input should be less than or equal to 65535 (got 70000)
    """
    try:
        return Settings(**given)
    except ValidationError as error:
        raise SettingsError("; ".join(
            f"CHENGYU_{'_'.join(map(str, item['loc'])).upper()}: {item['msg']} "
            f"(got {item['input']!r})" for item in error.errors())) from None
