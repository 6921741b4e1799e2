package httpapi

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode"
)

type placeKey struct{}

// placeOf says where a request came from, as the sessions list shows it:
// CloudFront's viewer city and country when they are trusted, "this
// computer" or "local network" for addresses that never leave a site, and
// nothing otherwise (no guessing from a stale IP database).
func (d Deps) placeOf(r *http.Request) string {
	if d.ViewerPlace {
		city, _ := url.QueryUnescape(r.Header.Get("CloudFront-Viewer-City")) // CloudFront percent-encodes non-ASCII
		country := r.Header.Get("CloudFront-Viewer-Country")
		if len(country) != 2 || !isUpper(country) {
			country = ""
		}
		parts := []string{}
		for _, p := range []string{clean(city), country} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, ", ")
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	switch ip := net.ParseIP(host); {
	case ip == nil:
		return ""
	case ip.IsLoopback():
		return "this computer"
	case ip.IsPrivate() || ip.IsLinkLocalUnicast():
		return "local network"
	}
	return ""
}

func isUpper(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// clean keeps a header value printable and short.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
	if r := []rune(strings.TrimSpace(s)); len(r) > 60 {
		return string(r[:60])
	}
	return strings.TrimSpace(s)
}
