"""The ASGI application built from the environment: `uvicorn bot.asgi:app` (what `waypoint serve` runs)."""

from bot.app import build_service, create_app
from bot.settings import Settings

app = create_app(build_service(Settings.from_env()))
