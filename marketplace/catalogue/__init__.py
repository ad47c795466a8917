"""The demo catalogue behind `manage.py seed_catalogue`.

- `taxonomy`: categories, makers, spec definitions and models, built from `data/*.json` (pure)
- `generator`: demo sellers, buyers and listings drawn from a seed (pure)
- `text`: listing titles and descriptions in English, Japanese and Chinese (pure)
- `loader`: the PostgreSQL writes (bulk inserts and COPY; no outbox events)
"""

from marketplace.catalogue.generator import ListingGenerator, MachinePlan, plan_buyers, plan_sellers
from marketplace.catalogue.taxonomy import Catalogue, build_catalogue

__all__ = ["Catalogue", "ListingGenerator", "MachinePlan", "build_catalogue", "plan_buyers", "plan_sellers"]
