"""pg:backups: `pg_dump` in the custom format, run inside the database container and
kept under MINIDYNO_HOME/backups/<app>/ as b001, b002…; restore puts one back with
pg_restore. Dumps run as the container's superuser over its local socket, so they
hold everything the app's role can see."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from minidyno.addons import postgres
from minidyno.errors import NotFound, UserError
from minidyno.state.addons import Addon

if TYPE_CHECKING:
    from minidyno.platform import Platform



@dataclass(frozen=True)
class Backup:
    name: str
    path: Path
    size: int
    created_at: str


def _folder(platform: Platform, app: str) -> Path:
    return platform.settings.backups_dir / app


def all_backups(platform: Platform, app: str) -> list[Backup]:
    found = []
    for path in sorted(_folder(platform, app).glob("b*.dump")):
        stat = path.stat()
        found.append(Backup(path.stem, path, stat.st_size,
                            datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds")))
    return found


def get(platform: Platform, app: str, name: str | None) -> Backup:
    found = all_backups(platform, app)
    if not found:
        raise NotFound(f"{app} has no backups; `minidyno pg:backups:capture -a {app}` makes one")
    if name is None:
        return found[-1]
    for backup in found:
        if backup.name == name:
            return backup
    raise NotFound(f"no backup {name} of {app}; `minidyno pg:backups -a {app}` lists them")


def capture(platform: Platform, addon: Addon) -> Backup:
    folder = _folder(platform, addon.app)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = [int(b.name[1:]) for b in all_backups(platform, addon.app)]
    name = f"b{max(numbers, default=0) + 1:03d}"
    container = platform.engine.containers.get(postgres.container_name(platform, addon))
    partial = folder / f"{name}.partial"
    result = container.exec_run(["pg_dump", "-Fc", "-h", "/tmp", "-U", "postgres", addon.db_name],
                                stream=True, demux=True)
    errors = b""
    with open(partial, "wb") as out:
        for stdout, stderr in result.output:
            if stdout:
                out.write(stdout)
            if stderr:
                errors += stderr
    if errors.strip() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        raise UserError(f"pg_dump failed: {errors.decode(errors='replace').strip()[:300]}")
    partial.replace(folder / f"{name}.dump")
    platform.logs.platform(addon.app, "api", f"Backup {name} of {addon.name} captured")
    return get(platform, addon.app, name)


def restore(platform: Platform, addon: Addon, backup: Backup) -> None:
    """Replace the database's contents with the backup's; the role keeps owning all."""
    container = platform.engine.containers.get(postgres.container_name(platform, addon))
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        tar.add(backup.path, arcname="minidyno-restore.dump")
    container.put_archive("/tmp", archive.getvalue())
    code, output = container.exec_run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--role={addon.db_user}",
         "-h", "/tmp", "-U", "postgres", "-d", addon.db_name, "/tmp/minidyno-restore.dump"])
    container.exec_run(["rm", "-f", "/tmp/minidyno-restore.dump"])
    if code != 0:
        raise UserError(f"pg_restore failed: {output.decode(errors='replace').strip()[:300]}")
    platform.logs.platform(addon.app, "api", f"Backup {backup.name} restored to {addon.name}")


def delete(platform: Platform, app: str, name: str) -> None:
    backup = get(platform, app, name)
    backup.path.unlink()
