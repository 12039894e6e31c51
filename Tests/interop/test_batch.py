"""Runs that survive and scale out, as a batch user meets them: a killed run resumed, shards on a
real single-node Slurm (started and stopped here, loopback only), Kubernetes manifests validated
offline against the published schemas. Every way of building gives the bytes of one plain run."""
import os
import pathlib
import random
import signal
import shutil
import subprocess
import time

import pytest
import yaml

from conftest import BIN, ROOT, cubegen
from test_interop import recipe, write_input

GRID = "  crs: EPSG:3035\n  bbox: [2500000, 1400000, 7500000, 5500000]\n  resolution: 50000"
# Run-time fields: the lineage and global attributes record when and from which recipe file.
TIMELESS_SKIP = {"lineage.json", ".zattrs", ".zmetadata", ".cubegen/finalized"}


def files(cube):
    root = pathlib.Path(cube)
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def timeless(cube):
    return {k: v for k, v in files(cube).items() if k not in TIMELESS_SKIP}


@pytest.fixture
def workspace(tmp_path):
    for month, days in enumerate([[7305.0, 7306.0, 7307.0], [7308.0, 7309.0, 7310.0]]):
        write_input(tmp_path / f"in_{month}.nc", days)
    return tmp_path


def build(workspace, name, *extra, env=None):
    r = recipe(workspace, GRID, output=f"{name}.zarr")
    shutil.copy(r, workspace / f"{name}.yaml")
    return cubegen("run", workspace / f"{name}.yaml", *extra, check=True)


def test_a_killed_run_resumes_to_the_bytes_of_an_uninterrupted_run(workspace, binaries):
    started = time.monotonic()
    build(workspace, "plain", "--workers", "2")
    duration = time.monotonic() - started
    reference = timeless(workspace / "plain.zarr")
    r = recipe(workspace, GRID, output="killed.zarr")
    rng = random.Random(20261129)
    resumed_any = False
    # Six seeded kills; a few more only while none has landed mid-run (a kill at a random moment
    # can fall before the first task record or after the last on any machine).
    for attempt in range(12):
        if attempt >= 6 and resumed_any:
            break
        shutil.rmtree(workspace / "killed.zarr", ignore_errors=True)
        shutil.rmtree(workspace / "killed.zarr.cubegen-partial", ignore_errors=True)
        process = subprocess.Popen([str(BIN / "cubegen"), "run", str(r), "--workers", "2"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 0.8) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait()
        result = cubegen("run", r, "--workers", "2")
        assert result.returncode == 0, result.stderr
        resumed_any |= "recorded tasks skipped" in result.stdout
        assert timeless(workspace / "killed.zarr") == reference, f"attempt {attempt}"
    assert resumed_any, "no kill landed mid-run (all runs had finished or not started)"


def test_shards_on_slurm_build_the_cube_of_one_process(workspace, binaries, tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the single-node Slurm of the tests runs as root")
    build(workspace, "plain", "--workers", "2")
    r = recipe(workspace, GRID, output="slurm.zarr")
    state = tmp_path_factory.mktemp("slurm")
    env = dict(os.environ, SLURM_CONF=str(state / "slurm.conf"))
    subprocess.run([str(ROOT / "scripts" / "slurm.sh"), "start", str(state)], check=True, timeout=300)
    try:
        dry = cubegen("submit", r, "--slurm", "--shards", "4", "--dry-run")
        assert dry.returncode == 0, dry.stderr
        jobs = workspace / "interop.cubegen-jobs"
        fill = (jobs / "fill.sbatch").read_text()
        assert "#SBATCH --array=0-3" in fill and "--shard auto/4" in fill
        assert "cubegen finalize" in (jobs / "finalize.sbatch").read_text() or " finalize " in (jobs / "finalize.sbatch").read_text()
        result = subprocess.run([str(BIN / "cubegen"), "submit", str(r), "--slurm", "--shards", "4"],
                                capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "submitted job array" in result.stdout
        deadline = time.time() + 180
        while time.time() < deadline and not (workspace / "slurm.zarr" / ".zmetadata").exists():
            time.sleep(0.5)
        assert (workspace / "slurm.zarr" / ".zmetadata").exists(), (jobs / "finalize.log").read_text() if (jobs / "finalize.log").exists() else "no finalize log"
        assert timeless(workspace / "slurm.zarr") == timeless(workspace / "plain.zarr")
        # Every log line of a shard names it.
        for i in range(4):
            lines = [l for l in (jobs / f"fill-{i}.log").read_text().splitlines() if l.strip()]
            assert lines and all(l.startswith(f"[shard {i}/4] ") for l in lines), lines
    finally:
        subprocess.run([str(ROOT / "scripts" / "slurm.sh"), "stop", str(state)], timeout=60)


def test_kubernetes_manifests_validate_against_the_published_schemas(workspace, binaries):
    r = recipe(workspace, GRID, output="s3://cubes/interop.zarr")
    result = cubegen("submit", r, "--kubernetes", "--shards", "3", "--image", "registry.example/cubegen:0.3",
                     "--credentials-secret", "s3-credentials", "--namespace", "cubes")
    assert result.returncode == 0, result.stderr
    jobs = workspace / "interop.cubegen-jobs"
    fill, finalize = jobs / "fill.yaml", jobs / "finalize.yaml"
    validator = pathlib.Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv-oracle")) / "bin" / "kubernetes-validate"
    if not validator.exists():
        validator = ROOT / ".venv-oracle" / "bin" / "kubernetes-validate"
    checked = subprocess.run([str(validator), "--strict", str(fill), str(finalize)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    documents = list(yaml.safe_load_all(fill.read_text()))
    config, job = documents
    assert config["kind"] == "ConfigMap" and "s3://cubes/interop.zarr" in config["data"]["recipe.yaml"]
    assert job["spec"]["completionMode"] == "Indexed" and job["spec"]["completions"] == 3
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][:4] == ["run", "/recipe/recipe.yaml", "--shard", "auto/3"]
    assert container["envFrom"][0]["secretRef"]["name"] == "s3-credentials"
    final = yaml.safe_load(finalize.read_text())
    assert final["spec"]["template"]["spec"]["containers"][0]["args"] == ["finalize", "/recipe/recipe.yaml"]
    # Neither manifest holds a secret value.
    assert "AWS_SECRET_ACCESS_KEY" not in fill.read_text() + finalize.read_text()


def start_holding_the_lease(r, lock, *extra):
    """Starts `cubegen run` on recipe `r` and returns it stopped (SIGSTOP) while it holds its lease
    `lock`, or None when the run finished before that (a fast machine): the caller tries again."""
    process = subprocess.Popen([str(BIN / "cubegen"), "run", str(r), "--workers", "1", *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not lock.exists() and process.poll() is None:
        time.sleep(0.001)
    if process.poll() is None:
        process.send_signal(signal.SIGSTOP)
        if lock.exists():
            return process
        process.send_signal(signal.SIGCONT)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return None


def test_a_second_run_on_the_same_output_refuses_while_the_first_lives(workspace, binaries):
    build(workspace, "plain", "--workers", "1")
    reference = timeless(workspace / "plain.zarr")
    r = recipe(workspace, GRID, output="busy.zarr")
    lock = workspace / "busy.zarr.cubegen-lock"
    # The first run is stopped while it holds the lease, so the checks meet it alive on a machine of
    # any speed; the lease lives two minutes without renewal, far beyond the checks.
    first = None
    for attempt in range(20):
        shutil.rmtree(workspace / "busy.zarr", ignore_errors=True)
        first = start_holding_the_lease(r, lock)
        if first is not None:
            break
    assert first is not None, "the first run finished before its lease was seen in every attempt"
    try:
        status = cubegen("status", r)
        second = cubegen("run", r, "--workers", "1")
        held = lock.exists()
    finally:
        first.send_signal(signal.SIGCONT)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert held, "the second run removed the live run's lease"
    assert second.returncode == 4, second.stderr
    assert "is being written by another run (process" in second.stderr and str(lock) in second.stderr, second.stderr
    assert status.returncode == 0 and "being written now by process" in status.stdout, status.stdout
    assert not lock.exists()
    assert timeless(workspace / "busy.zarr") == reference
    # A lease left by a run killed with -9 does not block the next one.
    killed = None
    for attempt in range(20):
        killed = start_holding_the_lease(r, lock, "--force")
        if killed is not None:
            break
    assert killed is not None, "the run to be killed finished before its lease was seen in every attempt"
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert lock.exists(), "a run killed with -9 leaves its lease behind"
    assert cubegen("run", r, "--workers", "1").returncode == 0
    assert cubegen("status", r, "--check").returncode == 0
    assert timeless(workspace / "busy.zarr") == reference


def test_a_full_disk_fails_cleanly_and_a_rerun_with_space_completes(workspace, binaries, tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    build(workspace, "plain", "--workers", "2")
    reference = timeless(workspace / "plain.zarr")
    size = sum(len(v) for v in files(workspace / "plain.zarr").values())
    mount = tmp_path_factory.mktemp("small-disk")
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size // 2}", "tmpfs", str(mount)], check=True)
    try:
        r = recipe(workspace, GRID, output=str(mount / "full.zarr"))
        result = cubegen("run", r, "--workers", "2")
        assert result.returncode != 0
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]  # besides progress lines
        assert len(errors) == 1 and "no space left on device" in errors[0].lower() and "full.zarr" in errors[0], result.stderr
        assert not (mount / "full.zarr").exists(), "nothing is published"
        subprocess.run(["mount", "-o", f"remount,size={size * 4}", str(mount)], check=True)
        again = cubegen("run", r, "--workers", "2")
        assert again.returncode == 0, again.stderr
        assert "recorded tasks skipped" in again.stdout, again.stdout
        assert timeless(mount / "full.zarr") == reference
    finally:
        subprocess.run(["umount", "-l", str(mount)])
