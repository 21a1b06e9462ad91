package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The UI's languages; sv is the reference (and the fallback).
var uiLanguages = []string{"sv", "en", "ar", "so", "fi"}

// entry is one text of a catalogue.
type entry struct {
	key, text string
	line      int
}

// parseCatalogue reads a catalogue in src/i18n/: `export default { key: 'text', … };`
// with identifier or quoted keys, single-, double- or back-quoted texts (no ${}) and
// line comments. It is not a JavaScript parser: it refuses anything else, so a
// catalogue stays a plain object literal.
func parseCatalogue(src string) ([]entry, error) {
	i := strings.Index(src, "export default {")
	if i < 0 {
		return nil, fmt.Errorf("no `export default {`")
	}
	line := 1 + strings.Count(src[:i], "\n")
	s := src[i+len("export default {"):]
	var out []entry
	skip := func() {
		for len(s) > 0 {
			switch {
			case s[0] == '\n':
				line++
				s = s[1:]
			case s[0] == ' ' || s[0] == '\t' || s[0] == '\r':
				s = s[1:]
			case strings.HasPrefix(s, "//"):
				j := strings.IndexByte(s, '\n')
				if j < 0 {
					j = len(s)
				}
				s = s[j:]
			default:
				return
			}
		}
	}
	str := func() (string, error) {
		q := s[0]
		var b strings.Builder
		for j := 1; j < len(s); j++ {
			c := s[j]
			switch {
			case c == q:
				s = s[j+1:]
				return b.String(), nil
			case c == '\n' && q != '`':
				return "", fmt.Errorf("line %d: newline in a string", line)
			case c == '$' && q == '`' && j+1 < len(s) && s[j+1] == '{':
				return "", fmt.Errorf("line %d: ${} in a catalogue text", line)
			case c == '\\' && j+1 < len(s):
				j++
				switch s[j] {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				case 'u':
					if j+4 >= len(s) {
						return "", fmt.Errorf("line %d: bad \\u escape", line)
					}
					r, err := strconv.ParseUint(s[j+1:j+5], 16, 32)
					if err != nil {
						return "", fmt.Errorf("line %d: bad \\u escape", line)
					}
					b.WriteRune(rune(r))
					j += 4
				default:
					b.WriteByte(s[j])
				}
			default:
				b.WriteByte(c)
			}
		}
		return "", fmt.Errorf("line %d: unterminated string", line)
	}
	ident := regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*`)
	for {
		skip()
		if len(s) == 0 {
			return nil, fmt.Errorf("no closing brace")
		}
		if s[0] == '}' {
			rest := strings.TrimSpace(strings.TrimPrefix(s[1:], ";"))
			if rest != "" {
				return nil, fmt.Errorf("line %d: text after the object", line)
			}
			return out, nil
		}
		e := entry{line: line}
		var err error
		switch {
		case s[0] == '\'' || s[0] == '"':
			if e.key, err = str(); err != nil {
				return nil, err
			}
		default:
			m := ident.FindString(s)
			if m == "" {
				return nil, fmt.Errorf("line %d: want a key, have %.20q", line, s)
			}
			e.key, s = m, s[len(m):]
		}
		skip()
		if len(s) == 0 || s[0] != ':' {
			return nil, fmt.Errorf("line %d: want : after %q", line, e.key)
		}
		s = s[1:]
		skip()
		if len(s) == 0 || !strings.ContainsRune("'\"`", rune(s[0])) {
			return nil, fmt.Errorf("line %d: %q: the text is not a string literal", line, e.key)
		}
		if e.text, err = str(); err != nil {
			return nil, err
		}
		out = append(out, e)
		skip()
		if len(s) > 0 && s[0] == ',' {
			s = s[1:]
		}
	}
}

func readCatalogue(t *testing.T, l string) []entry {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("src", "i18n", l+".js"))
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(src) {
		t.Fatalf("%s.js is not UTF-8", l)
	}
	es, err := parseCatalogue(string(src))
	if err != nil {
		t.Fatalf("%s.js: %v", l, err)
	}
	return es
}

func readCatalogues(t *testing.T) map[string][]entry {
	t.Helper()
	cats := map[string][]entry{}
	for _, l := range uiLanguages {
		cats[l] = readCatalogue(t, l)
	}
	return cats
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// placeholders are a text's {name}s, sorted, with repeats.
func placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return out
}

// TestCatalogues: every language has exactly Swedish's keys, once each, with a
// non-empty text carrying the same placeholders; lists split on commas (weekdays)
// have as many items; texts hold no HTML.
func TestCatalogues(t *testing.T) {
	cats := readCatalogues(t)
	sv := map[string]string{}
	for _, e := range cats["sv"] {
		sv[e.key] = e.text
	}
	if len(sv) < 600 {
		t.Fatalf("sv.js has %d keys, want the app's 600 and more", len(sv))
	}
	for _, l := range uiLanguages {
		seen := map[string]bool{}
		for _, e := range cats[l] {
			if seen[e.key] {
				t.Errorf("%s.js:%d: %q twice", l, e.line, e.key)
			}
			seen[e.key] = true
			ref, ok := sv[e.key]
			if !ok {
				t.Errorf("%s.js:%d: %q is not in sv.js", l, e.line, e.key)
				continue
			}
			if strings.TrimSpace(e.text) == "" {
				t.Errorf("%s.js:%d: %q is empty", l, e.line, e.key)
			}
			if got, want := placeholders(e.text), placeholders(ref); !slices.Equal(got, want) {
				t.Errorf("%s.js:%d: %q has placeholders %v, sv has %v", l, e.line, e.key, got, want)
			}
			if strings.ContainsAny(e.text, "<>") != strings.ContainsAny(ref, "<>") {
				t.Errorf("%s.js:%d: %q: %q has markup unlike sv %q", l, e.line, e.key, e.text, ref)
			}
			if e.key == "weekdays" || e.key == "weekdaysLong" {
				if n := len(strings.Split(e.text, ",")); n != 7 {
					t.Errorf("%s.js:%d: %q has %d days, want 7", l, e.line, e.key, n)
				}
			}
		}
		for k := range sv {
			if !seen[k] {
				t.Errorf("%s.js lacks %q (sv: %q)", l, k, sv[k])
			}
		}
	}
}

// A catalogue in the wrong shape is refused, so TestCatalogues cannot pass on a file it
// misread.
func TestParseCatalogueRefuses(t *testing.T) {
	for _, src := range []string{
		"const x = {};",
		"export default { a: 'x' ",
		"export default { a: 'x', b: y };",
		"export default { a: `x${y}` };",
		"export default { a: 'x\ny' };",
		"export default { a: 'x' }; console.log(1);",
	} {
		if es, err := parseCatalogue(src); err == nil {
			t.Errorf("%q parsed as %v", src, es)
		}
	}
	es, err := parseCatalogue("// c\nexport default {\n\t// one\n\ta: 'x\\'s',\n\t'b-c': \"{n} y\", c: `z`\n};\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []entry{{"a", "x's", 4}, {"b-c", "{n} y", 5}, {"c", "z", 5}}
	if !slices.Equal(es, want) {
		t.Errorf("parsed %v, want %v", es, want)
	}
}

// TestKeysUsed: every t('key') and has('key') in src/*.js names a key of sv.js, and
// every key built from a prefix (t(`kind_${k}`)) has its prefix among sv's keys.
func TestKeysUsed(t *testing.T) {
	sv := map[string]bool{}
	for _, e := range readCatalogue(t, "sv") {
		sv[e.key] = true
	}
	files, err := filepath.Glob(filepath.Join("src", "*.js"))
	if err != nil || len(files) < 10 {
		t.Fatalf("src/*.js: %v files, %v", len(files), err)
	}
	literal := regexp.MustCompile(`\b(?:t|has)\(\s*(?:'([^'\\]+)'|"([^"\\]+)"|` + "`([^`$\\\\]+)`" + `)\s*[,)]`)
	prefixed := regexp.MustCompile(`\b(?:t|has)\(\s*` + "`([A-Za-z0-9_.-]*)\\$\\{")
	used := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatchIndex(string(src), -1) {
			k := ""
			for g := 2; g < len(m); g += 2 {
				if m[g] >= 0 {
					k = string(src[m[g]:m[g+1]])
				}
			}
			used++
			if !sv[k] {
				t.Errorf("%s:%d: t(%q) is not in sv.js", f, 1+strings.Count(string(src[:m[0]]), "\n"), k)
			}
		}
		for _, m := range prefixed.FindAllStringSubmatchIndex(string(src), -1) {
			p := string(src[m[2]:m[3]])
			if p == "" {
				continue
			}
			found := false
			for k := range sv {
				if strings.HasPrefix(k, p) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s:%d: no key in sv.js starts with %q", f, 1+strings.Count(string(src[:m[0]]), "\n"), p)
			}
		}
	}
	if used < 400 {
		t.Errorf("found %d t('…') calls in src/*.js, want the app's 400 and more (is the pattern still right?)", used)
	}
}
