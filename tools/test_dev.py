"""Checks that ./dev sets up PostgreSQL and checks its HTTP ports from any folder.

Copies of ./dev run in temporary folders, with only their PostgreSQL and port
parts (``./dev postgres``, ``./dev postgres stop``, and ``./dev run`` or
``./dev test`` on busy ports, which stop before setting anything up):

- a path with spaces, and a second clone beside it, both clusters running at
  once on the same port with their sockets in their own folders;
- a stale postmaster.pid after a crash, naming a live process that is not
  PostgreSQL;
- a path too long for a unix socket;
- a private folder of root's home (as root only): the cluster goes to
  postgres's home;
- busy HTTP ports.

Every cluster and folder it makes is removed at the end, even on failure.
Needs PostgreSQL's server (the 'postgresql' package), not Odoo::

    python3 tools/test_dev.py
"""

import glob
import hashlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AS_ROOT = os.geteuid() == 0
OWNER = "postgres" if AS_ROOT else None
PGPORT = "5432"
SOCKET_MAX = 107


class Failure(Exception):
    pass


def check(condition, message, output=""):
    if not condition:
        raise Failure(message + (f"\n--- output of ./dev:\n{output}" if output else ""))


def pg_bin():
    for path in sorted(glob.glob("/usr/lib/postgresql/*/bin")):
        if os.access(os.path.join(path, "pg_ctl"), os.X_OK):
            return path
    raise Failure("PostgreSQL's server is not installed: install the 'postgresql' package")


def key(path):
    """The short hash ./dev names a project's folders with."""
    return hashlib.sha1(os.path.realpath(path).encode()).hexdigest()[:12]


def plain(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def as_owner(command, **kwargs):
    if OWNER:
        command = ["runuser", "-u", OWNER, "--", *command]
    return subprocess.run(command, cwd="/", capture_output=True, text=True, **kwargs)


def dev_env(**extra):
    """The environment of a user's shell: nothing of a running ./dev. Odoo's
    source points nowhere and git may not fetch, so that a command meant to stop
    early cannot go on to set Odoo up."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PG") and name not in ("ODOO_RC", "HTTP_PORT")
    }
    env.update(ODOO_SRC="/nonexistent/odoo", GIT_ALLOW_PROTOCOL="file", **extra)
    return env


class Sandbox:
    """The projects, clusters, folders and processes made here, all removed by
    ``cleanup``."""

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix="dev-test-")
        os.chmod(self.base, 0o755)  # reachable by 'postgres'
        self.paths = [self.base]
        self.data_dirs = []
        self.processes = []
        self.sockets = []
        self.postgres_home = pwd.getpwnam("postgres").pw_dir if AS_ROOT else None
        self.empty_folders = []  # removed when empty
        if AS_ROOT and not os.path.exists(os.path.join(self.postgres_home, "client_balance")):
            self.empty_folders.append(os.path.join(self.postgres_home, "client_balance"))

    def project(self, path):
        """A copy of ./dev in ``path``; the places its cluster may take."""
        os.makedirs(path, exist_ok=True)
        shutil.copy2(os.path.join(ROOT, "dev"), os.path.join(path, "dev"))
        self.data_dirs.append(os.path.join(path, ".local", "pg", "data"))
        elsewhere = [f"/tmp/client_balance-{key(path)}"]
        if self.postgres_home:
            away = os.path.join(self.postgres_home, "client_balance", key(path))
            elsewhere.append(away)
            self.data_dirs.append(os.path.join(away, "data"))
        for folder in elsewhere:
            check(not os.path.exists(folder), f"{folder} exists before the test made {path}")
            self.paths.append(folder)
        return path

    def private_folder(self):
        folder = tempfile.mkdtemp(prefix="dev-test-", dir=pwd.getpwuid(0).pw_dir)  # mode 700
        self.paths.append(folder)
        return folder

    def cleanup(self):
        for sock in self.sockets:
            sock.close()
        for process in self.processes:
            process.kill()
            process.wait()
        for data in self.data_dirs:
            if os.path.exists(os.path.join(data, "postmaster.pid")):
                as_owner([f"{pg_bin()}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"])
        for path in self.paths:
            shutil.rmtree(path, ignore_errors=True)
        for folder in self.empty_folders:
            if os.path.isdir(folder) and not os.listdir(folder):
                os.rmdir(folder)


def dev(project, *args, expect_ok=True, **env):
    result = subprocess.run(
        ["./dev", *args],
        cwd=project,
        env=dev_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = plain(result.stdout + result.stderr)
    if expect_ok:
        check(result.returncode == 0, f"./dev {' '.join(args)} failed in {project}", output)
    return result, output


def dev_postgres(project):
    """``./dev postgres``: its output, and what it prints of the cluster."""
    result, output = dev(project, "postgres")
    info = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    check({"data", "socket", "port"} <= set(info), "./dev postgres printed no cluster", output)
    conf = os.path.join(project, ".local", "odoo.conf")
    with open(conf, encoding="utf-8") as handle:
        db_host = re.search(r"^db_host = (.*)$", handle.read(), re.M).group(1)
    check(db_host == info["socket"], f"{conf} has db_host = {db_host}, not {info['socket']}")
    length = len(os.path.join(info["socket"], f".s.PGSQL.{PGPORT}").encode())
    check(length <= SOCKET_MAX, f"the socket's path is {length} bytes long: {info['socket']}")
    answered = psql(info["socket"], "SELECT current_setting('data_directory')")
    check(answered == info["data"], f"the socket {info['socket']} answers for {answered}")
    check(psql(info["socket"], "SHOW port") == PGPORT, "the cluster is not on port 5432")
    return info, output


def psql(sock, query):
    connect = ["-h", sock, "-p", PGPORT, "-U", "odoo", "-d", "postgres"]
    result = subprocess.run(
        [f"{pg_bin()}/psql", *connect, "-tAc", query],
        capture_output=True,
        text=True,
        timeout=30,
    )
    check(result.returncode == 0, f"psql through {sock} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def running(data):
    return as_owner([f"{pg_bin()}/pg_ctl", "-D", data, "status"]).returncode == 0


def dev_stop(project, data):
    _result, output = dev(project, "postgres", "stop")
    check(f"stopped the PostgreSQL cluster in {data}" in output, "./dev postgres stop", output)
    check(not running(data), f"the cluster in {data} still runs after ./dev postgres stop")


def children(pid):
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat, encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == str(pid):
            found.append(int(stat.split("/")[2]))
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def crash(data, sock, sandbox, reused):
    """Kill the postmaster outright; with ``reused``, give its PID to a live
    process of the cluster's owner that is not PostgreSQL, as after a reboot:
    postmaster.pid and the socket's lock file name it. Returns the PID they
    name."""
    with open(os.path.join(data, "postmaster.pid"), encoding="utf-8") as handle:
        postmaster = int(handle.readline())
    doomed = [postmaster, *children(postmaster)]
    os.kill(postmaster, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in doomed):
        check(time.monotonic() < deadline, "the killed postmaster's processes do not exit")
        time.sleep(0.1)
    if not reused:
        return postmaster
    stranger = subprocess.Popen(["sleep", "600"], cwd="/", user=OWNER)
    sandbox.processes.append(stranger)
    lock = os.path.join(sock, f".s.PGSQL.{PGPORT}.lock")
    for path in (os.path.join(data, "postmaster.pid"), lock):
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
        lines[0] = str(stranger.pid)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines))
    return stranger.pid


def busy_port(sandbox):
    """A port something listens on, with the four below it free."""
    for _attempt in range(20):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        if port > 1028 and all(free(port - offset) for offset in range(1, 5)):
            sandbox.sockets.append(sock)
            return port
        sock.close()
    raise Failure("no free port found")


def free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def scenarios(sandbox):
    """(name, function) of each case, in order; some use the clusters of
    earlier ones."""
    state = {}

    def spaces():
        first = sandbox.project(os.path.join(sandbox.base, "my project", "client balance"))
        info, _output = dev_postgres(first)
        check(info["data"] == os.path.join(first, ".local", "pg", "data"), "not in .local/pg")
        check(info["socket"] == os.path.join(first, ".local", "pg", "sock"), "not in .local/pg")
        state["first"] = first, info
        return f"cluster and socket in {first}/.local/pg"

    def second_clone():
        _first, first_info = state["first"]
        second = sandbox.project(os.path.join(sandbox.base, "my project", "client balance 2"))
        info, _output = dev_postgres(second)
        check(info["data"] != first_info["data"], "the second clone uses the first one's cluster")
        check(running(first_info["data"]), "the first clone's cluster stopped")
        answered = psql(first_info["socket"], "SELECT current_setting('data_directory')")
        check(answered == first_info["data"], "the first clone's socket answers for another")
        state["second"] = second, info
        return "both clusters run on port 5432, each on its own socket"

    def stale_pid():
        first, info = state["first"]
        for reused in (False, True):
            pid = crash(info["data"], info["socket"], sandbox, reused)
            if reused:
                check(running(info["data"]), "pg_ctl does not take postmaster.pid for a server")
            _info, output = dev_postgres(first)
            check(
                f"removing the stale postmaster.pid a crash left in {info['data']} (PID {pid} "
                in output,
                "./dev postgres did not say it removed the stale postmaster.pid",
                output,
            )
        check(alive(pid), "the process that got the PID was killed")
        return "removed (its PID gone, then given to a sleep) and the cluster restarted"

    def long_path():
        path = os.path.join(sandbox.base, "a" * 70, "client balance")
        long = sandbox.project(path)
        info, output = dev_postgres(long)
        sock = f"/tmp/client_balance-{key(long)}"
        check(info["socket"] == sock, f"the socket is in {info['socket']}, not {sock}", output)
        check(f"PostgreSQL's unix socket is in {sock}" in output, "no word of the socket", output)
        check(oct(os.stat(sock).st_mode & 0o777) == "0o700", f"{sock} is open to others")
        state["long"] = long, info
        return f"socket in {sock}"

    def private_folder():
        if not AS_ROOT:
            return "skipped: only as root"
        project = sandbox.project(os.path.join(sandbox.private_folder(), "client_balance"))
        away = os.path.join(sandbox.postgres_home, "client_balance", key(project))
        info, output = dev_postgres(project)
        check(info["data"] == os.path.join(away, "data"), f"the cluster is not in {away}", output)
        check(info["socket"] == os.path.join(away, "sock"), f"the socket is not in {away}")
        check(f"the PostgreSQL cluster of this project is in {away}" in output, "no word", output)
        dev_stop(project, info["data"])
        again, output = dev_postgres(project)
        check(again["data"] == info["data"], "a second ./dev postgres moved the cluster", output)
        check("creating a PostgreSQL cluster" not in output, "the cluster was made anew", output)
        dev_stop(project, info["data"])
        return f"cluster in {away}, kept across a stop and a start"

    def busy_ports():
        first, _info = state["first"]
        port = busy_port(sandbox)
        cases = [
            ("run", port, f"port {port} (HTTP_PORT, "),
            ("test", port - 3, f"port {port} (HTTP_PORT+3, "),
            ("test", port - 4, f"port {port} (HTTP_PORT+4, "),
        ]
        for command, http_port, busy in cases:
            started = time.monotonic()
            result, output = dev(first, command, expect_ok=False, HTTP_PORT=str(http_port))
            check(result.returncode != 0, f"./dev {command} went on with port {port} busy", output)
            check(busy in output, f"./dev {command} did not say port {port} is busy", output)
            check(f"./dev {command}" in output and "HTTP_PORT=" in output, "no way out", output)
            check(len(output.strip().splitlines()) == 1, "it said more than that", output)
            check(time.monotonic() - started < 30, f"./dev {command} took long to refuse")
        return f"./dev run and ./dev test refuse port {port}, HTTP_PORT+3 and HTTP_PORT+4"

    def stop_all():
        for name in ("first", "second", "long"):
            project, info = state[name]
            dev_stop(project, info["data"])
        return "./dev postgres stop stopped every cluster"

    return [
        ("a path with spaces", spaces),
        ("a second clone beside it", second_clone),
        ("a stale postmaster.pid", stale_pid),
        ("a path too long for a socket", long_path),
        ("a private folder of root's home", private_folder),
        ("busy HTTP ports", busy_ports),
        ("stopping", stop_all),
    ]


def main():
    started = time.monotonic()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(1))
    sandbox = Sandbox()
    failed = False
    try:
        for name, function in scenarios(sandbox):
            begun = time.monotonic()
            try:
                said = function()
            except (Failure, subprocess.TimeoutExpired) as error:
                print(f"FAIL {name}: {error}")
                failed = True
                break
            print(f"ok   {name}: {said} ({time.monotonic() - begun:.1f} s)")
    finally:
        sandbox.cleanup()
    print(f"{'FAILED' if failed else 'passed'} in {time.monotonic() - started:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
