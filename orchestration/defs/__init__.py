"""Dagster definitions, one file per kind (assets, asset checks, jobs, schedules, sensors, resources)."""
