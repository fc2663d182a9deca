-- one row per frozen unit-period whose live figure has moved since it was frozen (late data):
-- listed, never silently applied to the appraisal (rules.md §6)
with scorecard as (
    select * from mart_unit_period_scorecard
),

final as (
    select
        unit_id,
        unit_name,
        period_type,
        period,
        frozen_as_of,
        frozen_score,
        score as live_score,
        round(score - frozen_score, 2) as revision
    from scorecard
    where frozen_score is not null and score is distinct from frozen_score
)

select * from final
order by period_type, period, unit_id
