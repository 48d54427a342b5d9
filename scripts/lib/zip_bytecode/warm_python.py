"""Module processes of the local runs (tests and demo) started from a warm interpreter.

A module process of ansible-playbook is a new Python that reads its AnsiballZ code from stdin (pipelining), then
imports ansible.module_utils.basic (0.15 s here) and, for the AWS modules, boto3 (0.2 s more) and reads botocore's
models of the services it calls (0.1-0.3 s each): most of what each of the thousands of module calls of the tests
costs, the same work every time. ``serve`` does that work once and then waits on a Unix socket. A module's Python
(sitecustomize.py calls ``hand_over`` when SELFMANAGED_WANDB_WARM_PYTHON names the socket and Python was started
with no arguments, as Ansible starts it) passes its stdin, stdout and stderr, environment, working directory and
umask to the server and waits; the server forks a process that takes them over and runs the code it reads from that
stdin as ``__main__``, as Python would, and the exit status (or the signal) it ends with becomes the waiting
process's own. The payload, the module and its module_utils run unchanged, from the zip Ansible sent; what is shared
is what Python had imported from the virtualenv and the models botocore had read from it, the same files it would
read again. Without a server (none started, or stopped) the module's Python runs its code itself.
"""

# only what the waiting process needs, as it starts for every module: _socket rather than socket and signal, whose
# enums cost more to make than the rest of its start
import _socket
import marshal
import os
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
# the services plugins/module_utils/aws calls
AWS_SERVICES = ("acm", "ec2", "eks", "elasticache", "iam", "kms", "rds", "route53", "s3", "secretsmanager", "sts")
_MAX_REQUEST = 1 << 20


def _address(name):
    """An abstract Unix socket (Linux): no file to clean up, no length limit of a path."""
    return "\0" + name


def hand_over(name):
    """In a module's Python: has the server run this process's code; returns only if there is no server."""
    try:
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
        sock.connect(_address(name))
    except OSError:
        return
    umask = os.umask(0o22)
    os.umask(umask)
    request = marshal.dumps((dict(os.environ), os.getcwd(), umask))
    streams = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))  # C ints, as SCM_RIGHTS takes them
    try:
        sock.sendmsg([request], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, streams)])
        reply = sock.recv(16)
    except OSError:  # refused, or the server went away
        reply = b""
    if not reply:
        os.write(2, b"warm_python: the server %s did not run this code to its end (refused, or gone)\n" % name.encode())
    status = int.from_bytes(reply, "big", signed=True) if reply else 70  # EX_SOFTWARE
    if status < 0:  # ended by a signal: end by the same one
        import signal  # pylint: disable=import-outside-toplevel

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
        _share_botocore_models()
    except Exception:  # pylint: disable=broad-except
        pass


def _share_botocore_models():
    """One botocore loader for every session, holding the models of the services the collection calls. botocore
    keeps each model it reads in its loader, which one session's clients share; every module makes its own session,
    and so read and parsed the same JSON files again: 0.1-0.3 s a client here, against 0.03 s with them kept."""
    import botocore.exceptions  # pylint: disable=import-outside-toplevel
    import botocore.session  # pylint: disable=import-outside-toplevel

    loaders = {}
    create_loader = botocore.session.create_loader

    def shared_loader(search_path_string=None):
        if search_path_string not in loaders:
            loaders[search_path_string] = create_loader(search_path_string)
        return loaders[search_path_string]

    botocore.session.create_loader = shared_loader
    session = botocore.session.Session()
    loader = session.get_component("data_loader")
    for service in AWS_SERVICES:
        # a client reads the service's model, its endpoint rules and the partitions; its waiters and paginators later
        session.create_client(service, region_name="us-east-1", aws_access_key_id="-", aws_secret_access_key="-")
        for model in ("waiters-2", "paginators-1"):
            try:
                loader.load_service_model(service, model)
            except botocore.exceptions.DataNotFoundError:
                pass


def _manage(conn):
    """The process that runs one module: forks it and reports how it ended. Returns only in the module's process."""
    import signal  # pylint: disable=import-outside-toplevel
    import socket  # pylint: disable=import-outside-toplevel

    try:
        # an abstract socket has no file permissions: only this user's processes are served
        credentials = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
        if int.from_bytes(credentials[4:8], sys.byteorder) != os.getuid():
            os._exit(77)
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

        try:
            pidfd = os.pidfd_open(pid)  # Linux 5.3 and later
        except (AttributeError, OSError):
            pidfd = None
        if pidfd is not None:
            poller = select.poll()
            poller.register(pidfd, select.POLLIN)
            poller.register(conn, select.POLLIN | select.POLLHUP)
            if pidfd not in [fd for fd, _event in poller.poll()]:  # the waiting process is gone (killed): so goes
                os.kill(pid, signal.SIGKILL)  # the code it waited for
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
    import signal  # pylint: disable=import-outside-toplevel
    import socket  # pylint: disable=import-outside-toplevel

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
