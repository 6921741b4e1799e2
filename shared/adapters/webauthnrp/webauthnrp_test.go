package webauthnrp

import (
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/ezscale/platform/shared/domain/passkeys"
	"github.com/ezscale/platform/shared/platform/config"
)

func TestConfiguredRefusesAnAddress(t *testing.T) {
	cfg, err := config.Load(map[string]string{"LOCAL_KEY_FILE": t.TempDir() + "/k", "SITE_URL": "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Configured(cfg); err == nil {
		t.Fatal("browsers refuse WebAuthn on an IP address; the relying party must not start")
	}
	if rp := Offered(cfg, slog.New(slog.DiscardHandler)); rp != nil {
		t.Fatalf("Offered = %#v, want a nil Protocol (not a nil pointer in one)", rp)
	}
	cfg.WebAuthnRPID = "localhost"
	if _, err := Configured(cfg); err != nil {
		t.Fatalf("localhost: %v", err)
	}
}

// What the browser sends is outside input: anything that is not a
// WebAuthn response is ErrMalformed, never a panic or a verification.
func TestResponsesThatAreNotWebAuthn(t *testing.T) {
	rp, err := New("example.com", "EZSCALE", []string{"https://example.com"})
	if err != nil {
		t.Fatal(err)
	}
	h := passkeys.Holder{ID: "usr_1", Email: "a@example.com", Name: "A"}
	_, state, err := rp.BeginRegistration(h, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, loginState, err := rp.BeginLogin()
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{}`, `null`, `{"id":"x","type":"public-key","response":{}}`, `"text"`} {
		if _, _, err := rp.FinishRegistration(h, nil, state, json.RawMessage(body)); !errors.Is(err, passkeys.ErrMalformed) {
			t.Errorf("registration %s: %v, want ErrMalformed", body, err)
		}
		owner := func([]byte, []byte) (passkeys.Holder, [][]byte, error) { return h, nil, nil }
		if _, _, err := rp.FinishLogin(loginState, json.RawMessage(body), owner); !errors.Is(err, passkeys.ErrMalformed) {
			t.Errorf("login %s: %v, want ErrMalformed", body, err)
		}
	}
}
