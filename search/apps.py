from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from django.conf import settings

        from core.health import register_check
        from search.client import get_client

        def check() -> None:
            if get_client().cluster.health(request_timeout=settings.HEALTH_CHECK_TIMEOUT)["status"] == "red":
                raise RuntimeError("cluster status is red")

        register_check("search", check)
