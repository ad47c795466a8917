"""HTTP and WebSocket through one ASGI application; several of these processes can run
side by side (they share state only through PostgreSQL and Redis)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from auctions.fastbids import BidEndpoint  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from core.limits import request_limits  # noqa: E402
from core.websocket_auth import TokenOrSessionAuthMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": request_limits(BidEndpoint(django_asgi_app)),
        "websocket": AllowedHostsOriginValidator(
            TokenOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)
