"""Log one run to a W&B server with the wandb SDK and print its URL (playbooks/smoke.yml).

The server URL, entity and project come from WANDB_BASE_URL, WANDB_ENTITY and WANDB_PROJECT; the API key
from the file named by WANDB_SMOKE_KEY_FILE (Ansible shows a task's environment at -vvv, never a file's content).
"""

import json
import math
import os
import sys


def main():
    with open(os.environ["WANDB_SMOKE_KEY_FILE"]) as handle:
        os.environ["WANDB_API_KEY"] = handle.read().strip()
    try:
        import wandb  # pylint: disable=import-outside-toplevel
    except ImportError:
        print("smoke: the wandb SDK is not installed for %s - pip install wandb" % sys.executable, file=sys.stderr)
        return 2
    run = wandb.init(
        project=os.environ.get("WANDB_PROJECT", "smoke"),
        entity=os.environ.get("WANDB_ENTITY") or None,
        name="selfmanaged-wandb-smoke",
        config={"source": "selfmanaged.wandb smoke.yml"},
    )
    for step in range(10):
        run.log({"loss": math.exp(-step / 3.0), "step": step})
    url = run.get_url()
    run_id = run.id
    run.finish()
    print(json.dumps({"run_id": run_id, "url": url}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
