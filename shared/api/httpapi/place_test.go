package httpapi

import (
	"net/http/httptest"
	"testing"
)

func TestPlaceOf(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted bool
		remote  string
		headers map[string]string
		want    string
	}{
		{"trusted city and country", true, "203.0.113.9:1234", map[string]string{"CloudFront-Viewer-City": "Frankfurt%20am%20Main", "CloudFront-Viewer-Country": "DE"}, "Frankfurt am Main, DE"},
		{"non-ASCII city", true, "203.0.113.9:1234", map[string]string{"CloudFront-Viewer-City": "K%C3%B8benhavn", "CloudFront-Viewer-Country": "DK"}, "København, DK"},
		{"country only", true, "203.0.113.9:1234", map[string]string{"CloudFront-Viewer-Country": "FR"}, "FR"},
		{"a bad country is dropped", true, "203.0.113.9:1234", map[string]string{"CloudFront-Viewer-Country": "<script>"}, ""},
		{"control characters are dropped", true, "203.0.113.9:1234", map[string]string{"CloudFront-Viewer-City": "Bad%0ACity"}, "BadCity"},
		{"untrusted headers are ignored", false, "203.0.113.9:1234", map[string]string{"CloudFront-Viewer-City": "Berlin", "CloudFront-Viewer-Country": "DE"}, ""},
		{"loopback", false, "127.0.0.1:5555", nil, "this computer"},
		{"IPv6 loopback", false, "[::1]:5555", nil, "this computer"},
		{"private network", false, "10.1.2.3:5555", nil, "local network"},
		{"public address, nothing known", false, "198.51.100.4:80", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if got := (Deps{ViewerPlace: tc.trusted}).placeOf(r); got != tc.want {
				t.Fatalf("place = %q, want %q", got, tc.want)
			}
		})
	}
}
