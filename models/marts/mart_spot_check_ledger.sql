-- one row per closed case drawn for review (案卷评查 / 检查台账: longjiang 第二十二条, hebei 第三十条),
-- per unit and period (quarter, year). The draw ranks each case by md5(seed:period:case_id), so
-- anyone with the seed and the list of closed cases can re-draw the same sample (macros/spot_check.sql).
-- A period is drawn once it has ended by the end of as_of: until then cases still close in it, and
-- each could displace a case already drawn.
-- Each drawn case carries its review as returned (spot_check_reviews) and where its rectification
-- stands, as of the end of as_of: a review or a rectification dated later has not happened yet.
with cases as (
    select * from stg_cases
),

reviews as (
    select * from stg_spot_check_reviews
),

run as (
    select * from int_run_parameters
),

closed as (
    select
        cases.*,
        unnest(ledger_periods(cases.closed_at)) as period
    from cases
    where cases.closed_at < getvariable('as_of_end_at')
),

ended as (
    select * from closed where ledger_period_end(period) <= getvariable('as_of_end_at')
),

drawn as (
    select
        ended.*,
        case when contains(ended.period, 'Q') then 'quarter' else 'year' end as period_type,
        run.spot_check_seed as seed,
        spot_check_draw_key(run.spot_check_seed, ended.period, ended.case_id) as draw_key,
        run.spot_check_per_unit
    from ended
    cross join run
),

sampled as (
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
),

-- one review per drawn case: a case reviewed twice for its period (returned under a month and
-- under its quarter, or with two ids) shows the latest review, then the latest delivery
latest_reviews as (
    select reviews.*
    from reviews
    where reviews.reviewed_at is null or reviews.reviewed_at < getvariable('as_of_end_at')
    qualify row_number() over (
        partition by reviews.ledger_period, reviews.case_id
        order by reviews.reviewed_at desc nulls last, reviews.loaded_file_id desc, reviews.review_id
    ) = 1
),

reviewed as (
    select
        sampled.*,
        latest_reviews.review_id,
        latest_reviews.reviewer,
        latest_reviews.reviewed_at,
        latest_reviews.conclusion,
        latest_reviews.problems,
        latest_reviews.rectify_by,
        case when latest_reviews.rectified_at < getvariable('as_of_end_at') then latest_reviews.rectified_at end
            as rectified_at,
        -- a failed case is always put right; one basically passed when the reviewer set a deadline
        latest_reviews.conclusion = 'failed'
            or (latest_reviews.conclusion = 'basically_passed' and latest_reviews.rectify_by is not null)
            as is_rectification_required,
        -- the deadline is the end of the day the reviewer set, or the setting's days after the review
        coalesce(
            latest_reviews.rectify_by + interval 1 day,
            cast(latest_reviews.reviewed_at as date) + interval 1 day + to_days(run.review_rectify_days)
        ) as rectify_due_at
    from sampled
    cross join run
    left join latest_reviews
        on latest_reviews.ledger_period = sampled.period
        and latest_reviews.case_id = sampled.case_id
),

final as (
    select
        unit_id,
        period_type,
        period,
        draw_rank,
        closed_cases,
        case_id,
        case_type,
        procedure,
        opened_at,
        closed_at,
        archived_at,
        seed,
        draw_key,
        review_id,
        reviewer,
        reviewed_at,
        conclusion,
        problems,
        rectify_by,
        rectified_at,
        coalesce(conclusion, 'not_reviewed') as review_status,
        case when is_rectification_required then rectify_due_at end as rectify_due_at,
        case
            when conclusion is null then null
            when not is_rectification_required then 'not_required'
            when rectified_at is not null and (rectify_due_at is null or rectified_at < rectify_due_at) then 'on_time'
            when rectified_at is not null then 'late'
            when rectify_due_at <= getvariable('as_of_end_at') then 'overdue'
            else 'pending'
        end as rectification_status
    from reviewed
)

select * from final
order by period_type, period, unit_id, draw_rank
