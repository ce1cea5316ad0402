"""/platform/certs: minidyno's local CA, for `minidyno certs` to show and explain how
to trust, as mkcert's `-CAROOT` does."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/platform/certs", tags=["certificates"])


class CertsOut(BaseModel):
    ca_path: str
    fingerprint: str
    pem: str
    tls: bool
    dashboard_url: str


@router.get("")
def get_certs(platform: PlatformDep) -> CertsOut:
    ca = platform.ca
    return CertsOut(
        ca_path=str(ca.cert_path),
        fingerprint=ca.fingerprint,
        pem=ca.pem.decode(),
        tls=platform.settings.tls,
        dashboard_url=platform.settings.dashboard_url,
    )
