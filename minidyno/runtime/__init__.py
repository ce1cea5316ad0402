"""Dynos on Docker. Everything above this package talks to `DockerRuntime`, so another
runtime (Swarm, k3s) can take its place the way Dokku's schedulers do."""
