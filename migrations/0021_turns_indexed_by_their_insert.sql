-- The search index's rows are written with the turns by `db::documents::insert_turns`,
-- which has each turn's text at hand, instead of by a trigger on `turns`: the trigger
-- read the whole document row and cut the turn out with `substr` (a walk from the start
-- of the text) once per turn, which cost several times the indexing itself (2.5 s
-- against 0.64 s for the 25,152 turns of the 1,000-interview corpus). Removal stays a
-- trigger (`turns_search_on_delete`): deleting a turn cannot forget its index row.
DROP TRIGGER turns_search_on_insert;
