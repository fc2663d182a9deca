-- one row per emergency-start case (R-START): its start approved within the profile's hours of
-- opening; pending while that window is still open at as_of and no approval is known yet
with cases as (
    select * from stg_cases
),

units as (
    select * from int_units
),

params as (
    select * from int_profile_parameters
),

emergency_starts as (
    select
        cases.case_id,
        cases.unit_id,
        cases.opened_at,
        -- an approval dated after as_of has not happened yet as of the run
        case when cases.start_approved_at < getvariable('as_of_end_at') then cases.start_approved_at end as start_approved_at,
        params.start_approval_hours,
        plus_hours(cases.opened_at, params.start_approval_hours) as deadline_at
    from cases
    left join units on units.unit_id = cases.unit_id
    left join params on params.profile_id = units.profile_id
    where cases.is_emergency_start and cases.opened_at < getvariable('as_of_end_at')
),

judged as (
    select
        *,
        case
            when start_approved_at <= deadline_at then true
            when start_approved_at > deadline_at then false
            when deadline_at <= getvariable('as_of_end_at') then false
        end as is_compliant,
        number_text(round(start_approval_hours, 1)) as hours_text
    from emergency_starts
),

final as (
    select
        'R-START' as rule_id,
        unit_id,
        case_id,
        opened_at as occurred_at,
        case_id as entity_key,
        is_compliant,
        case
            when not is_compliant and start_approved_at is not null then
                '紧急先行启动于 ' || zh_minute(opened_at) || '，至 '
                || zh_minute(start_approved_at) || ' 才审批，超过 ' || hours_text || ' 小时'
            when not is_compliant then
                '紧急先行启动于 ' || zh_minute(opened_at) || '，至时限 '
                || zh_minute(deadline_at) || ' 仍未补办审批'
        end as detail_zh,
        case
            when not is_compliant and start_approved_at is not null then
                'emergency start at ' || en_minute(opened_at) || ', approved only at '
                || en_minute(start_approved_at) || ', more than ' || hours_text || ' h later'
            when not is_compliant then
                'emergency start at ' || en_minute(opened_at) || ', no approval by the deadline '
                || en_minute(deadline_at)
        end as detail_en
    from judged
)

select * from final
