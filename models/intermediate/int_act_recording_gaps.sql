-- one row per gap longer than the profile's limit in the recording of an act with an AV level:
-- before its first covered stretch, between two, or after the last, and whether the recording that
-- ends it opens with a spoken reason. (An act that nothing covers is one gap from start to end,
-- counted in int_act_av_coverage.) The act's start is a key of the window and the group, as in
-- int_act_recorded_intervals.
-- materialized: view
with intervals as (
    select * from int_act_recorded_intervals
),

acts as (
    select * from int_act_av_requirements
),

gaps as (
    select
        intervals.act_id,
        intervals.act_started_at,
        coalesce(
            lag(intervals.end_at) over (partition by intervals.act_started_at, intervals.act_id order by intervals.start_at),
            acts.started_at
        ) as gap_start_at,
        intervals.start_at as gap_end_at,
        coalesce(intervals.opens_with_note, false) as is_noted
    from intervals
    inner join acts using (act_id)

    union all

    select intervals.act_id, intervals.act_started_at, max(intervals.end_at), any_value(acts.ended_at), false
    from intervals
    inner join acts using (act_id)
    group by intervals.act_started_at, intervals.act_id
),

final as (
    select gaps.*, seconds_between(gaps.gap_start_at, gaps.gap_end_at) as gap_seconds
    from gaps
    inner join acts using (act_id)
    where seconds_between(gaps.gap_start_at, gaps.gap_end_at) > acts.av_max_gap_seconds
)

select * from final
