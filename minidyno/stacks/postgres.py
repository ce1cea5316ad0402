"""`minidyno/postgres:<version>`: Debian's PostgreSQL on the run stack, built locally
(no registry needed) and cached by the hash of its recipe like the stacks."""

from __future__ import annotations

import hashlib
import io
import tarfile

import docker

from minidyno.progress import Say
from minidyno.settings import Settings
from minidyno.stacks import builder, recipes

STACK = "trixie"
VERSION = "17"
IMAGE = f"minidyno/postgres:{VERSION}"
DATA_DIR = "/var/lib/minidyno-postgres"
#: Where the platform puts the server's certificate and key (from minidyno's CA) before
#: the first start; only the postgres user can enter it.
TLS_DIR = "/etc/minidyno-postgres"

#: The container's command: initialise the data directory on first start (an app role
#: owning one database, scram-sha-256 for every TCP connection), then run the server.
#: The public schema belongs to the superuser and is granted to the app's role, so the
#: row limit can take CREATE away (an owner's rights could not be).
#: Every start serves TLS and refuses TCP connections without it, as Heroku Postgres
#: does; the key is copied to a 0600 file of postgres's own, which the server insists on.
ENTRYPOINT = f"""#!/bin/sh
set -eu
BIN=/usr/lib/postgresql/{VERSION}/bin
PGDATA={DATA_DIR}/data
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s' "$MINIDYNO_SUPERUSER_PASSWORD" > "$pwfile"
  "$BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \\
    --auth-local=peer --auth-host=scram-sha-256 --pwfile="$pwfile" >/dev/null
  rm -f "$pwfile"
  "$BIN/postgres" --single -D "$PGDATA" postgres >/dev/null <<SQL
CREATE ROLE "$MINIDYNO_USER" LOGIN PASSWORD '$MINIDYNO_PASSWORD';
CREATE DATABASE "$MINIDYNO_DATABASE" OWNER "$MINIDYNO_USER";
SQL
  "$BIN/postgres" --single -D "$PGDATA" "$MINIDYNO_DATABASE" >/dev/null <<SQL
ALTER SCHEMA public OWNER TO postgres;
GRANT ALL ON SCHEMA public TO "$MINIDYNO_USER";
SQL
fi
cat > "$PGDATA/pg_hba.conf" <<HBA
local all all peer
hostnossl all all all reject
hostssl all all all scram-sha-256
HBA
install -m 0600 {TLS_DIR}/server.crt "$PGDATA/../server.crt"
install -m 0600 {TLS_DIR}/server.key "$PGDATA/../server.key"
exec "$BIN/postgres" -D "$PGDATA" -c listen_addresses='*' -c password_encryption=scram-sha-256 \\
  -c unix_socket_directories=/tmp -c ssl=on -c ssl_cert_file={DATA_DIR}/server.crt \\
  -c ssl_key_file={DATA_DIR}/server.key
"""


def tls_archive(chain: bytes, key: bytes) -> bytes:
    """The server's certificate and key as a tarball for `put_archive` into TLS_DIR,
    before the container's first start (the entrypoint makes the 0600 copies)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in (("server.crt", chain), ("server.key", key)):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def recipe_hash() -> str:
    stack = recipes.get(STACK)
    text = f"{stack.recipe_hash(stack.run_image)}|{VERSION}|{ENTRYPOINT}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def ensure(client: docker.DockerClient, settings: Settings, say: Say) -> str:
    """Build the image when it is missing or its recipe changed; its name."""
    if _is_current(client):
        return IMAGE
    with builder.making(IMAGE):
        if not _is_current(client):
            _build(client, settings, say)
    return IMAGE


def _is_current(client: docker.DockerClient) -> bool:
    labels = (client.images.get(IMAGE).labels or {}) if client.images.list(name=IMAGE) else {}
    return labels.get(builder.RECIPE_LABEL) == recipe_hash()


def _build(client: docker.DockerClient, settings: Settings, say: Say) -> None:
    stack = recipes.get(STACK)
    builder.ensure(client, stack, settings, say=say)
    say(f"Building {IMAGE} (Debian's postgresql-{VERSION} on {stack.run_image}, once)")
    install = (
        f"mkdir -p {DATA_DIR} {TLS_DIR} && chown postgres:postgres {DATA_DIR} {TLS_DIR} && "
        f"chmod 700 {TLS_DIR} && "
        f"printf '%s' {_quoted(ENTRYPOINT)} > /usr/local/bin/minidyno-postgres && "
        "chmod 755 /usr/local/bin/minidyno-postgres"
    )
    builder.commit_with_packages(
        client,
        stack.run_image,
        (f"postgresql-{VERSION}",),
        IMAGE.split(":")[0],
        VERSION,
        install,
        say,
        [
            f"LABEL {builder.RECIPE_LABEL}={recipe_hash()}",
            "USER postgres",
            'CMD ["/usr/local/bin/minidyno-postgres"]',
        ],
    )


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"
