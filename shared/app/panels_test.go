package app

import (
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/domain/catalog"
)

func TestPanelsFrom(t *testing.T) {
	if p, _, err := PanelsFrom("", nil); err != nil || p != nil {
		t.Fatalf("empty: %v %v", p, err)
	}
	good := `{"virtfusion":{"url":"https://cp.example.com","token":"t","default_package":1,"hypervisors":{"Dallas, US":1},"templates":{"debian-12":3}},
		"pterodactyl":{"url":"https://panel.example.com","app_key":"ptla_x","client_key":"ptlc_x","locations":{"Dallas, US":1},"eggs":{"Rust":{"id":3,"docker_image":"img","startup":"./rust"}},"concurrency":2}}`
	p, limits, err := PanelsFrom(good, nil)
	if err != nil || p[catalog.VPS].Name() != "virtfusion" || p[catalog.GameServer].Name() != "pterodactyl" || limits["pterodactyl"] != 2 || limits["virtfusion"] != 0 {
		t.Fatalf("good: %v %v %v", p, limits, err)
	}
	for name, raw := range map[string]string{
		"NotJSON":         `{`,
		"VirtFusionNoURL": `{"virtfusion":{"token":"t","hypervisors":{"a":1},"templates":{"b":1}}}`,
		"PteroNoEggs":     `{"pterodactyl":{"url":"u","app_key":"a","client_key":"c","locations":{"a":1}}}`,
		"NegativeLimit":   `{"virtfusion":{"url":"u","token":"t","hypervisors":{"a":1},"templates":{"b":1},"concurrency":-1}}`,
	} {
		if _, _, err := PanelsFrom(raw, nil); err == nil || !strings.Contains(err.Error(), "PANELS") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
