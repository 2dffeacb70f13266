"""Start and stop the throw-away PostgreSQL and MariaDB servers the test suite uses.

    python tools/testdb.py start DIR   # installs MariaDB and PostGIS if missing, starts both,
                                       # writes DIR/env.sh
    python tools/testdb.py stop DIR    # stops both servers started in DIR

Missing Debian packages are installed with apt-get: as root directly, else through ``sudo`` (which
may ask for the password); with neither, the run stops with one line naming what to install.

Both listen on free loopback ports, keep their data in DIR, and run with durability off (this data
is thrown away).  DIR/env.sh exports STERNA_TEST_PG_URL and STERNA_TEST_MYSQL_URL: administrator
URLs that the test fixtures use to create one fresh database per test.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

USER = "sterna"
PASSWORD = "sterna-test-pw"
PG_BIN_CANDIDATES = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)  # type: ignore[call-overload, no-any-return]


class NoInstaller(SystemExit):
    """apt-get cannot be run: not root, and no sudo.  Ends the run with its one line, except
    where the package is optional (PostGIS, SpatiaLite)."""


def apt_env() -> dict[str, str]:
    return dict(os.environ, DEBIAN_FRONTEND="noninteractive")


def apt_command(args: list[str], is_root: bool, sudo: str | None, packages: list[str]) -> list[str]:
    """``apt-get ARGS`` as root, else through ``sudo`` (which does not pass the environment on:
    ``env`` sets ``DEBIAN_FRONTEND`` behind it); :class:`NoInstaller` naming ``packages`` when
    neither is available."""
    if is_root:
        return ["apt-get", *args]
    if sudo is None:
        names = " ".join(packages)
        raise NoInstaller(
            f"testdb: {names} missing and cannot be installed (not root, and no sudo): run "
            f"'apt-get install {names}' as root, then run again"
        )
    return [sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", *args]


def apt_get(args: list[str], packages: list[str], check: bool) -> None:
    command = apt_command(args, os.geteuid() == 0, shutil.which("sudo"), packages)
    subprocess.run(command, check=check, env=apt_env())


@cache
def apt_update() -> None:
    """Refresh the package lists once per run, however many packages are installed (called
    once apt_install has found a way to run apt-get)."""
    apt_get(["update", "-qq"], [], check=False)


def apt_install(*packages: str) -> None:
    is_root = os.geteuid() == 0
    apt_command([], is_root, shutil.which("sudo"), list(packages))  # no way to install: stop now
    how = "apt-get" if is_root else "sudo apt-get"
    print(f"testdb: installing {' '.join(packages)} with {how}", file=sys.stderr, flush=True)
    apt_update()
    apt_get(["install", "-y", "-qq", *packages], list(packages), check=True)


def pg_bin() -> Path:
    for cand in PG_BIN_CANDIDATES:
        if Path(cand, "initdb").exists():
            return Path(cand)
    apt_install("postgresql")
    for cand in PG_BIN_CANDIDATES:
        if Path(cand, "initdb").exists():
            return Path(cand)
    raise SystemExit("testdb: PostgreSQL binaries not found after installing")


def ensure_postgis(bindir: Path) -> None:
    """Install Debian's PostGIS for this server's major version when it is missing.

    The GeoAlchemy2 tests (tests/ecosystem/test_geoalchemy2.py) create the extension in their own
    database.  A failed install is reported, not fatal: those tests then fall back to SpatiaLite.
    """
    major = bindir.parent.name
    if Path(f"/usr/share/postgresql/{major}/extension/postgis.control").exists():
        return
    try:
        apt_install(f"postgresql-{major}-postgis-3")
    except (OSError, subprocess.CalledProcessError, NoInstaller) as exc:
        print(f"testdb: PostGIS not installed ({exc}); spatial tests use SpatiaLite", flush=True)
        ensure_spatialite()


def ensure_spatialite() -> None:
    """Install SpatiaLite for SQLite, the fallback of the spatial tests without PostGIS."""
    if list(Path("/usr/lib").glob("*/mod_spatialite.so*")):
        return
    try:
        apt_install("libsqlite3-mod-spatialite")
    except (OSError, subprocess.CalledProcessError, NoInstaller) as exc:
        print(f"testdb: SpatiaLite not installed either ({exc})", flush=True)


def mariadb_bins() -> tuple[str, str]:
    if not shutil.which("mariadbd", path="/usr/sbin:/usr/bin"):
        apt_install("mariadb-server")
    server = shutil.which("mariadbd", path="/usr/sbin:/usr/bin")
    installer = shutil.which("mariadb-install-db", path="/usr/bin:/usr/sbin")
    if not server or not installer:
        raise SystemExit("testdb: mariadbd not found after installing mariadb-server")
    return server, installer


def wait_port(port: int, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"testdb: {what} did not start listening on port {port}")


def as_postgres_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


def start_pg(root: Path) -> str:
    bindir = pg_bin()
    ensure_postgis(bindir)
    data = root / "pg"
    pwfile = root / "pgpw"
    pwfile.write_text(PASSWORD + "\n")
    root.chmod(0o755)
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        for p in (root, pwfile):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    port = free_port()
    prefix = as_postgres_user()
    run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ]
    )
    opts = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
        "-c max_locks_per_transaction=1024"
    )
    run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-l",
            str(root / "pg.log"),
            "-w",
            "start",
        ]
    )
    wait_port(port, "PostgreSQL")
    return f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres"


def start_mariadb(root: Path) -> str:
    server, installer = mariadb_bins()
    data = root / "mysql"
    sock = root / "mysql.sock"
    port = free_port()
    run(
        [
            installer,
            f"--datadir={data}",
            "--user=root",
            "--auth-root-authentication-method=socket",
            "--skip-test-db",
        ]
    )
    args = [
        server,
        "--no-defaults",
        f"--datadir={data}",
        f"--port={port}",
        "--bind-address=127.0.0.1",
        f"--socket={sock}",
        "--user=root",
        f"--pid-file={root / 'mysql.pid'}",
        f"--log-error={root / 'mysql.log'}",
        "--innodb-flush-log-at-trx-commit=0",
        "--skip-log-bin",
        "--innodb-buffer-pool-size=128M",
        "--max-connections=300",
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_general_ci",
    ]
    subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    wait_port(port, "MariaDB")
    client = shutil.which("mariadb") or shutil.which("mysql") or "mariadb"
    sql = (
        f"CREATE USER '{USER}'@'%' IDENTIFIED BY '{PASSWORD}'; "
        f"GRANT ALL PRIVILEGES ON *.* TO '{USER}'@'%' WITH GRANT OPTION; FLUSH PRIVILEGES;"
    )
    run([client, f"--socket={sock}", "-uroot", "-e", sql])
    return f"mysql+pymysql://{USER}:{PASSWORD}@127.0.0.1:{port}/mysql?charset=utf8mb4"


def start(root: Path) -> None:
    if root.exists():
        stop(root)
        shutil.rmtree(root)
    root.mkdir(parents=True)
    pg_url = start_pg(root)
    my_url = start_mariadb(root)
    env = f"export STERNA_TEST_PG_URL='{pg_url}'\nexport STERNA_TEST_MYSQL_URL='{my_url}'\n"
    (root / "env.sh").write_text(env)
    print(env, end="")


def stop(root: Path) -> None:
    data = root / "pg"
    if (data / "postmaster.pid").exists():
        subprocess.run(
            [
                *as_postgres_user(),
                str(pg_bin() / "pg_ctl"),
                "-D",
                str(data),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            check=False,
            capture_output=True,
        )
    pidfile = root / "mysql.pid"
    if pidfile.exists():
        pid = int(pidfile.read_text().strip() or "0")
        if pid:
            try:
                os.kill(pid, 15)
                for _ in range(100):
                    os.kill(pid, 0)
                    time.sleep(0.1)
            except ProcessLookupError:
                pass


def main(argv: list[str]) -> None:
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        raise SystemExit(__doc__)
    root = Path(argv[2]).resolve()
    start(root) if argv[1] == "start" else stop(root)


if __name__ == "__main__":
    main(sys.argv)
