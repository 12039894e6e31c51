"""Cubes written to S3 through faults, and read back from S3 as users read them.

The S3 service is SeaweedFS on loopback (scripts/test.sh starts it and exports
CUBEGEN_TEST_S3_ENDPOINT / _ACCESS_KEY / _SECRET_KEY); between cubegen and it sits our own
fault-injecting proxy (s3_fault_proxy.py). Checked:

* (a) with ~30 % of requests faulted (503 SlowDown, 500, 400 RequestTimeout, a reset mid-answer,
  a stall past the client's read timeout) the run completes and every chunk and metadata object is
  byte-identical to a fault-free run to another prefix;
* (b) with every request faulted, from the start or midway, the run fails cleanly within a bounded
  time: exit non-zero, a one-line error naming the bucket/key or endpoint, and no consolidated
  metadata (`.zmetadata`, root `zarr.json`) under the output prefix;
* (c) the proxy itself: its schedule is a pure function of the seed, and each fault looks on the
  wire as it should (these need no S3 service);
* a cube built to S3 opens with xarray (zarr-python + s3fs) straight from the bucket without a
  warning and holds the same values as the same recipe built locally: Zarr v2, and v3 with shards.
"""
import collections
import http.client
import http.server
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
import warnings

import pytest
import xarray as xr

from conftest import BIN
from s3_fault_proxy import KINDS, FaultProxy, FaultSchedule
from test_interop import DAYS, write_input

ENDPOINT = os.environ.get("CUBEGEN_TEST_S3_ENDPOINT")
KEY = os.environ.get("CUBEGEN_TEST_S3_ACCESS_KEY", "")
SECRET = os.environ.get("CUBEGEN_TEST_S3_SECRET_KEY", "")
needs_s3 = pytest.mark.skipif(
    not ENDPOINT,
    reason="needs an S3 service: CUBEGEN_TEST_S3_ENDPOINT (+ _ACCESS_KEY, _SECRET_KEY) unset; "
           "`make test` (scripts/test.sh) starts SeaweedFS on loopback and sets them")

VARIABLES = "tas: {}\n      wet: {}\n      pk: {resampling: nearest, dtype: int16, scale_factor: 0.001, fill_value: -32768}"
V3 = "  format: zarr3\n  shards: {time: 4, y: 16, x: 30}\n  checksum: crc32c\n"
EPOCH = "1767225600"  # SOURCE_DATE_EPOCH: the same creation time in every run
RUN_LIMIT = 300  # seconds any one cubegen run may take here


# --- the proxy alone (no S3 service needed) ---------------------------------------------------------

def test_schedule_is_deterministic_for_a_seed():
    requests = [(m, f"/bucket/p/tas/{i}.{j}.0", a) for m in ("PUT", "GET") for i in range(20) for j in range(10)
                for a in range(3)]
    first = [FaultSchedule(seed=11, fraction=0.25).decide(*r) for r in requests]
    again = [FaultSchedule(seed=11, fraction=0.25).decide(*r) for r in reversed(requests)][::-1]
    assert first == again  # order of asking does not matter either
    other = [FaultSchedule(seed=12, fraction=0.25).decide(*r) for r in requests]
    assert first != other
    # The given fraction of first attempts is faulted; never a third attempt in a row (max_consecutive 2).
    firsts = [f for r, f in zip(requests, first) if r[2] == 0]
    assert 0.18 < sum(f is not None for f in firsts) / len(firsts) < 0.32
    assert all(f is None for r, f in zip(requests, first) if r[2] >= 2)
    assert set(first) == set(KINDS) | {None}
    # `all` faults every attempt, with only the kinds asked for; `pass` none.
    every = [FaultSchedule(seed=3, mode="all", kinds=["slowdown", "reset"]).decide(*r) for r in requests]
    assert set(every) == {"slowdown", "reset"}
    assert {FaultSchedule(seed=3, mode="pass").decide(*r) for r in requests} == {None}
    # The command line prints the same schedule.
    script = pathlib.Path(__file__).with_name("s3_fault_proxy.py")
    printed = subprocess.run([sys.executable, script, "--mode", "fraction", "--seed", "11", "--print-schedule", "50"],
                             capture_output=True, text=True, timeout=60, check=True).stdout.split()
    schedule = FaultSchedule(seed=11, fraction=0.25)
    assert printed == [schedule.decide("GET", f"/b/k{i}", 0) or "-" for i in range(50)]


class _Upstream(http.server.BaseHTTPRequestHandler):
    """A stand-in S3 service: echoes the Host it received; GET returns 1000 bytes, PUT stores nothing."""
    protocol_version = "HTTP/1.1"
    seen = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).seen.append((self.command, self.path, self.headers["Host"]))
        body = bytes(range(250)) * 4
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-echo-host", self.headers["Host"])
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append((self.command, self.path, self.headers["Host"], body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.send_header("ETag", '"x"')
        self.end_headers()


@pytest.fixture
def upstream():
    _Upstream.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def request(url, method, path, body=None, host="signed.example:1234", timeout=10):
    host_, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host_, int(port), timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=True)
        conn.putheader("Host", host)
        conn.putheader("Content-Length", str(len(body or b"")))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_proxy_forwards_unchanged_and_injects_each_fault(upstream, tmp_path):
    log = tmp_path / "requests.jsonl"
    with FaultProxy(upstream, log, mode="pass", lifetime=60) as proxy:
        status, headers, body = request(proxy.url, "GET", "/b/key?x=1")
        assert (status, headers["x-echo-host"], body) == (200, "signed.example:1234", bytes(range(250)) * 4)
        assert request(proxy.url, "PUT", "/b/new", b"abc")[0] == 200
    assert _Upstream.seen[-1] == ("PUT", "/b/new", "signed.example:1234", b"abc")  # Host kept, body intact
    # Each kind alone, every request faulted.
    for kind, status, code in [("slowdown", 503, "SlowDown"), ("internal", 500, "InternalError"),
                               ("request-timeout", 400, "RequestTimeout")]:
        before = len(_Upstream.seen)
        with FaultProxy(upstream, log, mode="all", kinds=[kind], lifetime=60) as proxy:
            got, headers, body = request(proxy.url, "PUT", "/b/k", b"abc")
        assert got == status and f"<Code>{code}</Code>" in body.decode() and "<Resource>/b/k</Resource>" in body.decode()
        assert len(_Upstream.seen) == before  # not forwarded
    with FaultProxy(upstream, log, mode="all", kinds=["reset"], lifetime=60) as proxy:
        with pytest.raises((http.client.IncompleteRead, ConnectionError)):
            request(proxy.url, "GET", "/b/big")  # the answer is cut after half the body
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            request(proxy.url, "PUT", "/b/written", b"abc")  # forwarded, then the (empty) answer is cut
    assert _Upstream.seen[-1][:2] == ("PUT", "/b/written")
    with FaultProxy(upstream, log, mode="all", kinds=["stall"], stall_seconds=30, lifetime=60) as proxy:
        started = time.monotonic()
        with pytest.raises((socket.timeout, TimeoutError)):
            request(proxy.url, "GET", "/b/slow", timeout=1.0)
        assert time.monotonic() - started < 5
        # The stalled connection is given up by the client; the proxy notices and logs it.
        for _ in range(40):
            if any(e["fault"] == "stall" for e in proxy.entries):
                break
            time.sleep(0.1)
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["fault"] for e in entries] == [None, None, "slowdown", "internal", "request-timeout", "reset",
                                             "reset", "stall"]
    assert entries[0]["method"] == "GET" and entries[0]["path"] == "/b/key?x=1" and entries[0]["status"] == 200
    assert entries[-1]["status"] is None and entries[-1]["seconds"] < 10


def test_proxy_refuses_non_loopback_upstreams():
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy("http://192.0.2.1:80")
    with pytest.raises(ValueError, match="mode"):
        FaultSchedule(mode="sometimes")


# --- cubes through the proxy --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def s3():
    s3fs = pytest.importorskip("s3fs")
    fs = s3fs.S3FileSystem(key=KEY, secret=SECRET, client_kwargs={"endpoint_url": ENDPOINT},
                           skip_instance_cache=True, use_listings_cache=False)
    return fs


@pytest.fixture(scope="module")
def bucket(s3):
    name = f"cubegen-faults-{uuid.uuid4().hex[:10]}"
    s3.mkdir(name)
    return name


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("s3faults")
    write_input(tmp / "in_1.nc", DAYS)
    return tmp


def recipe(workspace, name, path, endpoint=None, output=""):
    """The small cube (62 × 41 × 3, 3 variables, 252 chunks) written to `path`."""
    options = f"  storage_options: {{endpoint_url: \"{endpoint}\"}}\n" if endpoint else ""
    text = f"""version: 1
cube: {{id: s3-faults, title: S3 fault test cube, license: CC0-1.0}}
grid:
  crs: EPSG:4326
  bbox: [-10, 10, 21, 30.5]
  resolution: 0.5
sources:
  - name: src
    store: netcdf
    paths: [in_*.nc]
    variables:
      {VARIABLES}
output:
  path: {path}
  chunks: {{time: 2, y: 8, x: 10}}
  compressor: {{id: blosc, cname: zstd, clevel: 5, shuffle: shuffle}}
{options}{output}"""
    file = workspace / f"{name}.yaml"
    file.write_text(text)
    return file


def run(recipe_path, timeout=RUN_LIMIT):
    """cubegen run with the test service's credentials in the environment; returns (result, seconds)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1",
               AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
               SOURCE_DATE_EPOCH=EPOCH)
    started = time.monotonic()
    result = subprocess.run([str(BIN / "cubegen"), "run", str(recipe_path)], capture_output=True, text=True,
                            env=env, timeout=timeout, cwd=recipe_path.parent)
    return result, time.monotonic() - started


def objects(s3, prefix):
    """{key relative to prefix: bytes} of every object under prefix/."""
    keys = [k for k in s3.find(prefix) if k.startswith(prefix + "/") and not k.endswith("/")]  # no folder markers
    return {k[len(prefix) + 1:]: s3.cat_file(k) for k in keys}


def metadata_document(key):
    return pathlib.PurePosixPath(key).name in (".zarray", ".zattrs", ".zgroup", ".zmetadata", "zarr.json")


def json_differences(a, b, path=""):
    """Paths of the leaves where two JSON documents differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in json_differences(a.get(k), b.get(k), f"{path}/{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in json_differences(x, y, f"{path}/{i}")]
    return [] if a == b else [path]


# Fields of the lineage and STAC documents that describe the run rather than the cube.
RUN_TIME_FIELDS = ("seconds", "duration", "elapsed", "wall", "started", "finished", "host", "pid", "rss",
                   "memory", "requests", "retries", "attempts", "workers", "cache", "hits", "reads")


@pytest.fixture(scope="module")
def proxy(workspace):
    """One proxy for the module: the same endpoint URL (so the same recipe text) in every run."""
    with FaultProxy(ENDPOINT, workspace / "requests.jsonl", mode="pass", lifetime=1800) as p:
        yield p


@pytest.fixture(scope="module")
def faults_recipe(workspace, bucket, proxy):
    return recipe(workspace, "faults", f"s3://{bucket}/faults/cube.zarr", proxy.url)


@pytest.fixture(scope="module")
def clean_run(s3, bucket, proxy, faults_recipe, binaries):
    """The fault-free reference, counted through the proxy in pass mode. Its objects are kept here and
    removed from the bucket, so the faulted run writes the same recipe (byte for byte: the recipe's
    SHA-256 and name are in the cube's attributes) to the same, now empty, prefix."""
    proxy.reconfigure(mode="pass")
    result, seconds = run(faults_recipe)
    entries = proxy.entries
    assert result.returncode == 0, result.stderr
    assert {e["fault"] for e in entries} == {None}
    prefix = f"{bucket}/faults"
    clean = objects(s3, prefix)
    s3.rm(prefix, recursive=True)
    assert not objects(s3, prefix)
    return clean, entries, seconds


@needs_s3
def test_faulted_run_completes_with_the_same_objects(s3, bucket, proxy, faults_recipe, clean_run):
    clean, clean_entries, clean_seconds = clean_run
    proxy.reconfigure(mode="fraction", fraction=0.3, seed=2026, max_stalls=1)
    result, seconds = run(faults_recipe)
    entries = proxy.entries
    assert result.returncode == 0, result.stderr
    faults = collections.Counter(e["fault"] for e in entries)
    print(f"faulted run: {seconds:.1f} s ({clean_seconds:.1f} s without faults), {len(entries)} requests "
          f"({len(clean_entries)} without faults), {dict(faults)}")
    assert set(faults) == set(KINDS) | {None}, faults  # every kind was met, and got through
    assert 0.15 < sum(n for f, n in faults.items() if f) / len(entries) < 0.45
    # Every request answered with a fault before it reached the service was tried again and answered.
    answered = {(e["method"], e["path"]) for e in entries if e["fault"] is None and e["status"] and e["status"] < 500}
    unanswered = [e for e in entries if e["fault"] not in (None, "reset") and (e["method"], e["path"]) not in answered]
    assert not unanswered, unanswered
    # The stall cost the client its read timeout (30 s), then it retried.
    stall = next(e for e in entries if e["fault"] == "stall")
    assert 25 < stall["seconds"] < 45, stall

    faulty = objects(s3, f"{bucket}/faults")
    assert sorted(faulty) == sorted(clean)
    chunks = [k for k in clean if re.fullmatch(r"cube\.zarr/(tas|wet|pk)/[0-9.]+", k)]
    assert len(chunks) >= 3 * 84 - 3 * 10, sorted(clean)  # 3 variables × 84 chunks (all-fill ones may be left out)
    documents = [k for k in clean if metadata_document(k)]
    assert {"cube.zarr/.zmetadata", "cube.zarr/.zattrs", "cube.zarr/tas/.zarray"} <= set(documents)
    for key in chunks + documents:
        assert faulty[key] == clean[key], key
    for key in clean:
        if key.endswith(".json") and not metadata_document(key):  # lineage, STAC: only run-time fields may differ
            differences = json_differences(json.loads(clean[key]), json.loads(faulty[key]))
            assert all(any(f in d.lower() for f in RUN_TIME_FIELDS) for d in differences), (key, differences)
        else:  # chunks.sha256, coordinates, quick-looks
            assert faulty[key] == clean[key], key


@needs_s3
@pytest.mark.parametrize("format_, start_after", [("v2", 0), ("v2", "half"), ("v3", "half")])
def test_every_request_faulted_fails_cleanly_and_bounded(s3, bucket, workspace, proxy, format_, start_after):
    output = V3 if format_ == "v3" else ""
    prefix = f"{bucket}/failing-{format_}-{start_after}"
    skip = 0
    if start_after == "half":  # faults from the middle of the run on: count a fault-free run's requests first
        proxy.reconfigure(mode="pass")
        reference, _ = run(recipe(workspace, f"count-{format_}", f"s3://{prefix}-count/cube.zarr", proxy.url, output))
        assert reference.returncode == 0, reference.stderr
        skip = len(proxy.entries) // 2
    # Fast faults only (a stall costs 30 s a try): the bound is the retry policy's, not the timeouts'.
    proxy.reconfigure(mode="all", seed=5, start_after=skip, kinds=["slowdown", "internal", "reset", "request-timeout"])
    r = recipe(workspace, f"failing-{format_}", f"s3://{prefix}/cube.zarr", proxy.url, output=output)
    result, seconds = run(r, timeout=150)
    entries = proxy.entries
    assert result.returncode != 0
    assert seconds < 120, seconds
    # Progress lines ("chunks 9/84 …") may come first; the error is one line.
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("chunks ")]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert bucket in lines[0] or proxy.url.removeprefix("http://") in lines[0], lines[0]
    assert KEY not in lines[0] and SECRET not in lines[0]
    assert sum(e["fault"] is not None for e in entries) > 0
    left = list(objects(s3, prefix))
    assert ".zmetadata" not in left and "zarr.json" not in left, left
    if skip:
        assert left, "the run should have written some chunks before the faults began"


# --- reading cubes from S3 as users do ------------------------------------------------------------------

def open_strict(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = xr.open_zarr(path, **kwargs)
        ds.load()
    return ds


@needs_s3
@pytest.mark.parametrize("format_", ["v2", "v3"])
def test_cube_on_s3_opens_in_xarray_with_the_local_values(s3, bucket, workspace, binaries, format_):
    output = V3 if format_ == "v3" else ""
    result, _ = run(recipe(workspace, f"local-{format_}", f"local-{format_}.zarr", output=output))
    assert result.returncode == 0, result.stderr
    prefix = f"{bucket}/xarray-{format_}"
    result, _ = run(recipe(workspace, f"s3-{format_}", f"s3://{prefix}/cube.zarr", ENDPOINT, output=output))
    assert result.returncode == 0, result.stderr
    options = {"endpoint_url": ENDPOINT, "key": KEY, "secret": SECRET}
    remote = open_strict(f"s3://{prefix}/cube.zarr", storage_options=options)
    local = open_strict(workspace / f"local-{format_}.zarr")
    assert set(remote.data_vars) >= {"tas", "wet", "pk"}
    assert remote.sizes == local.sizes and remote.sizes["time"] == 3
    # Only the recipe's name and SHA-256 differ (the output path is in the recipe).
    for attr in ("history", "cubegen_recipe_sha256"):
        assert remote.attrs.pop(attr) != local.attrs.pop(attr)
    xr.testing.assert_identical(remote, local)
    assert float(remote.tas.isel(time=0).mean()) > 200  # values, not just fill
    if format_ == "v3":
        import zarr
        group = zarr.open_group(f"s3://{prefix}/cube.zarr", mode="r", storage_options=options)
        assert group.metadata.zarr_format == 3
        assert group["tas"].shards == (4, 16, 30) and group["tas"].chunks == (2, 8, 10)


@needs_s3
def test_a_run_killed_mid_upload_resumes_to_the_same_objects(s3, bucket, workspace, binaries):
    """kill -9 at seeded moments of a run writing to S3, then the same command again: the cube equals an
    uninterrupted run's (every chunk, array document, checksum list, task record and layout record)."""
    import random
    import signal
    path = f"s3://{bucket}/killed/cube.zarr"
    killed_recipe = recipe(workspace, "killed", path, ENDPOINT)
    result, duration = run(killed_recipe)
    assert result.returncode == 0, result.stderr
    prefix = f"{bucket}/killed"
    skip = {"cube.zarr/lineage.json", "cube.zarr/.zattrs", "cube.zarr/.zmetadata", "cube.zarr/.cubegen/finalized"}
    reference = {k: v for k, v in objects(s3, prefix).items() if k.startswith("cube.zarr/") and k not in skip}
    assert any(k.startswith("cube.zarr/.cubegen/tasks/") for k in reference)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1",
               AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent", SOURCE_DATE_EPOCH=EPOCH)
    rng = random.Random(20261129)
    resumed = 0
    # Four seeded kills; a few more only while none has landed mid-run (a kill at a random moment
    # can fall before the first task record or after the last on any machine).
    for attempt in range(10):
        if attempt >= 4 and resumed:
            break
        s3.rm(prefix, recursive=True)
        process = subprocess.Popen([str(BIN / "cubegen"), "run", str(killed_recipe), "--workers", "2"], env=env,
                                   cwd=workspace, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 0.8) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait()
        again, _ = run(killed_recipe)
        assert again.returncode == 0, again.stderr
        resumed += "recorded tasks skipped" in again.stdout
        now = {k: v for k, v in objects(s3, prefix).items() if k.startswith("cube.zarr/") and k not in skip}
        assert sorted(now) == sorted(reference), f"attempt {attempt}"
        assert [k for k in reference if now[k] != reference[k]] == [], f"attempt {attempt}"
    assert resumed, "no kill landed mid-run"
