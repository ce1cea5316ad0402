# minidyno's control plane (API, git, activator and its nginx router) in a container;
# docker-compose.yml runs it. It drives the host's Docker engine through the mounted
# socket, so dynos, builds and databases are the host's containers, as with
# `minidyno server`.
#
# BASE: a Python image where a registry answers (the default); on a machine with no
# registry, a locally made stack (`--build-arg BASE=minidyno/stack:trixie-build`).
# MINIDYNO_CA_CERT: a TLS proxy's CA, for pip in the builder stage only.
ARG BASE=python:3.13-slim-trixie

FROM ${BASE} AS build
ARG MINIDYNO_CA_CERT=""
COPY pyproject.toml /opt/minidyno/src/
COPY minidyno /opt/minidyno/src/minidyno
RUN if [ -n "$MINIDYNO_CA_CERT" ]; then printf '%s\n' "$MINIDYNO_CA_CERT" > /tmp/ca.pem; \
      export PIP_CERT=/tmp/ca.pem; fi; \
    python3 -m venv /opt/minidyno/venv \
    && /opt/minidyno/venv/bin/pip install -q --no-cache-dir --disable-pip-version-check \
         -e /opt/minidyno/src \
    && rm -f /tmp/ca.pem

FROM ${BASE}
RUN apt-get update -qq -o Acquire::Check-Valid-Until=false \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
         git nginx-light ca-certificates >/dev/null \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/minidyno /opt/minidyno
COPY buildpacks /opt/minidyno/src/buildpacks
ENV PATH=/opt/minidyno/venv/bin:$PATH \
    MINIDYNO_HOME=/var/lib/minidyno \
    PYTHONUNBUFFERED=1
CMD ["minidyno", "server"]
