"""The cubegen binary as a user meets it: help, exit codes, one-line errors, plan and inspect."""
import pytest

from conftest import cubegen
from test_interop import recipe, write_input


@pytest.mark.parametrize("command", [[], ["run"], ["plan"], ["validate"], ["inspect"]])
def test_every_command_has_help(binaries, command):
    result = cubegen(*command, "--help")
    assert result.returncode == 0
    assert "USAGE:" in result.stdout


def test_version(binaries):
    assert cubegen("--version").stdout.strip()[0].isdigit()


@pytest.fixture
def workspace(tmp_path):
    write_input(tmp_path / "in_1.nc", [7305.0, 7306.0])
    return tmp_path


def one_line_error(result):
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_invalid_recipe_exits_2_with_location(workspace, binaries):
    r = recipe(workspace, "  crs: EPSG:4326\n  bbox: [0, 0, 10, 10]\n  resolutoin: 1")
    result = cubegen("run", r)
    assert result.returncode == 2
    line = one_line_error(result)
    assert "recipe.yaml:6:3: error: grid.resolutoin: unknown key 'resolutoin'; did you mean 'resolution'?" in line


def test_missing_input_exits_non_zero_naming_the_pattern(workspace, binaries):
    r = recipe(workspace, "  crs: EPSG:4326\n  bbox: [0, 0, 10, 10]\n  resolution: 1")
    r.write_text(r.read_text().replace("in_*.nc", "nothing_*.nc"))
    result = cubegen("run", r)
    assert result.returncode == 2
    assert "nothing_*.nc" in one_line_error(result)


def test_existing_output_is_refused_then_replaced_with_overwrite(workspace, binaries):
    r = recipe(workspace, "  crs: EPSG:4326\n  bbox: [0, 0, 10, 10]\n  resolution: 1")
    cubegen("run", r, check=True)
    # The same recipe on the same inputs: up to date, nothing written.
    same = cubegen("run", r)
    assert same.returncode == 0 and "is up to date: nothing to do" in same.stdout
    # Another recipe for the same output is refused without overwrite.
    r.write_text(r.read_text().replace("resolution: 1", "resolution: 0.5"))
    result = cubegen("run", r)
    assert result.returncode == 4
    assert "already exists" in one_line_error(result)
    assert cubegen("run", r, "--overwrite", "--workers", "1").returncode == 0


def test_plan_prints_grid_chunks_size_and_memory_without_writing(workspace, binaries):
    r = recipe(workspace, "  crs: EPSG:3035\n  bbox: [2500000, 1400000, 7500000, 5500000]\n  resolution: 50000")
    result = cubegen("plan", r, "--workers", "4")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "100 × 82 pixels" in out and "ETRS89-extended / LAEA Europe" in out
    assert "1 × 5 × 4 = 20 tasks, 60 chunks" in out
    assert "uncompressed" in out and "estimated peak" in out and "4 worker(s)" in out
    assert not (workspace / "cube.zarr").exists()


def test_run_logs_plain_progress_lines_when_not_on_a_terminal(workspace, binaries):
    r = recipe(workspace, "  crs: EPSG:4326\n  bbox: [0, 0, 60, 40]\n  resolution: 1")
    result = cubegen("run", r)
    assert result.returncode == 0
    assert "chunks 4/4 (100%)" in result.stderr
    assert "\r" not in result.stderr
    assert result.stdout.startswith("wrote ")


def test_inspect_shows_what_the_store_sees(workspace, binaries):
    result = cubegen("inspect", workspace / "in_1.nc")
    assert result.returncode == 0
    out = result.stdout
    assert "geographic, 360 × 180 (lon × lat)" in out
    assert "89.5 … -89.5, descending, regular, step -1" in out
    assert "2 steps, 2020-01-01 … 2020-01-02" in out
    assert "pk(time=2, lat=180, lon=360) int16" in out and "× 0.001 + 0.0" in out
    bad = cubegen("inspect", workspace / "missing.nc")
    assert bad.returncode == 3 and "missing.nc" in one_line_error(bad)


def test_validate_reports_every_problem(workspace, binaries):
    r = recipe(workspace, "  crs: EPSG:4326\n  bbox: [0, 0, 10]\n  resolution: -1")
    result = cubegen("validate", r)
    assert result.returncode == 2
    assert "grid.bbox" in result.stderr and "grid.resolution" in result.stderr
