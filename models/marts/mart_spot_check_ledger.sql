-- one row per closed case drawn for review (案卷评查 / 检查台账: longjiang 第二十二条, hebei 第三十条),
-- per unit and period (quarter, year). The draw ranks each case by md5(seed:period:case_id), so
-- anyone with the seed and the list of closed cases can re-draw the same sample.
with cases as (
    select * from stg_cases
),

run as (
    select * from int_run_parameters
),

closed as (
    select
        cases.*,
        unnest([
            {'period_type': 'quarter', 'period': strftime(cases.closed_at, '%Y') || 'Q' || quarter(cases.closed_at)},
            {'period_type': 'year', 'period': strftime(cases.closed_at, '%Y')}
        ], recursive := true)
    from cases
    cross join run
    where cases.closed_at < getvariable('as_of_end_at')
),

drawn as (
    select
        closed.*,
        run.spot_check_seed as seed,
        md5(run.spot_check_seed || ':' || closed.period || ':' || closed.case_id) as draw_key,
        run.spot_check_per_unit
    from closed
    cross join run
),

final as (
    select
        unit_id,
        period_type,
        period,
        row_number() over (partition by unit_id, period_type, period order by draw_key) as draw_rank,
        count(*) over (partition by unit_id, period_type, period) as closed_cases,
        case_id,
        case_type,
        procedure,
        opened_at,
        closed_at,
        archived_at,
        seed,
        draw_key
    from drawn
    qualify row_number() over (partition by unit_id, period_type, period order by draw_key) <= spot_check_per_unit
)

select * from final
order by period_type, period, unit_id, draw_rank
