package provisioning_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/testkit/provisioningtest"
)

// The password the customer is given is the one the panel set; it is
// stored sealed, e-mailed once, absent from the log, and issued once.
func TestCredentialsIssuedSealedAndRevealed(t *testing.T) {
	ctx := context.Background()
	w := provisioningtest.New(t)
	vps := provision(t, w, "ord_vps")
	game := provision(t, w, "ord_game")
	pid, _ := strconv.Atoi(vps.PanelID)
	root := w.VF.RootPassword(pid)
	tests := []struct {
		svc            *provisioning.Service
		user, password string
	}{
		{vps, "root", root},
		{game, "ada@example.com", w.Ptero.Password("usr_1")},
	}
	for _, tc := range tests {
		if tc.password == "" || !tc.svc.HasCredentials {
			t.Fatalf("%s: no password issued (%+v)", tc.svc.ID, tc.svc)
		}
		if strings.Contains(string(tc.svc.Credentials), tc.password) {
			t.Fatalf("%s: credentials stored in the clear", tc.svc.ID)
		}
		c, err := w.Engine.RevealCredentials(ctx, "usr_1", tc.svc.ID, "usr_1")
		if err != nil || c.Username != tc.user || c.Password != tc.password {
			t.Fatalf("%s: revealed %+v, %v; want %s/%s", tc.svc.ID, c, err, tc.user, tc.password)
		}
		if _, err := w.Engine.RevealCredentials(ctx, "usr_2", tc.svc.ID, "usr_2"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("someone else's service revealed: %v", err)
		}
		log, _ := w.Store.ListLog(ctx, tc.svc.ID)
		if last := log[len(log)-1]; last.Action != "credentials_revealed" || last.Actor != "usr_1" || last.Request != "" {
			t.Fatalf("reveal log entry %+v", last)
		}
		for _, e := range log {
			if strings.Contains(e.Request+e.Response+e.Error, tc.password) {
				t.Fatalf("password in the provisioning log: %+v", e)
			}
		}
	}
	mailed := 0
	for _, m := range w.Mail.Sent {
		if m.Data["password"] == root && m.Data["username"] == "root" {
			mailed++
		}
	}
	if mailed != 1 {
		t.Fatalf("root password e-mailed %d times: %+v", mailed, w.Mail.Sent)
	}
	// A redelivered credentials step keeps what was issued.
	if err := w.Engine.IssueCredentials(ctx, vps.ID); err != nil || w.VF.RootPassword(pid) != root {
		t.Fatalf("repeat reset the password: %v", err)
	}
}

// A second game server under the same panel login keeps the customer's
// password: nothing is reset behind their back.
func TestSecondGameServerKeepsThePanelPassword(t *testing.T) {
	ctx := context.Background()
	w := provisioningtest.New(t)
	provision(t, w, "ord_game")
	first := w.Ptero.Password("usr_1")
	second := provision(t, w, "ord_game2")
	if w.Ptero.Password("usr_1") != first {
		t.Fatal("the panel password changed for the second server")
	}
	c, err := w.Engine.RevealCredentials(ctx, "usr_1", second.ID, "usr_1")
	if err != nil || c.Password != "" || c.Note == "" || c.Username != "ada@example.com" {
		t.Fatalf("second server credentials %+v, %v", c, err)
	}
}
