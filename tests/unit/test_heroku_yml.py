"""heroku.yml parsing: Heroku's long and short forms, and one message per problem that
names its key and line."""

import pytest

from minidyno.compile import app_json
from minidyno.compile.heroku_yml import command_text, parse
from minidyno.errors import UserError

FULL = """\
setup:
  addons:
    - plan: heroku-postgresql
      as: DATABASE
    - postgres
  config: &shared
    LANG: en_US.UTF-8
    DEBUG: true
build:
  docker:
    web: Dockerfile
    worker:
      dockerfile: worker/Dockerfile
      target: run
  config:
    <<: *shared
    WORKERS: 3
release:
  command:
    - ./migrate.sh
  image: worker
run:
  web: gunicorn app:app
  clock:
    command: [python, clock.py]
    image: worker
review: {}
"""


def test_the_long_and_short_forms_of_every_section():
    manifest, warnings = parse(FULL)
    assert warnings == ["heroku.yml line 27: review: unknown section ignored"]
    assert manifest.process_types() == ["web", "worker", "clock"]
    assert {t: manifest.image_of(t) for t in manifest.process_types()} == {
        "web": "web",
        "worker": "worker",
        "clock": "worker",
    }
    assert manifest.build.docker["worker"].context == "worker"
    assert manifest.build.docker["web"].context == "."
    assert manifest.build.config == {"LANG": "en_US.UTF-8", "DEBUG": "true", "WORKERS": "3"}
    assert [(a.plan, a.as_) for a in manifest.setup.addons] == [
        ("heroku-postgresql", "DATABASE"),
        ("postgres", None),
    ]
    assert command_text(manifest.run["clock"].command) == "python clock.py"
    assert command_text(manifest.run["web"].command) == "gunicorn app:app"
    assert manifest.release.image == "worker"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "build:\n  docker:\n    web: ../Dockerfile\n",
            "heroku.yml line 3: build.docker.web.dockerfile: '../Dockerfile' is outside the repository",
        ),
        ("build:\n  docker:\n    web: sub/../../x/Dockerfile\n", "is outside the repository"),
        ("build:\n  docker:\n    web: /etc/Dockerfile\n", "'/etc/Dockerfile' is outside the repository"),
        (
            "build: [\n",
            "heroku.yml is not valid YAML: expected the node content, but found "
            "'<stream end>' at line 2 column 1",
        ),
        ("- a\n", "heroku.yml must be a mapping with a `build:` section"),
        ("run:\n  web: x\n", "heroku.yml: build: Field required"),
        ("build:\n  docker: {}\n", "heroku.yml line 2: build.docker: names no Dockerfile"),
        (
            "build:\n  docker:\n    web: D\nrun:\n  web: x\n  worker:\n    command: x\n    image: nope\n",
            "heroku.yml line 8: run.worker.image: runs in the image of 'nope', which build.docker does not "
            "build",
        ),
        (
            "build:\n  docker:\n    worker: D\nrun:\n  clock: python clock.py\n",
            "heroku.yml line 5: run.clock: runs in the image of 'web'",
        ),
        (
            "build:\n  docker:\n    web: D\nrelease:\n  command: []\n",
            "heroku.yml line 5: release.command: is empty",
        ),
        (
            "build:\n  docker:\n    web: D\n  config:\n    A: [1]\n",
            "heroku.yml line 5: build.config.A: must be a string, number or boolean",
        ),
        (
            "build:\n  docker:\n    web: D\nrun:\n  web: [1, 2]\n",
            "heroku.yml line 5: run.web: Input should be a mapping",
        ),
        (
            "build:\n  docker:\n    web:\n      dockerfile: D\n      targte: x\n",
            "heroku.yml line 5: build.docker.web.targte: Extra inputs are not permitted",
        ),
        (
            "build:\n  docker:\n    web: D\nsetup:\n  addons:\n    - plan: postgres\n      as: a b\n",
            "heroku.yml line 7: setup.addons.0.as: 'a b' is not an attachment name",
        ),
        ("build:\n  docker:\n    release: D\n", "'release' is not a process type name"),
    ],
)
def test_each_problem_names_its_key_and_line(text, message):
    with pytest.raises(UserError) as raised:
        parse(text)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_setup_joins_app_json_which_wins_on_a_shared_var_and_addon():
    manifest, _ = app_json.parse('{"env": {"LANG": {"value": "C"}}, "addons": ["postgres"]}')
    setup, _ = parse(
        "setup:\n  addons: [postgres, {plan: postgres, as: REPORTS}]\n"
        "  config: {LANG: en_US.UTF-8, MODE: docker}\nbuild:\n  docker:\n"
        "    web: Dockerfile\n"
    )
    merged = manifest.with_setup(setup.setup.config, setup.setup.addons)
    assert app_json.initial_config(merged, {}) == {"LANG": "C", "MODE": "docker"}
    assert [(a.plan, a.as_) for a in merged.addon_specs()] == [("postgres", None), ("postgres", "REPORTS")]
