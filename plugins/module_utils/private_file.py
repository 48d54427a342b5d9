# -*- coding: utf-8 -*-
# Copyright: selfmanaged.wandb contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets that something needs as a file (helm's kubeconfig, ssl's client key), with nothing left on disk."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile


def private_file(filename, text, directory=None):
    """Text to be read as a file, with no file left behind even if this process is killed: an anonymous in-memory
    file (memfd) read through /dev/fd/N. Returns ``(path, fd or None)``; close the fd when done (a child process
    reads it only when it is passed in pass_fds). Where memfd does not exist (not Linux): a 0600 file in
    ``directory`` (the module's temporary one, removed when it exits; else the system's), which the caller removes."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create(filename)  # not inherited (O_CLOEXEC) unless passed in pass_fds
        os.write(fd, text.encode("utf-8"))
        return "/dev/fd/%d" % fd, fd
    fd, path = tempfile.mkstemp(prefix=filename + "-", dir=directory)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return path, None
