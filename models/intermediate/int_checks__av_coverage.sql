-- one row per act that must be recorded (required or full) judged by R-AV; acts where recording
-- is only recommended stay an indicator in fct_act_av_coverage and are not judged here
-- materialized: view
-- partitioned by day: cast(partition_at as date)
with coverage as (
    select * from int_act_av_coverage
),

final as (
    select
        rule_id,
        unit_id,
        officer_id,
        case_id,
        act_id,
        started_at as occurred_at,
        act_id as entity_key,
        status in ('ok', 'exempt_with_reason') as is_compliant,
        -- the article that sets this act type's level is more precise than the rule's general one
        article_zh,
        case status
            when 'missing' then zh_minute(started_at) || '–' || hh_mm(ended_at)
                || ' 的执法环节应' || case requirement when 'full' then '全程' else '' end || '音像记录，无任何录像'
            when 'partial' then '录像覆盖 ' || percent_text(coverage_ratio)
                || case when coverage_ratio < av_full_min_ratio
                    then '（全程记录须达 ' || percent_text(av_full_min_ratio) || '）' else '' end
                -- whole seconds rounded half to even, as DuckDB's cast rounds: written out for Spark,
                -- whose cast truncates
                || case when unexplained_gaps > 0 then '，' || unexplained_gaps || ' 处超过 '
                    || cast(round_even(av_max_gap_seconds, 0) as integer) || ' 秒的中断未说明（最长 '
                    || cast(round_even(longest_unexplained_gap_seconds, 0) as integer) || ' 秒）' else '' end
        end as detail_zh,
        case status
            when 'missing' then 'act ' || en_minute(started_at) || '–' || hh_mm(ended_at)
                || ' must be recorded' || case requirement when 'full' then ' in full' else '' end || '; no recording covers it'
            when 'partial' then 'recordings cover ' || percent_text(coverage_ratio)
                || case when coverage_ratio < av_full_min_ratio
                    then ' (full recording needs ' || percent_text(av_full_min_ratio) || ')' else '' end
                || case when unexplained_gaps > 0 then ', ' || unexplained_gaps || ' gap(s) over '
                    || cast(round_even(av_max_gap_seconds, 0) as integer) || ' s unexplained (longest '
                    || cast(round_even(longest_unexplained_gap_seconds, 0) as integer) || ' s)' else '' end
        end as detail_en,
        started_at as partition_at
    from coverage
    where requirement in ('required', 'full')
)

select * from final
