"""A throw-away pgstac STAC API on loopback: a PostgreSQL 15 cluster (Debian's postgresql-15 +
postgresql-15-postgis-3) made by initdb in a temporary folder, `pypgstac migrate`d, loaded with a
collection and items by `pypgstac load`, and served by stac-fastapi-pgstac under uvicorn. Both
servers listen on 127.0.0.1 only and are stopped (and the folder removed) on exit.

PostgreSQL refuses to run as root: as root, the cluster's commands run as the `postgres` user
(created by the Debian package) through runuser, and the folder is handed to that user.
The Python side (pypgstac, stac-fastapi-pgstac, uvicorn) lives in its own venv, made by
scripts/setup-pgstac.sh (default ROOT/.venv-pgstac, or CUBEGEN_PGSTAC_VENV)."""
import json
import os
import pathlib
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin():
    """The folder of initdb/pg_ctl: `pg_config --bindir`, else Debian's PostgreSQL 15 folder."""
    for candidate in [os.environ.get("CUBEGEN_PG_BIN"), "/usr/lib/postgresql/15/bin"]:
        if candidate and (pathlib.Path(candidate) / "initdb").exists():
            return pathlib.Path(candidate)
    raise FileNotFoundError("PostgreSQL 15 is missing: scripts/setup-pgstac.sh installs postgresql-15 and postgresql-15-postgis-3")


def pgstac_venv():
    venv = pathlib.Path(os.environ.get("CUBEGEN_PGSTAC_VENV", ROOT / ".venv-pgstac"))
    if not (venv / "bin" / "pypgstac").exists():
        raise FileNotFoundError(f"{venv}/bin/pypgstac is missing: scripts/setup-pgstac.sh makes the pgstac venv")
    return venv


class PgSTACServer:
    """`with PgSTACServer(collection, items) as api:` — `api.url` is the STAC API root."""

    def __init__(self, collection, items):
        self.collection, self.items = collection, items
        # scripts/test.sh gives a folder whose leftovers it stops whatever happens (scripts/pgstac-cleanup.sh).
        self.parent = os.environ.get("CUBEGEN_PGSTAC_WORK")
        self.bin, self.venv = postgres_bin(), pgstac_venv()
        self.as_postgres = os.geteuid() == 0
        self.processes = []
        self.cluster_started = False

    # --- PostgreSQL -------------------------------------------------------------------------------

    def _pg(self, *args, check=True):
        command = [str(self.bin / args[0]), *map(str, args[1:])]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd="/")
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")
        return done

    def _start_cluster(self):
        self.folder = pathlib.Path(tempfile.mkdtemp(prefix="cubegen-pgstac-", dir=self.parent))
        self.data = self.folder / "data"
        self.data.mkdir()
        if self.as_postgres:
            postgres = pwd.getpwnam("postgres")
            for path in (self.folder, self.data):
                os.chown(path, postgres.pw_uid, postgres.pw_gid)
        self._pg("initdb", "-D", self.data, "--username=postgres", "--auth=trust", "--encoding=UTF8", "--no-sync")
        self.pg_port = free_port()
        options = (f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.data} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._pg("pg_ctl", "-D", self.data, "-l", self.data / "postgres.log", "-o", options, "-w", "-t", "60", "start")
        self.cluster_started = True
        self.dsn = f"postgresql://postgres:unused@127.0.0.1:{self.pg_port}/postgres"

    def _pypgstac(self, *args):
        done = subprocess.run([str(self.venv / "bin" / "pypgstac"), *map(str, args), "--dsn", self.dsn],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"pypgstac {' '.join(map(str, args))} failed: {done.stdout}{done.stderr}")

    def _load(self):
        self._pypgstac("migrate")
        (self.folder / "collections.ndjson").write_text(json.dumps(self.collection) + "\n")
        (self.folder / "items.ndjson").write_text("".join(json.dumps(item) + "\n" for item in self.items))
        self._pypgstac("load", "collections", self.folder / "collections.ndjson", "--method", "insert")
        self._pypgstac("load", "items", self.folder / "items.ndjson", "--method", "insert")

    # --- stac-fastapi-pgstac ------------------------------------------------------------------------

    def _start_api(self):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        settings = {"host": "127.0.0.1", "port": str(self.pg_port), "user": "postgres", "password": "unused", "dbname": "postgres"}
        env = {**os.environ,
               # stac-fastapi-pgstac ≥ 5 reads libpq's names; older releases read POSTGRES_*.
               "PGHOST": settings["host"], "PGPORT": settings["port"], "PGUSER": settings["user"],
               "PGPASSWORD": settings["password"], "PGDATABASE": settings["dbname"],
               "POSTGRES_HOST_READER": settings["host"], "POSTGRES_HOST_WRITER": settings["host"],
               "POSTGRES_PORT": settings["port"], "POSTGRES_USER": settings["user"], "POSTGRES_PASS": settings["password"],
               "POSTGRES_DBNAME": settings["dbname"], "ENABLE_TRANSACTIONS_EXTENSIONS": "false",
               "DB_MIN_CONN_SIZE": "1", "DB_MAX_CONN_SIZE": "4",
               "STAC_FASTAPI_TITLE": "cubegen test pgstac", "STAC_FASTAPI_DESCRIPTION": "loopback test server",
               "STAC_FASTAPI_LANDING_ID": "cubegen-test", "STAC_FASTAPI_VERSION": "0"}
        self.api_log = open(self.folder / "api.log", "w")
        process = subprocess.Popen([str(self.venv / "bin" / "python"), "-m", "uvicorn", "stac_fastapi.pgstac.app:create_app", "--factory",
                                    "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                                   stdout=self.api_log, stderr=subprocess.STDOUT, env=env, cwd=self.folder)
        self.processes.append(process)
        (self.folder / "api.pid").write_text(str(process.pid))
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).read()
                return
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"stac-fastapi-pgstac did not start: {(self.folder / 'api.log').read_text()[-3000:]}")
                time.sleep(0.2)

    def __enter__(self):
        try:
            self._start_cluster()
            self._load()
            self._start_api()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if getattr(self, "api_log", None):
            self.api_log.close()
        if self.cluster_started:
            self._pg("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
            self.cluster_started = False
        if getattr(self, "folder", None):
            shutil.rmtree(self.folder, ignore_errors=True)
