"""pg:backups: `pg_dump` in the custom format, run inside the database container and
kept under MINIDYNO_HOME/backups/<app>/ as b001, b002…; restore puts one back with
pg_restore. Dumps run as the container's superuser over its local socket, so they
hold everything the app's role can see."""

from __future__ import annotations

import io
import os
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from minidyno.addons.postgres import AS_SUPERUSER, PostgresService
from minidyno.errors import NotFound, UserError
from minidyno.logs.bus import LogBus
from minidyno.state.addons import Addon


@dataclass(frozen=True)
class Backup:
    name: str
    path: Path
    size: int
    created_at: str


@dataclass(frozen=True)
class Backups:
    postgres: PostgresService
    #: MINIDYNO_HOME/backups: one folder per app.
    folder: Path
    logs: LogBus

    def all(self, app: str) -> list[Backup]:
        found = []
        for path in sorted((self.folder / app).glob("b*.dump")):
            stat = path.stat()
            found.append(
                Backup(
                    path.stem,
                    path,
                    stat.st_size,
                    datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds"),
                )
            )
        return found

    def get(self, app: str, name: str | None) -> Backup:
        found = self.all(app)
        if not found:
            raise NotFound(f"{app} has no backups; `minidyno pg:backups:capture -a {app}` makes one")
        if name is None:
            return found[-1]
        for backup in found:
            if backup.name == name:
                return backup
        raise NotFound(f"no backup {name} of {app}; `minidyno pg:backups -a {app}` lists them")

    def remove_partial(self) -> None:
        """Dumps a stopped server left unfinished: never backups, so never listed;
        removed at start so their numbers are free again."""
        for partial in self.folder.glob("*/b*.partial"):
            partial.unlink(missing_ok=True)

    def capture(self, addon: Addon) -> Backup:
        """pg_dump into `<name>.partial`, renamed to `.dump` only when pg_dump said it
        succeeded: a failed dump never shows up as a backup."""
        folder = self.folder / addon.app
        folder.mkdir(parents=True, exist_ok=True)
        name, partial = _reserve(folder)
        container = self.postgres.container(addon)
        api = self.postgres.containers.engine.api
        run = api.exec_create(container.id, ["pg_dump", "-Fc", *AS_SUPERUSER, addon.db_name])
        errors = b""
        try:
            with open(partial, "wb") as out:
                for stdout, stderr in api.exec_start(run["Id"], stream=True, demux=True):
                    if stdout:
                        out.write(stdout)
                    if stderr:
                        errors += stderr
            code = api.exec_inspect(run["Id"])["ExitCode"]
            if code != 0 or partial.stat().st_size == 0:
                raise UserError(
                    f"pg_dump failed (exit {code}): {errors.decode(errors='replace').strip()[:300]}"
                )
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(folder / f"{name}.dump")
        self.logs.platform(addon.app, "api", f"Backup {name} of {addon.name} captured")
        return self.get(addon.app, name)

    def restore(self, addon: Addon, backup: Backup) -> None:
        """Replace the database's contents with the backup's, all or nothing: one
        transaction that stops at the first error, so a restore that cannot finish (the
        row limit took CREATE away, say) leaves the database as it was. The role keeps
        owning all."""
        container = self.postgres.container(addon)
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            # Readable by the container's postgres user (the file under MINIDYNO_HOME is
            # the owner's alone); nobody else runs in that container.
            info = tar.gettarinfo(backup.path, arcname="minidyno-restore.dump")
            info.mode, info.uid, info.gid = 0o644, 0, 0
            with open(backup.path, "rb") as dump:
                tar.addfile(info, dump)
        container.put_archive("/tmp", archive.getvalue())
        code, output = container.exec_run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                f"--role={addon.db_user}",
                *AS_SUPERUSER,
                "-d",
                addon.db_name,
                "/tmp/minidyno-restore.dump",
            ]
        )
        container.exec_run(["rm", "-f", "/tmp/minidyno-restore.dump"])
        if code != 0:
            raise UserError(
                f"pg_restore failed and nothing was changed: {output.decode(errors='replace').strip()[:300]}"
            )
        self.logs.platform(addon.app, "api", f"Backup {backup.name} restored to {addon.name}")

    def delete(self, app: str, name: str) -> None:
        self.get(app, name).path.unlink()


def number_of(name: str) -> int | None:
    """`b007`'s 7; None for a name minidyno did not give (a file put there by hand)."""
    digits = name[1:]
    return int(digits) if name.startswith("b") and digits.isdigit() else None


def _reserve(folder: Path) -> tuple[str, Path]:
    """The next backup number, claimed by creating its partial file exclusively, so two
    captures at once never pick the same one."""
    while True:
        taken = [n for p in folder.glob("b*.*") if (n := number_of(p.name.split(".")[0])) is not None]
        name = f"b{max(taken, default=0) + 1:03d}"
        partial = folder / f"{name}.partial"
        try:
            os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return name, partial
