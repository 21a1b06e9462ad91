package tiles

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// Filter is the report layers' filter from the query parameters category, source
// (comma-separated lists), from, to (RFC 3339 or a date: its whole day in Swedish
// time) and when (day, evening, night, weekday, weekend; a comma-separated list).
type Filter struct {
	postgis.TileFilter
}

var (
	sources = []string{"resident", "walk", "dialogue", "est", "police", "police-event", "survey"}
	whens   = []string{"day", "evening", "night", "weekday", "weekend"}
)

// parseFilter reads the filter from q; a bad value is EINVALID naming its parameter.
func parseFilter(ctx context.Context, db *postgis.DB, q url.Values) (Filter, error) {
	var f Filter
	list := func(name string, ok func(string) bool) ([]string, error) {
		raw := q.Get(name)
		if raw == "" {
			if _, given := q[name]; given {
				return nil, invalid(name, "%s is empty", name)
			}
			return nil, nil
		}
		var out []string
		for _, v := range strings.Split(raw, ",") {
			v = strings.TrimSpace(v)
			if !ok(v) {
				return nil, invalid(name, "%s %q is not one of the known values", name, v)
			}
			out = append(out, v)
		}
		slices.Sort(out)
		return slices.Compact(out), nil
	}
	var err error
	if _, ok := q["category"]; ok {
		cats, err := db.Categories(ctx)
		if err != nil {
			return f, err
		}
		if f.Categories, err = list("category", func(v string) bool {
			return slices.ContainsFunc(cats, func(c trygg.Category) bool { return c.Code == v })
		}); err != nil {
			return f, err
		}
	}
	if f.Sources, err = list("source", func(v string) bool { return slices.Contains(sources, v) }); err != nil {
		return f, err
	}
	if f.When, err = list("when", func(v string) bool { return slices.Contains(whens, v) }); err != nil {
		return f, err
	}
	for _, name := range []string{"from", "to"} {
		raw := q.Get(name)
		if _, given := q[name]; !given {
			continue
		}
		start, end, ok := trygg.ParseInstant(raw)
		if !ok {
			return f, invalid(name, "%s %q is neither an RFC 3339 time nor a date (YYYY-MM-DD)", name, raw)
		}
		if name == "from" {
			f.From = &start
		} else {
			f.To = &end
		}
	}
	if f.From != nil && f.To != nil && f.From.After(*f.To) {
		return f, invalid("to", "to is before from")
	}
	return f, nil
}

// key is the normalized filter, for the cache key.
func (f Filter) key() string {
	t := func(p *time.Time) string {
		if p == nil {
			return ""
		}
		return p.UTC().Format(time.RFC3339Nano)
	}
	return "c=" + strings.Join(f.Categories, ",") + "&s=" + strings.Join(f.Sources, ",") +
		"&w=" + strings.Join(f.When, ",") + "&f=" + t(f.From) + "&t=" + t(f.To)
}
