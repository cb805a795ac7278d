"""Files only their owner may read: the hub's data folder (0700), its database and keys (0600).

A hub's database holds PIN hashes, tokens' hashes and the day's tickets; its key makes ID-number hashes.
Nobody else on the machine reads them: the folder is the owner's alone and every file in it is 0600.
"""
from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE, FILE_MODE = 0o700, 0o600
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def private_folder(path: str | os.PathLike) -> Path:
    """The folder, made if missing (with its parents), with mode 0700."""
    folder = Path(path)
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    folder.chmod(FOLDER_MODE)
    return folder


def private_sqlite(path: str | os.PathLike) -> Path:
    """A SQLite file made if missing with mode 0600 (SQLite gives its -wal and -shm files the same mode); an
    existing one, and its companions, set to 0600."""
    file = Path(path)
    os.close(os.open(file, os.O_RDWR | os.O_CREAT, FILE_MODE))
    for suffix in SQLITE_COMPANIONS:
        companion = file.with_name(file.name + suffix)
        if companion.exists():
            companion.chmod(FILE_MODE)
    return file


def secret_key(path: str | os.PathLike, size: int = 32) -> bytes:
    """A random key kept in `path` (hex, mode 0600), made on first use; its folder is made private. Two processes
    making it at once agree: the second reads the first one's. The key is written whole to a file of this process
    and only then linked to `path`, so nobody ever reads a key half written (several hub processes start at once)."""
    import secrets

    path = Path(path)
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        private_folder(path.parent)
        mine = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        key = secrets.token_bytes(size)
        with os.fdopen(os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "w") as f:
            f.write(key.hex())
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(mine, path)  # atomic: fails if another process linked its key first
        except FileExistsError:
            return bytes.fromhex(path.read_text().strip())
        finally:
            mine.unlink()
        return key
