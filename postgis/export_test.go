package postgis

// FeatureFilterSQL is a source's FROM and WHERE clauses for q and their arguments, for
// EXPLAIN in tests.
func FeatureFilterSQL(src *FeatureSource, q FeatureQuery) (string, []any) {
	where, args := src.conditions(q)
	return src.from + where, args
}

// WrapForTest is wrap, for the classification tests.
func WrapForTest(err error) error { return wrap(err, "test") }

// SearchSQL is the search statement for q and its arguments, for EXPLAIN in tests.
func SearchSQL(q SearchQuery) (string, []any) { return searchSQL(q) }

// PublicReportsSQL is PublicReports' statement for f and its arguments, for EXPLAIN in tests.
func PublicReportsSQL(f PublicFilter) (string, []any) { return publicReportsSQL(f) }
