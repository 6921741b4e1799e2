package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/app"
)

// A function refuses to start, naming the setting, when configuration is bad.
func TestFromEnvironmentRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name, function string
		env            map[string]string
		wantVar        string
	}{
		{"BadStage", "catalog", map[string]string{"STAGE": "qa"}, "STAGE"},
		{"ProdNeedsKMS", "catalog", map[string]string{"STAGE": "prod", "KMS_KEY_ID": ""}, "KMS_KEY_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("LOCAL_KEY_FILE", filepath.Join(t.TempDir(), "k"))
			t.Setenv("AWS_REGION", "us-east-1")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, _, err := app.FromEnvironment(context.Background(), tt.function)
			if err == nil || !strings.Contains(err.Error(), tt.wantVar) {
				t.Fatalf("err = %v, want one naming %s", err, tt.wantVar)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		t.Setenv("LOCAL_KEY_FILE", filepath.Join(t.TempDir(), "k"))
		t.Setenv("AWS_REGION", "us-east-1")
		if _, _, err := app.FromEnvironment(context.Background(), "admin"); err != nil {
			t.Fatal(err)
		}
	})
}
