package provisioning_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/infra/pterosim"
	"github.com/ezscale/platform/infra/vfsim"
	"github.com/ezscale/platform/shared/catalog"
	"github.com/ezscale/platform/shared/clock"
	"github.com/ezscale/platform/shared/dynamo"
	"github.com/ezscale/platform/shared/notify"
	"github.com/ezscale/platform/shared/orders"
	"github.com/ezscale/platform/shared/provisioning"
	"github.com/ezscale/platform/shared/pterodactyl"
	"github.com/ezscale/platform/shared/virtfusion"
)

type fakeOrders map[string]*orders.Order

func (f fakeOrders) Get(_ context.Context, id string) (*orders.Order, error) { return f[id], nil }

type fakePlans map[string]*catalog.Plan

func (f fakePlans) Get(_ context.Context, id string) (*catalog.Plan, error) { return f[id], nil }

type owners struct{}

func (owners) Owner(_ context.Context, id string) (provisioning.Owner, error) {
	return provisioning.Owner{CustomerID: id, Email: "ada@example.com", Name: "Ada Lovelace"}, nil
}

type sealer struct{}

func (sealer) Seal(_ context.Context, p, _ []byte) ([]byte, error) {
	return append([]byte("sealed:"), p...), nil
}

type mailbox struct {
	mu   sync.Mutex
	sent []notify.Request
}

func (m *mailbox) Send(_ context.Context, r notify.Request) (*notify.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.sent {
		if s.Key == r.Key {
			return nil, nil // idempotent by key, like notify.Service
		}
	}
	m.sent = append(m.sent, r)
	return &notify.Message{}, nil
}

type world struct {
	engine *provisioning.Engine
	ptero  *pterosim.Sim
	vf     *vfsim.Sim
	mail   *mailbox
	store  *dynamo.Services
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	api := minidyn.NewClient()
	if err := dynamo.EnsureTable(ctx, api, "ezscale"); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	store := dynamo.NewServices(dynamo.New(api, "ezscale", clk))
	ptero := pterosim.New("ptla_app", "ptlc_client")
	psrv := httptest.NewServer(ptero.Handler())
	t.Cleanup(psrv.Close)
	vf := vfsim.New("vf-token")
	vsrv := httptest.NewServer(vf.Handler())
	t.Cleanup(vsrv.Close)
	features := catalog.Features{CPUCores: 2, RAMMB: 4096, DiskGB: 40, BandwidthGB: 1000, Locations: []string{"Dallas, US"}}
	plans := fakePlans{
		"pln_game": {ID: "pln_game", Name: "Game Starter", ServiceType: catalog.GameServer, Status: catalog.Active, Features: features},
		"pln_vps":  {ID: "pln_vps", Name: "VPS Standard", ServiceType: catalog.VPS, Status: catalog.Active, Features: features},
	}
	ords := fakeOrders{
		"ord_game": {ID: "ord_game", CustomerID: "usr_1", PlanID: "pln_game", ServiceType: catalog.GameServer, Status: orders.Paid, Options: orders.Options{Game: "Minecraft", Location: "Dallas, US"}},
		"ord_vps":  {ID: "ord_vps", CustomerID: "usr_1", PlanID: "pln_vps", ServiceType: catalog.VPS, Status: orders.Paid, Options: orders.Options{Hostname: "web1.example.com", OS: "debian-12", Location: "Dallas, US"}},
		"ord_open": {ID: "ord_open", CustomerID: "usr_1", PlanID: "pln_vps", ServiceType: catalog.VPS, Status: orders.Pending},
	}
	mail := &mailbox{}
	e := &provisioning.Engine{Store: store, Orders: ords, Plans: plans, Customers: owners{}, Sealer: sealer{}, Notify: mail, Clock: clk,
		Log: slog.New(slog.DiscardHandler), AccountURL: "https://account.example.com",
		Panels: map[catalog.ServiceType]provisioning.Panel{
			catalog.GameServer: pterodactyl.New(pterodactyl.Config{BaseURL: psrv.URL, AppKey: "ptla_app", ClientKey: "ptlc_client", Timeout: time.Second,
				Eggs: map[string]pterodactyl.Egg{"Minecraft": {ID: 1}}, Locations: map[string]int{"Dallas, US": 1}}),
			catalog.VPS: virtfusion.New(virtfusion.Config{BaseURL: vsrv.URL, Token: "vf-token", Timeout: time.Second, Packages: map[string]int{"pln_vps": 1},
				Hypervisors: map[string]int{"Dallas, US": 1}, Templates: map[string]int{"debian-12": 3}}),
		}}
	return &world{engine: e, ptero: ptero, vf: vf, mail: mail, store: store}
}

// provision runs the steps in the workflow's order, polling to the end.
func (w *world) provision(t *testing.T, orderID string) *provisioning.Service {
	t.Helper()
	ctx := context.Background()
	svc, err := w.engine.CreateService(ctx, orderID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.engine.Create(ctx, svc.ID); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		r, _, err := w.engine.Poll(ctx, svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.State == provisioning.Running {
			out, err := w.engine.Activate(ctx, svc.ID, r)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
	t.Fatal("never running")
	return nil
}

func TestProvisionBothPanels(t *testing.T) {
	w := newWorld(t)
	game := w.provision(t, "ord_game")
	vps := w.provision(t, "ord_vps")
	if game.Status != provisioning.StatusActive || game.PanelID == "" || vps.Status != provisioning.StatusActive || len(vps.IPs) != 1 {
		t.Fatalf("game %+v\nvps %+v", game, vps)
	}
	if w.ptero.Servers() != 1 || w.vf.Servers() != 1 || len(w.mail.sent) != 2 {
		t.Fatalf("servers %d/%d, mails %d", w.ptero.Servers(), w.vf.Servers(), len(w.mail.sent))
	}
	log, err := w.store.ListLog(context.Background(), vps.ID)
	if err != nil || len(log) < 2 || log[0].Action != "create" || log[0].Status != "ok" {
		t.Fatalf("log = %+v, %v", log, err)
	}
	// Everything again (a redelivered workflow): nothing new anywhere.
	w.provision(t, "ord_vps")
	if w.vf.Servers() != 1 || len(w.mail.sent) != 2 {
		t.Fatalf("repeat made servers %d, mails %d", w.vf.Servers(), len(w.mail.sent))
	}
}

// A crash at each boundary of the create step, then redelivery: exactly
// one server, and the service ends active.
func TestCreateSurvivesCrashesAtEveryBoundary(t *testing.T) {
	ctx := context.Background()
	t.Run("BeforeThePanelCall", func(t *testing.T) {
		w := newWorld(t)
		if _, err := w.engine.CreateService(ctx, "ord_vps"); err != nil { // crashed right after
			t.Fatal(err)
		}
		if s := w.provision(t, "ord_vps"); s.Status != provisioning.StatusActive || w.vf.Servers() != 1 {
			t.Fatalf("%+v, %d servers", s, w.vf.Servers())
		}
	})
	t.Run("ReplyLostAfterThePanelMadeIt", func(t *testing.T) {
		w := newWorld(t)
		svc, _ := w.engine.CreateService(ctx, "ord_vps")
		w.vf.SlowNext(0) // user lookup
		w.vf.SlowNext(0) // user create
		w.vf.SlowNext(0) // server list
		w.vf.LoseNextReply()
		if _, err := w.engine.Create(ctx, svc.ID); err == nil {
			t.Fatal("a lost reply should fail the step")
		}
		if s := w.provision(t, "ord_vps"); s.Status != provisioning.StatusActive || w.vf.Servers() != 1 {
			t.Fatalf("%+v, %d servers", s, w.vf.Servers())
		}
	})
	t.Run("AfterThePanelCallBeforeOurWrite", func(t *testing.T) {
		w := newWorld(t)
		svc, _ := w.engine.CreateService(ctx, "ord_game")
		// The worker called the panel and died before recording the id.
		req := provisioning.CreateRequest{Ref: svc.Ref, Owner: provisioning.Owner{CustomerID: "usr_1", Email: "ada@example.com", Name: "Ada Lovelace"},
			Name: svc.PlanName, Game: "Minecraft", Location: "Dallas, US", Limits: svc.Limits}
		if _, err := w.engine.Panels[catalog.GameServer].Create(ctx, req); err != nil {
			t.Fatal(err)
		}
		if s := w.provision(t, "ord_game"); s.Status != provisioning.StatusActive || w.ptero.Servers() != 1 {
			t.Fatalf("%+v, %d servers", s, w.ptero.Servers())
		}
	})
	t.Run("AfterOurWriteBeforeAnsweringTheWorkflow", func(t *testing.T) {
		w := newWorld(t)
		svc, _ := w.engine.CreateService(ctx, "ord_game")
		if _, err := w.engine.Create(ctx, svc.ID); err != nil { // answered nobody
			t.Fatal(err)
		}
		if s := w.provision(t, "ord_game"); s.Status != provisioning.StatusActive || w.ptero.Servers() != 1 {
			t.Fatalf("%+v, %d servers", s, w.ptero.Servers())
		}
	})
}

func TestBadInputFailsClearly(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := w.engine.CreateService(ctx, "ord_open"); err == nil {
		t.Fatal("an unpaid order was provisioned")
	}
	svc, err := w.engine.CreateService(ctx, "ord_vps")
	if err != nil {
		t.Fatal(err)
	}
	w.vf.MalformNext()
	if _, err := w.engine.Create(ctx, svc.ID); err == nil {
		t.Fatal("malformed answer accepted")
	}
	if err := w.engine.MarkFailed(ctx, svc.ID, provisioning.ErrNameMalformed, "the panel answered malformed data"); err != nil {
		t.Fatal(err)
	}
	got, _ := w.store.GetService(ctx, svc.ID)
	log, _ := w.store.ListLog(ctx, svc.ID)
	if got.Status != provisioning.StatusFailed || got.Note == "" || len(log) < 2 || log[0].Status != "error" {
		t.Fatalf("service %+v log %+v", got, log)
	}
	alerts := 0
	for _, m := range w.mail.sent {
		if m.Kind == notify.AlertSystemError {
			alerts++
		}
	}
	if alerts != 1 {
		t.Fatalf("%d admin alerts", alerts)
	}
}
