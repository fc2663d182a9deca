-- one row per period (month, quarter, year) from the first month anything was judged to the month of
-- as_of: its first day, the day after its last (period_end), the period before it of the same kind,
-- the spot-check ledger's period it falls in (the ledger has quarters and years: a month uses its
-- quarter), and its name in both languages. Periods are written 2025, 2025Q3 and 2025-07.
with check_months as (
    select * from int_rule_check_months
),

run as (
    select * from int_run_parameters
),

months as (
    select unnest(generate_series(
        (select min(month_start) from check_months),
        greatest((select max(month_start) from check_months), cast(date_trunc('month', run.as_of) as date)),
        interval 1 month
    )) as month_start
    from run
    where exists (select 1 from check_months)
),

spans as (
    select distinct
        kind.period_type,
        cast(date_trunc(kind.period_type, months.month_start) as date) as period_start
    from months
    cross join (values ('month'), ('quarter'), ('year')) as kind(period_type)
),

lengths as (
    select
        spans.*,
        case period_type
            when 'year' then interval 1 year when 'quarter' then interval 3 month else interval 1 month
        end as length
    from spans
),

starts as (
    select
        period_type,
        period_start,
        cast(period_start + length as date) as period_end,
        cast(period_start - length as date) as previous_start
    from lengths
),

-- a period and the one before it are named alike: 2025, 2025Q3, 2025-07
named as (
    select
        starts.*,
        list_transform([period_start, previous_start], lambda day: case period_type
            when 'year' then strftime(day, '%Y')
            when 'quarter' then strftime(day, '%Y') || 'Q' || quarter(day)
            else strftime(day, '%Y-%m')
        end) as names
    from starts
),

final as (
    select
        period_type,
        names[1] as period,
        period_start,
        period_end,
        names[2] as previous_period,
        case when period_type = 'year' then 'year' else 'quarter' end as spot_check_period_type,
        case when period_type = 'year' then names[1]
            else strftime(period_start, '%Y') || 'Q' || quarter(period_start) end as spot_check_period,
        case period_type
            when 'year' then year(period_start) || '年度'
            -- as Chinese reports write them: 2025年第四季度, 2025年12月
            when 'quarter' then year(period_start) || '年第' || ['一', '二', '三', '四'][quarter(period_start)] || '季度'
            else year(period_start) || '年' || month(period_start) || '月'
        end as label_zh,
        -- as English reports write them: 2025, Q4 2025, December 2025
        case period_type
            when 'year' then cast(year(period_start) as varchar)
            when 'quarter' then 'Q' || quarter(period_start) || ' ' || year(period_start)
            else strftime(period_start, '%B %Y')
        end as label_en
    from named
)

select * from final
order by period_type, period
