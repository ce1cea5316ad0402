"""certs: minidyno's local certificate authority, and how to trust it."""

from __future__ import annotations

import json

import click

from minidyno.cli.client import Client


@click.command("certs")
@click.option("--pem", is_flag=True, help="print only the CA certificate (PEM)")
@click.option("--json", "as_json", is_flag=True, help="print as JSON")
@click.pass_obj
def certs(client: Client, pem: bool, as_json: bool) -> None:
    """Show the CA that signs the router's and the databases' certificates, and how to
    make this machine and its browsers trust it."""
    info = client.request("GET", "/platform/certs")
    if pem:
        click.echo(info["pem"], nl=False)
        return
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    path = info["ca_path"]
    click.echo("=== minidyno local CA")
    click.echo(f"Certificate:  {path}")
    click.echo(f"SHA-256:      {info['fingerprint']}")
    click.echo(f"HTTPS:        {'on' if info['tls'] else 'off (MINIDYNO_ROUTER_TLS_PORT=0)'}")
    click.echo(f"Dashboard:    {info['dashboard_url']}")
    click.echo("")
    click.echo("Trust it on this machine (Debian; curl, Python, git and Node read this store):")
    click.echo(f"  sudo cp {path} /usr/local/share/ca-certificates/minidyno-ca.crt")
    click.echo("  sudo update-ca-certificates")
    click.echo("Trust it in Chromium and Firefox (their NSS store; certutil is in libnss3-tools):")
    click.echo(f"  certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n minidyno -i {path}")
    click.echo("Or for one command:  curl --cacert " + path + " https://APP.localhost:PORT/")
