package main

import (
	"context"
	"log/slog"
	"path/filepath"

	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/invoicepdf"
	"github.com/ezscale/platform/shared/adapters/memqueue"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/app/gateways"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/config"
)

// platform builds the whole platform on the embedded store in dir, with
// extra configuration, for a benchmark.
func platform(ctx context.Context, dir string, clk clock.Clock, env map[string]string) (*app.Platform, app.Adapters, *memqueue.Queue, error) {
	return platformWith(ctx, dir, clk, env, nil)
}

// platformWith is platform with control panels wired.
func platformWith(ctx context.Context, dir string, clk clock.Clock, env map[string]string, panels map[catalog.ServiceType]provisioning.Panel) (*app.Platform, app.Adapters, *memqueue.Queue, error) {
	return platformOn(ctx, minidyn.NewClient(), dir, clk, env, panels)
}

// platformOn is platformWith on a given store (a counting one, say).
func platformOn(ctx context.Context, api interface {
	dynamo.API
	dynamo.TableAdmin
}, dir string, clk clock.Clock, env map[string]string, panels map[catalog.ServiceType]provisioning.Panel) (*app.Platform, app.Adapters, *memqueue.Queue, error) {
	if err := dynamo.EnsureTable(ctx, api, "ezscale"); err != nil {
		return nil, app.Adapters{}, nil, err
	}
	vars := map[string]string{"LOCAL_KEY_FILE": filepath.Join(dir, "k")}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Load(vars)
	if err != nil {
		return nil, app.Adapters{}, nil, err
	}
	adapters, q, _, err := app.Embedded(api, dir, 5, clk)
	if err != nil {
		return nil, app.Adapters{}, nil, err
	}
	if adapters.Gateways, err = gateways.Configured(cfg, adapters.HTTP); err != nil {
		return nil, app.Adapters{}, nil, err
	}
	adapters.PDF = invoicepdf.Configured(cfg)
	if panels != nil {
		adapters.Panels = app.PanelsOf(provisioning.ByType(panels))
	}
	return app.New(cfg, adapters, slog.New(slog.DiscardHandler), clk), adapters, q, nil
}
