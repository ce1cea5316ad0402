"""/apps/{app}/scheduler/jobs: Heroku Scheduler's jobs, what its dashboard page does
(list, add, edit, remove), and a run now."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from minidyno.addons.scheduler import described
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app}/scheduler/jobs", tags=["scheduler"])


class JobCreate(BaseModel):
    command: str
    every: str
    at: str | None = None


class JobUpdate(BaseModel):
    command: str | None = None
    every: str | None = None
    at: str | None = None


@router.get("")
def list_jobs(app: str, platform: PlatformDep) -> list[dict]:
    return [described(job) for job in platform.scheduler.list(app)]


@router.post("", status_code=201)
def add_job(app: str, body: JobCreate, platform: PlatformDep) -> dict:
    return described(platform.scheduler.add(app, body.command, body.every, body.at))


@router.patch("/{job_id}")
def update_job(app: str, job_id: int, body: JobUpdate, platform: PlatformDep) -> dict:
    return described(platform.scheduler.update(app, job_id, body.command, body.every, body.at))


@router.delete("/{job_id}")
def remove_job(app: str, job_id: int, platform: PlatformDep) -> dict:
    platform.scheduler.remove(app, job_id)
    return {"removed": job_id}


@router.post("/{job_id}/run")
def run_job(app: str, job_id: int, platform: PlatformDep) -> dict:
    return {"dyno": platform.scheduler.run_now(app, job_id)}
