-- one row per act whose type has an AV level under its unit's profile (R-AV, rules.md §3): how
-- much of it the recordings that belong to it cover, the gaps longer than the profile's limit,
-- and which of those gaps nothing explains: not a spoken reason opening the next recording, an
-- interruption with a reason logged by a device that could have recorded the act, or a written
-- interruption statement for it signed by enough officers.
-- partitioned by day: cast(started_at as date)

-- the days this build recomputes (null: all), of the acts' starts
with acts as (
    select * from int_act_av_requirements
    where in_run_days(started_at)
),

intervals as (
    select * from int_act_recorded_intervals
    where in_run_days(act_started_at)
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

coverage as (
    select act_id, sum(epoch(end_at - start_at)) as covered_seconds, count(*) as island_count
    from intervals
    group by act_id
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
        acts.act_id,
        acts.case_id,
        acts.unit_id,
        acts.profile_id,
        acts.act_type,
        acts.started_at,
        acts.ended_at,
        acts.officer_ids[1] as officer_id,
        -- every officer of the act: an act not recorded is each one's (the officers page)
        acts.officer_ids,
        acts.requirement,
        acts.article_zh,
        coalesce(coverage.covered_seconds, 0) as covered_seconds,
        acts.act_seconds,
        case
            when acts.act_seconds > 0 then round(coalesce(coverage.covered_seconds, 0) / acts.act_seconds, 4)
        end as coverage_ratio,
        -- an act nothing covers is one gap from start to end
        coalesce(gap_summary.gap_count, missing_gap.gaps) as gap_count,
        coalesce(gap_summary.unexplained_gaps, missing_gap.gaps) as unexplained_gaps,
        coalesce(gap_summary.longest_unexplained_gap_seconds, missing_gap.seconds) as longest_unexplained_gap_seconds,
        acts.av_exempt_reason,
        case
            when acts.av_exempt_reason is not null and acts.is_av_exemption_allowed then 'exempt_with_reason'
            when coalesce(coverage.covered_seconds, 0) = 0 then 'missing'
            when acts.requirement <> 'full' then 'ok'
            when coalesce(coverage.covered_seconds, 0) >= acts.av_full_min_ratio * acts.act_seconds
                and coalesce(gap_summary.unexplained_gaps, 0) = 0 then 'ok'
            else 'partial'
        end as status,
        acts.av_full_min_ratio,
        acts.av_max_gap_seconds,
        'R-AV' as rule_id
    from acts
    left join coverage using (act_id)
    left join gap_summary using (act_id)
    cross join lateral (
        select
            case when coverage.act_id is null and acts.act_seconds > acts.av_max_gap_seconds
                then 1 else 0 end as gaps,
            case when coverage.act_id is null and acts.act_seconds > acts.av_max_gap_seconds
                then acts.act_seconds end as seconds
    ) as missing_gap
)

select * from final
order by cast(started_at as date), act_id
