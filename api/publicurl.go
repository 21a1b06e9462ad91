package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ParsePublicURL checks a public URL for Options.PublicURL: absolute http or https,
// a host, optionally a path prefix, no user, query or fragment. It returns it without
// a trailing slash.
func ParsePublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", err
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("want an absolute http or https URL such as https://trygg.example.se")
	case u.Host == "" || u.Opaque != "":
		return "", fmt.Errorf("the URL has no host")
	case u.User != nil:
		return "", fmt.Errorf("the URL must not carry a user or password")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		return "", fmt.Errorf("the URL must not have a query or fragment")
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// baseURL is the absolute URL that links in answers (TileJSON, the style, OGC links,
// Open311 discovery) are built on, without a trailing slash: PublicURL when it is
// configured; otherwise the request's scheme and Host, which the client chooses (so
// production sets TRYGG_PUBLIC_URL). The adapters get it through their hooks.
func (s *Server) baseURL(r *http.Request) string {
	if s.opts.PublicURL != "" {
		return s.opts.PublicURL
	}
	scheme := "http"
	if r.TLS != nil || s.opts.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
