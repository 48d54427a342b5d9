"""Makes the checkout importable as ansible_collections.selfmanaged.wandb for every test."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS_DIR = os.path.join(ROOT, ".cache", "collections")
_LINK = os.path.join(COLLECTIONS_DIR, "ansible_collections", "selfmanaged", "wandb")

if not os.path.islink(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(ROOT, _LINK)
if COLLECTIONS_DIR not in sys.path:
    sys.path.insert(0, COLLECTIONS_DIR)
