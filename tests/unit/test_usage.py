"""A dyno's usage from its cgroup's files, v1 and v2, as the kernel writes them; and
the memory quota's R14 cadence and R15 kill."""

from __future__ import annotations

from pathlib import Path

from minidyno.runtime.driver import Dyno
from minidyno.runtime.memory_quota import R14_EVERY, MemoryQuota, process_running
from minidyno.runtime.usage import Cgroup, Usage

MB = 1024 * 1024


def test_the_cgroup_of_a_dyno_is_found_in_v1_or_v2(tmp_path: Path) -> None:
    v2 = Cgroup.of("0::/system.slice/docker-abc.scope\n", tmp_path)
    assert v2 == Cgroup(
        tmp_path / "system.slice/docker-abc.scope", tmp_path / "system.slice/docker-abc.scope", True
    )
    assert [p.name for p in v2.peak_files] == ["memory.peak", "memory.current"]
    (tmp_path / "cpu,cpuacct").mkdir()
    v1 = Cgroup.of("5:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n0::/\n", tmp_path)
    assert v1 == Cgroup(tmp_path / "memory/docker/abc", tmp_path / "cpu,cpuacct/docker/abc", False)
    assert [p.name for p in v1.peak_files] == ["memory.max_usage_in_bytes", "memory.usage_in_bytes"]
    assert Cgroup.of("", tmp_path) is None


def test_v1_usage_is_rss_cache_and_swap_with_cpu_and_oom_kills(tmp_path: Path) -> None:
    memory, cpu = tmp_path / "memory", tmp_path / "cpu"
    memory.mkdir()
    cpu.mkdir()
    (memory / "memory.stat").write_text(
        f"cache 1\nrss 2\ntotal_cache {10 * MB}\ntotal_rss {100 * MB}\ntotal_swap {5 * MB}\n"
    )
    (memory / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
    (cpu / "cpuacct.usage").write_text("2500000000\n")
    usage = Cgroup(memory, cpu, False).read()
    assert usage == Usage(100.0, 10.0, 5.0, 2.5, 2)
    assert usage.memory_mb == 115.0


def test_v2_usage_reads_anon_file_swap_and_usage_usec(tmp_path: Path) -> None:
    (tmp_path / "memory.stat").write_text(f"anon {64 * MB}\nfile {8 * MB}\nkernel 4096\n")
    (tmp_path / "memory.swap.current").write_text(f"{2 * MB}\n")
    (tmp_path / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    (tmp_path / "cpu.stat").write_text("usage_usec 1500000\nuser_usec 1000000\n")
    assert Cgroup(tmp_path, tmp_path, True).read() == Usage(64.0, 8.0, 2.0, 1.5, 1)


class _Logs:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def platform(self, app: str, process: str, message: str) -> None:
        self.lines.append(f"{process}: {message}")


DYNO = Dyno(id="c1", app="demo", name="web.1", process_type="web", release=1, running=True)


def test_r14_is_logged_past_the_quota_every_20_seconds(monkeypatch) -> None:
    logs, killed = _Logs(), []
    quota = MemoryQuota(logs, killed.append, 512)  # type: ignore[arg-type]
    clock = [1000.0]
    monkeypatch.setattr("minidyno.runtime.memory_quota.time.monotonic", lambda: clock[0])
    quota.check(DYNO, Usage(500, 0, 0, 0))
    assert logs.lines == []
    quota.check(DYNO, Usage(500, 61.2, 0, 0))
    assert logs.lines == [
        "web.1: Process running mem=561M(109.6%)",
        "web.1: Error R14 (Memory quota exceeded)",
    ]
    clock[0] += R14_EVERY / 2
    quota.check(DYNO, Usage(600, 0, 0, 0))
    assert len(logs.lines) == 2
    clock[0] += R14_EVERY / 2
    quota.check(DYNO, Usage(600, 0, 0, 0))
    assert len(logs.lines) == 4 and killed == []


def test_a_process_killed_for_memory_in_a_running_dyno_kills_the_dyno() -> None:
    logs, killed = _Logs(), []
    quota = MemoryQuota(logs, killed.append, 512)  # type: ignore[arg-type]
    quota.check(DYNO, Usage(100, 0, 0, 0, oom_kills=0))
    quota.check(DYNO, Usage(900, 0, 0, 0, oom_kills=1))
    assert killed == [DYNO]


def test_the_process_running_line_is_herokus() -> None:
    assert process_running(1024, 512) == "Process running mem=1024M(200.0%)"


def test_a_dyno_first_seen_with_a_process_killed_for_memory_is_stopped() -> None:
    killed: list[Dyno] = []
    MemoryQuota(_Logs(), killed.append, 512).check(DYNO, Usage(100, 0, 0, 0, oom_kills=1))  # type: ignore[arg-type]
    assert killed == [DYNO]
