-- one row per judged thing, for every rule: the common shape that violations and scorecard rates
-- are computed from. is_compliant is null while a thing cannot be judged yet (deadline ahead), or
-- cannot be judged at all from what was delivered: then not_judged_reason says why (a code of the
-- label catalogue's kind not_judged_reason), and the thing is counted apart, never as compliant.
-- Each int_checks__<family> model yields the columns of `shape` that it has (a missing one is null
-- here): article_zh where a finding rests on a more specific article than the rule's, and, for a
-- check partitioned by day, partition_at, a moment of the day its row belongs to (fct_violations
-- recomputes the checks' rows of the days they recomputed, and those without one).
-- materialized: view
-- partitioned by day: cast(partition_at as date)
with shape as (
    select
        cast(null as varchar) as rule_id,
        cast(null as varchar) as unit_id,
        cast(null as varchar) as officer_id,
        cast(null as varchar) as case_id,
        cast(null as varchar) as act_id,
        cast(null as varchar) as media_id,
        cast(null as varchar) as device_id,
        cast(null as timestamp) as occurred_at,
        cast(null as varchar) as entity_key,
        cast(null as boolean) as is_compliant,
        cast(null as varchar) as detail_zh,
        cast(null as varchar) as detail_en,
        cast(null as timestamp) as partition_at,
        cast(null as varchar) as article_zh,
        cast(null as varchar) as not_judged_reason
    where false
),

checks as (
    select * from shape
    union all by name
    select * from int_checks__upload
    union all by name
    select * from int_checks__archiving
    union all by name
    select * from int_checks__retention
    union all by name
    select * from int_checks__av_coverage
    union all by name
    select * from int_checks__upload_lost
    union all by name
    select * from int_checks__start
    union all by name
    select * from int_checks__labelling
    union all by name
    select * from int_checks__evidence
    union all by name
    select * from int_checks__device_deletes
    union all by name
    select * from int_checks__device_interrupts
    union all by name
    select * from int_checks__device_days
    union all by name
    select * from int_checks__device_maintenance
    union all by name
    select * from int_checks__access
    union all by name
    select * from int_checks__integrity
    union all by name
    select * exclude (case_opened_at) from int_checks__documents
    -- (further int_checks__<family> models are added here with union all by name)
),

final as (
    select * from checks
)

select * from final
