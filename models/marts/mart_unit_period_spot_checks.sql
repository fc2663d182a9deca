-- one row per unit × spot-check period (quarter, year) with a drawn case or a returned review: where
-- the ledger stands (longjiang 第二十二条 检查台账, hebei 第三十条 案卷评查): drawn, reviewed, each
-- conclusion, the pass rate (案卷评查合格率: passed or basically passed, of the reviewed) and the
-- rectifications due, done and overdue, as of the end of as_of. Reviews of a case the ledger does
-- not draw (any more, or not yet: its period has not ended) are counted apart, never dropped.
with ledger as (
    select * from mart_spot_check_ledger
),

reviews as (
    select * from stg_spot_check_reviews
),

cases as (
    select * from stg_cases
),

drawn as (
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
),

outside_draw as (
    select
        cases.unit_id,
        case when contains(reviews.ledger_period, 'Q') then 'quarter' else 'year' end as period_type,
        reviews.ledger_period as period,
        count(*) as reviews_outside_draw
    from reviews
    inner join cases using (case_id)
    anti join ledger on ledger.period = reviews.ledger_period and ledger.case_id = reviews.case_id
    where reviews.conclusion is not null
        and (reviews.reviewed_at is null or reviews.reviewed_at < getvariable('as_of_end_at'))
    group by all
),

final as (
    select
        unit_id,
        period_type,
        period,
        coalesce(drawn.drawn, 0) as drawn,
        coalesce(drawn.reviewed, 0) as reviewed,
        coalesce(drawn.passed, 0) as passed,
        coalesce(drawn.basically_passed, 0) as basically_passed,
        coalesce(drawn.failed, 0) as failed,
        drawn.pass_rate,
        coalesce(drawn.rectifications, 0) as rectifications,
        coalesce(drawn.rectified_on_time, 0) as rectified_on_time,
        coalesce(drawn.rectified_late, 0) as rectified_late,
        coalesce(drawn.rectifying, 0) as rectifying,
        coalesce(drawn.rectification_overdue, 0) as rectification_overdue,
        coalesce(outside_draw.reviews_outside_draw, 0) as reviews_outside_draw
    from drawn
    full outer join outside_draw using (unit_id, period_type, period)
)

select * from final
order by period_type, period, unit_id
