"""Partitions: days for what device logs decide (one day's logs judged without rereading the
year), years for the appraisal workbook."""

import os

import dagster as dg

# The first day judged; partitions end with yesterday, the last complete day in China.
FIRST_DAY = os.environ.get("RECWATCH_FIRST_DAY", "2025-01-01")

days = dg.DailyPartitionsDefinition(start_date=FIRST_DAY, timezone="Asia/Shanghai")

years = dg.TimeWindowPartitionsDefinition(cron_schedule="0 0 1 1 *", start=FIRST_DAY[:4], fmt="%Y",
                                          timezone="Asia/Shanghai")
