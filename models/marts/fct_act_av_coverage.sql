-- one row per act whose type has an AV level under its unit's profile (R-AV, rules.md §3): how
-- much of it the recordings that belong to it cover, the gaps longer than the profile's limit,
-- and which of those gaps nothing explains. Deleted recordings still count as coverage
-- (deletion is R-RET's business).
-- partitioned by day: cast(started_at as date)

-- Inputs of millions of rows that are read more than once are `not materialized`: DuckDB would
-- otherwise copy them whole to read them again, which spills gigabytes at a province's scale.
with acts as (
    select * from int_acts
),

requirements as (
    select profile_id, act_type, requirement, article_zh from rules_av_requirements
),

params as (
    select * from int_profile_parameters
),

-- the days this build recomputes (null: all), of the acts' starts
links as (
    select * from int_media_act_links
    where in_run_days(act_started_at)
),

media as (
    select * from int_media
),

devices as (
    select * from stg_devices
),

events as not materialized (
    select * from stg_device_events
),

documents as (
    select * from stg_documents
),

judged_acts as (
    select
        acts.*,
        requirements.requirement,
        requirements.article_zh,
        params.av_full_min_ratio,
        params.av_max_gap_seconds,
        params.av_statement_min_signatures,
        params.is_av_exemption_allowed,
        epoch(acts.ended_at - acts.started_at) as act_seconds
    from acts
    inner join requirements using (profile_id, act_type)
    left join params using (profile_id)
    where in_run_days(acts.started_at)
),

-- the recordings that belong to acts, read once for the coverage and the devices below (a copy of
-- the few linked ones instead of a second pass over every recording); they are probed against the
-- links, not hashed for them (a join builds its hash table on its right side: runner.set_parameters)
linked_media as (
    select
        links.act_id,
        media.media_id,
        media.device_id,
        media.is_interruption_noted,
        media.recorded_start_at,
        media.recorded_end_at
    from media
    inner join links using (media_id)
    -- a recording that overlaps an act ends after it starts
    where from_first_run_day(media.recorded_end_at)
),

clipped as (
    select
        linked_media.act_id,
        linked_media.media_id,
        linked_media.is_interruption_noted,
        greatest(linked_media.recorded_start_at, judged_acts.started_at) as start_at,
        least(linked_media.recorded_end_at, judged_acts.ended_at) as end_at
    from linked_media
    inner join judged_acts using (act_id)
),

-- merge overlapping recordings into islands of continuous coverage
ordered as (
    select
        *,
        max(end_at) over (
            partition by act_id order by start_at, end_at, media_id
            rows between unbounded preceding and 1 preceding
        ) as previous_max_end_at
    from clipped
),

numbered as (
    select
        *,
        sum(case when previous_max_end_at is null or start_at > previous_max_end_at then 1 else 0 end) over (
            partition by act_id order by start_at, end_at, media_id rows unbounded preceding
        ) as island
    from ordered
),

islands as (
    select
        act_id,
        island,
        min(start_at) as start_at,
        max(end_at) as end_at,
        -- the recording that opens an island explains the gap before it with a spoken reason
        bool_or(is_interruption_noted) filter (
            where previous_max_end_at is null or start_at > previous_max_end_at
        ) as opens_with_note
    from numbered
    group by act_id, island
),

coverage as (
    select act_id, sum(epoch(end_at - start_at)) as covered_seconds, count(*) as island_count
    from islands
    group by act_id
),

gaps as (
    select
        islands.act_id,
        coalesce(lag(islands.end_at) over (partition by islands.act_id order by islands.start_at), judged_acts.started_at)
            as gap_start_at,
        islands.start_at as gap_end_at,
        coalesce(islands.opens_with_note, false) as is_noted
    from islands
    inner join judged_acts using (act_id)
    union all
    select islands.act_id, max(islands.end_at), any_value(judged_acts.ended_at), false
    from islands
    inner join judged_acts using (act_id)
    group by islands.act_id
),

long_gaps as (
    select gaps.*, epoch(gaps.gap_end_at - gaps.gap_start_at) as gap_seconds
    from gaps
    inner join judged_acts using (act_id)
    where epoch(gaps.gap_end_at - gaps.gap_start_at) > judged_acts.av_max_gap_seconds
),

-- devices that could have recorded the act: those of its recordings and those assigned to its officers
act_devices as (
    select distinct act_id, device_id
    from linked_media
    union
    -- an equality join on each officer: a join on list_contains compares every act with every device
    select act_officers.act_id, devices.device_id
    from (select act_id, unnest(officer_ids) as officer_id from judged_acts) as act_officers
    inner join devices using (officer_id)
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
    inner join judged_acts using (act_id)
    where documents.doc_type = 'interruption_statement'
        and documents.officer_signatures >= coalesce(judged_acts.av_statement_min_signatures, 0)
        -- one signed after as_of had not been written yet (as R-DOC, R-DEV-INT and R-EVD count them)
        and (documents.signed_at is null or documents.signed_at < getvariable('as_of_end_at'))
),

gap_summary as (
    select
        long_gaps.act_id,
        count(*) as gap_count,
        count(*) filter (
            where not long_gaps.is_noted and interrupt_explained.act_id is null and statements.act_id is null
        ) as unexplained_gaps,
        max(long_gaps.gap_seconds) filter (
            where not long_gaps.is_noted and interrupt_explained.act_id is null and statements.act_id is null
        ) as longest_unexplained_gap_seconds
    from long_gaps
    left join interrupt_explained using (act_id, gap_start_at)
    left join statements using (act_id)
    group by long_gaps.act_id
),

final as (
    select
        judged_acts.act_id,
        judged_acts.case_id,
        judged_acts.unit_id,
        judged_acts.profile_id,
        judged_acts.act_type,
        judged_acts.started_at,
        judged_acts.ended_at,
        judged_acts.officer_ids[1] as officer_id,
        judged_acts.requirement,
        judged_acts.article_zh,
        coalesce(coverage.covered_seconds, 0) as covered_seconds,
        judged_acts.act_seconds,
        case
            when judged_acts.act_seconds > 0 then round(coalesce(coverage.covered_seconds, 0) / judged_acts.act_seconds, 4)
        end as coverage_ratio,
        -- an act nothing covers is one gap from start to end
        coalesce(gap_summary.gap_count, missing_gap.gaps) as gap_count,
        coalesce(gap_summary.unexplained_gaps, missing_gap.gaps) as unexplained_gaps,
        coalesce(gap_summary.longest_unexplained_gap_seconds, missing_gap.seconds) as longest_unexplained_gap_seconds,
        judged_acts.av_exempt_reason,
        case
            when judged_acts.av_exempt_reason is not null and judged_acts.is_av_exemption_allowed then 'exempt_with_reason'
            when coalesce(coverage.covered_seconds, 0) = 0 then 'missing'
            when judged_acts.requirement <> 'full' then 'ok'
            when coalesce(coverage.covered_seconds, 0) >= judged_acts.av_full_min_ratio * judged_acts.act_seconds
                and coalesce(gap_summary.unexplained_gaps, 0) = 0 then 'ok'
            else 'partial'
        end as status,
        judged_acts.av_full_min_ratio,
        judged_acts.av_max_gap_seconds,
        'R-AV' as rule_id
    from judged_acts
    left join coverage using (act_id)
    left join gap_summary using (act_id)
    cross join lateral (
        select
            case when coverage.act_id is null and judged_acts.act_seconds > judged_acts.av_max_gap_seconds
                then 1 else 0 end as gaps,
            case when coverage.act_id is null and judged_acts.act_seconds > judged_acts.av_max_gap_seconds
                then judged_acts.act_seconds end as seconds
    ) as missing_gap
)

select * from final
order by cast(started_at as date), act_id
