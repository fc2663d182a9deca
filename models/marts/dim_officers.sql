-- one row per enforcement officer: the name on their enforcement certificate (执法证, a public
-- list, so shown unmasked), its number and the unit they serve in
with officers as (
    select * from stg_officers
),

units as (
    select * from int_units
),

final as (
    select
        officers.officer_id,
        officers.officer_name,
        officers.cert_no,
        officers.unit_id,
        units.unit_name
    from officers
    left join units using (unit_id)
)

select * from final
order by officer_id
