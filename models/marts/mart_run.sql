-- one row: what the published figures were judged with (as_of, judged at the end of that day, and
-- the settings the scorecard and the spot-check ledger used)
with run as (
    select * from int_run_parameters
),

final as (
    select * from run
)

select * from final
