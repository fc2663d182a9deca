-- one row per unit × spot-check period (quarter, year) with a drawn case: where the ledger stands
-- (longjiang 第二十二条 检查台账, hebei 第三十条 案卷评查): drawn, reviewed, each conclusion, the
-- pass rate (案卷评查合格率: passed or basically passed, of the reviewed) and the rectifications
-- due, done and overdue, as of the end of as_of.
with ledger as (
    select * from mart_spot_check_ledger
),

final as (
    select
        unit_id,
        period_type,
        period,
        count(*) as drawn,
        count(conclusion) as reviewed,
        count(*) filter (where conclusion = 'passed') as passed,
        count(*) filter (where conclusion = 'basically_passed') as basically_passed,
        count(*) filter (where conclusion = 'failed') as failed,
        round(count(*) filter (where conclusion in ('passed', 'basically_passed')) / nullif(count(conclusion), 0), 4)
            as pass_rate,
        count(*) filter (where rectification_status in ('pending', 'overdue', 'on_time', 'late')) as rectifications,
        count(*) filter (where rectification_status = 'on_time') as rectified_on_time,
        count(*) filter (where rectification_status = 'late') as rectified_late,
        count(*) filter (where rectification_status = 'pending') as rectifying,
        count(*) filter (where rectification_status = 'overdue') as rectification_overdue
    from ledger
    group by all
)

select * from final
order by period_type, period, unit_id
