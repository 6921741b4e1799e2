package config_test

import (
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/platform/config"
)

func TestLoad(t *testing.T) {
	base := func() map[string]string {
		return map[string]string{"LOCAL_KEY_FILE": "/tmp/key"}
	}
	t.Run("Defaults", func(t *testing.T) {
		c, err := config.Load(base())
		if err != nil {
			t.Fatal(err)
		}
		if c.Stage != "local" || c.TableName != "ezscale" || c.MaxBodyBytes != 1<<20 || c.HighValueOrder["USD"] != 50000 {
			t.Fatalf("unexpected defaults: %+v", c)
		}
	})
	tests := []struct {
		name    string
		set     map[string]string
		wantVar string
	}{
		{"BadStage", map[string]string{"STAGE": "qa"}, "STAGE"},
		{"BadLogLevel", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"BadBodyLimit", map[string]string{"MAX_BODY_BYTES": "12"}, "MAX_BODY_BYTES"},
		{"NonNumericBodyLimit", map[string]string{"MAX_BODY_BYTES": "lots"}, "MAX_BODY_BYTES"},
		{"WeakArgon2", map[string]string{"ARGON2_MEMORY_KIB": "8"}, "ARGON2_MEMORY_KIB"},
		{"BadOrigin", map[string]string{"WEB_ORIGINS": "https://ok.example,ftp://x"}, "WEB_ORIGINS"},
		{"ProdNeedsKMS", map[string]string{"STAGE": "prod"}, "KMS_KEY_ID"},
		{"LocalNeedsKeyFile", map[string]string{"LOCAL_KEY_FILE": ""}, "LOCAL_KEY_FILE"},
		{"UnknownMailTransport", map[string]string{"MAIL_TRANSPORT": "pigeon"}, "MAIL_TRANSPORT"},
		{"SMTPNeedsHost", map[string]string{"MAIL_TRANSPORT": "smtp"}, "SMTP_HOST"},
		{"BadSMTPSecurity", map[string]string{"MAIL_TRANSPORT": "smtp", "SMTP_HOST": "smtp.example.com", "SMTP_SECURITY": "ssl3"}, "SMTP_SECURITY"},
		{"ProdRefusesOutbox", map[string]string{"STAGE": "prod", "KMS_KEY_ID": "k"}, "MAIL_TRANSPORT"},
		{"ProdNeedsQueue", map[string]string{"STAGE": "prod", "KMS_KEY_ID": "k", "MAIL_TRANSPORT": "ses"}, "NOTIFY_QUEUE_URL"},
		{"BadFrom", map[string]string{"MAIL_FROM": "nobody"}, "MAIL_FROM"},
		{"PayPalHalfSet", map[string]string{"PAYPAL_CLIENT_ID": "id", "PAYPAL_SECRET": "s"}, "PAYPAL_WEBHOOK_ID"},
		{"PayPalBadVerify", map[string]string{"PAYPAL_VERIFY": "trust"}, "PAYPAL_VERIFY"},
		{"PayPalSimulatorInProd", map[string]string{"STAGE": "prod", "KMS_KEY_ID": "k", "PAYPAL_API_URL": "http://127.0.0.1:8080/dev/paypal"}, "PAYPAL_API_URL"},
		{"BadDiscordRoute", map[string]string{"DISCORD_WEBHOOKS": "security=https://discord.com/api/webhooks/1/t"}, "DISCORD_WEBHOOKS"},
		{"BadThreshold", map[string]string{"HIGH_VALUE_ORDER_THRESHOLDS": "usd=5"}, "HIGH_VALUE_ORDER_THRESHOLDS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := base()
			for k, v := range tt.set {
				env[k] = v
			}
			_, err := config.Load(env)
			if err == nil || !strings.Contains(err.Error(), tt.wantVar) {
				t.Fatalf("Load() error = %v, want one naming %s", err, tt.wantVar)
			}
		})
	}
}
