"""`minidyno/postgres:<version>`: Debian's PostgreSQL on the run stack (service_image.py)."""

from __future__ import annotations

from minidyno.stacks.service_image import ServiceImage, script_file

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
#: A throwaway database (`minidyno doctor`'s, MINIDYNO_THROWAWAY set) skips the fsyncs
#: that keep data through a crash of the host: it lives a few seconds, and they cost
#: most of its start.
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
  "$BIN/postgres" --single -D "$PGDATA" -c fsync="$FSYNC" postgres >/dev/null <<SQL
CREATE ROLE "$MINIDYNO_USER" LOGIN PASSWORD '$MINIDYNO_PASSWORD';
CREATE DATABASE "$MINIDYNO_DATABASE" OWNER "$MINIDYNO_USER";
SQL
  "$BIN/postgres" --single -D "$PGDATA" -c fsync="$FSYNC" "$MINIDYNO_DATABASE" >/dev/null <<SQL
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
