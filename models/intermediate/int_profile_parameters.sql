-- one row per profile: the single-valued rule parameters as typed columns
with parameters as (
    select * from rules_rule_parameters
),

final as (
    select
        profile_id,
        max(case when rule_id = 'R-UPL' and parameter = 'deadline_hours' then cast(value as double) end)
            as upload_deadline_hours,
        max(case when rule_id = 'R-UPL' and parameter = 'deadline_from' then value end)
            as upload_deadline_from,
        coalesce(bool_or(case when rule_id = 'R-UPL' and parameter = 'remote_duty_exception'
            then cast(value as boolean) end), false) as is_upload_remote_exception,
        max(case when rule_id = 'R-UPL' and parameter = 'warn_within_hours' then cast(value as double) end)
            as upload_warn_hours,
        max(case when rule_id = 'R-UPL-LOST' and parameter = 'deadline_hours' then cast(value as double) end)
            as lost_deadline_hours,
        max(case when rule_id = 'R-ARC' and parameter = 'due_days' then cast(value as integer) end)
            as archive_due_days,
        max(case when rule_id = 'R-ARC' and parameter = 'warn_within_days' then cast(value as integer) end)
            as archive_warn_days,
        max(case when rule_id = 'R-AV' and parameter = 'full_min_ratio' then cast(value as double) end)
            as av_full_min_ratio,
        max(case when rule_id = 'R-AV' and parameter = 'max_unexplained_gap_seconds' then cast(value as double) end)
            as av_max_gap_seconds,
        max(case when rule_id = 'R-AV' and parameter = 'statement_min_signatures' then cast(value as integer) end)
            as av_statement_min_signatures,
        coalesce(bool_or(case when rule_id = 'R-AV' and parameter = 'exemption_allowed'
            then cast(value as boolean) end), true) as is_av_exemption_allowed,
        max(case when rule_id = 'R-DEV-INT' and parameter = 'statement_min_signatures' then cast(value as integer) end)
            as devint_statement_min_signatures,
        max(case when rule_id = 'R-RET' and parameter = 'disposal_review_days' then cast(value as integer) end)
            as retention_review_days,
        max(case when rule_id = 'R-START' and parameter = 'approval_hours' then cast(value as double) end)
            as start_approval_hours,
        max(case when rule_id = 'R-START' and parameter = 'warn_within_hours' then cast(value as double) end)
            as start_warn_hours,
        max(case when rule_id = 'R-DEV-INT' and parameter = 'statement_doc_type' then value end)
            as devint_statement_doc_type,
        max(case when rule_id = 'R-EVD' and parameter = 'explanation_doc_type' then value end)
            as evidence_explanation_doc_type,
        max(case when rule_id = 'R-DEV-CHECK' and parameter = 'check_event_type' then value end)
            as devcheck_event_type,
        max(case when rule_id = 'R-DEV-CHECK' and parameter = 'before_event_type' then value end)
            as devcheck_before_event_type
    from parameters
    group by profile_id
)

select * from final
