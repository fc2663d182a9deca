import dagster as dg

from . import jobs

# Early morning in China, after the docking stations' overnight exports have landed.
daily_load_and_judge = dg.ScheduleDefinition(
    name="daily_load_and_judge",
    job=jobs.load_and_judge,
    cron_schedule="30 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
