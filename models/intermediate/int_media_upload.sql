-- one row per recording: was it in the evidence store within the deadline? (R-UPL, rules.md §1)
-- The clock starts at the recording's end, or at the end of the act it belongs to where the
-- profile says so; under a remote-duty exception it starts no earlier than the return to the unit.
-- partitioned by day: cast(recorded_end_at as date)
with media as (
    select * from int_media
    -- the days this build recomputes (null: all)
    where in_run_days(recorded_end_at)
),

links as (
    select * from int_media_act_links
    where in_run_days(recorded_end_at)
),

params as (
    select * from int_profile_parameters
),

act_times as (
    select
        media_id,
        max(act_ended_at) as act_ended_at,
        max(case when is_remote_duty then returned_at end) as returned_at
    from links
    group by media_id
),

clock as (
    select
        media.*,
        params.upload_deadline_hours,
        case
            when params.upload_deadline_from = 'act_end' and act_times.act_ended_at is not null
                then act_times.act_ended_at
            else media.recorded_end_at
        end as act_or_recording_end_at,
        case when params.is_upload_remote_exception then act_times.returned_at end as returned_at
    from media
    left join params using (profile_id)
    left join act_times using (media_id)
),

deadlines as (
    select
        *,
        case
            when returned_at > act_or_recording_end_at then 'returned_at'
            when act_or_recording_end_at > recorded_end_at then 'act_end'
            else 'recorded_end'
        end as deadline_basis,
        plus_hours(greatest(act_or_recording_end_at, coalesce(returned_at, act_or_recording_end_at)),
            upload_deadline_hours) as deadline_at
    from clock
),

final as (
    select
        deadlines.media_id,
        deadlines.unit_id,
        deadlines.officer_id,
        deadlines.device_id,
        deadlines.profile_id,
        deadlines.recorded_end_at,
        deadlines.deadline_basis,
        deadlines.deadline_at,
        deadlines.uploaded_at,
        case
            when deadlines.uploaded_at > deadlines.deadline_at
                then round(seconds_between(deadlines.deadline_at, deadlines.uploaded_at) / 3600, 2)
        end as late_hours,
        case
            when deadlines.uploaded_at is null and deadlines.deadline_at <= getvariable('as_of_end_at') then 'overdue_missing'
            when deadlines.uploaded_at is null then 'pending'
            when deadlines.uploaded_at > deadlines.deadline_at then 'late'
            else 'on_time'
        end as upload_status,
        deadlines.upload_deadline_hours,
        'R-UPL' as rule_id
    from deadlines
)

select * from final
