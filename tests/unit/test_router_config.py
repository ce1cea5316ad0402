import shutil
import subprocess
from pathlib import Path

from minidyno.router import nginx_config
from minidyno.router.nginx import _shape
from minidyno.router.nginx_config import CONTROL_HOST, render
from minidyno.router.routes import route_for


def rendered(tmp_path: Path) -> str:
    routes = [
        route_for("web-app", "localhost", ["172.30.0.3:5000", "172.30.0.2:5000"]),
        route_for("idle-app", "localhost", []),
    ]
    return render(
        routes,
        listen="127.0.0.1:18080",
        run_dir=tmp_path,
        access_log=tmp_path / "access.log",
        activator_port=5515,
        generation=7,
    )


def test_upstreams_and_hosts_come_from_the_routes(tmp_path: Path):
    conf = rendered(tmp_path)
    assert "upstream app_web_app {" in conf
    assert conf.index("172.30.0.2:5000") < conf.index("172.30.0.3:5000")
    assert "server_name web-app.localhost idle-app.localhost;" in conf
    assert "web-app.localhost web-app;" in conf and "idle-app.localhost idle-app;" in conf
    assert "web-app dynos;" in conf and "web-app app_web_app;" in conf
    assert "idle-app" not in conf.split("map $minidyno_app $minidyno_route")[1].split("}")[0]
    assert "upstream app_idle_app" not in conf
    assert "server 127.0.0.1:5515;" in conf and "proxy_set_header X-Minidyno-App $minidyno_app;" in conf
    assert f"server_name {CONTROL_HOST};" in conf and 'return 200 "7";' in conf


def test_heroku_headers_are_set(tmp_path: Path):
    conf = rendered(tmp_path)
    for header in (
        "X-Forwarded-For",
        "X-Forwarded-Proto",
        "X-Forwarded-Port",
        "X-Request-Id",
        "X-Request-Start",
        "Via",
    ):
        assert f"proxy_set_header {header} " in conf
    assert '"~^[A-Za-z0-9+/=-]{20,200}$" $http_x_request_id;' in conf


def test_nginx_accepts_the_rendered_configuration(tmp_path: Path):
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "tmp" / name).mkdir(parents=True)
    (tmp_path / "error-pages.conf").write_text(nginx_config.error_pages_conf())
    conf = tmp_path / "nginx.conf"
    conf.write_text(rendered(tmp_path))
    nginx = shutil.which("nginx", path="/usr/sbin:/usr/bin")
    assert nginx, "nginx is not installed: ./dev test installs it"
    check = subprocess.run(
        [nginx, "-t", "-q", "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_error_pages_name_their_code_and_what_to_do():
    from minidyno.router import error_pages

    h14 = error_pages.render("h14")
    assert "error code H14 (No web dynos running)" in h14 and "ps:scale web=1" in h14
    assert "error code" not in error_pages.render("no-such-app")
    conf = nginx_config.error_pages_conf()
    assert "location @h13 {" in conf and "return 404 '" in conf
    assert "app&#39;s" in conf


def test_only_a_change_of_the_routes_shape_is_checked_with_nginx_t():
    """A dyno coming up or going changes only upstream addresses, which minidyno writes
    itself; a new app, hostname, maintenance, or an app going to or from the activator
    is what `nginx -t` must see first."""
    base = [route_for("shop", "localhost", ["10.213.0.2:5000"]), route_for("blog", "localhost", [])]
    more_dynos = [route_for("shop", "localhost", ["10.213.0.2:5000", "10.213.0.3:5000"]), base[1]]
    assert _shape(more_dynos) == _shape(base)
    changed = [
        [base[0], route_for("blog", "localhost", ["10.213.0.66:5000"])],
        [route_for("shop", "localhost", [], maintenance=True), base[1]],
        [route_for("shop", "localhost", ["10.213.0.2:5000"], ["www.shop.test"]), base[1]],
        [*base, route_for("news", "localhost", [])],
    ]
    assert all(_shape(routes) != _shape(base) for routes in changed)
