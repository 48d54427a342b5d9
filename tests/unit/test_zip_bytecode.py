"""scripts/lib/zip_bytecode: code imported from a zip is compiled once and read back, in another zip too, with
tracebacks naming the zip it was imported from; a damaged cache entry is compiled again; what a module's sources
import is searched once per source, and what a payload carries once per module while its files are unchanged; a
template's text is compiled once per environment's settings."""

import importlib.util
import json
import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SITE = os.path.join(ROOT, "scripts", "lib", "zip_bytecode")

PROGRAM = """
import sys, traceback
sys.path.insert(0, sys.argv[1])
import payload_mod
try:
    payload_mod.fail()
except RuntimeError as exc:
    print(traceback.extract_tb(exc.__traceback__)[-1].filename)
"""


def run(zip_path, cache):
    env = dict(os.environ, PYTHONPATH=SITE, SELFMANAGED_WANDB_ZIP_BYTECODE=str(cache))
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(zip_path)],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        universal_newlines=True,
    )
    return proc.stdout.strip()


def make_zip(path):
    with zipfile.ZipFile(str(path), "w") as archive:
        archive.writestr("payload_mod.py", "def fail():\n    raise RuntimeError('from the zip')\n")
    return path


def test_zipped_code_is_compiled_once_and_named_after_its_zip(tmp_path):
    cache = tmp_path / "cache"
    first, second = make_zip(tmp_path / "a.zip"), make_zip(tmp_path / "b.zip")
    assert run(first, cache) == os.path.join(str(first), "payload_mod.py")
    entries = list((cache / sys.implementation.cache_tag).iterdir())
    assert len(entries) == 1
    written = entries[0].stat()
    assert run(second, cache) == os.path.join(str(second), "payload_mod.py")  # the tracebacks name the new zip
    assert list((cache / sys.implementation.cache_tag).iterdir()) == entries
    assert (entries[0].stat().st_ino, entries[0].stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)  # read

    entries[0].write_bytes(b"not code")
    assert run(first, cache) == os.path.join(str(first), "payload_mod.py")
    assert entries[0].read_bytes() != b"not code"  # compiled and kept again


def test_the_virtualenv_bytecode_is_kept_even_where_writing_it_is_turned_off(tmp_path):
    """localenv.ansible_process_env (what the tests hand Ansible) and common.sh's use_bytecode_cache (scripts/test and
    scripts/demo) undo PYTHONDONTWRITEBYTECODE and keep the .pyc files in one cache: an import writes its bytecode."""
    sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
    import localenv  # pylint: disable=import-outside-toplevel

    (tmp_path / "some_mod.py").write_text("VALUE = 1\n")
    importing = [sys.executable, "-c", "import some_mod"]
    given = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(tmp_path))
    assert localenv.ansible_process_env(dict(given, PYTHONPYCACHEPREFIX=""))["PYTHONPYCACHEPREFIX"] == os.path.join(
        ROOT, ".cache", "pycache"
    )
    env = localenv.ansible_process_env(dict(given, PYTHONPYCACHEPREFIX=str(tmp_path / "py")))
    subprocess.run(importing, env=env, check=True)
    assert list((tmp_path / "py").rglob("some_mod.*.pyc"))

    shell = '. "%s"; ROOT="%s"; use_bytecode_cache; exec "$@"' % (
        os.path.join(ROOT, "scripts", "lib", "common.sh"),
        tmp_path,
    )
    subprocess.run(["bash", "-c", shell, "bash"] + importing, env=given, check=True)
    assert list((tmp_path / ".cache" / "pycache").rglob("some_mod.*.pyc"))


def test_modules_read_their_code_buffered_where_the_machine_sets_pythonunbuffered():
    """localenv.ansible_process_env drops PYTHONUNBUFFERED (set on these machines): a module's Python reads its code
    from stdin, one byte per system call when unbuffered."""
    sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
    import localenv  # pylint: disable=import-outside-toplevel

    env = localenv.ansible_process_env(dict(os.environ, PYTHONUNBUFFERED="1"))
    flags = subprocess.run(
        [sys.executable, "-"],
        input="import sys; print(type(sys.stdout.buffer).__name__)",
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    )
    assert flags.stdout.strip() == "BufferedWriter"  # FileIO when unbuffered


FINDER = """
import ast, json, sys
from ansible.executor import module_common
source = open(sys.argv[1], "rb").read()
finder = module_common.ModuleDepFinder("ansible_collections.selfmanaged.wandb.plugins.module_utils.aws.service", source)
print(json.dumps({
    "kept": type(finder).__name__ != "ModuleDepFinder",
    "submodules": sorted(map(list, finder.submodules)),
    "optional": sorted(map(list, finder.optional_imports)),
    "tree": isinstance(finder.tree, ast.Module),
}))
"""


def test_what_a_module_imports_is_found_once_and_read_back(tmp_path):
    """ansible-playbook's search of a module's imports (ModuleDepFinder, for its AnsiballZ payload) is kept under the
    hash of the source and read back the same; a changed source is searched again."""
    source = tmp_path / "service.py"
    with open(os.path.join(ROOT, "plugins", "module_utils", "aws", "service.py")) as handle:
        source.write_text(handle.read())
    env = dict(os.environ, PYTHONPATH=SITE, SELFMANAGED_WANDB_ZIP_BYTECODE=str(tmp_path / "cache"))

    def find():
        proc = subprocess.run(
            [sys.executable, "-c", FINDER, str(source)], env=env, check=True, stdout=subprocess.PIPE, text=True
        )
        return json.loads(proc.stdout)

    first, second = find(), find()
    assert not first["kept"] and second["kept"]
    assert ["ansible", "module_utils", "basic", "AnsibleModule"] in first["submodules"]
    assert dict(first, kept=True) == second and second["tree"]
    source.write_text(source.read_text() + "\nimport ansible.module_utils.six\n")
    third = find()
    assert not third["kept"] and ["ansible", "module_utils", "six"] in third["submodules"]


JINJA = """
import json, sys
import jinja2
compiled = []
generate = jinja2.Environment._generate
jinja2.Environment._generate = lambda self, *a, **kw: compiled.append(1) or generate(self, *a, **kw)
settings = json.loads(sys.argv[1])
environment = jinja2.Environment(**settings)
rendered = environment.from_string(sys.argv[2]).render(a=1, b="x")
print(json.dumps({"compiled": len(compiled), "rendered": rendered}))
"""


def test_a_template_is_compiled_once_for_its_text_and_settings(tmp_path):
    """Jinja's compile of a template's text (which Ansible repeats in every worker of every run) is kept under the
    hash of the text and the environment's settings and read back, rendering the same; other settings, or Ansible's
    backslash escaping, compile it again."""
    env = dict(os.environ, PYTHONPATH=SITE, SELFMANAGED_WANDB_ZIP_BYTECODE=str(tmp_path / "cache"))

    def render(text, **settings):
        proc = subprocess.run(
            [sys.executable, "-c", JINJA, json.dumps(settings), text],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        return json.loads(proc.stdout)

    text = "{{ a }}-{{ b | upper }}\n{% if a %}yes{% endif %}\n"
    assert render(text) == {"compiled": 1, "rendered": "1-X\nyes"}
    assert render(text) == {"compiled": 0, "rendered": "1-X\nyes"}
    assert render(text, keep_trailing_newline=True) == {"compiled": 1, "rendered": "1-X\nyes\n"}
    assert render("[[ a ]]{{ a }}", variable_start_string="[[", variable_end_string="]]") == {
        "compiled": 1,
        "rendered": "1{{ a }}",
    }

    spec = importlib.util.spec_from_file_location("zip_bytecode_site", os.path.join(SITE, "sitecustomize.py"))
    site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(site)
    from ansible._internal._templating import _jinja_bits  # pylint: disable=import-outside-toplevel

    environment = _jinja_bits.AnsibleEnvironment()
    plain = site._jinja_key(environment, "{{ 'a\\\\b' }}", None, None, False)
    with _jinja_bits._TemplateCompileContext(escape_backslashes=True):
        escaped = site._jinja_key(environment, "{{ 'a\\\\b' }}", None, None, False)
    assert plain != escaped


PAYLOAD = """
import datetime, io, json, sys, zipfile
from ansible._internal._ansiballz._builder import ExtensionManager
from ansible.executor import module_common
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader()  # as ansible-playbook starts: module_utils redirects go through the collection loader
searched = []
locate = module_common.LegacyModuleUtilLocator.__init__
def locate_and_count(self, *args, **kwargs):
    searched.append(1)
    locate(self, *args, **kwargs)
module_common.LegacyModuleUtilLocator.__init__ = locate_and_count
module = open(sys.argv[1], "rb").read()
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as zf:
    metadata = module_common.recursive_finder(
        "demo", "ansible.modules.demo", module, zf, datetime.datetime(2026, 1, 1), ExtensionManager()
    )
with zipfile.ZipFile(buffer) as zf:
    files = dict((n, zf.read(n).decode()) for n in zf.namelist())
print(json.dumps({"searched": bool(searched), "profile": metadata.serialization_profile, "files": files}))
"""


def test_what_a_payload_carries_is_found_once_and_read_back_while_its_files_are_unchanged(tmp_path):
    """The module_utils ansible-playbook puts in a module's payload (recursive_finder) are kept for the module's text
    and written again, the same, without a search; a module_utils file that changed is searched and read again."""
    utils = tmp_path / "module_utils"
    utils.mkdir()
    (utils / "extra_util.py").write_text("VALUE = 1\n")
    module = tmp_path / "demo.py"
    module.write_text(
        "from ansible.module_utils.basic import AnsibleModule\nfrom ansible.module_utils import extra_util\n"
    )
    env = dict(
        os.environ,
        PYTHONPATH=SITE,
        SELFMANAGED_WANDB_ZIP_BYTECODE=str(tmp_path / "cache"),
        ANSIBLE_MODULE_UTILS=str(utils),
    )

    def build():
        proc = subprocess.run(
            [sys.executable, "-c", PAYLOAD, str(module)], env=env, check=True, stdout=subprocess.PIPE, text=True
        )
        return json.loads(proc.stdout)

    first, second = build(), build()
    assert first["searched"] and not second["searched"]
    assert dict(first, searched=False) == second
    assert first["files"]["ansible/module_utils/extra_util.py"] == "VALUE = 1\n"
    assert "ansible/module_utils/basic.py" in first["files"]
    (utils / "extra_util.py").write_text("VALUE = 2\n")
    third = build()
    assert third["searched"] and third["files"]["ansible/module_utils/extra_util.py"] == "VALUE = 2\n"
