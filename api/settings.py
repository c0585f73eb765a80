"""The app's settings: one object, read from ``CHENGYU_*`` environment variables.

>>> Settings(page_limit=500).page_limit
500
>>> Settings.model_config["env_prefix"]
'CHENGYU_'
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
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
    cache_bytes: int = Field(256 * 2**20, ge=0, description=(
        "Memory for every cache together (views of other dates and resolutions, outlines, "
        "gzip bodies, export files, answers, finished responses), bytes; the least recently "
        "used goes first"))
