"""The data home: one directory holding the catalog, the stored files and the search index
(the catalog may live on a PostgreSQL server instead: ``OLKE_DATABASE_URL``).

Chosen by ``--home``, else ``OLKE_HOME``, else ``./var``. Code directories never hold user data.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "var"


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike | None = None) -> "Home":
        chosen = home or os.environ.get("OLKE_HOME") or DEFAULT_HOME
        return cls(Path(chosen).expanduser().resolve())

    @property
    def catalog_path(self) -> Path:
        """The catalog's SQLite file, unless ``database_url`` puts the catalog on a server."""
        return self.root / "catalog.sqlite"

    @property
    def database_url(self) -> str | None:
        """``OLKE_DATABASE_URL`` (postgresql://user@host/dbname): the catalog on PostgreSQL. The
        stored files and the search index stay in the data home all the same."""
        return os.environ.get("OLKE_DATABASE_URL") or None

    @property
    def files_dir(self) -> Path:
        return self.root / "files"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def staging_dir(self) -> Path:
        """Work in progress; written aside here, then moved into files/ in one step."""
        return self.root / "staging"

    def document_dir(self, document_id: int) -> Path:
        return self.files_dir / f"{document_id:06d}"

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()

    def absolute(self, relative: str) -> Path:
        """A stored relative path as an absolute one, refusing anything outside the home."""
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"path leaves the data home: {relative}")
        return path

    def ensure(self) -> None:
        for directory in (self.root, self.files_dir, self.index_dir, self.staging_dir):
            directory.mkdir(parents=True, exist_ok=True)

    def clear_staging(self) -> None:
        """Drop work left by an interrupted run; the catalog never points into staging."""
        if self.staging_dir.exists():
            shutil.rmtree(self.staging_dir)
        self.staging_dir.mkdir(parents=True, exist_ok=True)
