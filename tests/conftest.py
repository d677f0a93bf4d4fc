"""Shared fixtures. Storage tests take `database_url` and run once per backend: SQLite and PostgreSQL.

Backends come from `RAPPORT_TEST_DATABASES` (default `sqlite,postgres`); PostgreSQL from
`RAPPORT_TEST_POSTGRES_URL` (default the local server's `test` database). Each test gets a fresh database
copied from a migrated template, so tests never see each other's rows. When PostgreSQL was not asked for
explicitly and cannot be reached, storage tests run on SQLite only and the run says so.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hub.db.engine import build_engine
from hub.db.migrate import upgrade

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"

# Property tests draw the same examples on every run, so a red run is reproducible and CI does not turn red on
# a new random draw; `pytest --hypothesis-profile=explore tests/fuzz` searches new inputs (fix what it finds and
# add the input as a plain test).
settings.register_profile("default", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=2000)
settings.load_profile("default")


def _postgres_admin_url() -> str:
    return os.environ.get("RAPPORT_TEST_POSTGRES_URL", DEFAULT_PG)


def _postgres_reachable(url: str) -> bool:
    try:
        engine = build_engine(url)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def _selected_backends() -> list[str]:
    explicit = os.environ.get("RAPPORT_TEST_DATABASES")
    wanted = [b.strip() for b in (explicit or "sqlite,postgres").split(",") if b.strip()]
    if "postgres" in wanted and not explicit and not _postgres_reachable(_postgres_admin_url()):
        print("PostgreSQL not reachable: storage tests run on SQLite only")
        wanted.remove("postgres")
    return wanted


BACKENDS = _selected_backends()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres_only: a storage test of PostgreSQL-only behaviour (row locks)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames or "backend" in metafunc.fixturenames:
        backends = BACKENDS
        if metafunc.definition.get_closest_marker("postgres_only"):
            # generated only for PostgreSQL (not skipped on SQLite, where the behaviour does not exist)
            backends = [b for b in BACKENDS if b == "postgres"]
        metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = build_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


class _PostgresTemplates:
    def __init__(self) -> None:
        self.admin_url = build_engine(_postgres_admin_url()).url
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.template = f"rapport_tpl_{uuid.uuid4().hex[:10]}"
        self._exec(f'CREATE DATABASE "{self.template}"')
        engine = build_engine(self.url_for(self.template))
        upgrade(engine)
        engine.dispose()

    def _exec(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def url_for(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def create(self) -> str:
        name = f"rapport_t_{uuid.uuid4().hex[:12]}"
        self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def drop(self, name: str) -> None:
        self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.drop(self.template)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_templates() -> Iterator[_PostgresTemplates]:
    templates = _PostgresTemplates()
    yield templates
    templates.close()


def _fresh_database(backend: str, directory: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "rapport.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    templates: _PostgresTemplates = request.getfixturevalue("postgres_templates")
    name = templates.create()
    try:
        yield templates.url_for(name)
    finally:
        templates.drop(name)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, migrated, empty database of the test's backend."""
    yield from _fresh_database(backend, tmp_path, request)


@pytest.fixture
def another_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second fresh database of the test's backend (to compare two stores)."""
    yield from _fresh_database(backend, tmp_path / "another", request)
