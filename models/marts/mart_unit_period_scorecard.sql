-- one row per unit × period (month, quarter, year): each rule family's compliance rate over the
-- rules that are violations under the unit's profile, a 0–100 score weighted by the profile's
-- scoring weights (families with nothing judged in the period drop out of the weighting), rank
-- among sibling units, and the change against the previous period of the same kind. Beside it, the
-- unit's 案卷评查合格率 for a quarter or a year (mart_unit_period_spot_checks): an indicator, in the
-- score only with the weight the setting review_weight gives it (default 0).
-- A period is frozen once its grace window after the period's end has passed (rules.md §6): its
-- appraisal_score is then the figure first computed after that, kept in appraisal_frozen_scores,
-- and a later difference shows in mart_scorecard_revisions instead of silently changing it.
with rates as (
    select * from mart_unit_rule_period_rates where level = 'violation'
),

units as (
    select * from int_units
),

weights as (
    select profile_id, family, cast(weight as double) as weight from rules_scoring_weights
),

frozen as (
    select * from appraisal_frozen_scores
),

run as (
    select * from int_run_parameters
),

periods as (
    select * from dim_periods
),

spot_checks as (
    select * from mart_unit_period_spot_checks
),

family_rates as (
    select
        unit_id,
        period_type,
        period,
        family,
        sum(judged) as judged,
        sum(compliant) as compliant,
        sum(compliant) / sum(judged) as rate
    from rates
    group by all
),

scored as (
    select
        family_rates.unit_id,
        family_rates.period_type,
        family_rates.period,
        sum(family_rates.judged) as judged,
        sum(family_rates.judged - family_rates.compliant) as violations,
        sum(weights.weight * family_rates.rate) as weighted_rates,
        sum(weights.weight) as weights,
        max(family_rates.rate) filter (where family_rates.family = 'upload') as upload_rate,
        max(family_rates.rate) filter (where family_rates.family = 'av_coverage') as av_coverage_rate,
        max(family_rates.rate) filter (where family_rates.family = 'retention') as retention_rate,
        max(family_rates.rate) filter (where family_rates.family = 'archiving') as archiving_rate,
        max(family_rates.rate) filter (where family_rates.family = 'documents') as documents_rate,
        max(family_rates.rate) filter (where family_rates.family = 'devices') as devices_rate,
        max(family_rates.rate) filter (where family_rates.family = 'access') as access_rate,
        max(family_rates.rate) filter (where family_rates.family = 'integrity') as integrity_rate,
        max(family_rates.rate) filter (where family_rates.family = 'start') as start_rate,
        max(family_rates.rate) filter (where family_rates.family = 'labelling') as labelling_rate,
        max(family_rates.rate) filter (where family_rates.family = 'evidence') as evidence_rate
    from family_rates
    inner join units using (unit_id)
    inner join weights on weights.profile_id = units.profile_id and weights.family = family_rates.family
    group by all
),

with_reviews as (
    select
        scored.* exclude (weighted_rates, weights),
        spot_checks.pass_rate as review_pass_rate,
        case
            when run.review_weight > 0 and spot_checks.pass_rate is not null
                then round(100 * (scored.weighted_rates + run.review_weight * spot_checks.pass_rate)
                    / (scored.weights + run.review_weight), 2)
            else round(100 * scored.weighted_rates / nullif(scored.weights, 0), 2)
        end as score
    from scored
    cross join run
    left join spot_checks using (unit_id, period_type, period)
),

with_previous as (
    select
        with_reviews.*,
        periods.previous_period,
        periods.period_start,
        periods.period_end
    from with_reviews
    inner join periods using (period_type, period)
),

final as (
    select
        with_previous.unit_id,
        units.unit_name,
        units.parent_unit_id,
        units.profile_id,
        with_previous.period_type,
        with_previous.period,
        with_previous.upload_rate,
        with_previous.av_coverage_rate,
        with_previous.retention_rate,
        with_previous.archiving_rate,
        with_previous.documents_rate,
        with_previous.devices_rate,
        with_previous.access_rate,
        with_previous.integrity_rate,
        with_previous.start_rate,
        with_previous.labelling_rate,
        with_previous.evidence_rate,
        with_previous.review_pass_rate,
        with_previous.judged,
        with_previous.violations,
        with_previous.score,
        rank() over (
            partition by with_previous.period_type, with_previous.period, units.parent_unit_id
            order by with_previous.score desc nulls last
        ) as rank,
        count(*) over (partition by with_previous.period_type, with_previous.period, units.parent_unit_id)
            as rank_of,
        with_previous.previous_period,
        previous.score as previous_score,
        round(with_previous.score - previous.score, 2) as score_change,
        with_previous.period_start,
        with_previous.period_end,
        -- frozen once, frozen for good: a later run judged as of an earlier day (a rerun of the demo
        -- after a scheduled run) must not thaw an appraisal figure already kept (rules.md §6)
        frozen.unit_id is not null
            or with_previous.period_end + to_days(run.freeze_grace_days) <= getvariable('as_of_end_at') as is_frozen,
        -- the build that freezes a period shows the figure it freezes (its .after.sql then keeps it),
        -- as every later build does: a rerun on the same data gives the same scorecard
        case when is_frozen then coalesce(frozen.score, with_previous.score) end as frozen_score,
        case when is_frozen then coalesce(frozen.frozen_as_of, getvariable('as_of')) end as frozen_as_of,
        frozen_score as appraisal_score
    from with_previous
    cross join run
    inner join units using (unit_id)
    left join frozen
        on frozen.unit_id = with_previous.unit_id
        and frozen.period_type = with_previous.period_type
        and frozen.period = with_previous.period
    left join with_reviews as previous
        on previous.unit_id = with_previous.unit_id
        and previous.period_type = with_previous.period_type
        and previous.period = with_previous.previous_period
)

select * from final
order by period_type, period, parent_unit_id, rank, unit_id
