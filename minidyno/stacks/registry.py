"""`minidyno/registry:2`: Debian's docker-registry (the distribution registry) on the run
stack (service_image.py), for a swarm's nodes to pull release images from: no registry
can be pulled here, so its image is made like the add-ons' servers."""

from __future__ import annotations

from minidyno.stacks.service_image import ServiceImage, script_file

IMAGE = "minidyno/registry:2"
PORT = 5000
DATA_DIR = "/var/lib/docker-registry"
CONFIG = "/etc/minidyno-registry.yml"

#: Debian's own config less its htpasswd auth (a file minidyno does not write): the
#: registry answers the swarm's nodes, which pull release images anonymously.
_CONFIG_TEXT = f"""version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {DATA_DIR}
  delete:
    enabled: true
http:
  addr: :{PORT}
"""

RECIPE = ServiceImage(
    name=IMAGE,
    stack="trixie",
    packages=("docker-registry",),
    install=script_file(CONFIG, _CONFIG_TEXT) + f" && chmod 644 {CONFIG}",
    changes=("USER docker-registry", f'CMD ["/usr/bin/docker-registry", "serve", "{CONFIG}"]'),
    describe="Debian's docker-registry",
)
