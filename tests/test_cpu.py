"""available_cpus reads the CPU quota of a container (hand-written cgroup files) and never exceeds affinity."""
import os

from agent.device import available_cpus


def test_cgroup_quotas_cap_the_cpus(tmp_path):
    affinity = len(os.sched_getaffinity(0))
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert available_cpus(tmp_path) == affinity  # no quota
    (tmp_path / "cpu.max").write_text("50000 100000\n")
    assert available_cpus(tmp_path) == 1  # half a CPU still gets one thread
    (tmp_path / "cpu.max").write_text(f"{(affinity + 7) * 100000} 100000\n")
    assert available_cpus(tmp_path) == affinity  # a quota above the affinity does not raise it


def test_cgroup_v1_and_no_cgroup(tmp_path):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("100000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert available_cpus(tmp_path) == 1
    assert available_cpus(tmp_path / "missing") == len(os.sched_getaffinity(0))
