"""`minidyno/postgres:<version>`: Debian's PostgreSQL on the run stack (service_image.py)."""

from __future__ import annotations

import contextlib
import secrets

import docker
from docker.errors import ImageNotFound

from minidyno.stacks.service_image import ServiceImage, script_file

VERSION = "17"
IMAGE = f"minidyno/postgres:{VERSION}"
#: IMAGE with a cluster initialised in DATA_DIR, which a new volume mounted there is
#: filled with: what a throwaway database starts from.
THROWAWAY_IMAGE = f"{IMAGE}-throwaway"
#: The id of the IMAGE a THROWAWAY_IMAGE was made from: made again when IMAGE changes.
_MADE_FROM = "minidyno.made-from"
DATA_DIR = "/var/lib/minidyno-postgres"
#: Marks a cluster whose app role and database are still to be made (the template's).
NO_ROLES = "minidyno-no-roles"
#: Where the platform puts the server's certificate and key (from minidyno's CA) before
#: the first start; only the postgres user can enter it.
TLS_DIR = "/etc/minidyno-postgres"

#: The container's command: initialise the data directory on first start (an app role
#: owning one database, scram-sha-256 for every TCP connection), then run the server.
#: The public schema belongs to the superuser and is granted to the app's role, so the
#: row limit can take CREATE away (an owner's rights could not be).
#: Every start serves TLS and refuses TCP connections without it, as Heroku Postgres
#: does; the key is copied to a 0600 file of postgres's own, which the server insists on.
#: A throwaway database (`minidyno doctor`'s, MINIDYNO_THROWAWAY set) skips the fsyncs
#: that keep data through a crash of the host (it lives a few seconds), and starts from
#: THROWAWAY_IMAGE's cluster, initialised once, so its start is the app role's alone.
ENTRYPOINT = f"""#!/bin/sh
set -eu
BIN=/usr/lib/postgresql/{VERSION}/bin
PGDATA={DATA_DIR}/data
NOSYNC="" FSYNC=on
if [ -n "${{MINIDYNO_THROWAWAY:-}}" ]; then NOSYNC=--no-sync FSYNC=off; fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s' "$MINIDYNO_SUPERUSER_PASSWORD" > "$pwfile"
  "$BIN/initdb" $NOSYNC -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \\
    --auth-local=peer --auth-host=scram-sha-256 --pwfile="$pwfile" >/dev/null
  rm -f "$pwfile"
  touch {DATA_DIR}/{NO_ROLES}
fi
if [ -e {DATA_DIR}/{NO_ROLES} ]; then
  # The throwaway template stops here: a cluster, its app role made at each start.
  if [ -n "${{MINIDYNO_TEMPLATE:-}}" ]; then exit 0; fi
  "$BIN/postgres" --single -D "$PGDATA" -c fsync="$FSYNC" postgres >/dev/null <<SQL
CREATE ROLE "$MINIDYNO_USER" LOGIN PASSWORD '$MINIDYNO_PASSWORD';
CREATE DATABASE "$MINIDYNO_DATABASE" OWNER "$MINIDYNO_USER";
SQL
  "$BIN/postgres" --single -D "$PGDATA" -c fsync="$FSYNC" "$MINIDYNO_DATABASE" >/dev/null <<SQL
ALTER SCHEMA public OWNER TO postgres;
GRANT ALL ON SCHEMA public TO "$MINIDYNO_USER";
SQL
  rm {DATA_DIR}/{NO_ROLES}
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
  -c ssl_key_file={DATA_DIR}/server.key -c fsync="$FSYNC"
"""


RECIPE = ServiceImage(
    name=IMAGE,
    stack="trixie",
    packages=(f"postgresql-{VERSION}",),
    install=(
        f"mkdir -p {DATA_DIR} {TLS_DIR} && chown postgres:postgres {DATA_DIR} {TLS_DIR} && "
        f"chmod 700 {TLS_DIR} && " + script_file("/usr/local/bin/minidyno-postgres", ENTRYPOINT)
    ),
    changes=("USER postgres", 'CMD ["/usr/local/bin/minidyno-postgres"]'),
    describe=f"Debian's postgresql-{VERSION}",
)


def ensure_throwaway(client: docker.DockerClient) -> str:
    """THROWAWAY_IMAGE, made from IMAGE (which must exist) when missing or older: its
    entrypoint run once with MINIDYNO_TEMPLATE, which initialises the cluster and stops."""
    base = client.images.get(IMAGE).id
    with contextlib.suppress(ImageNotFound):
        if (client.images.get(THROWAWAY_IMAGE).labels or {}).get(_MADE_FROM) == base:
            return THROWAWAY_IMAGE
    container = client.containers.run(
        IMAGE,
        detach=True,
        network_mode="none",
        environment={
            "MINIDYNO_TEMPLATE": "1",
            "MINIDYNO_THROWAWAY": "1",
            "MINIDYNO_SUPERUSER_PASSWORD": secrets.token_hex(24),
        },
    )
    try:
        if container.wait()["StatusCode"] != 0:
            raise RuntimeError(f"the throwaway Postgres template failed: {container.logs()[-500:]!r}")
        repository, tag = THROWAWAY_IMAGE.rsplit(":", 1)
        # The run's environment would be the image's: the template's flag must not be.
        blank = ("ENV MINIDYNO_TEMPLATE=", "ENV MINIDYNO_SUPERUSER_PASSWORD=")
        container.commit(repository, tag, changes=[*RECIPE.changes, *blank, f"LABEL {_MADE_FROM}={base}"])
    finally:
        container.remove(force=True)
    return THROWAWAY_IMAGE
