"""The ASGI application built from the environment: `uvicorn bot.asgi:app` (what `waypoint serve` runs).

Every worker starts the scheduler; the lease in the database lets one of them run its jobs.
"""

from bot.app import build_service, create_app
from bot.settings import Settings

app = create_app(build_service(Settings.from_env()), run_scheduler=True)
