"""`haoban backup DEST` and `haoban restore SRC`: the hub's database, its key files and its settings in one tar.gz.

An archive holds `manifest.json` first (format, when, the schema revision, the site ids, row counts, and the sha256,
size and mode of every other member), then the database (`hub.sqlite3`, a copy made through SQLite's online backup
API, consistent while the hub writes; or `hub.pgdump`, `pg_dump --format=custom` of one exported snapshot, the same
snapshot the manifest's counts were read in), every `*.key` file of the data folder (mode 0600) and the settings file.
The archive itself is 0600 (it holds the keys) and appears under its name only once complete.

A restore checks everything before it writes anything: every member is a plain file the manifest names, with its
sha256; none is missing; the revision is one this program knows; the database kind is the configured one; the data
folder (and a PostgreSQL database) is empty unless `force`. Then it puts the files in place, restores the database,
runs the migrations (an older backup upgrades) and compares the row counts with the manifest's.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import make_url, text

from common.db.engine import MIGRATIONS, make_engine, migrate
from common.domain import contact
from common.domain import errors as e
from common.domain.files import FILE_MODE, SQLITE_COMPANIONS, private_folder
from common.usecases import appointments

FORMAT, VERSION = "haoban-backup", 1
MANIFEST, SQLITE_MEMBER, PG_MEMBER, SETTINGS_MEMBER = "manifest.json", "hub.sqlite3", "hub.pgdump", "hub.toml"
KEY_FILES = (appointments.KEY_FILE, contact.KEY_FILE, contact.BOX_KEY_FILE)  # the hub's keys (common/domain/files.secret_key); any *.key goes along
COUNTED = ("sites", "events", "tickets", "cases", "appointments", "audit_log")
RESTORED_SETTINGS = "hub.toml.from-backup"  # the backed-up settings, beside the data: the live settings file is not replaced
_CHUNK = 1 << 20


def backup(settings, dest: str | os.PathLike, now: datetime, settings_file: str | None = None) -> tuple[Path, dict]:
    """Write the archive to `dest` (a file name, or a folder to put haoban-backup-<time>.tar.gz in); (path, manifest)."""
    target = Path(dest)
    if target.is_dir():
        target = target / f"haoban-backup-{now.strftime('%Y%m%d-%H%M%S')}.tar.gz"
    if target.exists():
        raise e.InvalidInput("backup_exists", path=str(target))
    if not target.parent.is_dir():
        raise e.InvalidInput("backup_no_folder", path=str(target.parent))
    stage = _stage(".haoban-backup-", target.parent)
    try:
        facts = _dump(settings.db_url, stage)
        members = [facts.pop("member")]
        for key in sorted(settings.data_path.glob("*.key")):
            _copy_private(key, stage / key.name)
            members.append(key.name)
        if settings_file and Path(settings_file).is_file():
            _copy_private(Path(settings_file), stage / SETTINGS_MEMBER)
            members.append(SETTINGS_MEMBER)
        manifest = {"format": FORMAT, "version": VERSION, "made_at": now.isoformat(), **facts,
                    "missing_keys": [k for k in KEY_FILES if k not in members],
                    "members": {m: {"sha256": _sha256(stage / m), "size": (stage / m).stat().st_size, "mode": "0600"}
                                for m in members}}
        partial = target.with_name(target.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            tar.addfile(_info(MANIFEST, len(body), now), fileobj=io.BytesIO(body))
            for m in members:
                with open(stage / m, "rb") as f:
                    tar.addfile(_info(m, manifest["members"][m]["size"], now), fileobj=f)
        os.replace(partial, target)
        return target, manifest
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        target.with_name(target.name + ".partial").unlink(missing_ok=True)


def restore(settings, src: str | os.PathLike, *, force: bool = False) -> dict:
    """Check the archive at `src`, then restore it into the configured data folder and database; the manifest."""
    source, data = Path(src), settings.data_path
    if not source.is_file():
        raise e.InvalidInput("backup_unreadable", reason="not found / 找不到文件")
    dialect = "postgresql" if settings.db_url.startswith("postgresql") else "sqlite"
    if not force and data.is_dir() and any(data.iterdir()):
        raise e.InvalidInput("restore_not_empty", path=str(data))
    if not force and dialect == "postgresql" and _pg_has_tables(settings.db_url):
        raise e.InvalidInput("restore_db_not_empty")
    # beside the data (in it when it exists: /var/lib, its parent, is not the hub user's to write in)
    stage = _stage(".haoban-restore-", data if data.is_dir() else data.parent)
    try:
        manifest = _unpack(source, stage)
        if manifest.get("dialect") != dialect:
            raise e.InvalidInput("backup_wrong_database", source=str(manifest.get("dialect")), target=dialect)
        known = {r.revision for r in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
        if manifest.get("schema_revision") not in known:
            raise e.InvalidInput("backup_too_new", revision=str(manifest.get("schema_revision"))[:40])
        # everything checked: from here on the restore writes
        private_folder(data)
        for name in manifest["members"]:
            if name.endswith(".key"):
                _put(stage / name, data / name)
        if SETTINGS_MEMBER in manifest["members"]:
            _put(stage / SETTINGS_MEMBER, data / RESTORED_SETTINGS)
        if dialect == "sqlite":
            database = Path(make_url(settings.db_url).database or "")
            for suffix in SQLITE_COMPANIONS:  # a stale -wal beside the restored file would be replayed into it
                database.with_name(database.name + suffix).unlink(missing_ok=True)
            _put(stage / SQLITE_MEMBER, database)
        else:
            _pg_restore(settings.db_url, stage / PG_MEMBER, clean=force)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    engine = make_engine(settings.db_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            counts = {t: conn.execute(text(f"select count(*) from {t}")).scalar() for t in manifest["counts"]}
    finally:
        engine.dispose()
    if counts != manifest["counts"]:
        raise e.Conflict("restore_counts_differ", expected=json.dumps(manifest["counts"]), found=json.dumps(counts))
    return manifest


# ---------------------------------------------------------------- the database: SQLite

def _dump(url: str, stage: Path) -> dict:
    if url.startswith("postgresql"):
        return _pg_dump(url, stage)
    database = make_url(url).database
    if not database or not Path(database).is_file():
        raise e.InvalidInput("backup_no_database", path=str(database))
    copy = stage / SQLITE_MEMBER
    os.close(os.open(copy, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    source, target = sqlite3.connect(database, timeout=30), sqlite3.connect(copy)
    try:
        source.execute("PRAGMA busy_timeout=30000")
        source.backup(target)  # all pages in one step: one read transaction, so one consistent moment
        facts = _facts(lambda sql: target.execute(sql).fetchall())
    finally:
        source.close()
        target.close()
    return {"dialect": "sqlite", "member": SQLITE_MEMBER, **facts}


def _facts(query) -> dict:
    """What the manifest says of a database, read by `query(sql) -> rows` (in the dump's own snapshot)."""
    revision = query("select version_num from alembic_version")[0][0]
    sites = sorted(r[0] for r in query("select id from sites"))
    counts = {t: query(f"select count(*) from {t}")[0][0] for t in COUNTED}
    return {"schema_revision": revision, "site_ids": sites, "counts": counts}


# ---------------------------------------------------------------- the database: PostgreSQL

def _libpq(url: str) -> tuple[str, dict]:
    """A libpq connection URI without the password (that goes in PGPASSWORD: not on a command line) and the env."""
    u = make_url(url)
    env = {**os.environ}
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    u = u.set(drivername="postgresql", password=None)
    return u.render_as_string(hide_password=False), env


def _pg_tool(tool: str, url: str, engine) -> str:
    """The path of pg_dump / pg_restore, refused clearly when missing or older than the server."""
    path = shutil.which(tool)
    if not path:
        raise e.InvalidInput("backup_pg_tool", tool=tool)
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    client = int(next(w for w in version.split() if w[:1].isdigit()).split(".")[0])  # "pg_dump (PostgreSQL) 15.20 (...)"
    with engine.connect() as conn:
        server = int(conn.execute(text("show server_version_num")).scalar()) // 10000
    if client < server:  # pg_dump refuses a newer server; a newer pg_dump reads an older server
        raise e.InvalidInput("backup_pg_version", tool=tool, client=client, server=server)
    return path


def _pg_dump(url: str, stage: Path) -> dict:
    from sqlalchemy import create_engine

    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"), hide_parameters=True)
    try:
        tool = _pg_tool("pg_dump", url, engine)
        dsn, env = _libpq(url)
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            snapshot = conn.execute(text("select pg_export_snapshot()")).scalar()
            facts = _facts(lambda sql: conn.execute(text(sql)).all())
            _run([tool, "--format=custom", f"--snapshot={snapshot}", "--no-owner", "--no-privileges",
                  "-f", str(stage / PG_MEMBER), "--dbname", dsn], env, tool)
        server = engine.dialect.server_version_info
    finally:
        engine.dispose()
    (stage / PG_MEMBER).chmod(FILE_MODE)
    return {"dialect": "postgresql", "member": PG_MEMBER, "server_version": ".".join(map(str, server or ())), **facts}


def _pg_has_tables(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("select count(*) from information_schema.tables where table_schema = 'public'")).scalar())
    finally:
        engine.dispose()


def _pg_restore(url: str, dump: Path, *, clean: bool) -> None:
    engine = make_engine(url)
    try:
        tool = _pg_tool("pg_restore", url, engine)
    finally:
        engine.dispose()
    dsn, env = _libpq(url)
    _run([tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          *(["--clean", "--if-exists"] if clean else []), "--dbname", dsn, str(dump)], env, tool)


def _run(argv: list[str], env: dict, tool: str) -> None:
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=3600)
    if r.returncode:
        last = (r.stderr.strip().splitlines() or ["exit code " + str(r.returncode)])[-1]
        raise e.InvalidInput("backup_pg_failed", tool=tool, reason=last[:300])


# ---------------------------------------------------------------- the archive

def _unpack(source: Path, stage: Path) -> dict:
    """Every member into `stage`, each checked against the manifest (read first); the manifest."""
    seen: set[str] = set()
    try:
        with tarfile.open(source, "r:gz") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isreg() or first.size > _CHUNK:
                raise e.InvalidInput("backup_not_haoban")
            manifest = _manifest(_member(tar, first).read())
            while (member := tar.next()) is not None:
                expected = manifest["members"].get(member.name)
                if expected is None or not member.isreg() or member.name in seen:
                    raise e.InvalidInput("backup_unexpected_member", member=_shown(member.name))
                digest = hashlib.sha256()
                fd = os.open(stage / member.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
                with os.fdopen(fd, "wb") as out, _member(tar, member) as f:
                    while chunk := f.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != expected["sha256"] or member.size != expected["size"]:
                    raise e.InvalidInput("backup_tampered", member=member.name)
                seen.add(member.name)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise e.InvalidInput("backup_unreadable", reason=type(exc).__name__) from None
    missing = sorted(set(manifest["members"]) - seen)
    if missing:
        raise e.InvalidInput("backup_member_missing", member=", ".join(missing))
    return manifest


def _member(tar: tarfile.TarFile, member: tarfile.TarInfo):
    f = tar.extractfile(member)
    if f is None:  # (a regular file always has one)
        raise e.InvalidInput("backup_unexpected_member", member=_shown(member.name))
    return f


def _manifest(raw: bytes) -> dict:
    """The manifest, its shape checked: member names are plain file names (no folder, no '..')."""
    try:
        manifest = json.loads(raw)
        members = manifest["members"]
        ok = (manifest["format"] == FORMAT and manifest["version"] == VERSION and isinstance(members, dict)
              and isinstance(manifest["counts"], dict) and set(manifest["counts"]) <= set(COUNTED)
              and all(isinstance(m, str) and m == Path(m).name and m not in ("", ".", "..", MANIFEST)
                      and isinstance(v, dict) and isinstance(v.get("sha256"), str) and isinstance(v.get("size"), int)
                      for m, v in members.items()))
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise e.InvalidInput("backup_not_haoban")
    kinds = [m for m in members if m in (SQLITE_MEMBER, PG_MEMBER)]
    if len(kinds) != 1 or {SQLITE_MEMBER: "sqlite", PG_MEMBER: "postgresql"}[kinds[0]] != manifest.get("dialect"):
        raise e.InvalidInput("backup_not_haoban")
    if not all(m in (*kinds, SETTINGS_MEMBER) or m.endswith(".key") for m in members):
        raise e.InvalidInput("backup_not_haoban")
    return manifest


def _shown(name: str) -> str:
    return name.encode("unicode_escape").decode()[:80]


def _info(name: str, size: int, now: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, FILE_MODE, int(now.timestamp())
    return info


def _stage(prefix: str, folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=prefix, dir=folder))
    except OSError as exc:
        raise e.InvalidInput("backup_cannot_write", path=str(folder), reason=type(exc).__name__) from None


def _copy_private(src: Path, dst: Path) -> None:
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as out, open(src, "rb") as f:
        shutil.copyfileobj(f, out, _CHUNK)


def _put(staged: Path, final: Path) -> None:
    """A checked file into its place, 0600 (a move within one file system, else a copy)."""
    staged.chmod(FILE_MODE)
    shutil.move(str(staged), str(final))
    final.chmod(FILE_MODE)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
