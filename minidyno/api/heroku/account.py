"""The account (`GET /account`): minidyno has one user, whoever holds the token; the CLI
asks for it before `run` and `auth:whoami` prints its email."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from minidyno.api.heroku.shapes import identity

router = APIRouter()

EMAIL = "minidyno@localhost"


def owner() -> dict[str, str]:
    return {"id": identity("account", EMAIL), "email": EMAIL}


@router.get("/account")
def get_account() -> dict[str, Any]:
    return {
        **owner(),
        "name": "minidyno",
        "verified": True,
        "two_factor_authentication": False,
        "allow_tracking": False,
        "beta": False,
        "federated": False,
        "default_organization": None,
        "default_team": None,
        "delinquent_at": None,
        "suspended_at": None,
        "identity_provider": None,
        "sms_number": None,
        "created_at": None,
        "updated_at": None,
        "last_login": None,
    }
