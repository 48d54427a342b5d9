"""Module processes of the local runs (tests and demo) started from a warm interpreter.

A module process of ansible-playbook is a new Python that reads its AnsiballZ code from stdin (pipelining) and first
imports ansible.module_utils.basic (0.15 s here) and, for the AWS modules, boto3 (0.2 s more): most of what each of
the thousands of module calls of the tests costs, the same imports every time. ``serve`` imports them once and then
waits on a Unix socket; a module's Python (sitecustomize.py calls ``hand_over`` when SELFMANAGED_WANDB_WARM_PYTHON
names the socket and Python was started with no arguments, as Ansible starts it) passes its stdin, stdout and stderr,
environment, working directory and umask to the server and waits. The server forks a process that takes them over
and runs the code it reads from that stdin as ``__main__``, as Python would; its exit status (or the signal that
ended it) becomes the waiting process's own. The payload, the module and its module_utils run unchanged, from the
zip Ansible sent; what is shared is what Python had imported from the virtualenv, the same files it would import
again. Without a server (none started, or stopped) the module's Python runs its code itself.
"""

import marshal
import os
import signal
import socket
import sys

# what a module process imports from the virtualenv before its own code; the AWS client makes botocore import the
# modules it loads only when a client is made
PRELOAD = (
    "ansible.module_utils.basic",
    "ansible.module_utils._internal._ansiballz._loader",
    "ansible.module_utils.common.json",
    "base64",
    "http.client",
    "json",
    "runpy",
    "secrets",
    "shutil",
    "ssl",
    "tempfile",
    "urllib.parse",
    "yaml",
    "zipfile",
    "boto3",
)
_MAX_REQUEST = 1 << 20


def _address(name):
    """An abstract Unix socket (Linux): no file to clean up, no length limit of a path."""
    return "\0" + name


def hand_over(name):
    """In a module's Python: has the server run this process's code; returns only if there is no server."""
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sock.connect(_address(name))
    except OSError:
        return
    umask = os.umask(0o22)
    os.umask(umask)
    socket.send_fds(sock, [marshal.dumps((dict(os.environ), os.getcwd(), umask))], [0, 1, 2])
    reply = sock.recv(16)
    status = int.from_bytes(reply, "big", signed=True) if reply else 70  # 70: the server went away (EX_SOFTWARE)
    if status < 0:  # ended by a signal: end by the same one
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    os._exit(status)


def _preload():
    import importlib  # pylint: disable=import-outside-toplevel

    for module in PRELOAD:
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    try:
        import boto3  # pylint: disable=import-outside-toplevel

        boto3.session.Session(aws_access_key_id="-", aws_secret_access_key="-", region_name="us-east-1").client("sts")
    except Exception:  # pylint: disable=broad-except
        pass


def _manage(conn):
    """The process that runs one module: forks it and reports how it ended. Returns only in the module's process."""
    try:
        message, fds, _flags, _address_from = socket.recv_fds(conn, _MAX_REQUEST, 3)
        request = marshal.loads(message)
        pid = os.fork()
    except BaseException:  # pylint: disable=broad-except
        os._exit(70)
    if pid == 0:
        conn.close()
        return request, fds
    try:
        for fd in fds:
            os.close(fd)
        import select  # pylint: disable=import-outside-toplevel

        pidfd = os.pidfd_open(pid)
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        poller.register(conn, select.POLLIN | select.POLLHUP)
        ready = [fd for fd, _event in poller.poll()]
        if pidfd not in ready:  # the waiting process is gone (killed): so goes its module
            os.kill(pid, signal.SIGKILL)
        _pid, status = os.waitpid(pid, 0)
        conn.send(os.waitstatus_to_exitcode(status).to_bytes(4, "big", signed=True))
    finally:
        os._exit(0)


def _become(request, fds):
    """This process takes over the waiting process's standard streams, environment, directory and umask."""
    environ, cwd, umask = request
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(cwd)
    os.umask(umask)
    os.environ.clear()
    os.environ.update(environ)
    import tempfile  # pylint: disable=import-outside-toplevel
    import time  # pylint: disable=import-outside-toplevel

    tempfile.tempdir = None  # found again from TMPDIR
    time.tzset()
    sys.argv = [""]


def serve(name):
    """Imports PRELOAD and runs each module that connects, until SIGTERM."""
    _preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(_address(name))
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the processes that run a module are reaped by the kernel
    import gc  # pylint: disable=import-outside-toplevel

    gc.freeze()  # what was imported stays put: a forked process copies fewer pages
    print("ready", flush=True)
    while True:
        conn, _peer = listener.accept()
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            request, fds = _manage(conn)
            break
        conn.close()
    _become(request, fds)
    import types  # pylint: disable=import-outside-toplevel

    main = types.ModuleType("__main__")
    sys.modules["__main__"] = main
    source = sys.stdin.buffer.read()
    try:
        # as `python` runs what it reads from stdin
        exec(compile(source, "<stdin>", "exec"), main.__dict__)  # pylint: disable=exec-used
        status = 0
    except SystemExit as ended:
        status = _exit_status(ended.code)
    except BaseException:  # pylint: disable=broad-except
        sys.excepthook(*sys.exc_info())
        status = 1
    _end(status)


def _exit_status(code):
    """The status SystemExit(code) ends Python with."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _end(status):
    """Python's exit as a module can see it (other threads joined, atexit functions run, the standard streams
    flushed), without tearing down every module the server imported, which took 30 ms a process here."""
    import atexit  # pylint: disable=import-outside-toplevel
    import threading  # pylint: disable=import-outside-toplevel

    threading._shutdown()  # pylint: disable=protected-access
    atexit._run_exitfuncs()  # pylint: disable=protected-access
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
