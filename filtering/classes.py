"""Which CQL2 conformance classes this package meets, and the operators of each.

The API declares :data:`CONFORMANCE` as it is; :func:`filtering.parse` refuses any operator
not in :data:`OPERATORS` with a message naming it.
"""

CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
FEATURES_3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"

COMPARISONS = frozenset({"=", "<>", "<", ">", "<=", ">="})
# operators of each class whose URI we declare (class name -> operators it adds)
CLASSES = {
    "basic-cql2": frozenset({"and", "or", "not", "isnull"}) | COMPARISONS,
    "advanced-comparison-operators": frozenset({"like", "between", "in"}),
    "case-insensitive-comparison": frozenset({"casei"}),
    "accent-insensitive-comparison": frozenset({"accenti"}),
    "basic-spatial-functions": frozenset({"s_intersects"}),
    "basic-spatial-functions-plus": frozenset(),  # s_intersects on every geometry type
    "spatial-functions": frozenset({"s_equals", "s_disjoint", "s_touches", "s_within",
                                    "s_overlaps", "s_crosses", "s_contains"}),
    "temporal-functions": frozenset({"t_after", "t_before", "t_contains", "t_disjoint",
                                     "t_during", "t_equals", "t_finishedby", "t_finishes",
                                     "t_intersects", "t_meets", "t_metby", "t_overlappedby",
                                     "t_overlaps", "t_startedby", "t_starts"}),
    "array-functions": frozenset({"a_equals", "a_contains", "a_containedby", "a_overlaps"}),
    "property-property": frozenset(),  # either side of any operator may be a property
    "arithmetic": frozenset({"+", "-", "*", "/", "%", "div", "^"}),
    "cql2-text": frozenset(),
    "cql2-json": frozenset(),
}
OPERATORS = frozenset().union(*CLASSES.values())
# how many arguments each operator takes: (at least, at most); None: no upper bound
ARITY = {op: (2, 2) for op in OPERATORS} | {
    "and": (2, None), "or": (2, None), "not": (1, 1), "isnull": (1, 1), "casei": (1, 1),
    "accenti": (1, 1), "between": (3, 3)}

CONFORMANCE = [
    FEATURES_3 + "filter",
    FEATURES_3 + "features-filter",
    *(CQL2 + name for name in CLASSES),
    # the draft name of basic-spatial-functions, the one QGIS checks before it sends spatial
    # predicates to the server
    CQL2 + "basic-spatial-operators",
]
