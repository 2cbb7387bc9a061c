"""Entry point of a job's child process: `python -m api.jobs.child <job_id> <module:handler>`.

The in-process runner starts it with the app's settings in its environment (`api.config.job_settings`). It exits
by itself when the process that started it dies, so that an orphan never keeps training after its server is gone.
"""

from __future__ import annotations

import os
import sys
import threading
import time

PARENT_CHECK_S = 1.0
ORPHAN_EXIT_CODE = 70


def exit_when_orphaned(parent_pid: int) -> None:
    """Leave at once when re-parented (the web worker that started us died)."""

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_S)
            if os.getppid() != parent_pid:
                os._exit(ORPHAN_EXIT_CODE)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str]) -> int:
    exit_when_orphaned(os.getppid())
    from api.config import job_settings
    from api.jobs.context import worker_app
    from api.jobs.execute import execute

    job_id, handler_path = int(argv[1]), argv[2]
    app = worker_app(job_settings())
    with app.app_context():
        execute(job_id, handler_path, app.config, claimed=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
