package postgis

// FeaturePropsSQL is a statement that selects each of src's properties by name, with
// no rows, for the types of its columns in tests.
func FeaturePropsSQL(src *FeatureSource) (sql string, names []string) {
	sql = "SELECT "
	for i, p := range src.props {
		if i > 0 {
			sql += ", "
		}
		sql += p.expr + ` AS "` + p.name + `"`
		names = append(names, p.name)
	}
	return sql + " FROM " + src.from + " WHERE false", names
}
