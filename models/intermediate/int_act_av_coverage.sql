-- one row per act whose type has an AV level under its unit's profile (R-AV, rules.md §3): how
-- much of it the recordings that belong to it cover, the gaps longer than the profile's limit,
-- and how many of those gaps nothing explains (int_act_gap_explanations says what explains each).
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

gaps as (
    select * from int_act_gap_explanations
    where in_run_days(act_started_at)
),

coverage as (
    select act_id, sum(seconds_between(start_at, end_at)) as covered_seconds, count(*) as island_count
    from intervals
    group by act_id
),

gap_summary as (
    select
        act_id,
        count(*) as gap_count,
        count(*) filter (where not is_explained) as unexplained_gaps,
        max(gap_seconds) filter (where not is_explained) as longest_unexplained_gap_seconds
    from gaps
    group by act_id
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
