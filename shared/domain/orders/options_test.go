package orders

import (
	"testing"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/platform/apperr"
)

func TestHostingDomains(t *testing.T) {
	plan := &catalog.Plan{ServiceType: catalog.Hosting}
	for in, want := range map[string]string{
		"Example.COM ":      "example.com",
		"bücher.example":    "xn--bcher-kva.example",
		"xn--bcher-kva.de":  "xn--bcher-kva.de",
		"sub.münchen.de":    "sub.xn--mnchen-3ya.de",
		"not a domain":      "",
		"localhost":         "",
		"-x.example.com":    "",
		"example.com/path":  "",
		"":                  "",
		"a..example.com":    "",
		"exa_mple.com":      "",
		"ex\u200bample.com": "example.com", // dropped, as browsers do
	} {
		f := apperr.FieldErrors{}
		got := Options{Domain: in}.validate(plan, f)
		if want == "" {
			if f["options.domain"] == "" {
				t.Errorf("%q accepted as %q", in, got.Domain)
			}
			continue
		}
		if f["options.domain"] != "" || got.Domain != want {
			t.Errorf("%q = %q (%v), want %q", in, got.Domain, f, want)
		}
	}
}

// Whatever a customer types, the domain kept is a valid ASCII host name
// or a field error, never both and never a panic.
func FuzzHostingDomain(f *testing.F) {
	for _, s := range []string{"example.com", "bücher.de", "xn--", "a.b", "..", "ß.de", "\x00.com"} {
		f.Add(s)
	}
	plan := &catalog.Plan{ServiceType: catalog.Hosting}
	f.Fuzz(func(t *testing.T, in string) {
		fe := apperr.FieldErrors{}
		got := Options{Domain: in}.validate(plan, fe)
		if fe["options.domain"] == "" && !validHost(got.Domain) {
			t.Fatalf("%q kept as %q, which is not a host name", in, got.Domain)
		}
	})
}

// A plan whose hardware installs only some images offers only those.
func TestPlanOperatingSystems(t *testing.T) {
	plan := &catalog.Plan{ServiceType: catalog.Dedicated, Features: catalog.Features{Extras: map[string]string{"operating_systems": "debian-12, rocky-9"}}}
	for os, ok := range map[string]bool{"debian-12": true, "rocky-9": true, "ubuntu-24.04": false, "": false} {
		f := apperr.FieldErrors{}
		Options{Hostname: "metal.example.com", OS: os}.validate(plan, f)
		if (f["options.os"] == "") != ok {
			t.Errorf("%q: %v", os, f)
		}
	}
	if got := Systems(&catalog.Plan{ServiceType: catalog.VPS}); len(got) != len(OperatingSystems) {
		t.Errorf("a plan naming none offers %v", got)
	}
}
