package provisioning_test

import (
	"context"
	"testing"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/provisioningtest"
)

// provision runs the steps in the workflow's order, polling to the end.
func provision(t *testing.T, w *provisioningtest.World, orderID string) *provisioning.Service {
	t.Helper()
	ctx := context.Background()
	svc, err := w.Engine.CreateService(ctx, orderID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Engine.Create(ctx, svc.ID); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		r, _, err := w.Engine.Poll(ctx, svc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.State == provisioning.Running {
			if err := w.Engine.IssueCredentials(ctx, svc.ID); err != nil {
				t.Fatal(err)
			}
			out, err := w.Engine.Activate(ctx, svc.ID, r)
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
	w := provisioningtest.New(t)
	game := provision(t, w, "ord_game")
	vps := provision(t, w, "ord_vps")
	if game.Status != provisioning.StatusActive || game.PanelID == "" || vps.Status != provisioning.StatusActive || len(vps.IPs) != 1 {
		t.Fatalf("game %+v\nvps %+v", game, vps)
	}
	if w.Ptero.Servers() != 1 || w.VF.Servers() != 1 || len(w.Mail.Sent) != 4 {
		t.Fatalf("servers %d/%d, mails %d", w.Ptero.Servers(), w.VF.Servers(), len(w.Mail.Sent))
	}
	log, err := w.Store.ListLog(context.Background(), vps.ID)
	if err != nil || len(log) < 2 || log[0].Action != "create" || log[0].Status != "ok" {
		t.Fatalf("log = %+v, %v", log, err)
	}
	// A credentials e-mail and an admin alert per service. Everything again
	// (a redelivered workflow): nothing new anywhere.
	provision(t, w, "ord_vps")
	if w.VF.Servers() != 1 || len(w.Mail.Sent) != 4 {
		t.Fatalf("repeat made servers %d, mails %d", w.VF.Servers(), len(w.Mail.Sent))
	}
}

// A crash at each boundary of the create step, then redelivery: exactly
// one server, and the service ends active.
func TestCreateSurvivesCrashesAtEveryBoundary(t *testing.T) {
	ctx := context.Background()
	t.Run("BeforeThePanelCall", func(t *testing.T) {
		w := provisioningtest.New(t)
		if _, err := w.Engine.CreateService(ctx, "ord_vps"); err != nil { // crashed right after
			t.Fatal(err)
		}
		if s := provision(t, w, "ord_vps"); s.Status != provisioning.StatusActive || w.VF.Servers() != 1 {
			t.Fatalf("%+v, %d servers", s, w.VF.Servers())
		}
	})
	t.Run("ReplyLostAfterThePanelMadeIt", func(t *testing.T) {
		w := provisioningtest.New(t)
		svc, _ := w.Engine.CreateService(ctx, "ord_vps")
		w.VF.SlowNext(0) // user lookup
		w.VF.SlowNext(0) // user create
		w.VF.SlowNext(0) // server list
		w.VF.LoseNextReply()
		if _, err := w.Engine.Create(ctx, svc.ID); err == nil {
			t.Fatal("a lost reply should fail the step")
		}
		if s := provision(t, w, "ord_vps"); s.Status != provisioning.StatusActive || w.VF.Servers() != 1 {
			t.Fatalf("%+v, %d servers", s, w.VF.Servers())
		}
	})
	t.Run("AfterThePanelCallBeforeOurWrite", func(t *testing.T) {
		w := provisioningtest.New(t)
		svc, _ := w.Engine.CreateService(ctx, "ord_game")
		// The worker called the panel and died before recording the id.
		req := provisioning.CreateRequest{Ref: svc.Ref, Owner: provisioning.Owner{CustomerID: "usr_1", Email: "ada@example.com", Name: "Ada Lovelace"},
			Name: svc.PlanName, Game: "Minecraft", Location: "Dallas, US", Limits: svc.Limits}
		ptero, _ := w.Engine.Panels.Named("pterodactyl")
		if _, err := ptero.Create(ctx, req); err != nil {
			t.Fatal(err)
		}
		if s := provision(t, w, "ord_game"); s.Status != provisioning.StatusActive || w.Ptero.Servers() != 1 {
			t.Fatalf("%+v, %d servers", s, w.Ptero.Servers())
		}
	})
	t.Run("AfterOurWriteBeforeAnsweringTheWorkflow", func(t *testing.T) {
		w := provisioningtest.New(t)
		svc, _ := w.Engine.CreateService(ctx, "ord_game")
		if _, err := w.Engine.Create(ctx, svc.ID); err != nil { // answered nobody
			t.Fatal(err)
		}
		if s := provision(t, w, "ord_game"); s.Status != provisioning.StatusActive || w.Ptero.Servers() != 1 {
			t.Fatalf("%+v, %d servers", s, w.Ptero.Servers())
		}
	})
}

func TestBadInputFailsClearly(t *testing.T) {
	w := provisioningtest.New(t)
	ctx := context.Background()
	if _, err := w.Engine.CreateService(ctx, "ord_open"); err == nil {
		t.Fatal("an unpaid order was provisioned")
	}
	svc, err := w.Engine.CreateService(ctx, "ord_vps")
	if err != nil {
		t.Fatal(err)
	}
	w.VF.MalformNext()
	if _, err := w.Engine.Create(ctx, svc.ID); err == nil {
		t.Fatal("malformed answer accepted")
	}
	if err := w.Engine.MarkFailed(ctx, svc.ID, provisioning.ErrNameMalformed, "the panel answered malformed data"); err != nil {
		t.Fatal(err)
	}
	got, _ := w.Store.GetService(ctx, svc.ID)
	log, _ := w.Store.ListLog(ctx, svc.ID)
	if got.Status != provisioning.StatusFailed || got.Note == "" || len(log) < 2 || log[0].Status != "error" {
		t.Fatalf("service %+v log %+v", got, log)
	}
	alerts := 0
	for _, m := range w.Mail.Sent {
		if m.Kind == notify.AlertSystemError {
			alerts++
		}
	}
	if alerts != 1 {
		t.Fatalf("%d admin alerts", alerts)
	}
}

// A redelivered mark-failed step records, alerts and tells the customer
// once.
func TestMarkFailedOnce(t *testing.T) {
	w := provisioningtest.New(t)
	ctx := context.Background()
	svc, err := w.Engine.CreateService(ctx, "ord_vps")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := w.Engine.MarkFailed(ctx, svc.ID, provisioning.ErrNameRejected, "no"); err != nil {
			t.Fatal(err)
		}
	}
	log, _ := w.Store.ListLog(ctx, svc.ID)
	if len(w.Mail.Sent) != 2 || w.Mail.Sent[0].Kind != notify.ServiceDelayed || w.Mail.Sent[1].Kind != notify.AlertSystemError || len(log) != 1 {
		t.Fatalf("%+v sent, %d log entries", w.Mail.Sent, len(log))
	}
}

// A service whose type has no panel here (the configuration changed under
// a running workflow) fails its status step by name instead of panicking,
// and a build result that does not decode fails activate instead of
// activating with no addresses.
func TestStepsRefuseWhatTheyCannotUse(t *testing.T) {
	w := provisioningtest.New(t)
	ctx := context.Background()
	svc := provision(t, w, "ord_vps")
	ptero, _ := w.Engine.Panels.Named("pterodactyl")
	w.Engine.Panels = provisioning.ByType(map[catalog.ServiceType]provisioning.Panel{catalog.GameServer: ptero})
	_, serr := provisioning.Steps{Engine: w.Engine}.Work(ctx, provisioning.WorkMessage{Action: "status", ServiceID: svc.ID})
	if serr == nil || serr.Name != provisioning.ErrNameInvalid {
		t.Fatalf("status without a panel = %v, want %s", serr, provisioning.ErrNameInvalid)
	}
	_, err := provisioning.Steps{Engine: w.Engine}.Task(ctx, map[string]any{"action": "activate", "service_id": svc.ID, "build": map[string]any{"ips": "10.0.0.1"}})
	if se, ok := err.(*provisioning.StepError); !ok || se.Name != provisioning.ErrNameInvalid {
		t.Fatalf("activate with a malformed build = %v, want %s", err, provisioning.ErrNameInvalid)
	}
}
