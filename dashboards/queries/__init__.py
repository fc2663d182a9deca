"""What each page charts and lists, as aggregated or paged SQL on the snapshot's marts, facts and
dimensions, one module per page; every query is bounded by dashboards.scope."""

from . import case, devices, ledger, overview, quality, retention, scorecard, violations, warnings  # noqa: F401
