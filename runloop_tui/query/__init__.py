"""Pure query helpers: the filter-bar language (filter.py, terms.py), its completion
(completion.py), human units (units.py) and the usage grouping (usage.py)."""
