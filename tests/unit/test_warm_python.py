"""scripts/lib/zip_bytecode/warm_python.py: a Python started as Ansible starts a module's (no arguments, its code on
stdin) has the warm server run that code, as the Python itself would have run it - its streams, environment,
directory, umask, exit status or signal - and it runs the code itself when there is no server."""

import os
import signal
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
import localenv  # noqa: E402

REPORT = """
import atexit, json, os, sys, tempfile
atexit.register(lambda: print("atexit ran"))
print(json.dumps({
    "pid": os.getpid(), "argv": sys.argv, "cwd": os.getcwd(), "umask": os.umask(0),
    "name": os.environ.get("CASE_NAME"), "tmp": tempfile.gettempdir(), "warm": "boto3" in sys.modules,
    "input": sys.stdin.read(),
}))
sys.stderr.write("to stderr\\n")
sys.exit(3)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = localenv.WarmPython(str(tmp_path_factory.mktemp("warm"))).start()
    yield started
    started.stop()


def module_python(code, server_env, cwd, **kwargs):
    env = localenv.ansible_process_env(dict(os.environ, CASE_NAME="case", TMPDIR=str(cwd)))
    env.update(server_env)
    return subprocess.Popen(
        [sys.executable],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=str(cwd),
        text=True,
        preexec_fn=lambda: os.umask(0o027),
        **kwargs,
    )


def run(code, server_env, cwd):
    proc = module_python(code, server_env, cwd)
    out, err = proc.communicate(code, timeout=60)
    return proc, out, err


def test_the_server_runs_the_code_as_python_would(server, tmp_path):
    proc, out, err = run(REPORT, server.env, tmp_path)
    import json  # pylint: disable=import-outside-toplevel

    report = json.loads(out.splitlines()[0])
    assert proc.returncode == 3 and err == "to stderr\n" and out.splitlines()[1] == "atexit ran"
    assert report["pid"] != proc.pid and report["warm"]  # run by the server, which imported boto3 before
    assert report["argv"] == [""] and report["cwd"] == str(tmp_path) and report["umask"] == 0o027
    assert report["name"] == "case" and report["tmp"] == str(tmp_path) and report["input"] == ""


def test_without_a_server_the_python_runs_the_code_itself(tmp_path):
    proc, out, _err = run(REPORT, {localenv.WarmPython.VARIABLE: "no-such-server"}, tmp_path)
    import json  # pylint: disable=import-outside-toplevel

    report = json.loads(out.splitlines()[0])
    assert proc.returncode == 3 and report["pid"] == proc.pid and not report["warm"]


def test_an_exception_and_a_signal_end_the_waiting_python_as_they_end_the_code(server, tmp_path):
    proc, _out, err = run("raise ValueError('broken')", server.env, tmp_path)
    assert proc.returncode == 1 and "ValueError: broken" in err
    proc, _out, _err = run("import os, signal; os.kill(os.getpid(), signal.SIGTERM)", server.env, tmp_path)
    assert proc.returncode == -signal.SIGTERM


def test_killing_the_waiting_python_kills_the_code(server, tmp_path):
    marker = tmp_path / "pid"
    code = "import os, time\nopen(%r, 'w').write(str(os.getpid()))\ntime.sleep(120)\n" % str(marker)
    proc = module_python(code, server.env, tmp_path)
    proc.stdin.write(code)
    proc.stdin.close()
    deadline = time.time() + 30
    while not (marker.exists() and marker.read_text()) and time.time() < deadline:
        time.sleep(0.05)
    module = int(marker.read_text())
    assert module != proc.pid and localenv.running(module)
    proc.kill()
    proc.wait(10)
    proc.stdout.close()
    proc.stderr.close()
    localenv.wait_gone([module], timeout=10)  # raises if SIGKILL from here was needed and failed
    assert not localenv.running(module)


OTHER_USER = """
import os, sys
sys.path.insert(0, sys.argv[1])
import warm_python
os.chdir("/")
os.setuid(65534)
warm_python.hand_over(sys.argv[2])
sys.exit(1)  # hand_over returned: no server answered
"""


@pytest.mark.skipif(os.getuid() != 0, reason="needs root, to become another user")
def test_another_users_process_is_not_served(server, tmp_path):
    """The socket is abstract (no file permissions): the server runs only its own user's code. The waiting process of
    another user (its stdin holding code that would leave a file) ends with 70, saying so, and nothing was run."""
    marker = tmp_path / "ran"
    proc = subprocess.run(
        [sys.executable, "-c", OTHER_USER, os.path.join(ROOT, "scripts", "lib", "zip_bytecode"), server.name],
        input="open(%r, 'w').write('ran')\n" % str(marker),
        text=True,
        stderr=subprocess.PIPE,
        check=False,
    )
    assert proc.returncode == 70 and not marker.exists(), proc.stderr
    assert "did not run this code to its end" in proc.stderr
