-- one row per judged thing, for every rule: the common shape that violations and scorecard rates
-- are computed from. is_compliant is null while a thing cannot be judged yet (deadline ahead).
-- Each int_checks__<family> model yields exactly these columns:
--   rule_id, unit_id, officer_id, case_id, act_id, media_id, device_id, occurred_at, entity_key,
--   is_compliant, detail_zh, detail_en
-- and may add article_zh where a finding rests on a more specific article than the rule's; a check
-- partitioned by day adds partition_at, a moment of the day its row belongs to (fct_violations
-- recomputes the checks' rows of the days they recomputed, and those without one).
-- materialized: view
with checks as (
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
