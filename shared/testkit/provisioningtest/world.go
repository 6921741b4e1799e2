// Package provisioningtest builds a provisioning engine on the embedded
// store and both panel simulators, with fake orders, plans, customers,
// and mailbox (and the real envelope sealer on a local key), for tests of the engine and of the workflows.
package provisioningtest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/infra/pterosim"
	"github.com/ezscale/platform/infra/vfsim"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/pterodactyl"
	"github.com/ezscale/platform/shared/adapters/virtfusion"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/envelope"
)

type fakeOrders map[string]*orders.Order

func (f fakeOrders) Get(_ context.Context, id string) (*orders.Order, error) {
	if o, ok := f[id]; ok {
		return o, nil
	}
	return nil, apperr.New(apperr.NotFound, "order %s not found", id)
}

type fakePlans map[string]*catalog.Plan

func (f fakePlans) Get(_ context.Context, id string) (*catalog.Plan, error) {
	if p, ok := f[id]; ok {
		return p, nil
	}
	return nil, apperr.New(apperr.NotFound, "plan %s not found", id)
}

type owners struct{}

func (owners) Owner(_ context.Context, id string) (provisioning.Owner, error) {
	return provisioning.Owner{CustomerID: id, Email: "ada@example.com", Name: "Ada Lovelace"}, nil
}

// Mailbox records sent notifications (idempotent by key).
type Mailbox struct {
	mu   sync.Mutex
	Sent []notify.Request
}

// Send implements provisioning.Notifier.
func (m *Mailbox) Send(_ context.Context, r notify.Request) (*notify.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.Sent {
		if s.Key == r.Key {
			return nil, nil // idempotent by key, like notify.Service
		}
	}
	m.Sent = append(m.Sent, r)
	return &notify.Message{}, nil
}

// World is an engine with its simulators and fakes.
type World struct {
	Engine *provisioning.Engine
	Ptero  *pterosim.Sim
	VF     *vfsim.Sim
	Mail   *Mailbox
	Store  *dynamo.Services
	// Outbox is the same table's outbox (staff retries are recorded there).
	Outbox *dynamo.Orders
}

// New builds a World; paid orders ord_game and ord_game2 (Minecraft), ord_vps, ord_old (an archived
// plan), ord_dedi (dedicated: no panel here) and the unpaid
// ord_open exist.
func New(t *testing.T) *World {
	t.Helper()
	ctx := context.Background()
	api := minidyn.NewClient()
	if err := dynamo.EnsureTable(ctx, api, "ezscale"); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	tbl := dynamo.New(api, "ezscale", clk)
	store := dynamo.NewServices(tbl)
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
		"pln_vps_big": {ID: "pln_vps_big", Name: "VPS Large", ServiceType: catalog.VPS, Status: catalog.Active,
			Features: catalog.Features{CPUCores: 8, RAMMB: 16384, DiskGB: 320, BandwidthGB: 8000}},
		"pln_old":  {ID: "pln_old", Name: "VPS Old", ServiceType: catalog.VPS, Status: catalog.Archived, Features: features},
		"pln_dedi": {ID: "pln_dedi", Name: "Dedicated E3", ServiceType: catalog.Dedicated, Status: catalog.Active, Features: features},
		"pln_game_big": {ID: "pln_game_big", Name: "Game Large", ServiceType: catalog.GameServer, Status: catalog.Active,
			Features: catalog.Features{CPUCores: 4, RAMMB: 12288, DiskGB: 100}},
	}
	ords := fakeOrders{
		"ord_game":  {ID: "ord_game", CustomerID: "usr_1", PlanID: "pln_game", ServiceType: catalog.GameServer, Status: orders.Paid, Options: orders.Options{Game: "Minecraft", Location: "Dallas, US"}},
		"ord_game2": {ID: "ord_game2", CustomerID: "usr_1", PlanID: "pln_game", ServiceType: catalog.GameServer, Status: orders.Paid, Options: orders.Options{Game: "Minecraft", Location: "Dallas, US"}},
		"ord_vps":   {ID: "ord_vps", CustomerID: "usr_1", PlanID: "pln_vps", ServiceType: catalog.VPS, Status: orders.Paid, Options: orders.Options{Hostname: "web1.example.com", OS: "debian-12", Location: "Dallas, US"}},
		"ord_old":   {ID: "ord_old", CustomerID: "usr_1", PlanID: "pln_old", ServiceType: catalog.VPS, Status: orders.Paid, Options: orders.Options{Hostname: "old.example.com", OS: "debian-12", Location: "Dallas, US"}},
		"ord_dedi":  {ID: "ord_dedi", CustomerID: "usr_1", PlanID: "pln_dedi", ServiceType: catalog.Dedicated, Status: orders.Paid, Options: orders.Options{Hostname: "metal.example.com", OS: "debian-12", Location: "Dallas, US"}},
		"ord_open":  {ID: "ord_open", CustomerID: "usr_1", PlanID: "pln_vps", ServiceType: catalog.VPS, Status: orders.Pending},
	}
	mail := &Mailbox{}
	keys, err := envelope.LoadOrCreateLocalKeys(filepath.Join(t.TempDir(), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	e := &provisioning.Engine{Store: store, Orders: ords, Plans: plans, Customers: owners{}, Sealer: envelope.New(keys), Notify: mail, Clock: clk,
		Log: slog.New(slog.DiscardHandler), AccountURL: "https://account.example.com",
		Panels: provisioning.ByType(map[catalog.ServiceType]provisioning.Panel{
			catalog.GameServer: pterodactyl.New(pterodactyl.Config{BaseURL: psrv.URL, AppKey: "ptla_app", ClientKey: "ptlc_client", Timeout: time.Second,
				Eggs: map[string]pterodactyl.Egg{"Minecraft": {ID: 1}}, Locations: map[string]int{"Dallas, US": 1}, Sleep: noWait}),
			catalog.VPS: virtfusion.New(virtfusion.Config{BaseURL: vsrv.URL, Token: "vf-token", Timeout: time.Second, Packages: map[string]int{"pln_vps": 1, "pln_vps_big": 2},
				Hypervisors: map[string]int{"Dallas, US": 1}, Templates: map[string]int{"debian-12": 3}, Sleep: noWait}),
		})}
	return &World{Engine: e, Ptero: ptero, VF: vf, Mail: mail, Store: store, Outbox: dynamo.NewOrders(tbl)}
}

// noWait skips the panel clients' waits between retries.
func noWait(context.Context, time.Duration) error { return nil }
