"""The ASGI application built from the environment: `uvicorn bot.asgi:app` (what `waypoint serve
--workers N` runs in each worker).

Every worker starts the scheduler; the lease in the database lets one of them run its jobs.
"""

from bot.app import build_service, create_app
from bot.logs import configure_logging
from bot.settings import Settings

_settings = Settings.from_env()
_settings.make_home()
configure_logging(_settings.log_format)
app = create_app(build_service(_settings), run_scheduler=True)
