"""Copying a folder of files named by their SHA-256 (a lane's evidence photos).

Events pin such a file by its hash, so a file under a given name never
changes: a copy only needs the names the other side lacks, and a file is
copied only if its bytes still hash to its name. One that does not is
damaged evidence: it is reported, not spread to the copy. Each file is
written to a temporary name, synced and renamed, so a copy interrupted at
any point holds only whole files.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from common.eventlog.snapshot import sync_folder
from common.eventlog.store import StoreError
from common.personal_data import SEALED_FILE

SHA256_NAME = re.compile(r"[0-9a-f]{64}")
CHUNK = 1 << 20


@dataclass
class FilesCopied:
    """What a copy did: names copied, names already there, names whose bytes no longer match."""

    copied: int = 0
    present: int = 0
    damaged: list[str] = field(default_factory=list)


def copy_new_files(source: Path, dest: Path) -> FilesCopied:
    """Copy every SHA-256-named file of ``source`` that ``dest`` lacks (a
    missing ``source`` is an empty one); other names are not evidence and
    are left out."""
    result = FilesCopied()
    if not source.is_dir():
        return result
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for entry in sorted(source.iterdir()):
            if not SHA256_NAME.fullmatch(entry.name) or not entry.is_file():
                continue
            if (dest / entry.name).exists():
                result.present += 1
            elif _copy_checked(entry, dest / entry.name):
                result.copied += 1
            else:
                result.damaged.append(entry.name)
        sync_folder(dest)
    except OSError as exc:
        raise StoreError(f"cannot copy {source} to {dest}: {exc}") from exc
    return result


def _copy_checked(source: Path, target: Path) -> bool:
    """Copy ``source`` to ``target`` if its bytes hash to its name; False (and nothing written) if not.
    A sealed file (a photo of a person) is named by the hash of what it seals, which only its
    case's key can open: it is copied as it is, and checked when it is opened."""
    partial = target.with_name(f".{target.name}.partial")
    digest = hashlib.sha256()
    try:
        with open(source, "rb") as reader, open(partial, "wb") as writer:
            sealed = reader.read(len(SEALED_FILE)) == SEALED_FILE
            reader.seek(0)
            while chunk := reader.read(CHUNK):
                digest.update(chunk)
                writer.write(chunk)
            writer.flush()
            os.fsync(writer.fileno())
        if digest.hexdigest() != source.name and not sealed:
            return False
        os.replace(partial, target)
        return True
    finally:
        partial.unlink(missing_ok=True)
