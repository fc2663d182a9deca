import datetime as dt

import dagster as dg

from core.settings import load_settings

from . import jobs, national

OFFICE_STATUS = dg.DefaultScheduleStatus.RUNNING if national.OFFICE_AUTOMATION else dg.DefaultScheduleStatus.STOPPED

# Early morning in China, after the docking stations' overnight exports have landed: judges
# yesterday, the last complete day.
daily_load_and_judge = dg.build_schedule_from_partitioned_job(
    jobs.load_and_judge,
    name="daily_load_and_judge",
    hour_of_day=2,
    minute_of_hour=30,
    default_status=OFFICE_STATUS,
)

# Before the daily run, which waits for it (one writer at a time): the backup holds the warehouse
# as the day before left it.
daily_backup = dg.ScheduleDefinition(
    name="daily_backup",
    job=jobs.warehouse_backup,
    cron_schedule="30 1 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=OFFICE_STATUS,
    description="Backs the warehouse up each night and keeps the newest backup of each recent day and month.",
)

# The year's scores freeze freeze_grace_days after it ends (rules.md §8), which that morning's
# daily run records; the workbook is written half an hour later, so it shows the frozen figures.
FROZEN_ON = dt.date(2001, 1, 1) + dt.timedelta(days=load_settings().freeze_grace_days)


@dg.schedule(job=jobs.yearly_workbook, cron_schedule=f"0 3 {FROZEN_ON.day} {FROZEN_ON.month} *",
             execution_timezone="Asia/Shanghai",
             default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Writes the previous year's appraisal workbook and rectification notices once its scores are frozen.")
def yearly_appraisal_workbook(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    year = (context.scheduled_execution_time or dt.datetime.now()).year - 1
    return dg.RunRequest(run_key=str(year), partition_key=str(year))
