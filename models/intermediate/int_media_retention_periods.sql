-- one row per recording: which retention class its profile gives it, until when it must be kept
-- (held while its case is open), and its deletion as of the run (R-RET, rules.md §4). Classes and
-- their conditions come from rules_retention_classes; where several apply the lowest precedence
-- (the longest keeping) wins. Whether a period has ended is int_media_retention's: it changes
-- every day for some recording, and computed where it is read no day has to be rebuilt for it.
-- partitioned by day: cast(recorded_end_at as date)

-- Inputs of millions of rows that are read more than once are `not materialized`: DuckDB would
-- otherwise copy them whole to read them again, which spills gigabytes at a province's scale.
with media as not materialized (
    select * from int_media
    -- the days this build recomputes (null: all)
    where in_run_days(recorded_end_at)
),

media_cases as (
    select * from int_media_cases
    where in_run_days(recorded_end_at)
),

cases as (
    select * from stg_cases
),

classes as (
    select
        profile_id,
        retention_class,
        applies_when,
        cast(nullif(period_months, '') as integer) as period_months,
        period_from,
        cast(precedence as integer) as precedence
    from rules_retention_classes
),

triggers as (
    select profile_id, value as trigger_code
    from rules_rule_parameters
    where rule_id = 'R-RET' and parameter = 'long_term_trigger'
),

-- facts about each recording that a class condition can name, as (media_id, code) pairs
media_facts as (
    select media_cases.media_id, fact
    from media_cases
    inner join cases using (case_id)
    cross join lateral (
        select unnest([
            case when cases.is_evidence_used then 'cases.evidence_used' end,
            case when cases.is_reconsideration_or_litigation then 'cases.reconsideration_or_litigation' end,
            case when cases.is_complaint_or_objection then 'cases.complaint_or_objection' end,
            case when cases.is_obstruction_or_violence then 'cases.obstruction_or_violence' end,
            case when cases.is_emergency_or_mass_incident then 'cases.emergency_or_mass_incident' end,
            case when cases.is_major_or_complex then 'cases.major_or_complex' end
        ]) as fact
    )
    where fact is not null
    union
    select media_id, 'media.is_evidence' from media where is_evidence
),

-- the media's profile is joined to its few facts before the triggers, not to every recording; the
-- recordings are probed against the facts, not hashed for them
-- (a join builds its hash table on its right side, as written: runner.set_parameters)
trigger_hits as (
    select media.media_id, string_agg(distinct triggers.trigger_code, ',' order by triggers.trigger_code) as hits
    from media
    inner join media_facts using (media_id)
    inner join triggers on triggers.profile_id = media.profile_id and triggers.trigger_code = media_facts.fact
    group by media.media_id
),

-- a recording linked to several cases (its label and the cases of its acts) is kept as long as the
-- longest of them demands (rules.md §4): triggered if any is, its case file held until the last is
-- archived and kept from that archiving
case_archiving as (
    select
        media_cases.media_id,
        count(*) as case_count,
        count(*) filter (where cases.archived_at is null or cases.archived_at >= getvariable('as_of_end_at')) as unarchived_count,
        max(cases.archived_at) as last_archived_at
    from media_cases
    inner join cases using (case_id)
    group by media_cases.media_id
),

-- which class wins for each profile and combination of the facts a condition can name: a few dozen
-- rows, so each recording then joins to its class once instead of to every class it qualifies for
fact_combinations as (
    select *
    from (values (false), (true)) as evidence(is_evidence)
    cross join (values (false), (true)) as triggered(is_triggered)
    cross join (values (false), (true)) as in_case(is_in_case)
),

class_choice as (
    select
        classes.profile_id,
        fact_combinations.is_evidence,
        fact_combinations.is_triggered,
        fact_combinations.is_in_case,
        classes.retention_class,
        classes.applies_when,
        classes.period_months,
        classes.period_from
    from classes
    cross join fact_combinations
    where classes.applies_when = 'all'
        or classes.applies_when = 'default'
        or (classes.applies_when = 'evidence' and fact_combinations.is_evidence)
        or (classes.applies_when = 'long_term_trigger' and fact_combinations.is_triggered)
        or (classes.applies_when = 'in_case' and fact_combinations.is_in_case)
    qualify row_number() over (
        partition by classes.profile_id, fact_combinations.is_evidence, fact_combinations.is_triggered,
            fact_combinations.is_in_case
        -- on a tie the class a specific condition gave is the reason shown, not the catch-all
        order by classes.precedence, classes.retention_class, classes.applies_when in ('all', 'default'),
            classes.applies_when
    ) = 1
),

kept as (
    select
        media.media_id,
        media.unit_id,
        media.officer_id,
        media.device_id,
        media.profile_id,
        media.recorded_end_at,
        media.deleted_at,
        media.delete_approval_ref,
        chosen.retention_class,
        case
            when chosen.applies_when = 'long_term_trigger' then 'long_term_trigger:' || trigger_hits.hits
            else chosen.applies_when
        end as retention_reason,
        chosen.period_months,
        -- to_months keeps the time of day and lands on the month's last day where the month is
        -- shorter (2024-08-31 + 6 months = 2025-02-28): rules.md §4, stated in R-RET's description
        case
            when chosen.period_months is null then null
            when chosen.period_from = 'archived_at' and case_archiving.unarchived_count = 0
                then case_archiving.last_archived_at + to_months(chosen.period_months)
            when chosen.period_from = 'recorded_end' then media.recorded_end_at + to_months(chosen.period_months)
        end as retain_until,
        chosen.period_months is null
            or (chosen.period_from = 'archived_at' and coalesce(case_archiving.unarchived_count, 1) > 0)
            as is_held
    from media
    left join trigger_hits using (media_id)
    left join case_archiving using (media_id)
    inner join class_choice as chosen
        on chosen.profile_id = media.profile_id
        -- evidence is the recording's own flag: dalian_jinpu 第二十九条's "作为证据使用的" 音像记录
        -- (rules.md §4); a case's evidence_used is a long-term trigger where a profile has those
        and chosen.is_evidence = coalesce(media.is_evidence, false)
        and chosen.is_triggered = (trigger_hits.hits is not null)
        and chosen.is_in_case = coalesce(case_archiving.case_count > 0, false)
),

final as (
    select
        media_id,
        unit_id,
        officer_id,
        device_id,
        profile_id,
        recorded_end_at,
        retention_class,
        retention_reason,
        period_months,
        retain_until,
        is_held,
        deleted_at,
        delete_approval_ref
    from kept
)

select * from final
