-- one row per closed case judged by R-ARC
-- (a view: a projection of int_case_archiving, whose detail text is built only for the violations
-- read from it; as a table it was 11 MB more for the build's commit to write at a city's scale)
-- materialized: view
with archiving as (
    select * from int_case_archiving
),

final as (
    select
        rule_id,
        unit_id,
        case_id,
        closed_at as occurred_at,
        case_id as entity_key,
        case status when 'on_time' then true when 'pending' then null else false end as is_compliant,
        case status
            when 'late' then zh_day(closed_at) || ' 办结，' || zh_day(archived_at)
                || ' 才归档，超过 ' || archive_due_days || ' 日时限 ' || days_late || ' 天'
            when 'overdue' then zh_day(closed_at) || ' 办结，应于 ' || zh_day(archive_due_at)
                || ' 前归档，至今未归档（逾期 ' || days_late || ' 天）'
        end as detail_zh,
        case status
            when 'late' then 'closed ' || en_day(closed_at) || ', archived ' || en_day(archived_at)
                || ', ' || days_late || ' day(s) past the ' || archive_due_days || '-day limit'
            when 'overdue' then 'closed ' || en_day(closed_at) || ', due ' || en_day(archive_due_at)
                || ', not archived (' || days_late || ' day(s) overdue)'
        end as detail_en
    from archiving
)

select * from final
