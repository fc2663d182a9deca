-- one row per unit: its place in the unit tree and the rule profile that applies to it. depth counts
-- from the unit's root (a unit with no parent, or whose parent is not a unit); tree_order lists each
-- unit after its parent and before its parent's next child, so a reader indents the tree by depth in
-- that order. A unit no root reaches (a cycle in the parent links) comes last, without a depth.
with recursive units as (
    select * from int_units
),

tree as (
    select unit_id, 0 as depth, unit_id as tree_path
    from units
    where parent_unit_id is null
        or parent_unit_id = ''
        or parent_unit_id not in (select unit_id from units)
    union all
    select units.unit_id, tree.depth + 1, tree.tree_path || '/' || units.unit_id
    from units
    inner join tree on units.parent_unit_id = tree.unit_id
),

final as (
    select
        units.unit_id,
        units.unit_name,
        units.parent_unit_id,
        units.profile_id,
        units.is_default_profile,
        units.regulation_short_zh,
        units.regulation_en,
        tree.depth,
        row_number() over (order by tree.tree_path nulls last, units.unit_id) as tree_order
    from units
    left join tree using (unit_id)
)

select * from final
order by tree_order
