-- one row per gap longer than the profile's limit in the recording of an act with an AV level
-- (int_act_recording_gaps), and what explains it (R-AV, rules.md §3): a spoken reason opening the
-- recording that ends it, an interruption with a reason logged in it by a device that could have
-- recorded the act, or a written interruption statement for the act signed by enough officers.
-- int_act_av_coverage counts the unexplained ones; the case timeline draws each.
-- partitioned by day: cast(act_started_at as date)

-- the days this build recomputes (null: all), of the acts' starts
with acts as (
    select * from int_act_av_requirements
    where in_run_days(started_at)
),

long_gaps as (
    select * from int_act_recording_gaps
    where in_run_days(act_started_at)
),

act_devices as (
    select * from int_act_devices
    where in_run_days(act_started_at)
),

events as (
    select * from stg_device_events
),

documents as (
    select * from stg_documents
),

interrupt_explained as (
    select distinct long_gaps.act_id, long_gaps.gap_start_at
    from long_gaps
    inner join act_devices using (act_id)
    inner join events
        on events.device_id = act_devices.device_id
        and events.event_type = 'record_interrupt'
        and events.reason is not null
        and events.event_at between long_gaps.gap_start_at and long_gaps.gap_end_at
    where from_first_run_day(events.event_at)
),

statements as (
    select distinct documents.act_id
    from documents
    inner join acts using (act_id)
    where documents.doc_type = 'interruption_statement'
        and documents.officer_signatures >= coalesce(acts.av_statement_min_signatures, 0)
        -- one signed after as_of had not been written yet (as R-DOC, R-DEV-INT and R-EVD count them)
        and (documents.signed_at is null or documents.signed_at < getvariable('as_of_end_at'))
),

final as (
    select
        long_gaps.act_id,
        long_gaps.act_started_at,
        long_gaps.gap_start_at,
        long_gaps.gap_end_at,
        long_gaps.gap_seconds,
        long_gaps.is_noted,
        interrupt_explained.act_id is not null as is_interrupt_logged,
        statements.act_id is not null as is_statement_signed,
        long_gaps.is_noted or interrupt_explained.act_id is not null or statements.act_id is not null
            as is_explained
    from long_gaps
    left join interrupt_explained using (act_id, gap_start_at)
    left join statements using (act_id)
)

select * from final
order by cast(act_started_at as date), act_id, gap_start_at
