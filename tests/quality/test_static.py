"""Static checks, each a test: ansible-test sanity, ansible-lint (production profile), ruff, changelog lint."""

import os
import re
import shutil
import subprocess
import sys

import ansible
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
BIN = os.path.dirname(sys.executable)

pytestmark = pytest.mark.quality


def run(cmd, cwd=ROOT, env=None, timeout=1800):
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        check=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        pytest.fail("%s failed (rc=%d):\n%s" % (" ".join(cmd), proc.returncode, proc.stdout[-15000:]), pytrace=False)
    return proc.stdout


def project_files():
    """What git would commit: tracked files plus untracked ones that are not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        universal_newlines=True,
    ).stdout
    return [f for f in out.splitlines() if os.path.isfile(os.path.join(ROOT, f))]


@pytest.fixture(scope="module")
def collection_copy(tmp_path_factory):
    """ansible-test needs the collection at .../ansible_collections/selfmanaged/wandb, as a real directory."""
    dest = tmp_path_factory.mktemp("sanity") / "ansible_collections" / "selfmanaged" / "wandb"
    for name in project_files():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(os.path.join(ROOT, name), str(target))
    # The collections this one imports module_utils from (galaxy.yml's dependencies), beside it, as an installed
    # collection has them: the import sanity test imports every module.
    site_packages = os.path.dirname(os.path.dirname(ansible.__file__))
    for name in ("amazon",):
        os.symlink(os.path.join(site_packages, "ansible_collections", name), str(dest.parent.parent / name))
    # ansible-test lists files with git when it finds a repository; give it one of just these files.
    subprocess.run(["git", "init", "-q"], cwd=str(dest), check=True)
    subprocess.run(["git", "add", "-A"], cwd=str(dest), check=True)
    return str(dest)


def test_ansible_test_sanity(collection_copy):
    assert shutil.which("shellcheck"), "shellcheck is missing: the shellcheck sanity test would be skipped"
    env = dict(os.environ, PYTHON=sys.executable)
    exports = run([os.path.join(SHARED, "tools", "ansible-test-offline")], env=env)
    for line in exports.splitlines():
        if line.startswith("export PATH="):
            env["PATH"] = line.split("=", 1)[1].strip('"').replace("$PATH", os.environ.get("PATH", ""))
    run(
        [os.path.join(BIN, "ansible-test"), "sanity", "--color", "no", "--venv", "--requirements"],
        cwd=collection_copy,
        env=env,
    )


def test_ansible_lint_production_profile():
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"))
    run([os.path.join(BIN, "ansible-lint"), "--profile", "production", "--offline", "--nocolor"], env=env)


def test_python_is_formatted_and_lint_free():
    """ruff (ruff.toml: line length 120): the formatter changes nothing and the linter finds nothing."""
    run([os.path.join(BIN, "ruff"), "format", "--check", "--diff", "."])
    run([os.path.join(BIN, "ruff"), "check", "--no-fix", "."])


def test_changelog_fragments_lint():
    run([os.path.join(BIN, "antsibull-changelog"), "lint"])


def test_ansible_doc_renders_every_module():
    """Every module's documentation renders, with its examples and return values (one ansible-doc for all of them:
    each start costs about a second)."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "collections"), ANSIBLE_NOCOLOR="1")
    modules = sorted(
        f[:-3] for f in os.listdir(os.path.join(ROOT, "plugins", "modules")) if f.endswith(".py") and f != "__init__.py"
    )
    assert modules, "no modules found"
    out = run([os.path.join(BIN, "ansible-doc")] + ["selfmanaged.wandb.%s" % m for m in modules], env=env)
    pages = re.split(r"^> MODULE ", out, flags=re.M)[1:]
    assert [p.split()[0] for p in pages] == ["selfmanaged.wandb.%s" % m for m in modules], out[:2000]
    for page in pages:
        assert "EXAMPLES" in page and "RETURN VALUES" in page, page[:2000]


def test_execution_environment_definition_builds_a_context(tmp_path):
    """AWX: ansible-builder accepts execution-environment.yml (the image build itself needs a container engine)."""
    out = run(
        [
            os.path.join(BIN, "ansible-builder"),
            "create",
            "-f",
            "execution-environment.yml",
            "--context",
            str(tmp_path / "context"),
        ]
    )
    build_files = [p for p in (tmp_path / "context").iterdir() if p.name in ("Containerfile", "Dockerfile")]
    assert build_files, out
    assert "helm" in build_files[0].read_text()
