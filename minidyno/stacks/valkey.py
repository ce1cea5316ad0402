"""`minidyno/valkey:8`: Debian's Valkey on the run stack (service_image.py). Heroku
Key-Value Store "defaults to the latest stable version of Valkey" (Dev Center), and
apps reach it with any Redis client."""

from __future__ import annotations

from minidyno.stacks.service_image import ServiceImage, script_file

IMAGE = "minidyno/valkey:8"
PORT = 6379
DATA_DIR = "/var/lib/minidyno-valkey"
#: Where the platform puts the server's certificate and key (from minidyno's CA) before
#: the first start; only the valkey user can enter it.
TLS_DIR = "/etc/minidyno-valkey"

#: The container's command. The first start writes the server's config into the data
#: volume, where CONFIG REWRITE keeps what changes later (the eviction policy, a new
#: password): TLS only, as every Heroku Key-Value Store plan requires since December
#: 2024, clients' certificates not asked for; a password; the plan's memory and
#: connection limits; Heroku's 300 s idle timeout; and persistence on (AOF). CONFIG is
#: renamed to a name only the platform knows, so clients meet Heroku's `ERR unknown
#: command 'CONFIG'` and cannot lift the plan's limits (CONFIG REWRITE keeps the line).
ENTRYPOINT = f"""#!/bin/sh
set -eu
CONF={DATA_DIR}/valkey.conf
if [ ! -s "$CONF" ]; then
  umask 077
  cat > "$CONF" <<CONF
bind * -::*
port 0
tls-port {PORT}
tls-cert-file {DATA_DIR}/server.crt
tls-key-file {DATA_DIR}/server.key
tls-auth-clients no
requirepass $MINIDYNO_PASSWORD
dir {DATA_DIR}
appendonly yes
maxmemory $MINIDYNO_MAXMEMORY
maxmemory-policy noeviction
maxclients $MINIDYNO_MAXCLIENTS
timeout 300
CONF
  if [ -n "${{MINIDYNO_CONFIG_COMMAND:-}}" ]; then
    echo "rename-command CONFIG $MINIDYNO_CONFIG_COMMAND" >> "$CONF"
  fi
fi
install -m 0600 {TLS_DIR}/server.crt {DATA_DIR}/server.crt
install -m 0600 {TLS_DIR}/server.key {DATA_DIR}/server.key
exec valkey-server "$CONF"
"""

RECIPE = ServiceImage(
    name=IMAGE,
    stack="trixie",
    packages=("valkey-server", "valkey-tools"),
    install=(
        f"mkdir -p {DATA_DIR} {TLS_DIR} && chown valkey:valkey {DATA_DIR} {TLS_DIR} && "
        f"chmod 700 {TLS_DIR} && " + script_file("/usr/local/bin/minidyno-valkey", ENTRYPOINT)
    ),
    changes=("USER valkey", 'CMD ["/usr/local/bin/minidyno-valkey"]'),
    describe="Debian's valkey-server",
)
