package stack_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/session"
)

// A customer reinstalls their VPS through the API: the password again,
// an OS the plan offers, then the outbox follows the install at the
// simulated VirtFusion until it is done, issues the new root password
// and e-mails it; the revealed login is the panel's.
func TestCustomerReinstallsAServer(t *testing.T) {
	st, base := openStack(t)
	plans, _ := st.Platform.Catalog.List(t.Context(), catalog.Active, catalog.VPS)
	svc := paidAndProvisioned(t, st, plans[0], orders.Options{Hostname: "again.example.com", OS: "debian-12", Location: "Dallas, US"})
	c, err := session.SignIn(base, st.DemoCustomer.Email, st.DemoCustomer.Password, "", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	path := "/v1/me/services/" + svc.ID + "/reinstall"
	for _, bad := range []struct {
		body       map[string]string
		code       int
		mentioning string
	}{
		{map[string]string{"os": "ubuntu-24.04"}, 400, `"password"`},
		{map[string]string{"os": "windows-95", "password": st.DemoCustomer.Password}, 400, `"os"`},
	} {
		if code, raw, _ := c.Do("POST", path, bad.body); code != bad.code || !strings.Contains(string(raw), bad.mentioning) {
			t.Fatalf("%v: %d %s", bad.body, code, raw)
		}
	}
	code, raw, _ := c.Do("POST", path, map[string]string{"os": "ubuntu-24.04", "password": st.DemoCustomer.Password})
	var got provisioning.Service
	if err := json.Unmarshal(raw, &got); err != nil || code != 202 || got.Stage != provisioning.StageReinstalling || got.OS != "ubuntu-24.04" {
		t.Fatalf("reinstall: %d %s", code, raw)
	}
	if code, raw, _ := c.Do("POST", path, map[string]string{"os": "ubuntu-24.04", "password": st.DemoCustomer.Password}); code != 409 {
		t.Fatalf("a second reinstall while installing: %d %s", code, raw)
	}
	done := waitFor(t, st, svc.ID, func(s *provisioning.Service) bool { return s.Stage == "" && s.HasCredentials })
	server, _ := strconv.Atoi(done.PanelID)
	if tpl, builds := st.VirtFusion().Installs(server); tpl != 1 || builds != 2 {
		t.Fatalf("panel installs: template %d, %d installs", tpl, builds)
	}
	// The first delivery's e-mail and the reinstall's (delivered by the
	// notification worker, so it may arrive a moment after the stage clears).
	var mails []string
	for deadline := time.Now().Add(10 * time.Second); len(mails) < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d ready e-mails, want 2", len(mails))
		}
		list, _ := st.Mailbox.List(50)
		mails = mails[:0]
		for _, m := range list {
			if strings.Contains(m.Subject, "again.example.com") && strings.Contains(m.Subject, "is ready") {
				full, err := st.Mailbox.Get(m.ID)
				if err != nil {
					t.Fatal(err)
				}
				mails = append(mails, full.Text)
			}
		}
	}
	// Every password attempt counts against the re-authentication limit
	// (five per ten minutes), so the login is asked for once, rightly.
	code, raw, _ = c.Do("POST", "/v1/me/services/"+svc.ID+"/credentials", map[string]string{"password": st.DemoCustomer.Password})
	var login struct{ Username, Password string }
	if err := json.Unmarshal(raw, &login); err != nil || code != 200 || login.Password != st.VirtFusion().RootPassword(server) {
		t.Fatalf("the revealed login is not the panel's: %d %s", code, raw)
	}
	if !strings.Contains(mails[0], "Password:   "+login.Password) { // the newest
		t.Fatalf("the e-mailed password is not the panel's:\n%s", mails[0])
	}
	if code, raw, _ := c.Do("POST", "/v1/me/services/"+svc.ID+"/power", map[string]string{"action": "restart"}); code != 204 {
		t.Fatalf("power after the reinstall: %d %s", code, raw)
	}
}
