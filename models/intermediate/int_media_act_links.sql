-- one row per (recording, act) where the recording belongs to the act (rules.md §1): their time
-- ranges overlap and the recording's officer is one of the act's officers or its case label is
-- the act's case. What the models of an act's coverage need of the recording comes with it, so
-- that they need not look it up among every recording again.
-- partitioned by day: cast(recorded_end_at as date)

-- Inputs of millions of rows that are read more than once are `not materialized`: DuckDB would
-- otherwise copy them whole to read them again, which spills gigabytes at a province's scale.
with media as not materialized (
    select * from int_media
    -- the days this build recomputes (null: all)
    where in_run_days(recorded_end_at)
),

acts as (
    select * from int_acts
),

-- an equi-join on (officer, day) instead of a range join on officer alone: an officer has
-- hundreds of acts and recordings a year, and comparing all pairs of them is the cost here
act_officers as (
    select act_id, started_at, ended_at, unnest(officer_ids) as officer_id
    from acts
),

act_officer_days as (
    select
        act_id,
        officer_id,
        started_at,
        ended_at,
        unnest(generate_series(cast(started_at as date), cast(ended_at as date), interval 1 day)) as day
    from act_officers
),

media_days as (
    select
        media_id,
        device_id,
        officer_id,
        recorded_start_at,
        recorded_end_at,
        is_interruption_noted,
        unnest(generate_series(cast(recorded_start_at as date), cast(recorded_end_at as date), interval 1 day)) as day
    from media
),

by_officer as (
    select
        media_days.media_id,
        media_days.device_id,
        media_days.recorded_start_at,
        media_days.recorded_end_at,
        media_days.is_interruption_noted,
        act_officer_days.act_id
    from media_days
    inner join act_officer_days
        on media_days.officer_id = act_officer_days.officer_id
        and media_days.day = act_officer_days.day
        and media_days.recorded_start_at < act_officer_days.ended_at
        and media_days.recorded_end_at > act_officer_days.started_at
),

by_case as (
    select
        media.media_id,
        media.device_id,
        media.recorded_start_at,
        media.recorded_end_at,
        media.is_interruption_noted,
        acts.act_id
    from media
    inner join acts
        on media.case_id = acts.case_id
        and media.recorded_start_at < acts.ended_at
        and media.recorded_end_at > acts.started_at
),

links as (
    select distinct *
    from (select * from by_officer union all select * from by_case)
),

final as (
    select
        links.media_id,
        links.act_id,
        links.device_id,
        links.recorded_start_at,
        links.recorded_end_at,
        links.is_interruption_noted,
        acts.case_id as act_case_id,
        acts.started_at as act_started_at,
        acts.ended_at as act_ended_at,
        acts.is_remote_duty,
        acts.returned_at
    from links
    inner join acts using (act_id)
)

select * from final
