"""heroku.yml: Docker builds through the SDK (the container stack), its release phase,
run commands, per-type images and first-deploy setup, and the pushes it refuses while
the running release keeps serving."""

from __future__ import annotations

import json
from pathlib import Path

import docker
import pytest

from tests.integration.platform_fixture import ps, wait_for

#: Docker builds leave their stages' images dangling for a moment; the compose test
#: builds too, so the two modules run one after the other on one worker.
pytestmark = pytest.mark.xdist_group("dangling-images")

HEROKU_YML = """\
setup:
  addons:
    - plan: heroku-postgresql
      as: DATABASE
  config:
    GREETING: From heroku.yml
build:
  docker:
    web: Dockerfile
    worker: worker/Dockerfile
  config:
    APP_FLAVOUR: docker
release:
  command:
    - python3 -c "import os; print('release sees', os.environ['DATABASE_URL'][:11])"
  image: web
run:
  clock:
    command:
      - python3 -u /worker.py clock
    image: worker
"""

# Multi-stage, as the CA's build arg is meant to be used: pip reaches PyPI through this
# machine's TLS proxy in the builder stage, and the final stage holds only the venv.
DOCKERFILE = """\
FROM minidyno/stack:trixie-build AS build
LABEL minidyno.test=heroku-yml-build-stage
ARG MINIDYNO_CA_CERT
RUN if [ -n "$MINIDYNO_CA_CERT" ]; then printf '%s\\n' "$MINIDYNO_CA_CERT" > /tmp/ca.pem; \\
      export PIP_CERT=/tmp/ca.pem; fi; \\
    python3 -m venv --without-pip /venv \\
    && python3 -m pip --python /venv/bin/python install -q --no-cache-dir gunicorn
FROM minidyno/stack:trixie
COPY --from=build /venv /venv
WORKDIR /srv/app
COPY app.py .
ARG APP_FLAVOUR
ENV APP_FLAVOUR=$APP_FLAVOUR
CMD /venv/bin/gunicorn app:app --bind 0.0.0.0:$PORT
"""

APP = """\
import os


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{os.environ['GREETING']} ({os.environ['APP_FLAVOUR']}) as uid {os.getuid()} "
            f"in {os.getcwd()} on {os.environ['DYNO']}\\n".encode()]
"""

WORKER_DOCKERFILE = """\
FROM minidyno/stack:trixie
COPY worker.py /worker.py
CMD ["python3", "-u", "/worker.py", "worker"]
"""

WORKER = """\
import os, sys, time
print(sys.argv[1], "up as uid", os.getuid(), "on", os.environ["DYNO"], flush=True)
time.sleep(3600)
"""

FILES = {
    "heroku.yml": HEROKU_YML,
    "Dockerfile": DOCKERFILE,
    "app.py": APP,
    "worker/Dockerfile": WORKER_DOCKERFILE,
    "worker/worker.py": WORKER,
}


def dangling_images(engine: docker.DockerClient) -> set[str]:
    """This test's builder stages left untagged: other tests on other workers untag
    images of their own at any moment (a forced removal under a running container)."""
    found = engine.images.list(filters={"dangling": True, "label": "minidyno.test=heroku-yml-build-stage"})
    return {i.id for i in found}


def test_heroku_yml_builds_releases_and_runs_with_docker(server, tmp_path: Path):
    engine = docker.from_env()
    before = dangling_images(engine)
    server.cli("apps:create", "boxed")
    src = server.app_source(tmp_path, "boxed", FILES, from_sample=False)

    push = server.push(src)

    assert "Building with Docker, from heroku.yml" in push.stderr
    assert "Step 1/" in push.stderr
    assert "Attaching" in push.stderr and "as DATABASE_URL" in push.stderr
    assert "release sees postgres://" in push.stderr
    assert server.router_get("boxed").text == "From heroku.yml (docker) as uid 1000 in /srv/app on web.1\n"

    server.cli("ps:scale", "worker=1", "clock=1", "-a", "boxed")
    wait_for(
        lambda: {ps(server, "boxed").get(d, {}).get("state") for d in ("worker.1", "clock.1")} == {"up"}, 30
    )
    logs = server.cli("logs", "-a", "boxed", "-n", "200").stdout
    assert "app[worker.1]: worker up as uid 1000 on worker.1" in logs
    assert "app[clock.1]: clock up as uid 1000 on clock.1" in logs
    assert server.cli("run", "-a", "boxed", "--", "id -u; pwd").stdout.split() == ["1000", "/srv/app"]

    release = json.loads(server.cli("releases", "-a", "boxed", "--json").stdout)[0]
    assert release["stack"] == "container"
    built = engine.images.list(
        filters={"label": [f"minidyno.home={server.home.resolve()}", "minidyno.app=boxed"]}
    )
    assert len(built) == 2  # web's and worker's
    for image in built:
        baked = json.dumps([image.attrs["Config"], image.history()])
        assert "BEGIN CERTIFICATE" not in baked and "PIP_CERT" not in baked
    assert dangling_images(engine) <= before, "the builder stage's image was left behind"


def test_bad_heroku_yml_pushes_are_refused_and_the_release_keeps_serving(server, tmp_path):
    server.cli("apps:create", "boxed2")
    files = {
        **FILES,
        "heroku.yml": "build:\n  docker:\n    web: worker/Dockerfile\n"
        "run:\n  web: python3 -m http.server $PORT\n",
    }
    src = server.app_source(tmp_path, "boxed2", files, from_sample=False)
    server.push(src)
    assert server.router_get("boxed2").status_code == 200
    engine = docker.from_env()
    scope = {"label": [f"minidyno.home={server.home.resolve()}", "minidyno.app=boxed2"]}
    serving = {i.id for i in engine.images.list(filters=scope)}

    refusals = {
        "build:\n  docker:\n    web: ../../etc/Dockerfile\n": (
            "heroku.yml line 3: build.docker.web.dockerfile: '../../etc/Dockerfile' is outside the repository"
        ),
        "build:\n  docker:\n    web: [Dockerfile\n": (
            "heroku.yml is not valid YAML: expected ',' or ']', but got '<stream end>'"
        ),
        "build:\n  docker:\n    web: Dockerfile.missing\n": (
            "heroku.yml names Dockerfile.missing, which is not a file in the pushed commit"
        ),
        "build:\n  docker:\n    web: broken/Dockerfile\n": (
            "the Docker build of broken/Dockerfile failed: The command '/bin/sh -c exit 3' "
            "returned a non-zero code: 3"
        ),
        "build:\n  docker:\n    web: Dockerfile\n    worker: broken/Dockerfile\n": (
            "the Docker build of broken/Dockerfile failed"
        ),
        "build:\n  docker:\n    web: Dockerfile\nrelease:\n  command: [true]\n  image: worker\n": (
            "heroku.yml line 6: release.image: 'worker' is not built by build.docker"
        ),
    }
    (src / "broken").mkdir()
    (src / "broken" / "Dockerfile").write_text("FROM minidyno/stack:trixie\nRUN exit 3\n")
    for manifest, message in refusals.items():
        (src / "heroku.yml").write_text(manifest)
        server.commit(src, "A bad heroku.yml")
        push = server.push(src, check=False)
        assert push.returncode != 0
        assert message in push.stderr, push.stderr
        assert server.router_get("boxed2").status_code == 200
    assert {i.id for i in engine.images.list(filters=scope)} == serving, "a refused push left an image behind"
