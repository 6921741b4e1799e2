package app

import (
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/domain/catalog"
)

const (
	vfBody    = `"url":"https://cp.example.com","token":"t","default_package":1,"hypervisors":{"Dallas, US":1},"templates":{"debian-12":3}`
	pteroBody = `"url":"https://panel.example.com","app_key":"ptla_x","client_key":"ptlc_x","locations":{"Dallas, US":1},"eggs":{"Rust":{"id":3,"docker_image":"img","startup":"./rust"}}`
)

func TestPanelsFrom(t *testing.T) {
	if p, err := PanelsFrom("", "", nil); err != nil || p.Registry != nil || p.Routes != nil {
		t.Fatalf("empty: %+v %v", p, err)
	}
	vps := &catalog.Plan{ID: "pln_1", Slug: "vps-small", Name: "VPS Small", ServiceType: catalog.VPS, Features: catalog.Features{Locations: []string{"Dallas, US", "London, UK"}}}
	game := &catalog.Plan{ID: "pln_2", Slug: "rust", ServiceType: catalog.GameServer}

	t.Run("OlderFormServesWholeTypes", func(t *testing.T) {
		p, err := PanelsFrom(`{"virtfusion":{`+vfBody+`},"pterodactyl":{`+pteroBody+`,"concurrency":2}}`, "", nil)
		if err != nil || p.Routes.PanelFor(vps, "London, UK") != "virtfusion" || p.Routes.PanelFor(game, "") != "pterodactyl" || p.Limits["pterodactyl"] != 2 {
			t.Fatalf("%+v %v", p, err)
		}
		if _, ok := p.Registry.Named("virtfusion"); !ok {
			t.Fatal("virtfusion instance missing")
		}
	})
	t.Run("InstancesAndRoutes", func(t *testing.T) {
		raw := `{"instances":{"vf-us":{"kind":"virtfusion",` + vfBody + `},"vf-uk":{"kind":"virtfusion","concurrency":3,` + vfBody + `},
			"web":{"kind":"enhance","url":"https://enhance.example.com","token":"t","org_id":"o","plans":{"pln_web":1}}}}`
		routes := `[{"panel":"vf-us","service_type":"vps"},{"panel":"vf-uk","service_type":"vps","locations":["London, UK"]},{"panel":"web","service_type":"hosting"}]`
		p, err := PanelsFrom(raw, routes, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Routes.PanelFor(vps, "London, UK"); got != "vf-uk" {
			t.Errorf("London = %q", got)
		}
		if got := p.Routes.PanelFor(vps, "Dallas, US"); got != "vf-us" {
			t.Errorf("Dallas = %q", got)
		}
		if pan, _ := p.Registry.For(vps, "London, UK"); pan == nil || pan.Name() != "vf-uk" || p.Limits["vf-uk"] != 3 {
			t.Errorf("For(London) = %v, limits %v", pan, p.Limits)
		}
		if web, ok := p.Registry.Named("web"); !ok || web.Name() != "web" {
			t.Errorf("enhance instance: %v", web)
		}
		if got := p.Routes.PanelFor(game, ""); got != "" {
			t.Errorf("game servers routed to %q with no route", got)
		}
	})
	t.Run("RoutesAloneForThePublicCatalog", func(t *testing.T) {
		p, err := PanelsFrom("", `[{"panel":"vf-us","service_type":"vps","plans":["vps-small"]}]`, nil)
		if err != nil || p.Registry != nil || p.Routes.PanelFor(vps, "Dallas, US") != "vf-us" {
			t.Fatalf("%+v %v", p, err)
		}
	})
	for name, c := range map[string]struct{ raw, routes, want string }{
		"NotJSON":          {`{`, "", "PANELS"},
		"RoutesNotJSON":    {"", `{`, "PANEL_ROUTES"},
		"VirtFusionNoURL":  {`{"virtfusion":{"token":"t","hypervisors":{"a":1},"templates":{"b":1}}}`, "", "virtfusion needs url"},
		"PteroNoEggs":      {`{"pterodactyl":{"url":"u","app_key":"a","client_key":"c","locations":{"a":1}}}`, "", "pterodactyl needs"},
		"NegativeLimit":    {`{"virtfusion":{` + vfBody + `,"concurrency":-1}}`, "", "concurrency"},
		"UnknownKind":      {`{"instances":{"x":{"kind":"plesk"}}}`, "", "kind must be"},
		"SynergyNoSpecs":   {`{"instances":{"metal":{"kind":"synergycp","url":"u","key":"k","pxe":{"debian-12":"d"}}}}`, "", "synergycp needs"},
		"EnhanceNoOrg":     {`{"instances":{"web":{"kind":"enhance","url":"u","token":"t","plans":{"p":1}}}}`, "", "enhance needs"},
		"RouteToNowhere":   {`{"virtfusion":{` + vfBody + `}}`, `[{"panel":"vf-eu","service_type":"vps"}]`, "not configured"},
		"AmbiguousRoutes":  {"", `[{"panel":"a","service_type":"vps","locations":["X"]},{"panel":"b","service_type":"vps","locations":["X","Y"]}]`, "both serve"},
		"BadServiceType":   {"", `[{"panel":"a","service_type":"vpn"}]`, "service_type"},
		"RouteWithNoPanel": {"", `[{"service_type":"vps"}]`, "panel is required"},
	} {
		if _, err := PanelsFrom(c.raw, c.routes, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}
