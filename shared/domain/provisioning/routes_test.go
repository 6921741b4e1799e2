package provisioning_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/testkit/provisioningtest"
)

func TestRoutesChooseTheMostSpecific(t *testing.T) {
	rs, err := provisioning.NewRoutes([]provisioning.Route{
		{Panel: "vf-us", ServiceType: catalog.VPS},
		{Panel: "vf-uk", ServiceType: catalog.VPS, Locations: []string{"London, UK"}},
		{Panel: "vf-big", ServiceType: catalog.VPS, Plans: []string{"vps-big"}},
		{Panel: "vf-big-uk", ServiceType: catalog.VPS, Plans: []string{"pln_big"}, Locations: []string{"London, UK"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	small := &catalog.Plan{ID: "pln_small", Slug: "vps-small", Name: "VPS Small", ServiceType: catalog.VPS}
	big := &catalog.Plan{ID: "pln_big", Slug: "vps-big", Name: "VPS Big", ServiceType: catalog.VPS}
	web := &catalog.Plan{ID: "pln_web", Slug: "web", Name: "Web", ServiceType: catalog.Hosting, Features: catalog.Features{Locations: []string{"Dallas, US"}}}
	for _, c := range []struct {
		plan     *catalog.Plan
		location string
		want     string
	}{
		{small, "Dallas, US", "vf-us"},
		{small, "London, UK", "vf-uk"},
		{big, "Dallas, US", "vf-big"},    // by slug
		{big, "London, UK", "vf-big-uk"}, // by id and location
		{web, "Dallas, US", ""},          // no route for the type
		{small, "", "vf-us"},             // no location chosen
	} {
		if got := rs.PanelFor(c.plan, c.location); got != c.want {
			t.Errorf("%s at %q = %q, want %q", c.plan.Slug, c.location, got, c.want)
		}
	}
	if why := catalog.Undeliverable(rs, web, ""); why != "Web is not available in any of its locations yet" {
		t.Errorf("web: %q", why)
	}
	partial, _ := provisioning.NewRoutes([]provisioning.Route{{Panel: "vf-uk", ServiceType: catalog.VPS, Locations: []string{"London, UK"}}})
	small.Features.Locations = []string{"Dallas, US", "London, UK"}
	if why := catalog.Undeliverable(partial, small, ""); why != "" {
		t.Errorf("a plan deliverable somewhere is unavailable: %q", why)
	}
	if why := catalog.Undeliverable(partial, small, "Dallas, US"); why != "VPS Small is not available in Dallas, US yet" {
		t.Errorf("Dallas: %q", why)
	}
	if got := catalog.Deliverable(partial, small); !slices.Equal(got, []string{"London, UK"}) {
		t.Errorf("deliverable = %v", got)
	}
}

// A panel without a capability is never asked for it: the engine answers
// a clear conflict, and the service lists only what its panel can do.
func TestActionsFollowCapabilities(t *testing.T) {
	w := provisioningtest.New(t)
	ctx := context.Background()
	svc := provision(t, w, "ord_vps")
	if got := w.Engine.Capabilities(svc); !slices.Equal(got, []provisioning.Capability{"power", "resize", "usage", "login", "credentials", "reinstall"}) {
		t.Fatalf("virtfusion capabilities = %v", got)
	}
	vf, _ := w.Engine.Panels.Named("virtfusion")
	w.Engine.Panels.Swap(coreOnly{vf})
	if got := w.Engine.Capabilities(svc); len(got) != 0 {
		t.Fatalf("core-only capabilities = %v", got)
	}
	for name, call := range map[string]func() error{
		"power":  func() error { return w.Engine.Power(ctx, "usr_1", svc.ID, provisioning.Stop, "usr_1") },
		"usage":  func() error { _, err := w.Engine.Usage(ctx, "usr_1", svc.ID); return err },
		"login":  func() error { _, err := w.Engine.LoginURL(ctx, "usr_1", svc.ID); return err },
		"resize": func() error { _, err := w.Engine.Resize(ctx, svc.ID, "pln_vps_big", "staff"); return err },
		"reinstall": func() error {
			_, err := w.Engine.Reinstall(ctx, "usr_1", svc.ID, "debian-12", "usr_1")
			return err
		},
	} {
		if err := call(); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("%s on a core-only panel = %v, want a conflict", name, err)
		}
	}
	if _, err := w.Engine.Suspend(ctx, svc.ID, "staff", "test"); err != nil {
		t.Fatalf("the core still works: %v", err)
	}
}

// coreOnly hides every optional capability of the panel it wraps.
type coreOnly struct{ p provisioning.Panel }

func (c coreOnly) Name() string { return c.p.Name() }
func (c coreOnly) Create(ctx context.Context, r provisioning.CreateRequest) (*provisioning.Resource, error) {
	return c.p.Create(ctx, r)
}
func (c coreOnly) Status(ctx context.Context, id string) (*provisioning.Resource, error) {
	return c.p.Status(ctx, id)
}
func (c coreOnly) Suspend(ctx context.Context, id string) error   { return c.p.Suspend(ctx, id) }
func (c coreOnly) Unsuspend(ctx context.Context, id string) error { return c.p.Unsuspend(ctx, id) }
func (c coreOnly) Terminate(ctx context.Context, id string) error { return c.p.Terminate(ctx, id) }

// The provisioning log shows the HTTP calls behind each step.
func TestLogEntriesCarryTheirCalls(t *testing.T) {
	w := provisioningtest.New(t)
	svc := provision(t, w, "ord_vps")
	log, err := w.Store.ListLog(context.Background(), svc.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range log {
		if l.Action == "create" {
			if !slices.ContainsFunc(l.Calls, func(c string) bool { return strings.HasPrefix(c, "POST /servers → 201") }) {
				t.Fatalf("create's calls: %q", l.Calls)
			}
			return
		}
	}
	t.Fatalf("no create entry in %+v", log)
}
