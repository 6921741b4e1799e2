package orders

import (
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/idna"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// OperatingSystems are the images VPS and dedicated orders may choose.
var OperatingSystems = catalog.OperatingSystems

// hostnameRE is an RFC 1123 host name: labels of letters, digits and inner
// hyphens, at least two of them. Labels are at most 63 characters, checked
// in validHost: counted repetitions compile to long programs at every cold
// start.
var hostnameRE = regexp.MustCompile(`^(?i)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]([a-z0-9-]*[a-z0-9])?$`)

func validHost(v string) bool {
	if len(v) > 253 {
		return false
	}
	for l := range strings.SplitSeq(v, ".") {
		if len(l) > 63 {
			return false
		}
	}
	return hostnameRE.MatchString(v)
}

// Systems lists the operating systems a VPS or dedicated plan offers: its
// "operating_systems" extra (what its hardware's installer has), or all
// of OperatingSystems when it names none.
func Systems(p *catalog.Plan) []string {
	var out []string
	for s := range strings.SplitSeq(p.Features.Extras["operating_systems"], ",") {
		if s = strings.TrimSpace(s); s != "" && slices.Contains(OperatingSystems, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return OperatingSystems
	}
	return out
}

// Games lists the games a game-server plan offers (its "games" extra).
func Games(p *catalog.Plan) []string {
	var out []string
	for g := range strings.SplitSeq(p.Features.Extras["games"], ",") {
		if g = strings.TrimSpace(g); g != "" {
			out = append(out, g)
		}
	}
	return out
}

// validate checks the options the plan's service type needs, adding field
// errors under "options.<name>", and returns them normalised.
func (o Options) validate(p *catalog.Plan, f apperr.FieldErrors) Options {
	o.Hostname = strings.ToLower(strings.TrimSpace(o.Hostname))
	o.Domain = strings.ToLower(strings.TrimSpace(o.Domain))
	o.Location, o.OS, o.Game = strings.TrimSpace(o.Location), strings.TrimSpace(o.OS), strings.TrimSpace(o.Game)
	if locs := p.Features.Locations; len(locs) > 0 {
		if o.Location == "" && len(locs) == 1 {
			o.Location = locs[0]
		}
		if !slices.Contains(locs, o.Location) {
			f.Add("options.location", "must be one of: "+strings.Join(locs, "; "))
		}
	}
	host := func(field, v string) {
		if !validHost(v) {
			f.Add(field, "must be a fully qualified host name such as server1.example.com")
		}
	}
	switch p.ServiceType {
	case catalog.VPS, catalog.Dedicated:
		host("options.hostname", o.Hostname)
		if systems := Systems(p); !slices.Contains(systems, o.OS) {
			f.Add("options.os", "must be one of: "+strings.Join(systems, ", ")+" (what this plan's hardware installs)")
		}
		o.Game, o.Domain = "", ""
	case catalog.GameServer:
		if games := Games(p); !slices.Contains(games, o.Game) {
			f.Add("options.game", "must be one of: "+strings.Join(games, ", "))
		}
		o.Hostname, o.OS, o.Domain = "", "", ""
	case catalog.Hosting:
		// An internationalised name is kept as the panel and DNS use it
		// (punycode): "bücher.de" becomes "xn--bcher-kva.de".
		if ascii, err := idna.Lookup.ToASCII(o.Domain); err == nil {
			o.Domain = ascii
		}
		if !validHost(o.Domain) {
			f.Add("options.domain", "must be a domain name such as example.com")
		}
		o.Hostname, o.OS, o.Game = "", "", ""
	}
	return o
}
